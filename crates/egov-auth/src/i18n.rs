//! The login page's strings per language (`i18n/<lang>.toml`, compiled in). The page speaks
//! the first language of the browser's `Accept-Language` that the country pack supports and
//! that has strings here, else the pack's default language, else English.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// The strings of the login page.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Messages {
    pub sign_in_title: String,
    pub continue_to: String,
    pub login_name: String,
    pub password: String,
    pub sign_in: String,
    pub code_label: String,
    pub verify: String,
    pub enter_credentials: String,
    pub wrong_credentials: String,
    pub enter_code: String,
    pub wrong_code: String,
    pub locked: String,
    pub no_account: String,
    pub register: String,
}

const SOURCES: &[(&str, &str)] = &[
    ("en", include_str!("../i18n/en.toml")),
    ("ko", include_str!("../i18n/ko.toml")),
    ("es", include_str!("../i18n/es.toml")),
];

fn catalogue() -> &'static HashMap<&'static str, Messages> {
    static CATALOGUE: OnceLock<HashMap<&'static str, Messages>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        SOURCES
            .iter()
            .map(|(lang, text)| {
                // A broken catalogue is a build defect; the unit test below parses every one.
                let m: Messages = toml::from_str(text)
                    .unwrap_or_else(|e| panic!("i18n/{lang}.toml is invalid: {e}"));
                (*lang, m)
            })
            .collect()
    })
}

/// The language to answer in, and its strings.
pub fn negotiate(
    accept_language: Option<&str>,
    supported: &[String],
    default: &str,
) -> (&'static str, &'static Messages) {
    let cat = catalogue();
    let mut wanted: Vec<(f32, String)> = accept_language
        .unwrap_or_default()
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next()?.trim().to_ascii_lowercase();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|v| v.parse().ok()))
                .unwrap_or(1.0f32);
            let primary = tag.split('-').next()?.to_owned();
            (!primary.is_empty() && q > 0.0).then_some((q, primary))
        })
        .collect();
    wanted.sort_by(|a, b| b.0.total_cmp(&a.0));
    let usable = |l: &str| supported.iter().any(|s| s == l) && cat.contains_key(l);
    let chosen = wanted
        .iter()
        .map(|(_, l)| l.as_str())
        .find(|l| usable(l))
        .or_else(|| usable(default).then_some(default))
        .unwrap_or("en");
    let (lang, messages) = cat
        .get_key_value(chosen)
        .or_else(|| cat.get_key_value("en"))
        .unwrap_or_else(|| unreachable!("en is compiled in"));
    (lang, messages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_parses_with_every_key() {
        assert_eq!(catalogue().len(), SOURCES.len());
    }

    #[test]
    fn the_browser_choice_within_the_pack_then_the_pack_default() {
        let kr = ["ko".to_owned(), "en".to_owned()];
        assert_eq!(negotiate(None, &kr, "ko").0, "ko");
        assert_eq!(negotiate(Some("en-US,en;q=0.9"), &kr, "ko").0, "en");
        assert_eq!(negotiate(Some("fr, ko;q=0.5, en;q=0.8"), &kr, "ko").0, "en");
        assert_eq!(negotiate(Some("es"), &kr, "ko").0, "ko");
        let py = ["es".to_owned(), "gn".to_owned(), "en".to_owned()];
        // Guarani is supported by the pack but has no strings yet: the pack default.
        assert_eq!(negotiate(Some("gn"), &py, "es").0, "es");
        assert_eq!(negotiate(Some("*"), &py, "es").0, "es");
    }
}

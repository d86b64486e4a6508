//! Languages: Fluent messages per language of the pack, and which language a request gets.
//!
//! Messages come from the layout (`messages/<lang>.ftl` in this crate), from each module (its
//! `web/messages/<lang>.ftl`, handed over at start) and last from the pack
//! (`<pack>/messages/<lang>.ftl`), which overrides either: a client country changes wording
//! without a fork. A message missing in a language falls back to the pack's default language,
//! then to English, then shows its id (and is logged), so a page never fails for a missing
//! translation.

use std::collections::BTreeMap;
use std::path::Path;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// The layout's own messages.
const LAYOUT: &[(&str, &str)] = &[
    ("ko", include_str!("../messages/ko.ftl")),
    ("en", include_str!("../messages/en.ftl")),
    ("es", include_str!("../messages/es.ftl")),
    ("gn", include_str!("../messages/gn.ftl")),
];

/// The messages of every language of the pack.
pub struct Messages {
    bundles: BTreeMap<String, FluentBundle<FluentResource>>,
    default: String,
    /// The pack's languages with their own names (`한국어`, `English`), in the pack's order.
    languages: Vec<(String, String)>,
}

impl std::fmt::Debug for Messages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Messages")
            .field("languages", &self.bundles.keys().collect::<Vec<_>>())
            .finish()
    }
}

fn parse(what: &str, ftl: &str) -> anyhow::Result<FluentResource> {
    FluentResource::try_new(ftl.to_owned())
        .map_err(|(_, errs)| anyhow::anyhow!("{what}: {} syntax errors: {errs:?}", errs.len()))
}

impl Messages {
    /// Loads the layout's, the modules' and the pack's messages for each language of `pack`.
    pub fn load(
        pack: &egov_core::CountryPack,
        pack_dir: &Path,
        modules: &[(&'static str, &'static str)],
    ) -> anyhow::Result<Self> {
        let mut bundles = BTreeMap::new();
        let mut wanted: Vec<String> = pack.languages.clone();
        if !wanted.iter().any(|l| l == "en") {
            wanted.push("en".into());
        }
        for lang in &wanted {
            let id: LanguageIdentifier = lang
                .parse()
                .map_err(|e| anyhow::anyhow!("language {lang}: {e}"))?;
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // Hangul and Latin never mix directions: no isolation marks in the HTML.
            bundle.set_use_isolating(false);
            let sources = LAYOUT
                .iter()
                .chain(modules.iter())
                .filter(|(l, _)| l == lang);
            for (i, (_, ftl)) in sources.enumerate() {
                let res = parse(&format!("{lang} messages #{i}"), ftl)?;
                bundle.add_resource_overriding(res);
            }
            let over = pack_dir.join("messages").join(format!("{lang}.ftl"));
            if over.is_file() {
                let text = std::fs::read_to_string(&over)?;
                bundle.add_resource_overriding(parse(&over.display().to_string(), &text)?);
            }
            bundles.insert(lang.clone(), bundle);
        }
        let languages = pack
            .languages
            .iter()
            .map(|l| {
                let name = bundles
                    .get(l)
                    .and_then(|b| format_in(b, "language-name", None))
                    .unwrap_or_else(|| l.clone());
                (l.clone(), name)
            })
            .collect();
        Ok(Self {
            bundles,
            default: pack.default_language.clone(),
            languages,
        })
    }

    /// The pack's languages: code and own name.
    pub fn languages(&self) -> &[(String, String)] {
        &self.languages
    }

    pub fn default_language(&self) -> &str {
        &self.default
    }

    pub fn supports(&self, lang: &str) -> bool {
        self.languages.iter().any(|(l, _)| l == lang)
    }

    /// Message `id` in `lang` with `args`, falling back to the default language, English, and
    /// last the id itself.
    pub fn get(&self, lang: &str, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        self.find(lang, id, args).unwrap_or_else(|| {
            tracing::warn!(message = id, lang, "no such message in any language");
            id.to_owned()
        })
    }

    /// Message `id` in `lang` with the same fallbacks as [`Messages::get`], or `None` where no
    /// language has it (for optional messages: a template's own text before a general one).
    pub fn find(&self, lang: &str, id: &str, args: Option<&FluentArgs<'_>>) -> Option<String> {
        [lang, self.default.as_str(), "en"]
            .into_iter()
            .find_map(|l| self.bundles.get(l).and_then(|b| format_in(b, id, args)))
    }

    /// Message `id` in exactly `lang`, if that language has it.
    pub fn find_exact(&self, lang: &str, id: &str) -> Option<String> {
        self.bundles.get(lang).and_then(|b| format_in(b, id, None))
    }

    /// The best of the pack's languages for an `Accept-Language` header.
    pub fn negotiate(&self, accept: &str) -> String {
        use fluent_langneg::LanguageIdentifier as Tag;
        let requested: Vec<Tag> = requested(accept);
        let available: Vec<Tag> = self
            .languages
            .iter()
            .filter_map(|(l, _)| l.parse().ok())
            .collect();
        let default: Option<Tag> = self.default.parse().ok();
        fluent_langneg::negotiate_languages(
            &requested,
            &available,
            default.as_ref(),
            fluent_langneg::NegotiationStrategy::Lookup,
        )
        .first()
        .map_or_else(|| self.default.clone(), |l| l.to_string())
    }
}

/// The language tags of an `Accept-Language` header, most wanted first (`*` and `q=0` left out).
fn requested(accept: &str) -> Vec<fluent_langneg::LanguageIdentifier> {
    let mut weighted: Vec<(f32, fluent_langneg::LanguageIdentifier)> = accept
        .split(',')
        .filter_map(|part| {
            let mut it = part.trim().split(';');
            let tag = it.next()?.trim();
            let q = it
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            (q > 0.0 && tag != "*")
                .then(|| tag.parse().ok().map(|t| (q, t)))
                .flatten()
        })
        .collect();
    weighted.sort_by(|a, b| b.0.total_cmp(&a.0));
    weighted.into_iter().map(|(_, t)| t).collect()
}

/// Problem titles (RFC 9457 `title`) in the languages of the pack, for the API's answers: the
/// platform's and the modules' `problem-<code>` messages, overridden by the pack's, read from
/// the process's messages.
#[derive(Debug)]
pub struct Titles(pub std::sync::Arc<Messages>);

impl egov_core::error::ProblemTitles for Titles {
    fn title(&self, accept_language: &str, code: &str) -> Option<(String, String)> {
        let id = egov_core::error::title_id(code);
        for tag in requested(accept_language) {
            let lang = tag.language.as_str();
            if lang == "en" {
                return None;
            }
            if !self.0.supports(lang) {
                continue;
            }
            // A language of the pack without this title: the pack's default language's, as
            // the pages do (Guaraní readers get Spanish), else English.
            let default = self.0.default_language();
            return self
                .0
                .find_exact(lang, &id)
                .map(|t| (t, lang.to_owned()))
                .or_else(|| {
                    (default != "en")
                        .then(|| {
                            self.0
                                .find_exact(default, &id)
                                .map(|t| (t, default.to_owned()))
                        })
                        .flatten()
                });
        }
        None
    }

    fn text(&self, lang: &str, id: &str, values: &[(&'static str, String)]) -> Option<String> {
        let a = args(values);
        self.0
            .bundles
            .get(lang)
            .and_then(|b| format_in(b, id, Some(&a)))
    }
}

/// The pages' texts (a problem's detail, a field error) in a page's language, with the pages'
/// fallbacks (the pack's default language, then the English the text carries).
impl egov_core::error::ProblemTitles for Messages {
    fn title(&self, _: &str, _: &str) -> Option<(String, String)> {
        None
    }

    fn text(&self, lang: &str, id: &str, values: &[(&'static str, String)]) -> Option<String> {
        if lang == "en" {
            return None;
        }
        let a = args(values);
        [lang, self.default.as_str()]
            .into_iter()
            .filter(|l| *l != "en")
            .find_map(|l| self.bundles.get(l).and_then(|b| format_in(b, id, Some(&a))))
    }
}

fn format_in(
    bundle: &FluentBundle<FluentResource>,
    id: &str,
    args: Option<&FluentArgs<'_>>,
) -> Option<String> {
    let msg = bundle.get_message(id)?;
    let pattern = msg.value()?;
    let mut errors = Vec::new();
    let s = bundle.format_pattern(pattern, args, &mut errors);
    if !errors.is_empty() {
        tracing::warn!(message = id, ?errors, "message formatted with errors");
    }
    Some(s.into_owned())
}

/// Fluent arguments from pairs of names and strings. A whole number written with plain
/// digits (a count, a year) goes in as a number, so plural forms select on it
/// (`[one] 1 person *[other] 2 people`); anything else (formatted amounts, names, dates)
/// stays text.
pub fn args<'a>(pairs: &[(&'a str, String)]) -> FluentArgs<'a> {
    let mut a = FluentArgs::new();
    for (k, v) in pairs {
        let plain = !v.is_empty() && v.len() <= 15 && v.bytes().all(|b| b.is_ascii_digit());
        match v.parse::<u64>() {
            Ok(n) if plain && (v == "0" || !v.starts_with('0')) => a.set(*k, FluentValue::from(n)),
            _ => a.set(*k, FluentValue::from(v.clone())),
        }
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_select_plural_forms_and_other_text_stays_as_written() {
        let mut b = FluentBundle::new_concurrent(vec!["en".parse().expect("tag")]);
        b.set_use_isolating(false);
        let r = FluentResource::try_new(
            "n = { $count -> \n    [one] 1 person\n   *[other] { $count } people\n}\ny = Year { $year }\n".into(),
        )
        .expect("ftl");
        b.add_resource(r).expect("add");
        let say = |id: &str, k: &str, v: &str| format_in(&b, id, Some(&args(&[(k, v.to_owned())])));
        assert_eq!(say("n", "count", "1").as_deref(), Some("1 person"));
        assert_eq!(say("n", "count", "3").as_deref(), Some("3 people"));
        assert_eq!(say("y", "year", "2026").as_deref(), Some("Year 2026"));
        assert_eq!(say("y", "year", "007").as_deref(), Some("Year 007"));
        assert_eq!(say("y", "year", "1,000").as_deref(), Some("Year 1,000"));
    }

    fn kr() -> egov_core::CountryPack {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/countries/kr");
        egov_core::CountryPack::load(&dir).expect("the kr pack")
    }

    const MODULE: &[(&str, &str)] = &[
        (
            "en",
            "portal-name = { $country } Services\ngreeting = Hello\n",
        ),
        ("ko", "portal-name = { $country } 서비스\n"),
    ];

    #[test]
    fn the_pack_overrides_a_module_message_and_a_missing_one_falls_back() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::create_dir(dir.path().join("messages")).expect("mkdir");
        std::fs::write(dir.path().join("messages/ko.ftl"), "portal-name = 정부24\n")
            .expect("write");
        let m = Messages::load(&kr(), dir.path(), MODULE).expect("messages");
        let a = args(&[("country", "대한민국".into())]);
        assert_eq!(m.get("ko", "portal-name", Some(&a)), "정부24");
        assert_eq!(m.get("en", "portal-name", Some(&a)), "대한민국 Services");
        // Not in Korean: the default language has none either, so English.
        assert_eq!(m.get("ko", "greeting", None), "Hello");
        // Nowhere: the id.
        assert_eq!(m.get("ko", "no-such-message", None), "no-such-message");
        assert_eq!(m.languages()[0], ("ko".to_owned(), "한국어".to_owned()));
    }

    #[test]
    fn a_broken_override_stops_the_start_with_the_file_named() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::create_dir(dir.path().join("messages")).expect("mkdir");
        std::fs::write(dir.path().join("messages/en.ftl"), "portal-name = {\n").expect("write");
        let e = Messages::load(&kr(), dir.path(), MODULE).expect_err("refused");
        assert!(e.to_string().contains("messages/en.ftl"), "{e}");
    }

    #[test]
    fn accept_language_picks_among_the_packs_languages_by_weight() {
        let dir = tempfile::tempdir().expect("dir");
        let m = Messages::load(&kr(), dir.path(), MODULE).expect("messages");
        assert_eq!(m.negotiate("en-US,en;q=0.9"), "en");
        assert_eq!(m.negotiate("fr;q=1, en;q=0.2, ko;q=0.8"), "ko");
        assert_eq!(m.negotiate("fr, de"), "ko");
        assert_eq!(m.negotiate(""), "ko");
        assert_eq!(m.negotiate("ko-KR"), "ko");
    }
}

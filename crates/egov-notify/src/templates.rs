//! A notice's text in the recipient's language, from Fluent messages.
//!
//! A notice with template `petition.request_supplement` is written with the messages
//! `notice-petition-request-supplement-subject`, `-text` and `-sms`; where one is missing, the
//! module's general `notice-petition-subject`, `-text`, `-sms` stand in (the SMS last falls back
//! to the subject). Every e-mail ends with `notice-footer`. The notice's values are the
//! messages' variables: text as it is, dates in the pack's time zone written as the language
//! writes them, `status_text` (the status in words, `status-<status>`), `link` (the page the
//! notice is about, on the portal's public address) and `portal` (the portal's name).

use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use egov_core::outbox::Notification;
use egov_web::Messages;
use serde_json::Value;
#[cfg(test)]
use serde_json::json;

/// Renders notices.
#[derive(Clone)]
pub struct Templates {
    messages: Arc<Messages>,
    tz: Tz,
    public_url: String,
    /// The country's name in each language (the portal's name says it).
    countries: Vec<(String, String)>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates")
            .field("tz", &self.tz)
            .finish_non_exhaustive()
    }
}

/// One notice, written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    /// The e-mail's text, footer included.
    pub body: String,
    /// The text message.
    pub sms: String,
}

impl Templates {
    pub fn new(messages: Arc<Messages>, pack: &egov_core::CountryPack, public_url: &str) -> Self {
        let countries = messages
            .languages()
            .iter()
            .map(|(l, _)| (l.clone(), pack.name(l).to_owned()))
            .collect();
        Self {
            messages,
            tz: pack.time_zone,
            public_url: public_url.trim_end_matches('/').to_owned(),
            countries,
        }
    }

    /// The language to write in: the account's when the pack has it, else the pack's default.
    pub fn language(&self, wanted: Option<&str>) -> String {
        wanted.filter(|l| self.messages.supports(l)).map_or_else(
            || self.messages.default_language().to_owned(),
            str::to_owned,
        )
    }

    /// The notice `n` in `lang`; `Err` when no message writes its template (a defect of the
    /// module or pack: refused, so it shows in the dead-letter list instead of going out empty).
    pub fn render(&self, lang: &str, n: &Notification) -> Result<Rendered, String> {
        let payload: serde_json::Map<String, Value> = serde_json::from_str(&n.payload)
            .map_err(|e| format!("the notice's values are not a JSON object: {e}"))?;
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for (k, v) in &payload {
            let text = match v {
                Value::String(s) => self.value(lang, s),
                Value::Number(x) => x.to_string(),
                _ => continue,
            };
            pairs.push((k.as_str(), text));
        }
        if let Some(status) = payload.get("status").and_then(Value::as_str) {
            let id = format!("status-{}", status.replace('_', "-"));
            let words = self
                .messages
                .find(lang, &id, None)
                .unwrap_or_else(|| status.replace('_', " "));
            pairs.push(("status_text", words));
        }
        let link = match payload.get("path").and_then(Value::as_str) {
            Some(p) if p.starts_with('/') && !p.starts_with("//") => {
                format!("{}{p}", self.public_url)
            }
            _ => format!("{}/", self.public_url),
        };
        pairs.push(("link", link.clone()));
        let country = self
            .countries
            .iter()
            .find(|(l, _)| l == lang)
            .or(self.countries.first())
            .map(|(_, n)| n.clone())
            .unwrap_or_default();
        let portal = egov_web::i18n::args(&[("country", country)]);
        pairs.push((
            "portal",
            self.messages.get(lang, "portal-name", Some(&portal)),
        ));
        let args = egov_web::i18n::args(&pairs);
        let key = format!("notice-{}", n.template.replace(['.', '_'], "-"));
        let module = format!(
            "notice-{}",
            n.template.split('.').next().unwrap_or_default()
        );
        let pick = |part: &str| {
            self.messages
                .find(lang, &format!("{key}-{part}"), Some(&args))
                .or_else(|| {
                    self.messages
                        .find(lang, &format!("{module}-{part}"), Some(&args))
                })
        };
        let subject = pick("subject")
            .ok_or_else(|| format!("no message writes the template {}", n.template))?;
        let text = pick("text").unwrap_or_else(|| subject.clone());
        let sms = pick("sms").unwrap_or_else(|| format!("{subject} {link}"));
        let footer = self.messages.get(lang, "notice-footer", Some(&args));
        Ok(Rendered {
            body: format!("{text}\n\n-- \n{footer}\n"),
            subject: one_line(&subject),
            sms,
        })
    }

    /// A value as the reader's language writes it: an instant (UTC) as the local date, a date
    /// as a date, anything else as it is.
    fn value(&self, lang: &str, s: &str) -> String {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
            let local = t.and_utc().with_timezone(&self.tz).date_naive();
            return egov_web::format::date(lang, local);
        }
        if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
            return egov_web::format::date(lang, t.with_timezone(&self.tz).date_naive());
        }
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return egov_web::format::date(lang, d);
        }
        s.to_owned()
    }
}

/// A subject is one line: a line break in a pack's message would start the mail's body.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODULE_EN: &str = "
notice-case-subject = [{ $receipt_no }] { $status_text }
notice-case-text = Now: { $status_text }. Due { $due_at }.
notice-case-decide-subject = [{ $receipt_no }] Decided
notice-case-decide-text =
    Line one
    line two
";
    const MODULE_KO: &str = "notice-case-subject = [{ $receipt_no }] 상태: { $status_text }\n";

    fn templates() -> Templates {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/countries");
        let packs = egov_core::CountryPacks::load(&dir, "kr").expect("packs");
        let pack = packs.active();
        let messages = Messages::load(
            pack,
            &dir.join("kr"),
            &[("en", MODULE_EN), ("ko", MODULE_KO)],
        )
        .expect("messages");
        Templates::new(Arc::new(messages), pack, "https://gov.example/")
    }

    fn notice(template: &str, payload: &Value) -> Notification {
        Notification::queued(
            "d",
            "email",
            "key",
            template,
            payload,
            chrono::DateTime::UNIX_EPOCH.naive_utc(),
        )
    }

    #[test]
    fn the_language_is_the_accounts_when_the_pack_has_it_else_the_packs_default() {
        let t = templates();
        assert_eq!(t.language(Some("en")), "en");
        assert_eq!(t.language(Some("fr")), "ko");
        assert_eq!(t.language(None), "ko");
    }

    #[test]
    fn a_template_without_its_own_text_takes_the_modules_and_dates_are_local() {
        let t = templates();
        // 15:30 UTC is 00:30 the next day in Seoul.
        let n = notice(
            "case.receive",
            &json!({"receipt_no": "R-1", "status": "in_review",
                    "due_at": "2026-12-06T15:30:00", "path": "/my/applications/a"}),
        );
        let r = t.render("en", &n).expect("render");
        assert_eq!(r.subject, "[R-1] in review");
        assert!(
            r.body.starts_with("Now: in review. Due 7 Dec 2026."),
            "{}",
            r.body
        );
        assert!(
            r.body.contains("https://gov.example/my/applications/a"),
            "{}",
            r.body
        );
        assert_eq!(
            r.sms,
            "[R-1] in review https://gov.example/my/applications/a"
        );
        // Korean: the module's Korean subject; no Korean text, so the default language's
        // (Korean) is missing too and English stands in.
        let r = t.render("ko", &n).expect("render");
        assert_eq!(r.subject, "[R-1] 상태: in review");
    }

    #[test]
    fn a_templates_own_text_wins_and_a_subject_is_one_line() {
        let t = templates();
        let n = notice("case.decide", &json!({"receipt_no": "R-2"}));
        let r = t.render("en", &n).expect("render");
        assert_eq!(r.subject, "[R-2] Decided");
        assert!(r.body.starts_with("Line one\nline two"), "{}", r.body);
        // No path: the link is the portal's home, never another host.
        let n = notice(
            "case.decide",
            &json!({"receipt_no": "R-2", "path": "//evil.example/x"}),
        );
        assert!(
            t.render("en", &n)
                .expect("render")
                .sms
                .ends_with("https://gov.example/")
        );
    }

    #[test]
    fn a_template_no_message_writes_is_an_error_not_an_empty_message() {
        let t = templates();
        let e = t
            .render("en", &notice("other.thing", &json!({})))
            .expect_err("no message");
        assert!(e.contains("other.thing"), "{e}");
        let mut n = notice("case.decide", &json!({}));
        n.payload = "[1]".into();
        assert!(t.render("en", &n).is_err());
    }

    #[test]
    fn values_read_as_the_language_writes_them() {
        let t = templates();
        assert_eq!(t.value("ko", "2027-05-31"), "2027. 5. 31.");
        assert_eq!(t.value("en", "2026-12-06T15:30:00.123456"), "7 Dec 2026");
        assert_eq!(t.value("en", "2026-12-06T15:30:00Z"), "7 Dec 2026");
        assert_eq!(t.value("en", "JONGNO-2026-0000001"), "JONGNO-2026-0000001");
    }
}

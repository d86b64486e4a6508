//! What changed, in words, for the OCDS releases (`amendments[].description`), which are
//! written outside any request (no page, no reader's language): in the release's language (the
//! pack's default) where this table has it, else in English. Times are in the pack's time zone.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::Value;

/// The words of one language.
struct Words {
    rewritten: &'static str,
    /// `{what}`, `{from}`, `{to}`.
    moved: &'static str,
    /// `{what}`, `{from}`, `{to}`.
    changed: &'static str,
    field: fn(&str) -> Option<&'static str>,
}

const EN: Words = Words {
    rewritten: "The description was rewritten.",
    moved: "{what} moved from {from} to {to}.",
    changed: "{what} changed from {from} to {to}.",
    field: |f| {
        Some(match f {
            "enquiry_end" => "The end of questions",
            "deadline" => "The bid deadline",
            "opening_at" => "The opening",
            "amount" => "The amount",
            "start_date" => "The start date",
            "end_date" => "The end date",
            "delivery" => "The delivery terms",
            _ => return None,
        })
    },
};

const KO: Words = Words {
    rewritten: "공고 내용이 수정되었습니다.",
    moved: "{what}: {from} → {to} 변경.",
    changed: "{what}: {from} → {to} 변경.",
    field: |f| {
        Some(match f {
            "enquiry_end" => "질의 마감",
            "deadline" => "입찰 마감",
            "opening_at" => "개찰 일시",
            "amount" => "계약 금액",
            "start_date" => "시작일",
            "end_date" => "종료일",
            "delivery" => "납품 조건",
            _ => return None,
        })
    },
};

const ES: Words = Words {
    rewritten: "Se reescribió la descripción.",
    moved: "{what} pasó de {from} a {to}.",
    changed: "{what} cambió de {from} a {to}.",
    field: |f| {
        Some(match f {
            "enquiry_end" => "El fin de las consultas",
            "deadline" => "El cierre de ofertas",
            "opening_at" => "La apertura",
            "amount" => "El monto",
            "start_date" => "La fecha de inicio",
            "end_date" => "La fecha de fin",
            "delivery" => "La entrega",
            _ => return None,
        })
    },
};

fn words(lang: &str) -> &'static Words {
    match lang.split('-').next().unwrap_or_default() {
        "ko" => &KO,
        "es" | "gn" => &ES,
        _ => &EN,
    }
}

fn local(zone: Tz, s: &str) -> Option<String> {
    let at = s.parse::<DateTime<Utc>>().ok()?;
    Some(
        at.with_timezone(&zone)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string(),
    )
}

fn plain(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

/// A tender amendment's changes (`{field: {from, to}}`) in words.
pub fn tender_amendment(lang: &str, zone: Tz, changes: &Value) -> String {
    let w = words(lang);
    let Some(map) = changes.as_object() else {
        return String::new();
    };
    map.iter()
        .map(|(field, ch)| {
            if field == "description" {
                return w.rewritten.to_owned();
            }
            let what = (w.field)(field).map_or_else(|| field.replace('_', " "), str::to_owned);
            let (from, to) = (plain(&ch["from"]), plain(&ch["to"]));
            w.moved
                .replace("{what}", &what)
                .replace("{from}", &local(zone, &from).unwrap_or(from))
                .replace("{to}", &local(zone, &to).unwrap_or(to))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a contract version changed from the one before, in words.
pub fn contract_amendment(lang: &str, before: &Value, after: &Value) -> String {
    let w = words(lang);
    let (Some(b), Some(a)) = (before.as_object(), after.as_object()) else {
        return String::new();
    };
    a.iter()
        .filter(|(k, v)| b.get(*k) != Some(*v))
        .map(|(k, v)| {
            let what = (w.field)(k).map_or_else(|| k.replace('_', " "), str::to_owned);
            let from = b.get(k).map(plain).unwrap_or_else(|| "—".to_owned());
            w.changed
                .replace("{what}", &what)
                .replace("{from}", &from)
                .replace("{to}", &plain(v))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_moved_deadline_reads_as_words_in_the_packs_zone() {
        let ch = json!({"deadline": {"from": "2026-12-10T01:00:00Z", "to": "2026-12-12T01:00:00Z"},
                        "description": {"from": "a", "to": "b"}});
        let en = tender_amendment("en", chrono_tz::Asia::Seoul, &ch);
        assert_eq!(
            en,
            "The bid deadline moved from 2026-12-10 10:00 KST to 2026-12-12 10:00 KST. \
             The description was rewritten."
        );
        let ko = tender_amendment("ko", chrono_tz::Asia::Seoul, &ch);
        assert!(
            ko.starts_with("입찰 마감: 2026-12-10 10:00 KST → 2026-12-12 10:00 KST"),
            "{ko}"
        );
        assert!(!en.contains('{') && !ko.contains('{'));
        assert_eq!(tender_amendment("en", chrono_tz::UTC, &json!("x")), "");
    }

    #[test]
    fn a_contract_version_says_which_terms_changed() {
        let before = json!({"amount": "100", "end_date": "2027-06-30", "title": "T"});
        let after = json!({"amount": "100", "end_date": "2027-12-31", "title": "T"});
        assert_eq!(
            contract_amendment("en", &before, &after),
            "The end date changed from 2027-06-30 to 2027-12-31."
        );
        assert_eq!(
            contract_amendment("es", &before, &json!({"amount": "100", "delivery": "FOB"})),
            "La entrega cambió de — a FOB."
        );
        assert_eq!(
            contract_amendment("gn", &json!(1), &after),
            "",
            "not terms: nothing to say"
        );
    }
}

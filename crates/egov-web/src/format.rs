//! Numbers, money and dates in the pack's formats, for the page's language.

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Digits grouped by thousands with the language's separator (`1,234,567`; Spanish and Guarani
/// `1.234.567`).
pub fn number(lang: &str, value: Decimal, minor_units: u32) -> String {
    let (group, decimal) = match lang {
        "es" | "gn" | "de" | "fr" | "pt" => ('.', ','),
        _ => (',', '.'),
    };
    let v = value.round_dp(minor_units);
    let negative = v.is_sign_negative() && !v.is_zero();
    let text = v.abs().to_string();
    let (int, frac) = text.split_once('.').unwrap_or((text.as_str(), ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(c);
    }
    let mut out = if negative {
        format!("-{grouped}")
    } else {
        grouped
    };
    if minor_units > 0 {
        let mut f: String = frac.chars().take(minor_units as usize).collect();
        while f.len() < minor_units as usize {
            f.push('0');
        }
        out.push(decimal);
        out.push_str(&f);
    }
    out
}

/// A number as a person of the language types it: digits with or without the language's
/// group separators (`1,500,000`; Spanish and Guarani `1.500.000`), its decimal mark, spaces
/// and a currency word around it ignored (`1,500,000원`, `₲ 1.500.000`). `None` when it is
/// not a number.
pub fn parse_number(lang: &str, text: &str) -> Option<Decimal> {
    let (group, decimal) = match lang {
        "es" | "gn" | "de" | "fr" | "pt" => ('.', ','),
        _ => (',', '.'),
    };
    let t = text.trim();
    let t = t
        .trim_start_matches(|c: char| !(c.is_ascii_digit() || c == '-'))
        .trim_end_matches(|c: char| !c.is_ascii_digit());
    if t.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(t.len());
    for (i, c) in t.chars().enumerate() {
        match c {
            '0'..='9' => out.push(c),
            '-' if i == 0 => out.push('-'),
            c if c == group || c == ' ' || c == '\u{a0}' => {}
            c if c == decimal => out.push('.'),
            _ => return None,
        }
    }
    out.parse().ok()
}

/// An amount in the pack's currency: `1,000원`-style suffix for Korean, symbol first otherwise.
pub fn money(lang: &str, pack: &egov_core::CountryPack, value: Decimal) -> String {
    let n = number(lang, value, u32::from(pack.currency.minor_units()));
    match (lang, pack.currency.code()) {
        ("ko", "KRW") => format!("{n}원"),
        _ => format!("{} {n}", pack.currency_symbol),
    }
}

/// A calendar date as people of the language write it.
pub fn date(lang: &str, d: NaiveDate) -> String {
    match lang {
        "ko" => d.format("%Y. %-m. %-d.").to_string(),
        "es" | "gn" => d.format("%d/%m/%Y").to_string(),
        _ => d.format("%-d %b %Y").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_as_people_of_the_language_type_them() {
        let d = |s: &str| s.parse::<Decimal>().ok();
        assert_eq!(parse_number("ko", "1,500,000"), d("1500000"));
        assert_eq!(parse_number("ko", "1,500,000원"), d("1500000"));
        assert_eq!(parse_number("en", " 2500.50 "), d("2500.50"));
        assert_eq!(parse_number("es", "1.500.000"), d("1500000"));
        assert_eq!(parse_number("gn", "₲ 1.500.000,5"), d("1500000.5"));
        assert_eq!(parse_number("en", "-40"), d("-40"));
        assert_eq!(parse_number("en", "12abc34"), None);
        assert_eq!(parse_number("en", "abc"), None);
        assert_eq!(parse_number("en", ""), None);
        assert_eq!(parse_number("en", "1-2"), None);
    }

    #[test]
    fn groups_by_language() {
        let d = |s: &str| s.parse::<Decimal>().expect("decimal");
        assert_eq!(number("ko", d("1234567"), 0), "1,234,567");
        assert_eq!(number("es", d("1234567"), 0), "1.234.567");
        assert_eq!(number("en", d("1234.5"), 2), "1,234.50");
        assert_eq!(number("es", d("-1234.5"), 2), "-1.234,50");
        assert_eq!(number("en", d("999"), 0), "999");
        assert_eq!(number("en", d("0"), 0), "0");
    }

    #[test]
    fn dates_by_language() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 9).expect("date");
        assert_eq!(date("ko", d), "2026. 3. 9.");
        assert_eq!(date("es", d), "09/03/2026");
        assert_eq!(date("en", d), "9 Mar 2026");
    }
}

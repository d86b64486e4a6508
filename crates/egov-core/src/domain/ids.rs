//! National and business identifiers, validated by the country pack's rule.
//!
//! A [`NationalId`] is personal data: its `Display`, `Debug` and `Serialize` show only the masked
//! form (`900101-*******`); the full value is reachable only through [`NationalId::expose`],
//! so reaching it is visible in code review.

use std::fmt;

use regex::Regex;
use serde::{Deserialize, Serialize, Serializer};

/// The check-digit (or structural) rule of an identifier scheme. Each needs code, so the pack
/// names one of these instead of describing arithmetic in data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckRule {
    /// Format only.
    None,
    /// Luhn mod 10 over all digits, the last being the check digit.
    Luhn,
    /// Korean resident registration number: a real birth date (century from the 7th digit).
    /// Numbers issued since October 2020 carry no check digit, so the legacy mod-11 digit is
    /// not enforced: enforcing it would reject real citizens.
    KrRrn,
    /// Korean business registration number (사업자등록번호): weighted mod-10 check digit.
    KrBrn,
    /// Paraguayan RUC: base number plus a mod-11 check digit (dígito verificador).
    PyRuc,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("does not have the {0} format")]
    Format(String),
    #[error("check digit does not match")]
    CheckDigit,
    #[error("{0}")]
    Structure(&'static str),
}

impl IdError {
    /// What is said to the caller, with a message for other languages.
    pub fn text(&self) -> crate::error::Text {
        match self {
            Self::Format(name) => crate::text!(
                "detail-id-format",
                "does not have the {scheme} format",
                scheme = name.clone()
            ),
            Self::CheckDigit => crate::text!("detail-id-check-digit", "check digit does not match"),
            Self::Structure("must be digits") => crate::text!("detail-id-digits", "must be digits"),
            Self::Structure("must have 13 digits") => {
                crate::text!("detail-id-length", "must have {count} digits", count = 13)
            }
            Self::Structure("must have 10 digits") => {
                crate::text!("detail-id-length", "must have {count} digits", count = 10)
            }
            Self::Structure("must not be empty") => {
                crate::text!("detail-id-empty", "must not be empty")
            }
            Self::Structure("needs a base number and a check digit") => crate::text!(
                "detail-id-base-and-check",
                "needs a base number and a check digit"
            ),
            Self::Structure("the first six digits are not a birth date") => crate::text!(
                "detail-id-birth-date",
                "the first six digits are not a birth date"
            ),
            Self::Structure(other) => crate::error::Text::plain(*other),
        }
    }
}

/// One identifier scheme of a country pack.
#[derive(Debug, Clone)]
pub struct IdScheme {
    pub name: String,
    pub local_name: Option<String>,
    pattern: Regex,
    pub check: CheckRule,
    display: Option<String>,
    mask_prefix: usize,
    mask_suffix: usize,
    masked: bool,
}

impl IdScheme {
    /// `pattern` is matched against the trimmed input (anchor it). `display` is a template of
    /// `#` (one character), one optional `*` (the variable-length run) and literal separators.
    pub fn new(
        name: String,
        local_name: Option<String>,
        pattern: &str,
        check: CheckRule,
        display: Option<String>,
        mask: Option<(usize, usize)>,
    ) -> Result<Self, String> {
        let pattern =
            Regex::new(pattern).map_err(|e| format!("invalid regular expression: {e}"))?;
        if let Some(t) = &display
            && t.matches('*').count() > 1
        {
            return Err("display may hold at most one `*`".into());
        }
        let (mask_prefix, mask_suffix) = mask.unwrap_or((0, 0));
        Ok(Self {
            name,
            local_name,
            pattern,
            check,
            display,
            mask_prefix,
            mask_suffix,
            masked: mask.is_some(),
        })
    }

    pub fn pattern(&self) -> &str {
        self.pattern.as_str()
    }

    pub fn display_template(&self) -> Option<&str> {
        self.display.as_deref()
    }

    /// Validates `raw` and returns its canonical form (alphanumerics only, upper case).
    pub fn normalize(&self, raw: &str) -> Result<String, IdError> {
        let trimmed = raw.trim();
        if !self.pattern.is_match(trimmed) {
            return Err(IdError::Format(self.name.clone()));
        }
        let canonical: String = trimmed
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect();
        check(self.check, &canonical)?;
        Ok(canonical)
    }

    /// Lays a canonical value out with the display template.
    pub fn format(&self, canonical: &str) -> String {
        let Some(template) = &self.display else {
            return canonical.to_owned();
        };
        let fixed = template.matches('#').count();
        let chars: Vec<char> = canonical.chars().collect();
        if chars.len() < fixed || (!template.contains('*') && chars.len() != fixed) {
            return canonical.to_owned();
        }
        let variable = chars.len() - fixed;
        let mut out = String::with_capacity(template.len() + variable);
        let mut next = chars.iter();
        for t in template.chars() {
            match t {
                '#' => out.extend(next.next()),
                '*' => out.extend(next.by_ref().take(variable)),
                lit => out.push(lit),
            }
        }
        out
    }

    /// The display form with all but the visible prefix and suffix replaced by `*`.
    pub fn mask(&self, canonical: &str) -> String {
        if !self.masked {
            return self.format(canonical);
        }
        let len = canonical.chars().count();
        let hidden: String = canonical
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i < self.mask_prefix || i + self.mask_suffix >= len {
                    c
                } else {
                    // A placeholder that `format` will not mistake for a separator.
                    '\u{2217}'
                }
            })
            .collect();
        self.format(&hidden).replace('\u{2217}', "*")
    }
}

fn digits(s: &str) -> Option<Vec<u32>> {
    s.chars().map(|c| c.to_digit(10)).collect()
}

fn check(rule: CheckRule, canonical: &str) -> Result<(), IdError> {
    match rule {
        CheckRule::None => Ok(()),
        CheckRule::Luhn => {
            let d = digits(canonical).ok_or(IdError::Structure("must be digits"))?;
            let sum: u32 = d
                .iter()
                .rev()
                .enumerate()
                .map(|(i, &x)| {
                    if i % 2 == 1 {
                        let y = x * 2;
                        if y > 9 { y - 9 } else { y }
                    } else {
                        x
                    }
                })
                .sum();
            if sum.is_multiple_of(10) {
                Ok(())
            } else {
                Err(IdError::CheckDigit)
            }
        }
        CheckRule::KrRrn => {
            let d = digits(canonical).ok_or(IdError::Structure("must be digits"))?;
            if d.len() != 13 {
                return Err(IdError::Structure("must have 13 digits"));
            }
            let century = match d[6] {
                9 | 0 => 1800,
                1 | 2 | 5 | 6 => 1900,
                _ => 2000,
            };
            let year = century + (d[0] * 10 + d[1]) as i32;
            let month = d[2] * 10 + d[3];
            let day = d[4] * 10 + d[5];
            chrono::NaiveDate::from_ymd_opt(year, month, day)
                .map(|_| ())
                .ok_or(IdError::Structure(
                    "the first six digits are not a birth date",
                ))
        }
        CheckRule::KrBrn => {
            let d = digits(canonical).ok_or(IdError::Structure("must be digits"))?;
            if d.len() != 10 {
                return Err(IdError::Structure("must have 10 digits"));
            }
            const W: [u32; 9] = [1, 3, 7, 1, 3, 7, 1, 3, 5];
            let mut sum: u32 = d.iter().zip(W).map(|(x, w)| x * w).sum();
            sum += d[8] * 5 / 10;
            if (10 - sum % 10) % 10 == d[9] {
                Ok(())
            } else {
                Err(IdError::CheckDigit)
            }
        }
        CheckRule::PyRuc => {
            let d = digits(canonical).ok_or(IdError::Structure("must be digits"))?;
            let Some((&dv, base)) = d.split_last() else {
                return Err(IdError::Structure("must not be empty"));
            };
            if base.is_empty() {
                return Err(IdError::Structure("needs a base number and a check digit"));
            }
            // Weights 2, 3, ... 11 from the right, starting again at 2.
            let total: u32 = base
                .iter()
                .rev()
                .enumerate()
                .map(|(i, &x)| x * (2 + (i as u32 % 10)))
                .sum();
            let rest = total % 11;
            let expected = if rest > 1 { 11 - rest } else { 0 };
            if expected == dv {
                Ok(())
            } else {
                Err(IdError::CheckDigit)
            }
        }
    }
}

/// A validated national identifier. Personal data: shown masked unless exposed on purpose.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct NationalId {
    canonical: String,
    masked: String,
}

impl NationalId {
    pub fn parse(scheme: &IdScheme, raw: &str) -> Result<Self, IdError> {
        let canonical = scheme.normalize(raw)?;
        let masked = scheme.mask(&canonical);
        Ok(Self { canonical, masked })
    }

    /// The full canonical value. Call only where the full value is needed (encryption,
    /// blind index) and the access is audited.
    pub fn expose(&self) -> &str {
        &self.canonical
    }

    pub fn masked(&self) -> &str {
        &self.masked
    }
}

impl fmt::Display for NationalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked)
    }
}

impl fmt::Debug for NationalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NationalId({})", self.masked)
    }
}

impl Serialize for NationalId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.masked)
    }
}

/// A validated business identifier. Public in most countries; masked only if the pack says so.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BusinessId {
    canonical: String,
    display: String,
}

impl BusinessId {
    pub fn parse(scheme: &IdScheme, raw: &str) -> Result<Self, IdError> {
        let canonical = scheme.normalize(raw)?;
        let display = scheme.mask(&canonical);
        Ok(Self { canonical, display })
    }

    pub fn canonical(&self) -> &str {
        &self.canonical
    }
}

impl fmt::Display for BusinessId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display)
    }
}

impl fmt::Debug for BusinessId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BusinessId({})", self.display)
    }
}

impl Serialize for BusinessId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.display)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rrn() -> IdScheme {
        IdScheme::new(
            "RRN".into(),
            None,
            r"^[0-9]{6}-?[0-9]{7}$",
            CheckRule::KrRrn,
            Some("######-#######".into()),
            Some((6, 0)),
        )
        .expect("valid scheme")
    }

    fn brn() -> IdScheme {
        IdScheme::new(
            "BRN".into(),
            None,
            r"^[0-9]{3}-?[0-9]{2}-?[0-9]{5}$",
            CheckRule::KrBrn,
            Some("###-##-#####".into()),
            None,
        )
        .expect("valid scheme")
    }

    fn ruc() -> IdScheme {
        IdScheme::new(
            "RUC".into(),
            None,
            r"^[0-9]{1,8}-?[0-9]$",
            CheckRule::PyRuc,
            Some("*-#".into()),
            None,
        )
        .expect("valid scheme")
    }

    #[test]
    fn kr_rrn_masks_everywhere_it_can_leak() {
        let id = NationalId::parse(&rrn(), "900101-1234567").expect("valid");
        assert_eq!(id.expose(), "9001011234567");
        assert_eq!(id.to_string(), "900101-*******");
        assert_eq!(format!("{id:?}"), "NationalId(900101-*******)");
        assert_eq!(
            serde_json::to_string(&id).expect("json"),
            "\"900101-*******\""
        );
        assert!(!format!("{id} {id:?}").contains("1234567"));
        // Without the hyphen it is the same person.
        assert_eq!(
            NationalId::parse(&rrn(), "9001011234567").expect("valid"),
            id
        );
    }

    #[test]
    fn kr_rrn_needs_a_real_birth_date() {
        assert_eq!(
            NationalId::parse(&rrn(), "900230-1234567"),
            Err(IdError::Structure(
                "the first six digits are not a birth date"
            ))
        );
        // 29 February exists in 2000 (7th digit 3 = born 2000s) but not in 1900 (digit 1).
        assert!(NationalId::parse(&rrn(), "000229-3234567").is_ok());
        assert!(NationalId::parse(&rrn(), "000229-1234567").is_err());
        assert!(matches!(
            NationalId::parse(&rrn(), "90010-11234567"),
            Err(IdError::Format(_))
        ));
        assert!(matches!(
            NationalId::parse(&rrn(), "900101 1234567"),
            Err(IdError::Format(_))
        ));
    }

    #[test]
    fn kr_brn_check_digit() {
        // 124-81-00998: sum 118 + floor(9*5/10)=4 -> 122 -> check (10 - 2) % 10 = 8.
        let ok = BusinessId::parse(&brn(), "1248100998").expect("valid");
        assert_eq!(ok.to_string(), "124-81-00998");
        assert_eq!(
            BusinessId::parse(&brn(), "124-81-00997"),
            Err(IdError::CheckDigit)
        );
    }

    #[test]
    fn py_ruc_check_digit() {
        // 1234567: 7*2+6*3+5*4+4*5+3*6+2*7+1*8 = 112; 112 % 11 = 2; 11 - 2 = 9.
        let ok = BusinessId::parse(&ruc(), "1234567-9").expect("valid");
        assert_eq!(ok.canonical(), "12345679");
        assert_eq!(ok.to_string(), "1234567-9");
        assert_eq!(
            BusinessId::parse(&ruc(), "1234567-8"),
            Err(IdError::CheckDigit)
        );
        // 80: 0*2 + 8*3 = 24; 24 % 11 = 2 -> 9.  11: 1*2 + 1*3 = 5 -> 6.
        assert!(BusinessId::parse(&ruc(), "80-9").is_ok());
        assert!(BusinessId::parse(&ruc(), "11-6").is_ok());
        // A remainder of 0 or 1 gives 0: 6*2 = 12; 12 % 11 = 1.
        assert!(BusinessId::parse(&ruc(), "6-0").is_ok());
        assert_eq!(BusinessId::parse(&ruc(), "6-1"), Err(IdError::CheckDigit));
    }

    #[test]
    fn luhn() {
        let s = IdScheme::new("L".into(), None, r"^[0-9]+$", CheckRule::Luhn, None, None)
            .expect("valid scheme");
        assert!(BusinessId::parse(&s, "79927398713").is_ok());
        assert_eq!(
            BusinessId::parse(&s, "79927398710"),
            Err(IdError::CheckDigit)
        );
    }

    #[test]
    fn masks_suffix_and_variable_length() {
        let s = IdScheme::new(
            "CI".into(),
            None,
            r"^[0-9]{1,8}$",
            CheckRule::None,
            None,
            Some((0, 3)),
        )
        .expect("valid scheme");
        assert_eq!(
            NationalId::parse(&s, "4567123").expect("valid").to_string(),
            "****123"
        );
        assert_eq!(
            NationalId::parse(&s, "123").expect("valid").to_string(),
            "123"
        );
    }
}

//! Money as integer minor units of one currency. There are no floats anywhere: a fee of
//! ₩1,000 is `Money { minor: 1000, KRW }`, $12.34 is `Money { minor: 1234, USD }`.

use std::fmt;

use serde::{Serialize, Serializer};

/// An ISO 4217 currency with its number of minor units (KRW 0, PYG 0, USD 2, KWD 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: [u8; 3],
    minor_units: u8,
}

impl Currency {
    /// `code` must be three ASCII capitals; `minor_units` at most 4.
    pub fn new(code: &str, minor_units: u8) -> Result<Self, MoneyError> {
        let bytes = code.as_bytes();
        if bytes.len() != 3 || !bytes.iter().all(u8::is_ascii_uppercase) {
            return Err(MoneyError::InvalidCurrency(code.to_owned()));
        }
        if minor_units > 4 {
            return Err(MoneyError::InvalidMinorUnits(minor_units));
        }
        Ok(Self {
            code: [bytes[0], bytes[1], bytes[2]],
            minor_units,
        })
    }

    pub fn code(&self) -> &str {
        // Constructed only from ASCII capitals.
        std::str::from_utf8(&self.code).unwrap_or("XXX")
    }

    pub fn minor_units(&self) -> u8 {
        self.minor_units
    }

    fn scale(&self) -> i64 {
        10_i64.pow(u32::from(self.minor_units))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("currency code must be three capital letters, got {0:?}")]
    InvalidCurrency(String),
    #[error("minor units must be 0 to 4, got {0}")]
    InvalidMinorUnits(u8),
    #[error("{0:?} is not a decimal amount")]
    InvalidAmount(String),
    #[error("{amount:?} has more decimals than {currency} allows ({allowed})")]
    TooPrecise {
        amount: String,
        currency: String,
        allowed: u8,
    },
    #[error("amount out of range")]
    Overflow,
    #[error("cannot combine {0} with {1}")]
    CurrencyMismatch(String, String),
}

/// An amount of one currency, in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    pub fn from_minor(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    pub fn zero(currency: Currency) -> Self {
        Self::from_minor(0, currency)
    }

    /// Parses a decimal string such as `"1234.50"` or `"-3"`; refuses more decimals than the
    /// currency has, rather than rounding silently.
    pub fn parse(amount: &str, currency: Currency) -> Result<Self, MoneyError> {
        let invalid = || MoneyError::InvalidAmount(amount.to_owned());
        let (negative, digits) = match amount.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, amount),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || (digits.contains('.') && frac.is_empty())
        {
            return Err(invalid());
        }
        if frac.len() > usize::from(currency.minor_units) {
            return Err(MoneyError::TooPrecise {
                amount: amount.to_owned(),
                currency: currency.code().to_owned(),
                allowed: currency.minor_units,
            });
        }
        let whole: i64 = whole.parse().map_err(|_| MoneyError::Overflow)?;
        let mut frac_value: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().map_err(|_| invalid())?
        };
        for _ in frac.len()..usize::from(currency.minor_units) {
            frac_value *= 10;
        }
        let minor = whole
            .checked_mul(currency.scale())
            .and_then(|w| w.checked_add(frac_value))
            .ok_or(MoneyError::Overflow)?;
        Ok(Self::from_minor(
            if negative { -minor } else { minor },
            currency,
        ))
    }

    pub fn minor(&self) -> i64 {
        self.minor
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn is_negative(&self) -> bool {
        self.minor < 0
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        self.minor
            .checked_add(other.minor)
            .map(|m| Money::from_minor(m, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        self.minor
            .checked_sub(other.minor)
            .map(|m| Money::from_minor(m, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    /// Multiplies by a whole number (a quantity, a number of days).
    pub fn checked_mul(self, factor: i64) -> Result<Money, MoneyError> {
        self.minor
            .checked_mul(factor)
            .map(|m| Money::from_minor(m, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    fn same_currency(&self, other: &Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(
                self.currency.code().to_owned(),
                other.currency.code().to_owned(),
            ))
        }
    }

    /// The amount as a plain decimal string with exactly the currency's decimals: `"1234.50"`.
    pub fn amount_string(&self) -> String {
        let scale = self.currency.scale().unsigned_abs();
        let abs = self.minor.unsigned_abs();
        let sign = if self.minor < 0 { "-" } else { "" };
        match self.currency.minor_units {
            0 => format!("{sign}{abs}"),
            d => format!(
                "{sign}{}.{:0width$}",
                abs / scale,
                abs % scale,
                width = usize::from(d)
            ),
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount_string(), self.currency)
    }
}

/// Serialized as `{"amount": "1234.50", "currency": "USD"}`: a string, so no client parses it
/// into a float.
impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Money", 2)?;
        s.serialize_field("amount", &self.amount_string())?;
        s.serialize_field("currency", self.currency.code())?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::new("USD", 2).expect("valid")
    }
    fn krw() -> Currency {
        Currency::new("KRW", 0).expect("valid")
    }

    #[test]
    fn parses_and_formats_with_the_currency_scale() {
        let m = Money::parse("1234.5", usd()).expect("parses");
        assert_eq!(m.minor(), 123_450);
        assert_eq!(m.amount_string(), "1234.50");
        assert_eq!(Money::parse("-0.05", usd()).expect("parses").minor(), -5);
        assert_eq!(
            Money::parse("-0.05", usd())
                .expect("parses")
                .amount_string(),
            "-0.05"
        );
        assert_eq!(
            Money::parse("1000", krw()).expect("parses").to_string(),
            "1000 KRW"
        );
    }

    #[test]
    fn refuses_bad_amounts_instead_of_rounding() {
        assert!(matches!(
            Money::parse("1.5", krw()),
            Err(MoneyError::TooPrecise { .. })
        ));
        assert!(matches!(
            Money::parse("1.234", usd()),
            Err(MoneyError::TooPrecise { .. })
        ));
        for bad in ["", "-", "1.", ".5", "1,000", "1e3", "abc", " 1", "+1"] {
            assert!(Money::parse(bad, usd()).is_err(), "{bad:?} accepted");
        }
        assert_eq!(
            Money::parse("99999999999999999999", krw()),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn arithmetic_keeps_currencies_apart_and_checks_overflow() {
        let a = Money::from_minor(100, usd());
        assert_eq!(a.checked_add(a).expect("adds").minor(), 200);
        assert!(matches!(
            a.checked_add(Money::from_minor(1, krw())),
            Err(MoneyError::CurrencyMismatch(..))
        ));
        assert_eq!(
            Money::from_minor(i64::MAX, usd()).checked_add(a),
            Err(MoneyError::Overflow)
        );
        assert_eq!(a.checked_mul(3).expect("multiplies").minor(), 300);
    }

    #[test]
    fn currency_codes_are_validated() {
        assert!(Currency::new("usd", 2).is_err());
        assert!(Currency::new("USDX", 2).is_err());
        assert!(Currency::new("USD", 5).is_err());
    }

    #[test]
    fn serializes_amount_as_string() {
        let json = serde_json::to_value(Money::from_minor(1234, usd())).expect("serializes");
        assert_eq!(
            json,
            serde_json::json!({"amount": "12.34", "currency": "USD"})
        );
    }
}

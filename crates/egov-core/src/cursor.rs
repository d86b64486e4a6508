//! Keyset pagination: one opaque cursor for every list, and the page-size rule.
//!
//! A list is ordered by a time and an id (the tie-breaker); the cursor names the last row of a
//! page, and the next page starts strictly after it. The cursor is opaque to clients
//! (base64url of a versioned text), so its inside can change without breaking them.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, NaiveDateTime};

use crate::Error;

/// The position after which the next page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub at: NaiveDateTime,
    pub id: String,
}

const VERSION: &str = "k1";

impl Cursor {
    pub fn new(at: NaiveDateTime, id: impl Into<String>) -> Self {
        Self { at, id: id.into() }
    }

    /// Before every row (PostgreSQL's timestamps do not reach chrono's minimum, so a fixed
    /// early date rather than `NaiveDateTime::MIN`).
    pub fn start() -> Self {
        let at = NaiveDate::from_ymd_opt(1900, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap_or_default();
        Self::new(at, String::new())
    }

    /// The opaque text clients pass back as `after`.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!(
            "{VERSION}|{}|{}",
            self.at.and_utc().timestamp_micros(),
            self.id
        ))
    }

    /// Reads a cursor a client passed as the query parameter `after`.
    pub fn decode(s: &str) -> Result<Self, Error> {
        let bad = || {
            Error::invalid_field(
                "query:after",
                crate::text!("detail-cursor", "not a cursor from this list"),
            )
        };
        if s.len() > 512 {
            return Err(bad());
        }
        let raw = URL_SAFE_NO_PAD.decode(s).map_err(|_| bad())?;
        let raw = String::from_utf8(raw).map_err(|_| bad())?;
        let mut parts = raw.splitn(3, '|');
        let (Some(VERSION), Some(micros), Some(id)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let at = micros
            .parse::<i64>()
            .ok()
            .and_then(DateTime::from_timestamp_micros)
            .ok_or_else(bad)?
            .naive_utc();
        if id.is_empty() || id.chars().any(char::is_control) {
            return Err(bad());
        }
        Ok(Self::new(at, id))
    }

    /// [`Cursor::decode`] of an optional parameter: absent means from the start.
    pub fn decode_or_start(s: Option<&str>) -> Result<Self, Error> {
        s.map_or_else(|| Ok(Self::start()), Self::decode)
    }
}

/// The page size for a `limit` parameter: 1 to 1000 when given (else 422), `default` when
/// absent, never more than the module's configured `max`.
pub fn page_limit(requested: Option<i64>, default: i64, max: i64) -> Result<i64, Error> {
    match requested {
        Some(n) if !(1..=1000).contains(&n) => {
            Err(Error::invalid_field("query:limit", limit_text(1000)))
        }
        n => Ok(n.unwrap_or(default).min(max).max(1)),
    }
}

/// The `next` cursor of a page of `limit` rows: the last row's position when the page is
/// full, none on the last page.
pub fn next_page<T>(rows: &[T], limit: i64, key: impl Fn(&T) -> Option<Cursor>) -> Option<String> {
    if i64::try_from(rows.len()).unwrap_or(i64::MAX) < limit {
        return None;
    }
    rows.last().and_then(key).map(|c| c.encode())
}

/// "from 1 to `max`": what a page size (`limit`) must be.
pub fn limit_text(max: u32) -> crate::error::Text {
    crate::text!("detail-limit", "from 1 to {max}", max = max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(micros: i64) -> NaiveDateTime {
        DateTime::from_timestamp_micros(micros)
            .expect("time")
            .naive_utc()
    }

    #[test]
    fn a_cursor_survives_the_round_trip() {
        let c = Cursor::new(at(1_764_000_000_123_456), "01936f6e-aaaa");
        assert_eq!(Cursor::decode(&c.encode()).expect("decodes"), c);
        assert_eq!(
            Cursor::decode_or_start(None).expect("start"),
            Cursor::start()
        );
    }

    #[test]
    fn anything_else_is_refused_as_the_after_parameter() {
        let other_version = URL_SAFE_NO_PAD.encode("k0|1|x");
        let no_id = URL_SAFE_NO_PAD.encode("k1|1|");
        let bad_time = URL_SAFE_NO_PAD.encode("k1|soon|x");
        let control = URL_SAFE_NO_PAD.encode("k1|1|a\nb");
        let long = "A".repeat(600);
        for s in [
            "",
            "not base64!",
            &other_version,
            &no_id,
            &bad_time,
            &control,
            &long,
        ] {
            let e = Cursor::decode(s).expect_err(s);
            assert_eq!(e.code().code, "validation_failed", "{s}");
        }
    }

    #[test]
    fn page_limits() {
        assert_eq!(page_limit(None, 50, 200).expect("default"), 50);
        assert_eq!(page_limit(Some(500), 50, 200).expect("capped"), 200);
        assert_eq!(page_limit(Some(1), 50, 200).expect("one"), 1);
        for bad in [0, -1, 1001] {
            assert!(page_limit(Some(bad), 50, 200).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_a_full_page_has_a_next_cursor() {
        let rows = [(at(1), "a"), (at(2), "b")];
        let key = |r: &(NaiveDateTime, &str)| Some(Cursor::new(r.0, r.1));
        assert_eq!(next_page(&rows, 3, key), None);
        let next = next_page(&rows, 2, key).expect("full page");
        assert_eq!(
            Cursor::decode(&next).expect("cursor"),
            Cursor::new(at(2), "b")
        );
    }
}

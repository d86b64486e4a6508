//! Dates that mean something in an administrative record: years 1900 to 2199. Request
//! fields use these with `#[serde(deserialize_with = "…")]`, so year 0, 9999 or 10000 is a
//! validation error at the edge instead of a stored record nobody can act on.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Deserializer};

/// The first year a date in a request may have.
pub const MIN_YEAR: i32 = 1900;
/// The last year a date in a request may have.
pub const MAX_YEAR: i32 = 2199;

fn check<E: serde::de::Error>(year: i32) -> Result<(), E> {
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(E::custom(format!(
            "the year must be between {MIN_YEAR} and {MAX_YEAR}, not {year}"
        )))
    }
}

/// A calendar date (`2027-03-31`) in years 1900–2199.
pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let v = NaiveDate::deserialize(d)?;
    check(v.year())?;
    Ok(v)
}

/// An optional calendar date in years 1900–2199.
pub fn date_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    let v = Option::<NaiveDate>::deserialize(d)?;
    if let Some(v) = v {
        check(v.year())?;
    }
    Ok(v)
}

/// An instant (RFC 3339) in years 1900–2199.
pub fn instant<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    let v = DateTime::<Utc>::deserialize(d)?;
    check(v.year())?;
    Ok(v)
}

/// An optional instant in years 1900–2199.
pub fn instant_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    let v = Option::<DateTime<Utc>>::deserialize(d)?;
    if let Some(v) = v {
        check(v.year())?;
    }
    Ok(v)
}

/// Serializes a stored UTC time as RFC 3339 with its offset (`2026-12-07T05:00:00Z`), as every
/// timestamp of the API is written: `#[serde(serialize_with = "egov_core::dates::utc")]`.
pub fn utc<S: serde::Serializer>(t: &chrono::NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&t.and_utc(), s)
}

/// [`utc`] for an optional time (`null` when absent).
pub fn utc_opt<S: serde::Serializer>(
    t: &Option<chrono::NaiveDateTime>,
    s: S,
) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&t.map(|t| t.and_utc()), s)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Input {
        #[serde(deserialize_with = "super::date")]
        on: chrono::NaiveDate,
        #[serde(default, deserialize_with = "super::date_opt")]
        until: Option<chrono::NaiveDate>,
        #[serde(default, deserialize_with = "super::instant_opt")]
        at: Option<chrono::DateTime<chrono::Utc>>,
    }

    fn parse(v: serde_json::Value) -> Result<Input, String> {
        serde_json::from_value(v).map_err(|e| e.to_string())
    }

    #[test]
    fn years_outside_1900_to_2199_are_refused() {
        let ok = parse(
            serde_json::json!({"on": "2027-03-31", "until": "2028-01-01",
                                          "at": "2027-01-01T00:00:00Z"}),
        )
        .expect("valid");
        assert_eq!(
            (
                ok.on.to_string(),
                ok.until.map(|d| d.to_string()),
                ok.at.map(|t| t.timestamp())
            ),
            (
                "2027-03-31".into(),
                Some("2028-01-01".into()),
                Some(1_798_761_600)
            )
        );
        assert!(parse(serde_json::json!({"on": "1900-01-01", "until": "2199-12-31"})).is_ok());
        for bad in [
            "0000-01-01",
            "9999-12-31",
            "+10000-01-01",
            "1899-12-31",
            "2200-01-01",
        ] {
            let e = parse(serde_json::json!({"on": bad})).expect_err(bad);
            assert!(e.contains("year") || e.contains("input"), "{bad}: {e}");
            assert!(parse(serde_json::json!({"on": "2027-01-01", "until": bad})).is_err());
        }
        assert!(
            parse(serde_json::json!({"on": "2027-01-01", "at": "9999-01-01T00:00:00Z"})).is_err()
        );
        assert!(
            parse(serde_json::json!({"on": "2027-01-01", "at": "2027-01-01T00:00:00Z"})).is_ok()
        );
        assert!(parse(serde_json::json!({"on": "2027-01-01", "until": null})).is_ok());
    }
}

//! Certificates as anyone can check them: by the verification number printed on them.

use chrono::NaiveDateTime;
use egov_core::Error;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::store::CertificateRow;
use crate::{Tax, errors};

#[derive(Debug, Serialize, ToSchema)]
pub struct Verification {
    pub number: String,
    /// `valid`, `expired` or `revoked`.
    pub status: String,
    pub kind: String,
    #[serde(serialize_with = "egov_core::dates::utc")]
    pub issued_at: NaiveDateTime,
    #[serde(serialize_with = "egov_core::dates::utc")]
    pub valid_until: NaiveDateTime,
    /// What the certificate shows, exactly (the holder masked as printed).
    #[schema(value_type = Object)]
    pub document: Value,
    /// The signature over the document, checked by the server.
    pub signature_valid: bool,
    pub signature: String,
}

/// A certificate's verification by number: authenticity and validity, showing no more than
/// the certificate itself. Not found when malformed, unknown, or past `tax.verification_days`.
pub async fn verify(tax: &Tax, number: &str) -> Result<Verification, Error> {
    let number = number.trim();
    if number.len() != 19 || !number.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return Err(Error::new(errors::CERTIFICATE_NOT_FOUND));
    }
    let row = super::officers::certificate(tax, number).await?;
    let now = tax.now();
    let window = chrono::Duration::days(i64::from(tax.0.config.verification_days));
    if now > row.issued_at + window {
        return Err(Error::new(errors::CERTIFICATE_NOT_FOUND));
    }
    Ok(verification(tax, &row, now))
}

pub(crate) fn verification(tax: &Tax, row: &CertificateRow, now: NaiveDateTime) -> Verification {
    let document: Value = serde_json::from_str(&row.document).unwrap_or(Value::Null);
    let status = if row.revoked_at.is_some() {
        "revoked"
    } else if now > row.valid_until {
        "expired"
    } else {
        "valid"
    };
    Verification {
        number: row.number.clone(),
        status: status.into(),
        kind: row.kind.clone(),
        issued_at: row.issued_at,
        valid_until: row.valid_until,
        signature_valid: tax.verify(&document, &row.signature),
        document,
        signature: row.signature.clone(),
    }
}

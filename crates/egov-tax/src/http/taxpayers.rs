//! Taxpayers: the pre-filled return, edits, submission, versions, account and certificates.

use super::{TaxpayerAal2, TaxpayerPolicy, rules_for, taxpayer, year_ok};
use crate::Tax;
use crate::domain::Outcome;
use crate::domain::eval::to_json;
use crate::service::{self, Acknowledgement, Period, ReturnView, taxpayers};
use crate::store::{CertificateRow, LedgerRow, VersionRow};
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::NaiveDateTime;
use egov_auth::Authorized;
use egov_core::Error;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::str::FromStr;
use utoipa::ToSchema;

egov_core::problems!(MyReturnErrors:
    crate::errors::NOT_A_TAXPAYER,
    crate::errors::NO_RULES,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::SERVICE_FAILED,
);

/// My return for a year: pre-filled from employers' statements (each value with its
/// provenance), my entries, the computed tax with the explanation of every value, and the
/// business rules that fire now.
#[utoipa::path(
    tag = "tax",
    params(("year" = i32, Path, description = "Tax year (2000 to 2100)", minimum = 2000, maximum = 2100)),
    responses(
        (status = 200, body = ReturnView),
        MyReturnErrors,
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[get("/me/returns/{year}")]
pub async fn my_return(
    auth: Authorized<TaxpayerPolicy>,
    tax: web::Data<Tax>,
    year: web::Path<i32>,
) -> Result<web::Json<ReturnView>, Error> {
    let who = taxpayer(&tax, &auth)?;
    Ok(web::Json(
        taxpayers::return_view(&tax, who, year_ok(year.into_inner())?).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntriesInput {
    /// My entries by input name (deductions, dependants, corrections of pre-filled values);
    /// `null` removes an entry. Replaces the whole set of entries.
    #[schema(value_type = Object)]
    pub entries: Map<String, Value>,
}

egov_core::problems!(EditReturnErrors:
    crate::errors::NOT_A_TAXPAYER,
    crate::errors::NO_RULES,
    crate::errors::INVALID_INPUTS,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::SERVICE_FAILED,
);

/// Saves my entries over the pre-fill and recomputes. Inputs that do not meet their
/// declaration are refused (TAX-R0001) and nothing is saved.
#[utoipa::path(
    tag = "tax",
    params(("year" = i32, Path, description = "Tax year (2000 to 2100)", minimum = 2000, maximum = 2100)),
    request_body = EntriesInput,
    responses(
        (status = 200, body = ReturnView),
        EditReturnErrors,
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[put("/me/returns/{year}")]
pub async fn edit_return(
    auth: Authorized<TaxpayerPolicy>,
    tax: web::Data<Tax>,
    year: web::Path<i32>,
    input: web::Json<EntriesInput>,
) -> Result<web::Json<ReturnView>, Error> {
    let who = taxpayer(&tax, &auth)?;
    let rules = rules_for(&tax, year_ok(year.into_inner())?)?;
    Ok(web::Json(
        taxpayers::save_entries(&tax, who, &rules, input.into_inner().entries).await?,
    ))
}

egov_core::problems!(SubmitReturnErrors:
    crate::errors::NOT_A_TAXPAYER,
    crate::errors::NO_RULES,
    crate::errors::CONCURRENT_SUBMISSION,
    crate::errors::RETURN_REJECTED,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::SERVICE_FAILED,
);

/// Submits my return: idempotent by the `Idempotency-Key` header (the same key gives the
/// same acknowledgement; a new key after a submission files an amendment, a new version).
/// Answered with the server-signed acknowledgement; a rejection lists each rule number with
/// its severity and the offending value, and changes nothing.
#[utoipa::path(
    tag = "tax",
    params(
        ("year" = i32, Path, description = "Tax year"),
        ("Idempotency-Key" = String, Header, description = "1-64 characters, unique per submission"),
    ),
    responses(
        (status = 201, description = "Accepted: a new version", body = Acknowledgement),
        (status = 200, description = "The same submission again: its acknowledgement", body = Acknowledgement),
        SubmitReturnErrors,
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:2"])),
)]
#[post("/me/returns/{year}/submit")]
pub async fn submit_return(
    auth: Authorized<TaxpayerAal2>,
    tax: web::Data<Tax>,
    year: web::Path<i32>,
    req: HttpRequest,
) -> Result<HttpResponse, Error> {
    let key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .filter(|k| (1..=64).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            Error::invalid_field(
                "header:Idempotency-Key",
                egov_core::text!(
                    "detail-idempotency-key",
                    "required: 1 to 64 visible characters"
                ),
            )
        })?
        .to_owned();
    let who = taxpayer(&tax, &auth)?;
    let rules = rules_for(&tax, year_ok(year.into_inner())?)?;
    let (ack, created) =
        taxpayers::submit_return(&tax, who, rules, key, auth.subject.clone()).await?;
    Ok(if created {
        HttpResponse::Created().json(ack)
    } else {
        HttpResponse::Ok().json(ack)
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionView {
    pub version: i32,
    pub kind: String,
    pub submission_id: String,
    #[serde(serialize_with = "egov_core::dates::utc")]
    pub submitted_at: NaiveDateTime,
    pub reason: Option<String>,
    pub acknowledgement: Acknowledgement,
    /// The inputs as evaluated.
    #[schema(value_type = Object)]
    pub inputs: Value,
    /// The result with its explanation, as computed then.
    pub outcome: Outcome,
}

pub(crate) fn version_views(rows: Vec<VersionRow>) -> Result<Vec<VersionView>, Error> {
    rows.into_iter()
        .map(|v| {
            Ok(VersionView {
                version: v.version,
                kind: v.kind,
                submission_id: v.id,
                submitted_at: v.submitted_at,
                reason: v.reason,
                acknowledgement: serde_json::from_str(&v.acknowledgement)
                    .map_err(Error::internal)?,
                inputs: serde_json::from_str(&v.inputs).map_err(Error::internal)?,
                outcome: serde_json::from_str(&v.outcome).map_err(Error::internal)?,
            })
        })
        .collect()
}

egov_core::problems!(MyVersionsErrors:
    crate::errors::NOT_A_TAXPAYER,
    crate::errors::NO_RULES,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Every filed version of my return for a year, oldest first (immutable history).
#[utoipa::path(
    tag = "tax",
    params(("year" = i32, Path, description = "Tax year (2000 to 2100)", minimum = 2000, maximum = 2100)),
    responses(
        (status = 200, body = Vec<VersionView>),
        MyVersionsErrors,
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[get("/me/returns/{year}/versions")]
pub async fn my_versions(
    auth: Authorized<TaxpayerPolicy>,
    tax: web::Data<Tax>,
    year: web::Path<i32>,
) -> Result<web::Json<Vec<VersionView>>, Error> {
    let who = taxpayer(&tax, &auth)?;
    let year = year_ok(year.into_inner())?;
    let rules = rules_for(&tax, year)?;
    let rows = taxpayers::versions(&tax, who, &rules).await?;
    Ok(web::Json(version_views(rows)?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Entry {
    pub tax: String,
    pub year: i32,
    /// `assessment`, `payment` or `refund`.
    pub kind: String,
    #[schema(value_type = String)]
    pub amount: Decimal,
    pub reference: Option<String>,
    pub source: String,
    /// An officer's assessment: its legal ground.
    pub note: Option<String>,
    #[serde(serialize_with = "egov_core::dates::utc")]
    pub at: NaiveDateTime,
}

impl From<LedgerRow> for Entry {
    fn from(r: LedgerRow) -> Self {
        Entry {
            amount: Decimal::from_str(&r.amount).unwrap_or_default(),
            tax: r.tax,
            year: r.year,
            kind: r.kind,
            reference: r.reference,
            source: r.source,
            note: r.note,
            at: r.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    pub periods: Vec<Period>,
    pub entries: Vec<Entry>,
    /// Payment receipts, each signed by the module's key.
    #[schema(value_type = Vec<Object>)]
    pub receipts: Vec<Value>,
}

pub(crate) fn account_view(tax: &Tax, rows: Vec<LedgerRow>) -> AccountView {
    let periods = service::account(&rows, tax.now().date());
    let mut receipts = Vec::new();
    let entries = rows
        .into_iter()
        .map(|r| {
            let amount = Decimal::from_str(&r.amount).unwrap_or_default();
            if r.kind == "payment" {
                let doc = json!({"receipt": r.id, "tax": r.tax, "year": r.year,
                    "amount": to_json(-amount), "reference": r.reference, "bank_transaction": r.source,
                    "recorded_at": r.created_at});
                receipts.push(json!({"document": doc, "signature": tax.sign(&doc)}));
            }
            Entry::from(r)
        })
        .collect();
    AccountView {
        periods,
        entries,
        receipts,
    }
}

egov_core::problems!(MyAccountErrors:
    crate::errors::NOT_A_TAXPAYER,
);

/// My tax account: per tax and year what was assessed, paid and refunded, the balance (owed,
/// or refund due), due dates and overdue flags, every entry, and signed payment receipts.
#[utoipa::path(
    tag = "tax",
    responses(
        (status = 200, body = AccountView),
        MyAccountErrors,
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[get("/me/account")]
pub async fn my_account(
    auth: Authorized<TaxpayerPolicy>,
    tax: web::Data<Tax>,
) -> Result<web::Json<AccountView>, Error> {
    let who = taxpayer(&tax, &auth)?;
    let rows = taxpayers::ledger(&tax, who).await?;
    Ok(web::Json(account_view(&tax, rows)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificateInput {
    /// `tax_clearance` (납세증명서: no overdue tax) or `income` (소득금액증명, for a filed year).
    pub kind: String,
    /// The tax year (income certificates).
    pub year: Option<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateView {
    pub number: String,
    pub kind: String,
    #[schema(value_type = Object)]
    pub document: Value,
    /// Detached JWS (EdDSA) over the canonical JSON of `document`.
    pub signature: String,
    #[serde(serialize_with = "egov_core::dates::utc")]
    pub issued_at: NaiveDateTime,
    #[serde(serialize_with = "egov_core::dates::utc")]
    pub valid_until: NaiveDateTime,
    #[serde(serialize_with = "egov_core::dates::utc_opt")]
    pub revoked_at: Option<NaiveDateTime>,
    /// Where anyone can check it.
    pub verify_url: String,
}

pub(crate) fn certificate_view(row: CertificateRow) -> CertificateView {
    CertificateView {
        verify_url: format!("/tax/v1/certificates/{}/verify", row.number),
        number: row.number,
        kind: row.kind,
        document: serde_json::from_str(&row.document).unwrap_or(Value::Null),
        signature: row.signature,
        issued_at: row.issued_at,
        valid_until: row.valid_until,
        revoked_at: row.revoked_at,
    }
}

egov_core::problems!(IssueCertificateErrors:
    crate::errors::NOT_A_TAXPAYER,
    crate::errors::NO_RULES,
    crate::errors::ARREARS,
    crate::errors::NOT_FILED,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Issues a certificate as a signed document with a verification number: a tax-payment
/// certificate (refused while tax is overdue) or an income certificate for a filed year.
#[utoipa::path(
    tag = "tax",
    request_body = CertificateInput,
    responses(
        (status = 201, body = CertificateView),
        IssueCertificateErrors,
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:2"])),
)]
#[post("/me/certificates")]
pub async fn issue_certificate(
    auth: Authorized<TaxpayerAal2>,
    tax: web::Data<Tax>,
    input: web::Json<CertificateInput>,
) -> Result<HttpResponse, Error> {
    let who = taxpayer(&tax, &auth)?;
    let input = input.into_inner();
    let row = taxpayers::request_certificate(&tax, who, &input.kind, input.year).await?;
    Ok(HttpResponse::Created().json(certificate_view(row)))
}

egov_core::problems!(MyCertificatesErrors:
    crate::errors::NOT_A_TAXPAYER,
);

/// My certificates, newest first.
#[utoipa::path(
    tag = "tax",
    responses(
        (status = 200, body = Vec<CertificateView>),
        MyCertificatesErrors,
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[get("/me/certificates")]
pub async fn my_certificates(
    auth: Authorized<TaxpayerPolicy>,
    tax: web::Data<Tax>,
) -> Result<web::Json<Vec<CertificateView>>, Error> {
    let who = taxpayer(&tax, &auth)?;
    let rows = taxpayers::certificates(&tax, who).await?;
    Ok(web::Json(rows.into_iter().map(certificate_view).collect()))
}

//! Tax officers: taxpayer views (access-logged), corrections, bank settlement, refunds,
//! assessments, revocation, reminders.

use super::{Officer, reader, rules_for, year_ok};
use crate::Tax;
use crate::http::employers::RowError;
use crate::http::public::Verification;
use crate::http::public::verification;
use crate::http::taxpayers::AccountView;
use crate::http::taxpayers::Entry;
use crate::http::taxpayers::VersionView;
use crate::http::taxpayers::account_view;
use crate::http::taxpayers::version_views;
use crate::service::officers::{self, Posting};
use crate::service::{Acknowledgement, Taxpayer};
use crate::store::ReturnRow;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::NaiveDate;
use egov_auth::{Authorized, Principal};
use egov_core::Error;
use egov_core::error::FieldError;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

pub(crate) fn officer_scope(tax: &Tax, p: &Principal) -> Result<(), Error> {
    p.require_agency(&tax.0.config.agency)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TaxpayerQuery {
    pub national_id: Option<String>,
    pub business_id: Option<String>,
    /// Why: recorded in the access log (e.g. `tax.assessment`, `tax.collection`).
    pub purpose: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaxpayerView {
    /// The taxpayer's subject key (use it in other officer calls).
    pub key: String,
    pub returns: Vec<ReturnSummary>,
    pub account: AccountView,
}

/// One of a taxpayer's returns, as an officer's search lists it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReturnSummary {
    pub id: String,
    pub tax: String,
    pub year: i32,
    /// `draft` until the first submission, then `submitted`.
    pub status: String,
    /// 0 while nothing is filed.
    pub latest_version: i32,
    /// The taxpayer's masked national ID (empty for a business).
    pub taxpayer: String,
    /// The reference a payment quotes for this return's period.
    pub payment_reference: String,
}

impl From<ReturnRow> for ReturnSummary {
    fn from(r: ReturnRow) -> Self {
        Self {
            id: r.id,
            tax: r.tax,
            year: r.year,
            status: r.status,
            latest_version: r.latest_version,
            taxpayer: r.masked_id,
            payment_reference: r.payment_reference,
        }
    }
}

egov_core::problems!(OfficerTaxpayerErrors:
    crate::errors::TAXPAYER_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Finds a taxpayer by national ID or business registration number: returns and account.
/// Recorded in the access log with the purpose.
#[utoipa::path(
    tag = "tax",
    params(TaxpayerQuery),
    responses(
        (status = 200, body = TaxpayerView),
        OfficerTaxpayerErrors,
    ),
    security(("bearer" = ["kind:officer", "role:tax.officer", "aal:2", "agency:tax.agency"])),
)]
#[get("/officer/taxpayers")]
pub async fn officer_taxpayer(
    auth: Authorized<Officer>,
    tax: web::Data<Tax>,
    query: web::Query<TaxpayerQuery>,
    req: HttpRequest,
) -> Result<web::Json<TaxpayerView>, Error> {
    officer_scope(&tax, &auth)?;
    let q = query.into_inner();
    purpose_ok(&q.purpose)?;
    let key = taxpayer_key(&tax, q.national_id.as_deref(), q.business_id.as_deref(), "")?.key;
    let (returns, ledger) =
        officers::taxpayer_file(&tax, &reader(&tax, &req, &auth), &key, &q.purpose).await?;
    Ok(web::Json(TaxpayerView {
        key,
        returns: returns.into_iter().map(ReturnSummary::from).collect(),
        account: account_view(&tax, ledger),
    }))
}

pub(crate) fn field(pointer: &str, detail: impl Into<egov_core::error::Text>) -> FieldError {
    FieldError {
        pointer: pointer.to_owned(),
        detail: detail.into(),
    }
}

/// The taxpayer named by exactly one of a national ID and a business registration number.
/// `at` is the JSON pointer prefix of the fields (`""` for query parameters).
pub(crate) fn taxpayer_key(
    tax: &Tax,
    national_id: Option<&str>,
    business_id: Option<&str>,
    at: &str,
) -> Result<Taxpayer, Error> {
    let pack = tax.0.packs.active();
    match (national_id, business_id) {
        (Some(n), None) => {
            let nid = pack
                .parse_national_id(n)
                .map_err(|e| Error::invalid_field(format!("{at}national_id"), e.text()))?;
            Ok(Taxpayer {
                key: tax.0.index.national_id(&nid).as_str().to_owned(),
                masked: String::new(),
            })
        }
        (None, Some(b)) => {
            let bid = pack
                .parse_business_id(b)
                .map_err(|e| Error::invalid_field(format!("{at}business_id"), e.text()))?;
            Ok(Taxpayer {
                key: egov_core::exchange::business_subject(bid.canonical()),
                masked: b.to_owned(),
            })
        }
        _ => Err(Error::invalid_field(
            format!("{at}national_id"),
            egov_core::text!("detail-tax-who", "give national_id or business_id"),
        )),
    }
}

/// What an id callers choose must be.
pub(crate) fn id_rule() -> egov_core::error::Text {
    egov_core::text!("detail-tax-id-rule", "1 to 64 of A-Z a-z 0-9 . _ -")
}

/// What an officer's reason must be.
pub(crate) fn reason_rule() -> egov_core::error::Text {
    egov_core::text!(
        "detail-tax-reason",
        "5 to 500 characters, no control characters"
    )
}

/// Ids that callers choose (statements, notices, corrections, refunds): idempotency keys.
pub(crate) fn id_ok(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// Reasons officers give (corrections, assessments, revocations), shown to others.
pub(crate) fn reason_ok(reason: &str) -> bool {
    (5..=500).contains(&reason.chars().count()) && !reason.chars().any(char::is_control)
}

pub(crate) fn purpose_ok(p: &str) -> Result<(), Error> {
    if (3..=64).contains(&p.len())
        && p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    {
        Ok(())
    } else {
        Err(Error::invalid_field(
            "purpose",
            egov_core::text!("detail-tax-purpose", "3 to 64 of A-Z a-z 0-9 . _ -"),
        ))
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PurposeQuery {
    /// Why: recorded in the access log.
    pub purpose: String,
}

egov_core::problems!(OfficerReturnErrors:
    crate::errors::RETURN_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// A return with every version (inputs, results with explanation, acknowledgements).
/// Recorded in the access log.
#[utoipa::path(
    tag = "tax",
    params(("id" = String, Path, description = "Return id"), PurposeQuery),
    responses(
        (status = 200, body = Vec<VersionView>),
        OfficerReturnErrors,
    ),
    security(("bearer" = ["kind:officer", "role:tax.officer", "aal:2", "agency:tax.agency"])),
)]
#[get("/officer/returns/{id}")]
pub async fn officer_return(
    auth: Authorized<Officer>,
    tax: web::Data<Tax>,
    id: web::Path<String>,
    query: web::Query<PurposeQuery>,
    req: HttpRequest,
) -> Result<web::Json<Vec<VersionView>>, Error> {
    officer_scope(&tax, &auth)?;
    purpose_ok(&query.purpose)?;
    let rows =
        officers::return_versions(&tax, &reader(&tax, &req, &auth), &id, &query.purpose).await?;
    Ok(web::Json(version_views(rows)?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionInput {
    /// Inputs to change over the latest filed version.
    #[schema(value_type = Object)]
    pub changes: Map<String, Value>,
    /// Why (kept with the version and shown to the taxpayer): 5 to 500 characters.
    pub reason: String,
    /// Idempotency key of the correction: 1–64 of `A-Za-z0-9._-`.
    pub correction_id: String,
}

egov_core::problems!(OfficerCorrectionErrors:
    crate::errors::NO_RULES,
    crate::errors::RETURN_NOT_FOUND,
    crate::errors::CONCURRENT_SUBMISSION,
    crate::errors::RETURN_REJECTED,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::SERVICE_FAILED,
);

/// Corrects an assessment: a new version (kind `correction`) with the officer and the reason,
/// the account adjusted by the difference. Recorded in the access log.
#[utoipa::path(
    tag = "tax",
    params(("id" = String, Path, description = "Return id")),
    request_body = CorrectionInput,
    responses(
        (status = 201, body = Acknowledgement),
        (status = 200, description = "The same correction again", body = Acknowledgement),
        OfficerCorrectionErrors,
    ),
    security(("bearer" = ["kind:officer", "role:tax.officer", "aal:2", "agency:tax.agency"])),
)]
#[post("/officer/returns/{id}/corrections")]
pub async fn officer_correction(
    auth: Authorized<Officer>,
    tax: web::Data<Tax>,
    id: web::Path<String>,
    input: web::Json<CorrectionInput>,
    req: HttpRequest,
) -> Result<HttpResponse, Error> {
    officer_scope(&tax, &auth)?;
    let (ack, created) = correct(&tax, &reader(&tax, &req, &auth), &id, input.into_inner()).await?;
    Ok(if created {
        HttpResponse::Created().json(ack)
    } else {
        HttpResponse::Ok().json(ack)
    })
}

/// An officer's correction, checked: a new version (`true`: created now).
pub(crate) async fn correct(
    tax: &Tax,
    reader: &egov_auth::Reader,
    id: &str,
    input: CorrectionInput,
) -> Result<(Acknowledgement, bool), Error> {
    let mut errors = Vec::new();
    if input.changes.is_empty() {
        errors.push(field(
            "/changes",
            egov_core::text!("detail-tax-changes", "name at least one input to change"),
        ));
    }
    if !reason_ok(&input.reason) {
        errors.push(field("/reason", reason_rule()));
    }
    if !id_ok(&input.correction_id) {
        errors.push(field("/correction_id", id_rule()));
    }
    if !errors.is_empty() {
        return Err(Error::validation(errors));
    }
    officers::correct_return(
        tax,
        reader,
        id,
        input.correction_id,
        input.reason,
        input.changes,
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferLine {
    /// The bank's transaction id (idempotency key).
    pub bank_txn_id: String,
    /// The payment reference the payer quoted.
    pub reference: String,
    #[schema(value_type = String)]
    pub amount: Decimal,
    #[schema(value_type = String)]
    #[serde(deserialize_with = "egov_core::dates::date")]
    pub paid_on: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SettlementReport {
    pub matched: usize,
    /// Lines already received (same bank transaction id).
    pub duplicates: usize,
    /// Lines whose reference matches no return: kept for manual reconciliation.
    pub unmatched: Vec<String>,
    /// Invalid lines (by position, from 1), not stored.
    pub rejected: Vec<RowError>,
}

egov_core::problems!(OfficerBankTransfersErrors:
    egov_core::error::codes::VALIDATION_FAILED,
);

/// The payment provider "bank transfer": a bank settlement file, matched to returns by
/// payment reference (with its check digits). Idempotent by bank transaction id.
#[utoipa::path(
    tag = "tax",
    request_body = Vec<TransferLine>,
    responses(
        (status = 200, body = SettlementReport),
        OfficerBankTransfersErrors,
    ),
    security(("bearer" = ["kind:officer", "role:tax.officer", "aal:2", "agency:tax.agency"])),
)]
#[post("/officer/bank-transfers")]
pub async fn officer_bank_transfers(
    auth: Authorized<Officer>,
    tax: web::Data<Tax>,
    lines: web::Json<Vec<TransferLine>>,
) -> Result<web::Json<SettlementReport>, Error> {
    officer_scope(&tax, &auth)?;
    Ok(web::Json(settlement(&tax, lines.into_inner()).await?))
}

/// A bank settlement file, line by line: valid lines matched and posted, invalid ones
/// reported by position.
pub(crate) async fn settlement(
    tax: &Tax,
    lines: Vec<TransferLine>,
) -> Result<SettlementReport, Error> {
    if lines.len() > 10_000 {
        return Err(Error::invalid_field("/", "at most 10,000 lines per file"));
    }
    let mut rejected = Vec::new();
    let mut valid = Vec::new();
    for (i, l) in lines.into_iter().enumerate() {
        let mut errs = Vec::new();
        if !(1..=64).contains(&l.bank_txn_id.len())
            || !l.bank_txn_id.bytes().all(|b| b.is_ascii_graphic())
        {
            errs.push("bank_txn_id: 1 to 64 visible characters".to_owned());
        }
        if l.amount <= Decimal::ZERO {
            errs.push("amount: must be positive".to_owned());
        }
        if l.reference.len() > 64 {
            errs.push("reference: at most 64 characters".to_owned());
        }
        if errs.is_empty() {
            valid.push(officers::Transfer {
                bank_txn_id: l.bank_txn_id,
                reference: l.reference,
                amount: l.amount,
                paid_on: l.paid_on,
            });
        } else {
            rejected.push(RowError {
                line: i + 1,
                statement_id: Some(l.bank_txn_id),
                errors: errs,
            });
        }
    }
    let done = officers::settle(tax, valid).await?;
    Ok(SettlementReport {
        matched: done.matched,
        duplicates: done.duplicates,
        unmatched: done.unmatched,
        rejected,
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundInput {
    pub return_id: String,
    /// The transfer's id at the bank (idempotency key): 1–64 of `A-Za-z0-9._-`.
    pub refund_id: String,
}

egov_core::problems!(OfficerRefundErrors:
    crate::errors::NO_RULES,
    crate::errors::RETURN_NOT_FOUND,
    crate::errors::NO_REFUND_DUE,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Pays the refund due on a return's period (balance below zero): records it on the account.
/// From the year's `administration.second_officer_from` it waits (`202`) for another officer's
/// approval (four eyes). Idempotent by `refund_id`.
#[utoipa::path(
    tag = "tax",
    request_body = RefundInput,
    responses(
        (status = 201, body = Entry),
        (status = 200, description = "The same refund again", body = Entry),
        (status = 202, description = "Waiting for a second officer's approval", body = crate::http::approvals::ApprovalView),
        OfficerRefundErrors,
    ),
    security(("bearer" = ["kind:officer", "role:tax.officer", "aal:2", "agency:tax.agency"])),
)]
#[post("/officer/refunds")]
pub async fn officer_refund(
    auth: Authorized<Officer>,
    tax: web::Data<Tax>,
    input: web::Json<RefundInput>,
    req: HttpRequest,
) -> Result<HttpResponse, Error> {
    officer_scope(&tax, &auth)?;
    let input = input.into_inner();
    if !id_ok(&input.refund_id) {
        return Err(Error::invalid_field("/refund_id", id_rule()));
    }
    let posting = officers::refund(
        &tax,
        &reader(&tax, &req, &auth),
        &input.return_id,
        input.refund_id,
    )
    .await?;
    Ok(answer(posting))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentInput {
    /// The notice's id (idempotency key): 1–64 of `A-Za-z0-9._-`.
    pub assessment_id: String,
    /// The taxpayer: a national ID, or a business registration number.
    pub national_id: Option<String>,
    pub business_id: Option<String>,
    /// The tax year assessed (the year's rules name the tax).
    pub year: i32,
    /// Added to what the taxpayer owes for the year (negative: reduced); at most two decimal
    /// places.
    #[schema(value_type = String)]
    pub amount: Decimal,
    /// When the amount is due; on or after 1 January of the tax year.
    #[serde(deserialize_with = "egov_core::dates::date")]
    pub due_date: NaiveDate,
    /// The legal ground, shown to the taxpayer on the account: 5 to 500 characters.
    pub reason: String,
}

egov_core::problems!(OfficerAssessmentErrors:
    crate::errors::NO_RULES,
    egov_core::error::codes::CONFLICT,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::SERVICE_FAILED,
);

/// Raises an assessment outside a return (a notice: unremitted withholding, an audit
/// finding): added to the taxpayer's account for the year, payable with the year's payment
/// reference, overdue after its due date (which a tax-clearance request then reports).
/// Idempotent by `assessment_id`; recorded in the access log.
///
/// The amount is in whole units of the pack's currency and at most the year's
/// `administration.assessment_max`. From `administration.second_officer_from` (either sign) it
/// is not posted: it waits (`202`) until another officer approves it at
/// `POST /tax/v1/officer/approvals/{id}/approve` (four eyes).
#[utoipa::path(
    tag = "tax",
    request_body = AssessmentInput,
    responses(
        (status = 201, body = Entry),
        (status = 200, description = "The same notice again", body = Entry),
        (status = 202, description = "Waiting for a second officer's approval", body = crate::http::approvals::ApprovalView),
        OfficerAssessmentErrors,
    ),
    security(("bearer" = ["kind:officer", "role:tax.officer", "aal:2", "agency:tax.agency"])),
)]
#[post("/officer/assessments")]
pub async fn officer_assessment(
    auth: Authorized<Officer>,
    tax: web::Data<Tax>,
    input: web::Json<AssessmentInput>,
    req: HttpRequest,
) -> Result<HttpResponse, Error> {
    officer_scope(&tax, &auth)?;
    Ok(answer(
        assess(&tax, &reader(&tax, &req, &auth), input.into_inner()).await?,
    ))
}

/// An assessment, checked against the year's rules, raised (or waiting for a second officer).
pub(crate) async fn assess(
    tax: &Tax,
    reader: &egov_auth::Reader,
    input: AssessmentInput,
) -> Result<Posting, Error> {
    let mut errors = Vec::new();
    if !id_ok(&input.assessment_id) {
        errors.push(field("/assessment_id", id_rule()));
    }
    let minor = tax.0.packs.active().currency.minor_units();
    if input.amount.is_zero() || input.amount.normalize().scale() > u32::from(minor) {
        errors.push(field(
            "/amount",
            egov_core::text!(
                "detail-tax-amount",
                "not zero, in whole units of the currency (at most {minor} decimal places)",
                minor = minor
            ),
        ));
    }
    if !reason_ok(&input.reason) {
        errors.push(field("/reason", reason_rule()));
    }
    if NaiveDate::from_ymd_opt(input.year, 1, 1).is_none_or(|start| input.due_date < start) {
        errors.push(field(
            "/due_date",
            egov_core::text!("detail-tax-due", "on or after 1 January of the tax year"),
        ));
    }
    let rules = rules_for(tax, year_ok(input.year)?)?;
    let admin = rules.administration.clone();
    if input.amount.abs() > admin.assessment_max {
        errors.push(field(
            "/amount",
            egov_core::text!(
                "detail-tax-amount-max",
                "at most {max} either way for this year ({cite})",
                max = admin.assessment_max,
                cite = admin.cite.clone()
            ),
        ));
    }
    if !errors.is_empty() {
        return Err(Error::validation(errors));
    }
    let who = taxpayer_key(
        tax,
        input.national_id.as_deref(),
        input.business_id.as_deref(),
        "/",
    )?;
    let notice = officers::Notice {
        assessment_id: input.assessment_id,
        amount: input.amount,
        due_date: input.due_date,
        reason: input.reason,
    };
    officers::assess(tax, reader, who, &rules, notice).await
}

/// The answer to a posting: `201` posted now, `200` the same request again, `202` waiting
/// for a second officer.
fn answer(posting: Posting) -> HttpResponse {
    match posting {
        Posting::Posted(row, true) => HttpResponse::Created().json(Entry::from(row)),
        Posting::Posted(row, false) => HttpResponse::Ok().json(Entry::from(row)),
        Posting::Waiting(a) => {
            HttpResponse::Accepted().json(crate::http::approvals::ApprovalView::from(a))
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeInput {
    /// 5 to 500 characters, shown at verification as the status `revoked`.
    pub reason: String,
}

egov_core::problems!(OfficerRevokeErrors:
    crate::errors::CERTIFICATE_NOT_FOUND,
    crate::errors::CERTIFICATE_REVOKED,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Revokes a certificate: verification answers `revoked` from now on.
#[utoipa::path(
    tag = "tax",
    params(("number" = String, Path, description = "Verification number")),
    request_body = RevokeInput,
    responses(
        (status = 200, body = Verification),
        OfficerRevokeErrors,
    ),
    security(("bearer" = ["kind:officer", "role:tax.officer", "aal:2", "agency:tax.agency"])),
)]
#[post("/officer/certificates/{number}/revoke")]
pub async fn officer_revoke(
    auth: Authorized<Officer>,
    tax: web::Data<Tax>,
    number: web::Path<String>,
    input: web::Json<RevokeInput>,
    req: HttpRequest,
) -> Result<web::Json<Verification>, Error> {
    officer_scope(&tax, &auth)?;
    let reason = input.into_inner().reason;
    if !reason_ok(&reason) {
        return Err(Error::invalid_field("/reason", reason_rule()));
    }
    let row =
        officers::revoke_certificate(&tax, &reader(&tax, &req, &auth), &number, reason).await?;
    Ok(web::Json(verification(&tax, &row, tax.now())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReminderInput {
    pub year: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReminderReport {
    /// Reminders queued now (one per taxpayer, deadline and day: repeating the call queues
    /// nothing new).
    pub queued: usize,
    /// Taxpayers with statements and no filed return.
    pub taxpayers: usize,
}

egov_core::problems!(OfficerRemindersErrors:
    crate::errors::NO_RULES,
    egov_core::error::codes::CONFLICT,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Queues filing reminders for every taxpayer with withholding statements for the year and
/// no filed return, through the notification outbox (delivered by the module's worker).
#[utoipa::path(
    tag = "tax",
    request_body = ReminderInput,
    responses(
        (status = 200, body = ReminderReport),
        OfficerRemindersErrors,
    ),
    security(("bearer" = ["kind:officer", "role:tax.officer", "aal:2", "agency:tax.agency"])),
)]
#[post("/officer/reminders")]
pub async fn officer_reminders(
    auth: Authorized<Officer>,
    tax: web::Data<Tax>,
    input: web::Json<ReminderInput>,
) -> Result<web::Json<ReminderReport>, Error> {
    officer_scope(&tax, &auth)?;
    let rules = rules_for(&tax, year_ok(input.year)?)?;
    let (queued, taxpayers) = officers::queue_reminders(&tax, &rules).await?;
    Ok(web::Json(ReminderReport { queued, taxpayers }))
}

//! `/tax/v1`: public rules, calculator, calendar, keys and certificate verification;
//! employers' statements; taxpayers' returns, account and certificates; officers' views
//! (each recorded in the access log), corrections, bank settlement, refunds, revocation and
//! reminders.

use std::collections::BTreeMap;
use std::str::FromStr;

use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::{NaiveDate, NaiveDateTime, Utc};
use egov_auth::principal::policies::Business;
use egov_auth::{AccessEntry, Action, Authorized, Kind, Policy, Principal, Rule, SubjectKey};
use egov_core::Error;
use egov_core::error::{FieldError, codes};
use egov_core::request::RawBody;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::domain::eval::to_json;
use crate::domain::{Outcome, RuleSet};
use crate::service::{self, Acknowledgement, Period, ReturnView, Taxpayer};
use crate::store::{self, CertificateRow, LedgerRow, StatementRow, TransferRow};
use crate::{Tax, errors};

/// A citizen or a business account: a taxpayer.
#[derive(Debug)]
pub struct TaxpayerPolicy;
impl Policy for TaxpayerPolicy {
    const RULE: Rule = Rule::kinds(&[Kind::Citizen, Kind::Business]);
}

/// A taxpayer with a second factor: filing and certificates.
#[derive(Debug)]
pub struct TaxpayerAal2;
impl Policy for TaxpayerAal2 {
    const RULE: Rule = Rule::kinds(&[Kind::Citizen, Kind::Business]).aal2();
}

/// An officer of the tax agency with the `tax.officer` role and a second factor.
#[derive(Debug)]
pub struct Officer;
impl Policy for Officer {
    const RULE: Rule = Rule::kinds(&[Kind::Officer])
        .roles(&[crate::OFFICER_ROLE])
        .aal2();
}

pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(
        scope::scope("/tax/v1")
            .service(list_rules)
            .service(show_rules)
            .service(calculate)
            .service(calendar)
            .service(keys)
            .service(verify_certificate)
            .service(upload_statements)
            .service(list_statements)
            .service(my_return)
            .service(edit_return)
            .service(submit_return)
            .service(my_versions)
            .service(my_account)
            .service(issue_certificate)
            .service(my_certificates)
            .service(officer_taxpayer)
            .service(officer_return)
            .service(officer_correction)
            .service(officer_bank_transfers)
            .service(officer_refund)
            .service(officer_assessment)
            .service(officer_revoke)
            .service(officer_reminders),
    );
}

/// Now, truncated to microseconds (PostgreSQL's precision), so stored and signed times agree.
pub fn now_micros() -> NaiveDateTime {
    let n = Utc::now().naive_utc();
    n - chrono::Duration::nanoseconds(i64::from(n.and_utc().timestamp_subsec_nanos() % 1000))
}

fn rules_for(tax: &Tax, year: i32) -> Result<std::sync::Arc<RuleSet>, Error> {
    tax.rules(year).cloned().ok_or_else(|| {
        Error::with_detail(
            errors::NO_RULES,
            format!("the country pack has rules for {:?}", tax.years()),
        )
    })
}

fn taxpayer(tax: &Tax, p: &Principal) -> Result<Taxpayer, Error> {
    let key = p
        .subject_key(tax.0.packs.active())
        .ok_or_else(|| Error::new(errors::NOT_A_TAXPAYER))?;
    let masked = match p.kind {
        Kind::Business => p.business.clone().unwrap_or_default(),
        _ => String::new(),
    };
    Ok(Taxpayer { key, masked })
}

fn source_ip(tax: &Tax, req: &HttpRequest) -> String {
    egov_core::request::source_ip(req, &tax.0.trusted)
}

/// Records an officer's access to a taxpayer's data (fails closed).
async fn access(
    tax: &Tax,
    req: &HttpRequest,
    officer: &Principal,
    subject: &str,
    action: Action,
    purpose: &str,
    record: Option<String>,
) -> Result<(), Error> {
    let request_id = req
        .extensions()
        .get::<egov_core::request::RequestId>()
        .map(|r| r.0.clone());
    egov_auth::record(
        tax.db(),
        AccessEntry {
            actor: officer.subject.clone(),
            source_ip: source_ip(tax, req),
            subject: SubjectKey::from_stored(subject.to_owned()),
            action,
            purpose: purpose.into(),
            module: crate::NAME.into(),
            record_ref: record,
            request_id,
        },
    )
    .await
    .map(|_| ())
}

use actix_web::HttpMessage as _;

fn year_ok(year: i32) -> Result<i32, Error> {
    if (2000..=2100).contains(&year) {
        Ok(year)
    } else {
        Err(Error::invalid_field(
            "year",
            "must be a year from 2000 to 2100",
        ))
    }
}

// ------------------------------------------------------------------ public

#[derive(Debug, Serialize, ToSchema)]
pub struct RulesSummary {
    pub tax: String,
    pub year: i32,
    pub title: String,
    pub currency: String,
    pub law: String,
    /// SHA-256 of the rules file: with the engine version, what reproduces a result.
    pub rules_hash: String,
    pub engine_version: String,
}

fn summary(r: &RuleSet) -> RulesSummary {
    RulesSummary {
        tax: r.tax.clone(),
        year: r.year,
        title: r.title.clone(),
        currency: r.currency.clone(),
        law: r.law.clone(),
        rules_hash: r.hash.clone(),
        engine_version: crate::domain::ENGINE_VERSION.into(),
    }
}

/// The tax rules this deployment's country pack ships, by year.
#[utoipa::path(tag = "tax", responses((status = 200, body = Vec<RulesSummary>)), security(()))]
#[get("/rules")]
pub async fn list_rules(tax: web::Data<Tax>) -> web::Json<Vec<RulesSummary>> {
    web::Json(tax.0.rules.values().map(|r| summary(r)).collect())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RulesDetail {
    #[serde(flatten)]
    pub summary: RulesSummary,
    /// Inputs: name, type, description, citation.
    #[schema(value_type = Vec<Object>)]
    pub inputs: Vec<Value>,
    /// Values in evaluation order: name, label, building block, citation.
    #[schema(value_type = Vec<Object>)]
    pub values: Vec<Value>,
}

/// A year's rules: every input and value with its citation (the law as the engine applies it).
#[utoipa::path(
    tag = "tax",
    params(("year" = i32, Path, description = "Tax year (2000 to 2100)", minimum = 2000, maximum = 2100)),
    responses(
        (status = 200, body = RulesDetail),
        (status = 404, description = "No rules for the year", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Year out of range", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(()),
)]
#[get("/rules/{year}")]
pub async fn show_rules(
    tax: web::Data<Tax>,
    year: web::Path<i32>,
) -> Result<web::Json<RulesDetail>, Error> {
    let r = rules_for(&tax, year_ok(year.into_inner())?)?;
    Ok(web::Json(RulesDetail {
        summary: summary(&r),
        inputs: r
            .inputs
            .iter()
            .map(|i| {
                json!({"name": i.name, "type": i.ty.as_str(), "description": i.description,
                             "cite": i.cite, "monthly": i.monthly})
            })
            .collect(),
        values: r
            .nodes
            .iter()
            .map(|n| {
                json!({"name": n.name, "label": n.label, "rule": n.op.kind(), "cite": n.cite,
                             "line": n.line})
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalculateInput {
    /// Inputs by name (see `GET /tax/v1/rules/{year}`).
    #[schema(value_type = Object)]
    pub inputs: Map<String, Value>,
    /// Include the explanation of every value (default true).
    pub trace: Option<bool>,
}

/// Computes a return from inputs, with the explanation of every number, storing nothing.
#[utoipa::path(
    tag = "tax",
    params(("year" = i32, Path, description = "Tax year (2000 to 2100)", minimum = 2000, maximum = 2100)),
    request_body = CalculateInput,
    responses(
        (status = 200, body = Outcome),
        (status = 404, description = "No rules for the year", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Inputs refused (rule TAX-R0001)", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(()),
)]
#[post("/calculate/{year}")]
pub async fn calculate(
    tax: web::Data<Tax>,
    year: web::Path<i32>,
    input: web::Json<CalculateInput>,
) -> Result<web::Json<Outcome>, Error> {
    let r = rules_for(&tax, year_ok(year.into_inner())?)?;
    let p = r.prepare(&input.inputs).map_err(|errs| {
        Error::new(errors::INVALID_INPUTS).with_errors(
            errs.into_iter()
                .map(|e| FieldError {
                    pointer: format!("/inputs{}", e.pointer),
                    detail: format!("TAX-R0001: {}", e.message),
                })
                .collect(),
        )
    })?;
    Ok(web::Json(r.evaluate(&p, input.trace.unwrap_or(true))))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DueDate {
    pub code: String,
    pub title: String,
    #[schema(value_type = Option<String>)]
    pub opens: Option<NaiveDate>,
    /// The statutory date.
    #[schema(value_type = String)]
    pub statutory_due: NaiveDate,
    /// Moved to the next working day by the country's calendar.
    #[schema(value_type = String)]
    pub due: NaiveDate,
    pub cite: String,
    pub remind_days: Vec<u32>,
}

/// The filing calendar of a tax year.
#[utoipa::path(
    tag = "tax",
    params(("year" = i32, Path, description = "Tax year (2000 to 2100)", minimum = 2000, maximum = 2100)),
    responses(
        (status = 200, body = Vec<DueDate>),
        (status = 404, description = "No rules for the year", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Year out of range", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(()),
)]
#[get("/calendar/{year}")]
pub async fn calendar(
    tax: web::Data<Tax>,
    year: web::Path<i32>,
) -> Result<web::Json<Vec<DueDate>>, Error> {
    let r = rules_for(&tax, year_ok(year.into_inner())?)?;
    Ok(web::Json(
        r.calendar
            .iter()
            .map(|d| DueDate {
                code: d.code.clone(),
                title: d.title.clone(),
                opens: d.opens,
                statutory_due: d.due,
                due: service::adjust(&tax, d.due),
                cite: d.cite.clone(),
                remind_days: d.remind_days.clone(),
            })
            .collect(),
    ))
}

/// The module's public keys (JWKS, Ed25519) for acknowledgements, receipts and certificates.
#[utoipa::path(tag = "tax", responses((status = 200, body = Object)), security(()))]
#[get("/keys")]
pub async fn keys(tax: web::Data<Tax>) -> web::Json<Value> {
    web::Json(
        json!({"keys": tax.0.public_keys.iter().map(|(kid, x)| json!({
        "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": kid, "x": x
    })).collect::<Vec<_>>()}),
    )
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Verification {
    pub number: String,
    /// `valid`, `expired` or `revoked`.
    pub status: String,
    pub kind: String,
    pub issued_at: NaiveDateTime,
    pub valid_until: NaiveDateTime,
    /// What the certificate shows, exactly (the holder masked as printed).
    #[schema(value_type = Object)]
    pub document: Value,
    /// The signature over the document, checked by the server.
    pub signature_valid: bool,
    pub signature: String,
}

/// Public verification by issuance number: authenticity and validity, showing no more than
/// the certificate itself. Available for `tax.verification_days` after issue.
#[utoipa::path(
    tag = "tax",
    params(("number" = String, Path, description = "Verification number, 0000-0000-0000-0000")),
    responses(
        (status = 200, body = Verification),
        (status = 404, description = "Unknown, or past the verification window", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(()),
)]
#[get("/certificates/{number}/verify")]
pub async fn verify_certificate(
    tax: web::Data<Tax>,
    number: web::Path<String>,
) -> Result<web::Json<Verification>, Error> {
    let number = number.into_inner();
    if number.len() != 19 || !number.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return Err(Error::new(errors::CERTIFICATE_NOT_FOUND));
    }
    let row = tax
        .db()
        .run(move |c| store::certificate(c, &number))
        .await?
        .ok_or_else(|| Error::new(errors::CERTIFICATE_NOT_FOUND))?;
    let now = Utc::now().naive_utc();
    let window = chrono::Duration::days(i64::from(tax.0.settings.tax.verification_days));
    if now > row.issued_at + window {
        return Err(Error::new(errors::CERTIFICATE_NOT_FOUND));
    }
    Ok(web::Json(verification(&tax, &row, now)))
}

fn verification(tax: &Tax, row: &CertificateRow, now: NaiveDateTime) -> Verification {
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

// ------------------------------------------------------------------ employers

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct YearQuery {
    /// Tax year.
    pub year: i32,
}

/// One statement row as uploaded.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementInput {
    /// The employer's id for this statement (idempotency key): 1–64 of `A-Za-z0-9._-`.
    pub statement_id: String,
    /// The employee's national ID.
    pub national_id: String,
    #[schema(value_type = String)]
    pub wages: Decimal,
    #[schema(value_type = Option<String>)]
    pub withheld_income_tax: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub withheld_local_tax: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub pension_contributions: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub insurance_premiums: Option<Decimal>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RowError {
    /// CSV: the line in the file (the header is line 1). JSON: the position in the list,
    /// from 1.
    pub line: usize,
    pub statement_id: Option<String>,
    pub errors: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UploadReport {
    pub year: i32,
    /// New statements stored.
    pub accepted: usize,
    /// Statements already received with the same content (idempotent re-upload).
    pub unchanged: usize,
    /// Invalid rows, by line; nothing of them was stored.
    pub rejected: Vec<RowError>,
}

const CSV_HEADER: [&str; 7] = [
    "statement_id",
    "national_id",
    "wages",
    "withheld_income_tax",
    "withheld_local_tax",
    "pension_contributions",
    "insurance_premiums",
];

/// Employers' withholding statements for a year, in bulk: `text/csv` with the header
/// `statement_id,national_id,wages,withheld_income_tax,withheld_local_tax,pension_contributions,insurance_premiums`,
/// or a JSON list of statements. Idempotent by statement id; invalid rows are reported by
/// line and valid rows kept.
#[utoipa::path(
    tag = "tax",
    params(YearQuery),
    request_body(content = Vec<StatementInput>, description = "JSON list, or text/csv with the header above"),
    responses(
        (status = 200, body = UploadReport),
        (status = 400, description = "Unreadable file", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a business account", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:business", "aal:1"])),
)]
#[post("/statements")]
pub async fn upload_statements(
    auth: Authorized<Business>,
    tax: web::Data<Tax>,
    query: web::Query<YearQuery>,
    req: HttpRequest,
    body: RawBody,
) -> Result<web::Json<UploadReport>, Error> {
    let year = year_ok(query.year)?;
    let employer = taxpayer(&tax, &auth)?;
    let employer_id = employer
        .key
        .strip_prefix("business:")
        .unwrap_or(&employer.key)
        .to_owned();
    let is_csv = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/csv"));
    let rows: Vec<(usize, Result<StatementInput, String>)> = if is_csv {
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(body.0.as_ref());
        let header: Vec<String> = rdr
            .headers()
            .map_err(|e| Error::with_detail(errors::BAD_UPLOAD, e.to_string()))?
            .iter()
            .map(str::to_owned)
            .collect();
        if header.is_empty() || header.iter().any(|h| !CSV_HEADER.contains(&h.as_str())) {
            return Err(Error::with_detail(
                errors::BAD_UPLOAD,
                format!("the header must use the columns {}", CSV_HEADER.join(",")),
            ));
        }
        rdr.deserialize::<BTreeMap<String, String>>()
            .enumerate()
            .map(|(i, rec)| {
                let line = i + 2;
                (
                    line,
                    rec.map_err(|e| e.to_string()).and_then(|m| {
                        let v: Map<String, Value> = m
                            .into_iter()
                            .filter(|(_, v)| !v.is_empty())
                            .map(|(k, v)| (k, Value::String(v)))
                            .collect();
                        serde_json::from_value(Value::Object(v)).map_err(|e| e.to_string())
                    }),
                )
            })
            .collect()
    } else {
        let list: Vec<Value> = serde_json::from_slice(&body.0)
            .map_err(|e| Error::with_detail(errors::BAD_UPLOAD, format!("not a JSON list: {e}")))?;
        list.into_iter()
            .enumerate()
            .map(|(i, v)| (i + 1, serde_json::from_value(v).map_err(|e| e.to_string())))
            .collect()
    };
    if rows.len() > 100_000 {
        return Err(Error::with_detail(
            errors::BAD_UPLOAD,
            "at most 100,000 statements per upload",
        ));
    }
    let pack = tax.0.packs.active();
    let minor = pack.currency.minor_units();
    let mut valid = Vec::new();
    let mut rejected = Vec::new();
    let now = now_micros();
    for (line, row) in rows {
        let s = match row {
            Ok(s) => s,
            Err(e) => {
                rejected.push(RowError {
                    line,
                    statement_id: None,
                    errors: vec![e],
                });
                continue;
            }
        };
        let mut errs = Vec::new();
        if !id_ok(&s.statement_id) {
            errs.push("statement_id: 1 to 64 of A-Z a-z 0-9 . _ -".to_owned());
        }
        let nid = pack.parse_national_id(&s.national_id);
        if let Err(e) = &nid {
            errs.push(format!("national_id: {e}"));
        }
        let mut amounts = BTreeMap::new();
        for (name, v) in [
            ("wages", Some(s.wages)),
            ("withheld_income_tax", s.withheld_income_tax),
            ("withheld_local_tax", s.withheld_local_tax),
            ("pension_contributions", s.pension_contributions),
            ("insurance_premiums", s.insurance_premiums),
        ] {
            let v = v.unwrap_or_default();
            if v < Decimal::ZERO
                || v.scale() > u32::from(minor)
                || v > Decimal::from(1_000_000_000_000_000i64)
            {
                errs.push(format!(
                    "{name}: must be a non-negative amount with at most {minor} decimals"
                ));
            }
            amounts.insert(name, v.normalize());
        }
        if amounts["withheld_income_tax"] > amounts["wages"] {
            errs.push("withheld_income_tax: more than the wages".into());
        }
        match nid {
            Ok(nid) if errs.is_empty() => {
                let person = tax.0.index.national_id(&nid).as_str().to_owned();
                let amounts_json = serde_json::to_value(&amounts).map_err(Error::internal)?;
                let digest = hex::encode(Sha256::digest(
                    crate::canonical_json(
                        &json!({"taxpayer": person, "year": year, "amounts": amounts_json}),
                    )
                    .as_bytes(),
                ));
                valid.push((
                    line,
                    StatementRow {
                        id: uuid::Uuid::now_v7().to_string(),
                        employer: employer_id.clone(),
                        statement_id: s.statement_id,
                        taxpayer: person,
                        masked_id: nid.masked().to_owned(),
                        year,
                        amounts: amounts_json.to_string(),
                        digest,
                        received_at: now,
                    },
                ));
            }
            _ => rejected.push(RowError {
                line,
                statement_id: Some(s.statement_id),
                errors: errs,
            }),
        }
    }
    let (accepted, unchanged, conflicts) = tax
        .db()
        .transaction(move |c| {
            let (mut a, mut u, mut conflicts) = (0, 0, Vec::new());
            for (line, row) in valid {
                if store::insert_statement(c, &row)? {
                    a += 1;
                    continue;
                }
                match store::statement(c, &row.employer, &row.statement_id)? {
                    Some(old) if old.digest == row.digest => u += 1,
                    _ => conflicts.push(RowError {
                        line,
                        statement_id: Some(row.statement_id),
                        errors: vec!["statement_id was already used for a statement with different content: send a correction under a new id".into()],
                    }),
                }
            }
            Ok((a, u, conflicts))
        })
        .await?;
    rejected.extend(conflicts);
    rejected.sort_by_key(|r| r.line);
    Ok(web::Json(UploadReport {
        year,
        accepted,
        unchanged,
        rejected,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatementView {
    pub statement_id: String,
    /// The employee's national ID, masked.
    pub employee: String,
    pub year: i32,
    #[schema(value_type = Object)]
    pub amounts: Value,
    pub received_at: NaiveDateTime,
}

/// The statements this business filed for a year (first 1,000 by statement id).
#[utoipa::path(
    tag = "tax",
    params(YearQuery),
    responses((status = 200, body = Vec<StatementView>)),
    security(("bearer" = ["kind:business", "aal:1"])),
)]
#[get("/statements")]
pub async fn list_statements(
    auth: Authorized<Business>,
    tax: web::Data<Tax>,
    query: web::Query<YearQuery>,
) -> Result<web::Json<Vec<StatementView>>, Error> {
    let year = year_ok(query.year)?;
    let employer = taxpayer(&tax, &auth)?;
    let employer_id = employer.key.trim_start_matches("business:").to_owned();
    let rows = tax
        .db()
        .run(move |c| store::statements_by_employer(c, &employer_id, year, 1000))
        .await?;
    Ok(web::Json(
        rows.into_iter()
            .map(|s| StatementView {
                statement_id: s.statement_id,
                employee: s.masked_id,
                year: s.year,
                amounts: serde_json::from_str(&s.amounts).unwrap_or(Value::Null),
                received_at: s.received_at,
            })
            .collect(),
    ))
}

// ------------------------------------------------------------------ taxpayers

async fn load_view(tax: &Tax, who: Taxpayer, year: i32) -> Result<ReturnView, Error> {
    let rules = rules_for(tax, year)?;
    let code = rules.tax.clone();
    let (row, statements) = tax
        .db()
        .transaction(move |c| {
            let st = store::statements_of(c, &who.key, year)?;
            let row = service::open_return(c, &who, &code, year, &st)?;
            Ok((row, st))
        })
        .await?;
    Ok(service::view(tax, &rules, &row, &statements))
}

/// My return for a year: pre-filled from employers' statements (each value with its
/// provenance), my entries, the computed tax with the explanation of every value, and the
/// business rules that fire now.
#[utoipa::path(
    tag = "tax",
    params(("year" = i32, Path, description = "Tax year (2000 to 2100)", minimum = 2000, maximum = 2100)),
    responses(
        (status = 200, body = ReturnView),
        (status = 403, description = "Not a taxpayer account", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No rules for the year", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Year out of range", body = egov_core::error::Problem, content_type = "application/problem+json"),
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
        load_view(&tax, who, year_ok(year.into_inner())?).await?,
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

/// Saves my entries over the pre-fill and recomputes. Inputs that do not meet their
/// declaration are refused (TAX-R0001) and nothing is saved.
#[utoipa::path(
    tag = "tax",
    params(("year" = i32, Path, description = "Tax year (2000 to 2100)", minimum = 2000, maximum = 2100)),
    request_body = EntriesInput,
    responses(
        (status = 200, body = ReturnView),
        (status = 422, description = "Inputs refused", body = egov_core::error::Problem, content_type = "application/problem+json"),
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
    let year = year_ok(year.into_inner())?;
    let rules = rules_for(&tax, year)?;
    let entries: Map<String, Value> = input
        .into_inner()
        .entries
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .collect();
    // Checked against the declarations before anything is saved.
    if let Err(errs) = rules.prepare(&entries) {
        return Err(Error::new(errors::INVALID_INPUTS).with_errors(
            errs.into_iter()
                .map(|e| FieldError {
                    pointer: format!("/entries{}", e.pointer),
                    detail: format!("TAX-R0001: {}", e.message),
                })
                .collect(),
        ));
    }
    let code = rules.tax.clone();
    let draft = Value::Object(entries).to_string();
    let w = who.clone();
    tax.db()
        .transaction(move |c| {
            let st = store::statements_of(c, &w.key, year)?;
            let row = service::open_return(c, &w, &code, year, &st)?;
            store::set_draft(c, &row.id, &draft, now_micros())
        })
        .await?;
    Ok(web::Json(load_view(&tax, who, year).await?))
}

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
        (status = 409, description = "Concurrent submission", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Rejected: rules fired", body = egov_core::error::Problem, content_type = "application/problem+json"),
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
                "required: 1 to 64 visible characters",
            )
        })?
        .to_owned();
    let who = taxpayer(&tax, &auth)?;
    let rules = rules_for(&tax, year_ok(year.into_inner())?)?;
    let actor = auth.subject.clone();
    let t = tax.get_ref().clone();
    let (ack, created) = tax
        .db()
        .transaction(move |c| service::submit(&t, c, &who, &rules, &key, &actor, None))
        .await?;
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
    pub submitted_at: NaiveDateTime,
    pub reason: Option<String>,
    pub acknowledgement: Acknowledgement,
    /// The inputs as evaluated.
    #[schema(value_type = Object)]
    pub inputs: Value,
    /// The result with its explanation, as computed then.
    pub outcome: Outcome,
}

fn version_views(rows: Vec<store::VersionRow>) -> Result<Vec<VersionView>, Error> {
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

/// Every filed version of my return for a year, oldest first (immutable history).
#[utoipa::path(
    tag = "tax",
    params(("year" = i32, Path, description = "Tax year (2000 to 2100)", minimum = 2000, maximum = 2100)),
    responses(
        (status = 200, body = Vec<VersionView>),
        (status = 422, description = "Year out of range", body = egov_core::error::Problem, content_type = "application/problem+json"),
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
    let code = rules.tax.clone();
    let rows = tax
        .db()
        .run(move |c| match store::return_of(c, &who.key, &code, year)? {
            Some(r) => store::versions(c, &r.id),
            None => Ok(Vec::new()),
        })
        .await?;
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

fn account_view(tax: &Tax, rows: Vec<LedgerRow>) -> AccountView {
    let periods = service::account(&rows, Utc::now().date_naive());
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

/// My tax account: per tax and year what was assessed, paid and refunded, the balance (owed,
/// or refund due), due dates and overdue flags, every entry, and signed payment receipts.
#[utoipa::path(
    tag = "tax",
    responses((status = 200, body = AccountView)),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[get("/me/account")]
pub async fn my_account(
    auth: Authorized<TaxpayerPolicy>,
    tax: web::Data<Tax>,
) -> Result<web::Json<AccountView>, Error> {
    let who = taxpayer(&tax, &auth)?;
    let rows = tax.db().run(move |c| store::ledger_of(c, &who.key)).await?;
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
    pub issued_at: NaiveDateTime,
    pub valid_until: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    /// Where anyone can check it.
    pub verify_url: String,
}

fn certificate_view(row: CertificateRow) -> CertificateView {
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

/// Issues a certificate as a signed document with a verification number: a tax-payment
/// certificate (refused while tax is overdue) or an income certificate for a filed year.
#[utoipa::path(
    tag = "tax",
    request_body = CertificateInput,
    responses(
        (status = 201, body = CertificateView),
        (status = 409, description = "Overdue tax, or the year is not filed", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid request", body = egov_core::error::Problem, content_type = "application/problem+json"),
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
    let settings = &tax.0.settings.tax;
    let now = now_micros();
    let today = now.date();
    let (days, rules) = match input.kind.as_str() {
        "tax_clearance" => (settings.clearance_valid_days, None),
        "income" => {
            let year = input.year.ok_or_else(|| {
                Error::invalid_field("/year", "required for an income certificate")
            })?;
            (
                settings.income_certificate_valid_days,
                Some(rules_for(&tax, year_ok(year)?)?),
            )
        }
        _ => {
            return Err(Error::invalid_field(
                "/kind",
                "must be tax_clearance or income",
            ));
        }
    };
    let t = tax.get_ref().clone();
    let kind = input.kind.clone();
    let row = tax
        .db()
        .transaction(move |c| {
            let document = match &rules {
                None => {
                    if service::arrears(c, &who.key, today)? {
                        return Err(Error::new(errors::ARREARS));
                    }
                    json!({"holder": holder_label(&who, c)?, "statement": "No national tax is overdue as of the date of issue.",
                           "as_of": today, "issuer": t.0.settings.tax.agency})
                }
                Some(rules) => {
                    let ret = store::return_of(c, &who.key, &rules.tax, rules.year)?
                        .ok_or_else(|| Error::new(errors::NOT_FILED))?;
                    let v = store::latest_version(c, &ret.id)?
                        .ok_or_else(|| Error::new(errors::NOT_FILED))?;
                    let mut d = service::income_document(rules, &v, &ret.masked_id)?;
                    d["issuer"] = json!(t.0.settings.tax.agency);
                    d
                }
            };
            let number = service::certificate_number();
            let mut doc = document;
            doc["number"] = json!(number);
            doc["kind"] = json!(kind);
            doc["issued_at"] = json!(now);
            doc["valid_until"] = json!(now + chrono::Duration::days(i64::from(days)));
            let row = CertificateRow {
                number,
                kind: kind.clone(),
                holder: who.key.clone(),
                signature: t.sign(&doc),
                document: doc.to_string(),
                issued_at: now,
                valid_until: now + chrono::Duration::days(i64::from(days)),
                revoked_at: None,
                revoke_reason: None,
            };
            store::insert_certificate(c, &row)?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Created().json(certificate_view(row)))
}

fn holder_label(who: &Taxpayer, c: &mut egov_core::DbConnection) -> Result<String, Error> {
    if let Some(b) = who.key.strip_prefix("business:") {
        return Ok(b.to_owned());
    }
    Ok(store::returns_of(c, &who.key)?
        .into_iter()
        .map(|r| r.masked_id)
        .find(|m| !m.is_empty())
        .unwrap_or_else(|| "(registered taxpayer)".into()))
}

/// My certificates, newest first.
#[utoipa::path(
    tag = "tax",
    responses((status = 200, body = Vec<CertificateView>)),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[get("/me/certificates")]
pub async fn my_certificates(
    auth: Authorized<TaxpayerPolicy>,
    tax: web::Data<Tax>,
) -> Result<web::Json<Vec<CertificateView>>, Error> {
    let who = taxpayer(&tax, &auth)?;
    let rows = tax
        .db()
        .run(move |c| store::certificates_of(c, &who.key))
        .await?;
    Ok(web::Json(rows.into_iter().map(certificate_view).collect()))
}

// ------------------------------------------------------------------ officers

fn officer_scope(tax: &Tax, p: &Principal) -> Result<(), Error> {
    p.require_agency(&tax.0.settings.tax.agency)
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
    pub returns: Vec<Value>,
    pub account: AccountView,
}

/// Finds a taxpayer by national ID or business registration number: returns and account.
/// Recorded in the access log with the purpose.
#[utoipa::path(
    tag = "tax",
    params(TaxpayerQuery),
    responses(
        (status = 200, body = TaxpayerView),
        (status = 404, description = "No such taxpayer", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:officer", "role:tax.officer", "aal:2"])),
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
    access(&tax, &req, &auth, &key, Action::View, &q.purpose, None).await?;
    let k = key.clone();
    let (returns, ledger) = tax
        .db()
        .run(move |c| Ok((store::returns_of(c, &k)?, store::ledger_of(c, &k)?)))
        .await?;
    if returns.is_empty() && ledger.is_empty() {
        return Err(Error::new(errors::TAXPAYER_NOT_FOUND));
    }
    Ok(web::Json(TaxpayerView {
        key,
        returns: returns
            .into_iter()
            .map(|r| {
                json!({"id": r.id, "tax": r.tax, "year": r.year, "status": r.status,
                             "latest_version": r.latest_version, "taxpayer": r.masked_id,
                             "payment_reference": r.payment_reference})
            })
            .collect(),
        account: account_view(&tax, ledger),
    }))
}

fn field(pointer: &str, detail: &str) -> FieldError {
    FieldError {
        pointer: pointer.to_owned(),
        detail: detail.to_owned(),
    }
}

/// The taxpayer named by exactly one of a national ID and a business registration number.
/// `at` is the JSON pointer prefix of the fields (`""` for query parameters).
fn taxpayer_key(
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
                .map_err(|e| Error::invalid_field(format!("{at}national_id"), e.to_string()))?;
            Ok(Taxpayer {
                key: tax.0.index.national_id(&nid).as_str().to_owned(),
                masked: String::new(),
            })
        }
        (None, Some(b)) => {
            let bid = pack
                .parse_business_id(b)
                .map_err(|e| Error::invalid_field(format!("{at}business_id"), e.to_string()))?;
            Ok(Taxpayer {
                key: egov_core::exchange::business_subject(bid.canonical()),
                masked: b.to_owned(),
            })
        }
        _ => Err(Error::invalid_field(
            format!("{at}national_id"),
            "give national_id or business_id",
        )),
    }
}

const ID_RULE: &str = "1 to 64 of A-Z a-z 0-9 . _ -";
const REASON_RULE: &str = "5 to 500 characters, no control characters";

/// Ids that callers choose (statements, notices, corrections, refunds): idempotency keys.
fn id_ok(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// Reasons officers give (corrections, assessments, revocations), shown to others.
fn reason_ok(reason: &str) -> bool {
    (5..=500).contains(&reason.chars().count()) && !reason.chars().any(char::is_control)
}

fn purpose_ok(p: &str) -> Result<(), Error> {
    if (3..=64).contains(&p.len())
        && p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    {
        Ok(())
    } else {
        Err(Error::invalid_field(
            "purpose",
            "3 to 64 of A-Z a-z 0-9 . _ -",
        ))
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PurposeQuery {
    /// Why: recorded in the access log.
    pub purpose: String,
}

/// A return with every version (inputs, results with explanation, acknowledgements).
/// Recorded in the access log.
#[utoipa::path(
    tag = "tax",
    params(("id" = String, Path, description = "Return id"), PurposeQuery),
    responses(
        (status = 200, body = Vec<VersionView>),
        (status = 404, description = "No such return", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:officer", "role:tax.officer", "aal:2"])),
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
    let id = id.into_inner();
    let i = id.clone();
    let ret = tax
        .db()
        .run(move |c| store::return_by_id(c, &i))
        .await?
        .ok_or_else(|| Error::new(errors::RETURN_NOT_FOUND))?;
    access(
        &tax,
        &req,
        &auth,
        &ret.taxpayer,
        Action::View,
        &query.purpose,
        Some(id.clone()),
    )
    .await?;
    let rows = tax.db().run(move |c| store::versions(c, &id)).await?;
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

/// Corrects an assessment: a new version (kind `correction`) with the officer and the reason,
/// the account adjusted by the difference. Recorded in the access log.
#[utoipa::path(
    tag = "tax",
    params(("id" = String, Path, description = "Return id")),
    request_body = CorrectionInput,
    responses(
        (status = 201, body = Acknowledgement),
        (status = 200, description = "The same correction again", body = Acknowledgement),
        (status = 404, description = "No such return", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Rejected", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:officer", "role:tax.officer", "aal:2"])),
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
    let input = input.into_inner();
    if !reason_ok(&input.reason) {
        return Err(Error::invalid_field("/reason", REASON_RULE));
    }
    if !id_ok(&input.correction_id) {
        return Err(Error::invalid_field("/correction_id", ID_RULE));
    }
    let id = id.into_inner();
    let i = id.clone();
    let ret = tax
        .db()
        .run(move |c| store::return_by_id(c, &i))
        .await?
        .ok_or_else(|| Error::new(errors::RETURN_NOT_FOUND))?;
    let rules = rules_for(&tax, ret.year)?;
    access(
        &tax,
        &req,
        &auth,
        &ret.taxpayer,
        Action::Change,
        "tax.correction",
        Some(id),
    )
    .await?;
    let who = Taxpayer {
        key: ret.taxpayer.clone(),
        masked: ret.masked_id.clone(),
    };
    let actor = auth.subject.clone();
    let t = tax.get_ref().clone();
    let (ack, created) = tax
        .db()
        .transaction(move |c| {
            service::submit(
                &t,
                c,
                &who,
                &rules,
                &format!("correction:{}", input.correction_id),
                &actor,
                Some((&input.reason, &input.changes)),
            )
        })
        .await?;
    Ok(if created {
        HttpResponse::Created().json(ack)
    } else {
        HttpResponse::Ok().json(ack)
    })
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

/// The payment provider "bank transfer": a bank settlement file, matched to returns by
/// payment reference (with its check digits). Idempotent by bank transaction id.
#[utoipa::path(
    tag = "tax",
    request_body = Vec<TransferLine>,
    responses((status = 200, body = SettlementReport)),
    security(("bearer" = ["kind:officer", "role:tax.officer", "aal:2"])),
)]
#[post("/officer/bank-transfers")]
pub async fn officer_bank_transfers(
    auth: Authorized<Officer>,
    tax: web::Data<Tax>,
    lines: web::Json<Vec<TransferLine>>,
) -> Result<web::Json<SettlementReport>, Error> {
    officer_scope(&tax, &auth)?;
    let lines = lines.into_inner();
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
            valid.push(l);
        } else {
            rejected.push(RowError {
                line: i + 1,
                statement_id: Some(l.bank_txn_id),
                errors: errs,
            });
        }
    }
    let report = tax
        .db()
        .transaction(move |c| {
            let (mut matched, mut duplicates, mut unmatched) = (0, 0, Vec::new());
            let now = now_micros();
            for l in valid {
                let ret = if service::reference_ok(&l.reference) {
                    store::return_by_reference(c, &l.reference)?
                } else {
                    None
                };
                let row = TransferRow {
                    bank_txn_id: l.bank_txn_id.clone(),
                    reference: l.reference.clone(),
                    amount: l.amount.to_string(),
                    paid_on: l.paid_on,
                    matched_return: ret.as_ref().map(|r| r.id.clone()),
                    received_at: now,
                };
                if !store::insert_transfer(c, &row)? {
                    duplicates += 1;
                    continue;
                }
                match ret {
                    Some(r) => {
                        store::insert_ledger(
                            c,
                            &LedgerRow {
                                id: uuid::Uuid::now_v7().to_string(),
                                taxpayer: r.taxpayer,
                                tax: r.tax,
                                year: r.year,
                                kind: "payment".into(),
                                amount: (-l.amount).to_string(),
                                due_date: None,
                                source: l.bank_txn_id,
                                reference: Some(l.reference),
                                note: None,
                                created_at: now,
                            },
                        )?;
                        matched += 1;
                    }
                    None => unmatched.push(l.bank_txn_id),
                }
            }
            Ok(SettlementReport {
                matched,
                duplicates,
                unmatched,
                rejected,
            })
        })
        .await?;
    Ok(web::Json(report))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundInput {
    pub return_id: String,
    /// The transfer's id at the bank (idempotency key): 1–64 of `A-Za-z0-9._-`.
    pub refund_id: String,
}

/// Pays the refund due on a return's period (balance below zero): records it on the account.
#[utoipa::path(
    tag = "tax",
    request_body = RefundInput,
    responses(
        (status = 201, body = Entry),
        (status = 409, description = "No refund due", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:officer", "role:tax.officer", "aal:2"])),
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
        return Err(Error::invalid_field("/refund_id", ID_RULE));
    }
    let rid = input.return_id.clone();
    let ret = tax
        .db()
        .run(move |c| store::return_by_id(c, &rid))
        .await?
        .ok_or_else(|| Error::new(errors::RETURN_NOT_FOUND))?;
    access(
        &tax,
        &req,
        &auth,
        &ret.taxpayer,
        Action::Change,
        "tax.refund",
        Some(ret.id.clone()),
    )
    .await?;
    let row = tax
        .db()
        .transaction(move |c| {
            if let Some(done) = store::ledger_entry(c, "refund", &input.refund_id)? {
                return Ok(done);
            }
            let period = service::account(
                &store::ledger_of(c, &ret.taxpayer)?,
                Utc::now().date_naive(),
            )
            .into_iter()
            .find(|p| p.tax == ret.tax && p.year == ret.year);
            let due = period.map(|p| -p.balance).unwrap_or_default();
            if due <= Decimal::ZERO {
                return Err(Error::new(errors::NO_REFUND_DUE));
            }
            let row = LedgerRow {
                id: uuid::Uuid::now_v7().to_string(),
                taxpayer: ret.taxpayer,
                tax: ret.tax,
                year: ret.year,
                kind: "refund".into(),
                amount: due.to_string(),
                due_date: None,
                source: input.refund_id,
                reference: Some(ret.payment_reference),
                note: None,
                created_at: now_micros(),
            };
            store::insert_ledger(c, &row)?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Created().json(Entry::from(row)))
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
    pub due_date: NaiveDate,
    /// The legal ground, shown to the taxpayer on the account: 5 to 500 characters.
    pub reason: String,
}

/// Raises an assessment outside a return (a notice: unremitted withholding, an audit
/// finding): added to the taxpayer's account for the year, payable with the year's payment
/// reference, overdue after its due date (which a tax-clearance request then reports).
/// Idempotent by `assessment_id`; recorded in the access log.
#[utoipa::path(
    tag = "tax",
    request_body = AssessmentInput,
    responses(
        (status = 201, body = Entry),
        (status = 200, description = "The same notice again", body = Entry),
        (status = 404, description = "No rules for the year", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The notice id was used for another assessment", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:officer", "role:tax.officer", "aal:2"])),
)]
#[post("/officer/assessments")]
pub async fn officer_assessment(
    auth: Authorized<Officer>,
    tax: web::Data<Tax>,
    input: web::Json<AssessmentInput>,
    req: HttpRequest,
) -> Result<HttpResponse, Error> {
    officer_scope(&tax, &auth)?;
    let input = input.into_inner();
    let mut errors = Vec::new();
    if !id_ok(&input.assessment_id) {
        errors.push(field("/assessment_id", ID_RULE));
    }
    if input.amount.is_zero()
        || input.amount.scale() > 2
        || input.amount.abs() > Decimal::from(1_000_000_000_000_000i64)
    {
        errors.push(field(
            "/amount",
            "not zero, at most two decimal places, at most 10^15",
        ));
    }
    if !reason_ok(&input.reason) {
        errors.push(field("/reason", REASON_RULE));
    }
    if NaiveDate::from_ymd_opt(input.year, 1, 1).is_none_or(|start| input.due_date < start) {
        errors.push(field("/due_date", "on or after 1 January of the tax year"));
    }
    if !errors.is_empty() {
        return Err(Error::validation(errors));
    }
    let who = taxpayer_key(
        &tax,
        input.national_id.as_deref(),
        input.business_id.as_deref(),
        "/",
    )?;
    let rules = rules_for(&tax, year_ok(input.year)?)?;
    let source = format!("notice:{}", input.assessment_id);
    access(
        &tax,
        &req,
        &auth,
        &who.key,
        Action::Change,
        "tax.assessment",
        Some(source.clone()),
    )
    .await?;
    let (code, year) = (rules.tax.clone(), rules.year);
    let (row, created) = tax
        .db()
        .transaction(move |c| {
            if let Some(done) = store::ledger_entry(c, "assessment", &source)? {
                let same = done.taxpayer == who.key
                    && done.year == year
                    && Decimal::from_str(&done.amount).ok() == Some(input.amount);
                return if same {
                    Ok((done, false))
                } else {
                    Err(Error::with_detail(
                        codes::CONFLICT,
                        "this assessment_id was used for another assessment",
                    ))
                };
            }
            let statements = store::statements_of(c, &who.key, year)?;
            let ret = service::open_return(c, &who, &code, year, &statements)?;
            let row = LedgerRow {
                id: uuid::Uuid::now_v7().to_string(),
                taxpayer: who.key.clone(),
                tax: code,
                year,
                kind: "assessment".into(),
                amount: input.amount.to_string(),
                due_date: Some(input.due_date),
                source,
                reference: Some(ret.payment_reference),
                note: Some(input.reason),
                created_at: now_micros(),
            };
            store::insert_ledger(c, &row)?;
            Ok((row, true))
        })
        .await?;
    let entry = Entry::from(row);
    Ok(if created {
        HttpResponse::Created().json(entry)
    } else {
        HttpResponse::Ok().json(entry)
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeInput {
    /// 5 to 500 characters, shown at verification as the status `revoked`.
    pub reason: String,
}

/// Revokes a certificate: verification answers `revoked` from now on.
#[utoipa::path(
    tag = "tax",
    params(("number" = String, Path, description = "Verification number")),
    request_body = RevokeInput,
    responses(
        (status = 200, body = Verification),
        (status = 404, description = "No such certificate", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already revoked", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:officer", "role:tax.officer", "aal:2"])),
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
        return Err(Error::invalid_field("/reason", REASON_RULE));
    }
    let number = number.into_inner();
    let n = number.clone();
    let row = tax
        .db()
        .run(move |c| store::certificate(c, &n))
        .await?
        .ok_or_else(|| Error::new(errors::CERTIFICATE_NOT_FOUND))?;
    access(
        &tax,
        &req,
        &auth,
        &row.holder,
        Action::Change,
        "tax.certificate.revoke",
        Some(number.clone()),
    )
    .await?;
    let row = tax
        .db()
        .transaction(move |c| {
            if !store::revoke_certificate(c, &number, &reason, now_micros())? {
                return Err(Error::new(errors::CERTIFICATE_REVOKED));
            }
            store::certificate(c, &number)?.ok_or_else(|| Error::new(errors::CERTIFICATE_NOT_FOUND))
        })
        .await?;
    Ok(web::Json(verification(&tax, &row, Utc::now().naive_utc())))
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

/// Queues filing reminders for every taxpayer with withholding statements for the year and
/// no filed return, through the notification outbox (delivered by the module's worker).
#[utoipa::path(
    tag = "tax",
    request_body = ReminderInput,
    responses((status = 200, body = ReminderReport)),
    security(("bearer" = ["kind:officer", "role:tax.officer", "aal:2"])),
)]
#[post("/officer/reminders")]
pub async fn officer_reminders(
    auth: Authorized<Officer>,
    tax: web::Data<Tax>,
    input: web::Json<ReminderInput>,
) -> Result<web::Json<ReminderReport>, Error> {
    officer_scope(&tax, &auth)?;
    let year = year_ok(input.year)?;
    let rules = rules_for(&tax, year)?;
    let due = service::due_date(&tax, &rules)
        .ok_or_else(|| Error::with_detail(codes::CONFLICT, "the rules have no filing calendar"))?;
    let code = rules.tax.clone();
    let report = tax
        .db()
        .transaction(move |c| {
            let people = store::statement_taxpayers(c, year)?;
            let now = now_micros();
            let mut queued = 0;
            let mut pending = 0;
            for p in people {
                let filed =
                    store::return_of(c, &p, &code, year)?.is_some_and(|r| r.latest_version > 0);
                if filed {
                    continue;
                }
                pending += 1;
                let row = store::NotificationRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    dedup: format!("due:{code}:{year}:{p}:{}", now.date()),
                    channel: "email".into(),
                    recipient: p,
                    template: "tax.filing_due".into(),
                    payload: json!({"tax": code, "year": year, "due": due}).to_string(),
                    status: "queued".into(),
                    attempts: 0,
                    next_at: now,
                    sent_at: None,
                    last_error: None,
                    created_at: now,
                };
                if store::queue_notification(c, &row)? {
                    queued += 1;
                }
            }
            Ok(ReminderReport {
                queued,
                taxpayers: pending,
            })
        })
        .await?;
    Ok(web::Json(report))
}

//! Employers' withholding statements (bulk, idempotent).

use super::{taxpayer, year_ok};
use crate::http::officers::id_ok;
use crate::service::statements;
use crate::store::StatementRow;
use crate::{Tax, errors};
use actix_web::{HttpRequest, get, post, web};
use chrono::NaiveDateTime;
use egov_auth::Authorized;
use egov_auth::principal::policies::Business;
use egov_core::Error;
use egov_core::request::RawBody;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

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
    /// New statements stored (counted, or held for review).
    pub accepted: usize,
    /// Of those, held for an officer's review (outliers by the year's `[statements]` rules):
    /// not counted in the employee's return until an officer counts them.
    pub held: usize,
    /// Statements already received with the same content (idempotent re-upload).
    pub unchanged: usize,
    /// Invalid rows, by line; nothing of them was stored.
    pub rejected: Vec<RowError>,
}

/// One uploaded row as a statement; an error names the field (`wages: invalid type: null,
/// expected a string`).
fn statement(row: Value) -> Result<StatementInput, String> {
    serde_path_to_error::deserialize(row).map_err(|e| match e.path().to_string().as_str() {
        "." => e.inner().to_string(),
        path => format!("{path}: {}", e.inner()),
    })
}

pub(crate) const CSV_HEADER: [&str; 7] = [
    "statement_id",
    "national_id",
    "wages",
    "withheld_income_tax",
    "withheld_local_tax",
    "pension_contributions",
    "insurance_premiums",
];

egov_core::problems!(UploadStatementsErrors:
    crate::errors::BAD_UPLOAD,
    crate::errors::NOT_A_TAXPAYER,
    crate::errors::NOT_A_WITHHOLDING_AGENT,
    crate::errors::NO_RULES,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Employers' withholding statements for a year, in bulk (registered withholding agents only:
/// an officer registers the employer at `POST /tax/v1/officer/withholding-agents`): `text/csv` with the header
/// `statement_id,national_id,wages,withheld_income_tax,withheld_local_tax,pension_contributions,insurance_premiums`,
/// or a JSON list of statements. Idempotent by statement id; invalid rows are reported by
/// line and valid rows kept.
#[utoipa::path(
    tag = "tax",
    params(YearQuery),
    request_body(content = Vec<StatementInput>, description = "JSON list, or text/csv with the header above"),
    responses(
        (status = 200, body = UploadReport),
        UploadStatementsErrors,
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
    // Only a registered withholding agent (an employer an officer registered) may write into
    // people's tax records.
    if !statements::is_agent(&tax, employer_id.clone()).await? {
        return Err(Error::new(errors::NOT_A_WITHHOLDING_AGENT));
    }
    let rules = super::rules_for(&tax, year)?;
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
                        statement(Value::Object(v))
                    }),
                )
            })
            .collect()
    } else {
        let list: Vec<Value> = serde_json::from_slice(&body.0)
            .map_err(|e| Error::with_detail(errors::BAD_UPLOAD, format!("not a JSON list: {e}")))?;
        list.into_iter()
            .enumerate()
            .map(|(i, v)| (i + 1, statement(v)))
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
    let now = tax.now();
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
            amounts.insert(name, v.unwrap_or_default().normalize());
        }
        errs.extend(rules.statements.problems(&amounts, u32::from(minor)));
        let held = rules.statements.held(amounts["wages"]);
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
                        status: if held { "held" } else { "counted" }.into(),
                        note: held.then(|| {
                            format!(
                                "held for review: wages of at least {} ({})",
                                rules.statements.hold_wages_from.unwrap_or_default(),
                                rules.statements.cite
                            )
                        }),
                        reviewed_by: None,
                        reviewed_at: None,
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
    let stored = statements::store_statements(&tax, valid).await?;
    let conflicts = stored.conflicts.into_iter().map(|(line, id)| RowError {
        line,
        statement_id: Some(id),
        errors: vec!["statement_id was already used for a statement with different content: send a correction under a new id".into()],
    });
    rejected.extend(conflicts);
    rejected.sort_by_key(|r| r.line);
    Ok(web::Json(UploadReport {
        year,
        accepted: stored.accepted,
        held: stored.held,
        unchanged: stored.unchanged,
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
    #[serde(serialize_with = "egov_core::dates::utc")]
    pub received_at: NaiveDateTime,
}

egov_core::problems!(ListStatementsErrors:
    crate::errors::NOT_A_TAXPAYER,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// The statements this business filed for a year (first 1,000 by statement id).
#[utoipa::path(
    tag = "tax",
    params(YearQuery),
    responses(
        (status = 200, body = Vec<StatementView>),
        ListStatementsErrors,
    ),
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
    let rows = statements::filed_by(&tax, employer_id, year, 1000).await?;
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

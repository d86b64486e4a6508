//! Services other agencies call through the exchange (signed, logged, consent-checked):
//!
//! - `tax-clearance` (for procurement): does this business owe overdue tax today? A yes/no
//!   attestation with an expiry, no amounts. Subject: the business; its consent (given from
//!   the business account) is required.
//! - `income-certificate` (for petitions): a person's income and determined tax for a filed
//!   year. Subject: the person; their consent is required.
//! - `withholding-agent-registration`: the agency that keeps the employer register (or an
//!   employment-insurance agency) registers a business as a withholding agent, so that it may
//!   file withholding statements. By statute (no consent); only granted clients may call it.

use crate::errors;
use std::sync::Arc;

use egov_core::exchange::{
    Basis, Item, LogMode, ServiceCall, ServiceDef, ServiceError, SubjectKind,
};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::store;

fn internal(e: egov_core::Error) -> ServiceError {
    tracing::error!(error = %e.problem().code, "tax exchange service failed");
    ServiceError::coded(errors::SERVICE_FAILED, "the tax service could not answer")
}

async fn clearance(call: ServiceCall) -> Result<Value, ServiceError> {
    let subject = call
        .subject
        .clone()
        .ok_or_else(|| ServiceError::coded(errors::NO_SUBJECT, "no business named"))?;
    let today = call.at.date();
    let s = subject.clone();
    let arrears = call
        .db
        .run(move |c| crate::service::arrears(c, &s, today))
        .await
        .map_err(internal)?;
    let business = subject.trim_start_matches("business:").to_owned();
    Ok(json!({
        "business_id": business,
        "arrears": arrears,
        "as_of": today,
        "valid_until": today + chrono::Duration::days(1),
    }))
}

async fn income(call: ServiceCall) -> Result<Value, ServiceError> {
    let subject = call
        .subject
        .clone()
        .ok_or_else(|| ServiceError::coded(errors::NO_SUBJECT, "no person named"))?;
    let year = call
        .payload
        .get("year")
        .and_then(Value::as_i64)
        .and_then(|y| i32::try_from(y).ok())
        .ok_or_else(|| ServiceError::coded(errors::NO_YEAR, "year is required"))?;
    let found = call
        .db
        .run(move |c| {
            let returns = store::returns_of(c, &subject)?;
            let Some(r) = returns
                .into_iter()
                .find(|r| r.year == year && r.latest_version > 0)
            else {
                return Ok(None);
            };
            store::latest_version(c, &r.id)
        })
        .await
        .map_err(internal)?
        .ok_or_else(|| {
            ServiceError::new(
                404,
                errors::NOT_FILED.code,
                "no return is filed for this person and year",
            )
        })?;
    let ack: Value = serde_json::from_str(&found.acknowledgement).unwrap_or(Value::Null);
    let outcome: crate::domain::Outcome = serde_json::from_str(&found.outcome)
        .map_err(|_| ServiceError::coded(errors::SERVICE_FAILED, "stored result unreadable"))?;
    // The pack's own names for income and tax are in the acknowledgement's amounts; the
    // certificate fields are fixed names so that clients do not depend on a pack.
    let pick = |names: &[&str]| -> Option<Decimal> {
        names.iter().find_map(|n| outcome.values.get(*n).copied())
    };
    Ok(json!({
        "year": year,
        "total_income": pick(&["wages", "gross_income"]).map(crate::domain::eval::to_json),
        "determined_tax": pick(&["total_tax", "irp"]).map(crate::domain::eval::to_json),
        "return_version": found.version,
        "filed_at": found.submitted_at,
        "submission_id": ack.get("submission_id").cloned().unwrap_or(Value::Null),
    }))
}

async fn register_agent(call: ServiceCall) -> Result<Value, ServiceError> {
    let subject = call
        .subject
        .clone()
        .ok_or_else(|| ServiceError::coded(errors::NO_SUBJECT, "no business named"))?;
    let business = subject.trim_start_matches("business:").to_owned();
    let row = store::AgentRow {
        business_id: business.clone(),
        registered_by: format!("exchange:{}", call.client),
        registered_at: call.at,
        revoked_at: None,
    };
    let at = row.registered_at;
    call.db
        .run(move |c| store::register_agent(c, &row))
        .await
        .map_err(internal)?;
    Ok(json!({"business_id": business, "registered": true, "registered_at": at.and_utc()}))
}

pub fn services() -> Vec<ServiceDef> {
    vec![
        ServiceDef {
            module: crate::NAME,
            code: "tax-clearance",
            version: "v1",
            title: "Tax clearance of a business",
            description: "Whether the business owes overdue national tax today (a signed yes/no \
                          attestation with an expiry; no amounts). Used by procurement.",
            request_schema: json!({
                "type": "object",
                "properties": {"business_id": {"type": "string", "minLength": 1, "maxLength": 32}},
                "required": ["business_id"],
                "additionalProperties": false
            }),
            items: vec![
                Item {
                    name: "business_id",
                    description: "The business asked about",
                    legal_basis: "National Tax Collection Act art. 107",
                },
                Item {
                    name: "arrears",
                    description: "Whether tax is overdue",
                    legal_basis: "National Tax Collection Act art. 107",
                },
                Item {
                    name: "as_of",
                    description: "The date of the answer",
                    legal_basis: "National Tax Collection Act art. 107",
                },
                Item {
                    name: "valid_until",
                    description: "Until when the answer may be relied on",
                    legal_basis: "National Tax Collection Act art. 107",
                },
            ],
            subject: Some("/business_id"),
            subject_kind: SubjectKind::Business,
            basis: Basis::Consent,
            log: LogMode::Full,
            handler: Arc::new(clearance),
        },
        ServiceDef {
            module: crate::NAME,
            code: "income-certificate",
            version: "v1",
            title: "A person's income for a filed year",
            description: "Total income and determined tax from the person's latest filed return \
                          for the year (income certificate, 소득금액증명). Used by petitions.",
            request_schema: json!({
                "type": "object",
                "properties": {
                    "national_id": {"type": "string", "minLength": 1, "maxLength": 32},
                    "year": {"type": "integer", "minimum": 2000, "maximum": 2100}
                },
                "required": ["national_id", "year"],
                "additionalProperties": false
            }),
            items: vec![
                Item {
                    name: "year",
                    description: "Tax year",
                    legal_basis: "Framework Act on National Taxes art. 81-13",
                },
                Item {
                    name: "total_income",
                    description: "Total income",
                    legal_basis: "Framework Act on National Taxes art. 81-13",
                },
                Item {
                    name: "determined_tax",
                    description: "Tax determined",
                    legal_basis: "Framework Act on National Taxes art. 81-13",
                },
                Item {
                    name: "return_version",
                    description: "Version of the return",
                    legal_basis: "Framework Act on National Taxes art. 81-13",
                },
                Item {
                    name: "filed_at",
                    description: "When it was filed",
                    legal_basis: "Framework Act on National Taxes art. 81-13",
                },
                Item {
                    name: "submission_id",
                    description: "The acknowledgement id",
                    legal_basis: "Framework Act on National Taxes art. 81-13",
                },
            ],
            subject: Some("/national_id"),
            subject_kind: SubjectKind::Person,
            basis: Basis::Consent,
            log: LogMode::Metadata,
            handler: Arc::new(income),
        },
        ServiceDef {
            module: crate::NAME,
            code: "withholding-agent-registration",
            version: "v1",
            title: "Register a business as a withholding agent",
            description: "The agency that keeps the employer register registers a business as an \
                          employer, so that it may file withholding statements with the tax \
                          module. Only clients with a grant may call it.",
            request_schema: json!({
                "type": "object",
                "properties": {"business_id": {"type": "string", "minLength": 1, "maxLength": 32}},
                "required": ["business_id"],
                "additionalProperties": false
            }),
            items: vec![
                Item {
                    name: "business_id",
                    description: "The business registered",
                    legal_basis: "Income Tax Act art. 127 (withholding agents)",
                },
                Item {
                    name: "registered",
                    description: "Always true",
                    legal_basis: "Income Tax Act art. 127 (withholding agents)",
                },
                Item {
                    name: "registered_at",
                    description: "When",
                    legal_basis: "Income Tax Act art. 127 (withholding agents)",
                },
            ],
            subject: Some("/business_id"),
            subject_kind: SubjectKind::Business,
            basis: Basis::Statute(
                "Income Tax Act art. 127: employers withhold and report; the employer register \
                 is kept by the registering agency",
            ),
            log: LogMode::Full,
            handler: Arc::new(register_agent),
        },
    ]
}

//! Public tax routes: rules, calculator, filing calendar, keys and certificate verification.

use super::{rules_for, year_ok};
use crate::domain::rules::InputType;
use crate::domain::{Outcome, RuleSet};
use crate::service::{self};
use crate::{Tax, errors};
use actix_web::{get, post, web};
use chrono::NaiveDate;
use egov_core::Error;
use egov_core::error::FieldError;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct RulesSummary {
    pub tax: String,
    pub year: i32,
    pub title: String,
    pub currency: String,
    /// Decimal places money inputs may have (the currency's minor units).
    pub minor_units: u32,
    pub law: String,
    /// The files the rules are read from: the ones a year's file extends first.
    pub files: Vec<String>,
    /// SHA-256 of the rules file (of every file, when it extends others): with the engine
    /// version, what reproduces a result.
    pub rules_hash: String,
    pub engine_version: String,
}

pub(crate) fn summary(r: &RuleSet) -> RulesSummary {
    RulesSummary {
        tax: r.tax.clone(),
        year: r.year,
        title: r.title.clone(),
        currency: r.currency.clone(),
        minor_units: r.minor_units,
        law: r.law.clone(),
        files: r
            .files
            .iter()
            .map(|f| {
                f.file_name()
                    .map_or_else(|| f.display().to_string(), |n| n.to_string_lossy().into())
            })
            .collect(),
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
    /// Inputs: name, type (`money`, `count`, `number`, `flag`, `choice` or `people`),
    /// description, citation; a choice's `choices`; people's `relations`, `flags`, `fields`
    /// (each person's own amounts, by type) and `max_people`.
    #[schema(value_type = Vec<Object>)]
    pub inputs: Vec<Value>,
    /// Values in evaluation order: name, label, building block, citation, and the file and
    /// line where it is written.
    #[schema(value_type = Vec<Object>)]
    pub values: Vec<Value>,
}

egov_core::problems!(ShowRulesErrors:
    crate::errors::NO_RULES,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// A year's rules: every input and value with its citation (the law as the engine applies it).
#[utoipa::path(
    tag = "tax",
    params(("year" = i32, Path, description = "Tax year (2000 to 2100)", minimum = 2000, maximum = 2100)),
    responses(
        (status = 200, body = RulesDetail),
        ShowRulesErrors,
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
                let mut v = json!({"name": i.name, "type": i.ty.as_str(),
                    "description": i.description, "cite": i.cite, "monthly": i.monthly});
                if i.ty == InputType::Choice {
                    v["choices"] = json!(i.choices);
                    v["default"] = json!(i.choices.get(i.default.to_usize().unwrap_or(0)));
                } else if i.ty == InputType::People {
                    v["relations"] = json!(i.relations);
                    v["flags"] = json!(i.flags);
                    v["fields"] = i
                        .fields
                        .iter()
                        .map(|(f, t)| (f.clone(), json!(t.as_str())))
                        .collect::<Map<String, Value>>()
                        .into();
                    v["max_people"] = json!(i.max_people);
                } else {
                    v["default"] = crate::domain::eval::to_json(i.default);
                }
                v
            })
            .collect(),
        values: r
            .nodes
            .iter()
            .map(|n| {
                let file = r.files.get(n.file).and_then(|f| f.file_name());
                json!({"name": n.name, "label": n.label, "rule": n.op.kind(), "cite": n.cite,
                       "file": file.map(|f| f.to_string_lossy()), "line": n.line})
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

egov_core::problems!(CalculateErrors:
    crate::errors::NO_RULES,
    crate::errors::INVALID_INPUTS,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Computes a return from inputs, with the explanation of every number, storing nothing.
#[utoipa::path(
    tag = "tax",
    params(("year" = i32, Path, description = "Tax year (2000 to 2100)", minimum = 2000, maximum = 2100)),
    request_body = CalculateInput,
    responses(
        (status = 200, body = Outcome),
        CalculateErrors,
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
                    detail: e.message.prefixed("TAX-R0001: "),
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

egov_core::problems!(CalendarErrors:
    crate::errors::NO_RULES,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// The filing calendar of a tax year.
#[utoipa::path(
    tag = "tax",
    params(("year" = i32, Path, description = "Tax year (2000 to 2100)", minimum = 2000, maximum = 2100)),
    responses(
        (status = 200, body = Vec<DueDate>),
        CalendarErrors,
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
#[utoipa::path(tag = "tax", responses((status = 200, body = egov_core::jwk::JwkSet)), security(()))]
#[get("/keys")]
pub async fn keys(tax: web::Data<Tax>) -> web::Json<egov_core::jwk::JwkSet> {
    web::Json(egov_core::jwk::JwkSet {
        keys: tax
            .0
            .public_keys
            .iter()
            .map(|(kid, x)| egov_core::jwk::Jwk::ed25519(kid.clone(), x.clone()))
            .collect(),
    })
}

pub use crate::service::certificates::Verification;

egov_core::problems!(VerifyCertificateErrors:
    crate::errors::CERTIFICATE_NOT_FOUND,
);

/// Public verification by issuance number: authenticity and validity, showing no more than
/// the certificate itself. Available for `tax.verification_days` after issue.
#[utoipa::path(
    tag = "tax",
    params(("number" = String, Path, description = "Verification number, 0000-0000-0000-0000")),
    responses(
        (status = 200, body = Verification),
        VerifyCertificateErrors,
    ),
    security(()),
)]
#[get("/certificates/{number}/verify")]
pub async fn verify_certificate(
    tax: web::Data<Tax>,
    number: web::Path<String>,
) -> Result<web::Json<Verification>, Error> {
    Ok(web::Json(
        crate::service::certificates::verify(&tax, &number).await?,
    ))
}

pub(crate) use crate::service::certificates::verification;

//! Who may write into a person's tax record, and what the person can do about it: officers
//! register withholding agents (employers); a statement counts in the employee's pre-filled
//! return unless it is an outlier (held) or the employee disputes it; held and disputed
//! statements go to the officers' review list, where an officer counts or voids them.

use super::officers::{REASON_RULE, field, officer_scope, reason_ok};
use super::{Officer, TaxpayerPolicy, reader, taxpayer, year_ok};
use crate::Tax;
use crate::service::{StatementSource, statements};
use crate::store::AgentRow;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::NaiveDateTime;
use egov_auth::Authorized;
use egov_core::Error;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentInput {
    /// The employer's business registration number.
    pub business_id: String,
}

/// A registered withholding agent.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgentView {
    pub business_id: String,
    pub registered_by: String,
    pub registered_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

impl From<AgentRow> for AgentView {
    fn from(a: AgentRow) -> Self {
        Self {
            business_id: a.business_id,
            registered_by: a.registered_by,
            registered_at: a.registered_at,
            revoked_at: a.revoked_at,
        }
    }
}

fn business_id(tax: &Tax, raw: &str) -> Result<String, Error> {
    tax.0
        .packs
        .active()
        .parse_business_id(raw)
        .map(|b| b.canonical().to_owned())
        .map_err(|e| Error::invalid_field("/business_id", e.text()))
}

egov_core::problems!(RegisterAgentErrors:
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Register a business as a withholding agent (an employer): from now on it may file
/// withholding statements. Registering again lifts a revocation.
#[utoipa::path(
    tag = "tax",
    request_body = AgentInput,
    responses(
        (status = 200, body = AgentView),
        RegisterAgentErrors,
    ),
    security(("bearer" = ["kind:officer", "role:tax.officer", "aal:2", "agency:tax.agency"])),
)]
#[post("/officer/withholding-agents")]
pub async fn register_agent(
    auth: Authorized<Officer>,
    tax: web::Data<Tax>,
    input: web::Json<AgentInput>,
) -> Result<web::Json<AgentView>, Error> {
    officer_scope(&tax, &auth)?;
    let row = AgentRow {
        business_id: business_id(&tax, &input.business_id)?,
        registered_by: auth.subject.clone(),
        registered_at: tax.now(),
        revoked_at: None,
    };
    statements::register_agent(&tax, row.clone()).await?;
    Ok(web::Json(AgentView::from(row)))
}

egov_core::problems!(RevokeAgentErrors:
    crate::errors::TAXPAYER_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Revoke a withholding agent: its further statements are refused (those filed stay).
#[utoipa::path(
    tag = "tax",
    params(("business_id" = String, Path, description = "Business registration number")),
    responses(
        (status = 204, description = "Revoked"),
        RevokeAgentErrors,
    ),
    security(("bearer" = ["kind:officer", "role:tax.officer", "aal:2", "agency:tax.agency"])),
)]
#[post("/officer/withholding-agents/{business_id}/revoke")]
pub async fn revoke_agent(
    auth: Authorized<Officer>,
    tax: web::Data<Tax>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    officer_scope(&tax, &auth)?;
    statements::revoke_agent(&tax, business_id(&tax, &path)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A statement waiting for an officer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewItem {
    /// The employee's subject key (use it in other officer calls) and masked national ID.
    pub taxpayer: String,
    pub employee: String,
    pub year: i32,
    #[serde(flatten)]
    pub statement: StatementSource,
}

/// Statements waiting for an officer: outliers held by the year's rules, and statements the
/// employee disputed (oldest first, at most 200).
#[utoipa::path(
    tag = "tax",
    responses((status = 200, body = [ReviewItem])),
    security(("bearer" = ["kind:officer", "role:tax.officer", "aal:2", "agency:tax.agency"])),
)]
#[get("/officer/statement-reviews")]
pub async fn statement_reviews(
    auth: Authorized<Officer>,
    tax: web::Data<Tax>,
) -> Result<web::Json<Vec<ReviewItem>>, Error> {
    officer_scope(&tax, &auth)?;
    let rows = statements::to_review(&tax, 200).await?;
    Ok(web::Json(
        rows.iter()
            .map(|s| ReviewItem {
                taxpayer: s.taxpayer.clone(),
                employee: s.masked_id.clone(),
                year: s.year,
                statement: StatementSource::from(s),
            })
            .collect(),
    ))
}

/// What an officer decides about a held or disputed statement.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// It stands: counted in the employee's return.
    Count,
    /// It is wrong: never counted.
    Void,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveInput {
    pub decision: Resolution,
    /// Why: 5 to 500 characters, shown to the employee.
    pub reason: String,
}

egov_core::problems!(ResolveStatementErrors:
    crate::errors::STATEMENT_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Resolve a held or disputed statement: count it or void it, with the reason (recorded on
/// the employee's access log).
#[utoipa::path(
    tag = "tax",
    params(("id" = String, Path, description = "Statement id")),
    request_body = ResolveInput,
    responses(
        (status = 200, body = StatementSource),
        ResolveStatementErrors,
    ),
    security(("bearer" = ["kind:officer", "role:tax.officer", "aal:2", "agency:tax.agency"])),
)]
#[post("/officer/statements/{id}/resolve")]
pub async fn resolve_statement(
    auth: Authorized<Officer>,
    tax: web::Data<Tax>,
    id: web::Path<String>,
    input: web::Json<ResolveInput>,
    req: HttpRequest,
) -> Result<web::Json<StatementSource>, Error> {
    officer_scope(&tax, &auth)?;
    let input = input.into_inner();
    if !reason_ok(&input.reason) {
        return Err(Error::validation(vec![field("/reason", REASON_RULE)]));
    }
    let to = match input.decision {
        Resolution::Count => "counted",
        Resolution::Void => "void",
    };
    let updated = statements::resolve(
        &tax,
        &reader(&tax, &req, &auth),
        id.into_inner(),
        to,
        input.reason,
    )
    .await?;
    Ok(web::Json(StatementSource::from(&updated)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StatementsQuery {
    /// Tax year.
    pub year: i32,
}

egov_core::problems!(MyStatementsErrors:
    crate::errors::NOT_A_TAXPAYER,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// The withholding statements filed about me for a year, each flagged (counted, held,
/// disputed, void).
#[utoipa::path(
    tag = "tax",
    params(StatementsQuery),
    responses(
        (status = 200, body = [StatementSource]),
        MyStatementsErrors,
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[get("/me/statements")]
pub async fn my_statements(
    auth: Authorized<TaxpayerPolicy>,
    tax: web::Data<Tax>,
    query: web::Query<StatementsQuery>,
) -> Result<web::Json<Vec<StatementSource>>, Error> {
    let year = year_ok(query.year)?;
    let who = taxpayer(&tax, &auth)?;
    let rows = statements::about(&tax, who.key, year).await?;
    Ok(web::Json(rows.iter().map(StatementSource::from).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputeInput {
    /// What is wrong (I never worked there, the amounts are wrong, …): 5 to 500 characters.
    pub reason: String,
}

egov_core::problems!(DisputeStatementErrors:
    crate::errors::NOT_A_TAXPAYER,
    crate::errors::STATEMENT_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Dispute a statement filed about me: it stops counting in my pre-filled return and goes to
/// a tax officer's review list.
#[utoipa::path(
    tag = "tax",
    params(("id" = String, Path, description = "Statement id")),
    request_body = DisputeInput,
    responses(
        (status = 200, body = StatementSource),
        DisputeStatementErrors,
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[post("/me/statements/{id}/dispute")]
pub async fn dispute_statement(
    auth: Authorized<TaxpayerPolicy>,
    tax: web::Data<Tax>,
    id: web::Path<String>,
    input: web::Json<DisputeInput>,
) -> Result<web::Json<StatementSource>, Error> {
    let reason = input.into_inner().reason;
    if !reason_ok(&reason) {
        return Err(Error::validation(vec![field("/reason", REASON_RULE)]));
    }
    let who = taxpayer(&tax, &auth)?;
    let updated = statements::dispute(&tax, who.key, id.into_inner(), reason).await?;
    Ok(web::Json(StatementSource::from(&updated)))
}

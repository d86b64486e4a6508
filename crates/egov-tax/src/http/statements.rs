//! Who may write into a person's tax record, and what the person can do about it: officers
//! register withholding agents (employers); a statement counts in the employee's pre-filled
//! return unless it is an outlier (held) or the employee disputes it; held and disputed
//! statements go to the officers' review list, where an officer counts or voids them.

use super::officers::{field, officer_scope, reason_ok, reason_rule};
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
    #[serde(serialize_with = "egov_core::dates::utc")]
    pub registered_at: NaiveDateTime,
    #[serde(serialize_with = "egov_core::dates::utc_opt")]
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

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EmployersQuery {
    /// Tax year.
    pub year: i32,
    /// The last business number of the previous page.
    pub after: Option<String>,
}

/// The statements one employer filed for a year, by status (no employee named).
#[derive(Debug, Serialize, ToSchema)]
pub struct EmployerView {
    pub business_id: String,
    pub counted: i64,
    pub held: i64,
    pub disputed: i64,
    pub void: i64,
    #[serde(serialize_with = "egov_core::dates::utc_opt")]
    pub last_received: Option<NaiveDateTime>,
    /// `registered`, `revoked`, or `unregistered`.
    pub agent: String,
}

impl From<statements::EmployerSummary> for EmployerView {
    fn from(e: statements::EmployerSummary) -> Self {
        Self {
            agent: match &e.agent {
                Some(a) if a.revoked_at.is_some() => "revoked",
                Some(_) => "registered",
                None => "unregistered",
            }
            .to_owned(),
            business_id: e.business_id,
            counted: e.counted,
            held: e.held,
            disputed: e.disputed,
            void: e.void,
            last_received: e.last_received,
        }
    }
}

/// Employers per page of [`employers`].
pub const EMPLOYERS_PAGE: i64 = 50;

pub(crate) fn after_ok(after: Option<String>) -> Result<Option<String>, Error> {
    match after {
        Some(a) if a.len() > 64 || a.chars().any(char::is_control) => Err(Error::invalid_field(
            "after",
            egov_core::text!(
                "detail-tax-after",
                "at most 64 characters, no control characters"
            ),
        )),
        a => Ok(a),
    }
}

egov_core::problems!(EmployersErrors:
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Statements received for a year per employer (withholding agent): how many count in the
/// employees' returns, are held, disputed or void, and the last received; 50 employers a
/// page by business number (`after` the last one).
#[utoipa::path(
    tag = "tax",
    params(EmployersQuery),
    responses(
        (status = 200, body = [EmployerView]),
        EmployersErrors,
    ),
    security(("bearer" = ["kind:officer", "role:tax.officer", "aal:2", "agency:tax.agency"])),
)]
#[get("/officer/employers")]
pub async fn employers(
    auth: Authorized<Officer>,
    tax: web::Data<Tax>,
    query: web::Query<EmployersQuery>,
) -> Result<web::Json<Vec<EmployerView>>, Error> {
    officer_scope(&tax, &auth)?;
    let q = query.into_inner();
    let year = year_ok(q.year)?;
    let rows = statements::per_employer(&tax, year, after_ok(q.after)?, EMPLOYERS_PAGE).await?;
    Ok(web::Json(
        rows.into_iter().map(EmployerView::from).collect(),
    ))
}

/// A statement as an officer reads it: the employee (masked), employer and amounts.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatementDetail {
    pub taxpayer: String,
    pub employee: String,
    pub year: i32,
    #[serde(flatten)]
    pub statement: StatementSource,
}

egov_core::problems!(ReadStatementErrors:
    crate::errors::STATEMENT_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// One statement, read with a purpose (recorded on the employee's access log).
#[utoipa::path(
    tag = "tax",
    params(("id" = String, Path, description = "Statement id"), super::officers::PurposeQuery),
    responses(
        (status = 200, body = StatementDetail),
        ReadStatementErrors,
    ),
    security(("bearer" = ["kind:officer", "role:tax.officer", "aal:2", "agency:tax.agency"])),
)]
#[get("/officer/statements/{id}")]
pub async fn read_statement(
    auth: Authorized<Officer>,
    tax: web::Data<Tax>,
    id: web::Path<String>,
    query: web::Query<super::officers::PurposeQuery>,
    req: HttpRequest,
) -> Result<web::Json<StatementDetail>, Error> {
    officer_scope(&tax, &auth)?;
    super::officers::purpose_ok(&query.purpose)?;
    let s = statements::read(
        &tax,
        &reader(&tax, &req, &auth),
        id.into_inner(),
        &query.purpose,
    )
    .await?;
    Ok(web::Json(StatementDetail {
        taxpayer: s.taxpayer.clone(),
        employee: s.masked_id.clone(),
        year: s.year,
        statement: StatementSource::from(&s),
    }))
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
        return Err(Error::validation(vec![field("/reason", reason_rule())]));
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
        return Err(Error::validation(vec![field("/reason", reason_rule())]));
    }
    let who = taxpayer(&tax, &auth)?;
    let updated = statements::dispute(&tax, who.key, id.into_inner(), reason).await?;
    Ok(web::Json(StatementSource::from(&updated)))
}

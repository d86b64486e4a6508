//! Officers' work lists and deadline views (keyset pages).

use super::Officer;
use crate::Petition;
use crate::service::views::CaseSummary;
use crate::service::views::summary;
use crate::service::worklist;
use actix_web::{get, web};
use chrono::NaiveDateTime;
use egov_auth::Authorized;
use egov_core::Error;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub(crate) use crate::service::worklist::agency_of as officer_agency;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct WorkQuery {
    /// `all` (default), `mine` (assigned to me), `unassigned`, `due_soon` (clock running, due
    /// within the pack's "due soon" working hours), `overdue` (clock running, past due) or
    /// `escalated` (up the pack's ladder at least to the step of my role).
    #[param(pattern = "^(all|mine|unassigned|due_soon|overdue|escalated)$")]
    pub view: Option<String>,
    /// Only this status (default: every open status).
    pub status: Option<String>,
    pub service: Option<String>,
    /// Officer account id.
    pub assignee: Option<String>,
    /// Only cases due before this time (UTC, `YYYY-MM-DDTHH:MM:SS`).
    pub due_before: Option<NaiveDateTime>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
    /// Page size, 1 to the configured maximum (default 50).
    #[param(minimum = 1)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkPage {
    pub items: Vec<CaseSummary>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

egov_core::problems!(WorkListErrors:
    egov_core::error::codes::FORBIDDEN,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// The agency's work list by due time (earliest first): a view (mine, unassigned, due soon,
/// overdue) filtered by status, service, assignee and due time, in pages (keyset cursor).
/// Shows no applicant data (not logged).
#[utoipa::path(
    tag = "petition",
    params(WorkQuery),
    responses(
        (status = 200, body = WorkPage),
        WorkListErrors,
    ),
    security(("bearer" = ["kind:officer", "role:petition.officer", "aal:2"])),
)]
#[get("/officer/cases")]
pub async fn work_list(
    auth: Authorized<Officer>,
    p: web::Data<Petition>,
    query: web::Query<WorkQuery>,
) -> Result<web::Json<WorkPage>, Error> {
    let q = query.into_inner();
    let page = worklist::work_page(
        &p,
        &auth,
        worklist::WorkRequest {
            view: q.view,
            status: q.status,
            service: q.service,
            assignee: q.assignee,
            due_before: q.due_before,
            after: q.after,
            limit: q.limit,
        },
    )
    .await?;
    let now = p.now();
    Ok(web::Json(WorkPage {
        next: page.next,
        items: page.rows.iter().map(|r| summary(r, now)).collect(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeadlineQuery {
    /// `overdue` or `due_soon` (within the pack's working hours).
    pub kind: String,
}

egov_core::problems!(DeadlinesErrors:
    egov_core::error::codes::CALENDAR_NOT_COVERED,
    egov_core::error::codes::FORBIDDEN,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// The agency's overdue cases, or those due within the pack's "due soon" working hours
/// (clock running; paused cases are not counted), earliest first (at most 500).
#[utoipa::path(
    tag = "petition",
    params(DeadlineQuery),
    responses(
        (status = 200, body = Vec<CaseSummary>),
        DeadlinesErrors,
    ),
    security(("bearer" = ["kind:officer", "role:petition.officer", "aal:2"])),
)]
#[get("/officer/deadlines")]
pub async fn deadlines(
    auth: Authorized<Officer>,
    p: web::Data<Petition>,
    query: web::Query<DeadlineQuery>,
) -> Result<web::Json<Vec<CaseSummary>>, Error> {
    let agency = officer_agency(&auth)?;
    let now = p.now();
    let (from, to) = match query.kind.as_str() {
        "overdue" => (None, now),
        "due_soon" => (
            Some(now),
            p.clock()
                .horizon(now, p.catalogue().policy.due_soon_working_hours)?,
        ),
        _ => return Err(Error::invalid_field("kind", "overdue or due_soon")),
    };
    let rows = worklist::due_before(&p, agency, to, 500).await?;
    Ok(web::Json(
        rows.iter()
            .filter(|r| from.is_none_or(|f| r.due_at.is_some_and(|d| d >= f)))
            .map(|r| summary(r, now))
            .collect(),
    ))
}

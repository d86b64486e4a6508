//! Officers' work lists and deadline views (keyset pages).

use super::Officer;
use crate::Petition;
use crate::domain::lifecycle::Status;
use crate::service::views::CaseSummary;
use crate::service::views::summary;
use crate::service::worklist;
use crate::store::{self, CaseRow};
use actix_web::{get, web};
use chrono::NaiveDateTime;
use egov_auth::{Authorized, Principal};
use egov_core::Error;
use egov_core::cursor::Cursor;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub(crate) fn officer_agency(who: &Principal) -> Result<String, Error> {
    who.agency.clone().ok_or_else(|| {
        Error::with_detail(
            egov_core::error::codes::FORBIDDEN,
            "this account belongs to no agency",
        )
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct WorkQuery {
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
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkPage {
    pub items: Vec<CaseSummary>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

fn cursor(row: &CaseRow) -> Option<Cursor> {
    row.due_at.map(|d| Cursor::new(d, row.id.clone()))
}

egov_core::problems!(WorkListErrors:
    egov_core::error::codes::FORBIDDEN,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// The agency's work list by due time (earliest first), filtered by status, service,
/// assignee and due time, in pages (keyset cursor). Shows no applicant data (not logged).
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
    let agency = officer_agency(&auth)?;
    let q = query.into_inner();
    let max = p.0.config.max_page_size.max(1);
    let limit = q.limit.unwrap_or(50.min(max));
    if !(1..=max).contains(&limit) {
        return Err(Error::invalid_field("limit", format!("1 to {max}")));
    }
    if let Some(s) = &q.status
        && Status::parse(s).is_none_or(|s| s == Status::Draft)
    {
        return Err(Error::invalid_field("status", "not a case status"));
    }
    let filter = store::WorkFilter {
        status: q.status,
        service: q.service,
        assignee: q.assignee,
        due_before: q.due_before,
        after: q
            .after
            .as_deref()
            .map(Cursor::decode)
            .transpose()?
            .map(|c| (c.at, c.id)),
        open_only: true,
    };
    let mut rows = worklist::work_list(&p, agency, filter, i64::from(limit) + 1).await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let now = p.now();
    Ok(web::Json(WorkPage {
        next: if more {
            rows.last().and_then(cursor).map(|c| c.encode())
        } else {
            None
        },
        items: rows.iter().map(|r| summary(r, now)).collect(),
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

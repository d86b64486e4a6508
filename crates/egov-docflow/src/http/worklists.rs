//! Work lists (keyset pages by due date) and the registration ledger.

use super::{Officer, Reader, field, fields};
use crate::Docflow;
use crate::service::{self};
use crate::store::{self};
use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use egov_auth::Authorized;
use egov_core::Error;
use egov_core::cursor::{Cursor, next_page, page_limit};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Which work list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
    /// Page size (1-1000; capped by `[docflow] max_page_size`).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// Where a page starts (after the cursor's due time and id) and how many rows it holds.
pub(crate) fn page_request(
    d: &Docflow,
    q: &PageQuery,
) -> Result<((NaiveDateTime, String), i64), Error> {
    let after = Cursor::decode_or_start(q.after.as_deref())?;
    let limit = page_size(d, q.limit)?;
    Ok(((after.at, after.id), limit))
}

pub(crate) fn page_size(d: &Docflow, limit: Option<i64>) -> Result<i64, Error> {
    page_limit(limit, 50, i64::from(d.config().max_page_size))
}

/// A document in a work list or the inbox.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DocflowWorkItem)]
pub struct WorkItem {
    pub id: String,
    pub title: String,
    pub status: String,
    pub doc_type: String,
    pub due_at: DateTime<Utc>,
    pub registration_no: Option<String>,
    /// The kind of the step waiting (awaiting list).
    pub step: Option<String>,
}

/// A page of a work list, by due time.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DocflowWorkPage)]
pub struct WorkPage {
    pub items: Vec<WorkItem>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

pub(crate) fn work_page(rows: Vec<store::WorkRow>, limit: i64) -> WorkPage {
    WorkPage {
        next: next_page(&rows, limit, |r| Some(Cursor::new(r.due_at, r.id.clone()))),
        items: rows
            .into_iter()
            .map(|r| WorkItem {
                due_at: r.due_at.and_utc(),
                id: r.id,
                title: r.title,
                status: r.status,
                doc_type: r.doc_type,
                registration_no: r.registration_no,
                step: r.step_kind,
            })
            .collect(),
    }
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkList {
    /// My drafts (not submitted).
    Drafts,
    /// Steps waiting for me (my positions, and those I stand in for today).
    Awaiting,
    /// My documents returned to me.
    Returned,
    /// Documents circulated to me.
    Circulated,
}

egov_core::problems!(WorkErrors:
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// A work list, by due date, with keyset pagination (`next` → `after`).
#[utoipa::path(tag = "docflow", params(("list" = inline(WorkList), Path, description = "Which list"), PageQuery),
    responses(
        (status = 200, description = "A page", body = WorkPage),
        WorkErrors,
    ),
    security(("bearer" = ["kind:officer"])))]
#[get("/work/{list}")]
pub async fn work(
    auth: Authorized<Officer>,
    d: web::Data<Docflow>,
    list: web::Path<WorkList>,
    q: web::Query<PageQuery>,
) -> Result<web::Json<WorkPage>, Error> {
    let (after, limit) = page_request(&d, &q)?;
    let acc = auth.subject.clone();
    let list = list.into_inner();
    let rows = service::work_list(&d, acc, list, after, limit).await?;
    Ok(web::Json(work_page(rows, limit)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LedgerQuery {
    pub unit: String,
    #[param(minimum = 1900, maximum = 9999)]
    pub year: i32,
    /// `production` or `receipt`.
    pub kind: String,
    /// Serials after this one.
    #[param(minimum = 0)]
    pub after: Option<i64>,
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

egov_core::problems!(LedgerErrors:
    crate::errors::UNIT_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// A unit's registration ledger (production or receipt) for a year, in serial order.
#[utoipa::path(tag = "docflow", params(LedgerQuery),
    responses(
        (status = 200, description = "Ledger entries", body = service::LedgerPage),
        LedgerErrors,
    ),
    security(("bearer" = ["kind:officer", "kind:auditor"])))]
#[get("/ledger")]
pub async fn ledger(
    auth: Authorized<Reader>,
    d: web::Data<Docflow>,
    q: web::Query<LedgerQuery>,
) -> Result<HttpResponse, Error> {
    let q = q.into_inner();
    let mut e = Vec::new();
    if !(1900..=9999).contains(&q.year) {
        e.push(field(
            "query:year",
            egov_core::text!("detail-docflow-year", "1900-9999"),
        ));
    }
    if q.kind != "production" && q.kind != "receipt" {
        e.push(field(
            "query:kind",
            egov_core::text!("detail-docflow-ledger-kind", "production or receipt"),
        ));
    }
    if q.after.is_some_and(|a| a < 0) {
        e.push(field(
            "query:after",
            egov_core::text!("detail-docflow-zero-or-more", "0 or more"),
        ));
    }
    fields(e)?;
    let limit = page_size(&d, q.limit)?;
    let rows = service::ledger(&d, auth.clone(), q, limit).await?;
    let next = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|r| r.serial))
        .flatten();
    Ok(HttpResponse::Ok().json(service::LedgerPage {
        entries: rows
            .into_iter()
            .map(|r| service::LedgerEntry {
                serial: r.serial,
                registration_no: r.registration_no,
                document: r.document_id,
                title: r.title,
                at: r.at.and_utc(),
            })
            .collect(),
        next,
    }))
}

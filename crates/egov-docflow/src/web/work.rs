//! The workspace's work lists: documents waiting on me (my positions, and those I stand in for
//! today), my drafts, documents returned to me, documents circulated to me, and — for the
//! document office — the inbox of documents delivered by other agencies. Each list is sorted by
//! due time, in keyset pages. Titles only: a document's content is read on its own page.

use actix_web::web::{Data, Query};
use actix_web::{HttpResponse, get};
use askama::Template;
use egov_core::Error;
use egov_core::cursor::{Cursor, next_page};
use egov_web::{Page, PageError};
use serde::Deserialize;

use super::{Who, status_text, step_text};
use crate::Docflow;
use crate::http::worklists::{PageQuery, WorkList, page_request};
use crate::service;

/// The lists, in the tabs' order (`inbox` for the document office only).
const LISTS: [&str; 5] = ["awaiting", "drafts", "returned", "circulated", "inbox"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkQuery {
    list: Option<String>,
    after: Option<String>,
}

/// One row of a list, in the page's language.
#[derive(Debug)]
pub struct Row {
    pub id: String,
    pub title: String,
    pub doc_type: String,
    pub status: String,
    pub step: String,
    pub registration: String,
    pub due: String,
    pub overdue: bool,
}

/// A tab of the lists.
#[derive(Debug)]
pub struct Tab {
    pub href: String,
    pub label: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "web/doc_work.html")]
struct WorkPage<'a> {
    t: &'a Page,
    title: &'a str,
    list_label: String,
    tabs: Vec<Tab>,
    rows: Vec<Row>,
    next: Option<String>,
    first: Option<String>,
}

fn href(list: &str, after: Option<&str>) -> String {
    egov_web::link(
        "/desk/documents",
        &[
            ("list", Some(list).filter(|l| *l != "awaiting")),
            ("after", after),
        ],
    )
}

/// The document workspace's work lists.
#[get("/desk/documents")]
pub async fn work_list(
    who: Who,
    d: Data<Docflow>,
    query: Query<WorkQuery>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let q = query.into_inner();
    let office = who.principal.has_role(crate::OFFICE_ROLE);
    let list = q
        .list
        .as_deref()
        .filter(|l| !l.is_empty())
        .unwrap_or("awaiting");
    if !LISTS.contains(&list) || (list == "inbox" && !office) {
        return Err(t.not_found());
    }
    let after = q.after.clone().filter(|a| !a.is_empty());
    let (after_key, limit) = page_request(
        &d,
        &PageQuery {
            after: after.clone(),
            limit: Some(50),
        },
    )
    .map_err(|e| t.error(&e))?;
    let acc = who.principal.subject.clone();
    let rows = match list {
        "inbox" => {
            let agency = who.principal.agency.clone().unwrap_or_default();
            service::inbox(&d, agency, after_key, limit).await
        }
        other => {
            let which = match other {
                "drafts" => WorkList::Drafts,
                "returned" => WorkList::Returned,
                "circulated" => WorkList::Circulated,
                _ => WorkList::Awaiting,
            };
            service::work_list(&d, acc, which, after_key, limit).await
        }
    }
    .map_err(|e| t.error(&e))?;
    let next = next_page(&rows, limit, |r| Some(Cursor::new(r.due_at, r.id.clone())));
    let rules = d.rules().map_err(|e| t.error(&e))?;
    let now = d.now();
    let shown = rows
        .iter()
        .map(|r| Row {
            id: r.id.clone(),
            title: r.title.clone(),
            doc_type: rules
                .doc_type(&r.doc_type)
                .map_or_else(|| r.doc_type.clone(), |x| x.name.clone()),
            status: status_text(t, &r.status),
            step: match r.step_kind.as_deref() {
                Some("unread") => t.t("doc-unread"),
                Some("read") => t.t("doc-read"),
                Some(k) => step_text(t, k),
                None => String::new(),
            },
            registration: r.registration_no.clone().unwrap_or_default(),
            due: t.local_time(r.due_at),
            overdue: r.due_at < now && matches!(r.status.as_str(), "in_approval" | "drafting"),
        })
        .collect();
    let tabs = LISTS
        .iter()
        .filter(|l| **l != "inbox" || office)
        .map(|l| Tab {
            href: href(l, None),
            label: t.t(&format!("doc-list-{l}")),
            current: *l == list,
        })
        .collect();
    let title = t.t("doc-work-title");
    let html = WorkPage {
        t,
        title: &title,
        list_label: t.t(&format!("doc-list-{list}")),
        tabs,
        rows: shown,
        next: next.as_deref().map(|n| href(list, Some(n))),
        first: after.map(|_| href(list, None)),
    }
    .render()
    .map_err(|e| t.error(&Error::internal(e)))?;
    Ok(t.render(&title, &[("/my".into(), t.t("my-page"))], &html))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_address_drops_the_default() {
        assert_eq!(href("awaiting", None), "/desk/documents");
        assert_eq!(
            href("drafts", Some("a b")),
            "/desk/documents?list=drafts&after=a+b"
        );
    }
}

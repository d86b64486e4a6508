//! The petition desk (e-People's back office) for officers: the agency's work list in views
//! (all open cases, mine, unassigned, due soon, overdue) filtered by service and status, in
//! keyset pages by due time. The list shows no applicant data; opening a case asks why first
//! (see [`super::desk_case`]).

use actix_web::web::{Data, Query};
use actix_web::{HttpResponse, get};
use askama::Template;
use egov_core::Error;
use egov_web::{Page, PageError, SignedIn};
use serde::Deserialize;

use crate::Petition;
use crate::domain::lifecycle::Status;
use crate::http::Officer;
use crate::service::views::summary;
use crate::service::worklist::{self, View, WorkRequest};

pub(crate) type Who = SignedIn<Officer>;

/// The desk's breadcrumb.
pub(crate) fn crumbs(t: &Page) -> Vec<(String, String)> {
    vec![
        ("/my".into(), t.t("my-page")),
        ("/desk/petitions".into(), t.t("desk-title")),
    ]
}

/// A status as officers name it.
pub(crate) fn status_text(t: &Page, s: Status) -> String {
    t.t(&format!("desk-status-{}", s.as_str().replace('_', "-")))
}

pub(crate) use egov_web::names;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeskQuery {
    view: Option<String>,
    status: Option<String>,
    service: Option<String>,
    after: Option<String>,
}

/// One row of the work list, in the page's language.
#[derive(Debug)]
pub struct Row {
    pub id: String,
    pub receipt: String,
    pub service: String,
    pub status: String,
    pub assignee: String,
    pub submitted: String,
    pub due: String,
    /// Overdue, paused or due soon, in words ('' when none).
    pub flag: String,
    /// The flag's style: `overdue`, `paused`, `soon` or ''.
    pub flag_class: &'static str,
}

/// A tab of the views.
#[derive(Debug)]
pub struct Tab {
    pub href: String,
    pub label: String,
    pub current: bool,
}

/// An option of a filter's select.
#[derive(Debug)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "web/desk.html")]
struct Desk<'a> {
    t: &'a Page,
    title: &'a str,
    view: &'a str,
    view_label: String,
    tabs: Vec<Tab>,
    services: Vec<Choice>,
    statuses: Vec<Choice>,
    rows: Vec<Row>,
    next: Option<String>,
    first: Option<String>,
}

fn some(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

/// The work list's address with these filters (and a cursor).
fn href(view: &str, status: Option<&str>, service: Option<&str>, after: Option<&str>) -> String {
    egov_web::link(
        "/desk/petitions",
        &[
            ("view", Some(view).filter(|v| *v != View::All.as_str())),
            ("status", status),
            ("service", service),
            ("after", after),
        ],
    )
}

/// The petition desk's work list.
#[get("/desk/petitions")]
pub async fn work_list(
    who: Who,
    p: Data<Petition>,
    directory: Option<Data<egov_auth::Service>>,
    query: Query<DeskQuery>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let q = query.into_inner();
    let (view, status, service) = (some(q.view), some(q.status), some(q.service));
    let page = worklist::work_page(
        &p,
        &who.principal,
        WorkRequest {
            view: view.clone(),
            status: status.clone(),
            service: service.clone(),
            after: some(q.after.clone()),
            ..WorkRequest::default()
        },
    )
    .await
    .map_err(|e| t.error(&e))?;
    let view = view.as_deref().and_then(View::parse).unwrap_or(View::All);
    let now = p.now();
    let soon = p
        .clock()
        .horizon(now, p.catalogue().policy.due_soon_working_hours)
        .map_err(|e| t.error(&Error::from(e)))?;
    let who_names = names(
        directory.as_ref().map(|d| d.get_ref()),
        page.rows
            .iter()
            .filter_map(|r| r.assignee.clone())
            .collect(),
    )
    .await;
    let catalogue = p.catalogue();
    let rows = page
        .rows
        .iter()
        .map(|r| {
            let s = summary(r, now);
            let (flag, flag_class) = if s.overdue && s.escalation_level > 0 {
                (
                    format!("{} · {}", t.t("desk-flag-overdue"), t.t("desk-escalated")),
                    "overdue",
                )
            } else if s.overdue {
                (t.t("desk-flag-overdue"), "overdue")
            } else if s.paused {
                (t.t("desk-flag-paused"), "paused")
            } else if s.status.is_open() && s.due_at.is_some_and(|d| d < soon) {
                (t.t("desk-flag-soon"), "soon")
            } else {
                (String::new(), "")
            };
            Row {
                id: s.id.clone(),
                receipt: s.receipt_no.clone().unwrap_or_default(),
                service: catalogue
                    .services
                    .get(&s.service)
                    .map_or_else(|| s.service.clone(), |x| t.pick(&x.names).to_owned()),
                status: status_text(t, s.status),
                assignee: s
                    .assignee
                    .as_ref()
                    .map(|a| who_names.get(a).cloned().unwrap_or_else(|| a.clone()))
                    .unwrap_or_else(|| t.t("desk-unassigned")),
                submitted: s.submitted_at.map(|d| t.local_date(d)).unwrap_or_default(),
                due: s.due_at.map(|d| t.local_time(d)).unwrap_or_default(),
                flag,
                flag_class,
            }
        })
        .collect();
    let tabs = View::ALL
        .iter()
        .map(|v| Tab {
            href: href(v.as_str(), status.as_deref(), service.as_deref(), None),
            label: t.t(&format!("desk-view-{}", v.as_str().replace('_', "-"))),
            current: *v == view,
        })
        .collect();
    let mut services: Vec<Choice> = catalogue
        .services
        .iter()
        .map(|(id, s)| Choice {
            value: id.clone(),
            label: t.pick(&s.names).to_owned(),
            selected: service.as_deref() == Some(id.as_str()),
        })
        .collect();
    services.sort_by(|a, b| a.label.cmp(&b.label));
    let statuses = Status::ALL
        .iter()
        .filter(|s| **s != Status::Draft)
        .map(|s| Choice {
            value: s.as_str().into(),
            label: status_text(t, *s),
            selected: status.as_deref() == Some(s.as_str()),
        })
        .collect();
    let title = t.t("desk-title");
    let html = Desk {
        t,
        title: &title,
        view: view.as_str(),
        view_label: t.t(&format!("desk-view-{}", view.as_str().replace('_', "-"))),
        tabs,
        services,
        statuses,
        rows,
        next: page.next.as_deref().map(|n| {
            href(
                view.as_str(),
                status.as_deref(),
                service.as_deref(),
                Some(n),
            )
        }),
        first: some(q.after)
            .map(|_| href(view.as_str(), status.as_deref(), service.as_deref(), None)),
    }
    .render()
    .map_err(|e| t.error(&Error::internal(e)))?;
    Ok(t.render(&title, &[("/my".into(), t.t("my-page"))], &html))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_address_keeps_its_filters_and_drops_the_defaults() {
        assert_eq!(href("all", None, None, None), "/desk/petitions");
        assert_eq!(
            href(
                "overdue",
                Some("received"),
                Some("road-complaint"),
                Some("a b")
            ),
            "/desk/petitions?view=overdue&status=received&service=road-complaint&after=a+b"
        );
        assert_eq!(
            href("all", None, Some("x&y"), None),
            "/desk/petitions?service=x%26y"
        );
    }
}

//! One of my applications: where it is in plain words, the statutory clock, what I sent, the
//! documents issued, and its history; and the confirmation page right after sending it.

use actix_web::web::{Data, Path};
use actix_web::{HttpResponse, get};
use askama::Template;
use egov_web::{Page, PageError, SignedIn};

use super::form;
use crate::Petition;
use crate::domain::lifecycle::Status;
use crate::http::ApplicantPolicy;
use crate::service::cases::own_case;
use crate::service::views::{CaseView, case_view};

type Who = SignedIn<ApplicantPolicy>;

/// One line of the history.
#[derive(Debug)]
pub struct Event {
    pub date: String,
    pub what: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "web/case.html")]
struct CasePage<'a> {
    t: &'a Page,
    title: String,
    id: &'a str,
    receipt: String,
    status: String,
    clock: String,
    draft: bool,
    answers: Vec<(String, String)>,
    documents: Vec<String>,
    events: Vec<Event>,
    decision: String,
}

#[derive(Template)]
#[template(path = "web/sent.html")]
struct SentPage<'a> {
    t: &'a Page,
    title: String,
    receipt: String,
    next: String,
    id: &'a str,
}

async fn mine(who: &Who, p: &Petition, id: &str) -> Result<CaseView, PageError> {
    let t = &who.page;
    let row = own_case(p, &who.principal, id)
        .await
        .map_err(|e| t.error(&e))?;
    case_view(p, row, false).await.map_err(|e| t.error(&e))
}

fn status_text(t: &Page, s: Status) -> String {
    t.t(&format!("status-{}", s.as_str().replace('_', "-")))
}

fn agency_name(t: &Page, p: &Petition, code: &str) -> String {
    p.catalogue()
        .agencies
        .get(code)
        .map_or_else(|| code.to_owned(), |a| t.pick(&a.names).to_owned())
}

/// The statutory clock in words.
fn clock(t: &Page, v: &CaseView) -> String {
    match (v.status.is_open(), v.paused_since, v.due_at) {
        (true, Some(since), _) => t.t_with("case-clock-paused", &[("since", t.local_date(since))]),
        (true, None, Some(due)) => t.t_with("case-clock-due", &[("due", t.local_date(due))]),
        _ => String::new(),
    }
}

/// One of my applications.
#[get("/my/applications/{id}")]
pub async fn case_page(
    who: Who,
    p: Data<Petition>,
    id: Path<String>,
) -> Result<HttpResponse, PageError> {
    let v = mine(&who, &p, &id).await?;
    let t = &who.page;
    let service = p.catalogue().services.get(&v.service);
    let name = service.map_or_else(|| v.service.clone(), |s| t.pick(&s.names).to_owned());
    let answers = match (service, v.form.as_object()) {
        (Some(s), Some(f)) => form::answers(t, s, f),
        _ => Vec::new(),
    };
    let events = v
        .events
        .iter()
        .map(|e| Event {
            date: t.local_date(e.at),
            what: status_text(t, Status::parse(&e.to).unwrap_or(Status::Draft)),
            reason: e.reason.clone().unwrap_or_default(),
        })
        .collect();
    let html = CasePage {
        t,
        title: name.clone(),
        id: &v.id,
        receipt: v
            .receipt_no
            .clone()
            .unwrap_or_else(|| t.t("mine-no-receipt")),
        status: status_text(t, v.status),
        clock: clock(t, &v),
        draft: v.status == Status::Draft,
        answers,
        documents: v.documents.iter().map(|d| d.number.clone()).collect(),
        events,
        decision: v.decision_reason.clone().unwrap_or_default(),
    }
    .render()
    .map_err(|e| t.error(&egov_core::Error::internal(e)))?;
    Ok(t.render(
        &name,
        &[
            ("/my".into(), t.t("my-page")),
            ("/my/applications".into(), t.t("mine-title")),
        ],
        &html,
    ))
}

/// The confirmation after sending: the receipt number and what happens next.
#[get("/my/applications/{id}/sent")]
pub async fn sent(
    who: Who,
    p: Data<Petition>,
    id: Path<String>,
) -> Result<HttpResponse, PageError> {
    let v = mine(&who, &p, &id).await?;
    let t = &who.page;
    let Some(receipt) = v.receipt_no.clone() else {
        return Err(t.not_found());
    };
    let title = t.t("sent-title");
    let html = SentPage {
        t,
        title: title.clone(),
        receipt,
        next: t.t_with(
            "sent-next-text",
            &[
                ("agency", agency_name(t, &p, &v.agency)),
                ("due", v.due_at.map(|d| t.local_date(d)).unwrap_or_default()),
            ],
        ),
        id: &v.id,
    }
    .render()
    .map_err(|e| t.error(&egov_core::Error::internal(e)))?;
    Ok(t.render(&title, &[("/my".into(), t.t("my-page"))], &html))
}

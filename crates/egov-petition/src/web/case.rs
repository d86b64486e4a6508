//! One of my applications: where it is in plain words, the statutory clock, what I sent, the
//! documents issued, and its history; and the confirmation page right after sending it.

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path};
use actix_web::{HttpResponse, get, post};
use askama::Template;
use egov_core::Error;
use egov_web::{CsrfForm, Page, PageError, SignedIn, see_other};
use serde::Deserialize;
use serde_json::Map;

use super::form;
use crate::Petition;
use crate::domain::lifecycle::{Action, Actor, Facts, Status, next};
use crate::http::ApplicantPolicy;
use crate::service::applications;
use crate::service::cases::own_case;
use crate::service::views::{CaseView, case_view};

type Who = SignedIn<ApplicantPolicy>;

/// One line of the history.
#[derive(Debug)]
pub struct Event {
    pub date: String,
    pub what: String,
    pub reason: String,
    /// What an earlier round was rated (kept when the case was reopened).
    pub earlier: String,
}

/// What the applicant may do now.
#[derive(Debug, Default)]
pub struct Can {
    pub withdraw: bool,
    pub supplement: bool,
    pub rate: bool,
    pub reopen: bool,
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
    rating: String,
    can: Can,
    /// What the agency asked for, when it asked for more.
    asked: String,
    csrf: &'a str,
    errors: Vec<(String, String)>,
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

async fn case_answer(
    who: &Who,
    p: &Petition,
    id: &str,
    errors: Vec<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let v = mine(who, p, id).await?;
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
        .map(|e| {
            let earlier = e.detail.get("earlier_rating").and_then(|x| x.as_i64());
            Event {
                date: t.local_date(e.at),
                what: action_text(t, &e.action, &e.to),
                reason: e.reason.clone().unwrap_or_default(),
                earlier: earlier
                    .map(|score| {
                        t.t_with(
                            "history-earlier-rating",
                            &[
                                ("score", score.to_string()),
                                (
                                    "comment",
                                    e.detail
                                        .get("earlier_rating_comment")
                                        .and_then(|x| x.as_str())
                                        .unwrap_or_default()
                                        .to_owned(),
                                ),
                            ],
                        )
                    })
                    .unwrap_or_default(),
            }
        })
        .collect();
    let facts = Facts {
        epeople: service.is_some_and(|s| s.kind.is_epeople()),
        issues_document: service.is_some_and(|s| s.issues_document),
        approved: None,
    };
    let may = |a: Action| next(v.status, a, Actor::Applicant, facts).is_some();
    let can = Can {
        withdraw: v.status != Status::Draft && may(Action::Withdraw),
        supplement: may(Action::Supplement),
        rate: v.rating.is_none() && may(Action::Rate),
        reopen: may(Action::Reopen),
    };
    let asked = if v.status == Status::SupplementRequested {
        v.events
            .iter()
            .rev()
            .find(|e| e.action == Action::RequestSupplement.as_str())
            .and_then(|e| e.reason.clone())
            .unwrap_or_default()
    } else {
        String::new()
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
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
        rating: v
            .rating
            .map(|r| t.t_with("case-rated", &[("score", r.to_string())]))
            .unwrap_or_default(),
        can,
        asked,
        csrf: who.csrf(),
        errors,
    }
    .render()
    .map_err(|e| t.error(&Error::internal(e)))?;
    Ok(super::in_my_applications(t, status, &name, &html))
}

/// An event of the history in words: the action, else the status it led to.
fn action_text(t: &Page, action: &str, to: &str) -> String {
    let id = format!("action-{}", action.replace('_', "-"));
    let text = t.t(&id);
    if text == id {
        status_text(t, Status::parse(to).unwrap_or(Status::Draft))
    } else {
        text
    }
}

/// One of my applications.
#[get("/my/applications/{id}")]
pub async fn case_page(
    who: Who,
    p: Data<Petition>,
    id: Path<String>,
) -> Result<HttpResponse, PageError> {
    case_answer(&who, &p, &id, Vec::new()).await
}

/// The page again with the use case's refusal, or back to the page when it went through.
async fn after(
    who: &Who,
    p: &Petition,
    id: &str,
    anchor: &str,
    result: Result<crate::service::views::CaseView, Error>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    match result {
        Ok(_) => Ok(see_other(&format!("/my/applications/{id}"))),
        Err(e) if (400..500).contains(&e.code().status) && e.code().status != 404 => {
            let message = if e.code() == egov_core::error::codes::VALIDATION_FAILED {
                t.t(&format!("error-{anchor}"))
            } else {
                t.problem_title(&e)
            };
            case_answer(who, p, id, vec![(format!("#{anchor}"), message)]).await
        }
        Err(e) => Err(t.error(&e)),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReasonForm {
    reason: String,
}

/// Withdraws the application.
#[post("/my/applications/{id}/withdraw")]
pub async fn withdraw(
    who: Who,
    form: CsrfForm<ReasonForm>,
    p: Data<Petition>,
    id: Path<String>,
) -> Result<HttpResponse, PageError> {
    let r = applications::withdraw(&p, &who.principal, &id, form.0.reason).await;
    after(&who, &p, &id, "withdraw-reason", r).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteForm {
    note: String,
}

/// Answers the agency's request for more: the note (documents go on the documents page).
#[post("/my/applications/{id}/supplement")]
pub async fn supplement(
    who: Who,
    form: CsrfForm<NoteForm>,
    p: Data<Petition>,
    id: Path<String>,
) -> Result<HttpResponse, PageError> {
    let r = applications::supplement(&p, &who.principal, &id, Map::new(), form.0.note).await;
    after(&who, &p, &id, "supplement-note", r).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingForm {
    score: Option<String>,
    comment: Option<String>,
}

/// Rates how the case was handled.
#[post("/my/applications/{id}/rating")]
pub async fn rate(
    who: Who,
    form: CsrfForm<RatingForm>,
    p: Data<Petition>,
    id: Path<String>,
) -> Result<HttpResponse, PageError> {
    let f = form.0;
    let score = f.score.and_then(|s| s.parse::<i32>().ok()).unwrap_or(0);
    let comment = f.comment.filter(|c| !c.trim().is_empty());
    let r = applications::rate(&p, &who.principal, &id, score, comment).await;
    after(&who, &p, &id, "rate-score", r).await
}

/// Reopens a closed complaint ("not resolved").
#[post("/my/applications/{id}/reopen")]
pub async fn reopen(
    who: Who,
    form: CsrfForm<ReasonForm>,
    p: Data<Petition>,
    id: Path<String>,
) -> Result<HttpResponse, PageError> {
    let r = applications::reopen(&p, &who.principal, &id, form.0.reason).await;
    after(&who, &p, &id, "reopen-reason", r).await
}

/// An issued document as a PDF, with the QR code of its public verification page.
#[get("/my/applications/{id}/issued/{number}")]
pub async fn document_pdf(
    who: Who,
    p: Data<Petition>,
    path: Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (id, number) = path.into_inner();
    let v = mine(&who, &p, &id).await?;
    let t = &who.page;
    let d = v
        .documents
        .iter()
        .find(|d| d.number == number)
        .ok_or_else(|| t.not_found())?;
    let service = p
        .catalogue()
        .services
        .get(&v.service)
        .ok_or_else(|| t.not_found())?;
    let doc = &d.document;
    let text = |k: &str| {
        doc.get(k)
            .and_then(|x| x.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let content = doc
        .get("content")
        .and_then(|c| c.as_object())
        .cloned()
        .unwrap_or_default();
    let mut lines = form::answers(t, service, &content);
    lines.push((t.t("label-issued"), t.local_date(d.issued_at)));
    lines.push((t.t("label-valid-until"), t.local_date(d.valid_until)));
    if let Some(r) = d.revoked_at {
        lines.push((t.t("label-revoked"), t.local_date(r)));
    }
    let base = p.0.settings.public_url();
    let printable = egov_pdf::Printable {
        issuer: text("issuer_name"),
        title: t.pick(&service.names).to_owned(),
        lines,
        verify_url: format!(
            "{}/documents/verify?number={}",
            base.trim_end_matches('/'),
            d.number
        ),
        number: format!("{} {}", t.t("case-document-number"), d.number),
        digest: d.digest.clone(),
    };
    let fonts = p.0.config.pdf_fonts.clone();
    let needs = egov_pdf::needs(&p.pack().languages, &p.pack().currency_symbol);
    let pdf = actix_web::web::block(move || egov_pdf::render(&printable, &fonts, &needs))
        .await
        .map_err(|e| t.error(&Error::internal(anyhow::anyhow!("{e}"))))?
        .map_err(|why| {
            t.error(&Error::internal(anyhow::anyhow!(
                "[petition] pdf_fonts: {why}"
            )))
        })?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            "content-disposition",
            format!("attachment; filename=\"{}.pdf\"", d.number),
        ))
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header(("cache-control", "no-store"))
        .body(pdf))
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

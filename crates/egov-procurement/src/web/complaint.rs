//! Complaints (KONEPS's 이의신청) and the review body's decisions:
//! - a registered supplier files a complaint against a tender's terms (before the deadline) or
//!   its award (during the standstill) on its own page; the tender is suspended until the
//!   review body decides;
//! - the review body's officers (`procurement.reviewer` in the pack's review body, second
//!   factor) see the pending complaints, the earliest decision date first, and decide each:
//!   dismissed, or upheld with a remedy (cancel; amend the terms; re-evaluate the bids), with a
//!   published reason.
//!
//! The same use cases as `POST /procurement/v1/tenders/{id}/complaints` and
//! `POST /procurement/v1/complaints/{id}/decision`.

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path, Query};
use actix_web::{HttpResponse, get, post};
use askama::Template;
use egov_web::{CsrfForm, Page, PageError, SignedIn, see_other};
use serde::Deserialize;

use super::{DoneQuery, Who, internal, notice_crumbs, refusal_at};
use crate::Procurement;
use crate::http::complaints::{
    ComplaintInput, DecisionInput, decide_complaint, file_complaint, remedies,
};
use crate::http::public_tender;
use crate::service;

/// An officer of the review body (`procurement.reviewer`, second factor).
pub(crate) type Reviewing = SignedIn<crate::http::Reviewer>;

/// Pending complaints listed.
const LISTED: i64 = 100;

#[derive(Template)]
#[template(path = "web/complain.html")]
struct ComplainPage<'a> {
    t: &'a Page,
    title: String,
    csrf: &'a str,
    errors: Vec<(String, String)>,
    id: String,
    tender: String,
    /// (value, label, checked) for what the complaint may be against now.
    against: Vec<(String, String, bool)>,
    text: String,
}

async fn complain_form(
    who: &Who,
    p: &Procurement,
    id: &str,
    typed: (String, String),
    errors: Vec<(String, String)>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    if uuid::Uuid::parse_str(id).is_err() {
        return Err(t.not_found());
    }
    let row = public_tender(p, id).await.map_err(|e| t.error(&e))?;
    let open = service::open_to_complaint(&row, p.now());
    let title = t.t("proc-complain-title");
    let html = ComplainPage {
        t,
        title: title.clone(),
        csrf: who.csrf(),
        errors,
        against: open
            .iter()
            .map(|a| {
                (
                    (*a).to_owned(),
                    t.t(&format!("proc-complain-against-{a}")),
                    typed.0 == *a || open.len() == 1,
                )
            })
            .collect(),
        id: row.id,
        tender: row.title,
        text: typed.1,
    }
    .render()
    .map_err(|e| internal(t, e))?;
    Ok(t.answer(status, &title, &notice_crumbs(t, id), &html))
}

/// The complaint form.
#[get("/tenders/{id}/complaints/new")]
pub async fn complain_page(
    who: Who,
    p: Data<Procurement>,
    id: Path<String>,
) -> Result<HttpResponse, PageError> {
    complain_form(
        &who,
        &p,
        &id,
        Default::default(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct ComplainForm {
    #[serde(default)]
    against: String,
    #[serde(default)]
    text: String,
}

/// Files the complaint; the notice then shows the tender suspended.
#[post("/tenders/{id}/complaints/new")]
pub async fn complain(
    who: Who,
    p: Data<Procurement>,
    id: Path<String>,
    form: CsrfForm<ComplainForm>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(t.not_found());
    }
    let ComplainForm { against, text } = form.0;
    let input = ComplaintInput {
        against: against.clone(),
        text: text.replace("\r\n", "\n"),
    };
    match file_complaint(&p, &who.principal, &id, input).await {
        Ok(_) => Ok(see_other(&format!("/tenders/{id}?complained=1"))),
        Err(e) => {
            let label = |n: &str| match n {
                "against" => t.t("proc-complain-against"),
                _ => t.t("proc-complain-text"),
            };
            let at = |a: &str| match a {
                "#against" => "#against-first".to_owned(),
                _ => "#text".to_owned(),
            };
            let (errors, status) = refusal_at(t, &e, label, at)?;
            complain_form(&who, &p, &id, (against, text), errors, status).await
        }
    }
}

/// A pending complaint as the review body sees it.
#[derive(Debug)]
pub struct Pending {
    pub id: String,
    pub tender: String,
    pub tender_title: String,
    pub supplier: String,
    pub against: String,
    pub text: String,
    pub filed: String,
    pub decide_by: String,
    /// (value, label) of the remedies an upheld complaint may order.
    pub remedies: Vec<(String, String)>,
    /// What was typed: decision, remedy, reason.
    pub typed: (String, String, String),
}

#[derive(Template)]
#[template(path = "web/review.html")]
struct ReviewPage<'a> {
    t: &'a Page,
    title: String,
    csrf: &'a str,
    errors: Vec<(String, String)>,
    done: bool,
    pending: Vec<Pending>,
}

async fn review_page(
    who: &Reviewing,
    p: &Procurement,
    done: bool,
    errors: Vec<(String, String)>,
    typed: (String, (String, String, String)),
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let rules = p.rules().map_err(|e| t.error(&e))?;
    // Only the review body decides complaints; a reviewer elsewhere has none to see.
    let rows = if who.principal.agency.as_deref() == Some(rules.review_body.as_str()) {
        service::complaints_with_status(p, "pending", LISTED)
            .await
            .map_err(|e| t.error(&e))?
    } else {
        Vec::new()
    };
    let mut pending = Vec::with_capacity(rows.len());
    for k in rows {
        let tender = service::tender(p, k.tender_id.clone())
            .await
            .map_err(|e| t.error(&e))?;
        pending.push(Pending {
            remedies: remedies(&k.against)
                .iter()
                .map(|r| ((*r).to_owned(), t.t(&format!("proc-remedy-{r}"))))
                .collect(),
            against: t.t(&format!("proc-complain-against-{}", k.against)),
            filed: t.local_time(k.filed_at),
            decide_by: t.local_time(k.decide_by),
            typed: if typed.0 == k.id {
                typed.1.clone()
            } else {
                Default::default()
            },
            tender_title: tender.title,
            tender: k.tender_id,
            supplier: k.complainant,
            text: k.text,
            id: k.id,
        });
    }
    let title = t.t("proc-review-title");
    let html = ReviewPage {
        t,
        title: title.clone(),
        csrf: who.csrf(),
        errors,
        done,
        pending,
    }
    .render()
    .map_err(|e| internal(t, e))?;
    Ok(t.answer(status, &title, &[("/my".to_owned(), t.t("my-page"))], &html))
}

/// The pending complaints, the earliest decision date first.
#[get("/desk/procurement/complaints")]
pub async fn review(
    who: Reviewing,
    p: Data<Procurement>,
    q: Query<DoneQuery>,
) -> Result<HttpResponse, PageError> {
    review_page(
        &who,
        &p,
        q.done == "decided",
        Vec::new(),
        Default::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    remedy: String,
    #[serde(default)]
    reason: String,
}

/// Decides a complaint; the tender resumes, is cancelled, is to be amended or goes back to
/// evaluation.
#[post("/desk/procurement/complaints/{id}")]
pub async fn decide(
    who: Reviewing,
    p: Data<Procurement>,
    id: Path<String>,
    form: CsrfForm<DecideForm>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(t.not_found());
    }
    let DecideForm {
        decision,
        remedy,
        reason,
    } = form.0;
    let input = DecisionInput {
        decision: decision.clone(),
        // A remedy only goes with an upheld complaint: the page's select keeps one chosen.
        remedy: (decision == "upheld" && !remedy.is_empty()).then(|| remedy.clone()),
        reason: reason.replace("\r\n", "\n"),
    };
    match decide_complaint(&p, &who.principal, &id, input).await {
        Ok(_) => Ok(see_other("/desk/procurement/complaints?done=decided")),
        Err(e) => {
            let label = |n: &str| match n {
                "decision" => t.t("proc-review-decision"),
                "remedy" => t.t("proc-review-remedy"),
                _ => t.t("proc-review-reason"),
            };
            let at = |a: &str| match a {
                "#decision" => format!("#upheld-{id}"),
                "#remedy" => format!("#remedy-{id}"),
                "#reason" => format!("#reason-{id}"),
                _ => format!("#k-{id}"),
            };
            let (errors, status) = refusal_at(t, &e, label, at)?;
            let typed = (id.into_inner(), (decision, remedy, reason));
            review_page(&who, &p, false, errors, typed, status).await
        }
    }
}

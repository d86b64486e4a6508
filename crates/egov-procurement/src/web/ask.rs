//! A supplier's question on a notice during the enquiry period (KONEPS's 질의): asked on its
//! own page by a signed-in business, published with the buyer's answer on the notice, without
//! the asker's name. The same use case as `POST /procurement/v1/tenders/{id}/questions`.

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path};
use actix_web::{HttpResponse, get, post};
use askama::Template;
use egov_web::{CsrfForm, Page, PageError, see_other};
use serde::Deserialize;

use super::{Who, internal, notice_crumbs, refusal_at};
use crate::Procurement;
use crate::domain::lifecycle::Action;
use crate::http::public_tender;
use crate::http::questions::ask_question;
use crate::service::status_of;

#[derive(Template)]
#[template(path = "web/ask.html")]
struct AskPage<'a> {
    t: &'a Page,
    title: String,
    csrf: &'a str,
    errors: Vec<(String, String)>,
    id: String,
    tender: String,
    question: String,
    open: bool,
}

async fn render(
    who: &Who,
    p: &Procurement,
    id: &str,
    question: String,
    errors: Vec<(String, String)>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    if uuid::Uuid::parse_str(id).is_err() {
        return Err(t.not_found());
    }
    let row = public_tender(p, id).await.map_err(|e| t.error(&e))?;
    let title = t.t("proc-ask-title");
    let html = AskPage {
        t,
        title: title.clone(),
        csrf: who.csrf(),
        errors,
        open: status_of(&row).permits(Action::AskQuestion),
        id: row.id,
        tender: row.title,
        question,
    }
    .render()
    .map_err(|e| internal(t, e))?;
    Ok(t.answer(status, &title, &notice_crumbs(t, id), &html))
}

/// The question form.
#[get("/tenders/{id}/questions/new")]
pub async fn page(
    who: Who,
    p: Data<Procurement>,
    id: Path<String>,
) -> Result<HttpResponse, PageError> {
    render(&who, &p, &id, String::new(), Vec::new(), StatusCode::OK).await
}

#[derive(Debug, Deserialize)]
pub struct QuestionForm {
    #[serde(default)]
    question: String,
}

/// Asks the question; the notice shows it at once and the answer when the buyer gives it.
#[post("/tenders/{id}/questions/new")]
pub async fn ask(
    who: Who,
    p: Data<Procurement>,
    id: Path<String>,
    form: CsrfForm<QuestionForm>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let question = form.0.question;
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(t.not_found());
    }
    match ask_question(&p, &who.principal, &id, &question).await {
        Ok(_) => Ok(see_other(&format!("/tenders/{id}?asked=1#questions"))),
        Err(e) => {
            let (errors, status) =
                refusal_at(t, &e, |_| t.t("proc-ask-question"), |_| "#question".into())?;
            render(&who, &p, &id, question, errors, status).await
        }
    }
}

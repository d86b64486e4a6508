//! Questions during the enquiry period and their published answers.

use super::{Officer, Supplier, agency_tender, public_tender, supplier_id, uuid_ok};
use crate::domain::lifecycle::Action;
use crate::service::{self, status_of};
use crate::store::{self};
use crate::{Procurement, errors};
use actix_web::{HttpResponse, post, web};
use egov_auth::Authorized;
use egov_core::Error;
use egov_core::text::free_text as text_ok;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionInput {
    /// 5 to 2000 characters. Published with its answer; the asker is not.
    pub question: String,
}

/// A question as asked (the asker is not published).
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionAsked {
    pub id: String,
    pub question: String,
    pub asked_at: chrono::DateTime<chrono::Utc>,
}

/// A question's published answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionAnswered {
    pub id: String,
    pub answer: String,
}

egov_core::problems!(AskErrors:
    crate::errors::NOT_A_SUPPLIER,
    crate::errors::TENDER_NOT_FOUND,
    crate::errors::ILLEGAL_TRANSITION,
    crate::errors::NOT_REGISTERED,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Asks a question during the enquiry period.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    request_body = QuestionInput,
    responses(
        (status = 201, description = "The question", body = QuestionAsked),
        AskErrors,
    ),
    security(("bearer" = ["kind:business", "aal:2"])),
)]
#[post("/tenders/{id}/questions")]
pub async fn ask(
    auth: Authorized<Supplier>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
    input: web::Json<QuestionInput>,
) -> Result<HttpResponse, Error> {
    let out = ask_question(&p, &auth, &id, &input.question).await?;
    Ok(HttpResponse::Created().json(out))
}

/// A supplier's question on tender `id` (the API's and the notice page's way).
pub(crate) async fn ask_question(
    p: &Procurement,
    who: &egov_auth::Principal,
    id: &str,
    question: &str,
) -> Result<QuestionAsked, Error> {
    let bid = supplier_id(p, who)?;
    if !text_ok(question, 5, 2000) {
        return Err(Error::invalid_field("/question", "5 to 2000 characters"));
    }
    let row = public_tender(p, id).await?;
    if !status_of(&row).permits(Action::AskQuestion) {
        return Err(Error::with_detail(
            errors::ILLEGAL_TRANSITION,
            format!(
                "questions are taken during the enquiry period; the tender is {}",
                row.status
            ),
        ));
    }
    let q = store::QuestionRow {
        id: uuid::Uuid::now_v7().to_string(),
        tender_id: row.id.clone(),
        asker: bid.clone(),
        question: question.trim().to_owned(),
        answer: None,
        asked_at: p.now(),
        answered_at: None,
        answered_by: None,
    };
    let out = QuestionAsked {
        id: q.id.clone(),
        question: q.question.clone(),
        asked_at: q.asked_at.and_utc(),
    };
    service::ask(p, bid, q).await?;
    Ok(out)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    /// 2 to 5000 characters, published to all.
    pub answer: String,
}

egov_core::problems!(AnswerQuestionErrors:
    crate::errors::QUESTION_NOT_FOUND,
    crate::errors::TENDER_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Answers a question (published to all bidders).
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id"), ("question" = String, Path, description = "Question id")),
    request_body = AnswerInput,
    responses(
        (status = 200, description = "Answered", body = QuestionAnswered),
        AnswerQuestionErrors,
    ),
    security(("bearer" = ["kind:officer", "role:procurement.officer", "aal:2"])),
)]
#[post("/tenders/{id}/questions/{question}/answer")]
pub async fn answer_question(
    auth: Authorized<Officer>,
    p: web::Data<Procurement>,
    path: web::Path<(String, String)>,
    input: web::Json<AnswerInput>,
) -> Result<HttpResponse, Error> {
    let (id, qid) = path.into_inner();
    let out = answer(&p, &auth, &id, qid, input.into_inner().answer).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The buying officer's published answer to question `qid` of tender `id` (the API's and the
/// buyer page's way).
pub(crate) async fn answer(
    p: &Procurement,
    who: &egov_auth::Principal,
    id: &str,
    qid: String,
    text: String,
) -> Result<QuestionAnswered, Error> {
    if !text_ok(&text, 2, 5000) {
        return Err(Error::invalid_field("/answer", "2 to 5000 characters"));
    }
    uuid_ok(&qid, errors::QUESTION_NOT_FOUND)?;
    let row = agency_tender(p, who, id).await?;
    let out = QuestionAnswered {
        id: qid.clone(),
        answer: text.clone(),
    };
    service::answer(p, row, qid, text, who.subject.clone()).await?;
    Ok(out)
}

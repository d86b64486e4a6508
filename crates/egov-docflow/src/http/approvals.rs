//! Actions on a step: approve, return (반려), recall (회수), insert and remove approvers.

use super::{Officer, agency, doc_id, text_ok};
use crate::Docflow;
use crate::domain::line::StepKind;
use crate::service::{self, Act};
use crate::store::DocumentRow;
use actix_web::{HttpResponse, post, web};
use egov_auth::{Authorized, Principal};
use egov_core::Error;
use serde::Deserialize;
use utoipa::ToSchema;

/// What an approver does.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// Approve (review, cooperation: agree, final approval).
    Approve,
    /// Cooperation: disagree (opinion required; the line goes on with it recorded).
    Disagree,
    /// Post-hoc approval or post-report: confirm.
    Confirm,
    /// Post-hoc approval: object (opinion required).
    Object,
}

/// An action on your current step.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionInput {
    pub action: ActionKind,
    /// The version you approve (409 if it changed since): the signature binds its digest.
    pub version: i32,
    pub opinion: Option<String>,
    /// Which of your current steps, when you hold more than one.
    pub step: Option<String>,
}

egov_core::problems!(ActErrors:
    crate::errors::NOT_YOUR_TURN,
    crate::errors::DOCUMENT_NOT_FOUND,
    crate::errors::UNIT_NOT_FOUND,
    crate::errors::ILLEGAL_STATE,
    crate::errors::VERSION_CHANGED,
    crate::errors::NOT_DELEGATED,
    crate::errors::POSITION_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// Acts on your current step — as its holder or, 대결, as a stand-in in force — and signs
/// the digest of the version. The final approval (결재, or 전결 under the delegation table in
/// force today) registers the document in the same transaction.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")), request_body = ActionInput,
    responses(
        (status = 200, description = "The outcome with the signed record", body = service::Outcome),
        ActErrors,
    ),
    security(("bearer" = ["kind:officer"])))]
#[post("/documents/{id}/actions")]
pub async fn act(
    auth: Authorized<Officer>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    body: web::Json<ActionInput>,
) -> Result<HttpResponse, Error> {
    let out = act_on(&d, &auth, &id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Acts on `who`'s current step of document `id` (the API's and the workspace page's way).
pub(crate) async fn act_on(
    d: &Docflow,
    who: &Principal,
    id: &str,
    b: ActionInput,
) -> Result<service::Outcome, Error> {
    if b.opinion.as_deref().is_some_and(|o| !text_ok(o, 1, 2000)) {
        return Err(Error::invalid_field(
            "/opinion",
            crate::http::chars(1, 2000),
        ));
    }
    let id = doc_id(id)?;
    let action = match b.action {
        ActionKind::Approve => Act::Approve,
        ActionKind::Disagree => Act::Disagree,
        ActionKind::Confirm => Act::Confirm,
        ActionKind::Object => Act::Object,
    };
    let (dd, acc, ag) = (d.clone(), who.subject.clone(), agency(who));
    let outcome = d
        .db()
        .transaction(move |c| {
            service::act(
                c,
                &dd,
                &acc,
                &ag,
                &id,
                b.step.as_deref(),
                action,
                b.opinion,
                b.version,
            )
        })
        .await?;
    if matches!(action, Act::Approve) {
        d.count("approval");
    }
    Ok(outcome)
}

/// A return.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnInput {
    pub version: i32,
    /// The earlier step's `seq` to return to; 0 or absent: to the drafter.
    pub to_step: Option<i32>,
    pub reason: String,
}

egov_core::problems!(ReturnDocErrors:
    crate::errors::NOT_YOUR_TURN,
    crate::errors::DOCUMENT_NOT_FOUND,
    crate::errors::ILLEGAL_STATE,
    crate::errors::VERSION_CHANGED,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// Returns the document (반려) to the drafter or to any earlier step; the history keeps the
/// round.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")), request_body = ReturnInput,
    responses(
        (status = 200, description = "The document", body = service::DocumentView),
        ReturnDocErrors,
    ),
    security(("bearer" = ["kind:officer"])))]
#[post("/documents/{id}/return")]
pub async fn return_doc(
    auth: Authorized<Officer>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    body: web::Json<ReturnInput>,
) -> Result<HttpResponse, Error> {
    let doc = return_document(&d, &auth, &id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(service::DocumentView::from(&doc)))
}

/// Returns document `id` to the drafter or an earlier step.
pub(crate) async fn return_document(
    d: &Docflow,
    who: &Principal,
    id: &str,
    b: ReturnInput,
) -> Result<DocumentRow, Error> {
    egov_core::text::reason("/reason", &b.reason)?;
    let id = doc_id(id)?;
    let (dd, acc, ag) = (d.clone(), who.subject.clone(), agency(who));
    d.db()
        .transaction(move |c| {
            service::return_to(c, &dd, &acc, &ag, &id, b.to_step, &b.reason, b.version)
        })
        .await
}

/// A recall.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecallInput {
    pub reason: Option<String>,
}

egov_core::problems!(RecallErrors:
    crate::errors::NOT_THE_DRAFTER,
    crate::errors::DOCUMENT_NOT_FOUND,
    crate::errors::ILLEGAL_STATE,
    crate::errors::RECALL_TOO_LATE,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Recalls a submitted document (회수, the drafter) while no one after the draft has acted.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")), request_body = RecallInput,
    responses(
        (status = 200, description = "The document", body = service::DocumentView),
        RecallErrors,
    ),
    security(("bearer" = ["kind:officer"])))]
#[post("/documents/{id}/recall")]
pub async fn recall(
    auth: Authorized<Officer>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    body: web::Json<RecallInput>,
) -> Result<HttpResponse, Error> {
    let doc = recall_document(&d, &auth, &id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(service::DocumentView::from(&doc)))
}

/// Recalls document `id` (the drafter).
pub(crate) async fn recall_document(
    d: &Docflow,
    who: &Principal,
    id: &str,
    b: RecallInput,
) -> Result<DocumentRow, Error> {
    if b.reason.as_deref().is_some_and(|r| !text_ok(r, 1, 1000)) {
        return Err(Error::invalid_field("/reason", crate::http::chars(1, 1000)));
    }
    let id = doc_id(id)?;
    let (dd, acc, ag) = (d.clone(), who.subject.clone(), agency(who));
    d.db()
        .transaction(move |c| service::recall(c, &dd, &acc, &ag, &id, b.reason.as_deref()))
        .await
}

/// A step inserted mid-flight.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InsertInput {
    /// The new step goes after this `seq` (after every step that has acted or is acting, and
    /// before the final approval).
    pub after_seq: i32,
    /// `review` or `cooperation`.
    pub kind: StepKind,
    pub position: String,
    pub reason: String,
}

egov_core::problems!(InsertStepErrors:
    crate::errors::NOT_YOUR_TURN,
    crate::errors::DOCUMENT_NOT_FOUND,
    crate::errors::ILLEGAL_STATE,
    crate::errors::INVALID_LINE,
    crate::errors::POSITION_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// Inserts an approver mid-flight (the drafter or the current approver), with a reason.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")), request_body = InsertInput,
    responses(
        (status = 201, description = "The new step", body = service::StepView),
        InsertStepErrors,
    ),
    security(("bearer" = ["kind:officer"])))]
#[post("/documents/{id}/steps")]
pub async fn insert_step(
    auth: Authorized<Officer>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    body: web::Json<InsertInput>,
) -> Result<HttpResponse, Error> {
    let s = insert(&d, &auth, &id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(service::StepView::from(&s)))
}

/// Inserts a step into document `id`'s line mid-flight.
pub(crate) async fn insert(
    d: &Docflow,
    who: &Principal,
    id: &str,
    b: InsertInput,
) -> Result<crate::store::StepRow, Error> {
    egov_core::text::reason("/reason", &b.reason)?;
    let id = doc_id(id)?;
    let (dd, acc, ag) = (d.clone(), who.subject.clone(), agency(who));
    d.db()
        .transaction(move |c| {
            service::insert_step(
                c,
                &dd,
                &acc,
                &ag,
                &id,
                b.after_seq,
                b.kind,
                &b.position,
                &b.reason,
            )
        })
        .await
}

/// A reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = DocflowReason)]
pub struct ReasonInput {
    #[schema(schema_with = egov_core::text::schema::reason)]
    pub reason: String,
}

egov_core::problems!(RemoveStepErrors:
    crate::errors::NOT_YOUR_TURN,
    crate::errors::DOCUMENT_NOT_FOUND,
    crate::errors::STEP_NOT_FOUND,
    crate::errors::ILLEGAL_STATE,
    crate::errors::INVALID_LINE,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// Removes a pending approver mid-flight (the drafter or the current approver), with a
/// reason.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id"), ("step" = String, Path, description = "Step id")), request_body = ReasonInput,
    responses(
        (status = 200, description = "Removed", body = service::StepRemoved),
        RemoveStepErrors,
    ),
    security(("bearer" = ["kind:officer"])))]
#[post("/documents/{id}/steps/{step}/remove")]
pub async fn remove_step(
    auth: Authorized<Officer>,
    d: web::Data<Docflow>,
    path: web::Path<(String, String)>,
    body: web::Json<ReasonInput>,
) -> Result<HttpResponse, Error> {
    let b = body.into_inner();
    egov_core::text::reason("/reason", &b.reason)?;
    let (id, step) = path.into_inner();
    let id = doc_id(&id)?;
    let (dd, acc, ag) = (d.get_ref().clone(), auth.subject.clone(), agency(&auth));
    d.db()
        .transaction(move |c| service::remove_step(c, &dd, &acc, &ag, &id, &step, &b.reason))
        .await?;
    Ok(HttpResponse::Ok().json(service::StepRemoved { removed: true }))
}

//! Submission and the applicant's later actions: withdraw, supplement, rate, reopen, documents.

use super::{ApplicantPolicy, applicant_key, id_ok, own_case};
use crate::Petition;
use crate::http::attachments::SubmitView;
use crate::service::views::CaseView;
use crate::service::views::DocumentView;
use crate::service::views::document_view;
use crate::service::{applications, documents};
use actix_web::{get, post, web};
use egov_auth::Authorized;
use egov_core::Error;
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

egov_core::problems!(SubmitApplicationErrors:
    egov_core::error::codes::CALENDAR_NOT_COVERED,
    crate::errors::NOT_AN_APPLICANT,
    crate::errors::CASE_NOT_FOUND,
    crate::errors::SERVICE_NOT_FOUND,
    crate::errors::CONCURRENT_CHANGE,
    crate::errors::ILLEGAL_TRANSITION,
    crate::errors::INCOMPLETE,
);

/// Submits the application: the form must be complete and the evidence present. The case
/// gets its receipt number (gapless per agency and year) and its due date on the pack's
/// working-day calendar; complaints are routed by the pack's rules and similar open cases
/// are suggested.
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Case id")),
    responses(
        (status = 200, body = SubmitView),
        SubmitApplicationErrors,
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[post("/applications/{id}/submit")]
pub async fn submit_application(
    auth: Authorized<ApplicantPolicy>,
    p: web::Data<Petition>,
    id: web::Path<String>,
) -> Result<web::Json<SubmitView>, Error> {
    id_ok(&id)?;
    let key = applicant_key(&p, &auth)?;
    // One transaction: read (the applicant's own case only), submit, and read back the view.
    let (case, similar) = applications::submit_own(&p, &auth, key, id.into_inner()).await?;
    Ok(web::Json(SubmitView { case, similar }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonInput {
    /// 5 to 1000 characters.
    pub reason: String,
}

egov_core::problems!(WithdrawErrors:
    crate::errors::NOT_AN_APPLICANT,
    crate::errors::CASE_NOT_FOUND,
    crate::errors::SERVICE_NOT_FOUND,
    crate::errors::CONCURRENT_CHANGE,
    crate::errors::ILLEGAL_TRANSITION,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Withdraws my application (any time before a decision).
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Case id")),
    request_body = ReasonInput,
    responses(
        (status = 200, body = CaseView),
        WithdrawErrors,
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[post("/applications/{id}/withdraw")]
pub async fn withdraw(
    auth: Authorized<ApplicantPolicy>,
    p: web::Data<Petition>,
    id: web::Path<String>,
    input: web::Json<ReasonInput>,
) -> Result<web::Json<CaseView>, Error> {
    let reason = input.into_inner().reason;
    Ok(web::Json(
        applications::withdraw(&p, &auth, &id, reason).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplementInput {
    /// Changed form values (merged over the current form).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub form: Map<String, Value>,
    /// What was supplied: 5 to 1000 characters.
    pub note: String,
}

egov_core::problems!(SupplementErrors:
    egov_core::error::codes::CALENDAR_NOT_COVERED,
    crate::errors::NOT_AN_APPLICANT,
    crate::errors::CASE_NOT_FOUND,
    crate::errors::SERVICE_NOT_FOUND,
    crate::errors::CONCURRENT_CHANGE,
    crate::errors::ILLEGAL_TRANSITION,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Answers a supplement request: the form changes are checked, and the clock resumes with
/// the due date moved by the working time the request took.
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Case id")),
    request_body = SupplementInput,
    responses(
        (status = 200, body = CaseView),
        SupplementErrors,
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[post("/applications/{id}/supplement")]
pub async fn supplement(
    auth: Authorized<ApplicantPolicy>,
    p: web::Data<Petition>,
    id: web::Path<String>,
    input: web::Json<SupplementInput>,
) -> Result<web::Json<CaseView>, Error> {
    let input = input.into_inner();
    Ok(web::Json(
        applications::supplement(&p, &auth, &id, input.form, input.note).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingInput {
    /// 1 (very dissatisfied) to 5 (very satisfied).
    pub score: i32,
    /// At most 1000 characters.
    pub comment: Option<String>,
}

egov_core::problems!(RateErrors:
    crate::errors::NOT_AN_APPLICANT,
    crate::errors::CASE_NOT_FOUND,
    crate::errors::SERVICE_NOT_FOUND,
    crate::errors::ALREADY_RATED,
    crate::errors::CONCURRENT_CHANGE,
    crate::errors::ILLEGAL_TRANSITION,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Rates how a closed case was handled (once).
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Case id")),
    request_body = RatingInput,
    responses(
        (status = 200, body = CaseView),
        RateErrors,
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[post("/applications/{id}/rating")]
pub async fn rate(
    auth: Authorized<ApplicantPolicy>,
    p: web::Data<Petition>,
    id: web::Path<String>,
    input: web::Json<RatingInput>,
) -> Result<web::Json<CaseView>, Error> {
    let input = input.into_inner();
    Ok(web::Json(
        applications::rate(&p, &auth, &id, input.score, input.comment).await?,
    ))
}

egov_core::problems!(ReopenErrors:
    crate::errors::NOT_AN_APPLICANT,
    crate::errors::CASE_NOT_FOUND,
    crate::errors::SERVICE_NOT_FOUND,
    crate::errors::CONCURRENT_CHANGE,
    crate::errors::ILLEGAL_TRANSITION,
    crate::errors::REOPEN_WINDOW,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Reopens a closed complaint or proposal ("not resolved") within the pack's window: it goes
/// back to review with a new statutory period.
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Case id")),
    request_body = ReasonInput,
    responses(
        (status = 200, body = CaseView),
        ReopenErrors,
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[post("/applications/{id}/reopen")]
pub async fn reopen(
    auth: Authorized<ApplicantPolicy>,
    p: web::Data<Petition>,
    id: web::Path<String>,
    input: web::Json<ReasonInput>,
) -> Result<web::Json<CaseView>, Error> {
    let reason = input.into_inner().reason;
    Ok(web::Json(
        applications::reopen(&p, &auth, &id, reason).await?,
    ))
}

egov_core::problems!(MyDocumentsErrors:
    crate::errors::NOT_AN_APPLICANT,
    crate::errors::CASE_NOT_FOUND,
);

/// The documents issued on my application (signed, with their verification numbers).
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Case id")),
    responses(
        (status = 200, body = Vec<DocumentView>),
        MyDocumentsErrors,
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[get("/applications/{id}/documents")]
pub async fn my_documents(
    auth: Authorized<ApplicantPolicy>,
    p: web::Data<Petition>,
    id: web::Path<String>,
) -> Result<web::Json<Vec<DocumentView>>, Error> {
    let row = own_case(&p, &auth, &id).await?;
    let rows = documents::of_case(&p, row.id).await?;
    Ok(web::Json(
        rows.into_iter().map(|d| document_view(&p, d)).collect(),
    ))
}

//! Complaints and the review body's decisions.

use super::{Reviewer, Supplier, fail, field, public_tender, supplier_id, uuid_ok, view};
use crate::service::{self};
use crate::store::{self};
use crate::{Procurement, errors};
use actix_web::{HttpResponse, get, post, web};
use egov_auth::Authorized;
use egov_core::Error;
use egov_core::text::free_text as text_ok;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintInput {
    /// `terms` (before the deadline) or `award` (during the standstill).
    pub against: String,
    /// 20 to 10000 characters.
    pub text: String,
}

egov_core::problems!(ComplainErrors:
    crate::errors::NOT_A_SUPPLIER,
    crate::errors::TENDER_NOT_FOUND,
    crate::errors::COMPLAINT_WINDOW,
    crate::errors::NOT_REGISTERED,
    crate::errors::PROCEDURE_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// Files a complaint; the tender is suspended until the review body decides.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    request_body = ComplaintInput,
    responses(
        (status = 201, description = "The complaint", body = crate::service::ComplaintView),
        ComplainErrors,
    ),
    security(("bearer" = ["kind:business", "aal:2"])),
)]
#[post("/tenders/{id}/complaints")]
pub async fn complain(
    auth: Authorized<Supplier>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
    input: web::Json<ComplaintInput>,
) -> Result<HttpResponse, Error> {
    let k = file_complaint(&p, &auth, &id, input.into_inner()).await?;
    Ok(HttpResponse::Created().json(complaint_view(&k)))
}

/// A registered supplier files a complaint against a tender's terms or its award (the API's
/// and the complaint page's way).
pub(crate) async fn file_complaint(
    p: &Procurement,
    who: &egov_auth::Principal,
    id: &str,
    input: ComplaintInput,
) -> Result<store::ComplaintRow, Error> {
    let supplier = supplier_id(p, who)?;
    let mut errs = Vec::new();
    if !["terms", "award"].contains(&input.against.as_str()) {
        errs.push(field("/against", "terms or award"));
    }
    if !text_ok(&input.text, 20, 10_000) {
        errs.push(field("/text", "20 to 10000 characters"));
    }
    fail(errs)?;
    let row = public_tender(p, id).await?;
    let account = who.subject.clone();
    service::lodge_complaint(p, row, supplier, account, input.against, input.text).await
}

pub(crate) fn complaint_view(k: &store::ComplaintRow) -> crate::service::ComplaintView {
    crate::service::ComplaintView::from(k)
}

egov_core::problems!(PendingComplaintsErrors:
    crate::errors::NOT_CONFIGURED,
);

/// Pending complaints, the earliest decision date first (the review body).
#[utoipa::path(
    tag = "procurement",
    responses(
        (status = 200, description = "Pending complaints", body = crate::service::Complaints),
        PendingComplaintsErrors,
    ),
    security(("bearer" = ["kind:officer", "role:procurement.reviewer", "aal:2"])),
)]
#[get("/complaints")]
pub async fn pending_complaints(
    auth: Authorized<Reviewer>,
    p: web::Data<Procurement>,
) -> Result<HttpResponse, Error> {
    // Only the review body decides complaints; a reviewer elsewhere has none to see.
    let rows = if auth.agency.as_deref() == Some(p.rules()?.review_body.as_str()) {
        service::complaints_with_status(&p, "pending", 500).await?
    } else {
        Vec::new()
    };
    Ok(HttpResponse::Ok().json(crate::service::Complaints {
        complaints: rows.iter().map(complaint_view).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// `upheld` or `dismissed`.
    pub decision: String,
    /// 5 to 5000 characters, published.
    pub reason: String,
    /// For an upheld complaint: `cancel`, `reevaluate` (award complaints) or `amend` (terms
    /// complaints: the tender resumes and must be amended).
    pub remedy: Option<String>,
}

egov_core::problems!(DecideErrors:
    crate::errors::COMPLAINT_NOT_FOUND,
    crate::errors::TENDER_NOT_FOUND,
    crate::errors::ILLEGAL_TRANSITION,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// Decides a complaint; when no other is pending the tender resumes (the time it stood still
/// given back to its deadline or standstill), or is cancelled, or goes back to evaluation.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Complaint id")),
    request_body = DecisionInput,
    responses(
        (status = 200, description = "The tender after the decision", body = crate::service::TenderView),
        DecideErrors,
    ),
    security(("bearer" = ["kind:officer", "role:procurement.reviewer", "aal:2"])),
)]
#[post("/complaints/{id}/decision")]
pub async fn decide(
    auth: Authorized<Reviewer>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
    input: web::Json<DecisionInput>,
) -> Result<HttpResponse, Error> {
    let row = decide_complaint(&p, &auth, &id, input.into_inner()).await?;
    Ok(HttpResponse::Ok().json(view(&p, row).await?))
}

/// The remedies an upheld complaint against `against` may order.
pub(crate) fn remedies(against: &str) -> &'static [&'static str] {
    if against == "award" {
        &["cancel", "reevaluate"]
    } else {
        &["cancel", "amend"]
    }
}

/// The review body decides a complaint (the API's and the review page's way).
pub(crate) async fn decide_complaint(
    p: &Procurement,
    who: &egov_auth::Principal,
    id: &str,
    input: DecisionInput,
) -> Result<store::TenderRow, Error> {
    who.require_agency(&p.rules()?.review_body)?;
    let mut errs = Vec::new();
    let upheld = match input.decision.as_str() {
        "upheld" => true,
        "dismissed" => false,
        _ => {
            errs.push(field("/decision", "upheld or dismissed"));
            false
        }
    };
    if !text_ok(&input.reason, 5, 5000) {
        errs.push(field("/reason", "5 to 5000 characters"));
    }
    uuid_ok(id, errors::COMPLAINT_NOT_FOUND)?;
    let complaint = service::complaint(p, id.to_owned()).await?;
    let allowed = remedies(&complaint.against);
    match (&input.remedy, upheld) {
        (Some(r), true) if allowed.contains(&r.as_str()) => {}
        (None, false) => {}
        _ => errs.push(field(
            "/remedy",
            &format!(
                "required when upheld ({}), absent when dismissed",
                allowed.join(" or ")
            ),
        )),
    }
    fail(errs)?;
    let q = p.clone();
    let by = who.subject.clone();
    p.db()
        .transaction(move |c| {
            service::decide(
                &q,
                c,
                &complaint,
                &by,
                upheld,
                &input.reason,
                input.remedy.as_deref(),
            )
        })
        .await
}

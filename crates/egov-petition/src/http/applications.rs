//! Applicants' applications: drafts, their forms, my applications.

use super::{ApplicantPolicy, applicant_key, own_case};
use crate::domain::catalogue::Service;
use crate::domain::lifecycle::Status;
use crate::service::applications;
use crate::service::views::CaseSummary;
use crate::service::views::CaseView;
use crate::service::views::case_view;
use crate::service::views::summary;
use crate::service::{self};
use crate::store::CaseRow;
use crate::{Petition, errors};
use actix_web::{HttpResponse, get, post, put, web};
use chrono::NaiveDateTime;
use egov_auth::Authorized;
use egov_core::Error;
use egov_core::error::FieldError;
use egov_core::text::free_text as text_rule;
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationInput {
    pub lat: Option<f64>,
    pub long: Option<f64>,
    /// One line, at most 300 characters.
    pub address: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApplication {
    /// The service id from the catalogue.
    pub service: String,
    /// Field values so far (checked by type; required fields only at submission).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub form: Map<String, Value>,
    /// Where (complaints about a place).
    pub location: Option<LocationInput>,
}

pub(crate) fn check_location(l: &LocationInput) -> Result<(), Error> {
    let mut errs = Vec::new();
    match (l.lat, l.long) {
        (Some(a), Some(o)) if (-90.0..=90.0).contains(&a) && (-180.0..=180.0).contains(&o) => {}
        (None, None) => {}
        _ => errs.push(FieldError {
            pointer: "/location".into(),
            detail: egov_core::text!(
                "detail-location-coordinates",
                "lat (-90..90) and long (-180..180) together"
            ),
        }),
    }
    if let Some(a) = &l.address
        && (!text_rule(a, 1, 300) || a.contains('\n'))
    {
        errs.push(FieldError {
            pointer: "/location/address".into(),
            detail: egov_core::text!("detail-location-address", "one line of 1 to 300 characters"),
        });
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(Error::validation(errs))
    }
}

/// A new draft row for `service` (not yet stored).
/// (Public for the benchmark's seeding.)
pub fn draft_row(
    applicant: String,
    account: String,
    service: &Service,
    form: Map<String, Value>,
    location: Option<LocationInput>,
    channel: &str,
    now: NaiveDateTime,
) -> CaseRow {
    let (category, region) = service::routing_keys(service, &form);
    let loc = location.unwrap_or(LocationInput {
        lat: None,
        long: None,
        address: None,
    });
    CaseRow {
        id: uuid::Uuid::now_v7().to_string(),
        service: service.id.clone(),
        kind: service::kind_str(service.kind).into(),
        agency: String::new(),
        applicant,
        applicant_account: account,
        channel: channel.into(),
        status: Status::Draft.as_str().into(),
        receipt_no: None,
        form: Value::Object(form).to_string(),
        category,
        region,
        lat: loc.lat,
        lon: loc.long,
        address: loc.address,
        assignee: None,
        decision: None,
        decision_reason: None,
        remedies: None,
        merged_into: None,
        rating: None,
        rating_comment: None,
        submitted_at: None,
        due_at: None,
        paused_at: None,
        closed_at: None,
        progress_noticed: false,
        version: 1,
        created_at: now,
        updated_at: now,
        escalation_level: 0,
        answered_at: None,
    }
}

egov_core::problems!(CreateApplicationErrors:
    crate::errors::NOT_AN_APPLICANT,
    crate::errors::SERVICE_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Starts an application (a draft, saved and returned to later).
#[utoipa::path(
    tag = "petition",
    request_body = NewApplication,
    responses(
        (status = 201, body = CaseView),
        CreateApplicationErrors,
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[post("/applications")]
pub async fn create_application(
    auth: Authorized<ApplicantPolicy>,
    p: web::Data<Petition>,
    input: web::Json<NewApplication>,
) -> Result<HttpResponse, Error> {
    let applicant = applicant_key(&p, &auth)?;
    let input = input.into_inner();
    let service = p
        .catalogue()
        .services
        .get(&input.service)
        .ok_or_else(|| Error::new(errors::SERVICE_NOT_FOUND))?;
    if let Some(l) = &input.location {
        check_location(l)?;
    }
    let form = crate::domain::catalogue::check_form(service, &input.form, p.pack(), false)
        .map_err(Error::validation)?;
    let row = draft_row(
        applicant,
        auth.subject.clone(),
        service,
        form,
        input.location,
        "web",
        p.now(),
    );
    Ok(HttpResponse::Created().json(applications::create_draft(&p, row).await?))
}

egov_core::problems!(MyApplicationsErrors:
    crate::errors::NOT_AN_APPLICANT,
);

/// My applications, newest first (at most 200).
#[utoipa::path(
    tag = "petition",
    responses(
        (status = 200, body = Vec<CaseSummary>),
        MyApplicationsErrors,
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[get("/applications")]
pub async fn my_applications(
    auth: Authorized<ApplicantPolicy>,
    p: web::Data<Petition>,
) -> Result<web::Json<Vec<CaseSummary>>, Error> {
    let key = applicant_key(&p, &auth)?;
    let rows = applications::cases_of(&p, key, 200).await?;
    let now = p.now();
    Ok(web::Json(rows.iter().map(|r| summary(r, now)).collect()))
}

egov_core::problems!(MyApplicationErrors:
    crate::errors::NOT_AN_APPLICANT,
    crate::errors::CASE_NOT_FOUND,
    crate::errors::SERVICE_NOT_FOUND,
);

/// One of my applications with its history, evidence, attachments and documents.
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Case id")),
    responses(
        (status = 200, body = CaseView),
        MyApplicationErrors,
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[get("/applications/{id}")]
pub async fn my_application(
    auth: Authorized<ApplicantPolicy>,
    p: web::Data<Petition>,
    id: web::Path<String>,
) -> Result<web::Json<CaseView>, Error> {
    let row = own_case(&p, &auth, &id).await?;
    Ok(web::Json(case_view(&p, row, false).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormInput {
    /// The whole form (replaces the draft's).
    #[schema(value_type = Object)]
    pub form: Map<String, Value>,
    pub location: Option<LocationInput>,
}

egov_core::problems!(EditFormErrors:
    crate::errors::NOT_AN_APPLICANT,
    crate::errors::CASE_NOT_FOUND,
    crate::errors::SERVICE_NOT_FOUND,
    crate::errors::CONCURRENT_CHANGE,
    crate::errors::ILLEGAL_TRANSITION,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Saves a draft's form.
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Case id")),
    request_body = FormInput,
    responses(
        (status = 200, body = CaseView),
        EditFormErrors,
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[put("/applications/{id}/form")]
pub async fn edit_form(
    auth: Authorized<ApplicantPolicy>,
    p: web::Data<Petition>,
    id: web::Path<String>,
    input: web::Json<FormInput>,
) -> Result<web::Json<CaseView>, Error> {
    let row = own_case(&p, &auth, &id).await?;
    let service = service::service_of(&p, &row)?.clone();
    let input = input.into_inner();
    if let Some(l) = &input.location {
        check_location(l)?;
    }
    let form = crate::domain::catalogue::check_form(&service, &input.form, p.pack(), false)
        .map_err(Error::validation)?;
    let place = input.location.map(|l| applications::Place {
        lat: l.lat,
        lon: l.long,
        address: l.address,
    });
    Ok(web::Json(
        applications::save_form(&p, row, service, form, place).await?,
    ))
}

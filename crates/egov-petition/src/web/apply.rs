//! Applying for a service in the browser, the pattern of the best government services: the
//! form (saved as a draft on every "Continue" or "Save and come back later"), the documents
//! the service needs, "check your answers", then the confirmation with the receipt number and
//! what happens next. Every step is the same use case the API calls.

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path};
use actix_web::{HttpResponse, get, post};
use askama::Template;
use egov_core::Error;
use egov_web::{CsrfForm, Page, PageError, SignedIn, see_other};
use serde_json::{Map, Value};

use super::form::{self, FieldView};
use crate::Petition;
use crate::domain::catalogue::Service;
use crate::domain::lifecycle::Status;
use crate::http::ApplicantPolicy;
use crate::service::applications;
use crate::service::cases::applicant_key;
use crate::service::status_of;
use crate::store::CaseRow;

type Who = SignedIn<ApplicantPolicy>;

fn internal(page: &Page, e: impl std::fmt::Display) -> PageError {
    page.error(&Error::internal(anyhow::anyhow!("{e}")))
}

#[derive(Template)]
#[template(path = "web/form.html")]
struct FormPage<'a> {
    t: &'a Page,
    title: String,
    service: String,
    action: String,
    csrf: &'a str,
    errors: Vec<(String, String)>,
    fields: Vec<FieldView>,
}

fn service<'p>(p: &'p Petition, page: &Page, id: &str) -> Result<&'p Service, PageError> {
    p.catalogue()
        .services
        .get(id)
        .ok_or_else(|| page.not_found())
}

fn form_page(
    who: &Who,
    service: &Service,
    action: String,
    values: &Map<String, Value>,
    errors: &[egov_core::error::FieldError],
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let messages = form::messages(t, service, errors);
    let name = t.pick(&service.names).to_owned();
    let title = t.t_with("apply-title", &[("service", name.clone())]);
    let fields = form::views(t, service, values, &messages);
    let html = FormPage {
        t,
        title: title.clone(),
        service: name,
        action,
        csrf: who.csrf(),
        errors: fields
            .iter()
            .filter_map(|f| f.error.clone().map(|e| (format!("#{}", f.id), e)))
            .collect(),
        fields,
    }
    .render()
    .map_err(|e| internal(t, e))?;
    Ok(super::in_my_applications(t, status, &title, &html))
}

/// What the person pressed: "Continue" checks that every required field is filled; "Save and
/// come back later" keeps what is there.
fn wants_check(posted: &[(String, String)]) -> bool {
    posted
        .iter()
        .find(|(k, _)| k == "action")
        .is_none_or(|(_, v)| v != "save")
}

/// The field errors that block this step: every field's on "Continue", only malformed ones on
/// "Save".
fn check(
    p: &Petition,
    service: &Service,
    values: &Map<String, Value>,
    complete: bool,
) -> Result<Map<String, Value>, Vec<egov_core::error::FieldError>> {
    crate::domain::catalogue::check_form(service, values, p.pack(), complete)
        .map_err(|e| {
            // Attachment fields are filled on the documents page.
            e.into_iter()
                .filter(|x| {
                    x.pointer
                        .strip_prefix("/form/")
                        .and_then(|n| service.field(n))
                        .is_some_and(|f| f.kind != crate::domain::catalogue::FieldType::Attachment)
                })
                .collect()
        })
        .or_else(|errors: Vec<_>| {
            if errors.is_empty() {
                // Only attachment fields were missing: keep the rest.
                crate::domain::catalogue::check_form(service, values, p.pack(), false)
            } else {
                Err(errors)
            }
        })
}

/// The posted form checked for this step, or the form page again with the errors (400).
fn checked_or_form(
    who: &Who,
    p: &Petition,
    service: &Service,
    action: String,
    values: &Map<String, Value>,
    complete: bool,
) -> Result<Map<String, Value>, Box<Result<HttpResponse, PageError>>> {
    check(p, service, values, complete).map_err(|errors| {
        Box::new(form_page(
            who,
            service,
            action,
            values,
            &errors,
            StatusCode::BAD_REQUEST,
        ))
    })
}

/// Where a draft goes after its form: where it is, for a report about a place; else as
/// [`next_after_location`].
fn next_after_form(service: &Service, id: &str) -> String {
    if service.open311 {
        format!("/my/applications/{id}/location")
    } else {
        next_after_location(service, id)
    }
}

/// Where a draft goes after its form (and its place): its documents when the service needs
/// any, else "check your answers".
pub(crate) fn next_after_location(service: &Service, id: &str) -> String {
    if service.evidence.is_empty()
        && !service
            .fields
            .iter()
            .any(|f| f.kind == crate::domain::catalogue::FieldType::Attachment)
    {
        format!("/my/applications/{id}/check")
    } else {
        format!("/my/applications/{id}/documents")
    }
}

/// The form of a service, to start an application.
#[get("/services/{id}/apply")]
pub async fn start(
    who: Who,
    p: Data<Petition>,
    id: Path<String>,
) -> Result<HttpResponse, PageError> {
    let service = service(&p, &who.page, &id)?;
    form_page(
        &who,
        service,
        format!("/services/{}/apply", service.id),
        &Map::new(),
        &[],
        StatusCode::OK,
    )
}

/// Starts the application: a draft with what was filled.
#[post("/services/{id}/apply")]
pub async fn create(
    who: Who,
    form: CsrfForm<Vec<(String, String)>>,
    p: Data<Petition>,
    id: Path<String>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let service = service(&p, t, &id)?.clone();
    let posted = form.0;
    let values = form::read(&service, &posted);
    let complete = wants_check(&posted);
    let action = format!("/services/{}/apply", service.id);
    let checked = match checked_or_form(&who, &p, &service, action, &values, complete) {
        Ok(v) => v,
        Err(page) => return *page,
    };
    let applicant = applicant_key(&p, &who.principal).map_err(|e| t.error(&e))?;
    let row = crate::http::applications::draft_row(
        applicant,
        who.principal.subject.clone(),
        &service,
        checked,
        None,
        "web",
        p.now(),
    );
    let view = applications::create_draft(&p, row)
        .await
        .map_err(|e| t.error(&e))?;
    Ok(see_other(&if complete {
        next_after_form(&service, &view.id)
    } else {
        format!("/my/applications/{}", view.id)
    }))
}

async fn draft(who: &Who, p: &Petition, id: &str) -> Result<(CaseRow, Service), PageError> {
    super::own_case_and_service(who, p, id).await
}

pub(crate) fn saved_form(row: &CaseRow) -> Map<String, Value> {
    serde_json::from_str(&row.form).unwrap_or_default()
}

/// A draft's form, to change it.
#[get("/my/applications/{id}/form")]
pub async fn edit(
    who: Who,
    p: Data<Petition>,
    id: Path<String>,
) -> Result<HttpResponse, PageError> {
    let (row, service) = draft(&who, &p, &id).await?;
    if status_of(&row) != Status::Draft {
        return Ok(see_other(&format!("/my/applications/{}", row.id)));
    }
    form_page(
        &who,
        &service,
        format!("/my/applications/{}/form", row.id),
        &saved_form(&row),
        &[],
        StatusCode::OK,
    )
}

/// Saves a draft's form.
#[post("/my/applications/{id}/form")]
pub async fn save(
    who: Who,
    form: CsrfForm<Vec<(String, String)>>,
    p: Data<Petition>,
    id: Path<String>,
) -> Result<HttpResponse, PageError> {
    let (row, service) = draft(&who, &p, &id).await?;
    let t = &who.page;
    let posted = form.0;
    let mut values = form::read(&service, &posted);
    // Attachment fields are not on this page: keep theirs.
    for f in &service.fields {
        if f.kind == crate::domain::catalogue::FieldType::Attachment
            && let Some(v) = saved_form(&row).get(&f.name)
        {
            values.insert(f.name.clone(), v.clone());
        }
    }
    let complete = wants_check(&posted);
    let action = format!("/my/applications/{}/form", row.id);
    let checked = match checked_or_form(&who, &p, &service, action, &values, complete) {
        Ok(v) => v,
        Err(page) => return *page,
    };
    let id = row.id.clone();
    applications::save_form(&p, row, service.clone(), checked, None)
        .await
        .map_err(|e| t.error(&e))?;
    Ok(see_other(&if complete {
        next_after_form(&service, &id)
    } else {
        format!("/my/applications/{id}")
    }))
}

#[derive(Template)]
#[template(path = "web/check.html")]
struct CheckPage<'a> {
    t: &'a Page,
    title: String,
    service: String,
    id: &'a str,
    csrf: &'a str,
    answers: Vec<(String, String)>,
    documents: Vec<(String, String)>,
    has_documents: bool,
    errors: Vec<(String, String)>,
    /// A report about a place: where, in words.
    place: Option<String>,
    /// Open reports like this one (nearby, same kind), to follow instead of sending another.
    similar: Vec<String>,
}

async fn check_page(
    who: &Who,
    p: &Petition,
    row: &CaseRow,
    service: &Service,
    errors: &[egov_core::error::FieldError],
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let view = crate::service::views::case_view(p, row.clone(), false)
        .await
        .map_err(|e| t.error(&e))?;
    let documents: Vec<(String, String)> = service
        .evidence
        .iter()
        .map(|e| {
            let have = view.evidence.iter().find(|x| x.key == e.key);
            let state = match have {
                Some(x) if x.source == "exchange" => t.t("evidence-fetched"),
                Some(_) => t.t("evidence-uploaded"),
                None => t.t("evidence-missing"),
            };
            (t.pick(&e.names).to_owned(), state)
        })
        .collect();
    let messages = form::messages(t, service, errors);
    let mut summary: Vec<(String, String)> = messages
        .iter()
        .map(|(name, m)| {
            (
                format!("/my/applications/{}/form#f-{name}", row.id),
                m.clone(),
            )
        })
        .collect();
    for e in errors {
        if let Some(key) = e.pointer.strip_prefix("/evidence/")
            && let Some(ev) = service.evidence.iter().find(|x| x.key == key)
        {
            summary.push((
                format!("/my/applications/{}/documents#e-{key}", row.id),
                t.t_with(
                    "error-evidence",
                    &[("document", t.pick(&ev.names).to_owned())],
                ),
            ));
        }
    }
    let name = t.pick(&service.names).to_owned();
    let title = t.t("check-title");
    let html = CheckPage {
        t,
        title: title.clone(),
        service: name,
        id: &row.id,
        csrf: who.csrf(),
        answers: form::answers(t, service, &saved_form(row)),
        has_documents: !service.evidence.is_empty(),
        documents,
        errors: summary,
        place: service.open311.then(|| super::location::place_text(t, row)),
        similar: super::location::similar_lines(t, p, row).await?,
    }
    .render()
    .map_err(|e| internal(t, e))?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    Ok(super::in_my_applications(t, status, &title, &html))
}

/// Check your answers before sending.
#[get("/my/applications/{id}/check")]
pub async fn check_answers(
    who: Who,
    p: Data<Petition>,
    id: Path<String>,
) -> Result<HttpResponse, PageError> {
    let (row, service) = draft(&who, &p, &id).await?;
    if status_of(&row) != Status::Draft {
        return Ok(see_other(&format!("/my/applications/{}", row.id)));
    }
    check_page(&who, &p, &row, &service, &[]).await
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoFields {}

/// Sends the application: it gets its receipt number and its due date.
#[post("/my/applications/{id}/submit")]
pub async fn submit(
    who: Who,
    _form: CsrfForm<NoFields>,
    p: Data<Petition>,
    id: Path<String>,
) -> Result<HttpResponse, PageError> {
    let (row, service) = draft(&who, &p, &id).await?;
    let t = &who.page;
    if status_of(&row) != Status::Draft {
        return Ok(see_other(&format!("/my/applications/{}", row.id)));
    }
    let key = applicant_key(&p, &who.principal).map_err(|e| t.error(&e))?;
    match applications::submit_own(&p, &who.principal, key, row.id.clone()).await {
        Ok(_) => Ok(see_other(&format!("/my/applications/{}/sent", row.id))),
        Err(e) if !e.errors().is_empty() => {
            let errors = e.errors().to_vec();
            check_page(&who, &p, &row, &service, &errors).await
        }
        Err(e) => Err(t.error(&e)),
    }
}

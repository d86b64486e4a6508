//! The documents an application needs, as a page: for each piece of evidence, "fetch it for
//! me" from the agency that holds it (with the consent spelled out in words and given by
//! ticking a box), or an upload; uploads for the form's attachment fields. Uploads are plain
//! multipart forms: they work without JavaScript.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::web::{Data, Path};
use actix_web::{HttpResponse, get, post};
use askama::Template;
use egov_core::Error;
use egov_exchange::Exchange;
use egov_exchange::http::citizens::{ConsentInput, give_consent};
use egov_web::{CsrfForm, Page, PageError, SignedIn, see_other};
use futures_util::StreamExt as _;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::Petition;
use crate::domain::catalogue::{FieldType, Service};
use crate::domain::lifecycle::Status;
use crate::errors;
use crate::http::ApplicantPolicy;
use crate::service::cases::own_case;
use crate::service::views::{CaseView, case_view};
use crate::service::{applications, status_of, uploads};
use crate::store::CaseRow;

type Who = SignedIn<ApplicantPolicy>;

/// How long a consent given on this page lasts.
const CONSENT_DAYS: u32 = 30;

/// One document the application needs.
#[derive(Debug)]
pub struct Item {
    /// `e-<evidence key>` or `a-<field name>`: the section's id, for the error summary.
    pub anchor: String,
    /// The hidden input that says what an upload is for.
    pub target_name: &'static str,
    pub target: String,
    pub name: String,
    pub state: String,
    pub done: bool,
    /// "Fetch it for me": the consent in words, when an agency can provide it.
    pub consent: Option<String>,
    pub fetch_action: String,
}

#[derive(Template)]
#[template(path = "web/documents.html")]
struct DocumentsPage<'a> {
    t: &'a Page,
    title: String,
    service: String,
    id: &'a str,
    csrf: &'a str,
    items: Vec<Item>,
    /// The summary: (link, message).
    errors: Vec<(String, String)>,
    /// Beside each item: (its anchor, message).
    inline: Vec<(String, String)>,
    accept: String,
    limit: String,
    /// The size limit, for the page's script to refuse a file before sending it.
    max_bytes: usize,
    too_large: String,
    script: String,
}

async fn open_case(who: &Who, p: &Petition, id: &str) -> Result<(CaseRow, Service), PageError> {
    super::own_case_and_service(who, p, id).await
}

fn accepting(row: &CaseRow) -> bool {
    matches!(status_of(row), Status::Draft | Status::SupplementRequested)
}

/// Who provides a piece of evidence, in words (`provider-<subsystem>` messages).
fn provider(t: &Page, service: &str) -> String {
    let parts: Vec<&str> = service.split('/').collect();
    let subsystem = parts
        .get(parts.len().saturating_sub(2))
        .copied()
        .unwrap_or("");
    let id = format!("provider-{subsystem}");
    let name = t.t(&id);
    if name == id {
        subsystem.to_owned()
    } else {
        name
    }
}

fn items(t: &Page, p: &Petition, service: &Service, view: &CaseView) -> Vec<Item> {
    let here = t
        .pick(
            &p.catalogue()
                .agencies
                .get(service.agency.as_deref().unwrap_or_default())
                .map(|a| a.names.clone())
                .unwrap_or_default(),
        )
        .to_owned();
    let here = if here.is_empty() {
        t.t("agency-this")
    } else {
        here
    };
    let mut out: Vec<Item> = service
        .evidence
        .iter()
        .map(|e| {
            let have = view.evidence.iter().find(|x| x.key == e.key);
            let name = t.pick(&e.names).to_owned();
            Item {
                anchor: format!("e-{}", e.key),
                target_name: "evidence",
                target: e.key.clone(),
                state: match have {
                    Some(x) if x.source == "exchange" => t.t("evidence-fetched"),
                    Some(_) => t.t("evidence-uploaded"),
                    None => t.t("evidence-missing"),
                },
                done: have.is_some(),
                consent: e.exchange.as_ref().map(|x| {
                    t.t_with(
                        "consent-text",
                        &[
                            ("agency", here.clone()),
                            ("document", name.clone()),
                            ("provider", provider(t, &x.service)),
                            ("items", x.items.join(", ")),
                            ("days", CONSENT_DAYS.to_string()),
                        ],
                    )
                }),
                fetch_action: format!("/my/applications/{}/evidence/{}", view.id, e.key),
                name,
            }
        })
        .collect();
    let form = view.form.as_object();
    for f in service
        .fields
        .iter()
        .filter(|f| f.kind == FieldType::Attachment)
    {
        let att = form
            .and_then(|m| m.get(&f.name))
            .and_then(Value::as_str)
            .and_then(|id| view.attachments.iter().find(|a| a.id == id));
        out.push(Item {
            anchor: format!("a-{}", f.name),
            target_name: "field",
            target: f.name.clone(),
            name: t.pick(&f.label).to_owned(),
            state: att.map_or_else(
                || t.t("evidence-missing"),
                |a| t.t_with("attachment-uploaded", &[("file", a.filename.clone())]),
            ),
            done: att.is_some(),
            consent: None,
            fetch_action: String::new(),
        });
    }
    out
}

async fn render(
    who: &Who,
    p: &Petition,
    row: &CaseRow,
    service: &Service,
    errors: Vec<(String, String)>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    // The summary links to each item's section; the message also stands in the section.
    let summary: Vec<(String, String)> = errors
        .iter()
        .map(|(anchor, m)| (format!("#{anchor}"), m.clone()))
        .collect();
    let view = case_view(p, row.clone(), false)
        .await
        .map_err(|e| t.error(&e))?;
    let config = &p.0.config;
    let title = t.t("documents-title");
    let html = DocumentsPage {
        t,
        title: title.clone(),
        service: t.pick(&service.names).to_owned(),
        id: &row.id,
        csrf: who.csrf(),
        items: items(t, p, service, &view),
        errors: summary,
        inline: errors,
        accept: config
            .attachment_types
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(","),
        limit: t.t_with("upload-hint", &[("mb", max_mb(p))]),
        too_large: t.t_with("upload-too-large", &[("mb", max_mb(p))]),
        max_bytes: config.attachment_max_bytes,
        script: egov_web::assets::url("egov-upload.js"),
    }
    .render()
    .map_err(|e| t.error(&Error::internal(e)))?;
    Ok(super::in_my_applications(t, status, &title, &html))
}

/// The documents of an application.
#[get("/my/applications/{id}/documents")]
pub async fn documents(
    who: Who,
    p: Data<Petition>,
    id: Path<String>,
) -> Result<HttpResponse, PageError> {
    let (row, service) = open_case(&who, &p, &id).await?;
    if !accepting(&row) {
        return Ok(see_other(&format!("/my/applications/{}", row.id)));
    }
    render(&who, &p, &row, &service, Vec::new(), StatusCode::OK).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentForm {
    /// `yes` when the box is ticked.
    consent: Option<String>,
}

/// The status and message of a use case's refusal on this page.
fn refusal(t: &Page, p: &Petition, e: &Error) -> (StatusCode, String) {
    let code = e.code();
    let status = StatusCode::from_u16(code.status).unwrap_or(StatusCode::BAD_REQUEST);
    let id = if code == errors::ATTACHMENT_TOO_LARGE {
        "upload-too-large"
    } else if code == errors::ATTACHMENT_TYPE {
        "upload-wrong-type"
    } else if code == errors::EVIDENCE_REFUSED || code == errors::EVIDENCE_UNAVAILABLE {
        "fetch-failed"
    } else if !e.errors().is_empty() {
        "fetch-fill-form"
    } else {
        return (status, t.problem_title(e));
    };
    (status, t.t_with(id, &[("mb", max_mb(p))]))
}

/// The attachment size limit in MB, as the pages say it.
fn max_mb(p: &Petition) -> String {
    (p.0.config.attachment_max_bytes / (1024 * 1024)).to_string()
}

/// "Fetch it for me": gives the consent spelled out on the page and fetches the evidence
/// through the exchange.
#[post("/my/applications/{id}/evidence/{key}")]
pub async fn fetch(
    who: Who,
    form: CsrfForm<ConsentForm>,
    p: Data<Petition>,
    x: Option<Data<Exchange>>,
    path: Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (id, key) = path.into_inner();
    let (row, service) = open_case(&who, &p, &id).await?;
    let t = &who.page;
    if !accepting(&row) {
        return Ok(see_other(&format!("/my/applications/{}", row.id)));
    }
    let Some(def) = service
        .evidence
        .iter()
        .find(|e| e.key == key)
        .and_then(|e| e.exchange.clone())
    else {
        return Err(t.not_found());
    };
    let anchor = format!("#e-{key}");
    if form.0.consent.as_deref() != Some("yes") {
        let errors = vec![(format!("consent-{key}"), t.t("consent-missing"))];
        return render(&who, &p, &row, &service, errors, StatusCode::BAD_REQUEST).await;
    }
    let refuse = |e: &Error| {
        let (status, message) = refusal(t, &p, e);
        (vec![(format!("consent-{key}"), message)], status)
    };
    let Some(x) = x else {
        let (errs, status) = refuse(&Error::new(errors::EVIDENCE_UNAVAILABLE));
        return render(&who, &p, &row, &service, errs, status).await;
    };
    let target = if def.service.split('/').count() == 2 {
        format!("{}/{}", x.member(), def.service)
    } else {
        def.service.clone()
    };
    let consent = give_consent(
        &x,
        row.applicant.clone(),
        ConsentInput {
            client: format!("{}/{}", x.member(), crate::NAME),
            service: target,
            purpose: def.purpose.clone(),
            items: def.items.clone(),
            days: CONSENT_DAYS,
        },
    )
    .await;
    let consent = match consent {
        Ok(c) => c,
        Err(e) => {
            let (errs, status) = refuse(&e);
            return render(&who, &p, &row, &service, errs, status).await;
        }
    };
    match uploads::fetch_evidence(
        &p,
        &x,
        &who.principal.subject,
        &row,
        key.clone(),
        &consent.id,
    )
    .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/my/applications/{}/documents{anchor}",
            row.id
        ))),
        Err(e) => {
            let (errs, status) = refuse(&e);
            render(&who, &p, &row, &service, errs, status).await
        }
    }
}

fn multipart_error(e: actix_multipart::MultipartError) -> Error {
    Error::with_detail(
        egov_core::error::codes::BAD_REQUEST,
        egov_core::text!(
            "detail-upload-broke-off",
            "the upload broke off: {why}",
            why = e.to_string()
        ),
    )
}

/// An upload from the page's form: the form's token first, then what the file is for, then
/// the file, streamed to the blob store.
#[post("/my/applications/{id}/upload")]
pub async fn upload(
    who: Who,
    p: Data<Petition>,
    id: Path<String>,
    mut parts: Multipart,
) -> Result<HttpResponse, PageError> {
    let (row, service) = open_case(&who, &p, &id).await?;
    let t = &who.page;
    if !accepting(&row) {
        return Ok(see_other(&format!("/my/applications/{}", row.id)));
    }
    let mut csrf_ok = false;
    let mut evidence: Option<String> = None;
    let mut field: Option<String> = None;
    let mut stored = None;
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(|_| t.bad_form())?;
        let name = part.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "csrf" | "evidence" | "field" => {
                let mut value = Vec::new();
                while let Some(chunk) = part.next().await {
                    let chunk = chunk.map_err(|_| t.bad_form())?;
                    if value.len() + chunk.len() > 256 {
                        return Err(t.bad_form());
                    }
                    value.extend_from_slice(&chunk);
                }
                let value = String::from_utf8(value).map_err(|_| t.bad_form())?;
                match name.as_str() {
                    "csrf" => {
                        csrf_ok = egov_auth::random::same(value.as_bytes(), who.csrf().as_bytes());
                    }
                    "evidence" => evidence = Some(value),
                    _ => field = Some(value),
                }
            }
            "file" => {
                // The token and the target come before the file in the form.
                if !csrf_ok {
                    return Err(t.expired_form());
                }
                let anchor = match (&evidence, &field) {
                    (Some(k), None) if service.evidence.iter().any(|e| &e.key == k) => {
                        format!("e-{k}")
                    }
                    (None, Some(f))
                        if service
                            .field(f)
                            .is_some_and(|x| x.kind == FieldType::Attachment) =>
                    {
                        format!("a-{f}")
                    }
                    _ => return Err(t.bad_form()),
                };
                let filename = part
                    .content_disposition()
                    .and_then(|d| d.get_filename())
                    .map(|f| f.rsplit(['/', '\\']).next().unwrap_or(f).to_owned())
                    .unwrap_or_default();
                if filename.is_empty() {
                    let errors = vec![(anchor, t.t("upload-choose-file"))];
                    return render(&who, &p, &row, &service, errors, StatusCode::BAD_REQUEST).await;
                }
                let body = part.map(|c| c.map_err(multipart_error));
                match uploads::upload(
                    &p,
                    &who.principal.subject,
                    &row,
                    filename,
                    evidence.clone(),
                    Box::pin(body),
                )
                .await
                {
                    Ok(att) => stored = Some((att, anchor)),
                    Err(e) => {
                        let (status, message) = if e.errors().is_empty() {
                            refusal(t, &p, &e)
                        } else {
                            // The only field an upload has is the file's name.
                            (StatusCode::BAD_REQUEST, t.t("upload-bad-name"))
                        };
                        return render(&who, &p, &row, &service, vec![(anchor, message)], status)
                            .await;
                    }
                }
            }
            _ => return Err(t.bad_form()),
        }
    }
    let Some((att, anchor)) = stored else {
        return Err(if csrf_ok {
            t.bad_form()
        } else {
            t.expired_form()
        });
    };
    // An attachment field's value is the attachment's id.
    if let Some(f) = field {
        let mut form: Map<String, Value> = serde_json::from_str(&row.form).unwrap_or_default();
        form.insert(f, Value::String(att.id.clone()));
        let id = row.id.clone();
        let fresh = own_case(&p, &who.principal, &id)
            .await
            .map_err(|e| t.error(&e))?;
        applications::save_form(&p, fresh, service.clone(), form, None)
            .await
            .map_err(|e| t.error(&e))?;
    }
    Ok(see_other(&format!(
        "/my/applications/{}/documents#{anchor}",
        row.id
    )))
}

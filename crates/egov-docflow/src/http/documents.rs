//! Documents: drafting, reading (access-logged), versions, attachments, edits, the line,
//! submission.

use super::{
    Officer, PurposeQuery, Reader, agency, code_ok, content_read, doc_id, field, fields, text_ok,
    visible,
};
use crate::domain::line::StepKind;
use crate::service::{self, LineStep, NewDocument};
use crate::{Docflow, errors};
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use egov_auth::Authorized;
use egov_core::Error;
use egov_core::error::FieldError;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

/// An attachment as sent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = DocflowAttachmentInput)]
pub struct AttachmentInput {
    pub name: String,
    pub media_type: String,
    /// The content, base64.
    pub content: String,
}

/// A step of the approval line (the draft step is added from the drafter's position).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    pub kind: StepKind,
    pub position: String,
    /// Cooperation steps with the same group (> 0) run in parallel.
    #[serde(default)]
    pub group: i32,
}

/// A new document.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = DocflowDocumentInput)]
pub struct DocumentInput {
    /// The position drafted from (one you hold).
    pub position: String,
    pub doc_type: String,
    pub title: String,
    /// Structured text: `{"paragraphs": ["…"]}` (or `{"text": "…"}`, or any object).
    pub body: Value,
    #[serde(default)]
    pub attachments: Vec<AttachmentInput>,
    /// Function classification (unit task, 단위과제).
    pub classification: String,
    /// A disclosure class of the pack, set now.
    pub disclosure: String,
    /// The legal ground for withholding, where the class requires one.
    pub disclosure_ground: Option<String>,
    /// National IDs of the people whose personal data the document carries: every read is
    /// then written to the access log.
    #[serde(default)]
    pub personal_data_subjects: Vec<String>,
    /// Amount in minor units, for the delegation table.
    pub amount: Option<i64>,
    #[serde(default, deserialize_with = "egov_core::dates::instant_opt")]
    pub due_at: Option<DateTime<Utc>>,
    pub line: Vec<StepInput>,
}

pub(crate) fn attachments_in(
    d: &Docflow,
    a: Vec<AttachmentInput>,
    e: &mut Vec<FieldError>,
) -> Vec<(String, String, Vec<u8>)> {
    let max = d.config().max_attachment_bytes;
    if a.len() > 50 {
        e.push(field(
            "/attachments",
            egov_core::text!("detail-docflow-at-most-50", "at most 50"),
        ));
    }
    let mut out = Vec::new();
    for (i, x) in a.into_iter().enumerate() {
        if !text_ok(&x.name, 1, 255) || x.name.contains('/') {
            e.push(field(
                &format!("/attachments/{i}/name"),
                "1-255 characters, no '/'",
            ));
        }
        if !code_ok(&x.media_type) || !x.media_type.contains('/') {
            e.push(field(
                &format!("/attachments/{i}/media_type"),
                egov_core::text!("detail-docflow-media-type", "a media type"),
            ));
        }
        let accepted = &d.config().attachment_types;
        match STANDARD.decode(x.content.as_bytes()) {
            Ok(b) if b.len() <= max => {
                match crate::domain::attachment::classify(&x.name, &x.media_type, &b, accepted) {
                    Ok(c) => out.push((c.name, c.media_type, b)),
                    Err(why) => e.push(field(&format!("/attachments/{i}/content"), why)),
                }
            }
            Ok(_) => e.push(field(
                &format!("/attachments/{i}/content"),
                egov_core::text!("detail-docflow-max-bytes", "at most {max} bytes", max = max),
            )),
            Err(_) => e.push(field(
                &format!("/attachments/{i}/content"),
                egov_core::text!("detail-docflow-base64", "base64"),
            )),
        }
    }
    out
}

pub(crate) fn body_ok(body: &Value, e: &mut Vec<FieldError>) {
    if !body.is_object() || body.to_string().len() > 256 * 1024 {
        e.push(field(
            "/body",
            egov_core::text!("detail-docflow-body", "a JSON object of at most 256 KiB"),
        ));
    }
}

egov_core::problems!(CreateErrors:
    crate::errors::NO_POSITION,
    crate::errors::INVALID_LINE,
    crate::errors::NOT_DELEGATED,
    crate::errors::POSITION_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// Drafts a document (version 1) with its approval line.
#[utoipa::path(tag = "docflow", request_body = DocumentInput,
    responses(
        (status = 201, description = "Created", body = service::DocumentView),
        CreateErrors,
    ),
    security(("bearer" = ["kind:officer"])))]
#[post("/documents")]
pub async fn create(
    auth: Authorized<Officer>,
    d: web::Data<Docflow>,
    body: web::Json<DocumentInput>,
) -> Result<HttpResponse, Error> {
    let doc = create_document(&d, &auth, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(service::DocumentView::from(&doc)))
}

/// Checks a new document (every field's problem at once) and drafts it: the API's and the
/// workspace page's one way in.
pub(crate) async fn create_document(
    d: &Docflow,
    who: &egov_auth::Principal,
    b: DocumentInput,
) -> Result<crate::store::DocumentRow, Error> {
    let rules = d.rules()?;
    let mut e = Vec::new();
    if rules.doc_type(&b.doc_type).is_none() {
        e.push(field(
            "/doc_type",
            egov_core::text!(
                "detail-docflow-doc-type",
                "a document type of the country pack"
            ),
        ));
    }
    if !text_ok(&b.title, 1, 300) || b.title.contains('\n') {
        e.push(field(
            "/title",
            egov_core::text!("detail-docflow-one-line", "1-300 characters on one line"),
        ));
    }
    body_ok(&b.body, &mut e);
    if !code_ok(&b.classification) {
        e.push(field(
            "/classification",
            egov_core::text!(
                "detail-docflow-classification",
                "a function classification code"
            ),
        ));
    }
    match rules.disclosure(&b.disclosure) {
        None => e.push(field(
            "/disclosure",
            egov_core::text!(
                "detail-docflow-disclosure",
                "a disclosure class of the country pack"
            ),
        )),
        Some(c)
            if c.ground_required
                && b.disclosure_ground
                    .as_deref()
                    .is_none_or(|g| !text_ok(g, 3, 300)) =>
        {
            e.push(field(
                "/disclosure_ground",
                egov_core::text!(
                    "detail-docflow-ground",
                    "the legal ground for withholding (3-300 characters)"
                ),
            ));
        }
        _ => {}
    }
    if b.amount.is_some_and(|a| a < 0) {
        e.push(field(
            "/amount",
            egov_core::text!("detail-docflow-not-negative", "not negative"),
        ));
    }
    if b.line.is_empty() || b.line.len() > 30 {
        e.push(field(
            "/line",
            egov_core::text!("detail-docflow-line-steps", "1-30 steps"),
        ));
    }
    let mut subjects = Vec::new();
    for (i, s) in b.personal_data_subjects.iter().enumerate() {
        match d.pack().parse_national_id(s) {
            Ok(id) => subjects.push(d.0.index.national_id(&id).as_str().to_owned()),
            Err(_) => e.push(field(
                &format!("/personal_data_subjects/{i}"),
                "a national ID of the country pack",
            )),
        }
    }
    let attachments = attachments_in(d, b.attachments, &mut e);
    fields(e)?;
    let input = NewDocument {
        position: b.position,
        doc_type: b.doc_type,
        title: b.title,
        body: b.body,
        attachments,
        classification: b.classification,
        disclosure: b.disclosure,
        disclosure_ground: b.disclosure_ground,
        subjects,
        amount: b.amount,
        due_at: b.due_at.map(|t| t.naive_utc()),
        line: b
            .line
            .into_iter()
            .map(|s| LineStep {
                kind: s.kind,
                position: s.position,
                group: s.group,
            })
            .collect(),
    };
    let (dd, acc, ag) = (d.clone(), who.subject.clone(), agency(who));
    d.db()
        .transaction(move |c| service::create(c, &dd, &acc, &ag, input))
        .await
}

egov_core::problems!(ShowErrors:
    crate::errors::DOCUMENT_NOT_FOUND,
    crate::errors::PURPOSE_REQUIRED,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// How a document is read.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ShowQuery {
    /// Why you read the document: required for its content when it carries personal data
    /// (written to the access log with every read).
    pub purpose: Option<String>,
    /// `false`: the metadata, line and circulation only, without the current version's
    /// content (`current` is null) — not a read of the document, so nothing is recorded.
    pub content: Option<bool>,
}

/// A document: metadata, its current version, the approval line and circulation. A read of
/// its content is written to the document's history (and to the access log when it carries
/// personal data); a circulated reader's first read is recorded as such. With
/// `content=false` it answers the metadata, line and circulation only and records nothing.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id"), ShowQuery),
    responses(
        (status = 200, description = "The document with its current version, line and circulation", body = service::DocumentDetail),
        ShowErrors,
    ),
    security(("bearer" = ["kind:officer", "kind:auditor"])))]
#[get("/documents/{id}")]
pub async fn show(
    req: HttpRequest,
    auth: Authorized<Reader>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    q: web::Query<ShowQuery>,
) -> Result<HttpResponse, Error> {
    let doc = visible(&d, &auth, &id).await?;
    let content = q.content.unwrap_or(true);
    if content {
        content_read(&d, &req, &auth, &doc, q.purpose.as_deref(), "document").await?;
    }
    let detail = service::detail(&d, doc, content).await?;
    Ok(HttpResponse::Ok().json(detail))
}

egov_core::problems!(ShowVersionErrors:
    crate::errors::DOCUMENT_NOT_FOUND,
    crate::errors::PURPOSE_REQUIRED,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// One version of a document (every edit is kept).
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id"), ("version" = i32, Path, description = "Version"), PurposeQuery),
    responses(
        (status = 200, description = "The version", body = service::VersionView),
        ShowVersionErrors,
    ),
    security(("bearer" = ["kind:officer", "kind:auditor"])))]
#[get("/documents/{id}/versions/{version}")]
pub async fn show_version(
    req: HttpRequest,
    auth: Authorized<Reader>,
    d: web::Data<Docflow>,
    path: web::Path<(String, i32)>,
    q: web::Query<PurposeQuery>,
) -> Result<HttpResponse, Error> {
    let (id, n) = path.into_inner();
    let doc = visible(&d, &auth, &id).await?;
    let v = service::version(&d, doc.clone(), n).await?;
    // A version whose content a disposal destroyed is metadata now: not a read of content.
    if v.body.is_some() {
        content_read(
            &d,
            &req,
            &auth,
            &doc,
            q.purpose.as_deref(),
            &format!("version-{n}"),
        )
        .await?;
    }
    Ok(HttpResponse::Ok().json(service::VersionView::from(&v)))
}

egov_core::problems!(AttachmentErrors:
    crate::errors::ATTACHMENT_NOT_FOUND,
    crate::errors::DOCUMENT_NOT_FOUND,
    crate::errors::PURPOSE_REQUIRED,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// An attachment's content (by its SHA-256, as listed in a version).
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id"), ("sha256" = String, Path, description = "Attachment digest"), PurposeQuery),
    responses(
        (status = 200, description = "The content", content_type = "application/octet-stream"),
        AttachmentErrors,
    ),
    security(("bearer" = ["kind:officer", "kind:auditor"])))]
#[get("/documents/{id}/attachments/{sha256}")]
pub async fn attachment(
    req: HttpRequest,
    auth: Authorized<Reader>,
    d: web::Data<Docflow>,
    path: web::Path<(String, String)>,
    q: web::Query<PurposeQuery>,
) -> Result<HttpResponse, Error> {
    let (id, sha) = path.into_inner();
    let doc = visible(&d, &auth, &id).await?;
    let found = service::attachment(&d, doc.id.clone(), sha.clone()).await?;
    let Some((a, bytes)) = found else {
        return Err(Error::new(errors::ATTACHMENT_NOT_FOUND));
    };
    content_read(
        &d,
        &req,
        &auth,
        &doc,
        q.purpose.as_deref(),
        &format!("attachment-{sha}"),
    )
    .await?;
    Ok(HttpResponse::Ok()
        .content_type(a.media_type)
        .insert_header(egov_core::request::attachment_disposition(&a.name))
        .body(bytes))
}

/// An edit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditInput {
    /// The version you edited (409 if it changed since).
    pub version: i32,
    pub title: String,
    pub body: Value,
    /// Replaces the attachments when given.
    pub attachments: Option<Vec<AttachmentInput>>,
    pub reason: Option<String>,
}

egov_core::problems!(EditErrors:
    crate::errors::NOT_THE_DRAFTER,
    crate::errors::NOT_YOUR_TURN,
    crate::errors::DOCUMENT_NOT_FOUND,
    crate::errors::ILLEGAL_STATE,
    crate::errors::VERSION_CHANGED,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// Edits a document: a new version, the diff kept in the history (the drafter before
/// submission or after a return; the current approver while in approval).
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")), request_body = EditInput,
    responses(
        (status = 200, description = "The document", body = service::DocumentView),
        EditErrors,
    ),
    security(("bearer" = ["kind:officer"])))]
#[put("/documents/{id}")]
pub async fn edit(
    auth: Authorized<Officer>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    body: web::Json<EditInput>,
) -> Result<HttpResponse, Error> {
    let b = body.into_inner();
    let mut e = Vec::new();
    if !text_ok(&b.title, 1, 300) || b.title.contains('\n') {
        e.push(field(
            "/title",
            egov_core::text!("detail-docflow-one-line", "1-300 characters on one line"),
        ));
    }
    body_ok(&b.body, &mut e);
    if b.reason.as_deref().is_some_and(|r| !text_ok(r, 1, 1000)) {
        e.push(field("/reason", crate::http::chars(1, 1000)));
    }
    let atts = match b.attachments {
        Some(a) => service::AttachmentChange::Replace(attachments_in(&d, a, &mut e)),
        None => service::AttachmentChange::Keep,
    };
    fields(e)?;
    let id = doc_id(&id)?;
    let (dd, acc, ag) = (d.get_ref().clone(), auth.subject.clone(), agency(&auth));
    let doc = d
        .db()
        .transaction(move |c| {
            service::edit(
                c, &dd, &acc, &ag, &id, b.version, b.title, b.body, atts, b.reason,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(service::DocumentView::from(&doc)))
}

/// A new line.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    pub line: Vec<StepInput>,
}

egov_core::problems!(SetLineErrors:
    crate::errors::NOT_THE_DRAFTER,
    crate::errors::DOCUMENT_NOT_FOUND,
    crate::errors::ILLEGAL_STATE,
    crate::errors::INVALID_LINE,
    crate::errors::NOT_DELEGATED,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// Replaces the approval line of a draft or returned document (the drafter).
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")), request_body = LineInput,
    responses(
        (status = 200, description = "The line", body = service::Line),
        SetLineErrors,
    ),
    security(("bearer" = ["kind:officer"])))]
#[put("/documents/{id}/line")]
pub async fn set_line(
    auth: Authorized<Officer>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    body: web::Json<LineInput>,
) -> Result<HttpResponse, Error> {
    let b = body.into_inner();
    if b.line.is_empty() || b.line.len() > 30 {
        return Err(Error::invalid_field(
            "/line",
            egov_core::text!("detail-docflow-line-steps", "1-30 steps"),
        ));
    }
    let id = doc_id(&id)?;
    let (acc, ag) = (auth.subject.clone(), agency(&auth));
    let line: Vec<LineStep> = b
        .line
        .into_iter()
        .map(|s| LineStep {
            kind: s.kind,
            position: s.position,
            group: s.group,
        })
        .collect();
    let steps = service::replace_line(&d, acc, ag, id, line).await?;
    Ok(HttpResponse::Ok().json(service::Line {
        line: steps.iter().map(service::StepView::from).collect(),
    }))
}

/// The version acted on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionInput {
    /// The version you read (409 if the document changed since).
    pub version: i32,
}

egov_core::problems!(SubmitErrors:
    crate::errors::NOT_THE_DRAFTER,
    crate::errors::NO_POSITION,
    crate::errors::DOCUMENT_NOT_FOUND,
    crate::errors::ILLEGAL_STATE,
    crate::errors::VERSION_CHANGED,
    crate::errors::INVALID_LINE,
    crate::errors::NOT_DELEGATED,
    crate::errors::NOT_CONFIGURED,
);

/// Submits a draft or returned document (the drafter): the draft step is signed and the
/// line starts.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")), request_body = VersionInput,
    responses(
        (status = 200, description = "The document", body = service::DocumentView),
        SubmitErrors,
    ),
    security(("bearer" = ["kind:officer"])))]
#[post("/documents/{id}/submit")]
pub async fn submit(
    auth: Authorized<Officer>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    body: web::Json<VersionInput>,
) -> Result<HttpResponse, Error> {
    let doc = submit_document(&d, &auth, &id, body.version).await?;
    Ok(HttpResponse::Ok().json(service::DocumentView::from(&doc)))
}

/// Submits a draft or returned document (the drafter, with the version read).
pub(crate) async fn submit_document(
    d: &Docflow,
    who: &egov_auth::Principal,
    id: &str,
    version: i32,
) -> Result<crate::store::DocumentRow, Error> {
    let id = doc_id(id)?;
    let (dd, acc, ag) = (d.clone(), who.subject.clone(), agency(who));
    d.db()
        .transaction(move |c| service::submit(c, &dd, &acc, &ag, &id, version))
        .await
}

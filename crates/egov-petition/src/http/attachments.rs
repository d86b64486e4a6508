//! Attachments (content-checked) and evidence fetched from other agencies through the exchange.

use super::{ApplicantPolicy, own_case};
use crate::domain::catalogue::{FieldType, Service};
use crate::domain::lifecycle::Status;
use crate::service::applications::{self, Similar};
use crate::service::views::AttachmentView;
use crate::service::views::CaseView;
use crate::service::views::EvidenceView;
use crate::service::{self, status_of};
use crate::store::{AttachmentRow, CaseRow, EvidenceRow};
use crate::{Petition, errors};
use actix_web::{HttpResponse, post, web};
use egov_auth::Authorized;
use egov_core::Error;
use egov_core::text::free_text as text_rule;
use egov_exchange::Exchange;
use egov_exchange::client::{Call, CallError};
use futures_util::StreamExt as _;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AttachmentQuery {
    /// The file's name as the applicant knows it (1-200 characters; the type is decided by the
    /// content, not by this name).
    pub filename: String,
    /// The evidence key this upload provides, if any.
    pub evidence: Option<String>,
}

egov_core::problems!(UploadAttachmentErrors:
    egov_core::error::codes::BAD_REQUEST,
    crate::errors::NOT_AN_APPLICANT,
    crate::errors::CASE_NOT_FOUND,
    crate::errors::SERVICE_NOT_FOUND,
    crate::errors::ILLEGAL_TRANSITION,
    crate::errors::ATTACHMENT_TOO_LARGE,
    crate::errors::ATTACHMENT_TYPE,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Uploads an attachment (the raw bytes as the body). The size limit comes from the
/// configuration; the type is recognised from the content and must be an accepted one;
/// the SHA-256 is recorded. Allowed while a draft or while a supplement is requested.
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Case id"), AttachmentQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses(
        (status = 201, body = AttachmentView),
        UploadAttachmentErrors,
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[post("/applications/{id}/attachments")]
pub async fn upload_attachment(
    auth: Authorized<ApplicantPolicy>,
    p: web::Data<Petition>,
    id: web::Path<String>,
    query: web::Query<AttachmentQuery>,
    mut body: web::Payload,
) -> Result<HttpResponse, Error> {
    let row = own_case(&p, &auth, &id).await?;
    let query = query.into_inner();
    if !text_rule(&query.filename, 1, 200) || query.filename.contains(['/', '\\', '\n']) {
        return Err(Error::invalid_field(
            "filename",
            "1 to 200 characters, no path separators or control characters",
        ));
    }
    let service = service::service_of(&p, &row)?;
    if let Some(k) = &query.evidence
        && !service.evidence.iter().any(|e| &e.key == k)
    {
        return Err(Error::invalid_field(
            "evidence",
            "not an evidence key of this service",
        ));
    }
    if service.evidence.is_empty()
        && !service
            .fields
            .iter()
            .any(|f| f.kind == FieldType::Attachment)
    {
        return Err(Error::invalid_field(
            "evidence",
            "this service takes no attachments",
        ));
    }
    let status = status_of(&row);
    if !matches!(status, Status::Draft | Status::SupplementRequested) {
        return Err(Error::with_detail(
            errors::ILLEGAL_TRANSITION,
            "attachments are accepted on drafts and while a supplement is requested",
        ));
    }
    // The body streams into a staged blob (hashed on the way, never held whole in memory);
    // the route's own body limit (server.body_limits) bounds what is read at all.
    let max = p.0.config.attachment_max_bytes as u64;
    let mut staged = {
        let blobs = p.0.blobs.clone();
        web::block(move || blobs.stage())
            .await
            .map_err(|e| Error::internal(anyhow::anyhow!("{e}")))?
            .map_err(|e| Error::internal(anyhow::anyhow!("blob store: {e}")))?
    };
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| match e {
            actix_web::error::PayloadError::Overflow => {
                Error::with_detail(errors::ATTACHMENT_TOO_LARGE, format!("at most {max} bytes"))
            }
            other => Error::with_detail(
                egov_core::error::codes::BAD_REQUEST,
                format!("the upload broke off: {other}"),
            ),
        })?;
        if staged.size() + chunk.len() as u64 > max {
            return Err(Error::with_detail(
                errors::ATTACHMENT_TOO_LARGE,
                format!("at most {max} bytes"),
            ));
        }
        staged = web::block(move || staged.write(&chunk).map(|()| staged))
            .await
            .map_err(|e| Error::internal(anyhow::anyhow!("{e}")))?
            .map_err(|e| Error::internal(anyhow::anyhow!("blob store: {e}")))?;
    }
    let settings = &p.0.config;
    let detected = crate::blob::sniff(staged.head());
    let Some(content_type) = detected.filter(|t| settings.attachment_types.iter().any(|a| a == t))
    else {
        return Err(Error::with_detail(
            errors::ATTACHMENT_TYPE,
            format!(
                "the content is {}; accepted: {}",
                detected.unwrap_or("not recognised"),
                settings.attachment_types.join(", ")
            ),
        ));
    };
    let size = staged.size();
    let sha = web::block(move || staged.commit().map(|sha| (sha, size)))
        .await
        .map_err(|e| Error::internal(anyhow::anyhow!("{e}")))?
        .map_err(|e| Error::internal(anyhow::anyhow!("blob store: {e}")))?;
    let att = AttachmentRow {
        id: uuid::Uuid::new_v4().to_string(),
        case_id: row.id.clone(),
        owner: auth.subject.clone(),
        filename: query.filename,
        content_type: content_type.into(),
        size: i64::try_from(sha.1).unwrap_or(i64::MAX),
        sha256: sha.0,
        created_at: p.now(),
    };
    applications::add_attachment(&p, att.clone(), query.evidence).await?;
    Ok(HttpResponse::Created().json(AttachmentView::from(att)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceInput {
    /// The reference of the consent you gave at `POST /exchange/v1/me/consents` for this
    /// evidence (the service page names its client, service, purpose and items).
    pub consent: String,
}

/// The payload of an exchange request: constants, `field:<name>` for a form value (integral
/// numbers as JSON integers; a national ID must be the applicant's own), or
/// `applicant:business_id`.
pub(crate) fn evidence_payload(
    p: &Petition,
    row: &CaseRow,
    service: &Service,
    payload: &Map<String, Value>,
    form: &Map<String, Value>,
) -> Result<Map<String, Value>, Error> {
    let mut out = Map::new();
    for (k, v) in payload {
        let value = if let Some(name) = v.as_str().and_then(|s| s.strip_prefix("field:")) {
            let x = form.get(name).cloned().unwrap_or(Value::Null);
            let kind = service.field(name).map(|f| f.kind);
            if x.is_null() {
                return Err(Error::invalid_field(
                    format!("/form/{name}"),
                    "fill this field first: the evidence request needs it",
                ));
            }
            match kind {
                Some(FieldType::Number) => x
                    .as_str()
                    .and_then(|s| s.parse::<i64>().ok())
                    .map_or(x.clone(), |i| json!(i)),
                Some(FieldType::NationalId) => {
                    let own = x
                        .as_str()
                        .and_then(|s| p.pack().parse_national_id(s).ok())
                        .is_some_and(|id| p.0.index.national_id(&id).as_str() == row.applicant);
                    if !own {
                        return Err(Error::invalid_field(
                            format!("/form/{name}"),
                            "must be your own national ID to fetch your records",
                        ));
                    }
                    x
                }
                _ => x,
            }
        } else if v.as_str() == Some("applicant:business_id") {
            let b = row.applicant.strip_prefix("business:").ok_or_else(|| {
                Error::with_detail(
                    errors::NOT_AN_APPLICANT,
                    "this evidence is about a business: apply from the business account",
                )
            })?;
            json!(b)
        } else {
            v.clone()
        };
        out.insert(k.clone(), value);
    }
    Ok(out)
}

egov_core::problems!(FetchEvidenceErrors:
    crate::errors::NOT_AN_APPLICANT,
    crate::errors::CASE_NOT_FOUND,
    crate::errors::SERVICE_NOT_FOUND,
    crate::errors::EVIDENCE_REFUSED,
    crate::errors::ILLEGAL_TRANSITION,
    crate::errors::NOT_DELEGATED,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::EVIDENCE_UNAVAILABLE,
);

/// Fetches a piece of evidence from the agency that holds it, through the exchange, with
/// the consent you gave: the agency's signed answer is kept with the case (what, from whom,
/// when, and the exchange message). Without consent the exchange refuses and nothing is
/// kept: upload the document instead.
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Case id"), ("key" = String, Path, description = "Evidence key")),
    request_body = EvidenceInput,
    responses(
        (status = 201, body = EvidenceView),
        FetchEvidenceErrors,
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[post("/applications/{id}/evidence/{key}")]
pub async fn fetch_evidence(
    auth: Authorized<ApplicantPolicy>,
    p: web::Data<Petition>,
    x: Option<web::Data<Exchange>>,
    path: web::Path<(String, String)>,
    input: web::Json<EvidenceInput>,
) -> Result<HttpResponse, Error> {
    let (id, key) = path.into_inner();
    let row = own_case(&p, &auth, &id).await?;
    let service = service::service_of(&p, &row)?.clone();
    let def = service
        .evidence
        .iter()
        .find(|e| e.key == key)
        .and_then(|e| e.exchange.clone())
        .ok_or_else(|| {
            Error::with_detail(
                errors::CASE_NOT_FOUND,
                "this service has no evidence by that key that the exchange provides",
            )
        })?;
    if !matches!(status_of(&row), Status::Draft | Status::SupplementRequested) {
        return Err(Error::with_detail(
            errors::ILLEGAL_TRANSITION,
            "evidence is gathered on drafts and while a supplement is requested",
        ));
    }
    if !text_rule(&input.consent, 1, 100) {
        return Err(Error::invalid_field("/consent", "a consent reference"));
    }
    let x = x.ok_or_else(|| {
        Error::with_detail(
            errors::EVIDENCE_UNAVAILABLE,
            "the exchange is not served in this process",
        )
    })?;
    let form: Map<String, Value> = serde_json::from_str(&row.form).unwrap_or_default();
    let target = if def.service.split('/').count() == 2 {
        format!("{}/{}", x.member(), def.service)
    } else {
        def.service.clone()
    };
    let mut call = Call::post(
        &target,
        &def.version,
        Value::Object(evidence_payload(&p, &row, &service, &def.payload, &form)?),
        &def.purpose,
    )
    .consent(&input.consent)
    .issue(&row.id)
    .user(&auth.subject);
    call = call.about(&row.applicant);
    if !def.items.is_empty() {
        let items: Vec<&str> = def.items.iter().map(String::as_str).collect();
        call = call.items(&items);
    }
    let answer = x.call(crate::NAME, call).await.map_err(|e| match &e {
        CallError::Refused { status, .. } if *status < 500 => Error::with_detail(
            errors::EVIDENCE_REFUSED,
            format!("{}: upload the document instead", e.code()),
        ),
        _ => Error::with_detail(errors::EVIDENCE_UNAVAILABLE, e.code().to_owned()),
    })?;
    let ev = EvidenceRow {
        case_id: row.id.clone(),
        key,
        source: "exchange".into(),
        attachment: None,
        provider: Some(target),
        consent: Some(input.consent.clone()),
        message_id: Some(answer.message_id),
        log_seq: Some(answer.log_seq),
        document: Some(answer.body.to_string()),
        fetched_at: p.now(),
    };
    applications::put_evidence(&p, ev.clone()).await?;
    Ok(HttpResponse::Created().json(EvidenceView::from(ev)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubmitView {
    pub case: CaseView,
    /// Open cases like this one (same service and agency, nearby, recent): the officer may
    /// merge them. Shown without anyone's content.
    pub similar: Vec<Similar>,
}

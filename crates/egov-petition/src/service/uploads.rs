//! Documents an applicant adds to a case: uploads (streamed to the blob store, the type
//! sniffed from the content) and evidence fetched from the agency that holds it through the
//! exchange, with the applicant's consent. The API and the pages call the same two use cases.

use actix_web::web;
use bytes::Bytes;
use egov_core::Error;
use egov_core::text::free_text as text_rule;
use egov_exchange::Exchange;
use egov_exchange::client::{Call, CallError};
use futures_util::{Stream, StreamExt as _};
use serde_json::{Map, Value, json};

use super::applications;
use super::status_of;
use crate::domain::catalogue::{FieldType, Service};
use crate::domain::lifecycle::Status;
use crate::store::{AttachmentRow, CaseRow, EvidenceRow};
use crate::{Petition, errors};

/// Stores an upload on `row` (a draft, or a case awaiting a supplement): `filename` as the
/// applicant named it, `evidence` the service's evidence key it stands for (if any). The
/// content streams to the blob store within `petition.attachment_max_bytes`; its type is
/// sniffed from the bytes and must be one of `petition.attachment_types`.
pub async fn upload<S>(
    p: &Petition,
    owner: &str,
    row: &CaseRow,
    filename: String,
    evidence: Option<String>,
    mut body: S,
) -> Result<AttachmentRow, Error>
where
    S: Stream<Item = Result<Bytes, Error>> + Unpin,
{
    if !text_rule(&filename, 1, 200) || filename.contains(['/', '\\', '\n']) {
        return Err(Error::invalid_field(
            "filename",
            egov_core::text!(
                "detail-filename",
                "1 to 200 characters, no path separators or control characters"
            ),
        ));
    }
    let service = super::service_of(p, row)?;
    if let Some(k) = &evidence
        && !service.evidence.iter().any(|e| &e.key == k)
    {
        return Err(Error::invalid_field(
            "evidence",
            egov_core::text!("detail-evidence-key", "not an evidence key of this service"),
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
            egov_core::text!("detail-no-attachments", "this service takes no attachments"),
        ));
    }
    let status = status_of(row);
    if !matches!(status, Status::Draft | Status::SupplementRequested) {
        return Err(Error::with_detail(
            errors::ILLEGAL_TRANSITION,
            egov_core::text!(
                "detail-attachments-when",
                "attachments are accepted on drafts and while a supplement is requested"
            ),
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
        let chunk = chunk?;
        if staged.size() + chunk.len() as u64 > max {
            return Err(Error::with_detail(
                errors::ATTACHMENT_TOO_LARGE,
                egov_core::text!("detail-at-most-bytes", "at most {max} bytes", max = max),
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
            egov_core::text!(
                "detail-content-type",
                "the content is {found}; accepted: {accepted}",
                found = detected.unwrap_or("not recognised"),
                accepted = settings.attachment_types.join(", ")
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
        owner: owner.to_owned(),
        filename,
        content_type: content_type.into(),
        size: i64::try_from(sha.1).unwrap_or(i64::MAX),
        sha256: sha.0,
        created_at: p.now(),
    };
    applications::add_attachment(p, att.clone(), evidence).await?;
    Ok(att)
}

/// Fetches evidence `key` for `row` from the agency that holds it, through the exchange, under
/// the consent reference `consent`; keeps the agency's signed answer with the case.
pub async fn fetch_evidence(
    p: &Petition,
    x: &Exchange,
    who: &str,
    row: &CaseRow,
    key: String,
    consent: &str,
) -> Result<EvidenceRow, Error> {
    let service = super::service_of(p, row)?.clone();
    let def = service
        .evidence
        .iter()
        .find(|e| e.key == key)
        .and_then(|e| e.exchange.clone())
        .ok_or_else(|| {
            Error::with_detail(
                errors::CASE_NOT_FOUND,
                egov_core::text!(
                    "detail-no-exchange-evidence",
                    "this service has no evidence by that key that the exchange provides"
                ),
            )
        })?;
    if !matches!(status_of(row), Status::Draft | Status::SupplementRequested) {
        return Err(Error::with_detail(
            errors::ILLEGAL_TRANSITION,
            egov_core::text!(
                "detail-evidence-when",
                "evidence is gathered on drafts and while a supplement is requested"
            ),
        ));
    }
    if !text_rule(consent, 1, 100) {
        return Err(Error::invalid_field(
            "/consent",
            egov_core::text!("detail-consent-reference", "a consent reference"),
        ));
    }
    let form: Map<String, Value> = serde_json::from_str(&row.form).unwrap_or_default();
    let target = if def.service.split('/').count() == 2 {
        format!("{}/{}", x.member(), def.service)
    } else {
        def.service.clone()
    };
    let mut call = Call::post(
        &target,
        &def.version,
        Value::Object(evidence_payload(p, row, &service, &def.payload, &form)?),
        &def.purpose,
    )
    .consent(consent)
    .issue(&row.id)
    .user(who);
    call = call.about(&row.applicant);
    if !def.items.is_empty() {
        let items: Vec<&str> = def.items.iter().map(String::as_str).collect();
        call = call.items(&items);
    }
    let answer = x.call(crate::NAME, call).await.map_err(|e| match &e {
        CallError::Refused { status, .. } if *status < 500 => Error::with_detail(
            errors::EVIDENCE_REFUSED,
            egov_core::text!(
                "detail-evidence-refused",
                "{code}: upload the document instead",
                code = e.code().to_owned()
            ),
        ),
        _ => Error::with_detail(errors::EVIDENCE_UNAVAILABLE, e.code().to_owned()),
    })?;
    let ev = EvidenceRow {
        case_id: row.id.clone(),
        key,
        source: "exchange".into(),
        attachment: None,
        provider: Some(target),
        consent: Some(consent.to_owned()),
        message_id: Some(answer.message_id),
        log_seq: Some(answer.log_seq),
        document: Some(answer.body.to_string()),
        fetched_at: p.now(),
    };
    applications::put_evidence(p, ev.clone()).await?;
    Ok(ev)
}

/// The payload of an exchange request: constants, `field:<name>` for a form value (integral
/// numbers as JSON integers; a national ID must be the applicant's own), or
/// `applicant:business_id`.
fn evidence_payload(
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
                    egov_core::text!(
                        "detail-fill-first",
                        "fill this field first: the evidence request needs it"
                    ),
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
                            egov_core::text!(
                                "detail-own-id",
                                "must be your own national ID to fetch your records"
                            ),
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
                    egov_core::text!(
                        "detail-business-evidence",
                        "this evidence is about a business: apply from the business account"
                    ),
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

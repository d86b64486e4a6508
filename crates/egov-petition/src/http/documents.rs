//! Issuing and revoking signed documents.

use super::{Officer, access, agency_case, reason_ok};
use crate::domain::catalogue::FieldType;
use crate::http::submission::ReasonInput;
use crate::http::views::DocumentView;
use crate::http::views::document_view;
use crate::http::worklist::officer_agency;
use crate::service::{self};
use crate::store::{self, CaseRow, DocumentRow, EventRow};
use crate::{Petition, errors};
use actix_web::{HttpRequest, post, web};
use chrono::NaiveDateTime;
use egov_auth::Authorized;
use egov_core::Error;
use serde_json::{Map, Value, json};

/// A 12-digit document-confirmation number.
pub(crate) fn document_number() -> String {
    let mut b = [0u8; 8];
    let _ = getrandom::fill(&mut b);
    format!("{:012}", u64::from_le_bytes(b) % 1_000_000_000_000)
}

/// Issues the document of an approved case: what the form marks `on_document`, signed by
/// the agency's key, with its confirmation number and validity.
pub(crate) fn issue(
    p: &Petition,
    c: &mut egov_core::DbConnection,
    row: &CaseRow,
    number: &str,
    by: &service::By,
    now: NaiveDateTime,
) -> Result<(), Error> {
    let service = service::service_of(p, row)?;
    let pack = p.pack();
    let form: Map<String, Value> = serde_json::from_str(&row.form).unwrap_or_default();
    // Issued only to the person it is about, or to someone they still delegate; and on the
    // person's access log either way.
    let subjects = service::document_subjects(p, service, &form);
    for (_, subject) in &subjects {
        if !service::may_apply_about(p, c, &row.applicant, subject, &service.id)? {
            return Err(Error::with_detail(
                errors::NOT_DELEGATED,
                "the person this document is about has withdrawn (or never gave) the delegation",
            ));
        }
    }
    for (_, subject) in &subjects {
        let on_behalf = *subject != row.applicant;
        egov_auth::store::append(
            c,
            &egov_auth::AccessEntry {
                actor: by.account.clone(),
                source_ip: by.source_ip.clone().unwrap_or_else(|| "0.0.0.0".into()),
                subject: egov_auth::SubjectKey::from_stored(subject.clone()),
                action: egov_auth::Action::Print,
                purpose: if on_behalf {
                    format!("{} issued to someone you delegated", service.id)
                } else {
                    format!("{} issued to you", service.id)
                },
                module: crate::NAME.into(),
                record_ref: Some(number.to_owned()),
                request_id: egov_core::request::current_request().map(|r| r.request_id),
            },
            chrono::Utc::now(),
        )?;
    }
    let mut content = Map::new();
    let mut holder = String::new();
    for f in service.fields.iter().filter(|f| f.on_document) {
        if let Some(v) = form.get(&f.name) {
            if f.kind == FieldType::NationalId {
                let masked = v
                    .as_str()
                    .and_then(|s| pack.parse_national_id(s).ok())
                    .map(|id| id.masked().to_owned())
                    .unwrap_or_default();
                holder.clone_from(&masked);
                content.insert(f.name.clone(), json!(masked));
            } else {
                content.insert(f.name.clone(), v.clone());
            }
        }
    }
    if holder.is_empty() {
        holder = row
            .applicant
            .strip_prefix("business:")
            .unwrap_or("(identified applicant)")
            .to_owned();
    }
    let agency_name = p
        .catalogue()
        .agencies
        .get(&row.agency)
        .map(|a| {
            a.names
                .get(&pack.default_language)
                .cloned()
                .unwrap_or_default()
        })
        .unwrap_or_default();
    let valid_until = now + chrono::Duration::days(i64::from(service.document_valid_days));
    let verifiable_until =
        now + chrono::Duration::days(i64::from(service.document_verifiable_days));
    let doc = json!({
        "number": number,
        "title": service.name(&pack.default_language),
        "service": service.id,
        "issuer": row.agency,
        "issuer_name": agency_name,
        "holder": holder,
        "receipt_no": row.receipt_no,
        "content": content,
        "legal_basis": service.legal_basis,
        "issued_at": now,
        "valid_until": valid_until,
    });
    let canonical = egov_exchange::signature::canonical_json(&doc);
    let (key, kid) = p.agency_key(c, &row.agency)?;
    let signature = egov_exchange::signature::sign(&key, &kid, &canonical);
    store::insert_document(
        c,
        &DocumentRow {
            number: number.to_owned(),
            case_id: row.id.clone(),
            agency: row.agency.clone(),
            document: doc.to_string(),
            signature,
            digest: egov_core::digest::sha256_hex(canonical.as_bytes()),
            issued_at: now,
            valid_until,
            verifiable_until,
            revoked_at: None,
            revoke_reason: None,
        },
    )
}

egov_core::problems!(RevokeDocumentErrors:
    egov_core::error::codes::FORBIDDEN,
    crate::errors::CASE_NOT_FOUND,
    crate::errors::DOCUMENT_NOT_FOUND,
    crate::errors::DOCUMENT_REVOKED,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Revokes an issued document of the officer's agency, with the reason: verification says
/// `revoked` from now on.
#[utoipa::path(
    tag = "petition",
    params(("number" = String, Path, description = "Document-confirmation number")),
    request_body = ReasonInput,
    responses(
        (status = 200, body = DocumentView),
        RevokeDocumentErrors,
    ),
    security(("bearer" = ["kind:officer", "role:petition.officer", "aal:2"])),
)]
#[post("/officer/documents/{number}/revoke")]
pub async fn revoke_document(
    auth: Authorized<Officer>,
    p: web::Data<Petition>,
    number: web::Path<String>,
    input: web::Json<ReasonInput>,
    req: HttpRequest,
) -> Result<web::Json<DocumentView>, Error> {
    reason_ok("/reason", &input.reason)?;
    let agency = officer_agency(&auth)?;
    let n = number.into_inner();
    if n.len() != 12 || !n.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::new(errors::DOCUMENT_NOT_FOUND));
    }
    let n2 = n.clone();
    let doc = p
        .db()
        .run(move |c| store::document(c, &n2))
        .await?
        .filter(|d| d.agency == agency)
        .ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))?;
    let row = agency_case(&p, &auth, &doc.case_id).await?;
    access(
        &p,
        &req,
        &auth,
        &row,
        egov_auth::Action::Change,
        "petition.revoke",
    )
    .await?;
    let reason = input.into_inner().reason;
    let actor = auth.subject.clone();
    let now = p.now();
    let doc = p
        .db()
        .transaction(move |c| {
            if !store::revoke_document(c, &n, now, &reason)? {
                return Err(Error::new(errors::DOCUMENT_REVOKED));
            }
            store::insert_event(
                c,
                &EventRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    case_id: row.id.clone(),
                    at: now,
                    actor,
                    actor_role: "officer".into(),
                    action: "revoke".into(),
                    from_status: row.status.clone(),
                    to_status: row.status.clone(),
                    reason: Some(reason),
                    detail: json!({"document": n}).to_string(),
                },
            )?;
            service::notify(c, &row, &format!("revoke:{n}"), "petition.revoke", now)?;
            store::document(c, &n)?.ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))
        })
        .await?;
    Ok(web::Json(document_view(&p, doc)))
}

//! Signed documents: issuing an approved case's document and revoking one.

use chrono::NaiveDateTime;
use egov_auth::{Action as Access, Reader};
use egov_core::Error;

use serde::Serialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

use super::By;
use crate::domain::catalogue::FieldType;
use crate::store::{self, CaseRow, DocumentRow, EventRow};
use crate::{Petition, errors};

/// A 12-digit document-confirmation number.
pub fn document_number() -> String {
    let mut b = [0u8; 8];
    let _ = getrandom::fill(&mut b);
    format!("{:012}", u64::from_le_bytes(b) % 1_000_000_000_000)
}

/// Issues the document of an approved case: what the form marks `on_document`, signed by
/// the agency's key, with its confirmation number and validity.
pub fn issue(
    p: &Petition,
    c: &mut egov_core::DbConnection,
    row: &CaseRow,
    number: &str,
    by: &By,
    now: NaiveDateTime,
) -> Result<(), Error> {
    let service = super::service_of(p, row)?;
    let pack = p.pack();
    let form: Map<String, Value> = serde_json::from_str(&row.form).unwrap_or_default();
    // Issued only to the person it is about, or to someone they still delegate; and on the
    // person's access log either way.
    let subjects = super::document_subjects(p, service, &form);
    for (_, subject) in &subjects {
        if !super::may_apply_about(p, c, &row.applicant, subject, &service.id)? {
            return Err(Error::with_detail(
                errors::NOT_DELEGATED,
                egov_core::text!(
                    "detail-delegation-withdrawn",
                    "the person this document is about has withdrawn (or never gave) the delegation"
                ),
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
            p.now().and_utc(),
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

/// Revokes a document of `agency` (the officer's), with the reason: recorded on the access
/// log, the case's history and the applicant's notifications.
pub async fn revoke(
    p: &Petition,
    reader: &Reader,
    who: &egov_auth::Principal,
    agency: String,
    number: String,
    reason: String,
) -> Result<DocumentRow, Error> {
    let n2 = number.clone();
    let doc = p
        .db()
        .run(move |c| store::document(c, &n2))
        .await?
        .filter(|d| d.agency == agency)
        .ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))?;
    let row = super::cases::agency_case(p, who, &doc.case_id).await?;
    super::cases::record(reader, &row, Access::Change, "petition.revoke").await?;
    let actor = reader.actor.clone();
    let now = p.now();
    let n = number;
    p.db()
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
            super::notify(c, &row, &format!("revoke:{n}"), "petition.revoke", now)?;
            store::document(c, &n)?.ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))
        })
        .await
}

/// The documents issued on a case.
pub async fn of_case(p: &Petition, case_id: String) -> Result<Vec<DocumentRow>, Error> {
    p.db().run(move |c| store::documents_of(c, &case_id)).await
}

/// A document and every agency key (public verification).
pub async fn with_keys(
    p: &Petition,
    number: String,
) -> Result<(Option<DocumentRow>, Vec<store::KeyRow>), Error> {
    p.db()
        .run(move |c| Ok((store::document(c, &number)?, store::all_keys(c)?)))
        .await
}

/// Every agency's public key.
pub async fn keys(p: &Petition) -> Result<Vec<store::KeyRow>, Error> {
    p.db().run(store::all_keys).await
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DocumentVerification)]
pub struct Verification {
    pub number: String,
    /// `valid`, `expired` or `revoked`.
    pub status: String,
    /// The signature checks against the issuing agency's key.
    pub authentic: bool,
    /// SHA-256 of the canonical document: compare with the QR code's.
    pub digest: String,
    pub title: String,
    pub issuer: String,
    /// The holder as printed on the document (masked).
    pub holder: String,
    #[serde(serialize_with = "egov_core::dates::utc")]
    pub issued_at: NaiveDateTime,
    #[serde(serialize_with = "egov_core::dates::utc")]
    pub valid_until: NaiveDateTime,
    #[serde(serialize_with = "egov_core::dates::utc_opt")]
    pub revoked_at: Option<NaiveDateTime>,
}

/// What a document-confirmation number shows anyone, without signing in: whether the
/// document is authentic and still valid, and only what it prints about its holder. A number
/// that is malformed, unknown or past its verification window is not found.
pub async fn verify(p: &Petition, number: &str) -> Result<Verification, Error> {
    let number: String = number.chars().filter(char::is_ascii_digit).collect();
    if number.len() != 12 {
        return Err(Error::new(errors::DOCUMENT_NOT_FOUND));
    }
    let (row, key_rows) = with_keys(p, number).await?;
    let now = p.now();
    let row = row
        .filter(|d| d.verifiable_until > now)
        .ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))?;
    let doc: Value = serde_json::from_str(&row.document).unwrap_or(Value::Null);
    let authentic = p.verify(&key_rows, &doc, &row.signature);
    let status = if row.revoked_at.is_some() {
        "revoked"
    } else if row.valid_until <= now {
        "expired"
    } else {
        "valid"
    };
    let s = |k: &str| {
        doc.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    Ok(Verification {
        number: row.number,
        status: status.into(),
        authentic,
        digest: row.digest,
        title: s("title"),
        issuer: s("issuer"),
        holder: s("holder"),
        issued_at: row.issued_at,
        valid_until: row.valid_until,
        revoked_at: row.revoked_at,
    })
}

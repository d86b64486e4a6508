//! Records management: record files, legal holds, the records status and disposal.

use super::*;
use crate::domain::lifecycle::{self, Action};
use crate::store::{DisposalRow, FileRow, HoldRow};
use egov_auth::{Kind, Principal};

/// Creates a record file in a unit of the agency.
pub async fn add_file(d: &Docflow, r: FileRow) -> Result<(), Error> {
    let ag = r.agency.clone();
    d.db()
        .transaction(move |c| {
            if store::unit(c, &r.unit_id)?
                .filter(|u| u.agency == ag)
                .is_none()
            {
                return Err(Error::invalid_field(
                    "/unit_id",
                    egov_core::text!("detail-docflow-no-unit", "no such unit of your agency"),
                ));
            }
            store::insert_file(c, &r)
        })
        .await
}

/// The agency's record files.
pub async fn files(d: &Docflow, agency: String) -> Result<Vec<FileRow>, Error> {
    d.db().run(move |c| store::files(c, &agency)).await
}

/// Files a registered or received document in a record file of the agency; the document
/// takes the file's retention class.
pub async fn file_document(
    d: &Docflow,
    id: String,
    acc: String,
    ag: String,
    file: String,
) -> Result<DocumentRow, Error> {
    let now = d.now();
    d.db()
        .transaction(move |c| {
            let mut doc = locked(c, &id, &ag)?;
            let f = store::file(c, &file)?
                .filter(|f| f.agency == ag)
                .ok_or_else(|| Error::new(errors::FILE_NOT_FOUND))?;
            if doc.completed_at.is_none() || doc.status == status::DISPOSED {
                return Err(Error::with_detail(
                    errors::ILLEGAL_STATE,
                    "only a registered or received document is filed",
                ));
            }
            doc.file_id = Some(f.id.clone());
            doc.retention = f.retention.clone();
            doc.updated_at = now;
            store::save_document(c, &doc)?;
            append(
                c,
                &doc.id,
                &acc,
                None,
                "filed",
                json!({"file": f.id, "classification": f.classification, "retention": f.retention}),
                now,
            )?;
            Ok(doc)
        })
        .await
}

fn records_status_of(
    rules: &Rules,
    doc: &DocumentRow,
    holds: &[HoldRow],
    disposal: Option<&DisposalRow>,
) -> RecordsStatus {
    let class = rules.retention_class(&doc.retention);
    RecordsStatus {
        document: doc.id.clone(),
        status: doc.status.clone(),
        retention: doc.retention.clone(),
        retention_name: class.map(|r| r.name.clone()),
        completed_at: doc.completed_at.map(|t| t.and_utc()),
        retain_until: doc
            .completed_at
            .and_then(|t| retain_until(rules, &doc.retention, t)),
        permanent: class.is_some_and(|r| r.years.is_none()),
        holds: holds.iter().map(HoldView::from).collect(),
        disposal: disposal.map(|x| DisposalView {
            id: x.id.clone(),
            certificate: serde_json::from_str(&x.certificate).unwrap_or(Value::Null),
            signature: x.signature.clone(),
            authorised_by: x.authorised_by.clone(),
            at: x.at.and_utc(),
        }),
    }
}

/// A document's records status: retention, holds, disposal.
pub async fn records_status(d: &Docflow, doc: DocumentRow) -> Result<RecordsStatus, Error> {
    let rules = d.rules()?.clone();
    d.db()
        .run(move |c| {
            let holds = store::holds(c, &doc.id)?;
            let disposal = store::disposal(c, &doc.id)?;
            Ok(records_status_of(&rules, &doc, &holds, disposal.as_ref()))
        })
        .await
}

/// Places a legal hold on a document of the agency.
pub async fn place_hold(
    d: &Docflow,
    id: String,
    acc: String,
    ag: String,
    reason: String,
    authority: String,
) -> Result<HoldRow, Error> {
    let now = d.now();
    d.db()
        .transaction(move |c| {
            let doc = locked(c, &id, &ag)?;
            if !lifecycle::permits(&doc.status, Action::Hold) {
                return Err(Error::with_detail(
                    errors::ILLEGAL_STATE,
                    "the document was disposed of",
                ));
            }
            let at = now;
            let row = store::HoldRow {
                id: new_id(),
                document_id: doc.id.clone(),
                reason,
                authority,
                placed_by: acc.clone(),
                placed_at: at,
                released_by: None,
                released_at: None,
                release_reason: None,
            };
            store::insert_hold(c, &row)?;
            append(
                c,
                &doc.id,
                &acc,
                None,
                "legal_hold_placed",
                json!({"hold": row.id, "reason": row.reason, "authority": row.authority}),
                at,
            )?;
            Ok(row)
        })
        .await
}

/// Releases a legal hold on a document of the agency, with the reason.
pub async fn release_hold(
    d: &Docflow,
    hold: String,
    acc: String,
    ag: String,
    reason: String,
) -> Result<(), Error> {
    let now = d.now();
    d.db()
        .transaction(move |c| {
            let h = store::hold(c, &hold)?.ok_or_else(|| Error::new(errors::HOLD_NOT_FOUND))?;
            let doc =
                locked(c, &h.document_id, &ag).map_err(|_| Error::new(errors::HOLD_NOT_FOUND))?;
            let at = now;
            if store::release_hold(c, &h.id, &acc, at, &reason)? == 0 {
                return Err(Error::new(errors::HOLD_NOT_FOUND));
            }
            append(
                c,
                &doc.id,
                &acc,
                None,
                "legal_hold_released",
                json!({"hold": h.id, "reason": reason}),
                at,
            )
        })
        .await
}

/// Disposes of a document whose retention ended and that no hold covers: contents
/// destroyed, metadata, signatures, history and a signed certificate kept.
pub async fn dispose(
    d: &Docflow,
    who: Principal,
    id: String,
    reason: String,
) -> Result<Disposed, Error> {
    let rules = d.rules()?.clone();
    let d2 = d.clone();
    let now = d.now();
    d.db()
        .transaction(move |c| {
            let mut doc = store::lock_document(c, &id)?
                .filter(|x| who.kind == Kind::PlatformAdmin || who.agency.as_deref() == Some(x.agency.as_str()))
                .ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))?;
            let holds = store::holds(c, &doc.id)?;
            if let Some(h) = holds.iter().find(|h| h.released_at.is_none()) {
                return Err(Error::with_detail(errors::LEGAL_HOLD, format!("hold {} ({}) is in force", h.id, h.authority)));
            }
            if who.kind == Kind::Officer && !who.has_role(crate::RECORDS_ROLE) {
                return Err(Error::with_detail(egov_core::error::codes::FORBIDDEN, "disposal needs the docflow.records role"));
            }
            if !lifecycle::permits(&doc.status, Action::Dispose) {
                return Err(Error::with_detail(errors::ILLEGAL_STATE, "already disposed of"));
            }
            let at = now;
            let until = doc.completed_at.and_then(|t| retain_until(&rules, &doc.retention, t));
            match until {
                Some(u) if u <= at.date() => {}
                _ => return Err(Error::with_detail(errors::RETENTION_RUNNING,
                    format!("retention {} {}", doc.retention, until.map(|u| format!("runs until {u}")).unwrap_or_else(|| "is permanent (or the matter is not complete)".into())))),
            }
            let versions = store::versions(c, &doc.id)?;
            let head = store::last_event(c, &doc.id)?.map(|e| e.1);
            let cert = json!({
                "certificate": "disposal", "document": doc.id, "agency": doc.agency,
                "registration_no": doc.registration_no, "title": versions.last().map(|v| v.title.clone()),
                "retention": doc.retention, "completed_at": doc.completed_at.map(|t| t.and_utc()),
                "retain_until": until, "reason": reason, "authorised_by": who.subject, "authorised_kind": who.kind.as_str(),
                "at": stamp(at), "versions": versions.iter().map(|v| json!({"version": v.version, "digest": v.digest})).collect::<Vec<_>>(),
                "history_head": head,
            });
            let signature = d2.sign(c, &cert)?;
            let atts: Vec<String> = versions
                .iter()
                .flat_map(|v| serde_json::from_str::<Vec<Attachment>>(&v.attachments).unwrap_or_default())
                .map(|a| a.sha256)
                .collect();
            store::clear_versions(c, &doc.id)?;
            for a in atts {
                store::delete_blob(c, &a)?;
            }
            let row = store::DisposalRow { id: new_id(), document_id: doc.id.clone(), certificate: cert.to_string(),
                signature: signature.clone(), authorised_by: who.subject.clone(), at };
            store::insert_disposal(c, &row)?;
            doc.status = status::DISPOSED.into();
            doc.disposed_at = Some(at);
            doc.updated_at = at;
            store::save_document(c, &doc)?;
            append(c, &doc.id, &who.subject, None, "disposed", json!({"disposal": row.id, "reason": reason}), at)?;
            Ok(Disposed {
                disposal: row.id,
                certificate: cert,
                signature,
            })
        })
        .await
}

//! The answers' shapes: case views and summaries.

use crate::Petition;
use crate::domain::catalogue::{FieldType, Period, PetitionKind};
use crate::domain::lifecycle::Status;
use crate::service::{self, status_of};
use crate::store::{self, AttachmentRow, CaseRow, DocumentRow, EventRow, EvidenceRow};
use chrono::NaiveDateTime;
use egov_core::Error;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceSummary {
    pub id: String,
    pub kind: PetitionKind,
    pub names: std::collections::BTreeMap<String, String>,
    pub agency: Option<String>,
    #[schema(value_type = String)]
    pub fee: rust_decimal::Decimal,
    pub currency: String,
    pub period: Period,
    pub issues_document: bool,
    pub open311: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    #[serde(serialize_with = "egov_core::dates::utc")]
    pub at: NaiveDateTime,
    pub action: String,
    pub from: String,
    pub to: String,
    pub reason: Option<String>,
    /// `applicant`, `officer` or `system`.
    pub actor_role: String,
    /// The acting account (officers' view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    #[schema(value_type = Object)]
    pub detail: Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceView {
    pub key: String,
    /// `upload` or `exchange`.
    pub source: String,
    pub attachment: Option<String>,
    /// The exchange service it was fetched from.
    pub provider: Option<String>,
    pub consent: Option<String>,
    /// The exchange message id and this side's message-log record: the proof of the fetch.
    pub message_id: Option<String>,
    pub log_seq: Option<i64>,
    #[schema(value_type = Option<Object>)]
    pub document: Option<Value>,
    #[serde(serialize_with = "egov_core::dates::utc")]
    pub fetched_at: NaiveDateTime,
}

impl From<EvidenceRow> for EvidenceView {
    fn from(e: EvidenceRow) -> Self {
        Self {
            key: e.key,
            source: e.source,
            attachment: e.attachment,
            provider: e.provider,
            consent: e.consent,
            message_id: e.message_id,
            log_seq: e.log_seq,
            document: e.document.and_then(|d| serde_json::from_str(&d).ok()),
            fetched_at: e.fetched_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: String,
    pub filename: String,
    /// Detected from the content.
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    #[serde(serialize_with = "egov_core::dates::utc")]
    pub created_at: NaiveDateTime,
}

impl From<AttachmentRow> for AttachmentView {
    fn from(a: AttachmentRow) -> Self {
        Self {
            id: a.id,
            filename: a.filename,
            content_type: a.content_type,
            size: a.size,
            sha256: a.sha256,
            created_at: a.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentView {
    /// The document-confirmation number printed on the document.
    pub number: String,
    /// What was signed (the machine-readable document).
    #[schema(value_type = Object)]
    pub document: Value,
    /// Detached JWS (EdDSA) over the canonical JSON of `document`; keys at
    /// `/petition/v1/keys`.
    pub signature: String,
    /// SHA-256 of the canonical document.
    pub digest: String,
    /// What the QR code on the document encodes: the verification address with the digest.
    pub qr_payload: String,
    #[serde(serialize_with = "egov_core::dates::utc")]
    pub issued_at: NaiveDateTime,
    #[serde(serialize_with = "egov_core::dates::utc")]
    pub valid_until: NaiveDateTime,
    #[serde(serialize_with = "egov_core::dates::utc")]
    pub verifiable_until: NaiveDateTime,
    #[serde(serialize_with = "egov_core::dates::utc_opt")]
    pub revoked_at: Option<NaiveDateTime>,
}

pub(crate) fn qr_payload(p: &Petition, number: &str, digest: &str) -> String {
    let base = p.0.settings.server.public_url.clone().unwrap_or_default();
    format!(
        "{}/petition/verify/{number}#sha256={digest}",
        base.trim_end_matches('/')
    )
}

pub(crate) fn document_view(p: &Petition, d: DocumentRow) -> DocumentView {
    DocumentView {
        qr_payload: qr_payload(p, &d.number, &d.digest),
        number: d.number,
        document: serde_json::from_str(&d.document).unwrap_or(Value::Null),
        signature: d.signature,
        digest: d.digest,
        issued_at: d.issued_at,
        valid_until: d.valid_until,
        verifiable_until: d.verifiable_until,
        revoked_at: d.revoked_at,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Location {
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub address: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    pub id: String,
    pub receipt_no: Option<String>,
    pub service: String,
    pub service_name: String,
    pub kind: String,
    /// The handling agency ('' while a draft).
    pub agency: String,
    pub status: Status,
    /// GeoReport v2 status: `open` or `closed`.
    pub open311_status: String,
    pub channel: String,
    #[schema(value_type = Object)]
    pub form: Value,
    pub location: Location,
    pub assignee: Option<String>,
    pub decision: Option<String>,
    pub decision_reason: Option<String>,
    pub remedies: Option<String>,
    /// The case this one was merged into (receipt number), and the cases merged into this one.
    pub merged_into: Option<String>,
    pub merged_from: Vec<String>,
    pub rating: Option<i32>,
    pub rating_comment: Option<String>,
    #[serde(serialize_with = "egov_core::dates::utc_opt")]
    pub submitted_at: Option<NaiveDateTime>,
    /// When the statutory period ends (UTC); moves with pauses, extensions and transfers.
    #[serde(serialize_with = "egov_core::dates::utc_opt")]
    pub due_at: Option<NaiveDateTime>,
    /// The clock is paused (a supplement is requested) since.
    #[serde(serialize_with = "egov_core::dates::utc_opt")]
    pub paused_since: Option<NaiveDateTime>,
    #[serde(serialize_with = "egov_core::dates::utc_opt")]
    pub closed_at: Option<NaiveDateTime>,
    #[serde(serialize_with = "egov_core::dates::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "egov_core::dates::utc")]
    pub updated_at: NaiveDateTime,
    pub version: i32,
    /// How far up the pack's escalation ladder the overdue case has gone (0: not escalated),
    /// and since when.
    pub escalation_level: i32,
    #[serde(serialize_with = "egov_core::dates::utc_opt")]
    pub escalated_at: Option<NaiveDateTime>,
    /// When the case was first answered (decided, or closed without a decision).
    #[serde(serialize_with = "egov_core::dates::utc_opt")]
    pub answered_at: Option<NaiveDateTime>,
    /// How many times its period was extended (the pack allows `max_extensions`).
    pub extensions: i32,
    pub events: Vec<EventView>,
    pub evidence: Vec<EvidenceView>,
    pub attachments: Vec<AttachmentView>,
    pub documents: Vec<DocumentView>,
    /// Open complaints or proposals that look like this one (same service and routing, near
    /// it, recent): filled in the officers' case view (`GET`) of an open case, else empty.
    pub suggested_duplicates: Vec<crate::service::applications::DuplicateSuggestion>,
}

pub(crate) async fn case_view(
    p: &Petition,
    row: CaseRow,
    officer: bool,
) -> Result<CaseView, Error> {
    let pp = p.clone();
    p.db()
        .run(move |c| case_view_in(&pp, c, row, officer))
        .await
}

/// The whole case, read on `c` (inside the caller's transaction when there is one). Tables
/// that cannot hold rows for this service and status are not read.
pub(crate) fn case_view_in(
    p: &Petition,
    c: &mut egov_core::DbConnection,
    row: CaseRow,
    officer: bool,
) -> Result<CaseView, Error> {
    let id = row.id.clone();
    let svc = service::service_of(p, &row).ok();
    let uploads = svc.is_none_or(|s| {
        !s.evidence.is_empty() || s.fields.iter().any(|f| f.kind == FieldType::Attachment)
    });
    let events = store::events(c, &id)?;
    let extensions =
        i32::try_from(events.iter().filter(|e| e.action == "extend").count()).unwrap_or(i32::MAX);
    let (evidence, attachments) = if uploads {
        (store::evidence_of(c, &id)?, store::attachments_of(c, &id)?)
    } else {
        (Vec::new(), Vec::new())
    };
    let documents = if svc.is_none_or(|s| s.issues_document) && row.closed_at.is_some() {
        store::documents_of(c, &id)?
    } else {
        Vec::new()
    };
    let merged_from = if svc.is_none_or(|s| s.kind.is_epeople()) {
        store::merged_into(c, &id)?
    } else {
        Vec::new()
    };
    let merged_into = match &row.merged_into {
        Some(target) => store::case(c, target)?.and_then(|r| r.receipt_no),
        None => None,
    };
    let name = service::service_of(p, &row)
        .map(|s| s.name(&p.pack().default_language).to_owned())
        .unwrap_or_default();
    let status = status_of(&row);
    Ok(CaseView {
        id: row.id,
        receipt_no: row.receipt_no,
        service: row.service,
        service_name: name,
        kind: row.kind,
        agency: row.agency,
        status,
        open311_status: status.open311().into(),
        channel: row.channel,
        form: serde_json::from_str(&row.form).unwrap_or(Value::Null),
        location: Location {
            lat: row.lat,
            long: row.lon,
            address: row.address,
        },
        assignee: row.assignee,
        decision: row.decision,
        decision_reason: row.decision_reason,
        remedies: row.remedies,
        merged_into,
        merged_from,
        rating: row.rating,
        rating_comment: row.rating_comment,
        submitted_at: row.submitted_at,
        due_at: row.due_at,
        paused_since: row.paused_at,
        closed_at: row.closed_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
        extensions,
        escalation_level: row.escalation_level,
        escalated_at: events
            .iter()
            .rev()
            .find(|e| e.action == "escalate")
            .map(|e| e.at),
        answered_at: row.answered_at,
        events: events
            .into_iter()
            .map(|e: EventRow| EventView {
                at: e.at,
                action: e.action,
                from: e.from_status,
                to: e.to_status,
                reason: e.reason,
                actor: officer.then_some(e.actor),
                actor_role: e.actor_role,
                detail: serde_json::from_str(&e.detail).unwrap_or(Value::Null),
            })
            .collect(),
        evidence: evidence.into_iter().map(EvidenceView::from).collect(),
        attachments: attachments.into_iter().map(AttachmentView::from).collect(),
        documents: documents.into_iter().map(|d| document_view(p, d)).collect(),
        suggested_duplicates: Vec::new(),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseSummary {
    pub id: String,
    pub receipt_no: Option<String>,
    pub service: String,
    pub kind: String,
    pub agency: String,
    pub status: Status,
    pub assignee: Option<String>,
    #[serde(serialize_with = "egov_core::dates::utc_opt")]
    pub submitted_at: Option<NaiveDateTime>,
    #[serde(serialize_with = "egov_core::dates::utc_opt")]
    pub due_at: Option<NaiveDateTime>,
    pub paused: bool,
    pub overdue: bool,
    /// How far up the escalation ladder (0: not escalated).
    pub escalation_level: i32,
}

pub(crate) fn summary(row: &CaseRow, now: NaiveDateTime) -> CaseSummary {
    let status = status_of(row);
    CaseSummary {
        id: row.id.clone(),
        receipt_no: row.receipt_no.clone(),
        service: row.service.clone(),
        kind: row.kind.clone(),
        agency: row.agency.clone(),
        status,
        assignee: row.assignee.clone(),
        submitted_at: row.submitted_at,
        due_at: row.due_at,
        paused: row.paused_at.is_some(),
        overdue: status.is_open() && row.paused_at.is_none() && row.due_at.is_some_and(|d| d < now),
        escalation_level: row.escalation_level,
    }
}

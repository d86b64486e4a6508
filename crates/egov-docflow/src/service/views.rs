//! What the API answers about documents: typed views of the stored rows, so that the OpenAPI
//! document describes them and generated clients get models.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::domain::line::StepKind;
use crate::store::{CirculationRow, DocumentRow, StepRow, VersionRow};

/// A document's status.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    Drafting,
    InApproval,
    Returned,
    Registered,
    Dispatched,
    /// Delivered by another agency, waiting for the document office to receive it.
    Delivered,
    Received,
    Disposed,
}

/// Where a received document came from (documents delivered through the exchange).
#[derive(Debug, Serialize, ToSchema)]
pub struct SenderView {
    /// The sending member (agency) of the exchange.
    pub member: Option<String>,
    pub client: Option<String>,
    /// The exchange message that delivered it.
    pub message_id: Option<String>,
    /// The sending document's id at the sender.
    pub sender: Option<String>,
    /// `document` or `circulation`.
    pub kind: Option<String>,
}

/// A document's metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentView {
    pub id: String,
    pub agency: String,
    /// The drafting (or receiving) unit.
    pub unit: String,
    /// `drafted` here or `received` from another agency.
    pub origin: String,
    pub drafter: String,
    pub drafter_position: Option<String>,
    pub doc_type: String,
    /// The function classification.
    pub classification: String,
    /// The disclosure class of the country pack.
    pub disclosure: String,
    pub disclosure_ground: Option<String>,
    /// Whether it names data subjects (reads need a purpose and are access-logged).
    pub personal_data: bool,
    /// Minor units of the pack's currency, where the document type's delegation depends on it.
    pub amount: Option<i64>,
    #[schema(value_type = DocumentStatus)]
    pub status: String,
    /// The current version number.
    pub version: i32,
    /// The approval round (a new one after each return and resubmission).
    pub round: i32,
    pub due_at: DateTime<Utc>,
    pub registration_no: Option<String>,
    pub registered_at: Option<DateTime<Utc>>,
    /// The retention class.
    pub retention: String,
    /// The records file it is filed in.
    pub file: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    pub disposed_at: Option<DateTime<Utc>>,
    pub sender: Option<SenderView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&DocumentRow> for DocumentView {
    fn from(doc: &DocumentRow) -> Self {
        let sender = doc
            .sender
            .as_deref()
            .and_then(|s| serde_json::from_str::<Value>(s).ok())
            .map(|s| {
                let text = |k: &str| s.get(k).and_then(Value::as_str).map(str::to_owned);
                SenderView {
                    member: text("member"),
                    client: text("client"),
                    message_id: text("message_id"),
                    sender: text("sender"),
                    kind: text("kind"),
                }
            });
        Self {
            id: doc.id.clone(),
            agency: doc.agency.clone(),
            unit: doc.unit_id.clone(),
            origin: doc.origin.clone(),
            drafter: doc.drafter.clone(),
            drafter_position: doc.drafter_position.clone(),
            doc_type: doc.doc_type.clone(),
            classification: doc.classification.clone(),
            disclosure: doc.disclosure.clone(),
            disclosure_ground: doc.disclosure_ground.clone(),
            personal_data: doc.personal_data,
            amount: doc.amount,
            status: doc.status.clone(),
            version: doc.version,
            round: doc.round,
            due_at: doc.due_at.and_utc(),
            registration_no: doc.registration_no.clone(),
            registered_at: doc.registered_at.map(|t| t.and_utc()),
            retention: doc.retention.clone(),
            file: doc.file_id.clone(),
            completed_at: doc.completed_at.map(|t| t.and_utc()),
            disposed_at: doc.disposed_at.map(|t| t.and_utc()),
            sender,
            created_at: doc.created_at.and_utc(),
            updated_at: doc.updated_at.and_utc(),
        }
    }
}

/// A step of the approval line.
#[derive(Debug, Serialize, ToSchema)]
pub struct StepView {
    pub id: String,
    /// Order on the line.
    pub seq: i32,
    /// Steps of one parallel cooperation group share a group number.
    pub group: i32,
    /// `draft`, `review`, `cooperation`, `approve`, `final_approve`, `post_approve`, …
    pub kind: String,
    /// The step's label as shown on the approval stamps.
    pub label: Option<&'static str>,
    /// The position that acts.
    pub position: String,
    pub status: String,
    pub due_at: DateTime<Utc>,
    pub acted_by: Option<String>,
    /// `self`, `acting` (대결) or `delegated` (전결).
    pub mode: Option<String>,
    pub action: Option<String>,
    pub opinion: Option<String>,
    pub acted_at: Option<DateTime<Utc>>,
    /// Who put the step on the line.
    pub added_by: String,
    /// Why it was inserted mid-flight.
    pub reason: Option<String>,
}

impl From<&StepRow> for StepView {
    fn from(s: &StepRow) -> Self {
        Self {
            id: s.id.clone(),
            seq: s.seq,
            group: s.grp,
            kind: s.kind.clone(),
            label: StepKind::parse(&s.kind).map(StepKind::label),
            position: s.position_id.clone(),
            status: s.status.clone(),
            due_at: s.due_at.and_utc(),
            acted_by: s.acted_by.clone(),
            mode: s.mode.clone(),
            action: s.action.clone(),
            opinion: s.opinion.clone(),
            acted_at: s.acted_at.map(|t| t.and_utc()),
            added_by: s.added_by.clone(),
            reason: s.reason.clone(),
        }
    }
}

/// One version of a document.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionView {
    pub version: i32,
    pub title: String,
    /// The structured body as written.
    #[schema(value_type = Option<Object>)]
    pub body: Option<Value>,
    /// The attachments (name, media type, size, SHA-256).
    #[schema(value_type = Vec<Object>)]
    pub attachments: Value,
    /// SHA-256 of the version's canonical form: what approvals sign.
    pub digest: String,
    pub author: String,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<&VersionRow> for VersionView {
    fn from(v: &VersionRow) -> Self {
        Self {
            version: v.version,
            title: v.title.clone(),
            body: v.body.as_deref().and_then(|b| serde_json::from_str(b).ok()),
            attachments: serde_json::from_str(&v.attachments).unwrap_or(Value::Null),
            digest: v.digest.clone(),
            author: v.author.clone(),
            reason: v.reason.clone(),
            created_at: v.created_at.and_utc(),
        }
    }
}

/// A reader a document was circulated to.
#[derive(Debug, Serialize, ToSchema)]
pub struct CirculationView {
    pub reader: String,
    pub added_by: String,
    pub added_at: DateTime<Utc>,
    /// When they first read it (none: unread).
    pub read_at: Option<DateTime<Utc>>,
}

impl From<&CirculationRow> for CirculationView {
    fn from(r: &CirculationRow) -> Self {
        Self {
            reader: r.reader.clone(),
            added_by: r.added_by.clone(),
            added_at: r.added_at.and_utc(),
            read_at: r.read_at.map(|t| t.and_utc()),
        }
    }
}

/// A document with its current version, approval line and circulation.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentDetail {
    #[serde(flatten)]
    pub document: DocumentView,
    pub current: Option<VersionView>,
    pub line: Vec<StepView>,
    pub circulation: Vec<CirculationView>,
}

/// A document's approval line.
#[derive(Debug, Serialize, ToSchema)]
pub struct Line {
    pub line: Vec<StepView>,
}

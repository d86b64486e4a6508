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
#[schema(as = DocflowDocument)]
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
#[schema(as = DocflowVersion)]
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

/// A records file (기록물철): the documents of one function classification and year.
#[derive(Debug, Serialize, ToSchema)]
pub struct FileView {
    pub id: String,
    /// The unit that keeps it.
    pub unit: String,
    pub classification: String,
    pub title: String,
    pub year: i32,
    /// Its retention class: filing gives a document this class.
    pub retention: String,
}

impl From<&crate::store::FileRow> for FileView {
    fn from(f: &crate::store::FileRow) -> Self {
        Self {
            id: f.id.clone(),
            unit: f.unit_id.clone(),
            classification: f.classification.clone(),
            title: f.title.clone(),
            year: f.year,
            retention: f.retention.clone(),
        }
    }
}

/// The agency's records files.
#[derive(Debug, Serialize, ToSchema)]
pub struct Files {
    pub files: Vec<FileView>,
}

/// A legal hold on a document: disposal is blocked while it is in force.
#[derive(Debug, Serialize, ToSchema)]
pub struct HoldView {
    pub id: String,
    pub reason: String,
    /// The ordering authority.
    pub authority: String,
    pub placed_by: String,
    pub placed_at: DateTime<Utc>,
    pub released_by: Option<String>,
    pub released_at: Option<DateTime<Utc>>,
    pub release_reason: Option<String>,
    pub in_force: bool,
}

impl From<&crate::store::HoldRow> for HoldView {
    fn from(h: &crate::store::HoldRow) -> Self {
        Self {
            id: h.id.clone(),
            reason: h.reason.clone(),
            authority: h.authority.clone(),
            placed_by: h.placed_by.clone(),
            placed_at: h.placed_at.and_utc(),
            released_by: h.released_by.clone(),
            released_at: h.released_at.map(|t| t.and_utc()),
            release_reason: h.release_reason.clone(),
            in_force: h.released_at.is_none(),
        }
    }
}

/// A hold just placed.
#[derive(Debug, Serialize, ToSchema)]
pub struct HoldPlaced {
    pub id: String,
    pub document: String,
    pub reason: String,
    pub authority: String,
    pub placed_at: DateTime<Utc>,
}

/// A hold released.
#[derive(Debug, Serialize, ToSchema)]
pub struct HoldReleased {
    /// Always true.
    pub released: bool,
}

/// A disposal: the signed certificate that replaces the destroyed contents.
#[derive(Debug, Serialize, ToSchema)]
pub struct DisposalView {
    pub id: String,
    /// The certificate as signed (document, registration number, title, retention, dates,
    /// reason, who authorised it, the digests of every version, the history head).
    #[schema(value_type = Object)]
    pub certificate: Value,
    /// The module key's signature over the certificate.
    pub signature: String,
    pub authorised_by: String,
    pub at: DateTime<Utc>,
}

/// A document's records status: retention, holds and disposal.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordsStatus {
    pub document: String,
    #[schema(value_type = DocumentStatus)]
    pub status: String,
    pub retention: String,
    /// The retention class's name in the pack.
    pub retention_name: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    /// The first day disposal is allowed (none: permanent or not complete).
    pub retain_until: Option<chrono::NaiveDate>,
    pub permanent: bool,
    pub holds: Vec<HoldView>,
    pub disposal: Option<DisposalView>,
}

/// What a disposal answers: the certificate and its signature.
#[derive(Debug, Serialize, ToSchema)]
pub struct Disposed {
    pub disposal: String,
    #[schema(value_type = Object)]
    pub certificate: Value,
    pub signature: String,
}

/// A dispatch of a document to another agency, through the exchange.
#[derive(Debug, Serialize, ToSchema)]
pub struct DispatchView {
    pub id: String,
    /// The recipient's exchange member.
    pub member: String,
    /// The recipient agency.
    pub agency: String,
    /// `document` or `circulation`.
    pub kind: String,
    /// `pending`, `delivered`, `received` or `failed`.
    pub status: String,
    pub attempts: i32,
    /// The exchange message of the last delivery attempt.
    pub message_id: Option<String>,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// The document's id at the recipient.
    pub remote_document: Option<String>,
    /// The recipient's receipt number, once received.
    pub receipt_no: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub received_at: Option<DateTime<Utc>>,
}

impl From<&crate::store::DispatchRow> for DispatchView {
    fn from(d: &crate::store::DispatchRow) -> Self {
        Self {
            id: d.id.clone(),
            member: d.member.clone(),
            agency: d.agency.clone(),
            kind: d.kind.clone(),
            status: d.status.clone(),
            attempts: d.attempts,
            message_id: d.message_id.clone(),
            error: d.error.clone(),
            remote_document: d.remote_id.clone(),
            receipt_no: d.receipt_no.clone(),
            created_at: d.created_at.and_utc(),
            delivered_at: d.delivered_at.map(|t| t.and_utc()),
            received_at: d.received_at.map(|t| t.and_utc()),
        }
    }
}

/// A document's dispatches.
#[derive(Debug, Serialize, ToSchema)]
pub struct Dispatches {
    pub dispatches: Vec<DispatchView>,
}

/// Whether the receipt confirmation went back to the sender.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfirmationSent {
    /// `sent`, `failed`, or `not_applicable` (the document did not come through the exchange).
    pub status: String,
    /// The member, dispatch and message id, or the error.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub detail: Option<Value>,
}

/// A delivered document received by the document office.
#[derive(Debug, Serialize, ToSchema)]
pub struct Received {
    pub id: String,
    #[schema(value_type = DocumentStatus)]
    pub status: String,
    pub receipt_no: Option<String>,
    /// The handler it was given to.
    pub handler: String,
    pub confirmation: ConfirmationSent,
}

/// A circulation: readers added here, dispatches to other agencies.
#[derive(Debug, Serialize, ToSchema)]
pub struct Circulated {
    /// The readers added (account ids).
    pub readers: Vec<String>,
    pub dispatches: Vec<DispatchView>,
}

/// An approver removed from the line.
#[derive(Debug, Serialize, ToSchema)]
pub struct StepRemoved {
    /// Always true.
    pub removed: bool,
}

/// One entry of a registration ledger.
#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerEntry {
    pub serial: i64,
    pub registration_no: String,
    pub document: String,
    pub title: String,
    pub at: DateTime<Utc>,
}

/// A page of a registration ledger.
#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerPage {
    pub entries: Vec<LedgerEntry>,
    /// Pass as `after` for the next page (none: the last page).
    pub next: Option<i64>,
}

/// The check of one approval signature.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignatureResult {
    pub round: i32,
    /// The step's order on the line.
    #[schema(value_type = Option<i64>)]
    pub seq: Value,
    #[schema(value_type = Option<String>)]
    pub kind: Value,
    #[schema(value_type = Option<String>)]
    pub action: Value,
    /// `self`, `acting` (대결) or `delegated` (전결).
    #[schema(value_type = Option<String>)]
    pub mode: Value,
    #[schema(value_type = Option<String>)]
    pub actor: Value,
    #[schema(value_type = Option<String>)]
    pub position: Value,
    /// The version signed.
    pub version: i64,
    /// The signature verifies with a published key.
    pub signature_valid: bool,
    /// The stored version still has the digest that was signed.
    pub content_matches: bool,
    /// The digest signed is the current version's.
    pub covers_current_version: bool,
    /// The version's contents were destroyed by a disposal (its digest stays).
    pub content_disposed: bool,
    /// `signature_valid` and `content_matches`.
    pub valid: bool,
    /// Signed at the sending agency (a received document: checked with the sender's keys
    /// that came with it through the exchange).
    pub sender: bool,
    /// When it was signed (RFC 3339).
    #[schema(value_type = Option<String>)]
    pub at: Value,
}

/// The check of every approval signature of a document.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignatureCheck {
    pub document: String,
    /// The current version.
    pub version: i32,
    /// There is at least one signature and every one is valid (a document with none to
    /// check is not valid).
    pub valid: bool,
    /// Why `valid` is false when no signature was found to check.
    pub problem: Option<String>,
    pub signatures: Vec<SignatureResult>,
}

/// A document's history with the check of its hash chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryCheck {
    /// The chain holds from the first event to the last.
    pub valid: bool,
    /// The sequence number of the first event that does not link.
    pub broken_at: Option<i64>,
    pub problem: Option<String>,
    pub events: Vec<crate::domain::evidence::Event>,
}

/// A public key of the module.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyView {
    pub kid: String,
    /// Always `EdDSA` (Ed25519).
    pub alg: &'static str,
    /// Base64url of the raw public key.
    pub public_key: String,
    pub created_at: DateTime<Utc>,
}

/// The module's public keys.
#[derive(Debug, Serialize, ToSchema)]
pub struct Keys {
    pub keys: Vec<KeyView>,
}

/// A records package: everything needed to verify a document with nothing else, signed as a
/// whole (the signature is over the package without `package_signature`, in canonical JSON).
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordsPackage {
    /// The package format's identifier.
    pub format: String,
    /// The exchange member that exported it.
    pub issuer: String,
    pub exported_at: DateTime<Utc>,
    /// The document's metadata, with `iso15489` process metadata.
    #[schema(value_type = Object)]
    pub document: Value,
    /// Every version with its attachments (contents base64, unless disposed).
    #[schema(value_type = Vec<Object>)]
    pub versions: Value,
    /// Every approval signature: its round, signed payload and signature.
    #[schema(value_type = Vec<Object>)]
    pub signatures: Value,
    pub history: Vec<crate::domain::evidence::Event>,
    /// The keys that verify the signatures.
    #[schema(value_type = Vec<Object>)]
    pub keys: Value,
    /// The module key's signature over the rest.
    pub package_signature: String,
}

/// The document's metadata as JSON (for records packages, which are signed as JSON).
pub fn doc_json(doc: &DocumentRow) -> Value {
    serde_json::to_value(DocumentView::from(doc)).unwrap_or(Value::Null)
}

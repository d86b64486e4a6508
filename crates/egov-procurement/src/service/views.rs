//! What the API answers about tenders: typed views, so that the OpenAPI document describes
//! them and generated clients get models.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::domain::lifecycle::Status;
use crate::service::Lot;

/// The opening committee's threshold: `k` of `n` key shares open the bids.
#[derive(Debug, Serialize, ToSchema)]
pub struct Threshold {
    pub k: i32,
    pub n: i32,
}

/// An amendment of a published tender.
#[derive(Debug, Serialize, ToSchema)]
pub struct AmendmentView {
    pub number: i32,
    pub at: DateTime<Utc>,
    pub reason: String,
    /// What changed (field → new value).
    #[schema(value_type = Object)]
    pub changes: Value,
}

/// A question on a tender and its public answer (the asker is not shown).
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionView {
    pub id: String,
    pub question: String,
    pub asked_at: DateTime<Utc>,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
}

/// An award of a lot.
#[derive(Debug, Serialize, ToSchema)]
pub struct AwardView {
    pub id: String,
    pub lot: String,
    pub bid_id: String,
    /// The supplier's business number.
    pub supplier: String,
    /// The awarded amount in the pack's currency (a decimal string).
    pub amount: String,
    /// `pending` (standstill), `active` or `cancelled`.
    pub status: String,
    pub decided_at: DateTime<Utc>,
}

/// A contract of an award.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContractSummary {
    pub id: String,
    pub award_id: String,
    pub supplier: String,
    /// `pending` (waiting for signatures) or `active`.
    pub status: String,
    pub version: i32,
}

/// A tender as its readers may see it at its stage.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenderView {
    pub id: String,
    /// The Open Contracting ID.
    pub ocid: String,
    pub agency: String,
    pub procedure: String,
    pub category: String,
    pub title: String,
    pub description: String,
    pub status: Status,
    pub lots: Vec<Lot>,
    /// ISO 4217 code of the pack's currency.
    pub currency: String,
    pub enquiry_end: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    pub opening_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    /// The tender's opening key (X25519, base64, 32 bytes): bidders seal their bids to it
    /// (HPKE, see `docs/procurement/sealing.md`).
    pub opening_key: Option<String>,
    pub committee: Threshold,
    /// SHA-256 commitment to the lottery seed, published before the deadline.
    pub seed_commitment: Option<String>,
    pub amendments: Vec<AmendmentView>,
    pub questions: Vec<QuestionView>,
    /// The number of sealed bids (after the deadline).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bid_count: Option<i32>,
    /// The digests of the sealed bids (after the deadline).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub commitments: Option<Value>,
    /// The opening transcript (after the opening).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::service::OpeningTranscript>)]
    pub opening: Option<Value>,
    /// The ranking per lot (once the award is decided).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub ranking: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standstill_end: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancel_reason: Option<String>,
    pub awards: Vec<AwardView>,
    pub contracts: Vec<ContractSummary>,
}

/// A complaint against a tender's terms or its award.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintView {
    pub id: String,
    pub tender_id: String,
    /// The complaining supplier's business number.
    pub complainant: String,
    /// `terms` or `award`.
    pub against: String,
    pub text: String,
    /// `pending`, `upheld` or `dismissed`.
    pub status: String,
    pub filed_at: DateTime<Utc>,
    /// The review body's statutory decision date.
    pub decide_by: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
    /// What an upheld complaint changes.
    pub remedy: Option<String>,
}

impl From<&crate::store::ComplaintRow> for ComplaintView {
    fn from(k: &crate::store::ComplaintRow) -> Self {
        Self {
            id: k.id.clone(),
            tender_id: k.tender_id.clone(),
            complainant: k.complainant.clone(),
            against: k.against.clone(),
            text: k.text.clone(),
            status: k.status.clone(),
            filed_at: k.filed_at.and_utc(),
            decide_by: k.decide_by.and_utc(),
            decided_at: k.decided_at.map(|t| t.and_utc()),
            decision_reason: k.decision_reason.clone(),
            remedy: k.remedy.clone(),
        }
    }
}

/// Complaints waiting for the review body.
#[derive(Debug, Serialize, ToSchema)]
pub struct Complaints {
    pub complaints: Vec<ComplaintView>,
}

/// A version of a contract and its parties' signatures.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContractVersionView {
    pub version: i32,
    #[schema(value_type = Object)]
    pub terms: Value,
    /// SHA-256 of the terms: what the parties sign.
    pub digest: String,
    pub reason: String,
    pub created_at: DateTime<Utc>,
    /// The buyer's signed statement and signature.
    #[schema(value_type = Option<Object>)]
    pub buyer_signature: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub supplier_signature: Option<Value>,
}

/// A contract with every version.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContractView {
    pub id: String,
    pub tender_id: String,
    pub award_id: String,
    pub supplier: String,
    /// `pending` or `active`.
    pub status: String,
    /// The version in force (or waiting for signatures).
    pub version: i32,
    pub versions: Vec<ContractVersionView>,
}

/// A party's signature of a contract version.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContractSigned {
    pub version: i32,
    /// Both parties have signed this version.
    pub in_force: bool,
}

/// A new version of a contract, proposed for signature.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContractAmended {
    pub version: i32,
}

/// An opened bid as the buyer's evaluators see it (each read is on the supplier's access log).
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenedBidView {
    pub bid_id: String,
    pub lot: String,
    pub supplier: String,
    /// `valid` or `rejected`.
    pub status: String,
    pub received_at: DateTime<Utc>,
    pub digest: String,
    pub price: Option<String>,
    /// The opened contents (price, reserve picks, documents).
    #[schema(value_type = Option<Object>)]
    pub contents: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub rejection: Option<Value>,
    /// The eligibility evidence checked at the bid.
    #[schema(value_type = Object)]
    pub eligibility: Value,
}

/// The opened bids of a tender.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenedBids {
    pub bids: Vec<OpenedBidView>,
}

/// The ranking of every lot.
#[derive(Debug, Serialize, ToSchema)]
pub struct Rankings {
    pub rankings: Vec<crate::domain::evaluation::Ranking>,
}

/// An event of a tender's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenderEvent {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    /// The status before.
    pub from: String,
    /// The status after.
    pub to: String,
    pub reason: Option<String>,
    #[schema(value_type = Object)]
    pub detail: Value,
}

/// A tender's history, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenderEvents {
    pub events: Vec<TenderEvent>,
}

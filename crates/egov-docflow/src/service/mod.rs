//! Documents and their approval lines: every change runs in one transaction with its history
//! event (hash-chained), and every approval action is signed over the digest of the version
//! it approves.

mod approvals;
mod authority;
mod changes;
mod circulation;
mod documents;
mod organisation;
mod reads;
mod records;
mod verification;
mod views;

pub use approvals::*;
pub use authority::*;
pub use changes::*;
pub use circulation::*;
pub use documents::*;
pub use organisation::*;
pub use reads::*;
pub use records::*;
pub use verification::*;
pub use views::*;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use egov_core::{DbConnection, Error};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::domain::evidence::{self, Attachment};
use crate::domain::line::{self, StepKind, StepStatus};
use crate::domain::rules::{self, Delegation, Rules};
use crate::store::{self, DocumentRow, StepRow};
use crate::{Docflow, errors};

pub use crate::domain::lifecycle::status;

/// The history's time format.
pub fn stamp(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn err(code: egov_core::ErrorCode, detail: impl Into<egov_core::error::Text>) -> Error {
    Error::with_detail(code, detail)
}

fn field(pointer: &str, detail: impl Into<egov_core::error::Text>) -> Error {
    Error::validation(vec![egov_core::error::FieldError {
        pointer: pointer.into(),
        detail: detail.into(),
    }])
}

/// Appends an event to a document's history, linked to the one before.
pub fn append(
    c: &mut DbConnection,
    doc: &str,
    actor: &str,
    position: Option<&str>,
    action: &str,
    detail: Value,
    at: NaiveDateTime,
) -> Result<(), Error> {
    let (seq, prev) = match store::last_event(c, doc)? {
        Some((s, h)) => (s + 1, h),
        None => (1, evidence::GENESIS.to_owned()),
    };
    let at = stamp(at);
    let hash = evidence::event_hash(&prev, doc, seq, &at, actor, position, action, &detail);
    store::insert_event(
        c,
        &store::EventRow {
            document_id: doc.to_owned(),
            seq,
            at,
            actor: actor.to_owned(),
            position: position.map(str::to_owned),
            action: action.to_owned(),
            detail: egov_exchange::signature::canonical_json(&detail),
            prev_hash: prev,
            hash,
        },
    )
}

/// A history row as the evidence module reads it.
pub fn event_of(e: &store::EventRow) -> evidence::Event {
    evidence::Event {
        document: e.document_id.clone(),
        seq: e.seq,
        at: e.at.clone(),
        actor: e.actor.clone(),
        position: e.position.clone(),
        action: e.action.clone(),
        detail: serde_json::from_str(&e.detail).unwrap_or(Value::Null),
        prev_hash: e.prev_hash.clone(),
        hash: e.hash.clone(),
    }
}

//! `anchor-countersign`: another egov member keeps a copy of this deployment's anchors.
//!
//! A deployment that sets `audit.countersign_service` sends each batch of new anchors to a
//! peer member's `auth/anchor-countersign` service through the exchange. The peer's answer is
//! signed with its exchange key, and both message logs (hash-chained, bodies kept) hold the
//! anchors: a copy outside the operator's reach, with the peer's signature and time.

use std::sync::Arc;

use egov_core::exchange::{
    Basis, Item, LogMode, ServiceCall, ServiceDef, ServiceError, SubjectKind,
};
use serde_json::{Value, json};

const BASIS: &str = "Audit anchoring between members: the peer keeps a signed copy of the \
                     anchors of the sender's audit trails (PIPA safety-measures standard art. 8)";

async fn countersign(call: ServiceCall) -> Result<Value, ServiceError> {
    let anchors = call
        .payload
        .get("anchors")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let canonical = serde_json::to_vec(&anchors).unwrap_or_default();
    Ok(json!({
        "received": anchors.len(),
        "digest": egov_core::digest::sha256_hex(&canonical),
        "at": chrono::Utc::now(),
    }))
}

/// The service this module provides through the exchange.
pub fn services() -> Vec<ServiceDef> {
    vec![ServiceDef {
        module: crate::NAME,
        code: "anchor-countersign",
        version: "v1",
        title: "Keep a signed copy of another member's audit anchors",
        description: "Receives a batch of signed anchors (heads of the sender's hash-chained \
                      audit trails); the signed answer and this member's message log are the \
                      countersignature.",
        request_schema: json!({
            "type": "object",
            "properties": {
                "anchors": {"type": "array", "maxItems": 10000, "items": {"type": "object"}}
            },
            "required": ["anchors"],
            "additionalProperties": false
        }),
        items: vec![
            Item {
                name: "received",
                description: "How many anchors were received",
                legal_basis: BASIS,
            },
            Item {
                name: "digest",
                description: "SHA-256 of the anchors as received",
                legal_basis: BASIS,
            },
            Item {
                name: "at",
                description: "When they were received",
                legal_basis: BASIS,
            },
        ],
        subject: None,
        subject_kind: SubjectKind::Person,
        basis: Basis::Statute(BASIS),
        log: LogMode::Full,
        handler: Arc::new(countersign),
    }]
}

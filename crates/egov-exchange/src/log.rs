//! The message log's records and their hash chain, without I/O, so that the offline verifier
//! (`egov exchange verify-evidence`) and the database verifier share one definition.
//!
//! Each record's hash is SHA-256 over the previous record's hash and the record's fields as
//! JSON (fixed field order, header maps sorted), hex-encoded. An edited field breaks the
//! record's hash; a removed record breaks the next one's link.

use std::collections::BTreeMap;

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

/// The hash that precedes the first record.
pub const GENESIS_HASH: &str = egov_core::chain::GENESIS;

/// Which side of an exchange wrote the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Client,
    Provider,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Client => "client",
            Side::Provider => "provider",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "client" => Some(Side::Client),
            "provider" => Some(Side::Provider),
            _ => None,
        }
    }
}

/// One exchange as one side saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub side: Side,
    pub message_id: String,
    pub client: String,
    pub service: String,
    pub purpose: String,
    /// Person key of the data subject.
    pub subject: Option<String>,
    pub consent: Option<String>,
    /// The statute cited instead of consent.
    pub basis: Option<String>,
    pub method: String,
    pub path: String,
    /// The signed headers' values (lower-case names).
    pub request_headers: BTreeMap<String, String>,
    /// SHA-256 hex of the request body.
    pub request_digest: String,
    pub request_body: Option<String>,
    pub request_signature: Option<String>,
    pub request_hash: Option<String>,
    pub response_status: u16,
    pub response_headers: BTreeMap<String, String>,
    pub response_digest: String,
    pub response_body: Option<String>,
    pub response_signature: Option<String>,
    /// `ok`, `refused` (by a check or the provider) or `failed` (transport).
    pub outcome: String,
    /// The X-Road error type of a refusal or failure.
    pub error_type: Option<String>,
    pub items_released: Vec<String>,
    pub items_stripped: Vec<String>,
    /// `full` or `metadata`.
    pub mode: String,
}

/// A stored record: the entry, its place in the chain and its time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub seq: i64,
    pub recorded_at: DateTime<Utc>,
    #[serde(flatten)]
    pub entry: Entry,
    pub prev_hash: String,
    pub hash: String,
}

/// Times as both backends keep them (microseconds).
pub fn record_time(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

#[derive(Serialize)]
struct Hashed<'a> {
    seq: i64,
    recorded_at: String,
    entry: &'a Entry,
}

/// The hash of record `seq` written at `at` after `prev_hash`.
pub fn chain_hash(seq: i64, at: DateTime<Utc>, entry: &Entry, prev_hash: &str) -> String {
    let fields = Hashed {
        seq,
        recorded_at: record_time(at).to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        entry,
    };
    // Serializing plain strings, numbers and sorted maps cannot fail.
    let json = serde_json::to_vec(&fields).unwrap_or_default();
    egov_core::chain::linked_hash(prev_hash, &json)
}

impl egov_core::chain::Link for Record {
    fn seq(&self) -> i64 {
        self.seq
    }
    fn prev_hash(&self) -> &str {
        &self.prev_hash
    }
    fn hash(&self) -> &str {
        &self.hash
    }
    fn recompute(&self) -> Result<String, String> {
        Ok(chain_hash(
            self.seq,
            self.recorded_at,
            &self.entry,
            &self.prev_hash,
        ))
    }
}

impl Record {
    /// Whether the record's own hash matches its fields and link.
    pub fn hash_ok(&self) -> bool {
        chain_hash(self.seq, self.recorded_at, &self.entry, &self.prev_hash) == self.hash
    }
}

/// What verification of a chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = ExchangeLogVerification)]
pub struct Verification {
    /// Records checked.
    pub checked: u64,
    /// The last record's sequence number.
    pub head_seq: i64,
    /// The first problem; verification stops there.
    pub problem: Option<String>,
}

impl Verification {
    pub fn intact(&self) -> bool {
        self.problem.is_none()
    }
}

//! Evidence that outlives the system (pure): the digest of a document version, the
//! hash-chained decision history, and the records package (metadata, versions, signatures
//! and history, signed) that anyone can verify offline with [`verify_package`] or
//! `egov docflow verify-package FILE`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use egov_core::digest::sha256_hex;
use egov_exchange::signature::{canonical_json, verify_json};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

/// The hash before the first event of a document.
pub const GENESIS: &str = egov_core::chain::GENESIS;

/// The package format's name.
pub const PACKAGE_FORMAT: &str = "egov-docflow-records-package/1";

/// An attachment as it is described inside a version (its content is kept apart, by digest).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[schema(as = DocflowAttachment)]
pub struct Attachment {
    pub name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
}

/// The digest a signature binds: SHA-256 of the canonical JSON of the title, the body and the
/// attachments' descriptions (whose own digests bind their content).
pub fn version_digest(title: &str, body: &Value, attachments: &[Attachment]) -> String {
    let doc = json!({"title": title, "body": body, "attachments": attachments});
    sha256_hex(canonical_json(&doc).as_bytes())
}

/// One entry of a document's decision history.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[schema(as = DocflowHistoryEvent)]
pub struct Event {
    pub document: String,
    pub seq: i64,
    /// RFC 3339, microseconds, UTC.
    pub at: String,
    pub actor: String,
    pub position: Option<String>,
    pub action: String,
    pub detail: Value,
    pub prev_hash: String,
    pub hash: String,
}

#[allow(clippy::too_many_arguments)]
/// The hash of an event: SHA-256 over the previous hash and the canonical JSON of the event's
/// fields.
pub fn event_hash(
    prev_hash: &str,
    document: &str,
    seq: i64,
    at: &str,
    actor: &str,
    position: Option<&str>,
    action: &str,
    detail: &Value,
) -> String {
    let body = json!({
        "document": document, "seq": seq, "at": at, "actor": actor,
        "position": position, "action": action, "detail": detail,
    });
    egov_core::chain::linked_hash(prev_hash, canonical_json(&body).as_bytes())
}

impl egov_core::chain::Link for Event {
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
        Ok(event_hash(
            &self.prev_hash,
            &self.document,
            self.seq,
            &self.at,
            &self.actor,
            self.position.as_deref(),
            &self.action,
            &self.detail,
        ))
    }
}

/// Checks a document's history, oldest first: sequence numbers from 1 without gaps, each
/// event linked to the one before, each hash recomputed. `Err((seq, why))` at the first
/// broken event.
pub fn verify_chain(events: &[Event]) -> Result<(), (i64, String)> {
    let mut walk = egov_core::chain::Verifier::default();
    for e in events {
        if !walk.check(e) {
            break;
        }
    }
    match walk.finish(None).broken {
        None => Ok(()),
        Some(b) => Err((b.seq, b.problem)),
    }
}

/// The outcome of verifying a records package.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = DocflowPackageReport)]
pub struct Report {
    pub valid: bool,
    pub versions: usize,
    pub signatures: usize,
    pub events: usize,
    /// Every problem found; empty when valid.
    pub problems: Vec<String>,
}

/// Verifies a records package offline: the package signature, each version's attachments
/// and digest, each approval signature (over the digest of the version it names), and the
/// history's hash chain, with the keys the package carries (compare them with the issuing
/// agency's published keys, `/docflow/v1/keys`, or pass `trusted` to insist on them).
pub fn verify_package(pkg: &Value, trusted: Option<&[(String, String)]>) -> Report {
    let mut problems = Vec::new();
    let arr = |k: &str| {
        pkg.get(k)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    if pkg.get("format").and_then(Value::as_str) != Some(PACKAGE_FORMAT) {
        problems.push(format!("format: not {PACKAGE_FORMAT}"));
    }
    let carried: Vec<(String, String)> = arr("keys")
        .iter()
        .filter_map(|k| {
            Some((
                k.get("kid")?.as_str()?.to_owned(),
                k.get("public_key")?.as_str()?.to_owned(),
            ))
        })
        .collect();
    let keys: Vec<(String, String)> = match trusted {
        Some(t) => t.to_vec(),
        None => carried,
    };
    let key_iter = || keys.iter().map(|(k, p)| (k.as_str(), p.as_str()));
    // The package signature covers everything else.
    let mut unsigned = pkg.clone();
    let sig = unsigned
        .as_object_mut()
        .and_then(|m| m.remove("package_signature"))
        .and_then(|v| v.as_str().map(str::to_owned));
    match sig {
        Some(s) if verify_json(key_iter(), &unsigned, &s) => {}
        _ => problems.push("package_signature: does not verify (the package was changed)".into()),
    }
    // Versions and their attachments.
    let versions = arr("versions");
    let mut digests = std::collections::BTreeMap::new();
    for v in &versions {
        let n = v.get("version").and_then(Value::as_i64).unwrap_or(-1);
        let title = v.get("title").and_then(Value::as_str).unwrap_or_default();
        let body = v.get("body").cloned().unwrap_or(Value::Null);
        let mut atts = Vec::new();
        for a in v
            .get("attachments")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let desc = Attachment {
                name: a
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .into(),
                media_type: a
                    .get("media_type")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .into(),
                size: a.get("size").and_then(Value::as_i64).unwrap_or(-1),
                sha256: a
                    .get("sha256")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .into(),
            };
            if let Some(content) = a.get("content").and_then(Value::as_str) {
                match STANDARD.decode(content) {
                    Ok(bytes)
                        if sha256_hex(&bytes) == desc.sha256 && bytes.len() as i64 == desc.size => {
                    }
                    _ => problems.push(format!(
                        "version {n}: attachment {:?}: content does not match its digest",
                        desc.name
                    )),
                }
            }
            atts.push(desc);
        }
        let stored = v
            .get("digest")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        if v.get("disposed").and_then(Value::as_bool) == Some(true) {
            // Disposed of: the contents are gone by law; the digest stands for them, and the
            // disposal certificate (in the history) says why.
            if !body.is_null() {
                problems.push(format!("version {n}: marked disposed but carries contents"));
            }
            digests.insert(n, stored);
            continue;
        }
        let d = version_digest(title, &body, &atts);
        if stored != d {
            problems.push(format!("version {n}: contents do not match its digest"));
        }
        digests.insert(n, d);
    }
    // Approval signatures.
    let signatures = arr("signatures");
    for (i, s) in signatures.iter().enumerate() {
        let payload = s.get("payload").cloned().unwrap_or(Value::Null);
        let jws = s
            .get("signature")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !verify_json(key_iter(), &payload, jws) {
            problems.push(format!("signature {i}: does not verify"));
            continue;
        }
        let v = payload.get("version").and_then(Value::as_i64).unwrap_or(-1);
        if payload.get("digest").and_then(Value::as_str) != digests.get(&v).map(String::as_str) {
            problems.push(format!(
                "signature {i}: signed a digest that is not version {v}'s (the document changed after signing)"
            ));
        }
    }
    // History.
    let history: Vec<Event> = match serde_json::from_value(Value::Array(arr("history"))) {
        Ok(h) => h,
        Err(e) => {
            problems.push(format!("history: unreadable: {e}"));
            Vec::new()
        }
    };
    if let Err((seq, why)) = verify_chain(&history) {
        problems.push(format!("history: event {seq}: {why}"));
    }
    Report {
        valid: problems.is_empty(),
        versions: versions.len(),
        signatures: signatures.len(),
        events: history.len(),
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<Event> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let detail = json!({"n": seq});
                let at = format!("2026-01-01T00:00:{seq:02}.000000Z");
                let hash = event_hash(&prev, "d", seq, &at, "a", None, "edit", &detail);
                let e = Event {
                    document: "d".into(),
                    seq,
                    at,
                    actor: "a".into(),
                    position: None,
                    action: "edit".into(),
                    detail,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                e
            })
            .collect()
    }

    #[test]
    fn a_chain_detects_edits_removals_and_reordering() {
        let c = chain(5);
        assert_eq!(verify_chain(&c), Ok(()));
        let mut edited = c.clone();
        edited[2].detail = json!({"n": 99});
        assert_eq!(verify_chain(&edited).expect_err("broken").0, 3);
        let mut removed = c.clone();
        removed.remove(1);
        assert!(verify_chain(&removed).is_err());
        let mut cut = c.clone();
        cut.truncate(4);
        assert_eq!(
            verify_chain(&cut),
            Ok(()),
            "a prefix is consistent; the package signature covers the end"
        );
        let mut swapped = c;
        swapped.swap(1, 2);
        assert!(verify_chain(&swapped).is_err());
    }
}

//! Evidence bundles: one exchange's log record with the public keys that signed its messages,
//! exported as JSON and verified offline (`egov exchange verify-evidence <file>`, no database,
//! no network): the record's chain hash, both signatures over the rebuilt canonical forms, the
//! request hash the response binds, and that each signature is by the right member's key.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::canonical::{Kind, Message};
use crate::keys::{Jwk, parse_jwk};
use crate::log::{Record, Side};
use crate::signature;
use crate::xroad::{ClientId, ServiceId, headers};

pub const FORMAT: &str = "egov-exchange-evidence/1";

/// An exported exchange.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Bundle {
    /// Always `egov-exchange-evidence/1`.
    pub format: String,
    /// The member whose log the record comes from.
    pub exported_by: String,
    pub exported_at: chrono::DateTime<chrono::Utc>,
    /// The head of that log when exported (sequence number and hash).
    pub chain_head: (i64, String),
    #[schema(value_type = Object)]
    pub record: Record,
    /// The public keys that signed the request and the response.
    pub keys: Vec<Jwk>,
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Check {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

/// The verdict on a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Verdict {
    pub valid: bool,
    pub checks: Vec<Check>,
}

fn key_for<'a>(bundle: &'a Bundle, kid: &str) -> Option<&'a Jwk> {
    bundle.keys.iter().find(|k| k.kid == kid)
}

fn check_signature(
    bundle: &Bundle,
    detached: Option<&str>,
    expected_member: Option<ClientId>,
    message: &Message<'_>,
    digest: &str,
) -> Result<String, String> {
    let detached = detached.ok_or("not signed")?;
    let kid = signature::header(detached).map_err(|e| e.to_string())?.kid;
    let jwk = key_for(bundle, &kid).ok_or(format!("key {kid} is not in the bundle"))?;
    let key = parse_jwk(jwk).map_err(str::to_owned)?;
    let member = crate::keys::member_of(&kid).ok_or(format!("{kid} names no member"))?;
    if let Some(expected) = expected_member
        && member != expected
    {
        return Err(format!("signed by {member}, expected {expected}"));
    }
    let canonical = message
        .canonical_with_digest(digest)
        .map_err(|e| e.to_string())?;
    signature::verify(&key, &kid, &canonical, detached).map_err(|e| e.to_string())?;
    Ok(format!("valid signature by {kid}"))
}

/// Verifies a bundle without any database or network.
pub fn verify(bundle: &Bundle) -> Verdict {
    let mut checks = Vec::new();
    let mut push = |name: &str, r: Result<String, String>| {
        let (ok, detail) = match r {
            Ok(d) => (true, d),
            Err(d) => (false, d),
        };
        checks.push(Check {
            name: name.to_owned(),
            ok,
            detail,
        });
    };
    push(
        "format",
        if bundle.format == FORMAT {
            Ok(FORMAT.to_owned())
        } else {
            Err(format!("unknown format {:?}", bundle.format))
        },
    );
    let r = &bundle.record;
    let e = &r.entry;
    push(
        "record hash",
        if r.hash_ok() {
            Ok(format!("record {} hashes to {}", r.seq, r.hash))
        } else {
            Err(format!(
                "record {} was altered: its hash does not match",
                r.seq
            ))
        },
    );
    let body_digest = |body: &Option<String>, digest: &str| -> Result<(), String> {
        match body {
            Some(b) if egov_core::digest::sha256_hex(b.as_bytes()) != digest => {
                Err("the stored body does not match its digest".into())
            }
            _ => Ok(()),
        }
    };
    push(
        "bodies",
        body_digest(&e.request_body, &e.request_digest)
            .and_then(|()| body_digest(&e.response_body, &e.response_digest))
            .map(|()| {
                if e.request_body.is_some() {
                    "bodies match their digests".into()
                } else {
                    "metadata-only record: digests only".into()
                }
            }),
    );
    // The record's own fields must say what the signed request says.
    let signed = |name: &str| {
        e.request_headers
            .get(name)
            .map(String::as_str)
            .unwrap_or("")
    };
    let mut mismatched = Vec::new();
    if signed(headers::CLIENT) != e.client {
        mismatched.push("client");
    }
    if signed(headers::ID) != e.message_id {
        mismatched.push("message_id");
    }
    if signed(crate::canonical::PURPOSE) != e.purpose {
        mismatched.push("purpose");
    }
    if signed(crate::canonical::CONSENT) != e.consent.as_deref().unwrap_or("") {
        mismatched.push("consent");
    }
    let path_service = e
        .path
        .split('?')
        .next()
        .unwrap_or("")
        .strip_prefix("/r1/")
        .is_some_and(|p| p == e.service || p.starts_with(&format!("{}/", e.service)));
    if !path_service {
        mismatched.push("service");
    }
    push(
        "record matches the signed request",
        if mismatched.is_empty() {
            Ok("client, message id, purpose, consent and service are the signed ones".into())
        } else {
            Err(format!(
                "fields differ from the signed request: {}",
                mismatched.join(", ")
            ))
        },
    );
    let req_headers: Vec<(&str, &str)> = e
        .request_headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let request = Message {
        kind: Kind::Request,
        method: &e.method,
        path: &e.path,
        headers: req_headers,
        body: e.request_body.as_deref().unwrap_or("").as_bytes(),
    };
    let client_member = ClientId::parse(&e.client).ok().map(|c| c.member());
    push(
        "request signature",
        check_signature(
            bundle,
            e.request_signature.as_deref(),
            client_member,
            &request,
            &e.request_digest,
        ),
    );
    push(
        "request hash",
        match (&e.request_hash, &e.request_body) {
            (None, _) => Err("no request hash recorded".into()),
            (Some(h), Some(_)) => match request.request_hash() {
                Ok(computed) if &computed == h => Ok("recomputed from the request".into()),
                _ => Err("the request hash does not match the request".into()),
            },
            (Some(_), None) => Ok("recorded (metadata-only: not recomputable)".into()),
        },
    );
    let resp_headers: Vec<(&str, &str)> = e
        .response_headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let response = Message {
        kind: Kind::Response(e.response_status),
        method: "",
        path: &e.path,
        headers: resp_headers,
        body: e.response_body.as_deref().unwrap_or("").as_bytes(),
    };
    let provider_member = ServiceId::parse(&e.service)
        .ok()
        .map(|s| s.provider.member());
    push(
        "response signature",
        check_signature(
            bundle,
            e.response_signature.as_deref(),
            provider_member,
            &response,
            &e.response_digest,
        ),
    );
    push(
        "response answers the request",
        if e.response_headers.get(headers::REQUEST_HASH) == e.request_hash.as_ref()
            && e.request_hash.is_some()
        {
            Ok("the signed response carries the request's hash".into())
        } else {
            Err("the response does not carry the request's hash".into())
        },
    );
    push(
        "side",
        Ok(match e.side {
            Side::Client => "client-side record",
            Side::Provider => "provider-side record",
        }
        .into()),
    );
    let valid = checks.iter().all(|c| c.ok);
    Verdict { valid, checks }
}

//! Evidence bundles: one exchange's log record with the public keys that signed its messages,
//! exported as JSON and verified offline (`egov exchange verify-evidence <file>`, no database,
//! no network): the record's chain hash, both signatures over the rebuilt canonical forms, the
//! request hash the response binds, and that each signature is by the right member's key.
//!
//! The keys a bundle carries prove nothing by themselves (whoever edits a bundle can re-sign
//! it with keys of their own): a verifier pins the members' keys with [`Trust`] (their
//! published JWK sets, `--trust` on the command line), and the verdict says, for each
//! signature, whether its key was pinned and where, or only carried by the bundle.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::canonical::{Kind, Message};
use crate::keys::{Jwk, JwkSet, STATUS_FORMAT, StatusList, member_of, parse_jwk};
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
    /// Whether every signature was checked with a pinned key ([`Trust`]), not only with the
    /// keys the bundle carries.
    pub trusted: bool,
    pub checks: Vec<Check>,
}

/// Keys the verifier trusts, each with where it was pinned from (a file of a member's
/// published JWK set, `GET /exchange/v1/keys?member=…`, obtained out of band).
#[derive(Debug, Clone, Default)]
pub struct Trust {
    keys: Vec<(Jwk, String)>,
}

impl Trust {
    /// Adds the keys of a JWK set, pinned from `source` (said in the verdict).
    pub fn add(&mut self, set: JwkSet, source: &str) {
        self.keys
            .extend(set.keys.into_iter().map(|k| (k, source.to_owned())));
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    fn get(&self, kid: &str) -> Option<&(Jwk, String)> {
        self.keys.iter().find(|(k, _)| k.kid == kid)
    }

    /// The pinned keys of `member`, as (`kid`, public key).
    fn of_member(&self, member: &str) -> Vec<(&str, &str)> {
        self.keys
            .iter()
            .filter(|(k, _)| member_of(&k.kid).is_some_and(|m| m.to_string() == member))
            .map(|(k, _)| (k.kid.as_str(), k.x.as_str()))
            .collect()
    }
}

fn key_for<'a>(bundle: &'a Bundle, kid: &str) -> Option<&'a Jwk> {
    bundle.keys.iter().find(|k| k.kid == kid)
}

/// The key to check a signature by `kid` with, and why it is believed: pinned (then it must
/// also be the one the bundle carries, if it carries one), or carried by the bundle.
fn key_to_use<'a>(
    bundle: &'a Bundle,
    trust: Option<&'a Trust>,
    kid: &str,
) -> Result<(&'a Jwk, String), String> {
    match trust {
        Some(t) => {
            let (pinned, source) = t
                .get(kid)
                .ok_or(format!("key {kid} is not among the trusted keys"))?;
            if key_for(bundle, kid).is_some_and(|carried| carried.x != pinned.x) {
                return Err(format!(
                    "the bundle carries another key under {kid} than the one pinned in {source}"
                ));
            }
            Ok((pinned, format!("pinned in {source}")))
        }
        None => key_for(bundle, kid)
            .map(|k| {
                (
                    k,
                    "carried by the bundle, not pinned (pass --trust)".to_owned(),
                )
            })
            .ok_or(format!("key {kid} is not in the bundle")),
    }
}

fn check_signature(
    bundle: &Bundle,
    trust: Option<&Trust>,
    detached: Option<&str>,
    expected_member: Option<ClientId>,
    message: &Message<'_>,
    digest: &str,
) -> Result<String, String> {
    let detached = detached.ok_or("not signed")?;
    let kid = signature::header(detached).map_err(|e| e.to_string())?.kid;
    let (jwk, why) = key_to_use(bundle, trust, &kid)?;
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
    Ok(format!("valid signature by {kid}, a key {why}"))
}

/// Verifies a bundle without any database or network, with the keys it carries only.
pub fn verify(bundle: &Bundle) -> Verdict {
    verify_trusting(bundle, None)
}

/// Verifies a bundle without any database or network; with `trust`, every signature must be
/// by a pinned key.
pub fn verify_trusting(bundle: &Bundle, trust: Option<&Trust>) -> Verdict {
    verify_full(bundle, trust, &[])
}

/// Whether the keys that signed the record were revoked before it was logged, by the signing
/// members' status lists (each checked with that member's pinned keys).
fn check_revocation(
    bundle: &Bundle,
    trust: Option<&Trust>,
    statuses: &[StatusList],
) -> Result<String, String> {
    if statuses.is_empty() {
        return Ok("not checked: no key status list given (--status)".into());
    }
    for list in statuses {
        if list.format != STATUS_FORMAT {
            return Err(format!(
                "the status list of {} has an unknown format",
                list.member
            ));
        }
        let t = trust.ok_or(format!(
            "the status list of {} cannot be believed without a pinned key of it (--trust)",
            list.member
        ))?;
        let keys = t.of_member(&list.member);
        let signer = signature::header(&list.signature)
            .map(|h| h.kid)
            .unwrap_or_default();
        if member_of(&signer).map(|m| m.to_string()).as_deref() != Some(list.member.as_str())
            || !signature::verify_json(keys, &list.signed_content(), &list.signature)
        {
            return Err(format!(
                "the status list of {} is not signed by a pinned key of it",
                list.member
            ));
        }
    }
    let e = &bundle.record.entry;
    let at = bundle.record.recorded_at;
    let mut said = Vec::new();
    for detached in [&e.request_signature, &e.response_signature]
        .into_iter()
        .flatten()
    {
        let Ok(kid) = signature::header(detached).map(|h| h.kid) else {
            continue;
        };
        let member = member_of(&kid).map(|m| m.to_string()).unwrap_or_default();
        let Some(list) = statuses.iter().find(|l| l.member == member) else {
            said.push(format!("no status list of {member}: {kid} not checked"));
            continue;
        };
        match list.revoked.iter().find(|r| r.kid == kid) {
            Some(r) if r.revoked_at <= at => {
                return Err(format!(
                    "{kid} was revoked from {} ({}) and the record was logged at {at}",
                    r.revoked_at, r.reason
                ));
            }
            Some(r) => said.push(format!(
                "{kid} was revoked from {} ({}), after the record",
                r.revoked_at, r.reason
            )),
            None => said.push(format!("{kid} not revoked as of {}", list.issued_at)),
        }
    }
    Ok(said.join("; "))
}

/// [`verify_trusting`], and with the signing members' key status lists: a signature by a key
/// revoked before the record was logged fails.
pub fn verify_full(bundle: &Bundle, trust: Option<&Trust>, statuses: &[StatusList]) -> Verdict {
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
            trust,
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
            trust,
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
    push("revocation", check_revocation(bundle, trust, statuses));
    push(
        "side",
        Ok(match e.side {
            Side::Client => "client-side record",
            Side::Provider => "provider-side record",
        }
        .into()),
    );
    let valid = checks.iter().all(|c| c.ok);
    Verdict {
        valid,
        trusted: valid && trust.is_some(),
        checks,
    }
}

//! The provider side's first check of an incoming request, before any data is touched: the
//! required headers, the client identifier, the timestamp against the allowed clock skew, the
//! signing key (it must belong to the client's member) and the signature over the canonical
//! form. Every refusal names its X-Road error type (`Client.*`) for the problem's `type` and the
//! `X-Road-Error` header. (Replay of an `X-Road-Id` needs the message log's store and is checked
//! there.)

use crate::canonical::{Message, TIMESTAMP};
use crate::signature::{self, SignatureError};
use crate::xroad::{ClientId, IdError, headers};

/// The member a key belongs to and the key itself.
pub trait KeyLookup {
    fn key(&self, kid: &str) -> Option<(ClientId, ed25519_dalek::VerifyingKey)>;
}

/// What a request that passed the checks carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub client: ClientId,
    pub id: String,
    pub timestamp: u64,
    pub kid: String,
    /// The request hash the response must carry.
    pub request_hash: String,
}

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the {0} header is required")]
    MissingHeader(&'static str),
    #[error("X-Road-Client is not a client identifier: {0}")]
    InvalidClient(IdError),
    #[error("X-Road-Id must be 1 to 128 visible ASCII characters")]
    InvalidId,
    #[error("X-Egov-Timestamp must be seconds since the epoch")]
    InvalidTimestamp,
    #[error("the request was sent {skew} s from now; at most {max} s of clock skew is allowed")]
    StaleTimestamp { skew: u64, max: u64 },
    #[error("a header value contains a line break")]
    LineBreak,
    #[error("the signature names key {0}, which is not registered")]
    UnknownKey(String),
    #[error("key {kid} does not belong to the client's member {member}")]
    KeyNotOfClient { kid: String, member: String },
    #[error("{0}")]
    Signature(SignatureError),
}

impl Refusal {
    /// The X-Road error type (`Client.*`: the client's request is at fault).
    pub fn xroad_type(&self) -> &'static str {
        match self {
            Refusal::MissingHeader(_) => "Client.MissingHeader",
            Refusal::InvalidClient(_) => "Client.InvalidClientIdentifier",
            Refusal::InvalidId => "Client.InvalidMessageId",
            Refusal::InvalidTimestamp | Refusal::LineBreak => "Client.BadRequest",
            Refusal::StaleTimestamp { .. } => "Client.StaleTimestamp",
            Refusal::UnknownKey(_) | Refusal::KeyNotOfClient { .. } => "Client.UnknownSigningKey",
            Refusal::Signature(_) => "Client.InvalidSignatureValue",
        }
    }

    /// The HTTP status: malformed or stale requests 400, unproven ones 401.
    pub fn status(&self) -> u16 {
        match self {
            Refusal::UnknownKey(_) | Refusal::KeyNotOfClient { .. } | Refusal::Signature(_) => 401,
            _ => 400,
        }
    }
}

/// The last non-empty value of the header `name` (names in any case).
fn header<'a>(message: &Message<'a>, name: &str) -> Option<&'a str> {
    message
        .headers
        .iter()
        .rev()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// Checks `message` (a request) and its detached `signature` at `now` (Unix seconds).
pub fn request(
    message: &Message<'_>,
    signature: Option<&str>,
    keys: &impl KeyLookup,
    now: u64,
    max_skew_secs: u64,
) -> Result<Checked, Refusal> {
    let header = |name: &'static str| header(message, name).ok_or(Refusal::MissingHeader(name));
    let client = ClientId::parse(header(headers::CLIENT)?).map_err(Refusal::InvalidClient)?;
    let id = header(headers::ID)?;
    if id.len() > 128 || !id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Refusal::InvalidId);
    }
    let timestamp: u64 = header(TIMESTAMP)?
        .parse()
        .map_err(|_| Refusal::InvalidTimestamp)?;
    let skew = now.abs_diff(timestamp);
    if skew > max_skew_secs {
        return Err(Refusal::StaleTimestamp {
            skew,
            max: max_skew_secs,
        });
    }
    let detached = signature.ok_or(Refusal::MissingHeader(signature::SIGNATURE_HEADER))?;
    let kid = signature::header(detached).map_err(Refusal::Signature)?.kid;
    let (member, key) = keys
        .key(&kid)
        .ok_or_else(|| Refusal::UnknownKey(kid.clone()))?;
    if member != client.member() {
        return Err(Refusal::KeyNotOfClient {
            kid,
            member: client.member().to_string(),
        });
    }
    let canonical = message.canonical().map_err(|_| Refusal::LineBreak)?;
    signature::verify(&key, &kid, &canonical, detached).map_err(Refusal::Signature)?;
    Ok(Checked {
        client,
        id: id.to_owned(),
        timestamp,
        kid,
        request_hash: message.request_hash().map_err(|_| Refusal::LineBreak)?,
    })
}

/// Checks a request that an X-Road Security Server delivered (X-Road Message Protocol for REST,
/// PR-REST §4.3): the Security Server authenticated the client, verified its signature and
/// logged the message, so only `X-Road-Client` is required; it may name a member or one of its
/// subsystems. `X-Road-Id` is optional (the client's Security Server makes one up when the
/// client sent none; `generated` stands in for it here). The request hash is computed as for a
/// signed request, for the log.
pub fn from_security_server(
    message: &Message<'_>,
    generated: impl FnOnce() -> String,
    now: u64,
) -> Result<Checked, Refusal> {
    let client = ClientId::parse(
        header(message, headers::CLIENT).ok_or(Refusal::MissingHeader(headers::CLIENT))?,
    )
    .map_err(Refusal::InvalidClient)?;
    let id = match header(message, headers::ID) {
        Some(id) if id.len() > 128 || !id.bytes().all(|b| b.is_ascii_graphic()) => {
            return Err(Refusal::InvalidId);
        }
        Some(id) => id.to_owned(),
        None => generated(),
    };
    Ok(Checked {
        client,
        id,
        timestamp: now,
        kid: String::new(),
        request_hash: message.request_hash().map_err(|_| Refusal::LineBreak)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::Kind;

    struct Keys(Vec<(String, ClientId, ed25519_dalek::VerifyingKey)>);

    impl KeyLookup for Keys {
        fn key(&self, kid: &str) -> Option<(ClientId, ed25519_dalek::VerifyingKey)> {
            self.0
                .iter()
                .find(|(k, _, _)| k == kid)
                .map(|(_, m, v)| (m.clone(), *v))
        }
    }

    const NOW: u64 = 1_795_478_400;
    const KID: &str = "KR/GOV/1310000#1";

    fn setup() -> (ed25519_dalek::SigningKey, Keys) {
        let key = ed25519_dalek::SigningKey::from_bytes(&[3u8; 32]);
        let other = ed25519_dalek::SigningKey::from_bytes(&[4u8; 32]);
        let keys = Keys(vec![
            (
                KID.into(),
                ClientId::parse("KR/GOV/1310000").expect("member"),
                key.verifying_key(),
            ),
            (
                "KR/GOV/9999999#1".into(),
                ClientId::parse("KR/GOV/9999999").expect("member"),
                other.verifying_key(),
            ),
        ]);
        (key, keys)
    }

    fn message<'a>(headers: Vec<(&'a str, &'a str)>, body: &'a [u8]) -> Message<'a> {
        Message {
            kind: Kind::Request,
            method: "POST",
            path: "/r1/KR/GOV/1210000/tax/income-certificate.v1",
            headers,
            body,
        }
    }

    fn good_headers(ts: &str) -> Vec<(&str, &str)> {
        vec![
            ("X-Road-Client", "KR/GOV/1310000/petition"),
            ("X-Road-Id", "0193a7a0-0000-7000-8000-000000000001"),
            ("X-Egov-Timestamp", ts),
        ]
    }

    #[test]
    fn a_signed_fresh_request_passes_and_every_defect_is_named() {
        let (key, keys) = setup();
        let ts = NOW.to_string();
        let m = message(good_headers(&ts), b"{}");
        let sig = signature::sign(&key, KID, m.canonical().expect("form"));
        let ok = request(&m, Some(&sig), &keys, NOW + 10, 60).expect("passes");
        assert_eq!(ok.client.to_string(), "KR/GOV/1310000/petition");
        assert_eq!(ok.request_hash, m.request_hash().expect("hash"));

        // Tampered body or header: the signature no longer matches.
        let body = message(good_headers(&ts), b"{\"x\":1}");
        let e = request(&body, Some(&sig), &keys, NOW, 60).expect_err("tampered body");
        assert_eq!(e.xroad_type(), "Client.InvalidSignatureValue");
        assert_eq!(e.status(), 401);
        let mut h = good_headers(&ts);
        h.push(("X-Road-Issue", "added later"));
        let e = request(&message(h, b"{}"), Some(&sig), &keys, NOW, 60).expect_err("header");
        assert_eq!(e.xroad_type(), "Client.InvalidSignatureValue");

        // Stale or future timestamps, beyond the skew.
        let e = request(&m, Some(&sig), &keys, NOW + 61, 60).expect_err("stale");
        assert_eq!(e, Refusal::StaleTimestamp { skew: 61, max: 60 });
        assert_eq!(e.status(), 400);
        assert!(request(&m, Some(&sig), &keys, NOW - 61, 60).is_err());

        // A key of another member, an unknown key, another member's valid signature.
        let other = ed25519_dalek::SigningKey::from_bytes(&[4u8; 32]);
        let foreign = signature::sign(&other, "KR/GOV/9999999#1", m.canonical().expect("f"));
        let e = request(&m, Some(&foreign), &keys, NOW, 60).expect_err("other member");
        assert!(matches!(e, Refusal::KeyNotOfClient { .. }), "{e:?}");
        let unknown = signature::sign(&key, "KR/GOV/1310000#9", m.canonical().expect("f"));
        assert_eq!(
            request(&m, Some(&unknown), &keys, NOW, 60),
            Err(Refusal::UnknownKey("KR/GOV/1310000#9".into()))
        );
        let wrong_key = signature::sign(&other, KID, m.canonical().expect("f"));
        assert_eq!(
            request(&m, Some(&wrong_key), &keys, NOW, 60)
                .expect_err("wrong key")
                .xroad_type(),
            "Client.InvalidSignatureValue"
        );

        // Missing pieces.
        assert_eq!(
            request(&m, None, &keys, NOW, 60),
            Err(Refusal::MissingHeader("x-egov-signature"))
        );
        let no_client = message(good_headers(&ts)[1..].to_vec(), b"{}");
        assert_eq!(
            request(&no_client, Some(&sig), &keys, NOW, 60),
            Err(Refusal::MissingHeader("x-road-client"))
        );
        let mut bad = good_headers(&ts);
        bad[0] = ("X-Road-Client", "KR/GOV");
        assert!(matches!(
            request(&message(bad, b"{}"), Some(&sig), &keys, NOW, 60),
            Err(Refusal::InvalidClient(_))
        ));
    }

    #[test]
    fn a_security_servers_request_needs_only_the_client_and_may_name_a_member() {
        let made_up = || "generated-id".to_owned();
        let m = message(vec![("x-road-client", "KR/GOV/1310000")], b"{}");
        let ok = from_security_server(&m, made_up, NOW).expect("member client, no id");
        assert_eq!(ok.client.to_string(), "KR/GOV/1310000");
        assert!(ok.client.subsystem.is_none());
        assert_eq!(ok.id, "generated-id");
        assert_eq!(ok.request_hash, m.request_hash().expect("hash"));
        let m = message(
            vec![
                ("X-Road-Client", "KR/GOV/1310000/petition"),
                ("X-Road-Id", "fa2e18a5-c2cb-4d09-b994-f57727f7c3fb"),
            ],
            b"{}",
        );
        let ok = from_security_server(&m, made_up, NOW).expect("subsystem client");
        assert_eq!(ok.id, "fa2e18a5-c2cb-4d09-b994-f57727f7c3fb");
        assert_eq!(
            from_security_server(&message(vec![], b""), made_up, NOW),
            Err(Refusal::MissingHeader(headers::CLIENT))
        );
        assert!(matches!(
            from_security_server(
                &message(vec![("X-Road-Client", "KR/GOV")], b""),
                made_up,
                NOW
            ),
            Err(Refusal::InvalidClient(_))
        ));
        assert_eq!(
            from_security_server(
                &message(
                    vec![("X-Road-Client", "KR/GOV/1"), ("X-Road-Id", "a b")],
                    b""
                ),
                made_up,
                NOW
            ),
            Err(Refusal::InvalidId)
        );
    }
}

//! Detached JWS signatures (RFC 7515, appendix F) with Ed25519 over the canonical form: the
//! header travels as `X-Egov-Signature: <base64url header>..<base64url signature>` and the
//! payload is the canonical form (for an event, its exact body bytes), rebuilt by the receiver
//! from what it received. Any JWS library verifies one by putting the base64url payload back
//! between the two dots.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::Signer;
use serde::{Deserialize, Serialize};

/// The header that carries the detached signature.
pub const SIGNATURE_HEADER: &str = "x-egov-signature";

/// The protected JWS header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwsHeader {
    /// Always `EdDSA`.
    pub alg: String,
    /// The signing member's key id.
    pub kid: String,
}

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the signature is not a detached JWS (`header..signature`)")]
    Malformed,
    #[error("the signature algorithm {0} is not accepted; only EdDSA")]
    Algorithm(String),
    #[error("the signature was made with key {0}, which is not the expected key")]
    WrongKey(String),
    #[error("the signature does not match the message")]
    Mismatch,
}

/// Signs the payload `canonical` with `key` as `kid`.
pub fn sign(key: &ed25519_dalek::SigningKey, kid: &str, canonical: impl AsRef<[u8]>) -> String {
    let header = JwsHeader {
        alg: "EdDSA".into(),
        kid: kid.into(),
    };
    // Serializing two strings cannot fail.
    let header = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).unwrap_or_default());
    let input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(canonical.as_ref()));
    let sig = key.sign(input.as_bytes());
    format!("{header}..{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
}

/// The header of a detached signature, before verification (to pick the key by `kid`).
pub fn header(detached: &str) -> Result<JwsHeader, SignatureError> {
    let (h, _) = detached.split_once("..").ok_or(SignatureError::Malformed)?;
    let bytes = URL_SAFE_NO_PAD
        .decode(h)
        .map_err(|_| SignatureError::Malformed)?;
    let header: JwsHeader =
        serde_json::from_slice(&bytes).map_err(|_| SignatureError::Malformed)?;
    if header.alg != "EdDSA" {
        return Err(SignatureError::Algorithm(header.alg));
    }
    Ok(header)
}

/// Verifies a detached signature over the payload `canonical` with the key registered as `kid`.
pub fn verify(
    key: &ed25519_dalek::VerifyingKey,
    kid: &str,
    canonical: impl AsRef<[u8]>,
    detached: &str,
) -> Result<(), SignatureError> {
    let header_fields = header(detached)?;
    if header_fields.kid != kid {
        return Err(SignatureError::WrongKey(header_fields.kid));
    }
    let (h, s) = detached.split_once("..").ok_or(SignatureError::Malformed)?;
    let sig_bytes: [u8; 64] = URL_SAFE_NO_PAD
        .decode(s)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(SignatureError::Malformed)?;
    let input = format!("{h}.{}", URL_SAFE_NO_PAD.encode(canonical.as_ref()));
    key.verify_strict(
        input.as_bytes(),
        &ed25519_dalek::Signature::from_bytes(&sig_bytes),
    )
    .map_err(|_| SignatureError::Mismatch)?;
    Ok(())
}

/// JSON with object keys sorted and no insignificant whitespace: what signatures cover.
pub fn canonical_json(v: &serde_json::Value) -> String {
    fn write(v: &serde_json::Value, out: &mut String) {
        match v {
            serde_json::Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::Value::String((*k).clone()).to_string());
                    out.push(':');
                    write(&m[*k], out);
                }
                out.push('}');
            }
            serde_json::Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(x, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut s = String::new();
    write(v, &mut s);
    s
}

/// Verifies a detached signature over `doc`'s canonical JSON with the key its header names,
/// looked up among `keys` (`kid`, base64url Ed25519 public key): a module's published keys.
pub fn verify_json<'a>(
    keys: impl IntoIterator<Item = (&'a str, &'a str)>,
    doc: &serde_json::Value,
    detached: &str,
) -> bool {
    let Ok(h) = header(detached) else {
        return false;
    };
    let Some(key) = keys
        .into_iter()
        .find(|(kid, _)| *kid == h.kid)
        .and_then(|(_, public)| URL_SAFE_NO_PAD.decode(public).ok())
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .and_then(|b| ed25519_dalek::VerifyingKey::from_bytes(&b).ok())
    else {
        return false;
    };
    verify(&key, &h.kid, canonical_json(doc), detached).is_ok()
}

/// A module's new Ed25519 signing key: the key, its public half (base64url, for a JWK set)
/// and its seed sealed under `context` with the deployment key, for the module's key table.
pub fn new_sealed_key(
    sealer: &egov_auth::secrets::Sealer,
    context: &str,
) -> Result<(ed25519_dalek::SigningKey, String, String), egov_core::Error> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| egov_core::Error::internal(anyhow::anyhow!("{e}")))?;
    let key = ed25519_dalek::SigningKey::from_bytes(&seed);
    let public = URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes());
    Ok((key, public, sealer.seal(context, &seed)))
}

/// Opens a key sealed by [`new_sealed_key`].
pub fn open_sealed_key(
    sealer: &egov_auth::secrets::Sealer,
    context: &str,
    sealed: &str,
) -> Result<ed25519_dalek::SigningKey, egov_core::Error> {
    let seed = sealer.open(context, sealed).map_err(|e| {
        egov_core::Error::internal(anyhow::anyhow!("the {context} cannot be opened: {e}"))
    })?;
    let seed: [u8; 32] = seed.try_into().map_err(|_| {
        egov_core::Error::internal(anyhow::anyhow!("the {context} has the wrong length"))
    })?;
    Ok(ed25519_dalek::SigningKey::from_bytes(&seed))
}

/// A module's signing key and its id: opened from the newest stored row (`latest`: kid and
/// sealed private key), or made now (`kid` = `{kid_prefix}#{uuid}`) and handed to `store`
/// (kid, public key, sealed private key) to be kept in the module's own table.
pub fn module_key(
    sealer: &egov_auth::secrets::Sealer,
    context: &str,
    kid_prefix: &str,
    latest: Option<(String, String)>,
    store: impl FnOnce(&str, String, String) -> Result<(), egov_core::Error>,
) -> Result<(ed25519_dalek::SigningKey, String), egov_core::Error> {
    match latest {
        Some((kid, sealed)) => Ok((open_sealed_key(sealer, context, &sealed)?, kid)),
        None => {
            let (key, public_key, private_sealed) = new_sealed_key(sealer, context)?;
            let kid = format!("{kid_prefix}#{}", uuid::Uuid::now_v7().simple());
            store(&kid, public_key, private_sealed)?;
            Ok((key, kid))
        }
    }
}

/// A module's signing keys, each opened (or made) on first use and kept for the life of the
/// process: the one cache every module signs with. Most modules have one key; a module that
/// signs for several parties (the petition module signs for each agency) keeps one per party.
#[derive(Default)]
pub struct KeyCache(
    std::sync::Mutex<std::collections::HashMap<String, (ed25519_dalek::SigningKey, String)>>,
);

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyCache").finish_non_exhaustive()
    }
}

impl KeyCache {
    /// The module's key: cached, or [`module_key`] over the module's own key table (`latest`
    /// reads the newest row's kid and sealed key; `store` keeps a new one).
    pub fn get(
        &self,
        c: &mut egov_core::DbConnection,
        sealer: &egov_auth::secrets::Sealer,
        names: (&str, &str),
        latest: impl FnOnce(
            &mut egov_core::DbConnection,
        ) -> Result<Option<(String, String)>, egov_core::Error>,
        store: impl FnOnce(
            &mut egov_core::DbConnection,
            &str,
            String,
            String,
        ) -> Result<(), egov_core::Error>,
    ) -> Result<(ed25519_dalek::SigningKey, String), egov_core::Error> {
        self.get_for("", c, sealer, names, latest, store)
    }

    /// The key of one party (`party`, e.g. an agency code) of a module that signs for several.
    pub fn get_for(
        &self,
        party: &str,
        c: &mut egov_core::DbConnection,
        sealer: &egov_auth::secrets::Sealer,
        (context, kid_prefix): (&str, &str),
        latest: impl FnOnce(
            &mut egov_core::DbConnection,
        ) -> Result<Option<(String, String)>, egov_core::Error>,
        store: impl FnOnce(
            &mut egov_core::DbConnection,
            &str,
            String,
            String,
        ) -> Result<(), egov_core::Error>,
    ) -> Result<(ed25519_dalek::SigningKey, String), egov_core::Error> {
        if let Some(k) = self.0.lock().ok().and_then(|m| m.get(party).cloned()) {
            return Ok(k);
        }
        let newest = latest(c)?;
        let k = module_key(
            sealer,
            context,
            kid_prefix,
            newest,
            |kid, public_key, sealed| store(c, kid, public_key, sealed),
        )?;
        if let Ok(mut m) = self.0.lock() {
            m.insert(party.to_owned(), k.clone());
        }
        Ok(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_bind_the_form_the_key_and_the_algorithm() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
        let public = key.verifying_key();
        let sig = sign(&key, "KR/GOV/1310000#1", "form");
        assert_eq!(verify(&public, "KR/GOV/1310000#1", "form", &sig), Ok(()));
        assert_eq!(
            verify(&public, "KR/GOV/1310000#1", "form!", &sig),
            Err(SignatureError::Mismatch)
        );
        assert!(matches!(
            verify(&public, "KR/GOV/1310000#2", "form", &sig),
            Err(SignatureError::WrongKey(_))
        ));
        let other = ed25519_dalek::SigningKey::from_bytes(&[8u8; 32]);
        let forged = sign(&other, "KR/GOV/1310000#1", "form");
        assert_eq!(
            verify(&public, "KR/GOV/1310000#1", "form", &forged),
            Err(SignatureError::Mismatch)
        );
        let none = format!(
            "{}..",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"KR/GOV/1310000#1"}"#)
        );
        assert!(matches!(
            verify(&public, "KR/GOV/1310000#1", "form", &none),
            Err(SignatureError::Algorithm(_))
        ));
        assert_eq!(
            verify(&public, "k", "form", "garbage"),
            Err(SignatureError::Malformed)
        );
    }
}

//! The bidder's sealed envelope (pure crypto, no storage): a bid is encrypted on the bidder's
//! machine to the tender's opening key and signed there, so the server only ever holds
//! ciphertext.
//!
//! - **Encryption**: HPKE (RFC 9180), base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
//!   AES-256-GCM — every part is in the browser's Web Crypto API. `info` is [`INFO`]; the
//!   associated data is the bid's [`context`] (tender, lot, supplier), so an envelope moved to
//!   another tender, lot or supplier does not open. The envelope is `enc ‖ ciphertext`
//!   (32 bytes of encapsulated key, then the ciphertext with its 16-byte tag).
//! - **Signature**: Ed25519 by a key the supplier registered, over [`signed_message`]: the
//!   context and the SHA-256 (hex) of the envelope. The server checks it on receipt and again
//!   at the opening, so a bid changed after it was sealed is rejected.
//! - **Contents**: JSON [`Contents`].

use crate::domain::seal::{b64, unb64};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use egov_core::digest::sha256_hex;
use hpke::aead::AesGcm256;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem as _, OpModeR, OpModeS, Serializable};
use serde::{Deserialize, Serialize};

/// HPKE `info` for bids.
pub const INFO: &[u8] = b"egov procurement bid v1";
/// Length of the encapsulated key at the start of an envelope.
pub const ENC_LEN: usize = 32;
/// The AEAD tag's length.
pub const TAG_LEN: usize = 16;

/// A document sealed with the bid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub title: String,
    pub media_type: String,
    /// base64
    pub content: String,
}

/// What an envelope holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contents {
    pub tender: String,
    pub lot: String,
    pub supplier: String,
    /// A decimal string in the pack's currency.
    pub price: String,
    #[serde(default)]
    pub reserve_picks: Vec<u8>,
    #[serde(default)]
    pub documents: Vec<Document>,
    /// Random, so two equal bids do not seal alike.
    pub nonce: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EnvelopeError {
    #[error("not a valid X25519 public key (32 bytes, base64)")]
    BadTenderKey,
    #[error("not a valid Ed25519 public key (32 bytes, base64)")]
    BadBidderKey,
    #[error("not a valid Ed25519 signature (64 bytes, base64)")]
    BadSignature,
    #[error("the signature does not verify with the bidder's key")]
    SignatureMismatch,
    #[error("the envelope is too short to be a sealed bid")]
    TooShort,
    #[error("the envelope does not open with the tender's key for this tender, lot and supplier")]
    Open,
    #[error("encryption failed")]
    Encrypt,
}

/// What binds an envelope to its place: tender, lot and supplier, one per line.
pub fn context(tender: &str, lot: &str, supplier: &str) -> String {
    format!("egov-bid-v1\n{tender}\n{lot}\n{supplier}")
}

/// The bytes the bidder signs: the context, then the envelope's SHA-256 in hex.
pub fn signed_message(tender: &str, lot: &str, supplier: &str, digest_hex: &str) -> Vec<u8> {
    format!("{}\n{digest_hex}", context(tender, lot, supplier)).into_bytes()
}

fn tender_key(b64key: &str) -> Result<<X25519HkdfSha256 as hpke::Kem>::PublicKey, EnvelopeError> {
    let bytes = unb64(b64key).ok_or(EnvelopeError::BadTenderKey)?;
    <X25519HkdfSha256 as hpke::Kem>::PublicKey::from_bytes(&bytes)
        .map_err(|_| EnvelopeError::BadTenderKey)
}

/// Seals `contents` to the tender's opening key (base64 X25519): the bidder's side.
pub fn seal(tender_key_b64: &str, contents: &Contents) -> Result<Vec<u8>, EnvelopeError> {
    let pk = tender_key(tender_key_b64)?;
    let plain = serde_json::to_vec(contents).map_err(|_| EnvelopeError::Encrypt)?;
    let aad = context(&contents.tender, &contents.lot, &contents.supplier);
    let mut rng = rand_core::UnwrapErr(rand_core::OsRng);
    let (enc, ct) = hpke::single_shot_seal::<AesGcm256, HkdfSha256, X25519HkdfSha256, _>(
        &OpModeS::Base,
        &pk,
        INFO,
        &plain,
        aad.as_bytes(),
        &mut rng,
    )
    .map_err(|_| EnvelopeError::Encrypt)?;
    let mut out = enc.to_bytes().to_vec();
    out.extend_from_slice(&ct);
    Ok(out)
}

/// Opens an envelope with the tender's recovered secret key (32 bytes): the opening's side.
pub fn open(
    secret: &[u8; 32],
    envelope: &[u8],
    tender: &str,
    lot: &str,
    supplier: &str,
) -> Result<Vec<u8>, EnvelopeError> {
    if envelope.len() < ENC_LEN + TAG_LEN {
        return Err(EnvelopeError::TooShort);
    }
    let (enc, ct) = envelope.split_at(ENC_LEN);
    let sk = <X25519HkdfSha256 as hpke::Kem>::PrivateKey::from_bytes(secret)
        .map_err(|_| EnvelopeError::Open)?;
    let enc = <X25519HkdfSha256 as hpke::Kem>::EncappedKey::from_bytes(enc)
        .map_err(|_| EnvelopeError::Open)?;
    hpke::single_shot_open::<AesGcm256, HkdfSha256, X25519HkdfSha256>(
        &OpModeR::Base,
        &sk,
        &enc,
        INFO,
        ct,
        context(tender, lot, supplier).as_bytes(),
    )
    .map_err(|_| EnvelopeError::Open)
}

/// Parses a bidder's registered key (base64, 32 bytes, a valid Ed25519 point).
pub fn bidder_key(b64key: &str) -> Result<VerifyingKey, EnvelopeError> {
    let b: [u8; 32] = unb64(b64key)
        .and_then(|v| v.try_into().ok())
        .ok_or(EnvelopeError::BadBidderKey)?;
    let key = VerifyingKey::from_bytes(&b).map_err(|_| EnvelopeError::BadBidderKey)?;
    if key.is_weak() {
        return Err(EnvelopeError::BadBidderKey);
    }
    Ok(key)
}

/// Checks the bidder's signature (base64) over the envelope in its place.
pub fn verify(
    key_b64: &str,
    signature_b64: &str,
    tender: &str,
    lot: &str,
    supplier: &str,
    envelope: &[u8],
) -> Result<(), EnvelopeError> {
    let key = bidder_key(key_b64)?;
    let sig: [u8; 64] = unb64(signature_b64)
        .and_then(|v| v.try_into().ok())
        .ok_or(EnvelopeError::BadSignature)?;
    let message = signed_message(tender, lot, supplier, &sha256_hex(envelope));
    key.verify_strict(&message, &Signature::from_bytes(&sig))
        .map_err(|_| EnvelopeError::SignatureMismatch)
}

/// Signs an envelope in its place (the bidder's side); returns the base64 signature.
pub fn sign(key: &SigningKey, tender: &str, lot: &str, supplier: &str, envelope: &[u8]) -> String {
    let message = signed_message(tender, lot, supplier, &sha256_hex(envelope));
    b64(&key.sign(&message).to_bytes())
}

/// A bid ready to submit (`POST /procurement/v1/tenders/{id}/bids`, with an optional
/// `consent`): the bidder's side, as `egov procurement seal-bid` writes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SealedBid {
    pub lot: String,
    /// The envelope, base64.
    pub sealed: String,
    pub key_id: String,
    /// base64
    pub signature: String,
}

/// Seals `contents` to the tender's key and signs the envelope with the bidder's key.
pub fn seal_and_sign(
    tender_key_b64: &str,
    contents: &Contents,
    key: &SigningKey,
    key_id: &str,
) -> Result<SealedBid, EnvelopeError> {
    let env = seal(tender_key_b64, contents)?;
    Ok(SealedBid {
        lot: contents.lot.clone(),
        signature: sign(
            key,
            &contents.tender,
            &contents.lot,
            &contents.supplier,
            &env,
        ),
        sealed: b64(&env),
        key_id: key_id.to_owned(),
    })
}

/// A random nonce for [`Contents::nonce`].
pub fn nonce() -> String {
    let mut n = [0u8; 16];
    getrandom::fill(&mut n).unwrap_or_else(|_| unreachable!("the OS has no random source"));
    hex::encode(n)
}

/// A new bidder signing key (the bidder's side): (secret, base64 public key).
pub fn bidder_keypair() -> (SigningKey, String) {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).unwrap_or_else(|_| unreachable!("the OS has no random source"));
    let key = SigningKey::from_bytes(&seed);
    let public = b64(key.verifying_key().as_bytes());
    (key, public)
}

/// A recipient's X25519 public key (base64) from its secret: for tests and tools.
pub fn tender_public(secret: &[u8; 32]) -> Option<String> {
    let sk = <X25519HkdfSha256 as hpke::Kem>::PrivateKey::from_bytes(secret).ok()?;
    Some(b64(&X25519HkdfSha256::sk_to_pk(&sk).to_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contents() -> Contents {
        Contents {
            tender: "t1".into(),
            lot: "lot-1".into(),
            supplier: "1234567890".into(),
            price: "98500000".into(),
            reserve_picks: vec![3, 11],
            documents: vec![Document {
                title: "Plan".into(),
                media_type: "application/pdf".into(),
                content: b64(b"%PDF-1.7"),
            }],
            nonce: "n".into(),
        }
    }

    fn tender() -> ([u8; 32], String) {
        let secret = [7u8; 32];
        let public = tender_public(&secret).expect("public");
        (secret, public)
    }

    #[test]
    fn a_sealed_bid_opens_only_in_its_place() {
        let (secret, public) = tender();
        let c = contents();
        let env = seal(&public, &c).expect("seal");
        let plain = open(&secret, &env, "t1", "lot-1", "1234567890").expect("open");
        assert_eq!(serde_json::from_slice::<Contents>(&plain).expect("json"), c);
        // The price is not in the envelope in clear.
        assert!(!env.windows(8).any(|w| w == b"98500000"));
        for (t, l, s) in [
            ("t2", "lot-1", "1234567890"),
            ("t1", "lot-2", "1234567890"),
            ("t1", "lot-1", "0987654321"),
        ] {
            assert_eq!(open(&secret, &env, t, l, s), Err(EnvelopeError::Open));
        }
        assert_eq!(
            open(&[8u8; 32], &env, "t1", "lot-1", "1234567890"),
            Err(EnvelopeError::Open)
        );
        assert_eq!(
            open(&secret, &env[..40], "t1", "lot-1", "1234567890"),
            Err(EnvelopeError::TooShort)
        );
        // Two seals of the same bid differ.
        assert_ne!(seal(&public, &c).expect("seal"), env);
    }

    #[test]
    fn a_changed_byte_is_caught_by_the_signature_and_by_the_tag() {
        let (secret, public) = tender();
        let (key, key_b64) = bidder_keypair();
        let env = seal(&public, &contents()).expect("seal");
        let sig = sign(&key, "t1", "lot-1", "1234567890", &env);
        assert_eq!(
            verify(&key_b64, &sig, "t1", "lot-1", "1234567890", &env),
            Ok(())
        );
        let mut bad = env.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert_eq!(
            verify(&key_b64, &sig, "t1", "lot-1", "1234567890", &bad),
            Err(EnvelopeError::SignatureMismatch)
        );
        assert_eq!(
            open(&secret, &bad, "t1", "lot-1", "1234567890"),
            Err(EnvelopeError::Open)
        );
        // Signed for another lot: refused.
        assert_eq!(
            verify(&key_b64, &sig, "t1", "lot-2", "1234567890", &env),
            Err(EnvelopeError::SignatureMismatch)
        );
        // Another bidder's key: refused.
        let (_, other) = bidder_keypair();
        assert_eq!(
            verify(&other, &sig, "t1", "lot-1", "1234567890", &env),
            Err(EnvelopeError::SignatureMismatch)
        );
    }

    #[test]
    fn malformed_keys_and_signatures_are_named() {
        assert_eq!(seal("AAAA", &contents()), Err(EnvelopeError::BadTenderKey));
        assert_eq!(
            bidder_key("not base64!").err(),
            Some(EnvelopeError::BadBidderKey)
        );
        // The identity point is a weak key.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert_eq!(
            bidder_key(&b64(&identity)).err(),
            Some(EnvelopeError::BadBidderKey)
        );
        let (_, k) = bidder_keypair();
        assert_eq!(
            verify(&k, "AAAA", "t", "l", "s", b"x"),
            Err(EnvelopeError::BadSignature)
        );
    }

    #[test]
    fn the_signed_message_is_the_documented_text() {
        assert_eq!(
            signed_message("t", "l", "s", "ab"),
            b"egov-bid-v1\nt\nl\ns\nab".to_vec()
        );
    }

    /// A bid sealed and signed by the Python example client (another implementation, from
    /// the documented format): it verifies and opens here.
    #[test]
    fn a_bid_sealed_by_the_python_client_opens() {
        let v: serde_json::Value =
            serde_json::from_str(include_str!("../../../../docs/procurement/bid-vector.json"))
                .expect("vector");
        let s = |k: &str| v[k].as_str().expect(k).to_owned();
        let body: SealedBid = serde_json::from_value(v["body"].clone()).expect("body");
        let env = unb64(&body.sealed).expect("b64");
        let (t, sup) = (s("tender_id"), s("supplier"));
        verify(
            &s("signer_public_key"),
            &body.signature,
            &t,
            &body.lot,
            &sup,
            &env,
        )
        .expect("signature");
        let secret: [u8; 32] = unb64(&s("tender_secret"))
            .and_then(|b| b.try_into().ok())
            .expect("secret");
        let plain = open(&secret, &env, &t, &body.lot, &sup).expect("opens");
        let c: Contents = serde_json::from_slice(&plain).expect("json");
        assert_eq!((c.price, c.reserve_picks), (s("price"), vec![3, 11]));
        assert_eq!(c.documents[0].media_type, "application/pdf");
        // The same envelope for another supplier neither verifies nor opens.
        assert!(
            verify(
                &s("signer_public_key"),
                &body.signature,
                &t,
                &body.lot,
                "x",
                &env
            )
            .is_err()
        );
        assert!(open(&secret, &env, &t, &body.lot, "x").is_err());
    }
}

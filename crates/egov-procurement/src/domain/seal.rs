//! Sealed bids (pure crypto, no storage).
//!
//! At publication the tender gets an opening key pair (X25519). Its private key is split
//! k-of-n (Shamir over GF(256)) and each share is sealed to one committee member's public key,
//! registered in advance; the private key itself is dropped and never stored. Bids, and the
//! lottery seed, are sealed to the tender's public key (libsodium sealed boxes: an ephemeral
//! X25519 key with XSalsa20-Poly1305), so the database holds only ciphertext that nobody —
//! administrators included — can open before k members hand in their shares after the
//! deadline. Sealed boxes are the libsodium format, so a client may also seal its own bid.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use blahaj::{Share, Sharks};
use crypto_box::aead::OsRng;
use crypto_box::{PublicKey, SecretKey};
use egov_core::digest::sha256_hex;

/// A member's share of a tender's opening key, sealed to the member.
#[derive(Debug, Clone)]
pub struct SealedShare {
    pub member: String,
    pub sealed: String,
    /// SHA-256 of the share, to recognise it when it is handed in.
    pub digest: String,
}

/// What publication stores: the public key, the sealed shares, and the lottery seed's
/// commitment and sealed seed.
#[derive(Debug, Clone)]
pub struct TenderKeys {
    pub public_key: String,
    pub shares: Vec<SealedShare>,
    pub seed_commitment: String,
    pub seed_sealed: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("not a valid X25519 public key (32 bytes, base64)")]
    BadPublicKey,
    #[error("encryption failed")]
    Encrypt,
    #[error("the shares do not open this tender's key")]
    WrongShares,
    #[error("the sealed box does not open with this key")]
    Open,
}

pub fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

pub fn unb64(s: &str) -> Option<Vec<u8>> {
    STANDARD.decode(s).ok()
}

pub fn public_key(b64key: &str) -> Result<PublicKey, SealError> {
    let b: [u8; 32] = unb64(b64key)
        .and_then(|v| v.try_into().ok())
        .ok_or(SealError::BadPublicKey)?;
    Ok(PublicKey::from_bytes(b))
}

/// Seals `plaintext` to `key` (a libsodium sealed box).
pub fn seal(key: &PublicKey, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
    key.seal(&mut OsRng, plaintext)
        .map_err(|_| SealError::Encrypt)
}

/// Generates a tender's keys for `members` (account, base64 public key), `k` of them needed.
pub fn generate(k: u8, members: &[(String, String)]) -> Result<TenderKeys, SealError> {
    let secret = SecretKey::generate(&mut OsRng);
    let public = secret.public_key();
    let dealer = Sharks(k).dealer(&secret.to_bytes());
    let mut shares = Vec::with_capacity(members.len());
    for ((member, key), share) in members.iter().zip(dealer) {
        let bytes = Vec::from(&share);
        let sealed = seal(&public_key(key)?, &bytes)?;
        shares.push(SealedShare {
            member: member.clone(),
            sealed: b64(&sealed),
            digest: sha256_hex(&bytes),
        });
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|_| SealError::Encrypt)?;
    Ok(TenderKeys {
        public_key: b64(public.as_bytes()),
        shares,
        seed_commitment: crate::domain::lottery::commitment(&seed),
        seed_sealed: b64(&seal(&public, &seed)?),
    })
}

/// Recombines `k` shares into the tender's secret key, checked against its public key.
pub fn recover(k: u8, shares: &[Vec<u8>], public: &str) -> Result<SecretKey, SealError> {
    let parsed: Vec<Share> = shares
        .iter()
        .filter_map(|s| Share::try_from(s.as_slice()).ok())
        .collect();
    let bytes = Sharks(k)
        .recover(parsed.iter())
        .map_err(|_| SealError::WrongShares)?;
    let b: [u8; 32] = bytes.try_into().map_err(|_| SealError::WrongShares)?;
    let secret = SecretKey::from_bytes(b);
    if b64(secret.public_key().as_bytes()) != public {
        return Err(SealError::WrongShares);
    }
    Ok(secret)
}

/// Opens a sealed box.
pub fn open(key: &SecretKey, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
    key.unseal(sealed).map_err(|_| SealError::Open)
}

/// A committee member's key pair (for members' tools and tests): (secret, base64 public).
pub fn member_keypair() -> (SecretKey, String) {
    let s = SecretKey::generate(&mut OsRng);
    let p = b64(s.public_key().as_bytes());
    (s, p)
}

/// A committee member's secret key as kept in the member's key file (base64, 32 bytes).
pub fn member_secret_b64(key: &SecretKey) -> String {
    b64(&key.to_bytes())
}

/// A committee member's secret key from its key file's base64.
pub fn member_secret(b64key: &str) -> Result<SecretKey, SealError> {
    let bytes: [u8; 32] = unb64(b64key)
        .and_then(|v| v.try_into().ok())
        .ok_or(SealError::Open)?;
    Ok(SecretKey::from_bytes(bytes))
}

/// A member opens their sealed share (client side); returns the share in base64.
pub fn open_share(member: &SecretKey, sealed_b64: &str) -> Result<String, SealError> {
    let sealed = unb64(sealed_b64).ok_or(SealError::Open)?;
    Ok(b64(&open(member, &sealed)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_of_n_opens_and_fewer_do_not() {
        let members: Vec<(SecretKey, String)> = (0..3).map(|_| member_keypair()).collect();
        let named: Vec<(String, String)> = members
            .iter()
            .enumerate()
            .map(|(i, (_, p))| (format!("m{i}"), p.clone()))
            .collect();
        let keys = generate(2, &named).expect("keys");
        let pk = public_key(&keys.public_key).expect("pk");
        let bid = seal(&pk, b"price=100").expect("seal");
        let shares: Vec<Vec<u8>> = keys
            .shares
            .iter()
            .zip(&members)
            .map(|(s, (sk, _))| {
                unb64(&open_share(sk, &s.sealed).expect("open share")).expect("b64")
            })
            .collect();
        for (s, sealed) in shares.iter().zip(&keys.shares) {
            assert_eq!(sha256_hex(s), sealed.digest);
        }
        let sk = recover(2, &shares[1..], &keys.public_key).expect("2 of 3");
        assert_eq!(open(&sk, &bid).expect("open"), b"price=100");
        assert_eq!(
            recover(2, &shares[..1], &keys.public_key).err(),
            Some(SealError::WrongShares)
        );
        // A member cannot open another member's share.
        assert!(open_share(&members[0].0, &keys.shares[1].sealed).is_err());
    }
}

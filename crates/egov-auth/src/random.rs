//! Random values and small keyed digests shared by the auth code.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Fills `buf` from the operating system's CSPRNG.
pub fn fill(buf: &mut [u8]) {
    // The OS generator failing means the machine cannot do cryptography at all.
    getrandom::fill(buf).unwrap_or_else(|e| panic!("operating system random source failed: {e}"));
}

/// A 256-bit random token, URL-safe base64 (43 characters).
pub fn token() -> String {
    let mut b = [0u8; 32];
    fill(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// SHA-256 of a token, hex: what the database stores instead of a bearer secret.
pub fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// HMAC-SHA256 of `parts` (length-prefixed) under `key`.
pub fn mac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    for p in parts {
        m.update(&(p.len() as u64).to_be_bytes());
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

/// A sub-key of `key` for one `label`.
pub fn derive(key: &[u8], label: &[u8]) -> [u8; 32] {
    mac(key, &[label])
}

/// Constant-time equality of two byte strings.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

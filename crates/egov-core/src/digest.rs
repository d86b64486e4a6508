//! Content digests: one function for the SHA-256 hex digest that attachments, bodies and
//! records are addressed and signed by.

use sha2::{Digest, Sha256};

/// The lowercase hex SHA-256 digest of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether two secrets are equal, in time that does not depend on where they differ (their
/// SHA-256 digests are compared in full).
pub fn same(a: &[u8], b: &[u8]) -> bool {
    let (a, b) = (Sha256::digest(a), Sha256::digest(b));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn same_compares_whole_values() {
        assert!(super::same(b"token", b"token"));
        assert!(!super::same(b"token", b"tokeN"));
        assert!(!super::same(b"token", b"token2"));
        assert!(!super::same(b"", b"x"));
    }

    #[test]
    fn known_digest() {
        assert_eq!(
            super::sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}

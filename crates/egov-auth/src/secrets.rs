//! The deployment's two secrets and what they protect.
//!
//! - The blind-index key turns national IDs and data subjects into keyed HMACs: searchable for
//!   equality, not reversible without the key.
//! - The encryption key seals personal data and key material at rest (national IDs, TOTP
//!   secrets, token-signing keys) with XChaCha20-Poly1305. Each sealed value carries a random
//!   nonce and is bound to its purpose and row through associated data, so a sealed value
//!   copied into another row or column does not open.
//!
//! Production passes both through `EGOV__AUTH__BLIND_INDEX_KEY` and `EGOV__AUTH__ENCRYPTION_KEY`.
//! A development or pilot installation may let the first start generate them into
//! `auth.secrets_file` (mode 0600): there are never built-in default secrets.

use std::path::Path;

use anyhow::{Context, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use egov_core::settings::{AuthSettings, Secret};
use serde::{Deserialize, Serialize};

use crate::access_log::SubjectIndex;

const SEAL_VERSION: &str = "v1";

/// Seals and opens small secrets at rest.
#[derive(Clone)]
pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer { key: *** }")
    }
}

/// A sealed value did not open: wrong key, wrong context, or tampered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("sealed value does not open (wrong key, wrong context or tampered)")]
pub struct SealError;

impl Sealer {
    pub fn new(key: &[u8; 32]) -> Self {
        Self {
            cipher: XChaCha20Poly1305::new(key.into()),
        }
    }

    /// Seals `plain` for `context` (for example `national-id:<account id>`). The result is
    /// text: `v1.<base64 nonce>.<base64 ciphertext>`.
    pub fn seal(&self, context: &str, plain: &[u8]) -> String {
        let mut nonce = [0u8; 24];
        crate::random::fill(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: context.as_bytes(),
                },
            )
            // Encryption only fails for messages beyond the cipher's limit (~256 GiB).
            .unwrap_or_else(|_| unreachable!("small message"));
        format!(
            "{SEAL_VERSION}.{}.{}",
            STANDARD_NO_PAD.encode(nonce),
            STANDARD_NO_PAD.encode(sealed)
        )
    }

    pub fn open(&self, context: &str, sealed: &str) -> Result<Vec<u8>, SealError> {
        let mut parts = sealed.split('.');
        let (Some(SEAL_VERSION), Some(nonce), Some(body), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(SealError);
        };
        let nonce = STANDARD_NO_PAD.decode(nonce).map_err(|_| SealError)?;
        let body = STANDARD_NO_PAD.decode(body).map_err(|_| SealError)?;
        if nonce.len() != 24 {
            return Err(SealError);
        }
        self.cipher
            .decrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &body,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| SealError)
    }
}

/// The deployment secrets, loaded once at start.
#[derive(Debug, Clone)]
pub struct Secrets {
    pub index: SubjectIndex,
    pub sealer: Sealer,
    /// Derived from the encryption key: MACs CSRF tokens and device cookies.
    pub mac_key: [u8; 32],
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretsFile {
    blind_index_key: String,
    encryption_key: String,
}

impl Secrets {
    /// Secrets from explicit 32-byte keys (tests, tools).
    pub fn from_keys(index_key: &[u8; 32], encryption_key: &[u8; 32]) -> Self {
        let mac_key = crate::random::derive(encryption_key, b"egov-auth mac key");
        Self {
            index: SubjectIndex::new(index_key)
                .unwrap_or_else(|_| unreachable!("32 bytes is long enough")),
            sealer: Sealer::new(encryption_key),
            mac_key,
        }
    }

    /// A key for one purpose of another part of the deployment (the web layer's session
    /// sealing, its client secret), derived from the encryption key: every process of the
    /// deployment computes the same one, and none of them can compute the others' keys from it.
    pub fn derive(&self, label: &[u8]) -> [u8; 32] {
        crate::random::derive(&self.mac_key, label)
    }

    /// Fresh random secrets.
    pub fn generate() -> Self {
        let mut a = [0u8; 32];
        let mut b = [0u8; 32];
        crate::random::fill(&mut a);
        crate::random::fill(&mut b);
        Self::from_keys(&a, &b)
    }

    /// The configured secrets: from settings (the environment) when both are set, else from
    /// `secrets_file`, generating that file when allowed and absent.
    pub fn load(settings: &AuthSettings) -> anyhow::Result<Self> {
        match (&settings.blind_index_key, &settings.encryption_key) {
            (Some(i), Some(e)) => {
                return Ok(Self::from_keys(
                    &parse_key("auth.blind_index_key", i)?,
                    &parse_key("auth.encryption_key", e)?,
                ));
            }
            (None, None) => {}
            _ => bail!("set both auth.blind_index_key and auth.encryption_key, or neither"),
        }
        let path = &settings.secrets_file;
        if !path.exists() {
            if !settings.generate_secrets {
                bail!(
                    "no auth secrets: set EGOV__AUTH__BLIND_INDEX_KEY and \
                     EGOV__AUTH__ENCRYPTION_KEY (64 hex digits each, e.g. `openssl rand -hex 32`)"
                );
            }
            write_new(path)?;
            tracing::warn!(path = %path.display(), "generated new auth secrets; back this file up: without it encrypted data cannot be read");
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let file: SecretsFile =
            toml::from_str(&text).with_context(|| format!("invalid {}", path.display()))?;
        Ok(Self::from_keys(
            &parse_key(
                "blind_index_key",
                &Secret::new(file.blind_index_key.clone()),
            )?,
            &parse_key("encryption_key", &Secret::new(file.encryption_key.clone()))?,
        ))
    }
}

fn parse_key(name: &str, value: &Secret) -> anyhow::Result<[u8; 32]> {
    let bytes = hex::decode(value.expose().trim())
        .ok()
        .filter(|b| b.len() == 32)
        .with_context(|| format!("{name} must be 64 hex digits (32 random bytes)"))?;
    let mut key = [0u8; 32];
    key.copy_from_slice(&bytes);
    if key.iter().all(|b| *b == key[0]) {
        bail!("{name} is not random");
    }
    Ok(key)
}

fn write_new(path: &Path) -> anyhow::Result<()> {
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut a = [0u8; 32];
    let mut b = [0u8; 32];
    crate::random::fill(&mut a);
    crate::random::fill(&mut b);
    let text = format!(
        "# egov auth secrets, generated at first start. Keep this file private and backed up:\n\
         # without it national IDs, TOTP secrets and signing keys cannot be decrypted.\n{}",
        toml::to_string(&SecretsFile {
            blind_index_key: hex::encode(a),
            encryption_key: hex::encode(b),
        })?
    );
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    use std::io::Write;
    let mut f = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_in_their_context() {
        let s = Secrets::generate();
        let sealed = s.sealer.seal("national-id:a", b"9001011234567");
        assert!(!sealed.contains("9001011234567"));
        assert_eq!(
            s.sealer.open("national-id:a", &sealed).as_deref(),
            Ok(&b"9001011234567"[..])
        );
        assert_eq!(s.sealer.open("national-id:b", &sealed), Err(SealError));
        let other = Secrets::generate();
        assert_eq!(other.sealer.open("national-id:a", &sealed), Err(SealError));
        // Flip one character in the middle of the ciphertext.
        let mid = sealed.len() - 10;
        let flipped = if &sealed[mid..=mid] == "A" { "B" } else { "A" };
        let tampered = format!("{}{flipped}{}", &sealed[..mid], &sealed[mid + 1..]);
        assert!(s.sealer.open("national-id:a", &tampered).is_err());
        // Two seals of the same value differ (random nonce).
        assert_ne!(sealed, s.sealer.seal("national-id:a", b"9001011234567"));
    }

    #[test]
    fn keys_must_be_random_32_bytes() {
        assert!(parse_key("k", &Secret::new("00".repeat(32))).is_err());
        assert!(parse_key("k", &Secret::new("ab".repeat(16))).is_err());
        assert!(parse_key("k", &Secret::new("zz".repeat(32))).is_err());
        assert!(parse_key("k", &Secret::new(hex::encode([7u8, 1].repeat(16)))).is_ok());
    }
}

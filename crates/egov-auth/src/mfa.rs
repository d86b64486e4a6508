//! The second factor: TOTP (RFC 6238) and single-use recovery codes.
//!
//! A code is accepted within one step either side of the current one (clock drift), and never
//! twice: the caller stores the step a code matched and passes it back as `last_used_step`, so
//! a code read over someone's shoulder cannot be replayed inside its 30 seconds. Recovery codes
//! are random, shown once, and stored only as SHA-256 hashes (they carry enough entropy that a
//! slow hash adds nothing; guessing is bounded by lockout).

use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// Seconds per TOTP step (RFC 6238's recommendation, and every authenticator app's default).
pub const STEP_SECONDS: u64 = 30;
/// Steps accepted either side of the current one.
pub const SKEW_STEPS: u16 = 1;
/// Digits per code.
pub const DIGITS: u8 = 6;
/// Recovery codes issued at enrolment.
pub const RECOVERY_CODES: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MfaError {
    #[error("the code is not valid")]
    Invalid,
    #[error("the code was already used; wait for the next one")]
    Replayed,
    #[error("cannot set up the authenticator: {0}")]
    Setup(String),
}

/// What the person sees once when enrolling: the secret for manual entry and the
/// `otpauth://` URL an authenticator app reads (usually shown as a QR code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    /// Secret bytes to store (encrypted) with the account.
    pub secret: Vec<u8>,
    /// The same secret in base32, for manual entry.
    pub secret_base32: String,
    pub otpauth_url: String,
    /// Recovery codes, in clear, to show once.
    pub recovery_codes: Vec<String>,
    /// Their hashes, to store.
    pub recovery_hashes: Vec<String>,
}

fn totp(secret: &[u8], issuer: Option<&str>, account: &str) -> Result<Totp, MfaError> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS)
        .with_skew(SKEW_STEPS)
        .with_step_duration(STEP_SECONDS)
        .with_secret(Secret::from(secret.to_vec()))
        .with_issuer(issuer)
        .with_account_name(account)
        .build()
        .map_err(|e| MfaError::Setup(e.to_string()))
}

/// A new authenticator for `account` at `issuer` (the deployment's name, as apps show it).
pub fn enrol(issuer: &str, account: &str) -> Result<Enrolment, MfaError> {
    let mut secret = vec![0u8; 20];
    getrandom::fill(&mut secret).map_err(|e| MfaError::Setup(e.to_string()))?;
    let t = totp(&secret, Some(issuer), account)?;
    let recovery_codes = recovery_codes(RECOVERY_CODES)?;
    Ok(Enrolment {
        secret_base32: t.secret().to_base32(),
        otpauth_url: t.to_url().map_err(|e| MfaError::Setup(e.to_string()))?,
        recovery_hashes: recovery_codes
            .iter()
            .map(|c| hash_recovery_code(c))
            .collect(),
        recovery_codes,
        secret,
    })
}

/// Checks `code` at `now` (Unix seconds). Returns the step it matched, which the caller stores
/// as the account's `last_used_step`.
pub fn verify(
    secret: &[u8],
    code: &str,
    now: u64,
    last_used_step: Option<u64>,
) -> Result<u64, MfaError> {
    let code = code.trim();
    if code.len() != usize::from(DIGITS) || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(MfaError::Invalid);
    }
    let t = totp(secret, None, "")?;
    let step = t.check(code, now).ok_or(MfaError::Invalid)?;
    if last_used_step.is_some_and(|last| step <= last) {
        return Err(MfaError::Replayed);
    }
    Ok(step)
}

/// The code an authenticator shows at `unix` seconds for `secret` (for tests and tools).
pub fn code_at(secret: &[u8], unix: u64) -> Result<String, MfaError> {
    Ok(totp(secret, None, "")?.generate(unix).to_string())
}

/// The secret of a base32 string as authenticator apps take it.
pub fn secret_from_base32(b32: &str) -> Result<Vec<u8>, MfaError> {
    Secret::try_from_base32(b32)
        .map(|s| s.as_bytes().to_vec())
        .map_err(|e| MfaError::Setup(e.to_string()))
}

/// `n` random recovery codes like `3f9a-07c2-b41e` (48 bits each).
pub fn recovery_codes(n: usize) -> Result<Vec<String>, MfaError> {
    (0..n)
        .map(|_| {
            let mut bytes = [0u8; 6];
            getrandom::fill(&mut bytes).map_err(|e| MfaError::Setup(e.to_string()))?;
            let h = hex::encode(bytes);
            Ok(format!("{}-{}-{}", &h[0..4], &h[4..8], &h[8..12]))
        })
        .collect()
}

/// The stored form of a recovery code. Case, spaces and hyphens do not matter.
pub fn hash_recovery_code(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    hex::encode(Sha256::digest(format!("egov-recovery-v1:{normal}")))
}

/// Finds which stored hash `code` matches, if any; the caller deletes it (single use).
pub fn match_recovery_code<'a>(code: &str, stored: &'a [String]) -> Option<&'a str> {
    let h = hash_recovery_code(code);
    stored.iter().find(|s| **s == h).map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1, 8 digits, secret "12345678901234567890".
    #[test]
    fn rfc_6238_test_vectors() {
        let t = Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(8)
            .with_step_duration(30)
            .with_secret(Secret::from(b"12345678901234567890".to_vec()))
            .build()
            .expect("totp");
        for (time, code) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(t.generate(time).to_string(), code, "T = {time}");
        }
    }

    fn code_at(secret: &[u8], time: u64) -> String {
        totp(secret, None, "")
            .expect("totp")
            .generate(time)
            .to_string()
    }

    #[test]
    fn the_window_is_one_step_either_side() {
        let e = enrol("egov (test)", "officer-1").expect("enrol");
        let now = 1_800_000_015; // 15 s into a step
        let current = code_at(&e.secret, now);
        assert!(verify(&e.secret, &current, now, None).is_ok());
        assert!(verify(&e.secret, &code_at(&e.secret, now - 30), now, None).is_ok());
        assert!(verify(&e.secret, &code_at(&e.secret, now + 30), now, None).is_ok());
        assert_eq!(
            verify(&e.secret, &code_at(&e.secret, now - 60), now, None),
            Err(MfaError::Invalid)
        );
        assert_eq!(
            verify(&e.secret, &code_at(&e.secret, now + 60), now, None),
            Err(MfaError::Invalid)
        );
        assert_eq!(
            verify(&e.secret, "12345", now, None),
            Err(MfaError::Invalid)
        );
        assert_eq!(
            verify(&e.secret, "abcdef", now, None),
            Err(MfaError::Invalid)
        );
    }

    #[test]
    fn a_code_is_accepted_once() {
        let e = enrol("egov (test)", "officer-1").expect("enrol");
        let now = 1_800_000_015;
        let code = code_at(&e.secret, now);
        let step = verify(&e.secret, &code, now, None).expect("first use");
        assert_eq!(
            verify(&e.secret, &code, now + 5, Some(step)),
            Err(MfaError::Replayed)
        );
        // An older code inside the window is a replay too once a newer step was used.
        let older = code_at(&e.secret, now - 30);
        assert_eq!(
            verify(&e.secret, &older, now, Some(step)),
            Err(MfaError::Replayed)
        );
        // The next step's code is fine.
        assert!(
            verify(
                &e.secret,
                &code_at(&e.secret, now + 30),
                now + 30,
                Some(step)
            )
            .is_ok()
        );
    }

    #[test]
    fn enrolment_gives_an_app_url_and_single_use_recovery_codes() {
        let e = enrol("egov (test)", "officer-1").expect("enrol");
        assert!(
            e.otpauth_url.starts_with("otpauth://totp/"),
            "{}",
            e.otpauth_url
        );
        assert!(
            e.otpauth_url
                .contains(&format!("secret={}", e.secret_base32))
        );
        assert_eq!(e.recovery_codes.len(), RECOVERY_CODES);
        let distinct: std::collections::BTreeSet<_> = e.recovery_codes.iter().collect();
        assert_eq!(distinct.len(), RECOVERY_CODES);
        let typed = e.recovery_codes[3].to_uppercase().replace('-', " ");
        assert_eq!(
            match_recovery_code(&typed, &e.recovery_hashes),
            Some(e.recovery_hashes[3].as_str())
        );
        assert_eq!(
            match_recovery_code("0000-0000-0000", &e.recovery_hashes),
            None
        );
        assert!(
            !e.recovery_hashes
                .iter()
                .any(|h| e.recovery_codes.iter().any(|c| h.contains(c)))
        );
        let other = enrol("egov (test)", "officer-1").expect("enrol");
        assert_ne!(other.secret, e.secret);
    }
}

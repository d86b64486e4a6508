//! Passwords: a policy without composition rules (NIST SP 800-63B, OWASP ASVS) and argon2id
//! hashing that runs off the async workers.
//!
//! The policy asks for length (at least 12 characters, at most 128) and refuses guessable
//! passwords: zxcvbn scores each candidate against its bundled lists of the most common
//! passwords (drawn from breach corpora), names, words, keyboard walks, repeats, sequences and
//! dates, and against the person's own details passed as context. No rules like "one digit, one
//! symbol", no expiry.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, ParamsBuilder, Version};
use egov_core::Error;

/// Why a password is refused. Shown to the person choosing it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("use at least {0} characters")]
    TooShort(usize),
    #[error("use at most {0} characters")]
    TooLong(usize),
    #[error("this password is too easy to guess{}", .0.as_deref().map(|w| format!(": {w}")).unwrap_or_default())]
    Guessable(Option<String>),
}

impl PasswordProblem {
    /// What is said to the person choosing the password, in their language where there is a
    /// message.
    pub fn text(&self) -> egov_core::error::Text {
        match self {
            Self::TooShort(n) => egov_core::text!(
                "detail-password-short",
                "use at least {count} characters",
                count = *n
            ),
            Self::TooLong(n) => egov_core::text!(
                "detail-password-long",
                "use at most {count} characters",
                count = *n
            ),
            Self::Guessable(_) => egov_core::text!(
                "detail-password-guessable",
                "this password is too easy to guess{hint}",
                hint = match self {
                    Self::Guessable(Some(w)) => format!(": {w}"),
                    _ => String::new(),
                }
            ),
        }
    }
}

/// What a password must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// Minimum length in characters (12: ASVS 4.0.3 2.1.1).
    pub min_length: usize,
    /// Maximum length in characters (ASVS allows refusing over 128).
    pub max_length: usize,
    /// Minimum zxcvbn score, 0-4 (3: more than 10^8 guesses).
    pub min_score: u8,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_length: 12,
            max_length: 128,
            min_score: 3,
        }
    }
}

impl PasswordPolicy {
    /// Checks `password`; `context` holds the person's own details (name, user name, e-mail,
    /// birth date) that must not make it guessable.
    pub fn check(&self, password: &str, context: &[&str]) -> Result<(), PasswordProblem> {
        let length = password.chars().count();
        if length < self.min_length {
            return Err(PasswordProblem::TooShort(self.min_length));
        }
        if length > self.max_length {
            return Err(PasswordProblem::TooLong(self.max_length));
        }
        let estimate = zxcvbn::zxcvbn(password, context);
        if u8::from(estimate.score()) < self.min_score {
            let warning = estimate
                .feedback()
                .and_then(|f| f.warning())
                .map(|w| w.to_string());
            return Err(PasswordProblem::Guessable(warning));
        }
        Ok(())
    }
}

/// argon2id cost parameters (configurable; the defaults are the argon2 crate's: 19 MiB, 2
/// passes, 1 lane — OWASP's minimum recommendation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for HashParams {
    fn default() -> Self {
        Self {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// Hashes and verifies passwords as PHC strings (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`).
#[derive(Clone)]
pub struct PasswordHasher {
    argon2: Argon2<'static>,
    params: HashParams,
    /// Hashing runs on its own threads, one per core: more hashes at a time would only share
    /// the cores while each holds `memory_kib` (a burst of sign-ins could take gigabytes), and
    /// long-lived threads reuse their hash memory instead of faulting in fresh pages each time.
    pool: std::sync::Arc<rayon::ThreadPool>,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("params", &self.params)
            .finish()
    }
}

impl PasswordHasher {
    pub fn new(params: HashParams) -> Result<Self, String> {
        let built = ParamsBuilder::new()
            .m_cost(params.memory_kib)
            .t_cost(params.iterations)
            .p_cost(params.parallelism)
            .build()
            .map_err(|e| format!("invalid argon2 parameters: {e}"))?;
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(cores)
            .thread_name(|i| format!("egov-argon2-{i}"))
            .build()
            .map_err(|e| format!("cannot start the hashing threads: {e}"))?;
        Ok(Self {
            argon2: Argon2::new(Algorithm::Argon2id, Version::V0x13, built),
            params,
            pool: std::sync::Arc::new(pool),
        })
    }

    pub fn params(&self) -> HashParams {
        self.params
    }

    /// Hashes with a fresh random salt. CPU-heavy: call from a blocking thread
    /// (`hash_async` does).
    pub fn hash(&self, password: &str) -> Result<String, Error> {
        self.argon2
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| Error::internal(anyhow::anyhow!("argon2: {e}")))
    }

    /// Whether `password` matches `phc`. A malformed stored hash is an internal error, not a
    /// mismatch. Uses the parameters stored in the hash, so old hashes keep verifying.
    pub fn verify(&self, password: &str, phc: &str) -> Result<bool, Error> {
        let parsed = PasswordHash::new(phc)
            .map_err(|e| Error::internal(anyhow::anyhow!("stored password hash: {e}")))?;
        Ok(self
            .argon2
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    }

    /// Whether `phc` was made with other parameters (or another algorithm) and should be
    /// replaced after the next successful login.
    pub fn needs_rehash(&self, phc: &str) -> bool {
        let expected = format!(
            "$argon2id$v=19$m={},t={},p={}$",
            self.params.memory_kib, self.params.iterations, self.params.parallelism
        );
        !phc.starts_with(&expected)
    }

    /// `hash` on the hashing threads.
    pub async fn hash_async(&self, password: String) -> Result<String, Error> {
        let hasher = self.clone();
        self.on_pool(move || hasher.hash(&password)).await?
    }

    /// Runs `f` on the hashing threads and waits for it without blocking the async worker.
    async fn on_pool<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Error> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.pool.spawn(move || {
            // The receiver is gone only if the request was dropped; nothing to tell then.
            let _ = tx.send(f());
        });
        rx.await
            .map_err(|e| Error::internal(anyhow::anyhow!("hashing thread failed: {e}")))
    }

    /// `verify` on the hashing threads.
    pub async fn verify_async(&self, password: String, phc: String) -> Result<bool, Error> {
        let hasher = self.clone();
        self.on_pool(move || hasher.verify(&password, &phc)).await?
    }
}

/// Maps a refused password to a 422 naming the field.
pub fn refused(field: &str, problem: &PasswordProblem) -> Error {
    Error::invalid_field(field, problem.text())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_rules_without_composition_rules() {
        let p = PasswordPolicy::default();
        assert_eq!(p.check("Sh0rt!x", &[]), Err(PasswordProblem::TooShort(12)));
        assert_eq!(
            p.check(&"ab1-".repeat(33), &[]),
            Err(PasswordProblem::TooLong(128))
        );
        // Lower-case words only, no digits or symbols: accepted when hard to guess.
        assert_eq!(p.check("gimbal orchard frosty lantern", &[]), Ok(()));
        // Korean passphrases count characters, not bytes.
        assert_eq!(
            p.check("다람쥐헌쳇바퀴에타고파", &[]),
            Err(PasswordProblem::TooShort(12))
        );
    }

    #[test]
    fn common_and_patterned_passwords_are_refused() {
        let p = PasswordPolicy::default();
        for weak in [
            "password1234",
            "aaaaaaaaaaaaaaaa",
            "qwertyuiopasdf",
            "123456789012",
            "iloveyou123456",
        ] {
            assert!(
                matches!(p.check(weak, &[]), Err(PasswordProblem::Guessable(_))),
                "{weak} was accepted"
            );
        }
    }

    #[test]
    fn the_persons_own_details_do_not_make_a_password() {
        let p = PasswordPolicy::default();
        assert!(matches!(
            p.check("minjunkim19900101", &["minjunkim", "19900101"]),
            Err(PasswordProblem::Guessable(_))
        ));
    }

    fn fast() -> PasswordHasher {
        // Small parameters keep the unit tests quick; the defaults are tested for shape below.
        PasswordHasher::new(HashParams {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
        })
        .expect("params")
    }

    #[test]
    fn hashes_verify_and_are_salted() {
        let h = fast();
        let a = h.hash("gimbal orchard frosty lantern").expect("hash");
        let b = h.hash("gimbal orchard frosty lantern").expect("hash");
        assert!(a.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"), "{a}");
        assert_ne!(a, b, "salts must differ");
        assert!(
            h.verify("gimbal orchard frosty lantern", &a)
                .expect("verify")
        );
        assert!(
            !h.verify("gimbal orchard frosty lanterns", &a)
                .expect("verify")
        );
        assert!(h.verify("x", "not a hash").is_err());
        assert!(!h.needs_rehash(&a));
        let default = PasswordHasher::new(HashParams::default()).expect("params");
        assert!(default.needs_rehash(&a));
        // A hash made with other parameters still verifies.
        assert!(
            default
                .verify("gimbal orchard frosty lantern", &a)
                .expect("verify")
        );
    }

    #[test]
    fn invalid_parameters_are_refused() {
        assert!(
            PasswordHasher::new(HashParams {
                memory_kib: 1,
                iterations: 1,
                parallelism: 1
            })
            .is_err()
        );
    }
}

//! The privacy access log (개인정보 접속기록, PIPA safety-measures standard art. 8): every read or
//! change of a person's data by an official, in any module, recorded through one call with the
//! account, the time to the second, the source address, the data subject, the action and the
//! purpose.
//!
//! Records form a hash chain: each record's hash covers its fields and the previous record's
//! hash, so an edited record breaks its own hash and a deleted one breaks the sequence or the
//! link. The data subject is stored as a keyed blind index, never as the raw identifier, so the
//! log itself does not become a second copy of national IDs.

use std::fmt;

use chrono::{DateTime, SubsecRound, Utc};
use egov_core::chain::FieldHasher;
use egov_core::domain::ids::NationalId;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The hash that precedes the first record.
pub const GENESIS_HASH: &str = egov_core::chain::GENESIS;

/// What the official did with the data (the standard's list), or the authentication event
/// recorded on the same chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    View,
    Create,
    Change,
    Delete,
    Print,
    Download,
    /// A successful sign-in (or step-up).
    Login,
    /// A refused sign-in (wrong password or second factor).
    LoginFailed,
    Logout,
    /// Sign-in locked after repeated failures.
    Lock,
    Unlock,
    /// A second factor enrolled or removed, recovery codes used or renewed.
    MfaChange,
    RoleChange,
    /// A password set, changed or reset.
    CredentialChange,
    /// Sessions ended by an admin, by refresh-token reuse or by disabling the account.
    SessionRevoke,
}

impl Action {
    pub const ALL: [Action; 15] = [
        Action::View,
        Action::Create,
        Action::Change,
        Action::Delete,
        Action::Print,
        Action::Download,
        Action::Login,
        Action::LoginFailed,
        Action::Logout,
        Action::Lock,
        Action::Unlock,
        Action::MfaChange,
        Action::RoleChange,
        Action::CredentialChange,
        Action::SessionRevoke,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::View => "view",
            Action::Create => "create",
            Action::Change => "change",
            Action::Delete => "delete",
            Action::Print => "print",
            Action::Download => "download",
            Action::Login => "login",
            Action::LoginFailed => "login_failed",
            Action::Logout => "logout",
            Action::Lock => "lock",
            Action::Unlock => "unlock",
            Action::MfaChange => "mfa_change",
            Action::RoleChange => "role_change",
            Action::CredentialChange => "credential_change",
            Action::SessionRevoke => "session_revoke",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A data subject as the log knows them: HMAC-SHA256 of their identifier under the
/// deployment's secret key, hex-encoded. The same person always gets the same key, so a
/// citizen can list who accessed their data; the key cannot be reversed without the secret.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SubjectKey(String);

impl SubjectKey {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Rebuilds a key read back from the log.
    pub fn from_stored(hex: String) -> Self {
        Self(hex)
    }
}

/// Computes subject keys. Holds the secret; `Debug` does not show it.
#[derive(Clone)]
pub struct SubjectIndex {
    key: Vec<u8>,
}

impl fmt::Debug for SubjectIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SubjectIndex { key: *** }")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the blind-index key must be at least 32 bytes")]
pub struct WeakKey;

impl SubjectIndex {
    /// `key` is the deployment's secret (at least 32 bytes). Changing it orphans earlier keys.
    pub fn new(key: &[u8]) -> Result<Self, WeakKey> {
        if key.len() < 32 {
            return Err(WeakKey);
        }
        Ok(Self { key: key.to_vec() })
    }

    fn mac(&self, domain: &str, value: &str) -> SubjectKey {
        // Hmac accepts keys of any length; `new` checked ours.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(domain.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        SubjectKey(hex::encode(mac.finalize().into_bytes()))
    }

    /// The subject key of a citizen identified by their national ID.
    pub fn national_id(&self, id: &NationalId) -> SubjectKey {
        self.mac("national-id", id.expose())
    }

    /// The subject key of a person known by their egov account id.
    pub fn account(&self, account_id: &str) -> SubjectKey {
        self.mac("account", account_id)
    }
}

/// One access, as a module reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    /// The official's account id.
    pub actor: String,
    /// Where the request came from (IP address).
    pub source_ip: String,
    pub subject: SubjectKey,
    pub action: Action,
    /// Why: the task or legal basis (`petition.review`, `tax.assessment`).
    pub purpose: String,
    /// The module that accessed the data.
    pub module: String,
    /// What was accessed, if it has an id (a petition number, a tax return id).
    pub record_ref: Option<String>,
    /// The request id, to join with the server's logs.
    pub request_id: Option<String>,
}

/// Why an entry is refused before it is written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("access-log field `{field}` {problem}")]
pub struct InvalidEntry {
    pub field: &'static str,
    pub problem: &'static str,
}

impl AccessEntry {
    /// Every field a PIPA inspector needs must be present and bounded.
    pub fn check(&self) -> Result<(), InvalidEntry> {
        let required = [
            ("actor", &self.actor),
            ("source_ip", &self.source_ip),
            ("purpose", &self.purpose),
            ("module", &self.module),
        ];
        for (field, value) in required {
            if value.trim().is_empty() {
                return Err(InvalidEntry {
                    field,
                    problem: "must not be empty",
                });
            }
        }
        let bounded = [
            ("actor", Some(&self.actor)),
            ("source_ip", Some(&self.source_ip)),
            ("purpose", Some(&self.purpose)),
            ("module", Some(&self.module)),
            ("record_ref", self.record_ref.as_ref()),
            ("request_id", self.request_id.as_ref()),
        ];
        for (field, value) in bounded {
            if value.is_some_and(|v| v.len() > 256) {
                return Err(InvalidEntry {
                    field,
                    problem: "must be at most 256 bytes",
                });
            }
        }
        if self.source_ip.parse::<std::net::IpAddr>().is_err() {
            return Err(InvalidEntry {
                field: "source_ip",
                problem: "must be an IP address",
            });
        }
        Ok(())
    }
}

/// A record as stored: the entry, its place in the chain and its time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub seq: i64,
    pub occurred_at: DateTime<Utc>,
    pub entry: AccessEntry,
    pub prev_hash: String,
    pub hash: String,
}

/// The time as records keep it: UTC, whole microseconds (what both databases store exactly).
pub fn record_time(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

/// The record hash: SHA-256 over a versioned, length-prefixed encoding of every field and the
/// previous hash, so no two different records encode alike.
pub fn chain_hash(
    seq: i64,
    occurred_at: DateTime<Utc>,
    entry: &AccessEntry,
    prev_hash: &str,
) -> String {
    let mut h = FieldHasher::new("egov-access-log-v1");
    h.field(&seq.to_be_bytes())
        .field(
            occurred_at
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
                .as_bytes(),
        )
        .field(entry.actor.as_bytes())
        .field(entry.source_ip.as_bytes())
        .field(entry.subject.as_str().as_bytes())
        .field(entry.action.as_str().as_bytes())
        .field(entry.purpose.as_bytes())
        .field(entry.module.as_bytes())
        .optional(entry.record_ref.as_deref().map(str::as_bytes))
        .optional(entry.request_id.as_deref().map(str::as_bytes))
        .field(prev_hash.as_bytes());
    h.hex()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> SubjectIndex {
        SubjectIndex::new(&[7u8; 32]).expect("key")
    }

    fn entry() -> AccessEntry {
        AccessEntry {
            actor: "officer-1".into(),
            source_ip: "10.1.2.3".into(),
            subject: index().account("citizen-9"),
            action: Action::View,
            purpose: "petition.review".into(),
            module: "petition".into(),
            record_ref: Some("P-2026-0001".into()),
            request_id: None,
        }
    }

    #[test]
    fn subject_keys_are_stable_keyed_and_separated_by_kind() {
        let a = index().account("900101");
        assert_eq!(a, index().account("900101"));
        assert_eq!(a.as_str().len(), 64);
        let other = SubjectIndex::new(&[8u8; 32]).expect("key");
        assert_ne!(a, other.account("900101"));
        let scheme = egov_core::domain::ids::IdScheme::new(
            "n".into(),
            None,
            "^[0-9]+$",
            egov_core::domain::ids::CheckRule::None,
            None,
            Some((0, 2)),
        )
        .expect("scheme");
        let nid = NationalId::parse(&scheme, "900101").expect("id");
        assert_ne!(index().national_id(&nid), a, "kinds must not collide");
        assert!(SubjectIndex::new(b"short").is_err());
        assert!(!format!("{:?}", index()).contains('7'));
    }

    #[test]
    fn the_hash_covers_every_field_and_the_link() {
        let t = record_time(Utc::now());
        let base = chain_hash(5, t, &entry(), GENESIS_HASH);
        assert_eq!(base, chain_hash(5, t, &entry(), GENESIS_HASH));
        let mut variants: Vec<AccessEntry> = Vec::new();
        let mut e = entry();
        e.actor = "officer-2".into();
        variants.push(e);
        let mut e = entry();
        e.source_ip = "10.1.2.4".into();
        variants.push(e);
        let mut e = entry();
        e.subject = index().account("citizen-8");
        variants.push(e);
        let mut e = entry();
        e.action = Action::Download;
        variants.push(e);
        let mut e = entry();
        e.purpose = "petition.reviews".into();
        variants.push(e);
        let mut e = entry();
        e.module = "tax".into();
        variants.push(e);
        let mut e = entry();
        e.record_ref = None;
        variants.push(e);
        let mut e = entry();
        e.request_id = Some(String::new());
        variants.push(e);
        for v in &variants {
            assert_ne!(chain_hash(5, t, v, GENESIS_HASH), base, "{v:?}");
        }
        assert_ne!(chain_hash(6, t, &entry(), GENESIS_HASH), base);
        assert_ne!(
            chain_hash(
                5,
                t + chrono::Duration::microseconds(1),
                &entry(),
                GENESIS_HASH
            ),
            base
        );
        assert_ne!(chain_hash(5, t, &entry(), &"1".repeat(64)), base);
    }

    #[test]
    fn entries_are_checked_before_writing() {
        assert_eq!(entry().check(), Ok(()));
        let mut e = entry();
        e.purpose = "  ".into();
        assert_eq!(e.check().map_err(|e| e.field), Err("purpose"));
        let mut e = entry();
        e.source_ip = "somewhere".into();
        assert_eq!(e.check().map_err(|e| e.field), Err("source_ip"));
        let mut e = entry();
        e.record_ref = Some("x".repeat(300));
        assert_eq!(e.check().map_err(|e| e.field), Err("record_ref"));
        assert_eq!(Action::parse("print"), Some(Action::Print));
        assert_eq!(Action::parse("peek"), None);
    }
}

//! Member keys and the member directory.
//!
//! This deployment's member signs with its newest Ed25519 key; the private half is sealed in
//! the database with the deployment's encryption key. Rotation adds a key and retires the
//! others after `exchange.key_overlap_secs`, during which they stay published and accepted.
//! Other members' keys are either pinned by an admin (`PUT /exchange/v1/admin/members`) or
//! fetched from the member's published key list at its registered `base_url` when a request
//! names a key id not seen before (at most every two seconds per member).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use egov_auth::secrets::Sealer;
use egov_core::{Db, Error};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::store::{self, KeyRow, MemberRow};
use crate::xroad::ClientId;

/// A published public key (RFC 8037 OKP JWK).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Jwk {
    /// Always `OKP`.
    #[schema(pattern = "^OKP$")]
    pub kty: String,
    /// Always `Ed25519`.
    #[schema(pattern = "^Ed25519$")]
    pub crv: String,
    /// `<member>#<n>`.
    pub kid: String,
    /// The public key, base64url without padding (32 bytes).
    #[schema(pattern = "^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$")]
    pub x: String,
    /// When the key stops being accepted (seconds since the epoch), once rotated out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct JwkSet {
    pub keys: Vec<Jwk>,
}

#[derive(Clone)]
struct Known {
    member: ClientId,
    key: ed25519_dalek::VerifyingKey,
    retire_at: Option<DateTime<Utc>>,
    /// Refused from then on (this deployment's revocations; other members' revoked keys are
    /// simply no longer published).
    revoked_at: Option<DateTime<Utc>>,
}

impl Known {
    fn usable(&self, now: DateTime<Utc>) -> bool {
        self.retire_at.is_none_or(|t| t > now) && self.revoked_at.is_none_or(|t| t > now)
    }
}

/// Why a key was revoked (the reasons of RFC 5280 that apply to a member's signing key).
pub const REVOCATION_REASONS: [&str; 3] =
    ["key_compromise", "superseded", "cessation_of_operation"];

/// One revoked key in a member's status list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RevokedKey {
    pub kid: String,
    /// From when signatures by the key are not to be believed.
    pub revoked_at: DateTime<Utc>,
    /// One of `key_compromise`, `superseded`, `cessation_of_operation`.
    pub reason: String,
}

/// A member's key status list: every key it revoked, signed by its current key (a detached
/// JWS over the canonical JSON of the other fields), so that an offline verifier given the
/// list (or fetching it from `GET /exchange/v1/keys/status`) can tell a signature made before
/// a key's revocation from one made after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StatusList {
    /// Always `egov-exchange-key-status/1`.
    pub format: String,
    pub member: String,
    /// The list is complete as of this time.
    pub issued_at: DateTime<Utc>,
    pub revoked: Vec<RevokedKey>,
    /// Detached JWS (`header..signature`) over the canonical JSON of the fields above.
    pub signature: String,
}

pub const STATUS_FORMAT: &str = "egov-exchange-key-status/1";

impl StatusList {
    /// The signed content: every field but the signature.
    pub fn signed_content(&self) -> serde_json::Value {
        serde_json::json!({
            "format": self.format,
            "member": self.member,
            "issued_at": self.issued_at,
            "revoked": self.revoked,
        })
    }
}

#[derive(Default)]
struct State {
    signing: Option<(String, ed25519_dalek::SigningKey)>,
    known: HashMap<String, Known>,
    members: HashMap<String, MemberRow>,
    fetched: HashMap<String, Instant>,
}

/// Keys and members of one process.
#[derive(Clone)]
pub struct KeyStore(Arc<Inner>);

struct Inner {
    db: Db,
    sealer: Sealer,
    member: ClientId,
    overlap_secs: u64,
    http: reqwest::Client,
    state: RwLock<State>,
}

impl std::fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyStore")
            .field("member", &self.0.member.to_string())
            .finish_non_exhaustive()
    }
}

fn decode_public(x: &str) -> Option<ed25519_dalek::VerifyingKey> {
    let bytes: [u8; 32] = URL_SAFE_NO_PAD.decode(x).ok()?.try_into().ok()?;
    ed25519_dalek::VerifyingKey::from_bytes(&bytes).ok()
}

/// The member a key id names (`<member>#<n>`).
pub fn member_of(kid: &str) -> Option<ClientId> {
    let (member, _) = kid.rsplit_once('#')?;
    let id = ClientId::parse(member).ok()?;
    id.subsystem.is_none().then_some(id)
}

fn lock_poisoned() -> Error {
    Error::internal(anyhow::anyhow!("key store lock poisoned"))
}

impl KeyStore {
    pub fn new(
        db: Db,
        sealer: Sealer,
        member: ClientId,
        overlap_secs: u64,
        http: reqwest::Client,
    ) -> Self {
        Self(Arc::new(Inner {
            db,
            sealer,
            member,
            overlap_secs,
            http,
            state: RwLock::new(State::default()),
        }))
    }

    pub fn member(&self) -> &ClientId {
        &self.0.member
    }

    /// Reads keys and members from the database (after a change, or another instance's).
    pub fn reload_blocking(&self, conn: &mut egov_core::DbConnection) -> Result<(), Error> {
        let rows = store::keys(conn)?;
        let members = store::members(conn)?;
        let own = self.0.member.to_string();
        let now = Utc::now();
        let mut known = HashMap::new();
        let mut stored = std::collections::HashSet::new();
        let mut signing = None;
        for row in rows {
            stored.insert(row.kid.clone());
            let Some(key) = decode_public(&row.public_key) else {
                continue;
            };
            let Some(member) = ClientId::parse(&row.member).ok() else {
                continue;
            };
            let retire_at = row.retire_at.map(|t| t.and_utc());
            let revoked_at = row.revoked_at.map(|t| t.and_utc());
            if row.member == own
                && retire_at.is_none()
                && revoked_at.is_none()
                && let Some(sealed) = &row.private_sealed
            {
                let seed = self
                    .0
                    .sealer
                    .open(&format!("exchange-key:{}", row.kid), sealed)
                    .map_err(|_| {
                        Error::internal(anyhow::anyhow!(
                            "exchange key {} cannot be opened with this deployment's \
                             encryption key",
                            row.kid
                        ))
                    })?;
                let seed: [u8; 32] = seed
                    .try_into()
                    .map_err(|_| Error::internal(anyhow::anyhow!("bad stored key")))?;
                // Rows come oldest first: the newest unretired key signs.
                signing = Some((
                    row.kid.clone(),
                    ed25519_dalek::SigningKey::from_bytes(&seed),
                ));
            }
            let k = Known {
                member,
                key,
                retire_at,
                revoked_at,
            };
            if k.usable(now) {
                known.insert(row.kid.clone(), k);
            }
        }
        let mut state = self.0.state.write().map_err(|_| lock_poisoned())?;
        state.signing = signing;
        // Keys fetched from other members' published lists stay known.
        state.known.retain(|kid, k| {
            k.member.to_string() != own && !stored.contains(kid) && k.retire_at.is_none()
        });
        state.known.extend(known);
        state.members = members.into_iter().map(|m| (m.id.clone(), m)).collect();
        Ok(())
    }

    pub async fn reload(&self) -> Result<(), Error> {
        let this = self.clone();
        self.0.db.run(move |c| this.reload_blocking(c)).await
    }

    /// Makes sure this member is in the directory and has a signing key (at start).
    pub fn ensure_own_blocking(
        &self,
        conn: &mut egov_core::DbConnection,
        name: &str,
        base_url: Option<String>,
    ) -> Result<(), Error> {
        store::put_member(
            conn,
            &MemberRow {
                id: self.0.member.to_string(),
                name: name.to_owned(),
                base_url,
                local: true,
                created_at: Utc::now().naive_utc(),
            },
        )?;
        self.reload_blocking(conn)?;
        if self.signing().is_none() {
            // Two instances starting at once: the second insert of the same kid is ignored.
            self.add_own_key(conn, None)?;
            self.reload_blocking(conn)?;
        }
        Ok(())
    }

    fn add_own_key(
        &self,
        conn: &mut egov_core::DbConnection,
        retire_others_at: Option<DateTime<Utc>>,
    ) -> Result<String, Error> {
        let own = self.0.member.to_string();
        let n = store::keys_of(conn, &own)?.len() + 1;
        let kid = format!("{own}#{n}");
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| Error::internal(anyhow::anyhow!("{e}")))?;
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        let row = KeyRow {
            kid: kid.clone(),
            member: own,
            public_key: URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes()),
            private_sealed: Some(self.0.sealer.seal(&format!("exchange-key:{kid}"), &seed)),
            created_at: Utc::now().naive_utc(),
            retire_at: None,
            revoked_at: None,
            revocation_reason: None,
        };
        match retire_others_at {
            Some(at) => store::rotate(conn, &row, at)?,
            None => {
                store::add_key(conn, &row)?;
            }
        }
        Ok(kid)
    }

    /// Rotation: a new signing key; the old ones stay published for the overlap.
    pub async fn rotate(&self) -> Result<String, Error> {
        let this = self.clone();
        let retire = Utc::now() + chrono::Duration::seconds(self.0.overlap_secs as i64);
        let kid = self
            .0
            .db
            .transaction(move |c| this.add_own_key(c, Some(retire)))
            .await?;
        self.reload().await?;
        Ok(kid)
    }

    /// Revokes `kid` from `since` (default now; earlier for a key known to have been
    /// compromised since then). Revoking this member's signing key makes a new one at once.
    /// Returns the revocation and the signing key's id afterwards.
    pub async fn revoke(
        &self,
        kid: &str,
        reason: &str,
        since: Option<DateTime<Utc>>,
    ) -> Result<(RevokedKey, String), Error> {
        let now = Utc::now();
        let at = crate::log::record_time(since.unwrap_or(now));
        let this = self.clone();
        let (kid, reason) = (kid.to_owned(), reason.to_owned());
        let revoked = self
            .0
            .db
            .transaction(move |c| {
                let row = store::keys(c)?
                    .into_iter()
                    .find(|k| k.kid == kid && k.revoked_at.is_none())
                    .ok_or_else(|| Error::new(crate::errors::KEY_NOT_FOUND))?;
                if at > now || at.naive_utc() < row.created_at {
                    return Err(Error::invalid_field(
                        "/since",
                        "between the key's creation and now",
                    ));
                }
                let signing = this.signing().is_some_and(|(current, _)| current == kid);
                if signing {
                    this.add_own_key(c, Some(now))?;
                }
                store::revoke_key(c, &kid, at, &reason)?;
                Ok(RevokedKey {
                    kid,
                    revoked_at: at,
                    reason,
                })
            })
            .await?;
        self.reload().await?;
        let current = self.signing().map(|(k, _)| k).unwrap_or_default();
        Ok((revoked, current))
    }

    /// This member's signed key status list (every key it revoked), read afresh (another
    /// process may have revoked a key) and signed with the current key.
    pub async fn status_list(&self) -> Result<StatusList, Error> {
        self.reload().await?;
        let own = self.0.member.to_string();
        let member = own.clone();
        let rows = self.0.db.run(move |c| store::keys_of(c, &member)).await?;
        let mut list = StatusList {
            format: STATUS_FORMAT.to_owned(),
            member: own,
            issued_at: crate::log::record_time(Utc::now()),
            revoked: rows
                .into_iter()
                .filter_map(|r| {
                    Some(RevokedKey {
                        revoked_at: r.revoked_at?.and_utc(),
                        reason: r.revocation_reason.unwrap_or_default(),
                        kid: r.kid,
                    })
                })
                .collect(),
            signature: String::new(),
        };
        let (kid, key) = self
            .signing()
            .ok_or_else(|| Error::internal(anyhow::anyhow!("no signing key")))?;
        list.signature = crate::signature::sign(
            &key,
            &kid,
            crate::signature::canonical_json(&list.signed_content()),
        );
        Ok(list)
    }

    /// The current signing key.
    pub fn signing(&self) -> Option<(String, ed25519_dalek::SigningKey)> {
        self.0.state.read().ok()?.signing.clone()
    }

    /// The published keys of `member` (this deployment's by default).
    pub fn jwks(&self, member: &str) -> JwkSet {
        let Ok(state) = self.0.state.read() else {
            return JwkSet { keys: Vec::new() };
        };
        let now = Utc::now();
        let mut keys: Vec<Jwk> = state
            .known
            .iter()
            .filter(|(_, k)| k.member.to_string() == member)
            .filter(|(_, k)| k.usable(now))
            .map(|(kid, k)| Jwk {
                kty: "OKP".into(),
                crv: "Ed25519".into(),
                kid: kid.clone(),
                x: URL_SAFE_NO_PAD.encode(k.key.to_bytes()),
                exp: k.retire_at.map(|t| t.timestamp()),
            })
            .collect();
        keys.sort_by(|a, b| a.kid.cmp(&b.kid));
        JwkSet { keys }
    }

    fn lookup(&self, kid: &str) -> Option<(ClientId, ed25519_dalek::VerifyingKey)> {
        let state = self.0.state.read().ok()?;
        let k = state.known.get(kid)?;
        if !k.usable(Utc::now()) {
            return None;
        }
        Some((k.member.clone(), k.key))
    }

    /// A member's registration.
    pub fn member_row(&self, id: &str) -> Option<MemberRow> {
        self.0.state.read().ok()?.members.get(id).cloned()
    }

    pub fn members(&self) -> Vec<MemberRow> {
        let Ok(state) = self.0.state.read() else {
            return Vec::new();
        };
        let mut v: Vec<MemberRow> = state.members.values().cloned().collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    }

    /// The key `kid`: known already, or after reloading from the database, or from its
    /// member's published list.
    pub async fn resolve(&self, kid: &str) -> Option<(ClientId, ed25519_dalek::VerifyingKey)> {
        if let Some(found) = self.lookup(kid) {
            return Some(found);
        }
        let member = member_of(kid)?;
        let member_id = member.to_string();
        {
            let mut state = self.0.state.write().ok()?;
            let recent = state
                .fetched
                .get(&member_id)
                .is_some_and(|t| t.elapsed() < Duration::from_secs(2));
            if recent {
                return None;
            }
            state.fetched.insert(member_id.clone(), Instant::now());
        }
        if self.reload().await.is_err() {
            return None;
        }
        if let Some(found) = self.lookup(kid) {
            return Some(found);
        }
        let base = self.member_row(&member_id)?.base_url?;
        if member_id == self.0.member.to_string() {
            return None;
        }
        let url = format!(
            "{}/exchange/v1/keys?member={}",
            base.trim_end_matches('/'),
            url_encode(&member_id)
        );
        let set: JwkSet = match self.0.http.get(&url).send().await {
            Ok(res) if res.status().is_success() => res.json().await.ok()?,
            Ok(res) => {
                tracing::warn!(member = %member_id, status = %res.status(), "key list fetch refused");
                return None;
            }
            Err(e) => {
                tracing::warn!(member = %member_id, error = %e, "key list fetch failed");
                return None;
            }
        };
        let mut state = self.0.state.write().ok()?;
        for jwk in set.keys {
            // Only keys of the member the list belongs to, named as that member's.
            if member_of(&jwk.kid).as_ref() != Some(&member) || jwk.kty != "OKP" {
                continue;
            }
            let Some(key) = decode_public(&jwk.x) else {
                continue;
            };
            state.known.entry(jwk.kid).or_insert(Known {
                member: member.clone(),
                key,
                retire_at: jwk.exp.and_then(|e| DateTime::from_timestamp(e, 0)),
                revoked_at: None,
            });
        }
        drop(state);
        self.lookup(kid)
    }
}

fn url_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Parses a published key for pinning.
pub fn parse_jwk(jwk: &Jwk) -> Result<ed25519_dalek::VerifyingKey, &'static str> {
    if jwk.kty != "OKP" || jwk.crv != "Ed25519" {
        return Err("only OKP Ed25519 keys are accepted");
    }
    decode_public(&jwk.x).ok_or("x is not a base64url Ed25519 public key")
}

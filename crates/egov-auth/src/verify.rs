//! Token verification for every module: the keys come from this process's database when the
//! auth service runs here, or from the issuer's published JWKS (found through its discovery
//! document) when it runs elsewhere. Either way keys are cached, and an unknown `kid` or a
//! stale cache triggers one reload, so a key rotation reaches every module without a restart.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use egov_core::{Db, Error, Settings};
use jsonwebtoken::jwk::JwkSet;

use crate::errors;
use crate::keys::{self, KeySet};
use crate::principal::{Aal, Kind, Principal};
use crate::secrets::Sealer;
use crate::tokens::{Claims, Purpose, SigningKey, TokenError, Verifier};

/// How many verified access tokens are remembered. A signature check (Ed25519) costs tens of
/// microseconds; a client sends the same token with every request for its whole lifetime, so
/// each token is checked once and then found here until it expires.
const VERIFIED_CACHE: usize = 10_000;

/// A verified access token: the whole token (a hit must match it exactly, not only its
/// signature), its principal, and its expiry.
struct Verified {
    token: Box<str>,
    principal: Principal,
    exp: u64,
}

/// The least time between two reloads triggered by unknown key ids (a flood of forged `kid`s
/// must not become a flood of database queries or JWKS fetches).
const MIN_RELOAD_INTERVAL: Duration = Duration::from_secs(2);

/// Verification (and, where the auth service runs, signing) context shared by all workers.
#[derive(Clone)]
pub struct Auth(Arc<Inner>);

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("issuer", &self.0.issuer)
            .field("audience", &self.0.audience)
            .field("local", &matches!(self.0.source, Source::Local { .. }))
            .finish_non_exhaustive()
    }
}

struct Inner {
    issuer: String,
    audience: String,
    leeway: u64,
    cache_for: Duration,
    source: Source,
    loaded: RwLock<Loaded>,
    reload: tokio::sync::Mutex<Option<Instant>>,
    /// Verified access tokens by their signature segment. Keys are never withdrawn before their
    /// tokens expire (rotation keeps old keys published), so a cached verdict stays true until
    /// the token's own expiry.
    verified: quick_cache::sync::Cache<Box<str>, Arc<Verified>>,
    /// Sessions ended within the last access-token lifetime (plus leeway), re-read every
    /// `auth.revocation_poll_secs`: a token of an ended session is refused by every process.
    revoked: RwLock<Revoked>,
    revocation_poll: Duration,
    /// How far back ended sessions matter: a token issued before that has expired anyway.
    revocation_window: chrono::Duration,
}

/// The ended sessions, as SHA-256 hex digests of their ids (the form the issuer publishes).
#[derive(Default)]
struct Revoked {
    sessions: std::collections::HashSet<String>,
}

struct Loaded {
    verifier: Arc<Verifier>,
    jwks: Arc<JwkSet>,
    keys: Option<KeySet>,
    at: Option<Instant>,
}

enum Source {
    Local {
        db: Db,
        sealer: Sealer,
        keep: chrono::Duration,
    },
    Remote {
        client: reqwest::Client,
    },
}

impl Auth {
    /// The context of a process that serves the auth module: keys from the database (the
    /// first key is created on an empty installation).
    pub fn local(settings: &Settings, db: Db, sealer: Sealer) -> anyhow::Result<Self> {
        let keep = chrono::Duration::seconds(
            i64::try_from(settings.auth.access_token_secs + settings.auth.leeway_secs)
                .unwrap_or(i64::MAX),
        );
        let mut conn = db.get_blocking()?;
        let set =
            keys::load_or_create(&mut conn, &sealer, keep).map_err(|e| anyhow::anyhow!("{e}"))?;
        let since = chrono::Utc::now().naive_utc() - keep;
        let ended =
            crate::sessions::revoked_since(&mut conn, since).map_err(|e| anyhow::anyhow!("{e}"))?;
        drop(conn);
        let inner = Inner::new(settings, Source::Local { db, sealer, keep });
        let auth = Self(Arc::new(inner));
        auth.install(set_loaded(&auth.0, Some(set), None)?);
        if let Ok(mut r) = auth.0.revoked.write() {
            r.sessions = ended
                .iter()
                .map(|id| egov_core::digest::sha256_hex(id.as_bytes()))
                .collect();
        }
        Ok(auth)
    }

    /// The context of a process that trusts an auth service elsewhere: `auth.issuer` names it.
    pub fn remote(settings: &Settings) -> anyhow::Result<Self> {
        if settings.auth.issuer.is_empty() {
            anyhow::bail!(
                "auth.issuer must name the issuer URL (for example https://id.example.gov/auth) \
                 when this process does not serve the auth module"
            );
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            // Before the issuer's keep-alive (actix-web's 5 s) closes an idle connection.
            .pool_idle_timeout(Duration::from_secs(3))
            .build()?;
        Ok(Self(Arc::new(Inner::new(
            settings,
            Source::Remote { client },
        ))))
    }

    pub fn issuer(&self) -> &str {
        &self.0.issuer
    }

    pub fn audience(&self) -> &str {
        &self.0.audience
    }

    pub fn leeway(&self) -> u64 {
        self.0.leeway
    }

    /// The key that signs new tokens (only where the auth service runs).
    pub fn signing_key(&self) -> Option<SigningKey> {
        self.read(|l| l.keys.as_ref().map(|k| k.current.clone()))
    }

    /// The key that signs RS256 ID tokens, made on first use (only where the auth service
    /// runs).
    pub async fn rsa_signing_key(&self) -> Result<crate::tokens::RsaSigningKey, Error> {
        if let Some(key) = self.read(|l| l.keys.as_ref().and_then(|k| k.rsa.clone())) {
            return Ok(key);
        }
        let Source::Local { db, sealer, keep } = &self.0.source else {
            return Err(Error::internal(anyhow::anyhow!(
                "ID tokens are signed where the auth service runs"
            )));
        };
        let (sealer, keep) = (sealer.clone(), *keep);
        let set = db
            .run(move |conn| keys::ensure_rsa(conn, &sealer, keep))
            .await?;
        let key = set
            .rsa
            .clone()
            .ok_or_else(|| Error::internal(anyhow::anyhow!("the RSA key did not load")))?;
        self.install(set_loaded(&self.0, Some(set), None).map_err(Error::internal)?);
        Ok(key)
    }

    /// The published key set.
    pub fn jwks(&self) -> Arc<JwkSet> {
        self.read(|l| l.jwks.clone())
    }

    /// The principal of a valid access token whose session has not ended.
    pub async fn authenticate(&self, token: &str) -> Result<Principal, Error> {
        let principal = self.verified_principal(token).await?;
        if !principal.session_id.is_empty() && self.is_revoked(&principal.session_id) {
            return Err(errors::invalid_token(
                "the session has ended (signed out, revoked, or the account disabled)",
            ));
        }
        Ok(principal)
    }

    /// Whether a session is on the list of ended sessions. The list is re-read in the
    /// background every `auth.revocation_poll_secs` ([`Auth::poll_revocations`]), so a check
    /// never waits for the database or the issuer.
    pub fn is_revoked(&self, session_id: &str) -> bool {
        let digest = egov_core::digest::sha256_hex(session_id.as_bytes());
        match self.0.revoked.read() {
            Ok(r) => r.sessions.contains(&digest),
            Err(p) => p.into_inner().sessions.contains(&digest),
        }
    }

    /// Re-reads the list of ended sessions every `auth.revocation_poll_secs`, for ever (a
    /// background task of every process).
    pub async fn poll_revocations(self) {
        loop {
            self.reload_revoked().await;
            tokio::time::sleep(self.0.revocation_poll).await;
        }
    }

    /// The ended sessions' digests, from this process's database or the issuer.
    pub async fn revoked_sessions(&self) -> Result<Vec<String>, Error> {
        match &self.0.source {
            Source::Local { db, .. } => {
                let since = chrono::Utc::now().naive_utc() - self.0.revocation_window;
                let ids = db
                    .run(move |c| crate::sessions::revoked_since(c, since))
                    .await?;
                Ok(ids
                    .iter()
                    .map(|id| egov_core::digest::sha256_hex(id.as_bytes()))
                    .collect())
            }
            Source::Remote { client } => fetch_revoked(client, &self.0.issuer)
                .await
                .map_err(Error::internal),
        }
    }

    /// The window (seconds) of ended sessions published at `/auth/revoked-sessions`.
    pub fn revocation_window_secs(&self) -> u64 {
        u64::try_from(self.0.revocation_window.num_seconds()).unwrap_or_default()
    }

    async fn reload_revoked(&self) {
        let fresh = self.revoked_sessions().await;
        let mut guard = match self.0.revoked.write() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        match fresh {
            Ok(list) => guard.sessions = list.into_iter().collect(),
            // Keep the last list; the next poll tries again.
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the ended sessions; keeping the last list")
            }
        }
    }

    async fn verified_principal(&self, token: &str) -> Result<Principal, Error> {
        let signature = token.rsplit_once('.').map_or("", |(_, s)| s);
        let now = now_secs();
        if let Some(v) = self.0.verified.get(signature)
            && *v.token == *token
            && now <= v.exp.saturating_add(self.0.leeway)
        {
            return Ok(v.principal.clone());
        }
        let claims = self.verify(token, Purpose::Access).await?;
        let principal =
            principal(&claims).ok_or_else(|| errors::invalid_token("unknown kind or level"))?;
        if !signature.is_empty() {
            self.0.verified.insert(
                signature.into(),
                Arc::new(Verified {
                    token: token.into(),
                    principal: principal.clone(),
                    exp: claims.exp,
                }),
            );
        }
        Ok(principal)
    }

    /// The claims of a valid token for `purpose`; refused tokens are a 401 `invalid_token`.
    pub async fn verify(&self, token: &str, purpose: Purpose) -> Result<Claims, Error> {
        let (verifier, stale) = self.read(|l| {
            (
                l.verifier.clone(),
                l.at.is_none_or(|t| t.elapsed() > self.0.cache_for),
            )
        });
        if stale {
            self.reload(false).await;
            return self.verify_loaded(token, purpose);
        }
        match verifier.verify(token, purpose) {
            Err(TokenError::UnknownKey) => {
                self.reload(true).await;
                self.verify_loaded(token, purpose)
            }
            r => r.map_err(|e| errors::invalid_token(&e.to_string())),
        }
    }

    fn verify_loaded(&self, token: &str, purpose: Purpose) -> Result<Claims, Error> {
        self.read(|l| l.verifier.clone())
            .verify(token, purpose)
            .map_err(|e| errors::invalid_token(&e.to_string()))
    }

    /// Makes a new signing key; the old one stays published until its tokens expire.
    pub async fn rotate(&self) -> Result<String, Error> {
        let Source::Local { db, sealer, keep } = &self.0.source else {
            return Err(Error::internal(anyhow::anyhow!(
                "keys rotate where the auth service runs"
            )));
        };
        let (sealer, keep) = (sealer.clone(), *keep);
        let set = db
            .run(move |conn| keys::rotate(conn, &sealer, keep))
            .await?;
        let kid = set.current.kid().to_owned();
        self.install(set_loaded(&self.0, Some(set), None).map_err(Error::internal)?);
        Ok(kid)
    }

    fn read<T>(&self, f: impl FnOnce(&Loaded) -> T) -> T {
        match self.0.loaded.read() {
            Ok(g) => f(&g),
            Err(poisoned) => f(&poisoned.into_inner()),
        }
    }

    fn install(&self, loaded: Loaded) {
        match self.0.loaded.write() {
            Ok(mut g) => *g = loaded,
            Err(poisoned) => *poisoned.into_inner() = loaded,
        }
    }

    /// Reloads the keys; `forced` (an unknown kid) reloads at most every few seconds.
    async fn reload(&self, forced: bool) {
        let mut last = self.0.reload.lock().await;
        if let Some(t) = *last {
            let fresh = self.read(|l| l.at.is_some_and(|a| a.elapsed() < self.0.cache_for));
            if t.elapsed() < MIN_RELOAD_INTERVAL || (!forced && fresh) {
                return;
            }
        }
        *last = Some(Instant::now());
        let result = match &self.0.source {
            Source::Local { db, sealer, keep } => {
                let (sealer, keep) = (sealer.clone(), *keep);
                match db.run(move |conn| keys::load(conn, &sealer, keep)).await {
                    Ok(set) => set_loaded(&self.0, set, None),
                    Err(e) => Err(anyhow::anyhow!("{e}")),
                }
            }
            Source::Remote { client } => match fetch_jwks(client, &self.0.issuer).await {
                Ok(jwks) => set_loaded(&self.0, None, Some(jwks)),
                Err(e) => Err(e),
            },
        };
        match result {
            Ok(loaded) => self.install(loaded),
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), issuer = %self.0.issuer, "cannot load token keys; keeping the cached ones")
            }
        }
    }
}

impl Inner {
    fn new(settings: &Settings, source: Source) -> Self {
        Self {
            issuer: settings.issuer(),
            audience: settings.auth.audience.clone(),
            leeway: settings.auth.leeway_secs,
            cache_for: Duration::from_secs(settings.auth.jwks_cache_secs.max(1)),
            source,
            loaded: RwLock::new(Loaded {
                verifier: Arc::new(
                    Verifier::new(&JwkSet { keys: Vec::new() }, "", "", 0)
                        .unwrap_or_else(|_| unreachable!("an empty set is valid")),
                ),
                jwks: Arc::new(JwkSet { keys: Vec::new() }),
                keys: None,
                at: None,
            }),
            reload: tokio::sync::Mutex::new(None),
            verified: quick_cache::sync::Cache::new(VERIFIED_CACHE),
            revoked: RwLock::new(Revoked::default()),
            revocation_poll: Duration::from_secs(settings.auth.revocation_poll_secs.max(1)),
            revocation_window: chrono::Duration::seconds(
                i64::try_from(settings.auth.access_token_secs + settings.auth.leeway_secs)
                    .unwrap_or(i64::MAX / 1000),
            ),
        }
    }
}

fn set_loaded(inner: &Inner, keys: Option<KeySet>, jwks: Option<JwkSet>) -> anyhow::Result<Loaded> {
    let jwks = match (&keys, jwks) {
        (_, Some(j)) => j,
        (Some(set), None) => set.jwks(),
        (None, None) => JwkSet { keys: Vec::new() },
    };
    let verifier = Verifier::new(&jwks, &inner.issuer, &inner.audience, inner.leeway)?;
    Ok(Loaded {
        verifier: Arc::new(verifier),
        jwks: Arc::new(jwks),
        keys,
        at: Some(Instant::now()),
    })
}

async fn fetch_jwks(client: &reqwest::Client, issuer: &str) -> anyhow::Result<JwkSet> {
    #[derive(serde::Deserialize)]
    struct Discovery {
        issuer: String,
        jwks_uri: String,
    }
    let url = format!("{issuer}/.well-known/openid-configuration");
    let d: Discovery = client
        .get(&url)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    // OpenID Connect Discovery §4.3: the document must name the issuer we asked.
    if d.issuer != issuer {
        anyhow::bail!("{url} names issuer {}, not {issuer}", d.issuer);
    }
    let jwks: JwkSet = client
        .get(&d.jwks_uri)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(jwks)
}

/// The issuer's list of ended sessions (`GET <issuer>/revoked-sessions`).
async fn fetch_revoked(client: &reqwest::Client, issuer: &str) -> anyhow::Result<Vec<String>> {
    #[derive(serde::Deserialize)]
    struct List {
        sessions: Vec<String>,
    }
    let list: List = client
        .get(format!("{issuer}/revoked-sessions"))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(list.sessions)
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The principal an access token describes.
pub fn principal(c: &Claims) -> Option<Principal> {
    Some(Principal {
        subject: c.sub.clone(),
        kind: Kind::parse(&c.kind)?,
        roles: c.roles.clone(),
        agency: c.agency.clone(),
        aal: Aal::parse(&c.acr)?,
        session_id: c.sid.clone(),
        person: c.pid.clone(),
        business: c.bid.clone(),
    })
}

//! Signed-in pages: the web layer is an OpenID Connect client of the platform's own provider
//! (a backend-for-frontend). It runs the code flow with PKCE, keeps the tokens server side
//! (sealed in `web_sessions`) and gives the browser one random cookie (`__Host-egov_session`
//! over HTTPS: HttpOnly, SameSite=Lax, path `/`). A process serving pages needs only the
//! issuer URL and the deployment's keys, like the APIs.
//!
//! A page handler that needs a person takes [`SignedIn<P>`]: no session sends the browser to
//! sign in and back; a session below the policy's assurance level goes to a step-up sign-in
//! (`acr_values=aal2`) and back; another kind of account gets the "not allowed" page. Every
//! form a signed-in page posts carries the session's synchronizer token, which [`CsrfForm`]
//! checks before the handler runs.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use diesel::prelude::*;
use egov_auth::principal::policies;
use egov_auth::random;
use egov_auth::secrets::Sealer;
use egov_auth::{Auth, Policy, Principal};
use egov_core::{Db, Error};
use futures_util::future::LocalBoxFuture;
use serde::{Deserialize, Serialize};

use crate::page::Page;
use crate::see_other;

diesel::table! {
    web_sessions (id) {
        id -> Text,
        account_id -> Text,
        sealed -> Text,
        access_expires_at -> BigInt,
        created_at -> BigInt,
        last_seen_at -> BigInt,
        expires_at -> BigInt,
        refresh_claim -> Nullable<BigInt>,
    }
}

/// How long a process may hold a session's refresh before another may take it over (the
/// holder died mid-refresh): longer than a token request may take.
const CLAIM_SECS: i64 = 15;

use web_sessions as ws;

/// The `[web]` settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebSettings {
    /// The pages' client id at the provider (registered at start where auth runs here).
    pub client_id: String,
    /// A page session ends this long after sign-in at the latest (the provider's session
    /// usually ends it first).
    pub session_secs: u64,
    /// …or after this long without a page.
    pub session_idle_secs: u64,
    /// The map of a report's location page (`[web.map]`; none by default).
    #[serde(default)]
    pub map: crate::map::MapSettings,
}

/// What a session holds, sealed.
#[derive(Serialize, Deserialize)]
struct Tokens {
    access: String,
    refresh: String,
    /// The ID token, the hint for ending the provider's single-sign-on session.
    id: String,
    /// The account's display name, for the header.
    name: String,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tokens { .. }")
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = web_sessions)]
struct Row {
    id: String,
    account_id: String,
    sealed: String,
    access_expires_at: i64,
    created_at: i64,
    last_seen_at: i64,
    expires_at: i64,
}

/// A live page session.
#[derive(Debug, Clone)]
pub struct Live {
    pub principal: Principal,
    pub name: String,
    pub csrf: String,
    id: String,
    id_token: String,
    access_token: String,
}

/// The token endpoint's answer.
#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    refresh_token: String,
    expires_in: i64,
    id_token: Option<String>,
}

/// The web layer's OpenID Connect client and session store.
#[derive(Clone)]
pub struct SignIn(Arc<Inner>);

struct Inner {
    db: Db,
    auth: Auth,
    sealer: Sealer,
    /// MACs the session cookie into the token its forms carry.
    csrf_key: [u8; 32],
    client_secret: String,
    settings: WebSettings,
    public_url: String,
    secure: bool,
    http: reqwest::Client,
    /// One refresh at a time per session in this process (refresh tokens are single use).
    refreshing: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// The provider, when it runs in this process.
    provider: std::sync::OnceLock<egov_auth::Service>,
    /// Session rows read in the last [`ROW_CACHE`], so that a browser's burst of requests
    /// (a page, then its next page) reads the row once. Changes made here update or drop
    /// the entry; a sign-out in another process reaches this one through the provider's
    /// ended-sessions list (`auth.revocation_poll_secs`), which this does not lengthen
    /// by more than [`ROW_CACHE`].
    rows: Mutex<HashMap<String, (Row, std::time::Instant)>>,
}

/// How long a session row read from the database is used without reading it again.
const ROW_CACHE: std::time::Duration = std::time::Duration::from_secs(1);

/// At most this many rows are cached (a burst of more new sessions empties the cache).
const ROW_CACHE_ENTRIES: usize = 10_000;

impl std::fmt::Debug for SignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignIn")
            .field("client_id", &self.0.settings.client_id)
            .field("issuer", &self.0.auth.issuer())
            .finish()
    }
}

/// The pages' client secret and session key, derived from the deployment's keys.
pub fn client_secret(secrets: &egov_auth::secrets::Secrets) -> String {
    hex::encode(secrets.derive(b"egov-web client secret"))
}

fn unavailable(source: anyhow::Error) -> Error {
    Error::new(egov_core::error::codes::SERVICE_UNAVAILABLE)
        .retry_after(2)
        .source_error(source)
}

pub fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A path of this site to come back to: absolute path, no scheme or host, bounded.
pub fn safe_return(back: Option<&str>) -> String {
    match back {
        Some(b)
            if b.starts_with('/')
                && !b.starts_with("//")
                && !b.starts_with("/\\")
                && b.len() <= 512
                && !b.chars().any(|c| c.is_control() || c == '\\') =>
        {
            b.to_owned()
        }
        _ => "/my".to_owned(),
    }
}

/// The sign-in page's address for coming back to `back` (with a second factor when `aal2`).
pub fn signin_href(back: &str, aal2: bool) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    s.append_pair("return", back);
    if aal2 {
        s.append_pair("acr", "aal2");
    }
    format!("/signin?{}", s.finish())
}

impl SignIn {
    pub fn new(
        db: Db,
        auth: Auth,
        secrets: &egov_auth::secrets::Secrets,
        settings: WebSettings,
        public_url: String,
        secure: bool,
    ) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            // Idle connections go before the provider's keep-alive (actix-web's 5 s) ends them:
            // a code exchange (a POST, never retried) sent on a connection the provider was
            // closing failed the sign-in with a 503.
            .pool_idle_timeout(std::time::Duration::from_secs(3))
            .build()?;
        Ok(Self(Arc::new(Inner {
            db,
            auth,
            sealer: Sealer::new(&secrets.derive(b"egov-web sessions")),
            csrf_key: secrets.derive(b"egov-web form tokens"),
            client_secret: client_secret(secrets),
            settings,
            public_url: public_url.trim_end_matches('/').to_owned(),
            secure,
            http,
            refreshing: Mutex::new(HashMap::new()),
            provider: std::sync::OnceLock::new(),
            rows: Mutex::new(HashMap::new()),
        })))
    }

    pub fn client_id(&self) -> &str {
        &self.0.settings.client_id
    }

    pub fn issuer(&self) -> &str {
        self.0.auth.issuer()
    }

    pub fn public_url(&self) -> &str {
        &self.0.public_url
    }

    /// The redirect URI registered for the pages.
    pub fn redirect_uri(&self) -> String {
        format!("{}/signin/callback", self.0.public_url)
    }

    pub fn secure(&self) -> bool {
        self.0.secure
    }

    /// The session cookie's name: `__Host-` prefixed over HTTPS.
    pub fn session_cookie(&self) -> &'static str {
        if self.0.secure {
            "__Host-egov_session"
        } else {
            "egov_session"
        }
    }

    /// The cookie that binds the forms of pages shown before sign-in (registration) to the
    /// browser: a random value whose MAC is the forms' token.
    pub fn form_cookie(&self) -> &'static str {
        if self.0.secure {
            "__Host-egov_form"
        } else {
            "egov_form"
        }
    }

    /// The provider in this process, when there is one: the pages call its use cases directly
    /// (registration counts the browser's address, not the pages').
    pub fn local_provider(&self) -> Option<&egov_auth::Service> {
        self.0.provider.get()
    }

    /// Tells the pages that the provider runs in this process.
    pub fn set_local_provider(&self, service: egov_auth::Service) {
        let _ = self.0.provider.set(service);
    }

    /// The cookie that carries a sign-in in progress (state, nonce, PKCE verifier), sealed.
    pub fn pending_cookie(&self) -> &'static str {
        if self.0.secure {
            "__Host-egov_signin"
        } else {
            "egov_signin"
        }
    }

    pub fn cookie(
        &self,
        name: &'static str,
        value: String,
        max_age: Option<i64>,
    ) -> Cookie<'static> {
        let mut c = Cookie::build(name, value)
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.0.secure);
        if let Some(secs) = max_age {
            c = c.max_age(actix_web::cookie::time::Duration::seconds(secs));
        }
        c.finish()
    }

    pub fn removal(&self, name: &'static str) -> Cookie<'static> {
        let mut c = self.cookie(name, String::new(), None);
        c.make_removal();
        c
    }

    /// The token a session's forms carry: a MAC of its cookie, which only the browser and
    /// this server know (HttpOnly; another site cannot read it, so it cannot forge a form).
    pub fn csrf_for(&self, cookie: &str) -> String {
        hex::encode(random::mac(&self.0.csrf_key, &[b"csrf", cookie.as_bytes()]))
    }

    pub fn seal(&self, context: &str, plain: &[u8]) -> String {
        self.0.sealer.seal(context, plain)
    }

    pub fn open(&self, context: &str, sealed: &str) -> Option<Vec<u8>> {
        self.0.sealer.open(context, sealed).ok()
    }

    async fn token_request(&self, form: &[(&str, &str)]) -> Result<Option<TokenAnswer>, Error> {
        let res = self
            .0
            .http
            .post(format!("{}/token", self.issuer()))
            .basic_auth(&self.0.settings.client_id, Some(&self.0.client_secret))
            .form(form)
            .send()
            .await
            .map_err(|e| unavailable(anyhow::anyhow!("the token endpoint: {e}")))?;
        let status = res.status();
        if status.is_success() {
            return res
                .json::<TokenAnswer>()
                .await
                .map(Some)
                .map_err(|e| Error::internal(anyhow::anyhow!("the token endpoint's answer: {e}")));
        }
        if status.as_u16() == 400 {
            // invalid_grant: the code or refresh token is spent, expired or revoked.
            return Ok(None);
        }
        Err(unavailable(anyhow::anyhow!(
            "the token endpoint answered {status}"
        )))
    }

    /// Exchanges an authorization code and starts a page session; returns the cookie value.
    /// `None` when the provider refuses the code or the ID token is not for this sign-in.
    pub async fn finish(
        &self,
        code: &str,
        verifier: &str,
        nonce: &str,
    ) -> Result<Option<(String, Principal)>, Error> {
        let redirect = self.redirect_uri();
        let Some(answer) = self
            .token_request(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", &redirect),
                ("code_verifier", verifier),
            ])
            .await?
        else {
            return Ok(None);
        };
        // The tokens came straight from the token endpoint: the access token is verified like
        // any bearer token; the ID token's nonce and audience bind it to this sign-in.
        let id_token = answer.id_token.clone().unwrap_or_default();
        let Some(id) = id_claims(&id_token) else {
            return Ok(None);
        };
        if id.nonce.as_deref().map(str::as_bytes) != Some(nonce.as_bytes())
            || id.aud != self.0.settings.client_id
        {
            tracing::warn!("sign-in callback: the ID token's nonce or audience does not match");
            return Ok(None);
        }
        let principal = self.0.auth.authenticate(&answer.access_token).await?;
        if principal.subject != id.sub {
            return Ok(None);
        }
        let cookie = random::token();
        let now = now_secs();
        let tokens = Tokens {
            access: answer.access_token,
            refresh: answer.refresh_token,
            id: id_token,
            name: id.name.unwrap_or_default(),
        };
        let id_hash = random::digest(&cookie);
        let row = Row {
            sealed: self.seal_tokens(&id_hash, &tokens)?,
            id: id_hash,
            account_id: principal.subject.clone(),
            access_expires_at: now + answer.expires_in,
            created_at: now,
            last_seen_at: now,
            expires_at: now + i64::try_from(self.0.settings.session_secs).unwrap_or(43_200),
        };
        self.0
            .db
            .run(move |c| {
                // Sessions that ended are removed as new ones start.
                diesel::delete(ws::table.filter(ws::expires_at.le(now))).execute(c)?;
                diesel::insert_into(ws::table).values(&row).execute(c)?;
                Ok(())
            })
            .await?;
        Ok(Some((cookie, principal)))
    }

    fn seal_tokens(&self, id: &str, t: &Tokens) -> Result<String, Error> {
        let json = serde_json::to_vec(t).map_err(Error::internal)?;
        Ok(self.seal(&format!("web-session:{id}"), &json))
    }

    fn open_tokens(&self, id: &str, sealed: &str) -> Option<Tokens> {
        let plain = self.open(&format!("web-session:{id}"), sealed)?;
        serde_json::from_slice(&plain).ok()
    }

    fn rows(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Row, std::time::Instant)>> {
        self.0
            .rows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Keeps `row` as the session's latest state for [`ROW_CACHE`].
    fn remember(&self, row: &Row) {
        let mut rows = self.rows();
        if rows.len() >= ROW_CACHE_ENTRIES {
            rows.retain(|_, (_, at)| at.elapsed() < ROW_CACHE);
            if rows.len() >= ROW_CACHE_ENTRIES {
                rows.clear();
            }
        }
        rows.insert(row.id.clone(), (row.clone(), std::time::Instant::now()));
    }

    /// The session's row, from the cache when read less than [`ROW_CACHE`] ago.
    async fn load_recent(&self, id: &str) -> Result<Option<Row>, Error> {
        if let Some((row, at)) = self.rows().get(id)
            && at.elapsed() < ROW_CACHE
        {
            return Ok(Some(row.clone()));
        }
        let row = self.load(id).await?;
        match &row {
            Some(r) => self.remember(r),
            None => {
                self.rows().remove(id);
            }
        }
        Ok(row)
    }

    async fn load(&self, id: &str) -> Result<Option<Row>, Error> {
        let id = id.to_owned();
        self.0
            .db
            .run(move |c| {
                Ok(ws::table
                    .find(&id)
                    .select(Row::as_select())
                    .first(c)
                    .optional()?)
            })
            .await
    }

    /// Ends a page session here (the provider's is ended by the caller).
    pub async fn forget(&self, live: &Live) -> Result<(), Error> {
        self.delete(&live.id).await
    }

    async fn delete(&self, id: &str) -> Result<(), Error> {
        self.rows().remove(id);
        let id = id.to_owned();
        self.0
            .db
            .run(move |c| {
                diesel::delete(ws::table.find(&id)).execute(c)?;
                Ok(())
            })
            .await
    }

    /// The live session a cookie names, its access token refreshed when close to expiry;
    /// `None` when there is none (ended, idle too long, refused by the provider).
    pub async fn current(&self, cookie: &str) -> Result<Option<Live>, Error> {
        if cookie.len() != 43 {
            return Ok(None);
        }
        let id = random::digest(cookie);
        let Some(mut row) = self.load_recent(&id).await? else {
            return Ok(None);
        };
        let now = now_secs();
        let idle = i64::try_from(self.0.settings.session_idle_secs).unwrap_or(1800);
        if row.expires_at <= now || row.last_seen_at + idle <= now {
            self.delete(&id).await?;
            return Ok(None);
        }
        let Some(mut tokens) = self.open_tokens(&id, &row.sealed) else {
            self.delete(&id).await?;
            return Ok(None);
        };
        if row.access_expires_at - 30 <= now {
            match self.refresh(&id).await? {
                Some((r, t)) => {
                    self.remember(&r);
                    (row, tokens) = (r, t);
                }
                None => return Ok(None),
            }
        }
        let principal = match self.0.auth.authenticate(&tokens.access).await {
            Ok(p) => p,
            Err(e) if e.code().status == 401 => {
                // Ended at the provider (signed out elsewhere, revoked by an admin).
                self.delete(&id).await?;
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        if now - row.last_seen_at >= 60 {
            let id = id.clone();
            self.0
                .db
                .run(move |c| {
                    diesel::update(ws::table.find(&id))
                        .set(ws::last_seen_at.eq(now))
                        .execute(c)?;
                    Ok(())
                })
                .await?;
            row.last_seen_at = now;
            self.remember(&row);
        }
        Ok(Some(Live {
            principal,
            name: std::mem::take(&mut tokens.name),
            csrf: self.csrf_for(cookie),
            id,
            id_token: std::mem::take(&mut tokens.id),
            access_token: std::mem::take(&mut tokens.access),
        }))
    }

    /// Refreshes a session's tokens, once per session at a time in this process (a request
    /// that waited finds them refreshed by the one before it) and across processes (see
    /// [`SignIn::refresh_now`]).
    async fn refresh(&self, id: &str) -> Result<Option<(Row, Tokens)>, Error> {
        let lock = {
            let mut map = self
                .0
                .refreshing
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            map.entry(id.to_owned()).or_default().clone()
        };
        let result = {
            let _turn = lock.lock().await;
            self.refresh_now(id).await
        };
        let mut map = self
            .0
            .refreshing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if Arc::strong_count(&lock) <= 2 {
            map.remove(id);
        }
        result
    }

    /// The refresh itself. Several processes may serve one browser (replicas behind a load
    /// balancer), and its refresh token is single use: the provider takes a second use as
    /// theft and ends the session. So a process first claims the refresh in the session's
    /// row (a conditional update, the same on SQLite and PostgreSQL); one that finds it
    /// claimed waits for the new tokens to appear there instead of spending the old ones, and
    /// takes the claim over only when its holder let it lapse (died mid-refresh).
    async fn refresh_now(&self, id: &str) -> Result<Option<(Row, Tokens)>, Error> {
        let deadline = now_secs() + CLAIM_SECS + 5;
        loop {
            let Some(mut row) = self.load(id).await? else {
                return Ok(None);
            };
            let Some(mut tokens) = self.open_tokens(id, &row.sealed) else {
                self.delete(id).await?;
                return Ok(None);
            };
            let now = now_secs();
            if row.access_expires_at - 30 > now {
                return Ok(Some((row, tokens)));
            }
            if !self.claim(id, row.access_expires_at, now).await? {
                // Another process is refreshing: its tokens will be in the row shortly.
                if now > deadline {
                    return Err(unavailable(anyhow::anyhow!(
                        "a session's refresh stayed claimed by another process"
                    )));
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            }
            let answer = match self
                .token_request(&[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &tokens.refresh),
                ])
                .await
            {
                Ok(Some(answer)) => answer,
                Ok(None) => {
                    self.delete(id).await?;
                    return Ok(None);
                }
                Err(e) => {
                    // The provider did not answer: the old token is unspent; let the next
                    // request try again at once.
                    self.release(id).await?;
                    return Err(e);
                }
            };
            tokens.access = answer.access_token;
            tokens.refresh = answer.refresh_token;
            row.sealed = self.seal_tokens(id, &tokens)?;
            row.access_expires_at = now + answer.expires_in;
            let (rid, sealed, exp) = (id.to_owned(), row.sealed.clone(), row.access_expires_at);
            self.0
                .db
                .run(move |c| {
                    diesel::update(ws::table.find(&rid))
                        .set((
                            ws::sealed.eq(sealed),
                            ws::access_expires_at.eq(exp),
                            ws::refresh_claim.eq(None::<i64>),
                        ))
                        .execute(c)?;
                    Ok(())
                })
                .await?;
            return Ok(Some((row, tokens)));
        }
    }

    /// Claims the refresh of session `id` whose access token expires at `expires` (as read):
    /// `false` when another process holds a live claim or has refreshed it already.
    async fn claim(&self, id: &str, expires: i64, now: i64) -> Result<bool, Error> {
        let id = id.to_owned();
        self.0
            .db
            .run(move |c| {
                let n = diesel::update(
                    ws::table
                        .filter(ws::id.eq(&id))
                        .filter(ws::access_expires_at.eq(expires))
                        .filter(ws::refresh_claim.is_null().or(ws::refresh_claim.lt(now))),
                )
                .set(ws::refresh_claim.eq(now + CLAIM_SECS))
                .execute(c)?;
                Ok(n == 1)
            })
            .await
    }

    /// Gives a claimed refresh back without having refreshed.
    async fn release(&self, id: &str) -> Result<(), Error> {
        let id = id.to_owned();
        self.0
            .db
            .run(move |c| {
                diesel::update(ws::table.find(&id))
                    .set(ws::refresh_claim.eq(None::<i64>))
                    .execute(c)?;
                Ok(())
            })
            .await
    }

    /// GETs `path` of the provider's API (`/me/…`, relative to the issuer) as the signed-in
    /// person: the pages about the account use the same API as any client.
    pub async fn provider_get<T: serde::de::DeserializeOwned>(
        &self,
        live: &Live,
        path: &str,
    ) -> Result<T, Error> {
        let res = self
            .0
            .http
            .get(format!("{}{path}", self.issuer()))
            .bearer_auth(&live.access_token)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| unavailable(anyhow::anyhow!("the provider: {e}")))?;
        if !res.status().is_success() {
            return Err(unavailable(anyhow::anyhow!(
                "the provider answered {} to {path}",
                res.status()
            )));
        }
        res.json::<T>()
            .await
            .map_err(|e| Error::internal(anyhow::anyhow!("the provider's answer to {path}: {e}")))
    }

    /// Sends `method` to `path` of the provider's API as the signed-in person, with a JSON
    /// body or none. The status and the answer's JSON (a problem for a 4xx, `null` when there
    /// is no body); the provider unreachable or failing (5xx) is an error.
    pub async fn provider_send(
        &self,
        live: &Live,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<(reqwest::StatusCode, serde_json::Value), Error> {
        self.provider_call(Some(live), None, method, path, body)
            .await
    }

    /// Sends `method` to `path` of the provider's API as the signed-in person (or as nobody),
    /// asking for problems in `lang`. As [`SignIn::provider_send`].
    pub async fn provider_call(
        &self,
        live: Option<&Live>,
        lang: Option<&str>,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<(reqwest::StatusCode, serde_json::Value), Error> {
        let mut req = self
            .0
            .http
            .request(method, format!("{}{path}", self.issuer()))
            .header("accept", "application/json");
        if let Some(l) = live {
            req = req.bearer_auth(&l.access_token);
        }
        if let Some(l) = lang {
            req = req.header("accept-language", l);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        answer(req, path).await
    }

    /// Registers through the provider's API (when it runs in another process), forwarding the
    /// browser's address `ip` (the provider trusts it only from its `server.trusted_proxies`).
    /// The status and the answer's JSON; the provider unreachable or failing is an error.
    pub async fn provider_register(
        &self,
        request: &egov_auth::routes::login::RegisterRequest,
        ip: &str,
    ) -> Result<(u16, serde_json::Value), Error> {
        let mut req = self
            .0
            .http
            .post(format!("{}/register", self.issuer()))
            .header("accept", "application/json")
            .json(request);
        if !ip.is_empty() {
            req = req.header("x-forwarded-for", ip);
        }
        let (status, value) = answer(req, "/register").await?;
        Ok((status.as_u16(), value))
    }

    /// Ends the provider's session of `live` (its refresh token stops working at once).
    pub async fn end_at_provider(&self, live: &Live) {
        let res = self
            .0
            .http
            .post(format!("{}/logout", self.issuer()))
            .bearer_auth(&live.access_token)
            .send()
            .await;
        match res {
            Ok(r) if r.status().is_success() => {}
            Ok(r) => tracing::warn!(status = %r.status(), "sign-out: the provider refused"),
            Err(e) => tracing::warn!(error = %e, "sign-out: the provider is unreachable"),
        }
    }

    /// Where the browser goes to end the provider's single-sign-on session, then comes back
    /// to the home page.
    pub fn end_session_url(&self, live: &Live) -> String {
        let q = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("id_token_hint", &live.id_token)
            .append_pair(
                "post_logout_redirect_uri",
                &format!("{}/", self.0.public_url),
            )
            .finish();
        format!("{}/end-session?{q}", self.issuer())
    }
}

#[derive(Deserialize)]
struct IdClaims {
    sub: String,
    aud: String,
    nonce: Option<String>,
    name: Option<String>,
}

/// Sends a request to the provider's API: the status and the answer's JSON (a problem for a
/// 4xx, `null` when there is no body); the provider unreachable or failing (5xx) is an error.
async fn answer(
    req: reqwest::RequestBuilder,
    path: &str,
) -> Result<(reqwest::StatusCode, serde_json::Value), Error> {
    let res = req
        .send()
        .await
        .map_err(|e| unavailable(anyhow::anyhow!("the provider: {e}")))?;
    let status = res.status();
    if status.is_server_error() {
        return Err(unavailable(anyhow::anyhow!(
            "the provider answered {status} to {path}"
        )));
    }
    let text = res
        .text()
        .await
        .map_err(|e| unavailable(anyhow::anyhow!("the provider's answer to {path}: {e}")))?;
    let value = if text.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_str(&text)
            .map_err(|e| Error::internal(anyhow::anyhow!("the provider's answer to {path}: {e}")))?
    };
    Ok((status, value))
}

/// The claims of an ID token received straight from the token endpoint (OpenID Connect Core
/// §3.1.3.7: TLS to the token endpoint stands for the signature check).
fn id_claims(token: &str) -> Option<IdClaims> {
    let payload = token.split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

/// A page request by a signed-in account that satisfies `P` (any account when omitted).
#[derive(Debug)]
pub struct SignedIn<P: Policy = policies::SignedIn> {
    pub principal: Principal,
    /// The page, with the account's name and sign-out form in its header.
    pub page: Page,
    pub live: Live,
    _policy: PhantomData<P>,
}

impl<P: Policy> SignedIn<P> {
    /// The token every form of the page carries.
    pub fn csrf(&self) -> &str {
        &self.live.csrf
    }
}

impl<P: Policy> FromRequest for SignedIn<P> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let page = Page::of(&req).ok_or_else(|| {
                actix_web::error::ErrorInternalServerError("the web layer is not configured")
            })?;
            let Some(si) = page.web().sign_in().cloned() else {
                return Err(page.unavailable().into());
            };
            let back = req
                .uri()
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_owned();
            let go = |aal2: bool| -> actix_web::Error {
                // A form posted after the session ended comes back to its page, not the post.
                let back = if req.method() == actix_web::http::Method::GET {
                    back.clone()
                } else {
                    req.path().to_owned()
                };
                actix_web::error::InternalError::from_response(
                    "sign-in needed",
                    see_other(&signin_href(&back, aal2)),
                )
                .into()
            };
            let cookie = req.cookie(si.session_cookie());
            let Some(cookie) = cookie else {
                return Err(go(false));
            };
            let live = match si.current(cookie.value()).await {
                Ok(Some(l)) => l,
                Ok(None) => return Err(go(false)),
                Err(e) => return Err(page.error(&e).into()),
            };
            if let Err(e) = P::RULE.check(&live.principal) {
                if e.code() == egov_auth::errors::INSUFFICIENT_AAL {
                    return Err(go(true));
                }
                return Err(page.error(&e).into());
            }
            Ok(SignedIn {
                principal: live.principal.clone(),
                page: page.signed_in(&live.name, &live.csrf),
                live,
                _policy: PhantomData,
            })
        })
    }
}

/// A form posted by a signed-in page: its token is checked against the session cookie (see
/// [`SignIn::csrf_for`]; the handler's [`SignedIn`] checks the session itself) and the other
/// fields give `T`.
#[derive(Debug)]
pub struct CsrfForm<T>(pub T);

impl<T: serde::de::DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let page = Page::of(req);
        let expected = page.as_ref().and_then(|p| {
            let si = p.web().sign_in()?;
            // A signed-in page's form, or a form shown before sign-in (registration).
            let cookie = req
                .cookie(si.session_cookie())
                .or_else(|| req.cookie(si.form_cookie()))?;
            Some(si.csrf_for(cookie.value()))
        });
        let form = web::Form::<Vec<(String, String)>>::from_request(req, payload);
        Box::pin(async move {
            let page = page.ok_or_else(|| {
                actix_web::error::ErrorInternalServerError("the web layer is not configured")
            })?;
            let pairs = match form.await {
                Ok(f) => f.into_inner(),
                Err(_) => return Err(page.bad_form().into()),
            };
            let sent = pairs
                .iter()
                .find(|(k, _)| k == "csrf")
                .map(|(_, v)| v.as_str());
            let ok = match (&expected, sent) {
                (Some(e), Some(s)) => random::same(e.as_bytes(), s.as_bytes()),
                _ => false,
            };
            if !ok {
                return Err(page.expired_form().into());
            }
            let rest: Vec<&(String, String)> = pairs.iter().filter(|(k, _)| k != "csrf").collect();
            let encoded = serde_urlencoded::to_string(&rest).map_err(|_| page.bad_form())?;
            let value = serde_urlencoded::from_str::<T>(&encoded).map_err(|_| page.bad_form())?;
            Ok(CsrfForm(value))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_site_are_returned_to() {
        assert_eq!(
            safe_return(Some("/my/applications?x=1")),
            "/my/applications?x=1"
        );
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "javascript:alert(1)",
            "my",
            "/a\nb",
        ] {
            assert_eq!(safe_return(Some(bad)), "/my", "{bad}");
        }
        assert_eq!(safe_return(None), "/my");
        assert_eq!(safe_return(Some(&format!("/{}", "a".repeat(600)))), "/my");
    }

    #[test]
    fn signin_links_carry_the_way_back() {
        assert_eq!(
            signin_href("/my/applications?page=2", true),
            "/signin?return=%2Fmy%2Fapplications%3Fpage%3D2&acr=aal2"
        );
    }

    #[test]
    fn id_token_claims_are_read_from_the_payload() {
        let payload = URL_SAFE_NO_PAD.encode(br#"{"sub":"a","aud":"egov-web","nonce":"n"}"#);
        let c = id_claims(&format!("h.{payload}.s")).expect("claims");
        assert_eq!((c.sub.as_str(), c.aud.as_str()), ("a", "egov-web"));
        assert_eq!(c.nonce.as_deref(), Some("n"));
        assert!(id_claims("garbage").is_none());
    }
}

//! The auth service's logic, between the HTTP handlers and the store: sign-in with throttling
//! and lockout, second factors, sessions and tokens, account creation, and the audit of every
//! authentication event on the privacy access log's chain.

use std::sync::Arc;

use chrono::{Duration, Utc};
use egov_core::error::codes;
use egov_core::{CountryPacks, Db, Error, Settings};
use serde::Serialize;
use utoipa::ToSchema;

use crate::access_log::{AccessEntry, Action};
use crate::accounts::{self, AccountRow, NewAccount};
use crate::errors;
use crate::mfa;
use crate::password::{HashParams, PasswordHasher, PasswordPolicy};
use crate::principal::{Aal, Kind, Principal};
use crate::random;
use crate::secrets::Secrets;
use crate::sessions::{self, Refused, SessionRow};
use crate::tokens::{Claims, Purpose};
use crate::verify::Auth;

/// The client id of the first-party JSON login API.
pub const FIRST_PARTY_CLIENT: &str = "egov";

/// How long the second step of a JSON login may take.
const MFA_CHALLENGE_SECS: u64 = 300;

/// The auth service state shared by the handlers.
#[derive(Clone)]
pub struct Service(Arc<Inner>);

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("auth", &self.0.auth)
            .finish_non_exhaustive()
    }
}

struct Inner {
    auth: Auth,
    db: Db,
    secrets: Secrets,
    hasher: PasswordHasher,
    policy: PasswordPolicy,
    settings: Arc<Settings>,
    packs: Arc<CountryPacks>,
    /// A hash to verify against when the login name is unknown, so both cases take as long.
    dummy_hash: std::sync::OnceLock<String>,
    trusted: Vec<ipnet::IpNet>,
    /// Sign-ins since the last prune of stale throttle buckets, requests and tokens.
    since_prune: std::sync::atomic::AtomicU64,
    /// `egov_security_events_total{event}`: lockouts and throttles, for alerting.
    security: prometheus::IntCounterVec,
    /// The roles the platform's modules define (set once at start): officials get only these.
    known_roles: std::sync::OnceLock<Vec<&'static str>>,
}

/// Tokens handed out at sign-in and refresh.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenSet {
    /// The access token (a JWT); send it as `Authorization: Bearer <token>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Opaque, single use: exchange it at `POST /auth/refresh` for a new set.
    pub refresh_token: String,
    pub session_id: String,
    /// `aal1` or `aal2`.
    pub acr: Aal,
}

/// What a correct password leads to.
#[derive(Debug)]
pub enum SignIn {
    Done(Box<AccountRow>, SessionRow, String),
    /// A second factor is due: the challenge token carries the account for a few minutes.
    SecondFactor(Box<AccountRow>, String),
}

/// Where a request came from, for throttling and the audit.
#[derive(Debug, Clone)]
pub struct Origin {
    pub ip: String,
    pub request_id: Option<String>,
}

impl Service {
    pub fn new(
        settings: Arc<Settings>,
        db: Db,
        secrets: Secrets,
        auth: Auth,
        packs: Arc<CountryPacks>,
        security: prometheus::IntCounterVec,
    ) -> anyhow::Result<Self> {
        let p = &settings.auth.password;
        let hasher = PasswordHasher::new(HashParams {
            memory_kib: p.argon2_memory_kib,
            iterations: p.argon2_iterations,
            parallelism: p.argon2_parallelism,
        })
        .map_err(anyhow::Error::msg)?;
        let policy = PasswordPolicy {
            min_length: p.min_length,
            ..PasswordPolicy::default()
        };
        let trusted = settings.server.trusted_proxies();
        Ok(Self(Arc::new(Inner {
            auth,
            db,
            secrets,
            hasher,
            policy,
            settings,
            trusted,
            packs,
            dummy_hash: std::sync::OnceLock::new(),
            since_prune: std::sync::atomic::AtomicU64::new(0),
            security,
            known_roles: std::sync::OnceLock::new(),
        })))
    }

    /// The roles the platform's modules define (every module of the binary, served here or
    /// not, so common auth running alone still knows them). Set once, at start.
    pub fn set_known_roles(&self, roles: Vec<&'static str>) {
        let _ = self.0.known_roles.set(roles);
    }

    /// The roles officials may be given (`None`: not set, any well-formed name).
    pub fn known_roles(&self) -> Option<&[&'static str]> {
        self.0.known_roles.get().map(Vec::as_slice)
    }

    /// Where a request came from: the TCP peer, or the client named in `X-Forwarded-For`
    /// when the peer is one of `server.trusted_proxies`.
    pub fn origin(&self, req: &actix_web::HttpRequest) -> Origin {
        let peer = req
            .peer_addr()
            .map_or(std::net::IpAddr::from([0, 0, 0, 0]), |a| a.ip());
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        Origin {
            ip: egov_core::request::client_ip(peer, forwarded, &self.0.trusted).to_string(),
            request_id: egov_core::request::current_request().map(|c| c.request_id),
        }
    }

    /// A hash of a random password with the configured parameters, made at the first sign-in
    /// with an unknown name (not at start: hashing takes memory the idle process need not
    /// hold).
    async fn dummy_hash(&self) -> Result<String, Error> {
        if let Some(h) = self.0.dummy_hash.get() {
            return Ok(h.clone());
        }
        let h = self.0.hasher.hash_async(random::token()).await?;
        Ok(self.0.dummy_hash.get_or_init(|| h).clone())
    }

    pub fn auth(&self) -> &Auth {
        &self.0.auth
    }

    pub fn db(&self) -> &Db {
        &self.0.db
    }

    pub fn secrets(&self) -> &Secrets {
        &self.0.secrets
    }

    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }

    pub fn packs(&self) -> &CountryPacks {
        &self.0.packs
    }

    pub fn hasher(&self) -> &PasswordHasher {
        &self.0.hasher
    }

    /// Checks a new password against the policy, with the person's details as context.
    pub fn check_password(
        &self,
        field: &str,
        password: &str,
        context: &[&str],
    ) -> Result<(), Error> {
        // Whole values and their parts: "Kim Minji" and "kim.minji" also give "kim", "minji".
        let mut words: Vec<String> = Vec::new();
        for c in context {
            let lower = c.to_lowercase();
            words.push(lower.replace([' ', '.', '_', '-', '@'], ""));
            words.extend(
                lower
                    .split([' ', '.', '_', '-', '@'])
                    .filter(|w| w.chars().count() >= 3)
                    .map(str::to_owned),
            );
            words.push(lower);
        }
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        self.0
            .policy
            .check(password, &words)
            .map_err(|p| crate::password::refused(field, &p))
    }

    /// Records an authentication event on the access-log chain. Fails closed: an event that
    /// cannot be recorded fails the request.
    pub async fn audit(
        &self,
        origin: &Origin,
        actor: &str,
        subject_account: &str,
        action: Action,
        purpose: &str,
    ) -> Result<(), Error> {
        let entry = AccessEntry {
            actor: actor.to_owned(),
            source_ip: origin.ip.clone(),
            subject: self.0.secrets.index.account(subject_account),
            action,
            purpose: purpose.to_owned(),
            module: "auth".to_owned(),
            record_ref: None,
            request_id: origin.request_id.clone(),
        };
        crate::record(&self.0.db, entry).await.map(|_| ())
    }

    /// Creates an account; the password (if any) is checked and hashed off the async workers.
    pub async fn create_account(
        &self,
        mut new: NewAccount,
        password: Option<String>,
    ) -> Result<AccountRow, Error> {
        new.username = normalize_username(&new.username)?;
        if let Some(pw) = password {
            let context = [new.username.as_str(), new.display_name.as_str()];
            self.check_password("/password", &pw, &context)?;
            new.password_hash = Some(self.0.hasher.hash_async(pw).await?);
        }
        let id = uuid::Uuid::now_v7().to_string();
        self.0
            .db
            .run(move |conn| accounts::insert(conn, &id, &new))
            .await
    }

    /// Seals a national ID for one account and computes its blind index and masked form.
    pub fn seal_national_id(
        &self,
        account_id: &str,
        raw: &str,
    ) -> Result<(String, String, String), Error> {
        let id = self
            .0
            .packs
            .active()
            .parse_national_id(raw)
            .map_err(|e| Error::invalid_field("/national_id", e.text()))?;
        let sealed = self
            .0
            .secrets
            .sealer
            .seal(&format!("national-id:{account_id}"), id.expose().as_bytes());
        let index = self.0.secrets.index.national_id(&id).as_str().to_owned();
        Ok((sealed, index, id.masked().to_owned()))
    }

    /// Counts an unauthenticated attempt from a source address: after the hourly budget of
    /// `what`, `login_throttled` with `Retry-After` until the hour is over.
    pub async fn throttle(&self, origin: &Origin, what: Throttled) -> Result<(), Error> {
        let max = match what {
            Throttled::SignIn | Throttled::Unlock => {
                self.0.settings.auth.lockout.max_attempts_per_hour
            }
            Throttled::Registration => self.0.settings.auth.lockout.registrations_per_hour,
        };
        let max = i32::try_from(max).unwrap_or(i32::MAX);
        let key = format!("{}@{}", what.name(), origin.ip);
        let b = self
            .bucket_update(key, move |b, _| b.window_count += 1)
            .await?;
        if b.window_count <= max {
            return Ok(());
        }
        if b.window_count == max + 1 {
            tracing::warn!(event = what.name(), "source address throttled");
            self.0.security.with_label_values(&[what.event()]).inc();
        }
        let wait = (b.window_start + Duration::hours(1) - Utc::now().naive_utc())
            .num_seconds()
            .max(1);
        Err(Error::new(errors::LOGIN_THROTTLED).retry_after(u32::try_from(wait).unwrap_or(3600)))
    }

    /// Step one of a sign-in: throttles, locks, checks the password.
    pub async fn sign_in(
        &self,
        username: &str,
        password: String,
        device: Option<&str>,
        client_id: &str,
        want: Aal,
        origin: &Origin,
    ) -> Result<SignIn, Error> {
        self.maybe_prune();
        let username =
            normalize_username(username).map_err(|_| Error::new(errors::INVALID_CREDENTIALS))?;
        // Per source address: every attempt counts.
        self.throttle(origin, Throttled::SignIn).await?;
        // Per (login name, device or address): a known device (one that signed in before, with
        // its signed device token) has its own bucket, and an unknown one counts per source
        // address, so failures from elsewhere cannot lock the owner out.
        let known = device.and_then(|d| self.device_id(&username, d));
        let lock_key = match &known {
            Some(id) => format!("device:{id}"),
            None => name_bucket(&username, &origin.ip),
        };
        let db = self.0.db.clone();
        let (account, lock) = {
            let (name, key) = (username.clone(), lock_key.clone());
            let capped = known.is_none();
            db.run(move |conn| {
                let account = accounts::find_by_username(conn, &name)?;
                let mut lock = sessions::bucket(conn, &key)?;
                if let Some(a) = account.as_ref().filter(|_| capped) {
                    // The hourly failure cap of the account, over all unknown devices (a
                    // distributed guess); known devices keep signing in.
                    let cap = sessions::bucket(conn, &format!("account:{}", a.id))?;
                    if cap.is_some_and(|c| c.locked_until.is_some()) {
                        lock = match (lock, cap) {
                            (Some(l), Some(c)) if l.locked_until > c.locked_until => Some(l),
                            (_, c) => c,
                        };
                    }
                }
                Ok((account, lock))
            })
            .await?
        };
        let now = Utc::now().naive_utc();
        if let Some(secs) = lock.and_then(|b| b.locked_for(now)) {
            return Err(Error::with_detail(
                errors::LOGIN_LOCKED,
                egov_core::text!(
                    "detail-login-locked",
                    "sign-in is locked after repeated failures; try later or ask an administrator"
                ),
            )
            .retry_after(secs));
        }
        let phc = match account.as_ref().and_then(|a| a.password_hash.clone()) {
            Some(phc) => phc,
            None => self.dummy_hash().await?,
        };
        let ok = self
            .0
            .hasher
            .verify_async(password.clone(), phc.clone())
            .await?
            && account.as_ref().is_some_and(|a| a.password_hash.is_some());
        let Some(account) = account.filter(|_| ok) else {
            self.failed(&username, &lock_key, None, origin, Attempt::SignIn)
                .await?;
            return Err(Error::new(errors::INVALID_CREDENTIALS));
        };
        if !account.is_active() {
            self.failed(
                &username,
                &lock_key,
                Some(&account.id),
                origin,
                Attempt::SignIn,
            )
            .await?;
            return Err(Error::new(errors::INVALID_CREDENTIALS));
        }
        if lock.is_some_and(|b| b.failures > 0) {
            let key = lock_key.clone();
            self.bucket_update(key, |b, _| b.failures = 0).await?;
        }
        if self.0.hasher.needs_rehash(&phc) {
            let phc = self.0.hasher.hash_async(password).await?;
            let id = account.id.clone();
            self.0
                .db
                .run(move |conn| accounts::set_password(conn, &id, &phc))
                .await?;
        }
        if account.totp_enabled {
            let token = self.challenge_token(&account)?;
            return Ok(SignIn::SecondFactor(Box::new(account), token));
        }
        if want == Aal::Aal2 {
            return Err(Error::with_detail(
                errors::INSUFFICIENT_AAL,
                egov_core::text!(
                    "detail-needs-second-factor",
                    "this service needs a second factor, and the account has none enrolled yet: sign in elsewhere and enrol one (POST /auth/me/mfa/totp)"
                ),
            ));
        }
        let (session, refresh) = self.start_session(&account, client_id, Aal::Aal1).await?;
        self.audit(
            origin,
            &account.id,
            &account.id,
            Action::Login,
            "sign-in (password)",
        )
        .await?;
        Ok(SignIn::Done(Box::new(account), session, refresh))
    }

    /// Every `PRUNE_EVERY` sign-ins, removes stale throttle buckets (one per source address
    /// ever seen would otherwise accumulate), expired authorization requests and codes, and
    /// the refresh tokens of long-ended sessions, in the background.
    fn maybe_prune(&self) {
        const PRUNE_EVERY: u64 = 1000;
        let n = self
            .0
            .since_prune
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if n % PRUNE_EVERY != PRUNE_EVERY - 1 {
            return;
        }
        let db = self.0.db.clone();
        actix_web::rt::spawn(async move {
            match db.run(|c| sessions::prune(c, Duration::days(1))).await {
                Ok(p) => tracing::info!(?p, "auth tables pruned"),
                Err(e) => tracing::warn!(error = %e, "auth prune failed"),
            }
        });
    }

    /// Step two of a JSON sign-in: the challenge token and a TOTP or recovery code.
    pub async fn sign_in_second_factor(
        &self,
        challenge: &str,
        code: &str,
        client_id: &str,
        origin: &Origin,
    ) -> Result<(AccountRow, SessionRow, String), Error> {
        let claims = self
            .0
            .auth
            .verify(challenge, Purpose::MfaChallenge)
            .await
            .map_err(|_| {
                Error::with_detail(
                    errors::INVALID_GRANT,
                    egov_core::text!(
                        "detail-challenge-expired",
                        "the sign-in challenge is invalid or expired; sign in again"
                    ),
                )
            })?;
        let account = self.account(&claims.sub).await?;
        self.complete_second_factor(account, code, client_id, origin)
            .await
    }

    /// Checks the second factor of an account whose password was right, and starts an
    /// `aal2` session.
    pub async fn complete_second_factor(
        &self,
        account: AccountRow,
        code: &str,
        client_id: &str,
        origin: &Origin,
    ) -> Result<(AccountRow, SessionRow, String), Error> {
        self.guarded_second_factor(&account, code, origin, Attempt::SignIn)
            .await?;
        let (session, refresh) = self.start_session(&account, client_id, Aal::Aal2).await?;
        self.audit(
            origin,
            &account.id,
            &account.id,
            Action::Login,
            "sign-in (password and second factor)",
        )
        .await?;
        Ok((account, session, refresh))
    }

    /// Checks a second-factor code under the account's failure counter: the one guard of
    /// every place that accepts a code (the sign-in step, step-up, self-service unlock).
    /// `auth.lockout.max_failures` wrong codes lock second-factor checks of the account for
    /// `auth.lockout.lock_minutes` (a warning, a `lock` audit record and the
    /// `egov_security_events_total{event="second_factor_locked"}` metric); the failures also
    /// count towards the account's hourly cap.
    pub async fn guarded_second_factor(
        &self,
        account: &AccountRow,
        code: &str,
        origin: &Origin,
        attempt: Attempt,
    ) -> Result<(), Error> {
        let key = second_factor_bucket(&account.id);
        let lock = {
            let key = key.clone();
            self.0.db.run(move |c| sessions::bucket(c, &key)).await?
        };
        if let Some(secs) = lock.and_then(|b| b.locked_for(Utc::now().naive_utc())) {
            return Err(Error::with_detail(
                errors::LOGIN_LOCKED,
                egov_core::text!(
                    "detail-second-factor-locked",
                    "second-factor checks of this account are locked after repeated wrong codes; try later"
                ),
            )
            .retry_after(secs));
        }
        let ok =
            account.is_active() && code.len() <= 64 && self.second_factor(account, code).await?;
        if !ok {
            self.failed(&account.username, &key, Some(&account.id), origin, attempt)
                .await?;
            return Err(Error::new(errors::INVALID_SECOND_FACTOR));
        }
        if lock.is_some_and(|b| b.failures > 0) {
            self.bucket_update(key, |b, _| b.failures = 0).await?;
        }
        Ok(())
    }

    /// Checks a TOTP code (no replay) or a single-use recovery code.
    pub async fn second_factor(&self, account: &AccountRow, code: &str) -> Result<bool, Error> {
        let Some(sealed) = account
            .totp_secret_sealed
            .as_ref()
            .filter(|_| account.totp_enabled)
        else {
            return Ok(false);
        };
        let code = code.trim().replace([' ', '-'], "");
        let id = account.id.clone();
        if code.len() == usize::from(mfa::DIGITS) && code.bytes().all(|b| b.is_ascii_digit()) {
            let secret = self.open_totp(&account.id, sealed)?;
            let last = account.totp_last_step.and_then(|s| u64::try_from(s).ok());
            let Ok(step) = mfa::verify(&secret, &code, now_secs(), last) else {
                return Ok(false);
            };
            return self
                .0
                .db
                .run(move |conn| accounts::advance_totp_step(conn, &id, step))
                .await;
        }
        let hash = mfa::hash_recovery_code(&code);
        self.0
            .db
            .run(move |conn| accounts::use_recovery_code(conn, &id, &hash))
            .await
    }

    pub fn open_totp(&self, account_id: &str, sealed: &str) -> Result<Vec<u8>, Error> {
        self.0
            .secrets
            .sealer
            .open(&format!("totp:{account_id}"), sealed)
            .map_err(Error::internal)
    }

    async fn failed(
        &self,
        username: &str,
        lock_key: &str,
        account_id: Option<&str>,
        origin: &Origin,
        attempt: Attempt,
    ) -> Result<(), Error> {
        let lockout = self.0.settings.auth.lockout.clone();
        let max = i32::try_from(lockout.max_failures).unwrap_or(i32::MAX);
        let lock_for = Duration::minutes(i64::from(lockout.lock_minutes));
        let b = self
            .bucket_update(lock_key.to_owned(), move |b, now| {
                b.failures += 1;
                if b.failures >= max {
                    b.failures = 0;
                    b.locked_until = Some(now + lock_for);
                }
            })
            .await?;
        let subject = match account_id {
            Some(id) => id.to_owned(),
            None => self
                .account_id_for(username)
                .await?
                .unwrap_or_else(|| format!("name:{username}")),
        };
        let actor = match attempt {
            Attempt::StepUp => subject.as_str(),
            Attempt::SignIn | Attempt::Unlock => "anonymous",
        };
        self.audit(
            origin,
            actor,
            &subject,
            Action::LoginFailed,
            attempt.refused(),
        )
        .await?;
        if b.locked_until.is_some_and(|u| u > Utc::now().naive_utc()) && b.failures == 0 {
            let second_factor = lock_key.starts_with("mfa:");
            let event = if second_factor {
                "second_factor_locked"
            } else {
                "sign_in_locked"
            };
            tracing::warn!(
                bucket = %lock_key.split(':').next().unwrap_or(""),
                event,
                during = attempt.refused(),
                "lockout after repeated failures"
            );
            self.0.security.with_label_values(&[event]).inc();
            self.audit(
                origin,
                "system",
                &subject,
                Action::Lock,
                if second_factor {
                    "second-factor checks locked after repeated wrong codes"
                } else {
                    "sign-in locked after repeated failures"
                },
            )
            .await?;
        }
        if !subject.starts_with("name:") {
            let cap = i32::try_from(lockout.max_attempts_per_hour).unwrap_or(i32::MAX);
            let c = self
                .bucket_update(format!("account:{subject}"), move |b, now| {
                    b.window_count += 1;
                    if b.window_count >= cap {
                        b.locked_until =
                            Some(b.window_start + Duration::hours(1)).filter(|u| *u > now);
                    }
                })
                .await?;
            if c.window_count == cap {
                tracing::warn!(event = "hourly_cap", "account failure cap reached");
                self.0
                    .security
                    .with_label_values(&["hourly_cap_reached"])
                    .inc();
                self.audit(
                    origin,
                    "system",
                    &subject,
                    Action::Lock,
                    "hourly failure cap reached",
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn account_id_for(&self, username: &str) -> Result<Option<String>, Error> {
        Ok(self.account_by_name(username).await?.map(|a| a.id))
    }

    async fn account_by_name(&self, username: &str) -> Result<Option<AccountRow>, Error> {
        let name = username.to_owned();
        self.0
            .db
            .run(move |c| accounts::find_by_username(c, &name))
            .await
    }

    async fn bucket_update(
        &self,
        key: String,
        change: impl FnOnce(&mut sessions::Bucket, chrono::NaiveDateTime) + Send + Clone + 'static,
    ) -> Result<sessions::Bucket, Error> {
        let k = key.clone();
        let c = change.clone();
        match self
            .0
            .db
            .run(move |conn| sessions::update_bucket(conn, &k, c))
            .await
        {
            // Two first attempts raced to create the bucket: the second one updates it.
            Err(e) if e.code() == codes::CONFLICT => {
                self.0
                    .db
                    .run(move |conn| sessions::update_bucket(conn, &key, change))
                    .await
            }
            r => r,
        }
    }

    /// Clears every lock of an account: its login name from every address, its hourly cap and
    /// its second-factor counter. Returns how many were locked.
    async fn clear_locks(&self, account: &AccountRow) -> Result<usize, Error> {
        let keys = vec![
            format!("account:{}", account.id),
            second_factor_bucket(&account.id),
        ];
        let prefix = name_bucket(&account.username, "");
        self.0
            .db
            .run(move |conn| sessions::unlock(conn, &keys, &prefix))
            .await
    }

    /// Self-service unlock: the holder of an account with a second factor lifts a sign-in lock
    /// with a current code (checked under the second-factor counter, so it is no way around
    /// it). Answers the same for unknown names, accounts without a second factor and wrong
    /// codes.
    pub async fn self_unlock(
        &self,
        username: &str,
        code: &str,
        origin: &Origin,
    ) -> Result<(), Error> {
        let name =
            normalize_username(username).map_err(|_| Error::new(errors::INVALID_SECOND_FACTOR))?;
        let found = self.account_by_name(&name).await?;
        let Some(account) = found.filter(|a| a.totp_enabled && a.is_active()) else {
            // The same answer as a wrong code, after the same kind of work.
            let _ = mfa::hash_recovery_code(code);
            return Err(Error::new(errors::INVALID_SECOND_FACTOR));
        };
        self.guarded_second_factor(&account, code, origin, Attempt::Unlock)
            .await?;
        self.clear_locks(&account).await?;
        self.audit(
            origin,
            &account.id,
            &account.id,
            Action::Unlock,
            "unlocked by the account holder with a second factor",
        )
        .await
    }

    /// Clears the locks of an account (admin unlock) and audits it.
    pub async fn unlock(
        &self,
        admin: &Principal,
        account: &AccountRow,
        origin: &Origin,
    ) -> Result<usize, Error> {
        let n = self.clear_locks(account).await?;
        self.audit(
            origin,
            &admin.subject,
            &account.id,
            Action::Unlock,
            "unlocked by an administrator",
        )
        .await?;
        Ok(n)
    }

    /// What common auth tells a module about an account (the directory): whether it is an
    /// official of `agency` who may be given work (active, or invited and not yet signed in;
    /// not disabled). `false` for unknown accounts.
    pub async fn is_official_of(&self, account_id: &str, agency: &str) -> Result<bool, Error> {
        let id = account_id.to_owned();
        let found = self.0.db.run(move |c| accounts::find(c, &id)).await?;
        Ok(found.is_some_and(|a| {
            matches!(a.kind(), Kind::Officer | Kind::AgencyAdmin)
                && a.agency_id.as_deref() == Some(agency)
                && a.status != accounts::STATUS_DISABLED
        }))
    }

    /// Whether `account_id` is an official of `agency` who may be given work with `role`.
    pub async fn is_official_with_role(
        &self,
        account_id: &str,
        agency: &str,
        role: &str,
    ) -> Result<bool, Error> {
        let id = account_id.to_owned();
        let found = self.0.db.run(move |c| accounts::find(c, &id)).await?;
        Ok(found.is_some_and(|a| {
            matches!(a.kind(), Kind::Officer | Kind::AgencyAdmin)
                && a.agency_id.as_deref() == Some(agency)
                && a.status != accounts::STATUS_DISABLED
                && a.roles().iter().any(|r| r == role)
        }))
    }

    /// The directory's officials of `agency` with `role` who may be given work (not
    /// disabled), as (account id, name) by name; at most `limit`.
    pub async fn officials_with_role(
        &self,
        agency: &str,
        role: &str,
        limit: usize,
    ) -> Result<Vec<(String, String)>, Error> {
        self.officials_matching(agency, Some(role.to_owned()), limit)
            .await
    }

    /// The directory's officials of `agency` who may be given work (not disabled), as
    /// (account id, name) by name; at most `limit`.
    pub async fn officials(
        &self,
        agency: &str,
        limit: usize,
    ) -> Result<Vec<(String, String)>, Error> {
        self.officials_matching(agency, None, limit).await
    }

    async fn officials_matching(
        &self,
        agency: &str,
        role: Option<String>,
        limit: usize,
    ) -> Result<Vec<(String, String)>, Error> {
        let agency = agency.to_owned();
        let mut found = self
            .0
            .db
            .run(move |c| {
                let mut out = Vec::new();
                let mut after: Option<String> = None;
                loop {
                    let page = accounts::list_in_agency(c, &agency, 500, after.as_deref())?;
                    let last = page.last().map(|a| a.id.clone());
                    out.extend(
                        page.into_iter()
                            .filter(|a| {
                                matches!(a.kind(), Kind::Officer | Kind::AgencyAdmin)
                                    && a.status != accounts::STATUS_DISABLED
                                    && role.as_ref().is_none_or(|r| a.roles().contains(r))
                            })
                            .map(|a| (a.id, a.display_name)),
                    );
                    match last {
                        Some(l) if out.len() < limit => after = Some(l),
                        _ => return Ok::<_, Error>(out),
                    }
                }
            })
            .await?;
        found.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        found.truncate(limit);
        Ok(found)
    }

    /// The names of the accounts `ids` (unknown ids are left out), in one query.
    pub async fn names(
        &self,
        mut ids: Vec<String>,
    ) -> Result<std::collections::HashMap<String, String>, Error> {
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(std::collections::HashMap::new());
        }
        let found = self.0.db.run(move |c| accounts::names_of(c, &ids)).await?;
        Ok(found.into_iter().collect())
    }

    /// The access log about an account (its own key and its national ID's), newest first,
    /// with the name and agency of every official in it: what the person sees of who used
    /// their data.
    pub async fn access_log_of(
        &self,
        account_id: &str,
        before: Option<i64>,
        limit: i64,
    ) -> Result<
        (
            Vec<crate::access_log::Record>,
            std::collections::HashMap<String, (String, Option<String>)>,
        ),
        Error,
    > {
        let account = self.account(account_id).await?;
        let mut subjects = vec![self.secrets().index.account(&account.id)];
        if let Some(index) = &account.national_id_index {
            subjects.push(crate::access_log::SubjectKey::from_stored(index.clone()));
        }
        self.0
            .db
            .run(move |c| {
                let records = crate::store::for_subjects(c, &subjects, before, limit)?;
                let names = actor_names(c, &records);
                Ok((records, names))
            })
            .await
    }

    pub async fn account(&self, id: &str) -> Result<AccountRow, Error> {
        let id = id.to_owned();
        self.0.db.run(move |conn| accounts::get(conn, &id)).await
    }

    pub async fn start_session(
        &self,
        account: &AccountRow,
        client_id: &str,
        aal: Aal,
    ) -> Result<(SessionRow, String), Error> {
        let id = account.id.clone();
        let client = client_id.to_owned();
        let amr: &'static [&'static str] = match aal {
            Aal::Aal1 => &["pwd"],
            Aal::Aal2 => &["pwd", "otp"],
        };
        let lifetime = secs(self.0.settings.auth.session_secs);
        self.0
            .db
            .run(move |conn| sessions::create(conn, &id, &client, aal, amr, lifetime))
            .await
    }

    /// A new token set for a session.
    pub fn tokens(
        &self,
        account: &AccountRow,
        session: &SessionRow,
        refresh: String,
    ) -> Result<TokenSet, Error> {
        let access_token = self.access_token(account, session)?;
        Ok(TokenSet {
            access_token,
            token_type: "Bearer",
            expires_in: self.0.settings.auth.access_token_secs,
            refresh_token: refresh,
            session_id: session.id.clone(),
            acr: session.aal(),
        })
    }

    pub fn access_token(
        &self,
        account: &AccountRow,
        session: &SessionRow,
    ) -> Result<String, Error> {
        let mut claims = self.claims(
            account,
            Purpose::Access,
            self.0.settings.auth.access_token_secs,
        );
        claims.roles = account.roles();
        claims.acr = session.aal().as_str().to_owned();
        claims.sid = session.id.clone();
        claims.auth_time = u64::try_from(session.auth_time.and_utc().timestamp()).ok();
        claims.amr = session.amr();
        claims.pid = account.national_id_index.clone();
        claims.bid = account.business_id.clone();
        self.sign(&claims)
    }

    /// A token for another purpose (invitation, password reset, MFA challenge): no roles, no
    /// session.
    pub fn purpose_token(
        &self,
        account: &AccountRow,
        purpose: Purpose,
        lifetime_secs: u64,
    ) -> Result<String, Error> {
        self.sign(&self.claims(account, purpose, lifetime_secs))
    }

    fn claims(&self, account: &AccountRow, purpose: Purpose, lifetime_secs: u64) -> Claims {
        let now = now_secs();
        Claims {
            iss: self.0.auth.issuer().to_owned(),
            sub: account.id.clone(),
            aud: self.0.auth.audience().to_owned(),
            exp: now + lifetime_secs,
            nbf: now,
            iat: now,
            jti: uuid::Uuid::now_v7().to_string(),
            purpose,
            kind: account.kind.clone(),
            roles: Vec::new(),
            agency: account.agency_id.clone(),
            acr: Aal::Aal1.as_str().to_owned(),
            sid: String::new(),
            auth_time: None,
            amr: Vec::new(),
            pid: None,
            bid: None,
        }
    }

    fn challenge_token(&self, account: &AccountRow) -> Result<String, Error> {
        self.purpose_token(account, Purpose::MfaChallenge, MFA_CHALLENGE_SECS)
    }

    pub fn sign<C: Serialize>(&self, claims: &C) -> Result<String, Error> {
        self.0
            .auth
            .signing_key()
            .ok_or_else(|| Error::internal(anyhow::anyhow!("no signing key loaded")))?
            .sign(claims)
            .map_err(Error::internal)
    }

    /// Exchanges a refresh token; reuse revokes the family and is audited.
    pub async fn refresh(
        &self,
        token: String,
        origin: &Origin,
    ) -> Result<(AccountRow, SessionRow, String), Error> {
        let idle = secs(self.0.settings.auth.session_idle_secs);
        let outcome = self
            .0
            .db
            .run(move |conn| sessions::rotate(conn, &token, idle))
            .await?;
        match outcome {
            Ok((session, next)) => {
                let account = self.account(&session.account_id).await?;
                if !account.is_active() {
                    let id = session.id.clone();
                    self.0
                        .db
                        .run(move |c| sessions::revoke(c, &id, "account disabled"))
                        .await?;
                    return Err(invalid_grant("the account is disabled"));
                }
                Ok((account, session, next))
            }
            Err(Refused::Reused { account_id, .. }) => {
                tracing::warn!("refresh token reused: session revoked");
                self.audit(
                    origin,
                    "system",
                    &account_id,
                    Action::SessionRevoke,
                    "refresh token reused: the session's tokens are revoked",
                )
                .await?;
                Err(invalid_grant(
                    "the refresh token was already used; the session is ended",
                ))
            }
            Err(Refused::Unknown | Refused::Ended) => Err(invalid_grant(
                "the refresh token is unknown, expired or revoked",
            )),
        }
    }

    /// The device token given after a successful sign-in: binds a login name to a random
    /// device id, MAC'd, so lockout of the name from elsewhere does not lock this device.
    pub fn device_token(&self, username: &str) -> String {
        let mut id = [0u8; 16];
        random::fill(&mut id);
        let id = hex::encode(id);
        let mac = random::mac(
            &self.0.secrets.mac_key,
            &[b"device", username.as_bytes(), id.as_bytes()],
        );
        format!("{id}.{}", hex::encode(mac))
    }

    fn device_id(&self, username: &str, token: &str) -> Option<String> {
        let (id, mac) = token.split_once('.')?;
        let expected = random::mac(
            &self.0.secrets.mac_key,
            &[b"device", username.as_bytes(), id.as_bytes()],
        );
        let given = hex::decode(mac).ok()?;
        random::same(&given, &expected).then(|| id.to_owned())
    }

    /// Creates the one-time setup token on an installation without platform admins.
    pub async fn setup_token_if_empty(&self) -> Result<Option<String>, Error> {
        let db = self.0.db.clone();
        db.run(crate::bootstrap::setup_token_if_empty).await
    }
}

/// What a failed second-factor or password attempt was part of (for the audit record).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    SignIn,
    StepUp,
    Unlock,
}

impl Attempt {
    fn refused(self) -> &'static str {
        match self {
            Self::SignIn => "sign-in refused",
            Self::StepUp => "step-up refused",
            Self::Unlock => "self-service unlock refused",
        }
    }
}

/// What an address's hourly budget is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttled {
    SignIn,
    Unlock,
    Registration,
}

impl Throttled {
    fn name(self) -> &'static str {
        match self {
            Self::SignIn => "ip",
            Self::Unlock => "unlock",
            Self::Registration => "register",
        }
    }

    fn event(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in_throttled",
            Self::Unlock => "unlock_throttled",
            Self::Registration => "registration_throttled",
        }
    }
}

/// The lock bucket of a login name tried from one source address (`ip` empty: the prefix of
/// all of them).
fn name_bucket(username: &str, ip: &str) -> String {
    format!("name:{username}@{ip}")
}

/// The failure counter of an account's second factor.
fn second_factor_bucket(account_id: &str) -> String {
    format!("mfa:{account_id}")
}

pub fn invalid_grant(detail: &str) -> Error {
    Error::with_detail(errors::INVALID_GRANT, detail).oauth_error("invalid_grant")
}

pub fn normalize_username(raw: &str) -> Result<String, Error> {
    let name = raw.trim().to_lowercase();
    let ok = (3..=64).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(name)
    } else {
        Err(Error::invalid_field(
            "/username",
            egov_core::text!(
                "detail-username",
                "3 to 64 characters: letters, digits, `.`, `_`, `-`, `@`"
            ),
        ))
    }
}

pub fn now_secs() -> u64 {
    u64::try_from(Utc::now().timestamp()).unwrap_or_default()
}

pub fn secs(n: u64) -> Duration {
    Duration::seconds(i64::try_from(n).unwrap_or(i64::MAX / 1000))
}

/// Kinds an account can be created as through each path.
pub fn invitable(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Officer | Kind::AgencyAdmin | Kind::Auditor | Kind::PlatformAdmin
    )
}

/// The officials who acted in `records`: account id to name and agency name (accounts since
/// removed are left out).
pub(crate) fn actor_names(
    c: &mut egov_core::DbConnection,
    records: &[crate::access_log::Record],
) -> std::collections::HashMap<String, (String, Option<String>)> {
    let mut names = std::collections::HashMap::new();
    for r in records {
        let actor = &r.entry.actor;
        if names.contains_key(actor) {
            continue;
        }
        let Ok(a) = accounts::get(c, actor) else {
            continue;
        };
        let agency = match &a.agency_id {
            Some(id) => accounts::get_agency(c, id).ok().map(|g| g.name),
            None => None,
        };
        names.insert(actor.clone(), (a.display_name, agency));
    }
    names
}

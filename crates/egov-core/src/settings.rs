//! Typed settings, layered as `config/default.toml` → `config/<environment>.toml` →
//! `EGOV__SECTION__KEY` environment variables.
//!
//! Every struct denies unknown fields, so a typo in a file or a variable is an error that names
//! the key instead of a silently ignored setting. Secrets (the database URL may carry a password)
//! are wrapped so that neither `Debug` nor logs can show them.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// The environment variable that selects `config/<environment>.toml`.
pub const ENVIRONMENT_VAR: &str = "EGOV_ENVIRONMENT";

/// All settings of one egov process: the platform's sections, typed here, and the modules'
/// own sections, which each module types and checks itself (`Settings::section`). A section
/// that is neither is refused by [`Settings::check_sections`], which the server calls with
/// the sections of the modules it is built with.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub log: LogSettings,
    pub tracing: TracingSettings,
    pub country: CountrySettings,
    pub auth: AuthSettings,
    pub exchange: ExchangeSettings,
    pub audit: AuditSettings,
    /// The modules' sections (`[tax]`, `[petition]`, …), as loaded: each module reads its own
    /// with [`Settings::section`].
    #[serde(flatten)]
    pub modules: std::collections::BTreeMap<String, serde_json::Value>,
    /// Every setting in force as `(dotted.key, value)`, secrets hidden ([`redacted_pairs`]):
    /// what operators and the admin console may see.
    #[serde(skip)]
    pub in_force: Vec<(String, String)>,
}

/// Anchoring of the hash-chained trails (`[audit]`): signed heads written outside the
/// database (see `egov_core::anchor`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSettings {
    /// The write-once sink: signed anchors appended as JSON lines. Ship it off the machine
    /// (append-only or WORM storage) as it grows.
    pub anchor_file: PathBuf,
    /// How often `egov serve` anchors every trail whose head moved, in seconds.
    pub anchor_interval_secs: u64,
    /// The anchoring key (Ed25519 seed, 64 hex digits), from `EGOV__AUDIT__ANCHOR_KEY`.
    /// Never in the database.
    #[serde(default)]
    pub anchor_key: Option<Secret>,
    /// Where the anchoring key is kept when not given through the environment.
    pub anchor_key_file: PathBuf,
    /// Create `anchor_key_file` when missing (local development; production gives the key).
    pub generate_anchor_key: bool,
    /// Public keys (64 hex digits) whose anchors `egov audit verify` accepts, besides this
    /// machine's own: keep the earlier keys here after a rotation.
    #[serde(default)]
    pub anchor_public_keys: Vec<String>,
    /// A peer member's countersigning service (`INSTANCE/CLASS/MEMBER/auth/anchor-countersign`):
    /// every batch of new anchors is also sent there through the exchange. Empty: none.
    #[serde(default)]
    pub countersign_service: String,
}

/// The data exchange (`[exchange]`): this deployment's member identity, the provider's checks,
/// the client's transport and the event outbox.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeSettings {
    /// This deployment's X-Road member, `INSTANCE/CLASS/MEMBER`; each module is one of its
    /// subsystems. Empty: `<COUNTRY>/GOV/EGOV`.
    pub member: String,
    /// Human-readable name of the member, published in the member list.
    pub member_name: String,
    /// Requests whose timestamp is further than this from the provider's clock are refused.
    pub max_clock_skew_secs: u64,
    /// How long a message id is remembered per client (must cover twice the skew).
    pub replay_window_secs: u64,
    /// The member that holds the consent ledger; empty: this one.
    pub consent_ledger: String,
    /// How long a rotated-out key stays published and accepted.
    pub key_overlap_secs: u64,
    /// Client transport: the whole call's timeout.
    pub timeout_ms: u64,
    /// Client transport: extra attempts after a failure that left the request unprocessed.
    pub retries: u32,
    /// Circuit breaker: consecutive failures that open it for one provider member.
    pub breaker_failures: u32,
    /// Circuit breaker: how long it stays open before one trial call.
    pub breaker_cooldown_secs: u64,
    /// Outbox: how often due deliveries are looked for.
    pub outbox_poll_ms: u64,
    /// Outbox: attempts before a delivery goes to the dead-letter list.
    pub outbox_max_attempts: u32,
    /// Outbox: the first retry's delay; each later one doubles it (capped at an hour).
    pub outbox_backoff_ms: u64,
    /// Modules apart: the processes serving this member's subsystems that this process does
    /// not serve, as subsystem → base URL (`tax = "http://egov-tax:8080"`). A call to such a
    /// subsystem goes to that process's gateway; one to a subsystem neither served here nor
    /// named here is refused with 503 (and a module that needs it refuses to start).
    #[serde(default)]
    pub subsystems: std::collections::BTreeMap<String, String>,
    /// Behind an X-Road Security Server: the addresses or networks (`10.20.0.5`,
    /// `10.20.0.0/24`) of the Security Servers that deliver requests to this process. A request
    /// from one of them that carries no `X-Egov-Signature` is an X-Road Message Protocol for
    /// REST request whose client the Security Server has already authenticated, signed and
    /// logged: egov reads `X-Road-Client` (a member or a subsystem) and `X-Road-Id`, and answers
    /// refusals with X-Road's error body. Signed requests are checked as always. Empty: off.
    #[serde(default)]
    pub security_servers: Vec<String>,
}

impl ExchangeSettings {
    /// `security_servers`, parsed (checked at load).
    pub fn security_servers(&self) -> Vec<ipnet::IpNet> {
        self.security_servers
            .iter()
            .filter_map(|p| parse_net(p).ok())
            .collect()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Address and port to listen on.
    pub bind: SocketAddr,
    /// Worker threads; 0 means one per CPU core.
    pub workers: usize,
    /// Seconds that in-flight requests get to finish after SIGTERM.
    pub shutdown_timeout_secs: u64,
    /// Largest accepted request body, in bytes (routes not in `body_limits`).
    pub max_body_bytes: usize,
    /// Larger (or smaller) body limits of single routes, by route template
    /// (`"/petition/v1/applications/{id}/attachments" = 10486784`).
    #[serde(default)]
    pub body_limits: std::collections::HashMap<String, usize>,
    /// Modules to serve; empty means every registered module.
    pub modules: Vec<String>,
    /// Every module of the deployment when its modules run in several processes (each serving
    /// some, an ingress routing each module's paths to its processes): the portal's links (the
    /// home page, "My page", the officials' work list) and their texts come from these, so
    /// every process links to every module. Empty: the modules this process serves.
    #[serde(default)]
    pub deployment_modules: Vec<String>,
    /// Public base URL, used in printed links; defaults to `http://<bind>`.
    pub public_url: Option<String>,
    /// Log one structured line per request.
    pub access_log: bool,
    /// Addresses or networks (`10.0.0.0/8`) of the reverse proxies in front of egov. A request
    /// from one of them is attributed to the address its `X-Forwarded-For` names (the last hop
    /// that is not itself trusted); from anyone else the header is ignored.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    /// Send `Strict-Transport-Security` (HTTPS only, for a year, subdomains included). On in
    /// production, where egov is only reached over HTTPS.
    pub hsts: bool,
    /// A bearer token `/metrics` requires (`Authorization: Bearer <token>`); give it through
    /// `EGOV__SERVER__METRICS_TOKEN`. Unset: `/metrics` is open only if `metrics_public`.
    #[serde(default)]
    pub metrics_token: Option<Secret>,
    /// Serve `/metrics` without a token (local development, or a monitoring-only network).
    pub metrics_public: bool,
}

impl ServerSettings {
    /// `trusted_proxies`, parsed (checked at load).
    pub fn trusted_proxies(&self) -> Vec<ipnet::IpNet> {
        self.trusted_proxies
            .iter()
            .filter_map(|p| parse_net(p).ok())
            .collect()
    }
}

fn parse_net(s: &str) -> Result<ipnet::IpNet, String> {
    let s = s.trim();
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("server.trusted_proxies: `{s}` is not an address or a network"))
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://path/to/file.db` or `postgres://user:password@host:port/database`.
    pub url: DatabaseUrl,
    /// Largest number of pooled connections (SQLite: readers; writes serialize anyway).
    pub pool_size: u32,
    /// Seconds to wait for a pooled connection before answering 503.
    pub acquire_timeout_secs: u64,
    /// Milliseconds SQLite waits on a locked database before reporting busy.
    pub sqlite_busy_timeout_ms: u64,
    /// SQLite `synchronous`: `full` (the default: an acknowledged write survives a power
    /// loss) or `normal` (faster; survives a crash of egov, not of the machine).
    pub sqlite_synchronous: SqliteSynchronous,
}

/// How hard SQLite pushes each commit to the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SqliteSynchronous {
    /// Every commit is on the disk before it is acknowledged.
    Full,
    /// Commits reach the disk at checkpoints: a power loss can undo the latest ones.
    Normal,
}

impl SqliteSynchronous {
    pub fn pragma(self) -> &'static str {
        match self {
            Self::Full => "FULL",
            Self::Normal => "NORMAL",
        }
    }
}

impl fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &self.url)
            .field("pool_size", &self.pool_size)
            .field("acquire_timeout_secs", &self.acquire_timeout_secs)
            .field("sqlite_busy_timeout_ms", &self.sqlite_busy_timeout_ms)
            .field("sqlite_synchronous", &self.sqlite_synchronous)
            .finish()
    }
}

/// A database URL that may hold a password: `Debug` and `Display` redact it.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct DatabaseUrl(SecretString);

impl DatabaseUrl {
    pub fn new(url: impl Into<String>) -> Self {
        Self(SecretString::from(url.into()))
    }

    /// The full URL, password included. Only the connection code should call this.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// The URL with any password replaced by `***`, safe to log or print.
    pub fn redacted(&self) -> String {
        redact_url(self.expose())
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// What a hidden setting shows instead of its value.
pub const HIDDEN: &str = "(set, hidden)";

/// Whether a setting's name says it holds a secret (`password`, `…_secret`, `…_key`,
/// `…_token`, `…_seed`; not `…_keys`, `…_file` or `…_secs`).
pub fn is_secret(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["password", "secret", "key", "token", "seed"]
        .iter()
        .any(|w| n == *w || n.ends_with(&format!("_{w}")))
}

/// Settings as `(dotted.key, value)` in key order: secrets hidden (empty ones shown as
/// empty), passwords in URLs replaced.
pub fn redacted_pairs(raw: &serde_json::Value) -> Vec<(String, String)> {
    fn walk(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
        let name = prefix.rsplit('.').next().unwrap_or(prefix);
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, v, out);
                }
            }
            _ if is_secret(name) => {
                let empty = v.is_null() || v.as_str().is_some_and(str::is_empty);
                out.push((
                    prefix.to_owned(),
                    if empty {
                        String::new()
                    } else {
                        HIDDEN.to_owned()
                    },
                ));
            }
            serde_json::Value::String(s) => out.push((prefix.to_owned(), redact_value(s))),
            serde_json::Value::Array(items) => {
                let shown: Vec<String> = items
                    .iter()
                    .map(|i| match i {
                        serde_json::Value::String(s) => redact_value(s),
                        other => other.to_string(),
                    })
                    .collect();
                out.push((prefix.to_owned(), shown.join(", ")));
            }
            serde_json::Value::Null => out.push((prefix.to_owned(), String::new())),
            other => out.push((prefix.to_owned(), other.to_string())),
        }
    }
    let mut out = Vec::new();
    walk("", raw, &mut out);
    out.sort();
    out
}

/// A setting's text with the password of a URL in it replaced (other text as it is).
fn redact_value(raw: &str) -> String {
    if raw.contains("://") {
        redact_url(raw)
    } else {
        raw.to_owned()
    }
}

fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut parsed) if parsed.password().is_some() => {
            // Setting a password only fails for URLs that cannot have one; we checked it has one.
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => raw.to_owned(),
        // Unparseable: show only the scheme, since we cannot tell where a password would be.
        Err(_) => match raw.split_once("://") {
            Some((scheme, _)) => format!("{scheme}://***"),
            None => "***".to_owned(),
        },
    }
}

/// Distributed tracing (`[tracing]`): OpenTelemetry spans exported over OTLP/HTTP.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TracingSettings {
    /// The collector's OTLP/HTTP address (`http://otel-collector:4318`; `/v1/traces` is
    /// added). Empty: no spans are made or exported, and `traceparent` is not read.
    pub otlp_endpoint: String,
    /// `service.name` of this process's spans (one per module group when modules run apart).
    pub service_name: String,
    /// The share of traces started here that are kept (0.0 to 1.0); a caller's sampled flag
    /// (`traceparent`) decides for the traces it started.
    pub sample_ratio: f64,
    /// How long one export to the collector may take.
    pub export_timeout_ms: u64,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One JSON object per line, for collectors.
    Json,
    /// Human-readable lines, for a terminal.
    Pretty,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    /// A `tracing` filter directive such as `info` or `egov_core=debug,info`.
    pub level: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountrySettings {
    /// The country pack this deployment serves (`kr`, `py`, ...).
    pub code: String,
    /// Directory that holds one sub-directory per country pack.
    pub packs_dir: PathBuf,
}

/// Common auth: token issuer, lifetimes, password hashing, lockout, and the deployment secrets.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// The issuer URL tokens carry (`iss`) and modules trust. Empty: `<public_url>/auth`, the
    /// auth service of this process. A process that does not serve the auth module must name
    /// the issuer here: it fetches the issuer's keys from `<issuer>/jwks`.
    pub issuer: String,
    /// The audience (`aud`) of access tokens for egov APIs.
    pub audience: String,
    /// Lifetime of access tokens, in seconds.
    pub access_token_secs: u64,
    /// Absolute lifetime of a session and its refresh tokens, in seconds.
    pub session_secs: u64,
    /// A session unused for this long ends (its refresh token is refused), in seconds.
    pub session_idle_secs: u64,
    /// Lifetime of an authorization code, in seconds (single use either way).
    pub authorization_code_secs: u64,
    /// Lifetime of invitation and password-reset tokens, in seconds.
    pub invitation_secs: u64,
    /// Clock skew tolerated on `exp` and `nbf`, in seconds.
    pub leeway_secs: u64,
    /// How long a fetched JWKS is trusted before it is fetched again, in seconds.
    pub jwks_cache_secs: u64,
    /// How often every process re-reads the list of ended sessions (logout, revocation,
    /// disabled accounts), in seconds: the longest an ended session's access token keeps
    /// working (1–30).
    pub revocation_poll_secs: u64,
    /// Mark cookies `Secure` (HTTPS only). Off only for local development over plain HTTP.
    pub secure_cookies: bool,
    /// The portal's registration page the login page links to ("No account?"): a path on
    /// `public_url` or a full URL; empty: no link (a deployment without self-registration).
    #[serde(default = "default_registration_page")]
    pub registration_page: String,
    /// Where the deployment secrets live when they are not given through the environment.
    pub secrets_file: PathBuf,
    /// Create `secrets_file` with fresh random secrets when it does not exist. Production sets
    /// this off and passes `EGOV__AUTH__BLIND_INDEX_KEY` and `EGOV__AUTH__ENCRYPTION_KEY`.
    pub generate_secrets: bool,
    /// 64 hex digits: the key of the blind index over national IDs and data subjects.
    #[serde(default)]
    pub blind_index_key: Option<Secret>,
    /// 64 hex digits: the key that encrypts national IDs, TOTP secrets and signing keys.
    #[serde(default)]
    pub encryption_key: Option<Secret>,
    pub password: PasswordSettings,
    pub lockout: LockoutSettings,
}

impl fmt::Debug for AuthSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthSettings")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("access_token_secs", &self.access_token_secs)
            .field("session_secs", &self.session_secs)
            .field("secrets_file", &self.secrets_file)
            .field("password", &self.password)
            .field("lockout", &self.lockout)
            .finish_non_exhaustive()
    }
}

/// A secret string from settings: `Debug` shows `***`.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(SecretString);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordSettings {
    /// Shortest accepted password (ASVS: at least 12).
    pub min_length: usize,
    /// Argon2id memory cost in KiB.
    pub argon2_memory_kib: u32,
    /// Argon2id passes.
    pub argon2_iterations: u32,
    /// Argon2id lanes.
    pub argon2_parallelism: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockoutSettings {
    /// Consecutive failures that lock a login name (from unknown devices) or a known device.
    pub max_failures: u32,
    /// How long a lock lasts, in minutes.
    pub lock_minutes: u32,
    /// Most login attempts accepted per hour from one source address, and most failures per
    /// hour for one account over all its unknown devices.
    pub max_attempts_per_hour: u32,
    /// Most self-registrations accepted per hour from one source address.
    pub registrations_per_hour: u32,
}

/// Why settings could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("invalid settings: {0}")]
pub struct SettingsError(String);

impl Settings {
    /// A module's own section, typed by the module (which denies unknown keys in it).
    pub fn section<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<T, SettingsError> {
        let value = self
            .modules
            .get(name)
            .ok_or_else(|| SettingsError(format!("the [{name}] section is missing")))?;
        serde_json::from_value(value.clone()).map_err(|e| SettingsError(format!("[{name}]: {e}")))
    }

    /// Refuses a section that is neither the platform's nor one of `modules` (a typo in a file
    /// or an `EGOV__SECTION__KEY` variable names it).
    pub fn check_sections(&self, modules: &[&str]) -> Result<(), SettingsError> {
        let unknown: Vec<&str> = self
            .modules
            .keys()
            .map(String::as_str)
            .filter(|k| !modules.contains(k))
            .collect();
        if unknown.is_empty() {
            Ok(())
        } else {
            Err(SettingsError(format!(
                "unknown section(s) {}: the platform's are server, database, log, country, auth, \
                 exchange, audit; the modules' are {}",
                unknown.join(", "),
                modules.join(", ")
            )))
        }
    }

    /// Loads settings from `config_dir`, the environment named by `EGOV_ENVIRONMENT`
    /// (default `local`), and `EGOV__*` variables of this process.
    pub fn load(config_dir: &Path) -> Result<Self, SettingsError> {
        let environment = std::env::var(ENVIRONMENT_VAR).unwrap_or_else(|_| "local".to_owned());
        let vars: Vec<(String, String)> = std::env::vars().collect();
        Self::load_from(config_dir, &environment, vars)
    }

    /// Loads settings from explicit inputs; `vars` are environment variables (other names are
    /// ignored). Used by `load` and by tests, which must not touch the process environment.
    pub fn load_from(
        config_dir: &Path,
        environment: &str,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, SettingsError> {
        if environment.is_empty()
            || !environment
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(SettingsError(format!(
                "{ENVIRONMENT_VAR} must be a plain name such as `production`, not {environment:?}"
            )));
        }
        let default_file = config_dir.join("default.toml");
        if !default_file.is_file() {
            return Err(SettingsError(format!(
                "{} not found (is --config-dir right?)",
                default_file.display()
            )));
        }
        let env_map: config::Map<String, String> = vars
            .into_iter()
            .filter(|(k, _)| k.starts_with("EGOV__"))
            .collect();
        let built = config::Config::builder()
            .add_source(config::File::from(default_file))
            .add_source(
                config::File::with_name(&config_dir.join(environment).to_string_lossy())
                    .required(false),
            )
            .add_source(
                config::Environment::with_prefix("EGOV")
                    .prefix_separator("__")
                    .separator("__")
                    .list_separator(",")
                    .with_list_parse_key("server.modules")
                    .with_list_parse_key("server.deployment_modules")
                    .with_list_parse_key("server.trusted_proxies")
                    .with_list_parse_key("exchange.security_servers")
                    .try_parsing(true)
                    .source(Some(env_map)),
            )
            .build()
            .map_err(|e| SettingsError(e.to_string()))?;
        let raw: serde_json::Value = built
            .clone()
            .try_deserialize()
            .map_err(|e| SettingsError(e.to_string()))?;
        let mut settings: Settings = built
            .try_deserialize()
            .map_err(|e| SettingsError(e.to_string()))?;
        settings.check()?;
        settings.in_force = redacted_pairs(&raw);
        Ok(settings)
    }

    fn check(&self) -> Result<(), SettingsError> {
        if self.database.pool_size == 0 {
            return Err(SettingsError(
                "database.pool_size must be at least 1".into(),
            ));
        }
        if self.server.max_body_bytes < 1024 {
            return Err(SettingsError(
                "server.max_body_bytes must be at least 1024".into(),
            ));
        }
        for p in &self.server.trusted_proxies {
            parse_net(p).map_err(SettingsError)?;
        }
        let x = &self.exchange;
        for p in &x.security_servers {
            parse_net(p).map_err(|e| {
                SettingsError(e.replace("server.trusted_proxies", "exchange.security_servers"))
            })?;
        }
        if x.max_clock_skew_secs == 0 || x.replay_window_secs < 2 * x.max_clock_skew_secs {
            return Err(SettingsError(
                "exchange.max_clock_skew_secs must be above 0 and exchange.replay_window_secs \
                 at least twice it (a replayed message must be refused by one check or the other)"
                    .into(),
            ));
        }
        if x.timeout_ms == 0 || x.outbox_max_attempts == 0 || x.breaker_failures == 0 {
            return Err(SettingsError(
                "exchange.timeout_ms, exchange.outbox_max_attempts and \
                 exchange.breaker_failures must be above 0"
                    .into(),
            ));
        }
        let a = &self.auth;
        if a.access_token_secs == 0 || a.access_token_secs > 300 {
            return Err(SettingsError(
                "auth.access_token_secs must be between 1 and 300 (short tokens bound what a \
                 stolen one is worth)"
                    .into(),
            ));
        }
        if a.leeway_secs > 60 {
            return Err(SettingsError("auth.leeway_secs must be at most 60".into()));
        }
        if a.revocation_poll_secs == 0 || a.revocation_poll_secs > 30 {
            return Err(SettingsError(
                "auth.revocation_poll_secs must be between 1 and 30".into(),
            ));
        }
        if a.session_secs < a.access_token_secs || a.session_idle_secs == 0 {
            return Err(SettingsError(
                "auth.session_secs must be at least auth.access_token_secs, and \
                 auth.session_idle_secs above 0"
                    .into(),
            ));
        }
        if a.authorization_code_secs == 0 || a.authorization_code_secs > 600 {
            return Err(SettingsError(
                "auth.authorization_code_secs must be between 1 and 600".into(),
            ));
        }
        if a.password.min_length < 12 {
            return Err(SettingsError(
                "auth.password.min_length must be at least 12".into(),
            ));
        }
        if a.lockout.max_failures == 0
            || a.lockout.lock_minutes == 0
            || a.lockout.max_attempts_per_hour == 0
            || a.lockout.max_attempts_per_hour > 100
        {
            return Err(SettingsError(
                "auth.lockout: max_failures and lock_minutes must be above 0, and \
                 max_attempts_per_hour between 1 and 100"
                    .into(),
            ));
        }
        if self.audit.anchor_interval_secs == 0 {
            return Err(SettingsError(
                "audit.anchor_interval_secs must be above 0".into(),
            ));
        }
        if self.country.code.is_empty() {
            return Err(SettingsError("country.code must not be empty".into()));
        }
        Ok(())
    }

    /// The public base URL of this process, without a trailing slash.
    pub fn public_url(&self) -> String {
        match &self.server.public_url {
            Some(u) if !u.is_empty() => u.trim_end_matches('/').to_owned(),
            _ => format!("http://{}", self.server.bind),
        }
    }

    /// The token issuer this process trusts: `auth.issuer`, or its own `/auth`.
    pub fn issuer(&self) -> String {
        if self.auth.issuer.is_empty() {
            format!("{}/auth", self.public_url())
        } else {
            self.auth.issuer.trim_end_matches('/').to_owned()
        }
    }

    /// The directory of the configured country pack.
    pub fn pack_dir(&self) -> PathBuf {
        self.country.packs_dir.join(&self.country.code)
    }
}

fn default_registration_page() -> String {
    "/register".into()
}

#[cfg(test)]
mod in_force_tests {
    use super::{HIDDEN, redacted_pairs};

    #[test]
    fn settings_in_force_hide_secrets_and_passwords_in_urls() {
        let raw = serde_json::json!({
            "database": {"url": "postgres://egov:hunter2@db.internal:5432/egov", "pool_size": 8},
            "auth": {"encryption_key": "00ff", "blind_index_key": "", "access_token_secs": 300,
                     "secrets_file": "data/auth-secrets.toml"},
            "server": {"metrics_token": "abc", "modules": ["auth", "tax"]},
            "audit": {"anchor_public_keys": ["k1"], "anchor_key_file": "data/anchor-key"},
            "notify": {"email": "log", "sms_gateway": {"url": "https://u:p@sms.example/send"}},
        });
        let pairs = redacted_pairs(&raw);
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| panic!("{k} in {pairs:?}"))
        };
        assert_eq!(
            get("database.url"),
            "postgres://egov:***@db.internal:5432/egov"
        );
        assert_eq!(get("auth.encryption_key"), HIDDEN);
        assert_eq!(get("auth.blind_index_key"), "");
        assert_eq!(get("auth.access_token_secs"), "300");
        assert_eq!(get("auth.secrets_file"), "data/auth-secrets.toml");
        assert_eq!(get("server.metrics_token"), HIDDEN);
        assert_eq!(get("server.modules"), "auth, tax");
        assert_eq!(get("audit.anchor_public_keys"), "k1");
        assert_eq!(get("audit.anchor_key_file"), "data/anchor-key");
        assert_eq!(get("notify.email"), "log");
        assert_eq!(
            get("notify.sms_gateway.url"),
            "https://u:***@sms.example/send"
        );
        let all = format!("{pairs:?}");
        assert!(!all.contains("hunter2") && !all.contains("00ff") && !all.contains("abc"));
    }
}

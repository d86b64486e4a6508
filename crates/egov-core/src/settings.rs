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

/// All settings of one egov process.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub log: LogSettings,
    pub country: CountrySettings,
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
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Modules to serve; empty means every registered module.
    pub modules: Vec<String>,
    /// Public base URL, used in printed links; defaults to `http://<bind>`.
    pub public_url: Option<String>,
    /// Log one structured line per request.
    pub access_log: bool,
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
}

impl fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &self.url)
            .field("pool_size", &self.pool_size)
            .field("acquire_timeout_secs", &self.acquire_timeout_secs)
            .field("sqlite_busy_timeout_ms", &self.sqlite_busy_timeout_ms)
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

/// Why settings could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("invalid settings: {0}")]
pub struct SettingsError(String);

impl Settings {
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
                    .try_parsing(true)
                    .source(Some(env_map)),
            )
            .build()
            .map_err(|e| SettingsError(e.to_string()))?;
        let settings: Settings = built
            .try_deserialize()
            .map_err(|e| SettingsError(e.to_string()))?;
        settings.check()?;
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
        if self.country.code.is_empty() {
            return Err(SettingsError("country.code must not be empty".into()));
        }
        Ok(())
    }

    /// The directory of the configured country pack.
    pub fn pack_dir(&self) -> PathBuf {
        self.country.packs_dir.join(&self.country.code)
    }
}

//! The `[notify]` settings section.

use std::path::PathBuf;

use serde::Deserialize;

/// How notices leave the process.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifySettings {
    /// `log` (the default: each delivery is written to the log, without address or content)
    /// or `smtp`.
    #[serde(default)]
    pub email: EmailMode,
    /// `log` (the default) or `http` (the text-message gateway).
    #[serde(default)]
    pub sms: SmsMode,
    #[serde(default)]
    pub smtp: SmtpSettings,
    #[serde(default)]
    pub sms_gateway: GatewaySettings,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailMode {
    #[default]
    Log,
    Smtp,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsMode {
    #[default]
    Log,
    Http,
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Security {
    /// Plain SMTP: only to a relay on the same host or a protected network.
    None,
    /// STARTTLS required (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// The mail server notices are handed to.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// Empty: no authentication.
    pub username: String,
    /// A file holding the password (a mounted secret), read at start.
    pub password_file: Option<PathBuf>,
    /// The sender, `Name <address>`.
    pub from: String,
    /// Per connection and command.
    pub timeout_ms: u64,
}

impl Default for SmtpSettings {
    fn default() -> Self {
        Self {
            host: "localhost".into(),
            port: 587,
            security: Security::Starttls,
            username: String::new(),
            password_file: None,
            from: "egov <no-reply@egov.invalid>".into(),
            timeout_ms: 10_000,
        }
    }
}

/// The text-message gateway: `POST url` with a JSON body
/// `{"to": "+8210…", "from": sender, "text": "…", "reference": "<notice id>"}` and, when a
/// token is set, `Authorization: Bearer <token>`. Any 2xx is sent; 408, 429 and 5xx are
/// retried; any other answer is a refusal.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GatewaySettings {
    pub url: String,
    /// A file holding the bearer token, read at start.
    pub token_file: Option<PathBuf>,
    /// The sender id or number the gateway shows.
    pub sender: String,
    pub timeout_ms: u64,
}

impl Default for GatewaySettings {
    fn default() -> Self {
        Self {
            url: String::new(),
            token_file: None,
            sender: String::new(),
            timeout_ms: 10_000,
        }
    }
}

/// A secret from its file, trimmed; a missing or empty file stops the start.
pub(crate) fn read_secret(what: &str, path: &std::path::Path) -> anyhow::Result<String> {
    let s = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("{what} ({}): {e}", path.display()))?;
    let s = s.trim().to_owned();
    anyhow::ensure!(!s.is_empty(), "{what} ({}) is empty", path.display());
    Ok(s)
}

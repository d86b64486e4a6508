//! The tax module's own settings section (`[tax]` in `config/*.toml`, `EGOV__TAX__*`):
//! typed and checked here, not in the platform's settings.

use serde::Deserialize;

/// The tax module (`[tax]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxSettings {
    /// The tax agency's code: officers of this agency (with the `tax.officer` role) may use
    /// the officers' API.
    pub agency: String,
    /// How long a tax-payment (clearance) certificate is valid.
    pub clearance_valid_days: u32,
    /// How long an income certificate is valid.
    pub income_certificate_valid_days: u32,
    /// How long after issue a certificate can be checked at the public verification endpoint.
    pub verification_days: u32,
    /// Notification outbox: how often due notifications are looked for.
    pub notify_poll_ms: u64,
    /// Notification outbox: attempts before a notification is given up (kept as failed).
    pub notify_max_attempts: u32,
    /// Accept returns for a tax year that has not ended yet (training and pilot set-ups).
    pub allow_early_filing: bool,
    /// Certificates as PDF: the first of these fonts that loads (a Hangul font for Korean).
    pub pdf_fonts: Vec<std::path::PathBuf>,
}

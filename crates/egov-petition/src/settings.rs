//! The petition module's own settings section (`[petition]` in `config/*.toml`, `EGOV__PETITION__*`):
//! typed and checked here, not in the platform's settings.

use std::path::PathBuf;

use serde::Deserialize;

/// The petition module (`[petition]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PetitionSettings {
    /// Largest attachment accepted, in bytes.
    pub attachment_max_bytes: usize,
    /// Content types accepted for attachments, recognised by their content (magic bytes).
    pub attachment_types: Vec<String>,
    /// Where the filesystem blob store keeps attachments (content-addressed).
    pub blob_dir: PathBuf,
    /// Notification outbox: how often due notifications and progress notices are looked for.
    pub notify_poll_ms: u64,
    /// Notification outbox: attempts before a notification is given up (kept as failed).
    pub notify_max_attempts: u32,
    /// Largest page of the officers' work list.
    pub max_page_size: u32,
    /// Fonts for the issued documents' PDF, first found wins (a Hangul font for Korean).
    pub pdf_fonts: Vec<PathBuf>,
}

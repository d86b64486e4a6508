//! The docflow module's own settings section (`[docflow]` in `config/*.toml`, `EGOV__DOCFLOW__*`):
//! typed and checked here, not in the platform's settings.

use std::path::PathBuf;

use serde::Deserialize;

/// The docflow module (`[docflow]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocflowSettings {
    /// Largest attachment accepted, in bytes (decoded).
    pub max_attachment_bytes: usize,
    /// Media types accepted as attachments, decided by content (`text/csv` and `text/plain`,
    /// which have no signature, as declared UTF-8 text without markup).
    pub attachment_types: Vec<String>,
    /// Largest page of work lists and ledgers.
    pub max_page_size: u32,
    /// Fonts tried in order for PDF rendering (TrueType/OpenType); use one with the
    /// country's script (Hangul: Nanum Gothic or Noto Sans CJK).
    pub pdf_fonts: Vec<PathBuf>,
}

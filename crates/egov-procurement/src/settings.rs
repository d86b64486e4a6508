//! The procurement module's own settings section (`[procurement]` in `config/*.toml`, `EGOV__PROCUREMENT__*`):
//! typed and checked here, not in the platform's settings.

use serde::Deserialize;

/// The procurement module (`[procurement]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcurementSettings {
    /// How often the scheduler looks for time-driven transitions (deadline, opening,
    /// standstill end).
    pub scheduler_ms: u64,
    /// Sandbox clock: the pack's periods in days are divided by this (1 in production; a
    /// pilot's training system may run a 7-day standstill in minutes). Also lifts the
    /// on-the-hour deadline rule.
    pub acceleration: u32,
    /// The OCDS prefix registered for this publisher (`ocds-xxxxxx`).
    pub ocid_prefix: String,
    /// The publisher's name in OCDS packages.
    pub publisher: String,
    /// Largest sealed bid envelope (its documents inside, as base64), in bytes.
    pub max_bid_bytes: usize,
    /// Largest page of tender lists.
    pub max_page_size: u32,
}

//! The procurement rules, pure: the pack's procedures, the tender lifecycle, evaluation and
//! ranking, the reserve-price lottery and the sealing of bids.

pub mod envelope;
pub mod evaluation;
pub mod lifecycle;
pub mod lottery;
pub mod rejection;
pub mod rules;
pub mod seal;
pub mod wording;

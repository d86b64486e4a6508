//! The petition module's rules, pure: the catalogue of services from the pack, the case
//! lifecycle (every status × every action) and the statutory working-day clock.

pub mod catalogue;
pub mod clock;
pub mod compliance;
pub mod lifecycle;

//! Shared domain types that cannot hold invalid values.

pub mod branding;
pub mod calendar;
pub mod ids;
pub mod money;

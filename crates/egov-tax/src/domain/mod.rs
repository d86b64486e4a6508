//! The rules engine: pure, no I/O beyond reading the rules and test files it is pointed at.

pub mod cases;
pub mod eval;
pub mod rules;

pub use eval::{InputError, Outcome, Prepared, Step};
pub use rules::{ENGINE_VERSION, LoadError, LoadIssue, RuleSet};

#[cfg(test)]
mod tests;

//! A country pack's tax law as data: `config/countries/<cc>/tax/<year>.toml`, loaded and
//! compiled into a [`RuleSet`] whose values are evaluated in dependency order.
//!
//! The file declares inputs (what the filer or a statement supplies) and named values computed
//! from inputs and other values, each with a legal citation. Building blocks (`kind`):
//! `const`, `sum`, `difference`, `product`, `min`, `max`, `percent`, `schedule` (piecewise
//! linear: base + rate × excess, per band), `brackets` (progressive marginal rates),
//! `allowance` (an amount per qualifying person, with relation, age and flag conditions and a
//! count limit), `count` (qualifying persons), `lookup` (a table keyed by a value: step or
//! exact) and `threshold` (a comparison switching between two values: rules that turn on at an
//! amount, and cliffs). Any value may also have `floor`, `cap` and `round`. Inputs may be
//! monthly (annualized when read) and the set declares its period.
//!
//! Loading rejects unknown names, cycles, missing citations, unknown keys and malformed
//! bands with the file and line of the offending entry.

mod compiled;
mod file;
mod merge;

pub use compiled::*;
use file::*;
use merge::*;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

/// The engine's version: recorded with every result, with the rules' hash.
pub const ENGINE_VERSION: &str = concat!("egov-tax-rules/", env!("CARGO_PKG_VERSION"));

/// The amounts an employer's withholding statement carries, which a pack maps to its inputs.
pub const STATEMENT_FIELDS: [&str; 5] = [
    "wages",
    "withheld_income_tax",
    "withheld_local_tax",
    "pension_contributions",
    "insurance_premiums",
];

/// One problem found while loading a rules file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadIssue {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for LoadIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

/// Every problem found in a rules file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadError(pub Vec<LoadIssue>);

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, issue) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{issue}")?;
        }
        Ok(())
    }
}

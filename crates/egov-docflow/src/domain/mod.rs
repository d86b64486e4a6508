//! The docflow rules, pure: the pack's document rules and delegation table, the approval line
//! as data, and the evidence (digests, hash-chained history, records packages).

pub mod evidence;
pub mod line;
pub mod rules;

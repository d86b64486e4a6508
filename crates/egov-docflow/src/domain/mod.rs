//! The docflow rules, pure: the pack's document rules and delegation table, the approval line
//! as data, what an attachment is (by content), and the evidence (digests, hash-chained history, records packages).

pub mod attachment;
pub mod evidence;
pub mod lifecycle;
pub mod line;
pub mod rules;

//! egov-tax's integration tests, one binary: each file a module (linked once instead of once
//! per file, which kept the build's footprint over its 8 GB goal).

mod filing;
mod office_pages;
mod packs;
mod pages;
mod rule_language;

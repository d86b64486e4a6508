//! egov-exchange's integration tests, one binary: each file a module (linked once instead of once
//! per file, which kept the build's footprint over its 8 GB goal).

mod common;
mod exchange;
mod outbox;
mod revocation;
mod vectors;
mod xroad;

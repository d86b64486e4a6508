//! egov-auth's integration tests, one binary: each file a module (linked once instead of once
//! per file, which kept the build's footprint over its 8 GB goal).

mod access_log;
mod anchors;
mod common;
mod directory;
mod flows;
mod matrix;
mod oidc;
mod remote;
mod security;

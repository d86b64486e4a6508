//! egov-web's integration tests, one binary: each file a module (linked once instead of once
//! per file, which kept the build's footprint over its 8 GB goal).

mod admin;
mod brand;
mod contact;
mod register;
mod representation;
mod security;

//! egov-docflow's integration tests, one binary: each file a module (linked once instead of once
//! per file, which kept the build's footprint over its 8 GB goal).

mod docflow;
mod workspace_pages;

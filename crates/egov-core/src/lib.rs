//! The egov runtime every module builds on: typed settings, country packs, the error model,
//! the database layer over PostgreSQL and SQLite, request telemetry, and the shared domain types.

pub mod anchor;
pub mod chain;
pub mod clock;
pub mod country;
pub mod cursor;
pub mod dates;
pub mod db;
pub mod digest;
pub mod domain;
pub mod error;
pub mod exchange;
pub mod jwk;
pub mod metrics;
pub mod module;
pub mod outbox;
pub mod problems;
pub mod request;
pub mod routes;
pub mod settings;
pub mod telemetry;
pub mod text;
pub mod traces;

pub use country::{CountryPack, CountryPacks};
pub use db::{Db, DbConnection, Migrations};
pub use error::{Error, ErrorCode, Result, codes};
pub use module::Module;
pub use settings::Settings;

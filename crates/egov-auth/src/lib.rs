//! Common auth for every egov module. Built so far: the privacy access log — one library call
//! (`record`) that every module makes whenever an official reads or changes a person's data,
//! kept as an append-only hash chain that `egov audit verify` checks — the password policy and
//! argon2id hashing (`password`), TOTP with recovery codes (`mfa`), and Ed25519 token signing,
//! the JWKS and a strict verifier (`tokens`).
//!
//! Still to come (issue "Common auth"): accounts and MFA enrolment endpoints, step-up, the
//! OpenID Connect provider, key storage and rotation, refresh tokens, the `Principal`
//! extractor with per-route policies, lockout, and the auditor and citizen endpoints over the
//! access log.

pub mod access_log;
pub mod mfa;
pub mod password;
pub mod store;
pub mod tokens;

use chrono::Utc;
use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use egov_core::{Db, Error, Migrations, Module};

pub use access_log::{AccessEntry, Action, Record, SubjectIndex, SubjectKey};
pub use store::Verification;

const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Records one access to a person's data. Call it in the handler that reads or changes the
/// data, before answering: an access that cannot be recorded is refused (fail closed).
pub async fn record(db: &Db, entry: AccessEntry) -> Result<Record, Error> {
    db.run(move |conn| store::append(conn, &entry, Utc::now()))
        .await
}

/// Checks the whole chain.
pub async fn verify(db: &Db) -> Result<Verification, Error> {
    db.run(store::verify).await
}

/// The auth module: owns the access-log tables (routes follow with the rest of common auth).
#[derive(Debug)]
pub struct AuthModule;

impl Module for AuthModule {
    fn name(&self) -> &'static str {
        "auth"
    }

    fn title(&self) -> &'static str {
        "Common auth"
    }

    fn description(&self) -> &'static str {
        "One identity for citizens, businesses and officials, and the privacy access log of \
         every access to personal data."
    }

    fn migrations(&self) -> Option<Migrations> {
        Some(Migrations {
            postgres: || POSTGRES,
            sqlite: || SQLITE,
        })
    }

    fn configure(&self, _cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {}
}

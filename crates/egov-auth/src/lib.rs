//! Common auth for every egov module.
//!
//! For modules (the library): the [`Authorized<P>`](principal::Authorized) extractor with a
//! declared [`Policy`](principal::Policy) per route, token verification through
//! [`Auth`](verify::Auth) (in-process keys, or the issuer's JWKS when the auth service runs
//! elsewhere), and [`record`], the one call that writes the privacy access log.
//!
//! The auth service (mounted at `/auth`): accounts of every kind, passwords (argon2id), TOTP
//! and recovery codes, sessions with rotating refresh tokens, lockout and throttling, the
//! OpenID Connect provider with its login page, bootstrap, administration and the auditors'
//! and citizens' views of the access log.

pub mod access_log;
pub mod accounts;
pub mod bootstrap;
pub mod clients;
pub mod countersign;
pub mod errors;
pub mod i18n;
pub mod keys;
pub mod mfa;
pub mod password;
pub mod principal;
pub mod random;
pub mod recorder;
pub mod representation;
pub mod routes;
pub mod schema;
pub mod secrets;
pub mod service;
pub mod sessions;
pub mod store;
pub mod tokens;
pub mod verify;

use std::sync::Arc;

use chrono::Utc;
use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use egov_core::{CountryPacks, Db, Error, Migrations, Module, Settings};

pub use access_log::{AccessEntry, Action, Record, SubjectIndex, SubjectKey};
pub use principal::{Aal, Authorized, Kind, Policy, Principal, Rule};
pub use recorder::{Reader, Recorder};
pub use service::Service;
pub use store::Verification;
pub use verify::Auth;

/// The module's name in `--modules`.
pub const NAME: &str = "auth";

/// Auth for one process: verification everywhere, plus the service where the auth module is
/// served (`local`).
pub fn start(
    settings: &Arc<Settings>,
    db: &Db,
    packs: &Arc<CountryPacks>,
    local: bool,
    security_events: prometheus::IntCounterVec,
) -> anyhow::Result<(Auth, Option<Service>)> {
    if !local {
        return Ok((Auth::remote(settings)?, None));
    }
    let secrets = secrets::Secrets::load(&settings.auth)?;
    let auth = Auth::local(settings, db.clone(), secrets.sealer.clone())?;
    let service = Service::new(
        settings.clone(),
        db.clone(),
        secrets,
        auth.clone(),
        packs.clone(),
        security_events,
    )?;
    Ok((auth, Some(service)))
}

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

/// The auth module: accounts, sessions, the OpenID Connect provider and the access log.
#[derive(Debug)]
pub struct AuthModule;

impl Module for AuthModule {
    fn name(&self) -> &'static str {
        NAME
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

    fn error_codes(&self) -> &'static [egov_core::ErrorCode] {
        errors::ALL
    }

    fn problem_titles(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("ko", include_str!("../messages/problems.ko.ftl")),
            ("es", include_str!("../messages/problems.es.ftl")),
        ]
    }

    fn configure(&self, cfg: &mut egov_core::routes::Routes<'_>) {
        routes::configure(cfg);
    }

    fn trails(&self) -> Vec<&'static dyn egov_core::anchor::Trail> {
        vec![&store::AccessLogTrail]
    }

    fn exchange_services(&self) -> Vec<egov_core::exchange::ServiceDef> {
        countersign::services()
    }
}

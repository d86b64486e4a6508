//! Civil petitions modeled on Government24 and e-People (`/petition`).
//!
//! - [`catalogue`]: the country pack's services (typed forms, evidence, fees, agencies,
//!   statutory periods), agencies, complaint routing and policy, checked at load.
//! - [`lifecycle`] and [`clock`] (pure): who may move a case where, and when it is due on the
//!   pack's working-day calendar (paused while a supplement is requested, extended with a
//!   reason).
//! - [`service`]: applications, transitions with their events and notifications, evidence
//!   through the exchange, documents signed by the issuing agency's key.
//! - [`routes`]: the citizen, officer and public API; [`open311`]: GeoReport v2 (XML and JSON).

pub mod blob;
pub mod domain;
pub mod errors;
pub mod settings;
pub use settings::PetitionSettings;
pub mod http;
pub mod notify;
pub mod open311;
pub mod service;
pub mod store;
pub mod web;

use std::sync::Arc;

use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use egov_auth::secrets::Sealer;
use egov_core::clock::Clock as TimeSource;
use egov_core::module::{Context, Started};
use egov_core::outbox::Notifier;
use egov_core::{CountryPacks, Db, Error, Migrations, Module, Settings};
use serde_json::Value;

use crate::domain::catalogue::{self, Catalogue};
use crate::domain::clock;

/// The module's name in `--modules`.
pub const NAME: &str = "petition";

/// The officers' role.
pub const OFFICER_ROLE: &str = "petition.officer";
/// Supervisors: the first step of the escalation ladder.
pub const SUPERVISOR_ROLE: &str = "petition.supervisor";
/// The agency head's step of the escalation ladder.
pub const HEAD_ROLE: &str = "petition.head";

const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// The petition module of one process.
#[derive(Clone)]
pub struct Petition(pub(crate) Arc<Inner>);

pub(crate) struct Inner {
    /// `egov_domain_events_total{module="petition"}` (application_submitted).
    pub(crate) events: egov_core::metrics::Events,
    pub(crate) settings: Arc<Settings>,
    /// The module's own section of the settings.
    pub(crate) config: PetitionSettings,
    pub(crate) db: Db,
    pub(crate) packs: Arc<CountryPacks>,
    pub(crate) catalogue: Catalogue,
    pub(crate) sealer: Sealer,
    pub(crate) index: egov_auth::SubjectIndex,
    /// Agencies' signing keys, loaded or created on first use.
    /// Each agency's signing key.
    pub(crate) keys: egov_exchange::signature::KeyCache,
    pub(crate) notifier: Arc<dyn Notifier>,
    /// The process's clock (what "now" is).
    pub(crate) time: TimeSource,
    pub(crate) recorder: egov_auth::Recorder,
    pub(crate) blobs: Arc<dyn blob::BlobStore>,
    /// Common auth's directory when it runs in this process: whom an escalation notifies.
    pub(crate) directory: Option<egov_auth::Service>,
}

impl std::fmt::Debug for Petition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Petition")
            .field("services", &self.0.catalogue.services.len())
            .finish_non_exhaustive()
    }
}

impl Petition {
    pub(crate) fn count(&self, event: &'static str) {
        self.0.events.count(NAME, event);
    }

    /// Loads the catalogue (blocking; before serving).
    pub fn start(
        settings: &Arc<Settings>,
        db: &Db,
        packs: &Arc<CountryPacks>,
        time: &TimeSource,
        notifier: Arc<dyn Notifier>,
        events: egov_core::metrics::Events,
    ) -> anyhow::Result<Self> {
        let pack_dir = settings.country.packs_dir.join(&settings.country.code);
        let catalogue = catalogue::load(&pack_dir, packs.active())?;
        let secrets = egov_auth::secrets::Secrets::load(&settings.auth)?;
        let config: PetitionSettings = settings.section("petition")?;
        Ok(Petition(Arc::new(Inner {
            settings: settings.clone(),
            db: db.clone(),
            packs: packs.clone(),
            catalogue,
            sealer: secrets.sealer.clone(),
            index: secrets.index.clone(),
            keys: egov_exchange::signature::KeyCache::default(),
            notifier,
            events,
            time: time.clone(),
            recorder: egov_auth::Recorder::new(db.clone(), NAME, settings.server.trusted_proxies()),
            blobs: Arc::new(blob::FsBlobStore::new(config.blob_dir.clone())),
            config,
            directory: None,
        })))
    }

    /// With common auth's directory (where it runs in this process), so escalations notify
    /// the officials of the role; without it they are recorded and shown, not notified.
    pub fn with_directory(mut self, directory: Option<egov_auth::Service>) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.0) {
            inner.directory = directory;
        }
        self
    }

    pub fn db(&self) -> &Db {
        &self.0.db
    }

    /// Now, from the process's clock (whole microseconds, UTC).
    pub fn now(&self) -> chrono::NaiveDateTime {
        self.0.time.now_naive()
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.0.catalogue
    }

    pub fn pack(&self) -> &egov_core::CountryPack {
        self.0.packs.active()
    }

    pub fn clock(&self) -> clock::Clock<'_> {
        let pack = self.pack();
        clock::Clock {
            calendar: &pack.calendar,
            tz: pack.time_zone,
        }
    }

    /// The signing key of `agency`, created (and stored sealed) on first use.
    pub(crate) fn agency_key(
        &self,
        c: &mut egov_core::DbConnection,
        agency: &str,
    ) -> Result<(ed25519_dalek::SigningKey, String), Error> {
        let now = self.now();
        self.0.keys.get_for(
            agency,
            c,
            &self.0.sealer,
            ("petition-key", &format!("petition:{agency}")),
            |c| Ok(store::latest_key(c, agency)?.map(|r| (r.kid, r.private_sealed))),
            |c, kid, public_key, private_sealed| {
                store::insert_key(
                    c,
                    &store::KeyRow {
                        kid: kid.to_owned(),
                        agency: agency.to_owned(),
                        public_key,
                        private_sealed,
                        created_at: now,
                    },
                )
            },
        )
    }

    /// Verifies a document's signature against the stored public keys.
    pub fn verify(&self, keys: &[store::KeyRow], doc: &Value, signature: &str) -> bool {
        egov_exchange::signature::verify_json(
            keys.iter().map(|k| (k.kid.as_str(), k.public_key.as_str())),
            doc,
            signature,
        )
    }
}

/// The petition module.
#[derive(Debug)]
pub struct PetitionModule;

impl Module for PetitionModule {
    fn name(&self) -> &'static str {
        NAME
    }

    fn settings_section(&self) -> Option<&'static str> {
        Some("petition")
    }

    fn check_settings(&self, settings: &Settings) -> anyhow::Result<()> {
        settings.section::<PetitionSettings>("petition")?;
        Ok(())
    }

    fn title(&self) -> &'static str {
        "Civil petitions"
    }

    fn description(&self) -> &'static str {
        "Civil petitions modeled on Korea's Government24 and e-People: a service catalogue from \
         the country pack (typed forms, evidence, fees, statutory periods), applications with \
         receipt numbers and a working-day clock that pauses for supplements, evidence fetched \
         from other agencies through the exchange with consent, complaints and proposals with \
         routing, duplicate suggestions, merging, ratings and reopening, documents signed by \
         the issuing agency with public verification, officers' work lists, notifications of \
         every change, and Open311 GeoReport v2."
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

    /// Evidence comes from other agencies and modules through the exchange.
    fn needs_exchange(&self) -> bool {
        true
    }

    fn start(&self, ctx: &Context<'_>) -> anyhow::Result<Started> {
        let p = Petition::start(
            ctx.settings,
            ctx.db,
            ctx.packs,
            ctx.clock,
            ctx.notifier.clone(),
            ctx.events.clone(),
        )?
        .with_directory(
            ctx.directory
                .and_then(|d| d.downcast_ref::<egov_auth::Service>())
                .cloned(),
        );
        ctx.events.declare(NAME, &["application_submitted"]);
        if let Some(x) = ctx
            .exchange
            .and_then(|x| x.downcast_ref::<egov_exchange::Exchange>())
        {
            // Evidence from a subsystem of this member that no process can be reached for:
            // applicants can still upload it, so this is said at start, not refused.
            for service in p.0.catalogue.services.values() {
                for e in service.evidence.iter().filter_map(|e| e.exchange.as_ref()) {
                    if let [subsystem, _] = e.service.split('/').collect::<Vec<_>>()[..]
                        && let Err(why) = x.require(NAME, subsystem)
                    {
                        tracing::warn!(service = %service.id, evidence = %e.service, "{why:#}; until then the evidence can only be uploaded");
                    }
                }
            }
        }
        let data = actix_web::web::Data::new(p.clone());
        let worker = p.clone();
        Ok(Started {
            register: vec![Arc::new(move |cfg| {
                cfg.app_data(data.clone());
            })],
            workers: vec![Arc::new(move || {
                let p = worker.clone();
                Box::pin(async move { notify::run(p).await })
            })],
        })
    }

    fn messages(&self) -> Vec<(&'static str, &'static str)> {
        web::MESSAGES.to_vec()
    }

    fn upload_pages(&self) -> Vec<&'static str> {
        vec!["/my/applications/{id}/upload"]
    }

    fn my_links(&self) -> Vec<(&'static str, &'static str)> {
        vec![("/my/applications", "my-applications")]
    }

    fn portal_links(&self) -> Vec<(&'static str, &'static str)> {
        vec![("/documents/verify", "verify-title")]
    }

    fn roles(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            (
                OFFICER_ROLE,
                "handles the agency's petitions on the desk (with a second factor)",
            ),
            (
                SUPERVISOR_ROLE,
                "receives cases escalated when overdue (first step of the pack's ladder) and sees the compliance report",
            ),
            (
                HEAD_ROLE,
                "receives cases escalated further (the agency head's step of the pack's ladder)",
            ),
        ]
    }

    fn work_links(&self) -> Vec<(&'static str, &'static str, &'static str)> {
        vec![
            ("/desk/petitions", "desk-title", OFFICER_ROLE),
            ("/desk/reports/compliance", "report-title", SUPERVISOR_ROLE),
            ("/desk/reports/compliance", "report-title", HEAD_ROLE),
        ]
    }

    fn configure(&self, cfg: &mut egov_core::routes::Routes<'_>) {
        http::configure(cfg);
        web::configure(cfg);
        open311::configure(cfg);
    }
}

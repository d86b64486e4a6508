//! Official document workflow modeled on On-Nara (`/docflow`).
//!
//! - [`rules`]: the country pack's ranks, document types, retention and disclosure classes,
//!   default delegation table (위임전결), acting-approval (대결) chain limit, post-hoc approval
//!   (후결) switch and registration number format, each with its legal citation.
//! - [`line`] (pure): the approval line as data — step kinds, what a line may look like,
//!   which step acts next, where steps may be inserted or removed mid-flight.
//! - [`evidence`] (pure): version digests, the hash-chained history and the records package
//!   that verifies offline.
//! - [`service`]: organisation, documents and versions, approval actions with signatures,
//!   registration, circulation, dispatch and receipt, records (files, holds, disposal), each
//!   change with its history event in one transaction.
//! - [`exchange`]: the services other agencies (and modules) call through the exchange:
//!   document delivery and receipt confirmation.
//! - [`pdf`]: the approved document rendered with its approval stamps.
//! - [`routes`]: the officers', document office's, records manager's and auditors' API.

use crate::domain::rules;
pub mod domain;
pub mod errors;
pub mod settings;
pub use settings::DocflowSettings;
pub mod exchange;
pub mod http;
pub mod pdf;
pub mod service;
pub mod store;
pub mod web;

use std::sync::Arc;

use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use egov_auth::secrets::Sealer;
use egov_core::module::{Context, Started};
use egov_core::{CountryPacks, Db, Error, Migrations, Module, Settings};
use serde_json::Value;

use crate::domain::rules::Rules;

/// The module's name in `--modules`.
pub const NAME: &str = "docflow";

/// Manages the agency's organisation chart, stand-ins and delegation table.
pub const ADMIN_ROLE: &str = "docflow.admin";
/// The document office (문서과): receives incoming documents, registers and distributes them.
pub const OFFICE_ROLE: &str = "docflow.office";
/// The records manager: record files, legal holds and disposal.
pub const RECORDS_ROLE: &str = "docflow.records";

/// The exchange purpose of inter-agency document distribution.
pub const PURPOSE: &str = "docflow.distribution";

const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// The docflow module of one process.
#[derive(Clone)]
pub struct Docflow(pub(crate) Arc<Inner>);

pub(crate) struct Inner {
    /// `egov_domain_events_total{module="docflow"}` (approval).
    pub(crate) events: egov_core::metrics::Events,
    pub(crate) settings: Arc<Settings>,
    /// The module's own section of the settings.
    pub(crate) config: DocflowSettings,
    pub(crate) db: Db,
    pub(crate) packs: Arc<CountryPacks>,
    pub(crate) rules: Option<Rules>,
    pub(crate) sealer: Sealer,
    pub(crate) index: egov_auth::SubjectIndex,
    pub(crate) key: egov_exchange::signature::KeyCache,
    pub(crate) recorder: egov_auth::Recorder,
    pub(crate) exchange: Option<egov_exchange::Exchange>,
    /// The process's clock: every time the module stamps or compares comes from it.
    pub(crate) clock: egov_core::clock::Clock,
    /// This deployment's exchange member (the settings', or the country's default).
    pub(crate) member: String,
}

impl std::fmt::Debug for Docflow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Docflow")
            .field("configured", &self.0.rules.is_some())
            .finish_non_exhaustive()
    }
}

impl Docflow {
    pub(crate) fn count(&self, event: &'static str) {
        self.0.events.count(NAME, event);
    }

    /// Loads the pack's rules (blocking; before serving).
    pub fn start(
        settings: &Arc<Settings>,
        db: &Db,
        packs: &Arc<CountryPacks>,
        exchange: Option<egov_exchange::Exchange>,
        clock: &egov_core::clock::Clock,
        events: egov_core::metrics::Events,
    ) -> anyhow::Result<Self> {
        let pack_dir = settings.country.packs_dir.join(&settings.country.code);
        let rules = rules::load(&pack_dir)?;
        let secrets = egov_auth::secrets::Secrets::load(&settings.auth)?;
        Ok(Docflow(Arc::new(Inner {
            config: settings.section("docflow")?,
            settings: settings.clone(),
            db: db.clone(),
            packs: packs.clone(),
            rules,
            sealer: secrets.sealer.clone(),
            index: secrets.index.clone(),
            key: egov_exchange::signature::KeyCache::default(),
            recorder: egov_auth::Recorder::new(db.clone(), NAME, settings.server.trusted_proxies()),
            exchange,
            events,
            clock: clock.clone(),
            member: egov_exchange::member_id(settings)?.to_string(),
        })))
    }

    pub fn db(&self) -> &Db {
        &self.0.db
    }

    /// Now, from the process's clock (whole microseconds, UTC).
    pub fn now(&self) -> chrono::NaiveDateTime {
        self.0.clock.now_naive()
    }

    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }

    /// The module's own settings section.
    pub fn config(&self) -> &DocflowSettings {
        &self.0.config
    }

    pub fn pack(&self) -> &egov_core::CountryPack {
        self.0.packs.active()
    }

    /// The pack's rules, or `503 docflow.not_configured`.
    pub fn rules(&self) -> Result<&Rules, Error> {
        self.0
            .rules
            .as_ref()
            .ok_or_else(|| Error::new(errors::NOT_CONFIGURED))
    }

    pub fn exchange(&self) -> Option<&egov_exchange::Exchange> {
        self.0.exchange.as_ref()
    }

    /// This deployment's exchange member (`KR/GOV/1210000`; `<COUNTRY>/GOV/EGOV` when the
    /// settings name none).
    pub fn member(&self) -> &str {
        &self.0.member
    }

    /// The module's signing key (approval signatures, packages, disposal certificates),
    /// created and stored sealed on first use.
    pub(crate) fn key(
        &self,
        c: &mut egov_core::DbConnection,
    ) -> Result<(ed25519_dalek::SigningKey, String), Error> {
        self.0.key.get(
            c,
            &self.0.sealer,
            ("docflow-key", "docflow"),
            |c| Ok(store::latest_key(c)?.map(|r| (r.kid, r.private_sealed))),
            |c, kid, public_key, private_sealed| {
                store::insert_key(
                    c,
                    &store::KeyRow {
                        kid: kid.to_owned(),
                        public_key,
                        private_sealed,
                        created_at: self.now(),
                    },
                )
            },
        )
    }

    /// Signs `doc` (its canonical JSON) with the module key: a detached JWS.
    pub(crate) fn sign(
        &self,
        c: &mut egov_core::DbConnection,
        doc: &Value,
    ) -> Result<String, Error> {
        let (key, kid) = self.key(c)?;
        Ok(egov_exchange::signature::sign(
            &key,
            &kid,
            egov_exchange::signature::canonical_json(doc),
        ))
    }
}

/// The docflow module.
#[derive(Debug)]
pub struct DocflowModule;

impl Module for DocflowModule {
    fn name(&self) -> &'static str {
        NAME
    }

    fn roles(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            (
                ADMIN_ROLE,
                "manages the agency's organisation chart, stand-ins and delegation table",
            ),
            (
                OFFICE_ROLE,
                "the document office: receives, registers and distributes incoming documents",
            ),
            (
                RECORDS_ROLE,
                "the records manager: record files, legal holds and disposal",
            ),
        ]
    }

    fn settings_section(&self) -> Option<&'static str> {
        Some("docflow")
    }

    fn check_settings(&self, settings: &Settings) -> anyhow::Result<()> {
        settings.section::<DocflowSettings>("docflow")?;
        Ok(())
    }

    fn title(&self) -> &'static str {
        "Official documents"
    }

    fn description(&self) -> &'static str {
        "Official document workflow modeled on Korea's On-Nara: an organisation of units and \
         positions with dated assignments and one-step handover; drafts with every version \
         kept; the approval line as data (draft, review, serial and parallel cooperation, \
         final approval, delegated final approval under the effective-dated delegation table, \
         acting approval by a stand-in with post-report, optional post-hoc approval, \
         circulation) with return to any step, recall and mid-flight changes; approval \
         signatures over the version digest; gapless registration numbers; dispatch and \
         receipt between agencies through the exchange; circulation with read records; a \
         hash-chained decision history and an offline-verifiable records package; retention, \
         record files, legal holds and disposal; PDF rendering with approval stamps."
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

    fn exchange_services(&self) -> Vec<egov_core::exchange::ServiceDef> {
        exchange::services()
    }

    /// Documents are dispatched to other agencies through the exchange.
    fn needs_exchange(&self) -> bool {
        true
    }

    fn start(&self, ctx: &Context<'_>) -> anyhow::Result<Started> {
        let x = ctx
            .exchange
            .and_then(|x| x.downcast_ref::<egov_exchange::Exchange>())
            .cloned();
        let d = Docflow::start(
            ctx.settings,
            ctx.db,
            ctx.packs,
            x,
            ctx.clock,
            ctx.events.clone(),
        )?;
        ctx.events.declare(NAME, &["approval"]);
        let data = actix_web::web::Data::new(d);
        Ok(Started {
            register: vec![Arc::new(move |cfg| {
                cfg.app_data(data.clone());
            })],
            workers: vec![],
        })
    }

    fn configure(&self, cfg: &mut egov_core::routes::Routes<'_>) {
        http::configure(cfg);
        web::configure(cfg);
    }

    fn messages(&self) -> Vec<(&'static str, &'static str)> {
        web::MESSAGES.to_vec()
    }

    fn work_links(&self) -> Vec<(&'static str, &'static str, &'static str)> {
        vec![
            ("/desk/documents", "doc-work-title", "kind:officer"),
            ("/desk/records", "doc-records-title", RECORDS_ROLE),
            ("/desk/organisation", "doc-org-title", "kind:agency_admin"),
        ]
    }

    fn trails(&self) -> Vec<&'static dyn egov_core::anchor::Trail> {
        vec![&store::HistoryTrail]
    }
}

//! E-procurement modeled on KONEPS / Narajangteo (`/procurement`).
//!
//! - [`rules`]: the country pack's procedures, evaluation rules, deadline slots and
//!   eligibility basis, each with its legal citation, checked at load.
//! - [`lifecycle`] (pure): tender statuses and their OCDS codes.
//! - [`seal`] (pure): the tender's opening key split k-of-n among the committee, sealed bids.
//! - [`lottery`] (pure): the multiple reserve price lottery with a committed seed.
//! - [`evaluation`] (pure): ranking by the procedure's rule, explained per bidder.
//! - [`service`]: tenders, bids, opening, evaluation, awards, complaints and contracts, each
//!   change with its audit event, OCDS release and exchange event in one transaction.
//! - [`scheduler`]: time-driven transitions, exactly once across instances.
//! - [`ocds`]: OCDS 1.1 releases, records and packages, and their validation.
//! - [`routes`]: the public, supplier, officer, committee, evaluator and review-body API.

use crate::domain::rules;
pub mod domain;
pub mod errors;
pub mod settings;
pub use settings::ProcurementSettings;
pub mod http;
pub mod ocds;
pub mod scheduler;
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
pub const NAME: &str = "procurement";

/// Buying agencies' procurement officers (and, in the procurement agency, the registrar of
/// suppliers and debarments).
pub const OFFICER_ROLE: &str = "procurement.officer";
/// Members of opening committees.
pub const COMMITTEE_ROLE: &str = "procurement.committee";
/// Evaluators of bids.
pub const EVALUATOR_ROLE: &str = "procurement.evaluator";
/// The review body's officers, who decide complaints.
pub const REVIEWER_ROLE: &str = "procurement.reviewer";

const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// The procurement module of one process.
#[derive(Clone)]
pub struct Procurement(pub(crate) Arc<Inner>);

pub(crate) struct Inner {
    /// `egov_domain_events_total{module="procurement"}` (bid_sealed).
    pub(crate) events: egov_core::metrics::Events,
    pub(crate) settings: Arc<Settings>,
    /// The module's own section of the settings.
    pub(crate) config: ProcurementSettings,
    pub(crate) db: Db,
    pub(crate) packs: Arc<CountryPacks>,
    pub(crate) rules: Option<Rules>,
    pub(crate) sealer: Sealer,
    pub(crate) key: egov_exchange::signature::KeyCache,
    pub(crate) recorder: egov_auth::Recorder,
    pub(crate) exchange: Option<egov_exchange::Exchange>,
    /// The process's clock: every time the module stamps or compares comes from it.
    pub(crate) clock: egov_core::clock::Clock,
}

impl std::fmt::Debug for Procurement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Procurement")
            .field(
                "procedures",
                &self.0.rules.as_ref().map(|r| r.procedures.len()),
            )
            .finish_non_exhaustive()
    }
}

impl Procurement {
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
        let rules = rules::load(&pack_dir, packs.active())?;
        let secrets = egov_auth::secrets::Secrets::load(&settings.auth)?;
        let config: ProcurementSettings = settings.section("procurement")?;
        if config.acceleration != 1 {
            tracing::warn!(
                acceleration = config.acceleration,
                "procurement runs on an accelerated sandbox clock: not for production"
            );
        }
        Ok(Procurement(Arc::new(Inner {
            config,
            settings: settings.clone(),
            db: db.clone(),
            packs: packs.clone(),
            rules,
            sealer: secrets.sealer.clone(),
            key: egov_exchange::signature::KeyCache::default(),
            recorder: egov_auth::Recorder::new(db.clone(), NAME, settings.server.trusted_proxies()),
            exchange,
            events,
            clock: clock.clone(),
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
    pub fn config(&self) -> &ProcurementSettings {
        &self.0.config
    }

    pub fn pack(&self) -> &egov_core::CountryPack {
        self.0.packs.active()
    }

    /// The pack's rules, or `503 procurement.not_configured`.
    pub fn rules(&self) -> Result<&Rules, Error> {
        self.0
            .rules
            .as_ref()
            .ok_or_else(|| Error::new(errors::NOT_CONFIGURED))
    }

    pub fn exchange(&self) -> Option<&egov_exchange::Exchange> {
        self.0.exchange.as_ref()
    }

    /// A period of `days` on this deployment's clock (shortened by the sandbox acceleration).
    pub fn days(&self, days: u32) -> chrono::Duration {
        let secs = i64::from(days) * 86_400;
        let a = i64::from(self.0.config.acceleration.max(1));
        chrono::Duration::milliseconds(secs * 1000 / a)
    }

    pub fn accelerated(&self) -> bool {
        self.0.config.acceleration > 1
    }

    /// The module's signing key (receipts, score records, contract signatures), created and
    /// stored sealed on first use.
    pub(crate) fn key(
        &self,
        c: &mut egov_core::DbConnection,
    ) -> Result<(ed25519_dalek::SigningKey, String), Error> {
        self.0.key.get(
            c,
            &self.0.sealer,
            ("procurement-key", "procurement"),
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

    /// Verifies a detached signature of `doc` against the published keys.
    pub fn verify(keys: &[store::KeyRow], doc: &Value, signature: &str) -> bool {
        egov_exchange::signature::verify_json(
            keys.iter().map(|k| (k.kid.as_str(), k.public_key.as_str())),
            doc,
            signature,
        )
    }
}

/// The procurement module.
#[derive(Debug)]
pub struct ProcurementModule;

impl Module for ProcurementModule {
    fn name(&self) -> &'static str {
        NAME
    }

    fn roles(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            (
                OFFICER_ROLE,
                "buying agencies' procurement officers (and the registrar of suppliers and debarments)",
            ),
            (COMMITTEE_ROLE, "members of opening committees"),
            (EVALUATOR_ROLE, "evaluators of bids"),
            (
                REVIEWER_ROLE,
                "the review body's officers, who decide complaints",
            ),
        ]
    }

    fn settings_section(&self) -> Option<&'static str> {
        Some("procurement")
    }

    fn check_settings(&self, settings: &Settings) -> anyhow::Result<()> {
        settings.section::<ProcurementSettings>("procurement")?;
        Ok(())
    }

    fn title(&self) -> &'static str {
        "E-procurement"
    }

    fn description(&self) -> &'static str {
        "Public e-procurement modeled on Korea's KONEPS (Narajangteo): suppliers registered \
         once with eligibility checked through the exchange (tax clearance) and a debarment \
         list, tenders with lots, questions and versioned amendments, sealed bids encrypted \
         to a key split k-of-n among the opening committee with signed receipts, deadlines \
         and standstills run by a scheduler exactly once, the multiple reserve price lottery \
         with a committed seed, evaluation by the country pack's rules with explanations, \
         complaints that suspend the tender, e-contracts signed by both parties, and OCDS 1.1 \
         publication."
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

    /// Eligibility asks the tax clearance through the exchange, and tenders are announced as
    /// events through its outbox.
    fn needs_exchange(&self) -> bool {
        true
    }

    fn start(&self, ctx: &Context<'_>) -> anyhow::Result<Started> {
        let exchange = ctx
            .exchange
            .and_then(|x| x.downcast_ref::<egov_exchange::Exchange>())
            .cloned();
        if let Some(x) = &exchange {
            x.require(NAME, "tax")?;
        }
        let p = Procurement::start(
            ctx.settings,
            ctx.db,
            ctx.packs,
            exchange,
            ctx.clock,
            ctx.events.clone(),
        )?;
        ctx.events.declare(NAME, &["bid_sealed"]);
        let data = actix_web::web::Data::new(p.clone());
        let worker = p.clone();
        Ok(Started {
            register: vec![Arc::new(move |cfg| {
                cfg.app_data(data.clone());
            })],
            workers: vec![Arc::new(move || {
                let p = worker.clone();
                Box::pin(async move { scheduler::run(p).await })
            })],
        })
    }

    fn messages(&self) -> Vec<(&'static str, &'static str)> {
        web::MESSAGES.to_vec()
    }

    fn portal_sections(&self) -> Vec<egov_core::module::PortalSection> {
        vec![(
            "/tenders",
            "proc-notices-title",
            "proc-notices-lead",
            "proc-search-button",
        )]
    }

    fn my_links(&self) -> Vec<(&'static str, &'static str)> {
        vec![("/my/procurement", "proc-supplier-title")]
    }

    fn work_links(&self) -> Vec<(&'static str, &'static str, &'static str)> {
        vec![
            ("/desk/procurement", "proc-desk-title", OFFICER_ROLE),
            (
                "/desk/procurement/committee",
                "proc-committee-title",
                COMMITTEE_ROLE,
            ),
            (
                "/desk/procurement/evaluation",
                "proc-eval-title",
                EVALUATOR_ROLE,
            ),
            (
                "/desk/procurement/complaints",
                "proc-review-title",
                REVIEWER_ROLE,
            ),
        ]
    }

    fn configure(&self, cfg: &mut egov_core::routes::Routes<'_>) {
        http::configure(cfg);
        web::configure(cfg);
    }
}

//! Tax filing modeled on Hometax (`/tax`).
//!
//! - [`domain`]: the rules engine. A country pack's `tax/<year>.toml` declares the wage tax
//!   as data; results carry the engine version and the rules' hash and, on request, a trace
//!   with the citation of every step. Pure: no I/O beyond reading the files it is given.
//! - The service: employers' withholding statements (bulk, idempotent), pre-filled returns,
//!   signed acknowledgements with rule-numbered rejections, immutable versions (amendments
//!   and officers' corrections), the taxpayer ledger with bank-transfer matching, refunds,
//!   signed certificates with public verification and revocation, the filing calendar and
//!   reminders through a notification outbox, and officers' views (access-logged).
//! - Exchange services `tax-clearance` and `income-certificate` for other agencies.

pub mod domain;
pub mod errors;
pub mod settings;
pub use settings::TaxSettings;
pub mod exchange;
pub mod http;
pub mod notify;
pub mod service;
pub mod simulate;
pub mod store;
pub mod web;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use egov_auth::SubjectIndex;
use egov_auth::secrets::Sealer;
use egov_core::clock::Clock;
use egov_core::module::{Context, Started};
use egov_core::outbox::Notifier;
use egov_core::{CountryPacks, Db, Migrations, Module, Settings};

use crate::domain::rules::{LoadError, LoadIssue};
use serde_json::Value;

use crate::domain::RuleSet;

/// The module's name in `--modules`.
pub const NAME: &str = "tax";

/// The officers' role.
pub const OFFICER_ROLE: &str = "tax.officer";

const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// The tax module of one process: rules, keys and settings.
#[derive(Clone)]
pub struct Tax(Arc<Inner>);

pub(crate) struct Inner {
    /// `egov_domain_events_total{module="tax"}` (return_filed).
    pub(crate) events: egov_core::metrics::Events,
    /// The module's own section of the settings.
    pub(crate) config: TaxSettings,
    pub(crate) db: Db,
    pub(crate) packs: Arc<CountryPacks>,
    /// The active pack's wage-tax rules by year.
    pub(crate) rules: BTreeMap<i32, Arc<RuleSet>>,
    pub(crate) index: SubjectIndex,
    pub(crate) key: ed25519_dalek::SigningKey,
    pub(crate) kid: String,
    pub(crate) public_keys: Vec<(String, String)>,
    pub(crate) notifier: Arc<dyn Notifier>,
    pub(crate) clock: Clock,
    pub(crate) recorder: egov_auth::Recorder,
    /// Where people reach the portal (the QR code of a certificate leads there).
    pub(crate) public_url: String,
}

impl std::fmt::Debug for Tax {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tax")
            .field("years", &self.0.rules.keys().collect::<Vec<_>>())
            .field("kid", &self.0.kid)
            .finish_non_exhaustive()
    }
}

/// The rules files of a pack directory (`<pack>/tax/*.toml`, not the `.tests.toml`).
pub fn rules_files(pack_dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(pack_dir.join("tax"))
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            n.ends_with(".toml") && !n.ends_with(".tests.toml")
        })
        .collect();
    out.sort();
    out
}

/// Loads the tax rules of a pack, by year, each in the pack's currency (its code, and its
/// minor units for money). Every problem of every file is reported, with file and line.
pub fn load_rules(
    pack_dir: &Path,
    currency: &egov_core::domain::money::Currency,
) -> Result<BTreeMap<i32, Arc<RuleSet>>, LoadError> {
    let mut rules = BTreeMap::new();
    let mut issues = Vec::new();
    for f in rules_files(pack_dir) {
        match RuleSet::load(&f) {
            Ok(mut set) => {
                if set.currency != currency.code() {
                    issues.push(LoadIssue {
                        file: f.clone(),
                        line: 1,
                        message: format!(
                            "meta.currency is {}, the pack's currency is {}",
                            set.currency,
                            currency.code()
                        ),
                    });
                }
                set.minor_units = u32::from(currency.minor_units());
                if let Some(other) = rules.insert(set.year, Arc::new(set)) {
                    issues.push(LoadIssue {
                        file: f.clone(),
                        line: 1,
                        message: format!(
                            "a second rules file for {} (the first is {})",
                            other.year,
                            other.file.display()
                        ),
                    });
                }
            }
            Err(LoadError(mut more)) => issues.append(&mut more),
        }
    }
    if issues.is_empty() {
        Ok(rules)
    } else {
        Err(LoadError(issues))
    }
}

impl Tax {
    pub(crate) fn count(&self, event: &'static str) {
        self.0.events.count(NAME, event);
    }

    /// Loads the rules and the module's signing key (blocking; before serving).
    pub fn start(
        settings: &Arc<Settings>,
        db: &Db,
        packs: &Arc<CountryPacks>,
        clock: &Clock,
        notifier: Arc<dyn Notifier>,
        events: egov_core::metrics::Events,
    ) -> anyhow::Result<Self> {
        // Every pack's rules are checked, as every pack is; the active pack's are served.
        let mut rules = BTreeMap::new();
        for pack in packs.all() {
            let dir = settings.country.packs_dir.join(&pack.code);
            let loaded = load_rules(&dir, &pack.currency).map_err(|e| anyhow::anyhow!("{e}"))?;
            for w in loaded.values().flat_map(|set| set.warnings()) {
                tracing::warn!(target: "egov_tax", "{w}");
            }
            if pack.code == packs.active().code {
                rules = loaded;
            }
        }
        let secrets = egov_auth::secrets::Secrets::load(&settings.auth)?;
        let (key, kid, public_keys) = {
            let mut conn = db.get_blocking()?;
            ensure_key(&mut conn, &secrets.sealer, clock.now_naive())
                .map_err(|e| anyhow::anyhow!("tax keys: {e}"))?
        };
        Ok(Tax(Arc::new(Inner {
            config: settings.section("tax")?,
            db: db.clone(),
            packs: packs.clone(),
            rules,
            index: secrets.index.clone(),
            key,
            kid,
            public_keys,
            notifier,
            events,
            clock: clock.clone(),
            recorder: egov_auth::Recorder::new(db.clone(), NAME, settings.server.trusted_proxies()),
            public_url: settings.public_url().trim_end_matches('/').to_owned(),
        })))
    }

    pub fn db(&self) -> &Db {
        &self.0.db
    }

    /// Now, from the process's clock (whole microseconds, UTC).
    pub fn now(&self) -> chrono::NaiveDateTime {
        self.0.clock.now_naive()
    }

    pub fn rules(&self, year: i32) -> Option<&Arc<RuleSet>> {
        self.0.rules.get(&year)
    }

    pub fn years(&self) -> Vec<i32> {
        self.0.rules.keys().copied().collect()
    }

    /// Signs a JSON document (its canonical form: keys sorted, no spaces).
    pub fn sign(&self, doc: &Value) -> String {
        egov_exchange::signature::sign(&self.0.key, &self.0.kid, canonical_json(doc))
    }

    /// Verifies a signature made by one of this module's keys.
    pub fn verify(&self, doc: &Value, signature: &str) -> bool {
        egov_exchange::signature::verify_json(
            self.0
                .public_keys
                .iter()
                .map(|(k, p)| (k.as_str(), p.as_str())),
            doc,
            signature,
        )
    }
}

type LoadedKeys = (ed25519_dalek::SigningKey, String, Vec<(String, String)>);

/// The module's signing key (opened, or made and stored sealed on first start) and every
/// public key it has had. Two processes starting at once may both make one: the second
/// start then uses whichever was stored.
fn ensure_key(
    conn: &mut egov_core::DbConnection,
    sealer: &Sealer,
    now: chrono::NaiveDateTime,
) -> Result<LoadedKeys, egov_core::Error> {
    let open = |conn: &mut egov_core::DbConnection| {
        egov_exchange::signature::KeyCache::default().get(
            conn,
            sealer,
            ("tax-key", "tax"),
            |c| Ok(store::latest_key(c)?.map(|r| (r.kid, r.private_sealed))),
            |c, kid, public_key, private_sealed| {
                store::insert_key(
                    c,
                    &store::KeyRow {
                        kid: kid.to_owned(),
                        public_key,
                        private_sealed,
                        created_at: now,
                    },
                )
            },
        )
    };
    let (key, kid) = open(conn).or_else(|_| open(conn))?;
    let public = store::all_keys(conn)?
        .into_iter()
        .map(|k| (k.kid, k.public_key))
        .collect();
    Ok((key, kid, public))
}

pub use egov_exchange::signature::canonical_json;

/// The tax module.
#[derive(Debug)]
pub struct TaxModule;

impl Module for TaxModule {
    fn name(&self) -> &'static str {
        NAME
    }

    fn roles(&self) -> Vec<(&'static str, &'static str)> {
        vec![(
            OFFICER_ROLE,
            "tax office work: withholding agents, statement reviews, assessments and corrections, refunds and payments (four eyes where the pack asks)",
        )]
    }

    fn settings_section(&self) -> Option<&'static str> {
        Some("tax")
    }

    fn check_settings(&self, settings: &Settings) -> anyhow::Result<()> {
        settings.section::<TaxSettings>("tax")?;
        Ok(())
    }

    fn title(&self) -> &'static str {
        "Tax filing"
    }

    fn description(&self) -> &'static str {
        "Wage tax filing modeled on Korea's Hometax: the law as data in the country pack \
         (explainable, reproducible results), employers' withholding statements, pre-filled \
         returns with signed acknowledgements and rule-numbered rejections, amendments kept as \
         immutable versions, payments by bank-transfer reference, refunds, signed certificates \
         with public verification, the filing calendar with reminders, officers' views, and \
         exchange services for other agencies."
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

    fn start(&self, ctx: &Context<'_>) -> anyhow::Result<Started> {
        let tax = Tax::start(
            ctx.settings,
            ctx.db,
            ctx.packs,
            ctx.clock,
            ctx.notifier.clone(),
            ctx.events.clone(),
        )?;
        ctx.events.declare(NAME, &["return_filed"]);
        let data = actix_web::web::Data::new(tax.clone());
        let worker = tax.clone();
        Ok(Started {
            register: vec![Arc::new(move |cfg| {
                cfg.app_data(data.clone());
            })],
            workers: vec![Arc::new(move || {
                let t = worker.clone();
                Box::pin(async move { notify::run(t).await })
            })],
        })
    }

    fn messages(&self) -> Vec<(&'static str, &'static str)> {
        web::MESSAGES.to_vec()
    }

    fn portal_links(&self) -> Vec<(&'static str, &'static str)> {
        vec![("/certificates/verify", "tax-verify-title")]
    }

    fn my_links(&self) -> Vec<(&'static str, &'static str)> {
        vec![("/my/tax", "my-tax")]
    }

    fn work_links(&self) -> Vec<(&'static str, &'static str, &'static str)> {
        vec![("/desk/tax", "tax-office-title", OFFICER_ROLE)]
    }

    fn configure(&self, cfg: &mut egov_core::routes::Routes<'_>) {
        http::configure(cfg);
        web::configure(cfg);
    }
}

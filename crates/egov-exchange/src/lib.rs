//! Standard data exchange between agencies and modules (X-Road compatible).
//!
//! - [`xroad`], [`canonical`], [`signature`], [`check`]: identifiers, the canonical form that
//!   signatures cover, detached Ed25519 JWS, and the provider's first check of a request;
//! - [`keys`]: member keys (rotation, publication) and the member directory;
//! - [`catalogue`]: the services modules provide, with schemas, items and legal bases;
//! - [`provider`]: the gateway that every request to this deployment's services goes through
//!   (signature, replay, grant, consent, schema, item stripping, signed response, message log);
//! - [`client`]: what modules call — the same signing, checking and logging whether the provider
//!   is in this process or on another host (HTTP with timeouts, retries, circuit breaker);
//! - [`log`], [`evidence`]: the hash-chained message log and offline-verifiable evidence;
//! - [`events`]: the transactional outbox delivering signed CloudEvents to subscribers;
//! - [`http`]: the exchange's own admin, auditor, citizen and discovery endpoints.

pub mod canonical;
pub mod catalogue;
pub mod check;
pub mod client;
pub mod consent;
pub mod errors;
pub mod events;
pub mod evidence;
pub mod http;
pub mod keys;
pub mod log;
pub mod provider;
pub mod signature;
pub mod store;
pub mod web;
pub mod writer;
pub mod xroad;

use std::sync::Arc;

use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use egov_auth::SubjectIndex;
use egov_core::exchange::ServiceDef;
use egov_core::{CountryPacks, Db, Migrations, Module, Settings};

use crate::catalogue::Catalogue;
use crate::client::Breakers;
use crate::keys::KeyStore;
use crate::xroad::ClientId;

/// The module's name in `--modules`.
pub const NAME: &str = "exchange";

/// The exchange of one process: its member, keys, catalogue and transport.
#[derive(Clone)]
pub struct Exchange(Arc<Inner>);

pub(crate) struct Inner {
    pub(crate) settings: Arc<Settings>,
    pub(crate) db: Db,
    pub(crate) packs: Arc<CountryPacks>,
    pub(crate) index: SubjectIndex,
    pub(crate) keys: KeyStore,
    pub(crate) catalogue: Catalogue,
    pub(crate) member: ClientId,
    /// `None`: the consent ledger is this deployment's.
    pub(crate) ledger: Option<ClientId>,
    pub(crate) http: reqwest::Client,
    pub(crate) breakers: Breakers,
    /// Whether the auth module's access log is in this database (for the joined view).
    pub(crate) access_log_here: bool,
    pub(crate) recorder: egov_auth::Recorder,
    pub(crate) writer: writer::Writer,
    pub(crate) recent: provider::Recent,
    /// `exchange.security_servers`: whose unsigned X-Road requests are served.
    pub(crate) security_servers: Vec<ipnet::IpNet>,
    /// `server.trusted_proxies`, parsed once: whose `X-Forwarded-For` names the sender.
    pub(crate) trusted_proxies: Vec<ipnet::IpNet>,
    /// The process's clock (what the providers' handlers are told "now" is).
    pub(crate) clock: egov_core::clock::Clock,
}

impl std::fmt::Debug for Exchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exchange")
            .field("member", &self.0.member.to_string())
            .finish_non_exhaustive()
    }
}

/// This deployment's member id from the settings.
pub fn member_id(settings: &Settings) -> anyhow::Result<ClientId> {
    let raw = if settings.exchange.member.trim().is_empty() {
        format!("{}/GOV/EGOV", settings.country.code.to_ascii_uppercase())
    } else {
        settings.exchange.member.trim().to_owned()
    };
    let id = ClientId::parse(&raw)
        .map_err(|e| anyhow::anyhow!("exchange.member {raw:?} is not a member id: {e}"))?;
    if id.subsystem.is_some() {
        anyhow::bail!("exchange.member {raw:?} must be INSTANCE/CLASS/MEMBER (no subsystem)");
    }
    Ok(id)
}

/// Starts the exchange of one process: loads or creates this member's signing key (blocking;
/// call before serving) and compiles the catalogue of `services`.
pub fn start(
    settings: &Arc<Settings>,
    db: &Db,
    packs: &Arc<CountryPacks>,
    services: Vec<ServiceDef>,
    access_log_here: bool,
    clock: &egov_core::clock::Clock,
    calls: egov_core::metrics::ExchangeCalls,
) -> anyhow::Result<Exchange> {
    let member = member_id(settings)?;
    let ledger = match settings.exchange.consent_ledger.trim() {
        "" => None,
        raw => {
            let id = ClientId::parse(raw).map_err(|e| {
                anyhow::anyhow!("exchange.consent_ledger {raw:?} is not a member id: {e}")
            })?;
            (id != member).then_some(id)
        }
    };
    let secrets = egov_auth::secrets::Secrets::load(&settings.auth)?;
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_millis(
            settings.exchange.timeout_ms,
        ))
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let keys = KeyStore::new(
        db.clone(),
        secrets.sealer.clone(),
        member.clone(),
        settings.exchange.key_overlap_secs,
        http.clone(),
    );
    {
        let mut conn = db.get_blocking()?;
        keys.ensure_own_blocking(
            &mut conn,
            &settings.exchange.member_name,
            settings.server.public_url.clone(),
        )
        .map_err(|e| anyhow::anyhow!("exchange keys: {e}"))?;
    }
    for (subsystem, base) in &settings.exchange.subsystems {
        let url = url::Url::parse(base).map_err(|e| {
            anyhow::anyhow!("exchange.subsystems.{subsystem} = {base:?} is not a URL: {e}")
        })?;
        anyhow::ensure!(
            matches!(url.scheme(), "http" | "https") && url.host().is_some(),
            "exchange.subsystems.{subsystem} = {base:?}: give the http(s) base URL of the process serving it"
        );
    }
    let catalogue = Catalogue::new(services)?;
    Ok(Exchange(Arc::new(Inner {
        settings: settings.clone(),
        db: db.clone(),
        packs: packs.clone(),
        index: secrets.index.clone(),
        keys,
        catalogue,
        member,
        ledger,
        http,
        breakers: Breakers::default(),
        access_log_here,
        writer: writer::Writer::new(db.clone(), calls),
        recent: provider::Recent::default(),
        security_servers: settings.exchange.security_servers(),
        trusted_proxies: settings.server.trusted_proxies(),
        clock: clock.clone(),
        recorder: egov_auth::Recorder::new(db.clone(), NAME, settings.server.trusted_proxies()),
    })))
}

impl Exchange {
    pub fn member(&self) -> &ClientId {
        &self.0.member
    }

    pub fn keys(&self) -> &KeyStore {
        &self.0.keys
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.0.catalogue
    }

    pub fn db(&self) -> &Db {
        &self.0.db
    }

    /// Checks at start that `caller` can reach `subsystem` of this member: served in this
    /// process, or named in `exchange.subsystems` (modules apart). A module that calls a
    /// subsystem nobody serves refuses to start instead of failing its first call.
    pub fn require(&self, caller: &str, subsystem: &str) -> anyhow::Result<()> {
        anyhow::ensure!(
            subsystem == NAME
                || self.0.catalogue.serves(subsystem)
                || self.0.settings.exchange.subsystems.contains_key(subsystem),
            "module {caller} calls the {subsystem} services of this member, and this process does not serve {subsystem}: serve it here (--modules …,{subsystem}) or name the process that does (exchange.subsystems.{subsystem}, EGOV__EXCHANGE__SUBSYSTEMS__{})",
            subsystem.to_uppercase()
        );
        Ok(())
    }

    /// The client id of `module`: a subsystem of this member.
    pub fn client_of(&self, module: &str) -> ClientId {
        ClientId {
            subsystem: Some(module.to_owned()),
            ..self.0.member.clone()
        }
    }

    /// Starts the outbox delivery loop on the current runtime, and a reload of the keys every
    /// 30 s, so that a rotation or revocation made by another process (or the CLI) is taken up
    /// by this one within that time.
    pub fn spawn_workers(&self) {
        let this = self.clone();
        tokio::spawn(async move { events::run(this).await });
        let keys = self.keys().clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                if let Err(e) = keys.reload().await {
                    tracing::warn!(error = %e, "reloading the exchange keys failed");
                }
            }
        });
    }
}

const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// The exchange module: tables, gateway (`/r1/...`) and the `/exchange/v1` API.
#[derive(Debug)]
pub struct ExchangeModule;

impl Module for ExchangeModule {
    fn name(&self) -> &'static str {
        NAME
    }

    fn title(&self) -> &'static str {
        "Data exchange"
    }

    fn description(&self) -> &'static str {
        "Signed, logged, consent-checked exchange between agencies and modules (X-Road \
         message protocol for REST): member keys, the service catalogue, grants, the consent \
         ledger, the message log and evidence, and event subscriptions."
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
        http::configure(cfg);
        web::configure(cfg);
    }

    fn messages(&self) -> Vec<(&'static str, &'static str)> {
        web::MESSAGES.to_vec()
    }

    fn my_links(&self) -> Vec<(&'static str, &'static str)> {
        vec![("/my/consents", "my-consents")]
    }

    fn work_links(&self) -> Vec<(&'static str, &'static str, &'static str)> {
        vec![("/admin/exchange", "xadmin-title", "kind:platform_admin")]
    }

    fn trails(&self) -> Vec<&'static dyn egov_core::anchor::Trail> {
        vec![&store::MessageLogTrail]
    }
}

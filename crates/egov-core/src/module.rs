//! What a module gives the server. The server keeps one list of modules; adding a module is one
//! line there, and `egov serve --modules a,b` serves a subset.

use crate::db::Migrations;
use crate::error::ErrorCode;

/// What a module gets when the process starts.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub settings: &'a std::sync::Arc<crate::Settings>,
    pub db: &'a crate::Db,
    pub packs: &'a std::sync::Arc<crate::CountryPacks>,
    /// The process's clock: read "now" from it (tests move it).
    pub clock: &'a crate::clock::Clock,
    /// The data exchange of this process, when it serves one (an `egov_exchange::Exchange`;
    /// typed as `Any` because the exchange sits above the core). Modules that publish events
    /// from background work downcast it.
    pub exchange: Option<&'a (dyn std::any::Any + Send + Sync)>,
    /// Where the module's outbox hands its notices (e-mail and SMS, or the log).
    pub notifier: &'a std::sync::Arc<dyn crate::outbox::Notifier>,
    /// Common auth's directory of accounts, when common auth runs in this process (an
    /// `egov_auth::Service`, typed as `Any` because auth sits above the core): modules that
    /// notify officials by role downcast it.
    pub directory: Option<&'a (dyn std::any::Any + Send + Sync)>,
    /// `egov_domain_events_total{module,event}`: the module counts what it did here
    /// (declare its events at start so their series begin at 0).
    pub events: &'a crate::metrics::Events,
}

impl std::fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("notifier", &self.notifier.name())
            .finish_non_exhaustive()
    }
}

/// Registers shared state (usually a `web::Data`) with each worker's app.
pub type Register = std::sync::Arc<dyn Fn(&mut crate::routes::Routes<'_>) + Send + Sync>;

/// A background task, started once per process on the server's runtime.
pub type Worker = std::sync::Arc<
    dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> + Send + Sync,
>;

/// What a started module hands the server: its per-process state and background tasks.
#[derive(Clone, Default)]
pub struct Started {
    pub register: Vec<Register>,
    pub workers: Vec<Worker>,
}

impl std::fmt::Debug for Started {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Started")
            .field("register", &self.register.len())
            .field("workers", &self.workers.len())
            .finish()
    }
}

/// A deployable module (petition, procurement, docflow, tax, ...).
pub trait Module: Send + Sync + 'static {
    /// Short name used in `--modules`, URLs (`/api/v1/<name>`) and per-module OpenAPI documents.
    fn name(&self) -> &'static str;

    /// Human-readable title for the API documentation.
    fn title(&self) -> &'static str;

    /// One-paragraph description for the API documentation.
    fn description(&self) -> &'static str;

    /// The module's tables, one migration set per backend. Version names must not collide with
    /// another module's (the server checks at start).
    fn migrations(&self) -> Option<Migrations> {
        None
    }

    /// The module's own error codes, for documentation.
    fn error_codes(&self) -> &'static [ErrorCode] {
        &[]
    }

    /// The name of the module's own settings section (`[tax]`), if it has one: the module
    /// types it (`Settings::section`) and the server refuses sections no module owns.
    fn settings_section(&self) -> Option<&'static str> {
        None
    }

    /// Checks the module's settings section (types, unknown keys, ranges) when settings are
    /// loaded, for every module the binary is built with, served or not.
    fn check_settings(&self, _settings: &crate::Settings) -> anyhow::Result<()> {
        Ok(())
    }

    /// The services the module provides to other agencies and modules through the exchange.
    fn exchange_services(&self) -> Vec<crate::exchange::ServiceDef> {
        Vec::new()
    }

    /// Whether the module needs the exchange in its process: it provides services, calls
    /// services or publishes events. `--modules` adds the exchange beside such a module.
    fn needs_exchange(&self) -> bool {
        !self.exchange_services().is_empty()
    }

    /// Builds the module's per-process state (loaded rules, keys) before the server binds:
    /// an error stops the start.
    fn start(&self, _ctx: &Context<'_>) -> anyhow::Result<Started> {
        Ok(Started::default())
    }

    /// Registers the module's routes: once per worker to serve them, and once per process to
    /// document them (see [`crate::routes`]), so a served route is always documented.
    fn configure(&self, routes: &mut crate::routes::Routes<'_>);

    /// The titles of the module's error codes in other languages than English, as
    /// `(language, Fluent source)` pairs with ids `problem-<code>` (`.` and `_` as `-`): a
    /// caller's `Accept-Language` picks them (the country pack's `messages/<language>.ftl`
    /// overrides them).
    fn problem_titles(&self) -> Vec<(&'static str, &'static str)> {
        Vec::new()
    }

    /// The messages of the module's pages, as `(language, Fluent source)` pairs (the country
    /// pack's `messages/<language>.ftl` overrides them).
    fn messages(&self) -> Vec<(&'static str, &'static str)> {
        Vec::new()
    }

    /// The module's pages for checking a document or certificate that the portal's home page
    /// links to (under "Check a document or certificate"), as `(path, message id of the link
    /// text)`.
    fn portal_links(&self) -> Vec<(&'static str, &'static str)> {
        Vec::new()
    }

    /// The module's other public pages, each a section of the portal's home page, as `(path,
    /// message id of the heading, of the lead paragraph, of the link text)`.
    fn portal_sections(&self) -> Vec<PortalSection> {
        Vec::new()
    }

    /// The module's page routes that take uploads (route templates): `server.body_limits` may
    /// give them limits above `server.max_body_bytes`.
    fn upload_pages(&self) -> Vec<&'static str> {
        Vec::new()
    }

    /// The module's signed-in pages that "My page" links to, as `(path, message id)`.
    fn my_links(&self) -> Vec<(&'static str, &'static str)> {
        Vec::new()
    }

    /// The roles the module's policies name, with what each lets an official do. Common auth
    /// gives officials only roles that a module of the platform defines (so a typo such as
    /// `petition.officr` is refused, not silently useless).
    fn roles(&self) -> Vec<(&'static str, &'static str)> {
        Vec::new()
    }

    /// The module's pages for officials that "My page" links to for an account with the
    /// role, as `(path, message id, role)`.
    fn work_links(&self) -> Vec<(&'static str, &'static str, &'static str)> {
        Vec::new()
    }

    /// The module's hash-chained trails, anchored by `egov serve` and checked by
    /// `egov audit verify`.
    fn trails(&self) -> Vec<&'static dyn crate::anchor::Trail> {
        Vec::new()
    }
}

/// A section of the portal's home page: `(path, heading, lead, link text)`, the last three
/// message ids.
pub type PortalSection = (&'static str, &'static str, &'static str, &'static str);

//! Building and running the server from typed settings, with no globals: the binary and the
//! test helper go through the same code.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::{App, HttpServer, web};
use anyhow::{Context, bail};
use egov_core::clock::Clock;
use egov_core::db::{DbError, Migrations};
use egov_core::metrics::HttpMetrics;
use egov_core::request::{self, RouteTable, Telemetry};
use egov_core::routes::Routes;
use egov_core::telemetry::AccessLog;
use egov_core::{CountryPacks, Db, Module, Settings};
use utoipa::openapi::OpenApi;
use utoipa_swagger_ui::{Config, SwaggerUi, Url};

use crate::openapi;
use crate::platform;

/// Picks the modules to serve. The platform module is always served; `requested` names others
/// (empty = all of `registry`). An unknown name is an error naming it.
pub fn select_modules(
    registry: &[&'static dyn Module],
    requested: &[String],
) -> anyhow::Result<Vec<&'static dyn Module>> {
    let mut names: Vec<&str> = Vec::new();
    for m in registry {
        if names.contains(&m.name()) {
            bail!("two modules are registered as `{}`", m.name());
        }
        names.push(m.name());
    }
    for r in requested {
        if !names.contains(&r.as_str()) {
            bail!("unknown module `{r}`; this build has: {}", names.join(", "));
        }
    }
    let mut selected: Vec<&'static dyn Module> = registry
        .iter()
        .copied()
        .filter(|m| {
            m.name() == platform::NAME
                || requested.is_empty()
                || requested.iter().any(|r| r == m.name())
        })
        .collect();
    // A module that provides or calls exchange services, or publishes events, needs the
    // exchange beside it (without it, its events had nowhere to go).
    let needs_exchange = selected.iter().any(|m| m.needs_exchange());
    if needs_exchange
        && !selected.iter().any(|m| m.name() == egov_exchange::NAME)
        && let Some(x) = registry.iter().find(|m| m.name() == egov_exchange::NAME)
    {
        selected.push(*x);
    }
    Ok(selected)
}

/// The modules of the deployment (`server.deployment_modules`) in registration order, with
/// every module `served` here; `served` alone when none are named.
pub fn deployment_modules(
    served: &[&'static dyn Module],
    named: &[String],
) -> anyhow::Result<Vec<&'static dyn Module>> {
    if named.is_empty() {
        return Ok(served.to_vec());
    }
    let registry = crate::registered_modules();
    if let Some(unknown) = named
        .iter()
        .find(|n| !registry.iter().any(|m| m.name() == n.as_str()))
    {
        let names: Vec<&str> = registry.iter().map(|m| m.name()).collect();
        bail!(
            "server.deployment_modules names `{unknown}`, which this build does not have; it has: {}",
            names.join(", ")
        );
    }
    Ok(registry
        .into_iter()
        .filter(|m| {
            named.iter().any(|n| n == m.name()) || served.iter().any(|s| s.name() == m.name())
        })
        .collect())
}

/// The migration sets of `modules`, in registration order.
pub fn migration_sets(modules: &[&'static dyn Module]) -> Vec<(&'static str, Migrations)> {
    let mut sets: Vec<(&'static str, Migrations)> = modules
        .iter()
        .filter_map(|m| m.migrations().map(|set| (m.name(), set)))
        .collect();
    // The web layer's page sessions, wherever a module serves pages.
    if modules.iter().any(|m| !m.messages().is_empty()) {
        sets.push(("web", egov_web::MIGRATIONS));
    }
    sets
}

/// Everything a running app shares between its workers.
#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: Db,
    pub packs: Arc<CountryPacks>,
    /// The clock every module reads.
    pub clock: Clock,
    pub metrics: Arc<HttpMetrics>,
    pub modules: Vec<&'static dyn Module>,
    /// The web layer, when a module serves pages.
    pub web: Option<egov_web::Web>,
    /// Set by the binary once logging is installed (and `server.access_log` is on).
    pub access_log: Option<AccessLog>,
    /// Token verification (every process).
    pub auth: egov_auth::Auth,
    /// The auth service (processes that serve the auth module).
    pub auth_service: Option<egov_auth::Service>,
    /// The data exchange (processes that serve the exchange module).
    pub exchange: Option<egov_exchange::Exchange>,
    /// What each module's `start` returned.
    pub started: Arc<Vec<egov_core::module::Started>>,
    /// Signs the trails' heads into `audit.anchor_file` (see `egov_core::anchor`).
    pub anchorer: Arc<egov_core::anchor::Anchorer>,
    /// Every served OpenAPI document as (path, name, JSON), serialized once and shared by the
    /// workers: the merged one first.
    documents: Arc<Vec<crate::documents::Document>>,
    routes: Arc<RouteTable>,
    /// Problem titles in the pack's languages, picked by `Accept-Language`.
    titles: Arc<dyn egov_core::error::ProblemTitles>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("settings", &self.settings)
            .field("db", &self.db)
            .field(
                "modules",
                &self.modules.iter().map(|m| m.name()).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Starts the background tasks (exchange delivery, modules' workers) on the current
    /// runtime.
    pub fn spawn_workers(&self) {
        tokio::spawn(self.auth.clone().poll_revocations());
        tokio::spawn(anchor_periodically(
            self.db.clone(),
            self.anchorer.clone(),
            self.trails(),
            self.exchange.clone(),
            self.settings.audit.countersign_service.clone(),
            std::time::Duration::from_secs(self.settings.audit.anchor_interval_secs),
        ));
        if let Some(x) = &self.exchange {
            x.spawn_workers();
        }
        for s in self.started.iter() {
            for w in &s.workers {
                tokio::spawn(w());
            }
        }
    }

    /// The hash-chained trails of the served modules.
    pub fn trails(&self) -> Vec<&'static dyn egov_core::anchor::Trail> {
        self.modules.iter().flat_map(|m| m.trails()).collect()
    }

    /// Anchors every trail whose head moved (and sends them to the countersigning peer, if
    /// one is set); how many anchors were written.
    pub async fn anchor_now(&self) -> Result<usize, egov_core::Error> {
        anchor_round(
            &self.db,
            &self.anchorer,
            &self.trails(),
            self.exchange.as_ref(),
            &self.settings.audit.countersign_service,
        )
        .await
    }

    pub fn new(
        settings: Settings,
        db: Db,
        packs: CountryPacks,
        modules: Vec<&'static dyn Module>,
    ) -> anyhow::Result<Self> {
        Self::with_clock(settings, db, packs, modules, Clock::system())
    }

    /// [`AppState::new`] with a given clock (tests pass a movable one).
    pub fn with_clock(
        settings: Settings,
        db: Db,
        packs: CountryPacks,
        modules: Vec<&'static dyn Module>,
        clock: Clock,
    ) -> anyhow::Result<Self> {
        let names: Vec<&str> = modules.iter().map(|m| m.name()).collect();
        let metrics = HttpMetrics::new(&names).context("cannot register metrics")?;
        let anchorer = egov_core::anchor::Anchorer::from_settings(&settings.audit)
            .context("the anchoring key (audit settings)")?;
        // Every document is built once per process (the workers only register routes) and
        // kept as its serialized bytes.
        let module_docs: Vec<OpenApi> = modules
            .iter()
            .map(|m| openapi::module_document(*m))
            .collect();
        let module_bytes = module_docs
            .iter()
            .map(serde_json::to_vec)
            .collect::<Result<Vec<_>, _>>()?;
        let openapi = openapi::merge(module_docs);
        let pages: Vec<&str> = modules.iter().flat_map(|m| m.upload_pages()).collect();
        let (routes, unknown) = RouteTable::with_limits_and_pages(
            &openapi,
            &settings.server.body_limits,
            settings.server.max_body_bytes,
            &pages,
        );
        // A route of a module served by another process (modules apart) is expected; any other
        // unknown route is a typo.
        let elsewhere: Vec<&'static dyn Module> = crate::registered_modules()
            .into_iter()
            .filter(|r| !modules.iter().any(|m| m.name() == r.name()))
            .collect();
        for template in unknown {
            let served_elsewhere = elsewhere.iter().any(|m| {
                template.starts_with(&format!("/{}/", m.name()))
                    || m.upload_pages().contains(&template.as_str())
            });
            if !served_elsewhere {
                tracing::warn!(%template, "server.body_limits names a route no module serves");
            }
        }
        let settings = Arc::new(settings);
        let packs = Arc::new(packs);
        let local = modules.iter().any(|m| m.name() == egov_auth::NAME);
        let (auth, auth_service) =
            egov_auth::start(&settings, &db, &packs, local, metrics.security_events())?;
        if let Some(service) = &auth_service {
            // Every module of the binary (served here or elsewhere) names its roles.
            let mut roles: Vec<&'static str> = crate::registered_modules()
                .iter()
                .chain(modules.iter())
                .flat_map(|m| m.roles())
                .map(|(role, _)| role)
                .collect();
            roles.sort_unstable();
            roles.dedup();
            service.set_known_roles(roles);
        }
        let exchange = if modules.iter().any(|m| m.name() == egov_exchange::NAME) {
            let services = modules.iter().flat_map(|m| m.exchange_services()).collect();
            Some(egov_exchange::start(
                &settings,
                &db,
                &packs,
                services,
                local,
                &clock,
                metrics.exchange_calls(),
            )?)
        } else {
            None
        };
        // The portal links to every module of the deployment, served here or elsewhere.
        let deployment = deployment_modules(&modules, &settings.server.deployment_modules)?;
        let serves_pages = modules.iter().any(|m| !m.messages().is_empty());
        // One set of messages per process, for the pages, the notices and the problem titles:
        // the layout's, the modules' (pages, with the links' texts of the deployment's other
        // modules, and error titles) and the pack's overrides.
        let sources: Vec<(&'static str, &'static str)> = deployment
            .iter()
            .flat_map(|m| m.messages())
            .chain(egov_core::error::PROBLEM_TITLES.iter().copied())
            .chain(modules.iter().flat_map(|m| m.problem_titles()))
            .collect();
        let texts = Arc::new(
            egov_web::Messages::load(
                packs.active(),
                &settings.country.packs_dir.join(&settings.country.code),
                &sources,
            )
            .context("the messages")?,
        );
        let notifier = notifier(&settings, &db, &packs, texts.clone(), &metrics)
            .context("notifications ([notify])")?;
        let titles = Arc::new(egov_web::i18n::Titles(texts.clone()));
        let ctx = egov_core::module::Context {
            settings: &settings,
            db: &db,
            packs: &packs,
            clock: &clock,
            exchange: exchange
                .as_ref()
                .map(|x| x as &(dyn std::any::Any + Send + Sync)),
            notifier: &notifier,
            directory: auth_service
                .as_ref()
                .map(|s| s as &(dyn std::any::Any + Send + Sync)),
            events: &metrics.events(),
        };
        let started = modules
            .iter()
            .map(|m| {
                m.start(&ctx)
                    .with_context(|| format!("starting module {}", m.name()))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        // Names leaked once per process: Swagger UI's URL list wants 'static strings.
        let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
        let mut documents = vec![crate::documents::Document::new(
            "/openapi.json",
            "egov (all modules)",
            &serde_json::to_vec(&openapi)?,
        )?];
        drop(openapi);
        for (m, bytes) in modules.iter().zip(module_bytes) {
            documents.push(crate::documents::Document::new(
                leak(format!("/openapi/{}.json", m.name())),
                m.name(),
                &bytes,
            )?);
        }
        let web = if !serves_pages {
            None
        } else {
            let links = deployment.iter().flat_map(|m| m.portal_links()).collect();
            let config: egov_web::session::WebSettings = settings.section("web")?;
            let sections = deployment
                .iter()
                .flat_map(|m| m.portal_sections())
                .collect();
            let web = egov_web::Web::new(packs.clone(), texts.clone(), links)
                .context("the web layer")?
                .with_portal_sections(sections)
                .with_map(config.map.map()?);
            let sign_in = web_sign_in(&settings, &db, &auth, auth_service.as_ref())
                .context("the pages' sign-in")?;
            let my = deployment.iter().flat_map(|m| m.my_links()).collect();
            let work = deployment.iter().flat_map(|m| m.work_links()).collect();
            let roles = modules.iter().flat_map(|m| m.roles()).collect();
            Some(
                web.with_sign_in(sign_in, my)
                    .with_work_links(work)
                    .with_roles(roles)
                    .with_settings(settings.in_force.clone()),
            )
        };
        Ok(Self {
            settings,
            db,
            packs,
            clock,
            web,
            auth,
            auth_service,
            exchange,
            started: Arc::new(started),
            anchorer: Arc::new(anchorer),
            metrics: Arc::new(metrics),
            modules,
            access_log: None,
            documents: Arc::new(documents),
            routes: Arc::new(routes),
            titles,
        })
    }
}

/// Where the modules' outboxes hand their notices: e-mail and text messages to the
/// recipient's account, in their language, from the modules' and the pack's messages.
fn notifier(
    settings: &Settings,
    db: &Db,
    packs: &CountryPacks,
    texts: Arc<egov_web::Messages>,
    metrics: &HttpMetrics,
) -> anyhow::Result<Arc<dyn egov_core::outbox::Notifier>> {
    let templates = egov_notify::Templates::new(texts, packs.active(), &settings.public_url());
    let contacts = Arc::new(egov_notify::AccountContacts(db.clone()));
    let delivery = egov_notify::Delivery::from_settings(settings, contacts, templates)?;
    metrics.register(Box::new(delivery.counter()))?;
    Ok(Arc::new(delivery))
}

/// The pages' OpenID Connect client: a confidential client whose secret both sides derive
/// from the deployment's keys. Registered where the provider runs, when serving
/// ([`register_pages_client`]).
fn web_sign_in(
    settings: &Settings,
    db: &Db,
    auth: &egov_auth::Auth,
    local: Option<&egov_auth::Service>,
) -> anyhow::Result<egov_web::SignIn> {
    let config: egov_web::session::WebSettings = settings.section("web")?;
    let secrets = match local {
        Some(s) => s.secrets().clone(),
        None => egov_auth::secrets::Secrets::load(&settings.auth)?,
    };
    let sign_in = egov_web::SignIn::new(
        db.clone(),
        auth.clone(),
        &secrets,
        config,
        settings.public_url(),
        settings.auth.secure_cookies,
    )?;
    if let Some(s) = local {
        sign_in.set_local_provider(s.clone());
    }
    Ok(sign_in)
}

/// Registers the pages' client (or updates its name and redirect URI to this process's public
/// URL) where the provider runs in this process. Done when serving only: an administration
/// command on the same database, run with other settings, must not move the redirect URI
/// away from the server that uses it.
pub fn register_pages_client(state: &AppState) -> anyhow::Result<()> {
    let (Some(web), Some(local)) = (&state.web, &state.auth_service) else {
        return Ok(());
    };
    let Some(sign_in) = web.sign_in() else {
        return Ok(());
    };
    let mut conn = state.db.get_blocking()?;
    egov_auth::clients::ensure_first_party(
        &mut conn,
        sign_in.client_id(),
        &web.portal_name(),
        vec![sign_in.redirect_uri()],
        &egov_web::session::client_secret(local.secrets()),
    )
    .map_err(|e| anyhow::anyhow!("registering the pages' client: {e}"))
}

/// The actix app of one worker.
pub fn build_app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    // The extractors take the largest route limit; `body_limit` holds each route to its own.
    let limit = state.routes.largest_body_limit();
    let hsts = state.settings.server.hsts;
    let modules = state.modules.clone();
    let started = state.started.clone();
    let mut app = App::new()
        .app_data(web::Data::new(state.auth.clone()))
        .app_data(request::form_config(limit));
    if let Some(service) = &state.auth_service {
        app = app.app_data(web::Data::new(service.clone()));
    }
    if let Some(exchange) = &state.exchange {
        app = app.app_data(web::Data::new(exchange.clone()));
    }
    let pages = state.web.clone();
    if let Some(w) = &pages {
        app = app.app_data(web::Data::new(w.clone()));
    }
    let app = app
        .app_data(web::Data::new(state.db.clone()))
        .app_data(web::Data::from(state.packs.clone()))
        .app_data(web::Data::from(state.settings.clone()))
        .app_data(web::Data::from(state.metrics.clone()))
        .app_data(web::Data::from(state.routes.clone()))
        .app_data(request::json_config(limit))
        .app_data(request::query_config())
        .app_data(request::path_config())
        .app_data(request::payload_config(limit))
        .configure(|cfg| {
            let mut routes = Routes::serving(cfg);
            for s in started.iter() {
                for register in &s.register {
                    register(&mut routes);
                }
            }
            for m in &modules {
                m.configure(&mut routes);
            }
            if pages.is_some() {
                egov_web::configure(cfg);
            }
        });
    // Swagger UI gets only the documents' URLs; the documents themselves are served from the
    // bytes serialized once at start (one copy for all workers, not one per worker).
    let urls: Vec<Url<'static>> = state
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| Url::with_primary(d.name, d.path, i == 0))
        .collect();
    let mut app = app.service(
        SwaggerUi::new("/docs/{_:.*}").config(
            Config::new(urls)
                .validator_url("none")
                .try_it_out_enabled(true),
        ),
    );
    for doc in state.documents.iter() {
        let doc = doc.clone();
        app = app.route(
            doc.path,
            web::get().to(move |req: actix_web::HttpRequest| {
                let doc = doc.clone();
                async move { doc.respond(&req) }
            }),
        );
    }
    app.route(
        "/docs",
        web::get().to(|| async {
            actix_web::HttpResponse::PermanentRedirect()
                .insert_header((header::LOCATION, "/docs/"))
                .finish()
        }),
    )
    .default_service(web::to(unmatched))
    // No response compression here: compressing responses that carry secrets (tokens) next to
    // caller-influenced text invites BREACH-style attacks, and it cost a tenth of the throughput
    // on small responses. Compress at the ingress where it is safe (docs, static assets).
    .wrap(actix_web::middleware::from_fn(request::body_limit))
    .wrap(actix_web::middleware::from_fn(move |req, next| {
        crate::headers::security_headers(hsts, req, next)
    }))
    .wrap(
        Telemetry::new(state.metrics.clone(), state.access_log.clone())
            .with_titles(state.titles.clone()),
    )
}

/// No route: a person's browser asking for a page gets the "page not found" page in their
/// language (when this process serves pages); everyone else gets problem+json (404, or 405
/// with `Allow` on a path that takes other methods).
async fn unmatched(
    req: actix_web::HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<actix_web::HttpResponse, actix_web::Error> {
    let wants_page = req.method() == actix_web::http::Method::GET
        && req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"))
        && table.allowed(req.path()).is_none_or(<[_]>::is_empty);
    if wants_page && let Some(page) = egov_web::Page::of(&req) {
        return Ok(page.not_found().0.response());
    }
    request::unmatched(req, table).await.map_err(Into::into)
}

/// Loads packs, connects, migrates (SQLite) or checks migrations (PostgreSQL): the work done
/// before a port is bound.
pub fn prepare(settings: Settings, modules: Vec<&'static dyn Module>) -> anyhow::Result<AppState> {
    prepare_with_clock(settings, modules, Clock::system())
}

/// [`prepare`] with a given clock.
pub fn prepare_with_clock(
    settings: Settings,
    modules: Vec<&'static dyn Module>,
    clock: Clock,
) -> anyhow::Result<AppState> {
    if !settings.server.metrics_public && settings.server.metrics_token.is_none() {
        anyhow::bail!(
            "server.metrics_public is off and no metrics token is set: pass \
             EGOV__SERVER__METRICS_TOKEN (the bearer token the metrics scraper sends)"
        );
    }
    if settings.auth.secure_cookies
        && settings
            .server
            .public_url
            .as_deref()
            .is_none_or(str::is_empty)
    {
        tracing::warn!(
            public_url = %settings.public_url(),
            "auth.secure_cookies is on (HTTPS) but server.public_url is unset: sign-in sends \
             browsers to the bind address; set EGOV__SERVER__PUBLIC_URL to the address people use"
        );
    }
    let packs = CountryPacks::load(&settings.country.packs_dir, &settings.country.code)
        .map_err(|e| anyhow::anyhow!("invalid country pack:\n{e}"))?;
    let db = Db::connect(&settings.database)
        .with_context(|| format!("database {}", settings.database.url))?;
    let sets = migration_sets(&modules);
    egov_core::db::check_migration_sets(&sets)?;
    match db.backend() {
        egov_core::db::Backend::Sqlite(_) => {
            let applied = db.migrate(&sets)?;
            if !applied.is_empty() {
                tracing::info!(applied = ?applied, "migrations applied");
            }
        }
        egov_core::db::Backend::Postgres => {
            let pending = db.pending(&sets)?;
            if !pending.is_empty() {
                return Err(DbError::Pending(pending.join(", ")).into());
            }
        }
    }
    AppState::with_clock(settings, db, packs, modules, clock)
}

/// Starts serving on `listener`. The returned server stops gracefully on SIGTERM/SIGINT.
pub fn serve(state: AppState, listener: TcpListener) -> std::io::Result<Server> {
    register_pages_client(&state).map_err(std::io::Error::other)?;
    let workers = match state.settings.server.workers {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
        n => n,
    };
    let shutdown = state.settings.server.shutdown_timeout_secs;
    let server = HttpServer::new(move || build_app(state.clone()))
        .workers(workers)
        .shutdown_timeout(shutdown)
        .listen(listener)?
        .run();
    Ok(server)
}

/// Anchors the trails now and every `every` after (a background task of `egov serve`). A
/// failed round is logged and retried at the next one; anchors never block requests.
async fn anchor_periodically(
    db: Db,
    anchorer: Arc<egov_core::anchor::Anchorer>,
    trails: Vec<&'static dyn egov_core::anchor::Trail>,
    exchange: Option<egov_exchange::Exchange>,
    countersign: String,
    every: std::time::Duration,
) {
    loop {
        if let Err(e) = anchor_round(&db, &anchorer, &trails, exchange.as_ref(), &countersign).await
        {
            tracing::warn!(error = %e, "anchoring failed");
        }
        tokio::time::sleep(every).await;
    }
}

/// One anchoring round: every trail that moved, then the new anchors to the countersigning
/// peer (`audit.countersign_service`) through the exchange. A peer that does not answer is a
/// warning: the anchors are in the file either way, and go again with the next round's.
async fn anchor_round(
    db: &Db,
    anchorer: &Arc<egov_core::anchor::Anchorer>,
    trails: &[&'static dyn egov_core::anchor::Trail],
    exchange: Option<&egov_exchange::Exchange>,
    countersign: &str,
) -> Result<usize, egov_core::Error> {
    let mut written = Vec::new();
    for &trail in trails {
        let a = anchorer.clone();
        let now = chrono::Utc::now();
        let new = db.run(move |c| a.anchor_new(c, trail, now)).await?;
        if !new.is_empty() {
            tracing::info!(trail = trail.name(), anchors = new.len(), "trail anchored");
        }
        written.extend(new);
    }
    if let Some(x) = exchange.filter(|_| !countersign.is_empty() && !written.is_empty()) {
        let call = egov_exchange::client::Call::post(
            countersign,
            "v1",
            serde_json::json!({"anchors": written}),
            "audit.anchor",
        );
        match x.call(egov_auth::NAME, call).await {
            Ok(answer) => tracing::info!(
                peer = countersign,
                received = %answer.body["received"],
                "anchors countersigned"
            ),
            Err(e) => tracing::warn!(peer = countersign, error = ?e, "anchors not countersigned"),
        }
    }
    Ok(written.len())
}

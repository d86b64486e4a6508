//! Route registration for modules, with the OpenAPI description built only when asked for.
//!
//! actix builds an app per worker thread, so whatever a module's `configure` does runs once per
//! worker. The routes must be registered there, but their OpenAPI description (paths, operations
//! and schemas: the bulk of the work and of the memory) is needed once per process, when the
//! documents are built at start. [`Routes`] registers a handler with actix and, only when it
//! was created to document ([`Routes::documenting`]), adds the handler's description too.
//!
//! Handlers are the ones `#[utoipa::path]` and actix's method macros make, so a route cannot be
//! served undocumented: the document and the router come from the same `configure`.

use actix_web::dev::HttpServiceFactory;
use utoipa::openapi::path::Paths;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{Components, OpenApi, RefOr};
use utoipa_actix_web::OpenApiFactory;

/// What documenting collected: paths and the schemas they reference.
#[derive(Default)]
pub struct Collected {
    paths: Paths,
    schemas: Vec<(String, RefOr<Schema>)>,
}

impl std::fmt::Debug for Collected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Collected")
            .field("paths", &self.paths.paths.len())
            .field("schemas", &self.schemas.len())
            .finish()
    }
}

impl Collected {
    fn add<F: OpenApiFactory>(&mut self, factory: &F, prefix: &str) {
        let mut paths = factory.paths();
        if !prefix.is_empty() {
            paths.paths = std::mem::take(&mut paths.paths)
                .into_iter()
                .map(|(path, item)| (format!("{prefix}{path}"), item))
                .collect();
        }
        self.paths.merge(paths);
        factory.schemas(&mut self.schemas);
    }

    fn absorb(&mut self, other: Collected) {
        self.paths.merge(other.paths);
        self.schemas.extend(other.schemas);
    }

    /// The collected description as an OpenAPI document (paths and component schemas).
    pub fn into_openapi(self) -> OpenApi {
        let mut doc = OpenApi::default();
        doc.paths = self.paths;
        let mut components = Components::new();
        components.schemas.extend(self.schemas);
        doc.components = Some(components);
        doc
    }
}

/// A module's view of the app being built: register shared data, handlers and scopes.
pub struct Routes<'a> {
    cfg: &'a mut actix_web::web::ServiceConfig,
    doc: Option<&'a mut Collected>,
}

impl std::fmt::Debug for Routes<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Routes")
            .field("documenting", &self.doc.is_some())
            .finish_non_exhaustive()
    }
}

impl<'a> Routes<'a> {
    /// Registers routes only (what each worker does).
    pub fn serving(cfg: &'a mut actix_web::web::ServiceConfig) -> Self {
        Self { cfg, doc: None }
    }

    /// Registers routes and collects their description into `doc` (once per process).
    pub fn documenting(cfg: &'a mut actix_web::web::ServiceConfig, doc: &'a mut Collected) -> Self {
        Self {
            cfg,
            doc: Some(doc),
        }
    }

    /// Shared state for the handlers (usually a `web::Data`).
    pub fn app_data<U: 'static>(&mut self, data: U) -> &mut Self {
        self.cfg.app_data(data);
        self
    }

    /// A handler at the app's root.
    pub fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static,
    {
        if let Some(doc) = self.doc.as_deref_mut() {
            doc.add(&factory, "");
        }
        self.cfg.service(factory);
        self
    }

    /// A page (HTML for people, rendered by the module's `web/`): served, and listed among
    /// the pages rather than in the API's OpenAPI document.
    pub fn page<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + 'static,
    {
        self.cfg.service(factory);
        self
    }

    /// Handlers under a path prefix.
    pub fn scope(&mut self, path: &str, build: impl FnOnce(Scope) -> Scope) -> &mut Self {
        let scope = build(Scope {
            scope: actix_web::web::scope(path),
            prefix: path.to_owned(),
            doc: self.doc.is_some().then(Collected::default),
        });
        if let (Some(doc), Some(collected)) = (self.doc.as_deref_mut(), scope.doc) {
            doc.absorb(collected);
        }
        self.cfg.service(scope.scope);
        self
    }
}

/// Handlers under one path prefix (see [`Routes::scope`]).
pub struct Scope {
    scope: actix_web::Scope,
    prefix: String,
    doc: Option<Collected>,
}

impl std::fmt::Debug for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scope")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl Scope {
    /// A handler under this scope's prefix.
    #[must_use]
    pub fn service<F>(mut self, factory: F) -> Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static,
    {
        if let Some(doc) = self.doc.as_mut() {
            doc.add(&factory, &self.prefix);
        }
        self.scope = self.scope.service(factory);
        self
    }
}

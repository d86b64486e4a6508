//! What a module gives the server. The server keeps one list of modules; adding a module is one
//! line there, and `egov serve --modules a,b` serves a subset.

use crate::db::Migrations;
use crate::error::ErrorCode;

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

    /// The services the module provides to other agencies and modules through the exchange.
    fn exchange_services(&self) -> Vec<crate::exchange::ServiceDef> {
        Vec::new()
    }

    /// Registers the module's routes. Handlers registered through
    /// `utoipa_actix_web::service_config::ServiceConfig::service` are documented automatically.
    fn configure(&self, cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>);
}

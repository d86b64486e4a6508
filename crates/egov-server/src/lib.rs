//! The `egov` server: assembles the platform and the selected modules into one actix-web app,
//! with one OpenAPI document generated from the same registration as the routes.

pub mod documents;
pub mod error_docs;
pub mod headers;
pub mod memory;
pub mod openapi;
pub mod platform;
pub mod startup;

use egov_core::Module;

/// Every module this build can serve. Adding a module is one line here.
pub fn registered_modules() -> Vec<&'static dyn Module> {
    vec![
        &platform::PlatformModule,
        &egov_auth::AuthModule,
        &egov_exchange::ExchangeModule,
        &egov_tax::TaxModule,
        &egov_petition::PetitionModule,
        &egov_procurement::ProcurementModule,
        &egov_docflow::DocflowModule,
    ]
}

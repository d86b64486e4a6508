//! The `egov` server: assembles the platform and the selected modules into one actix-web app,
//! with one OpenAPI document generated from the same registration as the routes.

pub mod backup;
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

/// Checks loaded settings against the modules this build has: every section is the platform's
/// or a module's (a typo names itself), and each module's own section is valid, whether the
/// module is served by this process or not.
pub fn check_settings(settings: &egov_core::Settings) -> anyhow::Result<()> {
    let modules = registered_modules();
    let mut sections: Vec<&str> = modules
        .iter()
        .filter_map(|m| m.settings_section())
        .collect();
    // The web layer's own section (its pages' sign-in).
    sections.push("web");
    // Notices' delivery (e-mail and SMS), shared by the modules' outboxes.
    sections.push("notify");
    settings.check_sections(&sections)?;
    let _: egov_notify::NotifySettings = settings.section("notify")?;
    let web: egov_web::session::WebSettings = settings.section("web")?;
    web.map.map()?;
    for m in &modules {
        m.check_settings(settings)?;
    }
    Ok(())
}

/// Loads settings from `config_dir` (see `egov_core::Settings::load`) and checks them.
pub fn load_settings(config_dir: &std::path::Path) -> anyhow::Result<egov_core::Settings> {
    let settings = egov_core::Settings::load(config_dir)?;
    check_settings(&settings)?;
    Ok(settings)
}

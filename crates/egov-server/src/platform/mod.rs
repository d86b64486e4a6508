//! The platform's own routes, served whatever modules are selected: health, metrics, and the
//! country packs.

pub mod countries;
pub mod health;
pub mod whoami;

use egov_core::routes::Routes;
use egov_core::{ErrorCode, Module, codes};

/// The always-on platform module.
#[derive(Debug)]
pub struct PlatformModule;

/// Its name in `--modules` lists and OpenAPI document URLs.
pub const NAME: &str = "platform";

impl Module for PlatformModule {
    fn name(&self) -> &'static str {
        NAME
    }

    fn title(&self) -> &'static str {
        "Platform"
    }

    fn description(&self) -> &'static str {
        "Health, readiness and metrics for operators; the loaded country packs (languages, \
         currency, identifier schemes, working-day calendar) for every module and front end."
    }

    fn error_codes(&self) -> &'static [ErrorCode] {
        codes::ALL
    }

    fn configure(&self, cfg: &mut Routes<'_>) {
        cfg.service(health::live)
            .service(health::ready)
            .service(health::started)
            .service(health::metrics)
            .service(whoami::whoami)
            .scope("/api/v1/countries", |s| {
                s.service(countries::list_countries)
                    .service(countries::get_country)
                    .service(countries::list_holidays)
                    .service(countries::check_working_day)
                    .service(countries::add_working_days)
                    .service(countries::add_working_hours)
                    .service(countries::validate_business_id)
                    .service(countries::validate_national_id)
            });
    }
}

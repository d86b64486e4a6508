//! The exchange's pages for people: "My consents" — every consent I gave for an agency to get
//! my data from another through the exchange, in words (who gets what from whom, why, until
//! when), with its state, and a button to withdraw each one still in force. Providers refuse
//! requests citing a withdrawn consent from then on.
//!
//! For platform admins ([`admin`]): the members, the grants and the dead-letter list.

pub mod admin;
pub mod consents;

use egov_core::routes::Routes;

/// The pages' messages, per language (the pack's `messages/<lang>.ftl` overrides them). The
/// parties' names (`provider-<subsystem>`) live here and serve every module's consent texts.
pub const MESSAGES: &[(&str, &str)] = egov_web::messages!("ko", "en", "es", "gn");

pub fn configure(routes: &mut Routes<'_>) {
    routes
        .page(consents::my_consents)
        .page(consents::withdraw)
        .page(admin::exchange_admin)
        .page(admin::exchange_act);
}

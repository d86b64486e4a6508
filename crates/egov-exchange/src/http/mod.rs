//! The exchange's HTTP surface: the gateway (`/r1/...`, authenticated by message signatures)
//! and `/exchange/v1`: published keys and discovery (public), administration (platform
//! admins), the message log and evidence (auditors), consents and "who used my data"
//! (citizens).

pub mod audit;
pub mod citizens;
pub mod consents;
pub mod discovery;
pub mod gateway;
pub mod grants;
pub mod keys;
pub mod members;
pub mod subscriptions;

use egov_auth::{Kind, Policy, Rule};
use egov_core::Error;
use egov_core::routes::Routes;

/// Auditors, and platform admins, with a second factor.
#[derive(Debug)]
pub struct LogReader;
impl Policy for LogReader {
    const RULE: Rule = Rule::kinds(&[Kind::PlatformAdmin, Kind::Auditor]).aal2();
}

pub fn configure(cfg: &mut Routes<'_>) {
    cfg.service(gateway::gateway_get)
        .service(gateway::gateway_post)
        .service(gateway::gateway_put)
        .service(gateway::gateway_delete)
        .scope("/exchange/v1", |s| {
            s.service(keys::key_status)
                .service(discovery::published_keys)
                .service(discovery::list_members)
                .service(discovery::list_services)
                .service(discovery::service_openapi)
                .service(members::put_member)
                .service(keys::rotate_key)
                .service(keys::revoke_key)
                .service(grants::create_grant)
                .service(grants::list_grants)
                .service(grants::revoke_grant)
                .service(subscriptions::create_subscription)
                .service(subscriptions::list_subscriptions)
                .service(subscriptions::delete_subscription)
                .service(subscriptions::ping_subscription)
                .service(subscriptions::list_deliveries)
                .service(subscriptions::replay_delivery)
                .service(audit::verify_log)
                .service(audit::search_log)
                .service(audit::export_evidence)
                .service(citizens::grant_consent)
                .service(citizens::my_consents)
                .service(citizens::withdraw_consent)
                .service(citizens::data_use)
                .service(consents::consent_overview)
        });
}

pub(crate) fn bad(pointer: &str, detail: impl Into<egov_core::error::Text>) -> Error {
    Error::invalid_field(pointer, detail)
}

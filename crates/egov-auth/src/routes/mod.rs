//! The auth service's HTTP routes, mounted at `/auth`.

pub mod admin;
pub mod login;
pub mod me;
pub mod oidc;
pub mod representation;
pub mod revoked;

use egov_core::routes::Routes;

/// Registers every auth route.
pub fn configure(cfg: &mut Routes<'_>) {
    cfg.scope("/auth", |s| {
        s.service(oidc::discovery)
            .service(oidc::jwks)
            .service(revoked::revoked_sessions)
            .service(oidc::authorize)
            .service(oidc::authorize_submit)
            .service(oidc::token)
            .service(oidc::userinfo)
            .service(oidc::userinfo_post)
            .service(oidc::end_session)
            .service(login::login)
            .service(login::login_second_factor)
            .service(login::refresh_tokens)
            .service(login::logout)
            .service(login::step_up)
            .service(login::unlock_self)
            .service(login::setup)
            .service(login::register)
            .service(login::accept_invitation)
            .service(login::password_reset)
            .service(me::me)
            .service(me::set_contact)
            .service(me::my_sessions)
            .service(me::end_session)
            .service(me::change_password)
            .service(me::start_totp)
            .service(me::confirm_totp)
            .service(me::remove_totp)
            .service(me::my_access_log)
            .service(representation::invite_representative)
            .service(representation::list_invitations)
            .service(representation::withdraw_invitation)
            .service(representation::list_representatives)
            .service(representation::remove_representative)
            .service(representation::my_requests)
            .service(representation::accept_request)
            .service(representation::refuse_request)
            .service(representation::my_businesses)
            .service(representation::leave_business)
            .service(admin::create_agency)
            .service(admin::list_agencies)
            .service(admin::invite_agency_account)
            .service(admin::list_agency_accounts)
            .service(admin::invite_account)
            .service(admin::get_account)
            .service(admin::set_roles)
            .service(admin::unlock)
            .service(admin::disable)
            .service(admin::enable)
            .service(admin::revoke_sessions)
            .service(admin::issue_reset)
            .service(admin::create_client)
            .service(admin::list_clients)
            .service(admin::rotate_keys)
            .service(admin::search_access_log)
            .service(admin::verify_chain)
    });
}

//! The tax module's pages for people. Public: the verification of a certificate (tax
//! clearance, income) by the number printed on it. The signed-in pages (the pre-filled return,
//! the account) come with the web sign-in.

pub mod verify;

use egov_core::routes::Routes;

/// The pages' messages, per language (the pack's `messages/<lang>.ftl` overrides them).
pub const MESSAGES: &[(&str, &str)] = egov_web::messages!("ko", "en", "es", "gn");

pub fn configure(routes: &mut Routes<'_>) {
    routes.page(verify::verify_page);
}

//! The petition module's pages for people: the portal's home page and service catalogue
//! (Government24's 서비스 찾기), each service's page, and the public verification of issued
//! documents. Signed-in pages (applying, tracking) come with the web sign-in.

pub mod apply;
pub mod case;
pub mod catalogue;
pub mod documents;
pub mod form;
pub mod mine;
pub mod verify;

use egov_core::routes::Routes;

/// The pages' messages, per language (the pack's `messages/<lang>.ftl` overrides them).
pub const MESSAGES: &[(&str, &str)] = egov_web::messages!("ko", "en", "es", "gn");

pub fn configure(routes: &mut Routes<'_>) {
    routes
        .page(catalogue::home_page)
        .page(catalogue::service_list)
        .page(catalogue::service_page)
        .page(verify::verify_page)
        .page(mine::my_applications)
        .page(apply::start)
        .page(apply::create)
        .page(apply::edit)
        .page(apply::save)
        .page(apply::check_answers)
        .page(apply::submit)
        .page(documents::documents)
        .page(documents::fetch)
        .page(documents::upload)
        .page(case::sent)
        .page(case::case_page);
}

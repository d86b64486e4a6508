//! The petition module's pages for people: the portal's home page and service catalogue
//! (Government24's 서비스 찾기), each service's page, and the public verification of issued
//! documents. Signed-in pages (applying, tracking) come with the web sign-in.

pub mod apply;
pub mod case;
pub mod catalogue;
pub mod compliance;
pub mod desk;
pub mod desk_case;
pub mod documents;
pub mod form;
pub mod location;
pub mod mine;
pub mod verify;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use egov_core::routes::Routes;
use egov_web::Page;

/// The signed-in applicant's own case (anyone else's is "not found") and its service.
pub(crate) async fn own_case_and_service(
    who: &egov_web::SignedIn<crate::http::ApplicantPolicy>,
    p: &crate::Petition,
    id: &str,
) -> Result<(crate::store::CaseRow, crate::domain::catalogue::Service), egov_web::PageError> {
    let t = &who.page;
    let row = crate::service::cases::own_case(p, &who.principal, id)
        .await
        .map_err(|e| t.error(&e))?;
    let service = crate::service::service_of(p, &row)
        .map_err(|e| t.error(&e))?
        .clone();
    Ok((row, service))
}

/// A signed-in applicant's page under My page › My applications; a page answering an error
/// says so in its title.
pub(crate) fn in_my_applications(
    t: &Page,
    status: StatusCode,
    title: &str,
    html: &str,
) -> HttpResponse {
    t.answer(
        status,
        title,
        &[
            ("/my".into(), t.t("my-page")),
            ("/my/applications".into(), t.t("mine-title")),
        ],
        html,
    )
}

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
        .page(location::location)
        .page(location::save_location)
        .page(apply::check_answers)
        .page(apply::submit)
        .page(documents::documents)
        .page(documents::fetch)
        .page(documents::upload)
        .page(case::sent)
        .page(case::case_page)
        .page(case::document_pdf)
        .page(case::withdraw)
        .page(case::supplement)
        .page(case::rate)
        .page(case::reopen)
        .page(compliance::report_page)
        .page(compliance::report_csv)
        .page(desk::work_list)
        .page(desk_case::case_page)
        .page(desk_case::attachment)
        .page(desk_case::act);
}

//! The procurement module's pages for people (KONEPS's 입찰공고·개찰결과):
//! - public, no sign-in ([`notices`]): tender notices searchable by status and category, each
//!   notice with its lots, dates, amendments, questions and answers, at the deadline the number
//!   of sealed bids and their digests, after the opening the transcript (every bid, the
//!   reserve-price draw, the estimated price), awards and contracts, and the OCDS data.
//!
//! Each page calls the same use case as the API.

pub mod notices;

use egov_core::routes::Routes;
use egov_web::Page;

use crate::domain::lifecycle::Status;
use crate::domain::rules::Rules;

/// The pages' messages, per language (the pack's `messages/<lang>.ftl` overrides them).
pub const MESSAGES: &[(&str, &str)] = egov_web::messages!("ko", "en", "es", "gn");

pub fn configure(routes: &mut Routes<'_>) {
    routes.page(notices::list).page(notices::show);
}

/// A tender's status in words.
pub(crate) fn status_text(t: &Page, s: Status) -> String {
    t.t(&format!("proc-status-{}", s.as_str().replace('_', "-")))
}

/// A buying agency's name in the page's language (its code where the register has none).
pub(crate) fn buyer(t: &Page, rules: &Rules, code: &str) -> String {
    rules
        .buyers
        .get(code)
        .map_or_else(|| code.to_owned(), |names| t.pick(names).to_owned())
}

/// A procedure's name in the page's language.
pub(crate) fn procedure_name(t: &Page, rules: &Rules, id: &str) -> String {
    rules
        .procedure(id)
        .map_or_else(|| id.to_owned(), |p| t.pick(&p.names).to_owned())
}

pub(crate) fn internal(t: &Page, e: impl std::fmt::Display) -> egov_web::PageError {
    t.error(&egov_core::Error::internal(anyhow::anyhow!("{e}")))
}

//! The procurement module's pages for people (KONEPS's 입찰공고·개찰결과):
//! - public, no sign-in ([`notices`]): tender notices searchable by status and category, each
//!   notice with its lots, dates, amendments, questions and answers, at the deadline the number
//!   of sealed bids and their digests, after the opening the transcript (every bid, the
//!   reserve-price draw, the estimated price), awards and contracts, and the OCDS data.
//!
//! - businesses, signed in with a second factor: bidding ([`supplier`]: registration,
//!   eligibility with the consent in words, bid signing keys) and the bid page ([`bid`]: the
//!   bid sealed in the browser, the signed receipt, replace and withdraw, the opening's result
//!   for my bids) and the winner's e-contract ([`contract`]).
//!
//! - buying officers, with a second factor ([`desk`]): the agency's tenders, a new tender
//!   with its committee and evaluators chosen by name, publication, answers to questions;
//! - opening committee members ([`committee`]): their shares handed in after the deadline,
//!   and the opening;
//! - evaluators ([`evaluation`]): the opened bids they score, documents included;
//! - complaints ([`complaint`]): a supplier's complaint against the terms or the award, and
//!   the review body's decisions with their remedies.
//!
//! Each page calls the same use case as the API.

pub mod ask;
pub mod bid;
pub mod committee;
pub mod complaint;
pub mod contract;
pub mod desk;
pub mod evaluation;
pub mod notices;
pub mod supplier;

use actix_web::http::StatusCode;
use egov_core::routes::Routes;
use egov_web::{Page, PageError, SignedIn};

use crate::domain::lifecycle::Status;
use crate::domain::rules::Rules;

/// The pages' messages, per language (the pack's `messages/<lang>.ftl` overrides them).
pub const MESSAGES: &[(&str, &str)] = egov_web::messages!("ko", "en", "es", "gn");

pub fn configure(routes: &mut Routes<'_>) {
    routes
        .page(notices::list)
        .page(notices::show)
        .page(supplier::home)
        .page(supplier::register)
        .page(supplier::eligibility)
        .page(supplier::add_key)
        .page(supplier::revoke_key)
        .page(bid::page)
        .page(bid::submit)
        .page(bid::receipt)
        .page(bid::withdraw)
        .page(contract::show)
        .page(contract::sign)
        .page(desk::desk)
        .page(desk::new_page)
        .page(desk::create)
        .page(desk::show)
        .page(desk::act)
        .page(desk::answer_question)
        .page(ask::page)
        .page(ask::ask)
        .page(committee::page)
        .page(committee::share)
        .page(committee::open)
        .page(contract::desk_show)
        .page(contract::desk_sign)
        .page(contract::desk_amend)
        .page(evaluation::page)
        .page(evaluation::score)
        .page(evaluation::document)
        .page(complaint::complain_page)
        .page(complaint::complain)
        .page(complaint::review)
        .page(complaint::decide);
}

/// A business signed in with a second factor (the API's supplier policy: bids bind the firm).
pub(crate) type Who = SignedIn<crate::http::Supplier>;

/// A refused use case as error-summary lines and the page's status (400 for a form's field
/// errors, as every form page answers; the problem's own status otherwise); a failure of the
/// server (5xx) is the error page.
pub(crate) fn refusal(
    t: &Page,
    e: &egov_core::Error,
    prefix: &str,
    label: impl Fn(&str) -> String,
    fallback: &str,
) -> Result<(Vec<(String, String)>, StatusCode), PageError> {
    let status = e.code().status_code();
    if status.is_server_error() {
        return Err(t.error(e));
    }
    let status = if e.errors().is_empty() {
        status
    } else {
        StatusCode::BAD_REQUEST
    };
    Ok((t.refusal(e, prefix, label, fallback), status))
}

/// Like [`refusal`], with each line's anchor (the problem's pointer as `#name`, or `#` for a
/// refusal of the whole form) moved by `at` to the page's own field.
pub(crate) fn refusal_at(
    t: &Page,
    e: &egov_core::Error,
    label: impl Fn(&str) -> String,
    at: impl Fn(&str) -> String,
) -> Result<(Vec<(String, String)>, StatusCode), PageError> {
    let (errors, status) = refusal(t, e, "", label, "#")?;
    Ok((
        errors.into_iter().map(|(a, m)| (at(&a), m)).collect(),
        status,
    ))
}

/// The breadcrumb of a page under a notice (a question, a complaint).
pub(crate) fn notice_crumbs(t: &Page, id: &str) -> [(String, String); 2] {
    [
        ("/tenders".to_owned(), t.t("proc-notices-title")),
        (format!("/tenders/{id}"), t.t("proc-ask-notice")),
    ]
}

/// What a page was reached with after a form: `done` names what was done.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoneQuery {
    #[serde(default)]
    pub done: String,
}

/// Why the opening rejected a bid, in the page's language (as recorded where the words for
/// that reason are not known).
pub(crate) fn rejection_reason(t: &Page, reason: &str) -> String {
    crate::domain::rejection::kind(reason)
        .map_or_else(|| reason.to_owned(), |k| t.t(&format!("proc-reject-{k}")))
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

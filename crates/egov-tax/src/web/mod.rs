//! The tax module's pages for people (Hometax's 신고·납부, 조회, 증명):
//! - public: the verification of a certificate (tax clearance, income) by its number;
//! - signed in (a citizen's or a business's account): my tax ([`returns`]: each year's
//!   pre-filled return with every amount's sources, "why this number", my entries),
//!   a statement about me that is wrong disputed from it ([`statements`]),
//!   submission with the signed acknowledgement and the versions filed ([`filing`]), my tax
//!   account ([`account`]) and certificates with their PDF ([`certificates`]).
//!
//! - officers of the tax agency: the tax office ([`office`], [`office_taxpayer`]).
//!
//! Each page calls the same use case as the API (`service::taxpayers`); filing and
//! certificates need a second factor, and the browser is sent to step up when it has none.
//! Words for a pack's inputs and values come from the pack's messages (`tax-input-<name>`,
//! `tax-value-<name>` in `config/countries/<code>/messages/<lang>.ftl`), else from the rules
//! file's own label and description.

pub mod account;
pub mod certificates;
pub mod filing;
pub mod office;
pub mod office_taxpayer;
pub mod returns;
pub mod statements;
pub mod verify;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use egov_core::Error;
use egov_core::routes::Routes;
use egov_web::{Page, PageError, SignedIn};

use crate::Tax;
use crate::domain::RuleSet;
use crate::http::{TaxpayerAal2, TaxpayerPolicy};
use crate::service::{RuleHit, Taxpayer};

/// A signed-in taxpayer (a citizen or a business).
pub(crate) type Who = SignedIn<TaxpayerPolicy>;
/// A signed-in taxpayer with a second factor: filing and certificates.
pub(crate) type Who2 = SignedIn<TaxpayerAal2>;

/// The pages' messages, per language (the pack's `messages/<lang>.ftl` overrides them).
pub const MESSAGES: &[(&str, &str)] = egov_web::messages!("ko", "en", "es", "gn");

pub fn configure(routes: &mut Routes<'_>) {
    routes
        .page(verify::verify_page)
        .page(returns::my_tax)
        .page(returns::return_page)
        .page(returns::why)
        .page(returns::edit)
        .page(returns::save)
        .page(statements::dispute_form)
        .page(statements::dispute)
        .page(filing::check)
        .page(filing::submit)
        .page(filing::versions)
        .page(filing::acknowledgement)
        .page(account::account)
        .page(certificates::list)
        .page(certificates::issue)
        .page(certificates::show)
        .page(certificates::pdf)
        .page(office::desk)
        .page(office::decide)
        .page(office::statement)
        .page(office::resolve)
        .page(office::employers)
        .page(office::register)
        .page(office::revoke)
        .page(office_taxpayer::find_form)
        .page(office_taxpayer::find)
        .page(office_taxpayer::return_view)
        .page(office_taxpayer::return_action)
        .page(office_taxpayer::assessment_form)
        .page(office_taxpayer::raise)
        .page(office_taxpayer::payments_form)
        .page(office_taxpayer::settle);
}

pub(crate) fn internal(t: &Page, e: impl std::fmt::Display) -> PageError {
    t.error(&Error::internal(anyhow::anyhow!("{e}")))
}

/// The signed-in account as a taxpayer (an account with no national ID or business number
/// gets the page saying so).
pub(crate) fn taxpayer(
    tax: &Tax,
    t: &Page,
    p: &egov_auth::Principal,
) -> Result<Taxpayer, PageError> {
    crate::http::taxpayer(tax, p).map_err(|_| {
        t.message(
            StatusCode::FORBIDDEN,
            &t.t("tax-not-taxpayer-title"),
            &t.t("tax-not-taxpayer"),
        )
    })
}

/// The rules of a year of the pack; any other year is "not found".
pub(crate) fn rules(tax: &Tax, t: &Page, year: i32) -> Result<std::sync::Arc<RuleSet>, PageError> {
    tax.rules(year).cloned().ok_or_else(|| t.not_found())
}

/// A message of the page when it has one, else `fallback`.
fn word_or(t: &Page, id: &str, fallback: impl FnOnce() -> String) -> String {
    let text = t.t(id);
    if text == id { fallback() } else { text }
}

/// What an input is called on the pages; a monthly input's annual amount
/// (`<input>:annual`) is called after it.
pub(crate) fn input_label(t: &Page, rules: &RuleSet, name: &str) -> String {
    if let Some(input) = name.strip_suffix(crate::domain::rules::ANNUAL) {
        return t.t_with(
            "tax-annual-amount",
            &[("label", input_label(t, rules, input))],
        );
    }
    word_or(t, &format!("tax-input-{name}"), || {
        rules
            .input(name)
            .map_or_else(|| name.replace('_', " "), |i| i.description.clone())
    })
}

/// What a choice of a choice input is called (`tax-choice-<input>-<choice>`).
pub(crate) fn choice_label(t: &Page, input: &str, choice: &str) -> String {
    word_or(t, &format!("tax-choice-{input}-{choice}"), || {
        choice.replace('_', " ")
    })
}

/// What a person's own amount is called (`tax-field-<input>-<field>`).
pub(crate) fn person_field_label(t: &Page, input: &str, field: &str) -> String {
    word_or(t, &format!("tax-field-{input}-{field}"), || {
        field.replace('_', " ")
    })
}

/// What a computed value (or an input) is called on the pages.
pub(crate) fn value_label(t: &Page, rules: &RuleSet, name: &str) -> String {
    if name.ends_with(crate::domain::rules::ANNUAL) {
        return input_label(t, rules, name);
    }
    word_or(t, &format!("tax-value-{name}"), || {
        rules
            .nodes
            .iter()
            .find(|n| n.name == name)
            .and_then(|n| n.label.clone().or_else(|| n.description.clone()))
            .unwrap_or_else(|| input_label(t, rules, name))
    })
}

/// The tax's name (`tax-name-<code>`, else the rules' title).
pub(crate) fn tax_name(t: &Page, rules: &RuleSet) -> String {
    word_or(t, &format!("tax-name-{}", rules.tax), || {
        rules.title.clone()
    })
}

/// A business rule that fired, in words: its number and what it means for the filer.
pub(crate) fn rule_text(t: &Page, rules: &RuleSet, hit: &RuleHit) -> String {
    let field = hit
        .pointer
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default();
    let label = if field == "year" || field.is_empty() {
        String::new()
    } else {
        value_label(t, rules, field)
    };
    let said = t.t_with(
        &format!("tax-rule-{}", hit.rule.to_lowercase()),
        &[
            ("field", label.clone()),
            ("value", hit.value.clone().unwrap_or_default()),
        ],
    );
    let said = if said.starts_with("tax-rule-") {
        hit.message.clone()
    } else {
        said
    };
    format!("{} · {said}", hit.rule)
}

/// A page under My page › My tax; a page answering an error says so in its title.
pub(crate) fn in_my_tax(
    t: &Page,
    status: StatusCode,
    title: &str,
    trail: &[(String, String)],
    html: &str,
) -> HttpResponse {
    let mut crumbs = vec![
        ("/my".to_owned(), t.t("my-page")),
        ("/my/tax".to_owned(), t.t("tax-my-title")),
    ];
    crumbs.extend_from_slice(trail);
    t.answer(status, title, &crumbs, html)
}

/// The trail to a year's return.
pub(crate) fn return_crumb(t: &Page, year: i32) -> (String, String) {
    (
        format!("/my/tax/returns/{year}"),
        t.t_with("tax-return-title", &[("year", year.to_string())]),
    )
}

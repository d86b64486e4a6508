//! `/tax/v1`: public rules, calculator, calendar, keys and certificate verification;
//! employers' statements; taxpayers' returns, account and certificates; officers' views
//! (each recorded in the access log), corrections, bank settlement, refunds, revocation and
//! reminders.

pub mod approvals;
pub mod employers;
pub mod notifications;
pub mod officers;
pub mod public;
pub mod statements;
pub mod taxpayers;

use crate::service::Taxpayer;
use crate::{Tax, errors};
use actix_web::HttpRequest;
use egov_auth::{Kind, Policy, Principal, Reader, Rule};
use egov_core::Error;
use egov_core::routes::Routes;

/// A citizen or a business account: a taxpayer.
#[derive(Debug)]
pub struct TaxpayerPolicy;
impl Policy for TaxpayerPolicy {
    const RULE: Rule = Rule::kinds(&[Kind::Citizen, Kind::Business]);
}

/// A taxpayer with a second factor: filing and certificates.
#[derive(Debug)]
pub struct TaxpayerAal2;
impl Policy for TaxpayerAal2 {
    const RULE: Rule = Rule::kinds(&[Kind::Citizen, Kind::Business]).aal2();
}

/// An officer of the tax agency with the `tax.officer` role and a second factor.
#[derive(Debug)]
pub struct Officer;
impl Policy for Officer {
    const RULE: Rule = Rule::kinds(&[Kind::Officer])
        .roles(&[crate::OFFICER_ROLE])
        .aal2();
}

pub fn configure(cfg: &mut Routes<'_>) {
    cfg.scope("/tax/v1", |s| {
        s.service(public::list_rules)
            .service(notifications::list_notifications)
            .service(notifications::retry_notification)
            .service(public::show_rules)
            .service(public::calculate)
            .service(public::calendar)
            .service(public::keys)
            .service(public::verify_certificate)
            .service(employers::upload_statements)
            .service(employers::list_statements)
            .service(taxpayers::my_return)
            .service(taxpayers::edit_return)
            .service(taxpayers::submit_return)
            .service(taxpayers::my_versions)
            .service(taxpayers::my_account)
            .service(taxpayers::issue_certificate)
            .service(taxpayers::my_certificates)
            .service(officers::officer_taxpayer)
            .service(officers::officer_return)
            .service(officers::officer_correction)
            .service(officers::officer_bank_transfers)
            .service(officers::officer_refund)
            .service(officers::officer_assessment)
            .service(approvals::list_approvals)
            .service(statements::register_agent)
            .service(statements::revoke_agent)
            .service(statements::statement_reviews)
            .service(statements::employers)
            .service(statements::read_statement)
            .service(statements::resolve_statement)
            .service(statements::my_statements)
            .service(statements::dispute_statement)
            .service(approvals::approve)
            .service(approvals::reject)
            .service(officers::officer_revoke)
            .service(officers::officer_reminders)
    });
}

pub(crate) use crate::service::rules_for;

pub(crate) fn taxpayer(tax: &Tax, p: &Principal) -> Result<Taxpayer, Error> {
    let key = p
        .subject_key(tax.0.packs.active())
        .ok_or_else(|| Error::new(errors::NOT_A_TAXPAYER))?;
    let masked = match p.kind {
        Kind::Business => p.business.clone().unwrap_or_default(),
        _ => String::new(),
    };
    Ok(Taxpayer { key, masked })
}

/// The officer as a reader of taxpayers' data in this request (for the access log).
pub(crate) fn reader(tax: &Tax, req: &HttpRequest, officer: &Principal) -> Reader {
    tax.0.recorder.reader(req, officer)
}

pub(crate) fn year_ok(year: i32) -> Result<i32, Error> {
    if (2000..=2100).contains(&year) {
        Ok(year)
    } else {
        Err(Error::invalid_field(
            "year",
            egov_core::text!("detail-year", "must be a year from 2000 to 2100"),
        ))
    }
}

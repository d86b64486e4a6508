//! My tax account (Hometax's 납부·환급 조회): per tax and year what was assessed, paid and
//! refunded, the balance (owed or to be refunded), the due date and whether it is overdue,
//! with the payment reference to pay by; then every entry, newest first.

use std::str::FromStr;

use actix_web::http::StatusCode;
use actix_web::web::Data;
use actix_web::{HttpResponse, get};
use askama::Template;
use egov_web::{Page, PageError};
use rust_decimal::Decimal;

use super::{Who, in_my_tax, internal, tax_name, taxpayer};
use crate::Tax;
use crate::service::{self, taxpayers};

/// One tax period.
#[derive(Debug)]
pub struct PeriodRow {
    pub tax: String,
    pub year: i32,
    pub assessed: String,
    pub paid: String,
    pub refunded: String,
    pub balance: String,
    pub due: String,
    pub overdue: bool,
    pub reference: String,
}

/// One entry of the ledger.
#[derive(Debug)]
pub struct EntryRow {
    pub date: String,
    pub what: String,
    pub period: String,
    pub amount: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "web/account.html")]
struct AccountPage<'a> {
    t: &'a Page,
    title: String,
    periods: Vec<PeriodRow>,
    entries: Vec<EntryRow>,
}

/// My tax account.
#[get("/my/tax/account")]
pub async fn account(who: Who, tax: Data<Tax>) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let me = taxpayer(&tax, t, &who.principal)?;
    let rows = taxpayers::ledger(&tax, me).await.map_err(|e| t.error(&e))?;
    let (periods, entries) = account_rows(&tax, t, &rows, super::returns::balance_words);
    let title = t.t("tax-account-title");
    let html = AccountPage {
        t,
        title: title.clone(),
        periods,
        entries,
    }
    .render()
    .map_err(|e| internal(t, e))?;
    Ok(in_my_tax(t, StatusCode::OK, &title, &[], &html))
}

/// A taxpayer's ledger in the page's words: the periods, then the entries newest first
/// (my account, and the tax office's view of a taxpayer).
pub(crate) fn account_rows(
    tax: &Tax,
    t: &Page,
    rows: &[crate::store::LedgerRow],
    balance_words: fn(&Page, Decimal) -> String,
) -> (Vec<PeriodRow>, Vec<EntryRow>) {
    let name = |code: &str, year: i32| {
        tax.rules(year)
            .filter(|r| r.tax == code)
            .map_or_else(|| code.to_owned(), |r| tax_name(t, r))
    };
    let periods = service::account(rows, tax.now().date())
        .into_iter()
        .map(|p| PeriodRow {
            tax: name(&p.tax, p.year),
            year: p.year,
            assessed: t.money(p.assessed),
            paid: t.money(p.paid),
            refunded: t.money(p.refunded),
            balance: balance_words(t, p.balance),
            due: p.due_date.map(|d| t.date(d)).unwrap_or_default(),
            overdue: p.overdue,
            reference: p.payment_reference.unwrap_or_default(),
        })
        .collect();
    let entries = rows
        .iter()
        .rev()
        .map(|r| {
            let amount = Decimal::from_str(&r.amount).unwrap_or_default();
            EntryRow {
                date: t.local_date(r.created_at),
                what: t.t(&format!("tax-entry-{}", r.kind)),
                period: r.year.to_string(),
                // Payments are kept as negative amounts: shown as what was paid.
                amount: t.money(if r.kind == "payment" { -amount } else { amount }),
                note: r
                    .note
                    .clone()
                    .or_else(|| r.reference.clone())
                    .unwrap_or_default(),
            }
        })
        .collect();
    (periods, entries)
}

//! Disputing a statement about me: an employer's withholding statement that is wrong (a job I
//! never had, amounts that are not mine) is disputed from my return. It stops counting in the
//! pre-filled return at once and goes to a tax officer's review list, where it is counted or
//! voided with a reason; the return page shows its state and the officer's note.

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path};
use actix_web::{HttpResponse, get, post};
use askama::Template;
use egov_web::{CsrfForm, Page, PageError, see_other};
use serde::Deserialize;

use super::returns::decimal;
use super::{Who, in_my_tax, input_label, internal, return_crumb, rules, taxpayer};
use crate::Tax;
use crate::service::{StatementSource, statements, taxpayers};

/// What a dispute's reason must be (the API's rule: 5 to 500 characters).
const REASON: (usize, usize) = (5, 500);

#[derive(Template)]
#[template(path = "web/dispute.html")]
struct DisputePage<'a> {
    t: &'a Page,
    title: String,
    year: i32,
    id: &'a str,
    csrf: &'a str,
    employer: String,
    statement: String,
    received: String,
    amounts: Vec<(String, String)>,
    reason: String,
    errors: Vec<(String, String)>,
}

/// A statement of my return of `year` that I may still dispute (counted or held).
async fn disputable(
    who: &Who,
    tax: &Tax,
    year: i32,
    id: &str,
) -> Result<StatementSource, PageError> {
    let t = &who.page;
    rules(tax, t, year)?;
    let me = taxpayer(tax, t, &who.principal)?;
    let view = taxpayers::return_view(tax, me, year)
        .await
        .map_err(|e| t.error(&e))?;
    view.sources
        .into_iter()
        .find(|s| s.id == id && (s.status == "counted" || s.status == "held"))
        .ok_or_else(|| t.not_found())
}

async fn page(
    who: &Who,
    tax: &Tax,
    year: i32,
    id: &str,
    reason: String,
    errors: Vec<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let s = disputable(who, tax, year, id).await?;
    let r = rules(tax, t, year)?;
    let amounts = s
        .amounts
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| {
                    let shown = decimal(v).map_or_else(|| v.to_string(), |d| t.money(d));
                    (input_label(t, &r, k), shown)
                })
                .collect()
        })
        .unwrap_or_default();
    let title = t.t("tax-dispute-title");
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let html = DisputePage {
        t,
        title: title.clone(),
        year,
        id,
        csrf: who.csrf(),
        employer: s.employer.clone(),
        statement: s.statement_id.clone(),
        received: t.local_date(s.received_at),
        amounts,
        reason,
        errors,
    }
    .render()
    .map_err(|e| internal(t, e))?;
    Ok(in_my_tax(
        t,
        status,
        &title,
        &[return_crumb(t, year)],
        &html,
    ))
}

/// The dispute form of one statement of my return.
#[get("/my/tax/returns/{year}/statements/{id}/dispute")]
pub async fn dispute_form(
    who: Who,
    tax: Data<Tax>,
    path: Path<(i32, String)>,
) -> Result<HttpResponse, PageError> {
    let (year, id) = path.into_inner();
    page(&who, &tax, year, &id, String::new(), Vec::new()).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisputeForm {
    reason: String,
}

/// Disputes the statement; back to the return, which shows it disputed and no longer counted.
#[post("/my/tax/returns/{year}/statements/{id}/dispute")]
pub async fn dispute(
    who: Who,
    form: CsrfForm<DisputeForm>,
    tax: Data<Tax>,
    path: Path<(i32, String)>,
) -> Result<HttpResponse, PageError> {
    let (year, id) = path.into_inner();
    let t = &who.page;
    let reason = form.0.reason.replace("\r\n", "\n");
    if !egov_core::text::free_text(&reason, REASON.0, REASON.1) {
        let message = t.t("tax-dispute-reason-error");
        return page(
            &who,
            &tax,
            year,
            &id,
            reason,
            vec![("#dispute-reason".to_owned(), message)],
        )
        .await;
    }
    disputable(&who, &tax, year, &id).await?;
    let me = taxpayer(&tax, t, &who.principal)?;
    statements::dispute(&tax, me.key, id, reason.trim().to_owned())
        .await
        .map_err(|e| t.error(&e))?;
    Ok(see_other(&format!(
        "/my/tax/returns/{year}?disputed=1#statements"
    )))
}

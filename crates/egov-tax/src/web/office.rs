//! The tax office (Hometax's officer screens), for officers of the tax agency with the
//! `tax.officer` role and a second factor:
//! - the office's desk: postings waiting for a second officer (four eyes: approve or reject
//!   what another officer raised; one's own are shown, not decidable) and withholding
//!   statements waiting for review (held as outliers, or disputed by the employee);
//! - a statement opened for review (recorded on the employee's access log) and resolved;
//! - the statements received per employer for a year (counts only), with the registration
//!   and revocation of withholding agents.
//!
//! The taxpayer's file, returns, corrections, refunds, assessments and the bank settlement are
//! in [`super::office_taxpayer`]. Each page calls the API's use case.

use actix_web::web::{Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse, get, post};
use askama::Template;
use egov_auth::Principal;
use egov_core::Error;
use egov_web::{CsrfForm, Page, PageError, Sent, SignedIn, see_other};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::str::FromStr;

use super::{internal, value_label};
use crate::Tax;
use crate::http::Officer;
use crate::http::officers::{officer_scope, purpose_ok, reason_ok, reason_rule};
use crate::http::statements::{EMPLOYERS_PAGE, after_ok};
use crate::service::{approvals, statements};
use crate::store::AgentRow;

/// An officer of the tax agency (`tax.officer`, second factor).
pub(crate) type Desk = SignedIn<Officer>;

/// Statements and postings listed on the desk.
const LISTED: i64 = 200;

/// The officer, if of the tax agency (else the page saying they may not).
pub(crate) fn in_office(tax: &Tax, who: &Desk) -> Result<(), PageError> {
    officer_scope(tax, &who.principal).map_err(|e| who.page.error(&e))
}

/// An error-summary line that names its field: "<field>: <message>".
pub(crate) fn named(t: &Page, field: &str, message: &str) -> String {
    t.t_with(
        "field-error",
        &[("field", field.to_owned()), ("detail", t.t(message))],
    )
}

/// The tax office's breadcrumb.
pub(crate) fn crumbs(t: &Page) -> Vec<(String, String)> {
    vec![
        ("/my".into(), t.t("my-page")),
        ("/desk/tax".into(), t.t("tax-office-title")),
    ]
}

/// The names of the officials `ids` (their ids when the directory is elsewhere).
pub(crate) async fn officer_names(
    directory: Option<Data<egov_auth::Service>>,
    ids: Vec<String>,
) -> std::collections::HashMap<String, String> {
    egov_web::names(directory.as_deref().map(|d| &**d), ids).await
}

/// A posting waiting for a second officer.
#[derive(Debug)]
pub struct Waiting {
    pub id: String,
    pub what: String,
    pub period: String,
    pub amount: String,
    pub due: String,
    pub ground: String,
    pub by: String,
    pub at: String,
    pub mine: bool,
}

/// A statement waiting for review.
#[derive(Debug)]
pub struct ToReview {
    pub id: String,
    pub received: String,
    pub employer: String,
    pub year: i32,
    pub status: String,
}

#[derive(Template)]
#[template(path = "web/office.html")]
struct OfficePage<'a> {
    t: &'a Page,
    nav: &'static str,
    title: String,
    done: String,
    waiting: Vec<Waiting>,
    reviews: Vec<ToReview>,
    csrf: &'a str,
    errors: Vec<(String, String)>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoneQuery {
    done: Option<String>,
}

/// What a "done" banner says, for the actions the office's pages redirect with.
pub(crate) fn done_text(t: &Page, done: Option<&str>) -> String {
    match done {
        Some(
            d @ ("approved" | "rejected" | "statement" | "agent" | "revoked" | "posted" | "waiting"
            | "correction" | "same"),
        ) => t.t(&format!("tax-office-done-{d}")),
        _ => String::new(),
    }
}

async fn desk_page(
    who: &Desk,
    tax: &Tax,
    directory: Option<Data<egov_auth::Service>>,
    done: Option<&str>,
    errors: Vec<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    in_office(tax, who)?;
    let pending = approvals::pending(tax, LISTED)
        .await
        .map_err(|e| t.error(&e))?;
    let names = officer_names(
        directory,
        pending.iter().map(|a| a.requested_by.clone()).collect(),
    )
    .await;
    let waiting = pending
        .into_iter()
        .map(|a| Waiting {
            what: t.t(&format!("tax-entry-{}", a.kind)),
            period: format!("{} {}", tax_title(tax, t, &a.tax, a.year), a.year),
            amount: t.money(Decimal::from_str(&a.amount).unwrap_or_default()),
            due: a.due_date.map(|d| t.date(d)).unwrap_or_default(),
            ground: a.note.clone().unwrap_or_default(),
            by: names
                .get(&a.requested_by)
                .cloned()
                .unwrap_or_else(|| a.requested_by.clone()),
            at: t.local_time(a.requested_at),
            mine: a.requested_by == who.principal.subject,
            id: a.id,
        })
        .collect();
    let reviews = statements::to_review(tax, LISTED)
        .await
        .map_err(|e| t.error(&e))?
        .into_iter()
        .map(|s| ToReview {
            received: t.local_date(s.received_at),
            employer: s.employer,
            year: s.year,
            status: t.t(&format!("tax-office-statement-{}", s.status)),
            id: s.id,
        })
        .collect();
    let title = t.t("tax-office-title");
    let status = egov_web::form_status(&errors);
    let html = OfficePage {
        t,
        nav: "desk",
        title: title.clone(),
        done: done_text(t, done),
        waiting,
        reviews,
        csrf: who.csrf(),
        errors,
    }
    .render()
    .map_err(|e| internal(t, e))?;
    Ok(t.answer(status, &title, &[("/my".into(), t.t("my-page"))], &html))
}

/// The tax's name for a year, else its code.
pub(crate) fn tax_title(tax: &Tax, t: &Page, code: &str, year: i32) -> String {
    tax.rules(year)
        .filter(|r| r.tax == code)
        .map_or_else(|| code.to_owned(), |r| super::tax_name(t, r))
}

/// The tax office's desk: four-eyes approvals and statements to review.
#[get("/desk/tax")]
pub async fn desk(
    who: Desk,
    tax: Data<Tax>,
    directory: Option<Data<egov_auth::Service>>,
    q: Query<DoneQuery>,
) -> Result<HttpResponse, PageError> {
    desk_page(&who, &tax, directory, q.done.as_deref(), Vec::new()).await
}

fn reader(tax: &Tax, req: &HttpRequest, p: &Principal) -> egov_auth::Reader {
    crate::http::reader(tax, req, p)
}

/// Approves or rejects (with a reason) a posting another officer raised.
#[post("/desk/tax/approvals/{id}")]
pub async fn decide(
    who: Desk,
    tax: Data<Tax>,
    directory: Option<Data<egov_auth::Service>>,
    id: Path<String>,
    form: CsrfForm<Vec<(String, String)>>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    in_office(&tax, &who)?;
    let sent = Sent(form.0);
    let id = id.into_inner();
    let anchor = format!("#approval-{id}");
    let result = match sent.get("decision") {
        "approve" => approvals::approve(&tax, &reader(&tax, &req, &who.principal), id.clone())
            .await
            .map(|_| "approved"),
        "reject" => {
            let reason = sent.get("reason").trim().to_owned();
            if reason_ok(&reason) {
                approvals::reject(
                    &tax,
                    &reader(&tax, &req, &who.principal),
                    id.clone(),
                    reason,
                )
                .await
                .map(|_| "rejected")
            } else {
                Err(Error::invalid_field("/reason", reason_rule()))
            }
        }
        _ => Err(Error::invalid_field(
            "/decision",
            egov_core::text!("detail-tax-decision", "approve or reject"),
        )),
    };
    match result {
        Ok(done) => Ok(see_other(&format!("/desk/tax?done={done}"))),
        Err(e) if actix_web::ResponseError::status_code(&e).is_client_error() => {
            let errors = t.refusal(
                &e,
                &format!("approval-{id}-"),
                |n| t.t(&format!("tax-office-field-{n}")),
                &anchor,
            );
            desk_page(&who, &tax, directory, None, errors).await
        }
        Err(e) => Err(t.error(&e)),
    }
}

/// A statement's amount in the page's words.
#[derive(Debug)]
pub struct Amount {
    pub label: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "web/office_statement.html")]
struct StatementPage<'a> {
    t: &'a Page,
    title: String,
    id: String,
    purpose: String,
    employee: String,
    employer: String,
    year: i32,
    received: String,
    status: String,
    open: bool,
    note: String,
    reviewed: String,
    amounts: Vec<Amount>,
    csrf: &'a str,
    errors: Vec<(String, String)>,
    sent: &'a Sent,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurposeQuery {
    purpose: Option<String>,
}

/// The purpose a page was opened with: the review list's links say `tax.statement.review`.
fn purpose_of(t: &Page, purpose: Option<&str>) -> Result<String, PageError> {
    let p = purpose.unwrap_or("tax.statement.review");
    purpose_ok(p).map_err(|e| t.error(&e))?;
    Ok(p.to_owned())
}

#[allow(clippy::too_many_arguments)]
async fn statement_page(
    who: &Desk,
    tax: &Tax,
    directory: Option<Data<egov_auth::Service>>,
    req: &HttpRequest,
    id: String,
    purpose: String,
    errors: Vec<(String, String)>,
    sent: &Sent,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    in_office(tax, who)?;
    let s = statements::read(tax, &reader(tax, req, &who.principal), id, &purpose)
        .await
        .map_err(|e| t.error(&e))?;
    let amounts = match (
        tax.rules(s.year),
        serde_json::from_str::<serde_json::Value>(&s.amounts),
    ) {
        (Some(r), Ok(serde_json::Value::Object(m))) => m
            .iter()
            .map(|(k, v)| Amount {
                label: value_label(t, r, k),
                value: super::returns::decimal(v).map_or_else(|| v.to_string(), |d| t.money(d)),
            })
            .collect(),
        _ => Vec::new(),
    };
    let reviewed = match (&s.reviewed_by, s.reviewed_at) {
        (Some(by), Some(at)) => {
            let names = officer_names(directory, vec![by.clone()]).await;
            format!(
                "{} · {}",
                names.get(by).cloned().unwrap_or_else(|| by.clone()),
                t.local_time(at)
            )
        }
        _ => String::new(),
    };
    let title = t.t("tax-office-statement-title");
    let status = egov_web::form_status(&errors);
    let html = StatementPage {
        t,
        title: title.clone(),
        open: s.status == "held" || s.status == "disputed",
        status: t.t(&format!("tax-office-statement-{}", s.status)),
        id: s.id,
        purpose,
        employee: s.masked_id,
        employer: s.employer,
        year: s.year,
        received: t.local_time(s.received_at),
        note: s.note.unwrap_or_default(),
        reviewed,
        amounts,
        csrf: who.csrf(),
        errors,
        sent,
    }
    .render()
    .map_err(|e| internal(t, e))?;
    Ok(t.answer(status, &title, &crumbs(t), &html))
}

/// A statement opened for review (recorded on the employee's access log with the purpose).
#[get("/desk/tax/statements/{id}")]
pub async fn statement(
    who: Desk,
    tax: Data<Tax>,
    directory: Option<Data<egov_auth::Service>>,
    id: Path<String>,
    q: Query<PurposeQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let purpose = purpose_of(&who.page, q.purpose.as_deref())?;
    statement_page(
        &who,
        &tax,
        directory,
        &req,
        id.into_inner(),
        purpose,
        Vec::new(),
        &Sent::default(),
    )
    .await
}

/// Counts or voids a held or disputed statement, with the reason shown to the employee.
#[post("/desk/tax/statements/{id}")]
pub async fn resolve(
    who: Desk,
    tax: Data<Tax>,
    directory: Option<Data<egov_auth::Service>>,
    id: Path<String>,
    form: CsrfForm<Vec<(String, String)>>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    in_office(&tax, &who)?;
    let sent = Sent(form.0);
    let id = id.into_inner();
    let reason = sent.get("reason").trim().to_owned();
    let mut problems = Vec::new();
    let to = match sent.get("decision") {
        "count" => Some("counted"),
        "void" => Some("void"),
        _ => {
            problems.push(egov_core::error::FieldError {
                pointer: "/decision".into(),
                detail: egov_core::text!("detail-tax-resolution", "count or void"),
            });
            None
        }
    };
    if !reason_ok(&reason) {
        problems.push(egov_core::error::FieldError {
            pointer: "/reason".into(),
            detail: reason_rule(),
        });
    }
    let result = match to {
        Some(to) if problems.is_empty() => statements::resolve(
            &tax,
            &reader(&tax, &req, &who.principal),
            id.clone(),
            to,
            reason,
        )
        .await
        .map(|_| ()),
        _ => Err(Error::validation(problems)),
    };
    match result {
        Ok(()) => Ok(see_other("/desk/tax?done=statement")),
        Err(e) if actix_web::ResponseError::status_code(&e).is_client_error() => {
            let errors = t.refusal(
                &e,
                "resolve-",
                |n| t.t(&format!("tax-office-field-{n}")),
                "#resolve",
            );
            let purpose = purpose_of(t, Some(sent.get("purpose")).filter(|p| !p.is_empty()))?;
            statement_page(&who, &tax, directory, &req, id, purpose, errors, &sent).await
        }
        Err(e) => Err(t.error(&e)),
    }
}

/// An employer's statements for the year.
#[derive(Debug)]
pub struct EmployerRow {
    pub business_id: String,
    pub counted: i64,
    pub held: i64,
    pub disputed: i64,
    pub void: i64,
    pub last: String,
    pub agent: String,
    pub registered: bool,
}

#[derive(Template)]
#[template(path = "web/office_employers.html")]
struct EmployersPage<'a> {
    t: &'a Page,
    nav: &'static str,
    title: String,
    done: String,
    year: String,
    rows: Option<Vec<EmployerRow>>,
    next: Option<String>,
    csrf: &'a str,
    errors: Vec<(String, String)>,
    sent: &'a Sent,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmployersQuery {
    year: Option<String>,
    after: Option<String>,
    done: Option<String>,
}

fn agent_text(t: &Page, agent: Option<&AgentRow>) -> (String, bool) {
    match agent {
        Some(a) if a.revoked_at.is_some() => (
            t.t_with(
                "tax-agent-revoked",
                &[(
                    "date",
                    a.revoked_at.map(|d| t.local_date(d)).unwrap_or_default(),
                )],
            ),
            false,
        ),
        Some(a) => (
            t.t_with(
                "tax-agent-registered",
                &[("date", t.local_date(a.registered_at))],
            ),
            true,
        ),
        None => (t.t("tax-agent-none"), false),
    }
}

async fn employers_page(
    who: &Desk,
    tax: &Tax,
    q: &EmployersQuery,
    mut errors: Vec<(String, String)>,
    sent: &Sent,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    in_office(tax, who)?;
    let this_year = tax.now().date().format("%Y").to_string();
    let year = q
        .year
        .clone()
        .filter(|y| !y.trim().is_empty())
        .unwrap_or(this_year);
    let (rows, next) = match year
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
    {
        None => {
            errors.push((
                "#employers-year".into(),
                named(t, &t.t("tax-label-year"), "tax-office-year-error"),
            ));
            (None, None)
        }
        Some(y) => {
            let after = after_ok(q.after.clone()).map_err(|e| t.error(&e))?;
            let found = statements::per_employer(tax, y, after, EMPLOYERS_PAGE)
                .await
                .map_err(|e| t.error(&e))?;
            let next = (found.len() as i64 == EMPLOYERS_PAGE)
                .then(|| found.last().map(|e| e.business_id.clone()))
                .flatten()
                .map(|b| {
                    egov_web::link(
                        "/desk/tax/employers",
                        &[("year", Some(&y.to_string())), ("after", Some(&b))],
                    )
                });
            let rows = found
                .into_iter()
                .map(|e| {
                    let (agent, registered) = agent_text(t, e.agent.as_ref());
                    EmployerRow {
                        last: e.last_received.map(|d| t.local_date(d)).unwrap_or_default(),
                        business_id: e.business_id,
                        counted: e.counted,
                        held: e.held,
                        disputed: e.disputed,
                        void: e.void,
                        agent,
                        registered,
                    }
                })
                .collect();
            (Some(rows), next)
        }
    };
    let title = t.t("tax-office-employers-title");
    let status = egov_web::form_status(&errors);
    let html = EmployersPage {
        t,
        nav: "employers",
        title: title.clone(),
        done: done_text(t, q.done.as_deref()),
        year,
        rows,
        next,
        csrf: who.csrf(),
        errors,
        sent,
    }
    .render()
    .map_err(|e| internal(t, e))?;
    Ok(t.answer(status, &title, &crumbs(t), &html))
}

/// Statements received per employer for a year, and the withholding agents' registration.
#[get("/desk/tax/employers")]
pub async fn employers(
    who: Desk,
    tax: Data<Tax>,
    q: Query<EmployersQuery>,
) -> Result<HttpResponse, PageError> {
    employers_page(&who, &tax, &q, Vec::new(), &Sent::default()).await
}

/// Registers a business as a withholding agent (again, after a revocation).
#[post("/desk/tax/employers")]
pub async fn register(
    who: Desk,
    tax: Data<Tax>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    in_office(&tax, &who)?;
    let sent = Sent(form.0);
    let parsed = tax
        .0
        .packs
        .active()
        .parse_business_id(sent.get("business_id").trim())
        .map(|b| b.canonical().to_owned())
        .map_err(|e| Error::invalid_field("/business_id", e.text()));
    let result = match parsed {
        Ok(bid) => {
            statements::register_agent(
                &tax,
                AgentRow {
                    business_id: bid,
                    registered_by: who.principal.subject.clone(),
                    registered_at: tax.now(),
                    revoked_at: None,
                },
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see_other("/desk/tax/employers?done=agent")),
        Err(e) if actix_web::ResponseError::status_code(&e).is_client_error() => {
            let errors = t.refusal(
                &e,
                "agent-",
                |n| t.t(&format!("tax-office-field-{}", n.replace('_', "-"))),
                "#agent",
            );
            employers_page(&who, &tax, &EmployersQuery::default(), errors, &sent).await
        }
        Err(e) => Err(t.error(&e)),
    }
}

/// Revokes a withholding agent: its further statements are refused.
#[post("/desk/tax/employers/{business_id}/revoke")]
pub async fn revoke(
    who: Desk,
    tax: Data<Tax>,
    path: Path<String>,
    _form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    in_office(&tax, &who)?;
    let bid = tax
        .0
        .packs
        .active()
        .parse_business_id(&path)
        .map_err(|_| t.not_found())?
        .canonical()
        .to_owned();
    statements::revoke_agent(&tax, bid)
        .await
        .map_err(|e| t.error(&e))?;
    Ok(see_other("/desk/tax/employers?done=revoked"))
}

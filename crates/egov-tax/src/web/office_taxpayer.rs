//! The tax office's view of a taxpayer and of money: a taxpayer found by national ID or
//! business number with a purpose (posted, so the ID is not in an address; recorded on the
//! taxpayer's access log), their returns and account; a return with every version, an
//! officer's correction and the refund due; an assessment outside a return; the bank
//! settlement file matched to returns by payment reference. Postings at or above the year's
//! `second_officer_from` wait on the desk for a second officer (four eyes).

use std::str::FromStr;

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse, get, post};
use askama::Template;
use chrono::NaiveDate;
use egov_core::Error;
use egov_web::{CsrfForm, Page, PageError, Sent, see_other};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::account::{EntryRow, PeriodRow, account_rows};
use super::office::{Desk, crumbs, done_text, in_office, named, officer_names, tax_title};
use super::{internal, value_label};
use crate::Tax;
use crate::domain::eval::to_json;
use crate::domain::rules::InputType;
use crate::http::officers::{
    AssessmentInput, CorrectionInput, TransferLine, assess, correct, purpose_ok, settlement,
    taxpayer_key,
};
use crate::service::officers::{self, Posting};

/// Why an officer opens a taxpayer's file: recorded on the access log.
pub const PURPOSES: &[&str] = &[
    "tax.assessment",
    "tax.collection",
    "tax.refund",
    "tax.audit",
    "tax.dispute",
];

/// An option of a select.
#[derive(Debug)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn purpose_choices(t: &Page, picked: &str) -> Vec<Choice> {
    PURPOSES
        .iter()
        .map(|p| Choice {
            value: (*p).to_owned(),
            label: t.t(&format!("tax-purpose-{}", p.trim_start_matches("tax."))),
            selected: *p == picked,
        })
        .collect()
}

fn id_kinds(t: &Page, picked: &str) -> Vec<Choice> {
    ["national_id", "business_id"]
        .iter()
        .map(|k| Choice {
            value: (*k).to_owned(),
            label: t.t(&format!("tax-office-field-{}", k.replace('_', "-"))),
            selected: *k == picked,
        })
        .collect()
}

/// A return in the taxpayer's file.
#[derive(Debug)]
pub struct ReturnLine {
    pub id: String,
    pub tax: String,
    pub year: i32,
    pub status: String,
    pub version: i32,
    pub reference: String,
}

#[derive(Template)]
#[template(path = "web/office_taxpayer.html")]
struct TaxpayerPage<'a> {
    t: &'a Page,
    nav: &'static str,
    title: String,
    kinds: Vec<Choice>,
    purposes: Vec<Choice>,
    found: bool,
    purpose: String,
    returns: Vec<ReturnLine>,
    periods: Vec<PeriodRow>,
    entries: Vec<EntryRow>,
    csrf: &'a str,
    errors: Vec<(String, String)>,
    sent: &'a Sent,
}

#[allow(clippy::too_many_arguments)]
fn taxpayer_html(
    who: &Desk,
    status: StatusCode,
    sent: &Sent,
    errors: Vec<(String, String)>,
    returns: Option<Vec<ReturnLine>>,
    account: (Vec<PeriodRow>, Vec<EntryRow>),
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let title = t.t("tax-office-taxpayer-title");
    let html = TaxpayerPage {
        t,
        nav: "taxpayers",
        title: title.clone(),
        kinds: id_kinds(t, sent.get("kind")),
        purposes: purpose_choices(t, sent.get("purpose")),
        found: returns.is_some(),
        purpose: sent.get("purpose").to_owned(),
        returns: returns.unwrap_or_default(),
        periods: account.0,
        entries: account.1,
        csrf: who.csrf(),
        errors,
        sent,
    }
    .render()
    .map_err(|e| internal(t, e))?;
    Ok(t.answer(status, &title, &crumbs(t), &html))
}

/// The form to find a taxpayer.
#[get("/desk/tax/taxpayers")]
pub async fn find_form(who: Desk, tax: Data<Tax>) -> Result<HttpResponse, PageError> {
    in_office(&tax, &who)?;
    taxpayer_html(
        &who,
        StatusCode::OK,
        &Sent::default(),
        Vec::new(),
        None,
        Default::default(),
    )
}

/// A taxpayer's returns and account, found by ID with a purpose (recorded).
#[post("/desk/tax/taxpayers")]
pub async fn find(
    who: Desk,
    tax: Data<Tax>,
    form: CsrfForm<Vec<(String, String)>>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    in_office(&tax, &who)?;
    let sent = Sent(form.0);
    let id = sent.get("id").trim();
    let purpose = sent.get("purpose");
    let result = async {
        let mut errors = Vec::new();
        if let Err(e) = purpose_ok(purpose) {
            errors.extend(e.errors().iter().cloned());
        }
        let key = match sent.get("kind") {
            "business_id" => taxpayer_key(&tax, None, Some(id), "/"),
            _ => taxpayer_key(&tax, Some(id), None, "/"),
        };
        let key = match key {
            Ok(k) => Some(k.key),
            Err(_) => {
                errors.push(egov_core::error::FieldError {
                    pointer: "/id".into(),
                    detail: egov_core::text!("detail-tax-id", "not a valid number of this kind"),
                });
                None
            }
        };
        match key {
            Some(key) if errors.is_empty() => {
                officers::taxpayer_file(
                    &tax,
                    &crate::http::reader(&tax, &req, &who.principal),
                    &key,
                    purpose,
                )
                .await
            }
            _ => Err(Error::validation(errors)),
        }
    }
    .await;
    match result {
        Ok((returns, ledger)) => {
            let lines = returns
                .into_iter()
                .map(|r| ReturnLine {
                    tax: tax_title(&tax, t, &r.tax, r.year),
                    status: t.t(&format!("tax-office-return-{}", r.status)),
                    id: r.id,
                    year: r.year,
                    version: r.latest_version,
                    reference: r.payment_reference,
                })
                .collect();
            let account = account_rows(&tax, t, &ledger, balance_words);
            taxpayer_html(
                &who,
                StatusCode::OK,
                &sent,
                Vec::new(),
                Some(lines),
                account,
            )
        }
        Err(e) if actix_web::ResponseError::status_code(&e).is_client_error() => {
            let errors = t.refusal(
                &e,
                "find-",
                |n| t.t(&format!("tax-office-field-{n}")),
                "#find-id",
            );
            taxpayer_html(
                &who,
                StatusCode::BAD_REQUEST,
                &sent,
                errors,
                None,
                Default::default(),
            )
        }
        Err(e) => Err(t.error(&e)),
    }
}

/// A balance in the office's words: owed by the taxpayer, to refund, or nothing.
fn balance_words(t: &Page, balance: Decimal) -> String {
    if balance > Decimal::ZERO {
        t.t_with("tax-office-balance-owed", &[("amount", t.money(balance))])
    } else if balance < Decimal::ZERO {
        t.t_with(
            "tax-office-balance-refund",
            &[("amount", t.money(-balance))],
        )
    } else {
        t.t("tax-office-balance-none")
    }
}

/// A version of a return.
#[derive(Debug)]
pub struct VersionLine {
    pub version: i32,
    pub kind: String,
    pub at: String,
    pub by: String,
    pub reason: String,
    pub balance: String,
}

#[derive(Template)]
#[template(path = "web/office_return.html")]
struct ReturnPage<'a> {
    t: &'a Page,
    title: String,
    done: String,
    id: String,
    purpose: String,
    facts: Vec<(String, String)>,
    versions: Vec<VersionLine>,
    inputs: Vec<Choice>,
    rows: Vec<usize>,
    correction_id: String,
    refund_id: String,
    csrf: &'a str,
    errors: Vec<(String, String)>,
    sent: &'a Sent,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnQuery {
    purpose: String,
    done: Option<String>,
}

/// Rows of the correction form.
const CORRECTION_ROWS: usize = 3;

#[allow(clippy::too_many_arguments)]
async fn return_page(
    who: &Desk,
    tax: &Tax,
    directory: Option<Data<egov_auth::Service>>,
    req: &HttpRequest,
    id: &str,
    purpose: &str,
    done: Option<&str>,
    errors: Vec<(String, String)>,
    sent: &Sent,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    in_office(tax, who)?;
    purpose_ok(purpose).map_err(|e| t.error(&e))?;
    let ret = officers::find_return(tax, id)
        .await
        .map_err(|e| t.error(&e))?;
    let rows = officers::return_versions(
        tax,
        &crate::http::reader(tax, req, &who.principal),
        id,
        purpose,
    )
    .await
    .map_err(|e| t.error(&e))?;
    let names = officer_names(directory, rows.iter().map(|v| v.actor.clone()).collect()).await;
    let versions = rows
        .iter()
        .rev()
        .map(|v| VersionLine {
            version: v.version,
            kind: t.t(&format!("tax-version-{}", v.kind)),
            at: t.local_time(v.submitted_at),
            by: names.get(&v.actor).cloned().unwrap_or_else(|| {
                if v.actor.starts_with("officer") {
                    v.actor.clone()
                } else {
                    t.t("tax-office-by-taxpayer")
                }
            }),
            reason: v.reason.clone().unwrap_or_default(),
            balance: balance_words(t, Decimal::from_str(&v.balance).unwrap_or_default()),
        })
        .collect();
    let rules = tax.rules(ret.year);
    let picked: Vec<&str> = (0..CORRECTION_ROWS)
        .map(|i| sent.get(&format!("change-{i}-input")))
        .collect();
    let inputs = rules
        .map(|r| {
            std::iter::once(Choice {
                value: String::new(),
                label: t.t("tax-office-no-change"),
                selected: false,
            })
            .chain(
                r.inputs
                    .iter()
                    .filter(|i| {
                        matches!(
                            i.ty,
                            InputType::Money | InputType::Count | InputType::Number
                        )
                    })
                    .map(|i| Choice {
                        selected: picked.first() == Some(&i.name.as_str()),
                        label: value_label(t, r, &i.name),
                        value: i.name.clone(),
                    }),
            )
            .collect()
        })
        .unwrap_or_default();
    let facts = vec![
        (t.t("tax-label-tax"), tax_title(tax, t, &ret.tax, ret.year)),
        (t.t("tax-label-year"), ret.year.to_string()),
        (
            t.t("tax-office-field-taxpayer"),
            if ret.masked_id.is_empty() {
                ret.taxpayer.trim_start_matches("business:").to_owned()
            } else {
                ret.masked_id.clone()
            },
        ),
        (
            t.t("tax-office-field-status"),
            t.t(&format!("tax-office-return-{}", ret.status)),
        ),
        (t.t("tax-label-reference"), ret.payment_reference.clone()),
    ];
    let fresh = |name: &str| {
        let s = sent.get(name);
        if s.is_empty() {
            uuid::Uuid::now_v7().simple().to_string()
        } else {
            s.to_owned()
        }
    };
    let title = t.t_with("tax-office-return-title", &[("year", ret.year.to_string())]);
    let status = egov_web::form_status(&errors);
    let html = ReturnPage {
        t,
        title: title.clone(),
        done: done_text(t, done),
        id: ret.id.clone(),
        purpose: purpose.to_owned(),
        facts,
        versions,
        inputs,
        rows: (0..CORRECTION_ROWS).collect(),
        correction_id: fresh("correction_id"),
        refund_id: fresh("refund_id"),
        csrf: who.csrf(),
        errors,
        sent,
    }
    .render()
    .map_err(|e| internal(t, e))?;
    let mut trail = crumbs(t);
    trail.push((
        "/desk/tax/taxpayers".into(),
        t.t("tax-office-taxpayer-title"),
    ));
    Ok(t.answer(status, &title, &trail, &html))
}

/// A return with every version, the correction form and the refund (recorded with the
/// purpose).
#[get("/desk/tax/returns/{id}")]
pub async fn return_view(
    who: Desk,
    tax: Data<Tax>,
    directory: Option<Data<egov_auth::Service>>,
    id: Path<String>,
    q: Query<ReturnQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    return_page(
        &who,
        &tax,
        directory,
        &req,
        &id,
        &q.purpose,
        q.done.as_deref(),
        Vec::new(),
        &Sent::default(),
    )
    .await
}

/// The correction form's changes: each named input with its new value.
fn changes_of(t: &Page, sent: &Sent) -> Result<Map<String, Value>, Vec<(String, String)>> {
    let mut changes = Map::new();
    let mut errors = Vec::new();
    for i in 0..CORRECTION_ROWS {
        let input = sent.get(&format!("change-{i}-input"));
        let value = sent.get(&format!("change-{i}-value")).trim();
        if input.is_empty() {
            continue;
        }
        match t.parse_number(value) {
            Some(d) => {
                changes.insert(input.to_owned(), to_json(d));
            }
            None => {
                let field = format!(
                    "{} · {}",
                    t.t_with("tax-office-change", &[("n", (i + 1).to_string())]),
                    t.t("tax-office-field-value")
                );
                errors.push((
                    format!("#change-{i}-value"),
                    named(t, &field, "tax-error-number"),
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(changes)
    } else {
        Err(errors)
    }
}

/// What the return page's forms do: a correction (`what=correction`) or the refund due
/// (`what=refund`).
#[post("/desk/tax/returns/{id}")]
pub async fn return_action(
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
    let purpose = sent.get("purpose").to_owned();
    purpose_ok(&purpose).map_err(|e| t.error(&e))?;
    let reader = crate::http::reader(&tax, &req, &who.principal);
    let back = |done: &str| {
        see_other(&egov_web::link(
            &format!("/desk/tax/returns/{id}"),
            &[("purpose", Some(&purpose)), ("done", Some(done))],
        ))
    };
    let (result, prefix, fallback) = match sent.get("what") {
        "correction" => {
            let r = match changes_of(t, &sent) {
                Err(errors) => {
                    return return_page(
                        &who, &tax, directory, &req, &id, &purpose, None, errors, &sent,
                    )
                    .await;
                }
                Ok(changes) => correct(
                    &tax,
                    &reader,
                    &id,
                    CorrectionInput {
                        changes,
                        reason: sent.get("reason").trim().to_owned(),
                        correction_id: sent.get("correction_id").to_owned(),
                    },
                )
                .await
                .map(|(_, created)| if created { "correction" } else { "same" }),
            };
            (r, "correction-", "#correction")
        }
        "refund" => {
            let r = officers::refund(&tax, &reader, &id, sent.get("refund_id").to_owned())
                .await
                .map(|p| posting_done(&p));
            (r, "refund-", "#refund")
        }
        _ => return Err(t.bad_form()),
    };
    match result {
        Ok(done) => Ok(back(done)),
        Err(e) if actix_web::ResponseError::status_code(&e).is_client_error() => {
            let errors = t.refusal(
                &e,
                prefix,
                |n| t.t(&format!("tax-office-field-{}", n.replace('_', "-"))),
                fallback,
            );
            return_page(
                &who, &tax, directory, &req, &id, &purpose, None, errors, &sent,
            )
            .await
        }
        Err(e) => Err(t.error(&e)),
    }
}

/// The banner of a posting: on the account now, the same request again, or waiting for a
/// second officer.
fn posting_done(p: &Posting) -> &'static str {
    match p {
        Posting::Posted(_, true) => "posted",
        Posting::Posted(_, false) => "same",
        Posting::Waiting(_) => "waiting",
    }
}

#[derive(Template)]
#[template(path = "web/office_assessment.html")]
struct AssessmentPage<'a> {
    t: &'a Page,
    nav: &'static str,
    title: String,
    done: String,
    kinds: Vec<Choice>,
    assessment_id: String,
    year: String,
    csrf: &'a str,
    errors: Vec<(String, String)>,
    sent: &'a Sent,
}

fn assessment_html(
    who: &Desk,
    tax: &Tax,
    done: Option<&str>,
    errors: Vec<(String, String)>,
    sent: &Sent,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let title = t.t("tax-office-assessment-title");
    let status = egov_web::form_status(&errors);
    let year = if sent.get("year").is_empty() {
        (tax.now()
            .date()
            .format("%Y")
            .to_string()
            .parse::<i32>()
            .unwrap_or(2026)
            - 1)
        .to_string()
    } else {
        sent.get("year").to_owned()
    };
    let assessment_id = if sent.get("assessment_id").is_empty() {
        uuid::Uuid::now_v7().simple().to_string()
    } else {
        sent.get("assessment_id").to_owned()
    };
    let html = AssessmentPage {
        t,
        nav: "assessment",
        title: title.clone(),
        done: done_text(t, done),
        kinds: id_kinds(t, sent.get("kind")),
        assessment_id,
        year,
        csrf: who.csrf(),
        errors,
        sent,
    }
    .render()
    .map_err(|e| internal(t, e))?;
    Ok(t.answer(status, &title, &crumbs(t), &html))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoneQuery {
    done: Option<String>,
}

/// The form to raise an assessment outside a return.
#[get("/desk/tax/assessments/new")]
pub async fn assessment_form(
    who: Desk,
    tax: Data<Tax>,
    q: Query<DoneQuery>,
) -> Result<HttpResponse, PageError> {
    in_office(&tax, &who)?;
    assessment_html(&who, &tax, q.done.as_deref(), Vec::new(), &Sent::default())
}

/// Raises the assessment (posted, or waiting for a second officer from the year's threshold).
#[post("/desk/tax/assessments/new")]
pub async fn raise(
    who: Desk,
    tax: Data<Tax>,
    form: CsrfForm<Vec<(String, String)>>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    in_office(&tax, &who)?;
    let sent = Sent(form.0);
    let mut errors = Vec::new();
    let year = sent.get("year").trim().parse::<i32>();
    if year.is_err() {
        errors.push((
            "#assess-year".to_owned(),
            named(t, &t.t("tax-label-year"), "tax-office-year-error"),
        ));
    }
    let amount = t.parse_number(sent.get("amount").trim());
    if amount.is_none() {
        errors.push((
            "#assess-amount".to_owned(),
            named(t, &t.t("tax-label-amount"), "tax-error-money"),
        ));
    }
    let due = NaiveDate::parse_from_str(sent.get("due_date").trim(), "%Y-%m-%d");
    if due.is_err() {
        errors.push((
            "#assess-due_date".to_owned(),
            named(t, &t.t("tax-label-due"), "tax-office-date-error"),
        ));
    }
    let (Ok(year), Some(amount), Ok(due_date)) = (year, amount, due) else {
        return assessment_html(&who, &tax, None, errors, &sent);
    };
    let id = sent.get("id").trim().to_owned();
    let (national_id, business_id) = match sent.get("kind") {
        "business_id" => (None, Some(id)),
        _ => (Some(id), None),
    };
    let input = AssessmentInput {
        assessment_id: sent.get("assessment_id").to_owned(),
        national_id,
        business_id,
        year,
        amount,
        due_date,
        reason: sent.get("reason").trim().to_owned(),
    };
    match assess(
        &tax,
        &crate::http::reader(&tax, &req, &who.principal),
        input,
    )
    .await
    {
        Ok(p) => Ok(see_other(&format!(
            "/desk/tax/assessments/new?done={}",
            posting_done(&p)
        ))),
        Err(e) if actix_web::ResponseError::status_code(&e).is_client_error() => {
            let errors = t.refusal(
                &e,
                "assess-",
                |n| {
                    let n = if n.ends_with("_id") && n != "assessment_id" {
                        "id"
                    } else {
                        n
                    };
                    t.t(&format!("tax-office-field-{}", n.replace('_', "-")))
                },
                "#assess",
            );
            let errors = errors
                .into_iter()
                .map(|(a, m)| {
                    let a = a
                        .replace("#assess-national_id", "#assess-id")
                        .replace("#assess-business_id", "#assess-id");
                    (a, m)
                })
                .collect();
            assessment_html(&who, &tax, None, errors, &sent)
        }
        Err(e) => Err(t.error(&e)),
    }
}

/// A settlement's outcome in the page's words.
#[derive(Debug)]
pub struct Settled {
    pub matched: usize,
    pub duplicates: usize,
    pub unmatched: Vec<String>,
    pub rejected: Vec<(usize, String)>,
}

#[derive(Template)]
#[template(path = "web/office_payments.html")]
struct PaymentsPage<'a> {
    t: &'a Page,
    nav: &'static str,
    title: String,
    settled: Option<Settled>,
    csrf: &'a str,
    errors: Vec<(String, String)>,
    sent: &'a Sent,
}

fn payments_html(
    who: &Desk,
    settled: Option<Settled>,
    errors: Vec<(String, String)>,
    sent: &Sent,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let title = t.t("tax-office-payments-title");
    let status = egov_web::form_status(&errors);
    let html = PaymentsPage {
        t,
        nav: "payments",
        title: title.clone(),
        settled,
        csrf: who.csrf(),
        errors,
        sent,
    }
    .render()
    .map_err(|e| internal(t, e))?;
    Ok(t.answer(status, &title, &crumbs(t), &html))
}

/// The form to match a bank settlement file.
#[get("/desk/tax/payments")]
pub async fn payments_form(who: Desk, tax: Data<Tax>) -> Result<HttpResponse, PageError> {
    in_office(&tax, &who)?;
    payments_html(&who, None, Vec::new(), &Sent::default())
}

/// Lines of a settlement file pasted into the form.
const MAX_LINES: usize = 10_000;

/// Something of a pasted file with its line number (from 1).
type Numbered<T> = (usize, T);

/// The pasted file (CSV: bank transaction id, payment reference, amount, date paid; a
/// header line is skipped) as the API's lines; the lines that cannot be read, by line number,
/// with the message saying why.
fn lines_of(text: &str) -> (Vec<Numbered<TransferLine>>, Vec<Numbered<&'static str>>) {
    let mut lines = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        // One record per line (a settlement file has no multi-line fields).
        let rec = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(line.as_bytes())
            .records()
            .next();
        let Some(Ok(r)) = rec else {
            bad.push((n, "tax-office-line-csv"));
            continue;
        };
        if n == 1
            && r.get(0)
                .is_some_and(|f| f.eq_ignore_ascii_case("bank_txn_id"))
        {
            continue;
        }
        if r.len() != 4 {
            bad.push((n, "tax-office-line-fields"));
            continue;
        }
        let (txn, reference) = (&r[0], &r[1]);
        if !(1..=64).contains(&txn.len()) || !txn.bytes().all(|b| b.is_ascii_graphic()) {
            bad.push((n, "tax-office-line-txn"));
            continue;
        }
        if reference.len() > 64 {
            bad.push((n, "tax-office-line-reference"));
            continue;
        }
        let amount = Decimal::from_str(&r[2]).ok().filter(|a| *a > Decimal::ZERO);
        let Some(amount) = amount else {
            bad.push((n, "tax-office-line-amount"));
            continue;
        };
        let Ok(paid_on) = NaiveDate::parse_from_str(&r[3], "%Y-%m-%d") else {
            bad.push((n, "tax-office-line-date"));
            continue;
        };
        lines.push((
            n,
            TransferLine {
                bank_txn_id: txn.to_owned(),
                reference: reference.to_owned(),
                amount,
                paid_on,
            },
        ));
    }
    (lines, bad)
}

/// Matches a pasted settlement file and shows what it did.
#[post("/desk/tax/payments")]
pub async fn settle(
    who: Desk,
    tax: Data<Tax>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    in_office(&tax, &who)?;
    let sent = Sent(form.0);
    let (lines, mut bad) = lines_of(sent.get("file"));
    if lines.is_empty() && bad.is_empty() {
        let errors = vec![(
            "#file".to_owned(),
            named(t, &t.t("tax-office-file"), "tax-office-file-empty"),
        )];
        return payments_html(&who, None, errors, &sent);
    }
    if lines.len() + bad.len() > MAX_LINES {
        let errors = vec![(
            "#file".to_owned(),
            named(t, &t.t("tax-office-file"), "tax-office-file-long"),
        )];
        return payments_html(&who, None, errors, &sent);
    }
    let numbers: Vec<usize> = lines.iter().map(|(n, _)| *n).collect();
    let report = settlement(&tax, lines.into_iter().map(|(_, l)| l).collect())
        .await
        .map_err(|e| t.error(&e))?;
    let mut rejected: Vec<(usize, String)> = bad.drain(..).map(|(n, id)| (n, t.t(id))).collect();
    // The page checked every line as the API does: what the API still refuses is listed as is.
    rejected.extend(report.rejected.into_iter().map(|r| {
        (
            numbers.get(r.line - 1).copied().unwrap_or(r.line),
            r.errors.join("; "),
        )
    }));
    rejected.sort_by_key(|(n, _)| *n);
    let settled = Settled {
        matched: report.matched,
        duplicates: report.duplicates,
        unmatched: report.unmatched,
        rejected,
    };
    payments_html(&who, Some(settled), Vec::new(), &Sent::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_settlement_file_is_read_line_by_line() {
        let (lines, bad) = lines_of(
            "bank_txn_id,reference,amount,paid_on\n\
             T1, 2026-0001-7 ,125000.00,2027-05-31\n\
             \n\
             T2,R,lots,2027-05-31\n\
             T3,R,10,31/05/2027\n\
             T4,R\n",
        );
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].0, 2);
        assert_eq!(lines[0].1.reference, "2026-0001-7");
        assert_eq!(lines[0].1.amount, Decimal::new(12_500_000, 2));
        let numbers: Vec<usize> = bad.iter().map(|(n, _)| *n).collect();
        assert_eq!(numbers, [4, 5, 6]);
        assert_eq!(bad[0].1, "tax-office-line-amount");
        assert_eq!(bad[1].1, "tax-office-line-date");
        assert_eq!(bad[2].1, "tax-office-line-fields");
        let (_, bad) =
            lines_of("T1,R,-5,2027-05-31\n,R,5,2027-05-31\nT 2,R,5,2027-05-31\n\"T3,R,5");
        let ids: Vec<&str> = bad.iter().map(|(_, id)| *id).collect();
        assert_eq!(
            ids,
            [
                "tax-office-line-amount",
                "tax-office-line-txn",
                "tax-office-line-txn",
                "tax-office-line-fields"
            ]
        );
    }

    #[test]
    fn purposes_are_valid_access_log_purposes() {
        for p in PURPOSES {
            assert!(purpose_ok(p).is_ok(), "{p}");
        }
    }
}

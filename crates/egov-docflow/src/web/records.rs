//! The records manager's desk (기록물관리): the agency's record files (기록물철) with a form to
//! open one, and the registration ledgers (생산·접수등록대장) of each unit and year, whose
//! entries open the documents — where a records manager files them, places and releases legal
//! holds, and disposes of them once their retention has run (on the document's page). Only
//! records managers (`docflow.records`, second factor).

use actix_web::http::StatusCode;
use actix_web::web::{Data, Query};
use actix_web::{HttpResponse, get, post};
use askama::Template;
use egov_auth::{Kind, Policy, Rule};
use egov_core::Error;
use egov_web::{CsrfForm, Page, PageError, SignedIn, see_other};
use serde::Deserialize;

use super::Choice;
use super::draft::Sent;
use crate::Docflow;
use crate::http::records::{FileInput, new_file};
use crate::http::worklists::LedgerQuery;
use crate::service;

/// Records managers of an agency, with a second factor.
#[derive(Debug)]
pub struct RecordsDesk;
impl Policy for RecordsDesk {
    const RULE: Rule = Rule::kinds(&[Kind::Officer])
        .roles(&[crate::RECORDS_ROLE])
        .aal2();
}

type Who = SignedIn<RecordsDesk>;

/// Rows of a ledger page.
const LEDGER_PAGE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordsQuery {
    unit: Option<String>,
    year: Option<String>,
    kind: Option<String>,
    after: Option<String>,
    done: Option<String>,
}

/// A record file, in the page's words.
#[derive(Debug)]
pub struct FileRow {
    pub title: String,
    pub classification: String,
    pub year: i32,
    pub retention: String,
    pub unit: String,
}

/// A ledger entry.
#[derive(Debug)]
pub struct Entry {
    pub serial: i64,
    pub number: String,
    pub document: String,
    pub title: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "web/doc_records.html")]
struct RecordsPage<'a> {
    t: &'a Page,
    title: String,
    done: bool,
    files: Vec<FileRow>,
    units: Vec<Choice>,
    retention: Vec<Choice>,
    kinds: Vec<Choice>,
    year: String,
    entries: Option<Vec<Entry>>,
    next: Option<String>,
    csrf: &'a str,
    errors: Vec<(String, String)>,
    sent: &'a Sent,
}

fn choices(items: impl Iterator<Item = (String, String)>, picked: &str) -> Vec<Choice> {
    items
        .map(|(value, label)| Choice {
            selected: value == picked,
            value,
            label,
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn answer(
    who: &Who,
    d: &Docflow,
    q: &RecordsQuery,
    errors: Vec<(String, String)>,
    sent: &Sent,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let rules = d.rules().map_err(|e| t.error(&e))?;
    let agency = who.principal.agency.clone().unwrap_or_default();
    let desk = service::desk(d, who.principal.subject.clone(), agency.clone())
        .await
        .map_err(|e| t.error(&e))?;
    let unit_name = |id: &str| {
        desk.units
            .iter()
            .find(|u| u.id == id)
            .map_or_else(|| id.to_owned(), |u| u.name.clone())
    };
    let files = service::files(d, agency)
        .await
        .map_err(|e| t.error(&e))?
        .into_iter()
        .map(|f| FileRow {
            unit: unit_name(&f.unit_id),
            retention: rules
                .retention_class(&f.retention)
                .map_or_else(|| f.retention.clone(), |r| r.name.clone()),
            title: f.title,
            classification: f.classification,
            year: f.year,
        })
        .collect();
    let this_year = d.now().date().format("%Y").to_string();
    let year = q
        .year
        .clone()
        .filter(|y| !y.is_empty())
        .unwrap_or(this_year);
    let kind = q
        .kind
        .clone()
        .filter(|k| !k.is_empty())
        .unwrap_or_else(|| "production".into());
    let unit = q.unit.clone().filter(|u| !u.is_empty());
    let mut errors = errors;
    let (entries, next) = match &unit {
        None => (None, None),
        Some(u) => {
            let after = q.after.as_deref().and_then(|a| a.parse::<i64>().ok());
            let parsed = year
                .parse::<i32>()
                .ok()
                .filter(|y| (1900..=9999).contains(y));
            match parsed {
                None => {
                    errors.push(("#ledger-year".into(), t.t("doc-year-error")));
                    (None, None)
                }
                Some(y) => {
                    let rows = service::ledger(
                        d,
                        who.principal.clone(),
                        LedgerQuery {
                            unit: u.clone(),
                            year: y,
                            kind: kind.clone(),
                            after,
                            limit: Some(LEDGER_PAGE),
                        },
                        LEDGER_PAGE,
                    )
                    .await
                    .map_err(|e| t.error(&e))?;
                    let next = (rows.len() as i64 == LEDGER_PAGE)
                        .then(|| rows.last().map(|r| r.serial))
                        .flatten()
                        .map(|s| {
                            egov_web::link(
                                "/desk/records",
                                &[
                                    ("unit", Some(u.as_str())),
                                    ("year", Some(&y.to_string())),
                                    ("kind", Some(&kind)),
                                    ("after", Some(&s.to_string())),
                                ],
                            )
                        });
                    let entries = rows
                        .into_iter()
                        .map(|r| Entry {
                            serial: r.serial,
                            number: r.registration_no,
                            document: r.document_id,
                            title: r.title,
                            at: t.local_time(r.at),
                        })
                        .collect();
                    (Some(entries), next)
                }
            }
        }
    };
    let picked_unit = unit
        .clone()
        .unwrap_or_else(|| sent.get("unit_id").to_owned());
    let units = choices(
        desk.units.iter().map(|u| (u.id.clone(), u.name.clone())),
        &picked_unit,
    );
    let retention = choices(
        rules
            .retention
            .iter()
            .map(|r| (r.code.clone(), r.name.clone())),
        sent.get("retention"),
    );
    let kinds = choices(
        ["production", "receipt"]
            .into_iter()
            .map(|k| (k.to_owned(), t.t(&format!("doc-ledger-{k}")))),
        &kind,
    );
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let title = t.t("doc-records-title");
    let html = RecordsPage {
        t,
        title: title.clone(),
        done: q.done.is_some(),
        files,
        units,
        retention,
        kinds,
        year,
        entries,
        next,
        csrf: who.csrf(),
        errors,
        sent,
    }
    .render()
    .map_err(|e| t.error(&Error::internal(e)))?;
    Ok(t.answer(status, &title, &[("/my".into(), t.t("my-page"))], &html))
}

/// The records manager's desk: files and ledgers.
#[get("/desk/records")]
pub async fn records_page(
    who: Who,
    d: Data<Docflow>,
    query: Query<RecordsQuery>,
) -> Result<HttpResponse, PageError> {
    answer(&who, &d, &query.into_inner(), Vec::new(), &Sent::default()).await
}

/// Opens a record file; a refusal shows the form again with what to fix.
#[post("/desk/records/files")]
pub async fn create_file(
    who: Who,
    d: Data<Docflow>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let sent = Sent(form.0);
    let year = sent.get("year").trim().parse::<i32>();
    let input = FileInput {
        unit_id: sent.get("unit_id").to_owned(),
        classification: sent.get("classification").trim().to_owned(),
        title: sent.get("title").trim().to_owned(),
        year: *year.as_ref().unwrap_or(&0),
        retention: sent.get("retention").to_owned(),
    };
    match new_file(&d, &who.principal, input).await {
        Ok(_) => Ok(see_other("/desk/records?done=file")),
        Err(e) if actix_web::ResponseError::status_code(&e).is_client_error() => {
            let errors = t.refusal(
                &e,
                "file-",
                |n| t.t(&format!("doc-field-{}", n.replace('_', "-"))),
                "#new-file",
            );
            answer(&who, &d, &RecordsQuery::default(), errors, &sent).await
        }
        Err(e) => Err(t.error(&e)),
    }
}

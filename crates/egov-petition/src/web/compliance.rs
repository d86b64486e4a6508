//! The compliance report as a page and a CSV download, for an agency's supervisors and head,
//! its admins, and auditors (who choose the agency): per service, for the cases received in a
//! period, the share answered within the statutory period, the median working days to the
//! answer, the open and overdue cases, the extensions.

use actix_web::http::StatusCode;
use actix_web::web::{Data, Query};
use actix_web::{HttpResponse, get};
use askama::Template;
use chrono::NaiveDate;
use egov_core::Error;
use egov_web::{Page, PageError, SignedIn};
use serde::Deserialize;

use super::desk::Choice;
use crate::Petition;
use crate::domain::compliance::ComplianceLine;
use crate::http::reports::{ReportReader, report_agency};
use crate::service::reports::{self, ComplianceReport};

type Who = SignedIn<ReportReader>;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    agency: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// One line in the page's words.
#[derive(Debug)]
pub struct Row {
    pub service: String,
    pub received: String,
    pub answered: String,
    pub on_time: String,
    pub median: String,
    pub open: String,
    pub overdue: String,
    pub extensions: String,
}

#[derive(Template)]
#[template(path = "web/compliance.html")]
struct ReportPage<'a> {
    t: &'a Page,
    title: &'a str,
    agency_name: String,
    /// The agency choice, for auditors and platform admins.
    agencies: Vec<Choice>,
    from: String,
    to: String,
    rows: Vec<Row>,
    total: Option<Row>,
    csv: String,
    errors: Vec<(String, String)>,
}

fn row(t: &Page, name: String, l: &ComplianceLine) -> Row {
    let n = |v: u32| t.count(v.into());
    let one = |v: f64| {
        let d = rust_decimal::Decimal::from_f64_retain(v)
            .unwrap_or_default()
            .round_dp(1);
        crate::web::compliance::decimal(t, d)
    };
    Row {
        service: name,
        received: n(l.received),
        answered: n(l.answered),
        on_time: l.on_time_percent.map_or_else(
            || "—".to_owned(),
            |p| {
                t.t_with(
                    "report-on-time-value",
                    &[("percent", one(p)), ("count", n(l.answered_on_time))],
                )
            },
        ),
        median: l.median_working_days.map_or_else(|| "—".to_owned(), one),
        open: n(l.open),
        overdue: n(l.open_overdue),
        extensions: t.t_with(
            "report-extensions-value",
            &[
                ("cases", n(l.extended_cases)),
                ("extensions", n(l.extensions)),
            ],
        ),
    }
}

/// A number with one decimal as the page's language writes it.
pub fn decimal(t: &Page, d: rust_decimal::Decimal) -> String {
    egov_web::format::number(t.lang(), d, 1)
}

/// The period asked for, or this year to today; the fields' errors.
fn period(
    t: &Page,
    p: &Petition,
    q: &ReportQuery,
) -> (NaiveDate, NaiveDate, Vec<(String, String)>) {
    let (start, today) = reports::default_period(p);
    let mut errors = Vec::new();
    let mut read = |field: &str, v: &Option<String>, default: NaiveDate| match v
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => default,
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|_| {
            errors.push((
                format!("#report-{field}"),
                t.t(&format!("report-{field}-error")),
            ));
            default
        }),
    };
    let from = read("from", &q.from, start);
    let to = read("to", &q.to, today);
    (from, to, errors)
}

/// What the report and its page need: the agency, the period, the report (or the errors).
async fn prepare(
    who: &Who,
    p: &Petition,
    q: &ReportQuery,
) -> Result<
    (
        String,
        NaiveDate,
        NaiveDate,
        Result<ComplianceReport, Vec<(String, String)>>,
    ),
    PageError,
> {
    let t = &who.page;
    let chooses = matches!(
        who.principal.kind,
        egov_auth::Kind::Auditor | egov_auth::Kind::PlatformAdmin
    );
    let asked = q.agency.clone().filter(|a| !a.is_empty()).or_else(|| {
        chooses
            .then(|| p.catalogue().agencies.keys().next().cloned())
            .flatten()
    });
    let agency = report_agency(&who.principal, asked).map_err(|e| t.error(&e))?;
    let (from, to, mut errors) = period(t, p, q);
    if errors.is_empty()
        && let Err(e) = reports::check_period(from, to)
    {
        let detail = e
            .errors()
            .first()
            .map(|f| t.text(&f.detail))
            .unwrap_or_default();
        errors.push((
            "#report-to".into(),
            t.t_with("report-to-range", &[("detail", detail)]),
        ));
    }
    if !errors.is_empty() {
        return Ok((agency, from, to, Err(errors)));
    }
    let report = match reports::compliance(p, agency.clone(), from, to).await {
        Ok(r) => Ok(r),
        Err(e) if e.code() == egov_core::error::codes::VALIDATION_FAILED => {
            Err(vec![("#report-agency".into(), t.t("report-agency-error"))])
        }
        Err(e) => return Err(t.error(&e)),
    };
    Ok((agency, from, to, report))
}

fn service_name(t: &Page, p: &Petition, id: &str) -> String {
    if id == "*" {
        return t.t("report-total");
    }
    p.catalogue()
        .services
        .get(id)
        .map_or_else(|| id.to_owned(), |s| t.pick(&s.names).to_owned())
}

fn query_string(agency: Option<&str>, from: NaiveDate, to: NaiveDate) -> String {
    let (f, t) = (from.to_string(), to.to_string());
    let mut pairs = vec![("from", f.as_str()), ("to", t.as_str())];
    if let Some(a) = agency {
        pairs.insert(0, ("agency", a));
    }
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// The compliance report page.
#[get("/desk/reports/compliance")]
pub async fn report_page(
    who: Who,
    p: Data<Petition>,
    query: Query<ReportQuery>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let q = query.into_inner();
    let (agency, from, to, report) = prepare(&who, &p, &q).await?;
    let chooses = matches!(
        who.principal.kind,
        egov_auth::Kind::Auditor | egov_auth::Kind::PlatformAdmin
    );
    let (rows, total, errors) = match &report {
        Ok(r) => (
            r.services
                .iter()
                .map(|l| row(t, service_name(t, &p, &l.service), l))
                .collect(),
            Some(row(t, t.t("report-total"), &r.total)),
            Vec::new(),
        ),
        Err(e) => (Vec::new(), None, e.clone()),
    };
    let title = t.t("report-title");
    let html = ReportPage {
        t,
        title: &title,
        agency_name: p
            .catalogue()
            .agencies
            .get(&agency)
            .map_or_else(|| agency.clone(), |a| t.pick(&a.names).to_owned()),
        agencies: if chooses {
            p.catalogue()
                .agencies
                .values()
                .map(|a| Choice {
                    value: a.code.clone(),
                    label: t.pick(&a.names).to_owned(),
                    selected: a.code == agency,
                })
                .collect()
        } else {
            Vec::new()
        },
        from: q.from.clone().unwrap_or_else(|| from.to_string()),
        to: q.to.clone().unwrap_or_else(|| to.to_string()),
        rows,
        total,
        csv: format!(
            "/desk/reports/compliance.csv?{}",
            query_string(chooses.then_some(agency.as_str()), from, to)
        ),
        errors,
    }
    .render()
    .map_err(|e| t.error(&Error::internal(e)))?;
    let status = if report.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    Ok(t.answer(status, &title, &[("/my".into(), t.t("my-page"))], &html))
}

/// The compliance report as CSV.
#[get("/desk/reports/compliance.csv")]
pub async fn report_csv(
    who: Who,
    p: Data<Petition>,
    query: Query<ReportQuery>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let q = query.into_inner();
    let (agency, from, to, report) = prepare(&who, &p, &q).await?;
    let Ok(report) = report else {
        return Err(t.bad_form());
    };
    let headers: Vec<String> = [
        "report-csv-service",
        "report-service",
        "report-received",
        "report-answered",
        "report-on-time-count",
        "report-on-time",
        "report-median",
        "report-open",
        "report-overdue",
        "report-extended-cases",
        "report-extensions",
    ]
    .iter()
    .map(|id| t.t(id))
    .collect();
    let bytes =
        reports::csv(&report, &headers, |id| service_name(t, &p, id)).map_err(|e| t.error(&e))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(egov_core::request::attachment_disposition(&format!(
            "compliance-{agency}-{from}-{to}.csv"
        )))
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header(("cache-control", "no-store"))
        .body(bytes))
}

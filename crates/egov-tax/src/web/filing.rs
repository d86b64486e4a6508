//! Filing in the browser: "check your return" (the amounts, the alerts, the declaration),
//! submission with a second factor, the signed acknowledgement, and every version filed.
//! The form carries an idempotency key made when the check page is shown, so sending it twice
//! (a double click, a retried request) files once and shows the same acknowledgement; filing
//! again after that is an amendment, a new version.

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path};
use actix_web::{HttpResponse, get, post};
use askama::Template;
use egov_web::{CsrfForm, Page, PageError, see_other};
use serde::Deserialize;

use super::returns::{balance_words, status_word};
use super::{
    Who, Who2, in_my_tax, internal, return_crumb, rule_text, rules, taxpayer, value_label,
};
use crate::Tax;
use crate::domain::RuleSet;
use crate::service::{Acknowledgement, taxpayers};

#[derive(Template)]
#[template(path = "web/submit.html")]
struct CheckPage<'a> {
    t: &'a Page,
    title: String,
    year: i32,
    csrf: &'a str,
    key: String,
    amounts: Vec<(String, String)>,
    balance: String,
    rejects: Vec<String>,
    declare_error: Option<String>,
    alerts: Vec<String>,
    amendment: bool,
}

/// The amounts of a return's outputs, labelled.
fn outputs(
    t: &Page,
    r: &RuleSet,
    get: impl Fn(&str) -> rust_decimal::Decimal,
) -> Vec<(String, String)> {
    r.outputs
        .iter()
        .map(|o| (value_label(t, r, o), t.money(get(o))))
        .collect()
}

/// Why the check page is shown again after "Submit".
enum Problem {
    /// The declaration's box was not ticked.
    NotDeclared,
    /// The rules refused the return (or another submission won the race).
    Refused,
}

async fn check_page(
    who: &Who2,
    tax: &Tax,
    year: i32,
    problem: Option<Problem>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let r = rules(tax, t, year)?;
    let me = taxpayer(tax, t, &who.principal)?;
    let view = taxpayers::return_view(tax, me, year)
        .await
        .map_err(|e| t.error(&e))?;
    let (rejects, alerts): (Vec<_>, Vec<_>) = view
        .rules_fired
        .iter()
        .partition(|h| h.severity == "reject");
    let mut rejects: Vec<String> = rejects.into_iter().map(|h| rule_text(t, &r, h)).collect();
    if matches!(problem, Some(Problem::Refused)) {
        rejects.push(t.t("tax-submit-refused"));
    }
    let (amounts, balance) = match &view.outcome {
        Some(o) => (
            outputs(t, &r, |n| o.get(n)),
            r.balance
                .as_deref()
                .map(|b| balance_words(t, o.get(b)))
                .unwrap_or_default(),
        ),
        None => (Vec::new(), String::new()),
    };
    let title = t.t_with("tax-submit-title", &[("year", year.to_string())]);
    let html = CheckPage {
        t,
        title: title.clone(),
        year,
        csrf: who.csrf(),
        key: uuid::Uuid::new_v4().to_string(),
        amounts,
        balance,
        rejects,
        declare_error: matches!(problem, Some(Problem::NotDeclared))
            .then(|| t.t("tax-submit-declare-missing")),
        alerts: alerts.into_iter().map(|h| rule_text(t, &r, h)).collect(),
        amendment: view.latest_version > 0,
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

/// Check your return before filing it (asks for the second factor first).
#[get("/my/tax/returns/{year}/submit")]
pub async fn check(who: Who2, tax: Data<Tax>, year: Path<i32>) -> Result<HttpResponse, PageError> {
    check_page(&who, &tax, year.into_inner(), None, StatusCode::OK).await
}

#[derive(Debug, Deserialize)]
pub struct SubmitForm {
    /// The idempotency key the check page made.
    key: String,
    /// The declaration's box.
    #[serde(default)]
    declare: Option<String>,
}

/// Files the return; the acknowledgement, or the check page again with what stops it.
#[post("/my/tax/returns/{year}/submit")]
pub async fn submit(
    who: Who2,
    form: CsrfForm<SubmitForm>,
    tax: Data<Tax>,
    year: Path<i32>,
) -> Result<HttpResponse, PageError> {
    let year = year.into_inner();
    let t = &who.page;
    let key = form.0.key.trim().to_owned();
    if key.is_empty() || key.len() > 64 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(t.bad_form());
    }
    if form.0.declare.as_deref() != Some("yes") {
        return check_page(
            &who,
            &tax,
            year,
            Some(Problem::NotDeclared),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let r = rules(&tax, t, year)?;
    let me = taxpayer(&tax, t, &who.principal)?;
    match taxpayers::submit_return(&tax, me, r, key, who.principal.subject.clone()).await {
        Ok((ack, _)) => Ok(see_other(&format!(
            "/my/tax/returns/{year}/versions/{}?sent=1",
            ack.version
        ))),
        Err(e)
            if e.code().code == crate::errors::RETURN_REJECTED.code
                || e.code().code == crate::errors::CONCURRENT_SUBMISSION.code =>
        {
            check_page(
                &who,
                &tax,
                year,
                Some(Problem::Refused),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(t.error(&e)),
    }
}

/// One version in the list.
#[derive(Debug)]
pub struct VersionRow {
    pub version: i32,
    pub kind: String,
    pub filed: String,
    pub balance: String,
    pub change: String,
}

#[derive(Template)]
#[template(path = "web/versions.html")]
struct VersionsPage<'a> {
    t: &'a Page,
    title: String,
    year: i32,
    rows: Vec<VersionRow>,
}

async fn acks(
    who: &Who,
    tax: &Tax,
    year: i32,
) -> Result<(std::sync::Arc<RuleSet>, Vec<Acknowledgement>), PageError> {
    let t = &who.page;
    let r = rules(tax, t, year)?;
    let me = taxpayer(tax, t, &who.principal)?;
    let rows = taxpayers::versions(tax, me, &r)
        .await
        .map_err(|e| t.error(&e))?;
    let acks = rows
        .iter()
        .map(|v| serde_json::from_str::<Acknowledgement>(&v.acknowledgement))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| internal(t, e))?;
    Ok((r, acks))
}

fn kind_word(t: &Page, kind: &str) -> String {
    t.t(&format!("tax-version-{kind}"))
}

/// Every version of my return filed for a year, newest first.
#[get("/my/tax/returns/{year}/versions")]
pub async fn versions(
    who: Who,
    tax: Data<Tax>,
    year: Path<i32>,
) -> Result<HttpResponse, PageError> {
    let year = year.into_inner();
    let (_, acks) = acks(&who, &tax, year).await?;
    let t = &who.page;
    let rows = acks
        .iter()
        .rev()
        .map(|a| VersionRow {
            version: a.version,
            kind: kind_word(t, &a.kind),
            filed: t.local_date(a.received_at),
            balance: t.money(a.balance),
            change: t.money(a.assessed_change),
        })
        .collect();
    let title = t.t_with("tax-versions-title", &[("year", year.to_string())]);
    let html = VersionsPage {
        t,
        title: title.clone(),
        year,
        rows,
    }
    .render()
    .map_err(|e| internal(t, e))?;
    Ok(in_my_tax(
        t,
        StatusCode::OK,
        &title,
        &[return_crumb(t, year)],
        &html,
    ))
}

#[derive(Template)]
#[template(path = "web/acknowledgement.html")]
struct AckPage<'a> {
    t: &'a Page,
    title: String,
    year: i32,
    just_sent: bool,
    submission: String,
    kind: String,
    received: String,
    amounts: Vec<(String, String)>,
    balance: String,
    reference: String,
    alerts: Vec<String>,
    status: String,
    signature: String,
}

#[derive(Debug, Deserialize)]
pub struct AckQuery {
    /// Shown right after filing: the confirmation panel.
    sent: Option<String>,
}

/// The acknowledgement of one version: what was filed, when, what it assessed, the payment
/// reference, and the tax office's signature over it.
#[get("/my/tax/returns/{year}/versions/{version}")]
pub async fn acknowledgement(
    who: Who,
    tax: Data<Tax>,
    path: Path<(i32, i32)>,
    query: actix_web::web::Query<AckQuery>,
) -> Result<HttpResponse, PageError> {
    let (year, version) = path.into_inner();
    let (r, acks) = acks(&who, &tax, year).await?;
    let t = &who.page;
    let a = acks
        .iter()
        .find(|a| a.version == version)
        .ok_or_else(|| t.not_found())?;
    let amounts = r
        .outputs
        .iter()
        .filter_map(|o| {
            let d = super::returns::decimal(a.amounts.get(o)?)?;
            Some((value_label(t, &r, o), t.money(d)))
        })
        .collect();
    let title = t.t_with(
        "tax-ack-title",
        &[("year", year.to_string()), ("version", version.to_string())],
    );
    let html = AckPage {
        t,
        title: title.clone(),
        year,
        just_sent: query.sent.is_some(),
        submission: a.submission_id.clone(),
        kind: kind_word(t, &a.kind),
        received: {
            let local = a
                .received_at
                .and_utc()
                .with_timezone(&t.web().pack().time_zone);
            format!("{} {}", t.date(local.date_naive()), local.format("%H:%M"))
        },
        amounts,
        balance: balance_words(t, a.balance),
        reference: a.payment_reference.clone(),
        alerts: a.alerts.iter().map(|h| rule_text(t, &r, h)).collect(),
        status: status_word(t, "submitted", version),
        signature: a.signature.chars().take(48).collect(),
    }
    .render()
    .map_err(|e| internal(t, e))?;
    Ok(in_my_tax(
        t,
        StatusCode::OK,
        &title,
        &[return_crumb(t, year)],
        &html,
    ))
}

//! Public verification of a tax certificate by its verification number.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use askama::Template;
use egov_web::{Page, PageError};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;

use crate::service::certificates;
use crate::{Tax, errors};

#[derive(Debug, Deserialize)]
pub struct VerifyQuery {
    /// The verification number, `0000-0000-0000-0000`.
    #[serde(default)]
    pub number: String,
}

/// The answer, in the page's language.
#[derive(Debug)]
pub struct Outcome {
    pub good: bool,
    pub headline: String,
    pub kind: String,
    /// What the certificate states, as label and value.
    pub lines: Vec<(String, String)>,
    pub issued: String,
    pub valid_until: String,
    pub signature: String,
}

#[derive(Template)]
#[template(path = "web/certificate_verify.html")]
struct VerifyPage<'a> {
    t: &'a Page,
    number: &'a str,
    error: Option<String>,
    result: Option<Outcome>,
}

fn text(doc: &Value, key: &str) -> Option<String> {
    match doc.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The form, and with a number the certificate's status and what it states.
#[get("/certificates/verify")]
pub async fn verify_page(
    page: Page,
    tax: web::Data<Tax>,
    query: web::Query<VerifyQuery>,
) -> Result<HttpResponse, PageError> {
    let number = query.number.trim();
    let title = page.t("tax-verify-title");
    let crumbs = [("/certificates/verify".to_owned(), title.clone())];
    let well_formed = number.len() == 19
        && number
            .split('-')
            .all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_digit()));
    let (status, error, result) = if number.is_empty() {
        (StatusCode::OK, None, None)
    } else if !well_formed {
        (
            StatusCode::BAD_REQUEST,
            Some(page.t("tax-verify-number-invalid")),
            None,
        )
    } else {
        match certificates::verify(&tax, number).await {
            Ok(v) => {
                let good = v.signature_valid && v.status == "valid";
                let headline = if v.signature_valid {
                    page.t(&format!("tax-verify-status-{}", v.status))
                } else {
                    page.t("tax-verify-not-authentic")
                };
                let zone = tax.0.packs.active().time_zone;
                let when = |t: chrono::NaiveDateTime| {
                    page.date(t.and_utc().with_timezone(&zone).date_naive())
                };
                let d = &v.document;
                let mut lines = Vec::new();
                for (key, label) in [
                    ("holder", "tax-label-holder"),
                    ("issuer", "tax-label-issuer"),
                ] {
                    if let Some(x) = text(d, key) {
                        lines.push((page.t(label), x));
                    }
                }
                if let Some(y) = text(d, "year") {
                    lines.push((page.t("tax-label-year"), y));
                }
                for (key, label) in [
                    ("income", "tax-label-income"),
                    ("tax_determined", "tax-label-determined"),
                ] {
                    if let Some(x) = text(d, key).and_then(|x| x.parse::<Decimal>().ok()) {
                        lines.push((page.t(label), page.money(x)));
                    }
                }
                if v.kind == "tax_clearance" {
                    lines.push((
                        page.t("tax-label-statement"),
                        page.t("tax-clearance-statement"),
                    ));
                }
                (
                    StatusCode::OK,
                    None,
                    Some(Outcome {
                        good,
                        headline,
                        kind: page.t(&format!("tax-kind-{}", v.kind)),
                        lines,
                        issued: when(v.issued_at),
                        valid_until: when(v.valid_until),
                        signature: if v.signature_valid {
                            page.t("tax-verify-signature-good")
                        } else {
                            page.t("tax-verify-signature-bad")
                        },
                    }),
                )
            }
            Err(e) if e.code().code == errors::CERTIFICATE_NOT_FOUND.code => (
                StatusCode::NOT_FOUND,
                Some(page.t("tax-verify-not-found")),
                None,
            ),
            Err(e) => return Err(page.error(&e)),
        }
    };
    let main = VerifyPage {
        t: &page,
        number,
        error,
        result,
    }
    .render()
    .map_err(|e| page.error(&egov_core::Error::internal(e)))?;
    Ok(page.rendered(status, &title, &crumbs, &main).response())
}

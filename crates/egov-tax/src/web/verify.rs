//! Public verification of a tax certificate by its verification number.

use actix_web::{HttpResponse, get, web};
use egov_web::check::{CheckPage, Found, Outcome};
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

const CHECK: CheckPage<'static> = CheckPage {
    action: "/certificates/verify",
    title: "tax-verify-title",
    lead: "tax-verify-lead",
    label: "tax-verify-number",
    hint: "tax-verify-number-hint",
    button: "tax-verify-button",
    max_length: 19,
};

fn text(doc: &Value, key: &str) -> Option<String> {
    match doc.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// What a certificate states, as label and value lines in the page's language: its kind, the
/// holder as printed, the issuer, the year, the amounts, the statement of a clearance.
pub(crate) fn document_lines(page: &Page, kind: &str, d: &Value) -> Vec<(String, String)> {
    let mut lines = vec![(
        page.t("tax-label-kind"),
        page.t(&format!("tax-kind-{kind}")),
    )];
    for (key, label) in [
        ("holder", "tax-label-holder"),
        ("issuer", "tax-label-issuer"),
        ("year", "tax-label-year"),
    ] {
        if let Some(x) = text(d, key) {
            lines.push((page.t(label), x));
        }
    }
    for (key, label) in [
        ("income", "tax-label-income"),
        ("tax_determined", "tax-label-determined"),
    ] {
        if let Some(x) = text(d, key).and_then(|x| x.parse::<Decimal>().ok()) {
            lines.push((page.t(label), page.money(x)));
        }
    }
    if kind == "tax_clearance" {
        lines.push((
            page.t("tax-label-statement"),
            page.t("tax-clearance-statement"),
        ));
    }
    lines
}

/// The form, and with a number the certificate's status and what it states.
#[get("/certificates/verify")]
pub async fn verify_page(
    page: Page,
    tax: web::Data<Tax>,
    query: web::Query<VerifyQuery>,
) -> Result<HttpResponse, PageError> {
    let number = query.number.trim();
    let well_formed = number.len() == 19
        && number
            .split('-')
            .all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_digit()));
    let outcome = if number.is_empty() {
        Outcome::Form
    } else if !well_formed {
        Outcome::Malformed(page.t("tax-verify-number-invalid"))
    } else {
        match certificates::verify(&tax, number).await {
            Ok(v) => {
                let zone = tax.0.packs.active().time_zone;
                let when = |t: chrono::NaiveDateTime| {
                    page.date(t.and_utc().with_timezone(&zone).date_naive())
                };
                let mut lines = document_lines(&page, &v.kind, &v.document);
                lines.push((page.t("tax-label-issued"), when(v.issued_at)));
                lines.push((page.t("tax-label-valid-until"), when(v.valid_until)));
                lines.push((
                    page.t("tax-label-signature"),
                    page.t(if v.signature_valid {
                        "tax-verify-signature-good"
                    } else {
                        "tax-verify-signature-bad"
                    }),
                ));
                Outcome::Found(Found {
                    good: v.signature_valid && v.status == "valid",
                    headline: if v.signature_valid {
                        page.t(&format!("tax-verify-status-{}", v.status))
                    } else {
                        page.t("tax-verify-not-authentic")
                    },
                    lines,
                })
            }
            Err(e) if e.code().code == errors::CERTIFICATE_NOT_FOUND.code => {
                Outcome::NotFound(page.t("tax-verify-not-found"))
            }
            Err(e) => return Err(page.error(&e)),
        }
    };
    CHECK.answer(&page, number, outcome)
}

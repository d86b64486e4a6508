//! Public verification of an issued document by its confirmation number (the number printed
//! on the document and in its QR code), without signing in.

use actix_web::{HttpRequest, HttpResponse, get, web};
use egov_web::check::{CheckPage, Found, Outcome};
use egov_web::{Page, PageError};
use serde::Deserialize;

use crate::service::documents;
use crate::{Petition, errors};

#[derive(Debug, Deserialize)]
pub struct VerifyQuery {
    /// The 12-digit confirmation number (spaces and dashes are ignored).
    #[serde(default)]
    pub number: String,
}

const CHECK: CheckPage<'static> = CheckPage {
    action: "/documents/verify",
    title: "verify-title",
    lead: "verify-page-lead",
    label: "verify-number",
    hint: "verify-number-hint",
    button: "verify-button",
    max_length: 20,
};

/// The form, and with a number the document's status: authentic or not, valid, expired or
/// revoked, and only what the document prints about its holder. Every check is logged.
#[get("/documents/verify")]
pub async fn verify_page(
    page: Page,
    p: web::Data<Petition>,
    query: web::Query<VerifyQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let number = query.number.trim();
    let outcome = if number.is_empty() {
        Outcome::Form
    } else if number.chars().filter(char::is_ascii_digit).count() != 12
        || number
            .chars()
            .any(|c| !(c.is_ascii_digit() || c == '-' || c == ' '))
    {
        Outcome::Malformed(page.t("verify-number-invalid"))
    } else {
        match documents::verify(&p, number).await {
            Ok(v) => {
                tracing::info!(
                    document = %v.number,
                    status = %v.status,
                    authentic = v.authentic,
                    source_ip = %crate::http::source_ip(&p, &req),
                    "document verified (page)"
                );
                let when = |t: chrono::NaiveDateTime| {
                    page.date(t.and_utc().with_timezone(&p.pack().time_zone).date_naive())
                };
                let mut lines = vec![
                    (page.t("label-document-title"), v.title),
                    (page.t("label-issuer"), v.issuer),
                    (page.t("label-holder"), v.holder),
                    (page.t("label-issued"), when(v.issued_at)),
                    (page.t("label-valid-until"), when(v.valid_until)),
                ];
                if let Some(r) = v.revoked_at {
                    lines.push((page.t("label-revoked"), when(r)));
                }
                lines.push((
                    page.t("label-signature"),
                    page.t(if v.authentic {
                        "verify-signature-good"
                    } else {
                        "verify-signature-bad"
                    }),
                ));
                lines.push((page.t("label-digest"), v.digest));
                Outcome::Found(Found {
                    good: v.authentic && v.status == "valid",
                    headline: if v.authentic {
                        page.t(&format!("verify-status-{}", v.status))
                    } else {
                        page.t("verify-not-authentic")
                    },
                    lines,
                })
            }
            Err(e) if e.code().code == errors::DOCUMENT_NOT_FOUND.code => {
                Outcome::NotFound(page.t("verify-not-found"))
            }
            Err(e) => return Err(page.error(&e)),
        }
    };
    CHECK.answer(&page, number, outcome)
}

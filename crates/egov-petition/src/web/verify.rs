//! Public verification of an issued document by its confirmation number (the number printed
//! on the document and in its QR code), without signing in.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use askama::Template;
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

/// The answer, in the page's language.
#[derive(Debug)]
pub struct Outcome {
    pub good: bool,
    pub headline: String,
    pub title: String,
    pub issuer: String,
    pub holder: String,
    pub issued: String,
    pub valid_until: String,
    pub revoked: Option<String>,
    pub signature: String,
    pub digest: String,
}

#[derive(Template)]
#[template(path = "web/verify.html")]
struct VerifyPage<'a> {
    t: &'a Page,
    number: &'a str,
    error: Option<String>,
    result: Option<Outcome>,
}

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
    let title = page.t("verify-title");
    let crumbs = [("/documents/verify".to_owned(), title.clone())];
    let (status, error, result) = if number.is_empty() {
        (StatusCode::OK, None, None)
    } else if number.chars().filter(char::is_ascii_digit).count() != 12
        || number
            .chars()
            .any(|c| !(c.is_ascii_digit() || c == '-' || c == ' '))
    {
        (
            StatusCode::BAD_REQUEST,
            Some(page.t("verify-number-invalid")),
            None,
        )
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
                let good = v.authentic && v.status == "valid";
                let headline = if !v.authentic {
                    page.t("verify-not-authentic")
                } else {
                    page.t(&format!("verify-status-{}", v.status))
                };
                let when = |t: chrono::NaiveDateTime| {
                    page.date(t.and_utc().with_timezone(&p.pack().time_zone).date_naive())
                };
                (
                    StatusCode::OK,
                    None,
                    Some(Outcome {
                        good,
                        headline,
                        title: v.title,
                        issuer: v.issuer,
                        holder: v.holder,
                        issued: when(v.issued_at),
                        valid_until: when(v.valid_until),
                        revoked: v.revoked_at.map(when),
                        signature: if v.authentic {
                            page.t("verify-signature-good")
                        } else {
                            page.t("verify-signature-bad")
                        },
                        digest: v.digest,
                    }),
                )
            }
            Err(e) if e.code().code == errors::DOCUMENT_NOT_FOUND.code => (
                StatusCode::NOT_FOUND,
                Some(page.t("verify-not-found")),
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

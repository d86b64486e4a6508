//! My certificates (Hometax's 증명발급): issue a tax payment certificate (납세증명서: no
//! overdue tax) or an income certificate (소득금액증명) for a filed year, see each one, download
//! it as PDF with a QR code of the public check page, and check it there.

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path, Query};
use actix_web::{HttpResponse, get, post};
use askama::Template;
use egov_core::Error;
use egov_web::{CsrfForm, Page, PageError, see_other};
use serde::Deserialize;
use serde_json::Value;

use super::verify::document_lines;
use super::{Who, Who2, in_my_tax, internal, taxpayer};
use crate::Tax;
use crate::service::taxpayers;
use crate::store::CertificateRow;

/// One certificate in the list.
#[derive(Debug)]
pub struct Row {
    pub number: String,
    pub kind: String,
    pub issued: String,
    pub valid_until: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "web/certificates.html")]
struct ListPage<'a> {
    t: &'a Page,
    title: String,
    csrf: &'a str,
    rows: Vec<Row>,
    years: Vec<i32>,
    kind: String,
    year: String,
    errors: Vec<(String, String)>,
}

/// A certificate's standing today.
fn status(t: &Page, tax: &Tax, c: &CertificateRow) -> String {
    if c.revoked_at.is_some() {
        t.t("tax-certificate-revoked")
    } else if c.valid_until < tax.now() {
        t.t("tax-certificate-expired")
    } else {
        t.t("tax-certificate-valid")
    }
}

#[allow(clippy::too_many_arguments)]
async fn list_page(
    t: &Page,
    principal: &egov_auth::Principal,
    csrf: &str,
    tax: &Tax,
    kind: &str,
    year: &str,
    errors: Vec<(String, String)>,
    status_code: StatusCode,
) -> Result<HttpResponse, PageError> {
    let me = taxpayer(tax, t, principal)?;
    let rows = taxpayers::certificates(tax, me)
        .await
        .map_err(|e| t.error(&e))?
        .iter()
        .map(|c| Row {
            number: c.number.clone(),
            kind: t.t(&format!("tax-kind-{}", c.kind)),
            issued: t.local_date(c.issued_at),
            valid_until: t.local_date(c.valid_until),
            status: status(t, tax, c),
        })
        .collect();
    let mut years = tax.years();
    years.sort_unstable_by(|a, b| b.cmp(a));
    let title = t.t("tax-certificates-title");
    let html = ListPage {
        t,
        title: title.clone(),
        csrf,
        rows,
        years,
        kind: kind.to_owned(),
        year: year.to_owned(),
        errors,
    }
    .render()
    .map_err(|e| internal(t, e))?;
    Ok(in_my_tax(t, status_code, &title, &[], &html))
}

/// My certificates, and the form to ask for one.
#[get("/my/tax/certificates")]
pub async fn list(who: Who, tax: Data<Tax>) -> Result<HttpResponse, PageError> {
    list_page(
        &who.page,
        &who.principal,
        who.csrf(),
        &tax,
        "tax_clearance",
        "",
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct IssueForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    year: String,
}

/// Issues a certificate (with a second factor); the list again with what stops it (tax
/// overdue, no return filed for the year).
#[post("/my/tax/certificates")]
pub async fn issue(
    who: Who2,
    form: CsrfForm<IssueForm>,
    tax: Data<Tax>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let IssueForm { kind, year } = form.0;
    let again = |errors: Vec<(String, String)>, status| {
        list_page(
            t,
            &who.principal,
            who.csrf(),
            &tax,
            &kind,
            &year,
            errors,
            status,
        )
    };
    if kind != "tax_clearance" && kind != "income" {
        return again(
            vec![(
                "#kind-tax_clearance".into(),
                t.t("tax-certificate-error-kind"),
            )],
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let year_n = if kind == "income" {
        match year.parse::<i32>().ok().filter(|y| tax.rules(*y).is_some()) {
            Some(y) => Some(y),
            None => {
                return again(
                    vec![("#year".into(), t.t("tax-certificate-error-year"))],
                    StatusCode::BAD_REQUEST,
                )
                .await;
            }
        }
    } else {
        None
    };
    let me = taxpayer(&tax, t, &who.principal)?;
    match taxpayers::request_certificate(&tax, me, &kind, year_n).await {
        Ok(row) => Ok(see_other(&format!(
            "/my/tax/certificates/{}?issued=1",
            row.number
        ))),
        Err(e) if e.code().code == crate::errors::ARREARS.code => {
            again(
                vec![(
                    "#kind-tax_clearance".into(),
                    t.t("tax-certificate-error-arrears"),
                )],
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) if e.code().code == crate::errors::NOT_FILED.code => {
            again(
                vec![("#year".into(), t.t("tax-certificate-error-not-filed"))],
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(t.error(&e)),
    }
}

#[derive(Template)]
#[template(path = "web/certificate.html")]
struct ShowPage<'a> {
    t: &'a Page,
    title: String,
    number: String,
    issued_now: bool,
    status: String,
    lines: Vec<(String, String)>,
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    issued: Option<String>,
}

async fn mine(who: &Who, tax: &Tax, number: &str) -> Result<(CertificateRow, Value), PageError> {
    let t = &who.page;
    let well_formed = number.len() == 19
        && number
            .split('-')
            .all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_digit()));
    if !well_formed {
        return Err(t.not_found());
    }
    let me = taxpayer(tax, t, &who.principal)?;
    let row = taxpayers::own_certificate(tax, me, number.to_owned())
        .await
        .map_err(|e| t.error(&e))?;
    let doc = serde_json::from_str(&row.document).map_err(|e| internal(t, e))?;
    Ok((row, doc))
}

/// What a certificate states, with its dates.
fn lines(t: &Page, row: &CertificateRow, doc: &Value) -> Vec<(String, String)> {
    let mut lines = document_lines(t, &row.kind, doc);
    lines.push((t.t("tax-label-issued"), t.local_date(row.issued_at)));
    lines.push((t.t("tax-label-valid-until"), t.local_date(row.valid_until)));
    lines
}

/// One of my certificates: what it states, its standing, the PDF and where it is checked.
#[get("/my/tax/certificates/{number}")]
pub async fn show(
    who: Who,
    tax: Data<Tax>,
    number: Path<String>,
    query: Query<ShowQuery>,
) -> Result<HttpResponse, PageError> {
    let (row, doc) = mine(&who, &tax, &number).await?;
    let t = &who.page;
    let title = t.t(&format!("tax-kind-{}", row.kind));
    let html = ShowPage {
        t,
        title: title.clone(),
        number: row.number.clone(),
        issued_now: query.issued.is_some(),
        status: status(t, &tax, &row),
        lines: lines(t, &row, &doc),
    }
    .render()
    .map_err(|e| internal(t, e))?;
    Ok(in_my_tax(
        t,
        StatusCode::OK,
        &title,
        &[("/my/tax/certificates".into(), t.t("tax-certificates-title"))],
        &html,
    ))
}

/// The certificate as PDF (A4) with a QR code of its public check page.
#[get("/my/tax/certificates/{number}/pdf")]
pub async fn pdf(
    who: Who,
    tax: Data<Tax>,
    number: Path<String>,
) -> Result<HttpResponse, PageError> {
    let (row, doc) = mine(&who, &tax, &number).await?;
    let t = &who.page;
    let digest = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(row.document.as_bytes()))
    };
    let printable = egov_pdf::Printable {
        issuer: doc
            .get("issuer")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        title: t.t(&format!("tax-kind-{}", row.kind)),
        lines: lines(t, &row, &doc),
        verify_url: format!(
            "{}/certificates/verify?number={}",
            tax.0.public_url, row.number
        ),
        number: format!("{} {}", t.t("tax-verify-number"), row.number),
        digest,
    };
    let fonts = tax.0.config.pdf_fonts.clone();
    let pack = tax.0.packs.active();
    let needs = egov_pdf::needs(&pack.languages, &pack.currency_symbol);
    let pdf = actix_web::web::block(move || egov_pdf::render(&printable, &fonts, &needs))
        .await
        .map_err(|e| internal(t, e))?
        .map_err(|why| t.error(&Error::internal(anyhow::anyhow!("[tax] pdf_fonts: {why}"))))?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            "content-disposition",
            format!("attachment; filename=\"{}.pdf\"", row.number),
        ))
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header(("cache-control", "no-store"))
        .body(pdf))
}

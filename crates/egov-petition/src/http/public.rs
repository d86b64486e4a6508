//! Public petition routes: the catalogue, agencies, keys and document verification.

use super::source_ip;
use crate::domain::catalogue::{Agency, Service};
use crate::service::documents;
use crate::service::views::ServiceSummary;
use crate::{Petition, errors};
use actix_web::{HttpRequest, get, web};
use chrono::NaiveDateTime;
use egov_core::Error;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// The service catalogue of the active country pack.
#[utoipa::path(tag = "petition", responses(
        (status = 200, body = Vec<ServiceSummary>),
    ), security(()))]
#[get("/services")]
pub async fn list_services(p: web::Data<Petition>) -> web::Json<Vec<ServiceSummary>> {
    let currency = p.pack().currency.code().to_owned();
    web::Json(
        p.catalogue()
            .services
            .values()
            .map(|s| ServiceSummary {
                id: s.id.clone(),
                kind: s.kind,
                names: s.names.clone(),
                agency: s.agency.clone(),
                fee: s.fee,
                currency: currency.clone(),
                period: s.period,
                issues_document: s.issues_document,
                open311: s.open311,
            })
            .collect(),
    )
}

egov_core::problems!(ShowServiceErrors:
    crate::errors::SERVICE_NOT_FOUND,
);

/// One service: its form (typed fields), required evidence (and, for evidence the exchange
/// can provide, the consent to give), fee, agency, statutory period and legal basis.
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Service id")),
    responses(
        (status = 200, body = Service),
        ShowServiceErrors,
    ),
    security(()),
)]
#[get("/services/{id}")]
pub async fn show_service(
    p: web::Data<Petition>,
    id: web::Path<String>,
) -> Result<web::Json<Service>, Error> {
    p.catalogue()
        .services
        .get(id.as_str())
        .cloned()
        .map(web::Json)
        .ok_or_else(|| Error::new(errors::SERVICE_NOT_FOUND))
}

/// The agencies of the country pack.
#[utoipa::path(tag = "petition", responses((status = 200, body = Vec<Agency>)), security(()))]
#[get("/agencies")]
pub async fn list_agencies(p: web::Data<Petition>) -> web::Json<Vec<Agency>> {
    web::Json(p.catalogue().agencies.values().cloned().collect())
}

/// The agencies' public signing keys (JWK set): check an issued document offline.
#[utoipa::path(tag = "petition", responses((status = 200, body = egov_core::jwk::JwkSet)), security(()))]
#[get("/keys")]
pub async fn keys(p: web::Data<Petition>) -> Result<web::Json<egov_core::jwk::JwkSet>, Error> {
    let rows = documents::keys(&p).await?;
    Ok(web::Json(egov_core::jwk::JwkSet {
        keys: rows
            .into_iter()
            .map(|k| egov_core::jwk::Jwk::ed25519(k.kid, k.public_key).for_agency(k.agency))
            .collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DocumentVerification)]
pub struct Verification {
    pub number: String,
    /// `valid`, `expired` or `revoked`.
    pub status: String,
    /// The signature checks against the issuing agency's key.
    pub authentic: bool,
    /// SHA-256 of the canonical document: compare with the QR code's.
    pub digest: String,
    pub title: String,
    pub issuer: String,
    /// The holder as printed on the document (masked).
    pub holder: String,
    pub issued_at: NaiveDateTime,
    pub valid_until: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

egov_core::problems!(VerifyDocumentErrors:
    crate::errors::DOCUMENT_NOT_FOUND,
);

/// Verifies an issued document by its confirmation number, without signing in: whether it
/// is authentic and still valid, and only what the document itself shows about its holder.
/// Every verification is logged.
#[utoipa::path(
    tag = "petition",
    params(("number" = String, Path, description = "Document-confirmation number")),
    responses(
        (status = 200, body = Verification),
        VerifyDocumentErrors,
    ),
    security(()),
)]
#[get("/{number}")]
pub async fn verify_document(
    p: web::Data<Petition>,
    number: web::Path<String>,
    req: HttpRequest,
) -> Result<web::Json<Verification>, Error> {
    let number: String = number.chars().filter(char::is_ascii_digit).collect();
    if number.len() != 12 {
        return Err(Error::new(errors::DOCUMENT_NOT_FOUND));
    }
    let n = number.clone();
    let (row, key_rows) = documents::with_keys(&p, n).await?;
    let now = p.now();
    let row = row
        .filter(|d| d.verifiable_until > now)
        .ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))?;
    let doc: Value = serde_json::from_str(&row.document).unwrap_or(Value::Null);
    let authentic = p.verify(&key_rows, &doc, &row.signature);
    let status = if row.revoked_at.is_some() {
        "revoked"
    } else if row.valid_until <= now {
        "expired"
    } else {
        "valid"
    };
    tracing::info!(
        document = %number,
        status,
        authentic,
        source_ip = %source_ip(&p, &req),
        "document verified"
    );
    let s = |k: &str| {
        doc.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    Ok(web::Json(Verification {
        number: row.number,
        status: status.into(),
        authentic,
        digest: row.digest,
        title: s("title"),
        issuer: s("issuer"),
        holder: s("holder"),
        issued_at: row.issued_at,
        valid_until: row.valid_until,
        revoked_at: row.revoked_at,
    }))
}

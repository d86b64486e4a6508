//! Public petition routes: the catalogue, agencies, keys and document verification.

use super::source_ip;
use crate::domain::catalogue::{Agency, Service};
use crate::service::documents;
use crate::service::views::ServiceSummary;
use crate::{Petition, errors};
use actix_web::{HttpRequest, get, web};
use egov_core::Error;

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

pub use crate::service::documents::Verification;

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
    let v = documents::verify(&p, &number).await?;
    tracing::info!(
        document = %v.number,
        status = %v.status,
        authentic = v.authentic,
        source_ip = %source_ip(&p, &req),
        "document verified"
    );
    Ok(web::Json(v))
}

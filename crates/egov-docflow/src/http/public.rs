//! Public docflow routes: rules, keys and records-package verification.

use crate::Docflow;
use crate::domain::evidence::{self};
use crate::domain::rules::Rules;
use crate::service;
use actix_web::{HttpResponse, get, post, web};
use egov_core::Error;
use serde_json::Value;

egov_core::problems!(GetRulesErrors:
    crate::errors::NOT_CONFIGURED,
);

/// The country pack's document rules: ranks, document types, retention and disclosure
/// classes, the default delegation table, acting-approval chain limit, post-hoc approval.
#[utoipa::path(tag = "docflow", responses(
        (status = 200, description = "The rules", body = Rules),
        GetRulesErrors,
    ), security(()))]
#[get("/rules")]
pub async fn get_rules(d: web::Data<Docflow>) -> Result<web::Json<Rules>, Error> {
    Ok(web::Json(d.rules()?.clone()))
}

/// The module's public keys: they verify approval signatures, records packages and disposal
/// certificates.
#[utoipa::path(tag = "docflow", responses((status = 200, description = "Keys", body = service::Keys)), security(()))]
#[get("/keys")]
pub async fn public_keys(d: web::Data<Docflow>) -> Result<HttpResponse, Error> {
    let keys = service::signing_keys(&d).await?;
    Ok(HttpResponse::Ok().json(service::Keys {
        keys: keys
            .into_iter()
            .map(|k| service::KeyView {
                kid: k.kid,
                alg: "EdDSA",
                public_key: k.public_key,
                created_at: k.created_at.and_utc(),
            })
            .collect(),
    }))
}

egov_core::problems!(VerifyPackageErrors:
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Verifies a records package (the same check as `egov docflow verify-package FILE`, which
/// needs no server): package signature, versions, approval signatures, history chain. The
/// keys checked against are this deployment's published keys.
#[utoipa::path(tag = "docflow", request_body(content = Object, description = "A records package (`RecordsPackage`, as exported): any JSON object is checked and the report says what does not verify"),
    responses(
        (status = 200, description = "The verification report", body = evidence::Report),
        VerifyPackageErrors,
    ),
    security(()))]
#[post("/packages/verify")]
pub async fn verify_package(
    d: web::Data<Docflow>,
    body: web::Json<Value>,
) -> Result<HttpResponse, Error> {
    if !body.is_object() {
        return Err(Error::invalid_field(
            "",
            "a records package (a JSON object)",
        ));
    }
    let keys = service::keys(&d).await?;
    let trusted: Vec<(String, String)> = keys.into_iter().map(|k| (k.kid, k.public_key)).collect();
    Ok(HttpResponse::Ok().json(evidence::verify_package(&body, Some(&trusted))))
}

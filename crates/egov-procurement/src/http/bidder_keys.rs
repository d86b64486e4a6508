//! Bid signing keys: a supplier registers the Ed25519 public keys that sign its sealed bids
//! (the private keys stay on the bidder's machine: in the browser, or in a key file).

use super::{Supplier, fail, field, supplier_id, uuid_ok};
use crate::domain::envelope;
use crate::service;
use crate::store::BidderKeyRow;
use crate::{Procurement, errors};
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use egov_auth::Authorized;
use egov_core::Error;
use egov_core::text::free_text as text_ok;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BidderKeyInput {
    /// A name to recognise the key by (e.g. the person and the machine): 1 to 100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub label: String,
    /// The Ed25519 public key, 32 bytes in base64 (Web Crypto's `raw` export).
    #[schema(min_length = 44, max_length = 44)]
    pub public_key: String,
}

/// A bid signing key.
#[derive(Debug, Serialize, ToSchema)]
pub struct BidderKeyView {
    pub id: String,
    pub label: String,
    /// base64, 32 bytes.
    pub public_key: String,
    /// The account that registered it.
    pub registered_by: String,
    pub created_at: DateTime<Utc>,
    /// Set once revoked: the key signs no new bid.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<BidderKeyRow> for BidderKeyView {
    fn from(k: BidderKeyRow) -> Self {
        Self {
            id: k.id,
            label: k.label,
            public_key: k.public_key,
            registered_by: k.account,
            created_at: k.created_at.and_utc(),
            revoked_at: k.revoked_at.map(|t| t.and_utc()),
        }
    }
}

/// The supplier's bid signing keys.
#[derive(Debug, Serialize, ToSchema)]
pub struct BidderKeys {
    pub keys: Vec<BidderKeyView>,
}

egov_core::problems!(RegisterKeyErrors:
    crate::errors::NOT_A_SUPPLIER,
    crate::errors::NOT_REGISTERED,
    egov_core::error::codes::VALIDATION_FAILED,
    egov_core::error::codes::CONFLICT,
);

/// The checks of a new key; the row to store.
pub(crate) fn new_key(
    p: &Procurement,
    business: &str,
    account: &str,
    input: BidderKeyInput,
) -> Result<BidderKeyRow, Error> {
    let mut errs = Vec::new();
    if !text_ok(&input.label, 1, 100) || input.label.contains('\n') {
        errs.push(field("/label", "1 to 100 characters on one line"));
    }
    if envelope::bidder_key(&input.public_key).is_err() {
        errs.push(field(
            "/public_key",
            "an Ed25519 public key: 32 bytes in base64",
        ));
    }
    fail(errs)?;
    Ok(BidderKeyRow {
        id: uuid::Uuid::now_v7().to_string(),
        business_id: business.to_owned(),
        account: account.to_owned(),
        label: input.label.trim().to_owned(),
        public_key: input.public_key,
        created_at: p.now(),
        revoked_at: None,
    })
}

/// Registers a key that will sign the supplier's sealed bids. The same public key cannot be
/// registered twice (409).
#[utoipa::path(
    tag = "procurement",
    request_body = BidderKeyInput,
    responses(
        (status = 201, description = "The key", body = BidderKeyView),
        RegisterKeyErrors,
    ),
    security(("bearer" = ["kind:business", "aal:2"])),
)]
#[post("/suppliers/me/keys")]
pub async fn register_key(
    auth: Authorized<Supplier>,
    p: web::Data<Procurement>,
    input: web::Json<BidderKeyInput>,
) -> Result<HttpResponse, Error> {
    let business = supplier_id(&p, &auth)?;
    let row = new_key(&p, &business, &auth.subject, input.into_inner())?;
    service::register_bidder_key(&p, row.clone()).await?;
    Ok(HttpResponse::Created().json(BidderKeyView::from(row)))
}

egov_core::problems!(ListKeysErrors:
    crate::errors::NOT_A_SUPPLIER,
);

/// The supplier's bid signing keys, newest first (revoked ones too).
#[utoipa::path(
    tag = "procurement",
    responses(
        (status = 200, description = "The keys", body = BidderKeys),
        ListKeysErrors,
    ),
    security(("bearer" = ["kind:business", "aal:2"])),
)]
#[get("/suppliers/me/keys")]
pub async fn list_keys(
    auth: Authorized<Supplier>,
    p: web::Data<Procurement>,
) -> Result<HttpResponse, Error> {
    let business = supplier_id(&p, &auth)?;
    let keys = service::bidder_keys(&p, business).await?;
    Ok(HttpResponse::Ok().json(BidderKeys {
        keys: keys.into_iter().map(BidderKeyView::from).collect(),
    }))
}

egov_core::problems!(RevokeKeyErrors:
    crate::errors::NOT_A_SUPPLIER,
    crate::errors::BIDDER_KEY_NOT_FOUND,
);

/// Revokes a key: it signs no new bid; bids it signed before stay valid.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Key id")),
    responses(
        (status = 204, description = "Revoked"),
        RevokeKeyErrors,
    ),
    security(("bearer" = ["kind:business", "aal:2"])),
)]
#[post("/suppliers/me/keys/{id}/revoke")]
pub async fn revoke_key(
    auth: Authorized<Supplier>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let business = supplier_id(&p, &auth)?;
    uuid_ok(&id, errors::BIDDER_KEY_NOT_FOUND)?;
    service::revoke_bidder_key(&p, business, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

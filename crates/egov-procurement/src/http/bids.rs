//! Sealed bids: submit, list my bids, withdraw.

use super::{Supplier, fail, field, public_tender, supplier_id, uuid_ok};
use crate::domain::lifecycle::Action;
use crate::domain::{envelope, seal};
use crate::http::suppliers::eligibility_view;
use crate::http::suppliers::fetch_clearance;
use crate::service::{self, lots_of, status_of};
use crate::{Procurement, errors};
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use egov_auth::Authorized;
use egov_core::Error;
use egov_core::text::free_text as text_ok;
use egov_exchange::Exchange;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BidInput {
    /// The lot bid for.
    #[schema(min_length = 1, max_length = 64)]
    pub lot: String,
    /// The sealed envelope, base64: HPKE (RFC 9180: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
    /// AES-256-GCM, base mode) to the tender's `public_key`, with `info` =
    /// `egov procurement bid v1` and the associated data `egov-bid-v1\n{tender}\n{lot}\n{supplier}`;
    /// the encapsulated key (32 bytes) then the ciphertext. It holds the JSON contents (price,
    /// reserve-price picks, documents). See `docs/procurement/sealing.md`.
    #[schema(min_length = 64)]
    pub sealed: String,
    /// The supplier's registered bid signing key that signed the envelope.
    #[schema(format = "uuid")]
    pub key_id: String,
    /// Ed25519 signature (base64, 64 bytes) over
    /// `egov-bid-v1\n{tender}\n{lot}\n{supplier}\n{hex SHA-256 of the envelope}`.
    #[schema(min_length = 88, max_length = 88)]
    pub signature: String,
    /// A consent reference for the tax clearance, when no valid answer is on file.
    pub consent: Option<String>,
}

egov_core::problems!(SubmitBidErrors:
    crate::errors::DEBARRED,
    crate::errors::INELIGIBLE,
    crate::errors::NOT_A_SUPPLIER,
    crate::errors::TENDER_NOT_FOUND,
    crate::errors::ELIGIBILITY_MISSING,
    crate::errors::ELIGIBILITY_REFUSED,
    crate::errors::NOT_ACCEPTING_BIDS,
    crate::errors::NOT_REGISTERED,
    crate::errors::BIDDER_KEY_NOT_FOUND,
    crate::errors::SIGNATURE_INVALID,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::ELIGIBILITY_UNAVAILABLE,
    crate::errors::NOT_CONFIGURED,
);

/// Submits a bid the bidder sealed and signed. The server never sees the contents: it checks
/// the envelope's size, the bidder's signature with the supplier's registered key, the
/// supplier's eligibility (registration, debarment list, tax clearance through the exchange,
/// stored with the bid) and the deadline, stores the envelope and answers a receipt signed
/// by the module (bid id, server time, digest of the envelope). A later bid for the same lot
/// replaces the earlier one; only the last counts. The contents are checked at the opening.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    request_body = BidInput,
    responses(
        (status = 201, description = "The signed receipt", body = BidReceipt),
        SubmitBidErrors,
    ),
    security(("bearer" = ["kind:business", "aal:2"])),
)]
#[post("/tenders/{id}/bids")]
pub async fn submit_bid(
    auth: Authorized<Supplier>,
    p: web::Data<Procurement>,
    x: Option<web::Data<Exchange>>,
    id: web::Path<String>,
    input: web::Json<BidInput>,
) -> Result<HttpResponse, Error> {
    let supplier = supplier_id(&p, &auth)?;
    let receipt = seal_in(
        &p,
        x.as_ref().map(|d| d.get_ref()),
        &auth,
        supplier,
        id.into_inner(),
        input.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created().json(receipt))
}

/// The submission's use case, shared with the supplier's bid page.
pub(crate) async fn seal_in(
    p: &Procurement,
    x: Option<&Exchange>,
    auth: &egov_auth::Principal,
    supplier: String,
    tender: String,
    input: BidInput,
) -> Result<BidReceipt, Error> {
    p.rules()?;
    uuid_ok(&tender, errors::TENDER_NOT_FOUND)?;
    let now = p.now();
    // One connection for every read the checks need: the tender, the registration, the
    // debarment list and the attestation on file.
    let key_id = input.key_id.clone();
    let (row, standing, key) = service::bid_checks(p, supplier.clone(), tender, key_id).await?;
    let service::Standing {
        registration: reg,
        debarments,
        clearance,
    } = standing;
    let row = row
        .filter(|r| status_of(r).public())
        .ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))?;
    let mut errs = Vec::new();
    if !lots_of(&row).iter().any(|l| l.id == input.lot) {
        errs.push(field("/lot", "not a lot of this tender"));
    }
    let sealed = seal::unb64(&input.sealed).unwrap_or_default();
    if sealed.len() < envelope::ENC_LEN + envelope::TAG_LEN + 2 {
        errs.push(field("/sealed", "a sealed envelope in base64"));
    } else if sealed.len() > p.config().max_bid_bytes {
        errs.push(field(
            "/sealed",
            "larger than the configured bid size limit",
        ));
    }
    if uuid::Uuid::parse_str(&input.key_id).is_err() {
        errs.push(field("/key_id", "the id of one of your bid signing keys"));
    }
    if seal::unb64(&input.signature).is_none_or(|s| s.len() != 64) {
        errs.push(field(
            "/signature",
            "an Ed25519 signature: 64 bytes in base64",
        ));
    }
    if let Some(c) = &input.consent
        && !text_ok(c, 1, 100)
    {
        errs.push(field("/consent", "a consent reference"));
    }
    fail(errs)?;
    if !status_of(&row).permits(Action::Bid) {
        return Err(Error::with_detail(
            errors::NOT_ACCEPTING_BIDS,
            format!("the tender is {}", row.status),
        ));
    }
    // The key must be the supplier's and in use; the signature binds the envelope to this
    // tender, lot and supplier. Checked before the write transaction, so the tender's lock
    // is not held for it (a key revoked while the bid is in flight signed it while in use).
    let key = key
        .filter(|k| k.revoked_at.is_none())
        .ok_or_else(|| Error::new(errors::BIDDER_KEY_NOT_FOUND))?;
    envelope::verify(
        &key.public_key,
        &input.signature,
        &row.id,
        &input.lot,
        &supplier,
        &sealed,
    )
    .map_err(|e| Error::with_detail(errors::SIGNATURE_INVALID, e.to_string()))?;
    // Eligibility: registered, not debarred, tax clearance on file (or fetched now).
    let today = now.date();
    reg.ok_or_else(|| Error::new(errors::NOT_REGISTERED))?;
    if let Some(d) = debarments.iter().find(|d| d.active_on(today)) {
        return Err(Error::with_detail(
            errors::DEBARRED,
            format!(
                "debarred from {} ({}): {}",
                d.from_date, d.legal_basis, d.reason
            ),
        ));
    }
    let clearance = match clearance {
        Some(c) => c,
        None => match input.consent.as_deref() {
            Some(consent) => fetch_clearance(p, x, auth, &supplier, Some(consent)).await?,
            None => {
                return Err(Error::with_detail(
                    errors::ELIGIBILITY_MISSING,
                    "no tax clearance answer through the exchange is on file: check eligibility (POST /procurement/v1/suppliers/me/eligibility) or pass a consent with the bid",
                ));
            }
        },
    };
    if !clearance.eligible {
        return Err(Error::with_detail(
            errors::INELIGIBLE,
            format!(
                "the tax agency reports overdue tax as of {} (exchange message {})",
                clearance.answer, clearance.message_id
            ),
        ));
    }
    let eligibility = json!({
        "eligible": true,
        "checked_at": now.and_utc(),
        "debarment": "not on the debarment list",
        "tax_clearance": eligibility_view(&clearance),
    });
    let q = p.clone();
    let account = auth.subject.clone();
    let signed = service::BidderSignature {
        key,
        signature: input.signature,
    };
    let lot = input.lot;
    let (bid, receipt, signature) = p
        .db()
        .transaction(move |c| {
            service::accept_bid(
                &q,
                c,
                &row,
                &lot,
                &supplier,
                &account,
                &sealed,
                &signed,
                &eligibility,
            )
        })
        .await?;
    p.count("bid_sealed");
    Ok(BidReceipt {
        bid_id: bid.id,
        receipt,
        signature,
    })
}

/// The signed receipt of a sealed bid: it verifies offline with the module's published key.
#[derive(Debug, Serialize, ToSchema)]
pub struct BidReceipt {
    pub bid_id: String,
    /// Tender, lot, supplier, the sealed bid's digest and the time of receipt.
    #[schema(value_type = Object)]
    pub receipt: Value,
    /// The module key's signature over the receipt (canonical JSON).
    pub signature: String,
}

/// One of the supplier's own bids.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyBid {
    pub bid_id: String,
    pub lot: String,
    /// `active` (sealed; it counts), `replaced` (by a later bid for the lot), `withdrawn`, and
    /// after the opening `valid` or `rejected`.
    pub status: String,
    pub received_at: DateTime<Utc>,
    /// SHA-256 of the sealed bid.
    pub digest: String,
    #[schema(value_type = Object)]
    pub receipt: Value,
    /// The price, once opened.
    pub price: Option<String>,
    /// Why it was rejected at the opening.
    #[schema(value_type = Option<Object>)]
    pub rejection: Option<Value>,
}

/// The supplier's own bids on a tender.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyBids {
    pub bids: Vec<MyBid>,
}

egov_core::problems!(MyBidsErrors:
    crate::errors::NOT_A_SUPPLIER,
    crate::errors::TENDER_NOT_FOUND,
);

/// The supplier's own bids on a tender, with their receipts (contents stay sealed until the
/// opening, for the supplier too).
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    responses(
        (status = 200, description = "Bids with receipts", body = MyBids),
        MyBidsErrors,
    ),
    security(("bearer" = ["kind:business", "aal:2"])),
)]
#[get("/tenders/{id}/bids/mine")]
pub async fn my_bids(
    auth: Authorized<Supplier>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let supplier = supplier_id(&p, &auth)?;
    let row = public_tender(&p, &id).await?;
    let rows = service::bids_of(&p, row.id, supplier).await?;
    Ok(HttpResponse::Ok().json(MyBids {
        bids: rows
            .into_iter()
            .map(|b| MyBid {
                receipt: serde_json::from_str(&b.receipt).unwrap_or(Value::Null),
                rejection: b
                    .rejection
                    .as_deref()
                    .and_then(|r| serde_json::from_str(r).ok()),
                bid_id: b.id,
                lot: b.lot_id,
                status: b.status,
                received_at: b.received_at.and_utc(),
                digest: b.digest,
                price: b.price,
            })
            .collect(),
    }))
}

egov_core::problems!(WithdrawErrors:
    crate::errors::NOT_A_SUPPLIER,
    crate::errors::BID_NOT_FOUND,
    crate::errors::TENDER_NOT_FOUND,
    crate::errors::ILLEGAL_TRANSITION,
    crate::errors::NOT_ACCEPTING_BIDS,
);

/// Withdraws the supplier's bid before the deadline.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id"), ("bid" = String, Path, description = "Bid id")),
    responses(
        (status = 204, description = "Withdrawn"),
        WithdrawErrors,
    ),
    security(("bearer" = ["kind:business", "aal:2"])),
)]
#[post("/tenders/{id}/bids/{bid}/withdraw")]
pub async fn withdraw(
    auth: Authorized<Supplier>,
    p: web::Data<Procurement>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Error> {
    let supplier = supplier_id(&p, &auth)?;
    let (id, bid) = path.into_inner();
    uuid_ok(&bid, errors::BID_NOT_FOUND)?;
    let row = public_tender(&p, &id).await?;
    p.db()
        .transaction({
            let q = p.get_ref().clone();
            move |c| service::withdraw_bid(&q, c, &row.id, &bid, &supplier)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

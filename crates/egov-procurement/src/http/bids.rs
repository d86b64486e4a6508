//! Sealed bids: submit, list my bids, withdraw.

use super::{Supplier, fail, field, money_ok, public_tender, supplier_id, uuid_ok};
use crate::domain::lifecycle::Action;
use crate::domain::seal;
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
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentInput {
    /// 1 to 200 characters.
    pub title: String,
    /// e.g. `application/pdf`.
    pub media_type: String,
    /// The document, base64.
    pub content: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BidInput {
    /// The lot bid for.
    pub lot: String,
    /// The price in the pack's currency (a decimal string).
    #[schema(value_type = String)]
    pub price: Decimal,
    /// The reserve prices picked (indices from 0), when the procedure draws the estimated
    /// price by lottery: as many distinct numbers as the procedure says (2 in Korea).
    #[serde(default)]
    pub reserve_picks: Vec<u8>,
    /// Technical documents (at most 10), sealed with the price.
    #[serde(default)]
    pub documents: Vec<DocumentInput>,
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
    crate::errors::PROCEDURE_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::ELIGIBILITY_UNAVAILABLE,
    crate::errors::NOT_CONFIGURED,
);

/// Submits a sealed bid. The contents are encrypted to the tender's opening key before they
/// are stored; the answer is a receipt signed by the module (bid id, server time, digest of
/// the sealed contents) that the supplier keeps. A later bid for the same lot replaces the
/// earlier one; only the last counts. Eligibility (registration, debarment list, tax
/// clearance through the exchange) is checked first and stored with the bid.
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
    let rules = p.rules()?;
    let supplier = supplier_id(&p, &auth)?;
    let input = input.into_inner();
    uuid_ok(&id, errors::TENDER_NOT_FOUND)?;
    // One connection for every read the checks need: the tender, the registration, the
    // debarment list and the attestation on file.
    let now = p.now();
    let (row, standing) = service::bid_checks(&p, supplier.clone(), id.into_inner()).await?;
    let service::Standing {
        registration: reg,
        debarments,
        clearance,
    } = standing;
    let row = row
        .filter(|r| status_of(r).public())
        .ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))?;
    let procedure = rules
        .procedure(&row.procedure_id)
        .ok_or_else(|| Error::new(errors::PROCEDURE_NOT_FOUND))?;
    let mut errs = Vec::new();
    if !lots_of(&row).iter().any(|l| l.id == input.lot) {
        errs.push(field("/lot", "not a lot of this tender"));
    }
    if !money_ok(&p, input.price) {
        errs.push(field("/price", "a positive amount in the currency's units"));
    }
    match &procedure.lottery {
        Some(l) => {
            let mut s = input.reserve_picks.clone();
            s.sort_unstable();
            s.dedup();
            if s.len() != input.reserve_picks.len()
                || s.len() != usize::from(l.picks)
                || s.iter().any(|&i| i >= l.reserve_prices)
            {
                errs.push(field(
                    "/reserve_picks",
                    &format!(
                        "{} distinct numbers from 0 to {}",
                        l.picks,
                        l.reserve_prices - 1
                    ),
                ));
            }
        }
        None if !input.reserve_picks.is_empty() => {
            errs.push(field(
                "/reserve_picks",
                "this procedure has no reserve price lottery",
            ));
        }
        None => {}
    }
    let mut size = 0usize;
    let mut documents = Vec::new();
    if input.documents.len() > 10 {
        errs.push(field("/documents", "at most 10"));
    }
    for (i, d) in input.documents.iter().enumerate() {
        let bytes = seal::unb64(&d.content);
        if !text_ok(&d.title, 1, 200) || !text_ok(&d.media_type, 3, 100) || bytes.is_none() {
            errs.push(field(
                &format!("/documents/{i}"),
                "a title, a media type and base64 content",
            ));
            continue;
        }
        let bytes = bytes.unwrap_or_default();
        size += bytes.len();
        documents.push(json!({"title": d.title, "media_type": d.media_type,
            "sha256": egov_core::digest::sha256_hex(&bytes), "content": d.content}));
    }
    if size > p.config().max_bid_bytes {
        errs.push(field(
            "/documents",
            "larger than the configured bid size limit",
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
    // Eligibility: registered, not debarred, tax clearance on file (or fetched now).
    let today = p.now().date();
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
            Some(consent) => {
                fetch_clearance(
                    &p,
                    x.as_ref().map(|d| d.get_ref()),
                    &auth,
                    &supplier,
                    Some(consent),
                )
                .await?
            }
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
    let plain = serde_json::to_vec(&service::Sealed {
        tender: row.id.clone(),
        lot: input.lot.clone(),
        supplier: supplier.clone(),
        price: input.price.normalize().to_string(),
        reserve_picks: input.reserve_picks.clone(),
        documents,
        nonce: uuid::Uuid::new_v4().to_string(),
    })
    .map_err(Error::internal)?;
    let key = seal::public_key(row.public_key.as_deref().unwrap_or_default())
        .map_err(|e| Error::internal(anyhow::anyhow!("{e}")))?;
    let sealed = seal::seal(&key, &plain).map_err(|e| Error::internal(anyhow::anyhow!("{e}")))?;
    drop(plain);
    let q = p.clone();
    let account = auth.subject.clone();
    let lot = input.lot.clone();
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
                &eligibility,
            )
        })
        .await?;
    Ok(HttpResponse::Created().json(BidReceipt {
        bid_id: bid.id,
        receipt,
        signature,
    }))
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
    /// `sealed`, `withdrawn`, `replaced`, `valid` or `rejected`.
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

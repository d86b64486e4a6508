//! A supplier's bid on a tender (KONEPS's 투찰): the page seals the bid in the browser and the
//! server only ever receives the sealed envelope.
//!
//! With script, the page's form has the price, the reserve-price picks and the documents in
//! fields that have no `name`: they are never sent. `egov-bid.js` seals them (HPKE to the
//! tender's opening key, Web Crypto) and signs the envelope with the supplier's key kept in
//! this browser, then sends only `sealed`, `signature` and `key_id`. Without script the page
//! takes the file `egov procurement seal-bid --out` wrote. Either way the server checks and
//! answers as the API does (`seal_in`), and the page shows the signed receipt, which can be
//! downloaded. A bid can be replaced (bid again) or withdrawn until the deadline.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::web::{Data, Path, Query};
use actix_web::{HttpResponse, get, post};
use askama::Template;
use egov_core::Error;
use egov_exchange::Exchange;
use egov_web::{CsrfForm, Page, PageError, see_other};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::{Value, json};

use super::supplier::{Empty, consent_for_clearance, consent_text};
use super::{Who, buyer, internal, procedure_name, refusal, status_text};
use crate::domain::lifecycle::Action;
use crate::http::bids::{BidInput, seal_in};
use crate::http::{public_tender, supplier_id, view};
use crate::service::{self, status_of};
use crate::{Procurement, errors};

/// One of my bids on the tender.
#[derive(Debug)]
pub struct MyBidRow {
    pub id: String,
    /// The price, once opened; why it was rejected, if it was.
    pub opened: String,
    pub lot: String,
    pub received: String,
    pub digest: String,
    pub status: String,
    pub withdrawable: bool,
}

#[derive(Template)]
#[template(path = "web/bid.html")]
struct BidPage<'a> {
    t: &'a Page,
    title: String,
    csrf: &'a str,
    errors: Vec<(String, String)>,
    tender: String,
    facts: Vec<(String, String)>,
    registered: bool,
    open: bool,
    lots: Vec<(String, String)>,
    lot: String,
    picks: u8,
    reserve_prices: Vec<u8>,
    opening_key: String,
    supplier: String,
    keys: String,
    needs_consent: bool,
    consent_text: String,
    mine: Vec<MyBidRow>,
    sent: Option<MyBidRow>,
    contracts: Vec<(String, String)>,
    script: String,
}

#[derive(Debug, Deserialize)]
pub struct SentQuery {
    #[serde(default)]
    sent: String,
}

#[allow(clippy::too_many_arguments)]
async fn render(
    who: &Who,
    p: &Procurement,
    id: &str,
    lot: &str,
    sent: &str,
    errors: Vec<(String, String)>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let rules = p.rules().map_err(|e| t.error(&e))?;
    let supplier = supplier_id(p, &who.principal).map_err(|e| t.error(&e))?;
    if uuid::Uuid::parse_str(id).is_err() {
        return Err(t.not_found());
    }
    let row = public_tender(p, id).await.map_err(|e| t.error(&e))?;
    let open = status_of(&row).permits(Action::Bid);
    let v = view(p, row.clone()).await.map_err(|e| t.error(&e))?;
    let standing = service::standing(p, supplier.clone())
        .await
        .map_err(|e| t.error(&e))?;
    let keys: Vec<Value> = service::bidder_keys(p, supplier.clone())
        .await
        .map_err(|e| t.error(&e))?
        .into_iter()
        .filter(|k| k.revoked_at.is_none())
        .map(|k| json!({"id": k.id, "public_key": k.public_key}))
        .collect();
    let lottery = rules
        .procedure(&row.procedure_id)
        .and_then(|p| p.lottery.clone());
    let mine: Vec<MyBidRow> = service::bids_of(p, row.id.clone(), supplier.clone())
        .await
        .map_err(|e| t.error(&e))?
        .into_iter()
        .map(|b| MyBidRow {
            opened: match (&b.price, &b.rejection) {
                (_, Some(r)) => t.t_with(
                    "proc-bid-rejected-because",
                    &[("reasons", rejection_text(t, r))],
                ),
                (Some(price), None) => price
                    .parse::<rust_decimal::Decimal>()
                    .map_or_else(|_| price.clone(), |d| t.money(d)),
                _ => String::new(),
            },
            withdrawable: open && b.status == "active",
            status: t.t(&format!("proc-bid-{}", b.status)),
            received: t.local_time(b.received_at),
            digest: b.digest,
            lot: b.lot_id,
            id: b.id,
        })
        .collect();
    let sent = mine.iter().find(|b| b.id == sent).map(|b| MyBidRow {
        id: b.id.clone(),
        opened: b.opened.clone(),
        lot: b.lot.clone(),
        received: b.received.clone(),
        digest: b.digest.clone(),
        status: b.status.clone(),
        withdrawable: b.withdrawable,
    });
    let facts = vec![
        (t.t("proc-label-status"), status_text(t, v.status)),
        (t.t("proc-label-buyer"), buyer(t, rules, &v.agency)),
        (
            t.t("proc-label-procedure"),
            procedure_name(t, rules, &v.procedure),
        ),
        (
            t.t("proc-label-deadline"),
            t.local_time(v.deadline.naive_utc()),
        ),
        (t.t("proc-label-supplier"), supplier.clone()),
    ];
    let contracts = v
        .contracts
        .iter()
        .filter(|c| c.supplier == supplier)
        .map(|c| {
            let lot = v
                .awards
                .iter()
                .find(|a| a.id == c.award_id)
                .map(|a| a.lot.clone())
                .unwrap_or_default();
            (
                format!("/my/procurement/contracts/{}", c.id),
                t.t_with("proc-contract-link", &[("lot", lot)]),
            )
        })
        .collect();
    let title = t.t_with("proc-bid-title", &[("title", v.title.clone())]);
    let html = BidPage {
        t,
        title: title.clone(),
        csrf: who.csrf(),
        errors,
        tender: v.id.clone(),
        facts,
        registered: standing.registration.is_some(),
        open,
        lots: v
            .lots
            .iter()
            .map(|l| (l.id.clone(), format!("{} · {}", l.id, l.title)))
            .collect(),
        lot: lot.to_owned(),
        picks: lottery.as_ref().map_or(0, |l| l.picks),
        reserve_prices: lottery
            .as_ref()
            .map(|l| (1..=l.reserve_prices).collect())
            .unwrap_or_default(),
        opening_key: v.opening_key.clone().unwrap_or_default(),
        supplier,
        keys: Value::Array(keys).to_string(),
        needs_consent: standing
            .clearance
            .as_ref()
            .is_none_or(|c| c.valid_until <= p.now()),
        consent_text: consent_text(t, p),
        mine,
        sent,
        contracts,
        script: egov_web::assets::url("egov-bid.js"),
    }
    .render()
    .map_err(|e| internal(t, e))?;
    Ok(t.answer(
        status,
        &title,
        &[
            ("/tenders".to_owned(), t.t("proc-notices-title")),
            (format!("/tenders/{}", v.id), v.title.clone()),
        ],
        &html,
    ))
}

/// Why the opening rejected a bid: its stored reasons in the page's language, joined.
fn rejection_text(t: &Page, stored: &str) -> String {
    let v: Value = serde_json::from_str(stored).unwrap_or(Value::Null);
    let reasons: Vec<String> = match &v {
        Value::Array(a) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Value::Object(o) => o
            .get("reasons")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_else(|| vec![v.to_string()]),
        Value::String(s) => vec![s.clone()],
        _ => vec![stored.to_owned()],
    };
    reasons
        .iter()
        .map(|r| super::rejection_reason(t, r))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The bid page: the tender, my bids with their receipts, the form that seals a bid.
#[get("/tenders/{id}/bid")]
pub async fn page(
    who: Who,
    p: Data<Procurement>,
    id: Path<String>,
    q: Query<SentQuery>,
) -> Result<HttpResponse, PageError> {
    render(&who, &p, &id, "", &q.sent, Vec::new(), StatusCode::OK).await
}

/// What the bid form sent.
#[derive(Debug, Default)]
struct Sent {
    csrf_ok: bool,
    lot: String,
    sealed: String,
    key_id: String,
    signature: String,
    consent: bool,
    file: Vec<u8>,
}

/// Reads the form (the token first): small fields up to 256 bytes, the envelope and the
/// file up to the bid size limit (base64 and JSON around it).
async fn read_form(
    t: &Page,
    csrf: &str,
    limit: usize,
    mut parts: Multipart,
) -> Result<Sent, PageError> {
    let mut sent = Sent::default();
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(|_| t.bad_form())?;
        let name = part.name().unwrap_or_default().to_owned();
        let max = match name.as_str() {
            "csrf" | "lot" | "key_id" | "signature" | "consent" => 256,
            "sealed" | "bid_file" => limit,
            _ => return Err(t.bad_form()),
        };
        if name != "csrf" && !sent.csrf_ok {
            return Err(t.expired_form());
        }
        let mut value = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(|_| t.bad_form())?;
            if value.len() + chunk.len() > max {
                return Err(t.message(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    &t.t("proc-bid-too-large-title"),
                    &t.t("proc-bid-too-large"),
                ));
            }
            value.extend_from_slice(&chunk);
        }
        if name == "bid_file" {
            sent.file = value;
            continue;
        }
        let value = String::from_utf8(value).map_err(|_| t.bad_form())?;
        match name.as_str() {
            "csrf" => sent.csrf_ok = egov_auth::random::same(value.as_bytes(), csrf.as_bytes()),
            "lot" => sent.lot = value,
            "key_id" => sent.key_id = value,
            "signature" => sent.signature = value,
            "consent" => sent.consent = value == "yes",
            _ => sent.sealed = value,
        }
    }
    if !sent.csrf_ok {
        return Err(t.expired_form());
    }
    Ok(sent)
}

/// The anchor of the field a problem pointer names.
fn anchor(name: &str) -> String {
    match name {
        "lot" => "#lot".into(),
        "consent" => "#consent".into(),
        _ => "#price".into(),
    }
}

/// Receives a sealed bid: sealed by the page's script, or the file `seal-bid` wrote.
#[post("/tenders/{id}/bid")]
pub async fn submit(
    who: Who,
    p: Data<Procurement>,
    x: Option<Data<Exchange>>,
    id: Path<String>,
    parts: Multipart,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let supplier = supplier_id(&p, &who.principal).map_err(|e| t.error(&e))?;
    // base64 is 4/3 of the envelope; the JSON file adds its few small fields.
    let limit = p.config().max_bid_bytes / 3 * 4 + 4096;
    let sent = read_form(t, who.csrf(), limit, parts).await?;
    let mut input = BidInput {
        lot: sent.lot.clone(),
        sealed: sent.sealed,
        key_id: sent.key_id,
        signature: sent.signature,
        consent: None,
    };
    if !sent.file.is_empty() {
        // The file `egov procurement seal-bid --out` writes: {lot, sealed, key_id, signature}.
        let file: Option<Value> = serde_json::from_slice(&sent.file).ok();
        let s = |k: &str| file.as_ref().and_then(|f| f[k].as_str()).map(str::to_owned);
        match (s("lot"), s("sealed"), s("key_id"), s("signature")) {
            (Some(lot), Some(sealed), Some(key_id), Some(signature)) => {
                input.lot = lot;
                input.sealed = sealed;
                input.key_id = key_id;
                input.signature = signature;
            }
            _ => {
                let errors = vec![("#bid-file".to_owned(), t.t("proc-bid-file-bad"))];
                return render(
                    &who,
                    &p,
                    &id,
                    &input.lot,
                    "",
                    errors,
                    StatusCode::BAD_REQUEST,
                )
                .await;
            }
        }
    } else if input.sealed.is_empty() {
        // No script sealed the bid and no file came: nothing was sent in clear either.
        let errors = vec![("#bid-file".to_owned(), t.t("proc-bid-nothing-sealed"))];
        return render(
            &who,
            &p,
            &id,
            &input.lot,
            "",
            errors,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let x = x.as_ref().map(|d| d.get_ref());
    if sent.consent
        && let Some(x) = x
    {
        match consent_for_clearance(&p, x, &supplier).await {
            Ok(c) => input.consent = Some(c),
            Err(e) => {
                let (errors, status) = refusal(t, &e, "", |_| String::new(), "#consent")?;
                return render(&who, &p, &id, &input.lot, "", errors, status).await;
            }
        }
    }
    let tender = id.to_string();
    let lot = input.lot.clone();
    match seal_in(&p, x, &who.principal, supplier, tender.clone(), input).await {
        Ok(r) => Ok(see_other(&format!(
            "/tenders/{tender}/bid?sent={}#receipt",
            r.bid_id
        ))),
        Err(e) if e.code() == errors::TENDER_NOT_FOUND => Err(t.not_found()),
        Err(e) => {
            let (errors, status) =
                refusal(t, &e, "", |n| t.t(&format!("proc-bid-field-{n}")), "#price")?;
            let errors = errors
                .into_iter()
                .map(|(a, m)| (anchor(a.trim_start_matches('#')), m))
                .collect();
            render(&who, &p, &id, &lot, "", errors, status).await
        }
    }
}

/// The signed receipt of one of my bids, as a file: it verifies offline with the module's
/// published key (`/procurement/v1/keys`).
#[get("/tenders/{id}/bids/{bid}/receipt")]
pub async fn receipt(
    who: Who,
    p: Data<Procurement>,
    path: Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let (id, bid) = path.into_inner();
    let supplier = supplier_id(&p, &who.principal).map_err(|e| t.error(&e))?;
    if uuid::Uuid::parse_str(&id).is_err() || uuid::Uuid::parse_str(&bid).is_err() {
        return Err(t.not_found());
    }
    let row = public_tender(&p, &id).await.map_err(|e| t.error(&e))?;
    let b = service::bids_of(&p, row.id, supplier)
        .await
        .map_err(|e| t.error(&e))?
        .into_iter()
        .find(|b| b.id == bid)
        .ok_or_else(|| t.not_found())?;
    let stored: Value = serde_json::from_str(&b.receipt).unwrap_or(Value::Null);
    let body = json!({
        "bid_id": b.id,
        "receipt": stored["receipt"],
        "signature": stored["signature"],
        "verify_with": "/procurement/v1/keys",
    });
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"bid-receipt-{}.json\"", b.id),
        ))
        .body(serde_json::to_string_pretty(&body).unwrap_or_default()))
}

/// Withdraws one of my bids before the deadline.
#[post("/tenders/{id}/bids/{bid}/withdraw")]
pub async fn withdraw(
    who: Who,
    p: Data<Procurement>,
    path: Path<(String, String)>,
    _form: CsrfForm<Empty>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let (id, bid) = path.into_inner();
    let supplier = supplier_id(&p, &who.principal).map_err(|e| t.error(&e))?;
    if uuid::Uuid::parse_str(&id).is_err() || uuid::Uuid::parse_str(&bid).is_err() {
        return Err(t.not_found());
    }
    let row = public_tender(&p, &id).await.map_err(|e| t.error(&e))?;
    let tender = row.id.clone();
    let q = p.get_ref().clone();
    let done: Result<_, Error> = p
        .db()
        .transaction(move |c| service::withdraw_bid(&q, c, &row.id, &bid, &supplier))
        .await;
    match done {
        Ok(_) => Ok(see_other(&format!("/tenders/{tender}/bid#mine"))),
        Err(e) => {
            let (errors, status) = refusal(t, &e, "", |_| String::new(), "#mine")?;
            render(&who, &p, &tender, "", "", errors, status).await
        }
    }
}

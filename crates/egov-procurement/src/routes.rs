//! `/procurement/v1`: the public notices, Q&A, opening results and OCDS data; suppliers'
//! registration, eligibility, questions, sealed bids, complaints and contract signatures;
//! buying officers' tenders, amendments, answers, ranking, award and contracts; opening
//! committees' keys and shares; evaluators' signed scores; the review body's decisions; the
//! procurement agency's debarment list.

use actix_web::{HttpMessage as _, HttpRequest, HttpResponse, get, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use egov_auth::{AccessEntry, Authorized, Kind, Policy, Principal, Rule, SubjectKey};
use egov_core::Error;
use egov_core::error::FieldError;
use egov_exchange::Exchange;
use egov_exchange::client::{Call, CallError};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::lifecycle::Status;
use crate::rules::Rules;
use crate::service::{self, Changes, Lot, Party, list_of, lots_of, now_micros, status_of};
use crate::store::{self, TenderRow};
use crate::{Procurement, errors, ocds, seal};

/// A business account acting as a supplier, signed in with a second factor (bids bind the
/// firm: KONEPS requires a certificate and a fingerprint token).
#[derive(Debug)]
pub struct Supplier;
impl Policy for Supplier {
    const RULE: Rule = Rule::kinds(&[Kind::Business]).aal2();
}

/// A buying agency's procurement officer (second factor).
#[derive(Debug)]
pub struct Officer;
impl Policy for Officer {
    const RULE: Rule = Rule::kinds(&[Kind::Officer])
        .roles(&[crate::OFFICER_ROLE])
        .aal2();
}

/// A member of opening committees (second factor).
#[derive(Debug)]
pub struct Committee;
impl Policy for Committee {
    const RULE: Rule = Rule::kinds(&[Kind::Officer])
        .roles(&[crate::COMMITTEE_ROLE])
        .aal2();
}

/// An evaluator (second factor).
#[derive(Debug)]
pub struct Evaluator;
impl Policy for Evaluator {
    const RULE: Rule = Rule::kinds(&[Kind::Officer])
        .roles(&[crate::EVALUATOR_ROLE])
        .aal2();
}

/// Anyone who may read opened bids: the buying officer or an evaluator of the tender (the
/// role and the tender are checked by the route).
#[derive(Debug)]
pub struct Staff;
impl Policy for Staff {
    const RULE: Rule = Rule::kinds(&[Kind::Officer]).aal2();
}

/// The review body's officer (second factor).
#[derive(Debug)]
pub struct Reviewer;
impl Policy for Reviewer {
    const RULE: Rule = Rule::kinds(&[Kind::Officer])
        .roles(&[crate::REVIEWER_ROLE])
        .aal2();
}

pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(
        scope::scope("/procurement/v1")
            .service(get_rules)
            .service(keys)
            .service(list_tenders)
            .service(show_tender)
            .service(register_supplier)
            .service(my_supplier)
            .service(check_eligibility)
            .service(ask)
            .service(submit_bid)
            .service(my_bids)
            .service(withdraw)
            .service(complain)
            .service(create_tender)
            .service(edit_tender)
            .service(publish)
            .service(amend)
            .service(postpone)
            .service(resume)
            .service(cancel)
            .service(answer_question)
            .service(agency_tenders)
            .service(history)
            .service(opened_bids)
            .service(rank)
            .service(award)
            .service(register_committee_key)
            .service(my_share)
            .service(hand_in_share)
            .service(open)
            .service(score)
            .service(pending_complaints)
            .service(decide)
            .service(add_debarment)
            .service(lift_debarment)
            .service(list_debarments)
            .service(show_contract)
            .service(sign_contract)
            .service(amend_contract)
            .service(ocds_releases)
            .service(ocds_record)
            .service(ocds_bulk),
    );
}

// ------------------------------------------------------------------ helpers

const NOT_FOUND: &str = "application/problem+json";

use egov_core::text::free_text as text_ok;

fn field(pointer: &str, msg: &str) -> FieldError {
    FieldError {
        pointer: pointer.into(),
        detail: msg.into(),
    }
}

fn fail(errors: Vec<FieldError>) -> Result<(), Error> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::validation(errors))
    }
}

fn reason_ok(pointer: &str, s: &str) -> Result<(), Error> {
    egov_core::text::reason(pointer, s)
}

fn purpose_ok(s: &str) -> Result<(), Error> {
    egov_core::text::purpose(s, "the bids")
}

fn uuid_ok(id: &str, code: egov_core::ErrorCode) -> Result<(), Error> {
    uuid::Uuid::parse_str(id)
        .map(|_| ())
        .map_err(|_| Error::new(code))
}

/// The supplier's canonical business number.
fn supplier_id(p: &Procurement, who: &Principal) -> Result<String, Error> {
    who.business
        .as_deref()
        .and_then(|b| p.pack().parse_business_id(b).ok())
        .map(|b| b.canonical().to_owned())
        .ok_or_else(|| Error::new(errors::NOT_A_SUPPLIER))
}

async fn tender(p: &Procurement, id: &str) -> Result<TenderRow, Error> {
    uuid_ok(id, errors::TENDER_NOT_FOUND)?;
    let i = id.to_owned();
    p.db()
        .run(move |c| store::tender(c, &i))
        .await?
        .ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))
}

/// A published tender (drafts are nobody's business but their agency's).
async fn public_tender(p: &Procurement, id: &str) -> Result<TenderRow, Error> {
    let row = tender(p, id).await?;
    if status_of(&row).public() {
        Ok(row)
    } else {
        Err(Error::new(errors::TENDER_NOT_FOUND))
    }
}

/// A tender of the officer's own agency.
async fn agency_tender(p: &Procurement, who: &Principal, id: &str) -> Result<TenderRow, Error> {
    let row = tender(p, id).await?;
    if who.agency.as_deref() == Some(row.agency.as_str()) {
        Ok(row)
    } else {
        Err(Error::new(errors::TENDER_NOT_FOUND))
    }
}

fn source_ip(p: &Procurement, req: &HttpRequest) -> String {
    egov_core::request::source_ip(req, &p.0.trusted)
}

/// Records an access to a supplier's bid contents (fails closed: no log, no data).
async fn access(
    p: &Procurement,
    req: &HttpRequest,
    who: &Principal,
    supplier: &str,
    record: &str,
    purpose: &str,
) -> Result<(), Error> {
    let request_id = req
        .extensions()
        .get::<egov_core::request::RequestId>()
        .map(|r| r.0.clone());
    egov_auth::record(
        p.db(),
        AccessEntry {
            actor: who.subject.clone(),
            source_ip: source_ip(p, req),
            subject: SubjectKey::from_stored(egov_core::exchange::business_subject(supplier)),
            action: egov_auth::Action::View,
            purpose: purpose.into(),
            module: crate::NAME.into(),
            record_ref: Some(record.to_owned()),
            request_id,
        },
    )
    .await
    .map(|_| ())
}

fn money_ok(p: &Procurement, d: Decimal) -> bool {
    let minor = u32::from(p.pack().currency.minor_units());
    d > Decimal::ZERO && crate::lottery::to_minor(d, minor).is_some()
}

/// The public view of a tender: what is public at its stage.
async fn view(p: &Procurement, row: TenderRow) -> Result<Value, Error> {
    let id = row.id.clone();
    let (amendments, questions, awards, contracts) = p
        .db()
        .run(move |c| {
            Ok((
                store::amendments(c, &id)?,
                store::questions(c, &id)?,
                store::awards(c, &id)?,
                store::contracts(c, &id)?,
            ))
        })
        .await?;
    let status = status_of(&row);
    let mut v = json!({
        "id": row.id,
        "ocid": row.ocid,
        "agency": row.agency,
        "procedure": row.procedure_id,
        "category": row.category,
        "title": row.title,
        "description": row.description,
        "status": status,
        "lots": lots_of(&row),
        "currency": p.pack().currency.code(),
        "enquiry_end": row.enquiry_end.and_utc(),
        "deadline": row.deadline.and_utc(),
        "opening_at": row.opening_at.and_utc(),
        "published_at": row.published_at.map(|t| t.and_utc()),
        "opening_key": row.public_key,
        "committee": {"k": row.k, "n": row.n},
        "seed_commitment": row.seed_commitment,
        "amendments": amendments.iter().map(|a| json!({
            "number": a.number, "at": a.at.and_utc(), "reason": a.reason,
            "changes": serde_json::from_str::<Value>(&a.changes).unwrap_or(Value::Null),
        })).collect::<Vec<_>>(),
        "questions": questions.iter().map(|q| json!({
            "id": q.id, "question": q.question, "asked_at": q.asked_at.and_utc(),
            "answer": q.answer, "answered_at": q.answered_at.map(|t| t.and_utc()),
        })).collect::<Vec<_>>(),
    });
    if let Some(n) = row.bid_count {
        v["bid_count"] = json!(n);
        v["commitments"] = row
            .commitments
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or(Value::Null);
    }
    if let Some(o) = &row.opening {
        v["opening"] = serde_json::from_str(o).unwrap_or(Value::Null);
    }
    if let Some(r) = &row.ranking
        && !matches!(status, Status::Evaluation | Status::AwardPending)
    {
        v["ranking"] = serde_json::from_str(r).unwrap_or(Value::Null);
    }
    if let Some(e) = row.standstill_end {
        v["standstill_end"] = json!(e.and_utc());
    }
    if let Some(r) = &row.cancel_reason {
        v["cancel_reason"] = json!(r);
    }
    v["awards"] = json!(
        awards
            .iter()
            .map(|a| json!({
                "id": a.id, "lot": a.lot_id, "bid_id": a.bid_id, "supplier": a.supplier,
                "amount": a.amount, "status": a.status, "decided_at": a.decided_at.and_utc(),
            }))
            .collect::<Vec<_>>()
    );
    v["contracts"] = json!(contracts.iter().map(|k| json!({
        "id": k.id, "award_id": k.award_id, "supplier": k.supplier, "status": k.status, "version": k.version,
    })).collect::<Vec<_>>());
    Ok(v)
}

// ------------------------------------------------------------------ public

/// The country pack's procurement rules: procedures, evaluation rules with their legal
/// citations, deadline slots, eligibility basis.
#[utoipa::path(
    tag = "procurement",
    responses(
        (status = 200, body = Rules),
        (status = 503, description = "The pack has no procurement rules", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(()),
)]
#[get("/rules")]
pub async fn get_rules(p: web::Data<Procurement>) -> Result<web::Json<Rules>, Error> {
    Ok(web::Json(p.rules()?.clone()))
}

/// The module's public keys (receipts, score records, contract signatures) as a JWK set, for
/// checking them offline.
#[utoipa::path(tag = "procurement", responses((status = 200, description = "JWK set", body = Object)), security(()))]
#[get("/keys")]
pub async fn keys(p: web::Data<Procurement>) -> Result<HttpResponse, Error> {
    let q = p.clone();
    let rows = p
        .db()
        .run(move |c| {
            q.key(c)?;
            store::keys(c)
        })
        .await?;
    let keys: Vec<Value> = rows
        .iter()
        .map(|k| json!({"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": k.kid, "x": k.public_key}))
        .collect();
    Ok(HttpResponse::Ok().json(json!({"keys": keys})))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only tenders in this status.
    #[param(inline)]
    pub status: Option<Status>,
    /// The cursor from the previous page.
    pub after: Option<String>,
    /// Page size (at most the configured maximum).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

fn cursor(row: &TenderRow) -> String {
    format!("{}_{}", row.created_at.and_utc().timestamp_micros(), row.id)
}

fn parse_cursor(s: &str) -> Result<(chrono::NaiveDateTime, String), Error> {
    let bad = || Error::invalid_field("after", "not a cursor from this list");
    let (t, id) = s.split_once('_').ok_or_else(bad)?;
    let t = t.parse::<i64>().map_err(|_| bad())?;
    let at = DateTime::from_timestamp_micros(t)
        .ok_or_else(bad)?
        .naive_utc();
    uuid::Uuid::parse_str(id).map_err(|_| bad())?;
    Ok((at, id.to_owned()))
}

async fn page(
    p: &Procurement,
    agency: Option<String>,
    drafts: bool,
    q: ListQuery,
) -> Result<Value, Error> {
    if q.limit.is_some_and(|l| !(1..=1000).contains(&l)) {
        return Err(Error::invalid_field("limit", "1 to 1000"));
    }
    let limit = i64::from(
        q.limit
            .unwrap_or(50)
            .min(p.settings().procurement.max_page_size),
    );
    let after = q.after.as_deref().map(parse_cursor).transpose()?;
    let status = q.status.map(|s| s.as_str());
    let rows = p
        .db()
        .run(move |c| store::tenders_page(c, agency.as_deref(), drafts, status, after, limit))
        .await?;
    let next = (rows.len() as i64 == limit)
        .then(|| rows.last().map(cursor))
        .flatten();
    Ok(json!({
        "items": rows.iter().map(|r| json!({
            "id": r.id, "ocid": r.ocid, "agency": r.agency, "title": r.title,
            "procedure": r.procedure_id, "category": r.category, "status": r.status,
            "deadline": r.deadline.and_utc(), "bid_count": r.bid_count,
        })).collect::<Vec<_>>(),
        "next": next,
    }))
}

/// Published tenders, newest first (keyset pagination).
#[utoipa::path(
    tag = "procurement",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of tenders", body = Object),
        (status = 422, description = "A query parameter is invalid", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(()),
)]
#[get("/tenders")]
pub async fn list_tenders(
    p: web::Data<Procurement>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, Error> {
    if q.status == Some(Status::Draft) {
        return Err(Error::invalid_field("status", "drafts are not public"));
    }
    Ok(HttpResponse::Ok().json(page(&p, None, false, q.into_inner()).await?))
}

/// A published tender: the notice, lots, amendments, questions and answers; at the deadline
/// the number of bids and their commitments; at the opening the transcript (seed, reserve
/// prices, estimated price, every bid's price and validity); after the award decision the
/// ranking with its explanation; awards and contracts.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    responses(
        (status = 200, description = "The tender", body = Object),
        (status = 404, description = "No such published tender", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(()),
)]
#[get("/tenders/{id}")]
pub async fn show_tender(
    p: web::Data<Procurement>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let row = public_tender(&p, &id).await?;
    Ok(HttpResponse::Ok().json(view(&p, row).await?))
}

// ------------------------------------------------------------------ suppliers

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Licence {
    /// e.g. `construction`, `software`, `medical-devices`.
    pub kind: String,
    pub number: String,
    pub valid_until: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SupplierRepresentative)]
pub struct Representative {
    pub name: String,
    pub role: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplierInput {
    /// The registered name: 2 to 200 characters.
    pub name: String,
    /// goods, works, services (at least one).
    pub categories: Vec<String>,
    #[serde(default)]
    pub licences: Vec<Licence>,
    /// At least one.
    pub representatives: Vec<Representative>,
}

/// Registers (or updates) the business as a supplier, once for every buyer.
#[utoipa::path(
    tag = "procurement",
    request_body = SupplierInput,
    responses((status = 200, description = "The registration", body = Object)),
    security(("bearer" = ["kind:business", "aal:2"])),
)]
#[put("/suppliers/me")]
pub async fn register_supplier(
    auth: Authorized<Supplier>,
    p: web::Data<Procurement>,
    input: web::Json<SupplierInput>,
) -> Result<HttpResponse, Error> {
    let bid = supplier_id(&p, &auth)?;
    let input = input.into_inner();
    let mut errs = Vec::new();
    if !text_ok(&input.name, 2, 200) || input.name.contains('\n') {
        errs.push(field("/name", "2 to 200 characters on one line"));
    }
    if input.categories.is_empty()
        || input.categories.len() > 3
        || input
            .categories
            .iter()
            .any(|c| !["goods", "works", "services"].contains(&c.as_str()))
    {
        errs.push(field(
            "/categories",
            "one or more of goods, works, services",
        ));
    }
    if input.licences.len() > 50
        || input
            .licences
            .iter()
            .any(|l| !text_ok(&l.kind, 1, 64) || !text_ok(&l.number, 1, 64))
    {
        errs.push(field(
            "/licences",
            "at most 50, each with a kind and a number (1-64 characters)",
        ));
    }
    if input.representatives.is_empty()
        || input.representatives.len() > 20
        || input
            .representatives
            .iter()
            .any(|r| !text_ok(&r.name, 1, 200) || !text_ok(&r.role, 1, 100))
    {
        errs.push(field(
            "/representatives",
            "1 to 20, each with a name and a role",
        ));
    }
    fail(errs)?;
    let now = now_micros();
    let row = store::SupplierRow {
        business_id: bid.clone(),
        account: auth.subject.clone(),
        name: input.name.trim().to_owned(),
        categories: json!(input.categories).to_string(),
        licences: json!(input.licences).to_string(),
        representatives: json!(input.representatives).to_string(),
        registered_at: now,
        updated_at: now,
    };
    p.db()
        .transaction(move |c| store::save_supplier(c, &row))
        .await?;
    Ok(HttpResponse::Ok().json(supplier_view(&p, bid).await?))
}

async fn supplier_view(p: &Procurement, bid: String) -> Result<Value, Error> {
    let today = Utc::now().date_naive();
    let now = now_micros();
    let (row, debarments, elig) = p
        .db()
        .run(move |c| {
            Ok((
                store::supplier(c, &bid)?,
                store::debarments(c, &bid)?,
                store::valid_eligibility(c, &bid, "tax_clearance", now)?,
            ))
        })
        .await?;
    let row = row.ok_or_else(|| Error::new(errors::NOT_REGISTERED))?;
    Ok(json!({
        "business_id": row.business_id,
        "name": row.name,
        "categories": serde_json::from_str::<Value>(&row.categories).unwrap_or(Value::Null),
        "licences": serde_json::from_str::<Value>(&row.licences).unwrap_or(Value::Null),
        "representatives": serde_json::from_str::<Value>(&row.representatives).unwrap_or(Value::Null),
        "registered_at": row.registered_at.and_utc(),
        "debarred": debarments.iter().any(|d| d.active_on(today)),
        "debarments": debarments.iter().map(debarment_view).collect::<Vec<_>>(),
        "tax_clearance": elig.map(|e| eligibility_view(&e)),
    }))
}

fn debarment_view(d: &store::DebarmentRow) -> Value {
    json!({
        "id": d.id, "business_id": d.business_id, "reason": d.reason, "legal_basis": d.legal_basis,
        "from": d.from_date, "until": d.until_date, "lifted_at": d.lifted_at.map(|t| t.and_utc()),
        "lift_reason": d.lift_reason,
    })
}

fn eligibility_view(e: &store::EligibilityRow) -> Value {
    json!({
        "kind": e.kind,
        "eligible": e.eligible,
        "answer": serde_json::from_str::<Value>(&e.answer).unwrap_or(Value::Null),
        "provider": e.provider,
        "consent": e.consent,
        "message_id": e.message_id,
        "log_seq": e.log_seq,
        "checked_at": e.checked_at.and_utc(),
        "valid_until": e.valid_until.and_utc(),
    })
}

/// The supplier's registration, debarments and current tax clearance.
#[utoipa::path(
    tag = "procurement",
    responses(
        (status = 200, description = "The registration", body = Object),
        (status = 409, description = "Not registered", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(("bearer" = ["kind:business", "aal:2"])),
)]
#[get("/suppliers/me")]
pub async fn my_supplier(
    auth: Authorized<Supplier>,
    p: web::Data<Procurement>,
) -> Result<HttpResponse, Error> {
    let bid = supplier_id(&p, &auth)?;
    Ok(HttpResponse::Ok().json(supplier_view(&p, bid).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EligibilityInput {
    /// The consent the business gave at `/exchange/v1/me/consents` for the procurement
    /// module's tax clearance request (when the pack's basis is consent).
    pub consent: Option<String>,
}

/// Asks the tax agency through the exchange whether the business owes overdue tax (signed,
/// logged, consent-checked) and keeps the answer until it expires.
async fn fetch_clearance(
    p: &Procurement,
    x: Option<&Exchange>,
    who: &Principal,
    business: &str,
    consent: Option<&str>,
) -> Result<store::EligibilityRow, Error> {
    let rules = p.rules()?;
    let x = x.ok_or_else(|| {
        Error::with_detail(
            errors::ELIGIBILITY_UNAVAILABLE,
            "the exchange is not served in this process",
        )
    })?;
    if rules.eligibility.tax_clearance == crate::rules::ClearanceBasis::Consent && consent.is_none()
    {
        return Err(Error::with_detail(
            errors::ELIGIBILITY_MISSING,
            "the country pack asks the tax clearance with the supplier's consent: give consent at /exchange/v1/me/consents and pass its reference",
        ));
    }
    let target = format!("{}/tax/tax-clearance", x.member());
    let mut call = Call::post(
        &target,
        "v1",
        json!({"business_id": business}),
        &rules.eligibility.purpose,
    )
    .about(&egov_core::exchange::business_subject(business))
    .user(&who.subject)
    .items(&["business_id", "arrears", "as_of", "valid_until"]);
    if let Some(c) = consent {
        call = call.consent(c);
    }
    let answer = x.call(crate::NAME, call).await.map_err(|e| match &e {
        CallError::Refused { status, detail, .. } if *status < 500 => Error::with_detail(
            errors::ELIGIBILITY_REFUSED,
            format!("{}: {detail}", e.code()),
        ),
        _ => Error::with_detail(errors::ELIGIBILITY_UNAVAILABLE, e.code().to_owned()),
    })?;
    let arrears = answer.body["arrears"].as_bool().ok_or_else(|| {
        Error::with_detail(
            errors::ELIGIBILITY_UNAVAILABLE,
            "the tax clearance answer has no arrears field",
        )
    })?;
    let now = now_micros();
    let valid_until = answer.body["valid_until"]
        .as_str()
        .and_then(|d| d.parse::<NaiveDate>().ok())
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .filter(|d| *d > now)
        .unwrap_or(now + chrono::Duration::hours(24));
    let row = store::EligibilityRow {
        id: uuid::Uuid::now_v7().to_string(),
        business_id: business.to_owned(),
        kind: "tax_clearance".into(),
        eligible: !arrears,
        answer: answer.body.to_string(),
        provider: target,
        consent: consent.map(str::to_owned),
        message_id: answer.message_id,
        log_seq: answer.log_seq,
        checked_at: now,
        valid_until,
    };
    let r = row.clone();
    p.db()
        .transaction(move |c| store::insert_eligibility(c, &r))
        .await?;
    Ok(row)
}

/// Checks the supplier's tax clearance through the exchange now (the answer is kept with its
/// evidence until it expires and used for bids).
#[utoipa::path(
    tag = "procurement",
    request_body = EligibilityInput,
    responses(
        (status = 201, description = "The answer and its evidence", body = Object),
        (status = 409, description = "Not registered, no consent, or refused by the exchange", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 503, description = "The provider could not be reached", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(("bearer" = ["kind:business", "aal:2"])),
)]
#[post("/suppliers/me/eligibility")]
pub async fn check_eligibility(
    auth: Authorized<Supplier>,
    p: web::Data<Procurement>,
    x: Option<web::Data<Exchange>>,
    input: web::Json<EligibilityInput>,
) -> Result<HttpResponse, Error> {
    let bid = supplier_id(&p, &auth)?;
    if let Some(c) = &input.consent
        && !text_ok(c, 1, 100)
    {
        return Err(Error::invalid_field("/consent", "a consent reference"));
    }
    let b = bid.clone();
    p.db()
        .run(move |c| store::supplier(c, &b))
        .await?
        .ok_or_else(|| Error::new(errors::NOT_REGISTERED))?;
    let row = fetch_clearance(
        &p,
        x.as_ref().map(|d| d.get_ref()),
        &auth,
        &bid,
        input.consent.as_deref(),
    )
    .await?;
    Ok(HttpResponse::Created().json(eligibility_view(&row)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionInput {
    /// 5 to 2000 characters. Published with its answer; the asker is not.
    pub question: String,
}

/// Asks a question during the enquiry period.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    request_body = QuestionInput,
    responses(
        (status = 201, description = "The question", body = Object),
        (status = 404, description = "No such tender", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 409, description = "Not in the enquiry period, or not registered", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(("bearer" = ["kind:business", "aal:2"])),
)]
#[post("/tenders/{id}/questions")]
pub async fn ask(
    auth: Authorized<Supplier>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
    input: web::Json<QuestionInput>,
) -> Result<HttpResponse, Error> {
    let bid = supplier_id(&p, &auth)?;
    if !text_ok(&input.question, 5, 2000) {
        return Err(Error::invalid_field("/question", "5 to 2000 characters"));
    }
    let row = public_tender(&p, &id).await?;
    if status_of(&row) != Status::Enquiry {
        return Err(Error::with_detail(
            errors::ILLEGAL_TRANSITION,
            format!(
                "questions are taken during the enquiry period; the tender is {}",
                row.status
            ),
        ));
    }
    let q = store::QuestionRow {
        id: uuid::Uuid::now_v7().to_string(),
        tender_id: row.id.clone(),
        asker: bid.clone(),
        question: input.question.trim().to_owned(),
        answer: None,
        asked_at: now_micros(),
        answered_at: None,
        answered_by: None,
    };
    let out = json!({"id": q.id, "question": q.question, "asked_at": q.asked_at.and_utc()});
    p.db()
        .transaction(move |c| {
            store::supplier(c, &bid)?.ok_or_else(|| Error::new(errors::NOT_REGISTERED))?;
            store::insert_question(c, &q)
        })
        .await?;
    Ok(HttpResponse::Created().json(out))
}

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
        (status = 201, description = "The signed receipt", body = Object),
        (status = 403, description = "Debarred or owes overdue tax", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 404, description = "No such tender", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 409, description = "Not accepting bids (deadline passed), not registered, or no tax clearance answer", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 503, description = "The tax clearance provider could not be reached", body = egov_core::error::Problem, content_type = NOT_FOUND),
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
    let now = now_micros();
    let (s, t) = (supplier.clone(), id.into_inner());
    let (row, reg, debarments, clearance) = p
        .db()
        .run(move |c| {
            Ok((
                store::tender(c, &t)?,
                store::supplier(c, &s)?,
                store::debarments(c, &s)?,
                store::valid_eligibility(c, &s, "tax_clearance", now)?,
            ))
        })
        .await?;
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
    if size > p.settings().procurement.max_bid_bytes {
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
    if status_of(&row) != Status::Tendering {
        return Err(Error::with_detail(
            errors::NOT_ACCEPTING_BIDS,
            format!("the tender is {}", row.status),
        ));
    }
    // Eligibility: registered, not debarred, tax clearance on file (or fetched now).
    let today = Utc::now().date_naive();
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
    Ok(HttpResponse::Created().json(json!({
        "bid_id": bid.id,
        "receipt": receipt,
        "signature": signature,
    })))
}

/// The supplier's own bids on a tender, with their receipts (contents stay sealed until the
/// opening, for the supplier too).
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    responses(
        (status = 200, description = "Bids with receipts", body = Object),
        (status = 404, description = "No such tender", body = egov_core::error::Problem, content_type = NOT_FOUND),
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
    let rows = p
        .db()
        .run(move |c| store::supplier_bids(c, &row.id, &supplier))
        .await?;
    Ok(HttpResponse::Ok().json(json!({"bids": rows.iter().map(|b| json!({
        "bid_id": b.id, "lot": b.lot_id, "status": b.status, "received_at": b.received_at.and_utc(),
        "digest": b.digest, "receipt": serde_json::from_str::<Value>(&b.receipt).unwrap_or(Value::Null),
        "price": b.price, "rejection": b.rejection.as_deref().and_then(|r| serde_json::from_str::<Value>(r).ok()),
    })).collect::<Vec<_>>()})))
}

/// Withdraws the supplier's bid before the deadline.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id"), ("bid" = String, Path, description = "Bid id")),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 404, description = "No such bid of yours", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 409, description = "After the deadline, or the bid is not active", body = egov_core::error::Problem, content_type = NOT_FOUND),
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
        .transaction(move |c| service::withdraw_bid(c, &row.id, &bid, &supplier))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintInput {
    /// `terms` (before the deadline) or `award` (during the standstill).
    pub against: String,
    /// 20 to 10000 characters.
    pub text: String,
}

/// Files a complaint; the tender is suspended until the review body decides.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    request_body = ComplaintInput,
    responses(
        (status = 201, description = "The complaint", body = Object),
        (status = 404, description = "No such tender", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 409, description = "Outside the complaint windows, or not registered", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(("bearer" = ["kind:business", "aal:2"])),
)]
#[post("/tenders/{id}/complaints")]
pub async fn complain(
    auth: Authorized<Supplier>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
    input: web::Json<ComplaintInput>,
) -> Result<HttpResponse, Error> {
    let supplier = supplier_id(&p, &auth)?;
    let mut errs = Vec::new();
    if !["terms", "award"].contains(&input.against.as_str()) {
        errs.push(field("/against", "terms or award"));
    }
    if !text_ok(&input.text, 20, 10_000) {
        errs.push(field("/text", "20 to 10000 characters"));
    }
    fail(errs)?;
    let row = public_tender(&p, &id).await?;
    let q = p.clone();
    let account = auth.subject.clone();
    let input = input.into_inner();
    let k = p
        .db()
        .transaction(move |c| {
            store::supplier(c, &supplier)?.ok_or_else(|| Error::new(errors::NOT_REGISTERED))?;
            service::complain(
                &q,
                c,
                &row.id,
                &supplier,
                &account,
                &input.against,
                &input.text,
            )
        })
        .await?;
    Ok(HttpResponse::Created().json(complaint_view(&k)))
}

fn complaint_view(k: &store::ComplaintRow) -> Value {
    json!({
        "id": k.id, "tender_id": k.tender_id, "complainant": k.complainant, "against": k.against,
        "text": k.text, "status": k.status, "filed_at": k.filed_at.and_utc(),
        "decide_by": k.decide_by.and_utc(), "decided_at": k.decided_at.map(|t| t.and_utc()),
        "decision_reason": k.decision_reason, "remedy": k.remedy,
    })
}

// ------------------------------------------------------------------ buying officers

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenderInput {
    /// A procedure of the country pack (`GET /procurement/v1/rules`).
    pub procedure: String,
    /// goods, works or services (the procedure must allow it).
    pub category: String,
    /// 3 to 300 characters.
    pub title: String,
    /// Up to 20000 characters.
    pub description: String,
    /// 1 to 50 lots.
    pub lots: Vec<Lot>,
    /// The opening committee's accounts: exactly the procedure's n, each with a registered
    /// opening key by publication.
    pub committee: Vec<String>,
    /// The evaluators' accounts (1 to 15; required when the procedure scores bids).
    #[serde(default)]
    pub evaluators: Vec<String>,
    pub enquiry_end: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    pub opening_at: DateTime<Utc>,
}

fn check_tender(p: &Procurement, r: &Rules, t: &TenderInput) -> Result<(), Error> {
    let mut errs = Vec::new();
    let procedure = r.procedure(&t.procedure);
    match procedure {
        None => errs.push(field("/procedure", "not a procedure of the country pack")),
        Some(pr) if !pr.categories.contains(&t.category) => errs.push(field(
            "/category",
            "the procedure does not cover this category",
        )),
        _ => {}
    }
    if !text_ok(&t.title, 3, 300) || t.title.contains('\n') {
        errs.push(field("/title", "3 to 300 characters on one line"));
    }
    if !text_ok(&t.description, 0, 20_000) {
        errs.push(field("/description", "up to 20000 characters"));
    }
    if t.lots.is_empty() || t.lots.len() > 50 {
        errs.push(field("/lots", "1 to 50 lots"));
    }
    let mut ids = std::collections::BTreeSet::new();
    for (i, l) in t.lots.iter().enumerate() {
        if l.id.is_empty()
            || l.id.len() > 16
            || !l.id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            || !ids.insert(l.id.clone())
        {
            errs.push(field(
                &format!("/lots/{i}/id"),
                "1-16 of A-Za-z0-9-, unique",
            ));
        }
        if !text_ok(&l.title, 1, 300) {
            errs.push(field(&format!("/lots/{i}/title"), "1 to 300 characters"));
        }
        if !money_ok(p, l.base_amount) {
            errs.push(field(
                &format!("/lots/{i}/base_amount"),
                "a positive amount in the currency's units",
            ));
        }
        if let Some(a) = l.a_amount
            && (a.is_sign_negative() || a >= l.base_amount)
        {
            errs.push(field(
                &format!("/lots/{i}/a_amount"),
                "at least 0 and below the base amount",
            ));
        }
    }
    let account_ok = |a: &String| text_ok(a, 1, 64) && !a.contains(char::is_whitespace);
    if let Some(pr) = procedure {
        let distinct: std::collections::BTreeSet<_> = t.committee.iter().collect();
        if t.committee.len() != usize::from(pr.committee.n)
            || distinct.len() != t.committee.len()
            || !t.committee.iter().all(account_ok)
        {
            errs.push(field(
                "/committee",
                &format!("exactly {} distinct accounts", pr.committee.n),
            ));
        }
        let distinct: std::collections::BTreeSet<_> = t.evaluators.iter().collect();
        if t.evaluators.len() > 15
            || distinct.len() != t.evaluators.len()
            || !t.evaluators.iter().all(account_ok)
            || (pr.evaluation.needs_scores() && t.evaluators.is_empty())
        {
            errs.push(field(
                "/evaluators",
                "1 to 15 distinct accounts (required when bids are scored)",
            ));
        }
    }
    let now = Utc::now();
    if t.enquiry_end <= now || t.enquiry_end > t.deadline {
        errs.push(field(
            "/enquiry_end",
            "in the future and not after the deadline",
        ));
    }
    if t.opening_at < t.deadline {
        errs.push(field("/opening_at", "not before the deadline"));
    }
    if let Some(pr) = procedure
        && t.deadline - now < p.days(pr.min_tendering_days)
    {
        errs.push(field(
            "/deadline",
            &format!(
                "at least {} days after publication ({})",
                pr.min_tendering_days, pr.citation
            ),
        ));
    }
    fail(errs)
}

/// Creates a draft tender for the officer's agency.
#[utoipa::path(
    tag = "procurement",
    request_body = TenderInput,
    responses(
        (status = 201, description = "The draft", body = Object),
        (status = 503, description = "The pack has no procurement rules", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(("bearer" = ["kind:officer", "role:procurement.officer", "aal:2"])),
)]
#[post("/tenders")]
pub async fn create_tender(
    auth: Authorized<Officer>,
    p: web::Data<Procurement>,
    input: web::Json<TenderInput>,
) -> Result<HttpResponse, Error> {
    let rules = p.rules()?;
    let agency = auth.agency.clone().ok_or_else(|| {
        Error::with_detail(
            egov_core::error::codes::FORBIDDEN,
            "an officer without an agency cannot buy",
        )
    })?;
    check_tender(&p, rules, &input)?;
    let t = input.into_inner();
    let pr = rules
        .procedure(&t.procedure)
        .ok_or_else(|| Error::new(errors::PROCEDURE_NOT_FOUND))?;
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_micros();
    let row = TenderRow {
        ocid: format!("{}-{}", p.settings().procurement.ocid_prefix, id),
        id,
        agency,
        procedure_id: t.procedure,
        category: t.category,
        title: t.title.trim().to_owned(),
        description: t.description,
        status: Status::Draft.as_str().into(),
        prev_status: None,
        lots: json!(t.lots).to_string(),
        committee: json!(t.committee).to_string(),
        evaluators: json!(t.evaluators).to_string(),
        k: i32::from(pr.committee.k),
        n: i32::from(pr.committee.n),
        public_key: None,
        seed_commitment: None,
        seed_sealed: None,
        enquiry_end: t.enquiry_end.naive_utc(),
        deadline: t.deadline.naive_utc(),
        opening_at: t.opening_at.naive_utc(),
        amendment: 0,
        bid_count: None,
        commitments: None,
        opening: None,
        ranking: None,
        standstill_end: None,
        suspended_at: None,
        cancel_reason: None,
        created_at: now,
        published_at: None,
        updated_at: now,
        version: 1,
    };
    let r = row.clone();
    let actor = auth.subject.clone();
    p.db()
        .transaction(move |c| {
            store::insert_tender(c, &r)?;
            service::event(c, &r.id, &actor, "create", "", "draft", None, json!({}))
        })
        .await?;
    Ok(HttpResponse::Created().json(view(&p, row).await?))
}

/// Replaces a draft's contents (drafts only).
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    request_body = TenderInput,
    responses(
        (status = 200, description = "The draft", body = Object),
        (status = 404, description = "No such tender of your agency", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 409, description = "Not a draft", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 503, description = "The pack has no procurement rules", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(("bearer" = ["kind:officer", "role:procurement.officer", "aal:2"])),
)]
#[put("/tenders/{id}")]
pub async fn edit_tender(
    auth: Authorized<Officer>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
    input: web::Json<TenderInput>,
) -> Result<HttpResponse, Error> {
    let rules = p.rules()?;
    let mut row = agency_tender(&p, &auth, &id).await?;
    if status_of(&row) != Status::Draft {
        return Err(Error::with_detail(
            errors::ILLEGAL_TRANSITION,
            "only drafts can be edited; published tenders are amended",
        ));
    }
    check_tender(&p, rules, &input)?;
    let t = input.into_inner();
    let pr = rules
        .procedure(&t.procedure)
        .ok_or_else(|| Error::new(errors::PROCEDURE_NOT_FOUND))?;
    row.procedure_id = t.procedure;
    row.category = t.category;
    row.title = t.title.trim().to_owned();
    row.description = t.description;
    row.lots = json!(t.lots).to_string();
    row.committee = json!(t.committee).to_string();
    row.evaluators = json!(t.evaluators).to_string();
    row.k = i32::from(pr.committee.k);
    row.n = i32::from(pr.committee.n);
    row.enquiry_end = t.enquiry_end.naive_utc();
    row.deadline = t.deadline.naive_utc();
    row.opening_at = t.opening_at.naive_utc();
    row.updated_at = now_micros();
    let mut r = row.clone();
    p.db()
        .transaction(move |c| {
            if store::save_tender(c, &mut r)? {
                Ok(r)
            } else {
                Err(Error::new(errors::CONCURRENT_CHANGE))
            }
        })
        .await
        .map(|r| row = r)?;
    Ok(HttpResponse::Ok().json(view(&p, row).await?))
}

/// Publishes a draft: the opening key is generated and split among the committee (each share
/// sealed to its member's key), the lottery seed's commitment is published, the notice goes
/// out as an OCDS `tender` release and an exchange event.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    responses(
        (status = 200, description = "The published tender", body = Object),
        (status = 404, description = "No such tender of your agency", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 409, description = "Not a draft, or the deadline's hour is full", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 422, description = "The deadline is too close or not on the hour, or a committee member has no key", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 503, description = "The pack has no procurement rules", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(("bearer" = ["kind:officer", "role:procurement.officer", "aal:2"])),
)]
#[post("/tenders/{id}/publish")]
pub async fn publish(
    auth: Authorized<Officer>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let rules = p.rules()?;
    let row = agency_tender(&p, &auth, &id).await?;
    let pr = rules
        .procedure(&row.procedure_id)
        .ok_or_else(|| Error::new(errors::PROCEDURE_NOT_FOUND))?;
    let now = now_micros();
    if row.enquiry_end <= now || row.deadline - now < p.days(pr.min_tendering_days) {
        return Err(Error::invalid_field(
            "/deadline",
            format!(
                "the deadline must be at least {} days away and the enquiry end in the future",
                pr.min_tendering_days
            ),
        ));
    }
    let q = p.clone();
    let by = auth.subject.clone();
    let row = p
        .db()
        .transaction(move |c| {
            service::deadline_slot(&q, c, &row)?;
            service::publish(&q, c, &row.id, &by)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view(&p, row).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendInput {
    /// Why: 5 to 1000 characters, published.
    pub reason: String,
    pub changes: Changes,
}

async fn amending(
    auth: &Principal,
    p: &Procurement,
    id: &str,
    input: AmendInput,
    resuming: bool,
) -> Result<HttpResponse, Error> {
    reason_ok("/reason", &input.reason)?;
    if let Some(d) = &input.changes.description
        && !text_ok(d, 0, 20_000)
    {
        return Err(Error::invalid_field(
            "/changes/description",
            "up to 20000 characters",
        ));
    }
    let row = agency_tender(p, auth, id).await?;
    let q = p.clone();
    let by = auth.subject.clone();
    let row = p
        .db()
        .transaction(move |c| {
            if resuming {
                service::resume(&q, c, &row.id, &by, &input.reason, &input.changes)
            } else {
                service::amend(&q, c, &row.id, &by, &input.reason, &input.changes)
            }
        })
        .await?;
    Ok(HttpResponse::Ok().json(view(p, row).await?))
}

/// Amends a published tender before its deadline: a numbered, published amendment; times
/// only move forward.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    request_body = AmendInput,
    responses(
        (status = 200, description = "The amended tender", body = Object),
        (status = 404, description = "No such tender of your agency", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 409, description = "After the deadline, or the new deadline's hour is full", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 503, description = "The pack has no procurement rules", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(("bearer" = ["kind:officer", "role:procurement.officer", "aal:2"])),
)]
#[post("/tenders/{id}/amendments")]
pub async fn amend(
    auth: Authorized<Officer>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
    input: web::Json<AmendInput>,
) -> Result<HttpResponse, Error> {
    amending(&auth, &p, &id, input.into_inner(), false).await
}

/// Resumes a postponed tender with a later deadline (an amendment).
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    request_body = AmendInput,
    responses(
        (status = 200, description = "The resumed tender", body = Object),
        (status = 404, description = "No such tender of your agency", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 409, description = "Not postponed", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 503, description = "The pack has no procurement rules", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(("bearer" = ["kind:officer", "role:procurement.officer", "aal:2"])),
)]
#[post("/tenders/{id}/resume")]
pub async fn resume(
    auth: Authorized<Officer>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
    input: web::Json<AmendInput>,
) -> Result<HttpResponse, Error> {
    amending(&auth, &p, &id, input.into_inner(), true).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ProcurementReason)]
pub struct ReasonInput {
    /// 5 to 1000 characters, published.
    pub reason: String,
}

/// Postpones a tender in its enquiry or tendering period (no bids until resumed).
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    request_body = ReasonInput,
    responses(
        (status = 200, description = "The tender", body = Object),
        (status = 404, description = "No such tender of your agency", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 409, description = "Not in enquiry or tendering", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(("bearer" = ["kind:officer", "role:procurement.officer", "aal:2"])),
)]
#[post("/tenders/{id}/postpone")]
pub async fn postpone(
    auth: Authorized<Officer>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
    input: web::Json<ReasonInput>,
) -> Result<HttpResponse, Error> {
    reason_ok("/reason", &input.reason)?;
    let row = agency_tender(&p, &auth, &id).await?;
    let q = p.clone();
    let by = auth.subject.clone();
    let reason = input.into_inner().reason;
    let row = p
        .db()
        .transaction(move |c| service::postpone(&q, c, &row.id, &by, &reason))
        .await?;
    Ok(HttpResponse::Ok().json(view(&p, row).await?))
}

/// Cancels a tender (before the award is final) with a published reason.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    request_body = ReasonInput,
    responses(
        (status = 200, description = "The cancelled tender", body = Object),
        (status = 404, description = "No such tender of your agency", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 409, description = "Cannot be cancelled now", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(("bearer" = ["kind:officer", "role:procurement.officer", "aal:2"])),
)]
#[post("/tenders/{id}/cancel")]
pub async fn cancel(
    auth: Authorized<Officer>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
    input: web::Json<ReasonInput>,
) -> Result<HttpResponse, Error> {
    reason_ok("/reason", &input.reason)?;
    let row = agency_tender(&p, &auth, &id).await?;
    let q = p.clone();
    let by = auth.subject.clone();
    let reason = input.into_inner().reason;
    let row = p
        .db()
        .transaction(move |c| service::cancel(&q, c, &row.id, &by, &reason))
        .await?;
    Ok(HttpResponse::Ok().json(view(&p, row).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    /// 2 to 5000 characters, published to all.
    pub answer: String,
}

/// Answers a question (published to all bidders).
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id"), ("question" = String, Path, description = "Question id")),
    request_body = AnswerInput,
    responses(
        (status = 200, description = "Answered", body = Object),
        (status = 404, description = "No such tender or unanswered question", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(("bearer" = ["kind:officer", "role:procurement.officer", "aal:2"])),
)]
#[post("/tenders/{id}/questions/{question}/answer")]
pub async fn answer_question(
    auth: Authorized<Officer>,
    p: web::Data<Procurement>,
    path: web::Path<(String, String)>,
    input: web::Json<AnswerInput>,
) -> Result<HttpResponse, Error> {
    let (id, qid) = path.into_inner();
    if !text_ok(&input.answer, 2, 5000) {
        return Err(Error::invalid_field("/answer", "2 to 5000 characters"));
    }
    uuid_ok(&qid, errors::QUESTION_NOT_FOUND)?;
    let row = agency_tender(&p, &auth, &id).await?;
    let by = auth.subject.clone();
    let text = input.into_inner().answer;
    let out = json!({"id": qid, "answer": text});
    p.db()
        .transaction(move |c| {
            if !store::answer_question(c, &row.id, &qid, &text, &by, now_micros())? {
                return Err(Error::new(errors::QUESTION_NOT_FOUND));
            }
            service::event(
                c,
                &row.id,
                &by,
                "answer",
                &row.status,
                &row.status,
                None,
                json!({"question": qid}),
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The officer's agency's tenders, drafts included.
#[utoipa::path(
    tag = "procurement",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of tenders", body = Object),
        (status = 422, description = "A query parameter is invalid", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(("bearer" = ["kind:officer", "role:procurement.officer", "aal:2"])),
)]
#[get("/officer/tenders")]
pub async fn agency_tenders(
    auth: Authorized<Officer>,
    p: web::Data<Procurement>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, Error> {
    let agency = auth.agency.clone().unwrap_or_default();
    Ok(HttpResponse::Ok().json(page(&p, Some(agency), true, q.into_inner()).await?))
}

/// A tender's audit trail: every action, by whom (the scheduler included) and when — for the
/// buying agency's officers and auditors.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    responses(
        (status = 200, description = "Events, oldest first", body = Object),
        (status = 404, description = "No such tender of your agency", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(("bearer" = ["kind:officer", "kind:auditor"])),
)]
#[get("/tenders/{id}/history")]
pub async fn history(
    auth: Authorized<HistoryReader>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let row = tender(&p, &id).await?;
    if auth.kind == Kind::Officer
        && !(auth.has_role(crate::OFFICER_ROLE)
            && auth.agency.as_deref() == Some(row.agency.as_str()))
    {
        return Err(Error::new(errors::TENDER_NOT_FOUND));
    }
    let rows = p.db().run(move |c| store::events(c, &row.id)).await?;
    Ok(
        HttpResponse::Ok().json(json!({"events": rows.iter().map(|e| json!({
        "at": e.at.and_utc(), "actor": e.actor, "action": e.action, "from": e.from_status,
        "to": e.to_status, "reason": e.reason,
        "detail": serde_json::from_str::<Value>(&e.detail).unwrap_or(Value::Null),
    })).collect::<Vec<_>>()})),
    )
}

/// An officer (of the tender's agency, checked per route) or an auditor.
#[derive(Debug)]
pub struct HistoryReader;
impl Policy for HistoryReader {
    const RULE: Rule = Rule::kinds(&[Kind::Officer, Kind::Auditor]);
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PurposeQuery {
    /// Why the bids are read (recorded in the access log with every supplier's bid).
    pub purpose: String,
}

/// The opened bids with their contents (documents included) for the buying officer and the
/// tender's evaluators; every supplier's bid read is written to the access log.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id"), PurposeQuery),
    responses(
        (status = 200, description = "Opened bids", body = Object),
        (status = 404, description = "No such tender for you", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 409, description = "The bids are not opened yet", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 422, description = "A query parameter is invalid", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(("bearer" = ["kind:officer", "aal:2"])),
)]
#[get("/tenders/{id}/opened-bids")]
pub async fn opened_bids(
    auth: Authorized<Staff>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
    q: web::Query<PurposeQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, Error> {
    purpose_ok(&q.purpose)?;
    let row = public_tender(&p, &id).await?;
    let is_officer =
        auth.has_role(crate::OFFICER_ROLE) && auth.agency.as_deref() == Some(row.agency.as_str());
    let is_evaluator =
        auth.has_role(crate::EVALUATOR_ROLE) && list_of(&row.evaluators).contains(&auth.subject);
    if !is_officer && !is_evaluator {
        return Err(Error::new(errors::TENDER_NOT_FOUND));
    }
    if row.opening.is_none() {
        return Err(Error::new(errors::NOT_ISSUED));
    }
    let t = row.id.clone();
    let bids = p
        .db()
        .run(move |c| store::bids_with_status(c, &t, &["valid", "rejected"]))
        .await?;
    let mut suppliers: Vec<&str> = bids.iter().map(|b| b.supplier.as_str()).collect();
    suppliers.sort_unstable();
    suppliers.dedup();
    for s in suppliers {
        access(&p, &req, &auth, s, &row.id, &q.purpose).await?;
    }
    Ok(
        HttpResponse::Ok().json(json!({"bids": bids.iter().map(|b| json!({
        "bid_id": b.id, "lot": b.lot_id, "supplier": b.supplier, "status": b.status,
        "received_at": b.received_at.and_utc(), "digest": b.digest, "price": b.price,
        "contents": b.opened.as_deref().and_then(|o| serde_json::from_str::<Value>(o).ok()),
        "rejection": b.rejection.as_deref().and_then(|r| serde_json::from_str::<Value>(r).ok()),
        "eligibility": serde_json::from_str::<Value>(&b.eligibility).unwrap_or(Value::Null),
    })).collect::<Vec<_>>()})),
    )
}

/// Computes the ranking of every lot by the procedure's rule (evaluation → award pending),
/// with a full explanation per bidder.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    responses(
        (status = 200, description = "The ranking per lot", body = Object),
        (status = 404, description = "No such tender of your agency", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 409, description = "Not in evaluation, or scores missing", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 503, description = "The pack has no procurement rules", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(("bearer" = ["kind:officer", "role:procurement.officer", "aal:2"])),
)]
#[post("/tenders/{id}/rank")]
pub async fn rank(
    auth: Authorized<Officer>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let row = agency_tender(&p, &auth, &id).await?;
    let q = p.clone();
    let by = auth.subject.clone();
    let r = p
        .db()
        .transaction(move |c| service::rank(&q, c, &row.id, &by))
        .await?;
    Ok(HttpResponse::Ok().json(json!({"rankings": r})))
}

/// Decides the award by the ranking: pending awards, and the standstill starts.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    responses(
        (status = 200, description = "The tender in its standstill", body = Object),
        (status = 404, description = "No such tender of your agency", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 409, description = "No ranking pending", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 503, description = "The pack has no procurement rules", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(("bearer" = ["kind:officer", "role:procurement.officer", "aal:2"])),
)]
#[post("/tenders/{id}/award")]
pub async fn award(
    auth: Authorized<Officer>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let row = agency_tender(&p, &auth, &id).await?;
    let q = p.clone();
    let by = auth.subject.clone();
    let row = p
        .db()
        .transaction(move |c| service::award(&q, c, &row.id, &by))
        .await?;
    Ok(HttpResponse::Ok().json(view(&p, row).await?))
}

// ------------------------------------------------------------------ committee and evaluators

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitteeKeyInput {
    /// The member's X25519 public key, base64 (32 bytes). The private key stays with the
    /// member: it opens the member's shares.
    pub public_key: String,
}

/// Registers the committee member's opening key (used for tenders published afterwards).
#[utoipa::path(
    tag = "procurement",
    request_body = CommitteeKeyInput,
    responses((status = 204, description = "Registered")),
    security(("bearer" = ["kind:officer", "role:procurement.committee", "aal:2"])),
)]
#[put("/committee/key")]
pub async fn register_committee_key(
    auth: Authorized<Committee>,
    p: web::Data<Procurement>,
    input: web::Json<CommitteeKeyInput>,
) -> Result<HttpResponse, Error> {
    seal::public_key(&input.public_key)
        .map_err(|e| Error::invalid_field("/public_key", e.to_string()))?;
    let account = auth.subject.clone();
    let key = input.into_inner().public_key;
    p.db()
        .transaction(move |c| store::save_committee_key(c, &account, &key, now_micros()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn committee_tender(p: &Procurement, who: &Principal, id: &str) -> Result<TenderRow, Error> {
    let row = public_tender(p, id).await?;
    if list_of(&row.committee).contains(&who.subject) {
        Ok(row)
    } else {
        Err(Error::new(errors::NOT_COMMITTEE))
    }
}

/// The member's share of the tender's opening key, sealed to the member's key.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    responses(
        (status = 200, description = "The sealed share", body = Object),
        (status = 404, description = "No such tender", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(("bearer" = ["kind:officer", "role:procurement.committee", "aal:2"])),
)]
#[get("/tenders/{id}/share")]
pub async fn my_share(
    auth: Authorized<Committee>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let row = committee_tender(&p, &auth, &id).await?;
    let me = auth.subject.clone();
    let s = p
        .db()
        .run(move |c| store::shares(c, &row.id))
        .await?
        .into_iter()
        .find(|s| s.member == me)
        .ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))?;
    Ok(HttpResponse::Ok().json(json!({
        "member": s.member, "sealed_share": s.sealed_share, "share_digest": s.share_digest,
        "handed_in_at": s.submitted_at.map(|t| t.and_utc()),
    })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareInput {
    /// The member's opened share, base64.
    pub share: String,
}

/// Hands in the member's share after the deadline.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    request_body = ShareInput,
    responses(
        (status = 200, description = "Accepted; how many are in", body = Object),
        (status = 404, description = "No such tender", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 409, description = "Before the deadline, or already handed in", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(("bearer" = ["kind:officer", "role:procurement.committee", "aal:2"])),
)]
#[post("/tenders/{id}/shares")]
pub async fn hand_in_share(
    auth: Authorized<Committee>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
    input: web::Json<ShareInput>,
) -> Result<HttpResponse, Error> {
    let raw = seal::unb64(&input.share)
        .filter(|b| b.len() == 33)
        .ok_or_else(|| Error::invalid_field("/share", "a key share, base64"))?;
    let row = committee_tender(&p, &auth, &id).await?;
    if !matches!(status_of(&row), Status::Deadline | Status::Opening) {
        return Err(Error::with_detail(
            errors::ILLEGAL_TRANSITION,
            format!(
                "shares are handed in after the deadline; the tender is {}",
                row.status
            ),
        ));
    }
    let me = auth.subject.clone();
    let share = input.into_inner().share;
    let (given, k) = p
        .db()
        .transaction(move |c| {
            let all = store::shares(c, &row.id)?;
            let mine = all
                .iter()
                .find(|s| s.member == me)
                .ok_or_else(|| Error::new(errors::NOT_COMMITTEE))?;
            if mine.share.is_some() {
                return Err(Error::new(errors::SHARE_ALREADY_GIVEN));
            }
            if egov_core::digest::sha256_hex(&raw) != mine.share_digest {
                return Err(Error::new(errors::SHARE_REJECTED));
            }
            store::submit_share(c, &row.id, &me, &share, now_micros())?;
            service::event(
                c,
                &row.id,
                &me,
                "share",
                &row.status,
                &row.status,
                None,
                json!({}),
            )?;
            let given = all.iter().filter(|s| s.share.is_some()).count() + 1;
            Ok((given, row.k))
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"handed_in": given, "needed": k})))
}

/// Opens the bids with the handed-in shares (k of n, at or after the opening time): every
/// bid is decrypted and checked against its commitment, invalid bids are rejected with
/// reasons, the lottery seed is revealed and the estimated price drawn. Exactly once.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    responses(
        (status = 200, description = "The opening transcript", body = Object),
        (status = 404, description = "No such tender", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 409, description = "Not at the opening, already opened, or fewer than k shares", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 422, description = "The shares handed in do not rebuild the tender's key", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 503, description = "The pack has no procurement rules", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(("bearer" = ["kind:officer", "role:procurement.committee", "aal:2"])),
)]
#[post("/tenders/{id}/open")]
pub async fn open(
    auth: Authorized<Committee>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let row = committee_tender(&p, &auth, &id).await?;
    let q = p.clone();
    let by = auth.subject.clone();
    let transcript = p
        .db()
        .transaction(move |c| service::open(&q, c, &row.id, &by))
        .await?;
    Ok(HttpResponse::Ok().json(transcript))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreInput {
    pub bid_id: String,
    /// Technical score 0–100 (weighted procedures) or capability points (qualification review,
    /// up to the procedure's maximum).
    #[schema(value_type = String)]
    pub score: Decimal,
    /// Up to 2000 characters.
    #[serde(default)]
    pub comment: String,
}

/// Records the evaluator's score of a valid bid, signed by the module with the evaluator's
/// account and time; final once given.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Tender id")),
    request_body = ScoreInput,
    responses(
        (status = 201, description = "The signed score record", body = Object),
        (status = 404, description = "No such tender or valid bid", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 409, description = "Not in evaluation, or already scored", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 503, description = "The pack has no procurement rules", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(("bearer" = ["kind:officer", "role:procurement.evaluator", "aal:2"])),
)]
#[post("/tenders/{id}/scores")]
pub async fn score(
    auth: Authorized<Evaluator>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
    input: web::Json<ScoreInput>,
) -> Result<HttpResponse, Error> {
    let rules = p.rules()?;
    let row = public_tender(&p, &id).await?;
    if !list_of(&row.evaluators).contains(&auth.subject) {
        return Err(Error::new(errors::NOT_EVALUATOR));
    }
    let pr = rules
        .procedure(&row.procedure_id)
        .ok_or_else(|| Error::new(errors::PROCEDURE_NOT_FOUND))?;
    let max = pr
        .qualification
        .as_ref()
        .map(|q| q.capability_points)
        .unwrap_or(Decimal::from(100));
    let mut errs = Vec::new();
    if input.score.is_sign_negative() || input.score > max || input.score.scale() > 4 {
        errs.push(field("/score", &format!("0 to {max}, at most 4 decimals")));
    }
    if !text_ok(&input.comment, 0, 2000) {
        errs.push(field("/comment", "up to 2000 characters"));
    }
    fail(errs)?;
    uuid_ok(&input.bid_id, errors::BID_NOT_FOUND)?;
    if status_of(&row) != Status::Evaluation {
        return Err(Error::with_detail(
            errors::ILLEGAL_TRANSITION,
            format!("the tender is {}", row.status),
        ));
    }
    let q = p.clone();
    let me = auth.subject.clone();
    let input = input.into_inner();
    let out = p
        .db()
        .transaction(move |c| {
            service::score(&q, c, &row, &input.bid_id, &me, input.score, &input.comment)
        })
        .await?;
    Ok(HttpResponse::Created().json(out))
}

// ------------------------------------------------------------------ review body

/// Pending complaints, the earliest decision date first (the review body).
#[utoipa::path(
    tag = "procurement",
    responses(
        (status = 200, description = "Pending complaints", body = Object),
        (status = 503, description = "The pack has no procurement rules", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(("bearer" = ["kind:officer", "role:procurement.reviewer", "aal:2"])),
)]
#[get("/complaints")]
pub async fn pending_complaints(
    auth: Authorized<Reviewer>,
    p: web::Data<Procurement>,
) -> Result<HttpResponse, Error> {
    // Only the review body decides complaints; a reviewer elsewhere has none to see.
    let rows = if auth.agency.as_deref() == Some(p.rules()?.review_body.as_str()) {
        p.db()
            .run(|c| store::complaints_with_status(c, "pending", 500))
            .await?
    } else {
        Vec::new()
    };
    Ok(HttpResponse::Ok()
        .json(json!({"complaints": rows.iter().map(complaint_view).collect::<Vec<_>>()})))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// `upheld` or `dismissed`.
    pub decision: String,
    /// 5 to 5000 characters, published.
    pub reason: String,
    /// For an upheld complaint: `cancel`, `reevaluate` (award complaints) or `amend` (terms
    /// complaints: the tender resumes and must be amended).
    pub remedy: Option<String>,
}

/// Decides a complaint; when no other is pending the tender resumes (the time it stood still
/// given back to its deadline or standstill), or is cancelled, or goes back to evaluation.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Complaint id")),
    request_body = DecisionInput,
    responses(
        (status = 200, description = "The tender after the decision", body = Object),
        (status = 404, description = "No such complaint", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 409, description = "Already decided", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 503, description = "The pack has no procurement rules", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(("bearer" = ["kind:officer", "role:procurement.reviewer", "aal:2"])),
)]
#[post("/complaints/{id}/decision")]
pub async fn decide(
    auth: Authorized<Reviewer>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
    input: web::Json<DecisionInput>,
) -> Result<HttpResponse, Error> {
    auth.require_agency(&p.rules()?.review_body)?;
    let mut errs = Vec::new();
    let upheld = match input.decision.as_str() {
        "upheld" => true,
        "dismissed" => false,
        _ => {
            errs.push(field("/decision", "upheld or dismissed"));
            false
        }
    };
    if !text_ok(&input.reason, 5, 5000) {
        errs.push(field("/reason", "5 to 5000 characters"));
    }
    uuid_ok(&id, errors::COMPLAINT_NOT_FOUND)?;
    let i = id.clone();
    let complaint = p
        .db()
        .run(move |c| store::complaint(c, &i))
        .await?
        .ok_or_else(|| Error::new(errors::COMPLAINT_NOT_FOUND))?;
    let allowed: &[&str] = if complaint.against == "award" {
        &["cancel", "reevaluate"]
    } else {
        &["cancel", "amend"]
    };
    match (&input.remedy, upheld) {
        (Some(r), true) if allowed.contains(&r.as_str()) => {}
        (None, false) => {}
        _ => errs.push(field(
            "/remedy",
            &format!(
                "required when upheld ({}), absent when dismissed",
                allowed.join(" or ")
            ),
        )),
    }
    fail(errs)?;
    let q = p.clone();
    let by = auth.subject.clone();
    let input = input.into_inner();
    let row = p
        .db()
        .transaction(move |c| {
            service::decide(
                &q,
                c,
                &complaint,
                &by,
                upheld,
                &input.reason,
                input.remedy.as_deref(),
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(view(&p, row).await?))
}

// ------------------------------------------------------------------ debarment list

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DebarmentInput {
    pub business_id: String,
    /// 5 to 1000 characters.
    pub reason: String,
    /// The legal basis: 5 to 300 characters.
    pub legal_basis: String,
    pub from: NaiveDate,
    /// Absent: until lifted.
    pub until: Option<NaiveDate>,
}

/// Puts a business on the debarment list (officers of the procurement agency).
#[utoipa::path(
    tag = "procurement",
    request_body = DebarmentInput,
    responses(
        (status = 201, description = "The debarment", body = Object),
        (status = 503, description = "The pack has no procurement rules", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(("bearer" = ["kind:officer", "role:procurement.officer", "aal:2"])),
)]
#[post("/debarments")]
pub async fn add_debarment(
    auth: Authorized<Officer>,
    p: web::Data<Procurement>,
    input: web::Json<DebarmentInput>,
) -> Result<HttpResponse, Error> {
    auth.require_agency(&p.rules()?.procurement_agency)?;
    let mut errs = Vec::new();
    let business = p.pack().parse_business_id(&input.business_id).ok();
    if business.is_none() {
        errs.push(field(
            "/business_id",
            "not a valid business number of the pack",
        ));
    }
    if !text_ok(&input.reason, 5, 1000) {
        errs.push(field("/reason", "5 to 1000 characters"));
    }
    if !text_ok(&input.legal_basis, 5, 300) {
        errs.push(field("/legal_basis", "5 to 300 characters"));
    }
    if input.until.is_some_and(|u| u < input.from) {
        errs.push(field("/until", "not before from"));
    }
    fail(errs)?;
    let input = input.into_inner();
    let row = store::DebarmentRow {
        id: uuid::Uuid::now_v7().to_string(),
        business_id: business
            .map(|b| b.canonical().to_owned())
            .unwrap_or_default(),
        reason: input.reason,
        legal_basis: input.legal_basis,
        from_date: input.from,
        until_date: input.until,
        created_by: auth.subject.clone(),
        created_at: now_micros(),
        lifted_at: None,
        lifted_by: None,
        lift_reason: None,
    };
    let out = debarment_view(&row);
    p.db()
        .transaction(move |c| store::insert_debarment(c, &row))
        .await?;
    Ok(HttpResponse::Created().json(out))
}

/// Lifts a debarment in force, with a reason (kept on the record).
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Debarment id")),
    request_body = ReasonInput,
    responses(
        (status = 200, description = "Lifted", body = Object),
        (status = 404, description = "No such debarment in force", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 503, description = "The pack has no procurement rules", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(("bearer" = ["kind:officer", "role:procurement.officer", "aal:2"])),
)]
#[post("/debarments/{id}/lift")]
pub async fn lift_debarment(
    auth: Authorized<Officer>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
    input: web::Json<ReasonInput>,
) -> Result<HttpResponse, Error> {
    auth.require_agency(&p.rules()?.procurement_agency)?;
    reason_ok("/reason", &input.reason)?;
    uuid_ok(&id, errors::DEBARMENT_NOT_FOUND)?;
    let by = auth.subject.clone();
    let reason = input.into_inner().reason;
    let i = id.into_inner();
    let row = p
        .db()
        .transaction(move |c| {
            if !store::lift_debarment(c, &i, &by, &reason, now_micros())? {
                return Err(Error::new(errors::DEBARMENT_NOT_FOUND));
            }
            store::debarment(c, &i)
        })
        .await?
        .ok_or_else(|| Error::new(errors::DEBARMENT_NOT_FOUND))?;
    Ok(HttpResponse::Ok().json(debarment_view(&row)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DebarmentQuery {
    pub business_id: String,
}

/// A business's debarments, lifted ones included (public: the list is published).
#[utoipa::path(
    tag = "procurement",
    params(DebarmentQuery),
    responses(
        (status = 200, description = "Debarments", body = Object),
        (status = 422, description = "A query parameter is invalid", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(()),
)]
#[get("/debarments")]
pub async fn list_debarments(
    p: web::Data<Procurement>,
    q: web::Query<DebarmentQuery>,
) -> Result<HttpResponse, Error> {
    let id = p
        .pack()
        .parse_business_id(&q.business_id)
        .map_err(|_| {
            Error::invalid_field("business_id", "not a valid business number of the pack")
        })?
        .canonical()
        .to_owned();
    let today = Utc::now().date_naive();
    let rows = p.db().run(move |c| store::debarments(c, &id)).await?;
    Ok(HttpResponse::Ok().json(json!({
        "debarred": rows.iter().any(|d| d.active_on(today)),
        "debarments": rows.iter().map(debarment_view).collect::<Vec<_>>(),
    })))
}

// ------------------------------------------------------------------ contracts

/// Either party of a contract: the supplier's business account or the buying agency's
/// procurement officer.
#[derive(Debug)]
pub struct ContractParty;
impl Policy for ContractParty {
    const RULE: Rule = Rule::kinds(&[Kind::Business, Kind::Officer]).aal2();
}

async fn contract_for(
    p: &Procurement,
    who: &Principal,
    id: &str,
) -> Result<(store::ContractRow, TenderRow, Party), Error> {
    uuid_ok(id, errors::CONTRACT_NOT_FOUND)?;
    let i = id.to_owned();
    let k = p
        .db()
        .run(move |c| store::contract(c, &i))
        .await?
        .ok_or_else(|| Error::new(errors::CONTRACT_NOT_FOUND))?;
    let t = tender(p, &k.tender_id).await?;
    let party = match who.kind {
        Kind::Business if supplier_id(p, who).ok().as_deref() == Some(k.supplier.as_str()) => {
            Party::Supplier
        }
        Kind::Officer
            if who.has_role(crate::OFFICER_ROLE)
                && who.aal >= egov_auth::Aal::Aal2
                && who.agency.as_deref() == Some(t.agency.as_str()) =>
        {
            Party::Buyer
        }
        _ => return Err(Error::new(errors::CONTRACT_NOT_FOUND)),
    };
    Ok((k, t, party))
}

/// A contract with every version and both parties' signatures.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Contract id")),
    responses(
        (status = 200, description = "The contract", body = Object),
        (status = 404, description = "No such contract of yours", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(("bearer" = ["kind:business", "kind:officer", "aal:2"])),
)]
#[get("/contracts/{id}")]
pub async fn show_contract(
    auth: Authorized<ContractParty>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let (k, _, _) = contract_for(&p, &auth, &id).await?;
    let i = k.id.clone();
    let versions = p.db().run(move |c| store::contract_versions(c, &i)).await?;
    let parse = |s: &Option<String>| {
        s.as_deref()
            .and_then(|x| serde_json::from_str::<Value>(x).ok())
    };
    Ok(HttpResponse::Ok().json(json!({
        "id": k.id, "tender_id": k.tender_id, "award_id": k.award_id, "supplier": k.supplier,
        "status": k.status, "version": k.version,
        "versions": versions.iter().map(|v| json!({
            "version": v.version, "terms": serde_json::from_str::<Value>(&v.terms).unwrap_or(Value::Null),
            "digest": v.digest, "reason": v.reason, "created_at": v.created_at.and_utc(),
            "buyer_signature": parse(&v.buyer_signature), "supplier_signature": parse(&v.supplier_signature),
        })).collect::<Vec<_>>(),
    })))
}

/// Signs the contract's latest version as the calling party.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Contract id")),
    responses(
        (status = 200, description = "Signed; whether the version is in force", body = Object),
        (status = 404, description = "No such contract of yours", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 409, description = "Already signed by this party", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(("bearer" = ["kind:business", "kind:officer", "aal:2"])),
)]
#[post("/contracts/{id}/sign")]
pub async fn sign_contract(
    auth: Authorized<ContractParty>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let (k, _, party) = contract_for(&p, &auth, &id).await?;
    let q = p.clone();
    let me = auth.subject.clone();
    let out = p
        .db()
        .transaction(move |c| service::sign_contract(&q, c, &k, party, &me))
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractAmendInput {
    /// Changed terms (e.g. `amount`, `end_date`, `delivery`), merged into the current ones.
    #[schema(value_type = Object)]
    pub changes: Value,
    /// 5 to 1000 characters.
    pub reason: String,
}

/// Proposes an amended version of an active contract (the buying officer); both parties sign
/// it again before it is in force.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Contract id")),
    request_body = ContractAmendInput,
    responses(
        (status = 201, description = "The new version", body = Object),
        (status = 404, description = "No such contract of yours", body = egov_core::error::Problem, content_type = NOT_FOUND),
        (status = 409, description = "The current version is not in force yet", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(("bearer" = ["kind:officer", "role:procurement.officer", "aal:2"])),
)]
#[post("/contracts/{id}/amendments")]
pub async fn amend_contract(
    auth: Authorized<Officer>,
    p: web::Data<Procurement>,
    id: web::Path<String>,
    input: web::Json<ContractAmendInput>,
) -> Result<HttpResponse, Error> {
    reason_ok("/reason", &input.reason)?;
    let ok = input.changes.as_object().is_some_and(|o| {
        !o.is_empty()
            && o.len() <= 20
            && o.keys().all(|k| {
                text_ok(k, 1, 64) && !["supplier", "buyer", "award_id", "lot"].contains(&k.as_str())
            })
    }) && input.changes.to_string().len() <= 20_000;
    if !ok {
        return Err(Error::invalid_field(
            "/changes",
            "1 to 20 changed terms (not the parties, award or lot)",
        ));
    }
    let (k, _, _) = contract_for(&p, &auth, &id).await?;
    let me = auth.subject.clone();
    let input = input.into_inner();
    let version = p
        .db()
        .transaction(move |c| service::amend_contract(c, &k, &me, &input.changes, &input.reason))
        .await?;
    Ok(HttpResponse::Created().json(json!({"version": version})))
}

// ------------------------------------------------------------------ OCDS

/// An ocid as this module makes them (`<prefix>-<uuid>`): anything else is not found.
fn ocid_ok(o: &str) -> bool {
    !o.is_empty() && o.len() <= 100 && o.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Every OCDS release of a tender, as a release package.
#[utoipa::path(
    tag = "procurement",
    params(("ocid" = String, Path, description = "Open contracting id")),
    responses(
        (status = 200, description = "OCDS 1.1 release package", body = Object),
        (status = 404, description = "No such published tender", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(()),
)]
#[get("/ocds/releases/{ocid}")]
pub async fn ocds_releases(
    p: web::Data<Procurement>,
    ocid: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, Error> {
    let o = ocid.into_inner();
    if !ocid_ok(&o) {
        return Err(Error::new(errors::TENDER_NOT_FOUND));
    }
    let rows = p.db().run(move |c| store::releases(c, &o)).await?;
    if rows.is_empty() {
        return Err(Error::new(errors::TENDER_NOT_FOUND));
    }
    let mut pkg = ocds::envelope(&p, &format!("{}{}", p.settings().public_url(), req.path()));
    pkg.insert(
        "releases".into(),
        Value::Array(
            rows.iter()
                .map(|r| serde_json::from_str(&r.body).unwrap_or(Value::Null))
                .collect(),
        ),
    );
    Ok(HttpResponse::Ok().json(Value::Object(pkg)))
}

/// A tender's OCDS record: its releases and the compiled release, as a record package.
#[utoipa::path(
    tag = "procurement",
    params(("ocid" = String, Path, description = "Open contracting id")),
    responses(
        (status = 200, description = "OCDS 1.1 record package", body = Object),
        (status = 404, description = "No such published tender", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(()),
)]
#[get("/ocds/records/{ocid}")]
pub async fn ocds_record(
    p: web::Data<Procurement>,
    ocid: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, Error> {
    let o = ocid.into_inner();
    if !ocid_ok(&o) {
        return Err(Error::new(errors::TENDER_NOT_FOUND));
    }
    let oc = o.clone();
    let rows = p.db().run(move |c| store::releases(c, &oc)).await?;
    if rows.is_empty() {
        return Err(Error::new(errors::TENDER_NOT_FOUND));
    }
    let releases: Vec<Value> = rows
        .iter()
        .map(|r| serde_json::from_str(&r.body).unwrap_or(Value::Null))
        .collect();
    let compiled = ocds::compile(&releases);
    let mut pkg = ocds::envelope(&p, &format!("{}{}", p.settings().public_url(), req.path()));
    pkg.insert(
        "records".into(),
        json!([{"ocid": o, "releases": releases, "compiledRelease": compiled}]),
    );
    Ok(HttpResponse::Ok().json(Value::Object(pkg)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct BulkQuery {
    /// Releases after this sequence number (the `X-Next-After` of the previous export).
    #[param(minimum = 0)]
    pub after: Option<i64>,
}

/// Bulk export: every release (of every tender) in publication order as one release package,
/// streamed in batches so memory stays flat however large it is. `X-Next-After` tells where
/// the next incremental export starts.
#[utoipa::path(
    tag = "procurement",
    params(BulkQuery),
    responses(
        (status = 200, description = "OCDS 1.1 release package", body = Object),
        (status = 422, description = "A query parameter is invalid", body = egov_core::error::Problem, content_type = NOT_FOUND),
    ),
    security(()),
)]
#[get("/ocds/bulk")]
pub async fn ocds_bulk(
    p: web::Data<Procurement>,
    q: web::Query<BulkQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, Error> {
    if q.after.is_some_and(|a| a < 0) {
        return Err(Error::invalid_field(
            "after",
            "a release sequence number (0 or more)",
        ));
    }
    let start = q.after.unwrap_or(0);
    let last = p
        .db()
        .run(move |c| {
            Ok(store::releases_after(c, start, i64::MAX)?
                .last()
                .map(|r| r.seq))
        })
        .await?
        .unwrap_or(start);
    let head = ocds::envelope(&p, &format!("{}{}", p.settings().public_url(), req.path()));
    let head = serde_json::to_string(&Value::Object(head)).map_err(Error::internal)?;
    // `{<envelope>,"releases":[` + the batches + `]}`.
    let prefix = format!("{},\"releases\":[", head.trim_end_matches('}'));
    let db = p.db().clone();
    let stream = futures_util::stream::unfold((0u8, start, true), move |(stage, after, first)| {
        let db = db.clone();
        let prefix = prefix.clone();
        async move {
            match stage {
                0 => Some((Ok::<_, Error>(web::Bytes::from(prefix)), (1, after, first))),
                1 => {
                    let rows = db
                        .run(move |c| store::releases_after(c, after, 500))
                        .await
                        .ok()?;
                    if rows.is_empty() || after >= last {
                        return Some((Ok(web::Bytes::from_static(b"]}")), (2, after, first)));
                    }
                    let rows: Vec<_> = rows.into_iter().filter(|r| r.seq <= last).collect();
                    let next = rows.last().map(|r| r.seq).unwrap_or(last);
                    let mut out = String::new();
                    let mut f = first;
                    for r in &rows {
                        if !f {
                            out.push(',');
                        }
                        f = false;
                        out.push_str(&r.body);
                    }
                    Some((Ok(web::Bytes::from(out)), (1, next, f)))
                }
                _ => None,
            }
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("X-Next-After", last.to_string()))
        .streaming(stream))
}

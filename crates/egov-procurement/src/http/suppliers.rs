//! Supplier registration and eligibility (tax clearance through the exchange).

use super::{Supplier, fail, field, supplier_id};
use crate::service::{self};
use crate::store::{self};
use crate::{Procurement, errors};
use actix_web::{HttpResponse, get, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use egov_auth::{Authorized, Principal};
use egov_core::Error;
use egov_core::text::free_text as text_ok;
use egov_exchange::Exchange;
use egov_exchange::client::{Call, CallError};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Licence {
    /// e.g. `construction`, `software`, `medical-devices`.
    pub kind: String,
    pub number: String,
    #[serde(default, deserialize_with = "egov_core::dates::date_opt")]
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

egov_core::problems!(RegisterSupplierErrors:
    crate::errors::NOT_A_SUPPLIER,
    crate::errors::NOT_REGISTERED,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Registers (or updates) the business as a supplier, once for every buyer.
#[utoipa::path(
    tag = "procurement",
    request_body = SupplierInput,
    responses(
        (status = 200, description = "The registration", body = SupplierView),
        RegisterSupplierErrors,
    ),
    security(("bearer" = ["kind:business", "aal:2"])),
)]
#[put("/suppliers/me")]
pub async fn register_supplier(
    auth: Authorized<Supplier>,
    p: web::Data<Procurement>,
    input: web::Json<SupplierInput>,
) -> Result<HttpResponse, Error> {
    let bid = supplier_id(&p, &auth)?;
    let view = register(&p, &auth, bid, input.into_inner()).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The registration's use case, shared with the supplier's page.
pub(crate) async fn register(
    p: &Procurement,
    who: &Principal,
    bid: String,
    input: SupplierInput,
) -> Result<SupplierView, Error> {
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
    let now = p.now();
    let row = store::SupplierRow {
        business_id: bid.clone(),
        account: who.subject.clone(),
        name: input.name.trim().to_owned(),
        categories: json!(input.categories).to_string(),
        licences: json!(input.licences).to_string(),
        representatives: json!(input.representatives).to_string(),
        registered_at: now,
        updated_at: now,
    };
    service::register_supplier(p, row).await?;
    supplier_view(p, bid).await
}

/// A supplier's registration as the supplier and buyers see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SupplierView {
    /// The business registration number.
    pub business_id: String,
    pub name: String,
    /// goods, works, services.
    pub categories: Vec<String>,
    pub licences: Vec<Licence>,
    pub representatives: Vec<Representative>,
    pub registered_at: DateTime<Utc>,
    /// Debarred today.
    pub debarred: bool,
    pub debarments: Vec<DebarmentView>,
    /// The tax clearance answer on file, while valid.
    pub tax_clearance: Option<EligibilityView>,
}

pub(crate) async fn supplier_view(p: &Procurement, bid: String) -> Result<SupplierView, Error> {
    let today = p.now().date();
    let service::Standing {
        registration: row,
        debarments,
        clearance: elig,
    } = service::standing(p, bid).await?;
    let row = row.ok_or_else(|| Error::new(errors::NOT_REGISTERED))?;
    Ok(SupplierView {
        business_id: row.business_id,
        name: row.name,
        categories: serde_json::from_str(&row.categories).unwrap_or_default(),
        licences: serde_json::from_str(&row.licences).unwrap_or_default(),
        representatives: serde_json::from_str(&row.representatives).unwrap_or_default(),
        registered_at: row.registered_at.and_utc(),
        debarred: debarments.iter().any(|d| d.active_on(today)),
        debarments: debarments.iter().map(debarment_view).collect(),
        tax_clearance: elig.map(|e| eligibility_view(&e)),
    })
}

/// A debarment as published.
#[derive(Debug, Serialize, ToSchema)]
pub struct DebarmentView {
    pub id: String,
    pub business_id: String,
    pub reason: String,
    pub legal_basis: String,
    pub from: chrono::NaiveDate,
    /// Absent: until lifted.
    pub until: Option<chrono::NaiveDate>,
    pub lifted_at: Option<chrono::DateTime<chrono::Utc>>,
    pub lift_reason: Option<String>,
}

pub(crate) fn debarment_view(d: &store::DebarmentRow) -> DebarmentView {
    DebarmentView {
        id: d.id.clone(),
        business_id: d.business_id.clone(),
        reason: d.reason.clone(),
        legal_basis: d.legal_basis.clone(),
        from: d.from_date,
        until: d.until_date,
        lifted_at: d.lifted_at.map(|t| t.and_utc()),
        lift_reason: d.lift_reason.clone(),
    }
}

/// An eligibility answer received through the exchange (today: the tax clearance).
#[derive(Debug, Serialize, ToSchema)]
pub struct EligibilityView {
    /// `tax_clearance`.
    pub kind: String,
    pub eligible: bool,
    /// The provider's signed answer as received.
    #[schema(value_type = Object)]
    pub answer: Value,
    /// The exchange member that answered.
    pub provider: String,
    /// The supplier's consent the request carried.
    pub consent: Option<String>,
    /// The exchange message, and its place in the exchange log.
    pub message_id: String,
    pub log_seq: i64,
    pub checked_at: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
}

pub(crate) fn eligibility_view(e: &store::EligibilityRow) -> EligibilityView {
    EligibilityView {
        kind: e.kind.clone(),
        eligible: e.eligible,
        answer: serde_json::from_str(&e.answer).unwrap_or(Value::Null),
        provider: e.provider.clone(),
        consent: e.consent.clone(),
        message_id: e.message_id.clone(),
        log_seq: e.log_seq,
        checked_at: e.checked_at.and_utc(),
        valid_until: e.valid_until.and_utc(),
    }
}

egov_core::problems!(MySupplierErrors:
    crate::errors::NOT_A_SUPPLIER,
    crate::errors::NOT_REGISTERED,
);

/// The supplier's registration, debarments and current tax clearance.
#[utoipa::path(
    tag = "procurement",
    responses(
        (status = 200, description = "The registration", body = SupplierView),
        MySupplierErrors,
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
pub(crate) async fn fetch_clearance(
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
    if rules.eligibility.tax_clearance == crate::domain::rules::ClearanceBasis::Consent
        && consent.is_none()
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
    let now = p.now();
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
    service::add_eligibility(p, r).await?;
    Ok(row)
}

egov_core::problems!(CheckEligibilityErrors:
    crate::errors::NOT_A_SUPPLIER,
    crate::errors::ELIGIBILITY_MISSING,
    crate::errors::ELIGIBILITY_REFUSED,
    crate::errors::NOT_REGISTERED,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::ELIGIBILITY_UNAVAILABLE,
    crate::errors::NOT_CONFIGURED,
);

/// Checks the supplier's tax clearance through the exchange now (the answer is kept with its
/// evidence until it expires and used for bids).
#[utoipa::path(
    tag = "procurement",
    request_body = EligibilityInput,
    responses(
        (status = 201, description = "The answer and its evidence", body = EligibilityView),
        CheckEligibilityErrors,
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
    service::supplier(&p, b)
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

//! The debarment list.

use super::{Officer, fail, field, reason_ok, uuid_ok};
use crate::http::amendments::ReasonInput;
use crate::http::suppliers::{DebarmentView, debarment_view};
use crate::service::{self};
use crate::store::{self};
use crate::{Procurement, errors};
use actix_web::{HttpResponse, get, post, web};
use chrono::NaiveDate;
use egov_auth::Authorized;
use egov_core::Error;
use egov_core::text::free_text as text_ok;
use serde::{Deserialize, Serialize};

use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DebarmentInput {
    pub business_id: String,
    /// 5 to 1000 characters.
    pub reason: String,
    /// The legal basis: 5 to 300 characters.
    pub legal_basis: String,
    #[serde(deserialize_with = "egov_core::dates::date")]
    pub from: NaiveDate,
    /// Absent: until lifted.
    #[serde(default, deserialize_with = "egov_core::dates::date_opt")]
    pub until: Option<NaiveDate>,
}

egov_core::problems!(AddDebarmentErrors:
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// Puts a business on the debarment list (officers of the procurement agency).
#[utoipa::path(
    tag = "procurement",
    request_body = DebarmentInput,
    responses(
        (status = 201, description = "The debarment", body = DebarmentView),
        AddDebarmentErrors,
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
        created_at: p.now(),
        lifted_at: None,
        lifted_by: None,
        lift_reason: None,
    };
    let out = debarment_view(&row);
    service::debar(&p, row).await?;
    Ok(HttpResponse::Created().json(out))
}

egov_core::problems!(LiftDebarmentErrors:
    crate::errors::DEBARMENT_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// Lifts a debarment in force, with a reason (kept on the record).
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Debarment id")),
    request_body = ReasonInput,
    responses(
        (status = 200, description = "Lifted", body = DebarmentView),
        LiftDebarmentErrors,
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
    let row = service::lift_debarment(&p, id.into_inner(), by, reason).await?;
    Ok(HttpResponse::Ok().json(debarment_view(&row)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DebarmentQuery {
    pub business_id: String,
}

egov_core::problems!(ListDebarmentsErrors:
    egov_core::error::codes::VALIDATION_FAILED,
);

/// A business's debarments, lifted ones included (public: the list is published).
#[utoipa::path(
    tag = "procurement",
    params(DebarmentQuery),
    responses(
        (status = 200, description = "Debarments", body = Debarments),
        ListDebarmentsErrors,
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
    let today = p.now().date();
    let rows = service::debarments(&p, id).await?;
    Ok(HttpResponse::Ok().json(Debarments {
        debarred: rows.iter().any(|d| d.active_on(today)),
        debarments: rows.iter().map(debarment_view).collect(),
    }))
}

/// A business's debarments and whether one is in force today.
#[derive(Debug, Serialize, ToSchema)]
pub struct Debarments {
    pub debarred: bool,
    pub debarments: Vec<DebarmentView>,
}

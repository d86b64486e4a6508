//! The delegation table (위임전결) in force and its rows.

use super::{OrgAdmin, agency, field, fields, text_ok};
use crate::Docflow;
use crate::http::org::OrgReader;
use crate::service::{self};
use crate::store::{self};
use actix_web::{HttpResponse, get, post, web};
use chrono::NaiveDate;
use egov_auth::Authorized;
use egov_core::Error;
use serde::Deserialize;
use utoipa::ToSchema;

egov_core::problems!(DelegationsErrors:
    crate::errors::NOT_CONFIGURED,
);

/// The delegation table in force for the agency: its own rows and the pack's defaults.
#[utoipa::path(tag = "docflow", responses(
        (status = 200, description = "Delegation tables", body = service::DelegationTables),
        DelegationsErrors,
    ),
    security(("bearer" = ["kind:officer", "kind:agency_admin"])))]
#[get("/delegations")]
pub async fn delegations(
    auth: Authorized<OrgReader>,
    d: web::Data<Docflow>,
) -> Result<HttpResponse, Error> {
    let ag = agency(&auth);
    let pack = d.rules()?.delegations.clone();
    let v = d
        .db()
        .run(move |c| service::delegation_tables(c, &ag, pack))
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// A row of the agency's delegation table.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DelegationInput {
    pub doc_type: String,
    /// Up to this amount (minor units); none = any amount.
    pub max_amount: Option<i64>,
    /// The lowest rank that may approve finally (not 1).
    pub rank: i32,
    #[serde(deserialize_with = "egov_core::dates::date")]
    pub effective_from: NaiveDate,
    #[serde(default, deserialize_with = "egov_core::dates::date_opt")]
    pub effective_to: Option<NaiveDate>,
    /// The directive that sets it.
    pub citation: String,
}

egov_core::problems!(AddDelegationErrors:
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// Adds a row to the agency's delegation table (rows are never edited: end one and add
/// another, so past decisions stay explained).
#[utoipa::path(tag = "docflow", request_body = DelegationInput,
    responses(
        (status = 201, description = "Created, with the organisation version", body = service::OrgChanged),
        AddDelegationErrors,
    ),
    security(("bearer" = ["kind:agency_admin"])))]
#[post("/delegations")]
pub async fn add_delegation(
    auth: Authorized<OrgAdmin>,
    d: web::Data<Docflow>,
    body: web::Json<DelegationInput>,
) -> Result<HttpResponse, Error> {
    let b = body.into_inner();
    let rules = d.rules()?;
    let mut e = Vec::new();
    if rules.doc_type(&b.doc_type).is_none() {
        e.push(field(
            "/doc_type",
            egov_core::text!(
                "detail-docflow-doc-type",
                "a document type of the country pack"
            ),
        ));
    }
    if rules.rank(b.rank).is_none() || b.rank == 1 {
        e.push(field(
            "/rank",
            egov_core::text!(
                "detail-docflow-delegated-rank",
                "a rank of the country pack below the head (not 1)"
            ),
        ));
    }
    if b.max_amount.is_some_and(|m| m < 0) {
        e.push(field(
            "/max_amount",
            egov_core::text!("detail-docflow-not-negative", "not negative"),
        ));
    }
    if b.effective_to.is_some_and(|t| t <= b.effective_from) {
        e.push(field(
            "/effective_to",
            egov_core::text!("detail-docflow-after-effective", "after effective_from"),
        ));
    }
    if !text_ok(&b.citation, 3, 300) {
        e.push(field("/citation", crate::http::chars(3, 300)));
    }
    fields(e)?;
    let ag = agency(&auth);
    let row = store::DelegationRow {
        id: service::new_id(),
        agency: ag.clone(),
        doc_type: b.doc_type,
        max_amount: b.max_amount,
        rank: b.rank,
        effective_from: b.effective_from,
        effective_to: b.effective_to,
        citation: b.citation,
        created_by: auth.subject.clone(),
        created_at: d.now(),
    };
    let actor = auth.subject.clone();
    let out = d
        .db()
        .transaction(move |c| service::add_delegation(c, &actor, row))
        .await?;
    Ok(HttpResponse::Created().json(out))
}

/// When a delegation row stops applying.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndInput {
    /// Exclusive: the first day it no longer applies.
    #[serde(deserialize_with = "egov_core::dates::date")]
    pub effective_to: NaiveDate,
}

egov_core::problems!(EndDelegationErrors:
    egov_core::error::codes::NOT_FOUND,
);

/// Ends a row of the agency's delegation table.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Delegation row id")), request_body = EndInput,
    responses(
        (status = 200, description = "Ended, with the organisation version", body = service::OrgChanged),
        EndDelegationErrors,
    ),
    security(("bearer" = ["kind:agency_admin"])))]
#[post("/delegations/{id}/end")]
pub async fn end_delegation(
    auth: Authorized<OrgAdmin>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    body: web::Json<EndInput>,
) -> Result<HttpResponse, Error> {
    let ag = agency(&auth);
    let (id, to) = (id.into_inner(), body.effective_to);
    let actor = auth.subject.clone();
    let dd = d.get_ref().clone();
    let out = d
        .db()
        .transaction(move |c| service::end_delegation(c, &dd, &actor, &ag, &id, to))
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

//! Contracts: signing and amendments.

use super::{Officer, reason_ok, supplier_id, tender, uuid_ok};
use crate::service::{self, Party};
use crate::store::{self, TenderRow};
use crate::{Procurement, errors};
use actix_web::{HttpResponse, get, post, web};
use egov_auth::{Authorized, Kind, Policy, Principal, Rule};
use egov_core::Error;
use egov_core::text::free_text as text_ok;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

/// Either party of a contract: the supplier's business account or the buying agency's
/// procurement officer.
#[derive(Debug)]
pub struct ContractParty;
impl Policy for ContractParty {
    const RULE: Rule = Rule::kinds(&[Kind::Business, Kind::Officer]).aal2();
}

pub(crate) async fn contract_for(
    p: &Procurement,
    who: &Principal,
    id: &str,
) -> Result<(store::ContractRow, TenderRow, Party), Error> {
    uuid_ok(id, errors::CONTRACT_NOT_FOUND)?;
    let k = service::contract(p, id.to_owned()).await?;
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

egov_core::problems!(ShowContractErrors:
    crate::errors::NOT_A_SUPPLIER,
    crate::errors::CONTRACT_NOT_FOUND,
    crate::errors::TENDER_NOT_FOUND,
);

/// A contract with every version and both parties' signatures.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Contract id")),
    responses(
        (status = 200, description = "The contract", body = crate::service::ContractView),
        ShowContractErrors,
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
    let versions = service::contract_versions(p.get_ref(), k.id.clone()).await?;
    let parse = |s: &Option<String>| {
        s.as_deref()
            .and_then(|x| serde_json::from_str::<Value>(x).ok())
    };
    Ok(HttpResponse::Ok().json(crate::service::ContractView {
        versions: versions
            .iter()
            .map(|v| crate::service::ContractVersionView {
                version: v.version,
                terms: serde_json::from_str(&v.terms).unwrap_or(Value::Null),
                digest: v.digest.clone(),
                reason: v.reason.clone(),
                created_at: v.created_at.and_utc(),
                buyer_signature: parse(&v.buyer_signature),
                supplier_signature: parse(&v.supplier_signature),
            })
            .collect(),
        id: k.id,
        tender_id: k.tender_id,
        award_id: k.award_id,
        supplier: k.supplier,
        status: k.status,
        version: k.version,
    }))
}

egov_core::problems!(SignContractErrors:
    crate::errors::NOT_A_SUPPLIER,
    crate::errors::CONTRACT_NOT_FOUND,
    crate::errors::TENDER_NOT_FOUND,
    crate::errors::ALREADY_SIGNED,
    crate::errors::NOT_CONFIGURED,
);

/// Signs the contract's latest version as the calling party.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Contract id")),
    responses(
        (status = 200, description = "Signed; whether the version is in force", body = crate::service::ContractSigned),
        SignContractErrors,
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

egov_core::problems!(AmendContractErrors:
    crate::errors::NOT_A_SUPPLIER,
    crate::errors::CONTRACT_NOT_FOUND,
    crate::errors::TENDER_NOT_FOUND,
    crate::errors::ILLEGAL_TRANSITION,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Proposes an amended version of an active contract (the buying officer); both parties sign
/// it again before it is in force.
#[utoipa::path(
    tag = "procurement",
    params(("id" = String, Path, description = "Contract id")),
    request_body = ContractAmendInput,
    responses(
        (status = 201, description = "The new version", body = crate::service::ContractAmended),
        AmendContractErrors,
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
    let version = propose_amendment(&p, &auth, &id, input.into_inner()).await?;
    Ok(HttpResponse::Created().json(crate::service::ContractAmended { version }))
}

/// The buying officer proposes an amended version of an active contract (the API's and the
/// desk's way); the new version's number.
pub(crate) async fn propose_amendment(
    p: &Procurement,
    who: &egov_auth::Principal,
    id: &str,
    input: ContractAmendInput,
) -> Result<i32, Error> {
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
    let (k, _, _) = contract_for(p, who, id).await?;
    let me = who.subject.clone();
    let q = p.clone();
    p.db()
        .transaction(move |c| {
            service::amend_contract(&q, c, &k, &me, &input.changes, &input.reason)
        })
        .await
}

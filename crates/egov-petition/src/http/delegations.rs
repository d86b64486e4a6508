//! Delegations: a person lets someone else (a person or a business) apply for documents about
//! them — one service or all, for up to 90 days — sees the delegations they gave and received,
//! and withdraws one at any time. Without one, a document about a person is issued only to
//! that person.

use super::{ApplicantPolicy, PersonPolicy, applicant_key};
use crate::Petition;
use crate::service::delegations;
use crate::store::DelegationRow;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use egov_auth::Authorized;
use egov_core::Error;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The longest a delegation may last.
const MAX_DAYS: u32 = 90;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDelegation {
    /// Your own national ID (shown masked to the person you delegate, so they know whose
    /// documents they may ask for; it must be yours).
    pub your_national_id: String,
    /// The person you delegate, by national ID …
    #[serde(default)]
    pub national_id: Option<String>,
    /// … or the business, by registration number.
    #[serde(default)]
    pub business_id: Option<String>,
    /// A service id of the catalogue, or `*` for every service.
    pub service: String,
    /// How long, in days (1 to 90).
    pub days: u32,
}

/// A delegation as its two sides see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DelegationView {
    pub id: String,
    /// Who may have documents about them issued to someone else (masked national ID).
    pub grantor: String,
    /// Who may apply (masked national ID, or business registration number).
    pub grantee: String,
    /// A service id, or `*`.
    pub service: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// Not withdrawn and not expired.
    pub active: bool,
}

/// The delegations the caller gave and received.
#[derive(Debug, Serialize, ToSchema)]
pub struct Delegations {
    pub given: Vec<DelegationView>,
    pub received: Vec<DelegationView>,
}

fn view(p: &Petition, d: DelegationRow) -> DelegationView {
    let now = p.now();
    DelegationView {
        active: d.withdrawn_at.is_none() && d.expires_at > now,
        id: d.id,
        grantor: d.grantor_masked,
        grantee: d.grantee_masked,
        service: d.service,
        created_at: d.created_at.and_utc(),
        expires_at: d.expires_at.and_utc(),
        withdrawn_at: d.withdrawn_at.map(|t| t.and_utc()),
    }
}

egov_core::problems!(DelegateErrors:
    crate::errors::NOT_AN_APPLICANT,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Delegate applying for documents about you.
#[utoipa::path(
    tag = "petition",
    request_body = NewDelegation,
    responses(
        (status = 201, body = DelegationView),
        DelegateErrors,
    ),
    security(("bearer" = ["kind:citizen", "aal:1"])),
)]
#[post("/me/delegations")]
pub async fn delegate(
    auth: Authorized<PersonPolicy>,
    p: web::Data<Petition>,
    input: web::Json<NewDelegation>,
) -> Result<HttpResponse, Error> {
    let me = applicant_key(&p, &auth)?;
    let input = input.into_inner();
    let pack = p.pack();
    let mine = pack
        .parse_national_id(&input.your_national_id)
        .ok()
        .filter(|id| p.0.index.national_id(id).as_str() == me)
        .ok_or_else(|| {
            Error::invalid_field(
                "/your_national_id",
                egov_core::text!("detail-must-be-yours", "must be your own"),
            )
        })?;
    let (grantee, grantee_masked) = match (&input.national_id, &input.business_id) {
        (Some(n), None) => {
            let id = pack
                .parse_national_id(n)
                .map_err(|e| Error::invalid_field("/national_id", e.text()))?;
            (
                p.0.index.national_id(&id).as_str().to_owned(),
                id.masked().to_owned(),
            )
        }
        (None, Some(b)) => {
            let b = pack
                .parse_business_id(b)
                .map_err(|e| Error::invalid_field("/business_id", e.text()))?;
            (
                format!("business:{}", b.canonical()),
                b.canonical().to_owned(),
            )
        }
        _ => {
            return Err(Error::invalid_field(
                "/national_id",
                egov_core::text!(
                    "detail-person-or-business",
                    "name the person (national_id) or the business (business_id), one of them"
                ),
            ));
        }
    };
    if grantee == me {
        return Err(Error::invalid_field(
            "/national_id",
            egov_core::text!("detail-that-is-you", "that is you"),
        ));
    }
    if input.service != "*" && !p.catalogue().services.contains_key(&input.service) {
        return Err(Error::invalid_field(
            "/service",
            egov_core::text!(
                "detail-service-or-any",
                "a service id of the catalogue, or *"
            ),
        ));
    }
    if !(1..=MAX_DAYS).contains(&input.days) {
        return Err(Error::invalid_field(
            "/days",
            egov_core::text!("detail-range", "{min} to {max}", min = 1, max = MAX_DAYS),
        ));
    }
    let now = p.now();
    let row = DelegationRow {
        id: uuid::Uuid::now_v7().to_string(),
        grantor: me,
        grantor_masked: mine.masked().to_owned(),
        grantee,
        grantee_masked,
        service: input.service,
        created_at: now,
        expires_at: now + chrono::Duration::days(i64::from(input.days)),
        withdrawn_at: None,
    };
    delegations::give(&p, row.clone()).await?;
    Ok(HttpResponse::Created().json(view(&p, row)))
}

egov_core::problems!(MyDelegationsErrors:
    crate::errors::NOT_AN_APPLICANT,
);

/// The delegations you gave and those you received.
#[utoipa::path(
    tag = "petition",
    responses(
        (status = 200, body = Delegations),
        MyDelegationsErrors,
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[get("/me/delegations")]
pub async fn my_delegations(
    auth: Authorized<ApplicantPolicy>,
    p: web::Data<Petition>,
) -> Result<web::Json<Delegations>, Error> {
    let me = applicant_key(&p, &auth)?;
    let rows = delegations::of(&p, me.clone()).await?;
    let (given, received): (Vec<_>, Vec<_>) = rows.into_iter().partition(|d| d.grantor == me);
    Ok(web::Json(Delegations {
        given: given.into_iter().map(|d| view(&p, d)).collect(),
        received: received.into_iter().map(|d| view(&p, d)).collect(),
    }))
}

egov_core::problems!(WithdrawDelegationErrors:
    crate::errors::NOT_AN_APPLICANT,
    crate::errors::DELEGATION_NOT_FOUND,
);

/// Withdraw a delegation you gave: from now on nothing more is issued under it.
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Delegation id")),
    responses(
        (status = 204, description = "Withdrawn"),
        WithdrawDelegationErrors,
    ),
    security(("bearer" = ["kind:citizen", "aal:1"])),
)]
#[post("/me/delegations/{id}/withdraw")]
pub async fn withdraw_delegation(
    auth: Authorized<PersonPolicy>,
    p: web::Data<Petition>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let me = applicant_key(&p, &auth)?;
    delegations::withdraw(&p, me, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

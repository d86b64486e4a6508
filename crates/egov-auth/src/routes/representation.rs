//! Who acts for a business: a business asks a person to represent it (by national ID), the
//! person accepts or refuses in their own account, and either side can end it later.
//!
//! A request answers the same whether or not anyone registered with the national ID, so the
//! business learns nothing about it until the person answers.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use egov_core::Error;
use egov_core::error::codes;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access_log::Action;
use crate::accounts::{self, AccountRow};
use crate::principal::Authorized;
use crate::principal::policies::{Business, Citizen};
use crate::representation::{self, InvitationRow, Status};
use crate::service::Service;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRepresentative {
    /// The person's national ID, in the country pack's format.
    pub national_id: String,
}

/// A request to represent a business, as the business sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RepresentativeInvitation {
    pub id: String,
    /// The national ID the business gave, masked.
    pub national_id: String,
    pub status: Status,
    pub created_at: DateTime<Utc>,
    /// The person must answer before this time.
    pub expires_at: DateTime<Utc>,
    /// When the person answered, or the business withdrew.
    pub decided_at: Option<DateTime<Utc>>,
}

fn sent(row: &InvitationRow, now: chrono::NaiveDateTime) -> RepresentativeInvitation {
    RepresentativeInvitation {
        id: row.id.clone(),
        national_id: row.national_id_masked.clone(),
        status: row.status_at(now),
        created_at: row.created_at.and_utc(),
        expires_at: row.expires_at.and_utc(),
        decided_at: row.decided_at.map(|d| d.and_utc()),
    }
}

egov_core::problems!(InviteRepresentativeErrors:
    egov_core::error::codes::CONFLICT,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Ask a person to represent the signed-in business.
///
/// The person sees the request in their account (`GET /auth/me/representation-requests`) and
/// accepts or refuses it. The answer is `202` with a `pending` request whether or not anyone
/// has registered with the national ID; asking again for the same person returns the request
/// still waiting. The request is recorded on the person's access log.
#[utoipa::path(
    tag = "auth",
    request_body = NewRepresentative,
    responses(
        (status = 202, description = "Asked: waiting for the person's answer", body = RepresentativeInvitation),
        InviteRepresentativeErrors,
    ),
    security(("bearer" = ["kind:business", "aal:1"])),
)]
#[post("/me/representatives")]
pub async fn invite_representative(
    req: HttpRequest,
    auth: Authorized<Business>,
    service: web::Data<Service>,
    body: web::Json<NewRepresentative>,
) -> Result<HttpResponse, Error> {
    let id = service
        .packs()
        .active()
        .parse_national_id(&body.national_id)
        .map_err(|e| Error::invalid_field("/national_id", e.text()))?;
    let index = service.secrets().index.national_id(&id);
    let masked = id.masked().to_owned();
    let now = Utc::now().naive_utc();
    let (business, key) = (auth.subject.clone(), index.as_str().to_owned());
    let row = service
        .db()
        .run(move |c| {
            // Already linked: the business knows, the person accepted earlier.
            if let Some(a) = accounts::find_by_national_index(c, &key)?
                && accounts::representatives_of(c, &business)?
                    .iter()
                    .any(|r| r.id == a.id)
            {
                return Err(Error::with_detail(
                    codes::CONFLICT,
                    egov_core::text!(
                        "detail-already-represents",
                        "this person already represents the business"
                    ),
                ));
            }
            representation::invite(c, &business, &key, &masked, now)
        })
        .await?;
    let o = service.origin(&req);
    crate::record(
        service.db(),
        crate::AccessEntry {
            actor: auth.subject.clone(),
            source_ip: o.ip,
            subject: index,
            action: Action::Create,
            purpose: "asked to represent a business".into(),
            module: "auth".into(),
            record_ref: Some(row.id.clone()),
            request_id: o.request_id,
        },
    )
    .await?;
    Ok(HttpResponse::Accepted().json(sent(&row, now)))
}

/// The signed-in business's requests and their answers, newest first.
#[utoipa::path(
    tag = "auth",
    responses((status = 200, description = "Requests", body = [RepresentativeInvitation])),
    security(("bearer" = ["kind:business", "aal:1"])),
)]
#[get("/me/representative-invitations")]
pub async fn list_invitations(
    auth: Authorized<Business>,
    service: web::Data<Service>,
) -> Result<web::Json<Vec<RepresentativeInvitation>>, Error> {
    let id = auth.subject.clone();
    let rows = service
        .db()
        .run(move |c| representation::sent_by(c, &id))
        .await?;
    let now = Utc::now().naive_utc();
    Ok(web::Json(rows.iter().map(|r| sent(r, now)).collect()))
}

egov_core::problems!(WithdrawInvitationErrors:
    egov_core::error::codes::NOT_FOUND,
);

/// Withdraw a request the person has not answered.
#[utoipa::path(
    tag = "auth",
    params(("id" = String, Path, description = "The request id")),
    responses(
        (status = 200, description = "Withdrawn", body = RepresentativeInvitation),
        WithdrawInvitationErrors,
    ),
    security(("bearer" = ["kind:business", "aal:1"])),
)]
#[delete("/me/representative-invitations/{id}")]
pub async fn withdraw_invitation(
    auth: Authorized<Business>,
    service: web::Data<Service>,
    path: web::Path<String>,
) -> Result<web::Json<RepresentativeInvitation>, Error> {
    let (id, business) = (path.into_inner(), auth.subject.clone());
    let now = Utc::now().naive_utc();
    let row = service
        .db()
        .run(move |c| representation::withdraw(c, &id, &business, now))
        .await?;
    Ok(web::Json(sent(&row, now)))
}

/// A person who acts for a business, as the business sees them.
#[derive(Debug, Serialize, ToSchema)]
pub struct Representative {
    pub account_id: String,
    pub display_name: String,
    /// Masked national ID.
    pub national_id: Option<String>,
}

fn representative(a: &AccountRow) -> Representative {
    Representative {
        account_id: a.id.clone(),
        display_name: a.display_name.clone(),
        national_id: a.national_id_masked.clone(),
    }
}

/// The signed-in business's representatives (people who accepted its request).
#[utoipa::path(
    tag = "auth",
    responses((status = 200, description = "Representatives", body = [Representative])),
    security(("bearer" = ["kind:business", "aal:1"])),
)]
#[get("/me/representatives")]
pub async fn list_representatives(
    auth: Authorized<Business>,
    service: web::Data<Service>,
) -> Result<web::Json<Vec<Representative>>, Error> {
    let id = auth.subject.clone();
    let rows = service
        .db()
        .run(move |c| accounts::representatives_of(c, &id))
        .await?;
    Ok(web::Json(rows.iter().map(representative).collect()))
}

egov_core::problems!(RemoveRepresentativeErrors:
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Remove a representative.
#[utoipa::path(
    tag = "auth",
    params(("account_id" = String, Path, description = "The representative's account id")),
    responses(
        (status = 204, description = "Removed"),
        RemoveRepresentativeErrors,
    ),
    security(("bearer" = ["kind:business", "aal:1"])),
)]
#[delete("/me/representatives/{account_id}")]
pub async fn remove_representative(
    req: HttpRequest,
    auth: Authorized<Business>,
    service: web::Data<Service>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let citizen = path.into_inner();
    unlink(
        &req,
        &service,
        Link {
            actor: &auth.subject,
            business: &auth.subject,
            citizen: &citizen,
            subject: &citizen,
            purpose: "removed as a business representative",
            missing: "not a representative of this business",
        },
    )
    .await
}

/// One side ends a representation.
struct Link<'a> {
    actor: &'a str,
    business: &'a str,
    citizen: &'a str,
    /// Whose access log records it.
    subject: &'a str,
    purpose: &'a str,
    /// The detail of the 404 when there is no such link.
    missing: &'a str,
}

async fn unlink(
    req: &HttpRequest,
    service: &Service,
    link: Link<'_>,
) -> Result<HttpResponse, Error> {
    let (b, c) = (link.business.to_owned(), link.citizen.to_owned());
    let removed = service
        .db()
        .run(move |conn| accounts::remove_representative(conn, &b, &c))
        .await?;
    if !removed {
        return Err(Error::with_detail(codes::NOT_FOUND, link.missing));
    }
    service
        .audit(
            &service.origin(req),
            link.actor,
            link.subject,
            Action::Delete,
            link.purpose,
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A business's request, as the person asked sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RepresentationRequest {
    pub id: String,
    /// The business's account id.
    pub business_account_id: String,
    pub business_name: String,
    /// Business registration number.
    pub business_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

egov_core::problems!(MyRequestsErrors:
    egov_core::error::codes::NOT_FOUND,
);

/// Requests from businesses that the signed-in citizen represent them, waiting for an answer.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "Requests waiting for an answer", body = [RepresentationRequest]),
        MyRequestsErrors,
    ),
    security(("bearer" = ["kind:citizen", "aal:1"])),
)]
#[get("/me/representation-requests")]
pub async fn my_requests(
    auth: Authorized<Citizen>,
    service: web::Data<Service>,
) -> Result<web::Json<Vec<RepresentationRequest>>, Error> {
    let account = service.account(&auth.subject).await?;
    let Some(index) = account.national_id_index else {
        return Ok(web::Json(Vec::new()));
    };
    let now = Utc::now().naive_utc();
    let rows = service
        .db()
        .run(move |c| {
            let rows = representation::waiting_for(c, &index, now)?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                let b = accounts::get(c, &r.business_account_id)?;
                out.push(RepresentationRequest {
                    id: r.id,
                    business_account_id: b.id,
                    business_name: b.display_name,
                    business_id: b.business_id,
                    created_at: r.created_at.and_utc(),
                    expires_at: r.expires_at.and_utc(),
                });
            }
            Ok(out)
        })
        .await?;
    Ok(web::Json(rows))
}

async fn answer(
    req: HttpRequest,
    auth: Authorized<Citizen>,
    service: web::Data<Service>,
    id: String,
    accept: bool,
) -> Result<InvitationRow, Error> {
    let account = service.account(&auth.subject).await?;
    let index = account.national_id_index.clone().ok_or_else(|| {
        Error::with_detail(
            codes::NOT_FOUND,
            egov_core::text!("detail-no-request", "no such request"),
        )
    })?;
    let now = Utc::now().naive_utc();
    let citizen = account.id.clone();
    let row = service
        .db()
        .run(move |c| representation::answer(c, &id, &citizen, &index, accept, now))
        .await?;
    service
        .audit(
            &service.origin(&req),
            &account.id,
            &account.id,
            if accept {
                Action::Create
            } else {
                Action::Delete
            },
            if accept {
                "accepted to represent a business"
            } else {
                "refused to represent a business"
            },
        )
        .await?;
    Ok(row)
}

egov_core::problems!(AcceptRequestErrors:
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Accept a business's request: you become its representative.
#[utoipa::path(
    tag = "auth",
    params(("id" = String, Path, description = "The request id")),
    responses(
        (status = 200, description = "You represent the business", body = RepresentedBusiness),
        AcceptRequestErrors,
    ),
    security(("bearer" = ["kind:citizen", "aal:1"])),
)]
#[post("/me/representation-requests/{id}/accept")]
pub async fn accept_request(
    req: HttpRequest,
    auth: Authorized<Citizen>,
    service: web::Data<Service>,
    path: web::Path<String>,
) -> Result<web::Json<RepresentedBusiness>, Error> {
    let row = answer(req, auth, service.clone(), path.into_inner(), true).await?;
    let b = service.account(&row.business_account_id).await?;
    Ok(web::Json(represented(&b)))
}

egov_core::problems!(RefuseRequestErrors:
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Refuse a business's request. The business sees `refused`.
#[utoipa::path(
    tag = "auth",
    params(("id" = String, Path, description = "The request id")),
    responses(
        (status = 204, description = "Refused"),
        RefuseRequestErrors,
    ),
    security(("bearer" = ["kind:citizen", "aal:1"])),
)]
#[post("/me/representation-requests/{id}/refuse")]
pub async fn refuse_request(
    req: HttpRequest,
    auth: Authorized<Citizen>,
    service: web::Data<Service>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    answer(req, auth, service, path.into_inner(), false).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A business the signed-in citizen represents.
#[derive(Debug, Serialize, ToSchema)]
pub struct RepresentedBusiness {
    pub account_id: String,
    pub display_name: String,
    /// Business registration number.
    pub business_id: Option<String>,
}

fn represented(b: &AccountRow) -> RepresentedBusiness {
    RepresentedBusiness {
        account_id: b.id.clone(),
        display_name: b.display_name.clone(),
        business_id: b.business_id.clone(),
    }
}

/// The businesses the signed-in citizen represents.
#[utoipa::path(
    tag = "auth",
    responses((status = 200, description = "Businesses", body = [RepresentedBusiness])),
    security(("bearer" = ["kind:citizen", "aal:1"])),
)]
#[get("/me/businesses")]
pub async fn my_businesses(
    auth: Authorized<Citizen>,
    service: web::Data<Service>,
) -> Result<web::Json<Vec<RepresentedBusiness>>, Error> {
    let id = auth.subject.clone();
    let rows = service
        .db()
        .run(move |c| accounts::businesses_of(c, &id))
        .await?;
    Ok(web::Json(rows.iter().map(represented).collect()))
}

egov_core::problems!(LeaveBusinessErrors:
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Stop representing a business.
#[utoipa::path(
    tag = "auth",
    params(("account_id" = String, Path, description = "The business's account id")),
    responses(
        (status = 204, description = "You no longer represent the business"),
        LeaveBusinessErrors,
    ),
    security(("bearer" = ["kind:citizen", "aal:1"])),
)]
#[delete("/me/businesses/{account_id}")]
pub async fn leave_business(
    req: HttpRequest,
    auth: Authorized<Citizen>,
    service: web::Data<Service>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let business = path.into_inner();
    unlink(
        &req,
        &service,
        Link {
            actor: &auth.subject,
            business: &business,
            citizen: &auth.subject,
            subject: &auth.subject,
            purpose: "stopped representing a business",
            missing: "you do not represent this business",
        },
    )
    .await
}

//! Administration: agencies, official accounts (invitations, roles, locks, disabling,
//! sessions, password resets), OIDC clients, signing keys, and the auditors' view of the
//! access log. Agency admins manage only their own agency's officers.

use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use egov_core::Error;
use egov_core::error::codes;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::access_log::{AccessEntry, Action, SubjectKey};
use crate::accounts::{self, Account, AccountRow, Agency, NewAccount};
use crate::clients;
use crate::principal::policies::{Admin, Auditor, PlatformAdmin, SignedIn};
use crate::principal::{Authorized, Kind, Principal};
use crate::routes::login::{check_email, check_name};
use crate::routes::me::{AccessLogPage, named_page};
use crate::service::Service;
use crate::sessions;
use crate::tokens::Purpose;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAgency {
    /// Agency code: 2 to 32 of `A-Z`, `0-9`, `_`, `-`.
    #[schema(schema_with = egov_core::text::schema::agency_code)]
    pub id: String,
    #[schema(schema_with = egov_core::text::schema::name)]
    pub name: String,
}

egov_core::problems!(CreateAgencyErrors:
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::CONFLICT,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Create an agency.
#[utoipa::path(
    tag = "auth",
    request_body = NewAgency,
    responses(
        (status = 201, description = "Created", body = Agency),
        CreateAgencyErrors,
    ),
    security(("bearer" = ["kind:platform_admin", "aal:2"])),
)]
#[post("/agencies")]
pub async fn create_agency(
    _auth: Authorized<PlatformAdmin>,
    service: web::Data<Service>,
    body: web::Json<NewAgency>,
) -> Result<HttpResponse, Error> {
    let body = body.into_inner();
    if !agency_code(&body.id) {
        return Err(Error::invalid_field("/id", "2 to 32 of A-Z, 0-9, `_`, `-`"));
    }
    let name = check_name("/name", &body.name)?;
    let agency = service
        .db()
        .run(move |c| accounts::insert_agency(c, &body.id, &name))
        .await?;
    Ok(HttpResponse::Created().json(agency))
}

/// List agencies.
#[utoipa::path(
    tag = "auth",
    responses((status = 200, description = "Every agency", body = [Agency])),
    security(("bearer" = ["aal:1"])),
)]
#[get("/agencies")]
pub async fn list_agencies(
    _auth: Authorized<SignedIn>,
    service: web::Data<Service>,
) -> Result<web::Json<Vec<Agency>>, Error> {
    Ok(web::Json(service.db().run(accounts::list_agencies).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOfficial {
    /// `officer` or `agency_admin` in an agency; `auditor` or `platform_admin` at
    /// `POST /auth/accounts`.
    pub kind: Kind,
    #[schema(schema_with = egov_core::text::schema::username)]
    pub username: String,
    #[schema(schema_with = egov_core::text::schema::name)]
    pub display_name: String,
    #[serde(default)]
    #[schema(schema_with = egov_core::text::schema::email)]
    pub email: Option<String>,
    #[serde(default)]
    #[schema(schema_with = egov_core::text::schema::optional_name)]
    pub position: Option<String>,
    /// Roles such as `petition.officer` (module-defined).
    #[serde(default)]
    #[schema(schema_with = egov_core::text::schema::roles)]
    pub roles: Vec<String>,
}

/// A created account and the invitation its holder accepts to set a password.
#[derive(Debug, Serialize, ToSchema)]
pub struct Invitation {
    pub account: Account,
    /// Single use, valid `auth.invitation_secs`: hand it to the person over a trusted
    /// channel; they set their password at `POST /auth/invitations/accept`.
    pub invitation_token: String,
}

egov_core::problems!(InviteAgencyAccountErrors:
    egov_core::error::codes::FORBIDDEN,
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::CONFLICT,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Invite an officer or agency admin into an agency.
///
/// Agency admins may invite officers of their own agency; platform admins may invite
/// officers and agency admins of any agency.
#[utoipa::path(
    tag = "auth",
    params(("agency" = String, Path, description = "Agency code")),
    request_body = NewOfficial,
    responses(
        (status = 201, description = "Invited", body = Invitation),
        InviteAgencyAccountErrors,
    ),
    security(("bearer" = ["kind:platform_admin", "kind:agency_admin", "aal:2"])),
)]
#[post("/agencies/{agency}/accounts")]
pub async fn invite_agency_account(
    req: HttpRequest,
    auth: Authorized<Admin>,
    service: web::Data<Service>,
    path: web::Path<String>,
    body: web::Json<NewOfficial>,
) -> Result<HttpResponse, Error> {
    let agency = path.into_inner();
    auth.require_agency(&agency)?;
    let body = body.into_inner();
    let allowed = match auth.kind {
        Kind::PlatformAdmin => matches!(body.kind, Kind::Officer | Kind::AgencyAdmin),
        _ => body.kind == Kind::Officer,
    };
    if !allowed {
        return Err(Error::with_detail(
            codes::FORBIDDEN,
            format!("a {} cannot create {} accounts here", auth.kind, body.kind),
        ));
    }
    let a = agency.clone();
    service
        .db()
        .run(move |c| accounts::get_agency(c, &a))
        .await?;
    invite(req, &auth, &service, body, Some(agency)).await
}

egov_core::problems!(InviteAccountErrors:
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::CONFLICT,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Invite an auditor or another platform admin.
#[utoipa::path(
    tag = "auth",
    request_body = NewOfficial,
    responses(
        (status = 201, description = "Invited", body = Invitation),
        InviteAccountErrors,
    ),
    security(("bearer" = ["kind:platform_admin", "aal:2"])),
)]
#[post("/accounts")]
pub async fn invite_account(
    req: HttpRequest,
    auth: Authorized<PlatformAdmin>,
    service: web::Data<Service>,
    body: web::Json<NewOfficial>,
) -> Result<HttpResponse, Error> {
    let body = body.into_inner();
    if !matches!(body.kind, Kind::Auditor | Kind::PlatformAdmin) {
        return Err(Error::invalid_field(
            "/kind",
            "auditor or platform_admin here; officers and agency admins are invited into an agency",
        ));
    }
    invite(req, &auth, &service, body, None).await
}

async fn invite(
    req: HttpRequest,
    auth: &Principal,
    service: &Service,
    body: NewOfficial,
    agency: Option<String>,
) -> Result<HttpResponse, Error> {
    let roles = check_roles(service, body.roles)?;
    let position = match body.position {
        Some(p) => Some(check_name("/position", &p)?),
        None => None,
    };
    let account = service
        .create_account(
            NewAccount {
                username: body.username,
                kind: Some(body.kind),
                display_name: check_name("/display_name", &body.display_name)?,
                email: check_email(body.email)?,
                agency_id: agency,
                position,
                roles,
                created_by: Some(auth.subject.clone()),
                ..NewAccount::default()
            },
            None,
        )
        .await?;
    let token = service.purpose_token(
        &account,
        Purpose::Invitation,
        service.settings().auth.invitation_secs,
    )?;
    service
        .audit(
            &service.origin(&req),
            &auth.subject,
            &account.id,
            Action::Create,
            "official invited",
        )
        .await?;
    Ok(HttpResponse::Created().json(Invitation {
        account: account.view(),
        invitation_token: token,
    }))
}

/// An agency code: 2 to 32 of `A-Z`, `0-9`, `_`, `-`.
pub(crate) fn agency_code(id: &str) -> bool {
    (2..=32).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn check_roles(service: &Service, roles: Vec<String>) -> Result<Vec<String>, Error> {
    if roles.len() > 32 {
        return Err(Error::invalid_field("/roles", "at most 32 roles"));
    }
    for (i, r) in roles.iter().enumerate() {
        let ok = (1..=64).contains(&r.len())
            && r.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_');
        if !ok {
            return Err(Error::invalid_field(
                format!("/roles/{i}"),
                "1 to 64 of a-z, 0-9, `.`, `_`",
            ));
        }
        if let Some(known) = service.known_roles()
            && !known.contains(&r.as_str())
        {
            return Err(Error::invalid_field(
                format!("/roles/{i}"),
                egov_core::text!(
                    "detail-unknown-role",
                    "not a role of this platform's modules: {known}",
                    known = known.join(", ")
                ),
            ));
        }
    }
    let mut roles = roles;
    roles.sort();
    roles.dedup();
    Ok(roles)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AccountPage {
    /// Return accounts after this id (the previous page's `next`).
    pub after: Option<String>,
    /// 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountList {
    pub accounts: Vec<Account>,
    pub next: Option<String>,
}

egov_core::problems!(ListAgencyAccountsErrors:
    egov_core::error::codes::INVALID_PARAMETER,
    egov_core::error::codes::FORBIDDEN,
);

/// List an agency's officers and admins.
#[utoipa::path(
    tag = "auth",
    params(("agency" = String, Path, description = "Agency code"), AccountPage),
    responses(
        (status = 200, description = "A page of accounts", body = AccountList),
        ListAgencyAccountsErrors,
    ),
    security(("bearer" = ["kind:platform_admin", "kind:agency_admin", "aal:2"])),
)]
#[get("/agencies/{agency}/accounts")]
pub async fn list_agency_accounts(
    auth: Authorized<Admin>,
    service: web::Data<Service>,
    path: web::Path<String>,
    page: web::Query<AccountPage>,
) -> Result<web::Json<AccountList>, Error> {
    let agency = path.into_inner();
    auth.require_agency(&agency)?;
    let limit = page.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(Error::with_detail(
            codes::INVALID_PARAMETER,
            "limit must be between 1 and 200",
        ));
    }
    let after = page.into_inner().after;
    let rows = service
        .db()
        .run(move |c| accounts::list_in_agency(c, &agency, limit, after.as_deref()))
        .await?;
    let next = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|r| r.id.clone()))
        .flatten();
    Ok(web::Json(AccountList {
        accounts: rows.iter().map(AccountRow::view).collect(),
        next,
    }))
}

/// The account an admin may manage: platform admins any official; agency admins officers of
/// their agency. Citizens and businesses are never managed here.
async fn managed(auth: &Principal, service: &Service, id: String) -> Result<AccountRow, Error> {
    let account = service.account(&id).await?;
    let ok = match auth.kind {
        Kind::PlatformAdmin => account.kind().is_official(),
        Kind::AgencyAdmin => {
            account.kind() == Kind::Officer
                && account.agency_id.is_some()
                && account.agency_id == auth.agency
        }
        _ => false,
    };
    if !ok {
        // Same answer as for an unknown id: an agency admin learns nothing about other agencies.
        return Err(Error::with_detail(codes::NOT_FOUND, "no such account"));
    }
    Ok(account)
}

egov_core::problems!(GetAccountErrors:
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// One managed account. The view is recorded on the account holder's access log.
#[utoipa::path(
    tag = "auth",
    params(("id" = String, Path, description = "Account id")),
    responses(
        (status = 200, description = "The account", body = Account),
        GetAccountErrors,
    ),
    security(("bearer" = ["kind:platform_admin", "kind:agency_admin", "aal:2"])),
)]
#[get("/accounts/{id}")]
pub async fn get_account(
    req: HttpRequest,
    auth: Authorized<Admin>,
    service: web::Data<Service>,
    path: web::Path<String>,
) -> Result<web::Json<Account>, Error> {
    let account = managed(&auth, &service, path.into_inner()).await?;
    service
        .audit(
            &service.origin(&req),
            &auth.subject,
            &account.id,
            Action::View,
            "account administration",
        )
        .await?;
    Ok(web::Json(account.view()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RolesRequest {
    #[schema(schema_with = egov_core::text::schema::roles)]
    pub roles: Vec<String>,
}

egov_core::problems!(SetRolesErrors:
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Replace an official's roles. Takes effect at their next token refresh.
#[utoipa::path(
    tag = "auth",
    params(("id" = String, Path, description = "Account id")),
    request_body = RolesRequest,
    responses(
        (status = 200, description = "The account", body = Account),
        SetRolesErrors,
    ),
    security(("bearer" = ["kind:platform_admin", "kind:agency_admin", "aal:2"])),
)]
#[put("/accounts/{id}/roles")]
pub async fn set_roles(
    req: HttpRequest,
    auth: Authorized<Admin>,
    service: web::Data<Service>,
    path: web::Path<String>,
    body: web::Json<RolesRequest>,
) -> Result<web::Json<Account>, Error> {
    let roles = check_roles(&service, body.into_inner().roles)?;
    let account = managed(&auth, &service, path.into_inner()).await?;
    let id = account.id.clone();
    let purpose = format!("roles set to [{}]", roles.join(", "));
    service
        .db()
        .run(move |c| accounts::set_roles(c, &id, &roles))
        .await?;
    service
        .audit(
            &service.origin(&req),
            &auth.subject,
            &account.id,
            Action::RoleChange,
            &purpose,
        )
        .await?;
    Ok(web::Json(service.account(&account.id).await?.view()))
}

egov_core::problems!(UnlockErrors:
    egov_core::error::codes::NOT_FOUND,
);

/// Lift a sign-in lock of an official.
#[utoipa::path(
    tag = "auth",
    params(("id" = String, Path, description = "Account id")),
    responses(
        (status = 204, description = "Unlocked"),
        UnlockErrors,
    ),
    security(("bearer" = ["kind:platform_admin", "kind:agency_admin", "aal:2"])),
)]
#[post("/accounts/{id}/unlock")]
pub async fn unlock(
    req: HttpRequest,
    auth: Authorized<Admin>,
    service: web::Data<Service>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let account = managed(&auth, &service, path.into_inner()).await?;
    service
        .unlock(&auth, &account, &service.origin(&req))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

egov_core::problems!(DisableErrors:
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::CONFLICT,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Disable an official: every session ends, sign-in is refused.
#[utoipa::path(
    tag = "auth",
    params(("id" = String, Path, description = "Account id")),
    responses(
        (status = 204, description = "Disabled"),
        DisableErrors,
    ),
    security(("bearer" = ["kind:platform_admin", "kind:agency_admin", "aal:2"])),
)]
#[post("/accounts/{id}/disable")]
pub async fn disable(
    req: HttpRequest,
    auth: Authorized<Admin>,
    service: web::Data<Service>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let account = managed(&auth, &service, path.into_inner()).await?;
    if account.id == auth.subject {
        return Err(Error::with_detail(
            codes::CONFLICT,
            "you cannot disable yourself",
        ));
    }
    let id = account.id.clone();
    service
        .db()
        .run(move |c| {
            accounts::set_status(c, &id, accounts::STATUS_DISABLED)?;
            sessions::revoke_all(c, &id, "account disabled")
        })
        .await?;
    service
        .audit(
            &service.origin(&req),
            &auth.subject,
            &account.id,
            Action::SessionRevoke,
            "account disabled",
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

egov_core::problems!(EnableErrors:
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::CONFLICT,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Re-enable a disabled official.
#[utoipa::path(
    tag = "auth",
    params(("id" = String, Path, description = "Account id")),
    responses(
        (status = 204, description = "Enabled"),
        EnableErrors,
    ),
    security(("bearer" = ["kind:platform_admin", "kind:agency_admin", "aal:2"])),
)]
#[post("/accounts/{id}/enable")]
pub async fn enable(
    req: HttpRequest,
    auth: Authorized<Admin>,
    service: web::Data<Service>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let account = managed(&auth, &service, path.into_inner()).await?;
    if account.status != accounts::STATUS_DISABLED {
        return Err(Error::with_detail(
            codes::CONFLICT,
            "the account is not disabled",
        ));
    }
    let id = account.id.clone();
    let status = if account.password_hash.is_some() {
        accounts::STATUS_ACTIVE
    } else {
        accounts::STATUS_INVITED
    };
    service
        .db()
        .run(move |c| accounts::set_status(c, &id, status))
        .await?;
    service
        .audit(
            &service.origin(&req),
            &auth.subject,
            &account.id,
            Action::Change,
            "account enabled",
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

egov_core::problems!(RevokeSessionsErrors:
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// End every session of an official (their refresh tokens stop working at once).
#[utoipa::path(
    tag = "auth",
    params(("id" = String, Path, description = "Account id")),
    responses(
        (status = 204, description = "Revoked"),
        RevokeSessionsErrors,
    ),
    security(("bearer" = ["kind:platform_admin", "kind:agency_admin", "aal:2"])),
)]
#[post("/accounts/{id}/sessions/revoke")]
pub async fn revoke_sessions(
    req: HttpRequest,
    auth: Authorized<Admin>,
    service: web::Data<Service>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let account = managed(&auth, &service, path.into_inner()).await?;
    let id = account.id.clone();
    service
        .db()
        .run(move |c| sessions::revoke_all(c, &id, "revoked by an administrator"))
        .await?;
    service
        .audit(
            &service.origin(&req),
            &auth.subject,
            &account.id,
            Action::SessionRevoke,
            "sessions revoked by an administrator",
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResetToken {
    /// Single use, valid `auth.invitation_secs`; the holder sets a new password at
    /// `POST /auth/password-reset`.
    pub reset_token: String,
}

egov_core::problems!(IssueResetErrors:
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::CONFLICT,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Issue a password-reset token for an official.
#[utoipa::path(
    tag = "auth",
    params(("id" = String, Path, description = "Account id")),
    responses(
        (status = 200, description = "The token", body = ResetToken),
        IssueResetErrors,
    ),
    security(("bearer" = ["kind:platform_admin", "kind:agency_admin", "aal:2"])),
)]
#[post("/accounts/{id}/password-reset")]
pub async fn issue_reset(
    req: HttpRequest,
    auth: Authorized<Admin>,
    service: web::Data<Service>,
    path: web::Path<String>,
) -> Result<web::Json<ResetToken>, Error> {
    let account = managed(&auth, &service, path.into_inner()).await?;
    if !account.is_active() {
        return Err(Error::with_detail(
            codes::CONFLICT,
            "the account is not active",
        ));
    }
    let token = service.purpose_token(
        &account,
        Purpose::PasswordReset,
        service.settings().auth.invitation_secs,
    )?;
    service
        .audit(
            &service.origin(&req),
            &auth.subject,
            &account.id,
            Action::CredentialChange,
            "password reset issued",
        )
        .await?;
    Ok(web::Json(ResetToken { reset_token: token }))
}

egov_core::problems!(CreateClientErrors:
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Register an OpenID Connect client.
#[utoipa::path(
    tag = "auth",
    request_body = clients::NewClient,
    responses(
        (status = 201, description = "Registered; a confidential client's secret is shown once", body = clients::RegisteredClient),
        CreateClientErrors,
    ),
    security(("bearer" = ["kind:platform_admin", "aal:2"])),
)]
#[post("/clients")]
pub async fn create_client(
    _auth: Authorized<PlatformAdmin>,
    service: web::Data<Service>,
    body: web::Json<clients::NewClient>,
) -> Result<HttpResponse, Error> {
    let client = clients::register(service.db(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(client))
}

/// List OpenID Connect clients.
#[utoipa::path(
    tag = "auth",
    responses((status = 200, description = "Clients", body = [clients::Client])),
    security(("bearer" = ["kind:platform_admin", "aal:2"])),
)]
#[get("/clients")]
pub async fn list_clients(
    _auth: Authorized<PlatformAdmin>,
    service: web::Data<Service>,
) -> Result<web::Json<Vec<clients::Client>>, Error> {
    Ok(web::Json(service.db().run(clients::list).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Rotated {
    /// The new signing key's id.
    pub kid: String,
}

egov_core::problems!(RotateKeysErrors:
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Rotate the token-signing key. The old public key stays in the JWKS until its tokens expire.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "Rotated", body = Rotated),
        RotateKeysErrors,
    ),
    security(("bearer" = ["kind:platform_admin", "aal:2"])),
)]
#[post("/keys/rotate")]
pub async fn rotate_keys(
    _auth: Authorized<PlatformAdmin>,
    service: web::Data<Service>,
) -> Result<web::Json<Rotated>, Error> {
    Ok(web::Json(Rotated {
        kid: service.auth().rotate().await?,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessLogSearch {
    /// A citizen's national ID (matched through the blind index; never stored in clear).
    #[serde(default)]
    pub national_id: Option<String>,
    /// An account id (the data subject).
    #[serde(default)]
    pub account_id: Option<String>,
    /// Older than this sequence number (paging).
    #[serde(default)]
    pub before: Option<i64>,
    /// 1 to 500 (default 100).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Why the auditor looks (recorded on the log itself).
    pub purpose: String,
}

egov_core::problems!(SearchAccessLogErrors:
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Search the privacy access log by data subject. A POST, so the national ID never appears in
/// a URL or an access log; the search is itself recorded.
#[utoipa::path(
    tag = "auth",
    request_body = AccessLogSearch,
    responses(
        (status = 200, description = "A page of records", body = AccessLogPage),
        SearchAccessLogErrors,
    ),
    security(("bearer" = ["kind:auditor", "aal:2"])),
)]
#[post("/audit/access-log/search")]
pub async fn search_access_log(
    req: HttpRequest,
    auth: Authorized<Auditor>,
    service: web::Data<Service>,
    body: web::Json<AccessLogSearch>,
) -> Result<web::Json<AccessLogPage>, Error> {
    let body = body.into_inner();
    let purpose = check_name("/purpose", &body.purpose)?;
    let limit = body.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(Error::invalid_field("/limit", "between 1 and 500"));
    }
    let mut subjects: Vec<SubjectKey> = Vec::new();
    let mut record_subject = None;
    if let Some(raw) = &body.national_id {
        let id = service
            .packs()
            .active()
            .parse_national_id(raw)
            .map_err(|e| Error::invalid_field("/national_id", e.text()))?;
        let key = service.secrets().index.national_id(&id);
        let idx = key.as_str().to_owned();
        subjects.push(key);
        if let Some(a) = service
            .db()
            .run(move |c| accounts::find_by_national_index(c, &idx))
            .await?
        {
            subjects.push(service.secrets().index.account(&a.id));
        }
        record_subject = subjects.first().cloned();
    }
    if let Some(account) = &body.account_id {
        if account.len() > 64 {
            return Err(Error::invalid_field("/account_id", "at most 64 characters"));
        }
        let key = service.secrets().index.account(account);
        record_subject.get_or_insert(key.clone());
        subjects.push(key);
    }
    let Some(subject) = record_subject else {
        return Err(Error::invalid_field(
            "/national_id",
            "give national_id or account_id",
        ));
    };
    let o = service.origin(&req);
    crate::record(
        service.db(),
        AccessEntry {
            actor: auth.subject.clone(),
            source_ip: o.ip,
            subject,
            action: Action::View,
            purpose: format!("audit: {purpose}"),
            module: "auth".into(),
            record_ref: None,
            request_id: o.request_id,
        },
    )
    .await?;
    let before = body.before;
    let (records, names) = service
        .db()
        .run(move |c| {
            let records = crate::store::for_subjects(c, &subjects, before, limit)?;
            let names = crate::service::actor_names(c, &records);
            Ok((records, names))
        })
        .await?;
    Ok(web::Json(named_page(records, &names, limit)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChainCheck {
    pub intact: bool,
    /// Records checked.
    pub checked: u64,
    /// The checkpoint verification started from (0: the beginning).
    pub from_checkpoint: i64,
    pub head_seq: i64,
    /// What is wrong, when broken.
    pub problem: Option<String>,
}

/// Verify the access log's hash chain (the same check as `egov audit verify`).
#[utoipa::path(
    tag = "auth",
    responses((status = 200, description = "The result", body = ChainCheck)),
    security(("bearer" = ["kind:auditor", "aal:2"])),
)]
#[get("/audit/verify")]
pub async fn verify_chain(
    _auth: Authorized<Auditor>,
    service: web::Data<Service>,
) -> Result<web::Json<ChainCheck>, Error> {
    let v = crate::verify(service.db()).await?;
    Ok(web::Json(ChainCheck {
        intact: v.intact(),
        checked: v.checked,
        from_checkpoint: v.from_checkpoint,
        head_seq: v.head_seq,
        problem: v.problem,
    }))
}

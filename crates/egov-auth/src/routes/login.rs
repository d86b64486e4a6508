//! The JSON sign-in API for first-party clients, refresh, logout, step-up, bootstrap,
//! self-registration, invitations and password resets.

use actix_web::{HttpRequest, HttpResponse, post, web};
use egov_core::Error;
use egov_core::error::codes;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access_log::Action;
use crate::accounts::{self, NewAccount};
use crate::bootstrap;
use crate::errors;
use crate::principal::policies::SignedIn;
use crate::principal::{Aal, Authorized, Kind};
use crate::service::{Attempt, FIRST_PARTY_CLIENT, Origin, Service, SignIn, Throttled, TokenSet};
use crate::sessions;
use crate::tokens::Purpose;

/// Longest password accepted at sign-in (longer ones are refused before hashing).
const MAX_PASSWORD: usize = 128;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "kim.citizen")]
    pub username: String,
    #[schema(format = Password)]
    pub password: String,
    /// The `device_token` a previous sign-in on this device returned. With it, failures from
    /// other devices cannot lock this one out.
    #[serde(default)]
    pub device_token: Option<String>,
}

/// The result of the first sign-in step.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// `signed_in`, or `second_factor_required` (then send `challenge` and a code to
    /// `POST /auth/login/second-factor`).
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tokens: Option<TokenSet>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub challenge: Option<String>,
    /// Keep it on this device and send it with later sign-ins.
    pub device_token: String,
}

fn check_password_len(pw: &str) -> Result<(), Error> {
    if pw.is_empty() || pw.chars().count() > MAX_PASSWORD {
        return Err(Error::new(errors::INVALID_CREDENTIALS));
    }
    Ok(())
}

egov_core::problems!(LoginErrors:
    crate::errors::INSUFFICIENT_AAL,
    crate::errors::INVALID_CREDENTIALS,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::LOGIN_LOCKED,
    crate::errors::LOGIN_THROTTLED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Sign in with a login name and password.
///
/// Throttled per source address (at most `auth.lockout.max_attempts_per_hour` attempts an hour)
/// and locked per login name after `auth.lockout.max_failures` consecutive failures for
/// `auth.lockout.lock_minutes`; a device that signed in before keeps its own count. Accounts
/// with a second factor get a `challenge` instead of tokens.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in, or a second factor is due", body = LoginResponse),
        LoginErrors,
    ),
    security(()),
)]
#[post("/login")]
pub async fn login(
    req: HttpRequest,
    service: web::Data<Service>,
    body: web::Json<LoginRequest>,
) -> Result<web::Json<LoginResponse>, Error> {
    let body = body.into_inner();
    check_password_len(&body.password)?;
    let origin = service.origin(&req);
    let outcome = service
        .sign_in(
            &body.username,
            body.password,
            body.device_token.as_deref(),
            FIRST_PARTY_CLIENT,
            Aal::Aal1,
            &origin,
        )
        .await?;
    let device_token = service.device_token(&body.username.trim().to_lowercase());
    Ok(web::Json(match outcome {
        SignIn::Done(account, session, refresh) => LoginResponse {
            status: "signed_in",
            tokens: Some(service.tokens(&account, &session, refresh)?),
            challenge: None,
            device_token,
        },
        SignIn::SecondFactor(_, challenge) => LoginResponse {
            status: "second_factor_required",
            tokens: None,
            challenge: Some(challenge),
            device_token,
        },
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecondFactorRequest {
    /// The `challenge` from `POST /auth/login`.
    pub challenge: String,
    /// A 6-digit TOTP code, or one of the recovery codes.
    #[schema(example = "492039")]
    pub code: String,
}

egov_core::problems!(LoginSecondFactorErrors:
    crate::errors::INVALID_GRANT,
    crate::errors::INVALID_SECOND_FACTOR,
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::CONFLICT,
    crate::errors::LOGIN_LOCKED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Complete a sign-in with a TOTP or recovery code (assurance level 2).
#[utoipa::path(
    tag = "auth",
    request_body = SecondFactorRequest,
    responses(
        (status = 200, description = "Signed in at `aal2`", body = TokenSet),
        LoginSecondFactorErrors,
    ),
    security(()),
)]
#[post("/login/second-factor")]
pub async fn login_second_factor(
    req: HttpRequest,
    service: web::Data<Service>,
    body: web::Json<SecondFactorRequest>,
) -> Result<web::Json<TokenSet>, Error> {
    if body.code.len() > 64 || body.challenge.len() > 4096 {
        return Err(Error::new(errors::INVALID_SECOND_FACTOR));
    }
    let origin = service.origin(&req);
    let (account, session, refresh) = service
        .sign_in_second_factor(&body.challenge, &body.code, FIRST_PARTY_CLIENT, &origin)
        .await?;
    Ok(web::Json(service.tokens(&account, &session, refresh)?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

egov_core::problems!(RefreshTokensErrors:
    crate::errors::INVALID_GRANT,
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Exchange a refresh token for a new token set (the old refresh token stops working).
///
/// Presenting an already-used refresh token ends the whole session: it means the token was
/// copied.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token set", body = TokenSet),
        RefreshTokensErrors,
    ),
    security(()),
)]
#[post("/refresh")]
pub async fn refresh_tokens(
    req: HttpRequest,
    service: web::Data<Service>,
    body: web::Json<RefreshRequest>,
) -> Result<web::Json<TokenSet>, Error> {
    let body = body.into_inner();
    if body.refresh_token.len() > 256 {
        return Err(crate::service::invalid_grant("unknown refresh token"));
    }
    let (account, session, next) = service
        .refresh(body.refresh_token, &service.origin(&req))
        .await?;
    Ok(web::Json(service.tokens(&account, &session, next)?))
}

egov_core::problems!(LogoutErrors:
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// End the current session: its refresh tokens stop working at once; its access tokens
/// expire within `auth.access_token_secs`.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 204, description = "Signed out"),
        LogoutErrors,
    ),
    security(("bearer" = ["aal:1"])),
)]
#[post("/logout")]
pub async fn logout(
    req: HttpRequest,
    auth: Authorized<SignedIn>,
    service: web::Data<Service>,
) -> Result<HttpResponse, Error> {
    let sid = auth.session_id.clone();
    service
        .db()
        .run(move |c| sessions::revoke(c, &sid, "signed out"))
        .await?;
    service
        .audit(
            &service.origin(&req),
            &auth.subject,
            &auth.subject,
            Action::Logout,
            "sign-out",
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepUpRequest {
    /// A 6-digit TOTP code, or one of the recovery codes.
    pub code: String,
}

egov_core::problems!(StepUpErrors:
    crate::errors::INVALID_SECOND_FACTOR,
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::CONFLICT,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::LOGIN_LOCKED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Raise the current session to assurance level 2 with a second factor.
///
/// Answer to a `401 insufficient_user_authentication`: returns a new token set at `aal2`.
/// Wrong codes count on the account's second-factor counter, shared with the sign-in step:
/// after `auth.lockout.max_failures` of them, codes are refused with `login_locked` for
/// `auth.lockout.lock_minutes`.
#[utoipa::path(
    tag = "auth",
    request_body = StepUpRequest,
    responses(
        (status = 200, description = "The session is at `aal2`", body = TokenSet),
        StepUpErrors,
    ),
    security(("bearer" = ["aal:1"])),
)]
#[post("/step-up")]
pub async fn step_up(
    req: HttpRequest,
    auth: Authorized<SignedIn>,
    service: web::Data<Service>,
    body: web::Json<StepUpRequest>,
) -> Result<web::Json<TokenSet>, Error> {
    let origin = service.origin(&req);
    let account = service.account(&auth.subject).await?;
    if !account.totp_enabled {
        return Err(Error::with_detail(
            codes::CONFLICT,
            egov_core::text!(
                "detail-enrol-first",
                "enrol a second factor first (POST /auth/me/mfa/totp)"
            ),
        ));
    }
    service
        .guarded_second_factor(&account, &body.code, &origin, Attempt::StepUp)
        .await?;
    let sid = auth.session_id.clone();
    let (session, refresh) = service
        .db()
        .run(move |c| sessions::step_up(c, &sid))
        .await?;
    service
        .audit(
            &origin,
            &auth.subject,
            &auth.subject,
            Action::Login,
            "step-up to aal2",
        )
        .await?;
    Ok(web::Json(service.tokens(&account, &session, refresh)?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnlockRequest {
    #[schema(example = "park.officer")]
    pub username: String,
    /// A current 6-digit TOTP code, or one of the recovery codes.
    pub code: String,
}

egov_core::problems!(UnlockSelfErrors:
    crate::errors::INVALID_SECOND_FACTOR,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::LOGIN_LOCKED,
    crate::errors::LOGIN_THROTTLED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Lift a sign-in lock yourself with your second factor.
///
/// For accounts with a second factor: a current code clears the locks that failed sign-ins
/// (anyone's) put on the login name, so an attacker cannot keep the holder out. The code is
/// checked under the same counter as every other second-factor check. Unknown names,
/// accounts without a second factor and wrong codes get the same answer.
#[utoipa::path(
    tag = "auth",
    request_body = UnlockRequest,
    responses(
        (status = 204, description = "Unlocked: sign in again"),
        UnlockSelfErrors,
    ),
    security(()),
)]
#[post("/unlock")]
pub async fn unlock_self(
    req: HttpRequest,
    service: web::Data<Service>,
    body: web::Json<UnlockRequest>,
) -> Result<HttpResponse, Error> {
    let origin = service.origin(&req);
    service.throttle(&origin, Throttled::Unlock).await?;
    service
        .self_unlock(&body.username, &body.code, &origin)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupRequest {
    /// The one-time setup token printed by the first `egov serve`.
    pub setup_token: String,
    #[schema(schema_with = egov_core::text::schema::username)]
    pub username: String,
    #[schema(schema_with = egov_core::text::schema::name)]
    pub display_name: String,
    #[schema(format = Password)]
    pub password: String,
    #[serde(default)]
    #[schema(schema_with = egov_core::text::schema::email)]
    pub email: Option<String>,
}

egov_core::problems!(SetupErrors:
    egov_core::error::codes::FORBIDDEN,
    egov_core::error::codes::NOT_FOUND,
    crate::errors::SETUP_COMPLETED,
    egov_core::error::codes::CONFLICT,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Create the first platform admin with the one-time setup token.
#[utoipa::path(
    tag = "auth",
    request_body = SetupRequest,
    responses(
        (status = 201, description = "The first platform admin", body = crate::accounts::Account),
        SetupErrors,
    ),
    security(()),
)]
#[post("/setup")]
pub async fn setup(
    req: HttpRequest,
    service: web::Data<Service>,
    body: web::Json<SetupRequest>,
) -> Result<HttpResponse, Error> {
    let body = body.into_inner();
    let display_name = check_name("/display_name", &body.display_name)?;
    let email = check_email(body.email)?;
    if body.setup_token.len() > 256 {
        return Err(Error::with_detail(
            codes::FORBIDDEN,
            egov_core::text!("detail-setup-token", "wrong or expired setup token"),
        ));
    }
    let existing = service
        .db()
        .run(|c| accounts::count_kind(c, Kind::PlatformAdmin))
        .await?;
    if existing > 0 {
        return Err(Error::new(errors::SETUP_COMPLETED));
    }
    // Validate everything before spending the token.
    let username = crate::service::normalize_username(&body.username)?;
    service.check_password("/password", &body.password, &[&username, &display_name])?;
    let token = body.setup_token.clone();
    let ok = service
        .db()
        .run(move |c| bootstrap::consume_setup_token(c, &token))
        .await?;
    if !ok {
        return Err(Error::with_detail(
            codes::FORBIDDEN,
            egov_core::text!("detail-setup-token", "wrong or expired setup token"),
        ));
    }
    let account = service
        .create_account(
            NewAccount {
                username,
                kind: Some(Kind::PlatformAdmin),
                display_name,
                email,
                created_by: Some("setup".into()),
                ..NewAccount::default()
            },
            Some(body.password),
        )
        .await?;
    service
        .audit(
            &service.origin(&req),
            "setup",
            &account.id,
            Action::Create,
            "first platform admin",
        )
        .await?;
    Ok(HttpResponse::Created().json(account.view()))
}

/// The kinds of account people register themselves.
fn self_registered_kinds() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(["citizen", "business"]))
        .build()
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// `citizen` or `business` (the other kinds of account are made by administrators).
    #[schema(schema_with = self_registered_kinds)]
    pub kind: Kind,
    #[schema(schema_with = egov_core::text::schema::username)]
    pub username: String,
    #[schema(schema_with = egov_core::text::schema::name)]
    pub display_name: String,
    #[schema(format = Password)]
    pub password: String,
    #[serde(default)]
    #[schema(schema_with = egov_core::text::schema::email)]
    pub email: Option<String>,
    /// A mobile number for text messages, in international form (`+821012345678`; spaces and
    /// dashes are dropped).
    #[serde(default)]
    #[schema(example = "+821012345678")]
    pub phone: Option<String>,
    /// The language notices are sent in: one of the country pack's (`GET /countries/{code}`).
    #[serde(default)]
    #[schema(example = "ko")]
    pub language: Option<String>,
    /// Citizens: the national ID in the country pack's format (stored encrypted, shown masked).
    #[serde(default)]
    pub national_id: Option<String>,
    /// Businesses: the business registration number in the country pack's format.
    #[serde(default)]
    pub business_id: Option<String>,
}

/// What a registration answers, whether or not a new account was made.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationReceived {
    /// Always `received`.
    pub status: &'static str,
    /// The login name to sign in with.
    pub username: String,
    /// What happens next.
    pub next: &'static str,
}

const REGISTRATION_NEXT: &str = "Sign in with your login name and password. If this national \
    ID already has an account, no new one was made and that account's holder is told in their \
    access log.";

egov_core::problems!(RegisterErrors:
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::CONFLICT,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::LOGIN_THROTTLED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Register as a citizen or a business.
///
/// The national ID (citizens) or business registration number (businesses) is checked against
/// the country pack's format and check digit. Identity proofing (that the ID is the caller's)
/// belongs to the deployment's national e-ID and is not done here.
///
/// The answer does not tell whether a national ID is registered: a citizen registration with
/// a national ID that already has an account gets the same `202` as a new one; no account is
/// made, and the existing holder finds the attempt in their access log
/// (`GET /auth/me/access-log`). Throttled per source address
/// (`auth.lockout.registrations_per_hour`).
#[utoipa::path(
    tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 202, description = "Received: sign in with the login name and password", body = RegistrationReceived),
        RegisterErrors,
    ),
    security(()),
)]
#[post("/register")]
pub async fn register(
    req: HttpRequest,
    service: web::Data<Service>,
    body: web::Json<RegisterRequest>,
) -> Result<HttpResponse, Error> {
    let origin = service.origin(&req);
    let received = register_account(&service, &origin, body.into_inner()).await?;
    Ok(HttpResponse::Accepted().json(received))
}

/// The registration use case, for the API and for the pages' registration form (which calls
/// it in the same process with the browser's address, so the throttle counts the person, not
/// the pages).
pub async fn register_account(
    service: &Service,
    origin: &Origin,
    body: RegisterRequest,
) -> Result<RegistrationReceived, Error> {
    let origin = origin.clone();
    service.throttle(&origin, Throttled::Registration).await?;
    let id = uuid::Uuid::now_v7().to_string();
    let mut new = NewAccount {
        username: crate::service::normalize_username(&body.username)?,
        kind: Some(body.kind),
        display_name: check_name("/display_name", &body.display_name)?,
        email: check_email(body.email)?,
        phone: check_phone(body.phone)?,
        language: check_language(service.packs().active(), body.language)?,
        ..NewAccount::default()
    };
    match body.kind {
        Kind::Citizen => {
            let raw = body.national_id.ok_or_else(|| {
                Error::invalid_field(
                    "/national_id",
                    egov_core::text!("detail-citizens-give-id", "citizens give their national ID"),
                )
            })?;
            if body.business_id.is_some() {
                return Err(Error::invalid_field(
                    "/business_id",
                    egov_core::text!("detail-only-businesses", "only for businesses"),
                ));
            }
            let (sealed, index, masked) = service.seal_national_id(&id, &raw)?;
            new.national_id_sealed = Some(sealed);
            new.national_id_index = Some(index);
            new.national_id_masked = Some(masked);
        }
        Kind::Business => {
            let raw = body.business_id.ok_or_else(|| {
                Error::invalid_field(
                    "/business_id",
                    egov_core::text!(
                        "detail-businesses-give-number",
                        "businesses give their registration number"
                    ),
                )
            })?;
            if body.national_id.is_some() {
                return Err(Error::invalid_field(
                    "/national_id",
                    egov_core::text!("detail-only-citizens", "only for citizens"),
                ));
            }
            let b = service
                .packs()
                .active()
                .parse_business_id(&raw)
                .map_err(|e| Error::invalid_field("/business_id", e.text()))?;
            new.business_id = Some(b.canonical().to_owned());
        }
        _ => {
            return Err(Error::invalid_field(
                "/kind",
                egov_core::text!(
                    "detail-self-registration",
                    "self-registration is for citizens and businesses; officials are invited"
                ),
            ));
        }
    }
    let context = [new.username.as_str(), new.display_name.as_str()];
    service.check_password("/password", &body.password, &context)?;
    let phc = service.hasher().hash_async(body.password).await?;
    new.password_hash = Some(phc);
    let username = new.username.clone();
    let index = new.national_id_index.clone();
    let created = service
        .db()
        .run(move |c| accounts::insert_unless_registered(c, &id, &new))
        .await?;
    match (created, index) {
        (Some(account), _) => {
            service
                .audit(
                    &origin,
                    &account.id,
                    &account.id,
                    Action::Create,
                    "self-registration",
                )
                .await?;
        }
        (None, Some(index)) => {
            tracing::info!("registration with a national ID that has an account");
            crate::record(
                service.db(),
                crate::AccessEntry {
                    actor: "anonymous".into(),
                    source_ip: origin.ip.clone(),
                    subject: crate::SubjectKey::from_stored(index),
                    action: Action::Create,
                    purpose: "someone tried to register a new account with your national ID; \
                              none was made"
                        .into(),
                    module: "auth".into(),
                    record_ref: None,
                    request_id: origin.request_id.clone(),
                },
            )
            .await?;
        }
        (None, None) => return Err(Error::internal(anyhow::anyhow!("no account and no ID"))),
    }
    Ok(RegistrationReceived {
        status: "received",
        username,
        next: REGISTRATION_NEXT,
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPasswordRequest {
    /// The invitation or password-reset token.
    pub token: String,
    #[schema(format = Password)]
    pub password: String,
}

egov_core::problems!(AcceptInvitationErrors:
    crate::errors::INVALID_GRANT,
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::CONFLICT,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Accept an invitation: set the password of an account an administrator created.
#[utoipa::path(
    tag = "auth",
    request_body = SetPasswordRequest,
    responses(
        (status = 200, description = "The account, now active", body = crate::accounts::Account),
        AcceptInvitationErrors,
    ),
    security(()),
)]
#[post("/invitations/accept")]
pub async fn accept_invitation(
    req: HttpRequest,
    service: web::Data<Service>,
    body: web::Json<SetPasswordRequest>,
) -> Result<web::Json<crate::accounts::Account>, Error> {
    set_password_with(req, service, body.into_inner(), Purpose::Invitation).await
}

egov_core::problems!(PasswordResetErrors:
    crate::errors::INVALID_GRANT,
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::CONFLICT,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Reset a password with the token an administrator issued. Ends every session.
#[utoipa::path(
    tag = "auth",
    request_body = SetPasswordRequest,
    responses(
        (status = 200, description = "The account", body = crate::accounts::Account),
        PasswordResetErrors,
    ),
    security(()),
)]
#[post("/password-reset")]
pub async fn password_reset(
    req: HttpRequest,
    service: web::Data<Service>,
    body: web::Json<SetPasswordRequest>,
) -> Result<web::Json<crate::accounts::Account>, Error> {
    set_password_with(req, service, body.into_inner(), Purpose::PasswordReset).await
}

async fn set_password_with(
    req: HttpRequest,
    service: web::Data<Service>,
    body: SetPasswordRequest,
    purpose: Purpose,
) -> Result<web::Json<crate::accounts::Account>, Error> {
    let refused = || crate::service::invalid_grant("the token is invalid, expired or already used");
    if body.token.len() > 4096 {
        return Err(refused());
    }
    let claims = service
        .auth()
        .verify(&body.token, purpose)
        .await
        .map_err(|_| refused())?;
    let account = service.account(&claims.sub).await.map_err(|_| refused())?;
    // The token dies with a later change of the account (`iat` is in whole seconds: a change
    // within the second it was issued cannot be told apart), and is spent by its first use.
    let issued = chrono::DateTime::from_timestamp(i64::try_from(claims.iat).unwrap_or(0), 0)
        .map(|t| t.naive_utc())
        .unwrap_or_default();
    let valid = match purpose {
        Purpose::Invitation => account.status == accounts::STATUS_INVITED,
        _ => {
            account.status == accounts::STATUS_ACTIVE
                && account.updated_at < issued + chrono::Duration::seconds(1)
        }
    };
    if !valid {
        return Err(refused());
    }
    service.check_password(
        "/password",
        &body.password,
        &[&account.username, &account.display_name],
    )?;
    let phc = service.hasher().hash_async(body.password).await?;
    let id = account.id.clone();
    let status = match purpose {
        Purpose::Invitation => accounts::STATUS_INVITED,
        _ => accounts::STATUS_ACTIVE,
    };
    let used = service
        .db()
        .run(move |c| accounts::set_password_once(c, &id, &phc, status, &claims.jti))
        .await?;
    if !used {
        return Err(refused());
    }
    service
        .audit(
            &service.origin(&req),
            &account.id,
            &account.id,
            Action::CredentialChange,
            match purpose {
                Purpose::Invitation => "invitation accepted",
                _ => "password reset",
            },
        )
        .await?;
    Ok(web::Json(service.account(&account.id).await?.view()))
}

/// A display name: 1 to 200 characters, no control characters.
pub fn check_name(field: &str, raw: &str) -> Result<String, Error> {
    let v = raw.trim();
    if v.is_empty() || v.chars().count() > 200 || v.chars().any(char::is_control) {
        return Err(Error::invalid_field(
            field,
            egov_core::text!(
                "detail-name-length",
                "1 to 200 characters, no control characters"
            ),
        ));
    }
    Ok(v.to_owned())
}

/// A mobile number in international form (E.164: `+`, then 8 to 15 digits); spaces, dashes,
/// dots and brackets people write are dropped. Empty is none.
pub fn check_phone(raw: Option<String>) -> Result<Option<String>, Error> {
    let Some(raw) = raw else { return Ok(None) };
    let digits: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    if digits.is_empty() {
        return Ok(None);
    }
    match digits.strip_prefix('+') {
        Some(d)
            if (8..=15).contains(&d.len())
                && d.bytes().all(|b| b.is_ascii_digit())
                && !d.starts_with('0') =>
        {
            Ok(Some(digits))
        }
        _ => Err(Error::invalid_field(
            "/phone",
            egov_core::text!(
                "detail-phone",
                "a mobile number in international form: + and the country code, e.g. +821012345678"
            ),
        )),
    }
}

/// One of the pack's languages, or none.
pub fn check_language(
    pack: &egov_core::CountryPack,
    raw: Option<String>,
) -> Result<Option<String>, Error> {
    match raw.map(|l| l.trim().to_owned()) {
        None => Ok(None),
        Some(l) if l.is_empty() => Ok(None),
        Some(l) if pack.languages.contains(&l) => Ok(Some(l)),
        Some(_) => Err(Error::invalid_field(
            "/language",
            egov_core::text!(
                "detail-language",
                "one of the country's languages: {languages}",
                languages = pack.languages.join(", ")
            ),
        )),
    }
}

pub fn check_email(raw: Option<String>) -> Result<Option<String>, Error> {
    match raw.map(|e| e.trim().to_owned()) {
        None => Ok(None),
        Some(e) if e.is_empty() => Ok(None),
        Some(e)
            if e.len() <= 254
                && e.split_once('@')
                    .is_some_and(|(l, d)| !l.is_empty() && d.contains('.'))
                && !e.chars().any(|c| c.is_whitespace() || c.is_control()) =>
        {
            Ok(Some(e))
        }
        Some(_) => Err(Error::invalid_field(
            "/email",
            egov_core::text!("detail-email", "not an e-mail address"),
        )),
    }
}

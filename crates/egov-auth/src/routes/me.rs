//! The signed-in account's own resources: profile, sessions, password, second factor, and
//! who accessed their data.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use egov_core::Error;
use egov_core::error::codes;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::access_log::Action;
use crate::accounts::{self, Account};
use crate::errors;
use crate::mfa;
use crate::principal::Authorized;
use crate::principal::policies::{SignedIn, SignedInAal2};
use crate::service::Service;
use crate::sessions::{self, Session};

egov_core::problems!(MeErrors:
    egov_core::error::codes::NOT_FOUND,
);

/// The signed-in account.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "The account (national ID masked)", body = Account),
        MeErrors,
    ),
    security(("bearer" = ["aal:1"])),
)]
#[get("/me")]
pub async fn me(
    auth: Authorized<SignedIn>,
    service: web::Data<Service>,
) -> Result<web::Json<Account>, Error> {
    Ok(web::Json(service.account(&auth.subject).await?.view()))
}

/// Where notices reach the account holder.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactRequest {
    /// E-mail address; absent or empty: none.
    #[serde(default)]
    #[schema(schema_with = egov_core::text::schema::email)]
    pub email: Option<String>,
    /// Mobile number in international form (`+821012345678`); absent or empty: none.
    #[serde(default)]
    #[schema(example = "+821012345678")]
    pub phone: Option<String>,
    /// One of the country pack's languages; absent or empty: the pack's default.
    #[serde(default)]
    #[schema(example = "ko")]
    pub language: Option<String>,
}

egov_core::problems!(ContactErrors:
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::MALFORMED_BODY,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Set where notices reach me: e-mail, mobile number and language (all three replaced).
///
/// Notices about applications, returns and deadlines are sent to these. Recorded in the
/// account's access log.
#[utoipa::path(
    tag = "auth",
    request_body = ContactRequest,
    responses(
        (status = 200, description = "The account with its new contact details", body = Account),
        ContactErrors,
    ),
    security(("bearer" = ["aal:1"])),
)]
#[put("/me/contact")]
pub async fn set_contact(
    req: HttpRequest,
    auth: Authorized<SignedIn>,
    service: web::Data<Service>,
    body: web::Json<serde_json::Value>,
) -> Result<web::Json<Account>, Error> {
    use crate::routes::login::{check_email, check_language, check_phone};
    // Every field is optional, so only an object says what to set (serde would also take an
    // array of values in field order).
    let body = body.into_inner();
    if !body.is_object() {
        return Err(Error::invalid_field(
            "",
            egov_core::text!("detail-json-object", "a JSON object"),
        ));
    }
    let body: ContactRequest = serde_json::from_value(body)
        .map_err(|e| Error::with_detail(codes::MALFORMED_BODY, e.to_string()))?;
    let email = check_email(body.email)?;
    let phone = check_phone(body.phone)?;
    let language = check_language(service.packs().active(), body.language)?;
    let id = auth.subject.clone();
    let row = service
        .db()
        .run(move |c| {
            accounts::set_contact(
                c,
                &id,
                email.as_deref(),
                phone.as_deref(),
                language.as_deref(),
            )
        })
        .await?;
    let origin = service.origin(&req);
    service
        .audit(
            &origin,
            &auth.subject,
            &auth.subject,
            Action::Change,
            "changed where notices reach me",
        )
        .await?;
    Ok(web::Json(row.view()))
}

/// The account's live sessions.
#[utoipa::path(
    tag = "auth",
    responses((status = 200, description = "Live sessions, newest first", body = [Session])),
    security(("bearer" = ["aal:1"])),
)]
#[get("/me/sessions")]
pub async fn my_sessions(
    auth: Authorized<SignedIn>,
    service: web::Data<Service>,
) -> Result<web::Json<Vec<Session>>, Error> {
    let id = auth.subject.clone();
    let rows = service.db().run(move |c| sessions::live(c, &id)).await?;
    Ok(web::Json(rows.iter().map(|s| s.view()).collect()))
}

egov_core::problems!(EndSessionErrors:
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// End one of the account's sessions.
#[utoipa::path(
    tag = "auth",
    operation_id = "end_my_session",
    params(("id" = String, Path, description = "Session id")),
    responses(
        (status = 204, description = "Ended"),
        EndSessionErrors,
    ),
    security(("bearer" = ["aal:1"])),
)]
#[delete("/me/sessions/{id}")]
pub async fn end_session(
    req: HttpRequest,
    auth: Authorized<SignedIn>,
    service: web::Data<Service>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let sid = path.into_inner();
    let owner = auth.subject.clone();
    service
        .db()
        .run(move |c| {
            let s = sessions::get(c, &sid)
                .ok()
                .filter(|s| s.account_id == owner)
                .ok_or_else(|| {
                    Error::with_detail(
                        codes::NOT_FOUND,
                        egov_core::text!("detail-no-session", "no such session"),
                    )
                })?;
            sessions::revoke(c, &s.id, "ended by the account holder")
        })
        .await?;
    service
        .audit(
            &service.origin(&req),
            &auth.subject,
            &auth.subject,
            Action::SessionRevoke,
            "session ended by the account holder",
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    #[schema(format = Password)]
    pub current_password: String,
    #[schema(format = Password)]
    pub new_password: String,
}

egov_core::problems!(ChangePasswordErrors:
    crate::errors::INVALID_CREDENTIALS,
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Change the password. Every other session of the account ends.
#[utoipa::path(
    tag = "auth",
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Changed"),
        ChangePasswordErrors,
    ),
    security(("bearer" = ["aal:1"])),
)]
#[post("/me/password")]
pub async fn change_password(
    req: HttpRequest,
    auth: Authorized<SignedIn>,
    service: web::Data<Service>,
    body: web::Json<ChangePasswordRequest>,
) -> Result<HttpResponse, Error> {
    let body = body.into_inner();
    let account = service.account(&auth.subject).await?;
    let phc = account.password_hash.clone().unwrap_or_default();
    if body.current_password.chars().count() > 128
        || !service
            .hasher()
            .verify_async(body.current_password, phc)
            .await?
    {
        return Err(Error::new(errors::INVALID_CREDENTIALS));
    }
    service.check_password(
        "/new_password",
        &body.new_password,
        &[&account.username, &account.display_name],
    )?;
    let phc = service.hasher().hash_async(body.new_password).await?;
    let (id, keep) = (account.id.clone(), auth.session_id.clone());
    service
        .db()
        .run(move |c| {
            accounts::set_password(c, &id, &phc)?;
            for s in sessions::live(c, &id)? {
                if s.id != keep {
                    sessions::revoke(c, &s.id, "password changed")?;
                }
            }
            Ok(())
        })
        .await?;
    service
        .audit(
            &service.origin(&req),
            &auth.subject,
            &auth.subject,
            Action::CredentialChange,
            "password changed",
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A started TOTP enrolment.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpEnrolment {
    /// The secret in base32, for typing into an authenticator app.
    pub secret: String,
    /// `otpauth://` URI, for a QR code.
    pub otpauth_uri: String,
}

egov_core::problems!(StartTotpErrors:
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::CONFLICT,
);

/// Start TOTP enrolment. Confirm with a code at `POST /auth/me/mfa/totp/confirm`.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "Scan or type the secret into an authenticator app", body = TotpEnrolment),
        StartTotpErrors,
    ),
    security(("bearer" = ["aal:1"])),
)]
#[post("/me/mfa/totp")]
pub async fn start_totp(
    auth: Authorized<SignedIn>,
    service: web::Data<Service>,
) -> Result<web::Json<TotpEnrolment>, Error> {
    let account = service.account(&auth.subject).await?;
    if account.totp_enabled {
        return Err(Error::with_detail(
            codes::CONFLICT,
            egov_core::text!(
                "detail-second-factor-enrolled",
                "a second factor is enrolled: remove it first (DELETE /auth/me/mfa/totp, at aal2)"
            ),
        ));
    }
    let issuer = format!("egov {}", service.packs().active().code.to_uppercase());
    let e = mfa::enrol(&issuer, &account.username).map_err(Error::internal)?;
    let sealed = service
        .secrets()
        .sealer
        .seal(&format!("totp:{}", account.id), &e.secret);
    let id = account.id.clone();
    service
        .db()
        .run(move |c| accounts::set_pending_totp(c, &id, &sealed))
        .await?;
    Ok(web::Json(TotpEnrolment {
        secret: e.secret_base32,
        otpauth_uri: e.otpauth_url,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmTotpRequest {
    /// The current 6-digit code from the authenticator app.
    pub code: String,
}

/// Recovery codes, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodes {
    /// Ten single-use codes; each replaces a TOTP code once. Store them offline.
    pub recovery_codes: Vec<String>,
}

egov_core::problems!(ConfirmTotpErrors:
    crate::errors::INVALID_SECOND_FACTOR,
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::CONFLICT,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Confirm TOTP enrolment with a code; turns the factor on and returns recovery codes.
#[utoipa::path(
    tag = "auth",
    request_body = ConfirmTotpRequest,
    responses(
        (status = 200, description = "Enrolled", body = RecoveryCodes),
        ConfirmTotpErrors,
    ),
    security(("bearer" = ["aal:1"])),
)]
#[post("/me/mfa/totp/confirm")]
pub async fn confirm_totp(
    req: HttpRequest,
    auth: Authorized<SignedIn>,
    service: web::Data<Service>,
    body: web::Json<ConfirmTotpRequest>,
) -> Result<web::Json<RecoveryCodes>, Error> {
    let account = service.account(&auth.subject).await?;
    let Some(sealed) = account
        .totp_secret_sealed
        .as_ref()
        .filter(|_| !account.totp_enabled)
    else {
        return Err(Error::with_detail(
            codes::CONFLICT,
            egov_core::text!(
                "detail-no-enrolment",
                "no enrolment in progress (POST /auth/me/mfa/totp)"
            ),
        ));
    };
    let secret = service.open_totp(&account.id, sealed)?;
    let step = mfa::verify(&secret, &body.code, crate::service::now_secs(), None)
        .map_err(|_| Error::new(errors::INVALID_SECOND_FACTOR))?;
    let codes = mfa::recovery_codes(mfa::RECOVERY_CODES).map_err(Error::internal)?;
    let hashes: Vec<String> = codes.iter().map(|c| mfa::hash_recovery_code(c)).collect();
    let id = account.id.clone();
    service
        .db()
        .run(move |c| accounts::enable_totp(c, &id, step, &hashes))
        .await?;
    service
        .audit(
            &service.origin(&req),
            &auth.subject,
            &auth.subject,
            Action::MfaChange,
            "TOTP enrolled",
        )
        .await?;
    Ok(web::Json(RecoveryCodes {
        recovery_codes: codes,
    }))
}

egov_core::problems!(RemoveTotpErrors:
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Remove the TOTP factor and its recovery codes (needs assurance level 2).
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 204, description = "Removed"),
        RemoveTotpErrors,
    ),
    security(("bearer" = ["aal:2"])),
)]
#[delete("/me/mfa/totp")]
pub async fn remove_totp(
    req: HttpRequest,
    auth: Authorized<SignedInAal2>,
    service: web::Data<Service>,
) -> Result<HttpResponse, Error> {
    let id = auth.subject.clone();
    service
        .db()
        .run(move |c| accounts::disable_totp(c, &id))
        .await?;
    service
        .audit(
            &service.origin(&req),
            &auth.subject,
            &auth.subject,
            Action::MfaChange,
            "TOTP removed",
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// Return records older than this sequence number (from the previous page's `next`).
    pub before: Option<i64>,
    /// Records per page, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// One access to the caller's data, as the caller sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessRecord {
    pub seq: i64,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    /// The official's account id (`system` or `anonymous` for automatic events).
    pub actor: String,
    /// The official's name, as their account shows it (absent for automatic events).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_name: Option<String>,
    /// The name of the official's agency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_agency: Option<String>,
    /// view, create, change, delete, print, download, or an authentication event.
    pub action: String,
    pub purpose: String,
    /// The module that recorded it.
    pub module: String,
    pub record_ref: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessLogPage {
    pub records: Vec<AccessRecord>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    pub next: Option<i64>,
}

egov_core::problems!(MyAccessLogErrors:
    egov_core::error::codes::INVALID_PARAMETER,
    egov_core::error::codes::NOT_FOUND,
);

/// Who accessed my data: every recorded view or change of the caller's data by an official,
/// in any module, and the caller's own authentication events, newest first.
#[utoipa::path(
    tag = "auth",
    params(Page),
    responses(
        (status = 200, description = "A page of records", body = AccessLogPage),
        MyAccessLogErrors,
    ),
    security(("bearer" = ["aal:1"])),
)]
#[get("/me/access-log")]
pub async fn my_access_log(
    auth: Authorized<SignedIn>,
    service: web::Data<Service>,
    page: web::Query<Page>,
) -> Result<web::Json<AccessLogPage>, Error> {
    let limit = page.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(Error::with_detail(
            codes::INVALID_PARAMETER,
            egov_core::text!(
                "detail-limit-between",
                "limit must be between 1 and {max}",
                max = 500
            ),
        ));
    }
    let (records, names) = service
        .access_log_of(&auth.subject, page.before, limit)
        .await?;
    Ok(web::Json(named_page(records, &names, limit)))
}

/// A page of records with the officials' names (`names`: account id to name and agency).
pub fn named_page(
    records: Vec<crate::access_log::Record>,
    names: &std::collections::HashMap<String, (String, Option<String>)>,
    limit: i64,
) -> AccessLogPage {
    let mut page = page_of(records, limit);
    for r in &mut page.records {
        if let Some((name, agency)) = names.get(&r.actor) {
            r.actor_name = Some(name.clone());
            r.actor_agency = agency.clone();
        }
    }
    page
}

pub fn page_of(records: Vec<crate::access_log::Record>, limit: i64) -> AccessLogPage {
    let next = (records.len() as i64 == limit)
        .then(|| records.last().map(|r| r.seq))
        .flatten();
    AccessLogPage {
        records: records
            .into_iter()
            .map(|r| AccessRecord {
                seq: r.seq,
                occurred_at: r.occurred_at,
                actor: r.entry.actor,
                actor_name: None,
                actor_agency: None,
                action: r.entry.action.as_str().to_owned(),
                purpose: r.entry.purpose,
                module: r.entry.module,
                record_ref: r.entry.record_ref,
            })
            .collect(),
        next,
    }
}

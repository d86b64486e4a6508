//! The OpenID Connect provider: discovery, JWKS, the authorization code flow with mandatory
//! PKCE (S256 only) and exact redirect URIs, the server-rendered login page (no JavaScript,
//! CSRF-protected), the token endpoint and userinfo.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use egov_core::Error;
use jsonwebtoken::jwk::JwkSet;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use crate::accounts::AccountRow;
use crate::clients::{self, ClientRow};
use crate::errors;
use crate::i18n::{self, Messages};
use crate::principal::policies::SignedIn;
use crate::principal::{Aal, Authorized};
use crate::random;
use crate::schema::{auth_authorization_requests as ar, auth_codes as ac};
use crate::service::{Origin, Service, SignIn, invalid_grant, now_secs};
use crate::sessions::{self, SessionRow};

const CSRF_COOKIE: &str = "egov_csrf";
const DEVICE_COOKIE: &str = "egov_device";
const SSO_COOKIE: &str = "egov_sso";
/// How long the login page may stay open.
const REQUEST_MINUTES: i64 = 10;

/// The OpenID Provider metadata (OpenID Connect Discovery 1.0).
#[derive(Debug, Serialize, ToSchema)]
pub struct Discovery {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub userinfo_endpoint: String,
    pub jwks_uri: String,
    pub response_types_supported: Vec<&'static str>,
    pub response_modes_supported: Vec<&'static str>,
    pub grant_types_supported: Vec<&'static str>,
    pub subject_types_supported: Vec<&'static str>,
    pub id_token_signing_alg_values_supported: Vec<&'static str>,
    pub token_endpoint_auth_methods_supported: Vec<&'static str>,
    pub code_challenge_methods_supported: Vec<&'static str>,
    pub scopes_supported: Vec<&'static str>,
    pub claims_supported: Vec<&'static str>,
    pub acr_values_supported: Vec<&'static str>,
    pub authorization_response_iss_parameter_supported: bool,
    /// RP-Initiated Logout 1.0.
    pub end_session_endpoint: String,
}

fn discovery_document(service: &Service) -> Discovery {
    let iss = service.auth().issuer().to_owned();
    let iss_ = iss.clone();
    Discovery {
        authorization_endpoint: format!("{iss}/authorize"),
        token_endpoint: format!("{iss}/token"),
        userinfo_endpoint: format!("{iss}/userinfo"),
        jwks_uri: format!("{iss}/jwks"),
        issuer: iss,
        response_types_supported: vec!["code"],
        response_modes_supported: vec!["query"],
        grant_types_supported: vec!["authorization_code", "refresh_token"],
        subject_types_supported: vec!["public"],
        // EdDSA by default; RS256 (which every provider must offer) for a client registered
        // with id_token_signed_response_alg RS256.
        id_token_signing_alg_values_supported: vec!["EdDSA", "RS256"],
        token_endpoint_auth_methods_supported: vec![
            "client_secret_basic",
            "client_secret_post",
            "none",
        ],
        code_challenge_methods_supported: vec!["S256"],
        scopes_supported: vec!["openid", "profile"],
        claims_supported: vec![
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "acr",
            "amr",
            "azp",
            "sid",
            "name",
            "preferred_username",
        ],
        acr_values_supported: vec!["aal1", "aal2"],
        authorization_response_iss_parameter_supported: true,
        end_session_endpoint: format!("{iss_}/end-session"),
    }
}

/// OpenID Connect discovery document of the issuer.
#[utoipa::path(
    tag = "auth",
    responses((status = 200, description = "Provider metadata", body = Discovery)),
    security(()),
)]
#[get("/.well-known/openid-configuration")]
pub async fn discovery(service: web::Data<Service>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(discovery_document(&service))
}

/// The public keys that verify egov tokens (RFC 7517; Ed25519 keys per RFC 8037).
#[utoipa::path(
    tag = "auth",
    responses((status = 200, description = "The key set: Ed25519 keys, and the RSA key of RS256 ID tokens once one was made", body = egov_core::jwk::IssuerJwkSet)),
    security(()),
)]
#[get("/jwks")]
pub async fn jwks(service: web::Data<Service>) -> HttpResponse {
    let set: std::sync::Arc<JwkSet> = service.auth().jwks();
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=60"))
        .json(&*set)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AuthorizeQuery {
    pub response_type: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    /// `aal2` asks for a second factor.
    pub acr_values: Option<String>,
    pub prompt: Option<String>,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    lang: &'a str,
    m: &'a Messages,
    client_name: &'a str,
    /// The portal's registration page, shown on the password step.
    register: Option<&'a str>,
    action: &'a str,
    handle: &'a str,
    csrf: &'a str,
    username: &'a str,
    second_factor: bool,
    error: Option<&'a str>,
}

fn bad_request(detail: &str) -> Error {
    Error::with_detail(errors::INVALID_AUTHORIZATION_REQUEST, detail).oauth_error("invalid_request")
}

fn redirect_error(
    service: &Service,
    redirect_uri: &str,
    state: Option<&str>,
    error: &str,
    description: &str,
) -> HttpResponse {
    let mut u = match url::Url::parse(redirect_uri) {
        Ok(u) => u,
        Err(_) => return HttpResponse::BadRequest().finish(),
    };
    {
        let mut q = u.query_pairs_mut();
        q.append_pair("error", error);
        q.append_pair("error_description", description);
        if let Some(s) = state {
            q.append_pair("state", s);
        }
        q.append_pair("iss", service.auth().issuer());
    }
    see_other(u.as_str())
}

/// The live single-sign-on session of the browser's cookie, if any.
async fn live_sso(service: &Service, req: &HttpRequest) -> Result<Option<SessionRow>, Error> {
    let Some(cookie) = req
        .cookie(SSO_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|c| c.len() <= 64)
    else {
        return Ok(None);
    };
    let idle = crate::service::secs(service.settings().auth.session_idle_secs);
    service
        .db()
        .run(move |c| sessions::sso_session(c, &cookie, idle))
        .await
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

fn bounded(v: &Option<String>, max: usize) -> bool {
    v.as_ref().is_none_or(|s| s.len() <= max)
}

egov_core::problems!(AuthorizeErrors:
    crate::errors::INVALID_AUTHORIZATION_REQUEST,
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Start the authorization code flow: validates the request and shows the login page.
///
/// Refused without redirect (400 problem) when the client or redirect URI is wrong; other
/// errors go back to the redirect URI as `error=`. PKCE with `S256` is mandatory.
#[utoipa::path(
    tag = "auth",
    params(AuthorizeQuery),
    responses(
        (status = 200, description = "The login page (HTML)", content_type = "text/html"),
        (status = 303, description = "Back to the client: with `code` when the browser has a single-sign-on session at the level asked for, else with `error`"),
        AuthorizeErrors,
    ),
    security(()),
)]
#[get("/authorize")]
pub async fn authorize(
    req: HttpRequest,
    service: web::Data<Service>,
    query: web::Query<AuthorizeQuery>,
) -> Result<HttpResponse, Error> {
    let q = query.into_inner();
    for (v, max) in [
        (&q.state, 512),
        (&q.nonce, 512),
        (&q.scope, 512),
        (&q.client_id, 64),
        (&q.redirect_uri, 512),
        (&q.code_challenge, 128),
        (&q.acr_values, 64),
    ] {
        if !bounded(v, max) {
            return Err(bad_request("a parameter is too long"));
        }
    }
    let client_id = q
        .client_id
        .clone()
        .ok_or_else(|| bad_request("client_id is missing"))?;
    let redirect_uri = q
        .redirect_uri
        .clone()
        .ok_or_else(|| bad_request("redirect_uri is missing"))?;
    let cid = client_id.clone();
    let client = service
        .db()
        .run(move |c| clients::get(c, &cid))
        .await?
        .ok_or_else(|| bad_request("unknown client_id"))?;
    if !client.redirect_uris().contains(&redirect_uri) {
        return Err(bad_request(
            "redirect_uri is not registered for this client (exact match)",
        ));
    }
    let state = q.state.as_deref();
    let fail = |error: &str, description: &str| {
        Ok(redirect_error(
            &service,
            &redirect_uri,
            state,
            error,
            description,
        ))
    };
    if q.response_type.as_deref() != Some("code") {
        return fail("unsupported_response_type", "only response_type=code");
    }
    let scope = q.scope.clone().unwrap_or_default();
    if !scope.split(' ').any(|s| s == "openid") {
        return fail("invalid_scope", "scope must include openid");
    }
    if q.code_challenge_method.as_deref() != Some("S256") {
        return fail(
            "invalid_request",
            "PKCE is required with code_challenge_method=S256 (plain is refused)",
        );
    }
    let challenge = q.code_challenge.clone().unwrap_or_default();
    if challenge.len() != 43 || URL_SAFE_NO_PAD.decode(&challenge).is_err() {
        return fail(
            "invalid_request",
            "code_challenge must be BASE64URL(SHA-256(verifier))",
        );
    }
    if q.prompt.as_deref() == Some("none") {
        return fail("login_required", "no single sign-on session here");
    }
    let min_aal = match q.acr_values.as_deref() {
        Some(v) if v.split(' ').any(|a| a == "aal2") => Aal::Aal2,
        _ => Aal::Aal1,
    };
    let now = Utc::now().naive_utc();
    // Single sign-on: a browser signed in here before (at the level asked for) goes straight
    // back with a code, unless the client asks for a fresh sign-in (`prompt=login`).
    let sso = if q.prompt.as_deref() == Some("login") {
        None
    } else {
        live_sso(&service, &req).await?
    };
    // Step-up: a browser signed in here with a password only, asked for a second factor by
    // an account that has one now (enrolled since): its session stands for the password, so
    // only the code is asked.
    let step_up = match &sso {
        Some(s) if s.aal() < min_aal => {
            let account = service.account(&s.account_id).await?;
            (account.is_active() && account.totp_enabled).then(|| account.id.clone())
        }
        _ => None,
    };
    if let Some(sso) = sso.filter(|s| s.aal() >= min_aal) {
        let account = service.account(&sso.account_id).await?;
        if account.is_active() {
            let cid = client_id.clone();
            let session = service
                .db()
                .run(move |c| sessions::create_from_sso(c, &sso, &cid))
                .await?;
            service
                .audit(
                    &service.origin(&req),
                    &account.id,
                    &account.id,
                    crate::access_log::Action::Login,
                    "single sign-on",
                )
                .await?;
            let request = RequestRow {
                id: String::new(),
                client_id,
                redirect_uri,
                scope,
                state: q.state.clone(),
                nonce: q.nonce.clone(),
                code_challenge: challenge,
                min_aal: min_aal.level(),
                account_id: None,
                _created_at: now,
                expires_at: now,
            };
            return finish(&service, &request, &session).await;
        }
    }
    let handle = random::token();
    {
        let (id, client_id, redirect_uri) = (
            random::digest(&handle),
            client_id.clone(),
            redirect_uri.clone(),
        );
        let (state, nonce) = (q.state.clone(), q.nonce.clone());
        let account = step_up.clone();
        service
            .db()
            .run(move |c| {
                diesel::insert_into(ar::table)
                    .values((
                        ar::id.eq(id),
                        ar::client_id.eq(client_id),
                        ar::redirect_uri.eq(redirect_uri),
                        ar::scope.eq(scope),
                        ar::state.eq(state),
                        ar::nonce.eq(nonce),
                        ar::code_challenge.eq(challenge),
                        ar::account_id.eq(account),
                        ar::min_aal.eq(min_aal.level()),
                        ar::created_at.eq(now),
                        ar::expires_at.eq(now + Duration::minutes(REQUEST_MINUTES)),
                    ))
                    .execute(c)?;
                Ok(())
            })
            .await?;
    }
    let (cookie_value, new_cookie) = match req.cookie(CSRF_COOKIE) {
        Some(c) if c.value().len() == 43 => (c.value().to_owned(), false),
        _ => (random::token(), true),
    };
    let csrf = csrf_token(&service, &cookie_value, &handle);
    let register = registration_link(&service);
    let mut res = page(
        language(&service, &req),
        (&client.name, register.as_deref()),
        &handle,
        &csrf,
        "",
        step_up.is_some(),
        None,
        200,
    )?;
    if new_cookie {
        res.add_cookie(&cookie(&service, CSRF_COOKIE, cookie_value, None))
            .map_err(Error::internal)?;
    }
    Ok(res)
}

fn cookie(
    service: &Service,
    name: &'static str,
    value: String,
    max_age_days: Option<i64>,
) -> Cookie<'static> {
    let mut c = Cookie::build(name, value)
        .path("/auth")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(service.settings().auth.secure_cookies);
    if let Some(days) = max_age_days {
        c = c.max_age(actix_web::cookie::time::Duration::days(days));
    }
    c.finish()
}

fn csrf_token(service: &Service, cookie: &str, handle: &str) -> String {
    hex::encode(random::mac(
        &service.secrets().mac_key,
        &[b"csrf", cookie.as_bytes(), handle.as_bytes()],
    ))
}

/// The language the portal's pages keep in a cookie (`egov_web::page::LANG_COOKIE`).
const PAGES_LANG_COOKIE: &str = "egov_lang";

/// The login page's language for this request (see `i18n`): the language the person picked on
/// the portal's pages (their cookie) first, then `Accept-Language`.
fn language(service: &Service, req: &HttpRequest) -> (&'static str, &'static Messages) {
    let pack = service.packs().active();
    let picked = req
        .cookie(PAGES_LANG_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|l| l.len() <= 8 && l.bytes().all(|b| b.is_ascii_alphabetic()));
    let header = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let asked = match (&picked, header) {
        (Some(l), Some(h)) => Some(format!("{l},{h};q=0.5")),
        (Some(l), None) => Some(l.clone()),
        (None, h) => h.map(str::to_owned),
    };
    i18n::negotiate(asked.as_deref(), &pack.languages, &pack.default_language)
}

/// The login page's "No account?" link (`auth.registration_page`), absolute.
fn registration_link(service: &Service) -> Option<String> {
    let p = service.settings().auth.registration_page.trim();
    if p.is_empty() {
        None
    } else if p.starts_with('/') {
        Some(format!(
            "{}{p}",
            service.settings().public_url().trim_end_matches('/')
        ))
    } else {
        Some(p.to_owned())
    }
}

#[allow(clippy::too_many_arguments)]
fn page(
    (lang, m): (&str, &Messages),
    (client_name, register): (&str, Option<&str>),
    handle: &str,
    csrf: &str,
    username: &str,
    second_factor: bool,
    error: Option<&str>,
    status: u16,
) -> Result<HttpResponse, Error> {
    let html = LoginPage {
        lang,
        m,
        client_name,
        register,
        action: "/auth/authorize",
        handle,
        csrf,
        username,
        second_factor,
        error,
    }
    .render()
    .map_err(Error::internal)?;
    let status = actix_web::http::StatusCode::from_u16(status).map_err(Error::internal)?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .body(html))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AuthorizeForm {
    pub handle: String,
    pub csrf: String,
    pub username: Option<String>,
    pub password: Option<String>,
    pub code: Option<String>,
}

#[derive(Debug, Clone, Queryable)]
struct RequestRow {
    id: String,
    client_id: String,
    redirect_uri: String,
    scope: String,
    state: Option<String>,
    nonce: Option<String>,
    code_challenge: String,
    min_aal: i32,
    account_id: Option<String>,
    _created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
}

egov_core::problems!(AuthorizeSubmitErrors:
    crate::errors::INVALID_AUTHORIZATION_REQUEST,
    crate::errors::INSUFFICIENT_AAL,
    crate::errors::INVALID_CREDENTIALS,
    crate::errors::INVALID_SECOND_FACTOR,
    crate::errors::CSRF_FAILED,
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::LOGIN_LOCKED,
    crate::errors::LOGIN_THROTTLED,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Submit the login page (password, then a second factor when the account or the client asks
/// for one). On success, redirects to the client with `code`, `state` and `iss`.
#[utoipa::path(
    tag = "auth",
    request_body(content = AuthorizeForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Back to the client with `code` (or `error`)"),
        (status = 200, description = "The second-factor page, or the page again with the reason a sign-in was refused (HTML)", content_type = "text/html"),
        AuthorizeSubmitErrors,
    ),
    security(()),
)]
#[post("/authorize")]
pub async fn authorize_submit(
    req: HttpRequest,
    service: web::Data<Service>,
    form: web::Form<AuthorizeForm>,
) -> Result<HttpResponse, Error> {
    let form = form.into_inner();
    let csrf_cookie = req
        .cookie(CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .ok_or_else(|| {
            Error::with_detail(
                errors::CSRF_FAILED,
                egov_core::text!(
                    "detail-signin-cookie",
                    "the sign-in cookie is missing; open the login page again"
                ),
            )
        })?;
    let expected = csrf_token(&service, &csrf_cookie, &form.handle);
    if form.handle.len() > 64 || !random::same(expected.as_bytes(), form.csrf.as_bytes()) {
        return Err(Error::new(errors::CSRF_FAILED));
    }
    let id = random::digest(&form.handle);
    let now = Utc::now().naive_utc();
    let request: RequestRow = {
        let id = id.clone();
        service
            .db()
            .run(move |c| Ok(ar::table.find(&id).first::<RequestRow>(c).optional()?))
            .await?
            .filter(|r| r.expires_at > now)
            .ok_or_else(|| {
                bad_request("the login page expired; start again from the application")
            })?
    };
    let client_id = request.client_id.clone();
    let client: ClientRow = service
        .db()
        .run(move |c| clients::get(c, &client_id))
        .await?
        .ok_or_else(|| bad_request("unknown client"))?;
    let origin = service.origin(&req);
    let want = Aal::from_level(request.min_aal);
    // A refused attempt shows the form again with the reason (200: the page itself is fine;
    // error statuses would be rewritten to problem+json, which a browser cannot use).
    let lang = language(&service, &req);
    let m = lang.1;
    let register = registration_link(&service);
    let show = |username: &str, second: bool, error: &str| {
        page(
            lang,
            (&client.name, register.as_deref()),
            &form.handle,
            &form.csrf,
            username,
            second,
            Some(error),
            200,
        )
    };

    // Second step: a code for the account whose password was right.
    if let Some(account_id) = &request.account_id {
        let code = form.code.clone().unwrap_or_default();
        if code.is_empty() || code.len() > 64 {
            return show("", true, &m.enter_code);
        }
        let account = service.account(account_id).await?;
        return match service
            .complete_second_factor(account, &code, &client.id, &origin)
            .await
        {
            Ok((account, session, _)) => {
                let mut res = finish(&service, &request, &session).await?;
                res.add_cookie(&sso_cookie(&service, &account, Aal::Aal2, &session).await?)
                    .map_err(Error::internal)?;
                Ok(res)
            }
            Err(e) if e.code() == errors::INVALID_SECOND_FACTOR => show("", true, &m.wrong_code),
            Err(e) if e.code() == errors::LOGIN_LOCKED => show("", true, &m.locked),
            Err(e) => Err(e),
        };
    }

    let username = form.username.clone().unwrap_or_default();
    let password = form.password.clone().unwrap_or_default();
    if username.len() > 64 || password.is_empty() || password.chars().count() > 128 {
        return show(&username, false, &m.enter_credentials);
    }
    let device = req.cookie(DEVICE_COOKIE).map(|c| c.value().to_owned());
    let outcome = service
        .sign_in(
            &username,
            password,
            device.as_deref(),
            &client.id,
            want,
            &origin,
        )
        .await;
    let device_cookie = cookie(
        &service,
        DEVICE_COOKIE,
        service.device_token(&username.trim().to_lowercase()),
        Some(365),
    );
    match outcome {
        Ok(SignIn::Done(account, session, _)) => {
            let mut res = finish(&service, &request, &session).await?;
            res.add_cookie(&device_cookie).map_err(Error::internal)?;
            res.add_cookie(&sso_cookie(&service, &account, Aal::Aal1, &session).await?)
                .map_err(Error::internal)?;
            Ok(res)
        }
        Ok(SignIn::SecondFactor(account, _)) => {
            let (rid, aid) = (request.id.clone(), account.id.clone());
            service
                .db()
                .run(move |c| {
                    diesel::update(ar::table.find(&rid))
                        .set(ar::account_id.eq(aid))
                        .execute(c)?;
                    Ok(())
                })
                .await?;
            let mut res = page(
                lang,
                (&client.name, register.as_deref()),
                &form.handle,
                &form.csrf,
                "",
                true,
                None,
                200,
            )?;
            res.add_cookie(&device_cookie).map_err(Error::internal)?;
            Ok(res)
        }
        Err(e) if e.code() == errors::INVALID_CREDENTIALS => {
            show(&username, false, &m.wrong_credentials)
        }
        Err(e) if e.code() == errors::LOGIN_LOCKED || e.code() == errors::LOGIN_THROTTLED => {
            show(&username, false, &m.locked)
        }
        Err(e) if e.code() == errors::INSUFFICIENT_AAL => Ok(redirect_error(
            &service,
            &request.redirect_uri,
            request.state.as_deref(),
            "unmet_authentication_requirements",
            "this service needs a second factor; the account has none enrolled",
        )),
        Err(e) => Err(e),
    }
}

/// Starts the browser's single-sign-on session and returns its cookie (a browser-session
/// cookie; the server ends the session after `auth.session_secs`, or `session_idle_secs` idle).
async fn sso_cookie(
    service: &Service,
    account: &AccountRow,
    aal: Aal,
    signed_in: &SessionRow,
) -> Result<Cookie<'static>, Error> {
    let (sso, value) = service
        .start_session(account, sessions::SSO_CLIENT, aal)
        .await?;
    // The browser's session carries the sign-in's own time (a second boundary may lie between
    // the two inserts), so clients it signs in later see the same `auth_time`.
    let (id, at) = (sso.id.clone(), signed_in.auth_time);
    service
        .db()
        .run(move |c| sessions::set_auth_time(c, &id, at))
        .await?;
    Ok(cookie(service, SSO_COOKIE, value, None))
}

/// Issues the authorization code and redirects back to the client.
async fn finish(
    service: &Service,
    request: &RequestRow,
    session: &SessionRow,
) -> Result<HttpResponse, Error> {
    let code = random::token();
    let now = Utc::now().naive_utc();
    let ttl = crate::service::secs(service.settings().auth.authorization_code_secs);
    {
        let (r, sid, hash) = (request.clone(), session.id.clone(), random::digest(&code));
        service
            .db()
            .run(move |c| {
                c.transaction::<_, Error, _>(|c| {
                    diesel::insert_into(ac::table)
                        .values((
                            ac::code_hash.eq(hash),
                            ac::client_id.eq(&r.client_id),
                            ac::session_id.eq(sid),
                            ac::redirect_uri.eq(&r.redirect_uri),
                            ac::code_challenge.eq(&r.code_challenge),
                            ac::nonce.eq(&r.nonce),
                            ac::scope.eq(&r.scope),
                            ac::expires_at.eq(now + ttl),
                        ))
                        .execute(c)?;
                    diesel::delete(ar::table.find(&r.id)).execute(c)?;
                    Ok(())
                })
            })
            .await?;
    }
    let mut u = url::Url::parse(&request.redirect_uri).map_err(Error::internal)?;
    {
        let mut q = u.query_pairs_mut();
        q.append_pair("code", &code);
        if let Some(s) = &request.state {
            q.append_pair("state", s);
        }
        q.append_pair("iss", service.auth().issuer());
    }
    Ok(see_other(u.as_str()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenForm {
    /// `authorization_code` or `refresh_token`.
    pub grant_type: String,
    pub code: Option<String>,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
    pub refresh_token: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

/// The token endpoint's answer (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
    pub refresh_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    pub scope: String,
}

/// ID token claims.
#[derive(Debug, Serialize)]
struct IdClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    azp: &'a str,
    exp: u64,
    iat: u64,
    auth_time: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<&'a str>,
    acr: &'a str,
    amr: Vec<String>,
    sid: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    preferred_username: Option<&'a str>,
}

fn client_error(detail: &str) -> Error {
    Error::with_detail(errors::INVALID_CLIENT, detail)
        .oauth_error("invalid_client")
        .www_authenticate("Basic realm=\"egov\"")
}

/// Client credentials from HTTP Basic (RFC 6749 §2.3.1) or the form.
fn client_credentials(
    req: &HttpRequest,
    form: &TokenForm,
) -> Result<(String, Option<String>), Error> {
    if let Some(value) = req.headers().get(header::AUTHORIZATION) {
        let v = value
            .to_str()
            .map_err(|_| client_error("bad Authorization header"))?;
        let (scheme, b64) = v
            .split_once(' ')
            .ok_or_else(|| client_error("bad Authorization header"))?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return Err(client_error("use HTTP Basic client authentication"));
        }
        let raw = STANDARD
            .decode(b64.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| client_error("bad Authorization header"))?;
        let (id, secret) = raw
            .split_once(':')
            .ok_or_else(|| client_error("bad Authorization header"))?;
        let decode = |s: &str| -> String {
            url::form_urlencoded::parse(format!("v={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        return Ok((decode(id), Some(decode(secret))));
    }
    let id = form
        .client_id
        .clone()
        .ok_or_else(|| client_error("client_id is missing"))?;
    Ok((id, form.client_secret.clone()))
}

egov_core::oauth_problems!(TokenErrors:
    crate::errors::INVALID_GRANT => "invalid_grant",
    crate::errors::UNSUPPORTED_GRANT_TYPE => "unsupported_grant_type",
    crate::errors::INVALID_CLIENT => "invalid_client",
    egov_core::error::codes::MALFORMED_BODY => "invalid_request",
    egov_core::error::codes::NOT_FOUND => "invalid_request",
    egov_core::error::codes::VALIDATION_FAILED => "invalid_request",
    crate::errors::ACCESS_LOG_UNAVAILABLE => "temporarily_unavailable",
);

/// Exchange an authorization code (with the PKCE verifier) or a refresh token for tokens.
///
/// The body is `application/x-www-form-urlencoded` (RFC 6749 §3.2). Errors are
/// `application/json` as RFC 6749 §5.2 requires: `error` (`invalid_request`, `invalid_grant`,
/// `unsupported_grant_type`, `invalid_client`) and `error_description`, beside the members of
/// egov's problems (`code`, `request_id`, …).
#[utoipa::path(
    tag = "auth",
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Tokens", body = TokenResponse),
        TokenErrors,
    ),
    security(()),
)]
#[post("/token")]
pub async fn token(
    req: HttpRequest,
    service: web::Data<Service>,
    body: web::Bytes,
) -> HttpResponse {
    match token_answer(&req, &service, &body).await {
        Ok(res) => res,
        Err(e) => e.oauth_response(),
    }
}

async fn token_answer(
    req: &HttpRequest,
    service: &Service,
    body: &[u8],
) -> Result<HttpResponse, Error> {
    let form_encoded = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| {
            m.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form_encoded {
        return Err(Error::with_detail(
            egov_core::error::codes::MALFORMED_BODY,
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    // Every parameter at most once (RFC 6749 §3.2).
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|e| {
        Error::with_detail(
            egov_core::error::codes::MALFORMED_BODY,
            format!("the form: {e}"),
        )
    })?;
    let mut seen = std::collections::HashSet::new();
    if let Some((name, _)) = pairs.iter().find(|(n, _)| !seen.insert(n.as_str())) {
        return Err(Error::with_detail(
            egov_core::error::codes::MALFORMED_BODY,
            format!("the parameter {name} is given twice"),
        ));
    }
    let form: TokenForm = serde_urlencoded::from_bytes(body).map_err(|e| {
        Error::with_detail(
            egov_core::error::codes::MALFORMED_BODY,
            format!("the form: {e}"),
        )
    })?;
    let (client_id, secret) = client_credentials(req, &form)?;
    if client_id.len() > 64 || secret.as_ref().is_some_and(|s| s.len() > 128) {
        return Err(client_error("unknown client"));
    }
    let cid = client_id.clone();
    let client = service
        .db()
        .run(move |c| clients::get(c, &cid))
        .await?
        .filter(|c| c.secret_matches(secret.as_deref()))
        .ok_or_else(|| client_error("unknown client or wrong secret"))?;
    let origin = service.origin(req);
    let body = match form.grant_type.as_str() {
        "authorization_code" => exchange_code(service, &client, &form, &origin).await?,
        "refresh_token" => {
            let presented = form
                .refresh_token
                .clone()
                .filter(|t| t.len() <= 256)
                .ok_or_else(|| invalid_grant("refresh_token is missing"))?;
            let (account, session, next) = service.refresh(presented, &origin).await?;
            if session.client_id != client.id {
                return Err(invalid_grant("the refresh token belongs to another client"));
            }
            TokenResponse {
                access_token: service.access_token(&account, &session)?,
                token_type: "Bearer",
                expires_in: service.settings().auth.access_token_secs,
                refresh_token: next,
                id_token: None,
                scope: "openid".into(),
            }
        }
        _ => {
            return Err(Error::with_detail(
                errors::UNSUPPORTED_GRANT_TYPE,
                "grant_type must be authorization_code or refresh_token",
            )
            .oauth_error("unsupported_grant_type"));
        }
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(body))
}

#[derive(Debug, Queryable)]
struct CodeRow {
    _code_hash: String,
    client_id: String,
    session_id: String,
    redirect_uri: String,
    code_challenge: String,
    nonce: Option<String>,
    scope: String,
    expires_at: NaiveDateTime,
    used_at: Option<NaiveDateTime>,
}

async fn exchange_code(
    service: &Service,
    client: &ClientRow,
    form: &TokenForm,
    origin: &Origin,
) -> Result<TokenResponse, Error> {
    let code = form
        .code
        .clone()
        .filter(|c| c.len() <= 64)
        .ok_or_else(|| invalid_grant("code is missing"))?;
    let verifier = form.code_verifier.clone().unwrap_or_default();
    let hash = random::digest(&code);
    let now = Utc::now().naive_utc();
    // Mark the code used first: a second exchange of the same code fails and ends the
    // session it started (RFC 6749 §4.1.2).
    let row = {
        let hash = hash.clone();
        service
            .db()
            .run(move |c| {
                c.transaction::<_, Error, _>(|c| {
                    // Write first: the row lock (PostgreSQL) or write lock (SQLite) makes two
                    // exchanges of one code strictly one after the other.
                    diesel::update(ac::table.find(&hash))
                        .set(ac::code_hash.eq(ac::code_hash))
                        .execute(c)?;
                    let Some(row) = ac::table.find(&hash).first::<CodeRow>(c).optional()? else {
                        return Ok(None);
                    };
                    if row.used_at.is_some() {
                        sessions::revoke(c, &row.session_id, "authorization code replayed")?;
                        return Ok(Some((row, false)));
                    }
                    diesel::update(ac::table.find(&hash).filter(ac::used_at.is_null()))
                        .set(ac::used_at.eq(now))
                        .execute(c)?;
                    Ok(Some((row, true)))
                })
            })
            .await?
    };
    let Some((row, first_use)) = row else {
        return Err(invalid_grant("unknown authorization code"));
    };
    if !first_use {
        tracing::warn!("authorization code replayed: session revoked");
        return Err(invalid_grant("the authorization code was already used"));
    }
    if row.expires_at <= now {
        return Err(invalid_grant("the authorization code expired"));
    }
    if row.client_id != client.id {
        return Err(invalid_grant("the code was issued to another client"));
    }
    if form.redirect_uri.as_deref() != Some(row.redirect_uri.as_str()) {
        return Err(invalid_grant(
            "redirect_uri does not match the authorization request",
        ));
    }
    let valid_verifier = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    if !valid_verifier || !random::same(computed.as_bytes(), row.code_challenge.as_bytes()) {
        let sid = row.session_id.clone();
        service
            .db()
            .run(move |c| sessions::revoke(c, &sid, "PKCE verification failed"))
            .await?;
        let _ = origin;
        return Err(invalid_grant(
            "code_verifier does not match the code_challenge (PKCE)",
        ));
    }
    let sid = row.session_id.clone();
    let (session, refresh) = service
        .db()
        .run(move |c| {
            let s = sessions::get(c, &sid)?;
            let r = sessions::fresh_refresh(c, &sid)?;
            Ok((s, r))
        })
        .await?;
    if session.revoked_at.is_some() {
        return Err(invalid_grant("the session has ended"));
    }
    let account: AccountRow = service.account(&session.account_id).await?;
    let now_s = now_secs();
    let profile = row.scope.split(' ').any(|s| s == "profile");
    let id_claims = IdClaims {
        iss: service.auth().issuer(),
        sub: &account.id,
        aud: &client.id,
        azp: &client.id,
        exp: now_s + service.settings().auth.access_token_secs,
        iat: now_s,
        auth_time: u64::try_from(session.auth_time.and_utc().timestamp()).unwrap_or(now_s),
        nonce: row.nonce.as_deref(),
        acr: session.aal().as_str(),
        amr: session.amr(),
        sid: &session.id,
        name: profile.then_some(account.display_name.as_str()),
        preferred_username: profile.then_some(account.username.as_str()),
    };
    let id_token = match client.id_token_alg() {
        crate::clients::IdTokenAlg::EdDSA => service.sign(&id_claims)?,
        crate::clients::IdTokenAlg::RS256 => service
            .auth()
            .rsa_signing_key()
            .await?
            .sign(&id_claims)
            .map_err(Error::internal)?,
    };
    Ok(TokenResponse {
        access_token: service.access_token(&account, &session)?,
        token_type: "Bearer",
        expires_in: service.settings().auth.access_token_secs,
        refresh_token: refresh,
        id_token: Some(id_token),
        scope: row.scope,
    })
}

/// Claims about the signed-in user (OpenID Connect Core §5.3).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserInfo {
    pub sub: String,
    pub name: String,
    pub preferred_username: String,
    /// Account kind.
    pub kind: String,
    pub agency: Option<String>,
}

egov_core::problems!(UserinfoErrors:
    egov_core::error::codes::NOT_FOUND,
);

/// Claims about the holder of the access token.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "The user's claims", body = UserInfo),
        UserinfoErrors,
    ),
    security(("bearer" = ["aal:1"])),
)]
#[get("/userinfo")]
pub async fn userinfo(
    auth: Authorized<SignedIn>,
    service: web::Data<Service>,
) -> Result<web::Json<UserInfo>, Error> {
    user_info(&auth, &service).await
}

/// Claims about the holder of the access token, asked with POST (OpenID Connect Core 5.3.1:
/// a provider answers both methods). The token is in the `Authorization` header.
#[utoipa::path(
    tag = "auth",
    operation_id = "userinfo_post",
    responses(
        (status = 200, description = "The user's claims", body = UserInfo),
        UserinfoErrors,
    ),
    security(("bearer" = ["aal:1"])),
)]
#[post("/userinfo")]
pub async fn userinfo_post(
    auth: Authorized<SignedIn>,
    service: web::Data<Service>,
) -> Result<web::Json<UserInfo>, Error> {
    user_info(&auth, &service).await
}

async fn user_info(
    auth: &Authorized<SignedIn>,
    service: &Service,
) -> Result<web::Json<UserInfo>, Error> {
    let a = service.account(&auth.subject).await?;
    Ok(web::Json(UserInfo {
        sub: a.id.clone(),
        name: a.display_name.clone(),
        preferred_username: a.username.clone(),
        kind: a.kind.clone(),
        agency: a.agency_id.clone(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct EndSessionQuery {
    /// An ID token this provider issued to the client (expired ones are accepted).
    pub id_token_hint: Option<String>,
    /// Where to send the browser afterwards: same origin as one of the client's redirect URIs.
    pub post_logout_redirect_uri: Option<String>,
    pub state: Option<String>,
}

#[derive(Debug, Deserialize)]
struct HintClaims {
    sub: String,
    aud: String,
}

/// The subject and client of an ID token this provider signed (its expiry is not checked: a
/// hint names who signs out, it grants nothing).
fn id_token_hint(service: &Service, jwt: &str) -> Option<HintClaims> {
    if jwt.len() > 4096 {
        return None;
    }
    let header = jsonwebtoken::decode_header(jwt).ok()?;
    let alg = match header.alg {
        a @ (jsonwebtoken::Algorithm::EdDSA | jsonwebtoken::Algorithm::RS256) => a,
        _ => return None,
    };
    let set = service.auth().jwks();
    let jwk = set.find(&header.kid?)?;
    // The key's own algorithm decides, so an RSA key cannot be used as an EdDSA one or back.
    let key_alg = match jwk.common.key_algorithm {
        Some(jsonwebtoken::jwk::KeyAlgorithm::RS256) => jsonwebtoken::Algorithm::RS256,
        _ => jsonwebtoken::Algorithm::EdDSA,
    };
    if key_alg != alg {
        return None;
    }
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).ok()?;
    let mut v = jsonwebtoken::Validation::new(alg);
    v.validate_exp = false;
    v.validate_aud = false;
    v.set_required_spec_claims(&["iss", "sub", "aud"]);
    v.set_issuer(&[service.auth().issuer()]);
    jsonwebtoken::decode::<HintClaims>(jwt, &key, &v)
        .ok()
        .map(|d| d.claims)
}

egov_core::problems!(EndSessionErrors:
    crate::errors::INVALID_AUTHORIZATION_REQUEST,
    crate::errors::ACCESS_LOG_UNAVAILABLE,
);

/// End the browser's single-sign-on session (OpenID Connect RP-Initiated Logout 1.0).
///
/// A client sends the browser here after ending its own session. With an `id_token_hint` for
/// the account the browser is signed in as, the single-sign-on session ends and its cookie is
/// cleared, so the next sign-in asks for the password again (a shared computer at a service
/// counter). The browser then goes to `post_logout_redirect_uri`, which must have the origin of
/// one of the client's redirect URIs.
#[utoipa::path(
    tag = "auth",
    params(EndSessionQuery),
    responses(
        (status = 204, description = "Signed out here (no `post_logout_redirect_uri` was given)"),
        (status = 303, description = "Signed out here; back to the client"),
        EndSessionErrors,
    ),
    security(()),
)]
#[get("/end-session")]
pub async fn end_session(
    req: HttpRequest,
    service: web::Data<Service>,
    query: web::Query<EndSessionQuery>,
) -> Result<HttpResponse, Error> {
    let q = query.into_inner();
    if !bounded(&q.state, 512) || !bounded(&q.post_logout_redirect_uri, 512) {
        return Err(bad_request("a parameter is too long"));
    }
    let hint = q
        .id_token_hint
        .as_deref()
        .and_then(|t| id_token_hint(&service, t))
        .ok_or_else(|| bad_request("id_token_hint is missing or was not issued here"))?;
    let cid = hint.aud.clone();
    let client = service
        .db()
        .run(move |c| clients::get(c, &cid))
        .await?
        .ok_or_else(|| bad_request("the hint's client is not registered"))?;
    let target = match q.post_logout_redirect_uri.as_deref() {
        None => None,
        Some(uri) => {
            let origin = |s: &str| url::Url::parse(s).ok().map(|u| u.origin());
            let wanted = origin(uri).filter(|o| o.is_tuple());
            if wanted.is_none() || !client.redirect_uris().iter().any(|r| origin(r) == wanted) {
                return Err(bad_request(
                    "post_logout_redirect_uri is not on an origin registered for this client",
                ));
            }
            Some(uri.to_owned())
        }
    };
    {
        if let Some(sso) = live_sso(&service, &req)
            .await?
            .filter(|s| s.account_id == hint.sub)
        {
            let sid = sso.id.clone();
            service
                .db()
                .run(move |c| sessions::revoke(c, &sid, "signed out"))
                .await?;
            service
                .audit(
                    &service.origin(&req),
                    &hint.sub,
                    &hint.sub,
                    crate::access_log::Action::Logout,
                    "single sign-on ended",
                )
                .await?;
        }
    }
    let mut gone = cookie(&service, SSO_COOKIE, String::new(), None);
    gone.make_removal();
    let mut res = match target {
        Some(uri) => {
            let mut u = url::Url::parse(&uri).map_err(|_| bad_request("bad redirect"))?;
            if let Some(s) = &q.state {
                u.query_pairs_mut().append_pair("state", s);
            }
            see_other(u.as_str())
        }
        None => HttpResponse::NoContent()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish(),
    };
    res.add_cookie(&gone).map_err(Error::internal)?;
    Ok(res)
}

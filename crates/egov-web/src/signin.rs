//! Sign-in and sign-out of the pages (see [`crate::session`]).
//!
//! - `GET /signin?return=/path[&acr=aal2]`: starts the code flow with PKCE at the provider; the
//!   state, nonce and verifier ride in a sealed cookie for ten minutes, so an anonymous visit
//!   writes nothing to the database.
//! - `GET /signin/callback`: checks the state and the issuer, exchanges the code at the token
//!   endpoint, starts the page session and goes back to the page asked for.
//! - `POST /signout` (with the session's form token): ends the session at the provider and
//!   here, then ends the browser's single-sign-on session at the provider.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use egov_auth::random;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::page::{Page, PageError};
use crate::see_other;
use crate::session::{CsrfForm, SignIn, SignedIn, safe_return};

/// How long a sign-in may take, in seconds.
const PENDING_SECS: i64 = 600;
const PENDING_CONTEXT: &str = "web-signin";

/// A sign-in in progress, sealed into the pending cookie.
#[derive(Serialize, Deserialize)]
struct Pending {
    state: String,
    nonce: String,
    verifier: String,
    back: String,
    /// Unix seconds.
    started: i64,
}

#[derive(Debug, Deserialize)]
pub struct Start {
    #[serde(rename = "return")]
    back: Option<String>,
    acr: Option<String>,
    #[serde(rename = "lang")]
    _lang: Option<String>,
}

fn sign_in_of(page: &Page) -> Result<SignIn, PageError> {
    page.web()
        .sign_in()
        .cloned()
        .ok_or_else(|| page.unavailable())
}

/// Start signing in: to the provider's sign-in page, then back to `return`.
#[get("/signin")]
pub async fn start(
    req: HttpRequest,
    page: Page,
    query: web::Query<Start>,
) -> Result<HttpResponse, PageError> {
    let si = sign_in_of(&page)?;
    // The sign-in's cookies belong to the public address: a browser that came by another name
    // for this host goes there first.
    let public = url::Url::parse(si.public_url()).ok();
    let host = req.connection_info().host().to_owned();
    if let Some(p) = &public
        && let Some(h) = p.host_str()
    {
        let expected = match p.port() {
            Some(port) => format!("{h}:{port}"),
            None => h.to_owned(),
        };
        if !host.eq_ignore_ascii_case(&expected) {
            let pq = req.uri().path_and_query().map_or("/signin", |x| x.as_str());
            return Ok(see_other(&format!("{}{pq}", si.public_url())));
        }
    }
    let q = query.into_inner();
    let pending = Pending {
        state: random::token(),
        nonce: random::token(),
        verifier: format!("{}{}", random::token(), random::token()),
        back: safe_return(q.back.as_deref()),
        started: crate::session::now_secs(),
    };
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(pending.verifier.as_bytes()));
    let mut params = url::form_urlencoded::Serializer::new(String::new());
    params
        .append_pair("response_type", "code")
        .append_pair("client_id", si.client_id())
        .append_pair("redirect_uri", &si.redirect_uri())
        .append_pair("scope", "openid profile")
        .append_pair("state", &pending.state)
        .append_pair("nonce", &pending.nonce)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("ui_locales", page.lang());
    if q.acr.as_deref() == Some("aal2") {
        params.append_pair("acr_values", "aal2");
    }
    let json = serde_json::to_vec(&pending).map_err(|_| page.unavailable())?;
    let cookie = si.cookie(
        si.pending_cookie(),
        si.seal(PENDING_CONTEXT, &json),
        Some(PENDING_SECS),
    );
    let mut res = see_other(&format!("{}/authorize?{}", si.issuer(), params.finish()));
    res.add_cookie(&cookie).map_err(|_| page.unavailable())?;
    Ok(res)
}

#[derive(Debug, Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    iss: Option<String>,
    error: Option<String>,
    #[serde(rename = "error_description")]
    _error_description: Option<String>,
}

#[derive(Template)]
#[template(path = "signin_failed.html")]
struct Failed<'a> {
    title: &'a str,
    text: &'a str,
    again: &'a str,
    again_href: &'a str,
}

fn failed(page: &Page, status: StatusCode, text_id: &str, back: &str) -> PageError {
    let title = page.t("signin-failed-title");
    let text = page.t(text_id);
    let again = page.t("signin-again");
    let href = crate::session::signin_href(back, false);
    let main = Failed {
        title: &title,
        text: &text,
        again: &again,
        again_href: &href,
    }
    .render()
    .unwrap_or_default();
    PageError(Box::new(page.rendered(status, &title, &[], &main)))
}

/// The provider sends the browser back here with a code.
#[get("/signin/callback")]
pub async fn callback(
    req: HttpRequest,
    page: Page,
    query: web::Query<Callback>,
) -> Result<HttpResponse, PageError> {
    let si = sign_in_of(&page)?;
    let q = query.into_inner();
    let pending: Option<Pending> = req
        .cookie(si.pending_cookie())
        .filter(|c| c.value().len() <= 2048)
        .and_then(|c| si.open(PENDING_CONTEXT, c.value()))
        .and_then(|b| serde_json::from_slice(&b).ok())
        .filter(|p: &Pending| crate::session::now_secs() - p.started <= PENDING_SECS);
    let back = pending
        .as_ref()
        .map_or("/my", |p| p.back.as_str())
        .to_owned();
    let refuse = |text_id: &str| -> Result<HttpResponse, PageError> {
        let mut e = failed(&page, StatusCode::BAD_REQUEST, text_id, &back);
        // A spent sign-in's cookie goes.
        e.0.remove_cookie(si.removal(si.pending_cookie()));
        Err(e)
    };
    let Some(pending) = pending else {
        return refuse("signin-failed");
    };
    let state_ok = q
        .state
        .as_deref()
        .is_some_and(|s| random::same(s.as_bytes(), pending.state.as_bytes()));
    if !state_ok || q.iss.as_deref().is_some_and(|i| i != si.issuer()) {
        tracing::warn!("sign-in callback: state or issuer does not match");
        return refuse("signin-failed");
    }
    if let Some(error) = q.error.as_deref() {
        return refuse(if error == "unmet_authentication_requirements" {
            "signin-second-factor"
        } else {
            "signin-failed"
        });
    }
    let Some(code) = q.code.filter(|c| !c.is_empty() && c.len() <= 128) else {
        return refuse("signin-failed");
    };
    let started = si
        .finish(&code, &pending.verifier, &pending.nonce)
        .await
        .map_err(|e| page.error(&e))?;
    let Some((cookie, principal)) = started else {
        return refuse("signin-failed");
    };
    tracing::info!(account = %principal.subject, "page session started");
    let mut res = see_other(&pending.back);
    res.add_cookie(&si.cookie(si.session_cookie(), cookie, None))
        .and_then(|()| res.add_cookie(&si.removal(si.pending_cookie())))
        .map_err(|_| page.unavailable())?;
    Ok(res)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoFields {}

/// Sign out: the session ends at the provider and here; the browser then ends its
/// single-sign-on session at the provider and comes back to the home page.
#[post("/signout")]
pub async fn sign_out(who: SignedIn, _form: CsrfForm<NoFields>) -> Result<HttpResponse, PageError> {
    let si = sign_in_of(&who.page)?;
    si.end_at_provider(&who.live).await;
    si.forget(&who.live).await.map_err(|e| who.page.error(&e))?;
    let mut res = see_other(&si.end_session_url(&who.live));
    res.add_cookie(&si.removal(si.session_cookie()))
        .map_err(|_| who.page.unavailable())?;
    Ok(res)
}

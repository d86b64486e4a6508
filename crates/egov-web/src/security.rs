//! Sign-in and security (`/my/security`), through the provider's API with the person's own
//! token, like any client:
//! - the second factor: enrol an authenticator app (a QR code drawn as SVG on the server, and
//!   the secret in groups of four to type instead), confirm it with a code, then the recovery
//!   codes, shown once;
//! - the sessions signed in to this account (where, since when, last used, level), each with
//!   "Sign out this session".
//!
//! Between "enrol" and "confirm" the secret rides in the form, sealed with the deployment's key
//! (the provider keeps it pending and never shows it again), so a mistyped code shows the same
//! QR code with the error.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use crate::page::{Page, PageError};
use crate::see_other;
use crate::session::{CsrfForm, Live, SignedIn};

/// The context the pending secret is sealed under.
const SEALED: &str = "egov-web totp enrolment";

#[derive(Debug, Deserialize)]
struct Account {
    mfa_enabled: bool,
}

#[derive(Debug, Deserialize)]
struct Session {
    id: String,
    client_id: String,
    aal: String,
    auth_time: DateTime<Utc>,
    last_used_at: DateTime<Utc>,
}

/// One session, in words.
#[derive(Debug)]
pub struct SessionLine {
    pub id: String,
    pub what: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "security.html")]
struct SecurityPage<'a> {
    t: &'a Page,
    title: String,
    csrf: &'a str,
    mfa: bool,
    sessions: Vec<SessionLine>,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "totp.html")]
struct EnrolPage<'a> {
    /// The error summary: (link to the field, message).
    errors: Vec<(String, String)>,
    t: &'a Page,
    title: String,
    csrf: &'a str,
    /// The QR code as SVG: (view box side, path data of the dark modules).
    qr: (usize, String),
    secret: String,
    sealed: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "recovery.html")]
struct RecoveryPage<'a> {
    t: &'a Page,
    title: String,
    codes: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

fn moment(t: &Page, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&t.web().pack().time_zone);
    format!("{} {}", t.date(local.date_naive()), local.format("%H:%M"))
}

/// The second factor and the sessions.
#[get("/my/security")]
pub async fn security(who: SignedIn, q: web::Query<Done>) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let si = t.web().sign_in().cloned().ok_or_else(|| t.unavailable())?;
    let account: Account = si
        .provider_get(&who.live, "/me")
        .await
        .map_err(|e| t.error(&e))?;
    let sessions: Vec<Session> = si
        .provider_get(&who.live, "/me/sessions")
        .await
        .map_err(|e| t.error(&e))?;
    let sessions = sessions
        .into_iter()
        .map(|s| SessionLine {
            what: {
                let id = format!("security-client-{}", s.client_id);
                let w = t.t(&id);
                if w == id { s.client_id.clone() } else { w }
            },
            detail: t.t_with(
                "security-session-detail",
                &[
                    ("since", moment(t, s.auth_time)),
                    ("used", moment(t, s.last_used_at)),
                    (
                        "level",
                        t.t(if s.aal == "aal2" {
                            "security-level-2"
                        } else {
                            "security-level-1"
                        }),
                    ),
                ],
            ),
            id: s.id,
        })
        .collect();
    let done = q
        .done
        .as_deref()
        .filter(|d| matches!(*d, "enrolled" | "ended"))
        .map(|d| t.t(&format!("security-done-{d}")));
    let title = t.t("security-title");
    let html = SecurityPage {
        t,
        title: title.clone(),
        csrf: who.csrf(),
        mfa: account.mfa_enabled,
        sessions,
        done,
    }
    .render()
    .map_err(|e| t.error(&egov_core::Error::internal(e)))?;
    Ok(t.render(&title, &[("/my".into(), t.t("my-page"))], &html))
}

/// The QR code of `text` as the `d` of one SVG path, one unit per module, with a quiet zone
/// of four.
fn qr_path(text: &str) -> Option<(usize, String)> {
    let (width, dark) = egov_pdf::qr_modules(text)?;
    let mut d = String::new();
    for (i, on) in dark.iter().enumerate() {
        if *on {
            d.push_str(&format!("M{} {}h1v1h-1z", i % width + 4, i / width + 4));
        }
    }
    Some((width + 8, d))
}

fn enrol_page(
    who: &SignedIn,
    secret: &str,
    uri: &str,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let si = t.web().sign_in().cloned().ok_or_else(|| t.unavailable())?;
    let qr =
        qr_path(uri).ok_or_else(|| t.error(&egov_core::Error::internal(anyhow::anyhow!("QR"))))?;
    let grouped = secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    let sealed = si.seal(SEALED, json!([secret, uri]).to_string().as_bytes());
    let title = t.t("security-enrol-title");
    let html = EnrolPage {
        t,
        title: title.clone(),
        csrf: who.csrf(),
        qr,
        secret: grouped,
        sealed,
        errors: error
            .iter()
            .map(|e| ("#code".to_owned(), e.clone()))
            .collect(),
        error,
    }
    .render()
    .map_err(|e| t.error(&egov_core::Error::internal(e)))?;
    Ok(t.answer(
        status,
        &title,
        &[
            ("/my".into(), t.t("my-page")),
            ("/my/security".into(), t.t("security-title")),
        ],
        &html,
    ))
}

/// Sends to the provider; its 4xx answers come back as they are.
async fn send(
    t: &Page,
    live: &Live,
    method: Method,
    path: &str,
    body: Option<&serde_json::Value>,
) -> Result<(u16, serde_json::Value), PageError> {
    let si = t.web().sign_in().cloned().ok_or_else(|| t.unavailable())?;
    let (status, value) = si
        .provider_send(live, method, path, body)
        .await
        .map_err(|e| t.error(&e))?;
    Ok((status.as_u16(), value))
}

/// Starts enrolling an authenticator app: the QR code and the secret.
#[post("/my/security/totp")]
pub async fn enrol(
    who: SignedIn,
    _form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let (status, v) = send(
        t,
        &who.live,
        Method::POST,
        "/me/mfa/totp",
        Some(&json!(null)),
    )
    .await?;
    if status == 409 {
        // Already enrolled.
        return Ok(see_other("/my/security"));
    }
    let (Some(secret), Some(uri)) = (v["secret"].as_str(), v["otpauth_uri"].as_str()) else {
        return Err(t.error(&egov_core::Error::internal(anyhow::anyhow!(
            "the provider's enrolment answered {status}"
        ))));
    };
    enrol_page(&who, secret, uri, None, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    sealed: String,
}

/// Confirms the authenticator with a code: the recovery codes, shown once; a wrong code
/// shows the same QR code with the error.
#[post("/my/security/totp/confirm")]
pub async fn confirm(
    who: SignedIn,
    form: CsrfForm<ConfirmForm>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let si = t.web().sign_in().cloned().ok_or_else(|| t.unavailable())?;
    let pending: Vec<String> = si
        .open(SEALED, &form.0.sealed)
        .and_then(|b| serde_json::from_slice(&b).ok())
        .filter(|v: &Vec<String>| v.len() == 2)
        .ok_or_else(|| t.bad_form())?;
    let code: String = form.0.code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        let e = t.t("security-error-code");
        return enrol_page(
            &who,
            &pending[0],
            &pending[1],
            Some(e),
            StatusCode::BAD_REQUEST,
        );
    }
    let (status, v) = send(
        t,
        &who.live,
        Method::POST,
        "/me/mfa/totp/confirm",
        Some(&json!({ "code": code })),
    )
    .await?;
    if !(200..300).contains(&status) {
        let e = t.t("security-error-wrong-code");
        return enrol_page(
            &who,
            &pending[0],
            &pending[1],
            Some(e),
            StatusCode::BAD_REQUEST,
        );
    }
    let codes = v["recovery_codes"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let title = t.t("security-recovery-title");
    let html = RecoveryPage {
        t,
        title: title.clone(),
        codes,
    }
    .render()
    .map_err(|e| t.error(&egov_core::Error::internal(e)))?;
    Ok(t.render(
        &title,
        &[
            ("/my".into(), t.t("my-page")),
            ("/my/security".into(), t.t("security-title")),
        ],
        &html,
    ))
}

/// Ends one of my sessions (this browser's too: the next page asks to sign in again).
#[post("/my/security/sessions/{id}/end")]
pub async fn end_session(
    who: SignedIn,
    _form: CsrfForm<Vec<(String, String)>>,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let id = id.into_inner();
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(t.not_found());
    }
    let (status, _) = send(
        t,
        &who.live,
        Method::DELETE,
        &format!("/me/sessions/{id}"),
        None,
    )
    .await?;
    match status {
        200..=299 => Ok(see_other("/my/security?done=ended")),
        404 => Err(t.not_found()),
        s => Err(t.message(
            StatusCode::from_u16(s).unwrap_or(StatusCode::BAD_REQUEST),
            &t.t("error-bad-request-title"),
            &t.t("error-bad-form"),
        )),
    }
}

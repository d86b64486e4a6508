//! Accepting an invitation (an official an administrator invited) or a password reset an
//! administrator issued: the link the admin console showed opens this page, where the person
//! chooses a password (twice); common auth checks the token (single use, expiring) and the
//! password's rules. Then they sign in. Nobody is signed in here; the form carries the
//! browser's form token.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use crate::form::Sent;
use crate::page::{Page, PageError};
use crate::register::form_token;
use crate::session::CsrfForm;

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage<'a> {
    t: &'a Page,
    title: String,
    csrf: String,
    token: String,
    reset: bool,
    /// The password is set: the page says so and links to signing in.
    done: bool,
    errors: Vec<(String, String)>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenQuery {
    token: Option<String>,
    reset: Option<String>,
}

fn form(
    t: &Page,
    csrf: String,
    token: &str,
    reset: bool,
    errors: Vec<(String, String)>,
) -> Result<HttpResponse, PageError> {
    answer(t, csrf, token, reset, false, errors)
}

fn answer(
    t: &Page,
    csrf: String,
    token: &str,
    reset: bool,
    done: bool,
    errors: Vec<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let title = t.t(if reset {
        "invitation-reset-title"
    } else {
        "invitation-title"
    });
    let status = crate::form_status(&errors);
    let html = InvitationPage {
        t,
        title: title.clone(),
        csrf,
        token: token.to_owned(),
        reset,
        done,
        errors,
    }
    .render()
    .map_err(|e| t.error(&egov_core::Error::internal(e)))?;
    Ok(t.answer(status, &title, &[], &html))
}

/// The form to choose a password, from the link of an invitation (`token`) or a reset
/// (`reset`).
#[get("/invitation")]
pub async fn invitation(
    req: HttpRequest,
    t: Page,
    q: web::Query<TokenQuery>,
) -> Result<HttpResponse, PageError> {
    let si = t.web().sign_in().cloned().ok_or_else(|| t.unavailable())?;
    let q = q.into_inner();
    let (token, reset) = match (q.token, q.reset) {
        (Some(t), None) => (t, false),
        (None, Some(r)) => (r, true),
        _ => return Err(t.not_found()),
    };
    if token.is_empty() || token.len() > 4096 {
        return Err(t.not_found());
    }
    let (csrf, cookie) = form_token(&req, &si);
    let mut res = form(&t, csrf, &token, reset, Vec::new())?;
    if let Some(c) = cookie {
        res.add_cookie(&si.cookie(si.form_cookie(), c, Some(3600)))
            .map_err(|_| t.unavailable())?;
    }
    Ok(res)
}

/// Sets the password; then the page says so, with the way to sign in.
#[post("/invitation")]
pub async fn accept(
    req: HttpRequest,
    t: Page,
    posted: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let si = t.web().sign_in().cloned().ok_or_else(|| t.unavailable())?;
    let sent = Sent(posted.0);
    let (csrf, _) = form_token(&req, &si);
    let reset = sent.get("reset") == "1";
    let token = sent.get("token").to_owned();
    if token.is_empty() || token.len() > 4096 {
        return Err(t.bad_form());
    }
    if sent.get("password") != sent.get("confirm") {
        let errors = vec![(
            "#confirm".to_owned(),
            t.t_with(
                "field-error",
                &[
                    ("field", t.t("invitation-confirm")),
                    ("detail", t.t("invitation-mismatch")),
                ],
            ),
        )];
        return form(&t, csrf, &token, reset, errors);
    }
    let path = if reset {
        "/password-reset"
    } else {
        "/invitations/accept"
    };
    let body = json!({ "token": token, "password": sent.get("password") });
    let (status, v) = t.provider(None, Method::POST, path, Some(&body)).await?;
    if status.is_client_error() {
        let errors = t.problem_lines(&v, "", |_| t.t("invitation-password"), "#password");
        return form(&t, csrf, &token, reset, errors);
    }
    answer(&t, csrf, "", reset, true, Vec::new())
}

//! Registration (`/register`, `/register?kind=business`): a person or a business opens an
//! account from the portal, in the page's language, without script. The provider's own use case
//! checks everything (login name, password rules, the national ID's or business number's
//! format and check digit, contact details): called in this process with the browser's address
//! when the provider runs here (so its throttle counts the person), else through its API with
//! `X-Forwarded-For` (trusted only when this process is one of the provider's
//! `server.trusted_proxies`). Its field errors come back as the page's error summary.
//!
//! The answer does not say whether a national ID already had an account (the provider tells
//! that account's holder in their access log): the confirmation is the same either way.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use egov_auth::Kind;
use egov_auth::routes::login::{RegisterRequest, register_account};
use serde::Deserialize;

use crate::contact::{Field, field_errors};
use crate::page::{Page, PageError};
use crate::session::CsrfForm;

#[derive(Debug, Default, Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    national_id: String,
    #[serde(default)]
    business_id: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    language: String,
}

#[derive(Debug, Deserialize)]
pub struct KindQuery {
    kind: Option<String>,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage<'a> {
    t: &'a Page,
    title: String,
    csrf: &'a str,
    business: bool,
    errors: Vec<(String, String)>,
    fields: Vec<Field>,
    languages: Vec<(String, String)>,
    language: String,
    language_error: Option<String>,
}

#[derive(Template)]
#[template(path = "registered.html")]
struct RegisteredPage<'a> {
    t: &'a Page,
    title: String,
    username: String,
}

/// The fields of the form, in order: (id, input type, autocomplete).
fn fields(business: bool) -> Vec<(&'static str, &'static str, &'static str)> {
    let id = if business {
        ("business_id", "text", "off")
    } else {
        ("national_id", "text", "off")
    };
    vec![
        (
            "display_name",
            "text",
            if business { "organization" } else { "name" },
        ),
        id,
        ("username", "text", "username"),
        ("password", "password", "new-password"),
        ("email", "email", "email"),
        ("phone", "tel", "tel"),
    ]
}

fn form_page(
    t: &Page,
    csrf: &str,
    form: &RegisterForm,
    errors: &[(&str, String)],
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let business = form.kind == "business";
    let error = |f: &str| errors.iter().find(|(k, _)| *k == f).map(|(_, m)| m.clone());
    let value = |id: &str| match id {
        "display_name" => form.display_name.as_str(),
        "national_id" => form.national_id.as_str(),
        "business_id" => form.business_id.as_str(),
        "username" => form.username.as_str(),
        "email" => form.email.as_str(),
        "phone" => form.phone.as_str(),
        // A password is never sent back to the browser.
        _ => "",
    };
    let prefix = if business {
        "register-business"
    } else {
        "register"
    };
    let fields = fields(business)
        .into_iter()
        .map(|f| {
            // The name's label differs for a business; the rest share the person's messages.
            let p = if matches!(f.0, "display_name" | "business_id") {
                prefix
            } else {
                "register"
            };
            let mut field = Field::new(t, p, f, value(f.0), error(f.0));
            if f.0 == "password" {
                field.max = 128;
            }
            field
        })
        .collect();
    let language = if form.language.is_empty() {
        t.lang().to_owned()
    } else {
        form.language.clone()
    };
    let title = t.t(if business {
        "register-business-title"
    } else {
        "register-title"
    });
    let html = RegisterPage {
        t,
        title: title.clone(),
        csrf,
        business,
        errors: errors
            .iter()
            .map(|(f, m)| (format!("#{f}"), m.clone()))
            .collect(),
        fields,
        languages: t.web().messages().languages().to_vec(),
        language,
        language_error: error("language"),
    }
    .render()
    .map_err(|e| t.error(&egov_core::Error::internal(e)))?;
    Ok(t.answer(status, &title, &[], &html))
}

/// The registration form.
#[get("/register")]
pub async fn register_page(
    req: HttpRequest,
    t: Page,
    q: web::Query<KindQuery>,
) -> Result<HttpResponse, PageError> {
    let si = t.web().sign_in().cloned().ok_or_else(|| t.unavailable())?;
    let (csrf, cookie) = form_token(&req, &si);
    let form = RegisterForm {
        kind: q
            .into_inner()
            .kind
            .filter(|k| k == "business")
            .unwrap_or_default(),
        ..RegisterForm::default()
    };
    let mut res = form_page(&t, &csrf, &form, &[], StatusCode::OK)?;
    if let Some(c) = cookie {
        res.add_cookie(&si.cookie(si.form_cookie(), c, Some(3600)))
            .map_err(|_| t.unavailable())?;
    }
    Ok(res)
}

/// The token of a form for someone not signed in: the session's when signed in, else from a
/// cookie of this browser's — with the cookie's new value when it has none yet (to set).
pub(crate) fn form_token(req: &HttpRequest, si: &crate::SignIn) -> (String, Option<String>) {
    match req
        .cookie(si.session_cookie())
        .or_else(|| req.cookie(si.form_cookie()))
    {
        Some(c) => (si.csrf_for(c.value()), None),
        None => {
            let cookie = egov_auth::random::token();
            (si.csrf_for(&cookie), Some(cookie))
        }
    }
}

/// Registers; the provider's field errors come back on the form (the password is never shown
/// again), a throttle as a page that says when to try again.
#[post("/register")]
pub async fn register(
    req: HttpRequest,
    t: Page,
    form: CsrfForm<RegisterForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.0;
    let si = t.web().sign_in().cloned().ok_or_else(|| t.unavailable())?;
    let business = form.kind == "business";
    let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let request = RegisterRequest {
        kind: if business {
            Kind::Business
        } else {
            Kind::Citizen
        },
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        password: form.password.clone(),
        email: text(&form.email),
        phone: text(&form.phone),
        language: text(&form.language),
        national_id: if business {
            None
        } else {
            Some(form.national_id.clone())
        },
        business_id: if business {
            Some(form.business_id.clone())
        } else {
            None
        },
    };
    let (status, answer) = match si.local_provider() {
        Some(service) => {
            let origin = service.origin(&req);
            match register_account(service, &origin, request).await {
                Ok(r) => (202, serde_json::to_value(r).unwrap_or_default()),
                Err(e) => (
                    e.code().status,
                    serde_json::to_value(e.problem()).unwrap_or_default(),
                ),
            }
        }
        None => {
            let ip = req
                .peer_addr()
                .map(|a| a.ip().to_string())
                .unwrap_or_default();
            si.provider_register(&request, &ip)
                .await
                .map_err(|e| t.error(&e))?
        }
    };
    if status == 202 {
        let title = t.t("registered-title");
        let html = RegisteredPage {
            t: &t,
            title: title.clone(),
            username: answer["username"].as_str().unwrap_or_default().to_owned(),
        }
        .render()
        .map_err(|e| t.error(&egov_core::Error::internal(e)))?;
        return Ok(t.render(&title, &[], &html));
    }
    if status == 429 {
        return Err(t.message(
            StatusCode::TOO_MANY_REQUESTS,
            &t.t("register-throttled-title"),
            &t.t("register-throttled"),
        ));
    }
    let id_field = if business {
        "business_id"
    } else {
        "national_id"
    };
    let mut errors = field_errors(
        &t,
        "register",
        &answer,
        &[
            "display_name",
            id_field,
            "username",
            "password",
            "email",
            "phone",
            "language",
        ],
    );
    if status == 409 {
        // A login name (or a business number) that has an account already.
        let detail = answer["detail"].as_str().unwrap_or_default();
        let f = if detail.contains("business") {
            "business_id"
        } else {
            "username"
        };
        errors.push((
            f,
            t.t(&format!("register-error-{}-taken", f.replace('_', "-"))),
        ));
    }
    if errors.is_empty() {
        return Err(t.bad_form());
    }
    let csrf = req
        .cookie(si.session_cookie())
        .or_else(|| req.cookie(si.form_cookie()))
        .map(|c| si.csrf_for(c.value()))
        .unwrap_or_default();
    form_page(&t, &csrf, &form, &errors, StatusCode::BAD_REQUEST)
}

//! Where notices reach me (`/my/contact`): e-mail address, mobile number and the language
//! notices are written in, read from and saved to the provider (`GET /auth/me`,
//! `PUT /auth/me/contact`) with the person's own token. The provider checks the values; its
//! field errors come back as the page's error summary, and nothing is saved.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use crate::page::{Page, PageError};
use crate::session::{CsrfForm, SignedIn};
use crate::{described_by, see_other};

#[derive(Debug, Default, Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    language: String,
}

/// One text field of `fields.html`.
#[derive(Debug)]
pub struct Field {
    pub id: &'static str,
    pub kind: &'static str,
    pub autocomplete: &'static str,
    pub label: String,
    pub hint: String,
    pub value: String,
    pub error: Option<String>,
    pub described_by: String,
    pub max: u16,
}

impl Field {
    /// Field `id` labelled by the messages `<prefix>-<id>` and `<prefix>-<id>-hint`.
    pub fn new(
        t: &Page,
        prefix: &str,
        (id, kind, autocomplete): (&'static str, &'static str, &'static str),
        value: &str,
        error: Option<String>,
    ) -> Self {
        Self {
            id,
            kind,
            autocomplete,
            label: t.t(&format!("{prefix}-{}", id.replace('_', "-"))),
            hint: t.t(&format!("{prefix}-{}-hint", id.replace('_', "-"))),
            value: value.to_owned(),
            described_by: described_by(id, true, error.is_some()),
            error,
            max: 254,
        }
    }
}

/// The field errors of a provider's `422` answer, as `(field, message <prefix>-error-<field>)`
/// for the `fields` the form has.
pub fn field_errors(
    t: &Page,
    prefix: &str,
    answer: &serde_json::Value,
    fields: &[&'static str],
) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    for e in answer["errors"].as_array().into_iter().flatten() {
        let Some(p) = e["pointer"].as_str().and_then(|p| p.strip_prefix('/')) else {
            continue;
        };
        if let Some(f) = fields.iter().find(|f| **f == p)
            && !out.iter().any(|(k, _)| k == f)
        {
            out.push((f, t.t(&format!("{prefix}-error-{}", f.replace('_', "-")))));
        }
    }
    out
}

#[derive(Template)]
#[template(path = "contact.html")]
struct ContactPage<'a> {
    t: &'a Page,
    title: String,
    csrf: &'a str,
    errors: Vec<(String, String)>,
    done: Option<String>,
    fields: Vec<Field>,
    languages: Vec<(String, String)>,
    language: String,
    language_error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// The page with `form`'s values and the provider's field errors (`(field, message)`).
fn page(
    who: &SignedIn,
    form: &ContactForm,
    errors: &[(&str, String)],
    done: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let error = |f: &str| errors.iter().find(|(k, _)| *k == f).map(|(_, m)| m.clone());
    let fields = vec![
        Field::new(
            t,
            "contact",
            ("email", "email", "email"),
            &form.email,
            error("email"),
        ),
        Field::new(
            t,
            "contact",
            ("phone", "tel", "tel"),
            &form.phone,
            error("phone"),
        ),
    ];
    let language = if form.language.is_empty() {
        t.lang().to_owned()
    } else {
        form.language.clone()
    };
    let title = t.t("contact-title");
    let html = ContactPage {
        t,
        title: title.clone(),
        csrf: who.csrf(),
        errors: errors
            .iter()
            .map(|(f, m)| (format!("#{f}"), m.clone()))
            .collect(),
        done,
        fields,
        languages: t.web().messages().languages().to_vec(),
        language,
        language_error: error("language"),
    }
    .render()
    .map_err(|e| t.error(&egov_core::Error::internal(e)))?;
    Ok(t.answer(status, &title, &[("/my".into(), t.t("my-page"))], &html))
}

/// My contact details.
#[get("/my/contact")]
pub async fn contact(who: SignedIn, q: web::Query<Done>) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let si = t.web().sign_in().cloned().ok_or_else(|| t.unavailable())?;
    let me: serde_json::Value = si
        .provider_get(&who.live, "/me")
        .await
        .map_err(|e| t.error(&e))?;
    let text = |k: &str| me[k].as_str().unwrap_or_default().to_owned();
    let form = ContactForm {
        email: text("email"),
        phone: text("phone"),
        language: text("language"),
    };
    let done = q
        .done
        .as_deref()
        .filter(|d| *d == "saved")
        .map(|_| t.t("contact-done-saved"));
    page(&who, &form, &[], done, StatusCode::OK)
}

/// Saves my contact details; the provider's field errors come back on the page.
#[post("/my/contact")]
pub async fn save_contact(
    who: SignedIn,
    form: CsrfForm<ContactForm>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let form = form.0;
    let si = t.web().sign_in().cloned().ok_or_else(|| t.unavailable())?;
    let body = json!({"email": form.email, "phone": form.phone, "language": form.language});
    let (status, answer) = si
        .provider_send(&who.live, Method::PUT, "/me/contact", Some(&body))
        .await
        .map_err(|e| t.error(&e))?;
    if status.is_success() {
        return Ok(see_other("/my/contact?done=saved"));
    }
    if status.as_u16() != 422 {
        return Err(t.message(
            StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::BAD_REQUEST),
            &t.t("error-bad-request-title"),
            &t.t("error-bad-form"),
        ));
    }
    let errors = field_errors(t, "contact", &answer, &["email", "phone", "language"]);
    if errors.is_empty() {
        return Err(t.bad_form());
    }
    page(&who, &form, &errors, None, StatusCode::BAD_REQUEST)
}

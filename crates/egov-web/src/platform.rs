//! The platform admin's console, through common auth's API with the admin's own token:
//! agencies (the list, and a new one), OpenID Connect clients (the list, and registering one:
//! a confidential client's secret is shown once), and the signing keys (the key ids published
//! now, and rotating to a new key — the old one stays published until tokens signed with it
//! have expired); and the settings in force, read only, secrets hidden. Platform admins with a
//! second factor only.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use chrono::{DateTime, Utc};
use egov_auth::principal::policies::PlatformAdmin;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::form::Sent;
use crate::page::{Page, PageError};
use crate::see_other;
use crate::session::{CsrfForm, SignedIn};

type Who = SignedIn<PlatformAdmin>;

#[derive(Debug, Deserialize)]
struct Agency {
    id: String,
    name: String,
    created_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize)]
struct Client {
    client_id: String,
    name: String,
    redirect_uris: Vec<String>,
    confidential: bool,
    created_at: DateTime<Utc>,
}

/// A row of a table, in the page's words.
#[derive(Debug)]
pub struct Line {
    pub cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "admin_platform.html")]
struct PlatformPage<'a> {
    t: &'a Page,
    title: String,
    csrf: &'a str,
    agencies: Vec<Line>,
    clients: Vec<Line>,
    keys: Vec<String>,
    done: String,
    secret: Option<(String, String)>,
    errors: Vec<(String, String)>,
    sent: &'a Sent,
}

async fn send(
    t: &Page,
    who: &Who,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Result<(StatusCode, Value), PageError> {
    t.provider(Some(&who.live), method, path, body).await
}

async fn page(
    who: &Who,
    done: Option<&str>,
    secret: Option<(String, String)>,
    errors: Vec<(String, String)>,
    sent: &Sent,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let agencies: Vec<Agency> = t.provider_read(&who.live, "/agencies").await?;
    let clients: Vec<Client> = t.provider_read(&who.live, "/clients").await?;
    let jwks: Value = t.provider_read(&who.live, "/jwks").await?;
    let keys = jwks["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|k| k["kid"].as_str().map(str::to_owned))
        .collect();
    let agencies = agencies
        .into_iter()
        .map(|a| Line {
            cells: vec![a.id, a.name, t.local_date(a.created_at.naive_utc())],
        })
        .collect();
    let clients = clients
        .into_iter()
        .map(|c| Line {
            cells: vec![
                c.name,
                c.client_id,
                c.redirect_uris.join(" "),
                t.t(if c.confidential {
                    "platform-client-confidential"
                } else {
                    "platform-client-public"
                }),
                t.local_date(c.created_at.naive_utc()),
            ],
        })
        .collect();
    let done = match done {
        Some(d @ ("agency" | "rotated")) => t.t(&format!("platform-done-{d}")),
        _ => String::new(),
    };
    let title = t.t("platform-title");
    let status = crate::form_status(&errors);
    let html = PlatformPage {
        t,
        title: title.clone(),
        csrf: who.csrf(),
        agencies,
        clients,
        keys,
        done,
        secret,
        errors,
        sent,
    }
    .render()
    .map_err(|e| t.error(&egov_core::Error::internal(e)))?;
    Ok(t.answer(
        status,
        &title,
        &[
            ("/my".into(), t.t("my-page")),
            ("/admin/officials".into(), t.t("admin-title")),
        ],
        &html,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoneQuery {
    done: Option<String>,
}

/// Agencies, clients and keys.
#[get("/admin/platform")]
pub async fn platform(who: Who, q: web::Query<DoneQuery>) -> Result<HttpResponse, PageError> {
    page(&who, q.done.as_deref(), None, Vec::new(), &Sent::default()).await
}

/// What the page's forms do (`what`): a new agency, a new client, rotating the signing key.
#[post("/admin/platform")]
pub async fn act(
    who: Who,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let sent = Sent(form.0);
    let (path, body, prefix) = match sent.get("what") {
        "agency" => (
            "/agencies",
            json!({"id": sent.get("id").trim(), "name": sent.get("name").trim()}),
            "agency-",
        ),
        "client" => (
            "/clients",
            json!({
                "name": sent.get("name").trim(),
                "redirect_uris": sent
                    .get("redirect_uris")
                    .split_whitespace()
                    .collect::<Vec<_>>(),
                "confidential": sent.get("confidential") == "yes",
            }),
            "client-",
        ),
        "rotate" => ("/keys/rotate", json!(null), "keys-"),
        _ => return Err(t.bad_form()),
    };
    let (status, v) = send(t, &who, Method::POST, path, Some(&body)).await?;
    if status.is_client_error() {
        let errors = t.problem_lines(
            &v,
            prefix,
            |n| {
                let field = n.split('-').next().unwrap_or(n);
                t.t(&format!("platform-field-{}", field.replace('_', "-")))
            },
            &format!("#{prefix}form"),
        );
        let errors = errors
            .into_iter()
            .map(|(a, m)| {
                if a.starts_with("#client-redirect_uris") {
                    ("#client-redirect_uris".to_owned(), m)
                } else {
                    (a, m)
                }
            })
            .collect();
        return page(&who, None, None, errors, &sent).await;
    }
    if !status.is_success() {
        return Err(t.provider_refused(status, &v));
    }
    match sent.get("what") {
        "agency" => Ok(see_other("/admin/platform?done=agency")),
        "rotate" => Ok(see_other("/admin/platform?done=rotated")),
        _ => {
            // A new client: its id, and a confidential client's secret, shown once.
            let id = v["client_id"].as_str().unwrap_or_default().to_owned();
            let secret = v["client_secret"].as_str().unwrap_or_default().to_owned();
            page(&who, None, Some((id, secret)), Vec::new(), &Sent::default()).await
        }
    }
}

#[derive(Template)]
#[template(path = "admin_settings.html")]
struct SettingsPage<'a> {
    t: &'a Page,
    title: String,
    sections: Vec<(String, Vec<(String, String)>)>,
}

/// The settings in force (files and environment merged), read only, secrets hidden.
#[get("/admin/settings")]
pub async fn settings(who: Who) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let mut sections: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for (key, value) in t.web().settings() {
        let (section, rest) = key.split_once('.').unwrap_or((key.as_str(), ""));
        let value = if value == egov_core::settings::HIDDEN {
            t.t("settings-hidden")
        } else {
            value.clone()
        };
        match sections.last_mut() {
            Some((s, rows)) if s == section => rows.push((rest.to_owned(), value)),
            _ => sections.push((section.to_owned(), vec![(rest.to_owned(), value)])),
        }
    }
    let title = t.t("settings-title");
    let html = SettingsPage {
        t,
        title: title.clone(),
        sections,
    }
    .render()
    .map_err(|e| t.error(&egov_core::Error::internal(e)))?;
    Ok(t.render(
        &title,
        &[
            ("/my".into(), t.t("my-page")),
            ("/admin/platform".into(), t.t("platform-title")),
        ],
        &html,
    ))
}

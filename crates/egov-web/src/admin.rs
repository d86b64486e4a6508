//! The admin console for officials' accounts (platform admins: every agency; agency admins:
//! their own agency's officers), through common auth's API with the admin's own token, like
//! any client: the agency's officials in pages; inviting one (kind, username, name, e-mail,
//! position, roles chosen among the modules' roles — an unknown role cannot be chosen, and the
//! provider refuses one sent anyway), whose invitation link is shown once; an official's page
//! (opening it is recorded on their access log) with their roles, disabling and enabling,
//! lifting a sign-in lock, ending every session, and a password-reset link.
//!
//! Every page needs an administrator with a second factor; the provider checks the agency of
//! every record again.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use chrono::{DateTime, Utc};
use egov_auth::principal::policies::Admin;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::form::Sent;
use crate::page::{Page, PageError};
use crate::session::{CsrfForm, SignedIn};
use crate::{link, see_other};

/// "My page" links of the console: (path, message id, who).
pub const WORK_LINKS: [(&str, &str, &str); 4] = [
    ("/admin/officials", "admin-title", "kind:platform_admin"),
    ("/admin/platform", "platform-title", "kind:platform_admin"),
    ("/admin/officials", "admin-title", "kind:agency_admin"),
    ("/audit/access-log", "audit-title", "kind:auditor"),
];

type Who = SignedIn<Admin>;

/// An official's account as the provider shows it.
#[derive(Debug, Deserialize)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub kind: String,
    pub display_name: String,
    pub email: Option<String>,
    pub agency: Option<String>,
    pub position: Option<String>,
    pub roles: Vec<String>,
    pub status: String,
    pub mfa_enabled: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize)]
struct AccountList {
    accounts: Vec<Account>,
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Agency {
    id: String,
    name: String,
}

/// An option of a select or a checkbox.
#[derive(Debug)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub hint: String,
    pub selected: bool,
}

/// A row of the officials' list.
#[derive(Debug)]
pub struct Row {
    pub id: String,
    pub name: String,
    pub username: String,
    pub kind: String,
    pub roles: String,
    pub status: String,
    pub mfa: String,
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

/// A kind of account in the page's words.
fn kind_text(t: &Page, kind: &str) -> String {
    t.t(&format!("admin-kind-{}", kind.replace('_', "-")))
}

/// A role in the page's words: its message (`role-<name>`), else the module's description.
fn role_text(t: &Page, name: &str, description: &str) -> String {
    let id = format!("role-{}", name.replace(['.', '_'], "-"));
    let text = t.t(&id);
    if text == id {
        description.to_owned()
    } else {
        text
    }
}

fn crumbs(t: &Page) -> Vec<(String, String)> {
    vec![
        ("/my".into(), t.t("my-page")),
        ("/admin/officials".into(), t.t("admin-title")),
    ]
}

/// The agency the admin works on: an agency admin's own; a platform admin's choice (the
/// first agency when none is chosen).
async fn agency_of(
    t: &Page,
    who: &Who,
    asked: Option<&str>,
) -> Result<(String, Vec<Choice>), PageError> {
    if let Some(own) = &who.principal.agency {
        return Ok((own.clone(), Vec::new()));
    }
    let agencies: Vec<Agency> = t.provider_read(&who.live, "/agencies").await?;
    let picked = asked
        .filter(|a| agencies.iter().any(|x| x.id == *a))
        .map(str::to_owned)
        .or_else(|| agencies.first().map(|a| a.id.clone()))
        .unwrap_or_default();
    let choices = agencies
        .into_iter()
        .map(|a| Choice {
            selected: a.id == picked,
            label: format!("{} ({})", a.name, a.id),
            hint: String::new(),
            value: a.id,
        })
        .collect();
    Ok((picked, choices))
}

#[derive(Template)]
#[template(path = "admin_officials.html")]
struct ListPage<'a> {
    t: &'a Page,
    title: String,
    /// A platform admin: links to agencies, clients and keys.
    platform: bool,
    agency: String,
    agencies: Vec<Choice>,
    rows: Vec<Row>,
    next: Option<String>,
    done: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    agency: Option<String>,
    after: Option<String>,
    done: Option<String>,
}

/// The banner of a finished action.
fn done_text(t: &Page, done: Option<&str>) -> String {
    match done {
        Some(d @ ("roles" | "disabled" | "enabled" | "unlocked" | "sessions" | "accepted")) => {
            t.t(&format!("admin-done-{d}"))
        }
        _ => String::new(),
    }
}

/// The agency's officials, 50 a page.
#[get("/admin/officials")]
pub async fn officials(who: Who, q: web::Query<ListQuery>) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let q = q.into_inner();
    let (agency, agencies) = agency_of(t, &who, q.agency.as_deref()).await?;
    let (rows, next) = if agency.is_empty() {
        (Vec::new(), None)
    } else {
        let path = link(
            &format!("/agencies/{agency}/accounts"),
            &[("limit", Some("50")), ("after", q.after.as_deref())],
        );
        let list: AccountList = t.provider_read(&who.live, &path).await?;
        let rows = list
            .accounts
            .into_iter()
            .map(|a| Row {
                kind: kind_text(t, &a.kind),
                roles: a.roles.join(", "),
                status: t.t(&format!("admin-status-{}", a.status)),
                mfa: t.t(if a.mfa_enabled {
                    "admin-mfa-on"
                } else {
                    "admin-mfa-off"
                }),
                name: a.display_name,
                username: a.username,
                id: a.id,
            })
            .collect();
        let next = list.next.map(|n| {
            link(
                "/admin/officials",
                &[("agency", Some(&agency)), ("after", Some(&n))],
            )
        });
        (rows, next)
    };
    let title = t.t("admin-title");
    let html = ListPage {
        t,
        title: title.clone(),
        platform: who.principal.agency.is_none(),
        agency,
        agencies,
        rows,
        next,
        done: done_text(t, q.done.as_deref()),
    }
    .render()
    .map_err(|e| t.error(&egov_core::Error::internal(e)))?;
    Ok(t.render(&title, &[("/my".into(), t.t("my-page"))], &html))
}

#[derive(Template)]
#[template(path = "admin_invite.html")]
struct InvitePage<'a> {
    t: &'a Page,
    title: String,
    csrf: &'a str,
    agency: String,
    kinds: Vec<Choice>,
    roles: Vec<Choice>,
    errors: Vec<(String, String)>,
    sent: &'a Sent,
}

#[derive(Template)]
#[template(path = "admin_invited.html")]
struct InvitedPage<'a> {
    t: &'a Page,
    title: String,
    name: String,
    username: String,
    agency: String,
    link: String,
    until: String,
}

/// When a token the provider issued expires (its `exp`, read without checking: the provider
/// checks it when the link is used).
fn expires(token: &str) -> Option<DateTime<Utc>> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    DateTime::from_timestamp(claims["exp"].as_i64()?, 0)
}

fn role_choices(t: &Page, picked: &[&str]) -> Vec<Choice> {
    t.web()
        .roles()
        .iter()
        .map(|(name, description)| Choice {
            value: (*name).to_owned(),
            label: (*name).to_owned(),
            hint: role_text(t, name, description),
            selected: picked.contains(name),
        })
        .collect()
}

fn invite_page(
    who: &Who,
    agency: &str,
    errors: Vec<(String, String)>,
    sent: &Sent,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let mut kinds = vec!["officer"];
    if who.principal.agency.is_none() {
        kinds.push("agency_admin");
    }
    let picked = if sent.get("kind").is_empty() {
        "officer"
    } else {
        sent.get("kind")
    };
    let kinds = kinds
        .into_iter()
        .map(|k| Choice {
            value: k.to_owned(),
            label: kind_text(t, k),
            hint: String::new(),
            selected: k == picked,
        })
        .collect();
    let title = t.t("admin-invite-title");
    let status = crate::form_status(&errors);
    let html = InvitePage {
        t,
        title: title.clone(),
        csrf: who.csrf(),
        agency: agency.to_owned(),
        kinds,
        roles: role_choices(t, &sent.all("roles")),
        errors,
        sent,
    }
    .render()
    .map_err(|e| t.error(&egov_core::Error::internal(e)))?;
    Ok(t.answer(status, &title, &crumbs(t), &html))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyQuery {
    agency: Option<String>,
}

/// The form to invite an official into the agency.
#[get("/admin/officials/new")]
pub async fn invite_form(who: Who, q: web::Query<AgencyQuery>) -> Result<HttpResponse, PageError> {
    let (agency, _) = agency_of(&who.page, &who, q.agency.as_deref()).await?;
    if agency.is_empty() {
        return Err(who.page.not_found());
    }
    invite_page(&who, &agency, Vec::new(), &Sent::default())
}

/// Invites the official: the invitation link, shown once; refused, the form again.
#[post("/admin/officials/new")]
pub async fn invite(
    who: Who,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let sent = Sent(form.0);
    let (agency, _) = agency_of(t, &who, Some(sent.get("agency"))).await?;
    if agency.is_empty() || (who.principal.agency.is_none() && agency != sent.get("agency")) {
        return Err(t.bad_form());
    }
    let text = |n: &str| Some(sent.get(n).trim().to_owned()).filter(|s| !s.is_empty());
    let body = json!({
        "kind": sent.get("kind"),
        "username": sent.get("username").trim(),
        "display_name": sent.get("display_name").trim(),
        "email": text("email"),
        "position": text("position"),
        "roles": sent.all("roles"),
    });
    let (status, v) = send(
        t,
        &who,
        Method::POST,
        &format!("/agencies/{agency}/accounts"),
        Some(&body),
    )
    .await?;
    if status.is_client_error() {
        let errors = t.problem_lines(
            &v,
            "invite-",
            |n| {
                let field = n.split('-').next().unwrap_or(n);
                t.t(&format!("admin-field-{}", field.replace('_', "-")))
            },
            "#invite-username",
        );
        // A refused role points at the roles' group.
        let errors = errors
            .into_iter()
            .map(|(a, m)| {
                if a.starts_with("#invite-roles") {
                    ("#invite-roles".to_owned(), m)
                } else {
                    (a, m)
                }
            })
            .collect();
        return invite_page(&who, &agency, errors, &sent);
    }
    if !status.is_success() {
        return Err(t.provider_refused(status, &v));
    }
    let si = t.web().sign_in().cloned().ok_or_else(|| t.unavailable())?;
    let token = v["invitation_token"].as_str().unwrap_or_default();
    let link = format!(
        "{}{}",
        si.public_url(),
        link("/invitation", &[("token", Some(token))])
    );
    let title = t.t("admin-invited-title");
    let until = expires(token)
        .map(|at| t.local_time(at.naive_utc()))
        .unwrap_or_default();
    let html = InvitedPage {
        t,
        title: title.clone(),
        name: v["account"]["display_name"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        username: v["account"]["username"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        agency,
        link,
        until,
    }
    .render()
    .map_err(|e| t.error(&egov_core::Error::internal(e)))?;
    Ok(t.answer(StatusCode::CREATED, &title, &crumbs(t), &html))
}

#[derive(Template)]
#[template(path = "admin_official.html")]
struct OfficialPage<'a> {
    t: &'a Page,
    title: String,
    csrf: &'a str,
    id: String,
    facts: Vec<(String, String)>,
    roles: Vec<Choice>,
    disabled: bool,
    active: bool,
    myself: bool,
    done: String,
    reset_link: Option<String>,
    errors: Vec<(String, String)>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoneQuery {
    done: Option<String>,
}

async fn official_page(
    who: &Who,
    id: &str,
    done: Option<&str>,
    reset_link: Option<String>,
    errors: Vec<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    if id.is_empty() || id.len() > 64 || id.contains(['/', '?', '#']) {
        return Err(t.not_found());
    }
    let a: Account = t
        .provider_read(&who.live, &format!("/accounts/{id}"))
        .await?;
    let picked: Vec<&str> = a.roles.iter().map(String::as_str).collect();
    let facts = vec![
        (t.t("admin-field-username"), a.username.clone()),
        (t.t("admin-field-kind"), kind_text(t, &a.kind)),
        (
            t.t("admin-field-agency"),
            a.agency.clone().unwrap_or_default(),
        ),
        (
            t.t("admin-field-position"),
            a.position.clone().unwrap_or_default(),
        ),
        (
            t.t("admin-field-email"),
            a.email.clone().unwrap_or_default(),
        ),
        (
            t.t("admin-field-status"),
            t.t(&format!("admin-status-{}", a.status)),
        ),
        (
            t.t("admin-field-mfa"),
            t.t(if a.mfa_enabled {
                "admin-mfa-on"
            } else {
                "admin-mfa-off"
            }),
        ),
        (
            t.t("admin-field-created"),
            t.local_time(a.created_at.naive_utc()),
        ),
    ];
    let status = crate::form_status(&errors);
    let html = OfficialPage {
        t,
        title: a.display_name.clone(),
        csrf: who.csrf(),
        id: a.id.clone(),
        facts,
        roles: role_choices(t, &picked),
        disabled: a.status == "disabled",
        active: a.status == "active",
        myself: a.id == who.principal.subject,
        done: done_text(t, done),
        reset_link,
        errors,
    }
    .render()
    .map_err(|e| t.error(&egov_core::Error::internal(e)))?;
    Ok(t.answer(status, &a.display_name, &crumbs(t), &html))
}

/// An official's account (the view is recorded on their access log) and what an admin may do.
#[get("/admin/officials/{id}")]
pub async fn official(
    who: Who,
    id: web::Path<String>,
    q: web::Query<DoneQuery>,
) -> Result<HttpResponse, PageError> {
    official_page(&who, &id, q.done.as_deref(), None, Vec::new()).await
}

/// What the official's page's forms do (`what`): roles, disable, enable, unlock, end the
/// sessions, a password-reset link.
#[post("/admin/officials/{id}")]
pub async fn act(
    who: Who,
    id: web::Path<String>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let sent = Sent(form.0);
    let id = id.into_inner();
    if id.is_empty() || id.len() > 64 || id.contains(['/', '?', '#']) {
        return Err(t.not_found());
    }
    let (method, path, body, done) = match sent.get("what") {
        "roles" => (
            Method::PUT,
            format!("/accounts/{id}/roles"),
            Some(json!({ "roles": sent.all("roles") })),
            "roles",
        ),
        "disable" => (
            Method::POST,
            format!("/accounts/{id}/disable"),
            None,
            "disabled",
        ),
        "enable" => (
            Method::POST,
            format!("/accounts/{id}/enable"),
            None,
            "enabled",
        ),
        "unlock" => (
            Method::POST,
            format!("/accounts/{id}/unlock"),
            None,
            "unlocked",
        ),
        "sessions" => (
            Method::POST,
            format!("/accounts/{id}/sessions/revoke"),
            None,
            "sessions",
        ),
        "reset" => (
            Method::POST,
            format!("/accounts/{id}/password-reset"),
            None,
            "reset",
        ),
        _ => return Err(t.bad_form()),
    };
    let (status, v) = send(t, &who, method, &path, body.as_ref()).await?;
    if status.is_client_error() && status != StatusCode::NOT_FOUND {
        let errors = t.problem_lines(
            &v,
            "",
            |_| t.t("admin-field-roles"),
            &format!("#act-{}", sent.get("what")),
        );
        let errors = errors
            .into_iter()
            .map(|(a, m)| {
                if a.starts_with("#roles") {
                    ("#act-roles".to_owned(), m)
                } else {
                    (a, m)
                }
            })
            .collect();
        return official_page(&who, &id, None, None, errors).await;
    }
    if !status.is_success() {
        return Err(t.provider_refused(status, &v));
    }
    if done == "reset" {
        let si = t.web().sign_in().cloned().ok_or_else(|| t.unavailable())?;
        let token = v["reset_token"].as_str().unwrap_or_default();
        let link = format!(
            "{}{}",
            si.public_url(),
            link("/invitation", &[("reset", Some(token))])
        );
        return official_page(&who, &id, None, Some(link), Vec::new()).await;
    }
    Ok(see_other(&format!("/admin/officials/{id}?done={done}")))
}

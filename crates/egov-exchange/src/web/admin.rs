//! The platform admin's exchange console: the members this deployment knows (itself and the
//! others it may call or answer), the grants — which client may call which service, for what
//! purpose and which items — with a form to grant one and a button to revoke each, and the
//! dead-letter list of event deliveries that gave up, each with "Deliver again". Platform
//! admins with a second factor; each form calls the API's use case (`http::grants`,
//! `http::subscriptions`).

use actix_web::web::{Data, Query};
use actix_web::{HttpResponse, get, post};
use askama::Template;
use egov_auth::principal::policies::PlatformAdmin;
use egov_core::Error;
use egov_web::{CsrfForm, Page, PageError, Sent, SignedIn, see_other};
use serde::Deserialize;

use super::consents::party;
use crate::Exchange;
use crate::http::grants::{GrantInput, grant, revoke};
use crate::http::members::{MemberInput, register};
use crate::http::subscriptions::{ReplayInput, replay};
use crate::store;

type Who = SignedIn<PlatformAdmin>;

/// A member, in words.
#[derive(Debug)]
pub struct MemberLine {
    pub id: String,
    pub name: String,
    pub url: String,
    pub local: bool,
}

/// A grant, in words.
#[derive(Debug)]
pub struct GrantLine {
    pub id: String,
    pub client: String,
    pub service: String,
    pub purpose: String,
    pub items: String,
    pub since: String,
}

/// A dead letter.
#[derive(Debug)]
pub struct DeadLine {
    pub source: String,
    pub event_id: String,
    pub event_type: String,
    pub subscription_id: String,
    pub attempts: i32,
    pub error: String,
}

/// Consents of one client, service and purpose, counted.
#[derive(Debug)]
pub struct ConsentLine {
    pub client: String,
    pub service: String,
    pub purpose: String,
    pub active: String,
    pub withdrawn: String,
    pub expired: String,
}

#[derive(Template)]
#[template(path = "web/exchange_admin.html")]
struct AdminPage<'a> {
    t: &'a Page,
    title: String,
    csrf: &'a str,
    done: String,
    members: Vec<MemberLine>,
    grants: Vec<GrantLine>,
    consents: Vec<ConsentLine>,
    dead: Vec<DeadLine>,
    errors: Vec<(String, String)>,
    sent: &'a Sent,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoneQuery {
    done: Option<String>,
}

async fn page(
    who: &Who,
    x: &Exchange,
    done: Option<&str>,
    errors: Vec<(String, String)>,
    sent: &Sent,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let members = x
        .keys()
        .members()
        .into_iter()
        .map(|m| MemberLine {
            id: m.id,
            name: m.name,
            url: m.base_url.unwrap_or_default(),
            local: m.local,
        })
        .collect();
    let (grants, dead) = x
        .db()
        .run(|c| {
            Ok((
                store::grants(c, None)?,
                store::deliveries(c, Some("dead"), 200)?,
            ))
        })
        .await
        .map_err(|e| t.error(&e))?;
    let grants = grants
        .into_iter()
        .map(|g| GrantLine {
            client: format!("{} ({})", party(t, &g.client, false), g.client),
            service: format!("{} ({})", party(t, &g.service, true), g.service),
            items: g.item_list().join(", "),
            since: t.local_date(g.created_at),
            purpose: g.purpose,
            id: g.id,
        })
        .collect();
    let dead = dead
        .into_iter()
        .map(|(d, e)| DeadLine {
            source: d.source,
            event_id: d.event_id,
            event_type: e.event_type,
            subscription_id: d.subscription_id,
            attempts: d.attempts,
            error: d.last_error.unwrap_or_default(),
        })
        .collect();
    let consents = crate::http::consents::overview(x)
        .await
        .map_err(|e| t.error(&e))?
        .consents
        .into_iter()
        .map(|c| ConsentLine {
            client: format!("{} ({})", party(t, &c.client, false), c.client),
            service: format!("{} ({})", party(t, &c.service, true), c.service),
            purpose: c.purpose,
            active: t.count(c.active.into()),
            withdrawn: t.count(c.withdrawn.into()),
            expired: t.count(c.expired.into()),
        })
        .collect();
    let done = match done {
        Some(d @ ("granted" | "revoked" | "replayed" | "registered")) => {
            t.t(&format!("xadmin-done-{d}"))
        }
        _ => String::new(),
    };
    let title = t.t("xadmin-title");
    let status = egov_web::form_status(&errors);
    let html = AdminPage {
        t,
        title: title.clone(),
        csrf: who.csrf(),
        done,
        members,
        grants,
        consents,
        dead,
        errors,
        sent,
    }
    .render()
    .map_err(|e| t.error(&Error::internal(e)))?;
    Ok(t.answer(status, &title, &[("/my".into(), t.t("my-page"))], &html))
}

/// Members, grants and dead letters.
#[get("/admin/exchange")]
pub async fn exchange_admin(
    who: Who,
    x: Data<Exchange>,
    q: Query<DoneQuery>,
) -> Result<HttpResponse, PageError> {
    page(&who, &x, q.done.as_deref(), Vec::new(), &Sent::default()).await
}

/// What the page's forms do (`what`): grant, revoke a grant, deliver a dead letter again.
#[post("/admin/exchange")]
pub async fn exchange_act(
    who: Who,
    x: Data<Exchange>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let sent = Sent(form.0);
    let (result, prefix) = match sent.get("what") {
        "grant" => (
            grant(
                &x,
                &who.principal.subject,
                GrantInput {
                    client: sent.get("client").trim().to_owned(),
                    service: sent.get("service").trim().to_owned(),
                    purpose: sent.get("purpose").trim().to_owned(),
                    items: sent
                        .get("items")
                        .split([',', ' ', '\n'])
                        .map(str::trim)
                        .filter(|i| !i.is_empty())
                        .map(str::to_owned)
                        .collect(),
                },
            )
            .await
            .map(|_| "granted"),
            "grant-",
        ),
        "member" => {
            let keys = match sent.get("keys").trim() {
                "" => Ok(Vec::new()),
                text => serde_json::from_str::<Vec<crate::keys::Jwk>>(text),
            };
            let Ok(keys) = keys else {
                let errors = vec![("#member-keys".to_owned(), t.t("xadmin-keys-error"))];
                return page(&who, &x, None, errors, &sent).await;
            };
            (
                register(
                    &x,
                    MemberInput {
                        id: sent.get("id").trim().to_owned(),
                        name: sent.get("name").trim().to_owned(),
                        base_url: Some(sent.get("base_url").trim().to_owned())
                            .filter(|u| !u.is_empty()),
                        keys,
                    },
                )
                .await
                .map(|_| "registered"),
                "member-",
            )
        }
        "revoke" => (
            revoke(&x, sent.get("id").to_owned())
                .await
                .map(|()| "revoked"),
            "grants-",
        ),
        "replay" => (
            replay(
                &x,
                ReplayInput {
                    source: sent.get("source").to_owned(),
                    event_id: sent.get("event_id").to_owned(),
                    subscription_id: sent.get("subscription_id").to_owned(),
                },
            )
            .await
            .map(|()| "replayed"),
            "dead-",
        ),
        _ => return Err(t.bad_form()),
    };
    match result {
        Ok(done) => Ok(see_other(&format!("/admin/exchange?done={done}"))),
        Err(e) if actix_web::ResponseError::status_code(&e).is_client_error() => {
            let errors = t.refusal(
                &e,
                prefix,
                |n| {
                    let field = n.split('-').next().unwrap_or(n);
                    t.t(&format!("xadmin-field-{}", field.replace('_', "-")))
                },
                &format!("#{prefix}form"),
            );
            let errors = errors
                .into_iter()
                .map(|(a, m)| {
                    if a.starts_with("#grant-items") {
                        ("#grant-items".to_owned(), m)
                    } else if a.starts_with("#member-keys") {
                        ("#member-keys".to_owned(), m)
                    } else {
                        (a, m)
                    }
                })
                .collect();
            page(&who, &x, None, errors, &sent).await
        }
        Err(e) => Err(t.error(&e)),
    }
}

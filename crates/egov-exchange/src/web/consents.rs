//! My consents, and withdrawing one.

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path, Query};
use actix_web::{HttpResponse, get, post};
use askama::Template;
use chrono::Utc;
use egov_core::Error;
use egov_web::{CsrfForm, Page, PageError, SignedIn, see_other};
use serde::Deserialize;

use crate::Exchange;
use crate::http::citizens::{DataSubject, consents_of, person, withdraw as withdraw_consent};
use crate::store::ConsentRow;

type Who = SignedIn<DataSubject>;

/// The words for a party of the exchange (`INSTANCE/CLASS/MEMBER[/SUBSYSTEM[/SERVICE]]`): the
/// pack's or the module's `provider-<subsystem>` message, else the subsystem or member code.
pub fn party(t: &Page, id: &str, service: bool) -> String {
    let parts: Vec<&str> = id.split('/').collect();
    // A service names its subsystem second to last; a client its subsystem last (or only a
    // member).
    let at = if service {
        parts.len().saturating_sub(2)
    } else {
        parts.len().saturating_sub(1)
    };
    let code = parts.get(at).copied().unwrap_or_default();
    let key = format!("provider-{code}");
    let name = t.t(&key);
    if name == key { code.to_owned() } else { name }
}

/// One consent, in words.
#[derive(Debug)]
pub struct Row {
    pub id: String,
    pub text: String,
    pub purpose: String,
    pub given: String,
    pub until: String,
    pub state: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "web/consents.html")]
struct ConsentsPage<'a> {
    t: &'a Page,
    title: String,
    csrf: &'a str,
    rows: Vec<Row>,
    withdrawn: bool,
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    /// Shown right after withdrawing one.
    withdrawn: Option<String>,
}

fn row(t: &Page, c: &ConsentRow) -> Row {
    let now = Utc::now().naive_utc();
    let (state, active) = match c.withdrawn_at {
        Some(w) => (
            t.t_with("consent-state-withdrawn", &[("date", t.local_date(w))]),
            false,
        ),
        None if c.expires_at <= now => (t.t("consent-state-expired"), false),
        None => (t.t("consent-state-active"), true),
    };
    let items = c.item_list();
    Row {
        id: c.id.clone(),
        text: t.t_with(
            "consent-row",
            &[
                ("client", party(t, &c.client, false)),
                ("items", items.join(", ")),
                ("provider", party(t, &c.service, true)),
            ],
        ),
        purpose: c.purpose.clone(),
        given: t.local_date(c.granted_at),
        until: t.local_date(c.expires_at),
        state,
        active,
    }
}

/// My consents, newest first.
#[get("/my/consents")]
pub async fn my_consents(
    who: Who,
    exchange: Data<Exchange>,
    query: Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let subject = person(&who.principal).map_err(|e| t.error(&e))?;
    let rows = consents_of(&exchange, subject)
        .await
        .map_err(|e| t.error(&e))?
        .iter()
        .map(|c| row(t, c))
        .collect();
    let title = t.t("consents-title");
    let html = ConsentsPage {
        t,
        title: title.clone(),
        csrf: who.csrf(),
        rows,
        withdrawn: query.withdrawn.is_some(),
    }
    .render()
    .map_err(|e| t.error(&Error::internal(e)))?;
    Ok(t.rendered(
        StatusCode::OK,
        &title,
        &[("/my".into(), t.t("my-page"))],
        &html,
    )
    .response())
}

/// Withdraws one of my consents (one that is not mine, or already withdrawn: not found).
#[post("/my/consents/{id}/withdraw")]
pub async fn withdraw(
    who: Who,
    _form: CsrfForm<Vec<(String, String)>>,
    exchange: Data<Exchange>,
    id: Path<String>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let subject = person(&who.principal).map_err(|e| t.error(&e))?;
    withdraw_consent(&exchange, subject, id.into_inner())
        .await
        .map_err(|e| t.error(&e))?;
    Ok(see_other("/my/consents?withdrawn=1"))
}

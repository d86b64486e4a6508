//! "Who used my data": the access log about the signed-in person, with each official's name
//! and agency, what they did, why and in which service, newest first; read from the provider's
//! API (`/auth/me/access-log`) with the person's own token, like any client.

use actix_web::{HttpResponse, get, web};
use askama::Template;
use serde::Deserialize;

use crate::page::{Page, PageError};
use crate::session::SignedIn;

#[derive(Debug, Deserialize)]
pub(crate) struct Record {
    pub(crate) seq: i64,
    occurred_at: chrono::DateTime<chrono::Utc>,
    actor: String,
    actor_name: Option<String>,
    actor_agency: Option<String>,
    action: String,
    purpose: String,
    module: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct LogPage {
    pub(crate) records: Vec<Record>,
    pub(crate) next: Option<i64>,
}

/// One row, in the page's language.
#[derive(Debug)]
pub struct Row {
    pub seq: i64,
    pub when: String,
    pub who: String,
    pub agency: String,
    pub what: String,
    pub why: String,
    pub service: String,
}

#[derive(Template)]
#[template(path = "privacy.html")]
struct Privacy<'a> {
    t: &'a Page,
    title: String,
    caption: String,
    /// Whether the table shows each record's sequence number (the auditors' view).
    seq: bool,
    rows: Vec<Row>,
    older: Option<String>,
}

/// The page's query (`lang` and anything else are left to the layout).
#[derive(Debug, Deserialize)]
pub struct Query {
    before: Option<String>,
}

/// A message of the page, or the code itself where there is none.
fn word(t: &Page, prefix: &str, code: &str) -> String {
    let id = format!("{prefix}-{}", code.replace('_', "-"));
    let text = t.t(&id);
    if text == id {
        code.replace('_', " ")
    } else {
        text
    }
}

/// Access-log records in the page's words (`me`: the reader, shown as "you").
pub(crate) fn rows(t: &Page, records: Vec<Record>, me: &str) -> Vec<Row> {
    let tz = t.web().pack().time_zone;
    records
        .into_iter()
        .map(|r| {
            let local = r.occurred_at.with_timezone(&tz);
            Row {
                seq: r.seq,
                when: format!("{} {}", t.date(local.date_naive()), local.format("%H:%M")),
                who: match (r.actor_name, r.actor.as_str()) {
                    (_, a) if a == me => t.t("privacy-you"),
                    (Some(n), _) => n,
                    (None, "system") => t.t("privacy-system"),
                    (None, "anonymous") => t.t("privacy-anonymous"),
                    (None, _) => t.t("privacy-unknown"),
                },
                agency: r.actor_agency.unwrap_or_default(),
                what: word(t, "access", &r.action),
                why: r.purpose,
                service: word(t, "module", &r.module),
            }
        })
        .collect()
}

/// Who used my data.
#[get("/my/privacy")]
pub async fn privacy(who: SignedIn, query: web::Query<Query>) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let si = t.web().sign_in().cloned().ok_or_else(|| t.unavailable())?;
    let mut path = "/me/access-log?limit=50".to_owned();
    if let Some(b) = &query.before {
        let b: i64 = b.parse().map_err(|_| t.bad_form())?;
        path.push_str(&format!("&before={b}"));
    }
    let log: LogPage = si
        .provider_get(&who.live, &path)
        .await
        .map_err(|e| t.error(&e))?;
    let rows = rows(t, log.records, &who.principal.subject);
    let title = t.t("privacy-title");
    let html = Privacy {
        t,
        title: title.clone(),
        caption: t.t("privacy-caption"),
        seq: false,
        rows,
        older: log.next.map(|n| format!("/my/privacy?before={n}")),
    }
    .render()
    .map_err(|e| t.error(&egov_core::Error::internal(e)))?;
    Ok(t.render(&title, &[("/my".into(), t.t("my-page"))], &html))
}

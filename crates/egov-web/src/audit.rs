//! The auditors' console, through common auth's API with the auditor's own token: the access
//! log's hash chain verified (records checked, from which checkpoint, the head, and what is
//! wrong when it is broken), and the records about one person (by national ID or account id)
//! with the auditor's purpose — the search itself is recorded on that person's log. The
//! national ID is posted, never put in an address; older pages are posted again.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post};
use askama::Template;
use egov_auth::principal::policies::Auditor;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::form::Sent;
use crate::page::{Page, PageError};
use crate::privacy::{LogPage, Row, rows};
use crate::session::{CsrfForm, SignedIn};

type Who = SignedIn<Auditor>;

#[derive(Debug, Deserialize)]
struct ChainCheck {
    intact: bool,
    checked: u64,
    from_checkpoint: i64,
    head_seq: i64,
    problem: Option<String>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage<'a> {
    t: &'a Page,
    title: String,
    csrf: &'a str,
    chain: String,
    intact: bool,
    problem: String,
    searched: bool,
    caption: String,
    seq: bool,
    rows: Vec<Row>,
    older: Option<i64>,
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
    found: Option<LogPage>,
    errors: Vec<(String, String)>,
    sent: &Sent,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let (status, v) = send(t, who, Method::GET, "/audit/verify", None).await?;
    if !status.is_success() {
        return Err(t.provider_refused(status, &v));
    }
    let check: ChainCheck =
        serde_json::from_value(v).map_err(|e| t.error(&egov_core::Error::internal(e)))?;
    let chain = t.t_with(
        if check.intact {
            "audit-chain-intact"
        } else {
            "audit-chain-broken"
        },
        &[
            ("checked", check.checked.to_string()),
            ("from", check.from_checkpoint.to_string()),
            ("head", check.head_seq.to_string()),
        ],
    );
    let searched = found.is_some();
    let (rows, older) = match found {
        Some(p) => (rows(t, p.records, &who.principal.subject), p.next),
        None => (Vec::new(), None),
    };
    let title = t.t("audit-title");
    let status = crate::form_status(&errors);
    let html = AuditPage {
        t,
        title: title.clone(),
        csrf: who.csrf(),
        chain,
        intact: check.intact,
        problem: check.problem.unwrap_or_default(),
        searched,
        caption: t.t("audit-caption"),
        seq: true,
        rows,
        older,
        errors,
        sent,
    }
    .render()
    .map_err(|e| t.error(&egov_core::Error::internal(e)))?;
    Ok(t.answer(status, &title, &[("/my".into(), t.t("my-page"))], &html))
}

/// The chain's check and the search form.
#[get("/audit/access-log")]
pub async fn access_log(who: Who) -> Result<HttpResponse, PageError> {
    page(&who, None, Vec::new(), &Sent::default()).await
}

/// The records about one person, with the auditor's purpose (recorded).
#[post("/audit/access-log")]
pub async fn search(
    who: Who,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let sent = Sent(form.0);
    let id = sent.get("id").trim();
    let before = match sent.get("before") {
        "" => None,
        b => Some(b.parse::<i64>().map_err(|_| t.bad_form())?),
    };
    let mut body = json!({ "purpose": sent.get("purpose").trim(), "limit": 50, "before": before });
    match sent.get("kind") {
        "account_id" => body["account_id"] = json!(id),
        _ => body["national_id"] = json!(id),
    }
    let (status, v) = send(
        t,
        &who,
        Method::POST,
        "/audit/access-log/search",
        Some(&body),
    )
    .await?;
    if status.is_client_error() {
        let errors = t.problem_lines(
            &v,
            "search-",
            |n| {
                t.t(match n {
                    "purpose" => "audit-field-purpose",
                    _ => "audit-field-id",
                })
            },
            "#search-id",
        );
        let errors = errors
            .into_iter()
            .map(|(a, m)| {
                if a == "#search-national_id" || a == "#search-account_id" {
                    ("#search-id".to_owned(), m)
                } else {
                    (a, m)
                }
            })
            .collect();
        return page(&who, None, errors, &sent).await;
    }
    if !status.is_success() {
        return Err(t.provider_refused(status, &v));
    }
    let found: LogPage =
        serde_json::from_value(v).map_err(|e| t.error(&egov_core::Error::internal(e)))?;
    page(&who, Some(found), Vec::new(), &sent).await
}

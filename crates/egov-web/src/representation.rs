//! Who acts for whom (Government24's 대리인): read and changed through the provider's API
//! (`/auth/me/…`) with the person's own token, like any client.
//! - A person (`/my/representation`): the businesses asking them to act for them (accept or
//!   refuse each), and the businesses they act for (stop any of them).
//! - A business (`/my/representatives`): the people who act for it (remove any), the
//!   requests it sent (withdraw one still waiting), and a form to ask a person by national ID
//!   (the answer is the same whether or not the person has an account: the business learns
//!   nothing until they accept).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use chrono::{DateTime, Utc};
use egov_auth::{Kind, Policy, Rule};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use crate::page::{Page, PageError};
use crate::see_other;
use crate::session::{CsrfForm, SignedIn};

/// A citizen.
#[derive(Debug)]
pub struct Person;
impl Policy for Person {
    const RULE: Rule = Rule::kinds(&[Kind::Citizen]);
}

/// A business account.
#[derive(Debug)]
pub struct BusinessAccount;
impl Policy for BusinessAccount {
    const RULE: Rule = Rule::kinds(&[Kind::Business]);
}

#[derive(Debug, Deserialize)]
struct Request {
    id: String,
    business_name: String,
    business_id: Option<String>,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize)]
struct Represented {
    account_id: String,
    display_name: String,
    business_id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Representative {
    account_id: String,
    display_name: String,
    national_id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Invitation {
    id: String,
    national_id: String,
    status: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

/// One line of a list: what it is, its details, and the button's form (action, label).
#[derive(Debug)]
pub struct Line {
    pub id: String,
    pub name: String,
    pub detail: String,
    pub actions: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "representation.html")]
struct PersonPage<'a> {
    t: &'a Page,
    title: String,
    csrf: &'a str,
    requests: Vec<Line>,
    businesses: Vec<Line>,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "representatives.html")]
struct BusinessPage<'a> {
    /// The error summary: (link to the field, message).
    errors: Vec<(String, String)>,
    t: &'a Page,
    title: String,
    csrf: &'a str,
    people: Vec<Line>,
    invitations: Vec<Line>,
    national_id: String,
    error: Option<String>,
    done: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// The confirmation of what was just done, from the redirect's `done`.
fn done_text(t: &Page, done: Option<&str>) -> Option<String> {
    let d = done?;
    matches!(
        d,
        "accepted" | "refused" | "stopped" | "asked" | "removed" | "withdrawn"
    )
    .then(|| t.t(&format!("representation-done-{d}")))
}

fn date(t: &Page, at: DateTime<Utc>) -> String {
    t.date(at.with_timezone(&t.web().pack().time_zone).date_naive())
}

/// A path segment the provider gave (an id): letters, digits and dashes only.
fn segment(t: &Page, s: &str) -> Result<String, PageError> {
    if !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        Ok(s.to_owned())
    } else {
        Err(t.not_found())
    }
}

/// The businesses asking me, and those I act for.
#[get("/my/representation")]
pub async fn person_page(
    who: SignedIn<Person>,
    q: web::Query<Done>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let si = t.web().sign_in().cloned().ok_or_else(|| t.unavailable())?;
    let requests: Vec<Request> = si
        .provider_get(&who.live, "/me/representation-requests")
        .await
        .map_err(|e| t.error(&e))?;
    let businesses: Vec<Represented> = si
        .provider_get(&who.live, "/me/businesses")
        .await
        .map_err(|e| t.error(&e))?;
    let requests = requests
        .into_iter()
        .map(|r| Line {
            detail: t.t_with(
                "representation-request-detail",
                &[
                    ("number", r.business_id.clone().unwrap_or_default()),
                    ("asked", date(t, r.created_at)),
                    ("until", date(t, r.expires_at)),
                ],
            ),
            actions: vec![
                (
                    format!("/my/representation/requests/{}/accept", r.id),
                    t.t("representation-accept"),
                ),
                (
                    format!("/my/representation/requests/{}/refuse", r.id),
                    t.t("representation-refuse"),
                ),
            ],
            id: format!("r-{}", r.id),
            name: r.business_name,
        })
        .collect();
    let businesses = businesses
        .into_iter()
        .map(|b| Line {
            detail: t.t_with(
                "representation-business-detail",
                &[("number", b.business_id.clone().unwrap_or_default())],
            ),
            actions: vec![(
                format!("/my/representation/businesses/{}/stop", b.account_id),
                t.t("representation-stop"),
            )],
            id: format!("b-{}", b.account_id),
            name: b.display_name,
        })
        .collect();
    let title = t.t("representation-title");
    let html = PersonPage {
        t,
        title: title.clone(),
        csrf: who.csrf(),
        requests,
        businesses,
        done: done_text(t, q.done.as_deref()),
    }
    .render()
    .map_err(|e| t.error(&egov_core::Error::internal(e)))?;
    Ok(t.render(&title, &[("/my".into(), t.t("my-page"))], &html))
}

/// Sends an answer to the provider; a 404 there (not mine, already answered) is the page's 404.
async fn act(
    t: &Page,
    live: &crate::session::Live,
    method: Method,
    path: &str,
    body: Option<&serde_json::Value>,
) -> Result<(StatusCode, serde_json::Value), PageError> {
    let si = t.web().sign_in().cloned().ok_or_else(|| t.unavailable())?;
    let (status, value) = si
        .provider_send(live, method, path, body)
        .await
        .map_err(|e| t.error(&e))?;
    let status = StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    if status == StatusCode::NOT_FOUND {
        return Err(t.not_found());
    }
    Ok((status, value))
}

/// Sends a change without a body; done: to `then`; refused (answered, withdrawn, expired):
/// the page saying it is no longer possible.
async fn done_or_gone(
    t: &Page,
    live: &crate::session::Live,
    method: Method,
    path: &str,
    then: &str,
) -> Result<HttpResponse, PageError> {
    let (status, _) = act(t, live, method, path, None).await?;
    if !status.is_success() {
        return Err(t.message(
            status,
            &t.t("error-bad-request-title"),
            &t.t("representation-gone"),
        ));
    }
    Ok(see_other(then))
}

/// Accepts or refuses a business's request.
#[post("/my/representation/requests/{id}/{answer}")]
pub async fn answer(
    who: SignedIn<Person>,
    _form: CsrfForm<Vec<(String, String)>>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let (id, answer) = path.into_inner();
    let id = segment(t, &id)?;
    let (verb, done) = match answer.as_str() {
        "accept" => ("accept", "accepted"),
        "refuse" => ("refuse", "refused"),
        _ => return Err(t.not_found()),
    };
    done_or_gone(
        t,
        &who.live,
        Method::POST,
        &format!("/me/representation-requests/{id}/{verb}"),
        &format!("/my/representation?done={done}"),
    )
    .await
}

/// Stops acting for a business.
#[post("/my/representation/businesses/{account}/stop")]
pub async fn stop(
    who: SignedIn<Person>,
    _form: CsrfForm<Vec<(String, String)>>,
    account: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let account = segment(t, &account)?;
    done_or_gone(
        t,
        &who.live,
        Method::DELETE,
        &format!("/me/businesses/{account}"),
        "/my/representation?done=stopped",
    )
    .await
}

async fn business_page(
    who: &SignedIn<BusinessAccount>,
    national_id: &str,
    error: Option<String>,
    done: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let si = t.web().sign_in().cloned().ok_or_else(|| t.unavailable())?;
    let people: Vec<Representative> = si
        .provider_get(&who.live, "/me/representatives")
        .await
        .map_err(|e| t.error(&e))?;
    let invitations: Vec<Invitation> = si
        .provider_get(&who.live, "/me/representative-invitations")
        .await
        .map_err(|e| t.error(&e))?;
    let people = people
        .into_iter()
        .map(|p| Line {
            detail: p.national_id.clone().unwrap_or_default(),
            actions: vec![(
                format!("/my/representatives/{}/remove", p.account_id),
                t.t("representatives-remove"),
            )],
            id: format!("p-{}", p.account_id),
            name: p.display_name,
        })
        .collect();
    let invitations = invitations
        .into_iter()
        .map(|i| Line {
            detail: t.t_with(
                "representatives-invitation-detail",
                &[
                    (
                        "status",
                        t.t(&format!("representatives-status-{}", i.status)),
                    ),
                    ("asked", date(t, i.created_at)),
                    ("until", date(t, i.expires_at)),
                ],
            ),
            actions: if i.status == "pending" {
                vec![(
                    format!("/my/representatives/invitations/{}/withdraw", i.id),
                    t.t("representatives-withdraw"),
                )]
            } else {
                Vec::new()
            },
            id: format!("i-{}", i.id),
            name: i.national_id,
        })
        .collect();
    let title = t.t("representatives-title");
    let html = BusinessPage {
        t,
        title: title.clone(),
        csrf: who.csrf(),
        people,
        invitations,
        national_id: national_id.to_owned(),
        errors: error
            .iter()
            .map(|e| ("#national-id".to_owned(), e.clone()))
            .collect(),
        error,
        done,
    }
    .render()
    .map_err(|e| t.error(&egov_core::Error::internal(e)))?;
    let title = if status.is_success() {
        title
    } else {
        t.t_with("title-with-errors", &[("title", title)])
    };
    Ok(
        t.rendered(status, &title, &[("/my".into(), t.t("my-page"))], &html)
            .response(),
    )
}

/// The people who act for my business, the requests I sent, and the form to ask someone.
#[get("/my/representatives")]
pub async fn representatives(
    who: SignedIn<BusinessAccount>,
    q: web::Query<Done>,
) -> Result<HttpResponse, PageError> {
    let done = done_text(&who.page, q.done.as_deref());
    business_page(&who, "", None, done, StatusCode::OK).await
}

#[derive(Debug, Deserialize)]
pub struct AskForm {
    #[serde(default)]
    national_id: String,
}

/// Asks a person (by national ID) to act for my business; the page again with the error when
/// the number cannot be read or the person already acts for it.
#[post("/my/representatives")]
pub async fn ask(
    who: SignedIn<BusinessAccount>,
    form: CsrfForm<AskForm>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let nid = form.0.national_id.trim().to_owned();
    if nid.is_empty() || nid.len() > 40 {
        let e = t.t("representatives-error-number");
        return business_page(&who, &nid, Some(e), None, StatusCode::BAD_REQUEST).await;
    }
    let (status, _) = act(
        t,
        &who.live,
        Method::POST,
        "/me/representatives",
        Some(&json!({"national_id": nid})),
    )
    .await?;
    match status.as_u16() {
        200..=299 => Ok(see_other("/my/representatives?done=asked")),
        409 => {
            let e = t.t("representatives-error-already");
            business_page(&who, &nid, Some(e), None, StatusCode::CONFLICT).await
        }
        _ => {
            let e = t.t("representatives-error-number");
            business_page(&who, &nid, Some(e), None, StatusCode::BAD_REQUEST).await
        }
    }
}

/// Withdraws a request still waiting for the person's answer.
#[post("/my/representatives/invitations/{id}/withdraw")]
pub async fn withdraw(
    who: SignedIn<BusinessAccount>,
    _form: CsrfForm<Vec<(String, String)>>,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let id = segment(t, &id)?;
    done_or_gone(
        t,
        &who.live,
        Method::DELETE,
        &format!("/me/representative-invitations/{id}"),
        "/my/representatives?done=withdrawn",
    )
    .await
}

/// Removes a person who acts for my business.
#[post("/my/representatives/{account}/remove")]
pub async fn remove(
    who: SignedIn<BusinessAccount>,
    _form: CsrfForm<Vec<(String, String)>>,
    account: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let account = segment(t, &account)?;
    done_or_gone(
        t,
        &who.live,
        Method::DELETE,
        &format!("/me/representatives/{account}"),
        "/my/representatives?done=removed",
    )
    .await
}

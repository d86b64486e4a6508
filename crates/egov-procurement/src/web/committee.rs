//! The opening committee's page (KONEPS's 개찰): for officials with the
//! `procurement.committee` role and a second factor, the tenders on whose committee they sit.
//! After the deadline each member's share of the opening key is shown sealed to the member's
//! own key; the member opens it on their own machine (`egov procurement open-share`, with the
//! key file `egov procurement committee-key` wrote, which never reaches egov) and hands the
//! opened share in. Once the procedure's k shares are in and the opening time has come, a
//! member opens the bids; the transcript is on the public notice.
//!
//! The same use cases as `GET …/tenders/{id}/share`, `POST …/shares` and `POST …/open`.

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path, Query};
use actix_web::{HttpResponse, get, post};
use askama::Template;
use egov_web::{CsrfForm, Page, PageError, SignedIn, see_other};
use serde::Deserialize;

use super::{DoneQuery, internal, refusal_at, status_text};
use crate::Procurement;
use crate::domain::lifecycle::Action;
use crate::http::committee::{hand_in, open_bids};
use crate::service::{self, status_of};

/// A member of opening committees (`procurement.committee`, second factor).
pub(crate) type Member = SignedIn<crate::http::Committee>;

/// Tenders listed.
const LISTED: i64 = 50;

/// A tender on the member's committee.
#[derive(Debug)]
pub struct Seat {
    pub id: String,
    pub title: String,
    pub status: String,
    pub deadline: String,
    pub opening: String,
    /// The sealed share, once it is to be handed in and until it is.
    pub sealed: Option<String>,
    pub handed_in: Option<String>,
    pub shares: String,
    pub can_open: bool,
    pub typed: String,
}

#[derive(Template)]
#[template(path = "web/committee.html")]
struct CommitteePage<'a> {
    t: &'a Page,
    title: String,
    csrf: &'a str,
    errors: Vec<(String, String)>,
    done: String,
    seats: Vec<Seat>,
}

async fn render(
    who: &Member,
    p: &Procurement,
    done: &str,
    errors: Vec<(String, String)>,
    typed: (String, String),
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let held = service::member_shares(p, who.principal.subject.clone(), LISTED)
        .await
        .map_err(|e| t.error(&e))?;
    let now = p.now();
    let mut seats = Vec::with_capacity(held.len());
    for (row, mine) in held {
        let st = status_of(&row);
        let all = service::shares(p, row.id.clone())
            .await
            .map_err(|e| t.error(&e))?;
        let given = all.iter().filter(|s| s.share.is_some()).count();
        let hand_in = st.permits(Action::HandInShare);
        seats.push(Seat {
            status: status_text(t, st),
            deadline: t.local_time(row.deadline),
            opening: t.local_time(row.opening_at),
            sealed: (hand_in && mine.share.is_none()).then(|| mine.sealed_share.clone()),
            handed_in: mine.submitted_at.map(|at| t.local_time(at)),
            shares: t.t_with(
                "proc-committee-shares",
                &[("given", given.to_string()), ("k", row.k.to_string())],
            ),
            can_open: st.permits(Action::OpenBids)
                && i32::try_from(given).unwrap_or(0) >= row.k
                && row.opening_at <= now,
            typed: if typed.0 == row.id {
                typed.1.clone()
            } else {
                String::new()
            },
            title: row.title,
            id: row.id,
        });
    }
    let title = t.t("proc-committee-title");
    let html = CommitteePage {
        t,
        title: title.clone(),
        csrf: who.csrf(),
        errors,
        done: match done {
            "handed-in" | "opened" => t.t(&format!("proc-committee-done-{done}")),
            _ => String::new(),
        },
        seats,
    }
    .render()
    .map_err(|e| internal(t, e))?;
    Ok(t.answer(status, &title, &[("/my".to_owned(), t.t("my-page"))], &html))
}

/// The member's committees.
#[get("/desk/procurement/committee")]
pub async fn page(
    who: Member,
    p: Data<Procurement>,
    q: Query<DoneQuery>,
) -> Result<HttpResponse, PageError> {
    render(
        &who,
        &p,
        &q.done,
        Vec::new(),
        Default::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct ShareForm {
    #[serde(default)]
    share: String,
}

/// Hands in the member's opened share.
#[post("/desk/procurement/committee/{id}/share")]
pub async fn share(
    who: Member,
    p: Data<Procurement>,
    id: Path<String>,
    form: CsrfForm<ShareForm>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(t.not_found());
    }
    let typed = form.0.share;
    match hand_in(&p, &who.principal, &id, typed.clone()).await {
        Ok(_) => Ok(see_other(&format!(
            "/desk/procurement/committee?done=handed-in#t-{id}"
        ))),
        Err(e) => {
            let (errors, status) = refusal_at(
                t,
                &e,
                |_| t.t("proc-committee-opened-share"),
                |_| format!("#share-{id}"),
            )?;
            render(&who, &p, "", errors, (id.into_inner(), typed), status).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct Empty {}

/// Opens the bids with the shares handed in; the transcript is on the notice.
#[post("/desk/procurement/committee/{id}/open")]
pub async fn open(
    who: Member,
    p: Data<Procurement>,
    id: Path<String>,
    _form: CsrfForm<Empty>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(t.not_found());
    }
    match open_bids(&p, &who.principal, &id).await {
        Ok(_) => Ok(see_other(&format!("/tenders/{id}#opening"))),
        Err(e) => {
            let (errors, status) = refusal_at(t, &e, |_| String::new(), |_| format!("#t-{id}"))?;
            render(&who, &p, "", errors, Default::default(), status).await
        }
    }
}

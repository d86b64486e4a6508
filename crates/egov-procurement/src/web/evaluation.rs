//! The evaluators' page (KONEPS's 적격심사·기술평가): for officials with the
//! `procurement.evaluator` role and a second factor, the opened tenders they were named to
//! score. Each valid bid shows its price and its documents (downloaded one by one); the
//! evaluator gives each bid a score, once, signed by the module with the evaluator's account
//! and time. Every supplier's bid shown or downloaded is written to the access log with the
//! purpose `bid evaluation`.
//!
//! The same use case as `POST /procurement/v1/tenders/{id}/scores`.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::web::{Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse, get, post};
use askama::Template;
use base64::Engine as _;
use egov_web::{CsrfForm, Page, PageError, SignedIn, see_other};
use serde::Deserialize;

use super::{DoneQuery, internal, procedure_name, refusal_at};
use crate::Procurement;
use crate::domain::envelope::Contents;
use crate::http::access;
use crate::http::committee::{ScoreInput, max_score, score_bid};
use crate::service::{self, list_of};
use crate::store::{BidRow, TenderRow};

/// An evaluator (`procurement.evaluator`, second factor).
pub(crate) type Scorer = SignedIn<crate::http::Evaluator>;

/// Tenders listed.
const LISTED: i64 = 20;
/// Why the bids are read, in the access log.
const PURPOSE: &str = "bid evaluation";

/// A document of a bid.
#[derive(Debug)]
pub struct Doc {
    pub n: usize,
    pub title: String,
    pub size: String,
}

/// A valid bid as the evaluator sees it.
#[derive(Debug)]
pub struct BidLine {
    pub id: String,
    pub lot: String,
    pub supplier: String,
    pub price: String,
    pub documents: Vec<Doc>,
    /// My score and comment, once given.
    pub mine: Option<(String, String)>,
    /// What was typed, kept when the score was refused.
    pub typed: (String, String),
}

/// A tender to score.
#[derive(Debug)]
pub struct Sheet {
    pub id: String,
    pub title: String,
    pub procedure: String,
    pub max: String,
    pub bids: Vec<BidLine>,
}

#[derive(Template)]
#[template(path = "web/evaluation.html")]
struct EvaluationPage<'a> {
    t: &'a Page,
    title: String,
    csrf: &'a str,
    errors: Vec<(String, String)>,
    done: bool,
    sheets: Vec<Sheet>,
}

/// A bid's opened contents (none for a bid that is not valid).
fn contents(b: &BidRow) -> Option<Contents> {
    b.opened
        .as_deref()
        .and_then(|o| serde_json::from_str(o).ok())
}

/// The valid bids of a tender on which `who` is an evaluator, each supplier's read logged.
async fn bids_read(
    p: &Procurement,
    req: &HttpRequest,
    who: &Scorer,
    row: &TenderRow,
) -> Result<Vec<(BidRow, Contents)>, egov_core::Error> {
    let bids = service::opened_bids(p, row.id.clone()).await?;
    let valid: Vec<(BidRow, Contents)> = bids
        .into_iter()
        .filter(|b| b.status == "valid")
        .filter_map(|b| contents(&b).map(|c| (b, c)))
        .collect();
    let mut suppliers: Vec<&str> = valid.iter().map(|(b, _)| b.supplier.as_str()).collect();
    suppliers.sort_unstable();
    suppliers.dedup();
    for s in suppliers {
        access(p, req, &who.principal, s, &row.id, PURPOSE).await?;
    }
    Ok(valid)
}

async fn render(
    who: &Scorer,
    p: &Procurement,
    req: &HttpRequest,
    done: bool,
    errors: Vec<(String, String)>,
    typed: (String, String, String),
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let rules = p.rules().map_err(|e| t.error(&e))?;
    let me = who.principal.subject.clone();
    let rows = service::evaluator_tenders(p, me.clone(), LISTED)
        .await
        .map_err(|e| t.error(&e))?;
    let mut sheets = Vec::with_capacity(rows.len());
    for row in rows {
        let bids = bids_read(p, req, who, &row)
            .await
            .map_err(|e| t.error(&e))?;
        let mine: HashMap<String, (String, String)> = service::scores(p, row.id.clone())
            .await
            .map_err(|e| t.error(&e))?
            .into_iter()
            .filter(|s| s.evaluator == me)
            .map(|s| (s.bid_id, (s.score, s.comment)))
            .collect();
        let max = rules
            .procedure(&row.procedure_id)
            .map_or(rust_decimal::Decimal::from(100), max_score);
        sheets.push(Sheet {
            procedure: procedure_name(t, rules, &row.procedure_id),
            max: t.t_with("proc-eval-max", &[("max", max.normalize().to_string())]),
            bids: bids
                .into_iter()
                .map(|(b, c)| BidLine {
                    price: c
                        .price
                        .parse::<rust_decimal::Decimal>()
                        .map_or_else(|_| c.price.clone(), |d| t.money(d)),
                    documents: c
                        .documents
                        .iter()
                        .enumerate()
                        .map(|(n, d)| Doc {
                            n,
                            title: d.title.clone(),
                            size: t.t_with(
                                "proc-eval-bytes",
                                &[("n", (d.content.len() / 4 * 3).to_string())],
                            ),
                        })
                        .collect(),
                    mine: mine.get(&b.id).cloned(),
                    typed: if typed.0 == b.id {
                        (typed.1.clone(), typed.2.clone())
                    } else {
                        Default::default()
                    },
                    lot: b.lot_id,
                    supplier: b.supplier,
                    id: b.id,
                })
                .collect(),
            title: row.title,
            id: row.id,
        });
    }
    let title = t.t("proc-eval-title");
    let html = EvaluationPage {
        t,
        title: title.clone(),
        csrf: who.csrf(),
        errors,
        done,
        sheets,
    }
    .render()
    .map_err(|e| internal(t, e))?;
    Ok(t.answer(status, &title, &[("/my".to_owned(), t.t("my-page"))], &html))
}

/// The tenders the evaluator scores, with their valid bids.
#[get("/desk/procurement/evaluation")]
pub async fn page(
    who: Scorer,
    p: Data<Procurement>,
    req: HttpRequest,
    q: Query<DoneQuery>,
) -> Result<HttpResponse, PageError> {
    render(
        &who,
        &p,
        &req,
        q.done == "scored",
        Vec::new(),
        Default::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct ScoreForm {
    #[serde(default)]
    score: String,
    #[serde(default)]
    comment: String,
}

/// Gives a bid the evaluator's score (final once given).
#[post("/desk/procurement/evaluation/{id}/bids/{bid}")]
pub async fn score(
    who: Scorer,
    p: Data<Procurement>,
    req: HttpRequest,
    path: Path<(String, String)>,
    form: CsrfForm<ScoreForm>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let (id, bid) = path.into_inner();
    if uuid::Uuid::parse_str(&id).is_err() || uuid::Uuid::parse_str(&bid).is_err() {
        return Err(t.not_found());
    }
    let ScoreForm { score, comment } = form.0;
    let anchor = format!("#score-{bid}");
    let result = match t.parse_number(score.trim()) {
        Some(value) => score_bid(
            &p,
            &who.principal,
            &id,
            ScoreInput {
                bid_id: bid.clone(),
                score: value,
                comment: comment.replace("\r\n", "\n"),
            },
        )
        .await
        .map(|_| ()),
        None => Err(egov_core::Error::invalid_field(
            "/score",
            "a number such as 85.5",
        )),
    };
    match result {
        Ok(()) => Ok(see_other(&format!(
            "/desk/procurement/evaluation?done=scored#b-{bid}"
        ))),
        Err(e) => {
            let label = |n: &str| match n {
                "comment" => t.t("proc-eval-comment"),
                _ => t.t("proc-eval-score"),
            };
            let at = |a: &str| match a {
                "#comment" => format!("#comment-{bid}"),
                _ => anchor.clone(),
            };
            let (errors, status) = refusal_at(t, &e, label, at)?;
            render(&who, &p, &req, false, errors, (bid, score, comment), status).await
        }
    }
}

/// One document of a valid bid, as an attachment (never rendered by the browser).
#[get("/desk/procurement/evaluation/{id}/bids/{bid}/documents/{n}")]
pub async fn document(
    who: Scorer,
    p: Data<Procurement>,
    req: HttpRequest,
    path: Path<(String, String, usize)>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let (id, bid, n) = path.into_inner();
    if uuid::Uuid::parse_str(&id).is_err() || uuid::Uuid::parse_str(&bid).is_err() {
        return Err(t.not_found());
    }
    let row = service::tender(&p, id).await.map_err(|e| t.error(&e))?;
    if !list_of(&row.evaluators).contains(&who.principal.subject) || row.opening.is_none() {
        return Err(t.not_found());
    }
    let bids = service::opened_bids(&p, row.id.clone())
        .await
        .map_err(|e| t.error(&e))?;
    let Some((b, c)) = bids
        .into_iter()
        .filter(|b| b.id == bid && b.status == "valid")
        .find_map(|b| contents(&b).map(|c| (b, c)))
    else {
        return Err(t.not_found());
    };
    let Some(doc) = c.documents.get(n) else {
        return Err(t.not_found());
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&doc.content)
        .map_err(|e| internal(t, e))?;
    access(&p, &req, &who.principal, &b.supplier, &row.id, PURPOSE)
        .await
        .map_err(|e| t.error(&e))?;
    let name: String = doc
        .title
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() || "-_. ".contains(ch) {
                ch
            } else {
                '_'
            }
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/octet-stream"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", name.trim()),
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(bytes))
}

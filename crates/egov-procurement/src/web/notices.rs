//! Tender notices and results, for anyone (no sign-in): the list, searchable by status and
//! category, and each notice with what is public at its stage, linked to its OCDS data.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use askama::Template;
use chrono::{DateTime, Utc};
use egov_web::{Page, PageError};
use serde::Deserialize;
use serde_json::Value;

use super::{buyer, procedure_name, status_text};
use crate::Procurement;
use crate::domain::lifecycle::Status;
use crate::http::public::{Category, ListQuery, page as tender_page};
use crate::http::{public_tender, view};

#[derive(Debug, Deserialize)]
pub struct ListParams {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub after: Option<String>,
}

/// One notice in the list.
#[derive(Debug)]
pub struct Row {
    pub id: String,
    pub title: String,
    pub buyer: String,
    pub procedure: String,
    pub category: String,
    pub status: String,
    pub deadline: String,
}

#[derive(Template)]
#[template(path = "web/notices.html")]
struct ListPage<'a> {
    t: &'a Page,
    title: String,
    statuses: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    status: String,
    category: String,
    rows: Vec<Row>,
    next: Option<String>,
}

/// The statuses a visitor can filter by (drafts are not public).
const PUBLIC: [Status; 12] = [
    Status::Enquiry,
    Status::Tendering,
    Status::Postponed,
    Status::Suspended,
    Status::Deadline,
    Status::Opening,
    Status::Evaluation,
    Status::AwardPending,
    Status::Standstill,
    Status::Awarded,
    Status::Contracted,
    Status::Unsuccessful,
];

fn local(t: &Page, at: DateTime<Utc>) -> String {
    t.local_time(at.naive_utc())
}

/// Tender notices, newest first.
#[get("/tenders")]
pub async fn list(
    t: Page,
    p: web::Data<Procurement>,
    q: web::Query<ListParams>,
) -> Result<HttpResponse, PageError> {
    let rules = p.rules().map_err(|e| t.error(&e))?;
    // Unknown filter values are ignored (a hand-edited address shows every notice).
    let status = PUBLIC
        .into_iter()
        .chain([Status::Cancelled])
        .find(|s| s.as_str() == q.status);
    let category = Category::ALL.into_iter().find(|c| c.as_str() == q.category);
    let after = q
        .after
        .as_deref()
        .filter(|a| a.len() <= 200 && egov_core::cursor::Cursor::decode(a).is_ok())
        .map(str::to_owned);
    let page = tender_page(
        &p,
        None,
        false,
        ListQuery {
            status,
            category,
            after,
            limit: Some(20),
        },
    )
    .await
    .map_err(|e| t.error(&e))?;
    let rows = page
        .items
        .into_iter()
        .map(|s| Row {
            title: s.title,
            buyer: buyer(&t, rules, &s.agency),
            procedure: procedure_name(&t, rules, &s.procedure),
            category: t.t(&format!("proc-category-{}", s.category)),
            status: status_text(&t, s.status),
            deadline: local(&t, s.deadline),
            id: s.id,
        })
        .collect();
    let title = t.t("proc-notices-title");
    let html = ListPage {
        t: &t,
        title: title.clone(),
        statuses: PUBLIC
            .into_iter()
            .chain([Status::Cancelled])
            .map(|s| (s.as_str().to_owned(), status_text(&t, s)))
            .collect(),
        categories: Category::ALL
            .into_iter()
            .map(|c| {
                (
                    c.as_str().to_owned(),
                    t.t(&format!("proc-category-{}", c.as_str())),
                )
            })
            .collect(),
        status: status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        category: category.map(|c| c.as_str().to_owned()).unwrap_or_default(),
        rows,
        next: page.next.map(|n| {
            let mut query = vec![("after", n)];
            if let Some(s) = status {
                query.push(("status", s.as_str().to_owned()));
            }
            if let Some(c) = category {
                query.push(("category", c.as_str().to_owned()));
            }
            format!(
                "/tenders?{}",
                serde_urlencoded::to_string(query).unwrap_or_default()
            )
        }),
    }
    .render()
    .map_err(|e| super::internal(&t, e))?;
    Ok(t.answer(StatusCode::OK, &title, &[], &html))
}

/// A lot as shown.
#[derive(Debug)]
pub struct LotRow {
    pub id: String,
    pub title: String,
    pub base: String,
}

/// An amendment as shown: each change as "what: from → to".
#[derive(Debug)]
pub struct AmendmentRow {
    pub number: i32,
    pub at: String,
    pub reason: String,
    pub changes: Vec<String>,
}

/// A question and its answer.
#[derive(Debug)]
pub struct QaRow {
    pub question: String,
    pub asked: String,
    pub answer: Option<String>,
}

/// A bid in the opening transcript.
#[derive(Debug)]
pub struct BidRow {
    pub supplier: String,
    pub lot: String,
    pub received: String,
    pub price: String,
    pub picks: String,
    pub valid: bool,
    pub reasons: String,
    pub digest: String,
}

/// A lot's result at the opening.
#[derive(Debug)]
pub struct LotResultRow {
    pub lot: String,
    pub valid_bids: String,
    pub outcome: String,
    pub estimated: Option<String>,
    pub prices: Vec<(String, String, String, bool)>,
    /// What the page's script needs to recompute the draw (lots with a lottery).
    pub check: Option<DrawCheck>,
}

/// A lot's draw as published, for the reader's browser to recompute (`egov-draw.js`).
#[derive(Debug)]
pub struct DrawCheck {
    pub seed: String,
    pub commitment: String,
    pub lot: String,
    pub base: String,
    pub n: u8,
    pub range: u32,
    pub averaged: u8,
    pub units: u8,
    /// The valid bids' picks in the lot, as JSON (`[[1, 2], …]`, indices from 0).
    pub picks: String,
    /// The published reserve prices, as JSON strings.
    pub published: String,
    pub estimated: String,
}

/// An award or a contract as shown.
#[derive(Debug)]
pub struct AwardRow {
    pub lot: String,
    pub supplier: String,
    pub amount: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "web/notice.html")]
struct NoticePage<'a> {
    t: &'a Page,
    title: String,
    facts: Vec<(String, String)>,
    description: String,
    lots: Vec<LotRow>,
    amendments: Vec<AmendmentRow>,
    questions: Vec<QaRow>,
    bid_count: Option<String>,
    commitments: Vec<(String, String)>,
    seed: Option<(String, String)>,
    results: Vec<LotResultRow>,
    bids: Vec<BidRow>,
    awards: Vec<AwardRow>,
    data: Vec<(String, String)>,
    can_bid: bool,
    can_ask: bool,
    asked: bool,
    complained: bool,
    can_complain: bool,
    draw_script: String,
    id: String,
}

/// What an amendment changed, in words.
fn change_lines(t: &Page, changes: &Value) -> Vec<String> {
    let Some(map) = changes.as_object() else {
        return Vec::new();
    };
    map.iter()
        .map(|(field, ch)| {
            let what = t.t(&format!("proc-field-{}", field.replace('_', "-")));
            let as_time = |v: &Value| {
                v.as_str()
                    .and_then(|s| s.parse::<DateTime<Utc>>().ok())
                    .map(|at| local(t, at))
            };
            match (as_time(&ch["from"]), as_time(&ch["to"])) {
                (Some(from), Some(to)) => t.t_with(
                    "proc-change-moved",
                    &[("what", what), ("from", from), ("to", to)],
                ),
                _ => t.t_with("proc-change-rewritten", &[("what", what)]),
            }
        })
        .collect()
}

/// A money string of the pack's currency, formatted (as given when it does not parse).
fn money(t: &Page, s: &str) -> String {
    s.parse::<rust_decimal::Decimal>()
        .map_or_else(|_| s.to_owned(), |d| t.money(d))
}

/// A tender notice and, at its stage, its results.
/// What the notice was reached with: `asked` after a question was sent.
#[derive(Debug, Default, Deserialize)]
pub struct NoticeQuery {
    #[serde(default)]
    asked: Option<String>,
    #[serde(default)]
    complained: Option<String>,
}

#[get("/tenders/{id}")]
pub async fn show(
    t: Page,
    p: web::Data<Procurement>,
    id: web::Path<String>,
    q: web::Query<NoticeQuery>,
) -> Result<HttpResponse, PageError> {
    let rules = p.rules().map_err(|e| t.error(&e))?;
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(t.not_found());
    }
    let row = public_tender(&p, &id).await.map_err(|e| t.error(&e))?;
    let can_complain = !crate::service::open_to_complaint(&row, p.now()).is_empty();
    let v = view(&p, row).await.map_err(|e| t.error(&e))?;
    let mut facts = vec![
        (t.t("proc-label-status"), status_text(&t, v.status)),
        (t.t("proc-label-buyer"), buyer(&t, rules, &v.agency)),
        (
            t.t("proc-label-procedure"),
            procedure_name(&t, rules, &v.procedure),
        ),
        (
            t.t("proc-label-category"),
            t.t(&format!("proc-category-{}", v.category)),
        ),
        (t.t("proc-label-enquiry-end"), local(&t, v.enquiry_end)),
        (t.t("proc-label-deadline"), local(&t, v.deadline)),
        (t.t("proc-label-opening"), local(&t, v.opening_at)),
        (
            t.t("proc-label-committee"),
            t.t_with(
                "proc-committee-threshold",
                &[
                    ("k", v.committee.k.to_string()),
                    ("n", v.committee.n.to_string()),
                ],
            ),
        ),
        (t.t("proc-label-ocid"), v.ocid.clone()),
    ];
    if let Some(at) = v.published_at {
        facts.insert(4, (t.t("proc-label-published"), local(&t, at)));
    }
    if let Some(end) = v.standstill_end {
        facts.push((t.t("proc-label-standstill-end"), local(&t, end)));
    }
    if let Some(r) = &v.cancel_reason {
        facts.push((t.t("proc-label-cancel-reason"), r.clone()));
    }
    let lots = v
        .lots
        .iter()
        .map(|l| LotRow {
            id: l.id.clone(),
            title: l.title.clone(),
            base: t.money(l.base_amount),
        })
        .collect();
    let amendments = v
        .amendments
        .iter()
        .map(|a| AmendmentRow {
            number: a.number,
            at: local(&t, a.at),
            reason: a.reason.clone(),
            changes: change_lines(&t, &a.changes),
        })
        .collect();
    let questions = v
        .questions
        .iter()
        .map(|q| QaRow {
            question: q.question.clone(),
            asked: local(&t, q.asked_at),
            answer: q.answer.clone(),
        })
        .collect();
    let commitments = v
        .commitments
        .as_ref()
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|c| {
                    (
                        c["bid_id"].as_str().unwrap_or_default().to_owned(),
                        c["digest"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let opening = v.opening.as_ref();
    let seed = opening.map(|o| {
        (
            o["seed"].as_str().unwrap_or_default().to_owned(),
            o["seed_commitment"].as_str().unwrap_or_default().to_owned(),
        )
    });
    let lottery = rules
        .procedure(&v.procedure)
        .and_then(|pr| pr.lottery.as_ref());
    let results = opening
        .and_then(|o| o["lots"].as_array())
        .map(|lots| {
            lots.iter()
                .map(|l| {
                    let draw = &l["draw"];
                    let chosen: Vec<u64> = draw["chosen"]
                        .as_array()
                        .map(|c| c.iter().filter_map(Value::as_u64).collect())
                        .unwrap_or_default();
                    let counts = draw["counts"].as_array().cloned().unwrap_or_default();
                    let lot_id = l["lot"].as_str().unwrap_or_default();
                    let check = lottery
                        .zip(draw["estimated_price"].as_str())
                        .zip(v.lots.iter().find(|x| x.id == lot_id))
                        .map(|((lt, estimated), lot)| DrawCheck {
                            seed: seed.as_ref().map(|s| s.0.clone()).unwrap_or_default(),
                            commitment: seed.as_ref().map(|s| s.1.clone()).unwrap_or_default(),
                            lot: lot_id.to_owned(),
                            base: lot.base_amount.to_string(),
                            n: lt.reserve_prices,
                            range: lt.range_bp,
                            averaged: lt.averaged,
                            units: p.pack().currency.minor_units(),
                            picks: Value::Array(
                                opening
                                    .and_then(|o| o["bids"].as_array())
                                    .into_iter()
                                    .flatten()
                                    .filter(|b| b["lot"] == lot_id && b["status"] == "valid")
                                    .map(|b| b["reserve_picks"].clone())
                                    .collect(),
                            )
                            .to_string(),
                            published: draw["reserve_prices"].to_string(),
                            estimated: estimated.to_owned(),
                        });
                    LotResultRow {
                        check,
                        lot: l["lot"].as_str().unwrap_or_default().to_owned(),
                        valid_bids: l["valid_bids"].to_string(),
                        outcome: t.t(&format!(
                            "proc-lot-{}",
                            l["status"].as_str().unwrap_or("active")
                        )),
                        estimated: draw["estimated_price"].as_str().map(|e| money(&t, e)),
                        prices: draw["reserve_prices"]
                            .as_array()
                            .map(|ps| {
                                ps.iter()
                                    .enumerate()
                                    .map(|(i, price)| {
                                        (
                                            (i + 1).to_string(),
                                            money(&t, price.as_str().unwrap_or_default()),
                                            counts.get(i).map(Value::to_string).unwrap_or_default(),
                                            chosen.contains(&(i as u64)),
                                        )
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let bids = opening
        .and_then(|o| o["bids"].as_array())
        .map(|bids| {
            bids.iter()
                .map(|b| BidRow {
                    supplier: b["supplier"].as_str().unwrap_or_default().to_owned(),
                    lot: b["lot"].as_str().unwrap_or_default().to_owned(),
                    received: b["received_at"]
                        .as_str()
                        .and_then(|s| s.parse::<DateTime<Utc>>().ok())
                        .map(|at| local(&t, at))
                        .unwrap_or_default(),
                    price: b["price"]
                        .as_str()
                        .map(|x| money(&t, x))
                        .unwrap_or_default(),
                    picks: b["reserve_picks"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(Value::as_u64)
                                .map(|i| (i + 1).to_string())
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                        .unwrap_or_default(),
                    valid: b["status"] == "valid",
                    reasons: b["reasons"]
                        .as_array()
                        .map(|r| {
                            r.iter()
                                .filter_map(Value::as_str)
                                .map(|r| super::rejection_reason(&t, r))
                                .collect::<Vec<_>>()
                                .join("; ")
                        })
                        .unwrap_or_default(),
                    digest: b["digest"].as_str().unwrap_or_default().to_owned(),
                })
                .collect()
        })
        .unwrap_or_default();
    let awards = v
        .awards
        .iter()
        .map(|a| AwardRow {
            lot: a.lot.clone(),
            supplier: a.supplier.clone(),
            amount: money(&t, &a.amount),
            status: t.t(&format!("proc-award-{}", a.status)),
        })
        .collect();
    let data = vec![
        (
            format!("/procurement/v1/ocds/releases/{}", v.ocid),
            t.t("proc-data-releases"),
        ),
        (
            format!("/procurement/v1/ocds/records/{}", v.ocid),
            t.t("proc-data-record"),
        ),
        (
            format!("/procurement/v1/tenders/{}", v.id),
            t.t("proc-data-api"),
        ),
    ];
    let title = v.title.clone();
    let html = NoticePage {
        t: &t,
        title: title.clone(),
        facts,
        description: v.description.clone(),
        lots,
        amendments,
        questions,
        bid_count: v.bid_count.map(|n| n.to_string()),
        commitments,
        seed,
        results,
        bids,
        awards,
        data,
        can_bid: v.status.permits(crate::domain::lifecycle::Action::Bid),
        can_ask: v
            .status
            .permits(crate::domain::lifecycle::Action::AskQuestion),
        asked: q.asked.is_some(),
        complained: q.complained.is_some(),
        can_complain,
        draw_script: egov_web::assets::url("egov-draw.js"),
        id: v.id.clone(),
    }
    .render()
    .map_err(|e| super::internal(&t, e))?;
    Ok(t.answer(
        StatusCode::OK,
        &title,
        &[("/tenders".to_owned(), t.t("proc-notices-title"))],
        &html,
    ))
}

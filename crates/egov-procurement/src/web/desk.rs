//! The buying officer's desk (KONEPS's 발주기관 화면), for officials with the
//! `procurement.officer` role and a second factor:
//! - the agency's tenders, drafts included;
//! - a new tender from the pack's procedures, with its lots, its dates in the pack's time zone,
//!   and its opening committee and evaluators chosen by name from the agency's officials who
//!   hold the role (the directory of common auth; the page says who has no opening key yet);
//! - a tender as the buyer sees it: publish a draft, answer the questions asked.
//!
//! Each form calls the same use case as the API (`POST /tenders`, `POST /tenders/{id}/publish`,
//! `POST /tenders/{id}/questions/{question}/answer`).

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path, Query};
use actix_web::{HttpResponse, get, post};
use askama::Template;
use egov_web::{CsrfForm, Page, PageError, Sent, SignedIn, see_other};
use serde::Deserialize;

use super::{DoneQuery, internal, procedure_name, refusal, refusal_at, status_text};
use crate::domain::lifecycle::Action;
use crate::http::amendments::{AmendInput, amending, stop_tender};
use crate::http::evaluation::{decide_award, rank_bids};
use crate::http::public::{ListQuery, page as tender_page};
use crate::http::questions::answer;
use crate::http::tenders::{TenderInput, new_tender, publish_tender};
use crate::service::{self, Changes, Lot, status_of};
use crate::{COMMITTEE_ROLE, EVALUATOR_ROLE, Procurement};

/// A buying agency's procurement officer (`procurement.officer`, second factor).
pub(crate) type Desk = SignedIn<crate::http::Officer>;

/// Error-summary lines: (anchor, message).
type Summary = Vec<(String, String)>;

/// Lots the form offers (the API takes up to 50).
pub(crate) const LOT_ROWS: usize = 5;
/// Officials listed for the committee and for the evaluators.
const LISTED: usize = 200;
/// The categories a procedure can cover.
const CATEGORIES: [&str; 3] = ["goods", "works", "services"];

/// The desk's breadcrumb.
fn crumbs(t: &Page) -> Vec<(String, String)> {
    vec![
        ("/my".into(), t.t("my-page")),
        ("/desk/procurement".into(), t.t("proc-desk-title")),
    ]
}

/// The officer's agency (the policy admits officers; one without an agency cannot buy).
fn agency_of(who: &Desk) -> Result<String, PageError> {
    who.principal.agency.clone().ok_or_else(|| {
        who.page.error(&egov_core::Error::with_detail(
            egov_core::error::codes::FORBIDDEN,
            "an officer without an agency cannot buy",
        ))
    })
}

/// A tender in the agency's list.
#[derive(Debug)]
pub struct DeskRow {
    pub id: String,
    pub title: String,
    pub procedure: String,
    pub status: String,
    pub deadline: String,
}

#[derive(Template)]
#[template(path = "web/desk.html")]
struct DeskPage<'a> {
    t: &'a Page,
    title: String,
    rows: Vec<DeskRow>,
    next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeskQuery {
    after: Option<String>,
}

/// The agency's tenders, newest first, drafts included.
#[get("/desk/procurement")]
pub async fn desk(
    who: Desk,
    p: Data<Procurement>,
    q: Query<DeskQuery>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let agency = agency_of(&who)?;
    let rules = p.rules().map_err(|e| t.error(&e))?;
    let list = tender_page(
        &p,
        Some(agency),
        true,
        ListQuery {
            status: None,
            category: None,
            after: q.into_inner().after,
            limit: Some(50),
        },
    )
    .await
    .map_err(|e| t.error(&e))?;
    let rows = list
        .items
        .into_iter()
        .map(|s| DeskRow {
            procedure: procedure_name(t, rules, &s.procedure),
            status: status_text(t, s.status),
            deadline: t.local_time(s.deadline.naive_utc()),
            title: s.title,
            id: s.id,
        })
        .collect();
    let title = t.t("proc-desk-title");
    let html = DeskPage {
        t,
        title: title.clone(),
        rows,
        next: list.next.map(|n| {
            format!(
                "/desk/procurement?{}",
                serde_urlencoded::to_string([("after", n)]).unwrap_or_default()
            )
        }),
    }
    .render()
    .map_err(|e| internal(t, e))?;
    Ok(t.render(&title, &[("/my".to_owned(), t.t("my-page"))], &html))
}

/// An official offered for the committee or the evaluators.
#[derive(Debug)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub note: String,
    pub checked: bool,
}

/// A procedure offered, with what the form needs to say about it.
#[derive(Debug)]
pub struct ProcedureChoice {
    pub id: String,
    pub name: String,
    pub hint: String,
}

/// A row of the lots' table as typed.
#[derive(Debug)]
pub struct LotInput {
    pub i: usize,
    pub n: usize,
    pub title: String,
    pub base: String,
}

#[derive(Template)]
#[template(path = "web/tender_new.html")]
struct NewPage<'a> {
    t: &'a Page,
    title: String,
    csrf: &'a str,
    errors: Vec<(String, String)>,
    procedures: Vec<ProcedureChoice>,
    procedure: String,
    categories: Vec<(String, String)>,
    category: String,
    tender_title: String,
    description: String,
    lots: Vec<LotInput>,
    committee: Vec<Person>,
    evaluators: Vec<Person>,
    enquiry_end: String,
    deadline: String,
    opening_at: String,
    zone: String,
}

async fn new_form(
    who: &Desk,
    p: &Procurement,
    directory: Option<&egov_auth::Service>,
    sent: &Sent,
    errors: Vec<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let agency = agency_of(who)?;
    let rules = p.rules().map_err(|e| t.error(&e))?;
    let members = officials(directory, &agency, COMMITTEE_ROLE)
        .await
        .map_err(|e| t.error(&e))?;
    let keyed = service::with_committee_keys(p, members.iter().map(|m| m.0.clone()).collect())
        .await
        .map_err(|e| t.error(&e))?;
    let chosen = |name: &str, id: &str| sent.all(name).contains(&id);
    let committee = members
        .into_iter()
        .map(|(id, name)| Person {
            note: if keyed.contains(&id) {
                t.t("proc-new-key-yes")
            } else {
                t.t("proc-new-key-no")
            },
            checked: chosen("committee", &id),
            name,
            id,
        })
        .collect();
    let evaluators = officials(directory, &agency, EVALUATOR_ROLE)
        .await
        .map_err(|e| t.error(&e))?
        .into_iter()
        .map(|(id, name)| Person {
            note: String::new(),
            checked: chosen("evaluators", &id),
            name,
            id,
        })
        .collect();
    let procedures = rules
        .procedures
        .iter()
        .map(|pr| ProcedureChoice {
            id: pr.id.clone(),
            name: t.pick(&pr.names).to_owned(),
            hint: t.t_with(
                "proc-new-procedure-hint",
                &[
                    ("name", t.pick(&pr.names).to_owned()),
                    (
                        "categories",
                        pr.categories
                            .iter()
                            .map(|c| t.t(&format!("proc-category-{c}")))
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    ("days", pr.min_tendering_days.to_string()),
                    ("k", pr.committee.k.to_string()),
                    ("n", pr.committee.n.to_string()),
                    (
                        "scored",
                        if pr.evaluation.needs_scores() {
                            t.t("proc-new-scored")
                        } else {
                            String::new()
                        },
                    ),
                ],
            ),
        })
        .collect();
    let lots = (0..LOT_ROWS)
        .map(|i| LotInput {
            i,
            n: i + 1,
            title: sent.get(&format!("lot-{i}-title")).to_owned(),
            base: sent.get(&format!("lot-{i}-base")).to_owned(),
        })
        .collect();
    let title = t.t("proc-new-title");
    let status = egov_web::form_status(&errors);
    let html = NewPage {
        t,
        title: title.clone(),
        csrf: who.csrf(),
        errors,
        procedures,
        procedure: sent.get("procedure").to_owned(),
        categories: CATEGORIES
            .into_iter()
            .map(|c| (c.to_owned(), t.t(&format!("proc-category-{c}"))))
            .collect(),
        category: sent.get("category").to_owned(),
        tender_title: sent.get("title").to_owned(),
        description: sent.get("description").to_owned(),
        lots,
        committee,
        evaluators,
        enquiry_end: sent.get("enquiry_end").to_owned(),
        deadline: sent.get("deadline").to_owned(),
        opening_at: sent.get("opening_at").to_owned(),
        zone: p.pack().time_zone.name().to_owned(),
    }
    .render()
    .map_err(|e| internal(t, e))?;
    Ok(t.answer(status, &title, &crumbs(t), &html))
}

/// The agency's officials with `role`, by name (none where common auth runs elsewhere: the
/// API then takes account ids).
async fn officials(
    directory: Option<&egov_auth::Service>,
    agency: &str,
    role: &str,
) -> Result<Vec<(String, String)>, egov_core::Error> {
    match directory {
        Some(d) => d.officials_with_role(agency, role, LISTED).await,
        None => Ok(Vec::new()),
    }
}

/// The form as the API's input with the form row of each lot, or the fields the page itself
/// could not read (an amount or a time it cannot parse). Empty lot rows are left out.
fn input_of(t: &Page, f: &Sent) -> Result<(TenderInput, Vec<usize>), Summary> {
    let mut bad = Vec::new();
    let mut lots = Vec::new();
    let mut rows = Vec::new();
    for i in 0..LOT_ROWS {
        let title = f.get(&format!("lot-{i}-title")).trim();
        let base = f.get(&format!("lot-{i}-base")).trim();
        if title.is_empty() && base.is_empty() {
            continue;
        }
        let n = lots.len();
        match t.parse_number(base) {
            Some(amount) => {
                lots.push(Lot {
                    id: (n + 1).to_string(),
                    title: title.to_owned(),
                    base_amount: amount,
                    a_amount: None,
                });
                rows.push(i);
            }
            None => bad.push((
                format!("#lot-{i}-base"),
                t.t_with("proc-new-lot-base-error", &[("n", (i + 1).to_string())]),
            )),
        }
    }
    let mut at = |name: &str| match t.instant_of_local(f.get(name)) {
        Some(x) => x,
        None => {
            bad.push((format!("#{name}"), t.t(&format!("proc-new-{name}-error"))));
            chrono::DateTime::<chrono::Utc>::MIN_UTC
        }
    };
    let enquiry_end = at("enquiry_end");
    let deadline = at("deadline");
    let opening_at = at("opening_at");
    if !bad.is_empty() {
        return Err(bad);
    }
    let input = TenderInput {
        procedure: f.get("procedure").to_owned(),
        category: f.get("category").to_owned(),
        title: f.get("title").to_owned(),
        description: f.get("description").replace("\r\n", "\n"),
        lots,
        committee: f.all("committee").into_iter().map(str::to_owned).collect(),
        evaluators: f.all("evaluators").into_iter().map(str::to_owned).collect(),
        enquiry_end,
        deadline,
        opening_at,
    };
    Ok((input, rows))
}

/// The form field a problem pointer names (`lots-0-title` → the title in the row of the
/// first lot; `rows` maps lots to the form's rows).
fn anchor(name: &str, rows: &[usize]) -> String {
    let parts: Vec<&str> = name.split('-').collect();
    let row = |i: &str| {
        i.parse::<usize>()
            .ok()
            .and_then(|i| rows.get(i).copied())
            .unwrap_or(0)
    };
    match parts.as_slice() {
        ["lots", i, "base_amount" | "a_amount"] => format!("lot-{}-base", row(i)),
        ["lots", i, _] => format!("lot-{}-title", row(i)),
        ["lots"] => "lot-0-title".into(),
        ["committee", ..] => "committee".into(),
        ["evaluators", ..] => "evaluators".into(),
        ["category"] => "category-goods".into(),
        _ => name.into(),
    }
}

/// A field's label on the form, for the error summary.
fn label(t: &Page, name: &str) -> String {
    let parts: Vec<&str> = name.split('-').collect();
    match parts.as_slice() {
        ["lots", i, ..] => t.t_with(
            "proc-new-lot-n",
            &[(
                "n",
                i.parse::<usize>()
                    .map_or(String::new(), |i| (i + 1).to_string()),
            )],
        ),
        ["committee", ..] => t.t("proc-label-committee"),
        ["evaluators", ..] => t.t("proc-label-evaluators"),
        ["title"] => t.t("proc-label-title"),
        ["procedure"] => t.t("proc-label-procedure"),
        ["category"] => t.t("proc-label-category"),
        ["description"] => t.t("proc-new-description"),
        ["enquiry_end"] => t.t("proc-label-enquiry-end"),
        ["deadline"] => t.t("proc-label-deadline"),
        ["opening_at"] => t.t("proc-label-opening"),
        ["reason"] => t.t("proc-desk-reason"),
        _ => name.to_owned(),
    }
}

/// The new tender form.
#[get("/desk/procurement/new")]
pub async fn new_page(
    who: Desk,
    p: Data<Procurement>,
    directory: Option<Data<egov_auth::Service>>,
) -> Result<HttpResponse, PageError> {
    let directory = directory.as_ref().map(|d| d.get_ref());
    new_form(&who, &p, directory, &Sent::default(), Vec::new()).await
}

/// Creates the draft and opens it; a refusal shows the form again with what to fix.
#[post("/desk/procurement/new")]
pub async fn create(
    who: Desk,
    p: Data<Procurement>,
    directory: Option<Data<egov_auth::Service>>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let sent = Sent(form.0);
    let t = &who.page;
    let directory = directory.as_ref().map(|d| d.get_ref());
    let (input, rows) = match input_of(t, &sent) {
        Ok(i) => i,
        Err(errors) => return new_form(&who, &p, directory, &sent, errors).await,
    };
    match new_tender(&p, directory, &who.principal, input).await {
        Ok(row) => Ok(see_other(&format!(
            "/desk/procurement/tenders/{}?done=created",
            row.id
        ))),
        Err(e) => {
            let (errors, _) = refusal(t, &e, "", |n| label(t, n), "#title")?;
            let errors = errors
                .into_iter()
                .map(|(a, m)| (format!("#{}", anchor(a.trim_start_matches('#'), &rows)), m))
                .collect();
            new_form(&who, &p, directory, &sent, errors).await
        }
    }
}

/// A question as the buyer sees it.
#[derive(Debug)]
pub struct QuestionRow {
    pub id: String,
    pub question: String,
    pub asked: String,
    pub answer: Option<String>,
}

#[derive(Template)]
#[template(path = "web/desk_tender.html")]
struct TenderPage<'a> {
    t: &'a Page,
    title: String,
    csrf: &'a str,
    errors: Vec<(String, String)>,
    done: String,
    id: String,
    facts: Vec<(String, String)>,
    lots: Vec<(String, String, String)>,
    committee: Vec<(String, String)>,
    evaluators: Vec<String>,
    can_publish: bool,
    public: bool,
    questions: Vec<QuestionRow>,
    typed: Typed,
    can_amend: bool,
    can_resume: bool,
    zone: String,
    can_rank: bool,
    can_award: bool,
    can_postpone: bool,
    can_cancel: bool,
    awards: Vec<(String, String, String, String)>,
    contracts: Vec<(String, String, String)>,
}

#[allow(clippy::too_many_arguments)]
async fn tender_page_for(
    who: &Desk,
    p: &Procurement,
    directory: Option<&egov_auth::Service>,
    id: &str,
    done: &str,
    errors: Vec<(String, String)>,
    typed: Typed,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let rules = p.rules().map_err(|e| t.error(&e))?;
    let row = crate::http::agency_tender(p, &who.principal, id)
        .await
        .map_err(|e| t.error(&e))?;
    let committee_ids: Vec<String> = serde_json::from_str(&row.committee).unwrap_or_default();
    let evaluator_ids: Vec<String> = serde_json::from_str(&row.evaluators).unwrap_or_default();
    let names = egov_web::names(
        directory,
        committee_ids
            .iter()
            .chain(&evaluator_ids)
            .cloned()
            .collect(),
    )
    .await;
    let keyed = service::with_committee_keys(p, committee_ids.clone())
        .await
        .map_err(|e| t.error(&e))?;
    let name = |id: &String| names.get(id).cloned().unwrap_or_else(|| id.clone());
    let st = status_of(&row);
    let v = crate::http::view(p, row).await.map_err(|e| t.error(&e))?;
    let mut facts = vec![
        (t.t("proc-label-status"), status_text(t, st)),
        (
            t.t("proc-label-procedure"),
            procedure_name(t, rules, &v.procedure),
        ),
        (
            t.t("proc-label-category"),
            t.t(&format!("proc-category-{}", v.category)),
        ),
        (
            t.t("proc-label-enquiry-end"),
            t.local_time(v.enquiry_end.naive_utc()),
        ),
        (
            t.t("proc-label-deadline"),
            t.local_time(v.deadline.naive_utc()),
        ),
        (
            t.t("proc-label-opening"),
            t.local_time(v.opening_at.naive_utc()),
        ),
    ];
    if let Some(at) = v.published_at {
        facts.push((t.t("proc-label-published"), t.local_time(at.naive_utc())));
    }
    let questions = v
        .questions
        .iter()
        .map(|q| QuestionRow {
            id: q.id.clone(),
            question: q.question.clone(),
            asked: t.local_time(q.asked_at.naive_utc()),
            answer: q.answer.clone(),
        })
        .collect();
    let title = v.title.clone();
    let html = TenderPage {
        t,
        title: title.clone(),
        csrf: who.csrf(),
        errors,
        done: match done {
            "created" | "published" | "answered" | "ranked" | "awarded" | "postponed"
            | "cancelled" | "amended" | "resumed" => t.t(&format!("proc-desk-done-{done}")),
            _ => String::new(),
        },
        id: v.id.clone(),
        facts,
        lots: v
            .lots
            .iter()
            .map(|l| (l.id.clone(), l.title.clone(), t.money(l.base_amount)))
            .collect(),
        committee: committee_ids
            .iter()
            .map(|c| {
                let note = if keyed.contains(c) {
                    t.t("proc-new-key-yes")
                } else {
                    t.t("proc-new-key-no")
                };
                (name(c), note)
            })
            .collect(),
        evaluators: evaluator_ids.iter().map(name).collect(),
        can_publish: st.permits(Action::Publish),
        public: st.public(),
        questions,
        can_amend: st.permits(Action::Amend),
        can_resume: st.permits(Action::Resume),
        zone: p.pack().time_zone.name().to_owned(),
        typed,
        can_rank: st.permits(Action::Rank),
        can_award: st.permits(Action::DecideAward),
        can_postpone: st.permits(Action::Postpone),
        can_cancel: st.permits(Action::Cancel),
        awards: v
            .awards
            .iter()
            .map(|a| {
                (
                    a.lot.clone(),
                    a.supplier.clone(),
                    a.amount
                        .parse::<rust_decimal::Decimal>()
                        .map_or_else(|_| a.amount.clone(), |d| t.money(d)),
                    t.t(&format!("proc-award-{}", a.status)),
                )
            })
            .collect(),
        contracts: v
            .contracts
            .iter()
            .map(|k| {
                (
                    k.id.clone(),
                    k.supplier.clone(),
                    t.t(&format!("proc-contract-{}", k.status)),
                )
            })
            .collect(),
    }
    .render()
    .map_err(|e| internal(t, e))?;
    Ok(t.answer(status, &title, &crumbs(t), &html))
}

/// A tender as its buyer sees it.
#[get("/desk/procurement/tenders/{id}")]
pub async fn show(
    who: Desk,
    p: Data<Procurement>,
    directory: Option<Data<egov_auth::Service>>,
    id: Path<String>,
    q: Query<DoneQuery>,
) -> Result<HttpResponse, PageError> {
    let directory = directory.as_ref().map(|d| d.get_ref());
    tender_page_for(
        &who,
        &p,
        directory,
        &id,
        &q.done,
        Vec::new(),
        Default::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct Empty {}

/// The desk's actions on a tender, each a button: `publish` a draft (the notice goes out, the
/// opening key is split among the committee), `rank` the opened bids (with the scores where
/// the procedure has them), decide the `award` by the ranking (the standstill starts),
/// `postpone` (no bids until resumed), `resume` with new dates, `amend` (a numbered, published
/// amendment: a new description, times only forward) or `cancel`, each with a published reason.
#[post("/desk/procurement/tenders/{id}/{action}")]
pub async fn act(
    who: Desk,
    p: Data<Procurement>,
    directory: Option<Data<egov_auth::Service>>,
    path: Path<(String, String)>,
    form: CsrfForm<ActForm>,
) -> Result<HttpResponse, PageError> {
    let (id, action) = path.into_inner();
    let sent = form.0;
    let reason = sent.reason.clone();
    let done = match action.as_str() {
        "postpone" | "cancel" => {
            let cancel = action == "cancel";
            stop_tender(&p, &who.principal, &id, reason.clone(), cancel)
                .await
                .map(|_| if cancel { "cancelled" } else { "postponed" })
        }
        "amend" | "resume" => {
            let resuming = action == "resume";
            match changes_of(&who.page, &sent) {
                Ok(changes) => {
                    let input = AmendInput {
                        reason: reason.clone(),
                        changes,
                    };
                    amending(&who.principal, &p, &id, input, resuming)
                        .await
                        .map(|_| if resuming { "resumed" } else { "amended" })
                }
                Err(errors) => {
                    let directory = directory.as_ref().map(|d| d.get_ref());
                    let typed = Typed::of(&action, sent);
                    return tender_page_for(
                        &who,
                        &p,
                        directory,
                        &id,
                        "",
                        errors,
                        typed,
                        StatusCode::BAD_REQUEST,
                    )
                    .await;
                }
            }
        }
        "publish" => publish_tender(&p, &who.principal, &id)
            .await
            .map(|_| "published"),
        "rank" => rank_bids(&p, &who.principal, &id).await.map(|_| "ranked"),
        "award" => decide_award(&p, &who.principal, &id)
            .await
            .map(|_| "awarded"),
        _ => return Err(who.page.not_found()),
    };
    let anchor = match action.as_str() {
        "postpone" | "cancel" => format!("#{action}-reason"),
        "amend" | "resume" => "#amend-reason".to_owned(),
        _ => format!("#{action}"),
    };
    after_action(
        &who,
        &p,
        directory,
        &id,
        done,
        &anchor,
        Typed::of(&action, sent),
    )
    .await
}

/// The amendment's changes as typed: an empty field changes nothing; a time the page cannot
/// read is a field error.
fn changes_of(t: &Page, f: &ActForm) -> Result<Changes, Summary> {
    let mut bad = Vec::new();
    let mut at = |name: &str, typed: &str| {
        if typed.trim().is_empty() {
            return None;
        }
        let x = t.instant_of_local(typed);
        if x.is_none() {
            bad.push((
                format!("#amend-{name}"),
                t.t(&format!("proc-new-{name}-error")),
            ));
        }
        x
    };
    let enquiry_end = at("enquiry_end", &f.enquiry_end);
    let deadline = at("deadline", &f.deadline);
    let opening_at = at("opening_at", &f.opening_at);
    if !bad.is_empty() {
        return Err(bad);
    }
    let description = f.description.replace("\r\n", "\n");
    Ok(Changes {
        description: (!description.trim().is_empty()).then_some(description),
        enquiry_end,
        deadline,
        opening_at,
    })
}

/// What a refused form had typed, shown again: the form (`what`: an action, or the question
/// answered), its text, and an amendment's fields.
#[derive(Debug, Default)]
pub struct Typed {
    pub what: String,
    pub text: String,
    pub description: String,
    pub enquiry_end: String,
    pub deadline: String,
    pub opening_at: String,
}

impl Typed {
    fn of(what: &str, f: ActForm) -> Self {
        Self {
            what: what.to_owned(),
            text: f.reason,
            description: f.description,
            enquiry_end: f.enquiry_end,
            deadline: f.deadline,
            opening_at: f.opening_at,
        }
    }
}

/// What the desk's action buttons send: a published reason for `postpone`, `cancel`, `amend`
/// and `resume`, and an amendment's new description and times (empty: unchanged).
#[derive(Debug, Deserialize)]
pub struct ActForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    enquiry_end: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    opening_at: String,
}

/// The tender's page after an action: its banner (`done` names it), or the refusal in the
/// summary at `anchor`, with the reason typed (`typed`: the action and its text) kept.
async fn after_action(
    who: &Desk,
    p: &Procurement,
    directory: Option<Data<egov_auth::Service>>,
    id: &str,
    done: Result<&str, egov_core::Error>,
    anchor: &str,
    typed: Typed,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    match done {
        Ok(what) => Ok(see_other(&format!(
            "/desk/procurement/tenders/{id}?done={what}"
        ))),
        Err(e) => {
            // An amendment's field keeps its own link; every other refusal points at the form.
            let at = |a: &str| match a.strip_prefix("#changes-") {
                Some(f) if anchor == "#amend-reason" => format!("#amend-{f}"),
                _ => anchor.to_owned(),
            };
            let (errors, status) = refusal_at(t, &e, |n| label(t, n), at)?;
            let directory = directory.as_ref().map(|d| d.get_ref());
            tender_page_for(who, p, directory, id, "", errors, typed, status).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    answer: String,
}

/// Answers a question: published to all on the notice.
#[post("/desk/procurement/tenders/{id}/questions/{question}/answer")]
pub async fn answer_question(
    who: Desk,
    p: Data<Procurement>,
    directory: Option<Data<egov_auth::Service>>,
    path: Path<(String, String)>,
    form: CsrfForm<AnswerForm>,
) -> Result<HttpResponse, PageError> {
    let t = &who.page;
    let (id, qid) = path.into_inner();
    let text = form.0.answer;
    match answer(&p, &who.principal, &id, qid.clone(), text.clone()).await {
        Ok(_) => Ok(see_other(&format!(
            "/desk/procurement/tenders/{id}?done=answered#questions"
        ))),
        Err(e) => {
            let (errors, status) = refusal_at(
                t,
                &e,
                |_| t.t("proc-qa-answer"),
                |_| format!("#answer-{qid}"),
            )?;
            let directory = directory.as_ref().map(|d| d.get_ref());
            let typed = Typed {
                what: qid,
                text,
                ..Typed::default()
            };
            tender_page_for(&who, &p, directory, &id, "", errors, typed, status).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_pointers_name_the_form_fields() {
        // Rows 1, 3 and 4 of the form were filled in: lots 0, 1 and 2.
        let rows = [1, 3, 4];
        assert_eq!(anchor("lots-2-base_amount", &rows), "lot-4-base");
        assert_eq!(anchor("lots-0-a_amount", &rows), "lot-1-base");
        assert_eq!(anchor("lots-1-title", &rows), "lot-3-title");
        assert_eq!(anchor("lots-0-id", &rows), "lot-1-title");
        assert_eq!(anchor("lots", &rows), "lot-0-title");
        assert_eq!(anchor("lots-9-title", &rows), "lot-0-title");
        assert_eq!(anchor("committee-1", &rows), "committee");
        assert_eq!(anchor("committee", &rows), "committee");
        assert_eq!(anchor("evaluators-0", &rows), "evaluators");
        assert_eq!(anchor("deadline", &rows), "deadline");
        assert_eq!(anchor("enquiry_end", &rows), "enquiry_end");
    }
}

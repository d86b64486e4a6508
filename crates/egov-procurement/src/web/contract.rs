//! The winner's e-contract (KONEPS's 전자계약): the terms of each version, who signed which
//! version and when, and "Sign the contract" with a declaration. The same use case as
//! `POST /procurement/v1/contracts/{id}/sign`: the module attests the signature over the
//! version's digest; the contract is in force once both parties signed its latest version.

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path, Query};
use actix_web::{HttpResponse, get, post};
use askama::Template;
use egov_web::{CsrfForm, Page, PageError, see_other};
use serde::Deserialize;
use serde_json::Value;

use super::desk::Desk;
use super::{Who, buyer, internal, refusal, refusal_at};
use crate::Procurement;
use crate::http::contracts::{ContractAmendInput, contract_for, propose_amendment};
use crate::service::{self, Party};

/// One version of the contract as shown.
#[derive(Debug)]
pub struct VersionRow {
    pub version: i32,
    pub reason: String,
    pub created: String,
    pub digest: String,
    pub terms: Vec<(String, String)>,
    pub buyer_signed: String,
    pub supplier_signed: String,
}

#[derive(Template)]
#[template(path = "web/contract.html")]
struct ContractPage<'a> {
    t: &'a Page,
    title: String,
    csrf: &'a str,
    errors: Vec<(String, String)>,
    id: String,
    tender: String,
    status: String,
    versions: Vec<VersionRow>,
    can_sign: bool,
    latest: i32,
    done: bool,
    base: &'static str,
    buyer_label: String,
    supplier_label: String,
    agree_label: String,
    can_amend: bool,
    amend: AmendForm,
    amended: bool,
}

/// The desk's contract amendment as typed: the reason and the changed terms (empty: kept).
#[derive(Debug, Default, Deserialize)]
pub struct AmendForm {
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub start_date: String,
    #[serde(default)]
    pub end_date: String,
    #[serde(default)]
    pub delivery: String,
}

/// Which party's contract page: the supplier's (`/my/procurement/contracts`) or the buying
/// agency's (`/desk/procurement/contracts`).
struct Side<'a> {
    t: &'a Page,
    csrf: &'a str,
    who: &'a egov_auth::Principal,
    party: Party,
}

impl<'a> Side<'a> {
    fn of<P: egov_auth::Policy>(who: &'a egov_web::SignedIn<P>, party: Party) -> Self {
        Self {
            t: &who.page,
            csrf: who.csrf(),
            who: &who.principal,
            party,
        }
    }

    fn base(&self) -> &'static str {
        match self.party {
            Party::Supplier => "/my/procurement/contracts",
            Party::Buyer => "/desk/procurement/contracts",
        }
    }

    fn crumbs(&self) -> Vec<(String, String)> {
        let t = self.t;
        match self.party {
            Party::Supplier => vec![
                ("/my".to_owned(), t.t("my-page")),
                ("/my/procurement".to_owned(), t.t("proc-supplier-title")),
            ],
            Party::Buyer => vec![
                ("/my".to_owned(), t.t("my-page")),
                ("/desk/procurement".to_owned(), t.t("proc-desk-title")),
            ],
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    signed: Option<String>,
    #[serde(default)]
    amended: Option<String>,
}

/// What the page says it just did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Done {
    Nothing,
    Signed,
    Amended,
}

impl Done {
    fn of(q: &DoneQuery) -> Self {
        if q.amended.is_some() {
            Self::Amended
        } else if q.signed.is_some() {
            Self::Signed
        } else {
            Self::Nothing
        }
    }
}

/// Who signed, in words.
fn signed(t: &Page, at: Option<chrono::NaiveDateTime>) -> String {
    at.map_or_else(
        || t.t("proc-contract-not-signed"),
        |at| t.t_with("proc-contract-signed-at", &[("at", t.local_time(at))]),
    )
}

async fn render(
    side: &Side<'_>,
    p: &Procurement,
    id: &str,
    errors: Vec<(String, String)>,
    done: Done,
    amend: AmendForm,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let t = side.t;
    let rules = p.rules().map_err(|e| t.error(&e))?;
    let (k, tender, party) = contract_for(p, side.who, id)
        .await
        .map_err(|e| t.error(&e))?;
    if party != side.party {
        return Err(t.not_found());
    }
    let versions = service::contract_versions(p, k.id.clone())
        .await
        .map_err(|e| t.error(&e))?;
    let latest = versions.last().map_or(0, |v| v.version);
    let can_sign = versions.last().is_some_and(|v| match party {
        Party::Supplier => v.supplier_signature.is_none(),
        Party::Buyer => v.buyer_signature.is_none(),
    });
    // The buyer proposes an amendment once both have signed the latest version.
    let can_amend = party == Party::Buyer
        && versions
            .last()
            .is_some_and(|v| v.buyer_signature.is_some() && v.supplier_signature.is_some());
    let rows = versions
        .iter()
        .rev()
        .map(|v| {
            let terms: Value = serde_json::from_str(&v.terms).unwrap_or(Value::Null);
            let terms = terms
                .as_object()
                .map(|m| {
                    m.iter()
                        .filter(|(name, _)| !matches!(name.as_str(), "award_id" | "currency"))
                        .map(|(name, value)| {
                            let text = value
                                .as_str()
                                .map_or_else(|| value.to_string(), str::to_owned);
                            let text = match name.as_str() {
                                "amount" => text
                                    .parse::<rust_decimal::Decimal>()
                                    .map_or(text, |d| t.money(d)),
                                "buyer" => buyer(t, rules, &text),
                                _ => text,
                            };
                            (t.t(&format!("proc-term-{}", name.replace('_', "-"))), text)
                        })
                        .collect()
                })
                .unwrap_or_default();
            VersionRow {
                version: v.version,
                reason: v.reason.clone(),
                created: t.local_time(v.created_at),
                digest: v.digest.clone(),
                terms,
                buyer_signed: signed(t, v.buyer_at),
                supplier_signed: signed(t, v.supplier_at),
            }
        })
        .collect();
    let title = t.t_with("proc-contract-title", &[("title", tender.title.clone())]);
    let html = ContractPage {
        t,
        title: title.clone(),
        csrf: side.csrf,
        errors,
        id: k.id.clone(),
        tender: tender.id.clone(),
        status: t.t(&format!("proc-contract-{}", k.status)),
        versions: rows,
        can_sign,
        latest,
        done: done == Done::Signed,
        amended: done == Done::Amended,
        can_amend,
        amend,
        base: side.base(),
        buyer_label: match party {
            Party::Supplier => t.t("proc-contract-buyer-signature"),
            Party::Buyer => t.t("proc-contract-our-signature"),
        },
        supplier_label: match party {
            Party::Supplier => t.t("proc-contract-supplier-signature"),
            Party::Buyer => t.t("proc-contract-their-signature"),
        },
        agree_label: match party {
            Party::Supplier => t.t("proc-contract-agree"),
            Party::Buyer => t.t("proc-contract-agree-buyer"),
        },
    }
    .render()
    .map_err(|e| internal(t, e))?;
    Ok(t.answer(status, &title, &side.crumbs(), &html))
}

/// The winner's contract.
#[get("/my/procurement/contracts/{id}")]
pub async fn show(
    who: Who,
    p: Data<Procurement>,
    id: Path<String>,
    q: Query<DoneQuery>,
) -> Result<HttpResponse, PageError> {
    let side = Side::of(&who, Party::Supplier);
    render(
        &side,
        &p,
        &id,
        Vec::new(),
        Done::of(&q),
        AmendForm::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct SignForm {
    #[serde(default)]
    agree: Option<String>,
}

/// Signs the contract's latest version for the business, once the declaration is ticked.
#[post("/my/procurement/contracts/{id}/sign")]
pub async fn sign(
    who: Who,
    p: Data<Procurement>,
    id: Path<String>,
    form: CsrfForm<SignForm>,
) -> Result<HttpResponse, PageError> {
    let side = Side::of(&who, Party::Supplier);
    sign_as(&side, &p, &id, form.0).await
}

/// The buying agency's view of a contract.
#[get("/desk/procurement/contracts/{id}")]
pub async fn desk_show(
    who: Desk,
    p: Data<Procurement>,
    id: Path<String>,
    q: Query<DoneQuery>,
) -> Result<HttpResponse, PageError> {
    let side = Side::of(&who, Party::Buyer);
    render(
        &side,
        &p,
        &id,
        Vec::new(),
        Done::of(&q),
        AmendForm::default(),
        StatusCode::OK,
    )
    .await
}

/// Signs the contract's latest version for the buying agency, once the declaration is ticked.
#[post("/desk/procurement/contracts/{id}/sign")]
pub async fn desk_sign(
    who: Desk,
    p: Data<Procurement>,
    id: Path<String>,
    form: CsrfForm<SignForm>,
) -> Result<HttpResponse, PageError> {
    let side = Side::of(&who, Party::Buyer);
    sign_as(&side, &p, &id, form.0).await
}

async fn sign_as(
    side: &Side<'_>,
    p: &Procurement,
    id: &str,
    form: SignForm,
) -> Result<HttpResponse, PageError> {
    let t = side.t;
    if form.agree.as_deref() != Some("yes") {
        let errors = vec![("#agree".to_owned(), t.t("proc-contract-agree-missing"))];
        return render(
            side,
            p,
            id,
            errors,
            Done::Nothing,
            AmendForm::default(),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let (k, _, party) = contract_for(p, side.who, id)
        .await
        .map_err(|e| t.error(&e))?;
    if party != side.party {
        return Err(t.not_found());
    }
    let q = p.clone();
    let me = side.who.subject.clone();
    let contract = k.id.clone();
    let done = p
        .db()
        .transaction(move |c| service::sign_contract(&q, c, &k, party, &me))
        .await;
    match done {
        Ok(_) => Ok(see_other(&format!("{}/{contract}?signed=1", side.base()))),
        Err(e) => {
            let (errors, status) = refusal(t, &e, "", |_| String::new(), "#agree")?;
            render(
                side,
                p,
                &contract,
                errors,
                Done::Nothing,
                AmendForm::default(),
                status,
            )
            .await
        }
    }
}

/// The changed terms as the API takes them, or the fields the page could not read (an amount
/// or a date it cannot parse). Empty fields keep their terms.
fn changes_of(t: &Page, f: &AmendForm) -> Result<Value, Vec<(String, String)>> {
    let mut bad = Vec::new();
    let mut changes = serde_json::Map::new();
    let amount = f.amount.trim();
    if !amount.is_empty() {
        match t.parse_number(amount) {
            Some(d) if d > rust_decimal::Decimal::ZERO => {
                changes.insert("amount".into(), Value::String(d.normalize().to_string()));
            }
            _ => bad.push(("#amount".to_owned(), t.t("proc-contract-amount-error"))),
        }
    }
    for name in ["start_date", "end_date"] {
        let typed = if name == "start_date" {
            f.start_date.trim()
        } else {
            f.end_date.trim()
        };
        if typed.is_empty() {
            continue;
        }
        match typed.parse::<chrono::NaiveDate>() {
            Ok(d) => {
                changes.insert(name.into(), Value::String(d.to_string()));
            }
            Err(_) => bad.push((format!("#{name}"), t.t("proc-contract-date-error"))),
        }
    }
    let delivery = f.delivery.trim();
    if !delivery.is_empty() {
        changes.insert("delivery".into(), Value::String(delivery.to_owned()));
    }
    if bad.is_empty() {
        Ok(Value::Object(changes))
    } else {
        Err(bad)
    }
}

/// Proposes an amended version of the contract (the buying officer); both parties sign it
/// again before it is in force.
#[post("/desk/procurement/contracts/{id}/amend")]
pub async fn desk_amend(
    who: Desk,
    p: Data<Procurement>,
    id: Path<String>,
    form: CsrfForm<AmendForm>,
) -> Result<HttpResponse, PageError> {
    let side = Side::of(&who, Party::Buyer);
    let t = side.t;
    let typed = form.0;
    let refused = |errors: Vec<(String, String)>, status: StatusCode, typed: AmendForm| {
        let side = &side;
        let p = &p;
        let id = &id;
        async move { render(side, p, id, errors, Done::Nothing, typed, status).await }
    };
    let changes = match changes_of(t, &typed) {
        Ok(c) => c,
        Err(errors) => return refused(errors, StatusCode::BAD_REQUEST, typed).await,
    };
    let input = ContractAmendInput {
        changes,
        reason: typed.reason.replace("\r\n", "\n"),
    };
    match propose_amendment(&p, side.who, &id, input).await {
        Ok(_) => Ok(see_other(&format!(
            "/desk/procurement/contracts/{}?amended=1",
            id.as_str()
        ))),
        Err(e) => {
            let label = |n: &str| match n {
                "reason" => t.t("proc-contract-amend-reason"),
                _ => t.t("proc-contract-amend-terms"),
            };
            let at = |a: &str| match a {
                "#reason" | "#" => "#amend-reason".to_owned(),
                _ => "#amount".to_owned(),
            };
            let (errors, status) = refusal_at(t, &e, label, at)?;
            refused(errors, status, typed).await
        }
    }
}

//! `/procurement/v1`: the public notices, Q&A, opening results and OCDS data; suppliers'
//! registration, eligibility, questions, sealed bids, complaints and contract signatures;
//! buying officers' tenders, amendments, answers, ranking, award and contracts; opening
//! committees' keys and shares; evaluators' signed scores; the review body's decisions; the
//! procurement agency's debarment list.

pub mod amendments;
pub mod bidder_keys;
pub mod bids;
pub mod committee;
pub mod complaints;
pub mod contracts;
pub mod debarment;
pub mod evaluation;
pub mod open_contracting;
pub mod oversight;
pub mod public;
pub mod questions;
pub mod suppliers;
pub mod tenders;

use crate::domain::lifecycle::Status;
use crate::service::{self, lots_of, status_of};
use crate::store::TenderRow;
use crate::{Procurement, errors};
use actix_web::HttpRequest;
use egov_auth::{Kind, Policy, Principal, Rule, SubjectKey};
use egov_core::Error;
use egov_core::error::FieldError;
use egov_core::routes::Routes;
use rust_decimal::Decimal;
use serde_json::Value;

/// A business account acting as a supplier, signed in with a second factor (bids bind the
/// firm: KONEPS requires a certificate and a fingerprint token).
#[derive(Debug)]
pub struct Supplier;
impl Policy for Supplier {
    const RULE: Rule = Rule::kinds(&[Kind::Business]).aal2();
}

/// A buying agency's procurement officer (second factor).
#[derive(Debug)]
pub struct Officer;
impl Policy for Officer {
    const RULE: Rule = Rule::kinds(&[Kind::Officer])
        .roles(&[crate::OFFICER_ROLE])
        .aal2();
}

/// A member of opening committees (second factor).
#[derive(Debug)]
pub struct Committee;
impl Policy for Committee {
    const RULE: Rule = Rule::kinds(&[Kind::Officer])
        .roles(&[crate::COMMITTEE_ROLE])
        .aal2();
}

/// An evaluator (second factor).
#[derive(Debug)]
pub struct Evaluator;
impl Policy for Evaluator {
    const RULE: Rule = Rule::kinds(&[Kind::Officer])
        .roles(&[crate::EVALUATOR_ROLE])
        .aal2();
}

/// Anyone who may read opened bids: the buying officer or an evaluator of the tender (the
/// role and the tender are checked by the route).
#[derive(Debug)]
pub struct Staff;
impl Policy for Staff {
    const RULE: Rule = Rule::kinds(&[Kind::Officer]).aal2();
}

/// The review body's officer (second factor).
#[derive(Debug)]
pub struct Reviewer;
impl Policy for Reviewer {
    const RULE: Rule = Rule::kinds(&[Kind::Officer])
        .roles(&[crate::REVIEWER_ROLE])
        .aal2();
}

pub fn configure(cfg: &mut Routes<'_>) {
    cfg.scope("/procurement/v1", |s| {
        s.service(public::get_rules)
            .service(public::keys)
            .service(public::list_tenders)
            .service(public::show_tender)
            .service(suppliers::register_supplier)
            .service(suppliers::my_supplier)
            .service(suppliers::check_eligibility)
            .service(bidder_keys::register_key)
            .service(bidder_keys::list_keys)
            .service(bidder_keys::revoke_key)
            .service(questions::ask)
            .service(bids::submit_bid)
            .service(bids::my_bids)
            .service(bids::withdraw)
            .service(complaints::complain)
            .service(tenders::create_tender)
            .service(tenders::edit_tender)
            .service(tenders::publish)
            .service(amendments::amend)
            .service(amendments::postpone)
            .service(amendments::resume)
            .service(amendments::cancel)
            .service(questions::answer_question)
            .service(oversight::agency_tenders)
            .service(oversight::history)
            .service(evaluation::opened_bids)
            .service(evaluation::rank)
            .service(evaluation::award)
            .service(committee::register_committee_key)
            .service(committee::my_share)
            .service(committee::hand_in_share)
            .service(committee::open)
            .service(committee::score)
            .service(complaints::pending_complaints)
            .service(complaints::decide)
            .service(debarment::add_debarment)
            .service(debarment::lift_debarment)
            .service(debarment::list_debarments)
            .service(contracts::show_contract)
            .service(contracts::sign_contract)
            .service(contracts::amend_contract)
            .service(open_contracting::ocds_releases)
            .service(open_contracting::ocds_record)
            .service(open_contracting::ocds_bulk)
    });
}

pub(crate) fn field(pointer: &str, msg: &str) -> FieldError {
    FieldError {
        pointer: pointer.into(),
        detail: msg.into(),
    }
}

pub(crate) fn fail(errors: Vec<FieldError>) -> Result<(), Error> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::validation(errors))
    }
}

pub(crate) fn reason_ok(pointer: &str, s: &str) -> Result<(), Error> {
    egov_core::text::reason(pointer, s)
}

pub(crate) fn purpose_ok(s: &str) -> Result<(), Error> {
    egov_core::text::purpose(s, "the bids")
}

pub(crate) fn uuid_ok(id: &str, code: egov_core::ErrorCode) -> Result<(), Error> {
    uuid::Uuid::parse_str(id)
        .map(|_| ())
        .map_err(|_| Error::new(code))
}

/// The supplier's canonical business number.
pub(crate) fn supplier_id(p: &Procurement, who: &Principal) -> Result<String, Error> {
    who.business
        .as_deref()
        .and_then(|b| p.pack().parse_business_id(b).ok())
        .map(|b| b.canonical().to_owned())
        .ok_or_else(|| Error::new(errors::NOT_A_SUPPLIER))
}

pub(crate) async fn tender(p: &Procurement, id: &str) -> Result<TenderRow, Error> {
    uuid_ok(id, errors::TENDER_NOT_FOUND)?;
    service::tender(p, id.to_owned()).await
}

/// A published tender (drafts are nobody's business but their agency's).
pub(crate) async fn public_tender(p: &Procurement, id: &str) -> Result<TenderRow, Error> {
    let row = tender(p, id).await?;
    if status_of(&row).public() {
        Ok(row)
    } else {
        Err(Error::new(errors::TENDER_NOT_FOUND))
    }
}

/// A tender of the officer's own agency.
pub(crate) async fn agency_tender(
    p: &Procurement,
    who: &Principal,
    id: &str,
) -> Result<TenderRow, Error> {
    let row = tender(p, id).await?;
    if who.agency.as_deref() == Some(row.agency.as_str()) {
        Ok(row)
    } else {
        Err(Error::new(errors::TENDER_NOT_FOUND))
    }
}

/// Records an access to a supplier's bid contents (fails closed: no log, no data).
pub(crate) async fn access(
    p: &Procurement,
    req: &HttpRequest,
    who: &Principal,
    supplier: &str,
    record: &str,
    purpose: &str,
) -> Result<(), Error> {
    p.0.recorder
        .reader(req, who)
        .record(
            SubjectKey::from_stored(egov_core::exchange::business_subject(supplier)),
            egov_auth::Action::View,
            purpose,
            Some(record.to_owned()),
        )
        .await
}

pub(crate) fn money_ok(p: &Procurement, d: Decimal) -> bool {
    let minor = u32::from(p.pack().currency.minor_units());
    d > Decimal::ZERO && crate::domain::lottery::to_minor(d, minor).is_some()
}

/// The public view of a tender: what is public at its stage.
pub(crate) async fn view(p: &Procurement, row: TenderRow) -> Result<service::TenderView, Error> {
    let service::TenderRecords {
        amendments,
        questions,
        awards,
        contracts,
    } = service::tender_records(p, row.id.clone()).await?;
    let status = status_of(&row);
    let parsed = |s: &Option<String>| {
        s.as_deref()
            .map(|s| serde_json::from_str(s).unwrap_or(Value::Null))
    };
    Ok(service::TenderView {
        lots: lots_of(&row),
        currency: p.pack().currency.code().to_owned(),
        enquiry_end: row.enquiry_end.and_utc(),
        deadline: row.deadline.and_utc(),
        opening_at: row.opening_at.and_utc(),
        published_at: row.published_at.map(|t| t.and_utc()),
        committee: service::Threshold { k: row.k, n: row.n },
        amendments: amendments
            .into_iter()
            .map(|a| service::AmendmentView {
                number: a.number,
                at: a.at.and_utc(),
                reason: a.reason,
                changes: serde_json::from_str(&a.changes).unwrap_or(Value::Null),
            })
            .collect(),
        questions: questions
            .into_iter()
            .map(|q| service::QuestionView {
                id: q.id,
                question: q.question,
                asked_at: q.asked_at.and_utc(),
                answer: q.answer,
                answered_at: q.answered_at.map(|t| t.and_utc()),
            })
            .collect(),
        bid_count: row.bid_count,
        commitments: row
            .bid_count
            .map(|_| parsed(&row.commitments).unwrap_or(Value::Null)),
        opening: parsed(&row.opening),
        ranking: parsed(&row.ranking)
            .filter(|_| !matches!(status, Status::Evaluation | Status::AwardPending)),
        standstill_end: row.standstill_end.map(|e| e.and_utc()),
        cancel_reason: row.cancel_reason.clone(),
        awards: awards
            .into_iter()
            .map(|a| service::AwardView {
                id: a.id,
                lot: a.lot_id,
                bid_id: a.bid_id,
                supplier: a.supplier,
                amount: a.amount,
                status: a.status,
                decided_at: a.decided_at.and_utc(),
            })
            .collect(),
        contracts: contracts
            .into_iter()
            .map(|k| service::ContractSummary {
                id: k.id,
                award_id: k.award_id,
                supplier: k.supplier,
                status: k.status,
                version: k.version,
            })
            .collect(),
        status,
        id: row.id,
        ocid: row.ocid,
        agency: row.agency,
        procedure: row.procedure_id,
        category: row.category,
        title: row.title,
        description: row.description,
        opening_key: row.public_key,
        seed_commitment: row.seed_commitment,
    })
}

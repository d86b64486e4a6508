//! Reads and small writes that are one step each: tenders and what was published about
//! them, suppliers' standing, bids, shares, complaints, contracts, debarments, questions and
//! OCDS releases.

use chrono::NaiveDateTime;
use egov_core::Error;
use serde_json::json;

use super::event;
use crate::store::{
    self, AmendmentRow, AwardRow, BidRow, BidderKeyRow, ComplaintRow, ContractRow,
    ContractVersionRow, DebarmentRow, EligibilityRow, EventRow, KeyRow, QuestionRow, ReleaseRow,
    ShareRow, SupplierRow, TenderRow,
};
use crate::{Procurement, errors};

/// A tender by id.
pub async fn tender(p: &Procurement, id: String) -> Result<TenderRow, Error> {
    p.db()
        .run(move |c| store::tender(c, &id))
        .await?
        .ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))
}

/// What was published about a tender after its notice.
#[derive(Debug)]
pub struct TenderRecords {
    pub amendments: Vec<AmendmentRow>,
    pub questions: Vec<QuestionRow>,
    pub awards: Vec<AwardRow>,
    pub contracts: Vec<ContractRow>,
}

/// A tender's amendments, questions, awards and contracts.
pub async fn tender_records(p: &Procurement, id: String) -> Result<TenderRecords, Error> {
    p.db()
        .run(move |c| {
            Ok(TenderRecords {
                amendments: store::amendments(c, &id)?,
                questions: store::questions(c, &id)?,
                awards: store::awards(c, &id)?,
                contracts: store::contracts(c, &id)?,
            })
        })
        .await
}

/// A page of tenders (an agency's own drafts included when `drafts`).
pub async fn tenders_page(
    p: &Procurement,
    agency: Option<String>,
    drafts: bool,
    status: Option<&'static str>,
    category: Option<String>,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<TenderRow>, Error> {
    p.db()
        .run(move |c| {
            store::tenders_page(
                c,
                agency.as_deref(),
                drafts,
                status,
                category.as_deref(),
                after,
                limit,
            )
        })
        .await
}

/// A supplier's standing: registration, debarments and the tax clearance on file.
#[derive(Debug)]
pub struct Standing {
    pub registration: Option<SupplierRow>,
    pub debarments: Vec<DebarmentRow>,
    pub clearance: Option<EligibilityRow>,
}

fn standing_in(
    c: &mut egov_core::DbConnection,
    supplier: &str,
    now: NaiveDateTime,
) -> Result<Standing, Error> {
    Ok(Standing {
        registration: store::supplier(c, supplier)?,
        debarments: store::debarments(c, supplier)?,
        clearance: store::valid_eligibility(c, supplier, "tax_clearance", now)?,
    })
}

/// A supplier's standing now.
pub async fn standing(p: &Procurement, supplier: String) -> Result<Standing, Error> {
    let now = p.now();
    p.db().run(move |c| standing_in(c, &supplier, now)).await
}

/// On one connection, every read a bid's checks need: the tender and the supplier's standing.
pub async fn bid_checks(
    p: &Procurement,
    supplier: String,
    tender: String,
    key_id: String,
) -> Result<(Option<TenderRow>, Standing, Option<BidderKeyRow>), Error> {
    let now = p.now();
    p.db()
        .run(move |c| {
            Ok((
                store::tender(c, &tender)?,
                standing_in(c, &supplier, now)?,
                store::bidder_key(c, &supplier, &key_id)?,
            ))
        })
        .await
}

/// A supplier's registration.
pub async fn supplier(p: &Procurement, id: String) -> Result<Option<SupplierRow>, Error> {
    p.db().run(move |c| store::supplier(c, &id)).await
}

/// Registers (or updates) a supplier.
pub async fn register_supplier(p: &Procurement, row: SupplierRow) -> Result<(), Error> {
    p.db()
        .transaction(move |c| store::save_supplier(c, &row))
        .await
}

/// Records an eligibility answer (e.g. a tax clearance) for a supplier.
pub async fn add_eligibility(p: &Procurement, row: EligibilityRow) -> Result<(), Error> {
    p.db()
        .transaction(move |c| store::insert_eligibility(c, &row))
        .await
}

/// A supplier's bids on a tender.
pub async fn bids_of(
    p: &Procurement,
    tender: String,
    supplier: String,
) -> Result<Vec<BidRow>, Error> {
    p.db()
        .run(move |c| store::supplier_bids(c, &tender, &supplier))
        .await
}

/// The opened bids of a tender (valid and rejected).
pub async fn opened_bids(p: &Procurement, tender: String) -> Result<Vec<BidRow>, Error> {
    p.db()
        .run(move |c| store::bids_with_status(c, &tender, &["valid", "rejected"]))
        .await
}

/// The tenders in evaluation on which `evaluator` scores, newest first.
pub async fn evaluator_tenders(
    p: &Procurement,
    evaluator: String,
    limit: i64,
) -> Result<Vec<TenderRow>, Error> {
    p.db()
        .run(move |c| store::evaluator_tenders(c, &evaluator, "evaluation", limit))
        .await
}

/// The scores given on a tender so far.
pub async fn scores(p: &Procurement, tender: String) -> Result<Vec<store::ScoreRow>, Error> {
    p.db().run(move |c| store::scores(c, &tender)).await
}

/// Saves a committee member's public key.
pub async fn save_committee_key(
    p: &Procurement,
    account: String,
    key: String,
) -> Result<(), Error> {
    let q = p.clone();
    p.db()
        .transaction(move |c| store::save_committee_key(c, &account, &key, q.now()))
        .await
}

/// Which of `accounts` have registered an opening key (the buyer's page says who has not).
pub async fn with_committee_keys(
    p: &Procurement,
    accounts: Vec<String>,
) -> Result<std::collections::BTreeSet<String>, Error> {
    p.db()
        .run(move |c| {
            let mut out = std::collections::BTreeSet::new();
            for a in accounts {
                if store::committee_key(c, &a)?.is_some() {
                    out.insert(a);
                }
            }
            Ok(out)
        })
        .await
}

/// The tenders on whose committee `member` sits, with the member's share, newest first.
pub async fn member_shares(
    p: &Procurement,
    member: String,
    limit: i64,
) -> Result<Vec<(TenderRow, ShareRow)>, Error> {
    p.db()
        .run(move |c| store::member_shares(c, &member, limit))
        .await
}

/// The key shares of a tender.
pub async fn shares(p: &Procurement, tender: String) -> Result<Vec<ShareRow>, Error> {
    p.db().run(move |c| store::shares(c, &tender)).await
}

/// Complaints with a status, oldest first.
pub async fn complaints_with_status(
    p: &Procurement,
    status: &'static str,
    limit: i64,
) -> Result<Vec<ComplaintRow>, Error> {
    p.db()
        .run(move |c| store::complaints_with_status(c, status, limit))
        .await
}

/// A complaint by id.
pub async fn complaint(p: &Procurement, id: String) -> Result<ComplaintRow, Error> {
    p.db()
        .run(move |c| store::complaint(c, &id))
        .await?
        .ok_or_else(|| Error::new(errors::COMPLAINT_NOT_FOUND))
}

/// A contract by id.
pub async fn contract(p: &Procurement, id: String) -> Result<ContractRow, Error> {
    p.db()
        .run(move |c| store::contract(c, &id))
        .await?
        .ok_or_else(|| Error::new(errors::CONTRACT_NOT_FOUND))
}

/// A contract's versions.
pub async fn contract_versions(
    p: &Procurement,
    id: String,
) -> Result<Vec<ContractVersionRow>, Error> {
    p.db().run(move |c| store::contract_versions(c, &id)).await
}

/// Records a debarment.
pub async fn debar(p: &Procurement, row: DebarmentRow) -> Result<(), Error> {
    p.db()
        .transaction(move |c| store::insert_debarment(c, &row))
        .await
}

/// Lifts a debarment in force, with the reason.
pub async fn lift_debarment(
    p: &Procurement,
    id: String,
    by: String,
    reason: String,
) -> Result<DebarmentRow, Error> {
    let q = p.clone();
    p.db()
        .transaction(move |c| {
            if !store::lift_debarment(c, &id, &by, &reason, q.now())? {
                return Err(Error::new(errors::DEBARMENT_NOT_FOUND));
            }
            store::debarment(c, &id)
        })
        .await?
        .ok_or_else(|| Error::new(errors::DEBARMENT_NOT_FOUND))
}

/// A business's debarments.
pub async fn debarments(p: &Procurement, business: String) -> Result<Vec<DebarmentRow>, Error> {
    p.db().run(move |c| store::debarments(c, &business)).await
}

/// A tender's audit events.
pub async fn events(p: &Procurement, tender: String) -> Result<Vec<EventRow>, Error> {
    p.db().run(move |c| store::events(c, &tender)).await
}

/// The OCDS releases of a contracting process.
pub async fn releases(p: &Procurement, ocid: String) -> Result<Vec<ReleaseRow>, Error> {
    p.db().run(move |c| store::releases(c, &ocid)).await
}

/// Releases after a sequence number, oldest first.
pub async fn releases_after(
    p: &Procurement,
    after: i64,
    limit: i64,
) -> Result<Vec<ReleaseRow>, Error> {
    p.db()
        .run(move |c| store::releases_after(c, after, limit))
        .await
}

/// The last release's sequence number after `start` (if any).
pub async fn last_release(p: &Procurement, start: i64) -> Result<Option<i64>, Error> {
    p.db()
        .run(move |c| {
            Ok(store::releases_after(c, start, i64::MAX)?
                .last()
                .map(|r| r.seq))
        })
        .await
}

/// The module's signing keys (the current one made on first use).
pub async fn signing_keys(p: &Procurement) -> Result<Vec<KeyRow>, Error> {
    let q = p.clone();
    p.db()
        .run(move |c| {
            q.key(c)?;
            store::keys(c)
        })
        .await
}

/// A committee member hands in their share of a tender's key (checked against the digest
/// given out): (shares handed in now, shares needed).
pub async fn hand_in_share(
    p: &Procurement,
    row: TenderRow,
    me: String,
    share: String,
    raw: Vec<u8>,
) -> Result<(usize, i32), Error> {
    let q = p.clone();
    p.db()
        .transaction(move |c| {
            let all = store::shares(c, &row.id)?;
            let mine = all
                .iter()
                .find(|s| s.member == me)
                .ok_or_else(|| Error::new(errors::NOT_COMMITTEE))?;
            if mine.share.is_some() {
                return Err(Error::new(errors::SHARE_ALREADY_GIVEN));
            }
            if egov_core::digest::sha256_hex(&raw) != mine.share_digest {
                return Err(Error::new(errors::SHARE_REJECTED));
            }
            store::submit_share(c, &row.id, &me, &share, q.now())?;
            event(
                &q,
                c,
                &row.id,
                &me,
                "share",
                &row.status,
                &row.status,
                None,
                json!({}),
            )?;
            let given = all.iter().filter(|s| s.share.is_some()).count() + 1;
            Ok((given, row.k))
        })
        .await
}

/// A registered supplier's complaint about a tender.
pub async fn lodge_complaint(
    p: &Procurement,
    row: TenderRow,
    supplier: String,
    account: String,
    against: String,
    text: String,
) -> Result<ComplaintRow, Error> {
    let q = p.clone();
    p.db()
        .transaction(move |c| {
            store::supplier(c, &supplier)?.ok_or_else(|| Error::new(errors::NOT_REGISTERED))?;
            super::complain(&q, c, &row.id, &supplier, &account, &against, &text)
        })
        .await
}

/// A registered supplier's question about a tender in its enquiry period.
pub async fn ask(p: &Procurement, supplier: String, q: QuestionRow) -> Result<(), Error> {
    p.db()
        .transaction(move |c| {
            store::supplier(c, &supplier)?.ok_or_else(|| Error::new(errors::NOT_REGISTERED))?;
            store::insert_question(c, &q)
        })
        .await
}

/// The agency answers a question (published with the tender).
pub async fn answer(
    p: &Procurement,
    row: TenderRow,
    qid: String,
    text: String,
    by: String,
) -> Result<(), Error> {
    let q = p.clone();
    p.db()
        .transaction(move |c| {
            if !store::answer_question(c, &row.id, &qid, &text, &by, q.now())? {
                return Err(Error::new(errors::QUESTION_NOT_FOUND));
            }
            event(
                &q,
                c,
                &row.id,
                &by,
                "answer",
                &row.status,
                &row.status,
                None,
                json!({"question": qid}),
            )
        })
        .await
}

/// Stores a new draft tender with its first event.
pub async fn create_tender(p: &Procurement, r: TenderRow, actor: String) -> Result<(), Error> {
    let q = p.clone();
    p.db()
        .transaction(move |c| {
            store::insert_tender(c, &r)?;
            event(&q, c, &r.id, &actor, "create", "", "draft", None, json!({}))
        })
        .await
}

/// Saves a draft tender unless someone changed it meanwhile.
pub async fn save_draft(p: &Procurement, mut r: TenderRow) -> Result<TenderRow, Error> {
    p.db()
        .transaction(move |c| {
            if store::save_tender(c, &mut r)? {
                Ok(r)
            } else {
                Err(Error::new(errors::CONCURRENT_CHANGE))
            }
        })
        .await
}

/// Registers a supplier's bid signing key (the supplier must be registered).
pub async fn register_bidder_key(p: &Procurement, row: BidderKeyRow) -> Result<(), Error> {
    p.db()
        .transaction(move |c| {
            store::supplier(c, &row.business_id)?
                .ok_or_else(|| Error::new(errors::NOT_REGISTERED))?;
            store::insert_bidder_key(c, &row)
        })
        .await
}

/// A supplier's bid signing keys, newest first.
pub async fn bidder_keys(p: &Procurement, supplier: String) -> Result<Vec<BidderKeyRow>, Error> {
    p.db().run(move |c| store::bidder_keys(c, &supplier)).await
}

/// Revokes one of a supplier's keys: it signs no new bid (bids it signed stay valid).
pub async fn revoke_bidder_key(p: &Procurement, supplier: String, id: String) -> Result<(), Error> {
    let now = p.now();
    p.db()
        .transaction(move |c| {
            if store::revoke_bidder_key(c, &supplier, &id, now)? {
                Ok(())
            } else {
                Err(Error::new(errors::BIDDER_KEY_NOT_FOUND))
            }
        })
        .await
}

//! The procurement module's transactions. Every change of a tender writes, in the same
//! transaction, its audit event, its OCDS release and (for publication, the deadline and the
//! award) an event in the exchange's outbox.

pub use egov_core::clock::now_micros;
use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDateTime, Utc};
use egov_core::{DbConnection, Error};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::domain::evaluation::{self, Candidate, Ranking};
use crate::domain::lifecycle::Status;
use crate::domain::rules::Procedure;
use crate::domain::{lottery, seal};
use crate::store::{self, AwardRow, BidRow, ContractRow, ContractVersionRow, EventRow, TenderRow};
use crate::{Procurement, errors, ocds};

/// A lot of a tender (every tender has at least one).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Lot {
    /// 1–16 of `A-Za-z0-9-`; unique in the tender.
    pub id: String,
    pub title: String,
    /// The base amount (기초금액) in the pack's currency: the reference of the reserve price
    /// lottery, or the budget ceiling without one.
    #[schema(value_type = String)]
    pub base_amount: Decimal,
    /// The amount A of the qualification review's price formula (defaults to 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub a_amount: Option<Decimal>,
}

pub fn status_of(row: &TenderRow) -> Status {
    Status::parse(&row.status).unwrap_or(Status::Draft)
}

pub fn lots_of(row: &TenderRow) -> Vec<Lot> {
    serde_json::from_str(&row.lots).unwrap_or_default()
}

pub fn list_of(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

fn illegal(row: &TenderRow, what: &str) -> Error {
    Error::with_detail(
        errors::ILLEGAL_TRANSITION,
        format!("cannot {what} a tender that is {}", row.status),
    )
}

/// Writes the audit event.
#[allow(clippy::too_many_arguments)]
pub fn event(
    c: &mut DbConnection,
    tender: &str,
    actor: &str,
    action: &str,
    from: &str,
    to: &str,
    reason: Option<&str>,
    detail: Value,
) -> Result<(), Error> {
    store::insert_event(
        c,
        &EventRow {
            id: uuid::Uuid::now_v7().to_string(),
            tender_id: tender.to_owned(),
            at: now_micros(),
            actor: actor.to_owned(),
            action: action.to_owned(),
            from_status: from.to_owned(),
            to_status: to.to_owned(),
            reason: reason.map(str::to_owned),
            detail: detail.to_string(),
        },
    )
}

/// Publishes an event to other systems through the exchange's outbox (same transaction).
fn announce(
    p: &Procurement,
    c: &mut DbConnection,
    kind: &str,
    row: &TenderRow,
    data: Value,
) -> Result<(), Error> {
    if let Some(x) = p.exchange() {
        egov_exchange::events::publish(
            c,
            x,
            crate::NAME,
            &format!("egov.procurement.tender.{kind}"),
            Some(&row.ocid),
            &data,
        )?;
    }
    Ok(())
}

/// Re-reads the tender and emits its OCDS release with `tags`.
pub fn release(
    p: &Procurement,
    c: &mut DbConnection,
    tender: &str,
    tags: &[&str],
) -> Result<(), Error> {
    let row = store::tender(c, tender)?.ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))?;
    let date = now_micros();
    let body = ocds::release(p, c, &row, tags, date)?;
    store::insert_release(
        c,
        &store::NewRelease {
            ocid: row.ocid.clone(),
            release_id: body["id"].as_str().unwrap_or_default().to_owned(),
            date,
            body: body.to_string(),
        },
    )
}

fn save(c: &mut DbConnection, row: &mut TenderRow) -> Result<(), Error> {
    row.updated_at = now_micros();
    if store::save_tender(c, row)? {
        Ok(())
    } else {
        Err(Error::new(errors::CONCURRENT_CHANGE))
    }
}

// ------------------------------------------------------------------ publication

/// Publishes a draft: generates the opening key (shares sealed to the committee) and the
/// lottery seed's commitment.
pub fn publish(
    p: &Procurement,
    c: &mut DbConnection,
    id: &str,
    by: &str,
) -> Result<TenderRow, Error> {
    let mut row = store::tender(c, id)?.ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))?;
    if status_of(&row) != Status::Draft {
        return Err(illegal(&row, "publish"));
    }
    let members = list_of(&row.committee);
    let mut keyed = Vec::new();
    for m in &members {
        let key = store::committee_key(c, m)?.ok_or_else(|| {
            Error::with_detail(
                errors::COMMITTEE_KEY_MISSING,
                format!("committee member {m} has not registered an opening key"),
            )
        })?;
        keyed.push((m.clone(), key));
    }
    let k = u8::try_from(row.k).unwrap_or(u8::MAX);
    let keys = seal::generate(k, &keyed).map_err(|e| Error::internal(anyhow::anyhow!("{e}")))?;
    for s in &keys.shares {
        store::insert_share(
            c,
            &store::ShareRow {
                tender_id: row.id.clone(),
                member: s.member.clone(),
                sealed_share: s.sealed.clone(),
                share_digest: s.digest.clone(),
                share: None,
                submitted_at: None,
            },
        )?;
    }
    row.public_key = Some(keys.public_key);
    row.seed_commitment = Some(keys.seed_commitment);
    row.seed_sealed = Some(keys.seed_sealed);
    row.status = Status::Published.as_str().into();
    row.published_at = Some(now_micros());
    save(c, &mut row)?;
    event(
        c,
        &row.id,
        by,
        "publish",
        "draft",
        "published",
        None,
        json!({
            "deadline": row.deadline.and_utc(), "seed_commitment": row.seed_commitment,
        }),
    )?;
    release(p, c, &row.id, &["tender"])?;
    announce(
        p,
        c,
        "published",
        &row,
        json!({
            "ocid": row.ocid, "title": row.title, "agency": row.agency,
            "deadline": row.deadline.and_utc(),
        }),
    )?;
    Ok(row)
}

/// What an amendment may change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Changes {
    pub description: Option<String>,
    /// Only later than the current enquiry end.
    pub enquiry_end: Option<chrono::DateTime<Utc>>,
    /// Only later than the current deadline.
    pub deadline: Option<chrono::DateTime<Utc>>,
    /// Only later than the current opening time, and not before the deadline.
    pub opening_at: Option<chrono::DateTime<Utc>>,
}

/// Applies an amendment: numbered, published, deadlines only forward.
pub fn amend(
    p: &Procurement,
    c: &mut DbConnection,
    id: &str,
    by: &str,
    reason: &str,
    changes: &Changes,
) -> Result<TenderRow, Error> {
    let mut row = store::tender(c, id)?.ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))?;
    let status = status_of(&row);
    if !status.before_deadline() && status != Status::Suspended {
        return Err(illegal(&row, "amend"));
    }
    let mut diff = BTreeMap::new();
    if let Some(d) = &changes.description {
        diff.insert("description", json!({"from": row.description, "to": d}));
        row.description = d.clone();
    }
    let mut forward =
        |field: &'static str, cur: &mut NaiveDateTime, new: Option<chrono::DateTime<Utc>>| {
            if let Some(n) = new {
                let n = n.naive_utc();
                if n <= *cur {
                    return Err(Error::invalid_field(
                        format!("/changes/{field}"),
                        "a time can only move forward (later than the current one)",
                    ));
                }
                diff.insert(field, json!({"from": cur.and_utc(), "to": n.and_utc()}));
                *cur = n;
            }
            Ok(())
        };
    forward("enquiry_end", &mut row.enquiry_end, changes.enquiry_end)?;
    forward("deadline", &mut row.deadline, changes.deadline)?;
    forward("opening_at", &mut row.opening_at, changes.opening_at)?;
    if diff.is_empty() {
        return Err(Error::invalid_field("/changes", "nothing to change"));
    }
    if row.opening_at < row.deadline || row.enquiry_end > row.deadline {
        return Err(Error::invalid_field(
            "/changes",
            "enquiry end <= deadline <= opening time",
        ));
    }
    if diff.contains_key("deadline") {
        deadline_slot(p, c, &row)?;
    }
    row.amendment += 1;
    let number = row.amendment;
    save(c, &mut row)?;
    let changes = json!(diff);
    store::insert_amendment(
        c,
        &store::AmendmentRow {
            tender_id: row.id.clone(),
            number,
            at: now_micros(),
            actor: by.to_owned(),
            reason: reason.to_owned(),
            changes: changes.to_string(),
        },
    )?;
    event(
        c,
        &row.id,
        by,
        "amend",
        &row.status,
        &row.status,
        Some(reason),
        json!({"amendment": number, "changes": changes}),
    )?;
    release(p, c, &row.id, &["tenderAmendment"])?;
    Ok(row)
}

/// The pack's deadline slots: on the hour, at most `per_hour` deadlines in an hour.
pub fn deadline_slot(p: &Procurement, c: &mut DbConnection, row: &TenderRow) -> Result<(), Error> {
    let rules = p.rules()?;
    use chrono::Timelike as _;
    let d = row.deadline;
    if rules.deadlines.on_the_hour
        && !p.accelerated()
        && (d.minute() != 0 || d.second() != 0 || d.nanosecond() != 0)
    {
        return Err(Error::invalid_field(
            "/deadline",
            format!("deadlines are on the hour ({})", rules.deadlines.citation),
        ));
    }
    let hour = d.date().and_hms_opt(d.hour(), 0, 0).unwrap_or(d);
    let n = store::deadlines_between(c, hour, hour + chrono::Duration::hours(1), &row.id)?;
    if n >= i64::from(rules.deadlines.per_hour) {
        return Err(Error::with_detail(
            errors::DEADLINE_SLOT_FULL,
            format!(
                "{n} deadlines already fall in that hour (limit {}: {})",
                rules.deadlines.per_hour, rules.deadlines.citation
            ),
        ));
    }
    Ok(())
}

/// Cancels a tender with a reason.
pub fn cancel(
    p: &Procurement,
    c: &mut DbConnection,
    id: &str,
    by: &str,
    reason: &str,
) -> Result<TenderRow, Error> {
    let mut row = store::tender(c, id)?.ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))?;
    let from = row.status.clone();
    if !status_of(&row).cancellable() {
        return Err(illegal(&row, "cancel"));
    }
    row.status = Status::Cancelled.as_str().into();
    row.cancel_reason = Some(reason.to_owned());
    save(c, &mut row)?;
    store::set_awards_status(c, id, "pending", "cancelled")?;
    event(
        c,
        id,
        by,
        "cancel",
        &from,
        "cancelled",
        Some(reason),
        json!({}),
    )?;
    release(p, c, id, &["tenderCancellation"])?;
    Ok(row)
}

/// Postpones (no bids until resumed) or resumes with a later deadline.
pub fn postpone(
    p: &Procurement,
    c: &mut DbConnection,
    id: &str,
    by: &str,
    reason: &str,
) -> Result<TenderRow, Error> {
    let mut row = store::tender(c, id)?.ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))?;
    let from = status_of(&row);
    if !matches!(from, Status::Enquiry | Status::Tendering) {
        return Err(illegal(&row, "postpone"));
    }
    row.prev_status = Some(from.as_str().into());
    row.status = Status::Postponed.as_str().into();
    save(c, &mut row)?;
    event(
        c,
        id,
        by,
        "postpone",
        from.as_str(),
        "postponed",
        Some(reason),
        json!({}),
    )?;
    release(p, c, id, &["tenderUpdate"])?;
    Ok(row)
}

pub fn resume(
    p: &Procurement,
    c: &mut DbConnection,
    id: &str,
    by: &str,
    reason: &str,
    changes: &Changes,
) -> Result<TenderRow, Error> {
    let row = store::tender(c, id)?.ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))?;
    if status_of(&row) != Status::Postponed {
        return Err(illegal(&row, "resume"));
    }
    if changes.deadline.is_none() {
        return Err(Error::invalid_field(
            "/changes/deadline",
            "a resumed tender needs a new, later deadline",
        ));
    }
    let mut row = amend(p, c, id, by, reason, changes)?;
    let to = row.prev_status.take().unwrap_or_else(|| "tendering".into());
    row.status = to.clone();
    save(c, &mut row)?;
    event(
        c,
        id,
        by,
        "resume",
        "postponed",
        &to,
        Some(reason),
        json!({"deadline": row.deadline.and_utc()}),
    )?;
    release(p, c, id, &["tenderUpdate"])?;
    Ok(row)
}

// ------------------------------------------------------------------ time-driven transitions

/// The scheduler's step for one due tender; `Ok(false)` if another process did it first.
pub fn advance(p: &Procurement, c: &mut DbConnection, id: &str, from: &str) -> Result<bool, Error> {
    let now = now_micros();
    let to = match from {
        "published" => "enquiry",
        "enquiry" => "tendering",
        "tendering" => "deadline",
        "deadline" => "opening",
        "standstill" => "awarded",
        _ => return Ok(false),
    };
    // The conditional update takes the row: one process wins, the other sees 0 rows.
    let Some(row) = store::tender(c, id)? else {
        return Ok(false);
    };
    let due = match from {
        "published" => true,
        "enquiry" => row.enquiry_end <= now,
        "tendering" => row.deadline <= now,
        "deadline" => row.opening_at <= now,
        "standstill" => row.standstill_end.is_some_and(|e| e <= now),
        _ => false,
    };
    if !due || !store::claim(c, id, from, to, now)? {
        return Ok(false);
    }
    let mut row = store::tender(c, id)?.ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))?;
    match to {
        "deadline" => {
            // Bids in flight held the row shared; they are committed now. Count and commit.
            let active = store::count_active(c, id)?;
            row.bid_count = Some(i32::try_from(active.len()).unwrap_or(i32::MAX));
            row.commitments = Some(
                json!(
                    active
                        .iter()
                        .map(|(bid, digest)| json!({"bid_id": bid, "digest": digest}))
                        .collect::<Vec<_>>()
                )
                .to_string(),
            );
            save(c, &mut row)?;
            event(
                c,
                id,
                "scheduler",
                "deadline",
                from,
                to,
                None,
                json!({
                    "bid_count": row.bid_count, "deadline": row.deadline.and_utc(),
                }),
            )?;
            release(p, c, id, &["tenderUpdate"])?;
            announce(
                p,
                c,
                "deadline_passed",
                &row,
                json!({
                    "ocid": row.ocid, "bid_count": row.bid_count, "deadline": row.deadline.and_utc(),
                }),
            )?;
        }
        "awarded" => {
            store::set_awards_status(c, id, "pending", "active")?;
            for a in store::awards(c, id)?
                .into_iter()
                .filter(|a| a.status == "active")
            {
                create_contract(p, c, &row, &a)?;
            }
            event(
                c,
                id,
                "scheduler",
                "standstill_end",
                from,
                to,
                None,
                json!({}),
            )?;
            release(p, c, id, &["awardUpdate", "contract"])?;
            let awards: Vec<Value> = store::awards(c, id)?
                .iter()
                .filter(|a| a.status == "active")
                .map(|a| json!({"lot": a.lot_id, "supplier": a.supplier, "amount": a.amount}))
                .collect();
            announce(
                p,
                c,
                "awarded",
                &row,
                json!({"ocid": row.ocid, "awards": awards}),
            )?;
        }
        _ => {
            event(c, id, "scheduler", to, from, to, None, json!({}))?;
            release(p, c, id, &["tenderUpdate"])?;
        }
    }
    Ok(true)
}

// ------------------------------------------------------------------ bids

/// What a bid contains, sealed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sealed {
    pub tender: String,
    pub lot: String,
    pub supplier: String,
    pub price: String,
    #[serde(default)]
    pub reserve_picks: Vec<u8>,
    #[serde(default)]
    pub documents: Vec<Value>,
    pub nonce: String,
}

/// Accepts a sealed bid (inside the caller's transaction): the tender's row is held shared,
/// the receipt time is taken after that, and must be before the deadline.
#[allow(clippy::too_many_arguments)]
pub fn accept_bid(
    p: &Procurement,
    c: &mut DbConnection,
    tender: &TenderRow,
    lot: &str,
    supplier: &str,
    account: &str,
    sealed: &[u8],
    eligibility: &Value,
) -> Result<(BidRow, Value, String), Error> {
    let gate = store::gate(c, &tender.id)?.ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))?;
    let received_at = now_micros();
    if gate.status != "tendering" {
        return Err(Error::with_detail(
            errors::NOT_ACCEPTING_BIDS,
            format!("the tender is {}", gate.status),
        ));
    }
    if received_at >= gate.deadline {
        return Err(Error::with_detail(
            errors::NOT_ACCEPTING_BIDS,
            format!("the deadline {} has passed", gate.deadline.and_utc()),
        ));
    }
    let replaces = store::replace_active(c, &tender.id, supplier, lot)?;
    let id = uuid::Uuid::now_v7().to_string();
    let digest = egov_core::digest::sha256_hex(sealed);
    let receipt = json!({
        "bid_id": id,
        "tender_id": tender.id,
        "ocid": tender.ocid,
        "lot": lot,
        "supplier": supplier,
        "received_at": received_at.and_utc(),
        "digest": digest,
        "replaces": replaces,
    });
    let signature = p.sign(c, &receipt)?;
    let row = BidRow {
        id,
        tender_id: tender.id.clone(),
        lot_id: lot.to_owned(),
        supplier: supplier.to_owned(),
        account: account.to_owned(),
        status: "active".into(),
        sealed: seal::b64(sealed),
        digest,
        received_at,
        receipt: json!({"receipt": receipt, "signature": signature}).to_string(),
        eligibility: eligibility.to_string(),
        withdrawn_at: None,
        opened: None,
        price: None,
        rejection: None,
    };
    store::insert_bid(c, &row)?;
    Ok((row, receipt, signature))
}

/// Withdraws the supplier's active bid before the deadline.
pub fn withdraw_bid(
    c: &mut DbConnection,
    tender: &str,
    bid: &str,
    supplier: &str,
) -> Result<(), Error> {
    let gate = store::gate(c, tender)?.ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))?;
    let now = now_micros();
    let row = store::bid(c, bid)?
        .filter(|b| b.tender_id == tender && b.supplier == supplier)
        .ok_or_else(|| Error::new(errors::BID_NOT_FOUND))?;
    if gate.status != "tendering" || now >= gate.deadline {
        return Err(Error::with_detail(
            errors::NOT_ACCEPTING_BIDS,
            "bids can be withdrawn only before the deadline",
        ));
    }
    if !store::withdraw_bid(c, &row.id, now)? {
        return Err(Error::with_detail(
            errors::ILLEGAL_TRANSITION,
            format!("the bid is {}", row.status),
        ));
    }
    Ok(())
}

// ------------------------------------------------------------------ opening

/// A bid as published in the opening transcript.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OpenedBid {
    pub bid_id: String,
    pub lot: String,
    pub supplier: String,
    pub digest: String,
    pub received_at: chrono::DateTime<Utc>,
    pub price: Option<String>,
    pub reserve_picks: Vec<u8>,
    /// valid | rejected
    pub status: String,
    pub reasons: Vec<String>,
}

/// Opens the bids with the handed-in shares (exactly once: the first caller moves the tender
/// out of `opening`).
pub fn open(p: &Procurement, c: &mut DbConnection, id: &str, by: &str) -> Result<Value, Error> {
    let rules = p.rules()?;
    let row = store::tender(c, id)?.ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))?;
    if status_of(&row) != Status::Opening {
        return Err(illegal(&row, "open"));
    }
    let procedure = rules
        .procedure(&row.procedure_id)
        .ok_or_else(|| Error::new(errors::PROCEDURE_NOT_FOUND))?
        .clone();
    let shares = store::shares(c, id)?;
    let handed: Vec<&store::ShareRow> = shares.iter().filter(|s| s.share.is_some()).collect();
    if handed.len() < usize::try_from(row.k).unwrap_or(usize::MAX) {
        return Err(Error::with_detail(
            errors::NOT_ENOUGH_SHARES,
            format!(
                "{} of {} shares handed in; {} needed",
                handed.len(),
                row.n,
                row.k
            ),
        ));
    }
    let raw: Vec<Vec<u8>> = handed
        .iter()
        .filter_map(|s| s.share.as_deref().and_then(seal::unb64))
        .collect();
    let k = u8::try_from(row.k).unwrap_or(u8::MAX);
    let secret = seal::recover(k, &raw, row.public_key.as_deref().unwrap_or_default())
        .map_err(|e| Error::with_detail(errors::SHARE_REJECTED, e.to_string()))?;
    // Exactly once: from here on this transaction owns the opening.
    let now = now_micros();
    if !store::claim(c, id, "opening", "evaluation", now)? {
        return Err(Error::new(errors::CONCURRENT_CHANGE));
    }
    let seed = row
        .seed_sealed
        .as_deref()
        .and_then(seal::unb64)
        .and_then(|s| seal::open(&secret, &s).ok())
        .ok_or_else(|| Error::internal(anyhow::anyhow!("the lottery seed does not open")))?;
    if Some(lottery::commitment(&seed)) != row.seed_commitment {
        return Err(Error::internal(anyhow::anyhow!(
            "the lottery seed does not match its commitment"
        )));
    }
    let minor = u32::from(p.pack().currency.minor_units());
    let deadline_day = row.deadline.date();
    let lots = lots_of(&row);
    let debarred = store::debarred_on(c, deadline_day)?;
    let mut opened = Vec::new();
    let active = store::bids_with_status(c, id, &["active"])?;
    let mut results = Vec::with_capacity(active.len());
    for b in &active {
        let mut reasons = Vec::new();
        let content: Option<Sealed> = seal::unb64(&b.sealed)
            .filter(|bytes| egov_core::digest::sha256_hex(bytes) == b.digest)
            .and_then(|bytes| seal::open(&secret, &bytes).ok())
            .and_then(|plain| serde_json::from_slice(&plain).ok());
        let mut price = None;
        let mut picks = Vec::new();
        match &content {
            None => reasons
                .push("the sealed contents do not open or do not match the digest".to_string()),
            Some(s) => {
                if s.tender != row.id || s.lot != b.lot_id || s.supplier != b.supplier {
                    reasons.push("the sealed contents name another tender, lot or supplier".into());
                }
                match s.price.parse::<Decimal>() {
                    Ok(v) if v > Decimal::ZERO && v.scale() <= minor => price = Some(v),
                    _ => reasons.push(format!("the price {:?} is not a positive amount", s.price)),
                }
                picks = s.reserve_picks.clone();
                if let Some(l) = &procedure.lottery {
                    let mut sorted = picks.clone();
                    sorted.sort_unstable();
                    sorted.dedup();
                    if sorted.len() != usize::from(l.picks)
                        || sorted.iter().any(|&i| i >= l.reserve_prices)
                    {
                        reasons.push(format!(
                            "the reserve price picks must be {} distinct numbers from 0 to {}",
                            l.picks,
                            l.reserve_prices - 1
                        ));
                    }
                }
            }
        }
        let elig: Value = serde_json::from_str(&b.eligibility).unwrap_or(Value::Null);
        if elig["eligible"] != Value::Bool(true) {
            reasons.push("no eligibility evidence recorded with the bid".into());
        }
        let is_debarred = debarred.contains(&b.supplier);
        if is_debarred {
            reasons.push("the supplier was debarred on the deadline day".into());
        }
        let status = if reasons.is_empty() {
            "valid"
        } else {
            "rejected"
        };
        let opened_json = content
            .as_ref()
            .map(|s| serde_json::to_string(s).unwrap_or_default());
        results.push(store::Opened {
            id: b.id.clone(),
            status: status.into(),
            opened: opened_json.clone(),
            price: price.map(|v| v.to_string()),
            rejection: (!reasons.is_empty()).then(|| json!(reasons).to_string()),
        });
        opened.push(OpenedBid {
            bid_id: b.id.clone(),
            lot: b.lot_id.clone(),
            supplier: b.supplier.clone(),
            digest: b.digest.clone(),
            received_at: b.received_at.and_utc(),
            price: price.map(|v| v.to_string()),
            reserve_picks: picks,
            status: status.into(),
            reasons,
        });
    }
    store::set_opened_many(c, &results)?;
    let mut lot_results = Vec::new();
    let mut any_active = false;
    for lot in &lots {
        let valid: Vec<&OpenedBid> = opened
            .iter()
            .filter(|b| b.lot == lot.id && b.status == "valid")
            .collect();
        let draw = procedure.lottery.as_ref().and_then(|l| {
            lottery::to_minor(lot.base_amount, minor).map(|base| {
                let picks: Vec<Vec<u8>> = valid.iter().map(|b| b.reserve_picks.clone()).collect();
                lottery::draw(&seed, &lot.id, base, minor, l, &picks)
            })
        });
        let enough = u32::try_from(valid.len()).unwrap_or(u32::MAX) >= procedure.min_bids;
        any_active |= enough;
        lot_results.push(json!({
            "lot": lot.id,
            "valid_bids": valid.len(),
            "status": if enough { "active" } else { "unsuccessful" },
            "reason": (!enough).then(|| format!("{} valid bid(s); the procedure needs {}", valid.len(), procedure.min_bids)),
            "draw": draw,
        }));
    }
    let transcript = json!({
        "opened_at": now.and_utc(),
        "opened_by": by,
        "shares_from": handed.iter().map(|s| s.member.clone()).collect::<Vec<_>>(),
        "seed": hex::encode(&seed),
        "seed_commitment": row.seed_commitment,
        "lottery": procedure.lottery,
        "lots": lot_results,
        "bids": opened,
    });
    let mut row = store::tender(c, id)?.ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))?;
    row.opening = Some(transcript.to_string());
    let to = if any_active {
        Status::Evaluation
    } else {
        Status::Unsuccessful
    };
    row.status = to.as_str().into();
    save(c, &mut row)?;
    event(
        c,
        id,
        by,
        "open",
        "opening",
        to.as_str(),
        None,
        json!({
            "bids": opened.len(),
            "valid": opened.iter().filter(|b| b.status == "valid").count(),
            "shares_from": transcript["shares_from"],
        }),
    )?;
    release(p, c, id, &["tenderUpdate"])?;
    Ok(transcript)
}

// ------------------------------------------------------------------ evaluation and award

/// Records an evaluator's signed score for a valid bid.
pub fn score(
    p: &Procurement,
    c: &mut DbConnection,
    tender: &TenderRow,
    bid: &str,
    evaluator: &str,
    value: Decimal,
    comment: &str,
) -> Result<Value, Error> {
    let b = store::bid(c, bid)?
        .filter(|b| b.tender_id == tender.id && b.status == "valid")
        .ok_or_else(|| Error::new(errors::BID_NOT_FOUND))?;
    let at = now_micros();
    let record = json!({
        "tender_id": tender.id, "bid_id": b.id, "evaluator": evaluator,
        "score": value.to_string(), "comment": comment, "at": at.and_utc(),
    });
    let signature = p.sign(c, &record)?;
    let ok = store::insert_score(
        c,
        &store::ScoreRow {
            id: uuid::Uuid::now_v7().to_string(),
            tender_id: tender.id.clone(),
            bid_id: b.id.clone(),
            evaluator: evaluator.to_owned(),
            score: value.to_string(),
            comment: comment.to_owned(),
            at,
            signature: signature.clone(),
        },
    )?;
    if !ok {
        return Err(Error::new(errors::ALREADY_SCORED));
    }
    event(
        c,
        &tender.id,
        evaluator,
        "score",
        &tender.status,
        &tender.status,
        None,
        json!({"bid_id": b.id}),
    )?;
    Ok(json!({"record": record, "signature": signature}))
}

/// Computes the ranking of every lot (evaluation → award pending).
pub fn rank(
    p: &Procurement,
    c: &mut DbConnection,
    id: &str,
    by: &str,
) -> Result<Vec<Ranking>, Error> {
    let rules = p.rules()?;
    let mut row = store::tender(c, id)?.ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))?;
    if status_of(&row) != Status::Evaluation {
        return Err(illegal(&row, "rank"));
    }
    let procedure: &Procedure = rules
        .procedure(&row.procedure_id)
        .ok_or_else(|| Error::new(errors::PROCEDURE_NOT_FOUND))?;
    let valid = store::bids_with_status(c, id, &["valid"])?;
    let scores = store::scores(c, id)?;
    let evaluators = list_of(&row.evaluators);
    let mut missing = Vec::new();
    let mut means: HashMap<String, Decimal> = HashMap::new();
    if procedure.evaluation.needs_scores() {
        let mut by_bid: HashMap<&str, Vec<&store::ScoreRow>> = HashMap::new();
        for s in &scores {
            by_bid.entry(s.bid_id.as_str()).or_default().push(s);
        }
        for b in &valid {
            let given = by_bid
                .get(b.id.as_str())
                .map(Vec::as_slice)
                .unwrap_or_default();
            let mine: Vec<Decimal> = given.iter().filter_map(|s| s.score.parse().ok()).collect();
            for e in &evaluators {
                if !given.iter().any(|s| &s.evaluator == e) {
                    missing.push(format!("{e} has not scored bid {}", b.id));
                }
            }
            if !mine.is_empty() {
                let n = Decimal::from(mine.len() as u64);
                means.insert(
                    b.id.clone(),
                    (mine.iter().copied().sum::<Decimal>() / n)
                        .round_dp(4)
                        .normalize(),
                );
            }
        }
    }
    if !missing.is_empty() {
        missing.truncate(20);
        return Err(Error::with_detail(
            errors::SCORES_MISSING,
            missing.join("; "),
        ));
    }
    let transcript: Value = row
        .opening
        .as_deref()
        .and_then(|o| serde_json::from_str(o).ok())
        .unwrap_or(Value::Null);
    let mut rankings = Vec::new();
    for lot in lots_of(&row) {
        let lr = transcript["lots"]
            .as_array()
            .and_then(|a| a.iter().find(|l| l["lot"] == lot.id.as_str()))
            .cloned()
            .unwrap_or(Value::Null);
        if lr["status"] == "unsuccessful" {
            continue;
        }
        let estimated = lr["draw"]["estimated_price"]
            .as_str()
            .and_then(|s| s.parse().ok());
        let candidates: Vec<Candidate> = valid
            .iter()
            .filter(|b| b.lot_id == lot.id)
            .filter_map(|b| {
                Some(Candidate {
                    bid_id: b.id.clone(),
                    supplier: b.supplier.clone(),
                    price: b.price.as_deref()?.parse().ok()?,
                    received_at: b.received_at,
                    score: means.get(&b.id).copied(),
                })
            })
            .collect();
        rankings.push(evaluation::rank(
            &lot.id,
            procedure,
            estimated,
            lot.a_amount.unwrap_or_default(),
            &candidates,
        ));
    }
    let any = rankings.iter().any(|r| r.winner.is_some());
    row.ranking = Some(json!(rankings).to_string());
    let to = if any {
        Status::AwardPending
    } else {
        Status::Unsuccessful
    };
    row.status = to.as_str().into();
    save(c, &mut row)?;
    event(
        c,
        id,
        by,
        "rank",
        "evaluation",
        to.as_str(),
        None,
        json!({
            "winners": rankings.iter().map(|r| json!({"lot": r.lot, "bid": r.winner})).collect::<Vec<_>>(),
        }),
    )?;
    release(p, c, id, &["tenderUpdate"])?;
    Ok(rankings)
}

/// The award decision: the ranking's winners get pending awards; the standstill starts.
pub fn award(
    p: &Procurement,
    c: &mut DbConnection,
    id: &str,
    by: &str,
) -> Result<TenderRow, Error> {
    let rules = p.rules()?;
    let mut row = store::tender(c, id)?.ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))?;
    if status_of(&row) != Status::AwardPending {
        return Err(illegal(&row, "award"));
    }
    let procedure = rules
        .procedure(&row.procedure_id)
        .ok_or_else(|| Error::new(errors::PROCEDURE_NOT_FOUND))?;
    let rankings: Vec<Value> = row
        .ranking
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok())
        .unwrap_or_default();
    let now = now_micros();
    for r in &rankings {
        let Some(winner) = r["winner"].as_str() else {
            continue;
        };
        let b = store::bid(c, winner)?.ok_or_else(|| Error::new(errors::BID_NOT_FOUND))?;
        store::insert_award(
            c,
            &AwardRow {
                id: uuid::Uuid::now_v7().to_string(),
                tender_id: id.to_owned(),
                lot_id: b.lot_id.clone(),
                bid_id: b.id.clone(),
                supplier: b.supplier.clone(),
                amount: b.price.clone().unwrap_or_default(),
                status: "pending".into(),
                decided_at: now,
                decided_by: by.to_owned(),
            },
        )?;
    }
    row.status = Status::Standstill.as_str().into();
    row.standstill_end = Some(now + p.days(procedure.standstill_days));
    save(c, &mut row)?;
    event(
        c,
        id,
        by,
        "award",
        "award_pending",
        "standstill",
        None,
        json!({
            "standstill_end": row.standstill_end.map(|e| e.and_utc()),
        }),
    )?;
    release(p, c, id, &["award"])?;
    Ok(row)
}

fn create_contract(
    p: &Procurement,
    c: &mut DbConnection,
    tender: &TenderRow,
    a: &AwardRow,
) -> Result<(), Error> {
    let id = uuid::Uuid::now_v7().to_string();
    let lot = lots_of(tender).into_iter().find(|l| l.id == a.lot_id);
    let terms = json!({
        "title": format!("{} — {}", tender.title, lot.map(|l| l.title).unwrap_or_default()),
        "lot": a.lot_id,
        "supplier": a.supplier,
        "buyer": tender.agency,
        "amount": a.amount,
        "currency": p.pack().currency.code(),
        "award_id": a.id,
    });
    store::insert_contract(
        c,
        &ContractRow {
            id: id.clone(),
            tender_id: tender.id.clone(),
            award_id: a.id.clone(),
            supplier: a.supplier.clone(),
            status: "pending".into(),
            version: 1,
            created_at: now_micros(),
        },
    )?;
    store::insert_contract_version(
        c,
        &ContractVersionRow {
            contract_id: id,
            version: 1,
            digest: egov_core::digest::sha256_hex(
                egov_exchange::signature::canonical_json(&terms).as_bytes(),
            ),
            terms: terms.to_string(),
            reason: "award".into(),
            created_at: now_micros(),
            created_by: "scheduler".into(),
            buyer_by: None,
            buyer_at: None,
            buyer_signature: None,
            supplier_by: None,
            supplier_at: None,
            supplier_signature: None,
        },
    )
}

/// Which side signs a contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Buyer,
    Supplier,
}

/// Signs the contract's latest version for one party (a server-attested signature naming the
/// account); when both have signed, the version is in force.
pub fn sign_contract(
    p: &Procurement,
    c: &mut DbConnection,
    contract: &ContractRow,
    party: Party,
    account: &str,
) -> Result<Value, Error> {
    let versions = store::contract_versions(c, &contract.id)?;
    let mut v = versions
        .last()
        .cloned()
        .ok_or_else(|| Error::new(errors::CONTRACT_NOT_FOUND))?;
    let signed = match party {
        Party::Buyer => v.buyer_signature.is_some(),
        Party::Supplier => v.supplier_signature.is_some(),
    };
    if signed {
        return Err(Error::new(errors::ALREADY_SIGNED));
    }
    let at = now_micros();
    let statement = json!({
        "contract_id": contract.id, "version": v.version, "digest": v.digest,
        "party": if party == Party::Buyer { "buyer" } else { "supplier" },
        "account": account, "at": at.and_utc(),
    });
    let sig = json!({"statement": statement, "signature": p.sign(c, &statement)?}).to_string();
    match party {
        Party::Buyer => {
            v.buyer_by = Some(account.to_owned());
            v.buyer_at = Some(at);
            v.buyer_signature = Some(sig);
        }
        Party::Supplier => {
            v.supplier_by = Some(account.to_owned());
            v.supplier_at = Some(at);
            v.supplier_signature = Some(sig);
        }
    }
    store::save_contract_version(c, &v)?;
    let both = v.buyer_signature.is_some() && v.supplier_signature.is_some();
    if both {
        store::set_contract(c, &contract.id, "active", v.version)?;
        let tender = contract.tender_id.clone();
        let all = store::contracts(c, &tender)?;
        let all_active = all
            .iter()
            .all(|k| k.id == contract.id || k.status == "active");
        let tag = if v.version == 1 {
            "contractUpdate"
        } else {
            "contractAmendment"
        };
        if all_active && store::claim(c, &tender, "awarded", "contracted", at)? {
            event(
                c,
                &tender,
                account,
                "contract",
                "awarded",
                "contracted",
                None,
                json!({"contract_id": contract.id}),
            )?;
        } else {
            event(
                c,
                &tender,
                account,
                "contract_signed",
                "",
                "",
                None,
                json!({"contract_id": contract.id, "version": v.version}),
            )?;
        }
        release(p, c, &tender, &[tag])?;
    }
    Ok(json!({"version": v.version, "in_force": both}))
}

/// Proposes an amended version of an active contract (both parties sign it again).
pub fn amend_contract(
    c: &mut DbConnection,
    contract: &ContractRow,
    by: &str,
    changes: &Value,
    reason: &str,
) -> Result<i32, Error> {
    let versions = store::contract_versions(c, &contract.id)?;
    let last = versions
        .last()
        .ok_or_else(|| Error::new(errors::CONTRACT_NOT_FOUND))?;
    if last.buyer_signature.is_none() || last.supplier_signature.is_none() {
        return Err(Error::with_detail(
            errors::ILLEGAL_TRANSITION,
            "the latest version is not signed by both parties yet",
        ));
    }
    let mut terms: Value = serde_json::from_str(&last.terms).unwrap_or(json!({}));
    if let (Some(t), Some(ch)) = (terms.as_object_mut(), changes.as_object()) {
        for (k, v) in ch {
            t.insert(k.clone(), v.clone());
        }
    }
    let version = last.version + 1;
    store::insert_contract_version(
        c,
        &ContractVersionRow {
            contract_id: contract.id.clone(),
            version,
            digest: egov_core::digest::sha256_hex(
                egov_exchange::signature::canonical_json(&terms).as_bytes(),
            ),
            terms: terms.to_string(),
            reason: reason.to_owned(),
            created_at: now_micros(),
            created_by: by.to_owned(),
            buyer_by: None,
            buyer_at: None,
            buyer_signature: None,
            supplier_by: None,
            supplier_at: None,
            supplier_signature: None,
        },
    )?;
    event(
        c,
        &contract.tender_id,
        by,
        "contract_amendment",
        "",
        "",
        Some(reason),
        json!({"contract_id": contract.id, "version": version}),
    )?;
    Ok(version)
}

// ------------------------------------------------------------------ complaints

/// Files a complaint: against the terms before the deadline, or the award in the standstill.
/// The tender is suspended until every pending complaint is decided.
pub fn complain(
    p: &Procurement,
    c: &mut DbConnection,
    id: &str,
    supplier: &str,
    account: &str,
    against: &str,
    text: &str,
) -> Result<store::ComplaintRow, Error> {
    let rules = p.rules()?;
    let mut row = store::tender(c, id)?
        .filter(|r| status_of(r).public())
        .ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))?;
    let status = status_of(&row);
    let effective = if status == Status::Suspended {
        row.prev_status
            .as_deref()
            .and_then(Status::parse)
            .unwrap_or(status)
    } else {
        status
    };
    let ok = match against {
        "terms" => {
            effective.before_deadline()
                && (status == Status::Suspended || now_micros() < row.deadline)
        }
        "award" => effective == Status::Standstill,
        _ => false,
    };
    if !ok {
        return Err(Error::with_detail(
            errors::COMPLAINT_WINDOW,
            format!("the tender is {}", row.status),
        ));
    }
    let procedure = rules
        .procedure(&row.procedure_id)
        .ok_or_else(|| Error::new(errors::PROCEDURE_NOT_FOUND))?;
    let now = now_micros();
    let complaint = store::ComplaintRow {
        id: uuid::Uuid::now_v7().to_string(),
        tender_id: id.to_owned(),
        complainant: supplier.to_owned(),
        account: account.to_owned(),
        against: against.to_owned(),
        text: text.to_owned(),
        status: "pending".into(),
        filed_at: now,
        decide_by: now + p.days(procedure.complaint_decision_days),
        decided_at: None,
        decided_by: None,
        decision_reason: None,
        remedy: None,
    };
    store::insert_complaint(c, &complaint)?;
    if status != Status::Suspended {
        row.prev_status = Some(row.status.clone());
        row.status = Status::Suspended.as_str().into();
        row.suspended_at = Some(now);
        save(c, &mut row)?;
        event(
            c,
            id,
            account,
            "complaint",
            status.as_str(),
            "suspended",
            None,
            json!({"complaint_id": complaint.id, "against": against}),
        )?;
        release(p, c, id, &["tenderUpdate"])?;
    } else {
        event(
            c,
            id,
            account,
            "complaint",
            "suspended",
            "suspended",
            None,
            json!({"complaint_id": complaint.id, "against": against}),
        )?;
    }
    Ok(complaint)
}

/// The review body's decision. `remedy` for an upheld complaint: `cancel` (the tender),
/// `reevaluate` (award complaints: the award is cancelled and evaluation starts again) or
/// `amend` (terms complaints: the tender resumes and the buyer must amend it).
pub fn decide(
    p: &Procurement,
    c: &mut DbConnection,
    complaint: &store::ComplaintRow,
    by: &str,
    upheld: bool,
    reason: &str,
    remedy: Option<&str>,
) -> Result<TenderRow, Error> {
    let status = if upheld { "upheld" } else { "dismissed" };
    if !store::decide_complaint(c, &complaint.id, status, by, reason, remedy, now_micros())? {
        return Err(Error::with_detail(
            errors::ILLEGAL_TRANSITION,
            "the complaint is already decided or withdrawn",
        ));
    }
    let id = complaint.tender_id.clone();
    let mut row = store::tender(c, &id)?.ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))?;
    event(
        c,
        &id,
        by,
        "complaint_decision",
        &row.status,
        &row.status,
        Some(reason),
        json!({
            "complaint_id": complaint.id, "decision": status, "remedy": remedy,
        }),
    )?;
    let pending = store::complaints(c, &id)?
        .iter()
        .any(|k| k.status == "pending");
    if status_of(&row) != Status::Suspended || pending {
        return Ok(row);
    }
    let now = now_micros();
    let paused = now - row.suspended_at.unwrap_or(now);
    let prev = row.prev_status.take().unwrap_or_else(|| "tendering".into());
    row.suspended_at = None;
    let to = match (upheld, remedy) {
        (true, Some("cancel")) => {
            row.cancel_reason = Some(reason.to_owned());
            store::set_awards_status(c, &id, "pending", "cancelled")?;
            "cancelled".to_string()
        }
        (true, Some("reevaluate")) => {
            store::set_awards_status(c, &id, "pending", "cancelled")?;
            row.ranking = None;
            row.standstill_end = None;
            "evaluation".to_string()
        }
        _ => {
            // The time the tender stood still is given back.
            if Status::parse(&prev).is_some_and(Status::before_deadline) {
                if matches!(prev.as_str(), "published" | "enquiry") {
                    row.enquiry_end += paused;
                }
                row.deadline += paused;
                row.opening_at += paused;
            }
            if prev == "standstill" {
                row.standstill_end = row.standstill_end.map(|e| e + paused);
            }
            if Status::parse(&prev).is_some_and(Status::before_deadline) {
                // The deadline moves: a published amendment like any other.
                row.amendment += 1;
                store::insert_amendment(
                    c,
                    &store::AmendmentRow {
                        tender_id: id.clone(),
                        number: row.amendment,
                        at: now,
                        actor: by.to_owned(),
                        reason: format!(
                            "the tender was suspended {} s by complaint {}: the time is given back",
                            paused.num_seconds(),
                            complaint.id
                        ),
                        changes: json!({
                            "deadline": {"from": (row.deadline - paused).and_utc(), "to": row.deadline.and_utc()},
                            "opening_at": {"from": (row.opening_at - paused).and_utc(), "to": row.opening_at.and_utc()},
                        })
                        .to_string(),
                    },
                )?;
            }
            prev.clone()
        }
    };
    row.status = to.clone();
    save(c, &mut row)?;
    event(
        c,
        &id,
        by,
        "resume",
        "suspended",
        &to,
        Some(reason),
        json!({
            "suspended_for_seconds": paused.num_seconds(),
            "deadline": row.deadline.and_utc(),
            "standstill_end": row.standstill_end.map(|e| e.and_utc()),
        }),
    )?;
    let tag = match to.as_str() {
        "cancelled" => "tenderCancellation",
        "evaluation" => "awardCancellation",
        _ => "tenderUpdate",
    };
    release(p, c, &id, &[tag])?;
    Ok(row)
}

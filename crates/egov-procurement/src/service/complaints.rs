//! Complaints and the review body's decisions, with their remedies.

use super::*;

/// What a complaint may be filed against now: the `terms` before the deadline, the `award`
/// in the standstill (a suspended tender counts as the status it was suspended in).
pub fn open_to_complaint(row: &TenderRow, now: NaiveDateTime) -> Vec<&'static str> {
    let status = status_of(row);
    let effective = if status == Status::Suspended {
        row.prev_status
            .as_deref()
            .and_then(Status::parse)
            .unwrap_or(status)
    } else {
        status
    };
    let mut open = Vec::new();
    if effective.before_deadline() && (status == Status::Suspended || now < row.deadline) {
        open.push("terms");
    }
    if effective == Status::Standstill {
        open.push("award");
    }
    open
}

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
    let ok = open_to_complaint(&row, p.now()).contains(&against);
    if !ok {
        return Err(Error::with_detail(
            errors::COMPLAINT_WINDOW,
            format!("the tender is {}", row.status),
        ));
    }
    let procedure = rules
        .procedure(&row.procedure_id)
        .ok_or_else(|| Error::new(errors::PROCEDURE_NOT_FOUND))?;
    let now = p.now();
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
        save(p, c, &mut row)?;
        event(
            p,
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
            p,
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
    if !store::decide_complaint(c, &complaint.id, status, by, reason, remedy, p.now())? {
        return Err(Error::with_detail(
            errors::ILLEGAL_TRANSITION,
            "the complaint is already decided or withdrawn",
        ));
    }
    let id = complaint.tender_id.clone();
    let mut row = store::tender(c, &id)?.ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))?;
    event(
        p,
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
    if !status_of(&row).permits(Action::DecideComplaint) || pending {
        return Ok(row);
    }
    let now = p.now();
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
            // Scoring reopens: the scores are set aside (kept, signed) and every evaluator
            // scores again before a new ranking, so the outcome can change.
            store::set_awards_status(c, &id, "pending", "cancelled")?;
            let set_aside = store::supersede_scores(c, &id, &complaint.id, now)?;
            event(
                p,
                c,
                &id,
                by,
                "scores_reopened",
                "suspended",
                "suspended",
                Some(reason),
                json!({"complaint_id": complaint.id, "scores_set_aside": set_aside}),
            )?;
            row.ranking = None;
            row.standstill_end = None;
            "evaluation".to_string()
        }
        _ => {
            // The time the tender stood still is given back, to a deadline the slot rules
            // allow (on the hour, in an hour with room): the opening moves by as much.
            let before = (row.deadline, row.opening_at);
            if Status::parse(&prev).is_some_and(Status::before_deadline) {
                if matches!(prev.as_str(), "published" | "enquiry") {
                    row.enquiry_end += paused;
                }
                let deadline = super::free_slot(p, c, &row, row.deadline + paused)?;
                row.opening_at += deadline - row.deadline;
                row.deadline = deadline;
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
                            "deadline": {"from": before.0.and_utc(), "to": row.deadline.and_utc()},
                            "opening_at": {"from": before.1.and_utc(), "to": row.opening_at.and_utc()},
                        })
                        .to_string(),
                    },
                )?;
            }
            prev.clone()
        }
    };
    row.status = to.clone();
    save(p, c, &mut row)?;
    event(
        p,
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

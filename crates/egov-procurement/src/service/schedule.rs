//! Time-driven transitions (enquiry → tendering → closed), run by the scheduler.

use super::*;

/// The scheduler's step for one due tender; `Ok(false)` if another process did it first.
pub fn advance(p: &Procurement, c: &mut DbConnection, id: &str, from: &str) -> Result<bool, Error> {
    let now = p.now();
    let Some((_, to)) = Status::parse(from).and_then(Status::scheduled) else {
        return Ok(false);
    };
    let to = to.as_str();
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
            save(p, c, &mut row)?;
            event(
                p,
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
                p,
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
            event(p, c, id, "scheduler", to, from, to, None, json!({}))?;
            release(p, c, id, &["tenderUpdate"])?;
        }
    }
    Ok(true)
}

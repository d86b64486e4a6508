//! Publication, amendments, postponement, resumption and cancellation of tenders.

use super::*;

/// Publishes a draft: generates the opening key (shares sealed to the committee) and the
/// lottery seed's commitment.
pub fn publish(
    p: &Procurement,
    c: &mut DbConnection,
    id: &str,
    by: &str,
) -> Result<TenderRow, Error> {
    let mut row = store::tender(c, id)?.ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))?;
    if !status_of(&row).permits(Action::Publish) {
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
    row.published_at = Some(p.now());
    save(p, c, &mut row)?;
    event(
        p,
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
    if !status.permits(Action::Amend) {
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
    save(p, c, &mut row)?;
    let changes = json!(diff);
    store::insert_amendment(
        c,
        &store::AmendmentRow {
            tender_id: row.id.clone(),
            number,
            at: p.now(),
            actor: by.to_owned(),
            reason: reason.to_owned(),
            changes: changes.to_string(),
        },
    )?;
    event(
        p,
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

/// The first deadline at or after `at` that the pack's slot rules allow: on the hour where the
/// pack says so, in an hour that still has room (KONEPS: at most 1,500 deadlines an hour). Used
/// when time is given back after a complaint, so the moved deadline keeps the rules too.
pub fn free_slot(
    p: &Procurement,
    c: &mut DbConnection,
    row: &TenderRow,
    at: NaiveDateTime,
) -> Result<NaiveDateTime, Error> {
    use chrono::Timelike as _;
    let rules = p.rules()?;
    let mut candidate = rules.deadlines.earliest_slot(at, !p.accelerated());
    // Two weeks of hours is far beyond any real load; past that, say so rather than loop.
    for _ in 0..24 * 14 {
        let hour = candidate
            .date()
            .and_hms_opt(candidate.hour(), 0, 0)
            .unwrap_or(candidate);
        let n = store::deadlines_between(c, hour, hour + chrono::Duration::hours(1), &row.id)?;
        if n < i64::from(rules.deadlines.per_hour) {
            return Ok(candidate);
        }
        candidate = hour + chrono::Duration::hours(1);
    }
    Err(Error::with_detail(
        errors::DEADLINE_SLOT_FULL,
        format!(
            "no hour with room for another deadline in the two weeks after {} ({})",
            at.and_utc(),
            rules.deadlines.citation
        ),
    ))
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
    if !status_of(&row).permits(Action::Cancel) {
        return Err(illegal(&row, "cancel"));
    }
    row.status = Status::Cancelled.as_str().into();
    row.cancel_reason = Some(reason.to_owned());
    save(p, c, &mut row)?;
    store::set_awards_status(c, id, "pending", "cancelled")?;
    event(
        p,
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
    if !from.permits(Action::Postpone) {
        return Err(illegal(&row, "postpone"));
    }
    row.prev_status = Some(from.as_str().into());
    row.status = Status::Postponed.as_str().into();
    save(p, c, &mut row)?;
    event(
        p,
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
    if !status_of(&row).permits(Action::Resume) {
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
    save(p, c, &mut row)?;
    event(
        p,
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

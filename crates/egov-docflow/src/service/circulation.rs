//! Circulation, recorded reads, handover and retention dates.

use super::*;

/// Circulates a registered or received document (공람) to readers of the agency.
pub fn circulate(
    c: &mut DbConnection,
    d: &Docflow,
    account: &str,
    agency: &str,
    id: &str,
    readers: &[String],
    office: bool,
) -> Result<Vec<String>, Error> {
    let at = d.now();
    let doc = locked(c, id, agency)?;
    if !matches!(
        doc.status.as_str(),
        status::REGISTERED | status::DISPATCHED | status::RECEIVED
    ) {
        return Err(err(
            errors::ILLEGAL_STATE,
            "only a registered or received document is circulated",
        ));
    }
    if doc.drafter != account && !office {
        return Err(Error::new(errors::NOT_THE_DRAFTER));
    }
    let mut added = Vec::new();
    for r in readers {
        if store::add_circulation(
            c,
            &store::CirculationRow {
                id: new_id(),
                document_id: id.to_owned(),
                reader: r.clone(),
                added_by: account.to_owned(),
                added_at: at,
                due_at: doc.due_at,
                read_at: None,
                comment: None,
            },
        )? {
            added.push(r.clone());
        }
    }
    append(
        c,
        id,
        account,
        None,
        "circulated",
        json!({"readers": added}),
        at,
    )?;
    Ok(added)
}

/// Records a read of the document's content in its history — `what`: `document` (the
/// current version), `version-N`, `attachment-<sha256>`, `pdf` — and the first read of a
/// circulated reader. Reads of metadata, the line, signatures or history are not recorded.
pub fn record_read(
    c: &mut DbConnection,
    d: &Docflow,
    account: &str,
    id: &str,
    purpose: Option<&str>,
    what: &str,
) -> Result<bool, Error> {
    let at = d.now();
    if let DbConnection::Pg(_) = c {
        store::lock_document(c, id)?;
    }
    let first = store::mark_read(c, id, account, at)?;
    append(
        c,
        id,
        account,
        None,
        "read",
        json!({"what": what, "circulation_first_read": first, "purpose": purpose}),
        at,
    )?;
    Ok(first)
}

/// A person's move: who leaves, who takes over, why, and whether the successor takes the
/// positions too.
#[derive(Debug, Clone, Copy)]
pub struct Handover<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub reason: &'a str,
    pub take_positions: bool,
}

/// Moves a person's pending work to their successor in one step: their drafts, returned and
/// in-approval documents (as drafter), received documents they handle, and unread
/// circulations; their assignments end today and, with `take_positions`, the successor holds
/// the positions they left from today (so steps waiting on those positions, and drafts made
/// from them, pass too).
pub fn hand_over(
    c: &mut DbConnection,
    d: &Docflow,
    actor: &str,
    agency: &str,
    handover: &Handover<'_>,
) -> Result<super::HandedOver, Error> {
    let Handover {
        from,
        to,
        reason,
        take_positions,
    } = *handover;
    let at = d.now();
    let ended = store::end_assignments(c, from, at.date())?;
    if take_positions {
        let held = store::held_positions(c, to, at.date())?;
        for p in ended.iter().filter(|p| !held.contains(p)) {
            store::insert_assignment(
                c,
                &store::AssignmentRow {
                    id: new_id(),
                    agency: agency.to_owned(),
                    position_id: p.clone(),
                    account: to.to_owned(),
                    valid_from: at.date(),
                    valid_to: None,
                    created_at: at,
                },
            )?;
        }
    }
    let docs = store::hand_over_documents(
        c,
        agency,
        from,
        to,
        &[
            status::DRAFTING,
            status::RETURNED,
            status::IN_APPROVAL,
            status::RECEIVED,
        ],
    )?;
    let circ = store::hand_over_circulations(c, from, to)?;
    for d in docs.iter().chain(circ.iter()) {
        append(
            c,
            d,
            actor,
            None,
            "handed_over",
            json!({"from": from, "to": to, "reason": reason}),
            at,
        )?;
    }
    let change = super::OrgChange::Handover {
        from: from.to_owned(),
        to: to.to_owned(),
        reason: reason.to_owned(),
        positions_taken: take_positions,
        positions_left: ended.clone(),
        documents: docs.clone(),
        circulations: circ.clone(),
    };
    let recorded = super::record(c, agency, at, actor, change)?;
    Ok(super::HandedOver {
        org_version: recorded.org_version,
        documents: docs,
        circulations: circ,
        positions_left: ended,
    })
}

/// The date retention ends: 1 January of the year after completion, plus the class's years
/// (`None`: permanent).
pub fn retain_until(rules: &Rules, class: &str, completed: NaiveDateTime) -> Option<NaiveDate> {
    let years = rules.retention_class(class)?.years?;
    NaiveDate::from_ymd_opt(completed.year() + 1 + years as i32, 1, 1)
}

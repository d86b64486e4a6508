//! Returns, recall and changes to the line mid-flight.

use super::*;
use crate::domain::lifecycle::{self, Action};

/// Returns the document to the drafter (`to` none or 0) or to an earlier step.
#[allow(clippy::too_many_arguments)]
pub fn return_to(
    c: &mut DbConnection,
    d: &Docflow,
    account: &str,
    agency: &str,
    id: &str,
    to: Option<i32>,
    reason: &str,
    expected: i32,
) -> Result<DocumentRow, Error> {
    let at = d.now();
    let mut doc = locked(c, id, agency)?;
    if !lifecycle::permits(&doc.status, Action::ReturnTo) {
        return Err(err(
            errors::ILLEGAL_STATE,
            "only a document in approval can be returned",
        ));
    }
    let mut rows = store::steps(c, id)?;
    let (i, auth) = my_current_step(c, d, &rows, account, None, at)?;
    if expected != doc.version {
        return Err(Error::new(errors::VERSION_CHANGED));
    }
    let from_seq = rows[i].seq;
    let target = to.unwrap_or(0);
    if target != 0 {
        let ok = rows.iter().any(|s| {
            s.seq == target
                && s.seq < from_seq
                && StepKind::parse(&s.kind).is_some_and(|k| k.blocking() && k != StepKind::Draft)
        });
        if !ok {
            return Err(field(
                "/to_step",
                egov_core::text!(
                    "detail-docflow-to-step",
                    "an earlier step of the line (its seq), or 0 for the drafter"
                ),
            ));
        }
    }
    for s in rows.iter_mut() {
        let blocking = StepKind::parse(&s.kind).is_some_and(StepKind::blocking);
        if blocking && (target == 0 || s.seq >= target) {
            s.status = "pending".into();
            s.acted_by = None;
            s.mode = None;
            s.action = None;
            s.opinion = None;
            s.acted_at = None;
            store::save_step(c, s)?;
        }
    }
    if target == 0 {
        doc.status = status::RETURNED.into();
    } else {
        advance(c, &mut rows)?;
    }
    doc.updated_at = at;
    store::save_document(c, &doc)?;
    append(
        c,
        id,
        account,
        Some(&auth.position),
        "returned",
        json!({"from_seq": from_seq, "to_seq": target, "to": if target == 0 { "drafter" } else { "step" },
               "reason": reason, "mode": auth.mode, "round": doc.round}),
        at,
    )?;
    Ok(doc)
}

/// Recall by the drafter while no one after the draft has acted in this round.
pub fn recall(
    c: &mut DbConnection,
    d: &Docflow,
    account: &str,
    agency: &str,
    id: &str,
    reason: Option<&str>,
) -> Result<DocumentRow, Error> {
    let at = d.now();
    let mut doc = locked(c, id, agency)?;
    if doc.drafter != account {
        return Err(Error::new(errors::NOT_THE_DRAFTER));
    }
    if !lifecycle::permits(&doc.status, Action::Recall) {
        return Err(err(
            errors::ILLEGAL_STATE,
            "only a document in approval can be recalled",
        ));
    }
    let rows = store::steps(c, id)?;
    if rows
        .iter()
        .any(|s| s.kind != "draft" && s.acted_at.is_some())
    {
        return Err(Error::new(errors::RECALL_TOO_LATE));
    }
    for mut s in rows {
        s.status = "pending".into();
        s.acted_at = None;
        s.acted_by = None;
        s.action = None;
        s.mode = None;
        store::save_step(c, &s)?;
    }
    doc.status = status::DRAFTING.into();
    doc.updated_at = at;
    store::save_document(c, &doc)?;
    append(
        c,
        id,
        account,
        doc.drafter_position.as_deref(),
        "recalled",
        json!({"round": doc.round, "reason": reason}),
        at,
    )?;
    Ok(doc)
}

/// Who may change the line mid-flight: the drafter, or the holder (or stand-in) of a current
/// step. Returns the position acted from.
pub(super) fn line_changer(
    c: &mut DbConnection,
    d: &Docflow,
    doc: &DocumentRow,
    rows: &[StepRow],
    account: &str,
    at: NaiveDateTime,
) -> Result<Option<String>, Error> {
    if doc.drafter == account {
        return Ok(doc.drafter_position.clone());
    }
    Ok(Some(
        my_current_step(c, d, rows, account, None, at)?.1.position,
    ))
}

/// Inserts a review or cooperation step after `after_seq` mid-flight, with a reason.
#[allow(clippy::too_many_arguments)]
pub fn insert_step(
    c: &mut DbConnection,
    d: &Docflow,
    account: &str,
    agency: &str,
    id: &str,
    after_seq: i32,
    kind: StepKind,
    position: &str,
    reason: &str,
) -> Result<StepRow, Error> {
    let at = d.now();
    let doc = locked(c, id, agency)?;
    if !lifecycle::permits(&doc.status, Action::InsertStep) {
        return Err(err(
            errors::ILLEGAL_STATE,
            "steps are inserted while the document is in approval",
        ));
    }
    let mut rows = store::steps(c, id)?;
    let by = line_changer(c, d, &doc, &rows, account, at)?;
    if !matches!(kind, StepKind::Review | StepKind::Cooperation) {
        return Err(err(
            errors::INVALID_LINE,
            "only review and cooperation steps are inserted mid-flight",
        ));
    }
    store::position(c, position)?
        .filter(|p| p.agency == agency && p.valid_to.is_none_or(|t| t > at.date()))
        .ok_or_else(|| Error::new(errors::POSITION_NOT_FOUND))?;
    let seq =
        line::insert_at(&steps_of(&rows), after_seq).map_err(|m| err(errors::INVALID_LINE, m))?;
    for s in rows.iter_mut().rev() {
        if s.seq >= seq {
            s.seq += 1;
            store::save_step(c, s)?;
        }
    }
    let mut r = step_row(&doc, seq, 0, kind, position, account, at);
    r.reason = Some(reason.to_owned());
    store::insert_steps(c, std::slice::from_ref(&r))?;
    let mut rows = store::steps(c, id)?;
    advance(c, &mut rows)?;
    append(
        c,
        id,
        account,
        by.as_deref(),
        "step_inserted",
        json!({"step": r.id, "seq": seq, "kind": kind.as_str(), "position": position, "reason": reason}),
        at,
    )?;
    Ok(r)
}

/// Removes a pending review or cooperation step mid-flight, with a reason.
pub fn remove_step(
    c: &mut DbConnection,
    d: &Docflow,
    account: &str,
    agency: &str,
    id: &str,
    step: &str,
    reason: &str,
) -> Result<(), Error> {
    let at = d.now();
    let doc = locked(c, id, agency)?;
    if !lifecycle::permits(&doc.status, Action::RemoveStep) {
        return Err(err(
            errors::ILLEGAL_STATE,
            "steps are removed while the document is in approval",
        ));
    }
    let rows = store::steps(c, id)?;
    let by = line_changer(c, d, &doc, &rows, account, at)?;
    let i = rows
        .iter()
        .position(|s| s.id == step)
        .ok_or_else(|| Error::new(errors::STEP_NOT_FOUND))?;
    line::removable(&steps_of(&rows)[i]).map_err(|m| err(errors::INVALID_LINE, m))?;
    store::delete_step(c, step)?;
    append(
        c,
        id,
        account,
        by.as_deref(),
        "step_removed",
        json!({"step": step, "seq": rows[i].seq, "kind": rows[i].kind, "position": rows[i].position_id, "reason": reason}),
        at,
    )
}

//! Submission and the actions on a step (approve, 전결, 대결, cooperation), with final registration.

use super::*;
use crate::domain::lifecycle::{self, Action};

/// Signs and records an action on a step.
#[allow(clippy::too_many_arguments)]
pub(super) fn sign_step(
    c: &mut DbConnection,
    d: &Docflow,
    doc: &DocumentRow,
    step: &StepRow,
    action: &str,
    account: &str,
    auth: &Authority,
    opinion: Option<&str>,
    rule: &Value,
    at: NaiveDateTime,
) -> Result<Value, Error> {
    let v = store::version(c, &doc.id, doc.version)?
        .ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))?;
    let title = store::position(c, &auth.position)?
        .map(|p| p.title)
        .unwrap_or_default();
    let payload = json!({
        "document": doc.id, "round": doc.round, "step": step.id, "seq": step.seq,
        "kind": step.kind, "action": action, "mode": auth.mode, "actor": account,
        "position": auth.position, "position_title": title,
        "on_behalf_of": if auth.mode == "acting" { Value::String(step.position_id.clone()) } else { Value::Null },
        "chain": auth.chain, "version": doc.version, "digest": v.digest, "opinion": opinion,
        "rule": rule, "at": stamp(at),
    });
    let signature = d.sign(c, &payload)?;
    store::insert_signature(
        c,
        &store::SignatureRow {
            id: new_id(),
            document_id: doc.id.clone(),
            round: doc.round,
            payload: egov_exchange::signature::canonical_json(&payload),
            signature,
            at,
        },
    )?;
    Ok(payload)
}

/// Submits a draft or a returned document: the draft step is signed and the line starts.
pub fn submit(
    c: &mut DbConnection,
    d: &Docflow,
    account: &str,
    agency: &str,
    id: &str,
    expected: i32,
) -> Result<DocumentRow, Error> {
    let at = d.now();
    let mut doc = locked(c, id, agency)?;
    if doc.drafter != account {
        return Err(Error::new(errors::NOT_THE_DRAFTER));
    }
    if !lifecycle::permits(&doc.status, Action::Submit) {
        return Err(err(
            errors::ILLEGAL_STATE,
            format!("a {} document cannot be submitted", doc.status),
        ));
    }
    if expected != doc.version {
        return Err(Error::new(errors::VERSION_CHANGED));
    }
    let mut rows = store::steps(c, id)?;
    // The line is checked again under the rules in force today.
    let pos = doc.drafter_position.clone().unwrap_or_default();
    if !store::held_positions(c, account, at.date())?.contains(&pos) {
        return Err(err(
            errors::NO_POSITION,
            "you no longer hold the position you drafted from",
        ));
    }
    let line: Vec<LineStep> = rows
        .iter()
        .filter(|s| s.kind != "draft")
        .map(|s| LineStep {
            kind: StepKind::parse(&s.kind).unwrap_or(StepKind::Review),
            position: s.position_id.clone(),
            group: s.grp,
        })
        .collect();
    build_line(c, d, &doc, &pos, &line, account, at)?;
    doc.round += 1;
    doc.status = status::IN_APPROVAL.into();
    doc.updated_at = at;
    for s in rows.iter_mut() {
        s.status = if s.kind == "draft" { "done" } else { "pending" }.into();
        s.due_at = doc.due_at;
        if s.kind == "draft" {
            s.acted_by = Some(account.to_owned());
            s.mode = Some("self".into());
            s.action = Some("submit".into());
            s.acted_at = Some(at);
        } else {
            s.acted_by = None;
            s.mode = None;
            s.action = None;
            s.opinion = None;
            s.acted_at = None;
        }
        store::save_step(c, s)?;
    }
    store::save_document(c, &doc)?;
    let auth = Authority {
        mode: "self".into(),
        position: pos.clone(),
        chain: vec![],
    };
    let payload = sign_step(
        c,
        d,
        &doc,
        &rows[0],
        "submit",
        account,
        &auth,
        None,
        &Value::Null,
        at,
    )?;
    advance(c, &mut rows)?;
    append(
        c,
        id,
        account,
        Some(&pos),
        "submitted",
        json!({"round": doc.round, "version": doc.version, "digest": payload["digest"]}),
        at,
    )?;
    Ok(doc)
}

// ------------------------------------------------------------------ actions

/// An action on the current step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// Approve (review, cooperation: agree; final: approve), with or without an opinion.
    Approve,
    /// Cooperation: disagree with an opinion (recorded; the line goes on).
    Disagree,
    /// Post-hoc approval or post-report: confirm.
    Confirm,
    /// Post-hoc approval: object, with an opinion.
    Object,
}

impl Act {
    pub fn as_str(self) -> &'static str {
        match self {
            Act::Approve => "approve",
            Act::Disagree => "disagree",
            Act::Confirm => "confirm",
            Act::Object => "object",
        }
    }
}

/// What an action did.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = DocflowActionOutcome)]
pub struct Outcome {
    pub status: String,
    pub step: String,
    pub mode: String,
    pub registration_no: Option<String>,
    /// The signed record of the action.
    pub signature: Value,
}

/// Approves (or otherwise acts on) the caller's current step; on the last blocking step the
/// document is approved and registered in the same transaction.
#[allow(clippy::too_many_arguments)]
pub fn act(
    c: &mut DbConnection,
    d: &Docflow,
    account: &str,
    agency: &str,
    id: &str,
    step: Option<&str>,
    action: Act,
    opinion: Option<String>,
    expected: i32,
) -> Result<Outcome, Error> {
    let rules = d.rules()?;
    let at = d.now();
    let mut doc = locked(c, id, agency)?;
    let mut rows = store::steps(c, id)?;
    if !lifecycle::permits(&doc.status, Action::Act) {
        return Err(err(
            errors::ILLEGAL_STATE,
            format!("nothing to act on in a {} document", doc.status),
        ));
    }
    let (i, auth) = my_current_step(c, d, &rows, account, step, at)?;
    if expected != doc.version {
        return Err(Error::new(errors::VERSION_CHANGED));
    }
    let kind = StepKind::parse(&rows[i].kind).unwrap_or(StepKind::Review);
    let allowed = match kind {
        StepKind::Review | StepKind::Approve | StepKind::DelegatedApprove => action == Act::Approve,
        StepKind::Cooperation => matches!(action, Act::Approve | Act::Disagree),
        StepKind::PostApprove => matches!(action, Act::Confirm | Act::Object),
        StepKind::PostReport => action == Act::Confirm,
        _ => false,
    };
    if !allowed {
        return Err(err(
            errors::ILLEGAL_STATE,
            format!(
                "{} is not an action of a {} step",
                action.as_str(),
                kind.as_str()
            ),
        ));
    }
    // A post-report (사후보고) tells the absent approver what their stand-in decided: only
    // they confirm it, never the stand-in who acted.
    if kind == StepKind::PostReport && auth.mode != "self" {
        return Err(err(
            errors::NOT_YOUR_TURN,
            "a post-report is confirmed by the approver it reports to, not by a stand-in",
        ));
    }
    if matches!(action, Act::Disagree | Act::Object)
        && opinion.as_deref().is_none_or(|o| o.trim().is_empty())
    {
        return Err(field(
            "/opinion",
            egov_core::text!(
                "detail-docflow-opinion-required",
                "an opinion is required to disagree or object"
            ),
        ));
    }
    let rule = if kind.is_final() {
        let p = store::position(c, &rows[i].position_id)?
            .ok_or_else(|| Error::new(errors::POSITION_NOT_FOUND))?;
        final_authority(c, rules, &doc, kind, &p, at.date())?
    } else {
        Value::Null
    };
    let payload = sign_step(
        c,
        d,
        &doc,
        &rows[i],
        action.as_str(),
        account,
        &auth,
        opinion.as_deref(),
        &rule,
        at,
    )?;
    {
        let s = &mut rows[i];
        s.status = "done".into();
        s.acted_by = Some(account.to_owned());
        s.mode = Some(auth.mode.clone());
        s.action = Some(action.as_str().into());
        s.opinion = opinion.clone();
        s.acted_at = Some(at);
        store::save_step(c, s)?;
    }
    let label = match (kind, auth.mode.as_str()) {
        (StepKind::Approve | StepKind::DelegatedApprove, "acting") => "acting_approved",
        (StepKind::DelegatedApprove, _) => "delegated_approved",
        (StepKind::Approve, _) => "approved",
        (StepKind::Review, _) => "reviewed",
        (StepKind::Cooperation, _) if action == Act::Disagree => "cooperation_disagreed",
        (StepKind::Cooperation, _) => "cooperation_agreed",
        (StepKind::PostApprove, _) if action == Act::Object => "post_hoc_objected",
        (StepKind::PostApprove, _) => "post_hoc_confirmed",
        (StepKind::PostReport, _) => "post_report_confirmed",
        _ => action.as_str(),
    };
    append(
        c,
        id,
        account,
        Some(&auth.position),
        label,
        json!({
            "step": rows[i].id, "seq": rows[i].seq, "kind": kind.as_str(), "mode": auth.mode,
            "on_behalf_of": payload["on_behalf_of"], "chain": auth.chain, "opinion": opinion,
            "version": doc.version, "digest": payload["digest"], "rule": rule,
        }),
        at,
    )?;
    // 대결 of an important document: a post-report task for the absent position.
    let important = rules.doc_type(&doc.doc_type).is_some_and(|t| t.important);
    if kind.is_final() && auth.mode == "acting" && important {
        let seq = rows.iter().map(|s| s.seq).max().unwrap_or(0) + 1;
        let mut r = step_row(
            &doc,
            seq,
            0,
            StepKind::PostReport,
            &rows[i].position_id,
            "system",
            at,
        );
        r.status = "current".into();
        r.reason = Some("대결 of an important document: report to the absent approver".into());
        store::insert_steps(c, std::slice::from_ref(&r))?;
        append(
            c,
            id,
            "system",
            None,
            "post_report_created",
            json!({"step": r.id, "position": r.position_id}),
            at,
        )?;
        rows.push(r);
    }
    let mut registration_no = doc.registration_no.clone();
    if doc.status == status::IN_APPROVAL && advance(c, &mut rows)? {
        registration_no = Some(register(c, d, &mut doc, &mut rows, account, at)?);
    }
    doc.updated_at = at;
    store::save_document(c, &doc)?;
    Ok(Outcome {
        status: doc.status.clone(),
        step: rows[i].id.clone(),
        mode: auth.mode,
        registration_no,
        signature: payload,
    })
}

/// Final approval: the production registration number (gapless per unit and year), the
/// ledger entry, circulation to the line's readers and the post-hoc approval's turn.
pub(super) fn register(
    c: &mut DbConnection,
    d: &Docflow,
    doc: &mut DocumentRow,
    rows: &mut [StepRow],
    account: &str,
    at: NaiveDateTime,
) -> Result<String, Error> {
    let rules = d.rules()?;
    let local = at.and_utc().with_timezone(&d.pack().time_zone);
    let year = local.year();
    let unit = store::unit(c, &doc.unit_id)?.ok_or_else(|| Error::new(errors::UNIT_NOT_FOUND))?;
    let serial = store::next_serial(c, &unit.id, year, "production")?;
    let number = rules.registration_number(&unit.code, year, serial);
    let v = store::version(c, &doc.id, doc.version)?
        .ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))?;
    store::insert_ledger(
        c,
        &store::LedgerRow {
            unit_id: unit.id.clone(),
            year,
            kind: "production".into(),
            serial,
            registration_no: number.clone(),
            document_id: doc.id.clone(),
            title: v.title.clone(),
            at,
        },
    )?;
    doc.status = status::REGISTERED.into();
    doc.registration_no = Some(number.clone());
    doc.registered_at = Some(at);
    doc.completed_at = Some(at);
    append(
        c,
        &doc.id,
        account,
        None,
        "registered",
        json!({"registration_no": number, "unit": unit.id, "year": year, "serial": serial,
               "version": doc.version, "digest": v.digest}),
        at,
    )?;
    for s in rows.iter_mut() {
        match StepKind::parse(&s.kind) {
            Some(StepKind::Circulate) => {
                let readers = store::holders(c, &s.position_id, at.date())?;
                for r in &readers {
                    store::add_circulation(
                        c,
                        &store::CirculationRow {
                            id: new_id(),
                            document_id: doc.id.clone(),
                            reader: r.clone(),
                            added_by: account.to_owned(),
                            added_at: at,
                            due_at: doc.due_at,
                            read_at: None,
                            comment: None,
                        },
                    )?;
                }
                s.status = "done".into();
                s.acted_at = Some(at);
                s.action = Some("circulated".into());
                store::save_step(c, s)?;
                append(
                    c,
                    &doc.id,
                    "system",
                    None,
                    "circulated",
                    json!({"position": s.position_id, "readers": readers}),
                    at,
                )?;
            }
            Some(StepKind::PostApprove) => {
                s.status = "current".into();
                store::save_step(c, s)?;
            }
            _ => {}
        }
    }
    Ok(number)
}

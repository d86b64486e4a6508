//! Documents and their approval lines: every change runs in one transaction with its history
//! event (hash-chained), and every approval action is signed over the digest of the version
//! it approves.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};
use egov_core::{DbConnection, Error};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::domain::evidence::{self, Attachment};
use crate::domain::line::{self, StepKind, StepStatus};
use crate::domain::rules::{self, Delegation, Rules};
use crate::store::{self, DocumentRow, StepRow};
use crate::{Docflow, errors};

/// Document statuses.
pub mod status {
    pub const DRAFTING: &str = "drafting";
    pub const IN_APPROVAL: &str = "in_approval";
    pub const RETURNED: &str = "returned";
    pub const REGISTERED: &str = "registered";
    pub const DISPATCHED: &str = "dispatched";
    /// Delivered by another agency, waiting for the document office to receive it.
    pub const DELIVERED: &str = "delivered";
    pub const RECEIVED: &str = "received";
    pub const DISPOSED: &str = "disposed";
}

/// Now, to the microsecond (both databases keep it exactly).
pub fn now() -> NaiveDateTime {
    let t = Utc::now().naive_utc();
    t.with_nanosecond(t.nanosecond() / 1000 * 1000).unwrap_or(t)
}

/// The history's time format.
pub fn stamp(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn err(code: egov_core::ErrorCode, detail: impl Into<String>) -> Error {
    Error::with_detail(code, detail)
}

fn field(pointer: &str, detail: &str) -> Error {
    Error::validation(vec![egov_core::error::FieldError {
        pointer: pointer.into(),
        detail: detail.into(),
    }])
}

/// Appends an event to a document's history, linked to the one before.
pub fn append(
    c: &mut DbConnection,
    doc: &str,
    actor: &str,
    position: Option<&str>,
    action: &str,
    detail: Value,
    at: NaiveDateTime,
) -> Result<(), Error> {
    let (seq, prev) = match store::last_event(c, doc)? {
        Some((s, h)) => (s + 1, h),
        None => (1, evidence::GENESIS.to_owned()),
    };
    let at = stamp(at);
    let hash = evidence::event_hash(&prev, doc, seq, &at, actor, position, action, &detail);
    store::insert_event(
        c,
        &store::EventRow {
            document_id: doc.to_owned(),
            seq,
            at,
            actor: actor.to_owned(),
            position: position.map(str::to_owned),
            action: action.to_owned(),
            detail: egov_exchange::signature::canonical_json(&detail),
            prev_hash: prev,
            hash,
        },
    )
}

/// A history row as the evidence module reads it.
pub fn event_of(e: &store::EventRow) -> evidence::Event {
    evidence::Event {
        document: e.document_id.clone(),
        seq: e.seq,
        at: e.at.clone(),
        actor: e.actor.clone(),
        position: e.position.clone(),
        action: e.action.clone(),
        detail: serde_json::from_str(&e.detail).unwrap_or(Value::Null),
        prev_hash: e.prev_hash.clone(),
        hash: e.hash.clone(),
    }
}

// ------------------------------------------------------------------ authority

/// How someone may act on a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Authority {
    /// `self` (holds the position) or `acting` (대결: a stand-in for it).
    pub mode: String,
    /// The position acted from (the stand-in's, when acting).
    pub position: String,
    /// For an acting approval: the chain of positions from the absent one to the stand-in.
    pub chain: Vec<String>,
}

/// Whether `account` may act for `position` at `at`: holding it, or standing in for it through
/// a chain of at most `limit` stand-ins in force.
pub fn authority(
    c: &mut DbConnection,
    position: &str,
    account: &str,
    at: NaiveDateTime,
    limit: u32,
) -> Result<Option<Authority>, Error> {
    let held = store::held_positions(c, account, at.date())?;
    if held.iter().any(|p| p == position) {
        return Ok(Some(Authority {
            mode: "self".into(),
            position: position.to_owned(),
            chain: vec![],
        }));
    }
    // Breadth first over the stand-in edges in force.
    let mut frontier = vec![vec![position.to_owned()]];
    for _ in 0..limit {
        let mut next = Vec::new();
        for path in &frontier {
            let last = path.last().map(String::as_str).unwrap_or_default();
            for s in store::stand_ins_for(c, last, at)? {
                if path.contains(&s.stand_in_position_id) {
                    continue;
                }
                let mut p = path.clone();
                p.push(s.stand_in_position_id.clone());
                if held.contains(&s.stand_in_position_id) {
                    return Ok(Some(Authority {
                        mode: "acting".into(),
                        position: s.stand_in_position_id,
                        chain: p,
                    }));
                }
                next.push(p);
            }
        }
        frontier = next;
    }
    Ok(None)
}

/// The positions whose work `account` sees: those held, and those stood in for (up to the
/// chain limit).
pub fn work_positions(
    c: &mut DbConnection,
    account: &str,
    at: NaiveDateTime,
    limit: u32,
) -> Result<Vec<String>, Error> {
    let mut all = store::held_positions(c, account, at.date())?;
    let mut frontier = all.clone();
    for _ in 0..limit {
        if frontier.is_empty() {
            break;
        }
        let more: Vec<String> = store::stood_in_for(c, &frontier, at)?
            .into_iter()
            .filter(|p| !all.contains(p))
            .collect();
        all.extend(more.iter().cloned());
        frontier = more;
    }
    Ok(all)
}

// ------------------------------------------------------------------ delegation

/// The delegation table in force for an agency: its own rows if it has entered any for the
/// type, otherwise the pack's.
pub fn delegation_table(
    c: &mut DbConnection,
    rules: &Rules,
    agency: &str,
    doc_type: &str,
) -> Result<(Vec<Delegation>, &'static str), Error> {
    let own: Vec<Delegation> = store::delegations(c, agency)?
        .into_iter()
        .filter(|d| d.doc_type == doc_type)
        .map(|d| Delegation {
            doc_type: d.doc_type,
            max_amount: d.max_amount,
            rank: d.rank,
            effective_from: d.effective_from,
            effective_to: d.effective_to,
            citation: d.citation,
        })
        .collect();
    if own.is_empty() {
        Ok((rules.delegations.clone(), "pack"))
    } else {
        Ok((own, "agency"))
    }
}

/// Checks that `position` may take the final step of `kind` on `doc` on `day`; the rule
/// applied, for the signature record.
pub fn final_authority(
    c: &mut DbConnection,
    rules: &Rules,
    doc: &DocumentRow,
    kind: StepKind,
    position: &store::PositionRow,
    day: NaiveDate,
) -> Result<Value, Error> {
    match kind {
        StepKind::Approve => {
            if position.rank != 1 {
                return Err(err(
                    errors::NOT_DELEGATED,
                    format!(
                        "{} is not the head of the agency (rank 1): use delegated_approve under the delegation table",
                        position.title
                    ),
                ));
            }
            Ok(json!({"basis": "head of agency"}))
        }
        StepKind::DelegatedApprove => {
            let (table, source) = delegation_table(c, rules, &doc.agency, &doc.doc_type)?;
            let Some(rule) = rules::delegation_for(&table, &doc.doc_type, doc.amount, day) else {
                return Err(err(
                    errors::NOT_DELEGATED,
                    format!(
                        "no delegation of {} documents{} is in force on {day}: the head approves",
                        doc.doc_type,
                        doc.amount.map(|a| format!(" of {a}")).unwrap_or_default()
                    ),
                ));
            };
            if position.rank == 1 || position.rank > rule.rank {
                return Err(err(
                    errors::NOT_DELEGATED,
                    format!(
                        "on {day} the delegation table lets rank {} or above (not the head) approve finally; {} is rank {}",
                        rule.rank, position.title, position.rank
                    ),
                ));
            }
            Ok(json!({
                "basis": "delegation", "table": source, "doc_type": rule.doc_type,
                "max_amount": rule.max_amount, "rank": rule.rank,
                "effective_from": rule.effective_from, "effective_to": rule.effective_to,
                "citation": rule.citation,
            }))
        }
        _ => Ok(Value::Null),
    }
}

// ------------------------------------------------------------------ documents

/// A step of a line as the drafter gives it (the draft step is added).
#[derive(Debug, Clone)]
pub struct LineStep {
    pub kind: StepKind,
    pub position: String,
    pub group: i32,
}

/// A new document.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub position: String,
    pub doc_type: String,
    pub title: String,
    pub body: Value,
    pub attachments: Vec<(String, String, Vec<u8>)>,
    pub classification: String,
    pub disclosure: String,
    pub disclosure_ground: Option<String>,
    pub subjects: Vec<String>,
    pub amount: Option<i64>,
    pub due_at: Option<NaiveDateTime>,
    pub line: Vec<LineStep>,
}

/// Stores attachments and returns their descriptions.
pub fn put_attachments(
    c: &mut DbConnection,
    atts: &[(String, String, Vec<u8>)],
) -> Result<Vec<Attachment>, Error> {
    let mut out = Vec::new();
    for (name, media_type, bytes) in atts {
        let sha256 = egov_core::digest::sha256_hex(bytes);
        store::put_blob(c, &sha256, bytes)?;
        out.push(Attachment {
            name: name.clone(),
            media_type: media_type.clone(),
            size: bytes.len() as i64,
            sha256,
        });
    }
    Ok(out)
}

/// Checks a line against the organisation and the rules; the stored steps.
fn build_line(
    c: &mut DbConnection,
    d: &Docflow,
    doc: &DocumentRow,
    drafter_position: &str,
    line: &[LineStep],
    added_by: &str,
    at: NaiveDateTime,
) -> Result<Vec<StepRow>, Error> {
    let rules = d.rules()?;
    let mut kinds = vec![(StepKind::Draft, 0)];
    kinds.extend(line.iter().map(|s| (s.kind, s.group)));
    let mut problems: Vec<String> = line::check(&kinds, rules.post_hoc_approval)
        .into_iter()
        .map(|(i, m)| format!("line[{}]: {m}", i.saturating_sub(1)))
        .collect();
    let mut rows = vec![step_row(
        doc,
        0,
        0,
        StepKind::Draft,
        drafter_position,
        added_by,
        at,
    )];
    for (i, s) in line.iter().enumerate() {
        match store::position(c, &s.position)? {
            Some(p) if p.agency == doc.agency && p.valid_to.is_none_or(|t| t > at.date()) => {
                if s.kind.is_final()
                    && let Err(e) = final_authority(c, rules, doc, s.kind, &p, at.date())
                {
                    problems.push(format!(
                        "line[{i}]: {}",
                        e.problem().detail.unwrap_or_default()
                    ));
                }
            }
            _ => problems.push(format!(
                "line[{i}].position: no position {:?} of your agency in force",
                s.position
            )),
        }
        rows.push(step_row(
            doc,
            i as i32 + 1,
            s.group,
            s.kind,
            &s.position,
            added_by,
            at,
        ));
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(err(errors::INVALID_LINE, problems.join("; ")))
    }
}

fn step_row(
    doc: &DocumentRow,
    seq: i32,
    group: i32,
    kind: StepKind,
    position: &str,
    added_by: &str,
    _at: NaiveDateTime,
) -> StepRow {
    StepRow {
        id: new_id(),
        document_id: doc.id.clone(),
        seq,
        grp: group,
        kind: kind.as_str().into(),
        position_id: position.to_owned(),
        status: StepStatus::Pending.as_str().into(),
        due_at: doc.due_at,
        acted_by: None,
        mode: None,
        action: None,
        opinion: None,
        acted_at: None,
        added_by: added_by.to_owned(),
        reason: None,
    }
}

/// The due date when none is given: the pack's handling days on its working calendar.
pub fn default_due(d: &Docflow, at: NaiveDateTime) -> NaiveDateTime {
    let days = d.rules().map(|r| r.default_handling_days).unwrap_or(7);
    let day = d
        .pack()
        .calendar
        .add_working_days(at.date(), days)
        .unwrap_or(at.date() + chrono::Duration::days(i64::from(days)));
    day.and_hms_opt(23, 59, 59).unwrap_or(at)
}

/// Creates a draft (version 1) with its line.
pub fn create(
    c: &mut DbConnection,
    d: &Docflow,
    account: &str,
    agency: &str,
    input: NewDocument,
) -> Result<DocumentRow, Error> {
    let rules = d.rules()?;
    let at = now();
    let position = store::position(c, &input.position)?
        .filter(|p| p.agency == agency)
        .ok_or_else(|| Error::new(errors::POSITION_NOT_FOUND))?;
    if !store::held_positions(c, account, at.date())?.contains(&position.id) {
        return Err(err(
            errors::NO_POSITION,
            "you do not hold the position you draft from",
        ));
    }
    let retention = rules
        .doc_type(&input.doc_type)
        .map(|t| t.retention.clone())
        .unwrap_or_default();
    let attachments = put_attachments(c, &input.attachments)?;
    let digest = evidence::version_digest(&input.title, &input.body, &attachments);
    let doc = DocumentRow {
        id: new_id(),
        agency: agency.to_owned(),
        unit_id: position.unit_id.clone(),
        origin: "produced".into(),
        drafter: account.to_owned(),
        drafter_position: Some(position.id.clone()),
        doc_type: input.doc_type.clone(),
        classification: input.classification.clone(),
        disclosure: input.disclosure.clone(),
        disclosure_ground: input.disclosure_ground.clone(),
        personal_data: !input.subjects.is_empty(),
        subjects: serde_json::to_string(&input.subjects).unwrap_or_else(|_| "[]".into()),
        amount: input.amount,
        status: status::DRAFTING.into(),
        version: 1,
        round: 0,
        due_at: input.due_at.unwrap_or_else(|| default_due(d, at)),
        registration_no: None,
        registered_at: None,
        sender: None,
        retention,
        file_id: None,
        completed_at: None,
        disposed_at: None,
        created_at: at,
        updated_at: at,
    };
    store::insert_document(c, &doc)?;
    let steps = build_line(c, d, &doc, &position.id, &input.line, account, at)?;
    store::insert_steps(c, &steps)?;
    store::insert_version(
        c,
        &store::VersionRow {
            document_id: doc.id.clone(),
            version: 1,
            title: input.title.clone(),
            body: Some(input.body.to_string()),
            attachments: serde_json::to_string(&attachments).unwrap_or_default(),
            digest: digest.clone(),
            author: account.to_owned(),
            reason: None,
            created_at: at,
        },
    )?;
    append(
        c,
        &doc.id,
        account,
        Some(&position.id),
        "created",
        json!({
            "version": 1, "digest": digest, "doc_type": doc.doc_type,
            "classification": doc.classification, "disclosure": doc.disclosure,
            "disclosure_ground": doc.disclosure_ground, "personal_data": doc.personal_data,
            "line": line_json(&steps),
        }),
        at,
    )?;
    Ok(doc)
}

fn line_json(steps: &[StepRow]) -> Value {
    Value::Array(
        steps
            .iter()
            .map(|s| json!({"seq": s.seq, "group": s.grp, "kind": s.kind, "position": s.position_id}))
            .collect(),
    )
}

/// The document, locked, or 404.
pub fn locked(c: &mut DbConnection, id: &str, agency: &str) -> Result<DocumentRow, Error> {
    store::lock_document(c, id)?
        .filter(|d| d.agency == agency)
        .ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))
}

fn steps_of(rows: &[StepRow]) -> Vec<line::Step> {
    rows.iter()
        .map(|s| line::Step {
            seq: s.seq,
            group: s.grp,
            kind: StepKind::parse(&s.kind).unwrap_or(StepKind::Review),
            status: StepStatus::parse(&s.status).unwrap_or(StepStatus::Pending),
        })
        .collect()
}

/// The current step `account` may act on (a specific one when `step` is given).
fn my_current_step(
    c: &mut DbConnection,
    d: &Docflow,
    rows: &[StepRow],
    account: &str,
    step: Option<&str>,
    at: NaiveDateTime,
) -> Result<(usize, Authority), Error> {
    let limit = d.rules()?.acting_chain_limit;
    for (i, s) in rows.iter().enumerate() {
        if s.status != "current" || step.is_some_and(|id| id != s.id) {
            continue;
        }
        if let Some(a) = authority(c, &s.position_id, account, at, limit)? {
            return Ok((i, a));
        }
    }
    Err(Error::new(errors::NOT_YOUR_TURN))
}

/// Sets the current steps from the line's state; true when no blocking step is left.
fn advance(c: &mut DbConnection, rows: &mut [StepRow]) -> Result<bool, Error> {
    let cur = line::current(&steps_of(rows));
    for (i, s) in rows.iter_mut().enumerate() {
        let kind = StepKind::parse(&s.kind).unwrap_or(StepKind::Review);
        if !kind.blocking() {
            continue;
        }
        let want = if s.status == "done" {
            "done"
        } else if cur.contains(&i) {
            "current"
        } else {
            "pending"
        };
        if s.status != want {
            s.status = want.into();
            store::save_step(c, s)?;
        }
    }
    Ok(cur.is_empty())
}

/// Edits a document: a new version (drafter while drafting or returned; a current approver
/// while in approval). The diff is kept in the history.
#[allow(clippy::too_many_arguments)]
pub fn edit(
    c: &mut DbConnection,
    d: &Docflow,
    account: &str,
    agency: &str,
    id: &str,
    expected: i32,
    title: String,
    body: Value,
    attachments: Option<Vec<(String, String, Vec<u8>)>>,
    reason: Option<String>,
) -> Result<DocumentRow, Error> {
    let at = now();
    let mut doc = locked(c, id, agency)?;
    let rows = store::steps(c, id)?;
    let position = match doc.status.as_str() {
        status::DRAFTING | status::RETURNED => {
            if doc.drafter != account {
                return Err(Error::new(errors::NOT_THE_DRAFTER));
            }
            doc.drafter_position.clone()
        }
        status::IN_APPROVAL => Some(my_current_step(c, d, &rows, account, None, at)?.1.position),
        _ => {
            return Err(err(
                errors::ILLEGAL_STATE,
                format!("a {} document cannot be edited", doc.status),
            ));
        }
    };
    if expected != doc.version {
        return Err(Error::new(errors::VERSION_CHANGED));
    }
    let old = store::version(c, id, doc.version)?
        .ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))?;
    let atts = match attachments {
        Some(a) => put_attachments(c, &a)?,
        None => serde_json::from_str(&old.attachments).unwrap_or_default(),
    };
    let digest = evidence::version_digest(&title, &body, &atts);
    let old_body: Value = old
        .body
        .as_deref()
        .and_then(|b| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null);
    let diff = similar::TextDiff::from_lines(
        &serde_json::to_string_pretty(&old_body).unwrap_or_default(),
        &serde_json::to_string_pretty(&body).unwrap_or_default(),
    )
    .unified_diff()
    .context_radius(1)
    .to_string();
    doc.version += 1;
    doc.updated_at = at;
    store::insert_version(
        c,
        &store::VersionRow {
            document_id: id.to_owned(),
            version: doc.version,
            title: title.clone(),
            body: Some(body.to_string()),
            attachments: serde_json::to_string(&atts).unwrap_or_default(),
            digest: digest.clone(),
            author: account.to_owned(),
            reason: reason.clone(),
            created_at: at,
        },
    )?;
    store::save_document(c, &doc)?;
    append(
        c,
        id,
        account,
        position.as_deref(),
        "edited",
        json!({
            "from_version": doc.version - 1, "version": doc.version, "digest": digest,
            "title_changed": title != old.title, "attachments_changed": old.attachments != serde_json::to_string(&atts).unwrap_or_default(),
            "diff": diff, "reason": reason,
        }),
        at,
    )?;
    Ok(doc)
}

/// Replaces the line of a draft or a returned document.
pub fn set_line(
    c: &mut DbConnection,
    d: &Docflow,
    account: &str,
    agency: &str,
    id: &str,
    line: Vec<LineStep>,
) -> Result<(), Error> {
    let at = now();
    let doc = locked(c, id, agency)?;
    if doc.drafter != account {
        return Err(Error::new(errors::NOT_THE_DRAFTER));
    }
    if doc.status != status::DRAFTING && doc.status != status::RETURNED {
        return Err(err(
            errors::ILLEGAL_STATE,
            "the line can be replaced only before submission or after a return",
        ));
    }
    let pos = doc.drafter_position.clone().unwrap_or_default();
    let rows = build_line(c, d, &doc, &pos, &line, account, at)?;
    store::delete_steps(c, id)?;
    store::insert_steps(c, &rows)?;
    append(
        c,
        id,
        account,
        Some(&pos),
        "line_set",
        json!({"line": line_json(&rows)}),
        at,
    )
}

/// Signs and records an action on a step.
#[allow(clippy::too_many_arguments)]
fn sign_step(
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
    let at = now();
    let mut doc = locked(c, id, agency)?;
    if doc.drafter != account {
        return Err(Error::new(errors::NOT_THE_DRAFTER));
    }
    if doc.status != status::DRAFTING && doc.status != status::RETURNED {
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
    let at = now();
    let mut doc = locked(c, id, agency)?;
    let mut rows = store::steps(c, id)?;
    if doc.status != status::IN_APPROVAL
        && doc.status != status::REGISTERED
        && doc.status != status::DISPATCHED
    {
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
    if matches!(action, Act::Disagree | Act::Object)
        && opinion.as_deref().is_none_or(|o| o.trim().is_empty())
    {
        return Err(field(
            "/opinion",
            "an opinion is required to disagree or object",
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
fn register(
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

#[allow(clippy::too_many_arguments)]
/// Returns the document to the drafter (`to` none or 0) or to an earlier step.
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
    let at = now();
    let mut doc = locked(c, id, agency)?;
    if doc.status != status::IN_APPROVAL {
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
                "an earlier step of the line (its seq), or 0 for the drafter",
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
    account: &str,
    agency: &str,
    id: &str,
    reason: Option<&str>,
) -> Result<DocumentRow, Error> {
    let at = now();
    let mut doc = locked(c, id, agency)?;
    if doc.drafter != account {
        return Err(Error::new(errors::NOT_THE_DRAFTER));
    }
    if doc.status != status::IN_APPROVAL {
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
fn line_changer(
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
    let at = now();
    let doc = locked(c, id, agency)?;
    if doc.status != status::IN_APPROVAL {
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
    let at = now();
    let doc = locked(c, id, agency)?;
    if doc.status != status::IN_APPROVAL {
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

/// Circulates a registered or received document (공람) to readers of the agency.
pub fn circulate(
    c: &mut DbConnection,
    account: &str,
    agency: &str,
    id: &str,
    readers: &[String],
    office: bool,
) -> Result<Vec<String>, Error> {
    let at = now();
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

/// Records a read of the document in its history (and the first read of a circulated
/// reader).
pub fn record_read(
    c: &mut DbConnection,
    account: &str,
    id: &str,
    purpose: Option<&str>,
) -> Result<bool, Error> {
    let at = now();
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
        json!({"circulation_first_read": first, "purpose": purpose}),
        at,
    )?;
    Ok(first)
}

/// Moves a person's pending work to their successor in one step: their drafts, returned and
/// in-approval documents (as drafter), received documents they handle, and unread
/// circulations; their assignments end today and, with `take_positions`, the successor holds
/// the positions they left from today (so steps waiting on those positions, and drafts made
/// from them, pass too).
pub fn handover(
    c: &mut DbConnection,
    actor: &str,
    agency: &str,
    from: &str,
    to: &str,
    reason: &str,
    take_positions: bool,
) -> Result<Value, Error> {
    let at = now();
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
    let change = json!({"change": "handover", "from": from, "to": to, "reason": reason, "positions_taken": take_positions,
                        "positions_left": ended, "documents": docs, "circulations": circ});
    let version = store::org_change(c, agency, at, actor, &change.to_string())?;
    Ok(
        json!({"org_version": version, "documents": docs, "circulations": circ, "positions_left": ended}),
    )
}

/// The date retention ends: 1 January of the year after completion, plus the class's years
/// (`None`: permanent).
pub fn retain_until(rules: &Rules, class: &str, completed: NaiveDateTime) -> Option<NaiveDate> {
    let years = rules.retention_class(class)?.years?;
    NaiveDate::from_ymd_opt(completed.year() + 1 + years as i32, 1, 1)
}

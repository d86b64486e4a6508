//! Drafting and editing documents and their approval lines.

use super::*;
use crate::domain::lifecycle::{self, Action};

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
pub(super) fn build_line(
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

pub(super) fn step_row(
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

/// The due date when none is given: the end of the day the pack's handling days lead to on
/// its working calendar, in the pack's time zone (kept in UTC).
pub fn default_due(d: &Docflow, at: NaiveDateTime) -> NaiveDateTime {
    use chrono::TimeZone;
    let days = d.rules().map(|r| r.default_handling_days).unwrap_or(7);
    let tz = d.pack().time_zone;
    let today = tz.from_utc_datetime(&at).date_naive();
    let day = d
        .pack()
        .calendar
        .add_working_days(today, days)
        .unwrap_or(today + chrono::Duration::days(i64::from(days)));
    let end = day.and_hms_opt(23, 59, 59).unwrap_or(at);
    tz.from_local_datetime(&end)
        .earliest()
        .map_or(at, |t| t.naive_utc())
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
    let at = d.now();
    let position = store::position(c, &input.position)?
        .filter(|p| p.agency == agency)
        .ok_or_else(|| Error::new(errors::POSITION_NOT_FOUND))?;
    if !store::held_positions(c, account, at.date())?.contains(&position.id) {
        return Err(err(
            errors::NO_POSITION,
            "you do not hold the position you draft from",
        ));
    }
    if input.amount.is_none()
        && input
            .line
            .iter()
            .any(|s| s.kind == StepKind::DelegatedApprove)
    {
        let (table, _) = super::authority::delegation_table(c, rules, agency, &input.doc_type)?;
        if crate::domain::rules::amount_required(&table, &input.doc_type, at.date()) {
            return Err(Error::invalid_field(
                "/amount",
                egov_core::text!(
                    "detail-docflow-amount-required",
                    "the delegation table of this document type depends on the amount: state it (minor units)"
                ),
            ));
        }
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

pub(super) fn line_json(steps: &[StepRow]) -> Value {
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

pub(super) fn steps_of(rows: &[StepRow]) -> Vec<line::Step> {
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
pub(super) fn my_current_step(
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
pub(super) fn advance(c: &mut DbConnection, rows: &mut [StepRow]) -> Result<bool, Error> {
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

/// What an edit does to the attachments: (name, media type, content) of each new one.
#[derive(Debug)]
pub enum AttachmentChange {
    Keep,
    Replace(Vec<(String, String, Vec<u8>)>),
    Add(Vec<(String, String, Vec<u8>)>),
}

/// Adds attachments to a document: a new version with the same title and text.
#[allow(clippy::too_many_arguments)]
pub fn add_attachments(
    c: &mut DbConnection,
    d: &Docflow,
    account: &str,
    agency: &str,
    id: &str,
    expected: i32,
    attachments: Vec<(String, String, Vec<u8>)>,
    reason: Option<String>,
) -> Result<DocumentRow, Error> {
    let doc = locked(c, id, agency)?;
    let old = store::version(c, id, doc.version)?
        .ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))?;
    let body: Value = old
        .body
        .as_deref()
        .and_then(|b| serde_json::from_str(b).ok())
        .unwrap_or_else(|| Value::Object(serde_json::Map::new()));
    edit(
        c,
        d,
        account,
        agency,
        id,
        expected,
        old.title,
        body,
        AttachmentChange::Add(attachments),
        reason,
    )
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
    attachments: AttachmentChange,
    reason: Option<String>,
) -> Result<DocumentRow, Error> {
    let at = d.now();
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
    let kept = || -> Vec<Attachment> { serde_json::from_str(&old.attachments).unwrap_or_default() };
    let atts = match attachments {
        AttachmentChange::Replace(a) => put_attachments(c, &a)?,
        AttachmentChange::Keep => kept(),
        AttachmentChange::Add(a) => {
            let mut all = kept();
            all.extend(put_attachments(c, &a)?);
            if all.len() > 50 {
                return Err(Error::invalid_field(
                    "/attachments",
                    egov_core::text!("detail-docflow-at-most-50", "at most 50"),
                ));
            }
            all
        }
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
    let at = d.now();
    let doc = locked(c, id, agency)?;
    if doc.drafter != account {
        return Err(Error::new(errors::NOT_THE_DRAFTER));
    }
    if !lifecycle::permits(&doc.status, Action::SetLine) {
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

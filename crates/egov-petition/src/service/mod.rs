//! Applications and their transitions. Every change goes through [`transition`]: the
//! lifecycle decides whether it is allowed, the case is saved only if nobody changed it
//! meanwhile (version), and the event and the applicant's notification are written in the
//! same transaction. A refused change writes nothing.

pub mod applications;
pub mod cases;
pub mod delegations;
pub mod documents;
pub mod reports;
pub mod uploads;
pub mod views;
pub mod worklist;

use chrono::{Datelike, NaiveDateTime};
use egov_core::{DbConnection, Error};
use serde_json::{Map, Value, json};

use crate::domain::catalogue::{PetitionKind, Service, TransferClock};
use crate::domain::lifecycle::{self, Action, Actor, Facts, Status};
use crate::store::{self, CaseRow, EventRow};
use crate::{Petition, errors};
use egov_core::outbox::Notification;

/// Who acts on a case.
#[derive(Debug, Clone)]
pub struct By {
    pub account: String,
    pub role: Actor,
    /// Where the request came from (for access-log records written on the way).
    pub source_ip: Option<String>,
}

pub fn status_of(row: &CaseRow) -> Status {
    Status::parse(&row.status).unwrap_or(Status::Draft)
}

pub fn kind_str(k: PetitionKind) -> &'static str {
    match k {
        PetitionKind::Statutory => "statutory",
        PetitionKind::Complaint => "complaint",
        PetitionKind::Proposal => "proposal",
        PetitionKind::Inquiry => "inquiry",
    }
}

pub fn service_of<'a>(p: &'a Petition, row: &CaseRow) -> Result<&'a Service, Error> {
    p.catalogue()
        .services
        .get(&row.service)
        .ok_or_else(|| Error::new(errors::SERVICE_NOT_FOUND))
}

fn facts(service: &Service, row: &CaseRow) -> Facts {
    Facts {
        epeople: service.kind.is_epeople(),
        issues_document: service.issues_document,
        approved: row.decision.as_deref().map(|d| d == "approved"),
    }
}

/// Applies `action` to `case` (read in this transaction): checks the lifecycle, lets
/// `change` adjust the row, saves it, records the event and queues the notification.
#[allow(clippy::too_many_arguments)]
pub fn transition(
    p: &Petition,
    c: &mut DbConnection,
    mut row: CaseRow,
    by: &By,
    action: Action,
    reason: Option<&str>,
    detail: Value,
    change: impl FnOnce(&mut CaseRow) -> Result<(), Error>,
) -> Result<CaseRow, Error> {
    let service = service_of(p, &row)?;
    let from = status_of(&row);
    let to = lifecycle::next(from, action, by.role, facts(service, &row)).ok_or_else(|| {
        Error::with_detail(
            errors::ILLEGAL_TRANSITION,
            match by.role {
                Actor::Applicant => egov_core::text!(
                    "detail-transition-applicant",
                    "{action} is not possible for the applicant while the case is {status}",
                    action = action.as_str(),
                    status = from.as_str()
                ),
                Actor::Officer => egov_core::text!(
                    "detail-transition-officer",
                    "{action} is not possible for an officer while the case is {status}",
                    action = action.as_str(),
                    status = from.as_str()
                ),
            },
        )
    })?;
    let now = p.now();
    row.status = to.as_str().to_owned();
    change(&mut row)?;
    row.version += 1;
    row.updated_at = now;
    if !store::save_case(c, &row)? {
        return Err(Error::new(errors::CONCURRENT_CHANGE));
    }
    let event = EventRow {
        id: uuid::Uuid::now_v7().to_string(),
        case_id: row.id.clone(),
        at: now,
        actor: by.account.clone(),
        actor_role: match by.role {
            Actor::Applicant => "applicant",
            Actor::Officer => "officer",
        }
        .into(),
        action: action.as_str().into(),
        from_status: from.as_str().into(),
        to_status: to.as_str().into(),
        reason: reason.map(str::to_owned),
        detail: detail.to_string(),
    };
    store::insert_event(c, &event)?;
    if action != Action::Assign {
        store::OUTBOX.insert(
            c,
            &notification(
                &row,
                &event.id,
                &format!("petition.{}", action.as_str()),
                now,
            ),
        )?;
    }
    Ok(row)
}

/// The applicant's notice about `row`.
fn notification(row: &CaseRow, dedup: &str, template: &str, now: NaiveDateTime) -> Notification {
    Notification::queued(
        dedup,
        "email+sms",
        row.applicant.clone(),
        template,
        &json!({
            "case": row.id, "receipt_no": row.receipt_no, "status": row.status,
            "due_at": row.due_at, "agency": row.agency,
            "path": format!("/my/applications/{}", row.id),
        }),
        now,
    )
}

/// Queues the applicant's notice about `row` unless one with the same `dedup` key exists.
pub fn notify(
    c: &mut DbConnection,
    row: &CaseRow,
    dedup: &str,
    template: &str,
    now: NaiveDateTime,
) -> Result<(), Error> {
    store::OUTBOX.queue(c, &notification(row, dedup, template, now))?;
    Ok(())
}

/// The routing category and region of a case: the form's `category` and `region` choices
/// when the service has them, else the service's category and `*`.
pub fn routing_keys(service: &Service, form: &Map<String, Value>) -> (String, String) {
    let get = |k: &str| form.get(k).and_then(Value::as_str).map(str::to_owned);
    (
        get("category").unwrap_or_else(|| service.category.clone()),
        get("region").unwrap_or_else(|| "*".into()),
    )
}

/// Submits a draft: the form must be complete and every piece of evidence present; the
/// case is routed, numbered (gapless per agency and year) and its clock starts.
/// The people a service's document is about: each national ID the form puts on the document
/// (field name, the person's key). Empty for services that issue no document.
pub fn document_subjects(
    p: &Petition,
    service: &crate::domain::catalogue::Service,
    form: &Map<String, Value>,
) -> Vec<(String, String)> {
    if !service.issues_document {
        return Vec::new();
    }
    service
        .fields
        .iter()
        .filter(|f| f.on_document && f.kind == crate::domain::catalogue::FieldType::NationalId)
        .filter_map(|f| {
            let id = p
                .pack()
                .parse_national_id(form.get(&f.name)?.as_str()?)
                .ok()?;
            Some((
                f.name.clone(),
                p.0.index.national_id(&id).as_str().to_owned(),
            ))
        })
        .collect()
}

/// Whether `applicant` may have a document about `subject`: it is their own, or the subject
/// delegated it to them for this service (and has not withdrawn it). The same answer whether
/// or not the subject has an account.
pub fn may_apply_about(
    p: &Petition,
    c: &mut DbConnection,
    applicant: &str,
    subject: &str,
    service: &str,
) -> Result<bool, Error> {
    Ok(applicant == subject || store::delegated(c, subject, applicant, service, p.now())?)
}

pub fn submit(p: &Petition, c: &mut DbConnection, row: CaseRow, by: &By) -> Result<CaseRow, Error> {
    let service = service_of(p, &row)?.clone();
    if status_of(&row) != Status::Draft {
        return Err(Error::with_detail(
            errors::ILLEGAL_TRANSITION,
            egov_core::text!(
                "detail-not-a-draft",
                "the case is {status}, not a draft",
                status = row.status.clone()
            ),
        ));
    }
    let form: Map<String, Value> = serde_json::from_str(&row.form).unwrap_or_default();
    let mut problems = match crate::domain::catalogue::check_form(&service, &form, p.pack(), true) {
        Ok(_) => Vec::new(),
        Err(e) => e,
    };
    let evidence = if service.evidence.is_empty() {
        Vec::new()
    } else {
        store::evidence_of(c, &row.id)?
    };
    for e in &service.evidence {
        if !evidence.iter().any(|x| x.key == e.key) {
            problems.push(egov_core::error::FieldError {
                pointer: format!("/evidence/{}", e.key),
                detail: if e.exchange.is_some() {
                    egov_core::text!(
                        "detail-evidence-missing-exchange",
                        "missing: fetch it through the exchange with your consent, or upload it"
                    )
                } else {
                    egov_core::text!("detail-evidence-missing", "missing: upload it")
                },
            });
        }
    }
    let has_attachment_fields = service
        .fields
        .iter()
        .any(|f| f.kind == crate::domain::catalogue::FieldType::Attachment);
    let attachments = if has_attachment_fields {
        store::attachments_of(c, &row.id)?
    } else {
        Vec::new()
    };
    for f in service
        .fields
        .iter()
        .filter(|f| f.kind == crate::domain::catalogue::FieldType::Attachment)
    {
        if let Some(id) = form.get(&f.name).and_then(Value::as_str)
            && !attachments.iter().any(|a| a.id == id)
        {
            problems.push(egov_core::error::FieldError {
                pointer: format!("/form/{}", f.name),
                detail: egov_core::text!(
                    "detail-no-such-attachment",
                    "no such attachment on this case"
                ),
            });
        }
    }
    for (field, subject) in document_subjects(p, &service, &form) {
        if !may_apply_about(p, c, &row.applicant, &subject, &service.id)? {
            problems.push(egov_core::error::FieldError {
                pointer: format!("/form/{field}"),
                detail: egov_core::text!(
                    "detail-about-another-person",
                    "a document about another person is issued to them, or to someone they delegated (they grant it in their account: POST /petition/v1/me/delegations)"
                ),
            });
        }
    }
    if !problems.is_empty() {
        return Err(Error::new(errors::INCOMPLETE).with_errors(problems));
    }
    let (category, region) = routing_keys(&service, &form);
    let agency = p.catalogue().route(&service, &category, &region);
    let now = p.now();
    let clock = p.clock();
    let year = clock.local(now).year();
    let due = clock.due(service.period, now)?;
    // Last before the writes: the counter row stays locked until the commit.
    let seq = store::next_receipt(c, &agency, year)?;
    transition(
        p,
        c,
        row,
        by,
        Action::Submit,
        None,
        json!({"agency": agency, "due_at": due}),
        |r| {
            r.agency = agency.clone();
            r.category = category;
            r.region = region;
            r.receipt_no = Some(format!("{agency}-{year}-{seq:07}"));
            r.submitted_at = Some(now);
            r.due_at = Some(due);
            Ok(())
        },
    )
}

/// The pack's policy applied to a supplement reply: the clock resumes, the due time moves
/// by the working time the pause took.
pub fn resume_clock(p: &Petition, r: &mut CaseRow, now: NaiveDateTime) -> Result<(), Error> {
    let service = service_of(p, r)?;
    if let (Some(due), Some(paused)) = (r.due_at, r.paused_at) {
        r.due_at = Some(p.clock().resume(service.period, due, paused, now)?);
    }
    r.paused_at = None;
    Ok(())
}

/// Transfer to another agency: the pack decides whether the clock restarts.
pub fn transfer_clock(p: &Petition, r: &mut CaseRow, now: NaiveDateTime) -> Result<(), Error> {
    if p.catalogue().policy.transfer_clock == TransferClock::Restart {
        let service = service_of(p, r)?;
        r.due_at = Some(p.clock().due(service.period, now)?);
        r.paused_at = None;
        // A new period at a new agency starts at the bottom of its ladder.
        r.escalation_level = 0;
    }
    Ok(())
}

/// Queues the progress notice (expected completion date) of every open case older than the
/// pack's threshold that has not had one. One pass of the worker.
pub async fn progress_notices(p: &Petition) -> Result<usize, Error> {
    let days = i64::from(p.catalogue().policy.progress_notice_days);
    let cutoff = p.now() - chrono::Duration::days(days);
    let now = p.now();
    p.db()
        .transaction(move |c| {
            let due = store::progress_due(c, cutoff, 200)?;
            let n = due.len();
            for mut row in due {
                row.progress_noticed = true;
                row.version += 1;
                if store::save_case(c, &row)? {
                    notify(
                        c,
                        &row,
                        &format!("progress:{}", row.id),
                        "petition.progress",
                        now,
                    )?;
                }
            }
            Ok(n)
        })
        .await
}

/// Escalates running overdue cases up the pack's ladder. Each step reached is kept on the
/// case (`escalation_level`), recorded as an `escalate` event by the system, and notified by
/// e-mail to the agency's officials with the step's role (found in common auth's directory
/// when it runs in this process). One pass of the worker; answers how many cases moved up.
pub async fn escalate(p: &Petition) -> Result<usize, Error> {
    let steps = p.catalogue().escalation.clone();
    if steps.is_empty() {
        return Ok(0);
    }
    let hours: Vec<u32> = steps.iter().map(|s| s.overdue_working_hours).collect();
    let now = p.now();
    let levels = i32::try_from(steps.len()).unwrap_or(i32::MAX);
    let candidates = p
        .db()
        .run(move |c| store::escalation_candidates(c, now, levels, 200))
        .await?;
    let mut moved = Vec::new();
    for row in candidates {
        let Some(due) = row.due_at else { continue };
        let level = i32::try_from(p.clock().escalation_level(due, now, &hours)?).unwrap_or(0);
        if level > row.escalation_level {
            moved.push((row, level));
        }
    }
    // Whom each (agency, role) notifies.
    let mut officials: std::collections::HashMap<(String, String), Vec<String>> =
        std::collections::HashMap::new();
    if let Some(directory) = &p.0.directory {
        for (row, level) in &moved {
            let role = steps[(*level - 1) as usize].role.clone();
            if let std::collections::hash_map::Entry::Vacant(slot) =
                officials.entry((row.agency.clone(), role.clone()))
            {
                let found = directory
                    .officials_with_role(&row.agency, &role, 100)
                    .await?
                    .into_iter()
                    .map(|(id, _)| id)
                    .collect();
                slot.insert(found);
            }
        }
    }
    p.db()
        .transaction(move |c| {
            let mut n = 0;
            for (mut row, level) in moved {
                let from = row.escalation_level;
                row.escalation_level = level;
                row.version += 1;
                row.updated_at = now;
                if !store::save_case(c, &row)? {
                    continue; // changed meanwhile: the next pass looks again
                }
                n += 1;
                let role = &steps[(level - 1) as usize].role;
                store::insert_event(
                    c,
                    &EventRow {
                        id: uuid::Uuid::now_v7().to_string(),
                        case_id: row.id.clone(),
                        at: now,
                        actor: "system".into(),
                        actor_role: "system".into(),
                        action: "escalate".into(),
                        from_status: row.status.clone(),
                        to_status: row.status.clone(),
                        reason: None,
                        detail: json!({"level": level, "from_level": from, "role": role})
                            .to_string(),
                    },
                )?;
                let to = officials
                    .get(&(row.agency.clone(), role.clone()))
                    .cloned()
                    .unwrap_or_default();
                for official in to {
                    store::OUTBOX.queue(
                        c,
                        &Notification::queued(
                            format!("escalate:{}:{level}:{official}", row.id),
                            "email",
                            format!("account:{official}"),
                            "petition.escalated",
                            &json!({
                                "case": row.id, "receipt_no": row.receipt_no,
                                "status": row.status, "due_at": row.due_at,
                                "agency": row.agency, "level": level,
                                "path": format!("/desk/petitions/{}", row.id),
                            }),
                            now,
                        ),
                    )?;
                }
            }
            Ok(n)
        })
        .await
}

/// The applicant acting on their own case.
pub(crate) fn by_applicant(who: &egov_auth::Principal) -> By {
    By {
        account: who.subject.clone(),
        role: Actor::Applicant,
        source_ip: None,
    }
}

//! Cases as officers and applicants reach them: lookups that hide other people's cases,
//! officers' views and downloads (recorded on the access log first) and officers' actions.

use actix_web::web;
use egov_auth::{Action as Access, Kind, Principal, Reader, SubjectKey};
use egov_core::Error;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::views::{CaseView, case_view};
use super::{By, status_of};
use crate::domain::lifecycle::{Action, Status};
use crate::store::{self, AttachmentRow, CaseRow};
use crate::{Petition, errors};

/// Records an officer's access to an applicant's case (fails closed: no log, no data).
pub async fn record(
    reader: &Reader,
    row: &CaseRow,
    action: Access,
    purpose: &str,
) -> Result<(), Error> {
    reader
        .record(
            SubjectKey::from_stored(row.applicant.clone()),
            action,
            purpose,
            Some(row.id.clone()),
        )
        .await
}

/// A case of the officer's agency with everything in it, recorded with the purpose.
pub async fn officer_case(
    p: &Petition,
    reader: &Reader,
    who: &Principal,
    id: &str,
    purpose: &str,
) -> Result<CaseView, Error> {
    let row = agency_case(p, who, id).await?;
    record(reader, &row, Access::View, purpose).await?;
    let duplicates = super::applications::duplicates(p, &row).await?;
    let mut view = case_view(p, row, true).await?;
    view.suggested_duplicates = duplicates;
    Ok(view)
}

/// An attachment of a case of the officer's agency, with its bytes; recorded with the
/// purpose.
pub async fn officer_attachment(
    p: &Petition,
    reader: &Reader,
    who: &Principal,
    id: &str,
    attachment: String,
    purpose: &str,
) -> Result<(AttachmentRow, Vec<u8>), Error> {
    let row = agency_case(p, who, id).await?;
    let case_id = row.id.clone();
    let a = p
        .db()
        .run(move |c| store::attachment(c, &attachment))
        .await?
        .filter(|a| a.case_id == case_id)
        .ok_or_else(|| Error::new(errors::ATTACHMENT_NOT_FOUND))?;
    record(reader, &row, Access::Download, purpose).await?;
    let blobs = p.0.blobs.clone();
    let sha = a.sha256.clone();
    let bytes = web::block(move || blobs.get(&sha))
        .await
        .map_err(|e| Error::internal(anyhow::anyhow!("{e}")))?
        .map_err(|e| Error::internal(anyhow::anyhow!("blob store: {e}")))?;
    Ok((a, bytes))
}

/// An officer's action on a case of their agency (checked by the caller), recorded on the
/// access log, applied as one lifecycle transition.
pub async fn act(
    p: &Petition,
    reader: &Reader,
    who: &Principal,
    id: &str,
    input: OfficerAction,
) -> Result<CaseView, Error> {
    let row = agency_case(p, who, id).await?;
    let (action, reason) = describe(&input);
    record(
        reader,
        &row,
        Access::Change,
        &format!("petition.{}", action.as_str()),
    )
    .await?;
    let by = By {
        account: reader.actor.clone(),
        role: crate::domain::lifecycle::Actor::Officer,
        source_ip: Some(reader.source_ip.clone()),
    };
    let pp = p.clone();
    let id = row.id.clone();
    let row = p
        .db()
        .transaction(move |c| apply(&pp, c, &id, &by, input, action, reason))
        .await?;
    case_view(p, row, true).await
}

/// An assignment must name an official of the officer's agency with the officer role. Checked
/// against common auth's directory when it runs in this process; where it runs elsewhere, the
/// assignee's own token (which names their agency and roles) is what lets them act.
pub async fn check_assignee(
    directory: Option<&egov_auth::Service>,
    who: &Principal,
    a: &OfficerAction,
) -> Result<(), Error> {
    let (OfficerAction::Assign { assignee }, Some(dir)) = (a, directory) else {
        return Ok(());
    };
    let agency = who.agency.as_deref().unwrap_or_default();
    if dir
        .is_official_with_role(assignee, agency, crate::OFFICER_ROLE)
        .await?
    {
        Ok(())
    } else {
        Err(Error::invalid_field(
            "/assignee",
            egov_core::text!(
                "detail-petition-assignee",
                "no official of your agency with the petition officer role has this account id"
            ),
        ))
    }
}

/// The applicant's subject key: a citizen's person key or `business:<number>`.
pub fn applicant_key(p: &Petition, who: &Principal) -> Result<String, Error> {
    who.subject_key(p.pack())
        .ok_or_else(|| Error::new(errors::NOT_AN_APPLICANT))
}

pub fn id_ok(id: &str) -> Result<(), Error> {
    uuid::Uuid::parse_str(id)
        .map(|_| ())
        .map_err(|_| Error::new(errors::CASE_NOT_FOUND))
}

/// The applicant's own case: anyone else's is "not found" (no existence leak).
pub async fn own_case(p: &Petition, who: &Principal, id: &str) -> Result<CaseRow, Error> {
    id_ok(id)?;
    let key = applicant_key(p, who)?;
    let i = id.to_owned();
    p.db()
        .run(move |c| store::case(c, &i))
        .await?
        .filter(|r| r.applicant == key)
        .ok_or_else(|| Error::new(errors::CASE_NOT_FOUND))
}

/// An officer's case: only the officer's agency's, never a draft.
pub async fn agency_case(p: &Petition, who: &Principal, id: &str) -> Result<CaseRow, Error> {
    id_ok(id)?;
    let i = id.to_owned();
    let row = p
        .db()
        .run(move |c| store::case(c, &i))
        .await?
        .filter(|r| status_of(r) != Status::Draft)
        .ok_or_else(|| Error::new(errors::CASE_NOT_FOUND))?;
    if who.kind == Kind::Officer && who.agency.as_deref() != Some(row.agency.as_str()) {
        return Err(Error::new(errors::CASE_NOT_FOUND));
    }
    Ok(row)
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approved,
    Rejected,
}

/// What an officer does to a case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum OfficerAction {
    /// Acknowledge receipt (submitted → received).
    Receive { note: Option<String> },
    /// Start (or resume) the review.
    Review { note: Option<String> },
    /// Assign a handler (officer account id).
    Assign { assignee: String },
    /// Ask the applicant for missing information: the clock pauses.
    RequestSupplement { reason: String },
    /// Extend the due date by working days; the applicant is notified.
    Extend { working_days: u32, reason: String },
    /// Decide: approval, or rejection with reasons and the remedies available.
    Decide {
        decision: Decision,
        reason: String,
        remedies: Option<String>,
    },
    /// Issue the document of an approved application (signed by the agency's key).
    Issue {},
    /// Close a decided case that issues no document.
    Close { note: Option<String> },
    /// Not ours: move the case to the competent agency, with the reason.
    Transfer { agency: String, reason: String },
    /// Duplicate: merge this complaint into another open case (its receipt number).
    Merge { into: String, reason: String },
}

pub fn describe(a: &OfficerAction) -> (Action, Option<String>) {
    match a {
        OfficerAction::Receive { note } => (Action::Receive, note.clone()),
        OfficerAction::Review { note } => (Action::Review, note.clone()),
        OfficerAction::Assign { .. } => (Action::Assign, None),
        OfficerAction::RequestSupplement { reason } => {
            (Action::RequestSupplement, Some(reason.clone()))
        }
        OfficerAction::Extend { reason, .. } => (Action::Extend, Some(reason.clone())),
        OfficerAction::Decide { reason, .. } => (Action::Decide, Some(reason.clone())),
        OfficerAction::Issue {} => (Action::Issue, None),
        OfficerAction::Close { note } => (Action::Close, note.clone()),
        OfficerAction::Transfer { reason, .. } => (Action::Transfer, Some(reason.clone())),
        OfficerAction::Merge { reason, .. } => (Action::Merge, Some(reason.clone())),
    }
}

fn apply(
    p: &Petition,
    c: &mut egov_core::DbConnection,
    id: &str,
    by: &By,
    input: OfficerAction,
    action: Action,
    reason: Option<String>,
) -> Result<CaseRow, Error> {
    let row = store::case(c, id)?.ok_or_else(|| Error::new(errors::CASE_NOT_FOUND))?;
    let now = p.now();
    let reason = reason.as_deref();
    match input {
        OfficerAction::Receive { .. } | OfficerAction::Review { .. } => {
            super::transition(p, c, row, by, action, reason, json!({}), |_| Ok(()))
        }
        OfficerAction::Assign { assignee } => super::transition(
            p,
            c,
            row,
            by,
            action,
            reason,
            json!({"assignee": assignee}),
            |r| {
                r.assignee = Some(assignee.clone());
                Ok(())
            },
        ),
        OfficerAction::RequestSupplement { .. } => {
            super::transition(p, c, row, by, action, reason, json!({}), |r| {
                r.paused_at = Some(now);
                Ok(())
            })
        }
        OfficerAction::Extend { working_days, .. } => {
            let done = store::events(c, &row.id)?
                .iter()
                .filter(|e| e.action == Action::Extend.as_str())
                .count();
            if !crate::domain::clock::may_extend(done, p.catalogue().policy.max_extensions) {
                return Err(Error::with_detail(
                    errors::EXTENSION_LIMIT,
                    egov_core::text!(
                        "detail-petition-extension-limit",
                        "this case has been extended {done} time(s); the country pack allows {max}",
                        done = done,
                        max = p.catalogue().policy.max_extensions
                    ),
                ));
            }
            let due = row.due_at;
            let new_due = match due {
                Some(d) => Some(p.clock().extend(d, working_days)?),
                None => None,
            };
            super::transition(
                p,
                c,
                row,
                by,
                action,
                reason,
                json!({"working_days": working_days, "from": due, "to": new_due}),
                |r| {
                    r.due_at = new_due;
                    Ok(())
                },
            )
        }
        OfficerAction::Decide {
            decision, remedies, ..
        } => {
            let d = match decision {
                Decision::Approved => "approved",
                Decision::Rejected => "rejected",
            };
            let paused = row.paused_at.is_some();
            super::transition(p, c, row, by, action, reason, json!({"decision": d}), |r| {
                if paused {
                    super::resume_clock(p, r, now)?;
                }
                r.decision = Some(d.into());
                r.decision_reason = reason.map(str::to_owned);
                r.remedies = remedies.clone();
                r.answered_at = r.answered_at.or(Some(now));
                Ok(())
            })
        }
        OfficerAction::Issue {} => {
            let number = super::documents::document_number();
            let row2 = super::transition(
                p,
                c,
                row,
                by,
                action,
                reason,
                json!({"document": number}),
                |r| {
                    r.closed_at = Some(now);
                    Ok(())
                },
            )?;
            super::documents::issue(p, c, &row2, &number, by, now)?;
            Ok(row2)
        }
        OfficerAction::Close { .. } => {
            super::transition(p, c, row, by, action, reason, json!({}), |r| {
                r.closed_at = Some(now);
                r.answered_at = r.answered_at.or(Some(now));
                Ok(())
            })
        }
        OfficerAction::Transfer { agency, .. } => {
            if agency == row.agency {
                return Err(Error::invalid_field(
                    "/agency",
                    "the case is already at this agency",
                ));
            }
            let from = row.agency.clone();
            super::transition(
                p,
                c,
                row,
                by,
                action,
                reason,
                json!({"from_agency": from, "to_agency": agency}),
                |r| {
                    r.agency = agency.clone();
                    r.assignee = None;
                    super::transfer_clock(p, r, now)
                },
            )
        }
        OfficerAction::Merge { into, .. } => {
            let target = store::case_by_receipt(c, &into)?
                .filter(|t| {
                    t.id != row.id
                        && t.agency == row.agency
                        && t.service == row.service
                        && status_of(t).is_open()
                })
                .ok_or_else(|| Error::new(errors::MERGE_TARGET))?;
            super::transition(p, c, row, by, action, reason, json!({"into": into}), |r| {
                r.merged_into = Some(target.id.clone());
                r.closed_at = Some(now);
                r.paused_at = None;
                Ok(())
            })
        }
    }
}

//! Applicants' use cases: drafts, their forms and attachments, evidence, submission and
//! the later transitions on their own cases.

use chrono::NaiveDateTime;
use egov_auth::Principal;
use egov_core::Error;
use serde::Serialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

use super::cases::own_case;
use super::views::{CaseView, case_view, case_view_in};
use super::{by_applicant, status_of};
use crate::domain::catalogue::Service;
use crate::domain::lifecycle::{Action, Status};
use crate::store::{self, AttachmentRow, CaseRow, EvidenceRow};
use crate::{Petition, errors};

/// Stores a new draft.
pub async fn create_draft(p: &Petition, row: CaseRow) -> Result<CaseView, Error> {
    let r = row.clone();
    p.db().run(move |c| store::insert_case(c, &r)).await?;
    case_view(p, row, false).await
}

/// An applicant's cases, newest first.
pub async fn cases_of(p: &Petition, applicant: String, limit: i64) -> Result<Vec<CaseRow>, Error> {
    p.db()
        .run(move |c| store::cases_of(c, &applicant, limit))
        .await
}

/// Where a case is (a location given with the form).
#[derive(Debug)]
pub struct Place {
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub address: Option<String>,
}

/// Saves a draft's form (checked by the caller against `service`).
pub async fn save_form(
    p: &Petition,
    row: CaseRow,
    service: Service,
    form: Map<String, Value>,
    place: Option<Place>,
) -> Result<CaseView, Error> {
    let id = row.id;
    let now = p.now();
    let row = p
        .db()
        .transaction(move |c| {
            let mut r = store::case(c, &id)?.ok_or_else(|| Error::new(errors::CASE_NOT_FOUND))?;
            if status_of(&r) != Status::Draft {
                return Err(Error::with_detail(
                    errors::ILLEGAL_TRANSITION,
                    egov_core::text!(
                        "detail-edit-draft-only",
                        "only a draft's form can be edited; answer a supplement request instead"
                    ),
                ));
            }
            let (category, region) = super::routing_keys(&service, &form);
            r.form = Value::Object(form).to_string();
            r.category = category;
            r.region = region;
            if let Some(l) = place {
                r.lat = l.lat;
                r.lon = l.lon;
                r.address = l.address;
            }
            r.version += 1;
            r.updated_at = now;
            if !store::save_case(c, &r)? {
                return Err(Error::new(errors::CONCURRENT_CHANGE));
            }
            Ok(r)
        })
        .await?;
    case_view(p, row, false).await
}

/// Stores a committed attachment, as evidence `evidence` when given.
pub async fn add_attachment(
    p: &Petition,
    att: AttachmentRow,
    evidence: Option<String>,
) -> Result<(), Error> {
    p.db()
        .transaction(move |c| {
            store::insert_attachment(c, &att)?;
            if let Some(key) = evidence {
                store::put_evidence(
                    c,
                    &EvidenceRow {
                        case_id: att.case_id.clone(),
                        key,
                        source: "upload".into(),
                        attachment: Some(att.id.clone()),
                        provider: None,
                        consent: None,
                        message_id: None,
                        log_seq: None,
                        document: None,
                        fetched_at: att.created_at,
                    },
                )?;
            }
            Ok(())
        })
        .await
}

/// Stores evidence fetched through the exchange.
pub async fn put_evidence(p: &Petition, row: EvidenceRow) -> Result<(), Error> {
    p.db().run(move |c| store::put_evidence(c, &row)).await
}

/// Submits the applicant's own draft (`applicant` is their key) in one transaction and
/// answers the case and the similar open cases.
pub async fn submit_own(
    p: &Petition,
    who: &Principal,
    applicant: String,
    id: String,
) -> Result<(CaseView, Vec<Similar>), Error> {
    let by = by_applicant(who);
    let pp = p.clone();
    let (row, view) = p
        .db()
        .transaction(move |c| {
            let r = store::case(c, &id)?
                .filter(|r| r.applicant == applicant)
                .ok_or_else(|| Error::new(errors::CASE_NOT_FOUND))?;
            let row = super::submit(&pp, c, r, &by)?;
            let view = case_view_in(&pp, c, row.clone(), false)?;
            Ok((row, view))
        })
        .await?;
    p.count("application_submitted");
    Ok((view, similar(p, &row).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Similar {
    pub receipt_no: Option<String>,
    pub status: Status,
    #[serde(serialize_with = "egov_core::dates::utc_opt")]
    pub submitted_at: Option<NaiveDateTime>,
    /// Metres from this case's location, when both have one.
    pub distance_m: Option<u32>,
}

pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let r = 6_371_000.0_f64;
    let (la1, la2) = (a.0.to_radians(), b.0.to_radians());
    let dla = la2 - la1;
    let dlo = (b.1 - a.1).to_radians();
    let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
    2.0 * r * h.sqrt().asin()
}

/// Open cases similar to `row` (complaints and proposals); a draft is compared as it will be
/// routed, so "check your answers" can show them before it is sent.
pub async fn similar(p: &Petition, row: &CaseRow) -> Result<Vec<Similar>, Error> {
    Ok(similar_cases(p, row)
        .await?
        .into_iter()
        .map(|(r, d)| Similar {
            status: status_of(&r),
            receipt_no: r.receipt_no,
            submitted_at: r.submitted_at,
            distance_m: d,
        })
        .collect())
}

/// A suggested duplicate of a case, as its officers see it (to open it or merge into it).
#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateSuggestion {
    pub id: String,
    pub receipt_no: Option<String>,
    pub status: Status,
    #[serde(serialize_with = "egov_core::dates::utc_opt")]
    pub submitted_at: Option<NaiveDateTime>,
    /// Metres from this case's location, when both have one.
    pub distance_m: Option<u32>,
}

/// The suggested duplicates of an open complaint or proposal (for its officers).
pub async fn duplicates(p: &Petition, row: &CaseRow) -> Result<Vec<DuplicateSuggestion>, Error> {
    if !status_of(row).is_open() {
        return Ok(Vec::new());
    }
    Ok(similar_cases(p, row)
        .await?
        .into_iter()
        .map(|(r, d)| DuplicateSuggestion {
            status: status_of(&r),
            id: r.id,
            receipt_no: r.receipt_no,
            submitted_at: r.submitted_at,
            distance_m: d,
        })
        .collect())
}

/// The open cases like `row` (same service and routing, within the pack's days and radius),
/// newest first, at most five, with their distance in metres when both have a location.
async fn similar_cases(p: &Petition, row: &CaseRow) -> Result<Vec<(CaseRow, Option<u32>)>, Error> {
    let service = super::service_of(p, row)?;
    if !service.kind.is_epeople() {
        return Ok(Vec::new());
    }
    let policy = &p.catalogue().policy;
    let since = p.now() - chrono::Duration::days(i64::from(policy.duplicate_days));
    let mut like = row.clone();
    if like.agency.is_empty() {
        // A draft: compared as it will be routed when sent.
        like.agency = p.catalogue().route(service, &like.category, &like.region);
    }
    let rows = p
        .db()
        .run(move |c| store::open_since(c, &like, since, 200))
        .await?;
    let radius = f64::from(policy.duplicate_radius_m);
    let here = row.lat.zip(row.lon);
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let d = match (here, r.lat.zip(r.lon)) {
                (Some(a), Some(b)) => Some(distance_m(a, b)),
                _ => None,
            };
            if d.is_some_and(|d| d > radius) {
                return None;
            }
            Some((r, d.map(|d| d.round() as u32)))
        })
        .take(5)
        .collect())
}

/// Applies an applicant's action to their case in one transaction.
pub async fn applicant_act(
    p: &Petition,
    who: &Principal,
    id: &str,
    action: Action,
    reason: Option<String>,
    detail: impl FnOnce(&CaseRow) -> Value + Send + 'static,
    change: impl FnOnce(&Petition, &mut CaseRow) -> Result<(), Error> + Send + 'static,
) -> Result<CaseView, Error> {
    let row = own_case(p, who, id).await?;
    let by = by_applicant(who);
    let pp = p.clone();
    let id = row.id.clone();
    let row = p
        .db()
        .transaction(move |c| {
            let r = store::case(c, &id)?.ok_or_else(|| Error::new(errors::CASE_NOT_FOUND))?;
            let pc = pp.clone();
            let d = detail(&r);
            super::transition(&pp, c, r, &by, action, reason.as_deref(), d, |r| {
                change(&pc, r)
            })
        })
        .await?;
    case_view(p, row, false).await
}

fn no_detail(_: &CaseRow) -> Value {
    json!({})
}

/// Withdraws the applicant's application (any time before a decision), with a reason.
pub async fn withdraw(
    p: &Petition,
    who: &Principal,
    id: &str,
    reason: String,
) -> Result<CaseView, Error> {
    egov_core::text::reason("/reason", &reason)?;
    applicant_act(
        p,
        who,
        id,
        Action::Withdraw,
        Some(reason),
        no_detail,
        |pp, r| {
            r.closed_at = Some(pp.now());
            r.paused_at = None;
            Ok(())
        },
    )
    .await
}

/// Answers a supplement request: `changes` merged over the form and checked, `note` says what
/// was supplied; the clock resumes with the due date moved by the working time it took.
pub async fn supplement(
    p: &Petition,
    who: &Principal,
    id: &str,
    changes: Map<String, Value>,
    note: String,
) -> Result<CaseView, Error> {
    egov_core::text::reason("/note", &note)?;
    let row = own_case(p, who, id).await?;
    let service = super::service_of(p, &row)?.clone();
    let mut form: Map<String, Value> = serde_json::from_str(&row.form).unwrap_or_default();
    form.extend(changes);
    let form = crate::domain::catalogue::check_form(&service, &form, p.pack(), true)
        .map_err(Error::validation)?;
    applicant_act(
        p,
        who,
        id,
        Action::Supplement,
        Some(note),
        no_detail,
        move |pp, r| {
            r.form = Value::Object(form).to_string();
            super::resume_clock(pp, r, pp.now())
        },
    )
    .await
}

/// Rates how a closed case was handled, once: 1 (very dissatisfied) to 5.
pub async fn rate(
    p: &Petition,
    who: &Principal,
    id: &str,
    score: i32,
    comment: Option<String>,
) -> Result<CaseView, Error> {
    if !(1..=5).contains(&score) {
        return Err(Error::invalid_field(
            "/score",
            egov_core::text!("detail-score", "1 to 5"),
        ));
    }
    if let Some(c) = &comment
        && !egov_core::text::free_text(c, 0, 1000)
    {
        return Err(Error::invalid_field(
            "/comment",
            egov_core::text!("detail-comment", "at most 1000 characters"),
        ));
    }
    applicant_act(
        p,
        who,
        id,
        Action::Rate,
        None,
        move |_| json!({"score": score}),
        move |_, r| {
            if r.rating.is_some() {
                return Err(Error::new(errors::ALREADY_RATED));
            }
            r.rating = Some(score);
            r.rating_comment = comment;
            Ok(())
        },
    )
    .await
}

/// Reopens a closed complaint or proposal within the pack's window: back to review with a new
/// statutory period. The case's rating and decision are cleared for the new round; the event
/// keeps them, so the history still shows what was decided and how it was rated.
pub async fn reopen(
    p: &Petition,
    who: &Principal,
    id: &str,
    reason: String,
) -> Result<CaseView, Error> {
    egov_core::text::reason("/reason", &reason)?;
    applicant_act(
        p,
        who,
        id,
        Action::Reopen,
        Some(reason),
        |r| {
            json!({
                "earlier_rating": r.rating,
                "earlier_rating_comment": r.rating_comment,
                "earlier_decision": r.decision,
                "earlier_decision_reason": r.decision_reason,
                "earlier_remedies": r.remedies,
            })
        },
        |pp, r| {
            let now = pp.now();
            let window = chrono::Duration::days(i64::from(pp.catalogue().policy.reopen_days));
            if r.closed_at.is_none_or(|c| c + window < now) {
                return Err(Error::new(errors::REOPEN_WINDOW));
            }
            let service = super::service_of(pp, r)?;
            r.due_at = Some(pp.clock().due(service.period, now)?);
            r.closed_at = None;
            r.decision = None;
            r.decision_reason = None;
            r.remedies = None;
            r.rating = None;
            r.rating_comment = None;
            r.progress_noticed = false;
            Ok(())
        },
    )
    .await
}

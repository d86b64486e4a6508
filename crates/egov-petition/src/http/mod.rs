//! `/petition/v1`: the public catalogue and keys; applicants' applications (drafts,
//! attachments, evidence, submission, supplements, withdrawal, rating, reopening, documents);
//! officers' work lists, case views (each recorded in the access log with its purpose),
//! actions and revocations. `/petition/verify/{number}`: public document verification.

pub mod applications;
pub mod attachments;
pub mod cases;
pub mod delegations;
pub mod documents;
pub mod public;
pub mod submission;
pub mod views;
pub mod worklist;

use crate::domain::lifecycle::{Actor, Status};
use crate::service::{By, status_of};
use crate::store::{self, CaseRow};
use crate::{Petition, errors};
use actix_web::HttpRequest;
use egov_auth::{Kind, Policy, Principal, Rule, SubjectKey};
use egov_core::Error;
use egov_core::routes::Routes;

/// A citizen or a business account: an applicant.
#[derive(Debug)]
pub struct ApplicantPolicy;
impl Policy for ApplicantPolicy {
    const RULE: Rule = Rule::kinds(&[Kind::Citizen, Kind::Business]);
}

/// A person (citizen account): who may delegate documents about themselves.
#[derive(Debug)]
pub struct PersonPolicy;
impl Policy for PersonPolicy {
    const RULE: Rule = Rule::kinds(&[Kind::Citizen]);
}

/// An officer with the `petition.officer` role and a second factor; the case's agency must be
/// the officer's.
#[derive(Debug)]
pub struct Officer;
impl Policy for Officer {
    const RULE: Rule = Rule::kinds(&[Kind::Officer])
        .roles(&[crate::OFFICER_ROLE])
        .aal2();
}

pub fn configure(cfg: &mut Routes<'_>) {
    cfg.scope("/petition/v1", |s| {
        s.service(public::list_services)
            .service(public::show_service)
            .service(public::list_agencies)
            .service(public::keys)
            .service(delegations::delegate)
            .service(delegations::my_delegations)
            .service(delegations::withdraw_delegation)
            .service(applications::create_application)
            .service(applications::my_applications)
            .service(applications::my_application)
            .service(applications::edit_form)
            .service(attachments::upload_attachment)
            .service(attachments::fetch_evidence)
            .service(submission::submit_application)
            .service(submission::withdraw)
            .service(submission::supplement)
            .service(submission::rate)
            .service(submission::reopen)
            .service(submission::my_documents)
            .service(worklist::work_list)
            .service(worklist::deadlines)
            .service(cases::officer_case)
            .service(cases::officer_attachment)
            .service(cases::officer_action)
            .service(documents::revoke_document)
    });
    cfg.scope("/petition/verify", |s| s.service(public::verify_document));
}

/// The applicant's subject key: a citizen's person key or `business:<number>`.
pub fn applicant_key(p: &Petition, who: &Principal) -> Result<String, Error> {
    who.subject_key(p.pack())
        .ok_or_else(|| Error::new(errors::NOT_AN_APPLICANT))
}

pub(crate) fn by_applicant(who: &Principal) -> By {
    By {
        account: who.subject.clone(),
        role: Actor::Applicant,
        source_ip: None,
    }
}

pub(crate) fn id_ok(id: &str) -> Result<(), Error> {
    uuid::Uuid::parse_str(id)
        .map(|_| ())
        .map_err(|_| Error::new(errors::CASE_NOT_FOUND))
}

/// The applicant's own case: anyone else's is "not found" (no existence leak).
pub(crate) async fn own_case(p: &Petition, who: &Principal, id: &str) -> Result<CaseRow, Error> {
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
pub(crate) async fn agency_case(p: &Petition, who: &Principal, id: &str) -> Result<CaseRow, Error> {
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

pub(crate) fn reason_ok(pointer: &str, s: &str) -> Result<(), Error> {
    egov_core::text::reason(pointer, s)
}

pub(crate) fn purpose_ok(p: &str) -> Result<(), Error> {
    egov_core::text::purpose(p, "this case")
}

pub(crate) fn source_ip(p: &Petition, req: &HttpRequest) -> String {
    p.0.recorder.source_ip(req)
}

/// Records an officer's access to an applicant's case (fails closed: no log, no data).
pub(crate) async fn access(
    p: &Petition,
    req: &HttpRequest,
    officer: &Principal,
    row: &CaseRow,
    action: egov_auth::Action,
    purpose: &str,
) -> Result<(), Error> {
    p.0.recorder
        .reader(req, officer)
        .record(
            SubjectKey::from_stored(row.applicant.clone()),
            action,
            purpose,
            Some(row.id.clone()),
        )
        .await
}

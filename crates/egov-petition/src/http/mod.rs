//! `/petition/v1`: the public catalogue and keys; applicants' applications (drafts,
//! attachments, evidence, submission, supplements, withdrawal, rating, reopening, documents);
//! officers' work lists, case views (each recorded in the access log with its purpose),
//! actions and revocations. `/petition/verify/{number}`: public document verification.

pub mod applications;
pub mod attachments;
pub mod cases;
pub mod delegations;
pub mod documents;
pub mod notifications;
pub mod public;
pub mod reports;
pub mod submission;
pub mod worklist;

use crate::Petition;
use actix_web::HttpRequest;
use egov_auth::{Kind, Policy, Principal, Reader, Rule};
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

pub(crate) use crate::service::cases::{applicant_key, id_ok, own_case};

/// The officer as a reader of applicants' data in this request (for the access log).
pub(crate) fn reader(p: &Petition, req: &HttpRequest, officer: &Principal) -> Reader {
    p.0.recorder.reader(req, officer)
}

pub fn configure(cfg: &mut Routes<'_>) {
    cfg.scope("/petition/v1", |s| {
        s.service(public::list_services)
            .service(notifications::list_notifications)
            .service(notifications::retry_notification)
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
            .service(reports::compliance_report)
            .service(reports::oversight_report)
    });
    cfg.scope("/petition/verify", |s| s.service(public::verify_document));
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

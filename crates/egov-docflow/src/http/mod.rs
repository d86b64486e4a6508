//! `/docflow/v1`: the organisation (agency admins), documents and their approval lines
//! (officers), the document office's inbox and receipts, circulation, dispatch, the records
//! manager's files, holds and disposal, work lists, history, records packages and PDFs.

pub mod approvals;
pub mod circulation;
pub mod delegation;
pub mod dispatch;
pub mod documents;
pub mod org;
pub mod public;
pub mod records;
pub mod verification;
pub mod worklists;

use crate::service::{self};
use crate::store::DocumentRow;
use crate::{Docflow, errors};
use actix_web::HttpRequest;
use chrono::NaiveDate;
use egov_auth::{Kind, Policy, Principal, Rule, SubjectKey};
use egov_core::Error;
use egov_core::error::FieldError;
use egov_core::routes::Routes;
use serde::Deserialize;
use utoipa::IntoParams;

/// Any officer (agency checked per document).
#[derive(Debug)]
pub struct Officer;
impl Policy for Officer {
    const RULE: Rule = Rule::kinds(&[Kind::Officer]);
}

/// The agency's administrator: organisation, stand-ins, delegation table.
#[derive(Debug)]
pub struct OrgAdmin;
impl Policy for OrgAdmin {
    const RULE: Rule = Rule::kinds(&[Kind::AgencyAdmin]);
}

/// The document office (문서과).
#[derive(Debug)]
pub struct Office;
impl Policy for Office {
    const RULE: Rule = Rule::kinds(&[Kind::Officer]).roles(&[crate::OFFICE_ROLE]);
}

/// The records manager (second factor).
#[derive(Debug)]
pub struct Records;
impl Policy for Records {
    const RULE: Rule = Rule::kinds(&[Kind::Officer])
        .roles(&[crate::RECORDS_ROLE])
        .aal2();
}

/// Disposal: the records manager, and administrators too — a legal hold stops every one of
/// them.
#[derive(Debug)]
pub struct Disposer;
impl Policy for Disposer {
    const RULE: Rule = Rule::kinds(&[Kind::Officer, Kind::AgencyAdmin, Kind::PlatformAdmin]).aal2();
}

/// Readers of history and packages: officers (participants, checked per document) and
/// auditors.
#[derive(Debug)]
pub struct Reader;
impl Policy for Reader {
    const RULE: Rule = Rule::kinds(&[Kind::Officer, Kind::Auditor]);
}

pub fn configure(cfg: &mut Routes<'_>) {
    cfg.scope("/docflow/v1", |s| {
        s.service(public::get_rules)
            .service(public::public_keys)
            .service(public::verify_package)
            .service(org::org)
            .service(org::org_changes)
            .service(org::add_unit)
            .service(org::add_position)
            .service(org::assign)
            .service(org::add_stand_in)
            .service(org::end_stand_in)
            .service(org::handover)
            .service(delegation::delegations)
            .service(delegation::add_delegation)
            .service(delegation::end_delegation)
            .service(documents::create)
            .service(documents::show)
            .service(documents::show_version)
            .service(documents::attachment)
            .service(documents::edit)
            .service(documents::set_line)
            .service(documents::submit)
            .service(approvals::act)
            .service(approvals::return_doc)
            .service(approvals::recall)
            .service(approvals::insert_step)
            .service(approvals::remove_step)
            .service(circulation::circulate)
            .service(verification::verify_signatures)
            .service(verification::doc_history)
            .service(verification::package)
            .service(verification::pdf)
            .service(dispatch::dispatch_document)
            .service(dispatch::dispatches)
            .service(dispatch::retry)
            .service(dispatch::inbox)
            .service(dispatch::receive)
            .service(dispatch::confirm_receipt)
            .service(worklists::work)
            .service(worklists::ledger)
            .service(records::add_file)
            .service(records::files)
            .service(records::file_document)
            .service(records::records_status)
            .service(records::add_hold)
            .service(records::release_hold)
            .service(records::dispose)
    });
}

pub(crate) fn fields(errors: Vec<FieldError>) -> Result<(), Error> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::validation(errors))
    }
}

pub(crate) fn field(pointer: &str, detail: impl Into<egov_core::error::Text>) -> FieldError {
    FieldError {
        pointer: pointer.into(),
        detail: detail.into(),
    }
}

/// "`min`-`max` characters", in the reader's language.
pub(crate) fn chars(min: usize, max: usize) -> egov_core::error::Text {
    egov_core::text!(
        "detail-docflow-chars",
        "{min}-{max} characters",
        min = min,
        max = max
    )
}

/// "An account id", in the reader's language.
pub(crate) fn account_id() -> egov_core::error::Text {
    egov_core::text!("detail-docflow-account", "an account id")
}

/// "After valid_from", in the reader's language.
pub(crate) fn after_start() -> egov_core::error::Text {
    egov_core::text!("detail-docflow-after-start", "after valid_from")
}

pub(crate) fn text_ok(s: &str, min: usize, max: usize) -> bool {
    egov_core::text::free_text(s, min, max)
}

pub(crate) fn code_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
}

pub(crate) fn uuid_ok(id: &str) -> bool {
    uuid::Uuid::parse_str(id).is_ok()
}

pub(crate) fn agency(who: &Principal) -> String {
    who.agency.clone().unwrap_or_default()
}

pub(crate) fn doc_id(id: &str) -> Result<String, Error> {
    if uuid_ok(id) {
        Ok(id.to_owned())
    } else {
        Err(Error::new(errors::DOCUMENT_NOT_FOUND))
    }
}

/// The day organisation changes start on when none is given: the same day the checks use
/// (the UTC date of `d.now()`, as every position, assignment and delegation check does).
/// The pack's own time zone for every docflow date is issue 20's; until then, defaulting to the
/// pack's date here made a change made between 00:00 and 09:00 KST start "tomorrow" for the
/// checks, so a person assigned "from today" held no position until 09:00.
pub(crate) fn today(d: &Docflow) -> NaiveDate {
    d.now().date()
}

/// The document if `who` may see it (404 otherwise).
pub(crate) async fn visible(d: &Docflow, who: &Principal, id: &str) -> Result<DocumentRow, Error> {
    service::visible(d, who, doc_id(id)?).await
}

/// A read of a document's content (`what`: `document`, `version-N`, `attachment-<sha256>`,
/// `pdf`): written to the access log when it carries personal data (first: no log entry, no
/// data) and to the document's history.
pub(crate) async fn content_read(
    d: &Docflow,
    req: &HttpRequest,
    who: &Principal,
    doc: &DocumentRow,
    purpose: Option<&str>,
    what: &str,
) -> Result<(), Error> {
    personal_access(d, req, who, doc, purpose, what).await?;
    service::read_content(
        d,
        &doc.id,
        who.subject.clone(),
        purpose.map(str::to_owned),
        what.to_owned(),
    )
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PurposeQuery {
    /// Why you read the document: required when it carries personal data (written to the
    /// access log with every read).
    pub purpose: Option<String>,
}

/// Writes the access log for a document carrying personal data (fails closed: no log entry,
/// no data); `422 docflow.purpose_required` without a purpose.
pub(crate) async fn personal_access(
    d: &Docflow,
    req: &HttpRequest,
    who: &Principal,
    doc: &DocumentRow,
    purpose: Option<&str>,
    what: &str,
) -> Result<(), Error> {
    if !doc.personal_data {
        return Ok(());
    }
    let Some(purpose) = purpose else {
        return Err(Error::new(errors::PURPOSE_REQUIRED));
    };
    egov_core::text::purpose(purpose, "the document")?;
    let subjects: Vec<String> = serde_json::from_str(&doc.subjects).unwrap_or_default();
    let subjects = if subjects.is_empty() {
        vec![format!("document:{}", doc.id)]
    } else {
        subjects
    };
    d.0.recorder
        .reader(req, who)
        .record_each(
            subjects.into_iter().map(SubjectKey::from_stored),
            egov_auth::Action::View,
            purpose,
            Some(format!("{}#{what}", doc.id)),
        )
        .await?;
    Ok(())
}

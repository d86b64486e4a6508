//! `/docflow/v1`: the organisation (agency admins), documents and their approval lines
//! (officers), the document office's inbox and receipts, circulation, dispatch, the records
//! manager's files, holds and disposal, work lists, history, records packages and PDFs.

use actix_web::{HttpMessage as _, HttpRequest, HttpResponse, get, post, put, web};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use egov_auth::{AccessEntry, Authorized, Kind, Policy, Principal, Rule, SubjectKey};
use egov_core::Error;
use egov_core::error::FieldError;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::evidence::{self, Attachment};
use crate::line::StepKind;
use crate::rules::Rules;
use crate::service::{self, Act, LineStep, NewDocument, status};
use crate::store::{self, DocumentRow};
use crate::{Docflow, errors, exchange};

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

pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(
        scope::scope("/docflow/v1")
            .service(get_rules)
            .service(public_keys)
            .service(verify_package)
            .service(org)
            .service(org_changes)
            .service(add_unit)
            .service(add_position)
            .service(assign)
            .service(add_stand_in)
            .service(handover)
            .service(delegations)
            .service(add_delegation)
            .service(end_delegation)
            .service(create)
            .service(show)
            .service(show_version)
            .service(attachment)
            .service(edit)
            .service(set_line)
            .service(submit)
            .service(act)
            .service(return_doc)
            .service(recall)
            .service(insert_step)
            .service(remove_step)
            .service(circulate)
            .service(verify_signatures)
            .service(doc_history)
            .service(package)
            .service(pdf)
            .service(dispatch_document)
            .service(dispatches)
            .service(retry)
            .service(inbox)
            .service(receive)
            .service(confirm_receipt)
            .service(work)
            .service(ledger)
            .service(add_file)
            .service(files)
            .service(file_document)
            .service(records_status)
            .service(add_hold)
            .service(release_hold)
            .service(dispose),
    );
}

// ------------------------------------------------------------------ helpers

const PROBLEM: &str = "application/problem+json";

fn fields(errors: Vec<FieldError>) -> Result<(), Error> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::validation(errors))
    }
}

fn field(pointer: &str, detail: &str) -> FieldError {
    FieldError {
        pointer: pointer.into(),
        detail: detail.into(),
    }
}

fn text_ok(s: &str, min: usize, max: usize) -> bool {
    egov_core::text::free_text(s, min, max)
}

fn code_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
}

fn uuid_ok(id: &str) -> bool {
    uuid::Uuid::parse_str(id).is_ok()
}

fn agency(who: &Principal) -> String {
    who.agency.clone().unwrap_or_default()
}

fn doc_id(id: &str) -> Result<String, Error> {
    if uuid_ok(id) {
        Ok(id.to_owned())
    } else {
        Err(Error::new(errors::DOCUMENT_NOT_FOUND))
    }
}

fn today(d: &Docflow) -> NaiveDate {
    Utc::now().with_timezone(&d.pack().time_zone).date_naive()
}

/// Whether `who` may see `doc`: auditors; officers of its agency who drafted or handle it,
/// hold (or stand in for) a position on its line, acted on it, were circulated it, or work in
/// the document office or records.
fn can_see(
    c: &mut egov_core::DbConnection,
    d: &Docflow,
    who: &Principal,
    doc: &DocumentRow,
) -> Result<bool, Error> {
    if who.kind == Kind::Auditor {
        return Ok(true);
    }
    if who.agency.as_deref() != Some(doc.agency.as_str()) {
        return Ok(false);
    }
    if doc.drafter == who.subject
        || who.has_role(crate::OFFICE_ROLE)
        || who.has_role(crate::RECORDS_ROLE)
    {
        return Ok(true);
    }
    if store::is_reader(c, &doc.id, &who.subject)? {
        return Ok(true);
    }
    let limit = d.rules().map(|r| r.acting_chain_limit).unwrap_or(1);
    let mine = service::work_positions(c, &who.subject, service::now(), limit)?;
    Ok(store::steps(c, &doc.id)?.iter().any(|s| {
        mine.contains(&s.position_id) || s.acted_by.as_deref() == Some(who.subject.as_str())
    }))
}

/// The document if `who` may see it (404 otherwise).
async fn visible(d: &Docflow, who: &Principal, id: &str) -> Result<DocumentRow, Error> {
    let id = doc_id(id)?;
    let (dd, w) = (d.clone(), who.clone());
    d.db()
        .run(move |c| {
            let doc =
                store::document(c, &id)?.ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))?;
            if can_see(c, &dd, &w, &doc)? {
                Ok(doc)
            } else {
                Err(Error::new(errors::DOCUMENT_NOT_FOUND))
            }
        })
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
async fn personal_access(
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
    let request_id = req
        .extensions()
        .get::<egov_core::request::RequestId>()
        .map(|r| r.0.clone());
    let subjects: Vec<String> = serde_json::from_str(&doc.subjects).unwrap_or_default();
    let subjects = if subjects.is_empty() {
        vec![format!("document:{}", doc.id)]
    } else {
        subjects
    };
    for s in subjects {
        egov_auth::record(
            d.db(),
            AccessEntry {
                actor: who.subject.clone(),
                source_ip: egov_core::request::source_ip(req, &d.0.trusted),
                subject: SubjectKey::from_stored(s),
                action: egov_auth::Action::View,
                purpose: purpose.to_owned(),
                module: crate::NAME.into(),
                record_ref: Some(format!("{}#{what}", doc.id)),
                request_id: request_id.clone(),
            },
        )
        .await?;
    }
    Ok(())
}

fn doc_json(doc: &DocumentRow) -> Value {
    json!({
        "id": doc.id, "agency": doc.agency, "unit": doc.unit_id, "origin": doc.origin,
        "drafter": doc.drafter, "drafter_position": doc.drafter_position, "doc_type": doc.doc_type,
        "classification": doc.classification, "disclosure": doc.disclosure,
        "disclosure_ground": doc.disclosure_ground, "personal_data": doc.personal_data,
        "amount": doc.amount, "status": doc.status, "version": doc.version, "round": doc.round,
        "due_at": doc.due_at.and_utc(), "registration_no": doc.registration_no,
        "registered_at": doc.registered_at.map(|t| t.and_utc()), "retention": doc.retention,
        "file": doc.file_id, "completed_at": doc.completed_at.map(|t| t.and_utc()),
        "disposed_at": doc.disposed_at.map(|t| t.and_utc()),
        "sender": doc.sender.as_deref().and_then(|s| serde_json::from_str::<Value>(s).ok()).map(|s| json!({
            "member": s["member"], "client": s["client"], "message_id": s["message_id"], "sender": s["sender"], "kind": s["kind"]})),
        "created_at": doc.created_at.and_utc(), "updated_at": doc.updated_at.and_utc(),
    })
}

fn step_json(s: &store::StepRow) -> Value {
    json!({"id": s.id, "seq": s.seq, "group": s.grp, "kind": s.kind,
           "label": StepKind::parse(&s.kind).map(StepKind::label), "position": s.position_id,
           "status": s.status, "due_at": s.due_at.and_utc(), "acted_by": s.acted_by, "mode": s.mode,
           "action": s.action, "opinion": s.opinion, "acted_at": s.acted_at.map(|t| t.and_utc()),
           "added_by": s.added_by, "reason": s.reason})
}

fn version_json(v: &store::VersionRow) -> Value {
    json!({"version": v.version, "title": v.title,
           "body": v.body.as_deref().and_then(|b| serde_json::from_str::<Value>(b).ok()),
           "attachments": serde_json::from_str::<Value>(&v.attachments).unwrap_or(Value::Null),
           "digest": v.digest, "author": v.author, "reason": v.reason, "created_at": v.created_at.and_utc()})
}

// ------------------------------------------------------------------ public

/// The country pack's document rules: ranks, document types, retention and disclosure
/// classes, the default delegation table, acting-approval chain limit, post-hoc approval.
#[utoipa::path(tag = "docflow", responses((status = 200, description = "The rules", body = Rules)), security(()))]
#[get("/rules")]
pub async fn get_rules(d: web::Data<Docflow>) -> Result<web::Json<Rules>, Error> {
    Ok(web::Json(d.rules()?.clone()))
}

/// The module's public keys: they verify approval signatures, records packages and disposal
/// certificates.
#[utoipa::path(tag = "docflow", responses((status = 200, description = "Keys", body = Object)), security(()))]
#[get("/keys")]
pub async fn public_keys(d: web::Data<Docflow>) -> Result<HttpResponse, Error> {
    let dd = d.get_ref().clone();
    let keys = d
        .db()
        .transaction(move |c| {
            dd.key(c)?;
            store::keys(c)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"keys": keys.iter().map(|k| json!({
        "kid": k.kid, "alg": "EdDSA", "public_key": k.public_key, "created_at": k.created_at.and_utc()})).collect::<Vec<_>>()})))
}

/// Verifies a records package (the same check as `egov docflow verify-package FILE`, which
/// needs no server): package signature, versions, approval signatures, history chain. The
/// keys checked against are this deployment's published keys.
#[utoipa::path(tag = "docflow", request_body = Object,
    responses((status = 200, description = "The verification report", body = evidence::Report),
              (status = 422, description = "Not a JSON object", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(()))]
#[post("/packages/verify")]
pub async fn verify_package(
    d: web::Data<Docflow>,
    body: web::Json<Value>,
) -> Result<HttpResponse, Error> {
    if !body.is_object() {
        return Err(Error::invalid_field(
            "",
            "a records package (a JSON object)",
        ));
    }
    let keys = d.db().run(store::keys).await?;
    let trusted: Vec<(String, String)> = keys.into_iter().map(|k| (k.kid, k.public_key)).collect();
    Ok(HttpResponse::Ok().json(evidence::verify_package(&body, Some(&trusted))))
}

// ------------------------------------------------------------------ organisation

/// The agency's organisation: units, positions, assignments, stand-ins (with validity), and
/// its current version.
#[utoipa::path(tag = "docflow", responses((status = 200, description = "Organisation", body = Object)),
    security(("bearer" = ["kind:officer", "kind:agency_admin"])))]
#[get("/org")]
pub async fn org(
    auth: Authorized<OrgReader>,
    d: web::Data<Docflow>,
) -> Result<HttpResponse, Error> {
    let ag = agency(&auth);
    let v = d
        .db()
        .run(move |c| {
            let units = store::units(c, &ag)?;
            let positions = store::positions(c, &ag)?;
            let assignments = store::assignments(c, &ag)?;
            let stand_ins = store::stand_ins(c, &ag)?;
            let version = store::org_changes(c, &ag)?.last().map(|x| x.0).unwrap_or(0);
            Ok(json!({
                "agency": ag, "version": version,
                "units": units.iter().map(|u| json!({"id": u.id, "code": u.code, "name": u.name, "parent": u.parent_id,
                    "document_office": u.document_office, "valid_from": u.valid_from, "valid_to": u.valid_to})).collect::<Vec<_>>(),
                "positions": positions.iter().map(|p| json!({"id": p.id, "unit": p.unit_id, "title": p.title, "rank": p.rank,
                    "valid_from": p.valid_from, "valid_to": p.valid_to})).collect::<Vec<_>>(),
                "assignments": assignments.iter().map(|a| json!({"id": a.id, "position": a.position_id, "account": a.account,
                    "valid_from": a.valid_from, "valid_to": a.valid_to})).collect::<Vec<_>>(),
                "stand_ins": stand_ins.iter().map(|s| json!({"id": s.id, "position": s.position_id, "stand_in": s.stand_in_position_id,
                    "valid_from": s.valid_from.and_utc(), "valid_to": s.valid_to.and_utc(), "reason": s.reason})).collect::<Vec<_>>(),
            }))
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Officers and the agency admin.
#[derive(Debug)]
pub struct OrgReader;
impl Policy for OrgReader {
    const RULE: Rule = Rule::kinds(&[Kind::Officer, Kind::AgencyAdmin]);
}

/// Every organisation change of the agency, numbered (its versions).
#[utoipa::path(tag = "docflow", responses((status = 200, description = "Changes, oldest first", body = Object)),
    security(("bearer" = ["kind:officer", "kind:agency_admin"])))]
#[get("/org/changes")]
pub async fn org_changes(
    auth: Authorized<OrgReader>,
    d: web::Data<Docflow>,
) -> Result<HttpResponse, Error> {
    let ag = agency(&auth);
    let rows = d.db().run(move |c| store::org_changes(c, &ag)).await?;
    Ok(HttpResponse::Ok().json(json!({"changes": rows.iter().map(|(v, at, actor, change)| json!({
        "version": v, "at": at.and_utc(), "actor": actor,
        "change": serde_json::from_str::<Value>(change).unwrap_or(Value::Null)})).collect::<Vec<_>>()})))
}

async fn org_write<F>(
    d: &Docflow,
    actor: &str,
    agency: &str,
    change: Value,
    f: F,
) -> Result<Value, Error>
where
    F: FnOnce(&mut egov_core::DbConnection) -> Result<(), Error> + Send + 'static,
{
    let (actor, agency) = (actor.to_owned(), agency.to_owned());
    d.db()
        .transaction(move |c| {
            f(c)?;
            let v = store::org_change(c, &agency, service::now(), &actor, &change.to_string())?;
            let mut out = change;
            out["org_version"] = json!(v);
            Ok(out)
        })
        .await
}

/// A new unit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitInput {
    /// Shown in registration numbers (letters, digits, `-_./`).
    pub code: String,
    pub name: String,
    pub parent_id: Option<String>,
    /// The agency's document office (문서과): receives incoming documents.
    #[serde(default)]
    pub document_office: bool,
    pub valid_from: Option<NaiveDate>,
}

/// Adds a unit to the agency's organisation.
#[utoipa::path(tag = "docflow", request_body = UnitInput,
    responses((status = 201, description = "Created", body = Object)),
    security(("bearer" = ["kind:agency_admin"])))]
#[post("/org/units")]
pub async fn add_unit(
    auth: Authorized<OrgAdmin>,
    d: web::Data<Docflow>,
    body: web::Json<UnitInput>,
) -> Result<HttpResponse, Error> {
    let b = body.into_inner();
    let mut e = Vec::new();
    if !code_ok(&b.code) {
        e.push(field("/code", "1-64 letters, digits or -_./"));
    }
    if !text_ok(&b.name, 1, 200) {
        e.push(field("/name", "1-200 characters"));
    }
    fields(e)?;
    let ag = agency(&auth);
    let row = store::UnitRow {
        id: service::new_id(),
        agency: ag.clone(),
        code: b.code,
        name: b.name,
        parent_id: b.parent_id,
        document_office: b.document_office,
        valid_from: b.valid_from.unwrap_or_else(|| today(&d)),
        valid_to: None,
        created_at: service::now(),
    };
    let r = row.clone();
    let change = json!({"change": "unit_added", "id": row.id, "code": row.code, "name": row.name,
                        "parent": row.parent_id, "document_office": row.document_office, "valid_from": row.valid_from});
    let ag2 = ag.clone();
    let out = org_write(&d, &auth.subject, &ag, change, move |c| {
        if let Some(p) = &r.parent_id
            && store::unit(c, p)?.filter(|u| u.agency == ag2).is_none()
        {
            return Err(Error::invalid_field(
                "/parent_id",
                "no such unit of your agency",
            ));
        }
        store::insert_unit(c, &r)
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

/// A new position.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PositionInput {
    pub unit_id: String,
    pub title: String,
    /// A rank level of the country pack (1 = head of agency).
    pub rank: i32,
    pub valid_from: Option<NaiveDate>,
}

/// Adds a position to a unit.
#[utoipa::path(tag = "docflow", request_body = PositionInput,
    responses((status = 201, description = "Created", body = Object)),
    security(("bearer" = ["kind:agency_admin"])))]
#[post("/org/positions")]
pub async fn add_position(
    auth: Authorized<OrgAdmin>,
    d: web::Data<Docflow>,
    body: web::Json<PositionInput>,
) -> Result<HttpResponse, Error> {
    let b = body.into_inner();
    let rules = d.rules()?;
    let mut e = Vec::new();
    if !text_ok(&b.title, 1, 200) {
        e.push(field("/title", "1-200 characters"));
    }
    if rules.rank(b.rank).is_none() {
        e.push(field("/rank", "a rank level of the country pack"));
    }
    fields(e)?;
    let ag = agency(&auth);
    let row = store::PositionRow {
        id: service::new_id(),
        agency: ag.clone(),
        unit_id: b.unit_id,
        title: b.title,
        rank: b.rank,
        valid_from: b.valid_from.unwrap_or_else(|| today(&d)),
        valid_to: None,
        created_at: service::now(),
    };
    let change = json!({"change": "position_added", "id": row.id, "unit": row.unit_id, "title": row.title, "rank": row.rank, "valid_from": row.valid_from});
    let ag2 = ag.clone();
    let out = org_write(&d, &auth.subject, &ag, change, move |c| {
        if store::unit(c, &row.unit_id)?
            .filter(|u| u.agency == ag2)
            .is_none()
        {
            return Err(Error::invalid_field(
                "/unit_id",
                "no such unit of your agency",
            ));
        }
        store::insert_position(c, &row)
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

/// A person assigned to a position.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentInput {
    pub position_id: String,
    /// The person's account id.
    pub account: String,
    pub valid_from: Option<NaiveDate>,
    /// Exclusive end date.
    pub valid_to: Option<NaiveDate>,
}

/// Assigns a person to a position for a period.
#[utoipa::path(tag = "docflow", request_body = AssignmentInput,
    responses((status = 201, description = "Created", body = Object)),
    security(("bearer" = ["kind:agency_admin"])))]
#[post("/org/assignments")]
pub async fn assign(
    auth: Authorized<OrgAdmin>,
    d: web::Data<Docflow>,
    body: web::Json<AssignmentInput>,
) -> Result<HttpResponse, Error> {
    let b = body.into_inner();
    let from = b.valid_from.unwrap_or_else(|| today(&d));
    let mut e = Vec::new();
    if !text_ok(&b.account, 1, 128) {
        e.push(field("/account", "an account id"));
    }
    if b.valid_to.is_some_and(|t| t <= from) {
        e.push(field("/valid_to", "after valid_from"));
    }
    fields(e)?;
    let ag = agency(&auth);
    let row = store::AssignmentRow {
        id: service::new_id(),
        agency: ag.clone(),
        position_id: b.position_id,
        account: b.account,
        valid_from: from,
        valid_to: b.valid_to,
        created_at: service::now(),
    };
    let change = json!({"change": "assigned", "id": row.id, "position": row.position_id, "account": row.account,
                        "valid_from": row.valid_from, "valid_to": row.valid_to});
    let ag2 = ag.clone();
    let out = org_write(&d, &auth.subject, &ag, change, move |c| {
        if store::position(c, &row.position_id)?
            .filter(|p| p.agency == ag2)
            .is_none()
        {
            return Err(Error::invalid_field(
                "/position_id",
                "no such position of your agency",
            ));
        }
        store::insert_assignment(c, &row)
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

/// A stand-in (대결) for a position during a period.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StandInInput {
    /// The absent position.
    pub position_id: String,
    /// The position that acts for it.
    pub stand_in_position_id: String,
    pub valid_from: DateTime<Utc>,
    pub valid_to: DateTime<Utc>,
    /// Why (leave, travel, …).
    pub reason: String,
}

/// Names a stand-in position for an absent position, for a period.
#[utoipa::path(tag = "docflow", request_body = StandInInput,
    responses((status = 201, description = "Created", body = Object)),
    security(("bearer" = ["kind:agency_admin"])))]
#[post("/org/stand-ins")]
pub async fn add_stand_in(
    auth: Authorized<OrgAdmin>,
    d: web::Data<Docflow>,
    body: web::Json<StandInInput>,
) -> Result<HttpResponse, Error> {
    let b = body.into_inner();
    let mut e = Vec::new();
    if b.valid_to <= b.valid_from {
        e.push(field("/valid_to", "after valid_from"));
    }
    if b.position_id == b.stand_in_position_id {
        e.push(field("/stand_in_position_id", "another position"));
    }
    if !text_ok(&b.reason, 3, 500) {
        e.push(field("/reason", "3-500 characters"));
    }
    fields(e)?;
    let ag = agency(&auth);
    let row = store::StandInRow {
        id: service::new_id(),
        agency: ag.clone(),
        position_id: b.position_id,
        stand_in_position_id: b.stand_in_position_id,
        valid_from: b.valid_from.naive_utc(),
        valid_to: b.valid_to.naive_utc(),
        reason: b.reason,
        created_by: auth.subject.clone(),
        created_at: service::now(),
        revoked_at: None,
    };
    let change = json!({"change": "stand_in", "id": row.id, "position": row.position_id, "stand_in": row.stand_in_position_id,
                        "valid_from": b.valid_from, "valid_to": b.valid_to, "reason": row.reason});
    let ag2 = ag.clone();
    let out = org_write(&d, &auth.subject, &ag, change, move |c| {
        for (p, ptr) in [
            (&row.position_id, "/position_id"),
            (&row.stand_in_position_id, "/stand_in_position_id"),
        ] {
            if store::position(c, p)?.filter(|x| x.agency == ag2).is_none() {
                return Err(Error::invalid_field(ptr, "no such position of your agency"));
            }
        }
        store::insert_stand_in(c, &row)
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

/// A person's move.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoverInput {
    /// The account that moves.
    pub from: String,
    /// The successor.
    pub to: String,
    pub reason: String,
    /// The successor takes the positions left (default true): steps waiting on them and
    /// drafts made from them pass too.
    pub take_positions: Option<bool>,
}

/// Hands a person's pending work to their successor in one step (drafts, returned and
/// in-approval documents, received documents they handle, unread circulations) and ends
/// their assignments; steps on positions pass with the position.
#[utoipa::path(tag = "docflow", request_body = HandoverInput,
    responses((status = 200, description = "What moved", body = Object)),
    security(("bearer" = ["kind:agency_admin"])))]
#[post("/org/handover")]
pub async fn handover(
    auth: Authorized<OrgAdmin>,
    d: web::Data<Docflow>,
    body: web::Json<HandoverInput>,
) -> Result<HttpResponse, Error> {
    let b = body.into_inner();
    let mut e = Vec::new();
    if !text_ok(&b.from, 1, 128) {
        e.push(field("/from", "an account id"));
    }
    if !text_ok(&b.to, 1, 128) || b.to == b.from {
        e.push(field("/to", "another account id"));
    }
    if !text_ok(&b.reason, 3, 500) {
        e.push(field("/reason", "3-500 characters"));
    }
    fields(e)?;
    let (ag, actor) = (agency(&auth), auth.subject.clone());
    let v = d
        .db()
        .transaction(move |c| {
            service::handover(
                c,
                &actor,
                &ag,
                &b.from,
                &b.to,
                &b.reason,
                b.take_positions.unwrap_or(true),
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// The delegation table in force for the agency: its own rows and the pack's defaults.
#[utoipa::path(tag = "docflow", responses((status = 200, description = "Delegation tables", body = Object)),
    security(("bearer" = ["kind:officer", "kind:agency_admin"])))]
#[get("/delegations")]
pub async fn delegations(
    auth: Authorized<OrgReader>,
    d: web::Data<Docflow>,
) -> Result<HttpResponse, Error> {
    let ag = agency(&auth);
    let pack = d.rules()?.delegations.clone();
    let own = d.db().run(move |c| store::delegations(c, &ag)).await?;
    Ok(HttpResponse::Ok().json(json!({
        "agency": own.iter().map(|r| json!({"id": r.id, "doc_type": r.doc_type, "max_amount": r.max_amount, "rank": r.rank,
            "effective_from": r.effective_from, "effective_to": r.effective_to, "citation": r.citation,
            "created_by": r.created_by, "created_at": r.created_at.and_utc()})).collect::<Vec<_>>(),
        "pack": pack,
        "note": "an agency's own rows for a document type replace the pack's rows for that type"})))
}

/// A row of the agency's delegation table.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DelegationInput {
    pub doc_type: String,
    /// Up to this amount (minor units); none = any amount.
    pub max_amount: Option<i64>,
    /// The lowest rank that may approve finally (not 1).
    pub rank: i32,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    /// The directive that sets it.
    pub citation: String,
}

/// Adds a row to the agency's delegation table (rows are never edited: end one and add
/// another, so past decisions stay explained).
#[utoipa::path(tag = "docflow", request_body = DelegationInput,
    responses((status = 201, description = "Created", body = Object)),
    security(("bearer" = ["kind:agency_admin"])))]
#[post("/delegations")]
pub async fn add_delegation(
    auth: Authorized<OrgAdmin>,
    d: web::Data<Docflow>,
    body: web::Json<DelegationInput>,
) -> Result<HttpResponse, Error> {
    let b = body.into_inner();
    let rules = d.rules()?;
    let mut e = Vec::new();
    if rules.doc_type(&b.doc_type).is_none() {
        e.push(field("/doc_type", "a document type of the country pack"));
    }
    if rules.rank(b.rank).is_none() || b.rank == 1 {
        e.push(field(
            "/rank",
            "a rank of the country pack below the head (not 1)",
        ));
    }
    if b.max_amount.is_some_and(|m| m < 0) {
        e.push(field("/max_amount", "not negative"));
    }
    if b.effective_to.is_some_and(|t| t <= b.effective_from) {
        e.push(field("/effective_to", "after effective_from"));
    }
    if !text_ok(&b.citation, 3, 300) {
        e.push(field("/citation", "3-300 characters"));
    }
    fields(e)?;
    let ag = agency(&auth);
    let row = store::DelegationRow {
        id: service::new_id(),
        agency: ag.clone(),
        doc_type: b.doc_type,
        max_amount: b.max_amount,
        rank: b.rank,
        effective_from: b.effective_from,
        effective_to: b.effective_to,
        citation: b.citation,
        created_by: auth.subject.clone(),
        created_at: service::now(),
    };
    let change = json!({"change": "delegation_added", "id": row.id, "doc_type": row.doc_type, "max_amount": row.max_amount,
                        "rank": row.rank, "effective_from": row.effective_from, "effective_to": row.effective_to, "citation": row.citation});
    let out = org_write(&d, &auth.subject, &ag, change, move |c| {
        store::insert_delegation(c, &row)
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

/// When a delegation row stops applying.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndInput {
    /// Exclusive: the first day it no longer applies.
    pub effective_to: NaiveDate,
}

/// Ends a row of the agency's delegation table.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Delegation row id")), request_body = EndInput,
    responses((status = 200, description = "Ended", body = Object),
              (status = 404, description = "No such row in force", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:agency_admin"])))]
#[post("/delegations/{id}/end")]
pub async fn end_delegation(
    auth: Authorized<OrgAdmin>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    body: web::Json<EndInput>,
) -> Result<HttpResponse, Error> {
    let ag = agency(&auth);
    let (id, to) = (id.into_inner(), body.effective_to);
    let change = json!({"change": "delegation_ended", "id": id, "effective_to": to});
    let out = org_write(&d, &auth.subject, &ag.clone(), change, move |c| {
        if store::end_delegation(c, &ag, &id, to)? == 0 {
            return Err(Error::new(egov_core::error::codes::NOT_FOUND));
        }
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

// ------------------------------------------------------------------ documents

/// An attachment as sent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = DocflowAttachmentInput)]
pub struct AttachmentInput {
    pub name: String,
    pub media_type: String,
    /// The content, base64.
    pub content: String,
}

/// A step of the approval line (the draft step is added from the drafter's position).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    pub kind: StepKind,
    pub position: String,
    /// Cooperation steps with the same group (> 0) run in parallel.
    #[serde(default)]
    pub group: i32,
}

/// A new document.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = DocflowDocumentInput)]
pub struct DocumentInput {
    /// The position drafted from (one you hold).
    pub position: String,
    pub doc_type: String,
    pub title: String,
    /// Structured text: `{"paragraphs": ["…"]}` (or `{"text": "…"}`, or any object).
    pub body: Value,
    #[serde(default)]
    pub attachments: Vec<AttachmentInput>,
    /// Function classification (unit task, 단위과제).
    pub classification: String,
    /// A disclosure class of the pack, set now.
    pub disclosure: String,
    /// The legal ground for withholding, where the class requires one.
    pub disclosure_ground: Option<String>,
    /// National IDs of the people whose personal data the document carries: every read is
    /// then written to the access log.
    #[serde(default)]
    pub personal_data_subjects: Vec<String>,
    /// Amount in minor units, for the delegation table.
    pub amount: Option<i64>,
    pub due_at: Option<DateTime<Utc>>,
    pub line: Vec<StepInput>,
}

fn attachments_in(
    d: &Docflow,
    a: Vec<AttachmentInput>,
    e: &mut Vec<FieldError>,
) -> Vec<(String, String, Vec<u8>)> {
    let max = d.settings().docflow.max_attachment_bytes;
    if a.len() > 50 {
        e.push(field("/attachments", "at most 50"));
    }
    let mut out = Vec::new();
    for (i, x) in a.into_iter().enumerate() {
        if !text_ok(&x.name, 1, 255) || x.name.contains('/') {
            e.push(field(
                &format!("/attachments/{i}/name"),
                "1-255 characters, no '/'",
            ));
        }
        if !code_ok(&x.media_type) || !x.media_type.contains('/') {
            e.push(field(
                &format!("/attachments/{i}/media_type"),
                "a media type",
            ));
        }
        match STANDARD.decode(x.content.as_bytes()) {
            Ok(b) if b.len() <= max => out.push((x.name, x.media_type, b)),
            Ok(_) => e.push(field(
                &format!("/attachments/{i}/content"),
                &format!("at most {max} bytes"),
            )),
            Err(_) => e.push(field(&format!("/attachments/{i}/content"), "base64")),
        }
    }
    out
}

fn body_ok(body: &Value, e: &mut Vec<FieldError>) {
    if !body.is_object() || body.to_string().len() > 256 * 1024 {
        e.push(field("/body", "a JSON object of at most 256 KiB"));
    }
}

/// Drafts a document (version 1) with its approval line.
#[utoipa::path(tag = "docflow", request_body = DocumentInput,
    responses((status = 201, description = "Created", body = Object),
              (status = 403, description = "You do not hold the position", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer"])))]
#[post("/documents")]
pub async fn create(
    auth: Authorized<Officer>,
    d: web::Data<Docflow>,
    body: web::Json<DocumentInput>,
) -> Result<HttpResponse, Error> {
    let b = body.into_inner();
    let rules = d.rules()?;
    let mut e = Vec::new();
    if rules.doc_type(&b.doc_type).is_none() {
        e.push(field("/doc_type", "a document type of the country pack"));
    }
    if !text_ok(&b.title, 1, 300) || b.title.contains('\n') {
        e.push(field("/title", "1-300 characters on one line"));
    }
    body_ok(&b.body, &mut e);
    if !code_ok(&b.classification) {
        e.push(field("/classification", "a function classification code"));
    }
    match rules.disclosure(&b.disclosure) {
        None => e.push(field(
            "/disclosure",
            "a disclosure class of the country pack",
        )),
        Some(c)
            if c.ground_required
                && b.disclosure_ground
                    .as_deref()
                    .is_none_or(|g| !text_ok(g, 3, 300)) =>
        {
            e.push(field(
                "/disclosure_ground",
                "the legal ground for withholding (3-300 characters)",
            ));
        }
        _ => {}
    }
    if b.amount.is_some_and(|a| a < 0) {
        e.push(field("/amount", "not negative"));
    }
    if b.line.is_empty() || b.line.len() > 30 {
        e.push(field("/line", "1-30 steps"));
    }
    let mut subjects = Vec::new();
    for (i, s) in b.personal_data_subjects.iter().enumerate() {
        match d.pack().parse_national_id(s) {
            Ok(id) => subjects.push(d.0.index.national_id(&id).as_str().to_owned()),
            Err(_) => e.push(field(
                &format!("/personal_data_subjects/{i}"),
                "a national ID of the country pack",
            )),
        }
    }
    let attachments = attachments_in(&d, b.attachments, &mut e);
    fields(e)?;
    let input = NewDocument {
        position: b.position,
        doc_type: b.doc_type,
        title: b.title,
        body: b.body,
        attachments,
        classification: b.classification,
        disclosure: b.disclosure,
        disclosure_ground: b.disclosure_ground,
        subjects,
        amount: b.amount,
        due_at: b.due_at.map(|t| t.naive_utc()),
        line: b
            .line
            .into_iter()
            .map(|s| LineStep {
                kind: s.kind,
                position: s.position,
                group: s.group,
            })
            .collect(),
    };
    let (dd, acc, ag) = (d.get_ref().clone(), auth.subject.clone(), agency(&auth));
    let doc = d
        .db()
        .transaction(move |c| service::create(c, &dd, &acc, &ag, input))
        .await?;
    Ok(HttpResponse::Created().json(doc_json(&doc)))
}

/// A document: metadata, its current version, the approval line and circulation. Every read
/// is written to the document's history (and to the access log when it carries personal
/// data); a circulated reader's first read is recorded as such.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id"), PurposeQuery),
    responses((status = 200, description = "The document", body = Object),
              (status = 404, description = "No such document for you", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 422, description = "Personal data: a purpose is required", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer", "kind:auditor"])))]
#[get("/documents/{id}")]
pub async fn show(
    req: HttpRequest,
    auth: Authorized<Reader>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    q: web::Query<PurposeQuery>,
) -> Result<HttpResponse, Error> {
    let doc = visible(&d, &auth, &id).await?;
    personal_access(&d, &req, &auth, &doc, q.purpose.as_deref(), "document").await?;
    let (acc, purpose, id2) = (auth.subject.clone(), q.purpose.clone(), doc.id.clone());
    d.db()
        .transaction(move |c| service::record_read(c, &acc, &id2, purpose.as_deref()))
        .await?;
    let id2 = doc.id.clone();
    let (v, steps, circ) = d
        .db()
        .run(move |c| {
            Ok((
                store::version(c, &id2, doc.version)?,
                store::steps(c, &id2)?,
                store::circulations(c, &id2)?,
            ))
        })
        .await?;
    let doc = d
        .db()
        .run({
            let id = doc.id.clone();
            move |c| store::document(c, &id)
        })
        .await?
        .ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))?;
    let mut out = doc_json(&doc);
    out["current"] = v.as_ref().map(version_json).unwrap_or(Value::Null);
    out["line"] = Value::Array(steps.iter().map(step_json).collect());
    out["circulation"] = Value::Array(
        circ.iter()
            .map(|r| {
                json!({"reader": r.reader, "added_by": r.added_by,
        "added_at": r.added_at.and_utc(), "read_at": r.read_at.map(|t| t.and_utc())})
            })
            .collect(),
    );
    Ok(HttpResponse::Ok().json(out))
}

/// One version of a document (every edit is kept).
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id"), ("version" = i32, Path, description = "Version"), PurposeQuery),
    responses((status = 200, description = "The version", body = Object),
              (status = 404, description = "No such document or version for you", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 422, description = "Personal data: a purpose is required", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer", "kind:auditor"])))]
#[get("/documents/{id}/versions/{version}")]
pub async fn show_version(
    req: HttpRequest,
    auth: Authorized<Reader>,
    d: web::Data<Docflow>,
    path: web::Path<(String, i32)>,
    q: web::Query<PurposeQuery>,
) -> Result<HttpResponse, Error> {
    let (id, n) = path.into_inner();
    let doc = visible(&d, &auth, &id).await?;
    personal_access(
        &d,
        &req,
        &auth,
        &doc,
        q.purpose.as_deref(),
        &format!("version-{n}"),
    )
    .await?;
    let v = d
        .db()
        .run(move |c| store::version(c, &doc.id, n))
        .await?
        .ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))?;
    Ok(HttpResponse::Ok().json(version_json(&v)))
}

/// An attachment's content (by its SHA-256, as listed in a version).
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id"), ("sha256" = String, Path, description = "Attachment digest"), PurposeQuery),
    responses((status = 200, description = "The content", content_type = "application/octet-stream"),
              (status = 404, description = "No such attachment for you", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 422, description = "Personal data: a purpose is required", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer", "kind:auditor"])))]
#[get("/documents/{id}/attachments/{sha256}")]
pub async fn attachment(
    req: HttpRequest,
    auth: Authorized<Reader>,
    d: web::Data<Docflow>,
    path: web::Path<(String, String)>,
    q: web::Query<PurposeQuery>,
) -> Result<HttpResponse, Error> {
    let (id, sha) = path.into_inner();
    let doc = visible(&d, &auth, &id).await?;
    let docid = doc.id.clone();
    let sha2 = sha.clone();
    let found = d
        .db()
        .run(move |c| {
            for v in store::versions(c, &docid)? {
                let atts: Vec<Attachment> =
                    serde_json::from_str(&v.attachments).unwrap_or_default();
                if v.body.is_some()
                    && let Some(a) = atts.into_iter().find(|a| a.sha256 == sha2)
                {
                    return Ok(store::blob(c, &sha2)?.map(|b| (a, b)));
                }
            }
            Ok(None)
        })
        .await?;
    let Some((a, bytes)) = found else {
        return Err(Error::new(errors::ATTACHMENT_NOT_FOUND));
    };
    personal_access(
        &d,
        &req,
        &auth,
        &doc,
        q.purpose.as_deref(),
        &format!("attachment-{sha}"),
    )
    .await?;
    Ok(HttpResponse::Ok()
        .content_type(a.media_type)
        .insert_header(("Content-Disposition", "attachment"))
        .body(bytes))
}

/// An edit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditInput {
    /// The version you edited (409 if it changed since).
    pub version: i32,
    pub title: String,
    pub body: Value,
    /// Replaces the attachments when given.
    pub attachments: Option<Vec<AttachmentInput>>,
    pub reason: Option<String>,
}

/// Edits a document: a new version, the diff kept in the history (the drafter before
/// submission or after a return; the current approver while in approval).
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")), request_body = EditInput,
    responses((status = 200, description = "The document", body = Object),
              (status = 404, description = "No such document for you", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 409, description = "Changed since, or not editable now", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer"])))]
#[put("/documents/{id}")]
pub async fn edit(
    auth: Authorized<Officer>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    body: web::Json<EditInput>,
) -> Result<HttpResponse, Error> {
    let b = body.into_inner();
    let mut e = Vec::new();
    if !text_ok(&b.title, 1, 300) || b.title.contains('\n') {
        e.push(field("/title", "1-300 characters on one line"));
    }
    body_ok(&b.body, &mut e);
    if b.reason.as_deref().is_some_and(|r| !text_ok(r, 1, 1000)) {
        e.push(field("/reason", "1-1000 characters"));
    }
    let atts = b.attachments.map(|a| attachments_in(&d, a, &mut e));
    fields(e)?;
    let id = doc_id(&id)?;
    let (dd, acc, ag) = (d.get_ref().clone(), auth.subject.clone(), agency(&auth));
    let doc = d
        .db()
        .transaction(move |c| {
            service::edit(
                c, &dd, &acc, &ag, &id, b.version, b.title, b.body, atts, b.reason,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(doc_json(&doc)))
}

/// A new line.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    pub line: Vec<StepInput>,
}

/// Replaces the approval line of a draft or returned document (the drafter).
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")), request_body = LineInput,
    responses((status = 200, description = "The line", body = Object),
              (status = 404, description = "No such document for you", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 409, description = "Not a draft", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer"])))]
#[put("/documents/{id}/line")]
pub async fn set_line(
    auth: Authorized<Officer>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    body: web::Json<LineInput>,
) -> Result<HttpResponse, Error> {
    let b = body.into_inner();
    if b.line.is_empty() || b.line.len() > 30 {
        return Err(Error::invalid_field("/line", "1-30 steps"));
    }
    let id = doc_id(&id)?;
    let (dd, acc, ag) = (d.get_ref().clone(), auth.subject.clone(), agency(&auth));
    let line: Vec<LineStep> = b
        .line
        .into_iter()
        .map(|s| LineStep {
            kind: s.kind,
            position: s.position,
            group: s.group,
        })
        .collect();
    let id2 = id.clone();
    let steps = d
        .db()
        .transaction(move |c| {
            service::set_line(c, &dd, &acc, &ag, &id2, line)?;
            store::steps(c, &id2)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"line": steps.iter().map(step_json).collect::<Vec<_>>()})))
}

/// The version acted on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionInput {
    /// The version you read (409 if the document changed since).
    pub version: i32,
}

/// Submits a draft or returned document (the drafter): the draft step is signed and the
/// line starts.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")), request_body = VersionInput,
    responses((status = 200, description = "The document", body = Object),
              (status = 404, description = "No such document for you", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 409, description = "Changed since, or not submittable", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 422, description = "The line is not valid under today's rules", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer"])))]
#[post("/documents/{id}/submit")]
pub async fn submit(
    auth: Authorized<Officer>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    body: web::Json<VersionInput>,
) -> Result<HttpResponse, Error> {
    let id = doc_id(&id)?;
    let (dd, acc, ag, v) = (
        d.get_ref().clone(),
        auth.subject.clone(),
        agency(&auth),
        body.version,
    );
    let doc = d
        .db()
        .transaction(move |c| service::submit(c, &dd, &acc, &ag, &id, v))
        .await?;
    Ok(HttpResponse::Ok().json(doc_json(&doc)))
}

/// What an approver does.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// Approve (review, cooperation: agree, final approval).
    Approve,
    /// Cooperation: disagree (opinion required; the line goes on with it recorded).
    Disagree,
    /// Post-hoc approval or post-report: confirm.
    Confirm,
    /// Post-hoc approval: object (opinion required).
    Object,
}

/// An action on your current step.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionInput {
    pub action: ActionKind,
    /// The version you approve (409 if it changed since): the signature binds its digest.
    pub version: i32,
    pub opinion: Option<String>,
    /// Which of your current steps, when you hold more than one.
    pub step: Option<String>,
}

/// Acts on your current step — as its holder or, 대결, as a stand-in in force — and signs
/// the digest of the version. The final approval (결재, or 전결 under the delegation table in
/// force today) registers the document in the same transaction.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")), request_body = ActionInput,
    responses((status = 200, description = "The outcome with the signed record", body = service::Outcome),
              (status = 403, description = "Not your turn", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 404, description = "No such document for you", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 409, description = "Changed since, or no such action now", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 422, description = "Not delegated, or an opinion is missing", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer"])))]
#[post("/documents/{id}/actions")]
pub async fn act(
    auth: Authorized<Officer>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    body: web::Json<ActionInput>,
) -> Result<HttpResponse, Error> {
    let b = body.into_inner();
    if b.opinion.as_deref().is_some_and(|o| !text_ok(o, 1, 2000)) {
        return Err(Error::invalid_field("/opinion", "1-2000 characters"));
    }
    let id = doc_id(&id)?;
    let action = match b.action {
        ActionKind::Approve => Act::Approve,
        ActionKind::Disagree => Act::Disagree,
        ActionKind::Confirm => Act::Confirm,
        ActionKind::Object => Act::Object,
    };
    let (dd, acc, ag) = (d.get_ref().clone(), auth.subject.clone(), agency(&auth));
    let out = d
        .db()
        .transaction(move |c| {
            service::act(
                c,
                &dd,
                &acc,
                &ag,
                &id,
                b.step.as_deref(),
                action,
                b.opinion,
                b.version,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// A return.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnInput {
    pub version: i32,
    /// The earlier step's `seq` to return to; 0 or absent: to the drafter.
    pub to_step: Option<i32>,
    pub reason: String,
}

/// Returns the document (반려) to the drafter or to any earlier step; the history keeps the
/// round.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")), request_body = ReturnInput,
    responses((status = 200, description = "The document", body = Object),
              (status = 403, description = "Not your turn", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 404, description = "No such document for you", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 409, description = "Not in approval, or changed since", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer"])))]
#[post("/documents/{id}/return")]
pub async fn return_doc(
    auth: Authorized<Officer>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    body: web::Json<ReturnInput>,
) -> Result<HttpResponse, Error> {
    let b = body.into_inner();
    egov_core::text::reason("/reason", &b.reason)?;
    let id = doc_id(&id)?;
    let (dd, acc, ag) = (d.get_ref().clone(), auth.subject.clone(), agency(&auth));
    let doc = d
        .db()
        .transaction(move |c| {
            service::return_to(c, &dd, &acc, &ag, &id, b.to_step, &b.reason, b.version)
        })
        .await?;
    Ok(HttpResponse::Ok().json(doc_json(&doc)))
}

/// A recall.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecallInput {
    pub reason: Option<String>,
}

/// Recalls a submitted document (회수, the drafter) while no one after the draft has acted.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")), request_body = RecallInput,
    responses((status = 200, description = "The document", body = Object),
              (status = 404, description = "No such document for you", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 409, description = "Too late, or not in approval", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer"])))]
#[post("/documents/{id}/recall")]
pub async fn recall(
    auth: Authorized<Officer>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    body: web::Json<RecallInput>,
) -> Result<HttpResponse, Error> {
    let b = body.into_inner();
    if b.reason.as_deref().is_some_and(|r| !text_ok(r, 1, 1000)) {
        return Err(Error::invalid_field("/reason", "1-1000 characters"));
    }
    let id = doc_id(&id)?;
    let (acc, ag) = (auth.subject.clone(), agency(&auth));
    let doc = d
        .db()
        .transaction(move |c| service::recall(c, &acc, &ag, &id, b.reason.as_deref()))
        .await?;
    Ok(HttpResponse::Ok().json(doc_json(&doc)))
}

/// A step inserted mid-flight.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InsertInput {
    /// The new step goes after this `seq` (after every step that has acted or is acting, and
    /// before the final approval).
    pub after_seq: i32,
    /// `review` or `cooperation`.
    pub kind: StepKind,
    pub position: String,
    pub reason: String,
}

/// Inserts an approver mid-flight (the drafter or the current approver), with a reason.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")), request_body = InsertInput,
    responses((status = 201, description = "The new step", body = Object),
              (status = 403, description = "Neither the drafter nor the current approver", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 404, description = "No such document for you", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 409, description = "Not in approval", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer"])))]
#[post("/documents/{id}/steps")]
pub async fn insert_step(
    auth: Authorized<Officer>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    body: web::Json<InsertInput>,
) -> Result<HttpResponse, Error> {
    let b = body.into_inner();
    egov_core::text::reason("/reason", &b.reason)?;
    let id = doc_id(&id)?;
    let (dd, acc, ag) = (d.get_ref().clone(), auth.subject.clone(), agency(&auth));
    let s = d
        .db()
        .transaction(move |c| {
            service::insert_step(
                c,
                &dd,
                &acc,
                &ag,
                &id,
                b.after_seq,
                b.kind,
                &b.position,
                &b.reason,
            )
        })
        .await?;
    Ok(HttpResponse::Created().json(step_json(&s)))
}

/// A reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = DocflowReason)]
pub struct ReasonInput {
    pub reason: String,
}

/// Removes a pending approver mid-flight (the drafter or the current approver), with a
/// reason.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id"), ("step" = String, Path, description = "Step id")), request_body = ReasonInput,
    responses((status = 200, description = "Removed", body = Object),
              (status = 403, description = "Neither the drafter nor the current approver", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 404, description = "No such document or step", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 409, description = "Not in approval", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer"])))]
#[post("/documents/{id}/steps/{step}/remove")]
pub async fn remove_step(
    auth: Authorized<Officer>,
    d: web::Data<Docflow>,
    path: web::Path<(String, String)>,
    body: web::Json<ReasonInput>,
) -> Result<HttpResponse, Error> {
    let b = body.into_inner();
    egov_core::text::reason("/reason", &b.reason)?;
    let (id, step) = path.into_inner();
    let id = doc_id(&id)?;
    let (dd, acc, ag) = (d.get_ref().clone(), auth.subject.clone(), agency(&auth));
    d.db()
        .transaction(move |c| service::remove_step(c, &dd, &acc, &ag, &id, &step, &b.reason))
        .await?;
    Ok(HttpResponse::Ok().json(json!({"removed": true})))
}

/// Readers.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CirculateInput {
    /// Account ids of the agency's readers.
    #[serde(default)]
    pub readers: Vec<String>,
    /// Other agencies to circulate to (through the exchange).
    #[serde(default)]
    pub agencies: Vec<Recipient>,
}

/// Circulates a registered or received document (공람): readers are recorded when they read
/// it. Other agencies receive it through the exchange.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")), request_body = CirculateInput,
    responses((status = 200, description = "Readers added and dispatches", body = Object),
              (status = 404, description = "No such document for you", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 409, description = "Not registered or received", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer"])))]
#[post("/documents/{id}/circulate")]
pub async fn circulate(
    auth: Authorized<Officer>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    body: web::Json<CirculateInput>,
) -> Result<HttpResponse, Error> {
    let b = body.into_inner();
    let mut e = Vec::new();
    if b.readers.is_empty() && b.agencies.is_empty()
        || b.readers.len() > 500
        || b.agencies.len() > 50
    {
        e.push(field("/readers", "1-500 readers or 1-50 agencies"));
    }
    for (i, r) in b.readers.iter().enumerate() {
        if !text_ok(r, 1, 128) {
            e.push(field(&format!("/readers/{i}"), "an account id"));
        }
    }
    recipients_ok(&b.agencies, "/agencies", &mut e);
    fields(e)?;
    let id = doc_id(&id)?;
    let (acc, ag, office) = (
        auth.subject.clone(),
        agency(&auth),
        auth.has_role(crate::OFFICE_ROLE),
    );
    let readers = b.readers.clone();
    let id2 = id.clone();
    let added = if readers.is_empty() {
        Vec::new()
    } else {
        d.db()
            .transaction(move |c| service::circulate(c, &acc, &ag, &id2, &readers, office))
            .await?
    };
    let sent = if b.agencies.is_empty() {
        Vec::new()
    } else {
        exchange::dispatch(
            &d,
            &auth.subject,
            &agency(&auth),
            &id,
            b.agencies
                .into_iter()
                .map(|r| (r.member, r.agency))
                .collect(),
            "circulation",
            office,
        )
        .await?
    };
    Ok(HttpResponse::Ok().json(json!({"readers": added, "dispatches": sent})))
}

/// Checks every approval signature of a document: the signature itself, and whether the
/// digest it signed is that of the version it names as stored now and of the current
/// version. An edit after signing, or a stored version changed behind the system's back,
/// shows here.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")),
    responses((status = 200, description = "One result per signature", body = Object),
              (status = 404, description = "No such document for you", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer", "kind:auditor"])))]
#[get("/documents/{id}/signatures")]
pub async fn verify_signatures(
    auth: Authorized<Reader>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let doc = visible(&d, &auth, &id).await?;
    let v = d
        .db()
        .run(move |c| {
            let keys = store::keys(c)?;
            let versions = store::versions(c, &doc.id)?;
            let digest_of = |n: i64| {
                versions.iter().find(|v| i64::from(v.version) == n).map(|v| {
                    let atts: Vec<Attachment> = serde_json::from_str(&v.attachments).unwrap_or_default();
                    let body: Value = v.body.as_deref().and_then(|b| serde_json::from_str(b).ok()).unwrap_or(Value::Null);
                    (v.digest.clone(), evidence::version_digest(&v.title, &body, &atts), v.body.is_some())
                })
            };
            let current = digest_of(i64::from(doc.version)).map(|d| d.1);
            let mut out = Vec::new();
            let mut all = true;
            for s in store::signatures(c, &doc.id)? {
                let payload: Value = serde_json::from_str(&s.payload).unwrap_or(Value::Null);
                let sig_ok = egov_exchange::signature::verify_json(keys.iter().map(|k| (k.kid.as_str(), k.public_key.as_str())), &payload, &s.signature);
                let n = payload["version"].as_i64().unwrap_or(-1);
                let signed = payload["digest"].as_str().unwrap_or_default().to_owned();
                let (content_ok, disposed) = match digest_of(n) {
                    Some((_, recomputed, present)) => (!present || recomputed == signed, !present),
                    None => (false, false),
                };
                let covers_current = current.as_deref() == Some(signed.as_str());
                let valid = sig_ok && content_ok;
                all &= valid;
                out.push(json!({"round": s.round, "seq": payload["seq"], "kind": payload["kind"], "action": payload["action"],
                    "mode": payload["mode"], "actor": payload["actor"], "position": payload["position"], "version": n,
                    "signature_valid": sig_ok, "content_matches": content_ok, "covers_current_version": covers_current,
                    "content_disposed": disposed, "valid": valid, "at": payload["at"]}));
            }
            Ok(json!({"document": doc.id, "version": doc.version, "valid": all, "signatures": out}))
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// The decision history (hash-chained), with its verification: every action, opinion, edit
/// and read.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")),
    responses((status = 200, description = "Events, oldest first, and whether the chain holds", body = Object),
              (status = 404, description = "No such document for you", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer", "kind:auditor"])))]
#[get("/documents/{id}/history")]
pub async fn doc_history(
    auth: Authorized<Reader>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let doc = visible(&d, &auth, &id).await?;
    let rows = d.db().run(move |c| store::events(c, &doc.id)).await?;
    let events: Vec<evidence::Event> = rows.iter().map(service::event_of).collect();
    let check = evidence::verify_chain(&events);
    Ok(HttpResponse::Ok().json(json!({
        "valid": check.is_ok(),
        "broken_at": check.as_ref().err().map(|e| e.0),
        "problem": check.as_ref().err().map(|e| e.1.clone()),
        "events": events,
    })))
}

/// Builds the records package of a document.
pub(crate) fn build_package(
    c: &mut egov_core::DbConnection,
    d: &Docflow,
    doc: &DocumentRow,
) -> Result<Value, Error> {
    d.key(c)?;
    let versions = store::versions(c, &doc.id)?;
    let mut vs = Vec::new();
    for v in &versions {
        let atts: Vec<Attachment> = serde_json::from_str(&v.attachments).unwrap_or_default();
        let mut with = Vec::new();
        for a in &atts {
            let mut x = json!({"name": a.name, "media_type": a.media_type, "size": a.size, "sha256": a.sha256});
            if v.body.is_some()
                && let Some(b) = store::blob(c, &a.sha256)?
            {
                x["content"] = Value::String(STANDARD.encode(b));
            }
            with.push(x);
        }
        vs.push(json!({"version": v.version, "title": v.title,
            "body": v.body.as_deref().and_then(|b| serde_json::from_str::<Value>(b).ok()).unwrap_or(Value::Null),
            "attachments": with, "digest": v.digest, "author": v.author, "reason": v.reason,
            "disposed": v.body.is_none(), "created_at": v.created_at.and_utc()}));
    }
    let sigs: Vec<Value> = store::signatures(c, &doc.id)?
        .iter()
        .map(|s| json!({"round": s.round, "payload": serde_json::from_str::<Value>(&s.payload).unwrap_or(Value::Null), "signature": s.signature}))
        .collect();
    let history: Vec<evidence::Event> = store::events(c, &doc.id)?
        .iter()
        .map(service::event_of)
        .collect();
    let keys: Vec<Value> = store::keys(c)?
        .iter()
        .map(|k| json!({"kid": k.kid, "public_key": k.public_key}))
        .collect();
    let mut meta = doc_json(doc);
    meta["iso15489"] = json!({"identifier": doc.registration_no, "title": versions.last().map(|v| v.title.clone()),
        "date_created": doc.created_at.and_utc(), "creator": doc.agency, "classification": doc.classification,
        "access": doc.disclosure, "retention": doc.retention});
    let mut pkg = json!({
        "format": evidence::PACKAGE_FORMAT, "issuer": d.member(), "exported_at": Utc::now(),
        "document": meta, "versions": vs, "signatures": sigs, "history": history, "keys": keys,
    });
    let sig = d.sign(c, &pkg)?;
    pkg["package_signature"] = Value::String(sig);
    Ok(pkg)
}

/// The records package of a document: metadata (with ISO 15489 process metadata), every
/// version with its attachments, every approval signature, the hash-chained history and the
/// keys, signed as a whole. Verifies offline (`egov docflow verify-package FILE`).
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id"), PurposeQuery),
    responses((status = 200, description = "The package", body = Object),
              (status = 404, description = "No such document for you", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 422, description = "Personal data: a purpose is required", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer", "kind:auditor"])))]
#[get("/documents/{id}/package")]
pub async fn package(
    req: HttpRequest,
    auth: Authorized<Reader>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    q: web::Query<PurposeQuery>,
) -> Result<HttpResponse, Error> {
    let doc = visible(&d, &auth, &id).await?;
    personal_access(&d, &req, &auth, &doc, q.purpose.as_deref(), "package").await?;
    let (dd, acc, purpose) = (d.get_ref().clone(), auth.subject.clone(), q.purpose.clone());
    let pkg = d
        .db()
        .transaction(move |c| {
            service::append(
                c,
                &doc.id,
                &acc,
                None,
                "exported",
                json!({"purpose": purpose}),
                service::now(),
            )?;
            let doc = store::document(c, &doc.id)?
                .ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))?;
            build_package(c, &dd, &doc)
        })
        .await?;
    Ok(HttpResponse::Ok().json(pkg))
}

/// The approved document as PDF with its approval stamps.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id"), PurposeQuery),
    responses((status = 200, description = "The PDF", content_type = "application/pdf"),
              (status = 404, description = "No such document for you", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 409, description = "Not approved (registered) yet, or disposed", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 422, description = "Personal data: a purpose is required", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer", "kind:auditor"])))]
#[get("/documents/{id}/pdf")]
pub async fn pdf(
    req: HttpRequest,
    auth: Authorized<Reader>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    q: web::Query<PurposeQuery>,
) -> Result<HttpResponse, Error> {
    let doc = visible(&d, &auth, &id).await?;
    if doc.registration_no.is_none() || doc.status == status::DISPOSED {
        return Err(Error::with_detail(
            errors::ILLEGAL_STATE,
            "only a registered document (not disposed of) is rendered",
        ));
    }
    personal_access(&d, &req, &auth, &doc, q.purpose.as_deref(), "pdf").await?;
    let dd = d.get_ref().clone();
    let bytes = d
        .db()
        .run(move |c| {
            let v = store::version(c, &doc.id, doc.version)?
                .ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))?;
            // The last action on each step of the final round, in line order.
            let mut last: Vec<Value> = Vec::new();
            for s in store::signatures(c, &doc.id)?
                .into_iter()
                .filter(|s| s.round == doc.round)
            {
                let p: Value = serde_json::from_str(&s.payload).unwrap_or(Value::Null);
                last.retain(|q| q["step"] != p["step"]);
                last.push(p);
            }
            last.sort_by_key(|p| p["seq"].as_i64().unwrap_or(0));
            let mut stamps = Vec::new();
            for p in last {
                let kind = StepKind::parse(p["kind"].as_str().unwrap_or_default());
                let mut label = kind.map(StepKind::label).unwrap_or("").to_owned();
                if p["mode"] == "acting" {
                    label.push_str(" 대결");
                }
                if p["action"] == "disagree" {
                    label.push_str(" (이견)");
                }
                stamps.push((
                    label,
                    p["position_title"].as_str().unwrap_or_default().to_owned(),
                    p["actor"].as_str().unwrap_or_default().to_owned(),
                    p["at"]
                        .as_str()
                        .unwrap_or_default()
                        .chars()
                        .take(16)
                        .collect(),
                ));
            }
            let atts: Vec<Attachment> = serde_json::from_str(&v.attachments).unwrap_or_default();
            let printable = crate::pdf::Printable {
                agency: doc.agency.clone(),
                registration_no: doc.registration_no.clone().unwrap_or_default(),
                registered_at: doc
                    .registered_at
                    .map(|t| t.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
                title: v.title.clone(),
                body: v
                    .body
                    .as_deref()
                    .and_then(|b| serde_json::from_str(b).ok())
                    .unwrap_or(Value::Null),
                attachments: atts.iter().map(|a| a.name.clone()).collect(),
                stamps,
                disclosure: doc.disclosure.clone(),
                digest: v.digest.clone(),
            };
            crate::pdf::render(&printable, &dd.settings().docflow.pdf_fonts).ok_or_else(|| {
                Error::internal(anyhow::anyhow!("no usable PDF font in [docflow] pdf_fonts"))
            })
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .body(bytes))
}

// ------------------------------------------------------------------ dispatch and receipt

/// A receiving agency.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    /// Its exchange member (`KR/GOV/1310000`; this deployment's own for a local agency).
    pub member: String,
    /// Its agency code.
    pub agency: String,
}

fn recipients_ok(r: &[Recipient], ptr: &str, e: &mut Vec<FieldError>) {
    for (i, x) in r.iter().enumerate() {
        if x.member.split('/').count() != 3 || !code_ok(&x.member) {
            e.push(field(
                &format!("{ptr}/{i}/member"),
                "an exchange member INSTANCE/CLASS/CODE",
            ));
        }
        if !code_ok(&x.agency) || x.agency.len() > 32 {
            e.push(field(&format!("{ptr}/{i}/agency"), "an agency code"));
        }
    }
}

/// Recipients.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DispatchInput {
    pub recipients: Vec<Recipient>,
}

/// Dispatches a registered document (시행) to other agencies through the exchange; each
/// delivery is confirmed by the recipient (or kept as failed, to retry), and the receipt
/// confirmation comes back when the recipient registers it.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")), request_body = DispatchInput,
    responses((status = 200, description = "One dispatch per recipient (delivered or failed)", body = Object),
              (status = 404, description = "No such document for you", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 409, description = "Not registered", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer"])))]
#[post("/documents/{id}/dispatch")]
pub async fn dispatch_document(
    auth: Authorized<Officer>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    body: web::Json<DispatchInput>,
) -> Result<HttpResponse, Error> {
    let b = body.into_inner();
    let mut e = Vec::new();
    if b.recipients.is_empty() || b.recipients.len() > 50 {
        e.push(field("/recipients", "1-50 recipients"));
    }
    recipients_ok(&b.recipients, "/recipients", &mut e);
    fields(e)?;
    let id = doc_id(&id)?;
    let out = exchange::dispatch(
        &d,
        &auth.subject,
        &agency(&auth),
        &id,
        b.recipients
            .into_iter()
            .map(|r| (r.member, r.agency))
            .collect(),
        "dispatch",
        auth.has_role(crate::OFFICE_ROLE),
    )
    .await?;
    Ok(HttpResponse::Ok().json(json!({"dispatches": out})))
}

/// A document's dispatches with their delivery and receipt confirmations.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")),
    responses((status = 200, description = "Dispatches", body = Object),
              (status = 404, description = "No such document for you", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer", "kind:auditor"])))]
#[get("/documents/{id}/dispatches")]
pub async fn dispatches(
    auth: Authorized<Reader>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let doc = visible(&d, &auth, &id).await?;
    let rows = d.db().run(move |c| store::dispatches(c, &doc.id)).await?;
    Ok(HttpResponse::Ok()
        .json(json!({"dispatches": rows.iter().map(exchange::dispatch_json).collect::<Vec<_>>()})))
}

/// Retries a failed dispatch.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id"), ("dispatch" = String, Path, description = "Dispatch id")),
    responses((status = 200, description = "The dispatch", body = Object),
              (status = 404, description = "No such document or dispatch", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 409, description = "Not failed", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer"])))]
#[post("/documents/{id}/dispatches/{dispatch}/retry")]
pub async fn retry(
    auth: Authorized<Officer>,
    d: web::Data<Docflow>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Error> {
    let (id, dispatch) = path.into_inner();
    let id = doc_id(&id)?;
    Ok(HttpResponse::Ok()
        .json(exchange::retry(&d, &auth.subject, &agency(&auth), &id, &dispatch).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
    /// Page size (1-1000; capped by `[docflow] max_page_size`).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

fn parse_cursor(s: Option<&str>) -> Result<(NaiveDateTime, String), Error> {
    let Some(s) = s else {
        // Before any document (PostgreSQL's timestamps do not reach chrono's minimum).
        let start = NaiveDate::from_ymd_opt(1900, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0));
        return Ok((start.unwrap_or_default(), String::new()));
    };
    let bad = || Error::invalid_field("query:after", "a cursor from a previous page");
    let (t, id) = s.split_once('|').ok_or_else(bad)?;
    let t = DateTime::parse_from_rfc3339(t)
        .map_err(|_| bad())?
        .naive_utc();
    Ok((t, id.to_owned()))
}

fn limit_of(d: &Docflow, l: Option<i64>) -> Result<i64, Error> {
    match l {
        Some(n) if !(1..=1000).contains(&n) => Err(Error::invalid_field("query:limit", "1-1000")),
        n => Ok(n
            .unwrap_or(50)
            .min(i64::from(d.settings().docflow.max_page_size))),
    }
}

fn work_page(rows: Vec<store::WorkRow>, limit: i64) -> Value {
    let next = (rows.len() as i64 == limit)
        .then(|| {
            rows.last()
                .map(|r| format!("{}|{}", stamp_rfc(r.due_at), r.id))
        })
        .flatten();
    json!({"items": rows.iter().map(|r| json!({"id": r.id, "title": r.title, "status": r.status, "doc_type": r.doc_type,
        "due_at": r.due_at.and_utc(), "registration_no": r.registration_no, "step": r.step_kind})).collect::<Vec<_>>(),
        "next": next})
}

fn stamp_rfc(t: NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// The document office's inbox: documents delivered by other agencies, not yet received.
#[utoipa::path(tag = "docflow", params(PageQuery),
    responses((status = 200, description = "A page", body = Object),
              (status = 422, description = "A query parameter is invalid", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer", "role:docflow.office"])))]
#[get("/inbox")]
pub async fn inbox(
    auth: Authorized<Office>,
    d: web::Data<Docflow>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, Error> {
    let after = parse_cursor(q.after.as_deref())?;
    let limit = limit_of(&d, q.limit)?;
    let ag = agency(&auth);
    let rows = d
        .db()
        .run(move |c| store::inbox(c, &ag, &after, limit))
        .await?;
    Ok(HttpResponse::Ok().json(work_page(rows, limit)))
}

/// The document office's receipt.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiveInput {
    /// The processing unit that registers it (its receipt ledger).
    pub unit_id: String,
    /// The handler's account.
    pub handler: String,
    pub doc_type: Option<String>,
    pub retention: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
}

/// Receives a delivered document (접수): a receipt registration number (gapless per unit
/// and year), a handler (circulated it), and the receipt confirmation sent back to the
/// sender through the exchange.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")), request_body = ReceiveInput,
    responses((status = 200, description = "Received", body = Object),
              (status = 404, description = "No such document or unit", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 409, description = "Not waiting for receipt", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer", "role:docflow.office"])))]
#[post("/documents/{id}/receive")]
pub async fn receive(
    auth: Authorized<Office>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    body: web::Json<ReceiveInput>,
) -> Result<HttpResponse, Error> {
    let b = body.into_inner();
    if !text_ok(&b.handler, 1, 128) {
        return Err(Error::invalid_field("/handler", "an account id"));
    }
    let id = doc_id(&id)?;
    let r = exchange::Receipt {
        unit: b.unit_id,
        handler: b.handler,
        doc_type: b.doc_type,
        retention: b.retention,
        due_at: b.due_at.map(|t| t.naive_utc()),
    };
    Ok(
        HttpResponse::Ok()
            .json(exchange::receive(&d, &auth.subject, &agency(&auth), &id, r).await?),
    )
}

/// Sends the receipt confirmation of a received document again (after a failure).
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")),
    responses((status = 200, description = "Sent or failed", body = Object),
              (status = 404, description = "No such document", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 409, description = "Not received", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer", "role:docflow.office"])))]
#[post("/documents/{id}/confirm-receipt")]
pub async fn confirm_receipt(
    auth: Authorized<Office>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let doc = visible(&d, &auth, &id).await?;
    if doc.status != status::RECEIVED {
        return Err(Error::with_detail(
            errors::ILLEGAL_STATE,
            "only a received document is confirmed",
        ));
    }
    let sender: Value = doc
        .sender
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(Value::Null);
    Ok(HttpResponse::Ok().json(exchange::confirm_receipt(&d, &auth.subject, &doc, &sender).await?))
}

// ------------------------------------------------------------------ work lists and ledger

/// Which work list.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkList {
    /// My drafts (not submitted).
    Drafts,
    /// Steps waiting for me (my positions, and those I stand in for today).
    Awaiting,
    /// My documents returned to me.
    Returned,
    /// Documents circulated to me.
    Circulated,
}

/// A work list, by due date, with keyset pagination (`next` → `after`).
#[utoipa::path(tag = "docflow", params(("list" = inline(WorkList), Path, description = "Which list"), PageQuery),
    responses((status = 200, description = "A page", body = Object),
              (status = 422, description = "A query parameter is invalid", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer"])))]
#[get("/work/{list}")]
pub async fn work(
    auth: Authorized<Officer>,
    d: web::Data<Docflow>,
    list: web::Path<WorkList>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, Error> {
    let after = parse_cursor(q.after.as_deref())?;
    let limit = limit_of(&d, q.limit)?;
    let acc = auth.subject.clone();
    let chain = d.rules().map(|r| r.acting_chain_limit).unwrap_or(1);
    let list = list.into_inner();
    let rows = d
        .db()
        .run(move |c| match list {
            WorkList::Drafts => store::work_drafts(c, &acc, status::DRAFTING, &after, limit),
            WorkList::Returned => store::work_drafts(c, &acc, status::RETURNED, &after, limit),
            WorkList::Circulated => store::work_circulated(c, &acc, &after, limit),
            WorkList::Awaiting => {
                let positions = service::work_positions(c, &acc, service::now(), chain)?;
                store::work_awaiting(c, &positions, &after, limit)
            }
        })
        .await?;
    Ok(HttpResponse::Ok().json(work_page(rows, limit)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LedgerQuery {
    pub unit: String,
    #[param(minimum = 1900, maximum = 9999)]
    pub year: i32,
    /// `production` or `receipt`.
    pub kind: String,
    /// Serials after this one.
    #[param(minimum = 0)]
    pub after: Option<i64>,
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// A unit's registration ledger (production or receipt) for a year, in serial order.
#[utoipa::path(tag = "docflow", params(LedgerQuery),
    responses((status = 200, description = "Ledger entries", body = Object),
              (status = 404, description = "No such unit of your agency", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 422, description = "A query parameter is invalid", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer", "kind:auditor"])))]
#[get("/ledger")]
pub async fn ledger(
    auth: Authorized<Reader>,
    d: web::Data<Docflow>,
    q: web::Query<LedgerQuery>,
) -> Result<HttpResponse, Error> {
    let q = q.into_inner();
    let mut e = Vec::new();
    if !(1900..=9999).contains(&q.year) {
        e.push(field("query:year", "1900-9999"));
    }
    if q.kind != "production" && q.kind != "receipt" {
        e.push(field("query:kind", "production or receipt"));
    }
    if q.after.is_some_and(|a| a < 0) {
        e.push(field("query:after", "0 or more"));
    }
    fields(e)?;
    let limit = limit_of(&d, q.limit)?;
    let who = auth.clone();
    let rows = d
        .db()
        .run(move |c| {
            let unit =
                store::unit(c, &q.unit)?.ok_or_else(|| Error::new(errors::UNIT_NOT_FOUND))?;
            if who.kind != Kind::Auditor && who.agency.as_deref() != Some(unit.agency.as_str()) {
                return Err(Error::new(errors::UNIT_NOT_FOUND));
            }
            store::ledger(c, &unit.id, q.year, &q.kind, q.after.unwrap_or(0), limit)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"entries": rows.iter().map(|r| json!({"serial": r.serial, "registration_no": r.registration_no,
        "document": r.document_id, "title": r.title, "at": r.at.and_utc()})).collect::<Vec<_>>(),
        "next": (rows.len() as i64 == limit).then(|| rows.last().map(|r| r.serial)).flatten()})))
}

// ------------------------------------------------------------------ records

/// A record file.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileInput {
    pub unit_id: String,
    /// Function classification (unit task).
    pub classification: String,
    pub title: String,
    pub year: i32,
    /// A retention class of the pack.
    pub retention: String,
}

/// Creates a record file (기록물철) for a unit task and year.
#[utoipa::path(tag = "docflow", request_body = FileInput,
    responses((status = 201, description = "Created", body = Object)),
    security(("bearer" = ["kind:officer", "role:docflow.records", "aal:2"])))]
#[post("/records/files")]
pub async fn add_file(
    auth: Authorized<Records>,
    d: web::Data<Docflow>,
    body: web::Json<FileInput>,
) -> Result<HttpResponse, Error> {
    let b = body.into_inner();
    let rules = d.rules()?;
    let mut e = Vec::new();
    if !code_ok(&b.classification) {
        e.push(field("/classification", "a function classification code"));
    }
    if !text_ok(&b.title, 1, 300) {
        e.push(field("/title", "1-300 characters"));
    }
    if !(1900..=9999).contains(&b.year) {
        e.push(field("/year", "1900-9999"));
    }
    if rules.retention_class(&b.retention).is_none() {
        e.push(field("/retention", "a retention class of the country pack"));
    }
    fields(e)?;
    let ag = agency(&auth);
    let row = store::FileRow {
        id: service::new_id(),
        agency: ag.clone(),
        unit_id: b.unit_id,
        classification: b.classification,
        title: b.title,
        year: b.year,
        retention: b.retention,
        created_by: auth.subject.clone(),
        created_at: service::now(),
    };
    let r = row.clone();
    d.db()
        .transaction(move |c| {
            if store::unit(c, &r.unit_id)?
                .filter(|u| u.agency == ag)
                .is_none()
            {
                return Err(Error::invalid_field(
                    "/unit_id",
                    "no such unit of your agency",
                ));
            }
            store::insert_file(c, &r)
        })
        .await?;
    Ok(HttpResponse::Created().json(
        json!({"id": row.id, "classification": row.classification, "title": row.title,
        "year": row.year, "retention": row.retention}),
    ))
}

/// The agency's record files.
#[utoipa::path(tag = "docflow", responses((status = 200, description = "Files", body = Object)),
    security(("bearer" = ["kind:officer"])))]
#[get("/records/files")]
pub async fn files(
    auth: Authorized<Officer>,
    d: web::Data<Docflow>,
) -> Result<HttpResponse, Error> {
    let ag = agency(&auth);
    let rows = d.db().run(move |c| store::files(c, &ag)).await?;
    Ok(HttpResponse::Ok().json(json!({"files": rows.iter().map(|f| json!({"id": f.id, "unit": f.unit_id,
        "classification": f.classification, "title": f.title, "year": f.year, "retention": f.retention})).collect::<Vec<_>>()})))
}

/// Which file.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileDocumentInput {
    pub file_id: String,
}

/// Files a registered or received document in a record file; the document takes the file's
/// retention class.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")), request_body = FileDocumentInput,
    responses((status = 200, description = "Filed", body = Object),
              (status = 404, description = "No such document or file", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 409, description = "Not registered or received", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer", "role:docflow.records", "aal:2"])))]
#[put("/documents/{id}/file")]
pub async fn file_document(
    auth: Authorized<Records>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    body: web::Json<FileDocumentInput>,
) -> Result<HttpResponse, Error> {
    let id = doc_id(&id)?;
    let (acc, ag, file) = (
        auth.subject.clone(),
        agency(&auth),
        body.into_inner().file_id,
    );
    let doc = d
        .db()
        .transaction(move |c| {
            let mut doc = service::locked(c, &id, &ag)?;
            let f = store::file(c, &file)?
                .filter(|f| f.agency == ag)
                .ok_or_else(|| Error::new(errors::FILE_NOT_FOUND))?;
            if doc.completed_at.is_none() || doc.status == status::DISPOSED {
                return Err(Error::with_detail(
                    errors::ILLEGAL_STATE,
                    "only a registered or received document is filed",
                ));
            }
            doc.file_id = Some(f.id.clone());
            doc.retention = f.retention.clone();
            doc.updated_at = service::now();
            store::save_document(c, &doc)?;
            service::append(
                c,
                &doc.id,
                &acc,
                None,
                "filed",
                json!({"file": f.id, "classification": f.classification, "retention": f.retention}),
                service::now(),
            )?;
            Ok(doc)
        })
        .await?;
    Ok(HttpResponse::Ok().json(doc_json(&doc)))
}

fn records_json(
    rules: &Rules,
    doc: &DocumentRow,
    holds: &[store::HoldRow],
    disposal: Option<&store::DisposalRow>,
) -> Value {
    json!({
        "document": doc.id, "status": doc.status, "retention": doc.retention,
        "retention_name": rules.retention_class(&doc.retention).map(|r| r.name.clone()),
        "completed_at": doc.completed_at.map(|t| t.and_utc()),
        "retain_until": doc.completed_at.and_then(|t| service::retain_until(rules, &doc.retention, t)),
        "permanent": rules.retention_class(&doc.retention).is_some_and(|r| r.years.is_none()),
        "holds": holds.iter().map(|h| json!({"id": h.id, "reason": h.reason, "authority": h.authority, "placed_by": h.placed_by,
            "placed_at": h.placed_at.and_utc(), "released_by": h.released_by, "released_at": h.released_at.map(|t| t.and_utc()),
            "release_reason": h.release_reason, "in_force": h.released_at.is_none()})).collect::<Vec<_>>(),
        "disposal": disposal.map(|x| json!({"id": x.id, "certificate": serde_json::from_str::<Value>(&x.certificate).unwrap_or(Value::Null),
            "signature": x.signature, "authorised_by": x.authorised_by, "at": x.at.and_utc()})),
    })
}

/// A document's records status: retention class and end, legal holds, disposal certificate.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")),
    responses((status = 200, description = "Records status", body = Object),
              (status = 404, description = "No such document for you", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer", "kind:auditor"])))]
#[get("/documents/{id}/records")]
pub async fn records_status(
    auth: Authorized<Reader>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let doc = visible(&d, &auth, &id).await?;
    let rules = d.rules()?.clone();
    let v = d
        .db()
        .run(move |c| {
            let holds = store::holds(c, &doc.id)?;
            let disposal = store::disposal(c, &doc.id)?;
            Ok(records_json(&rules, &doc, &holds, disposal.as_ref()))
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// A legal hold.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldInput {
    pub reason: String,
    /// The order, case or request that requires it.
    pub authority: String,
}

/// Places a legal hold: while in force, no one — records managers, agency or platform
/// administrators — can dispose of the document.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")), request_body = HoldInput,
    responses((status = 201, description = "Placed", body = Object),
              (status = 404, description = "No such document for you", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer", "role:docflow.records", "aal:2"])))]
#[post("/documents/{id}/holds")]
pub async fn add_hold(
    auth: Authorized<Records>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    body: web::Json<HoldInput>,
) -> Result<HttpResponse, Error> {
    let b = body.into_inner();
    egov_core::text::reason("/reason", &b.reason)?;
    if !text_ok(&b.authority, 3, 300) {
        return Err(Error::invalid_field("/authority", "3-300 characters"));
    }
    let id = doc_id(&id)?;
    let (acc, ag) = (auth.subject.clone(), agency(&auth));
    let row = d
        .db()
        .transaction(move |c| {
            let doc = service::locked(c, &id, &ag)?;
            if doc.status == status::DISPOSED {
                return Err(Error::with_detail(
                    errors::ILLEGAL_STATE,
                    "the document was disposed of",
                ));
            }
            let at = service::now();
            let row = store::HoldRow {
                id: service::new_id(),
                document_id: doc.id.clone(),
                reason: b.reason,
                authority: b.authority,
                placed_by: acc.clone(),
                placed_at: at,
                released_by: None,
                released_at: None,
                release_reason: None,
            };
            store::insert_hold(c, &row)?;
            service::append(
                c,
                &doc.id,
                &acc,
                None,
                "legal_hold_placed",
                json!({"hold": row.id, "reason": row.reason, "authority": row.authority}),
                at,
            )?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Created().json(
        json!({"id": row.id, "document": row.document_id, "reason": row.reason,
        "authority": row.authority, "placed_at": row.placed_at.and_utc()}),
    ))
}

/// Releases a legal hold (a records manager of the agency, with a reason; administrators
/// cannot).
#[utoipa::path(tag = "docflow", params(("hold" = String, Path, description = "Hold id")), request_body = ReasonInput,
    responses((status = 200, description = "Released", body = Object),
              (status = 404, description = "No such hold in force", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer", "role:docflow.records", "aal:2"])))]
#[post("/holds/{hold}/release")]
pub async fn release_hold(
    auth: Authorized<Records>,
    d: web::Data<Docflow>,
    hold: web::Path<String>,
    body: web::Json<ReasonInput>,
) -> Result<HttpResponse, Error> {
    let b = body.into_inner();
    egov_core::text::reason("/reason", &b.reason)?;
    let (acc, ag, hold) = (auth.subject.clone(), agency(&auth), hold.into_inner());
    d.db()
        .transaction(move |c| {
            let h = store::hold(c, &hold)?.ok_or_else(|| Error::new(errors::HOLD_NOT_FOUND))?;
            let doc = service::locked(c, &h.document_id, &ag)
                .map_err(|_| Error::new(errors::HOLD_NOT_FOUND))?;
            let at = service::now();
            if store::release_hold(c, &h.id, &acc, at, &b.reason)? == 0 {
                return Err(Error::new(errors::HOLD_NOT_FOUND));
            }
            service::append(
                c,
                &doc.id,
                &acc,
                None,
                "legal_hold_released",
                json!({"hold": h.id, "reason": b.reason}),
                at,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"released": true})))
}

/// Disposes of a document whose retention period has ended and that no legal hold covers:
/// the contents of every version and the attachments are destroyed; the metadata, the
/// signatures, the history and a signed disposal certificate remain. Allowed to the records
/// manager and to administrators — and refused to all of them while a hold is in force.
#[utoipa::path(tag = "docflow", params(("id" = String, Path, description = "Document id")), request_body = ReasonInput,
    responses((status = 200, description = "Disposed, with the certificate", body = Object),
              (status = 403, description = "An officer without the records role", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 404, description = "No such document", body = egov_core::error::Problem, content_type = PROBLEM),
              (status = 409, description = "A legal hold is in force, or the retention period runs", body = egov_core::error::Problem, content_type = PROBLEM)),
    security(("bearer" = ["kind:officer", "kind:agency_admin", "kind:platform_admin", "aal:2"])))]
#[post("/documents/{id}/dispose")]
pub async fn dispose(
    auth: Authorized<Disposer>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
    body: web::Json<ReasonInput>,
) -> Result<HttpResponse, Error> {
    let b = body.into_inner();
    egov_core::text::reason("/reason", &b.reason)?;
    let id = doc_id(&id)?;
    let rules = d.rules()?.clone();
    let (dd, who) = (d.get_ref().clone(), auth.clone());
    let v = d
        .db()
        .transaction(move |c| {
            let mut doc = store::lock_document(c, &id)?
                .filter(|x| who.kind == Kind::PlatformAdmin || who.agency.as_deref() == Some(x.agency.as_str()))
                .ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))?;
            let holds = store::holds(c, &doc.id)?;
            if let Some(h) = holds.iter().find(|h| h.released_at.is_none()) {
                return Err(Error::with_detail(errors::LEGAL_HOLD, format!("hold {} ({}) is in force", h.id, h.authority)));
            }
            if who.kind == Kind::Officer && !who.has_role(crate::RECORDS_ROLE) {
                return Err(Error::with_detail(egov_core::error::codes::FORBIDDEN, "disposal needs the docflow.records role"));
            }
            if doc.status == status::DISPOSED {
                return Err(Error::with_detail(errors::ILLEGAL_STATE, "already disposed of"));
            }
            let at = service::now();
            let until = doc.completed_at.and_then(|t| service::retain_until(&rules, &doc.retention, t));
            match until {
                Some(u) if u <= at.date() => {}
                _ => return Err(Error::with_detail(errors::RETENTION_RUNNING,
                    format!("retention {} {}", doc.retention, until.map(|u| format!("runs until {u}")).unwrap_or_else(|| "is permanent (or the matter is not complete)".into())))),
            }
            let versions = store::versions(c, &doc.id)?;
            let head = store::last_event(c, &doc.id)?.map(|e| e.1);
            let cert = json!({
                "certificate": "disposal", "document": doc.id, "agency": doc.agency,
                "registration_no": doc.registration_no, "title": versions.last().map(|v| v.title.clone()),
                "retention": doc.retention, "completed_at": doc.completed_at.map(|t| t.and_utc()),
                "retain_until": until, "reason": b.reason, "authorised_by": who.subject, "authorised_kind": who.kind.as_str(),
                "at": service::stamp(at), "versions": versions.iter().map(|v| json!({"version": v.version, "digest": v.digest})).collect::<Vec<_>>(),
                "history_head": head,
            });
            let signature = dd.sign(c, &cert)?;
            let atts: Vec<String> = versions
                .iter()
                .flat_map(|v| serde_json::from_str::<Vec<Attachment>>(&v.attachments).unwrap_or_default())
                .map(|a| a.sha256)
                .collect();
            store::clear_versions(c, &doc.id)?;
            for a in atts {
                store::delete_blob(c, &a)?;
            }
            let row = store::DisposalRow { id: service::new_id(), document_id: doc.id.clone(), certificate: cert.to_string(),
                signature: signature.clone(), authorised_by: who.subject.clone(), at };
            store::insert_disposal(c, &row)?;
            doc.status = status::DISPOSED.into();
            doc.disposed_at = Some(at);
            doc.updated_at = at;
            store::save_document(c, &doc)?;
            service::append(c, &doc.id, &who.subject, None, "disposed", json!({"disposal": row.id, "reason": b.reason}), at)?;
            Ok(json!({"disposal": row.id, "certificate": cert, "signature": signature}))
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

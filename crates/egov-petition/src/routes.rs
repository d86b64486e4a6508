//! `/petition/v1`: the public catalogue and keys; applicants' applications (drafts,
//! attachments, evidence, submission, supplements, withdrawal, rating, reopening, documents);
//! officers' work lists, case views (each recorded in the access log with its purpose),
//! actions and revocations. `/petition/verify/{number}`: public document verification.

use actix_web::{HttpMessage as _, HttpRequest, HttpResponse, get, post, put, web};
use chrono::{NaiveDateTime, Utc};
use egov_auth::{AccessEntry, Authorized, Kind, Policy, Principal, Rule, SubjectKey};
use egov_core::Error;
use egov_core::error::FieldError;
use egov_core::request::RawBody;
use egov_exchange::Exchange;
use egov_exchange::client::{Call, CallError};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::catalogue::{Agency, FieldType, Period, PetitionKind, Service};
use crate::lifecycle::{Action, Actor, Status};
use crate::service::{self, By, now_micros, status_of};
use crate::store::{self, AttachmentRow, CaseRow, DocumentRow, EventRow, EvidenceRow};
use crate::{Petition, errors};

/// A citizen or a business account: an applicant.
#[derive(Debug)]
pub struct ApplicantPolicy;
impl Policy for ApplicantPolicy {
    const RULE: Rule = Rule::kinds(&[Kind::Citizen, Kind::Business]);
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

pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(
        scope::scope("/petition/v1")
            .service(list_services)
            .service(show_service)
            .service(list_agencies)
            .service(keys)
            .service(create_application)
            .service(my_applications)
            .service(my_application)
            .service(edit_form)
            .service(upload_attachment)
            .service(fetch_evidence)
            .service(submit_application)
            .service(withdraw)
            .service(supplement)
            .service(rate)
            .service(reopen)
            .service(my_documents)
            .service(work_list)
            .service(deadlines)
            .service(officer_case)
            .service(officer_attachment)
            .service(officer_action)
            .service(revoke_document),
    );
    cfg.service(scope::scope("/petition/verify").service(verify_document));
}

// ------------------------------------------------------------------ helpers

/// The applicant's subject key: a citizen's person key or `business:<number>`.
pub fn applicant_key(p: &Petition, who: &Principal) -> Result<String, Error> {
    who.subject_key(p.pack())
        .ok_or_else(|| Error::new(errors::NOT_AN_APPLICANT))
}

fn by_applicant(who: &Principal) -> By {
    By {
        account: who.subject.clone(),
        role: Actor::Applicant,
    }
}

fn id_ok(id: &str) -> Result<(), Error> {
    uuid::Uuid::parse_str(id)
        .map(|_| ())
        .map_err(|_| Error::new(errors::CASE_NOT_FOUND))
}

/// The applicant's own case: anyone else's is "not found" (no existence leak).
async fn own_case(p: &Petition, who: &Principal, id: &str) -> Result<CaseRow, Error> {
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
async fn agency_case(p: &Petition, who: &Principal, id: &str) -> Result<CaseRow, Error> {
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

use egov_core::text::free_text as text_rule;

fn reason_ok(pointer: &str, s: &str) -> Result<(), Error> {
    egov_core::text::reason(pointer, s)
}

fn purpose_ok(p: &str) -> Result<(), Error> {
    egov_core::text::purpose(p, "this case")
}

fn source_ip(p: &Petition, req: &HttpRequest) -> String {
    egov_core::request::source_ip(req, &p.0.trusted)
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
    let request_id = req
        .extensions()
        .get::<egov_core::request::RequestId>()
        .map(|r| r.0.clone());
    egov_auth::record(
        p.db(),
        AccessEntry {
            actor: officer.subject.clone(),
            source_ip: source_ip(p, req),
            subject: SubjectKey::from_stored(row.applicant.clone()),
            action,
            purpose: purpose.into(),
            module: crate::NAME.into(),
            record_ref: Some(row.id.clone()),
            request_id,
        },
    )
    .await
    .map(|_| ())
}

// ------------------------------------------------------------------ views

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceSummary {
    pub id: String,
    pub kind: PetitionKind,
    pub names: std::collections::BTreeMap<String, String>,
    pub agency: Option<String>,
    #[schema(value_type = String)]
    pub fee: rust_decimal::Decimal,
    pub currency: String,
    pub period: Period,
    pub issues_document: bool,
    pub open311: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub at: NaiveDateTime,
    pub action: String,
    pub from: String,
    pub to: String,
    pub reason: Option<String>,
    /// `applicant`, `officer` or `system`.
    pub actor_role: String,
    /// The acting account (officers' view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    #[schema(value_type = Object)]
    pub detail: Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceView {
    pub key: String,
    /// `upload` or `exchange`.
    pub source: String,
    pub attachment: Option<String>,
    /// The exchange service it was fetched from.
    pub provider: Option<String>,
    pub consent: Option<String>,
    /// The exchange message id and this side's message-log record: the proof of the fetch.
    pub message_id: Option<String>,
    pub log_seq: Option<i64>,
    #[schema(value_type = Option<Object>)]
    pub document: Option<Value>,
    pub fetched_at: NaiveDateTime,
}

impl From<EvidenceRow> for EvidenceView {
    fn from(e: EvidenceRow) -> Self {
        Self {
            key: e.key,
            source: e.source,
            attachment: e.attachment,
            provider: e.provider,
            consent: e.consent,
            message_id: e.message_id,
            log_seq: e.log_seq,
            document: e.document.and_then(|d| serde_json::from_str(&d).ok()),
            fetched_at: e.fetched_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: String,
    pub filename: String,
    /// Detected from the content.
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: NaiveDateTime,
}

impl From<AttachmentRow> for AttachmentView {
    fn from(a: AttachmentRow) -> Self {
        Self {
            id: a.id,
            filename: a.filename,
            content_type: a.content_type,
            size: a.size,
            sha256: a.sha256,
            created_at: a.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentView {
    /// The document-confirmation number printed on the document.
    pub number: String,
    /// What was signed (the machine-readable document).
    #[schema(value_type = Object)]
    pub document: Value,
    /// Detached JWS (EdDSA) over the canonical JSON of `document`; keys at
    /// `/petition/v1/keys`.
    pub signature: String,
    /// SHA-256 of the canonical document.
    pub digest: String,
    /// What the QR code on the document encodes: the verification address with the digest.
    pub qr_payload: String,
    pub issued_at: NaiveDateTime,
    pub valid_until: NaiveDateTime,
    pub verifiable_until: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

fn qr_payload(p: &Petition, number: &str, digest: &str) -> String {
    let base = p.0.settings.server.public_url.clone().unwrap_or_default();
    format!(
        "{}/petition/verify/{number}#sha256={digest}",
        base.trim_end_matches('/')
    )
}

fn document_view(p: &Petition, d: DocumentRow) -> DocumentView {
    DocumentView {
        qr_payload: qr_payload(p, &d.number, &d.digest),
        number: d.number,
        document: serde_json::from_str(&d.document).unwrap_or(Value::Null),
        signature: d.signature,
        digest: d.digest,
        issued_at: d.issued_at,
        valid_until: d.valid_until,
        verifiable_until: d.verifiable_until,
        revoked_at: d.revoked_at,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Location {
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub address: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    pub id: String,
    pub receipt_no: Option<String>,
    pub service: String,
    pub service_name: String,
    pub kind: String,
    /// The handling agency ('' while a draft).
    pub agency: String,
    pub status: Status,
    /// GeoReport v2 status: `open` or `closed`.
    pub open311_status: String,
    pub channel: String,
    #[schema(value_type = Object)]
    pub form: Value,
    pub location: Location,
    pub assignee: Option<String>,
    pub decision: Option<String>,
    pub decision_reason: Option<String>,
    pub remedies: Option<String>,
    /// The case this one was merged into (receipt number), and the cases merged into this one.
    pub merged_into: Option<String>,
    pub merged_from: Vec<String>,
    pub rating: Option<i32>,
    pub rating_comment: Option<String>,
    pub submitted_at: Option<NaiveDateTime>,
    /// When the statutory period ends (UTC); moves with pauses, extensions and transfers.
    pub due_at: Option<NaiveDateTime>,
    /// The clock is paused (a supplement is requested) since.
    pub paused_since: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    pub events: Vec<EventView>,
    pub evidence: Vec<EvidenceView>,
    pub attachments: Vec<AttachmentView>,
    pub documents: Vec<DocumentView>,
}

async fn case_view(p: &Petition, row: CaseRow, officer: bool) -> Result<CaseView, Error> {
    let pp = p.clone();
    p.db()
        .run(move |c| case_view_in(&pp, c, row, officer))
        .await
}

/// The whole case, read on `c` (inside the caller's transaction when there is one). Tables
/// that cannot hold rows for this service and status are not read.
pub(crate) fn case_view_in(
    p: &Petition,
    c: &mut egov_core::DbConnection,
    row: CaseRow,
    officer: bool,
) -> Result<CaseView, Error> {
    let id = row.id.clone();
    let svc = service::service_of(p, &row).ok();
    let uploads = svc.is_none_or(|s| {
        !s.evidence.is_empty() || s.fields.iter().any(|f| f.kind == FieldType::Attachment)
    });
    let events = store::events(c, &id)?;
    let (evidence, attachments) = if uploads {
        (store::evidence_of(c, &id)?, store::attachments_of(c, &id)?)
    } else {
        (Vec::new(), Vec::new())
    };
    let documents = if svc.is_none_or(|s| s.issues_document) && row.closed_at.is_some() {
        store::documents_of(c, &id)?
    } else {
        Vec::new()
    };
    let merged_from = if svc.is_none_or(|s| s.kind.is_epeople()) {
        store::merged_into(c, &id)?
    } else {
        Vec::new()
    };
    let merged_into = match &row.merged_into {
        Some(target) => store::case(c, target)?.and_then(|r| r.receipt_no),
        None => None,
    };
    let name = service::service_of(p, &row)
        .map(|s| s.name(&p.pack().default_language).to_owned())
        .unwrap_or_default();
    let status = status_of(&row);
    Ok(CaseView {
        id: row.id,
        receipt_no: row.receipt_no,
        service: row.service,
        service_name: name,
        kind: row.kind,
        agency: row.agency,
        status,
        open311_status: status.open311().into(),
        channel: row.channel,
        form: serde_json::from_str(&row.form).unwrap_or(Value::Null),
        location: Location {
            lat: row.lat,
            long: row.lon,
            address: row.address,
        },
        assignee: row.assignee,
        decision: row.decision,
        decision_reason: row.decision_reason,
        remedies: row.remedies,
        merged_into,
        merged_from,
        rating: row.rating,
        rating_comment: row.rating_comment,
        submitted_at: row.submitted_at,
        due_at: row.due_at,
        paused_since: row.paused_at,
        closed_at: row.closed_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
        events: events
            .into_iter()
            .map(|e: EventRow| EventView {
                at: e.at,
                action: e.action,
                from: e.from_status,
                to: e.to_status,
                reason: e.reason,
                actor: officer.then_some(e.actor),
                actor_role: e.actor_role,
                detail: serde_json::from_str(&e.detail).unwrap_or(Value::Null),
            })
            .collect(),
        evidence: evidence.into_iter().map(EvidenceView::from).collect(),
        attachments: attachments.into_iter().map(AttachmentView::from).collect(),
        documents: documents.into_iter().map(|d| document_view(p, d)).collect(),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseSummary {
    pub id: String,
    pub receipt_no: Option<String>,
    pub service: String,
    pub kind: String,
    pub agency: String,
    pub status: Status,
    pub assignee: Option<String>,
    pub submitted_at: Option<NaiveDateTime>,
    pub due_at: Option<NaiveDateTime>,
    pub paused: bool,
    pub overdue: bool,
}

pub(crate) fn summary(row: &CaseRow, now: NaiveDateTime) -> CaseSummary {
    let status = status_of(row);
    CaseSummary {
        id: row.id.clone(),
        receipt_no: row.receipt_no.clone(),
        service: row.service.clone(),
        kind: row.kind.clone(),
        agency: row.agency.clone(),
        status,
        assignee: row.assignee.clone(),
        submitted_at: row.submitted_at,
        due_at: row.due_at,
        paused: row.paused_at.is_some(),
        overdue: status.is_open() && row.paused_at.is_none() && row.due_at.is_some_and(|d| d < now),
    }
}

// ------------------------------------------------------------------ public

/// The service catalogue of the active country pack.
#[utoipa::path(tag = "petition", responses((status = 200, body = Vec<ServiceSummary>)), security(()))]
#[get("/services")]
pub async fn list_services(p: web::Data<Petition>) -> web::Json<Vec<ServiceSummary>> {
    let currency = p.pack().currency.code().to_owned();
    web::Json(
        p.catalogue()
            .services
            .values()
            .map(|s| ServiceSummary {
                id: s.id.clone(),
                kind: s.kind,
                names: s.names.clone(),
                agency: s.agency.clone(),
                fee: s.fee,
                currency: currency.clone(),
                period: s.period,
                issues_document: s.issues_document,
                open311: s.open311,
            })
            .collect(),
    )
}

/// One service: its form (typed fields), required evidence (and, for evidence the exchange
/// can provide, the consent to give), fee, agency, statutory period and legal basis.
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Service id")),
    responses(
        (status = 200, body = Service),
        (status = 404, description = "No such service", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(()),
)]
#[get("/services/{id}")]
pub async fn show_service(
    p: web::Data<Petition>,
    id: web::Path<String>,
) -> Result<web::Json<Service>, Error> {
    p.catalogue()
        .services
        .get(id.as_str())
        .cloned()
        .map(web::Json)
        .ok_or_else(|| Error::new(errors::SERVICE_NOT_FOUND))
}

/// The agencies of the country pack.
#[utoipa::path(tag = "petition", responses((status = 200, body = Vec<Agency>)), security(()))]
#[get("/agencies")]
pub async fn list_agencies(p: web::Data<Petition>) -> web::Json<Vec<Agency>> {
    web::Json(p.catalogue().agencies.values().cloned().collect())
}

/// The agencies' public signing keys (JWK set): check an issued document offline.
#[utoipa::path(tag = "petition", responses((status = 200, body = Object)), security(()))]
#[get("/keys")]
pub async fn keys(p: web::Data<Petition>) -> Result<web::Json<Value>, Error> {
    let rows = p.db().run(store::all_keys).await?;
    Ok(web::Json(json!({
        "keys": rows.iter().map(|k| json!({
            "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig",
            "kid": k.kid, "x": k.public_key, "agency": k.agency,
        })).collect::<Vec<_>>()
    })))
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DocumentVerification)]
pub struct Verification {
    pub number: String,
    /// `valid`, `expired` or `revoked`.
    pub status: String,
    /// The signature checks against the issuing agency's key.
    pub authentic: bool,
    /// SHA-256 of the canonical document: compare with the QR code's.
    pub digest: String,
    pub title: String,
    pub issuer: String,
    /// The holder as printed on the document (masked).
    pub holder: String,
    pub issued_at: NaiveDateTime,
    pub valid_until: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

/// Verifies an issued document by its confirmation number, without signing in: whether it
/// is authentic and still valid, and only what the document itself shows about its holder.
/// Every verification is logged.
#[utoipa::path(
    tag = "petition",
    params(("number" = String, Path, description = "Document-confirmation number")),
    responses(
        (status = 200, body = Verification),
        (status = 404, description = "Unknown, or past its verification window", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(()),
)]
#[get("/{number}")]
pub async fn verify_document(
    p: web::Data<Petition>,
    number: web::Path<String>,
    req: HttpRequest,
) -> Result<web::Json<Verification>, Error> {
    let number: String = number.chars().filter(char::is_ascii_digit).collect();
    if number.len() != 12 {
        return Err(Error::new(errors::DOCUMENT_NOT_FOUND));
    }
    let n = number.clone();
    let (row, key_rows) = p
        .db()
        .run(move |c| Ok((store::document(c, &n)?, store::all_keys(c)?)))
        .await?;
    let now = Utc::now().naive_utc();
    let row = row
        .filter(|d| d.verifiable_until > now)
        .ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))?;
    let doc: Value = serde_json::from_str(&row.document).unwrap_or(Value::Null);
    let authentic = p.verify(&key_rows, &doc, &row.signature);
    let status = if row.revoked_at.is_some() {
        "revoked"
    } else if row.valid_until <= now {
        "expired"
    } else {
        "valid"
    };
    tracing::info!(
        document = %number,
        status,
        authentic,
        source_ip = %source_ip(&p, &req),
        "document verified"
    );
    let s = |k: &str| {
        doc.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    Ok(web::Json(Verification {
        number: row.number,
        status: status.into(),
        authentic,
        digest: row.digest,
        title: s("title"),
        issuer: s("issuer"),
        holder: s("holder"),
        issued_at: row.issued_at,
        valid_until: row.valid_until,
        revoked_at: row.revoked_at,
    }))
}

// ------------------------------------------------------------------ applicants

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationInput {
    pub lat: Option<f64>,
    pub long: Option<f64>,
    /// One line, at most 300 characters.
    pub address: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApplication {
    /// The service id from the catalogue.
    pub service: String,
    /// Field values so far (checked by type; required fields only at submission).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub form: Map<String, Value>,
    /// Where (complaints about a place).
    pub location: Option<LocationInput>,
}

pub(crate) fn check_location(l: &LocationInput) -> Result<(), Error> {
    let mut errs = Vec::new();
    match (l.lat, l.long) {
        (Some(a), Some(o)) if (-90.0..=90.0).contains(&a) && (-180.0..=180.0).contains(&o) => {}
        (None, None) => {}
        _ => errs.push(FieldError {
            pointer: "/location".into(),
            detail: "lat (-90..90) and long (-180..180) together".into(),
        }),
    }
    if let Some(a) = &l.address
        && (!text_rule(a, 1, 300) || a.contains('\n'))
    {
        errs.push(FieldError {
            pointer: "/location/address".into(),
            detail: "one line of 1 to 300 characters".into(),
        });
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(Error::validation(errs))
    }
}

/// A new draft row for `service` (not yet stored).
/// (Public for the benchmark's seeding.)
pub fn draft_row(
    applicant: String,
    account: String,
    service: &Service,
    form: Map<String, Value>,
    location: Option<LocationInput>,
    channel: &str,
) -> CaseRow {
    let now = now_micros();
    let (category, region) = service::routing_keys(service, &form);
    let loc = location.unwrap_or(LocationInput {
        lat: None,
        long: None,
        address: None,
    });
    CaseRow {
        id: uuid::Uuid::now_v7().to_string(),
        service: service.id.clone(),
        kind: service::kind_str(service.kind).into(),
        agency: String::new(),
        applicant,
        applicant_account: account,
        channel: channel.into(),
        status: Status::Draft.as_str().into(),
        receipt_no: None,
        form: Value::Object(form).to_string(),
        category,
        region,
        lat: loc.lat,
        lon: loc.long,
        address: loc.address,
        assignee: None,
        decision: None,
        decision_reason: None,
        remedies: None,
        merged_into: None,
        rating: None,
        rating_comment: None,
        submitted_at: None,
        due_at: None,
        paused_at: None,
        closed_at: None,
        progress_noticed: false,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

/// Starts an application (a draft, saved and returned to later).
#[utoipa::path(
    tag = "petition",
    request_body = NewApplication,
    responses(
        (status = 201, body = CaseView),
        (status = 404, description = "No such service", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid form values", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[post("/applications")]
pub async fn create_application(
    auth: Authorized<ApplicantPolicy>,
    p: web::Data<Petition>,
    input: web::Json<NewApplication>,
) -> Result<HttpResponse, Error> {
    let applicant = applicant_key(&p, &auth)?;
    let input = input.into_inner();
    let service = p
        .catalogue()
        .services
        .get(&input.service)
        .ok_or_else(|| Error::new(errors::SERVICE_NOT_FOUND))?;
    if let Some(l) = &input.location {
        check_location(l)?;
    }
    let form = crate::catalogue::check_form(service, &input.form, p.pack(), false)
        .map_err(Error::validation)?;
    let row = draft_row(
        applicant,
        auth.subject.clone(),
        service,
        form,
        input.location,
        "web",
    );
    let r = row.clone();
    p.db().run(move |c| store::insert_case(c, &r)).await?;
    Ok(HttpResponse::Created().json(case_view(&p, row, false).await?))
}

/// My applications, newest first (at most 200).
#[utoipa::path(
    tag = "petition",
    responses((status = 200, body = Vec<CaseSummary>)),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[get("/applications")]
pub async fn my_applications(
    auth: Authorized<ApplicantPolicy>,
    p: web::Data<Petition>,
) -> Result<web::Json<Vec<CaseSummary>>, Error> {
    let key = applicant_key(&p, &auth)?;
    let rows = p.db().run(move |c| store::cases_of(c, &key, 200)).await?;
    let now = Utc::now().naive_utc();
    Ok(web::Json(rows.iter().map(|r| summary(r, now)).collect()))
}

/// One of my applications with its history, evidence, attachments and documents.
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Case id")),
    responses(
        (status = 200, body = CaseView),
        (status = 404, description = "No such case of yours", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[get("/applications/{id}")]
pub async fn my_application(
    auth: Authorized<ApplicantPolicy>,
    p: web::Data<Petition>,
    id: web::Path<String>,
) -> Result<web::Json<CaseView>, Error> {
    let row = own_case(&p, &auth, &id).await?;
    Ok(web::Json(case_view(&p, row, false).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormInput {
    /// The whole form (replaces the draft's).
    #[schema(value_type = Object)]
    pub form: Map<String, Value>,
    pub location: Option<LocationInput>,
}

/// Saves a draft's form.
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Case id")),
    request_body = FormInput,
    responses(
        (status = 200, body = CaseView),
        (status = 404, description = "No such case of yours", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid form values", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[put("/applications/{id}/form")]
pub async fn edit_form(
    auth: Authorized<ApplicantPolicy>,
    p: web::Data<Petition>,
    id: web::Path<String>,
    input: web::Json<FormInput>,
) -> Result<web::Json<CaseView>, Error> {
    let row = own_case(&p, &auth, &id).await?;
    let service = service::service_of(&p, &row)?.clone();
    let input = input.into_inner();
    if let Some(l) = &input.location {
        check_location(l)?;
    }
    let form = crate::catalogue::check_form(&service, &input.form, p.pack(), false)
        .map_err(Error::validation)?;
    let id = row.id.clone();
    let row = p
        .db()
        .transaction(move |c| {
            let mut r = store::case(c, &id)?.ok_or_else(|| Error::new(errors::CASE_NOT_FOUND))?;
            if status_of(&r) != Status::Draft {
                return Err(Error::with_detail(
                    errors::ILLEGAL_TRANSITION,
                    "only a draft's form can be edited; answer a supplement request instead",
                ));
            }
            let (category, region) = service::routing_keys(&service, &form);
            r.form = Value::Object(form).to_string();
            r.category = category;
            r.region = region;
            if let Some(l) = input.location {
                r.lat = l.lat;
                r.lon = l.long;
                r.address = l.address;
            }
            r.version += 1;
            r.updated_at = now_micros();
            if !store::save_case(c, &r)? {
                return Err(Error::new(errors::CONCURRENT_CHANGE));
            }
            Ok(r)
        })
        .await?;
    Ok(web::Json(case_view(&p, row, false).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AttachmentQuery {
    /// The file's name as the applicant knows it (1-200 characters; the type is decided by the
    /// content, not by this name).
    pub filename: String,
    /// The evidence key this upload provides, if any.
    pub evidence: Option<String>,
}

/// Uploads an attachment (the raw bytes as the body). The size limit comes from the
/// configuration; the type is recognised from the content and must be an accepted one;
/// the SHA-256 is recorded. Allowed while a draft or while a supplement is requested.
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Case id"), AttachmentQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses(
        (status = 201, body = AttachmentView),
        (status = 404, description = "No such case of yours", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case does not take attachments now", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Too large", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Content not of an accepted type", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid file name or evidence key", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[post("/applications/{id}/attachments")]
pub async fn upload_attachment(
    auth: Authorized<ApplicantPolicy>,
    p: web::Data<Petition>,
    id: web::Path<String>,
    query: web::Query<AttachmentQuery>,
    body: RawBody,
) -> Result<HttpResponse, Error> {
    let row = own_case(&p, &auth, &id).await?;
    let query = query.into_inner();
    if !text_rule(&query.filename, 1, 200) || query.filename.contains(['/', '\\', '\n']) {
        return Err(Error::invalid_field(
            "filename",
            "1 to 200 characters, no path separators or control characters",
        ));
    }
    let service = service::service_of(&p, &row)?;
    if let Some(k) = &query.evidence
        && !service.evidence.iter().any(|e| &e.key == k)
    {
        return Err(Error::invalid_field(
            "evidence",
            "not an evidence key of this service",
        ));
    }
    if service.evidence.is_empty()
        && !service
            .fields
            .iter()
            .any(|f| f.kind == FieldType::Attachment)
    {
        return Err(Error::invalid_field(
            "evidence",
            "this service takes no attachments",
        ));
    }
    let status = status_of(&row);
    if !matches!(status, Status::Draft | Status::SupplementRequested) {
        return Err(Error::with_detail(
            errors::ILLEGAL_TRANSITION,
            "attachments are accepted on drafts and while a supplement is requested",
        ));
    }
    let bytes = body.0;
    let settings = &p.0.settings.petition;
    if bytes.len() > settings.attachment_max_bytes {
        return Err(Error::with_detail(
            errors::ATTACHMENT_TOO_LARGE,
            format!("at most {} bytes", settings.attachment_max_bytes),
        ));
    }
    let detected = crate::blob::sniff(&bytes);
    let Some(content_type) = detected.filter(|t| settings.attachment_types.iter().any(|a| a == t))
    else {
        return Err(Error::with_detail(
            errors::ATTACHMENT_TYPE,
            format!(
                "the content is {}; accepted: {}",
                detected.unwrap_or("not recognised"),
                settings.attachment_types.join(", ")
            ),
        ));
    };
    let blobs = p.0.blobs.clone();
    let sha = web::block(move || blobs.put(&bytes).map(|sha| (sha, bytes.len())))
        .await
        .map_err(|e| Error::internal(anyhow::anyhow!("{e}")))?
        .map_err(|e| Error::internal(anyhow::anyhow!("blob store: {e}")))?;
    let att = AttachmentRow {
        id: uuid::Uuid::new_v4().to_string(),
        case_id: row.id.clone(),
        owner: auth.subject.clone(),
        filename: query.filename,
        content_type: content_type.into(),
        size: i64::try_from(sha.1).unwrap_or(i64::MAX),
        sha256: sha.0,
        created_at: now_micros(),
    };
    let a = att.clone();
    let evidence = query.evidence;
    p.db()
        .transaction(move |c| {
            store::insert_attachment(c, &a)?;
            if let Some(key) = evidence {
                store::put_evidence(
                    c,
                    &EvidenceRow {
                        case_id: a.case_id.clone(),
                        key,
                        source: "upload".into(),
                        attachment: Some(a.id.clone()),
                        provider: None,
                        consent: None,
                        message_id: None,
                        log_seq: None,
                        document: None,
                        fetched_at: a.created_at,
                    },
                )?;
            }
            Ok(())
        })
        .await?;
    Ok(HttpResponse::Created().json(AttachmentView::from(att)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceInput {
    /// The reference of the consent you gave at `POST /exchange/v1/me/consents` for this
    /// evidence (the service page names its client, service, purpose and items).
    pub consent: String,
}

/// The payload of an exchange request: constants, `field:<name>` for a form value (integral
/// numbers as JSON integers; a national ID must be the applicant's own), or
/// `applicant:business_id`.
fn evidence_payload(
    p: &Petition,
    row: &CaseRow,
    service: &Service,
    payload: &Map<String, Value>,
    form: &Map<String, Value>,
) -> Result<Map<String, Value>, Error> {
    let mut out = Map::new();
    for (k, v) in payload {
        let value = if let Some(name) = v.as_str().and_then(|s| s.strip_prefix("field:")) {
            let x = form.get(name).cloned().unwrap_or(Value::Null);
            let kind = service.field(name).map(|f| f.kind);
            if x.is_null() {
                return Err(Error::invalid_field(
                    format!("/form/{name}"),
                    "fill this field first: the evidence request needs it",
                ));
            }
            match kind {
                Some(FieldType::Number) => x
                    .as_str()
                    .and_then(|s| s.parse::<i64>().ok())
                    .map_or(x.clone(), |i| json!(i)),
                Some(FieldType::NationalId) => {
                    let own = x
                        .as_str()
                        .and_then(|s| p.pack().parse_national_id(s).ok())
                        .is_some_and(|id| p.0.index.national_id(&id).as_str() == row.applicant);
                    if !own {
                        return Err(Error::invalid_field(
                            format!("/form/{name}"),
                            "must be your own national ID to fetch your records",
                        ));
                    }
                    x
                }
                _ => x,
            }
        } else if v.as_str() == Some("applicant:business_id") {
            let b = row.applicant.strip_prefix("business:").ok_or_else(|| {
                Error::with_detail(
                    errors::NOT_AN_APPLICANT,
                    "this evidence is about a business: apply from the business account",
                )
            })?;
            json!(b)
        } else {
            v.clone()
        };
        out.insert(k.clone(), value);
    }
    Ok(out)
}

/// Fetches a piece of evidence from the agency that holds it, through the exchange, with
/// the consent you gave: the agency's signed answer is kept with the case (what, from whom,
/// when, and the exchange message). Without consent the exchange refuses and nothing is
/// kept: upload the document instead.
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Case id"), ("key" = String, Path, description = "Evidence key")),
    request_body = EvidenceInput,
    responses(
        (status = 201, body = EvidenceView),
        (status = 404, description = "No such case of yours, or no such evidence", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Refused by the exchange (consent, grant) or the provider", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The provider could not be reached", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[post("/applications/{id}/evidence/{key}")]
pub async fn fetch_evidence(
    auth: Authorized<ApplicantPolicy>,
    p: web::Data<Petition>,
    x: Option<web::Data<Exchange>>,
    path: web::Path<(String, String)>,
    input: web::Json<EvidenceInput>,
) -> Result<HttpResponse, Error> {
    let (id, key) = path.into_inner();
    let row = own_case(&p, &auth, &id).await?;
    let service = service::service_of(&p, &row)?.clone();
    let def = service
        .evidence
        .iter()
        .find(|e| e.key == key)
        .and_then(|e| e.exchange.clone())
        .ok_or_else(|| {
            Error::with_detail(
                errors::CASE_NOT_FOUND,
                "this service has no evidence by that key that the exchange provides",
            )
        })?;
    if !matches!(status_of(&row), Status::Draft | Status::SupplementRequested) {
        return Err(Error::with_detail(
            errors::ILLEGAL_TRANSITION,
            "evidence is gathered on drafts and while a supplement is requested",
        ));
    }
    if !text_rule(&input.consent, 1, 100) {
        return Err(Error::invalid_field("/consent", "a consent reference"));
    }
    let x = x.ok_or_else(|| {
        Error::with_detail(
            errors::EVIDENCE_UNAVAILABLE,
            "the exchange is not served in this process",
        )
    })?;
    let form: Map<String, Value> = serde_json::from_str(&row.form).unwrap_or_default();
    let target = if def.service.split('/').count() == 2 {
        format!("{}/{}", x.member(), def.service)
    } else {
        def.service.clone()
    };
    let mut call = Call::post(
        &target,
        &def.version,
        Value::Object(evidence_payload(&p, &row, &service, &def.payload, &form)?),
        &def.purpose,
    )
    .consent(&input.consent)
    .issue(&row.id)
    .user(&auth.subject);
    call = call.about(&row.applicant);
    if !def.items.is_empty() {
        let items: Vec<&str> = def.items.iter().map(String::as_str).collect();
        call = call.items(&items);
    }
    let answer = x.call(crate::NAME, call).await.map_err(|e| match &e {
        CallError::Refused { status, .. } if *status < 500 => Error::with_detail(
            errors::EVIDENCE_REFUSED,
            format!("{}: upload the document instead", e.code()),
        ),
        _ => Error::with_detail(errors::EVIDENCE_UNAVAILABLE, e.code().to_owned()),
    })?;
    let ev = EvidenceRow {
        case_id: row.id.clone(),
        key,
        source: "exchange".into(),
        attachment: None,
        provider: Some(target),
        consent: Some(input.consent.clone()),
        message_id: Some(answer.message_id),
        log_seq: Some(answer.log_seq),
        document: Some(answer.body.to_string()),
        fetched_at: now_micros(),
    };
    let e = ev.clone();
    p.db().run(move |c| store::put_evidence(c, &e)).await?;
    Ok(HttpResponse::Created().json(EvidenceView::from(ev)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Similar {
    pub receipt_no: Option<String>,
    pub status: Status,
    pub submitted_at: Option<NaiveDateTime>,
    /// Metres from this case's location, when both have one.
    pub distance_m: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubmitView {
    pub case: CaseView,
    /// Open cases like this one (same service and agency, nearby, recent): the officer may
    /// merge them. Shown without anyone's content.
    pub similar: Vec<Similar>,
}

fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let r = 6_371_000.0_f64;
    let (la1, la2) = (a.0.to_radians(), b.0.to_radians());
    let dla = la2 - la1;
    let dlo = (b.1 - a.1).to_radians();
    let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
    2.0 * r * h.sqrt().asin()
}

/// Open cases similar to `row` (complaints and proposals).
pub(crate) async fn similar(p: &Petition, row: &CaseRow) -> Result<Vec<Similar>, Error> {
    let service = service::service_of(p, row)?;
    if !service.kind.is_epeople() {
        return Ok(Vec::new());
    }
    let policy = &p.catalogue().policy;
    let since = now_micros() - chrono::Duration::days(i64::from(policy.duplicate_days));
    let like = row.clone();
    let rows = p
        .db()
        .run(move |c| store::open_since(c, &like, since, 200))
        .await?;
    let radius = f64::from(policy.duplicate_radius_m);
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let d = match (row.lat.zip(row.lon), r.lat.zip(r.lon)) {
                (Some(a), Some(b)) => Some(distance_m(a, b)),
                _ => None,
            };
            if d.is_some_and(|d| d > radius) {
                return None;
            }
            Some(Similar {
                status: status_of(&r),
                receipt_no: r.receipt_no,
                submitted_at: r.submitted_at,
                distance_m: d.map(|d| d.round() as u32),
            })
        })
        .take(5)
        .collect())
}

/// Submits the application: the form must be complete and the evidence present. The case
/// gets its receipt number (gapless per agency and year) and its due date on the pack's
/// working-day calendar; complaints are routed by the pack's rules and similar open cases
/// are suggested.
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Case id")),
    responses(
        (status = 200, body = SubmitView),
        (status = 404, description = "No such case of yours", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Incomplete: each missing or invalid item named", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[post("/applications/{id}/submit")]
pub async fn submit_application(
    auth: Authorized<ApplicantPolicy>,
    p: web::Data<Petition>,
    id: web::Path<String>,
) -> Result<web::Json<SubmitView>, Error> {
    id_ok(&id)?;
    let key = applicant_key(&p, &auth)?;
    let by = by_applicant(&auth);
    let pp = p.get_ref().clone();
    let id = id.into_inner();
    // One transaction: read (the applicant's own case only), submit, and read back the view.
    let (row, view) = p
        .db()
        .transaction(move |c| {
            let r = store::case(c, &id)?
                .filter(|r| r.applicant == key)
                .ok_or_else(|| Error::new(errors::CASE_NOT_FOUND))?;
            let row = service::submit(&pp, c, r, &by)?;
            let view = case_view_in(&pp, c, row.clone(), false)?;
            Ok((row, view))
        })
        .await?;
    let similar = similar(&p, &row).await?;
    Ok(web::Json(SubmitView {
        case: view,
        similar,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonInput {
    /// 5 to 1000 characters.
    pub reason: String,
}

/// Applies an applicant's action to their case in one transaction.
async fn applicant_act(
    p: &web::Data<Petition>,
    who: &Principal,
    id: &str,
    action: Action,
    reason: Option<String>,
    change: impl FnOnce(&Petition, &mut CaseRow) -> Result<(), Error> + Send + 'static,
) -> Result<CaseView, Error> {
    let row = own_case(p, who, id).await?;
    let by = by_applicant(who);
    let pp = p.get_ref().clone();
    let id = row.id.clone();
    let row = p
        .db()
        .transaction(move |c| {
            let r = store::case(c, &id)?.ok_or_else(|| Error::new(errors::CASE_NOT_FOUND))?;
            let pc = pp.clone();
            service::transition(&pp, c, r, &by, action, reason.as_deref(), json!({}), |r| {
                change(&pc, r)
            })
        })
        .await?;
    case_view(p, row, false).await
}

/// Withdraws my application (any time before a decision).
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Case id")),
    request_body = ReasonInput,
    responses(
        (status = 200, body = CaseView),
        (status = 404, description = "No such case of yours", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not possible in the current status", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[post("/applications/{id}/withdraw")]
pub async fn withdraw(
    auth: Authorized<ApplicantPolicy>,
    p: web::Data<Petition>,
    id: web::Path<String>,
    input: web::Json<ReasonInput>,
) -> Result<web::Json<CaseView>, Error> {
    reason_ok("/reason", &input.reason)?;
    let reason = input.into_inner().reason;
    Ok(web::Json(
        applicant_act(&p, &auth, &id, Action::Withdraw, Some(reason), |_, r| {
            r.closed_at = Some(now_micros());
            r.paused_at = None;
            Ok(())
        })
        .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplementInput {
    /// Changed form values (merged over the current form).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub form: Map<String, Value>,
    /// What was supplied: 5 to 1000 characters.
    pub note: String,
}

/// Answers a supplement request: the form changes are checked, and the clock resumes with
/// the due date moved by the working time the request took.
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Case id")),
    request_body = SupplementInput,
    responses(
        (status = 200, body = CaseView),
        (status = 404, description = "No such case of yours", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "No supplement is requested", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid form values", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[post("/applications/{id}/supplement")]
pub async fn supplement(
    auth: Authorized<ApplicantPolicy>,
    p: web::Data<Petition>,
    id: web::Path<String>,
    input: web::Json<SupplementInput>,
) -> Result<web::Json<CaseView>, Error> {
    let input = input.into_inner();
    reason_ok("/note", &input.note)?;
    let row = own_case(&p, &auth, &id).await?;
    let service = service::service_of(&p, &row)?.clone();
    let mut form: Map<String, Value> = serde_json::from_str(&row.form).unwrap_or_default();
    form.extend(input.form);
    let form =
        crate::catalogue::check_form(&service, &form, p.pack(), true).map_err(Error::validation)?;
    Ok(web::Json(
        applicant_act(
            &p,
            &auth,
            &id,
            Action::Supplement,
            Some(input.note),
            move |pp, r| {
                r.form = Value::Object(form).to_string();
                service::resume_clock(pp, r, now_micros())
            },
        )
        .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingInput {
    /// 1 (very dissatisfied) to 5 (very satisfied).
    pub score: i32,
    /// At most 1000 characters.
    pub comment: Option<String>,
}

/// Rates how a closed case was handled (once).
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Case id")),
    request_body = RatingInput,
    responses(
        (status = 200, body = CaseView),
        (status = 404, description = "No such case of yours", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not closed, or already rated", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid rating", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[post("/applications/{id}/rating")]
pub async fn rate(
    auth: Authorized<ApplicantPolicy>,
    p: web::Data<Petition>,
    id: web::Path<String>,
    input: web::Json<RatingInput>,
) -> Result<web::Json<CaseView>, Error> {
    let input = input.into_inner();
    if !(1..=5).contains(&input.score) {
        return Err(Error::invalid_field("/score", "1 to 5"));
    }
    if let Some(c) = &input.comment
        && !text_rule(c, 0, 1000)
    {
        return Err(Error::invalid_field("/comment", "at most 1000 characters"));
    }
    Ok(web::Json(
        applicant_act(&p, &auth, &id, Action::Rate, None, move |_, r| {
            if r.rating.is_some() {
                return Err(Error::new(errors::ALREADY_RATED));
            }
            r.rating = Some(input.score);
            r.rating_comment = input.comment;
            Ok(())
        })
        .await?,
    ))
}

/// Reopens a closed complaint or proposal ("not resolved") within the pack's window: it goes
/// back to review with a new statutory period.
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Case id")),
    request_body = ReasonInput,
    responses(
        (status = 200, body = CaseView),
        (status = 404, description = "No such case of yours", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not closed, not a complaint, or past the window", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[post("/applications/{id}/reopen")]
pub async fn reopen(
    auth: Authorized<ApplicantPolicy>,
    p: web::Data<Petition>,
    id: web::Path<String>,
    input: web::Json<ReasonInput>,
) -> Result<web::Json<CaseView>, Error> {
    reason_ok("/reason", &input.reason)?;
    let reason = input.into_inner().reason;
    Ok(web::Json(
        applicant_act(&p, &auth, &id, Action::Reopen, Some(reason), |pp, r| {
            let now = now_micros();
            let window = chrono::Duration::days(i64::from(pp.catalogue().policy.reopen_days));
            if r.closed_at.is_none_or(|c| c + window < now) {
                return Err(Error::new(errors::REOPEN_WINDOW));
            }
            let service = service::service_of(pp, r)?;
            r.due_at = Some(
                pp.clock()
                    .due(service.period, now)
                    .map_err(service::calendar_error)?,
            );
            r.closed_at = None;
            r.decision = None;
            r.decision_reason = None;
            r.remedies = None;
            r.rating = None;
            r.rating_comment = None;
            r.progress_noticed = false;
            Ok(())
        })
        .await?,
    ))
}

/// The documents issued on my application (signed, with their verification numbers).
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Case id")),
    responses(
        (status = 200, body = Vec<DocumentView>),
        (status = 404, description = "No such case of yours", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:citizen", "kind:business", "aal:1"])),
)]
#[get("/applications/{id}/documents")]
pub async fn my_documents(
    auth: Authorized<ApplicantPolicy>,
    p: web::Data<Petition>,
    id: web::Path<String>,
) -> Result<web::Json<Vec<DocumentView>>, Error> {
    let row = own_case(&p, &auth, &id).await?;
    let rows = p.db().run(move |c| store::documents_of(c, &row.id)).await?;
    Ok(web::Json(
        rows.into_iter().map(|d| document_view(&p, d)).collect(),
    ))
}

// ------------------------------------------------------------------ officers

fn officer_agency(who: &Principal) -> Result<String, Error> {
    who.agency.clone().ok_or_else(|| {
        Error::with_detail(
            egov_core::error::codes::FORBIDDEN,
            "this account belongs to no agency",
        )
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct WorkQuery {
    /// Only this status (default: every open status).
    pub status: Option<String>,
    pub service: Option<String>,
    /// Officer account id.
    pub assignee: Option<String>,
    /// Only cases due before this time (UTC, `YYYY-MM-DDTHH:MM:SS`).
    pub due_before: Option<NaiveDateTime>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
    /// Page size, 1 to the configured maximum (default 50).
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkPage {
    pub items: Vec<CaseSummary>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

fn cursor(row: &CaseRow) -> Option<String> {
    row.due_at.map(|d| {
        base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            format!("{}|{}", d.format("%Y-%m-%dT%H:%M:%S%.6f"), row.id),
        )
    })
}

fn parse_cursor(s: &str) -> Result<(NaiveDateTime, String), Error> {
    let bad = || Error::invalid_field("after", "not a cursor from this list");
    let raw = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, s)
        .map_err(|_| bad())?;
    let raw = String::from_utf8(raw).map_err(|_| bad())?;
    let (d, id) = raw.split_once('|').ok_or_else(bad)?;
    let d = NaiveDateTime::parse_from_str(d, "%Y-%m-%dT%H:%M:%S%.f").map_err(|_| bad())?;
    uuid::Uuid::parse_str(id).map_err(|_| bad())?;
    Ok((d, id.to_owned()))
}

/// The agency's work list by due time (earliest first), filtered by status, service,
/// assignee and due time, in pages (keyset cursor). Shows no applicant data (not logged).
#[utoipa::path(
    tag = "petition",
    params(WorkQuery),
    responses((status = 200, body = WorkPage)),
    security(("bearer" = ["kind:officer", "role:petition.officer", "aal:2"])),
)]
#[get("/officer/cases")]
pub async fn work_list(
    auth: Authorized<Officer>,
    p: web::Data<Petition>,
    query: web::Query<WorkQuery>,
) -> Result<web::Json<WorkPage>, Error> {
    let agency = officer_agency(&auth)?;
    let q = query.into_inner();
    let max = p.0.settings.petition.max_page_size.max(1);
    let limit = q.limit.unwrap_or(50.min(max));
    if !(1..=max).contains(&limit) {
        return Err(Error::invalid_field("limit", format!("1 to {max}")));
    }
    if let Some(s) = &q.status
        && Status::parse(s).is_none_or(|s| s == Status::Draft)
    {
        return Err(Error::invalid_field("status", "not a case status"));
    }
    let filter = store::WorkFilter {
        status: q.status,
        service: q.service,
        assignee: q.assignee,
        due_before: q.due_before,
        after: q.after.as_deref().map(parse_cursor).transpose()?,
        open_only: true,
    };
    let mut rows = p
        .db()
        .run(move |c| store::work_list(c, &agency, &filter, i64::from(limit) + 1))
        .await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let now = Utc::now().naive_utc();
    Ok(web::Json(WorkPage {
        next: if more {
            rows.last().and_then(cursor)
        } else {
            None
        },
        items: rows.iter().map(|r| summary(r, now)).collect(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeadlineQuery {
    /// `overdue` or `due_soon` (within the pack's working hours).
    pub kind: String,
}

/// The agency's overdue cases, or those due within the pack's "due soon" working hours
/// (clock running; paused cases are not counted), earliest first (at most 500).
#[utoipa::path(
    tag = "petition",
    params(DeadlineQuery),
    responses((status = 200, body = Vec<CaseSummary>)),
    security(("bearer" = ["kind:officer", "role:petition.officer", "aal:2"])),
)]
#[get("/officer/deadlines")]
pub async fn deadlines(
    auth: Authorized<Officer>,
    p: web::Data<Petition>,
    query: web::Query<DeadlineQuery>,
) -> Result<web::Json<Vec<CaseSummary>>, Error> {
    let agency = officer_agency(&auth)?;
    let now = Utc::now().naive_utc();
    let (from, to) = match query.kind.as_str() {
        "overdue" => (None, now),
        "due_soon" => (
            Some(now),
            p.clock()
                .horizon(now, p.catalogue().policy.due_soon_working_hours)
                .map_err(service::calendar_error)?,
        ),
        _ => return Err(Error::invalid_field("kind", "overdue or due_soon")),
    };
    let rows = p
        .db()
        .run(move |c| store::due_before(c, &agency, to, 500))
        .await?;
    Ok(web::Json(
        rows.iter()
            .filter(|r| from.is_none_or(|f| r.due_at.is_some_and(|d| d >= f)))
            .map(|r| summary(r, now))
            .collect(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PurposeQuery {
    /// Why you read this case: recorded in the access log.
    pub purpose: String,
}

/// A case of the officer's agency with everything in it. Recorded in the access log with
/// the purpose.
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Case id"), PurposeQuery),
    responses(
        (status = 200, body = CaseView),
        (status = 404, description = "No such case at your agency", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:officer", "role:petition.officer", "aal:2"])),
)]
#[get("/officer/cases/{id}")]
pub async fn officer_case(
    auth: Authorized<Officer>,
    p: web::Data<Petition>,
    id: web::Path<String>,
    query: web::Query<PurposeQuery>,
    req: HttpRequest,
) -> Result<web::Json<CaseView>, Error> {
    purpose_ok(&query.purpose)?;
    let row = agency_case(&p, &auth, &id).await?;
    access(
        &p,
        &req,
        &auth,
        &row,
        egov_auth::Action::View,
        &query.purpose,
    )
    .await?;
    Ok(web::Json(case_view(&p, row, true).await?))
}

/// An attachment's bytes. Recorded in the access log with the purpose.
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Case id"), ("attachment" = String, Path, description = "Attachment id"), PurposeQuery),
    responses(
        (status = 200, description = "The bytes, with their detected content type", content_type = "application/octet-stream"),
        (status = 404, description = "No such case at your agency, or no such attachment", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:officer", "role:petition.officer", "aal:2"])),
)]
#[get("/officer/cases/{id}/attachments/{attachment}")]
pub async fn officer_attachment(
    auth: Authorized<Officer>,
    p: web::Data<Petition>,
    path: web::Path<(String, String)>,
    query: web::Query<PurposeQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, Error> {
    purpose_ok(&query.purpose)?;
    let (id, att) = path.into_inner();
    let row = agency_case(&p, &auth, &id).await?;
    let case_id = row.id.clone();
    let a = p
        .db()
        .run(move |c| store::attachment(c, &att))
        .await?
        .filter(|a| a.case_id == case_id)
        .ok_or_else(|| Error::new(errors::ATTACHMENT_NOT_FOUND))?;
    access(
        &p,
        &req,
        &auth,
        &row,
        egov_auth::Action::Download,
        &query.purpose,
    )
    .await?;
    let blobs = p.0.blobs.clone();
    let sha = a.sha256.clone();
    let bytes = web::block(move || blobs.get(&sha))
        .await
        .map_err(|e| Error::internal(anyhow::anyhow!("{e}")))?
        .map_err(|e| Error::internal(anyhow::anyhow!("blob store: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type(a.content_type)
        .insert_header(("x-content-sha256", a.sha256))
        .body(bytes))
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

/// Acts on a case of the officer's agency: every action is a lifecycle transition (an
/// illegal one is refused and changes nothing), recorded with the officer, time and reason,
/// notified to the applicant, and recorded in the access log.
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "Case id")),
    request_body = OfficerAction,
    responses(
        (status = 200, body = CaseView),
        (status = 404, description = "No such case at your agency", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed in the case's status, or changed meanwhile", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid request", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:officer", "role:petition.officer", "aal:2"])),
)]
#[post("/officer/cases/{id}/actions")]
pub async fn officer_action(
    auth: Authorized<Officer>,
    p: web::Data<Petition>,
    id: web::Path<String>,
    input: web::Json<OfficerAction>,
    req: HttpRequest,
) -> Result<web::Json<CaseView>, Error> {
    let input = input.into_inner();
    check_action(&p, &input)?;
    let row = agency_case(&p, &auth, &id).await?;
    let (action, reason) = describe(&input);
    access(
        &p,
        &req,
        &auth,
        &row,
        egov_auth::Action::Change,
        &format!("petition.{}", action.as_str()),
    )
    .await?;
    let by = By {
        account: auth.subject.clone(),
        role: Actor::Officer,
    };
    let pp = p.get_ref().clone();
    let id = row.id.clone();
    let row = p
        .db()
        .transaction(move |c| apply(&pp, c, &id, &by, input, action, reason))
        .await?;
    Ok(web::Json(case_view(&p, row, true).await?))
}

fn optional_note(pointer: &str, n: Option<&String>) -> Result<(), Error> {
    match n {
        Some(n) if !text_rule(n, 0, 1000) => Err(Error::invalid_field(
            pointer,
            "at most 1000 characters, no control characters",
        )),
        _ => Ok(()),
    }
}

fn check_action(p: &Petition, a: &OfficerAction) -> Result<(), Error> {
    match a {
        OfficerAction::Receive { note }
        | OfficerAction::Review { note }
        | OfficerAction::Close { note } => optional_note("/note", note.as_ref()),
        OfficerAction::Assign { assignee } => {
            if text_rule(assignee, 1, 100) && !assignee.contains('\n') {
                Ok(())
            } else {
                Err(Error::invalid_field("/assignee", "an account id"))
            }
        }
        OfficerAction::RequestSupplement { reason } => reason_ok("/reason", reason),
        OfficerAction::Extend {
            working_days,
            reason,
        } => {
            reason_ok("/reason", reason)?;
            let max = p.catalogue().policy.max_extension_working_days;
            if (1..=max).contains(working_days) {
                Ok(())
            } else {
                Err(Error::invalid_field("/working_days", format!("1 to {max}")))
            }
        }
        OfficerAction::Decide {
            decision,
            reason,
            remedies,
        } => {
            reason_ok("/reason", reason)?;
            match (decision, remedies) {
                (Decision::Rejected, None) => Err(Error::invalid_field(
                    "/remedies",
                    "a rejection states the remedies available (appeal, administrative trial)",
                )),
                (_, Some(r)) => reason_ok("/remedies", r),
                _ => Ok(()),
            }
        }
        OfficerAction::Issue {} => Ok(()),
        OfficerAction::Transfer { agency, reason } => {
            reason_ok("/reason", reason)?;
            if p.catalogue().agencies.contains_key(agency) {
                Ok(())
            } else {
                Err(Error::with_detail(
                    errors::UNKNOWN_AGENCY,
                    "no such agency in the country pack",
                ))
            }
        }
        OfficerAction::Merge { into, reason } => {
            reason_ok("/reason", reason)?;
            if text_rule(into, 1, 64) {
                Ok(())
            } else {
                Err(Error::invalid_field("/into", "a receipt number"))
            }
        }
    }
}

fn describe(a: &OfficerAction) -> (Action, Option<String>) {
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
    let now = now_micros();
    let reason = reason.as_deref();
    match input {
        OfficerAction::Receive { .. } | OfficerAction::Review { .. } => {
            service::transition(p, c, row, by, action, reason, json!({}), |_| Ok(()))
        }
        OfficerAction::Assign { assignee } => service::transition(
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
            service::transition(p, c, row, by, action, reason, json!({}), |r| {
                r.paused_at = Some(now);
                Ok(())
            })
        }
        OfficerAction::Extend { working_days, .. } => {
            let due = row.due_at;
            let new_due = match due {
                Some(d) => Some(
                    p.clock()
                        .extend(d, working_days)
                        .map_err(service::calendar_error)?,
                ),
                None => None,
            };
            service::transition(
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
            service::transition(p, c, row, by, action, reason, json!({"decision": d}), |r| {
                if paused {
                    service::resume_clock(p, r, now)?;
                }
                r.decision = Some(d.into());
                r.decision_reason = reason.map(str::to_owned);
                r.remedies = remedies.clone();
                Ok(())
            })
        }
        OfficerAction::Issue {} => {
            let number = document_number();
            let row2 = service::transition(
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
            issue(p, c, &row2, &number, now)?;
            Ok(row2)
        }
        OfficerAction::Close { .. } => {
            service::transition(p, c, row, by, action, reason, json!({}), |r| {
                r.closed_at = Some(now);
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
            service::transition(
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
                    service::transfer_clock(p, r, now)
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
            service::transition(p, c, row, by, action, reason, json!({"into": into}), |r| {
                r.merged_into = Some(target.id.clone());
                r.closed_at = Some(now);
                r.paused_at = None;
                Ok(())
            })
        }
    }
}

/// A 12-digit document-confirmation number.
fn document_number() -> String {
    let mut b = [0u8; 8];
    let _ = getrandom::fill(&mut b);
    format!("{:012}", u64::from_le_bytes(b) % 1_000_000_000_000)
}

/// Issues the document of an approved case: what the form marks `on_document`, signed by
/// the agency's key, with its confirmation number and validity.
fn issue(
    p: &Petition,
    c: &mut egov_core::DbConnection,
    row: &CaseRow,
    number: &str,
    now: NaiveDateTime,
) -> Result<(), Error> {
    let service = service::service_of(p, row)?;
    let pack = p.pack();
    let form: Map<String, Value> = serde_json::from_str(&row.form).unwrap_or_default();
    let mut content = Map::new();
    let mut holder = String::new();
    for f in service.fields.iter().filter(|f| f.on_document) {
        if let Some(v) = form.get(&f.name) {
            if f.kind == FieldType::NationalId {
                let masked = v
                    .as_str()
                    .and_then(|s| pack.parse_national_id(s).ok())
                    .map(|id| id.masked().to_owned())
                    .unwrap_or_default();
                holder.clone_from(&masked);
                content.insert(f.name.clone(), json!(masked));
            } else {
                content.insert(f.name.clone(), v.clone());
            }
        }
    }
    if holder.is_empty() {
        holder = row
            .applicant
            .strip_prefix("business:")
            .unwrap_or("(identified applicant)")
            .to_owned();
    }
    let agency_name = p
        .catalogue()
        .agencies
        .get(&row.agency)
        .map(|a| {
            a.names
                .get(&pack.default_language)
                .cloned()
                .unwrap_or_default()
        })
        .unwrap_or_default();
    let valid_until = now + chrono::Duration::days(i64::from(service.document_valid_days));
    let verifiable_until =
        now + chrono::Duration::days(i64::from(service.document_verifiable_days));
    let doc = json!({
        "number": number,
        "title": service.name(&pack.default_language),
        "service": service.id,
        "issuer": row.agency,
        "issuer_name": agency_name,
        "holder": holder,
        "receipt_no": row.receipt_no,
        "content": content,
        "legal_basis": service.legal_basis,
        "issued_at": now,
        "valid_until": valid_until,
    });
    let canonical = egov_exchange::signature::canonical_json(&doc);
    let (key, kid) = p.agency_key(c, &row.agency)?;
    let signature = egov_exchange::signature::sign(&key, &kid, &canonical);
    store::insert_document(
        c,
        &DocumentRow {
            number: number.to_owned(),
            case_id: row.id.clone(),
            agency: row.agency.clone(),
            document: doc.to_string(),
            signature,
            digest: egov_core::digest::sha256_hex(canonical.as_bytes()),
            issued_at: now,
            valid_until,
            verifiable_until,
            revoked_at: None,
            revoke_reason: None,
        },
    )
}

/// Revokes an issued document of the officer's agency, with the reason: verification says
/// `revoked` from now on.
#[utoipa::path(
    tag = "petition",
    params(("number" = String, Path, description = "Document-confirmation number")),
    request_body = ReasonInput,
    responses(
        (status = 200, body = DocumentView),
        (status = 404, description = "No such document of your agency", body = egov_core::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already revoked", body = egov_core::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kind:officer", "role:petition.officer", "aal:2"])),
)]
#[post("/officer/documents/{number}/revoke")]
pub async fn revoke_document(
    auth: Authorized<Officer>,
    p: web::Data<Petition>,
    number: web::Path<String>,
    input: web::Json<ReasonInput>,
    req: HttpRequest,
) -> Result<web::Json<DocumentView>, Error> {
    reason_ok("/reason", &input.reason)?;
    let agency = officer_agency(&auth)?;
    let n = number.into_inner();
    if n.len() != 12 || !n.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::new(errors::DOCUMENT_NOT_FOUND));
    }
    let n2 = n.clone();
    let doc = p
        .db()
        .run(move |c| store::document(c, &n2))
        .await?
        .filter(|d| d.agency == agency)
        .ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))?;
    let row = agency_case(&p, &auth, &doc.case_id).await?;
    access(
        &p,
        &req,
        &auth,
        &row,
        egov_auth::Action::Change,
        "petition.revoke",
    )
    .await?;
    let reason = input.into_inner().reason;
    let actor = auth.subject.clone();
    let doc = p
        .db()
        .transaction(move |c| {
            let now = now_micros();
            if !store::revoke_document(c, &n, now, &reason)? {
                return Err(Error::new(errors::DOCUMENT_REVOKED));
            }
            store::insert_event(
                c,
                &EventRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    case_id: row.id.clone(),
                    at: now,
                    actor,
                    actor_role: "officer".into(),
                    action: "revoke".into(),
                    from_status: row.status.clone(),
                    to_status: row.status.clone(),
                    reason: Some(reason),
                    detail: json!({"document": n}).to_string(),
                },
            )?;
            service::notify(c, &row, &format!("revoke:{n}"), "petition.revoke", now)?;
            store::document(c, &n)?.ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))
        })
        .await?;
    Ok(web::Json(document_view(&p, doc)))
}

//! The agency's organisation: units, positions, assignments, stand-ins, handover.

use super::{
    OrgAdmin, account_id, after_start, agency, chars, code_ok, field, fields, text_ok, today,
};
use crate::Docflow;
use crate::service::{self};
use crate::store::{self};
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use egov_auth::{Authorized, Kind, Policy, Principal, Rule};
use egov_core::{Error, text};
use serde::Deserialize;
use utoipa::ToSchema;

/// The agency's organisation: units, positions, assignments, stand-ins (with validity), and
/// its current version.
#[utoipa::path(tag = "docflow", responses((status = 200, description = "Organisation", body = service::Organisation)),
    security(("bearer" = ["kind:officer", "kind:agency_admin"])))]
#[get("/org")]
pub async fn org(
    auth: Authorized<OrgReader>,
    d: web::Data<Docflow>,
) -> Result<web::Json<service::Organisation>, Error> {
    let ag = agency(&auth);
    let v = d.db().run(move |c| service::organisation(c, &ag)).await?;
    Ok(web::Json(v))
}

/// Officers and the agency admin.
#[derive(Debug)]
pub struct OrgReader;
impl Policy for OrgReader {
    const RULE: Rule = Rule::kinds(&[Kind::Officer, Kind::AgencyAdmin]);
}

/// Every organisation change of the agency, numbered (its versions).
#[utoipa::path(tag = "docflow", responses((status = 200, description = "Changes, oldest first", body = service::OrgChanges)),
    security(("bearer" = ["kind:officer", "kind:agency_admin"])))]
#[get("/org/changes")]
pub async fn org_changes(
    auth: Authorized<OrgReader>,
    d: web::Data<Docflow>,
) -> Result<web::Json<service::OrgChanges>, Error> {
    let ag = agency(&auth);
    let v = d.db().run(move |c| service::changes(c, &ag)).await?;
    Ok(web::Json(v))
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
    #[serde(default, deserialize_with = "egov_core::dates::date_opt")]
    pub valid_from: Option<NaiveDate>,
}

egov_core::problems!(AddUnitErrors:
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Adds a unit to the agency's organisation.
#[utoipa::path(tag = "docflow", request_body = UnitInput,
    responses(
        (status = 201, description = "Created, with the organisation version", body = service::OrgChanged),
        AddUnitErrors,
    ),
    security(("bearer" = ["kind:agency_admin"])))]
#[post("/org/units")]
pub async fn add_unit(
    auth: Authorized<OrgAdmin>,
    d: web::Data<Docflow>,
    body: web::Json<UnitInput>,
) -> Result<HttpResponse, Error> {
    let out = new_unit(&d, &auth, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(out))
}

/// Checks and adds a unit (the API's and the organisation page's way).
pub(crate) async fn new_unit(
    d: &Docflow,
    who: &Principal,
    b: UnitInput,
) -> Result<service::OrgChanged, Error> {
    let mut e = Vec::new();
    if !code_ok(&b.code) {
        e.push(field(
            "/code",
            text!("detail-docflow-code", "1-64 letters, digits or -_./"),
        ));
    }
    if !text_ok(&b.name, 1, 200) {
        e.push(field("/name", chars(1, 200)));
    }
    fields(e)?;
    let ag = agency(who);
    let row = store::UnitRow {
        id: service::new_id(),
        agency: ag.clone(),
        code: b.code,
        name: b.name,
        parent_id: b.parent_id,
        document_office: b.document_office,
        valid_from: b.valid_from.unwrap_or_else(|| today(d)),
        valid_to: None,
        created_at: d.now(),
    };
    let actor = who.subject.clone();
    d.db()
        .transaction(move |c| service::add_unit(c, &actor, row))
        .await
}

/// A new position.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PositionInput {
    pub unit_id: String,
    pub title: String,
    /// A rank level of the country pack (1 = head of agency).
    pub rank: i32,
    #[serde(default, deserialize_with = "egov_core::dates::date_opt")]
    pub valid_from: Option<NaiveDate>,
}

egov_core::problems!(AddPositionErrors:
    egov_core::error::codes::VALIDATION_FAILED,
    crate::errors::NOT_CONFIGURED,
);

/// Adds a position to a unit.
#[utoipa::path(tag = "docflow", request_body = PositionInput,
    responses(
        (status = 201, description = "Created, with the organisation version", body = service::OrgChanged),
        AddPositionErrors,
    ),
    security(("bearer" = ["kind:agency_admin"])))]
#[post("/org/positions")]
pub async fn add_position(
    auth: Authorized<OrgAdmin>,
    d: web::Data<Docflow>,
    body: web::Json<PositionInput>,
) -> Result<HttpResponse, Error> {
    let out = new_position(&d, &auth, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(out))
}

/// Checks and adds a position (the API's and the organisation page's way).
pub(crate) async fn new_position(
    d: &Docflow,
    who: &Principal,
    b: PositionInput,
) -> Result<service::OrgChanged, Error> {
    let rules = d.rules()?;
    let mut e = Vec::new();
    if !text_ok(&b.title, 1, 200) {
        e.push(field("/title", chars(1, 200)));
    }
    if rules.rank(b.rank).is_none() {
        e.push(field(
            "/rank",
            text!("detail-docflow-rank", "a rank level of the country pack"),
        ));
    }
    fields(e)?;
    let ag = agency(who);
    let row = store::PositionRow {
        id: service::new_id(),
        agency: ag.clone(),
        unit_id: b.unit_id,
        title: b.title,
        rank: b.rank,
        valid_from: b.valid_from.unwrap_or_else(|| today(d)),
        valid_to: None,
        created_at: d.now(),
    };
    let actor = who.subject.clone();
    d.db()
        .transaction(move |c| service::add_position(c, &actor, row))
        .await
}

/// A person assigned to a position.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentInput {
    pub position_id: String,
    /// The person's account id.
    pub account: String,
    #[serde(default, deserialize_with = "egov_core::dates::date_opt")]
    pub valid_from: Option<NaiveDate>,
    /// Exclusive end date.
    #[serde(default, deserialize_with = "egov_core::dates::date_opt")]
    pub valid_to: Option<NaiveDate>,
}

egov_core::problems!(AssignErrors:
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Assigns a person to a position for a period. The account must be an official of the
/// agency in common auth (not disabled).
#[utoipa::path(tag = "docflow", request_body = AssignmentInput,
    responses(
        (status = 201, description = "Created, with the organisation version", body = service::OrgChanged),
        AssignErrors,
    ),
    security(("bearer" = ["kind:agency_admin"])))]
#[post("/org/assignments")]
pub async fn assign(
    auth: Authorized<OrgAdmin>,
    d: web::Data<Docflow>,
    directory: Option<web::Data<egov_auth::Service>>,
    body: web::Json<AssignmentInput>,
) -> Result<HttpResponse, Error> {
    let out = new_assignment(
        &d,
        directory.as_ref().map(|x| x.get_ref()),
        &auth,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created().json(out))
}

/// "No official of your agency has this account id".
fn not_an_official() -> egov_core::error::Text {
    text!(
        "detail-docflow-not-official",
        "no official of your agency has this account id (ask common auth's administrator to invite them)"
    )
}

/// Checks and records an assignment (the API's and the organisation page's way).
pub(crate) async fn new_assignment(
    d: &Docflow,
    directory: Option<&egov_auth::Service>,
    who: &Principal,
    b: AssignmentInput,
) -> Result<service::OrgChanged, Error> {
    let from = b.valid_from.unwrap_or_else(|| today(d));
    let ag = agency(who);
    let mut e = Vec::new();
    if !text_ok(&b.account, 1, 128) {
        e.push(field("/account", account_id()));
    } else if let Some(dir) = directory
        && !dir.is_official_of(&b.account, &ag).await?
    {
        // Common auth runs in this process: the account must be an official of the agency.
        // (Where it runs elsewhere, the assignment takes effect when the account's own token,
        // which names its agency, acts in the position.)
        e.push(field("/account", not_an_official()));
    }
    if b.valid_to.is_some_and(|t| t <= from) {
        e.push(field("/valid_to", after_start()));
    }
    fields(e)?;
    let row = store::AssignmentRow {
        id: service::new_id(),
        agency: ag.clone(),
        position_id: b.position_id,
        account: b.account,
        valid_from: from,
        valid_to: b.valid_to,
        created_at: d.now(),
    };
    let actor = who.subject.clone();
    d.db()
        .transaction(move |c| service::assign(c, &actor, row))
        .await
}

/// A stand-in (대결) for a position during a period.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StandInInput {
    /// The absent position.
    pub position_id: String,
    /// The position that acts for it.
    pub stand_in_position_id: String,
    #[serde(deserialize_with = "egov_core::dates::instant")]
    pub valid_from: DateTime<Utc>,
    #[serde(deserialize_with = "egov_core::dates::instant")]
    pub valid_to: DateTime<Utc>,
    /// Why (leave, travel, …).
    pub reason: String,
}

egov_core::problems!(AddStandInErrors:
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Names a stand-in position for an absent position, for a period.
#[utoipa::path(tag = "docflow", request_body = StandInInput,
    responses(
        (status = 201, description = "Created, with the organisation version", body = service::OrgChanged),
        AddStandInErrors,
    ),
    security(("bearer" = ["kind:agency_admin"])))]
#[post("/org/stand-ins")]
pub async fn add_stand_in(
    auth: Authorized<OrgAdmin>,
    d: web::Data<Docflow>,
    body: web::Json<StandInInput>,
) -> Result<HttpResponse, Error> {
    let out = new_stand_in(&d, &auth, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(out))
}

/// Checks and records a stand-in (the API's and the organisation page's way).
pub(crate) async fn new_stand_in(
    d: &Docflow,
    who: &Principal,
    b: StandInInput,
) -> Result<service::OrgChanged, Error> {
    let mut e = Vec::new();
    if b.valid_to <= b.valid_from {
        e.push(field("/valid_to", after_start()));
    }
    if b.position_id == b.stand_in_position_id {
        e.push(field(
            "/stand_in_position_id",
            text!("detail-docflow-another-position", "another position"),
        ));
    }
    if !text_ok(&b.reason, 3, 500) {
        e.push(field("/reason", chars(3, 500)));
    }
    fields(e)?;
    let ag = agency(who);
    let row = store::StandInRow {
        id: service::new_id(),
        agency: ag.clone(),
        position_id: b.position_id,
        stand_in_position_id: b.stand_in_position_id,
        valid_from: b.valid_from.naive_utc(),
        valid_to: b.valid_to.naive_utc(),
        reason: b.reason,
        created_by: who.subject.clone(),
        created_at: d.now(),
        revoked_at: None,
    };
    let actor = who.subject.clone();
    d.db()
        .transaction(move |c| service::add_stand_in(c, &actor, row))
        .await
}

egov_core::problems!(EndStandInErrors:
    crate::errors::STAND_IN_NOT_FOUND,
);

/// Ends a stand-in now, before its period is over (the absent official is back): steps stop
/// waiting on the stand-in at once. A stand-in still to come is cancelled the same way.
#[utoipa::path(tag = "docflow",
    params(("id" = String, Path, description = "The stand-in's id")),
    responses(
        (status = 200, description = "Ended, with the organisation version", body = service::OrgChanged),
        EndStandInErrors,
    ),
    security(("bearer" = ["kind:agency_admin"])))]
#[post("/org/stand-ins/{id}/end")]
pub async fn end_stand_in(
    auth: Authorized<OrgAdmin>,
    d: web::Data<Docflow>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let out = stand_in_ended(&d, &auth, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Ends the agency's stand-in `id` now (the API's and the organisation page's way).
pub(crate) async fn stand_in_ended(
    d: &Docflow,
    who: &Principal,
    id: String,
) -> Result<service::OrgChanged, Error> {
    let (ag, actor, now) = (agency(who), who.subject.clone(), d.now());
    d.db()
        .transaction(move |c| service::end_stand_in(c, &actor, &ag, &id, now))
        .await
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

egov_core::problems!(HandoverErrors:
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Hands a person's pending work to their successor in one step (drafts, returned and
/// in-approval documents, received documents they handle, unread circulations) and ends
/// their assignments; steps on positions pass with the position.
#[utoipa::path(tag = "docflow", request_body = HandoverInput,
    responses(
        (status = 200, description = "What moved", body = service::HandedOver),
        HandoverErrors,
    ),
    security(("bearer" = ["kind:agency_admin"])))]
#[post("/org/handover")]
pub async fn handover(
    auth: Authorized<OrgAdmin>,
    d: web::Data<Docflow>,
    directory: Option<web::Data<egov_auth::Service>>,
    body: web::Json<HandoverInput>,
) -> Result<HttpResponse, Error> {
    let v = hand_over(
        &d,
        directory.as_ref().map(|x| x.get_ref()),
        &auth,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Checks and makes a handover (the API's and the organisation page's way).
pub(crate) async fn hand_over(
    d: &Docflow,
    directory: Option<&egov_auth::Service>,
    who: &Principal,
    b: HandoverInput,
) -> Result<service::HandedOver, Error> {
    let mut e = Vec::new();
    if !text_ok(&b.from, 1, 128) {
        e.push(field("/from", account_id()));
    }
    if !text_ok(&b.to, 1, 128) || b.to == b.from {
        e.push(field(
            "/to",
            text!("detail-docflow-another-account", "another account id"),
        ));
    } else if let Some(dir) = directory
        && !dir.is_official_of(&b.to, &agency(who)).await?
    {
        // The successor takes the work (and the positions): an official of the agency.
        e.push(field("/to", not_an_official()));
    }
    if !text_ok(&b.reason, 3, 500) {
        e.push(field("/reason", chars(3, 500)));
    }
    fields(e)?;
    let (ag, actor) = (agency(who), who.subject.clone());
    let dd = d.clone();
    d.db()
        .transaction(move |c| {
            let moved = service::Handover {
                from: &b.from,
                to: &b.to,
                reason: &b.reason,
                take_positions: b.take_positions.unwrap_or(true),
            };
            service::hand_over(c, &dd, &actor, &ag, &moved)
        })
        .await
}

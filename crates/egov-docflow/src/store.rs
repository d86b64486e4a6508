//! The docflow module's tables. The only place in this crate that speaks diesel.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamp};
use egov_core::{DbConnection, Error};

diesel::table! {
    docflow_units (id) {
        id -> Text,
        agency -> Text,
        code -> Text,
        name -> Text,
        parent_id -> Nullable<Text>,
        document_office -> Bool,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    docflow_positions (id) {
        id -> Text,
        agency -> Text,
        unit_id -> Text,
        title -> Text,
        rank -> Integer,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    docflow_assignments (id) {
        id -> Text,
        agency -> Text,
        position_id -> Text,
        account -> Text,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    docflow_stand_ins (id) {
        id -> Text,
        agency -> Text,
        position_id -> Text,
        stand_in_position_id -> Text,
        valid_from -> Timestamp,
        valid_to -> Timestamp,
        reason -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    docflow_org_changes (agency, version) {
        agency -> Text,
        version -> BigInt,
        at -> Timestamp,
        actor -> Text,
        change -> Text,
    }
}

diesel::table! {
    docflow_delegations (id) {
        id -> Text,
        agency -> Text,
        doc_type -> Text,
        max_amount -> Nullable<BigInt>,
        rank -> Integer,
        effective_from -> Date,
        effective_to -> Nullable<Date>,
        citation -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    docflow_documents (id) {
        id -> Text,
        agency -> Text,
        unit_id -> Text,
        origin -> Text,
        drafter -> Text,
        drafter_position -> Nullable<Text>,
        doc_type -> Text,
        classification -> Text,
        disclosure -> Text,
        disclosure_ground -> Nullable<Text>,
        personal_data -> Bool,
        subjects -> Text,
        amount -> Nullable<BigInt>,
        status -> Text,
        version -> Integer,
        round -> Integer,
        due_at -> Timestamp,
        registration_no -> Nullable<Text>,
        registered_at -> Nullable<Timestamp>,
        sender -> Nullable<Text>,
        retention -> Text,
        file_id -> Nullable<Text>,
        completed_at -> Nullable<Timestamp>,
        disposed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    docflow_versions (document_id, version) {
        document_id -> Text,
        version -> Integer,
        title -> Text,
        body -> Nullable<Text>,
        attachments -> Text,
        digest -> Text,
        author -> Text,
        reason -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    docflow_blobs (sha256) {
        sha256 -> Text,
        content -> Binary,
    }
}

diesel::table! {
    docflow_steps (id) {
        id -> Text,
        document_id -> Text,
        seq -> Integer,
        grp -> Integer,
        kind -> Text,
        position_id -> Text,
        status -> Text,
        due_at -> Timestamp,
        acted_by -> Nullable<Text>,
        mode -> Nullable<Text>,
        action -> Nullable<Text>,
        opinion -> Nullable<Text>,
        acted_at -> Nullable<Timestamp>,
        added_by -> Text,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    docflow_signatures (id) {
        id -> Text,
        document_id -> Text,
        round -> Integer,
        payload -> Text,
        signature -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    docflow_events (document_id, seq) {
        document_id -> Text,
        seq -> BigInt,
        at -> Text,
        actor -> Text,
        position -> Nullable<Text>,
        action -> Text,
        detail -> Text,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    docflow_ledger (unit_id, year, kind, serial) {
        unit_id -> Text,
        year -> Integer,
        kind -> Text,
        serial -> BigInt,
        registration_no -> Text,
        document_id -> Text,
        title -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    docflow_circulations (id) {
        id -> Text,
        document_id -> Text,
        reader -> Text,
        added_by -> Text,
        added_at -> Timestamp,
        due_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
        comment -> Nullable<Text>,
    }
}

diesel::table! {
    docflow_dispatches (id) {
        id -> Text,
        document_id -> Text,
        member -> Text,
        agency -> Text,
        kind -> Text,
        status -> Text,
        attempts -> Integer,
        message_id -> Nullable<Text>,
        error -> Nullable<Text>,
        remote_id -> Nullable<Text>,
        receipt_no -> Nullable<Text>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
        received_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    docflow_incoming (sender_member, dispatch_id) {
        sender_member -> Text,
        dispatch_id -> Text,
        document_id -> Text,
        message_id -> Text,
        received_at -> Timestamp,
    }
}

diesel::table! {
    docflow_files (id) {
        id -> Text,
        agency -> Text,
        unit_id -> Text,
        classification -> Text,
        title -> Text,
        year -> Integer,
        retention -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    docflow_holds (id) {
        id -> Text,
        document_id -> Text,
        reason -> Text,
        authority -> Text,
        placed_by -> Text,
        placed_at -> Timestamp,
        released_by -> Nullable<Text>,
        released_at -> Nullable<Timestamp>,
        release_reason -> Nullable<Text>,
    }
}

diesel::table! {
    docflow_disposals (id) {
        id -> Text,
        document_id -> Text,
        certificate -> Text,
        signature -> Text,
        authorised_by -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    docflow_keys (kid) {
        kid -> Text,
        public_key -> Text,
        private_sealed -> Text,
        created_at -> Timestamp,
    }
}

// ------------------------------------------------------------------ rows

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = docflow_units)]
pub struct UnitRow {
    pub id: String,
    pub agency: String,
    pub code: String,
    pub name: String,
    pub parent_id: Option<String>,
    pub document_office: bool,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = docflow_positions)]
pub struct PositionRow {
    pub id: String,
    pub agency: String,
    pub unit_id: String,
    pub title: String,
    pub rank: i32,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = docflow_assignments)]
pub struct AssignmentRow {
    pub id: String,
    pub agency: String,
    pub position_id: String,
    pub account: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = docflow_stand_ins)]
pub struct StandInRow {
    pub id: String,
    pub agency: String,
    pub position_id: String,
    pub stand_in_position_id: String,
    pub valid_from: NaiveDateTime,
    pub valid_to: NaiveDateTime,
    pub reason: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = docflow_delegations)]
pub struct DelegationRow {
    pub id: String,
    pub agency: String,
    pub doc_type: String,
    pub max_amount: Option<i64>,
    pub rank: i32,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub citation: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, QueryableByName)]
#[diesel(table_name = docflow_documents)]
pub struct DocumentRow {
    pub id: String,
    pub agency: String,
    pub unit_id: String,
    pub origin: String,
    pub drafter: String,
    pub drafter_position: Option<String>,
    pub doc_type: String,
    pub classification: String,
    pub disclosure: String,
    pub disclosure_ground: Option<String>,
    pub personal_data: bool,
    pub subjects: String,
    pub amount: Option<i64>,
    pub status: String,
    pub version: i32,
    pub round: i32,
    pub due_at: NaiveDateTime,
    pub registration_no: Option<String>,
    pub registered_at: Option<NaiveDateTime>,
    pub sender: Option<String>,
    pub retention: String,
    pub file_id: Option<String>,
    pub completed_at: Option<NaiveDateTime>,
    pub disposed_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = docflow_versions)]
pub struct VersionRow {
    pub document_id: String,
    pub version: i32,
    pub title: String,
    pub body: Option<String>,
    pub attachments: String,
    pub digest: String,
    pub author: String,
    pub reason: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, QueryableByName)]
#[diesel(table_name = docflow_steps)]
pub struct StepRow {
    pub id: String,
    pub document_id: String,
    pub seq: i32,
    pub grp: i32,
    pub kind: String,
    pub position_id: String,
    pub status: String,
    pub due_at: NaiveDateTime,
    pub acted_by: Option<String>,
    pub mode: Option<String>,
    pub action: Option<String>,
    pub opinion: Option<String>,
    pub acted_at: Option<NaiveDateTime>,
    pub added_by: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = docflow_signatures)]
pub struct SignatureRow {
    pub id: String,
    pub document_id: String,
    pub round: i32,
    pub payload: String,
    pub signature: String,
    pub at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = docflow_events)]
pub struct EventRow {
    pub document_id: String,
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub position: Option<String>,
    pub action: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = docflow_ledger)]
pub struct LedgerRow {
    pub unit_id: String,
    pub year: i32,
    pub kind: String,
    pub serial: i64,
    pub registration_no: String,
    pub document_id: String,
    pub title: String,
    pub at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, QueryableByName)]
#[diesel(table_name = docflow_circulations)]
pub struct CirculationRow {
    pub id: String,
    pub document_id: String,
    pub reader: String,
    pub added_by: String,
    pub added_at: NaiveDateTime,
    pub due_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = docflow_dispatches)]
pub struct DispatchRow {
    pub id: String,
    pub document_id: String,
    pub member: String,
    pub agency: String,
    pub kind: String,
    pub status: String,
    pub attempts: i32,
    pub message_id: Option<String>,
    pub error: Option<String>,
    pub remote_id: Option<String>,
    pub receipt_no: Option<String>,
    pub created_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
    pub received_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = docflow_incoming)]
pub struct IncomingRow {
    pub sender_member: String,
    pub dispatch_id: String,
    pub document_id: String,
    pub message_id: String,
    pub received_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = docflow_files)]
pub struct FileRow {
    pub id: String,
    pub agency: String,
    pub unit_id: String,
    pub classification: String,
    pub title: String,
    pub year: i32,
    pub retention: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = docflow_holds)]
pub struct HoldRow {
    pub id: String,
    pub document_id: String,
    pub reason: String,
    pub authority: String,
    pub placed_by: String,
    pub placed_at: NaiveDateTime,
    pub released_by: Option<String>,
    pub released_at: Option<NaiveDateTime>,
    pub release_reason: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = docflow_disposals)]
pub struct DisposalRow {
    pub id: String,
    pub document_id: String,
    pub certificate: String,
    pub signature: String,
    pub authorised_by: String,
    pub at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = docflow_keys)]
pub struct KeyRow {
    pub kid: String,
    pub public_key: String,
    pub private_sealed: String,
    pub created_at: NaiveDateTime,
}

// ------------------------------------------------------------------ organisation

pub fn insert_unit(c: &mut DbConnection, row: &UnitRow) -> Result<(), Error> {
    diesel::insert_into(docflow_units::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn unit(c: &mut DbConnection, id: &str) -> Result<Option<UnitRow>, Error> {
    Ok(docflow_units::table
        .find(id)
        .select(UnitRow::as_select())
        .first(c)
        .optional()?)
}

pub fn units(c: &mut DbConnection, agency: &str) -> Result<Vec<UnitRow>, Error> {
    Ok(docflow_units::table
        .filter(docflow_units::agency.eq(agency))
        .order((docflow_units::code.asc(), docflow_units::valid_from.asc()))
        .select(UnitRow::as_select())
        .load(c)?)
}

pub fn document_office(
    c: &mut DbConnection,
    agency: &str,
    day: NaiveDate,
) -> Result<Option<UnitRow>, Error> {
    Ok(docflow_units::table
        .filter(docflow_units::agency.eq(agency))
        .filter(docflow_units::document_office.eq(true))
        .filter(docflow_units::valid_from.le(day))
        .filter(
            docflow_units::valid_to
                .is_null()
                .or(docflow_units::valid_to.gt(day)),
        )
        .select(UnitRow::as_select())
        .first(c)
        .optional()?)
}

pub fn end_unit(c: &mut DbConnection, id: &str, day: NaiveDate) -> Result<usize, Error> {
    Ok(diesel::update(
        docflow_units::table
            .find(id)
            .filter(docflow_units::valid_to.is_null()),
    )
    .set(docflow_units::valid_to.eq(day))
    .execute(c)?)
}

pub fn insert_position(c: &mut DbConnection, row: &PositionRow) -> Result<(), Error> {
    diesel::insert_into(docflow_positions::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn position(c: &mut DbConnection, id: &str) -> Result<Option<PositionRow>, Error> {
    Ok(docflow_positions::table
        .find(id)
        .select(PositionRow::as_select())
        .first(c)
        .optional()?)
}

pub fn positions(c: &mut DbConnection, agency: &str) -> Result<Vec<PositionRow>, Error> {
    Ok(docflow_positions::table
        .filter(docflow_positions::agency.eq(agency))
        .order(docflow_positions::created_at.asc())
        .select(PositionRow::as_select())
        .load(c)?)
}

pub fn insert_assignment(c: &mut DbConnection, row: &AssignmentRow) -> Result<(), Error> {
    diesel::insert_into(docflow_assignments::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn assignments(c: &mut DbConnection, agency: &str) -> Result<Vec<AssignmentRow>, Error> {
    Ok(docflow_assignments::table
        .filter(docflow_assignments::agency.eq(agency))
        .order(docflow_assignments::created_at.asc())
        .select(AssignmentRow::as_select())
        .load(c)?)
}

/// The positions `account` holds on `day`.
pub fn held_positions(
    c: &mut DbConnection,
    account: &str,
    day: NaiveDate,
) -> Result<Vec<String>, Error> {
    Ok(docflow_assignments::table
        .filter(docflow_assignments::account.eq(account))
        .filter(docflow_assignments::valid_from.le(day))
        .filter(
            docflow_assignments::valid_to
                .is_null()
                .or(docflow_assignments::valid_to.gt(day)),
        )
        .select(docflow_assignments::position_id)
        .load(c)?)
}

/// Who holds `position` on `day`.
pub fn holders(c: &mut DbConnection, position: &str, day: NaiveDate) -> Result<Vec<String>, Error> {
    Ok(docflow_assignments::table
        .filter(docflow_assignments::position_id.eq(position))
        .filter(docflow_assignments::valid_from.le(day))
        .filter(
            docflow_assignments::valid_to
                .is_null()
                .or(docflow_assignments::valid_to.gt(day)),
        )
        .select(docflow_assignments::account)
        .load(c)?)
}

/// Ends `account`'s assignments in force on `day` (a move); returns the positions left.
pub fn end_assignments(
    c: &mut DbConnection,
    account: &str,
    day: NaiveDate,
) -> Result<Vec<String>, Error> {
    let held = held_positions(c, account, day)?;
    diesel::update(
        docflow_assignments::table
            .filter(docflow_assignments::account.eq(account))
            .filter(docflow_assignments::valid_from.le(day))
            .filter(
                docflow_assignments::valid_to
                    .is_null()
                    .or(docflow_assignments::valid_to.gt(day)),
            ),
    )
    .set(docflow_assignments::valid_to.eq(day))
    .execute(c)?;
    Ok(held)
}

pub fn insert_stand_in(c: &mut DbConnection, row: &StandInRow) -> Result<(), Error> {
    diesel::insert_into(docflow_stand_ins::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

/// Stand-ins in force at `at` for `position` (edges position → stand-in).
pub fn stand_ins_for(
    c: &mut DbConnection,
    position: &str,
    at: NaiveDateTime,
) -> Result<Vec<StandInRow>, Error> {
    Ok(docflow_stand_ins::table
        .filter(docflow_stand_ins::position_id.eq(position))
        .filter(docflow_stand_ins::valid_from.le(at))
        .filter(docflow_stand_ins::valid_to.gt(at))
        .filter(docflow_stand_ins::revoked_at.is_null())
        .select(StandInRow::as_select())
        .load(c)?)
}

/// Positions that `stand_in` positions stand in for at `at` (edges reversed).
pub fn stood_in_for(
    c: &mut DbConnection,
    stand_in: &[String],
    at: NaiveDateTime,
) -> Result<Vec<String>, Error> {
    Ok(docflow_stand_ins::table
        .filter(docflow_stand_ins::stand_in_position_id.eq_any(stand_in))
        .filter(docflow_stand_ins::valid_from.le(at))
        .filter(docflow_stand_ins::valid_to.gt(at))
        .filter(docflow_stand_ins::revoked_at.is_null())
        .select(docflow_stand_ins::position_id)
        .load(c)?)
}

pub fn stand_ins(c: &mut DbConnection, agency: &str) -> Result<Vec<StandInRow>, Error> {
    Ok(docflow_stand_ins::table
        .filter(docflow_stand_ins::agency.eq(agency))
        .order(docflow_stand_ins::created_at.asc())
        .select(StandInRow::as_select())
        .load(c)?)
}

#[derive(QueryableByName)]
struct Last {
    #[diesel(sql_type = BigInt)]
    last: i64,
}

/// Records an organisation change under the agency's next version number.
pub fn org_change(
    c: &mut DbConnection,
    agency: &str,
    at: NaiveDateTime,
    actor: &str,
    change: &str,
) -> Result<i64, Error> {
    let v: Option<i64> = docflow_org_changes::table
        .filter(docflow_org_changes::agency.eq(agency))
        .select(diesel::dsl::max(docflow_org_changes::version))
        .first(c)?;
    let version = v.unwrap_or(0) + 1;
    diesel::insert_into(docflow_org_changes::table)
        .values((
            docflow_org_changes::agency.eq(agency),
            docflow_org_changes::version.eq(version),
            docflow_org_changes::at.eq(at),
            docflow_org_changes::actor.eq(actor),
            docflow_org_changes::change.eq(change),
        ))
        .execute(c)?;
    Ok(version)
}

pub fn org_changes(
    c: &mut DbConnection,
    agency: &str,
) -> Result<Vec<(i64, NaiveDateTime, String, String)>, Error> {
    Ok(docflow_org_changes::table
        .filter(docflow_org_changes::agency.eq(agency))
        .order(docflow_org_changes::version.asc())
        .select((
            docflow_org_changes::version,
            docflow_org_changes::at,
            docflow_org_changes::actor,
            docflow_org_changes::change,
        ))
        .load(c)?)
}

pub fn insert_delegation(c: &mut DbConnection, row: &DelegationRow) -> Result<(), Error> {
    diesel::insert_into(docflow_delegations::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn delegations(c: &mut DbConnection, agency: &str) -> Result<Vec<DelegationRow>, Error> {
    Ok(docflow_delegations::table
        .filter(docflow_delegations::agency.eq(agency))
        .order((
            docflow_delegations::doc_type.asc(),
            docflow_delegations::effective_from.asc(),
        ))
        .select(DelegationRow::as_select())
        .load(c)?)
}

pub fn end_delegation(
    c: &mut DbConnection,
    agency: &str,
    id: &str,
    day: NaiveDate,
) -> Result<usize, Error> {
    Ok(diesel::update(
        docflow_delegations::table
            .find(id)
            .filter(docflow_delegations::agency.eq(agency))
            .filter(
                docflow_delegations::effective_to
                    .is_null()
                    .or(docflow_delegations::effective_to.gt(day)),
            ),
    )
    .set(docflow_delegations::effective_to.eq(day))
    .execute(c)?)
}

// ------------------------------------------------------------------ documents

pub fn insert_document(c: &mut DbConnection, row: &DocumentRow) -> Result<(), Error> {
    diesel::insert_into(docflow_documents::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn document(c: &mut DbConnection, id: &str) -> Result<Option<DocumentRow>, Error> {
    Ok(docflow_documents::table
        .find(id)
        .select(DocumentRow::as_select())
        .first(c)
        .optional()?)
}

/// The document, locked for the rest of the transaction (PostgreSQL `FOR UPDATE`; on SQLite
/// the write transaction already holds the database's write lock).
pub fn lock_document(c: &mut DbConnection, id: &str) -> Result<Option<DocumentRow>, Error> {
    match c {
        DbConnection::Pg(pg) => Ok(docflow_documents::table
            .find(id)
            .for_update()
            .select(DocumentRow::as_select())
            .first(pg)
            .optional()?),
        DbConnection::Sqlite(_) => document(c, id),
    }
}

pub fn save_document(c: &mut DbConnection, row: &DocumentRow) -> Result<(), Error> {
    diesel::update(docflow_documents::table.find(&row.id))
        .set((
            docflow_documents::drafter.eq(&row.drafter),
            docflow_documents::drafter_position.eq(&row.drafter_position),
            docflow_documents::status.eq(&row.status),
            docflow_documents::version.eq(row.version),
            docflow_documents::round.eq(row.round),
            docflow_documents::due_at.eq(row.due_at),
            docflow_documents::registration_no.eq(&row.registration_no),
            docflow_documents::registered_at.eq(row.registered_at),
            docflow_documents::unit_id.eq(&row.unit_id),
            docflow_documents::retention.eq(&row.retention),
            docflow_documents::file_id.eq(&row.file_id),
            docflow_documents::completed_at.eq(row.completed_at),
            docflow_documents::disposed_at.eq(row.disposed_at),
            docflow_documents::updated_at.eq(row.updated_at),
        ))
        .execute(c)?;
    Ok(())
}

pub fn insert_version(c: &mut DbConnection, row: &VersionRow) -> Result<(), Error> {
    diesel::insert_into(docflow_versions::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn versions(c: &mut DbConnection, doc: &str) -> Result<Vec<VersionRow>, Error> {
    Ok(docflow_versions::table
        .filter(docflow_versions::document_id.eq(doc))
        .order(docflow_versions::version.asc())
        .select(VersionRow::as_select())
        .load(c)?)
}

pub fn version(c: &mut DbConnection, doc: &str, v: i32) -> Result<Option<VersionRow>, Error> {
    Ok(docflow_versions::table
        .find((doc, v))
        .select(VersionRow::as_select())
        .first(c)
        .optional()?)
}

/// Disposal: the contents of every version go; titles, digests and authors stay.
pub fn clear_versions(c: &mut DbConnection, doc: &str) -> Result<(), Error> {
    diesel::update(docflow_versions::table.filter(docflow_versions::document_id.eq(doc)))
        .set(docflow_versions::body.eq(None::<String>))
        .execute(c)?;
    Ok(())
}

pub fn put_blob(c: &mut DbConnection, sha256: &str, content: &[u8]) -> Result<(), Error> {
    diesel::sql_query(
        "INSERT INTO docflow_blobs (sha256, content) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING",
    )
    .bind::<Text, _>(sha256)
    .bind::<diesel::sql_types::Binary, _>(content)
    .execute(c)?;
    Ok(())
}

pub fn blob(c: &mut DbConnection, sha256: &str) -> Result<Option<Vec<u8>>, Error> {
    Ok(docflow_blobs::table
        .find(sha256)
        .select(docflow_blobs::content)
        .first(c)
        .optional()?)
}

/// Deletes blobs no version of any live document refers to any more.
pub fn delete_blob(c: &mut DbConnection, sha256: &str) -> Result<(), Error> {
    let pattern = format!("%{sha256}%");
    let still: i64 = docflow_versions::table
        .filter(docflow_versions::attachments.like(pattern))
        .filter(docflow_versions::body.is_not_null())
        .count()
        .get_result(c)?;
    if still == 0 {
        diesel::delete(docflow_blobs::table.find(sha256)).execute(c)?;
    }
    Ok(())
}

// ------------------------------------------------------------------ steps and signatures

pub fn insert_steps(c: &mut DbConnection, rows: &[StepRow]) -> Result<(), Error> {
    for r in rows {
        diesel::insert_into(docflow_steps::table)
            .values(r)
            .execute(c)?;
    }
    Ok(())
}

pub fn steps(c: &mut DbConnection, doc: &str) -> Result<Vec<StepRow>, Error> {
    Ok(docflow_steps::table
        .filter(docflow_steps::document_id.eq(doc))
        .order(docflow_steps::seq.asc())
        .select(StepRow::as_select())
        .load(c)?)
}

pub fn delete_steps(c: &mut DbConnection, doc: &str) -> Result<(), Error> {
    diesel::delete(docflow_steps::table.filter(docflow_steps::document_id.eq(doc))).execute(c)?;
    Ok(())
}

pub fn save_step(c: &mut DbConnection, s: &StepRow) -> Result<(), Error> {
    diesel::update(docflow_steps::table.find(&s.id))
        .set((
            docflow_steps::seq.eq(s.seq),
            docflow_steps::status.eq(&s.status),
            docflow_steps::due_at.eq(s.due_at),
            docflow_steps::acted_by.eq(&s.acted_by),
            docflow_steps::mode.eq(&s.mode),
            docflow_steps::action.eq(&s.action),
            docflow_steps::opinion.eq(&s.opinion),
            docflow_steps::acted_at.eq(s.acted_at),
        ))
        .execute(c)?;
    Ok(())
}

pub fn delete_step(c: &mut DbConnection, id: &str) -> Result<(), Error> {
    diesel::delete(docflow_steps::table.find(id)).execute(c)?;
    Ok(())
}

pub fn insert_signature(c: &mut DbConnection, row: &SignatureRow) -> Result<(), Error> {
    diesel::insert_into(docflow_signatures::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn signatures(c: &mut DbConnection, doc: &str) -> Result<Vec<SignatureRow>, Error> {
    Ok(docflow_signatures::table
        .filter(docflow_signatures::document_id.eq(doc))
        .order((docflow_signatures::at.asc(), docflow_signatures::id.asc()))
        .select(SignatureRow::as_select())
        .load(c)?)
}

// ------------------------------------------------------------------ history

pub fn last_event(c: &mut DbConnection, doc: &str) -> Result<Option<(i64, String)>, Error> {
    Ok(docflow_events::table
        .filter(docflow_events::document_id.eq(doc))
        .order(docflow_events::seq.desc())
        .select((docflow_events::seq, docflow_events::hash))
        .first(c)
        .optional()?)
}

pub fn insert_event(c: &mut DbConnection, row: &EventRow) -> Result<(), Error> {
    diesel::insert_into(docflow_events::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn events(c: &mut DbConnection, doc: &str) -> Result<Vec<EventRow>, Error> {
    Ok(docflow_events::table
        .filter(docflow_events::document_id.eq(doc))
        .order(docflow_events::seq.asc())
        .select(EventRow::as_select())
        .load(c)?)
}

// ------------------------------------------------------------------ registration

/// The next serial of a unit's ledger for the year (upsert on the counter row, which stays
/// locked until the transaction ends: a transaction that fails gives its number back).
pub fn next_serial(c: &mut DbConnection, unit: &str, year: i32, kind: &str) -> Result<i64, Error> {
    let row: Last = diesel::sql_query(
        "INSERT INTO docflow_counters (unit_id, year, kind, last) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (unit_id, year, kind) DO UPDATE SET last = docflow_counters.last + 1 \
         RETURNING last",
    )
    .bind::<Text, _>(unit)
    .bind::<Integer, _>(year)
    .bind::<Text, _>(kind)
    .get_result(c)?;
    Ok(row.last)
}

pub fn insert_ledger(c: &mut DbConnection, row: &LedgerRow) -> Result<(), Error> {
    diesel::insert_into(docflow_ledger::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn ledger(
    c: &mut DbConnection,
    unit: &str,
    year: i32,
    kind: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<LedgerRow>, Error> {
    Ok(docflow_ledger::table
        .filter(docflow_ledger::unit_id.eq(unit))
        .filter(docflow_ledger::year.eq(year))
        .filter(docflow_ledger::kind.eq(kind))
        .filter(docflow_ledger::serial.gt(after))
        .order(docflow_ledger::serial.asc())
        .limit(limit)
        .select(LedgerRow::as_select())
        .load(c)?)
}

// ------------------------------------------------------------------ circulation

pub fn add_circulation(c: &mut DbConnection, row: &CirculationRow) -> Result<bool, Error> {
    let n = diesel::sql_query(
        "INSERT INTO docflow_circulations (id, document_id, reader, added_by, added_at, due_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (document_id, reader) DO NOTHING",
    )
    .bind::<Text, _>(&row.id)
    .bind::<Text, _>(&row.document_id)
    .bind::<Text, _>(&row.reader)
    .bind::<Text, _>(&row.added_by)
    .bind::<Timestamp, _>(row.added_at)
    .bind::<Timestamp, _>(row.due_at)
    .execute(c)?;
    Ok(n == 1)
}

pub fn circulations(c: &mut DbConnection, doc: &str) -> Result<Vec<CirculationRow>, Error> {
    Ok(docflow_circulations::table
        .filter(docflow_circulations::document_id.eq(doc))
        .order(docflow_circulations::added_at.asc())
        .select(CirculationRow::as_select())
        .load(c)?)
}

/// Marks the reader's first reading; true when this was it.
pub fn mark_read(
    c: &mut DbConnection,
    doc: &str,
    reader: &str,
    at: NaiveDateTime,
) -> Result<bool, Error> {
    Ok(diesel::update(
        docflow_circulations::table
            .filter(docflow_circulations::document_id.eq(doc))
            .filter(docflow_circulations::reader.eq(reader))
            .filter(docflow_circulations::read_at.is_null()),
    )
    .set(docflow_circulations::read_at.eq(at))
    .execute(c)?
        == 1)
}

pub fn is_reader(c: &mut DbConnection, doc: &str, reader: &str) -> Result<bool, Error> {
    let n: i64 = docflow_circulations::table
        .filter(docflow_circulations::document_id.eq(doc))
        .filter(docflow_circulations::reader.eq(reader))
        .count()
        .get_result(c)?;
    Ok(n > 0)
}

// ------------------------------------------------------------------ dispatch

pub fn insert_dispatch(c: &mut DbConnection, row: &DispatchRow) -> Result<(), Error> {
    diesel::insert_into(docflow_dispatches::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn dispatch(c: &mut DbConnection, id: &str) -> Result<Option<DispatchRow>, Error> {
    Ok(docflow_dispatches::table
        .find(id)
        .select(DispatchRow::as_select())
        .first(c)
        .optional()?)
}

pub fn dispatches(c: &mut DbConnection, doc: &str) -> Result<Vec<DispatchRow>, Error> {
    Ok(docflow_dispatches::table
        .filter(docflow_dispatches::document_id.eq(doc))
        .order(docflow_dispatches::created_at.asc())
        .select(DispatchRow::as_select())
        .load(c)?)
}

pub fn save_dispatch(c: &mut DbConnection, d: &DispatchRow) -> Result<(), Error> {
    diesel::update(docflow_dispatches::table.find(&d.id))
        .set((
            docflow_dispatches::status.eq(&d.status),
            docflow_dispatches::attempts.eq(d.attempts),
            docflow_dispatches::message_id.eq(&d.message_id),
            docflow_dispatches::error.eq(&d.error),
            docflow_dispatches::remote_id.eq(&d.remote_id),
            docflow_dispatches::receipt_no.eq(&d.receipt_no),
            docflow_dispatches::delivered_at.eq(d.delivered_at),
            docflow_dispatches::received_at.eq(d.received_at),
        ))
        .execute(c)?;
    Ok(())
}

pub fn incoming(
    c: &mut DbConnection,
    member: &str,
    dispatch: &str,
) -> Result<Option<IncomingRow>, Error> {
    Ok(docflow_incoming::table
        .find((member, dispatch))
        .select(IncomingRow::as_select())
        .first(c)
        .optional()?)
}

pub fn incoming_of(c: &mut DbConnection, doc: &str) -> Result<Option<IncomingRow>, Error> {
    Ok(docflow_incoming::table
        .filter(docflow_incoming::document_id.eq(doc))
        .select(IncomingRow::as_select())
        .first(c)
        .optional()?)
}

pub fn insert_incoming(c: &mut DbConnection, row: &IncomingRow) -> Result<(), Error> {
    diesel::insert_into(docflow_incoming::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

// ------------------------------------------------------------------ records

pub fn insert_file(c: &mut DbConnection, row: &FileRow) -> Result<(), Error> {
    diesel::insert_into(docflow_files::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn file(c: &mut DbConnection, id: &str) -> Result<Option<FileRow>, Error> {
    Ok(docflow_files::table
        .find(id)
        .select(FileRow::as_select())
        .first(c)
        .optional()?)
}

pub fn files(c: &mut DbConnection, agency: &str) -> Result<Vec<FileRow>, Error> {
    Ok(docflow_files::table
        .filter(docflow_files::agency.eq(agency))
        .order((
            docflow_files::year.desc(),
            docflow_files::classification.asc(),
        ))
        .select(FileRow::as_select())
        .load(c)?)
}

pub fn file_documents(c: &mut DbConnection, file: &str) -> Result<Vec<DocumentRow>, Error> {
    Ok(docflow_documents::table
        .filter(docflow_documents::file_id.eq(file))
        .order(docflow_documents::registered_at.asc())
        .select(DocumentRow::as_select())
        .load(c)?)
}

pub fn insert_hold(c: &mut DbConnection, row: &HoldRow) -> Result<(), Error> {
    diesel::insert_into(docflow_holds::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn holds(c: &mut DbConnection, doc: &str) -> Result<Vec<HoldRow>, Error> {
    Ok(docflow_holds::table
        .filter(docflow_holds::document_id.eq(doc))
        .order(docflow_holds::placed_at.asc())
        .select(HoldRow::as_select())
        .load(c)?)
}

pub fn hold(c: &mut DbConnection, id: &str) -> Result<Option<HoldRow>, Error> {
    Ok(docflow_holds::table
        .find(id)
        .select(HoldRow::as_select())
        .first(c)
        .optional()?)
}

pub fn release_hold(
    c: &mut DbConnection,
    id: &str,
    by: &str,
    at: NaiveDateTime,
    reason: &str,
) -> Result<usize, Error> {
    Ok(diesel::update(
        docflow_holds::table
            .find(id)
            .filter(docflow_holds::released_at.is_null()),
    )
    .set((
        docflow_holds::released_by.eq(by),
        docflow_holds::released_at.eq(at),
        docflow_holds::release_reason.eq(reason),
    ))
    .execute(c)?)
}

pub fn insert_disposal(c: &mut DbConnection, row: &DisposalRow) -> Result<(), Error> {
    diesel::insert_into(docflow_disposals::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn disposal(c: &mut DbConnection, doc: &str) -> Result<Option<DisposalRow>, Error> {
    Ok(docflow_disposals::table
        .filter(docflow_disposals::document_id.eq(doc))
        .select(DisposalRow::as_select())
        .first(c)
        .optional()?)
}

// ------------------------------------------------------------------ work lists

/// One row of a work list.
#[derive(Debug, Clone, QueryableByName)]
pub struct WorkRow {
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Text)]
    pub doc_type: String,
    #[diesel(sql_type = Timestamp)]
    pub due_at: NaiveDateTime,
    #[diesel(sql_type = Nullable<Text>)]
    pub registration_no: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub step_kind: Option<String>,
}

/// Documents of a drafter in the given statuses, by due date (keyset: after `(due, id)`).
pub fn work_drafts(
    c: &mut DbConnection,
    account: &str,
    status: &str,
    after: &(NaiveDateTime, String),
    limit: i64,
) -> Result<Vec<WorkRow>, Error> {
    Ok(diesel::sql_query(
        "SELECT d.id, v.title, d.status, d.doc_type, d.due_at, d.registration_no, \
                CAST(NULL AS TEXT) AS step_kind \
         FROM docflow_documents d JOIN docflow_versions v ON v.document_id = d.id AND v.version = d.version \
         WHERE d.drafter = $1 AND d.status = $2 AND (d.due_at, d.id) > ($3, $4) \
         ORDER BY d.due_at, d.id LIMIT $5",
    )
    .bind::<Text, _>(account)
    .bind::<Text, _>(status)
    .bind::<Timestamp, _>(after.0)
    .bind::<Text, _>(&after.1)
    .bind::<BigInt, _>(limit)
    .load(c)?)
}

/// Steps waiting on the given positions, by due date.
pub fn work_awaiting(
    c: &mut DbConnection,
    positions: &[String],
    after: &(NaiveDateTime, String),
    limit: i64,
) -> Result<Vec<WorkRow>, Error> {
    if positions.is_empty() {
        return Ok(Vec::new());
    }
    // One index range per position, merged: the positions are few (held plus stood in for).
    let list = positions
        .iter()
        .map(|p| format!("'{}'", p.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(",");
    Ok(diesel::sql_query(format!(
        "SELECT d.id, v.title, d.status, d.doc_type, s.due_at, d.registration_no, s.kind AS step_kind \
         FROM docflow_steps s JOIN docflow_documents d ON d.id = s.document_id \
         JOIN docflow_versions v ON v.document_id = d.id AND v.version = d.version \
         WHERE s.position_id IN ({list}) AND s.status = 'current' AND (s.due_at, s.document_id) > ($1, $2) \
         ORDER BY s.due_at, s.document_id LIMIT $3"
    ))
    .bind::<Timestamp, _>(after.0)
    .bind::<Text, _>(&after.1)
    .bind::<BigInt, _>(limit)
    .load(c)?)
}

/// Documents circulated to a reader (unread first is not imposed: by due date).
pub fn work_circulated(
    c: &mut DbConnection,
    reader: &str,
    after: &(NaiveDateTime, String),
    limit: i64,
) -> Result<Vec<WorkRow>, Error> {
    Ok(diesel::sql_query(
        "SELECT d.id, v.title, d.status, d.doc_type, r.due_at, d.registration_no, \
                CAST(CASE WHEN r.read_at IS NULL THEN 'unread' ELSE 'read' END AS TEXT) AS step_kind \
         FROM docflow_circulations r JOIN docflow_documents d ON d.id = r.document_id \
         JOIN docflow_versions v ON v.document_id = d.id AND v.version = d.version \
         WHERE r.reader = $1 AND (r.due_at, r.document_id) > ($2, $3) \
         ORDER BY r.due_at, r.document_id LIMIT $4",
    )
    .bind::<Text, _>(reader)
    .bind::<Timestamp, _>(after.0)
    .bind::<Text, _>(&after.1)
    .bind::<BigInt, _>(limit)
    .load(c)?)
}

/// Documents received by an agency and not yet registered (the document office's inbox).
pub fn inbox(
    c: &mut DbConnection,
    agency: &str,
    after: &(NaiveDateTime, String),
    limit: i64,
) -> Result<Vec<WorkRow>, Error> {
    Ok(diesel::sql_query(
        "SELECT d.id, v.title, d.status, d.doc_type, d.due_at, d.registration_no, \
                CAST(NULL AS TEXT) AS step_kind \
         FROM docflow_documents d JOIN docflow_versions v ON v.document_id = d.id AND v.version = d.version \
         WHERE d.agency = $1 AND d.status = 'delivered' AND (d.due_at, d.id) > ($2, $3) \
         ORDER BY d.due_at, d.id LIMIT $4",
    )
    .bind::<Text, _>(agency)
    .bind::<Timestamp, _>(after.0)
    .bind::<Text, _>(&after.1)
    .bind::<BigInt, _>(limit)
    .load(c)?)
}

// ------------------------------------------------------------------ handover

/// Moves `from`'s documents in the given statuses to `to`; returns their ids.
pub fn hand_over_documents(
    c: &mut DbConnection,
    agency: &str,
    from: &str,
    to: &str,
    statuses: &[&str],
) -> Result<Vec<String>, Error> {
    let ids: Vec<String> = docflow_documents::table
        .filter(docflow_documents::agency.eq(agency))
        .filter(docflow_documents::drafter.eq(from))
        .filter(docflow_documents::status.eq_any(statuses))
        .select(docflow_documents::id)
        .load(c)?;
    diesel::update(docflow_documents::table.filter(docflow_documents::id.eq_any(&ids)))
        .set(docflow_documents::drafter.eq(to))
        .execute(c)?;
    Ok(ids)
}

/// Moves `from`'s unread circulations to `to`; returns the documents.
pub fn hand_over_circulations(
    c: &mut DbConnection,
    from: &str,
    to: &str,
) -> Result<Vec<String>, Error> {
    let rows: Vec<(String, String)> = docflow_circulations::table
        .filter(docflow_circulations::reader.eq(from))
        .filter(docflow_circulations::read_at.is_null())
        .select((docflow_circulations::id, docflow_circulations::document_id))
        .load(c)?;
    let mut moved = Vec::new();
    for (id, doc) in rows {
        if !is_reader(c, &doc, to)? {
            diesel::update(docflow_circulations::table.find(&id))
                .set(docflow_circulations::reader.eq(to))
                .execute(c)?;
            moved.push(doc);
        }
    }
    Ok(moved)
}

// ------------------------------------------------------------------ keys

pub fn latest_key(c: &mut DbConnection) -> Result<Option<KeyRow>, Error> {
    Ok(docflow_keys::table
        .order(docflow_keys::created_at.desc())
        .select(KeyRow::as_select())
        .first(c)
        .optional()?)
}

pub fn keys(c: &mut DbConnection) -> Result<Vec<KeyRow>, Error> {
    Ok(docflow_keys::table
        .order(docflow_keys::created_at.asc())
        .select(KeyRow::as_select())
        .load(c)?)
}

pub fn insert_key(c: &mut DbConnection, row: &KeyRow) -> Result<(), Error> {
    diesel::insert_into(docflow_keys::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

/// Sets a received document's type (chosen by the receiving document office).
pub fn set_doc_type(c: &mut DbConnection, id: &str, doc_type: &str) -> Result<(), Error> {
    diesel::update(docflow_documents::table.find(id))
        .set(docflow_documents::doc_type.eq(doc_type))
        .execute(c)?;
    Ok(())
}

//! The rows of the docflow tables.

use super::*;

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

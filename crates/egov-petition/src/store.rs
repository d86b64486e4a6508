//! The petition module's tables. The only place in this crate that speaks diesel.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use egov_core::{DbConnection, Error};

diesel::table! {
    petition_delegations (id) {
        id -> Text,
        grantor -> Text,
        grantor_masked -> Text,
        grantee -> Text,
        grantee_masked -> Text,
        service -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        withdrawn_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    petition_cases (id) {
        id -> Text,
        service -> Text,
        kind -> Text,
        agency -> Text,
        applicant -> Text,
        applicant_account -> Text,
        channel -> Text,
        status -> Text,
        receipt_no -> Nullable<Text>,
        form -> Text,
        category -> Text,
        region -> Text,
        lat -> Nullable<Double>,
        lon -> Nullable<Double>,
        address -> Nullable<Text>,
        assignee -> Nullable<Text>,
        decision -> Nullable<Text>,
        decision_reason -> Nullable<Text>,
        remedies -> Nullable<Text>,
        merged_into -> Nullable<Text>,
        rating -> Nullable<Integer>,
        rating_comment -> Nullable<Text>,
        submitted_at -> Nullable<Timestamp>,
        due_at -> Nullable<Timestamp>,
        paused_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        progress_noticed -> Bool,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        escalation_level -> Integer,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    petition_open311 (case_id) {
        case_id -> Text,
        address_id -> Nullable<Text>,
        media_url -> Nullable<Text>,
    }
}

diesel::table! {
    petition_events (id) {
        id -> Text,
        case_id -> Text,
        at -> Timestamp,
        actor -> Text,
        actor_role -> Text,
        action -> Text,
        from_status -> Text,
        to_status -> Text,
        reason -> Nullable<Text>,
        detail -> Text,
    }
}

diesel::allow_tables_to_appear_in_same_query!(petition_cases, petition_events);

diesel::table! {
    petition_receipt_counters (agency, year) {
        agency -> Text,
        year -> Integer,
        last -> BigInt,
    }
}

diesel::table! {
    petition_evidence (case_id, key) {
        case_id -> Text,
        key -> Text,
        source -> Text,
        attachment -> Nullable<Text>,
        provider -> Nullable<Text>,
        consent -> Nullable<Text>,
        message_id -> Nullable<Text>,
        log_seq -> Nullable<BigInt>,
        document -> Nullable<Text>,
        fetched_at -> Timestamp,
    }
}

diesel::table! {
    petition_attachments (id) {
        id -> Text,
        case_id -> Text,
        owner -> Text,
        filename -> Text,
        content_type -> Text,
        size -> BigInt,
        sha256 -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    petition_documents (number) {
        number -> Text,
        case_id -> Text,
        agency -> Text,
        document -> Text,
        signature -> Text,
        digest -> Text,
        issued_at -> Timestamp,
        valid_until -> Timestamp,
        verifiable_until -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoke_reason -> Nullable<Text>,
    }
}

diesel::table! {
    petition_keys (kid) {
        kid -> Text,
        agency -> Text,
        public_key -> Text,
        private_sealed -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    petition_notifications (id) {
        id -> Text,
        dedup -> Text,
        channel -> Text,
        recipient -> Text,
        template -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        delivered -> Text,
    }
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = petition_cases, treat_none_as_null = true)]
pub struct CaseRow {
    pub id: String,
    pub service: String,
    pub kind: String,
    pub agency: String,
    pub applicant: String,
    pub applicant_account: String,
    pub channel: String,
    pub status: String,
    pub receipt_no: Option<String>,
    pub form: String,
    pub category: String,
    pub region: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub address: Option<String>,
    pub assignee: Option<String>,
    pub decision: Option<String>,
    pub decision_reason: Option<String>,
    pub remedies: Option<String>,
    pub merged_into: Option<String>,
    pub rating: Option<i32>,
    pub rating_comment: Option<String>,
    pub submitted_at: Option<NaiveDateTime>,
    pub due_at: Option<NaiveDateTime>,
    pub paused_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub progress_noticed: bool,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// How far up the pack's escalation ladder the case has gone (0: not escalated).
    pub escalation_level: i32,
    /// When the case was first answered (decided, or closed without a decision).
    pub answered_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = petition_events)]
pub struct EventRow {
    pub id: String,
    pub case_id: String,
    pub at: NaiveDateTime,
    pub actor: String,
    pub actor_role: String,
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    pub reason: Option<String>,
    pub detail: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = petition_evidence)]
pub struct EvidenceRow {
    pub case_id: String,
    pub key: String,
    pub source: String,
    pub attachment: Option<String>,
    pub provider: Option<String>,
    pub consent: Option<String>,
    pub message_id: Option<String>,
    pub log_seq: Option<i64>,
    pub document: Option<String>,
    pub fetched_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = petition_attachments)]
pub struct AttachmentRow {
    pub id: String,
    pub case_id: String,
    pub owner: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = petition_documents)]
pub struct DocumentRow {
    pub number: String,
    pub case_id: String,
    pub agency: String,
    pub document: String,
    pub signature: String,
    pub digest: String,
    pub issued_at: NaiveDateTime,
    pub valid_until: NaiveDateTime,
    pub verifiable_until: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoke_reason: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = petition_keys)]
pub struct KeyRow {
    pub kid: String,
    pub agency: String,
    pub public_key: String,
    pub private_sealed: String,
    pub created_at: NaiveDateTime,
}

// ------------------------------------------------------------------ cases

pub fn insert_case(c: &mut DbConnection, row: &CaseRow) -> Result<(), Error> {
    diesel::insert_into(petition_cases::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn case(c: &mut DbConnection, id: &str) -> Result<Option<CaseRow>, Error> {
    Ok(petition_cases::table
        .find(id)
        .select(CaseRow::as_select())
        .first(c)
        .optional()?)
}

pub fn case_by_receipt(c: &mut DbConnection, receipt: &str) -> Result<Option<CaseRow>, Error> {
    Ok(petition_cases::table
        .filter(petition_cases::receipt_no.eq(receipt))
        .select(CaseRow::as_select())
        .first(c)
        .optional()?)
}

/// An applicant's cases, newest first.
pub fn cases_of(c: &mut DbConnection, applicant: &str, limit: i64) -> Result<Vec<CaseRow>, Error> {
    Ok(petition_cases::table
        .filter(petition_cases::applicant.eq(applicant))
        .order((petition_cases::created_at.desc(), petition_cases::id.desc()))
        .limit(limit)
        .select(CaseRow::as_select())
        .load(c)?)
}

/// Saves `row` if nobody changed the case since version `row.version - 1` was read.
pub fn save_case(c: &mut DbConnection, row: &CaseRow) -> Result<bool, Error> {
    use petition_cases::dsl as p;
    let n = diesel::update(
        p::petition_cases
            .filter(p::id.eq(&row.id))
            .filter(p::version.eq(row.version - 1)),
    )
    .set(row)
    .execute(c)?;
    Ok(n == 1)
}

/// The cases merged into `id`.
pub fn merged_into(c: &mut DbConnection, id: &str) -> Result<Vec<String>, Error> {
    Ok(petition_cases::table
        .filter(petition_cases::merged_into.eq(id))
        .select(petition_cases::receipt_no.assume_not_null())
        .load(c)?)
}

/// Filters of the officers' work list.
#[derive(Debug, Clone, Default)]
pub struct WorkFilter {
    pub status: Option<String>,
    pub service: Option<String>,
    pub assignee: Option<String>,
    pub due_before: Option<NaiveDateTime>,
    /// Keyset cursor: rows after (due_at, id).
    pub after: Option<(NaiveDateTime, String)>,
    /// Only open cases (the default) or any status.
    pub open_only: bool,
    /// Only cases no officer is assigned to.
    pub unassigned: bool,
    /// Only cases whose clock runs (not paused for a supplement).
    pub running_only: bool,
    /// Only cases escalated at least this far up the ladder.
    pub escalated_from: Option<i32>,
}

pub const OPEN: [&str; 5] = [
    "submitted",
    "received",
    "in_review",
    "supplement_requested",
    "supplemented",
];

/// One page of an agency's cases by due time (keyset pagination: no offset scans).
pub fn work_list(
    c: &mut DbConnection,
    agency: &str,
    f: &WorkFilter,
    limit: i64,
) -> Result<Vec<CaseRow>, Error> {
    use petition_cases::dsl as p;
    let mut q = p::petition_cases
        .filter(p::agency.eq(agency))
        .filter(p::due_at.is_not_null())
        .order((p::due_at.asc(), p::id.asc()))
        .limit(limit)
        .select(CaseRow::as_select())
        .into_boxed();
    if let Some(s) = &f.status {
        q = q.filter(p::status.eq(s.clone()));
    } else if f.open_only {
        q = q.filter(p::status.eq_any(OPEN));
    }
    if let Some(s) = &f.service {
        q = q.filter(p::service.eq(s.clone()));
    }
    if let Some(a) = &f.assignee {
        q = q.filter(p::assignee.eq(a.clone()));
    }
    if f.unassigned {
        q = q.filter(p::assignee.is_null());
    }
    if f.running_only {
        q = q.filter(p::paused_at.is_null());
    }
    if let Some(level) = f.escalated_from {
        q = q.filter(p::escalation_level.ge(level));
    }
    if let Some(d) = f.due_before {
        q = q.filter(p::due_at.lt(d));
    }
    if let Some((due, id)) = &f.after {
        // `due_at >= x` bounds the index range; the rest drops the rows already shown.
        q = q
            .filter(p::due_at.ge(*due))
            .filter(p::due_at.gt(*due).or(p::id.gt(id.clone())));
    }
    Ok(q.load(c)?)
}

/// What the compliance report reads of one case.
#[derive(Debug, Clone, Queryable)]
pub struct ComplianceRow {
    pub id: String,
    pub service: String,
    pub status: String,
    pub submitted_at: Option<NaiveDateTime>,
    pub due_at: Option<NaiveDateTime>,
    pub answered_at: Option<NaiveDateTime>,
    pub paused_at: Option<NaiveDateTime>,
}

/// The agency's cases submitted in `[from, to)`, for the compliance report.
pub fn compliance_rows(
    c: &mut DbConnection,
    agency: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<Vec<ComplianceRow>, Error> {
    use petition_cases::dsl as p;
    Ok(p::petition_cases
        .filter(p::agency.eq(agency))
        .filter(p::submitted_at.ge(from))
        .filter(p::submitted_at.lt(to))
        .select((
            p::id,
            p::service,
            p::status,
            p::submitted_at,
            p::due_at,
            p::answered_at,
            p::paused_at,
        ))
        .load(c)?)
}

/// The case of each extension of the agency's cases submitted in `[from, to)` (a case once
/// per extension).
pub fn extensions_of(
    c: &mut DbConnection,
    agency: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<Vec<String>, Error> {
    use petition_cases::dsl as p;
    use petition_events::dsl as e;
    let cases = p::petition_cases
        .filter(p::agency.eq(agency.to_owned()))
        .filter(p::submitted_at.ge(from))
        .filter(p::submitted_at.lt(to))
        .select(p::id);
    Ok(e::petition_events
        .filter(e::action.eq("extend"))
        .filter(e::case_id.eq_any(cases))
        .select(e::case_id)
        .load(c)?)
}

/// Running open cases overdue at `now` that are below `levels` on the escalation ladder,
/// earliest due first: what the escalation pass looks at.
pub fn escalation_candidates(
    c: &mut DbConnection,
    now: NaiveDateTime,
    levels: i32,
    limit: i64,
) -> Result<Vec<CaseRow>, Error> {
    use petition_cases::dsl as p;
    Ok(p::petition_cases
        .filter(p::escalation_level.lt(levels))
        .filter(p::due_at.lt(now))
        .filter(p::status.eq_any(OPEN))
        .filter(p::paused_at.is_null())
        .order((p::due_at.asc(), p::id.asc()))
        .limit(limit)
        .select(CaseRow::as_select())
        .load(c)?)
}

/// Open cases of the agency whose clock runs and is due before `before`, earliest first.
pub fn due_before(
    c: &mut DbConnection,
    agency: &str,
    before: NaiveDateTime,
    limit: i64,
) -> Result<Vec<CaseRow>, Error> {
    use petition_cases::dsl as p;
    Ok(p::petition_cases
        .filter(p::agency.eq(agency))
        .filter(p::due_at.lt(before))
        .filter(p::status.eq_any(OPEN))
        .filter(p::paused_at.is_null())
        .order((p::due_at.asc(), p::id.asc()))
        .limit(limit)
        .select(CaseRow::as_select())
        .load(c)?)
}

/// Open cases submitted before `cutoff` that have not had their progress notice.
pub fn progress_due(
    c: &mut DbConnection,
    cutoff: NaiveDateTime,
    limit: i64,
) -> Result<Vec<CaseRow>, Error> {
    use petition_cases::dsl as p;
    Ok(p::petition_cases
        .filter(p::status.eq_any(OPEN))
        .filter(p::progress_noticed.eq(false))
        .filter(p::submitted_at.lt(cutoff))
        .limit(limit)
        .select(CaseRow::as_select())
        .load(c)?)
}

/// Open cases of a service at an agency, with the same routing category and region,
/// submitted since `since` (duplicate candidates), newest first.
pub fn open_since(
    c: &mut DbConnection,
    like: &CaseRow,
    since: NaiveDateTime,
    limit: i64,
) -> Result<Vec<CaseRow>, Error> {
    use petition_cases::dsl as p;
    Ok(p::petition_cases
        .filter(p::service.eq(&like.service))
        .filter(p::agency.eq(&like.agency))
        .filter(p::category.eq(&like.category))
        .filter(p::region.eq(&like.region))
        .filter(p::id.ne(&like.id))
        .filter(p::submitted_at.ge(since))
        .filter(p::status.eq_any(OPEN))
        .order(p::submitted_at.desc())
        .limit(limit)
        .select(CaseRow::as_select())
        .load(c)?)
}

/// Open311 query: submitted cases of `services` in `[start, end)`, newest first.
pub fn requests(
    c: &mut DbConnection,
    services: &[String],
    start: NaiveDateTime,
    end: NaiveDateTime,
    status: Option<&[&str]>,
    limit: i64,
) -> Result<Vec<CaseRow>, Error> {
    use petition_cases::dsl as p;
    let mut q = p::petition_cases
        .filter(p::service.eq_any(services.to_vec()))
        .filter(p::submitted_at.ge(start))
        .filter(p::submitted_at.lt(end))
        .order(p::submitted_at.desc())
        .limit(limit)
        .select(CaseRow::as_select())
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(p::status.eq_any(s.to_vec()));
    }
    Ok(q.load(c)?)
}

pub fn cases_by_receipts(c: &mut DbConnection, receipts: &[String]) -> Result<Vec<CaseRow>, Error> {
    Ok(petition_cases::table
        .filter(petition_cases::receipt_no.eq_any(receipts.to_vec()))
        .select(CaseRow::as_select())
        .load(c)?)
}

#[derive(QueryableByName)]
struct Last {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    last: i64,
}

/// The next receipt number of `agency` in `year`: call inside the submitting transaction, so
/// a rolled-back submission gives its number back (gapless). One statement (an upsert that
/// returns the new value): the counter row stays locked until the transaction ends, so it is
/// taken as late as possible.
pub fn next_receipt(c: &mut DbConnection, agency: &str, year: i32) -> Result<i64, Error> {
    let row: Last = diesel::sql_query(
        "INSERT INTO petition_receipt_counters (agency, year, last) VALUES ($1, $2, 1) \
         ON CONFLICT (agency, year) DO UPDATE SET last = petition_receipt_counters.last + 1 \
         RETURNING last",
    )
    .bind::<Text, _>(agency)
    .bind::<Integer, _>(year)
    .get_result(c)?;
    Ok(row.last)
}

// ------------------------------------------------------------------ events

pub fn insert_event(c: &mut DbConnection, row: &EventRow) -> Result<(), Error> {
    diesel::insert_into(petition_events::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn events(c: &mut DbConnection, case_id: &str) -> Result<Vec<EventRow>, Error> {
    Ok(petition_events::table
        .filter(petition_events::case_id.eq(case_id))
        .order((petition_events::at.asc(), petition_events::id.asc()))
        .select(EventRow::as_select())
        .load(c)?)
}

// ------------------------------------------------------------------ evidence, attachments

/// Records a piece of evidence, replacing an earlier one under the same key.
pub fn put_evidence(c: &mut DbConnection, row: &EvidenceRow) -> Result<(), Error> {
    use petition_evidence::dsl as e;
    diesel::delete(e::petition_evidence.find((&row.case_id, &row.key))).execute(c)?;
    diesel::insert_into(petition_evidence::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn evidence_of(c: &mut DbConnection, case_id: &str) -> Result<Vec<EvidenceRow>, Error> {
    Ok(petition_evidence::table
        .filter(petition_evidence::case_id.eq(case_id))
        .order(petition_evidence::key.asc())
        .select(EvidenceRow::as_select())
        .load(c)?)
}

pub fn insert_attachment(c: &mut DbConnection, row: &AttachmentRow) -> Result<(), Error> {
    diesel::insert_into(petition_attachments::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn attachment(c: &mut DbConnection, id: &str) -> Result<Option<AttachmentRow>, Error> {
    Ok(petition_attachments::table
        .find(id)
        .select(AttachmentRow::as_select())
        .first(c)
        .optional()?)
}

pub fn attachments_of(c: &mut DbConnection, case_id: &str) -> Result<Vec<AttachmentRow>, Error> {
    Ok(petition_attachments::table
        .filter(petition_attachments::case_id.eq(case_id))
        .order(petition_attachments::created_at.asc())
        .select(AttachmentRow::as_select())
        .load(c)?)
}

// ------------------------------------------------------------------ documents, keys

pub fn insert_document(c: &mut DbConnection, row: &DocumentRow) -> Result<(), Error> {
    diesel::insert_into(petition_documents::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn document(c: &mut DbConnection, number: &str) -> Result<Option<DocumentRow>, Error> {
    Ok(petition_documents::table
        .find(number)
        .select(DocumentRow::as_select())
        .first(c)
        .optional()?)
}

pub fn documents_of(c: &mut DbConnection, case_id: &str) -> Result<Vec<DocumentRow>, Error> {
    Ok(petition_documents::table
        .filter(petition_documents::case_id.eq(case_id))
        .order(petition_documents::issued_at.asc())
        .select(DocumentRow::as_select())
        .load(c)?)
}

/// Revokes a document; false when it is already revoked.
pub fn revoke_document(
    c: &mut DbConnection,
    number: &str,
    at: NaiveDateTime,
    reason: &str,
) -> Result<bool, Error> {
    use petition_documents::dsl as d;
    let n = diesel::update(
        d::petition_documents
            .find(number)
            .filter(d::revoked_at.is_null()),
    )
    .set((
        d::revoked_at.eq(Some(at)),
        d::revoke_reason.eq(Some(reason)),
    ))
    .execute(c)?;
    Ok(n == 1)
}

pub fn latest_key(c: &mut DbConnection, agency: &str) -> Result<Option<KeyRow>, Error> {
    use petition_keys::dsl as k;
    Ok(k::petition_keys
        .filter(k::agency.eq(agency))
        .order(k::created_at.desc())
        .select(KeyRow::as_select())
        .first(c)
        .optional()?)
}

pub fn all_keys(c: &mut DbConnection) -> Result<Vec<KeyRow>, Error> {
    use petition_keys::dsl as k;
    Ok(k::petition_keys
        .order((k::agency.asc(), k::created_at.asc()))
        .select(KeyRow::as_select())
        .load(c)?)
}

pub fn insert_key(c: &mut DbConnection, row: &KeyRow) -> Result<(), Error> {
    diesel::insert_into(petition_keys::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

// ------------------------------------------------------------------ notifications

/// The module's notification outbox (the `petition_notifications` table).
pub const OUTBOX: egov_core::outbox::Outbox =
    egov_core::outbox::Outbox::new("petition_notifications");

/// How many cases the table holds (for the benchmark).
pub fn count_cases(c: &mut DbConnection) -> Result<i64, Error> {
    Ok(petition_cases::table.count().get_result(c)?)
}

// ---------------------------------------------------------------- delegations

/// A person's permission for someone else to apply for documents about them.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = petition_delegations)]
pub struct DelegationRow {
    pub id: String,
    pub grantor: String,
    pub grantor_masked: String,
    pub grantee: String,
    pub grantee_masked: String,
    pub service: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub withdrawn_at: Option<NaiveDateTime>,
}

pub fn insert_delegation(c: &mut DbConnection, row: &DelegationRow) -> Result<(), Error> {
    diesel::insert_into(petition_delegations::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

/// Delegations a person gave or received (by their key), newest first (at most 200).
pub fn delegations_of(c: &mut DbConnection, key: &str) -> Result<Vec<DelegationRow>, Error> {
    use petition_delegations::dsl as d;
    Ok(d::petition_delegations
        .filter(d::grantor.eq(key).or(d::grantee.eq(key)))
        .order((d::created_at.desc(), d::id.desc()))
        .limit(200)
        .select(DelegationRow::as_select())
        .load(c)?)
}

/// Withdraws a delegation the person gave; false when there is no such live one.
pub fn withdraw_delegation(
    c: &mut DbConnection,
    id: &str,
    grantor: &str,
    now: NaiveDateTime,
) -> Result<bool, Error> {
    use petition_delegations::dsl as d;
    Ok(diesel::update(
        d::petition_delegations
            .find(id)
            .filter(d::grantor.eq(grantor))
            .filter(d::withdrawn_at.is_null()),
    )
    .set(d::withdrawn_at.eq(now))
    .execute(c)?
        == 1)
}

/// Whether `grantor` lets `grantee` apply for `service` now.
pub fn delegated(
    c: &mut DbConnection,
    grantor: &str,
    grantee: &str,
    service: &str,
    now: NaiveDateTime,
) -> Result<bool, Error> {
    use petition_delegations::dsl as d;
    let n: i64 = d::petition_delegations
        .filter(d::grantor.eq(grantor))
        .filter(d::grantee.eq(grantee))
        .filter(d::service.eq(service).or(d::service.eq("*")))
        .filter(d::withdrawn_at.is_null())
        .filter(d::expires_at.gt(now))
        .count()
        .get_result(c)?;
    Ok(n > 0)
}

// ---------------------------------------------------------------- Open311 extras

/// What an Open311 request carries beyond the case: the jurisdiction's identifier of the place
/// (`address_id`) and a picture hosted elsewhere (`media_url`), both as given.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = petition_open311)]
pub struct Open311Row {
    pub case_id: String,
    pub address_id: Option<String>,
    pub media_url: Option<String>,
}

pub fn insert_open311(conn: &mut DbConnection, row: &Open311Row) -> Result<(), Error> {
    diesel::insert_into(petition_open311::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// The Open311 extras of the cases `ids` (those that have any).
pub fn open311_of(conn: &mut DbConnection, ids: &[String]) -> Result<Vec<Open311Row>, Error> {
    let mut out = Vec::new();
    // Bounded IN lists: SQLite's variable limit is far above, but keep queries small.
    for chunk in ids.chunks(500) {
        out.extend(
            petition_open311::table
                .filter(petition_open311::case_id.eq_any(chunk))
                .select(Open311Row::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

//! The tax module's tables. The only place in this crate that speaks diesel.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use egov_core::{DbConnection, Error};

diesel::table! {
    tax_keys (kid) {
        kid -> Text,
        public_key -> Text,
        private_sealed -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    tax_statements (id) {
        id -> Text,
        employer -> Text,
        statement_id -> Text,
        taxpayer -> Text,
        masked_id -> Text,
        year -> Integer,
        amounts -> Text,
        digest -> Text,
        received_at -> Timestamp,
        status -> Text,
        note -> Nullable<Text>,
        reviewed_by -> Nullable<Text>,
        reviewed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    tax_withholding_agents (business_id) {
        business_id -> Text,
        registered_by -> Text,
        registered_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    tax_returns (id) {
        id -> Text,
        taxpayer -> Text,
        masked_id -> Text,
        tax -> Text,
        year -> Integer,
        status -> Text,
        draft -> Text,
        payment_reference -> Text,
        latest_version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    tax_return_versions (id) {
        id -> Text,
        return_id -> Text,
        version -> Integer,
        kind -> Text,
        idempotency_key -> Text,
        inputs -> Text,
        prefill -> Text,
        outcome -> Text,
        rules_hash -> Text,
        engine_version -> Text,
        balance -> Text,
        alerts -> Text,
        actor -> Text,
        reason -> Nullable<Text>,
        acknowledgement -> Text,
        signature -> Text,
        submitted_at -> Timestamp,
    }
}

diesel::table! {
    tax_approvals (id) {
        id -> Text,
        kind -> Text,
        source -> Text,
        taxpayer -> Text,
        tax -> Text,
        year -> Integer,
        amount -> Text,
        due_date -> Nullable<Date>,
        return_id -> Nullable<Text>,
        note -> Nullable<Text>,
        status -> Text,
        requested_by -> Text,
        requested_at -> Timestamp,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_note -> Nullable<Text>,
    }
}

diesel::table! {
    tax_ledger (id) {
        id -> Text,
        taxpayer -> Text,
        tax -> Text,
        year -> Integer,
        kind -> Text,
        amount -> Text,
        due_date -> Nullable<Date>,
        source -> Text,
        reference -> Nullable<Text>,
        note -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    tax_bank_transfers (bank_txn_id) {
        bank_txn_id -> Text,
        reference -> Text,
        amount -> Text,
        paid_on -> Date,
        matched_return -> Nullable<Text>,
        received_at -> Timestamp,
    }
}

diesel::table! {
    tax_certificates (number) {
        number -> Text,
        kind -> Text,
        holder -> Text,
        document -> Text,
        signature -> Text,
        issued_at -> Timestamp,
        valid_until -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoke_reason -> Nullable<Text>,
    }
}

diesel::table! {
    tax_notifications (id) {
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

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = tax_keys)]
pub struct KeyRow {
    pub kid: String,
    pub public_key: String,
    pub private_sealed: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = tax_statements)]
pub struct StatementRow {
    pub id: String,
    pub employer: String,
    pub statement_id: String,
    pub taxpayer: String,
    pub masked_id: String,
    pub year: i32,
    pub amounts: String,
    pub digest: String,
    pub received_at: NaiveDateTime,
    /// `counted` (in the pre-filled return), `held` (an outlier, waiting for an officer),
    /// `disputed` (by the employee, waiting for an officer) or `void`.
    pub status: String,
    /// Why it is held, or the employee's dispute, or the officer's resolution.
    pub note: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<NaiveDateTime>,
}

/// A business registered to file withholding statements.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = tax_withholding_agents)]
pub struct AgentRow {
    pub business_id: String,
    pub registered_by: String,
    pub registered_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = tax_returns)]
pub struct ReturnRow {
    pub id: String,
    pub taxpayer: String,
    pub masked_id: String,
    pub tax: String,
    pub year: i32,
    pub status: String,
    pub draft: String,
    pub payment_reference: String,
    pub latest_version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = tax_return_versions)]
pub struct VersionRow {
    pub id: String,
    pub return_id: String,
    pub version: i32,
    pub kind: String,
    pub idempotency_key: String,
    pub inputs: String,
    pub prefill: String,
    pub outcome: String,
    pub rules_hash: String,
    pub engine_version: String,
    pub balance: String,
    pub alerts: String,
    pub actor: String,
    pub reason: Option<String>,
    pub acknowledgement: String,
    pub signature: String,
    pub submitted_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = tax_ledger)]
pub struct LedgerRow {
    pub id: String,
    pub taxpayer: String,
    pub tax: String,
    pub year: i32,
    pub kind: String,
    pub amount: String,
    pub due_date: Option<NaiveDate>,
    pub source: String,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub created_at: NaiveDateTime,
}

/// An assessment or refund waiting for (or decided by) a second officer.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = tax_approvals)]
pub struct ApprovalRow {
    pub id: String,
    pub kind: String,
    pub source: String,
    pub taxpayer: String,
    pub tax: String,
    pub year: i32,
    pub amount: String,
    pub due_date: Option<NaiveDate>,
    pub return_id: Option<String>,
    pub note: Option<String>,
    pub status: String,
    pub requested_by: String,
    pub requested_at: NaiveDateTime,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_note: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = tax_bank_transfers)]
pub struct TransferRow {
    pub bank_txn_id: String,
    pub reference: String,
    pub amount: String,
    pub paid_on: NaiveDate,
    pub matched_return: Option<String>,
    pub received_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = tax_certificates)]
pub struct CertificateRow {
    pub number: String,
    pub kind: String,
    pub holder: String,
    pub document: String,
    pub signature: String,
    pub issued_at: NaiveDateTime,
    pub valid_until: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoke_reason: Option<String>,
}

fn db(e: diesel::result::Error) -> Error {
    Error::from(e)
}

// ------------------------------------------------------------------ keys

pub fn latest_key(c: &mut DbConnection) -> Result<Option<KeyRow>, Error> {
    use tax_keys::dsl as k;
    k::tax_keys
        .order(k::created_at.desc())
        .select(KeyRow::as_select())
        .first(c)
        .optional()
        .map_err(db)
}

pub fn all_keys(c: &mut DbConnection) -> Result<Vec<KeyRow>, Error> {
    use tax_keys::dsl as k;
    k::tax_keys
        .order(k::created_at.asc())
        .select(KeyRow::as_select())
        .load(c)
        .map_err(db)
}

pub fn insert_key(c: &mut DbConnection, row: &KeyRow) -> Result<(), Error> {
    diesel::insert_into(tax_keys::table)
        .values(row)
        .execute(c)
        .map(|_| ())
        .map_err(db)
}

// ------------------------------------------------------------------ statements

pub fn statement(
    c: &mut DbConnection,
    employer: &str,
    statement_id: &str,
) -> Result<Option<StatementRow>, Error> {
    use tax_statements::dsl as s;
    s::tax_statements
        .filter(s::employer.eq(employer))
        .filter(s::statement_id.eq(statement_id))
        .select(StatementRow::as_select())
        .first(c)
        .optional()
        .map_err(db)
}

/// Inserts a statement unless its (employer, statement id) exists: `true` if inserted.
pub fn insert_statement(c: &mut DbConnection, row: &StatementRow) -> Result<bool, Error> {
    let n = diesel::sql_query(
        "INSERT INTO tax_statements (id, employer, statement_id, taxpayer, masked_id, year, \
         amounts, digest, received_at, status, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (employer, statement_id) DO NOTHING",
    )
    .bind::<diesel::sql_types::Text, _>(&row.id)
    .bind::<diesel::sql_types::Text, _>(&row.employer)
    .bind::<diesel::sql_types::Text, _>(&row.statement_id)
    .bind::<diesel::sql_types::Text, _>(&row.taxpayer)
    .bind::<diesel::sql_types::Text, _>(&row.masked_id)
    .bind::<diesel::sql_types::Integer, _>(row.year)
    .bind::<diesel::sql_types::Text, _>(&row.amounts)
    .bind::<diesel::sql_types::Text, _>(&row.digest)
    .bind::<diesel::sql_types::Timestamp, _>(row.received_at)
    .bind::<diesel::sql_types::Text, _>(&row.status)
    .bind::<diesel::sql_types::Nullable<diesel::sql_types::Text>, _>(&row.note)
    .execute(c)
    .map_err(db)?;
    Ok(n == 1)
}

/// The statements counted for a taxpayer's year: what pre-fills the return (held, disputed
/// and void ones are not).
pub fn statements_of(
    c: &mut DbConnection,
    taxpayer: &str,
    year: i32,
) -> Result<Vec<StatementRow>, Error> {
    Ok(statements_about(c, taxpayer, year)?
        .into_iter()
        .filter(|s| s.status == "counted")
        .collect())
}

/// Every statement filed about a taxpayer for a year, whatever its status.
pub fn statements_about(
    c: &mut DbConnection,
    taxpayer: &str,
    year: i32,
) -> Result<Vec<StatementRow>, Error> {
    use tax_statements::dsl as s;
    s::tax_statements
        .filter(s::taxpayer.eq(taxpayer))
        .filter(s::year.eq(year))
        .order(s::received_at.asc())
        .select(StatementRow::as_select())
        .load(c)
        .map_err(db)
}

pub fn statements_by_employer(
    c: &mut DbConnection,
    employer: &str,
    year: i32,
    limit: i64,
) -> Result<Vec<StatementRow>, Error> {
    use tax_statements::dsl as s;
    s::tax_statements
        .filter(s::employer.eq(employer))
        .filter(s::year.eq(year))
        .order(s::statement_id.asc())
        .limit(limit)
        .select(StatementRow::as_select())
        .load(c)
        .map_err(db)
}

/// How many statements an employer filed for a year in one status, and the last received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmployerCount {
    pub employer: String,
    pub status: String,
    pub count: i64,
    pub last_received: Option<NaiveDateTime>,
}

/// The statements received for `year`, counted per employer and status: the employers after
/// `after` (by business number), at most `limit` of them.
pub fn employer_counts(
    c: &mut DbConnection,
    year: i32,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<EmployerCount>, Error> {
    use diesel::dsl::{count_star, max};
    use tax_statements::dsl as s;
    let mut page = s::tax_statements
        .filter(s::year.eq(year))
        .select(s::employer)
        .distinct()
        .order(s::employer.asc())
        .limit(limit)
        .into_boxed();
    if let Some(a) = after {
        page = page.filter(s::employer.gt(a.to_owned()));
    }
    let employers: Vec<String> = page.load(c).map_err(db)?;
    if employers.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(String, String, i64, Option<NaiveDateTime>)> = s::tax_statements
        .filter(s::year.eq(year))
        .filter(s::employer.eq_any(&employers))
        .group_by((s::employer, s::status))
        .select((s::employer, s::status, count_star(), max(s::received_at)))
        .order((s::employer.asc(), s::status.asc()))
        .load(c)
        .map_err(db)?;
    Ok(rows
        .into_iter()
        .map(|(employer, status, count, last_received)| EmployerCount {
            employer,
            status,
            count,
            last_received,
        })
        .collect())
}

/// The registrations of these businesses as withholding agents (those that have one).
pub fn agents_among(c: &mut DbConnection, ids: &[String]) -> Result<Vec<AgentRow>, Error> {
    use tax_withholding_agents::dsl as a;
    a::tax_withholding_agents
        .filter(a::business_id.eq_any(ids))
        .select(AgentRow::as_select())
        .load(c)
        .map_err(db)
}

/// Taxpayers with statements for `year`, and their masked IDs.
pub fn statement_taxpayers(c: &mut DbConnection, year: i32) -> Result<Vec<String>, Error> {
    use tax_statements::dsl as s;
    s::tax_statements
        .filter(s::year.eq(year))
        .select(s::taxpayer)
        .distinct()
        .load(c)
        .map_err(db)
}

// ------------------------------------------------------------------ returns

pub fn return_of(
    c: &mut DbConnection,
    taxpayer: &str,
    tax: &str,
    year: i32,
) -> Result<Option<ReturnRow>, Error> {
    use tax_returns::dsl as r;
    r::tax_returns
        .filter(r::taxpayer.eq(taxpayer))
        .filter(r::tax.eq(tax))
        .filter(r::year.eq(year))
        .select(ReturnRow::as_select())
        .first(c)
        .optional()
        .map_err(db)
}

pub fn return_by_id(c: &mut DbConnection, id: &str) -> Result<Option<ReturnRow>, Error> {
    use tax_returns::dsl as r;
    r::tax_returns
        .find(id)
        .select(ReturnRow::as_select())
        .first(c)
        .optional()
        .map_err(db)
}

pub fn return_by_reference(
    c: &mut DbConnection,
    reference: &str,
) -> Result<Option<ReturnRow>, Error> {
    use tax_returns::dsl as r;
    r::tax_returns
        .filter(r::payment_reference.eq(reference))
        .select(ReturnRow::as_select())
        .first(c)
        .optional()
        .map_err(db)
}

pub fn returns_of(c: &mut DbConnection, taxpayer: &str) -> Result<Vec<ReturnRow>, Error> {
    use tax_returns::dsl as r;
    r::tax_returns
        .filter(r::taxpayer.eq(taxpayer))
        .order(r::year.desc())
        .select(ReturnRow::as_select())
        .load(c)
        .map_err(db)
}

/// Creates the return row unless it exists (a write first: SQLite takes the write lock at
/// the start of the transaction, so concurrent first views do not deadlock).
pub fn ensure_return(c: &mut DbConnection, row: &ReturnRow) -> Result<(), Error> {
    diesel::sql_query(
        "INSERT INTO tax_returns (id, taxpayer, masked_id, tax, year, status, draft, \
         payment_reference, latest_version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (taxpayer, tax, year) DO NOTHING",
    )
    .bind::<diesel::sql_types::Text, _>(&row.id)
    .bind::<diesel::sql_types::Text, _>(&row.taxpayer)
    .bind::<diesel::sql_types::Text, _>(&row.masked_id)
    .bind::<diesel::sql_types::Text, _>(&row.tax)
    .bind::<diesel::sql_types::Integer, _>(row.year)
    .bind::<diesel::sql_types::Text, _>(&row.status)
    .bind::<diesel::sql_types::Text, _>(&row.draft)
    .bind::<diesel::sql_types::Text, _>(&row.payment_reference)
    .bind::<diesel::sql_types::Integer, _>(row.latest_version)
    .bind::<diesel::sql_types::Timestamp, _>(row.created_at)
    .bind::<diesel::sql_types::Timestamp, _>(row.updated_at)
    .execute(c)
    .map(|_| ())
    .map_err(db)
}

pub fn set_draft(
    c: &mut DbConnection,
    id: &str,
    draft: &str,
    now: NaiveDateTime,
) -> Result<(), Error> {
    use tax_returns::dsl as r;
    diesel::update(r::tax_returns.find(id))
        .set((r::draft.eq(draft), r::updated_at.eq(now)))
        .execute(c)
        .map(|_| ())
        .map_err(db)
}

/// Moves the return to `version` if it is still at `from` (optimistic: a concurrent
/// submission makes this fail and the caller's transaction roll back).
pub fn advance_version(
    c: &mut DbConnection,
    id: &str,
    from: i32,
    version: i32,
    now: NaiveDateTime,
) -> Result<bool, Error> {
    use tax_returns::dsl as r;
    let n = diesel::update(
        r::tax_returns
            .filter(r::id.eq(id))
            .filter(r::latest_version.eq(from)),
    )
    .set((
        r::latest_version.eq(version),
        r::status.eq("submitted"),
        r::updated_at.eq(now),
    ))
    .execute(c)
    .map_err(db)?;
    Ok(n == 1)
}

pub fn version_by_key(
    c: &mut DbConnection,
    return_id: &str,
    key: &str,
) -> Result<Option<VersionRow>, Error> {
    use tax_return_versions::dsl as v;
    v::tax_return_versions
        .filter(v::return_id.eq(return_id))
        .filter(v::idempotency_key.eq(key))
        .select(VersionRow::as_select())
        .first(c)
        .optional()
        .map_err(db)
}

pub fn versions(c: &mut DbConnection, return_id: &str) -> Result<Vec<VersionRow>, Error> {
    use tax_return_versions::dsl as v;
    v::tax_return_versions
        .filter(v::return_id.eq(return_id))
        .order(v::version.asc())
        .select(VersionRow::as_select())
        .load(c)
        .map_err(db)
}

pub fn latest_version(c: &mut DbConnection, return_id: &str) -> Result<Option<VersionRow>, Error> {
    use tax_return_versions::dsl as v;
    v::tax_return_versions
        .filter(v::return_id.eq(return_id))
        .order(v::version.desc())
        .select(VersionRow::as_select())
        .first(c)
        .optional()
        .map_err(db)
}

pub fn insert_version(c: &mut DbConnection, row: &VersionRow) -> Result<(), Error> {
    diesel::insert_into(tax_return_versions::table)
        .values(row)
        .execute(c)
        .map(|_| ())
        .map_err(db)
}

// ------------------------------------------------------------------ ledger and payments

pub fn insert_ledger(c: &mut DbConnection, row: &LedgerRow) -> Result<(), Error> {
    diesel::insert_into(tax_ledger::table)
        .values(row)
        .execute(c)
        .map(|_| ())
        .map_err(db)
}

pub fn ledger_of(c: &mut DbConnection, taxpayer: &str) -> Result<Vec<LedgerRow>, Error> {
    use tax_ledger::dsl as l;
    l::tax_ledger
        .filter(l::taxpayer.eq(taxpayer))
        .order((l::year.asc(), l::created_at.asc()))
        .select(LedgerRow::as_select())
        .load(c)
        .map_err(db)
}

pub fn ledger_entry(
    c: &mut DbConnection,
    kind: &str,
    source: &str,
) -> Result<Option<LedgerRow>, Error> {
    use tax_ledger::dsl as l;
    l::tax_ledger
        .filter(l::kind.eq(kind))
        .filter(l::source.eq(source))
        .select(LedgerRow::as_select())
        .first(c)
        .optional()
        .map_err(db)
}

/// Records a bank line unless its transaction id was seen: `true` if new.
pub fn insert_transfer(c: &mut DbConnection, row: &TransferRow) -> Result<bool, Error> {
    let n = diesel::sql_query(
        "INSERT INTO tax_bank_transfers (bank_txn_id, reference, amount, paid_on, \
         matched_return, received_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (bank_txn_id) DO NOTHING",
    )
    .bind::<diesel::sql_types::Text, _>(&row.bank_txn_id)
    .bind::<diesel::sql_types::Text, _>(&row.reference)
    .bind::<diesel::sql_types::Text, _>(&row.amount)
    .bind::<diesel::sql_types::Date, _>(row.paid_on)
    .bind::<diesel::sql_types::Nullable<diesel::sql_types::Text>, _>(&row.matched_return)
    .bind::<diesel::sql_types::Timestamp, _>(row.received_at)
    .execute(c)
    .map_err(db)?;
    Ok(n == 1)
}

pub fn transfer(c: &mut DbConnection, id: &str) -> Result<Option<TransferRow>, Error> {
    use tax_bank_transfers::dsl as t;
    t::tax_bank_transfers
        .find(id)
        .select(TransferRow::as_select())
        .first(c)
        .optional()
        .map_err(db)
}

// ------------------------------------------------------------------ certificates

pub fn insert_certificate(c: &mut DbConnection, row: &CertificateRow) -> Result<(), Error> {
    diesel::insert_into(tax_certificates::table)
        .values(row)
        .execute(c)
        .map(|_| ())
        .map_err(db)
}

pub fn certificate(c: &mut DbConnection, number: &str) -> Result<Option<CertificateRow>, Error> {
    use tax_certificates::dsl as t;
    t::tax_certificates
        .find(number)
        .select(CertificateRow::as_select())
        .first(c)
        .optional()
        .map_err(db)
}

pub fn certificates_of(c: &mut DbConnection, holder: &str) -> Result<Vec<CertificateRow>, Error> {
    use tax_certificates::dsl as t;
    t::tax_certificates
        .filter(t::holder.eq(holder))
        .order(t::issued_at.desc())
        .select(CertificateRow::as_select())
        .load(c)
        .map_err(db)
}

pub fn revoke_certificate(
    c: &mut DbConnection,
    number: &str,
    reason: &str,
    now: NaiveDateTime,
) -> Result<bool, Error> {
    use tax_certificates::dsl as t;
    let n = diesel::update(
        t::tax_certificates
            .filter(t::number.eq(number))
            .filter(t::revoked_at.is_null()),
    )
    .set((t::revoked_at.eq(now), t::revoke_reason.eq(reason)))
    .execute(c)
    .map_err(db)?;
    Ok(n == 1)
}

// ------------------------------------------------------------------ notifications

/// The module's notification outbox (the `tax_notifications` table).
pub const OUTBOX: egov_core::outbox::Outbox = egov_core::outbox::Outbox::new("tax_notifications");

// ---------------------------------------------------------------- four eyes

pub fn insert_approval(c: &mut DbConnection, row: &ApprovalRow) -> Result<(), Error> {
    diesel::insert_into(tax_approvals::table)
        .values(row)
        .execute(c)
        .map(|_| ())
        .map_err(db)
}

/// The approval of a posting (`kind`, `source`), whatever its status.
pub fn approval_of(
    c: &mut DbConnection,
    kind: &str,
    source: &str,
) -> Result<Option<ApprovalRow>, Error> {
    use tax_approvals::dsl as a;
    a::tax_approvals
        .filter(a::kind.eq(kind))
        .filter(a::source.eq(source))
        .select(ApprovalRow::as_select())
        .first(c)
        .optional()
        .map_err(db)
}

pub fn approval(c: &mut DbConnection, id: &str) -> Result<Option<ApprovalRow>, Error> {
    use tax_approvals::dsl as a;
    a::tax_approvals
        .find(id)
        .select(ApprovalRow::as_select())
        .first(c)
        .optional()
        .map_err(db)
}

/// Approvals waiting for a second officer, oldest first (at most `limit`).
pub fn pending_approvals(c: &mut DbConnection, limit: i64) -> Result<Vec<ApprovalRow>, Error> {
    use tax_approvals::dsl as a;
    a::tax_approvals
        .filter(a::status.eq("pending"))
        .order((a::requested_at.asc(), a::id.asc()))
        .limit(limit)
        .select(ApprovalRow::as_select())
        .load(c)
        .map_err(db)
}

/// Decides a pending approval; false when it was no longer pending (decided concurrently).
pub fn decide_approval(
    c: &mut DbConnection,
    id: &str,
    status: &str,
    by: &str,
    at: NaiveDateTime,
    note: Option<&str>,
) -> Result<bool, Error> {
    use tax_approvals::dsl as a;
    diesel::update(a::tax_approvals.find(id).filter(a::status.eq("pending")))
        .set((
            a::status.eq(status),
            a::decided_by.eq(by),
            a::decided_at.eq(at),
            a::decision_note.eq(note),
        ))
        .execute(c)
        .map(|n| n == 1)
        .map_err(db)
}

// ---------------------------------------------------------------- withholding agents, reviews

pub fn agent(c: &mut DbConnection, business_id: &str) -> Result<Option<AgentRow>, Error> {
    use tax_withholding_agents::dsl as a;
    a::tax_withholding_agents
        .find(business_id)
        .select(AgentRow::as_select())
        .first(c)
        .optional()
        .map_err(db)
}

/// Registers (or registers again after a revocation) a withholding agent.
pub fn register_agent(c: &mut DbConnection, row: &AgentRow) -> Result<(), Error> {
    use tax_withholding_agents::dsl as a;
    let n = diesel::update(a::tax_withholding_agents.find(&row.business_id))
        .set((
            a::registered_by.eq(&row.registered_by),
            a::registered_at.eq(row.registered_at),
            a::revoked_at.eq(None::<NaiveDateTime>),
        ))
        .execute(c)
        .map_err(db)?;
    if n == 0 {
        diesel::insert_into(a::tax_withholding_agents)
            .values(row)
            .execute(c)
            .map_err(db)?;
    }
    Ok(())
}

pub fn revoke_agent(
    c: &mut DbConnection,
    business_id: &str,
    at: NaiveDateTime,
) -> Result<bool, Error> {
    use tax_withholding_agents::dsl as a;
    diesel::update(
        a::tax_withholding_agents
            .find(business_id)
            .filter(a::revoked_at.is_null()),
    )
    .set(a::revoked_at.eq(at))
    .execute(c)
    .map(|n| n == 1)
    .map_err(db)
}

pub fn statement_by_id(c: &mut DbConnection, id: &str) -> Result<Option<StatementRow>, Error> {
    use tax_statements::dsl as s;
    s::tax_statements
        .find(id)
        .select(StatementRow::as_select())
        .first(c)
        .optional()
        .map_err(db)
}

/// Statements waiting for an officer (held or disputed), oldest first.
pub fn statements_to_review(c: &mut DbConnection, limit: i64) -> Result<Vec<StatementRow>, Error> {
    use tax_statements::dsl as s;
    s::tax_statements
        .filter(s::status.eq_any(["held", "disputed"]))
        .order((s::received_at.asc(), s::id.asc()))
        .limit(limit)
        .select(StatementRow::as_select())
        .load(c)
        .map_err(db)
}

/// Moves a statement from one of `from` to `to`, with a note (and the officer, if any);
/// false when it was not in one of `from`.
pub fn set_statement_status(
    c: &mut DbConnection,
    id: &str,
    from: &[&str],
    to: &str,
    note: &str,
    officer: Option<&str>,
    at: NaiveDateTime,
) -> Result<bool, Error> {
    use tax_statements::dsl as s;
    diesel::update(s::tax_statements.find(id).filter(s::status.eq_any(from)))
        .set((
            s::status.eq(to),
            s::note.eq(note),
            s::reviewed_by.eq(officer),
            s::reviewed_at.eq(officer.map(|_| at)),
        ))
        .execute(c)
        .map(|n| n == 1)
        .map_err(db)
}

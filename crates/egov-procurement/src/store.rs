//! The procurement module's tables. The only place in this crate that speaks diesel.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use egov_core::{DbConnection, Error};

diesel::table! {
    procurement_suppliers (business_id) {
        business_id -> Text,
        account -> Text,
        name -> Text,
        categories -> Text,
        licences -> Text,
        representatives -> Text,
        registered_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    procurement_debarments (id) {
        id -> Text,
        business_id -> Text,
        reason -> Text,
        legal_basis -> Text,
        from_date -> Date,
        until_date -> Nullable<Date>,
        created_by -> Text,
        created_at -> Timestamp,
        lifted_at -> Nullable<Timestamp>,
        lifted_by -> Nullable<Text>,
        lift_reason -> Nullable<Text>,
    }
}

diesel::table! {
    procurement_eligibility (id) {
        id -> Text,
        business_id -> Text,
        kind -> Text,
        eligible -> Bool,
        answer -> Text,
        provider -> Text,
        consent -> Nullable<Text>,
        message_id -> Text,
        log_seq -> BigInt,
        checked_at -> Timestamp,
        valid_until -> Timestamp,
    }
}

diesel::table! {
    procurement_committee_keys (account) {
        account -> Text,
        public_key -> Text,
        registered_at -> Timestamp,
    }
}

diesel::table! {
    procurement_tenders (id) {
        id -> Text,
        ocid -> Text,
        agency -> Text,
        procedure_id -> Text,
        category -> Text,
        title -> Text,
        description -> Text,
        status -> Text,
        prev_status -> Nullable<Text>,
        lots -> Text,
        committee -> Text,
        evaluators -> Text,
        k -> Integer,
        n -> Integer,
        public_key -> Nullable<Text>,
        seed_commitment -> Nullable<Text>,
        seed_sealed -> Nullable<Text>,
        enquiry_end -> Timestamp,
        deadline -> Timestamp,
        opening_at -> Timestamp,
        amendment -> Integer,
        bid_count -> Nullable<Integer>,
        commitments -> Nullable<Text>,
        opening -> Nullable<Text>,
        ranking -> Nullable<Text>,
        standstill_end -> Nullable<Timestamp>,
        suspended_at -> Nullable<Timestamp>,
        cancel_reason -> Nullable<Text>,
        created_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    procurement_shares (tender_id, member) {
        tender_id -> Text,
        member -> Text,
        sealed_share -> Text,
        share_digest -> Text,
        share -> Nullable<Text>,
        submitted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    procurement_amendments (tender_id, number) {
        tender_id -> Text,
        number -> Integer,
        at -> Timestamp,
        actor -> Text,
        reason -> Text,
        changes -> Text,
    }
}

diesel::table! {
    procurement_questions (id) {
        id -> Text,
        tender_id -> Text,
        asker -> Text,
        question -> Text,
        answer -> Nullable<Text>,
        asked_at -> Timestamp,
        answered_at -> Nullable<Timestamp>,
        answered_by -> Nullable<Text>,
    }
}

diesel::table! {
    procurement_bids (id) {
        id -> Text,
        tender_id -> Text,
        lot_id -> Text,
        supplier -> Text,
        account -> Text,
        status -> Text,
        sealed -> Text,
        digest -> Text,
        received_at -> Timestamp,
        receipt -> Text,
        eligibility -> Text,
        withdrawn_at -> Nullable<Timestamp>,
        opened -> Nullable<Text>,
        price -> Nullable<Text>,
        rejection -> Nullable<Text>,
    }
}

diesel::table! {
    procurement_scores (id) {
        id -> Text,
        tender_id -> Text,
        bid_id -> Text,
        evaluator -> Text,
        score -> Text,
        comment -> Text,
        at -> Timestamp,
        signature -> Text,
    }
}

diesel::table! {
    procurement_awards (id) {
        id -> Text,
        tender_id -> Text,
        lot_id -> Text,
        bid_id -> Text,
        supplier -> Text,
        amount -> Text,
        status -> Text,
        decided_at -> Timestamp,
        decided_by -> Text,
    }
}

diesel::table! {
    procurement_complaints (id) {
        id -> Text,
        tender_id -> Text,
        complainant -> Text,
        account -> Text,
        against -> Text,
        text -> Text,
        status -> Text,
        filed_at -> Timestamp,
        decide_by -> Timestamp,
        decided_at -> Nullable<Timestamp>,
        decided_by -> Nullable<Text>,
        decision_reason -> Nullable<Text>,
        remedy -> Nullable<Text>,
    }
}

diesel::table! {
    procurement_contracts (id) {
        id -> Text,
        tender_id -> Text,
        award_id -> Text,
        supplier -> Text,
        status -> Text,
        version -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    procurement_contract_versions (contract_id, version) {
        contract_id -> Text,
        version -> Integer,
        terms -> Text,
        digest -> Text,
        reason -> Text,
        created_at -> Timestamp,
        created_by -> Text,
        buyer_by -> Nullable<Text>,
        buyer_at -> Nullable<Timestamp>,
        buyer_signature -> Nullable<Text>,
        supplier_by -> Nullable<Text>,
        supplier_at -> Nullable<Timestamp>,
        supplier_signature -> Nullable<Text>,
    }
}

diesel::table! {
    procurement_events (id) {
        id -> Text,
        tender_id -> Text,
        at -> Timestamp,
        actor -> Text,
        action -> Text,
        from_status -> Text,
        to_status -> Text,
        reason -> Nullable<Text>,
        detail -> Text,
    }
}

diesel::table! {
    procurement_releases (seq) {
        seq -> BigInt,
        ocid -> Text,
        release_id -> Text,
        date -> Timestamp,
        body -> Text,
    }
}

diesel::table! {
    procurement_keys (kid) {
        kid -> Text,
        public_key -> Text,
        private_sealed -> Text,
        created_at -> Timestamp,
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = procurement_suppliers)]
pub struct SupplierRow {
    pub business_id: String,
    pub account: String,
    pub name: String,
    pub categories: String,
    pub licences: String,
    pub representatives: String,
    pub registered_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = procurement_debarments)]
pub struct DebarmentRow {
    pub id: String,
    pub business_id: String,
    pub reason: String,
    pub legal_basis: String,
    pub from_date: NaiveDate,
    pub until_date: Option<NaiveDate>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub lifted_at: Option<NaiveDateTime>,
    pub lifted_by: Option<String>,
    pub lift_reason: Option<String>,
}

impl DebarmentRow {
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.lifted_at.is_none()
            && self.from_date <= day
            && self.until_date.is_none_or(|u| day <= u)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = procurement_eligibility)]
pub struct EligibilityRow {
    pub id: String,
    pub business_id: String,
    pub kind: String,
    pub eligible: bool,
    pub answer: String,
    pub provider: String,
    pub consent: Option<String>,
    pub message_id: String,
    pub log_seq: i64,
    pub checked_at: NaiveDateTime,
    pub valid_until: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = procurement_tenders)]
#[diesel(treat_none_as_null = true)]
pub struct TenderRow {
    pub id: String,
    pub ocid: String,
    pub agency: String,
    pub procedure_id: String,
    pub category: String,
    pub title: String,
    pub description: String,
    pub status: String,
    pub prev_status: Option<String>,
    pub lots: String,
    pub committee: String,
    pub evaluators: String,
    pub k: i32,
    pub n: i32,
    pub public_key: Option<String>,
    pub seed_commitment: Option<String>,
    pub seed_sealed: Option<String>,
    pub enquiry_end: NaiveDateTime,
    pub deadline: NaiveDateTime,
    pub opening_at: NaiveDateTime,
    pub amendment: i32,
    pub bid_count: Option<i32>,
    pub commitments: Option<String>,
    pub opening: Option<String>,
    pub ranking: Option<String>,
    pub standstill_end: Option<NaiveDateTime>,
    pub suspended_at: Option<NaiveDateTime>,
    pub cancel_reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = procurement_shares)]
pub struct ShareRow {
    pub tender_id: String,
    pub member: String,
    pub sealed_share: String,
    pub share_digest: String,
    pub share: Option<String>,
    pub submitted_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = procurement_amendments)]
pub struct AmendmentRow {
    pub tender_id: String,
    pub number: i32,
    pub at: NaiveDateTime,
    pub actor: String,
    pub reason: String,
    pub changes: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = procurement_questions)]
pub struct QuestionRow {
    pub id: String,
    pub tender_id: String,
    pub asker: String,
    pub question: String,
    pub answer: Option<String>,
    pub asked_at: NaiveDateTime,
    pub answered_at: Option<NaiveDateTime>,
    pub answered_by: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = procurement_bids)]
pub struct BidRow {
    pub id: String,
    pub tender_id: String,
    pub lot_id: String,
    pub supplier: String,
    pub account: String,
    pub status: String,
    pub sealed: String,
    pub digest: String,
    pub received_at: NaiveDateTime,
    pub receipt: String,
    pub eligibility: String,
    pub withdrawn_at: Option<NaiveDateTime>,
    pub opened: Option<String>,
    pub price: Option<String>,
    pub rejection: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = procurement_scores)]
pub struct ScoreRow {
    pub id: String,
    pub tender_id: String,
    pub bid_id: String,
    pub evaluator: String,
    pub score: String,
    pub comment: String,
    pub at: NaiveDateTime,
    pub signature: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = procurement_awards)]
pub struct AwardRow {
    pub id: String,
    pub tender_id: String,
    pub lot_id: String,
    pub bid_id: String,
    pub supplier: String,
    pub amount: String,
    pub status: String,
    pub decided_at: NaiveDateTime,
    pub decided_by: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = procurement_complaints)]
pub struct ComplaintRow {
    pub id: String,
    pub tender_id: String,
    pub complainant: String,
    pub account: String,
    pub against: String,
    pub text: String,
    pub status: String,
    pub filed_at: NaiveDateTime,
    pub decide_by: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
    pub remedy: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = procurement_contracts)]
pub struct ContractRow {
    pub id: String,
    pub tender_id: String,
    pub award_id: String,
    pub supplier: String,
    pub status: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = procurement_contract_versions)]
#[diesel(treat_none_as_null = true)]
pub struct ContractVersionRow {
    pub contract_id: String,
    pub version: i32,
    pub terms: String,
    pub digest: String,
    pub reason: String,
    pub created_at: NaiveDateTime,
    pub created_by: String,
    pub buyer_by: Option<String>,
    pub buyer_at: Option<NaiveDateTime>,
    pub buyer_signature: Option<String>,
    pub supplier_by: Option<String>,
    pub supplier_at: Option<NaiveDateTime>,
    pub supplier_signature: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = procurement_events)]
pub struct EventRow {
    pub id: String,
    pub tender_id: String,
    pub at: NaiveDateTime,
    pub actor: String,
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    pub reason: Option<String>,
    pub detail: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = procurement_releases)]
pub struct ReleaseRow {
    pub seq: i64,
    pub ocid: String,
    pub release_id: String,
    pub date: NaiveDateTime,
    pub body: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = procurement_releases)]
pub struct NewRelease {
    pub ocid: String,
    pub release_id: String,
    pub date: NaiveDateTime,
    pub body: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = procurement_keys)]
pub struct KeyRow {
    pub kid: String,
    pub public_key: String,
    pub private_sealed: String,
    pub created_at: NaiveDateTime,
}

// ------------------------------------------------------------------ suppliers

pub fn supplier(c: &mut DbConnection, id: &str) -> Result<Option<SupplierRow>, Error> {
    Ok(procurement_suppliers::table
        .find(id)
        .select(SupplierRow::as_select())
        .first(c)
        .optional()?)
}

pub fn save_supplier(c: &mut DbConnection, row: &SupplierRow) -> Result<(), Error> {
    let n = diesel::update(procurement_suppliers::table.find(&row.business_id))
        .set((
            procurement_suppliers::name.eq(&row.name),
            procurement_suppliers::account.eq(&row.account),
            procurement_suppliers::categories.eq(&row.categories),
            procurement_suppliers::licences.eq(&row.licences),
            procurement_suppliers::representatives.eq(&row.representatives),
            procurement_suppliers::updated_at.eq(row.updated_at),
        ))
        .execute(c)?;
    if n == 0 {
        diesel::insert_into(procurement_suppliers::table)
            .values(row)
            .execute(c)?;
    }
    Ok(())
}

pub fn debarments(c: &mut DbConnection, business: &str) -> Result<Vec<DebarmentRow>, Error> {
    Ok(procurement_debarments::table
        .filter(procurement_debarments::business_id.eq(business))
        .order(procurement_debarments::created_at.desc())
        .select(DebarmentRow::as_select())
        .load(c)?)
}

/// Every business debarred on `day` (the list is short; one query for an opening).
pub fn debarred_on(
    c: &mut DbConnection,
    day: NaiveDate,
) -> Result<std::collections::HashSet<String>, Error> {
    let rows: Vec<DebarmentRow> = procurement_debarments::table
        .filter(procurement_debarments::lifted_at.is_null())
        .filter(procurement_debarments::from_date.le(day))
        .select(DebarmentRow::as_select())
        .load(c)?;
    Ok(rows
        .into_iter()
        .filter(|d| d.active_on(day))
        .map(|d| d.business_id)
        .collect())
}

pub fn debarment(c: &mut DbConnection, id: &str) -> Result<Option<DebarmentRow>, Error> {
    Ok(procurement_debarments::table
        .find(id)
        .select(DebarmentRow::as_select())
        .first(c)
        .optional()?)
}

pub fn insert_debarment(c: &mut DbConnection, row: &DebarmentRow) -> Result<(), Error> {
    diesel::insert_into(procurement_debarments::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn lift_debarment(
    c: &mut DbConnection,
    id: &str,
    by: &str,
    reason: &str,
    at: NaiveDateTime,
) -> Result<bool, Error> {
    let n = diesel::update(
        procurement_debarments::table
            .find(id)
            .filter(procurement_debarments::lifted_at.is_null()),
    )
    .set((
        procurement_debarments::lifted_at.eq(at),
        procurement_debarments::lifted_by.eq(by),
        procurement_debarments::lift_reason.eq(reason),
    ))
    .execute(c)?;
    Ok(n == 1)
}

pub fn insert_eligibility(c: &mut DbConnection, row: &EligibilityRow) -> Result<(), Error> {
    diesel::insert_into(procurement_eligibility::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

/// The latest attestation of `kind` still valid at `now`.
pub fn valid_eligibility(
    c: &mut DbConnection,
    business: &str,
    kind: &str,
    now: NaiveDateTime,
) -> Result<Option<EligibilityRow>, Error> {
    Ok(procurement_eligibility::table
        .filter(procurement_eligibility::business_id.eq(business))
        .filter(procurement_eligibility::kind.eq(kind))
        .filter(procurement_eligibility::valid_until.gt(now))
        .order(procurement_eligibility::checked_at.desc())
        .select(EligibilityRow::as_select())
        .first(c)
        .optional()?)
}

// ------------------------------------------------------------------ committee keys

pub fn committee_key(c: &mut DbConnection, account: &str) -> Result<Option<String>, Error> {
    Ok(procurement_committee_keys::table
        .find(account)
        .select(procurement_committee_keys::public_key)
        .first(c)
        .optional()?)
}

pub fn save_committee_key(
    c: &mut DbConnection,
    account: &str,
    key: &str,
    at: NaiveDateTime,
) -> Result<(), Error> {
    let n = diesel::update(procurement_committee_keys::table.find(account))
        .set((
            procurement_committee_keys::public_key.eq(key),
            procurement_committee_keys::registered_at.eq(at),
        ))
        .execute(c)?;
    if n == 0 {
        diesel::insert_into(procurement_committee_keys::table)
            .values((
                procurement_committee_keys::account.eq(account),
                procurement_committee_keys::public_key.eq(key),
                procurement_committee_keys::registered_at.eq(at),
            ))
            .execute(c)?;
    }
    Ok(())
}

// ------------------------------------------------------------------ tenders

pub fn tender(c: &mut DbConnection, id: &str) -> Result<Option<TenderRow>, Error> {
    Ok(procurement_tenders::table
        .find(id)
        .select(TenderRow::as_select())
        .first(c)
        .optional()?)
}

pub fn tender_by_ocid(c: &mut DbConnection, ocid: &str) -> Result<Option<TenderRow>, Error> {
    Ok(procurement_tenders::table
        .filter(procurement_tenders::ocid.eq(ocid))
        .select(TenderRow::as_select())
        .first(c)
        .optional()?)
}

pub fn insert_tender(c: &mut DbConnection, row: &TenderRow) -> Result<(), Error> {
    diesel::insert_into(procurement_tenders::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

/// Saves `row` if nobody changed it since `row.version` was read; bumps the version.
pub fn save_tender(c: &mut DbConnection, row: &mut TenderRow) -> Result<bool, Error> {
    let expected = row.version;
    row.version += 1;
    let n = diesel::update(
        procurement_tenders::table
            .find(&row.id)
            .filter(procurement_tenders::version.eq(expected)),
    )
    .set(&*row)
    .execute(c)?;
    if n == 0 {
        row.version = expected;
    }
    Ok(n == 1)
}

/// Moves a tender from `from` to `to` if it is still in `from`: true for exactly one caller,
/// however many processes try (the row lock orders them; the loser sees the new status).
pub fn claim(
    c: &mut DbConnection,
    id: &str,
    from: &str,
    to: &str,
    at: NaiveDateTime,
) -> Result<bool, Error> {
    let n = diesel::update(
        procurement_tenders::table
            .find(id)
            .filter(procurement_tenders::status.eq(from)),
    )
    .set((
        procurement_tenders::status.eq(to),
        procurement_tenders::updated_at.eq(at),
        procurement_tenders::version.eq(procurement_tenders::version + 1),
    ))
    .execute(c)?;
    Ok(n == 1)
}

#[derive(Debug, QueryableByName)]
pub struct Gate {
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Timestamp)]
    pub deadline: NaiveDateTime,
}

/// Reads a tender's status and deadline for a bid, holding a shared lock on PostgreSQL (the
/// deadline transition's update waits for bids in flight, and a bid waits for it) — SQLite's
/// write transactions are already exclusive.
pub fn gate(c: &mut DbConnection, id: &str) -> Result<Option<Gate>, Error> {
    let sql = match c {
        DbConnection::Pg(_) => {
            "SELECT status, deadline FROM procurement_tenders WHERE id = $1 FOR SHARE"
        }
        DbConnection::Sqlite(_) => "SELECT status, deadline FROM procurement_tenders WHERE id = $1",
    };
    Ok(diesel::sql_query(sql)
        .bind::<Text, _>(id)
        .get_result(c)
        .optional()?)
}

/// Tenders whose time-driven transition is due at `now`.
pub fn due(c: &mut DbConnection, now: NaiveDateTime) -> Result<Vec<(String, String)>, Error> {
    use procurement_tenders::dsl as t;
    Ok(t::procurement_tenders
        .filter(
            t::status
                .eq("published")
                .or(t::status.eq("enquiry").and(t::enquiry_end.le(now)))
                .or(t::status.eq("tendering").and(t::deadline.le(now)))
                .or(t::status.eq("deadline").and(t::opening_at.le(now)))
                .or(t::status.eq("standstill").and(t::standstill_end.le(now))),
        )
        .select((t::id, t::status))
        .limit(500)
        .load(c)?)
}

/// Tenders with their deadline in `[from, to)`, cancelled and drafts aside.
pub fn deadlines_between(
    c: &mut DbConnection,
    from: NaiveDateTime,
    to: NaiveDateTime,
    except: &str,
) -> Result<i64, Error> {
    use procurement_tenders::dsl as t;
    Ok(t::procurement_tenders
        .filter(t::deadline.ge(from))
        .filter(t::deadline.lt(to))
        .filter(t::status.ne_all(["draft", "cancelled"]))
        .filter(t::id.ne(except))
        .count()
        .get_result(c)?)
}

/// Public list: everything published, newest first, keyset by (created_at, id).
pub fn tenders_page(
    c: &mut DbConnection,
    agency: Option<&str>,
    include_drafts: bool,
    status: Option<&str>,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<TenderRow>, Error> {
    use procurement_tenders::dsl as t;
    let mut q = t::procurement_tenders
        .select(TenderRow::as_select())
        .into_boxed();
    if let Some(a) = agency {
        q = q.filter(t::agency.eq(a.to_owned()));
    }
    if !include_drafts {
        q = q.filter(t::status.ne("draft"));
    }
    if let Some(s) = status {
        q = q.filter(t::status.eq(s.to_owned()));
    }
    if let Some((at, id)) = after {
        q = q.filter(
            t::created_at
                .lt(at)
                .or(t::created_at.eq(at).and(t::id.lt(id))),
        );
    }
    Ok(q.order((t::created_at.desc(), t::id.desc()))
        .limit(limit)
        .load(c)?)
}

// ------------------------------------------------------------------ shares

pub fn insert_share(c: &mut DbConnection, row: &ShareRow) -> Result<(), Error> {
    diesel::insert_into(procurement_shares::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn shares(c: &mut DbConnection, tender: &str) -> Result<Vec<ShareRow>, Error> {
    Ok(procurement_shares::table
        .filter(procurement_shares::tender_id.eq(tender))
        .order(procurement_shares::member.asc())
        .select(ShareRow::as_select())
        .load(c)?)
}

pub fn submit_share(
    c: &mut DbConnection,
    tender: &str,
    member: &str,
    share: &str,
    at: NaiveDateTime,
) -> Result<bool, Error> {
    let n = diesel::update(
        procurement_shares::table
            .find((tender, member))
            .filter(procurement_shares::share.is_null()),
    )
    .set((
        procurement_shares::share.eq(share),
        procurement_shares::submitted_at.eq(at),
    ))
    .execute(c)?;
    Ok(n == 1)
}

// ------------------------------------------------------------------ amendments, questions

pub fn insert_amendment(c: &mut DbConnection, row: &AmendmentRow) -> Result<(), Error> {
    diesel::insert_into(procurement_amendments::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn amendments(c: &mut DbConnection, tender: &str) -> Result<Vec<AmendmentRow>, Error> {
    Ok(procurement_amendments::table
        .filter(procurement_amendments::tender_id.eq(tender))
        .order(procurement_amendments::number.asc())
        .select(AmendmentRow::as_select())
        .load(c)?)
}

pub fn insert_question(c: &mut DbConnection, row: &QuestionRow) -> Result<(), Error> {
    diesel::insert_into(procurement_questions::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn questions(c: &mut DbConnection, tender: &str) -> Result<Vec<QuestionRow>, Error> {
    Ok(procurement_questions::table
        .filter(procurement_questions::tender_id.eq(tender))
        .order((
            procurement_questions::asked_at.asc(),
            procurement_questions::id.asc(),
        ))
        .select(QuestionRow::as_select())
        .load(c)?)
}

pub fn answer_question(
    c: &mut DbConnection,
    tender: &str,
    id: &str,
    answer: &str,
    by: &str,
    at: NaiveDateTime,
) -> Result<bool, Error> {
    let n = diesel::update(
        procurement_questions::table
            .find(id)
            .filter(procurement_questions::tender_id.eq(tender))
            .filter(procurement_questions::answer.is_null()),
    )
    .set((
        procurement_questions::answer.eq(answer),
        procurement_questions::answered_by.eq(by),
        procurement_questions::answered_at.eq(at),
    ))
    .execute(c)?;
    Ok(n == 1)
}

// ------------------------------------------------------------------ bids

pub fn insert_bid(c: &mut DbConnection, row: &BidRow) -> Result<(), Error> {
    diesel::insert_into(procurement_bids::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn bid(c: &mut DbConnection, id: &str) -> Result<Option<BidRow>, Error> {
    Ok(procurement_bids::table
        .find(id)
        .select(BidRow::as_select())
        .first(c)
        .optional()?)
}

pub fn bids(c: &mut DbConnection, tender: &str) -> Result<Vec<BidRow>, Error> {
    Ok(procurement_bids::table
        .filter(procurement_bids::tender_id.eq(tender))
        .order((
            procurement_bids::received_at.asc(),
            procurement_bids::id.asc(),
        ))
        .select(BidRow::as_select())
        .load(c)?)
}

pub fn bids_with_status(
    c: &mut DbConnection,
    tender: &str,
    statuses: &[&str],
) -> Result<Vec<BidRow>, Error> {
    Ok(procurement_bids::table
        .filter(procurement_bids::tender_id.eq(tender))
        .filter(procurement_bids::status.eq_any(statuses.iter().map(|s| s.to_string())))
        .order((
            procurement_bids::received_at.asc(),
            procurement_bids::id.asc(),
        ))
        .select(BidRow::as_select())
        .load(c)?)
}

pub fn supplier_bids(
    c: &mut DbConnection,
    tender: &str,
    supplier: &str,
) -> Result<Vec<BidRow>, Error> {
    Ok(procurement_bids::table
        .filter(procurement_bids::tender_id.eq(tender))
        .filter(procurement_bids::supplier.eq(supplier))
        .order((
            procurement_bids::received_at.asc(),
            procurement_bids::id.asc(),
        ))
        .select(BidRow::as_select())
        .load(c)?)
}

#[derive(Debug, QueryableByName)]
struct IdRow {
    #[diesel(sql_type = Text)]
    id: String,
}

/// Marks the supplier's active bid for the lot replaced (one statement); returns its id.
pub fn replace_active(
    c: &mut DbConnection,
    tender: &str,
    supplier: &str,
    lot: &str,
) -> Result<Option<String>, Error> {
    let rows: Vec<IdRow> = diesel::sql_query(
        "UPDATE procurement_bids SET status = 'replaced' WHERE tender_id = $1 AND supplier = $2 \
         AND lot_id = $3 AND status = 'active' RETURNING id",
    )
    .bind::<Text, _>(tender)
    .bind::<Text, _>(supplier)
    .bind::<Text, _>(lot)
    .load(c)?;
    Ok(rows.into_iter().next().map(|r| r.id))
}

pub fn withdraw_bid(c: &mut DbConnection, id: &str, at: NaiveDateTime) -> Result<bool, Error> {
    let n = diesel::update(
        procurement_bids::table
            .find(id)
            .filter(procurement_bids::status.eq("active")),
    )
    .set((
        procurement_bids::status.eq("withdrawn"),
        procurement_bids::withdrawn_at.eq(at),
    ))
    .execute(c)?;
    Ok(n == 1)
}

pub fn count_active(c: &mut DbConnection, tender: &str) -> Result<Vec<(String, String)>, Error> {
    Ok(procurement_bids::table
        .filter(procurement_bids::tender_id.eq(tender))
        .filter(procurement_bids::status.eq("active"))
        .order((
            procurement_bids::received_at.asc(),
            procurement_bids::id.asc(),
        ))
        .select((procurement_bids::id, procurement_bids::digest))
        .load(c)?)
}

/// Records a bid's opening (a prepared statement: an opening runs it once per bid).
pub fn set_opened(
    c: &mut DbConnection,
    id: &str,
    status: &str,
    opened: Option<&str>,
    price: Option<&str>,
    rejection: Option<&str>,
) -> Result<(), Error> {
    diesel::update(procurement_bids::table.find(id))
        .set((
            procurement_bids::status.eq(status),
            procurement_bids::opened.eq(opened),
            procurement_bids::price.eq(price),
            procurement_bids::rejection.eq(rejection),
        ))
        .execute(c)?;
    Ok(())
}

/// One bid's opening result.
#[derive(Debug, Clone)]
pub struct Opened {
    pub id: String,
    pub status: String,
    pub opened: Option<String>,
    pub price: Option<String>,
    pub rejection: Option<String>,
}

/// Records many bids' openings. PostgreSQL: one `UPDATE … FROM unnest(…)` per 2,000 bids (an
/// opening of 10,000 bids is five statements, not 10,000 round trips); SQLite, in-process:
/// a prepared update per bid.
pub fn set_opened_many(c: &mut DbConnection, rows: &[Opened]) -> Result<(), Error> {
    use diesel::sql_types::{Array, Nullable};
    match c {
        DbConnection::Pg(pg) => {
            for chunk in rows.chunks(2000) {
                let col =
                    |f: fn(&Opened) -> Option<String>| chunk.iter().map(f).collect::<Vec<_>>();
                diesel::sql_query(
                    "UPDATE procurement_bids AS b SET status = v.status, opened = v.opened, \
                     price = v.price, rejection = v.rejection \
                     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) \
                     AS v(id, status, opened, price, rejection) WHERE b.id = v.id",
                )
                .bind::<Array<Text>, _>(chunk.iter().map(|r| r.id.clone()).collect::<Vec<_>>())
                .bind::<Array<Text>, _>(chunk.iter().map(|r| r.status.clone()).collect::<Vec<_>>())
                .bind::<Array<Nullable<Text>>, _>(col(|r| r.opened.clone()))
                .bind::<Array<Nullable<Text>>, _>(col(|r| r.price.clone()))
                .bind::<Array<Nullable<Text>>, _>(col(|r| r.rejection.clone()))
                .execute(pg)?;
            }
        }
        DbConnection::Sqlite(_) => {
            for r in rows {
                set_opened(
                    c,
                    &r.id,
                    &r.status,
                    r.opened.as_deref(),
                    r.price.as_deref(),
                    r.rejection.as_deref(),
                )?;
            }
        }
    }
    Ok(())
}

#[derive(Debug, QueryableByName)]
struct NameRow {
    #[diesel(sql_type = Text)]
    business_id: String,
    #[diesel(sql_type = Text)]
    name: String,
}

/// The registered names of a tender's bidders, in one query.
pub fn bidder_names(
    c: &mut DbConnection,
    tender: &str,
) -> Result<std::collections::HashMap<String, String>, Error> {
    let rows: Vec<NameRow> = diesel::sql_query(
        "SELECT business_id, name FROM procurement_suppliers WHERE business_id IN \
         (SELECT DISTINCT supplier FROM procurement_bids WHERE tender_id = $1)",
    )
    .bind::<Text, _>(tender)
    .load(c)?;
    Ok(rows.into_iter().map(|r| (r.business_id, r.name)).collect())
}

// ------------------------------------------------------------------ scores, awards

pub fn insert_score(c: &mut DbConnection, row: &ScoreRow) -> Result<bool, Error> {
    let exists: i64 = procurement_scores::table
        .filter(procurement_scores::bid_id.eq(&row.bid_id))
        .filter(procurement_scores::evaluator.eq(&row.evaluator))
        .count()
        .get_result(c)?;
    if exists > 0 {
        return Ok(false);
    }
    diesel::insert_into(procurement_scores::table)
        .values(row)
        .execute(c)?;
    Ok(true)
}

pub fn scores(c: &mut DbConnection, tender: &str) -> Result<Vec<ScoreRow>, Error> {
    Ok(procurement_scores::table
        .filter(procurement_scores::tender_id.eq(tender))
        .order(procurement_scores::at.asc())
        .select(ScoreRow::as_select())
        .load(c)?)
}

pub fn insert_award(c: &mut DbConnection, row: &AwardRow) -> Result<(), Error> {
    diesel::insert_into(procurement_awards::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn awards(c: &mut DbConnection, tender: &str) -> Result<Vec<AwardRow>, Error> {
    Ok(procurement_awards::table
        .filter(procurement_awards::tender_id.eq(tender))
        .order((
            procurement_awards::decided_at.asc(),
            procurement_awards::lot_id.asc(),
        ))
        .select(AwardRow::as_select())
        .load(c)?)
}

pub fn set_awards_status(
    c: &mut DbConnection,
    tender: &str,
    from: &str,
    to: &str,
) -> Result<usize, Error> {
    Ok(diesel::update(
        procurement_awards::table
            .filter(procurement_awards::tender_id.eq(tender))
            .filter(procurement_awards::status.eq(from)),
    )
    .set(procurement_awards::status.eq(to))
    .execute(c)?)
}

// ------------------------------------------------------------------ complaints

pub fn insert_complaint(c: &mut DbConnection, row: &ComplaintRow) -> Result<(), Error> {
    diesel::insert_into(procurement_complaints::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn complaint(c: &mut DbConnection, id: &str) -> Result<Option<ComplaintRow>, Error> {
    Ok(procurement_complaints::table
        .find(id)
        .select(ComplaintRow::as_select())
        .first(c)
        .optional()?)
}

pub fn complaints(c: &mut DbConnection, tender: &str) -> Result<Vec<ComplaintRow>, Error> {
    Ok(procurement_complaints::table
        .filter(procurement_complaints::tender_id.eq(tender))
        .order(procurement_complaints::filed_at.asc())
        .select(ComplaintRow::as_select())
        .load(c)?)
}

pub fn complaints_with_status(
    c: &mut DbConnection,
    status: &str,
    limit: i64,
) -> Result<Vec<ComplaintRow>, Error> {
    Ok(procurement_complaints::table
        .filter(procurement_complaints::status.eq(status))
        .order(procurement_complaints::decide_by.asc())
        .limit(limit)
        .select(ComplaintRow::as_select())
        .load(c)?)
}

pub fn decide_complaint(
    c: &mut DbConnection,
    id: &str,
    status: &str,
    by: &str,
    reason: &str,
    remedy: Option<&str>,
    at: NaiveDateTime,
) -> Result<bool, Error> {
    let n = diesel::update(
        procurement_complaints::table
            .find(id)
            .filter(procurement_complaints::status.eq("pending")),
    )
    .set((
        procurement_complaints::status.eq(status),
        procurement_complaints::decided_by.eq(by),
        procurement_complaints::decision_reason.eq(reason),
        procurement_complaints::remedy.eq(remedy),
        procurement_complaints::decided_at.eq(at),
    ))
    .execute(c)?;
    Ok(n == 1)
}

// ------------------------------------------------------------------ contracts

pub fn insert_contract(c: &mut DbConnection, row: &ContractRow) -> Result<(), Error> {
    diesel::insert_into(procurement_contracts::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn contract(c: &mut DbConnection, id: &str) -> Result<Option<ContractRow>, Error> {
    Ok(procurement_contracts::table
        .find(id)
        .select(ContractRow::as_select())
        .first(c)
        .optional()?)
}

pub fn contracts(c: &mut DbConnection, tender: &str) -> Result<Vec<ContractRow>, Error> {
    Ok(procurement_contracts::table
        .filter(procurement_contracts::tender_id.eq(tender))
        .order(procurement_contracts::created_at.asc())
        .select(ContractRow::as_select())
        .load(c)?)
}

pub fn set_contract(
    c: &mut DbConnection,
    id: &str,
    status: &str,
    version: i32,
) -> Result<(), Error> {
    diesel::update(procurement_contracts::table.find(id))
        .set((
            procurement_contracts::status.eq(status),
            procurement_contracts::version.eq(version),
        ))
        .execute(c)?;
    Ok(())
}

pub fn insert_contract_version(
    c: &mut DbConnection,
    row: &ContractVersionRow,
) -> Result<(), Error> {
    diesel::insert_into(procurement_contract_versions::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn save_contract_version(c: &mut DbConnection, row: &ContractVersionRow) -> Result<(), Error> {
    diesel::update(procurement_contract_versions::table.find((&row.contract_id, row.version)))
        .set(row)
        .execute(c)?;
    Ok(())
}

pub fn contract_versions(
    c: &mut DbConnection,
    contract: &str,
) -> Result<Vec<ContractVersionRow>, Error> {
    Ok(procurement_contract_versions::table
        .filter(procurement_contract_versions::contract_id.eq(contract))
        .order(procurement_contract_versions::version.asc())
        .select(ContractVersionRow::as_select())
        .load(c)?)
}

// ------------------------------------------------------------------ events, releases, keys

pub fn insert_event(c: &mut DbConnection, row: &EventRow) -> Result<(), Error> {
    diesel::insert_into(procurement_events::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn events(c: &mut DbConnection, tender: &str) -> Result<Vec<EventRow>, Error> {
    Ok(procurement_events::table
        .filter(procurement_events::tender_id.eq(tender))
        .order((procurement_events::at.asc(), procurement_events::id.asc()))
        .select(EventRow::as_select())
        .load(c)?)
}

pub fn insert_release(c: &mut DbConnection, row: &NewRelease) -> Result<(), Error> {
    diesel::insert_into(procurement_releases::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn releases(c: &mut DbConnection, ocid: &str) -> Result<Vec<ReleaseRow>, Error> {
    Ok(procurement_releases::table
        .filter(procurement_releases::ocid.eq(ocid))
        .order(procurement_releases::seq.asc())
        .select(ReleaseRow::as_select())
        .load(c)?)
}

pub fn releases_after(
    c: &mut DbConnection,
    after: i64,
    limit: i64,
) -> Result<Vec<ReleaseRow>, Error> {
    Ok(procurement_releases::table
        .filter(procurement_releases::seq.gt(after))
        .order(procurement_releases::seq.asc())
        .limit(limit)
        .select(ReleaseRow::as_select())
        .load(c)?)
}

pub fn latest_key(c: &mut DbConnection) -> Result<Option<KeyRow>, Error> {
    Ok(procurement_keys::table
        .order(procurement_keys::created_at.desc())
        .select(KeyRow::as_select())
        .first(c)
        .optional()?)
}

pub fn keys(c: &mut DbConnection) -> Result<Vec<KeyRow>, Error> {
    Ok(procurement_keys::table
        .order(procurement_keys::created_at.asc())
        .select(KeyRow::as_select())
        .load(c)?)
}

pub fn insert_key(c: &mut DbConnection, row: &KeyRow) -> Result<(), Error> {
    diesel::insert_into(procurement_keys::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

#[derive(Debug, QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Bids per status for a tender (statistics).
pub fn bid_count(c: &mut DbConnection, tender: &str, status: &str) -> Result<i64, Error> {
    let r: Count = diesel::sql_query(
        "SELECT COUNT(*) AS n FROM procurement_bids WHERE tender_id = $1 AND status = $2",
    )
    .bind::<Text, _>(tender)
    .bind::<Text, _>(status)
    .get_result(c)?;
    Ok(r.n)
}

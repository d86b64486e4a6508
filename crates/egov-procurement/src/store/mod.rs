//! The procurement module's tables. The only place in this crate that speaks diesel.

mod bids;
mod events;
mod outcomes;
mod suppliers;
mod tenders;

pub use bids::*;
pub use events::*;
pub use outcomes::*;
pub use suppliers::*;
pub use tenders::*;

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
        sealing -> Text,
        key_id -> Nullable<Text>,
        signer_key -> Nullable<Text>,
        signature -> Nullable<Text>,
    }
}

diesel::table! {
    procurement_bidder_keys (id) {
        id -> Text,
        business_id -> Text,
        account -> Text,
        label -> Text,
        public_key -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
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
    /// `bidder` (an envelope the bidder sealed and signed) or `server` (earlier bids).
    pub sealing: String,
    pub key_id: Option<String>,
    /// The bidder's key (base64 Ed25519) that signed the envelope.
    pub signer_key: Option<String>,
    pub signature: Option<String>,
}

/// A bid signing key a supplier registered.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = procurement_bidder_keys)]
pub struct BidderKeyRow {
    pub id: String,
    pub business_id: String,
    pub account: String,
    pub label: String,
    pub public_key: String,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
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

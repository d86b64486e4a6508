//! The docflow module's tables. The only place in this crate that speaks diesel.

mod circulation;
mod documents;
mod history;
mod organisation;
mod records;
mod rows;
mod worklists;

pub use circulation::*;
pub use documents::*;
pub use history::*;
pub use organisation::*;
pub use records::*;
pub use rows::*;
pub use worklists::*;

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

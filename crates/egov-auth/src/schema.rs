//! diesel descriptions of the auth tables (migrations in `migrations/<backend>/`).

diesel::table! {
    auth_agencies (id) {
        id -> Text,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    auth_accounts (id) {
        id -> Text,
        username -> Text,
        kind -> Text,
        display_name -> Text,
        email -> Nullable<Text>,
        agency_id -> Nullable<Text>,
        position -> Nullable<Text>,
        roles -> Text,
        national_id_sealed -> Nullable<Text>,
        national_id_index -> Nullable<Text>,
        national_id_masked -> Nullable<Text>,
        business_id -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        status -> Text,
        totp_secret_sealed -> Nullable<Text>,
        totp_enabled -> Bool,
        totp_last_step -> Nullable<BigInt>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        phone -> Nullable<Text>,
        language -> Nullable<Text>,
    }
}

diesel::table! {
    auth_business_representatives (business_account_id, citizen_account_id) {
        business_account_id -> Text,
        citizen_account_id -> Text,
        added_at -> Timestamp,
    }
}

diesel::table! {
    auth_representation_invitations (id) {
        id -> Text,
        business_account_id -> Text,
        national_id_index -> Text,
        national_id_masked -> Text,
        status -> Text,
        citizen_account_id -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    auth_spent_tokens (jti) {
        jti -> Text,
        spent_at -> Timestamp,
    }
}

diesel::table! {
    auth_recovery_codes (account_id, code_hash) {
        account_id -> Text,
        code_hash -> Text,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    auth_sessions (id) {
        id -> Text,
        account_id -> Text,
        client_id -> Text,
        aal -> Integer,
        amr -> Text,
        auth_time -> Timestamp,
        created_at -> Timestamp,
        last_used_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
    }
}

diesel::table! {
    auth_refresh_tokens (token_hash) {
        token_hash -> Text,
        session_id -> Text,
        issued_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    auth_clients (id) {
        id -> Text,
        name -> Text,
        redirect_uris -> Text,
        secret_hash -> Nullable<Text>,
        created_at -> Timestamp,
        id_token_signed_response_alg -> Text,
    }
}

diesel::table! {
    auth_authorization_requests (id) {
        id -> Text,
        client_id -> Text,
        redirect_uri -> Text,
        scope -> Text,
        state -> Nullable<Text>,
        nonce -> Nullable<Text>,
        code_challenge -> Text,
        min_aal -> Integer,
        account_id -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    auth_codes (code_hash) {
        code_hash -> Text,
        client_id -> Text,
        session_id -> Text,
        redirect_uri -> Text,
        code_challenge -> Text,
        nonce -> Nullable<Text>,
        scope -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    auth_signing_keys (kid) {
        kid -> Text,
        private_sealed -> Text,
        created_at -> Timestamp,
        retired_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    auth_throttle (bucket) {
        bucket -> Text,
        failures -> Integer,
        locked_until -> Nullable<Timestamp>,
        window_start -> Timestamp,
        window_count -> Integer,
    }
}

diesel::table! {
    auth_setup (id) {
        id -> Integer,
        token_hash -> Text,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(auth_accounts, auth_sessions, auth_agencies);

//! Bootstrap: a fresh installation has no accounts and no default password. The first
//! platform admin comes from `egov admin create` on the server's machine, or from
//! `POST /auth/setup` with the one-time setup token that the first `serve` prints.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use egov_core::{DbConnection, Error};

use crate::accounts;
use crate::principal::Kind;
use crate::random;
use crate::schema::auth_setup as st;

/// How long a printed setup token stays valid.
pub const SETUP_TOKEN_HOURS: i64 = 24;

/// When there is no platform admin: a new one-time setup token (replacing any earlier one).
/// `None` once a platform admin exists.
pub fn setup_token_if_empty(conn: &mut DbConnection) -> Result<Option<String>, Error> {
    if accounts::count_kind(conn, Kind::PlatformAdmin)? > 0 {
        return Ok(None);
    }
    let token = random::token();
    let now = Utc::now().naive_utc();
    egov_core::db::write_transaction(conn, |conn| {
        diesel::delete(st::table).execute(conn)?;
        diesel::insert_into(st::table)
            .values((
                st::id.eq(1),
                st::token_hash.eq(random::digest(&token)),
                st::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    })?;
    Ok(Some(token))
}

/// Consumes the setup token: true once, for the right unexpired token while no platform admin
/// exists.
pub fn consume_setup_token(conn: &mut DbConnection, token: &str) -> Result<bool, Error> {
    if accounts::count_kind(conn, Kind::PlatformAdmin)? > 0 {
        return Ok(false);
    }
    let now = Utc::now().naive_utc();
    let n = diesel::update(
        st::table
            .filter(st::token_hash.eq(random::digest(token)))
            .filter(st::used_at.is_null())
            .filter(st::created_at.gt(now - Duration::hours(SETUP_TOKEN_HOURS))),
    )
    .set(st::used_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

//! Sessions and refresh-token families, and the login throttle buckets.
//!
//! A session is one sign-in. Its refresh tokens are opaque random strings stored as SHA-256;
//! each use returns a new one and marks the old one used. Presenting a used token again is the
//! sign of a stolen token: the whole session (the family) is revoked at once.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use egov_core::{DbConnection, Error};
use serde::Serialize;
use utoipa::ToSchema;

use crate::principal::Aal;
use crate::random;
use crate::schema::{auth_refresh_tokens as rt, auth_sessions as s, auth_throttle as th};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = s)]
pub struct SessionRow {
    pub id: String,
    pub account_id: String,
    pub client_id: String,
    pub aal: i32,
    pub amr: String,
    pub auth_time: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub last_used_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_reason: Option<String>,
}

impl SessionRow {
    pub fn aal(&self) -> Aal {
        Aal::from_level(self.aal)
    }

    pub fn amr(&self) -> Vec<String> {
        serde_json::from_str(&self.amr).unwrap_or_default()
    }

    pub fn view(&self) -> Session {
        Session {
            id: self.id.clone(),
            client_id: self.client_id.clone(),
            aal: self.aal(),
            auth_time: self.auth_time.and_utc(),
            last_used_at: self.last_used_at.and_utc(),
            expires_at: self.expires_at.and_utc(),
        }
    }
}

/// A live session as its owner sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Session {
    pub id: String,
    /// The client the session signed in to (`egov` for the JSON login API).
    pub client_id: String,
    pub aal: Aal,
    pub auth_time: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// The client id of browser single-sign-on sessions at the login page. Their token lives in a
/// cookie and is never accepted as a refresh token.
pub const SSO_CLIENT: &str = "sso";

/// The live single-sign-on session a browser's cookie names, if any.
pub fn sso_session(
    conn: &mut DbConnection,
    cookie: &str,
    idle: Duration,
) -> Result<Option<SessionRow>, Error> {
    let Some(sid) = rt::table
        .find(random::digest(cookie))
        .select(rt::session_id)
        .first::<String>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let s = get(conn, &sid)?;
    let now = Utc::now().naive_utc();
    let live = s.client_id == SSO_CLIENT
        && s.revoked_at.is_none()
        && s.expires_at > now
        && s.last_used_at + idle > now;
    Ok(live.then_some(s))
}

/// A client's session started from a single-sign-on session: same account, level, methods and
/// authentication time, ending no later than the single-sign-on session.
pub fn create_from_sso(
    conn: &mut DbConnection,
    sso: &SessionRow,
    client_id: &str,
) -> Result<SessionRow, Error> {
    let now = Utc::now().naive_utc();
    let id = uuid::Uuid::now_v7().to_string();
    egov_core::db::write_transaction(conn, |conn| {
        diesel::update(s::table.find(&sso.id))
            .set(s::last_used_at.eq(now))
            .execute(conn)?;
        diesel::insert_into(s::table)
            .values((
                s::id.eq(&id),
                s::account_id.eq(&sso.account_id),
                s::client_id.eq(client_id),
                s::aal.eq(sso.aal),
                s::amr.eq(&sso.amr),
                s::auth_time.eq(sso.auth_time),
                s::created_at.eq(now),
                s::last_used_at.eq(now),
                s::expires_at.eq(sso.expires_at),
            ))
            .execute(conn)?;
        Ok(())
    })?;
    get(conn, &id)
}

/// Sets a session's authentication time (the browser session takes the sign-in's).
pub fn set_auth_time(conn: &mut DbConnection, id: &str, at: NaiveDateTime) -> Result<(), Error> {
    diesel::update(s::table.find(id))
        .set(s::auth_time.eq(at))
        .execute(conn)?;
    Ok(())
}

/// Creates a session and its first refresh token (returned in clear, once).
pub fn create(
    conn: &mut DbConnection,
    account_id: &str,
    client_id: &str,
    aal: Aal,
    amr: &[&str],
    lifetime: Duration,
) -> Result<(SessionRow, String), Error> {
    let now = Utc::now().naive_utc();
    let id = uuid::Uuid::now_v7().to_string();
    let refresh = random::token();
    egov_core::db::write_transaction(conn, |conn| {
        diesel::insert_into(s::table)
            .values((
                s::id.eq(&id),
                s::account_id.eq(account_id),
                s::client_id.eq(client_id),
                s::aal.eq(aal.level()),
                s::amr.eq(serde_json::to_string(amr).map_err(Error::internal)?),
                s::auth_time.eq(now),
                s::created_at.eq(now),
                s::last_used_at.eq(now),
                s::expires_at.eq(now + lifetime),
            ))
            .execute(conn)?;
        diesel::insert_into(rt::table)
            .values((
                rt::token_hash.eq(random::digest(&refresh)),
                rt::session_id.eq(&id),
                rt::issued_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    })?;
    Ok((get(conn, &id)?, refresh))
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<SessionRow, Error> {
    Ok(s::table
        .find(id)
        .select(SessionRow::as_select())
        .first(conn)?)
}

/// Why a refresh token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    Unknown,
    /// A used token came back: the family was revoked. Carries the session and account.
    Reused {
        session_id: String,
        account_id: String,
    },
    Ended,
}

/// Exchanges a refresh token for a new one. `idle` ends sessions unused for that long.
pub fn rotate(
    conn: &mut DbConnection,
    token: &str,
    idle: Duration,
) -> Result<Result<(SessionRow, String), Refused>, Error> {
    let now = Utc::now().naive_utc();
    let hash = random::digest(token);
    egov_core::db::write_transaction(conn, |conn| {
        // Write first: takes SQLite's write lock (a read-then-write transaction could not
        // upgrade under concurrency) and PostgreSQL's row lock, so two uses of one token are
        // serialized and the second sees the first.
        diesel::update(rt::table.find(&hash))
            .set(rt::token_hash.eq(rt::token_hash))
            .execute(conn)?;
        let Some((session_id, used_at)) = rt::table
            .find(&hash)
            .select((rt::session_id, rt::used_at))
            .first::<(String, Option<NaiveDateTime>)>(conn)
            .optional()?
        else {
            return Ok(Err(Refused::Unknown));
        };
        let session = get(conn, &session_id)?;
        if session.client_id == SSO_CLIENT {
            return Ok(Err(Refused::Unknown));
        }
        if session.revoked_at.is_some() || session.expires_at <= now {
            return Ok(Err(Refused::Ended));
        }
        // The conditional update makes two concurrent uses of one token count as reuse.
        let marked = used_at.is_none()
            && diesel::update(rt::table.find(&hash).filter(rt::used_at.is_null()))
                .set(rt::used_at.eq(now))
                .execute(conn)?
                == 1;
        if !marked {
            revoke(conn, &session_id, "refresh token reused")?;
            return Ok(Err(Refused::Reused {
                session_id,
                account_id: session.account_id,
            }));
        }
        if session.last_used_at + idle <= now {
            revoke(conn, &session_id, "idle timeout")?;
            return Ok(Err(Refused::Ended));
        }
        let next = random::token();
        diesel::insert_into(rt::table)
            .values((
                rt::token_hash.eq(random::digest(&next)),
                rt::session_id.eq(&session_id),
                rt::issued_at.eq(now),
            ))
            .execute(conn)?;
        diesel::update(s::table.find(&session_id))
            .set(s::last_used_at.eq(now))
            .execute(conn)?;
        Ok(Ok((get(conn, &session_id)?, next)))
    })
}

/// Raises a session to AAL2 after a second factor; returns a fresh refresh token (the old
/// ones of the session stop working: a new authentication gets new tokens).
pub fn step_up(conn: &mut DbConnection, id: &str) -> Result<(SessionRow, String), Error> {
    let next = egov_core::db::write_transaction(conn, |conn| {
        let now = Utc::now().naive_utc();
        diesel::update(s::table.find(id))
            .set((
                s::aal.eq(Aal::Aal2.level()),
                s::amr.eq(r#"["pwd","otp"]"#),
                s::auth_time.eq(now),
                s::last_used_at.eq(now),
            ))
            .execute(conn)?;
        fresh_refresh(conn, id)
    })?;
    Ok((get(conn, id)?, next))
}

/// Replaces a session's unused refresh tokens with a new one (at step-up, and for an OIDC
/// client at the code exchange).
pub fn fresh_refresh(conn: &mut DbConnection, id: &str) -> Result<String, Error> {
    let now = Utc::now().naive_utc();
    let next = random::token();
    egov_core::db::write_transaction(conn, |conn| {
        diesel::update(
            rt::table
                .filter(rt::session_id.eq(id))
                .filter(rt::used_at.is_null()),
        )
        .set(rt::used_at.eq(now))
        .execute(conn)?;
        diesel::insert_into(rt::table)
            .values((
                rt::token_hash.eq(random::digest(&next)),
                rt::session_id.eq(id),
                rt::issued_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    })?;
    Ok(next)
}

/// Revokes one session; false if it was already revoked.
pub fn revoke(conn: &mut DbConnection, id: &str, reason: &str) -> Result<bool, Error> {
    let n = diesel::update(s::table.find(id).filter(s::revoked_at.is_null()))
        .set((
            s::revoked_at.eq(Utc::now().naive_utc()),
            s::revoked_reason.eq(reason),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Revokes every live session of an account; returns how many.
pub fn revoke_all(conn: &mut DbConnection, account_id: &str, reason: &str) -> Result<usize, Error> {
    Ok(diesel::update(
        s::table
            .filter(s::account_id.eq(account_id))
            .filter(s::revoked_at.is_null()),
    )
    .set((
        s::revoked_at.eq(Utc::now().naive_utc()),
        s::revoked_reason.eq(reason),
    ))
    .execute(conn)?)
}

/// The live sessions of an account, newest first.
/// The ids of sessions ended after `since` (the revocation list every process reads).
pub fn revoked_since(conn: &mut DbConnection, since: NaiveDateTime) -> Result<Vec<String>, Error> {
    Ok(s::table
        .filter(s::revoked_at.gt(since))
        .select(s::id)
        .load(conn)?)
}

pub fn live(conn: &mut DbConnection, account_id: &str) -> Result<Vec<SessionRow>, Error> {
    Ok(s::table
        .filter(s::account_id.eq(account_id))
        .filter(s::revoked_at.is_null())
        .filter(s::expires_at.gt(Utc::now().naive_utc()))
        .order(s::created_at.desc())
        .limit(100)
        .select(SessionRow::as_select())
        .load(conn)?)
}

/// One throttle bucket's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    pub failures: i32,
    pub locked_until: Option<NaiveDateTime>,
    pub window_start: NaiveDateTime,
    pub window_count: i32,
}

impl Bucket {
    fn fresh(now: NaiveDateTime) -> Self {
        Self {
            failures: 0,
            locked_until: None,
            window_start: now,
            window_count: 0,
        }
    }

    /// Seconds the bucket stays locked from `now`, if locked.
    pub fn locked_for(&self, now: NaiveDateTime) -> Option<u32> {
        self.locked_until
            .filter(|u| *u > now)
            .map(|u| u32::try_from((u - now).num_seconds().max(1)).unwrap_or(u32::MAX))
    }

    /// The count in the current hour window.
    pub fn in_window(&self, now: NaiveDateTime) -> i32 {
        if now - self.window_start >= Duration::hours(1) {
            0
        } else {
            self.window_count
        }
    }
}

pub fn bucket(conn: &mut DbConnection, key: &str) -> Result<Option<Bucket>, Error> {
    Ok(th::table
        .find(key)
        .select((
            th::failures,
            th::locked_until,
            th::window_start,
            th::window_count,
        ))
        .first::<(i32, Option<NaiveDateTime>, NaiveDateTime, i32)>(conn)
        .optional()?
        .map(
            |(failures, locked_until, window_start, window_count)| Bucket {
                failures,
                locked_until,
                window_start,
                window_count,
            },
        ))
}

/// Reads, changes and writes a bucket in one transaction; returns the new state.
pub fn update_bucket(
    conn: &mut DbConnection,
    key: &str,
    change: impl FnOnce(&mut Bucket, NaiveDateTime),
) -> Result<Bucket, Error> {
    let now = Utc::now().naive_utc();
    egov_core::db::write_transaction(conn, |conn| {
        // Write first (see `rotate`): serializes read-modify-write of one bucket on both
        // backends. A bucket that does not exist yet is created by one of two racing
        // transactions; the other gets a unique violation and the caller retries.
        diesel::update(th::table.find(key))
            .set(th::failures.eq(th::failures))
            .execute(conn)?;
        let existing = bucket(conn, key)?;
        let mut b = existing.unwrap_or_else(|| Bucket::fresh(now));
        if now - b.window_start >= Duration::hours(1) {
            b.window_start = now;
            b.window_count = 0;
        }
        change(&mut b, now);
        if existing.is_some() {
            diesel::update(th::table.find(key))
                .set((
                    th::failures.eq(b.failures),
                    th::locked_until.eq(b.locked_until),
                    th::window_start.eq(b.window_start),
                    th::window_count.eq(b.window_count),
                ))
                .execute(conn)?;
        } else {
            diesel::insert_into(th::table)
                .values((
                    th::bucket.eq(key),
                    th::failures.eq(b.failures),
                    th::locked_until.eq(b.locked_until),
                    th::window_start.eq(b.window_start),
                    th::window_count.eq(b.window_count),
                ))
                .execute(conn)?;
        }
        Ok(b)
    })
}

/// Clears locks and failure counts of the buckets `keys` and of those whose key starts with
/// `prefix` (unlock); returns how many were locked.
pub fn unlock(conn: &mut DbConnection, keys: &[String], prefix: &str) -> Result<usize, Error> {
    let now = Utc::now().naive_utc();
    let pattern = format!(
        "{}%",
        prefix
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let matching = th::bucket
        .eq_any(keys)
        .or(th::bucket.like(pattern).escape('\\'));
    let locked = diesel::update(
        th::table
            .filter(matching.clone())
            .filter(th::locked_until.gt(now)),
    )
    .set((
        th::locked_until.eq(None::<NaiveDateTime>),
        th::failures.eq(0),
    ))
    .execute(conn)?;
    diesel::update(th::table.filter(matching))
        .set((th::failures.eq(0), th::window_count.eq(0)))
        .execute(conn)?;
    Ok(locked)
}

/// What a prune removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub throttle: usize,
    pub requests: usize,
    pub codes: usize,
    pub refresh_tokens: usize,
}

/// Removes what can no longer matter: throttle buckets idle for an hour and not locked, expired
/// authorization requests and codes, and the refresh tokens of sessions that ended more than
/// `keep` ago (the sessions themselves stay, as the record of who signed in when).
pub fn prune(conn: &mut DbConnection, keep: Duration) -> Result<Pruned, Error> {
    use crate::schema::{auth_authorization_requests as ar, auth_codes as ac};
    let now = Utc::now().naive_utc();
    let hour_ago = now - Duration::hours(1);
    let throttle = diesel::delete(
        th::table
            .filter(th::window_start.lt(hour_ago))
            .filter(th::locked_until.is_null().or(th::locked_until.lt(now))),
    )
    .execute(conn)?;
    let requests = diesel::delete(ar::table.filter(ar::expires_at.lt(now))).execute(conn)?;
    let codes = diesel::delete(ac::table.filter(ac::expires_at.lt(now - keep))).execute(conn)?;
    let ended: Vec<String> = s::table
        .filter(
            s::expires_at
                .lt(now - keep)
                .or(s::revoked_at.lt(now - keep)),
        )
        .select(s::id)
        .limit(10_000)
        .load(conn)?;
    let refresh_tokens =
        diesel::delete(rt::table.filter(rt::session_id.eq_any(&ended))).execute(conn)?;
    Ok(Pruned {
        throttle,
        requests,
        codes,
        refresh_tokens,
    })
}

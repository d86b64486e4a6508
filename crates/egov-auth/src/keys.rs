//! Token-signing keys in the database: sealed at rest, one current key, older keys published
//! until the last token they signed has expired. Every process that serves the auth module
//! reads the same keys, so tokens from one instance verify on all of them.

use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use egov_core::{DbConnection, Error};

use crate::schema::auth_signing_keys as k;
use crate::secrets::Sealer;
use crate::tokens::SigningKey;

fn context(kid: &str) -> String {
    format!("signing-key:{kid}")
}

/// The current key and every key still published, newest first.
#[derive(Debug, Clone)]
pub struct KeySet {
    pub current: SigningKey,
    pub published: Vec<SigningKey>,
}

/// Loads the keys, creating the first one on an empty installation. `keep` is how long a
/// retired key stays published (the access-token lifetime plus leeway).
pub fn load_or_create(
    conn: &mut DbConnection,
    sealer: &Sealer,
    keep: Duration,
) -> Result<KeySet, Error> {
    if let Some(set) = load(conn, sealer, keep)? {
        return Ok(set);
    }
    rotate(conn, sealer, keep)
}

/// Loads the keys; `None` when there is no current key.
pub fn load(
    conn: &mut DbConnection,
    sealer: &Sealer,
    keep: Duration,
) -> Result<Option<KeySet>, Error> {
    let now = Utc::now().naive_utc();
    let rows: Vec<(String, String, NaiveDateTime, Option<NaiveDateTime>)> = k::table
        .filter(k::retired_at.is_null().or(k::retired_at.gt(now - keep)))
        .order(k::created_at.desc())
        .select((k::kid, k::private_sealed, k::created_at, k::retired_at))
        .load(conn)?;
    let mut current = None;
    let mut published = Vec::with_capacity(rows.len());
    for (kid, sealed, _, retired) in rows {
        let der = sealer.open(&context(&kid), &sealed).map_err(|e| {
            Error::internal(anyhow::anyhow!(
                "signing key {kid}: {e} (is auth.encryption_key the one the keys were made with?)"
            ))
        })?;
        let key = SigningKey::from_pkcs8(&der).map_err(Error::internal)?;
        if retired.is_none() && current.is_none() {
            current = Some(key.clone());
        }
        published.push(key);
    }
    Ok(current.map(|current| KeySet { current, published }))
}

/// Makes a new current key and retires the others (they stay published for `keep`).
pub fn rotate(conn: &mut DbConnection, sealer: &Sealer, keep: Duration) -> Result<KeySet, Error> {
    let key = SigningKey::generate().map_err(Error::internal)?;
    let now = Utc::now().naive_utc();
    let sealed = sealer.seal(&context(key.kid()), key.pkcs8());
    egov_core::db::write_transaction(conn, |conn| {
        diesel::update(k::table.filter(k::retired_at.is_null()))
            .set(k::retired_at.eq(now))
            .execute(conn)?;
        diesel::insert_into(k::table)
            .values((
                k::kid.eq(key.kid()),
                k::private_sealed.eq(&sealed),
                k::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    })?;
    tracing::info!(kid = key.kid(), "token-signing key rotated");
    load(conn, sealer, keep)?
        .ok_or_else(|| Error::internal(anyhow::anyhow!("the new signing key did not load")))
}

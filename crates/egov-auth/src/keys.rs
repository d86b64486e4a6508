//! Token-signing keys in the database: sealed at rest, one current key, older keys published
//! until the last token they signed has expired. Every process that serves the auth module
//! reads the same keys, so tokens from one instance verify on all of them.

use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use egov_core::{DbConnection, Error};

use crate::schema::auth_signing_keys as k;
use crate::secrets::Sealer;
use crate::tokens::{RSA_KID_PREFIX, RsaSigningKey, SigningKey};

fn context(kid: &str) -> String {
    format!("signing-key:{kid}")
}

/// The current key and every key still published, newest first; the same of the RSA keys
/// that sign RS256 ID tokens (made when a client registered for RS256 first needs one).
#[derive(Debug, Clone)]
pub struct KeySet {
    pub current: SigningKey,
    pub published: Vec<SigningKey>,
    pub rsa: Option<RsaSigningKey>,
    pub rsa_published: Vec<RsaSigningKey>,
}

impl KeySet {
    /// Every published public key (Ed25519 and RSA) as the JWKS shows them.
    pub fn jwks(&self) -> jsonwebtoken::jwk::JwkSet {
        let mut set = crate::tokens::jwks(&self.published.iter().collect::<Vec<_>>());
        set.keys
            .extend(self.rsa_published.iter().map(RsaSigningKey::public_jwk));
        set
    }
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
    let (mut rsa, mut rsa_published) = (None, Vec::new());
    for (kid, sealed, _, retired) in rows {
        let der = sealer.open(&context(&kid), &sealed).map_err(|e| {
            Error::internal(anyhow::anyhow!(
                "signing key {kid}: {e} (is auth.encryption_key the one the keys were made with?)"
            ))
        })?;
        if kid.starts_with(RSA_KID_PREFIX) {
            let key = RsaSigningKey::from_pkcs8(&der).map_err(Error::internal)?;
            if retired.is_none() && rsa.is_none() {
                rsa = Some(key.clone());
            }
            rsa_published.push(key);
            continue;
        }
        let key = SigningKey::from_pkcs8(&der).map_err(Error::internal)?;
        if retired.is_none() && current.is_none() {
            current = Some(key.clone());
        }
        published.push(key);
    }
    Ok(current.map(|current| KeySet {
        current,
        published,
        rsa,
        rsa_published,
    }))
}

/// Makes the current RSA key if there is none (a client registered for RS256 needs its first
/// ID token), and answers the keys.
pub fn ensure_rsa(
    conn: &mut DbConnection,
    sealer: &Sealer,
    keep: Duration,
) -> Result<KeySet, Error> {
    if let Some(set) = load(conn, sealer, keep)?
        && set.rsa.is_some()
    {
        return Ok(set);
    }
    // Made outside the transaction (it takes a while); inserted only if no other process
    // made one meanwhile. Two processes racing on PostgreSQL may both insert: both keys are
    // published, and the newest signs.
    let key = RsaSigningKey::generate().map_err(Error::internal)?;
    let sealed = sealer.seal(&context(key.kid()), key.pkcs8());
    let made = egov_core::db::write_transaction(conn, |conn| {
        let current: i64 = k::table
            .filter(k::kid.like(format!("{RSA_KID_PREFIX}%")))
            .filter(k::retired_at.is_null())
            .count()
            .get_result(conn)?;
        if current > 0 {
            return Ok(false);
        }
        diesel::insert_into(k::table)
            .values((
                k::kid.eq(key.kid()),
                k::private_sealed.eq(&sealed),
                k::created_at.eq(Utc::now().naive_utc()),
            ))
            .execute(conn)?;
        Ok(true)
    })?;
    if made {
        tracing::info!(kid = key.kid(), "RSA key for RS256 ID tokens made");
    }
    load(conn, sealer, keep)?
        .ok_or_else(|| Error::internal(anyhow::anyhow!("the signing keys did not load")))
}

/// Makes a new current key and retires the others, the RSA key too (they stay published for
/// `keep`; a new RSA key is made when one is next needed).
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

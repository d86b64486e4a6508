//! Accounts and agencies: the rows, their public view, and the store functions. Only this
//! module and `sessions` touch the account tables.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use egov_core::error::codes;
use egov_core::{DbConnection, Error};
use serde::Serialize;
use utoipa::ToSchema;

use crate::principal::Kind;
use crate::schema::{auth_accounts as a, auth_agencies as ag, auth_recovery_codes as rc};

/// An account row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = a)]
pub struct AccountRow {
    pub id: String,
    pub username: String,
    pub kind: String,
    pub display_name: String,
    pub email: Option<String>,
    pub agency_id: Option<String>,
    pub position: Option<String>,
    pub roles: String,
    pub national_id_sealed: Option<String>,
    pub national_id_index: Option<String>,
    pub national_id_masked: Option<String>,
    pub business_id: Option<String>,
    pub password_hash: Option<String>,
    pub status: String,
    pub totp_secret_sealed: Option<String>,
    pub totp_enabled: bool,
    pub totp_last_step: Option<i64>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Mobile number for text messages, E.164 (`+821012345678`).
    pub phone: Option<String>,
    /// The language the holder reads notices in (one of the pack's).
    pub language: Option<String>,
}

impl AccountRow {
    pub fn kind(&self) -> Kind {
        // Rows are written only through `Kind::as_str`.
        Kind::parse(&self.kind).unwrap_or(Kind::Citizen)
    }

    pub fn roles(&self) -> Vec<String> {
        serde_json::from_str(&self.roles).unwrap_or_default()
    }

    pub fn is_active(&self) -> bool {
        self.status == STATUS_ACTIVE
    }

    pub fn view(&self) -> Account {
        Account {
            id: self.id.clone(),
            username: self.username.clone(),
            kind: self.kind(),
            display_name: self.display_name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            language: self.language.clone(),
            agency: self.agency_id.clone(),
            position: self.position.clone(),
            roles: self.roles(),
            national_id: self.national_id_masked.clone(),
            business_id: self.business_id.clone(),
            status: self.status.clone(),
            mfa_enabled: self.totp_enabled,
            created_at: self.created_at.and_utc(),
        }
    }
}

pub const STATUS_ACTIVE: &str = "active";
pub const STATUS_INVITED: &str = "invited";
pub const STATUS_DISABLED: &str = "disabled";

/// An account as the API shows it. The national ID is always masked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub kind: Kind,
    pub display_name: String,
    pub email: Option<String>,
    /// Mobile number for text messages, E.164.
    #[schema(example = "+821012345678")]
    pub phone: Option<String>,
    /// The language notices are sent in (one of the country pack's); none: the pack's default.
    #[schema(example = "ko")]
    pub language: Option<String>,
    /// Agency code (officers and agency admins).
    pub agency: Option<String>,
    pub position: Option<String>,
    pub roles: Vec<String>,
    /// Masked national ID (citizens), e.g. `900101-*******`.
    #[schema(example = "900101-*******")]
    pub national_id: Option<String>,
    /// Business registration number (businesses).
    pub business_id: Option<String>,
    /// `active`, `invited` (password not yet set) or `disabled`.
    pub status: String,
    pub mfa_enabled: bool,
    pub created_at: DateTime<Utc>,
}

/// What a new account holds.
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    pub username: String,
    pub kind: Option<Kind>,
    pub display_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub language: Option<String>,
    pub agency_id: Option<String>,
    pub position: Option<String>,
    pub roles: Vec<String>,
    pub national_id_sealed: Option<String>,
    pub national_id_index: Option<String>,
    pub national_id_masked: Option<String>,
    pub business_id: Option<String>,
    pub password_hash: Option<String>,
    pub created_by: Option<String>,
}

/// Inserts an account (id chosen by the caller so sealed values can bind to it).
pub fn insert(conn: &mut DbConnection, id: &str, n: &NewAccount) -> Result<AccountRow, Error> {
    let now = Utc::now().naive_utc();
    let kind = n.kind.unwrap_or(Kind::Citizen);
    let status = if n.password_hash.is_some() {
        STATUS_ACTIVE
    } else {
        STATUS_INVITED
    };
    let taken: i64 = a::table
        .filter(a::username.eq(&n.username))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(Error::with_detail(
            codes::CONFLICT,
            egov_core::text!("detail-login-taken", "this login name is taken"),
        ));
    }
    if let Some(index) = &n.national_id_index {
        let dup: i64 = a::table
            .filter(a::national_id_index.eq(index))
            .count()
            .get_result(conn)?;
        if dup > 0 {
            return Err(Error::with_detail(
                codes::CONFLICT,
                egov_core::text!(
                    "detail-national-id-taken",
                    "an account with this national ID exists"
                ),
            ));
        }
    }
    if let Some(b) = &n.business_id {
        let dup: i64 = a::table
            .filter(a::business_id.eq(b))
            .count()
            .get_result(conn)?;
        if dup > 0 {
            return Err(Error::with_detail(
                codes::CONFLICT,
                egov_core::text!(
                    "detail-business-id-taken",
                    "an account with this business registration number exists"
                ),
            ));
        }
    }
    diesel::insert_into(a::table)
        .values((
            a::id.eq(id),
            a::username.eq(&n.username),
            a::kind.eq(kind.as_str()),
            a::display_name.eq(&n.display_name),
            a::email.eq(&n.email),
            a::phone.eq(&n.phone),
            a::language.eq(&n.language),
            a::agency_id.eq(&n.agency_id),
            a::position.eq(&n.position),
            a::roles.eq(serde_json::to_string(&n.roles).map_err(Error::internal)?),
            a::national_id_sealed.eq(&n.national_id_sealed),
            a::national_id_index.eq(&n.national_id_index),
            a::national_id_masked.eq(&n.national_id_masked),
            a::business_id.eq(&n.business_id),
            a::password_hash.eq(&n.password_hash),
            a::status.eq(status),
            a::totp_enabled.eq(false),
            a::created_by.eq(&n.created_by),
            a::created_at.eq(now),
            a::updated_at.eq(now),
        ))
        .execute(conn)?;
    get(conn, id)
}

/// Sets where notices reach the account holder.
pub fn set_contact(
    conn: &mut DbConnection,
    id: &str,
    email: Option<&str>,
    phone: Option<&str>,
    language: Option<&str>,
) -> Result<AccountRow, Error> {
    let n = diesel::update(a::table.find(id))
        .set((
            a::email.eq(email),
            a::phone.eq(phone),
            a::language.eq(language),
            a::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(Error::new(codes::NOT_FOUND));
    }
    get(conn, id)
}

/// The active account that speaks for a data subject: a citizen by the person key (blind
/// index of the national ID), a business by `business:<registration number>`, an official by
/// `account:<account id>` (notices about their work).
pub fn for_subject(conn: &mut DbConnection, key: &str) -> Result<Option<AccountRow>, Error> {
    let q = a::table
        .filter(a::status.eq(STATUS_ACTIVE))
        .select(AccountRow::as_select())
        .into_boxed();
    let q = if let Some(b) = key.strip_prefix("business:") {
        q.filter(a::business_id.eq(b.to_owned()))
            .filter(a::kind.eq(Kind::Business.as_str()))
    } else if let Some(id) = key.strip_prefix("account:") {
        let officials: Vec<&str> = Kind::ALL
            .iter()
            .filter(|k| k.is_official())
            .map(|k| k.as_str())
            .collect();
        q.filter(a::id.eq(id.to_owned()))
            .filter(a::kind.eq_any(officials))
    } else {
        q.filter(a::national_id_index.eq(key.to_owned()))
    };
    Ok(q.first(conn).optional()?)
}

/// Self-registration: inserts the account, or returns `None` without a change when its
/// national ID already has an account (the caller answers the same either way). A taken login
/// name or business number is still a conflict.
pub fn insert_unless_registered(
    conn: &mut DbConnection,
    id: &str,
    n: &NewAccount,
) -> Result<Option<AccountRow>, Error> {
    egov_core::db::write_transaction(conn, |conn| {
        if let Some(index) = &n.national_id_index {
            let taken: i64 = a::table
                .filter(a::username.eq(&n.username))
                .count()
                .get_result(conn)?;
            let dup: i64 = a::table
                .filter(a::national_id_index.eq(index))
                .count()
                .get_result(conn)?;
            if dup > 0 && taken == 0 {
                return Ok(None);
            }
        }
        // (Two registrations of one new national ID racing: the unique index refuses the
        // second with a conflict.)
        insert(conn, id, n).map(Some)
    })
}

/// An account by id, if any.
pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<AccountRow>, Error> {
    Ok(a::table
        .find(id)
        .select(AccountRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<AccountRow, Error> {
    a::table
        .find(id)
        .select(AccountRow::as_select())
        .first(conn)
        .map_err(|e| match e {
            diesel::result::Error::NotFound => Error::with_detail(
                codes::NOT_FOUND,
                egov_core::text!("detail-no-account", "no such account"),
            ),
            e => e.into(),
        })
}

/// The display names of the accounts `ids` (unknown ids are left out), in one query.
pub fn names_of(conn: &mut DbConnection, ids: &[String]) -> Result<Vec<(String, String)>, Error> {
    Ok(a::table
        .filter(a::id.eq_any(ids))
        .select((a::id, a::display_name))
        .load(conn)?)
}

pub fn find_by_username(
    conn: &mut DbConnection,
    username: &str,
) -> Result<Option<AccountRow>, Error> {
    Ok(a::table
        .filter(a::username.eq(username))
        .select(AccountRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_national_index(
    conn: &mut DbConnection,
    index: &str,
) -> Result<Option<AccountRow>, Error> {
    Ok(a::table
        .filter(a::national_id_index.eq(index))
        .select(AccountRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn count_kind(conn: &mut DbConnection, kind: Kind) -> Result<i64, Error> {
    Ok(a::table
        .filter(a::kind.eq(kind.as_str()))
        .count()
        .get_result(conn)?)
}

pub fn set_password(conn: &mut DbConnection, id: &str, phc: &str) -> Result<(), Error> {
    diesel::update(a::table.find(id))
        .set((
            a::password_hash.eq(phc),
            a::status.eq(STATUS_ACTIVE),
            a::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Sets the password with a single-use token (`jti`), and ends every session of the account:
/// only while the account is still in `status` and the token unspent. Spending the token and
/// setting the password are one transaction, and the token's id is a primary key, so of two
/// concurrent uses exactly one succeeds. False (and no change) when the token is spent.
pub fn set_password_once(
    conn: &mut DbConnection,
    id: &str,
    phc: &str,
    status: &str,
    jti: &str,
) -> Result<bool, Error> {
    use crate::schema::auth_spent_tokens as st;
    let now = Utc::now().naive_utc();
    let spent = egov_core::db::write_transaction(conn, |conn| {
        // A second use violates the primary key (a conflict) and rolls everything back.
        diesel::insert_into(st::table)
            .values((st::jti.eq(jti), st::spent_at.eq(now)))
            .execute(conn)?;
        let changed = diesel::update(a::table.find(id).filter(a::status.eq(status)))
            .set((
                a::password_hash.eq(phc),
                a::status.eq(STATUS_ACTIVE),
                a::updated_at.eq(now),
            ))
            .execute(conn)?;
        if changed != 1 {
            return Err(Error::with_detail(
                codes::CONFLICT,
                egov_core::text!("detail-account-changed", "the account changed"),
            ));
        }
        crate::sessions::revoke_all(conn, id, "password set")?;
        Ok(())
    });
    match spent {
        Ok(()) => Ok(true),
        Err(e) if e.code() == codes::CONFLICT => Ok(false),
        Err(e) => Err(e),
    }
}

pub fn set_status(conn: &mut DbConnection, id: &str, status: &str) -> Result<(), Error> {
    diesel::update(a::table.find(id))
        .set((
            a::status.eq(status),
            a::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn set_roles(conn: &mut DbConnection, id: &str, roles: &[String]) -> Result<(), Error> {
    diesel::update(a::table.find(id))
        .set((
            a::roles.eq(serde_json::to_string(roles).map_err(Error::internal)?),
            a::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Stores a pending (not yet confirmed) TOTP secret.
pub fn set_pending_totp(conn: &mut DbConnection, id: &str, sealed: &str) -> Result<(), Error> {
    diesel::update(a::table.find(id))
        .set((
            a::totp_secret_sealed.eq(sealed),
            a::totp_enabled.eq(false),
            a::totp_last_step.eq(None::<i64>),
            a::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Turns TOTP on and replaces the recovery codes.
pub fn enable_totp(
    conn: &mut DbConnection,
    id: &str,
    step: u64,
    recovery_hashes: &[String],
) -> Result<(), Error> {
    egov_core::db::write_transaction(conn, |conn| {
        diesel::update(a::table.find(id))
            .set((
                a::totp_enabled.eq(true),
                a::totp_last_step.eq(i64::try_from(step).ok()),
                a::updated_at.eq(Utc::now().naive_utc()),
            ))
            .execute(conn)?;
        diesel::delete(rc::table.filter(rc::account_id.eq(id))).execute(conn)?;
        for h in recovery_hashes {
            diesel::insert_into(rc::table)
                .values((rc::account_id.eq(id), rc::code_hash.eq(h)))
                .execute(conn)?;
        }
        Ok(())
    })
}

pub fn disable_totp(conn: &mut DbConnection, id: &str) -> Result<(), Error> {
    egov_core::db::write_transaction(conn, |conn| {
        diesel::update(a::table.find(id))
            .set((
                a::totp_enabled.eq(false),
                a::totp_secret_sealed.eq(None::<String>),
                a::totp_last_step.eq(None::<i64>),
                a::updated_at.eq(Utc::now().naive_utc()),
            ))
            .execute(conn)?;
        diesel::delete(rc::table.filter(rc::account_id.eq(id))).execute(conn)?;
        Ok(())
    })
}

/// Records the TOTP step just used, only if it is newer than the last one (no replay, also
/// under concurrent requests). Returns whether it was newer.
pub fn advance_totp_step(conn: &mut DbConnection, id: &str, step: u64) -> Result<bool, Error> {
    let step = i64::try_from(step).map_err(Error::internal)?;
    let n = diesel::update(
        a::table
            .find(id)
            .filter(a::totp_last_step.is_null().or(a::totp_last_step.lt(step))),
    )
    .set(a::totp_last_step.eq(step))
    .execute(conn)?;
    Ok(n == 1)
}

/// Marks a recovery code used; false when it is unknown or already used.
pub fn use_recovery_code(conn: &mut DbConnection, id: &str, hash: &str) -> Result<bool, Error> {
    let n = diesel::update(
        rc::table
            .filter(rc::account_id.eq(id))
            .filter(rc::code_hash.eq(hash))
            .filter(rc::used_at.is_null()),
    )
    .set(rc::used_at.eq(Utc::now().naive_utc()))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn list_in_agency(
    conn: &mut DbConnection,
    agency: &str,
    limit: i64,
    after: Option<&str>,
) -> Result<Vec<AccountRow>, Error> {
    let mut q = a::table
        .filter(a::agency_id.eq(agency))
        .order(a::id.asc())
        .limit(limit)
        .select(AccountRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(a::id.gt(after));
    }
    Ok(q.load(conn)?)
}

/// An agency.
#[derive(Debug, Clone, Serialize, ToSchema, Queryable)]
pub struct Agency {
    /// Agency code, e.g. `MOIS`.
    pub id: String,
    pub name: String,
    #[serde(serialize_with = "utc")]
    #[schema(value_type = DateTime<Utc>)]
    pub created_at: NaiveDateTime,
}

fn utc<S: serde::Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    t.and_utc().serialize(s)
}

pub fn insert_agency(conn: &mut DbConnection, id: &str, name: &str) -> Result<Agency, Error> {
    let exists: i64 = ag::table.find(id).count().get_result(conn)?;
    if exists > 0 {
        return Err(Error::with_detail(
            codes::CONFLICT,
            "an agency with this code exists",
        ));
    }
    let now = Utc::now().naive_utc();
    diesel::insert_into(ag::table)
        .values((ag::id.eq(id), ag::name.eq(name), ag::created_at.eq(now)))
        .execute(conn)?;
    get_agency(conn, id)
}

pub fn get_agency(conn: &mut DbConnection, id: &str) -> Result<Agency, Error> {
    ag::table.find(id).first(conn).map_err(|e| match e {
        diesel::result::Error::NotFound => Error::with_detail(codes::NOT_FOUND, "no such agency"),
        e => e.into(),
    })
}

pub fn list_agencies(conn: &mut DbConnection) -> Result<Vec<Agency>, Error> {
    Ok(ag::table.order(ag::id.asc()).load(conn)?)
}

/// Unlinks a representative; false when there was no such link.
pub fn remove_representative(
    conn: &mut DbConnection,
    business: &str,
    citizen: &str,
) -> Result<bool, Error> {
    use crate::schema::auth_business_representatives as r;
    Ok(diesel::delete(
        r::table
            .filter(r::business_account_id.eq(business))
            .filter(r::citizen_account_id.eq(citizen)),
    )
    .execute(conn)?
        == 1)
}

/// The citizens who represent a business.
pub fn representatives_of(
    conn: &mut DbConnection,
    business: &str,
) -> Result<Vec<AccountRow>, Error> {
    use crate::schema::auth_business_representatives as r;
    let ids: Vec<String> = r::table
        .filter(r::business_account_id.eq(business))
        .select(r::citizen_account_id)
        .load(conn)?;
    Ok(a::table
        .filter(a::id.eq_any(ids))
        .order(a::display_name.asc())
        .select(AccountRow::as_select())
        .load(conn)?)
}

/// The businesses a citizen represents.
pub fn businesses_of(conn: &mut DbConnection, citizen: &str) -> Result<Vec<AccountRow>, Error> {
    use crate::schema::auth_business_representatives as r;
    let ids: Vec<String> = r::table
        .filter(r::citizen_account_id.eq(citizen))
        .select(r::business_account_id)
        .load(conn)?;
    Ok(a::table
        .filter(a::id.eq_any(ids))
        .order(a::display_name.asc())
        .select(AccountRow::as_select())
        .load(conn)?)
}

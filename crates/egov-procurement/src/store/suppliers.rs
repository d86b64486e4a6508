//! Suppliers, their eligibility answers and debarments; committee members' opening keys.

use super::*;

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

/// Registers a bid signing key (a key registered before, by anyone, is a conflict).
pub fn insert_bidder_key(c: &mut DbConnection, row: &BidderKeyRow) -> Result<(), Error> {
    diesel::insert_into(procurement_bidder_keys::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

/// A supplier's bid signing keys, newest first.
pub fn bidder_keys(c: &mut DbConnection, business: &str) -> Result<Vec<BidderKeyRow>, Error> {
    Ok(procurement_bidder_keys::table
        .filter(procurement_bidder_keys::business_id.eq(business))
        .order((
            procurement_bidder_keys::created_at.desc(),
            procurement_bidder_keys::id.desc(),
        ))
        .select(BidderKeyRow::as_select())
        .load(c)?)
}

/// One of a supplier's bid signing keys.
pub fn bidder_key(
    c: &mut DbConnection,
    business: &str,
    id: &str,
) -> Result<Option<BidderKeyRow>, Error> {
    Ok(procurement_bidder_keys::table
        .find(id)
        .filter(procurement_bidder_keys::business_id.eq(business))
        .select(BidderKeyRow::as_select())
        .first(c)
        .optional()?)
}

/// Revokes a key that is in use; false when it is unknown or already revoked.
pub fn revoke_bidder_key(
    c: &mut DbConnection,
    business: &str,
    id: &str,
    at: NaiveDateTime,
) -> Result<bool, Error> {
    let n = diesel::update(
        procurement_bidder_keys::table
            .find(id)
            .filter(procurement_bidder_keys::business_id.eq(business))
            .filter(procurement_bidder_keys::revoked_at.is_null()),
    )
    .set(procurement_bidder_keys::revoked_at.eq(at))
    .execute(c)?;
    Ok(n == 1)
}

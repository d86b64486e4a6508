//! The tender's audit events, OCDS releases and the module's signing keys.

use super::*;

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
pub(super) struct Count {
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

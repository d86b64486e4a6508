//! Sealed bids: storing, replacing, withdrawing and opening them.

use super::*;

pub fn insert_bid(c: &mut DbConnection, row: &BidRow) -> Result<(), Error> {
    diesel::insert_into(procurement_bids::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn bid(c: &mut DbConnection, id: &str) -> Result<Option<BidRow>, Error> {
    Ok(procurement_bids::table
        .find(id)
        .select(BidRow::as_select())
        .first(c)
        .optional()?)
}

pub fn bids(c: &mut DbConnection, tender: &str) -> Result<Vec<BidRow>, Error> {
    Ok(procurement_bids::table
        .filter(procurement_bids::tender_id.eq(tender))
        .order((
            procurement_bids::received_at.asc(),
            procurement_bids::id.asc(),
        ))
        .select(BidRow::as_select())
        .load(c)?)
}

pub fn bids_with_status(
    c: &mut DbConnection,
    tender: &str,
    statuses: &[&str],
) -> Result<Vec<BidRow>, Error> {
    Ok(procurement_bids::table
        .filter(procurement_bids::tender_id.eq(tender))
        .filter(procurement_bids::status.eq_any(statuses.iter().map(|s| s.to_string())))
        .order((
            procurement_bids::received_at.asc(),
            procurement_bids::id.asc(),
        ))
        .select(BidRow::as_select())
        .load(c)?)
}

pub fn supplier_bids(
    c: &mut DbConnection,
    tender: &str,
    supplier: &str,
) -> Result<Vec<BidRow>, Error> {
    Ok(procurement_bids::table
        .filter(procurement_bids::tender_id.eq(tender))
        .filter(procurement_bids::supplier.eq(supplier))
        .order((
            procurement_bids::received_at.asc(),
            procurement_bids::id.asc(),
        ))
        .select(BidRow::as_select())
        .load(c)?)
}

#[derive(Debug, QueryableByName)]
pub(super) struct IdRow {
    #[diesel(sql_type = Text)]
    id: String,
}

/// Marks the supplier's active bid for the lot replaced (one statement); returns its id.
pub fn replace_active(
    c: &mut DbConnection,
    tender: &str,
    supplier: &str,
    lot: &str,
) -> Result<Option<String>, Error> {
    let rows: Vec<IdRow> = diesel::sql_query(
        "UPDATE procurement_bids SET status = 'replaced' WHERE tender_id = $1 AND supplier = $2 \
         AND lot_id = $3 AND status = 'active' RETURNING id",
    )
    .bind::<Text, _>(tender)
    .bind::<Text, _>(supplier)
    .bind::<Text, _>(lot)
    .load(c)?;
    Ok(rows.into_iter().next().map(|r| r.id))
}

pub fn withdraw_bid(c: &mut DbConnection, id: &str, at: NaiveDateTime) -> Result<bool, Error> {
    let n = diesel::update(
        procurement_bids::table
            .find(id)
            .filter(procurement_bids::status.eq("active")),
    )
    .set((
        procurement_bids::status.eq("withdrawn"),
        procurement_bids::withdrawn_at.eq(at),
    ))
    .execute(c)?;
    Ok(n == 1)
}

pub fn count_active(c: &mut DbConnection, tender: &str) -> Result<Vec<(String, String)>, Error> {
    Ok(procurement_bids::table
        .filter(procurement_bids::tender_id.eq(tender))
        .filter(procurement_bids::status.eq("active"))
        .order((
            procurement_bids::received_at.asc(),
            procurement_bids::id.asc(),
        ))
        .select((procurement_bids::id, procurement_bids::digest))
        .load(c)?)
}

/// Records a bid's opening (a prepared statement: an opening runs it once per bid).
pub fn set_opened(
    c: &mut DbConnection,
    id: &str,
    status: &str,
    opened: Option<&str>,
    price: Option<&str>,
    rejection: Option<&str>,
) -> Result<(), Error> {
    diesel::update(procurement_bids::table.find(id))
        .set((
            procurement_bids::status.eq(status),
            procurement_bids::opened.eq(opened),
            procurement_bids::price.eq(price),
            procurement_bids::rejection.eq(rejection),
        ))
        .execute(c)?;
    Ok(())
}

/// One bid's opening result.
#[derive(Debug, Clone)]
pub struct Opened {
    pub id: String,
    pub status: String,
    pub opened: Option<String>,
    pub price: Option<String>,
    pub rejection: Option<String>,
}

/// Records many bids' openings. PostgreSQL: one `UPDATE … FROM unnest(…)` per 2,000 bids (an
/// opening of 10,000 bids is five statements, not 10,000 round trips); SQLite, in-process:
/// a prepared update per bid.
pub fn set_opened_many(c: &mut DbConnection, rows: &[Opened]) -> Result<(), Error> {
    use diesel::sql_types::{Array, Nullable};
    match c {
        DbConnection::Pg(pg) => {
            for chunk in rows.chunks(2000) {
                let col =
                    |f: fn(&Opened) -> Option<String>| chunk.iter().map(f).collect::<Vec<_>>();
                diesel::sql_query(
                    "UPDATE procurement_bids AS b SET status = v.status, opened = v.opened, \
                     price = v.price, rejection = v.rejection \
                     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) \
                     AS v(id, status, opened, price, rejection) WHERE b.id = v.id",
                )
                .bind::<Array<Text>, _>(chunk.iter().map(|r| r.id.clone()).collect::<Vec<_>>())
                .bind::<Array<Text>, _>(chunk.iter().map(|r| r.status.clone()).collect::<Vec<_>>())
                .bind::<Array<Nullable<Text>>, _>(col(|r| r.opened.clone()))
                .bind::<Array<Nullable<Text>>, _>(col(|r| r.price.clone()))
                .bind::<Array<Nullable<Text>>, _>(col(|r| r.rejection.clone()))
                .execute(pg)?;
            }
        }
        DbConnection::Sqlite(_) => {
            for r in rows {
                set_opened(
                    c,
                    &r.id,
                    &r.status,
                    r.opened.as_deref(),
                    r.price.as_deref(),
                    r.rejection.as_deref(),
                )?;
            }
        }
    }
    Ok(())
}

#[derive(Debug, QueryableByName)]
pub(super) struct NameRow {
    #[diesel(sql_type = Text)]
    business_id: String,
    #[diesel(sql_type = Text)]
    name: String,
}

/// The registered names of a tender's bidders, in one query.
pub fn bidder_names(
    c: &mut DbConnection,
    tender: &str,
) -> Result<std::collections::HashMap<String, String>, Error> {
    let rows: Vec<NameRow> = diesel::sql_query(
        "SELECT business_id, name FROM procurement_suppliers WHERE business_id IN \
         (SELECT DISTINCT supplier FROM procurement_bids WHERE tender_id = $1)",
    )
    .bind::<Text, _>(tender)
    .load(c)?;
    Ok(rows.into_iter().map(|r| (r.business_id, r.name)).collect())
}

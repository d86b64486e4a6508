//! The hash-chained history and gapless registration numbers.

use super::*;

pub fn last_event(c: &mut DbConnection, doc: &str) -> Result<Option<(i64, String)>, Error> {
    Ok(docflow_events::table
        .filter(docflow_events::document_id.eq(doc))
        .order(docflow_events::seq.desc())
        .select((docflow_events::seq, docflow_events::hash))
        .first(c)
        .optional()?)
}

pub fn insert_event(c: &mut DbConnection, row: &EventRow) -> Result<(), Error> {
    diesel::insert_into(docflow_events::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn events(c: &mut DbConnection, doc: &str) -> Result<Vec<EventRow>, Error> {
    Ok(docflow_events::table
        .filter(docflow_events::document_id.eq(doc))
        .order(docflow_events::seq.asc())
        .select(EventRow::as_select())
        .load(c)?)
}

// ------------------------------------------------------------------ registration

/// The next serial of a unit's ledger for the year (upsert on the counter row, which stays
/// locked until the transaction ends: a transaction that fails gives its number back).
pub fn next_serial(c: &mut DbConnection, unit: &str, year: i32, kind: &str) -> Result<i64, Error> {
    let row: Last = diesel::sql_query(
        "INSERT INTO docflow_counters (unit_id, year, kind, last) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (unit_id, year, kind) DO UPDATE SET last = docflow_counters.last + 1 \
         RETURNING last",
    )
    .bind::<Text, _>(unit)
    .bind::<Integer, _>(year)
    .bind::<Text, _>(kind)
    .get_result(c)?;
    Ok(row.last)
}

pub fn insert_ledger(c: &mut DbConnection, row: &LedgerRow) -> Result<(), Error> {
    diesel::insert_into(docflow_ledger::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn ledger(
    c: &mut DbConnection,
    unit: &str,
    year: i32,
    kind: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<LedgerRow>, Error> {
    Ok(docflow_ledger::table
        .filter(docflow_ledger::unit_id.eq(unit))
        .filter(docflow_ledger::year.eq(year))
        .filter(docflow_ledger::kind.eq(kind))
        .filter(docflow_ledger::serial.gt(after))
        .order(docflow_ledger::serial.asc())
        .limit(limit)
        .select(LedgerRow::as_select())
        .load(c)?)
}

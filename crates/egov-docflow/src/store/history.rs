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

/// Every document's history as an anchored trail (`egov_core::anchor`): one chain per
/// document.
#[derive(Debug)]
pub struct HistoryTrail;

impl egov_core::anchor::Trail for HistoryTrail {
    fn name(&self) -> &'static str {
        "docflow.history"
    }

    fn heads(&self, c: &mut DbConnection) -> Result<Vec<egov_core::anchor::Head>, Error> {
        #[derive(QueryableByName)]
        struct H {
            #[diesel(sql_type = Text)]
            document_id: String,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            seq: i64,
            #[diesel(sql_type = Text)]
            hash: String,
        }
        let rows: Vec<H> = diesel::sql_query(
            "SELECT e.document_id, e.seq, e.hash FROM docflow_events e \
             JOIN (SELECT document_id, MAX(seq) AS seq FROM docflow_events GROUP BY document_id) m \
             ON e.document_id = m.document_id AND e.seq = m.seq",
        )
        .load(c)?;
        Ok(rows
            .into_iter()
            .map(|h| egov_core::anchor::Head {
                chain: h.document_id,
                seq: h.seq,
                hash: h.hash,
            })
            .collect())
    }

    fn hash_at(
        &self,
        c: &mut DbConnection,
        chain: &str,
        seq: i64,
    ) -> Result<Option<String>, Error> {
        Ok(docflow_events::table
            .filter(docflow_events::document_id.eq(chain))
            .filter(docflow_events::seq.eq(seq))
            .select(docflow_events::hash)
            .first(c)
            .optional()?)
    }
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

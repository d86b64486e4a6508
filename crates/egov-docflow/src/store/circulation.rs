//! Circulation (공람) and dispatch and receipt between agencies.

use super::*;

pub fn add_circulation(c: &mut DbConnection, row: &CirculationRow) -> Result<bool, Error> {
    let n = diesel::sql_query(
        "INSERT INTO docflow_circulations (id, document_id, reader, added_by, added_at, due_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (document_id, reader) DO NOTHING",
    )
    .bind::<Text, _>(&row.id)
    .bind::<Text, _>(&row.document_id)
    .bind::<Text, _>(&row.reader)
    .bind::<Text, _>(&row.added_by)
    .bind::<Timestamp, _>(row.added_at)
    .bind::<Timestamp, _>(row.due_at)
    .execute(c)?;
    Ok(n == 1)
}

pub fn circulations(c: &mut DbConnection, doc: &str) -> Result<Vec<CirculationRow>, Error> {
    Ok(docflow_circulations::table
        .filter(docflow_circulations::document_id.eq(doc))
        .order(docflow_circulations::added_at.asc())
        .select(CirculationRow::as_select())
        .load(c)?)
}

/// Marks the reader's first reading; true when this was it.
pub fn mark_read(
    c: &mut DbConnection,
    doc: &str,
    reader: &str,
    at: NaiveDateTime,
) -> Result<bool, Error> {
    Ok(diesel::update(
        docflow_circulations::table
            .filter(docflow_circulations::document_id.eq(doc))
            .filter(docflow_circulations::reader.eq(reader))
            .filter(docflow_circulations::read_at.is_null()),
    )
    .set(docflow_circulations::read_at.eq(at))
    .execute(c)?
        == 1)
}

pub fn is_reader(c: &mut DbConnection, doc: &str, reader: &str) -> Result<bool, Error> {
    let n: i64 = docflow_circulations::table
        .filter(docflow_circulations::document_id.eq(doc))
        .filter(docflow_circulations::reader.eq(reader))
        .count()
        .get_result(c)?;
    Ok(n > 0)
}

// ------------------------------------------------------------------ dispatch

pub fn insert_dispatch(c: &mut DbConnection, row: &DispatchRow) -> Result<(), Error> {
    diesel::insert_into(docflow_dispatches::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn dispatch(c: &mut DbConnection, id: &str) -> Result<Option<DispatchRow>, Error> {
    Ok(docflow_dispatches::table
        .find(id)
        .select(DispatchRow::as_select())
        .first(c)
        .optional()?)
}

pub fn dispatches(c: &mut DbConnection, doc: &str) -> Result<Vec<DispatchRow>, Error> {
    Ok(docflow_dispatches::table
        .filter(docflow_dispatches::document_id.eq(doc))
        .order(docflow_dispatches::created_at.asc())
        .select(DispatchRow::as_select())
        .load(c)?)
}

pub fn save_dispatch(c: &mut DbConnection, d: &DispatchRow) -> Result<(), Error> {
    diesel::update(docflow_dispatches::table.find(&d.id))
        .set((
            docflow_dispatches::status.eq(&d.status),
            docflow_dispatches::attempts.eq(d.attempts),
            docflow_dispatches::message_id.eq(&d.message_id),
            docflow_dispatches::error.eq(&d.error),
            docflow_dispatches::remote_id.eq(&d.remote_id),
            docflow_dispatches::receipt_no.eq(&d.receipt_no),
            docflow_dispatches::delivered_at.eq(d.delivered_at),
            docflow_dispatches::received_at.eq(d.received_at),
        ))
        .execute(c)?;
    Ok(())
}

pub fn incoming(
    c: &mut DbConnection,
    member: &str,
    dispatch: &str,
) -> Result<Option<IncomingRow>, Error> {
    Ok(docflow_incoming::table
        .find((member, dispatch))
        .select(IncomingRow::as_select())
        .first(c)
        .optional()?)
}

pub fn incoming_of(c: &mut DbConnection, doc: &str) -> Result<Option<IncomingRow>, Error> {
    Ok(docflow_incoming::table
        .filter(docflow_incoming::document_id.eq(doc))
        .select(IncomingRow::as_select())
        .first(c)
        .optional()?)
}

pub fn insert_incoming(c: &mut DbConnection, row: &IncomingRow) -> Result<(), Error> {
    diesel::insert_into(docflow_incoming::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

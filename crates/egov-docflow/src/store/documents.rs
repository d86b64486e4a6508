//! Documents, versions, attachments, approval steps and signatures.

use super::*;

pub fn insert_document(c: &mut DbConnection, row: &DocumentRow) -> Result<(), Error> {
    diesel::insert_into(docflow_documents::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn document(c: &mut DbConnection, id: &str) -> Result<Option<DocumentRow>, Error> {
    Ok(docflow_documents::table
        .find(id)
        .select(DocumentRow::as_select())
        .first(c)
        .optional()?)
}

/// The document, locked for the rest of the transaction (PostgreSQL `FOR UPDATE`; on SQLite
/// the write transaction already holds the database's write lock).
pub fn lock_document(c: &mut DbConnection, id: &str) -> Result<Option<DocumentRow>, Error> {
    match c {
        DbConnection::Pg(pg) => Ok(docflow_documents::table
            .find(id)
            .for_update()
            .select(DocumentRow::as_select())
            .first(pg)
            .optional()?),
        DbConnection::Sqlite(_) => document(c, id),
    }
}

pub fn save_document(c: &mut DbConnection, row: &DocumentRow) -> Result<(), Error> {
    diesel::update(docflow_documents::table.find(&row.id))
        .set((
            docflow_documents::drafter.eq(&row.drafter),
            docflow_documents::drafter_position.eq(&row.drafter_position),
            docflow_documents::status.eq(&row.status),
            docflow_documents::version.eq(row.version),
            docflow_documents::round.eq(row.round),
            docflow_documents::due_at.eq(row.due_at),
            docflow_documents::registration_no.eq(&row.registration_no),
            docflow_documents::registered_at.eq(row.registered_at),
            docflow_documents::unit_id.eq(&row.unit_id),
            docflow_documents::retention.eq(&row.retention),
            docflow_documents::file_id.eq(&row.file_id),
            docflow_documents::completed_at.eq(row.completed_at),
            docflow_documents::disposed_at.eq(row.disposed_at),
            docflow_documents::updated_at.eq(row.updated_at),
        ))
        .execute(c)?;
    Ok(())
}

pub fn insert_version(c: &mut DbConnection, row: &VersionRow) -> Result<(), Error> {
    diesel::insert_into(docflow_versions::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn versions(c: &mut DbConnection, doc: &str) -> Result<Vec<VersionRow>, Error> {
    Ok(docflow_versions::table
        .filter(docflow_versions::document_id.eq(doc))
        .order(docflow_versions::version.asc())
        .select(VersionRow::as_select())
        .load(c)?)
}

pub fn version(c: &mut DbConnection, doc: &str, v: i32) -> Result<Option<VersionRow>, Error> {
    Ok(docflow_versions::table
        .find((doc, v))
        .select(VersionRow::as_select())
        .first(c)
        .optional()?)
}

/// Disposal: the contents of every version go; titles, digests and authors stay.
pub fn clear_versions(c: &mut DbConnection, doc: &str) -> Result<(), Error> {
    diesel::update(docflow_versions::table.filter(docflow_versions::document_id.eq(doc)))
        .set(docflow_versions::body.eq(None::<String>))
        .execute(c)?;
    Ok(())
}

pub fn put_blob(c: &mut DbConnection, sha256: &str, content: &[u8]) -> Result<(), Error> {
    diesel::sql_query(
        "INSERT INTO docflow_blobs (sha256, content) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING",
    )
    .bind::<Text, _>(sha256)
    .bind::<diesel::sql_types::Binary, _>(content)
    .execute(c)?;
    Ok(())
}

pub fn blob(c: &mut DbConnection, sha256: &str) -> Result<Option<Vec<u8>>, Error> {
    Ok(docflow_blobs::table
        .find(sha256)
        .select(docflow_blobs::content)
        .first(c)
        .optional()?)
}

/// Deletes blobs no version of any live document refers to any more.
pub fn delete_blob(c: &mut DbConnection, sha256: &str) -> Result<(), Error> {
    let pattern = format!("%{sha256}%");
    let still: i64 = docflow_versions::table
        .filter(docflow_versions::attachments.like(pattern))
        .filter(docflow_versions::body.is_not_null())
        .count()
        .get_result(c)?;
    if still == 0 {
        diesel::delete(docflow_blobs::table.find(sha256)).execute(c)?;
    }
    Ok(())
}

// ------------------------------------------------------------------ steps and signatures

pub fn insert_steps(c: &mut DbConnection, rows: &[StepRow]) -> Result<(), Error> {
    for r in rows {
        diesel::insert_into(docflow_steps::table)
            .values(r)
            .execute(c)?;
    }
    Ok(())
}

pub fn steps(c: &mut DbConnection, doc: &str) -> Result<Vec<StepRow>, Error> {
    Ok(docflow_steps::table
        .filter(docflow_steps::document_id.eq(doc))
        .order(docflow_steps::seq.asc())
        .select(StepRow::as_select())
        .load(c)?)
}

pub fn delete_steps(c: &mut DbConnection, doc: &str) -> Result<(), Error> {
    diesel::delete(docflow_steps::table.filter(docflow_steps::document_id.eq(doc))).execute(c)?;
    Ok(())
}

pub fn save_step(c: &mut DbConnection, s: &StepRow) -> Result<(), Error> {
    diesel::update(docflow_steps::table.find(&s.id))
        .set((
            docflow_steps::seq.eq(s.seq),
            docflow_steps::status.eq(&s.status),
            docflow_steps::due_at.eq(s.due_at),
            docflow_steps::acted_by.eq(&s.acted_by),
            docflow_steps::mode.eq(&s.mode),
            docflow_steps::action.eq(&s.action),
            docflow_steps::opinion.eq(&s.opinion),
            docflow_steps::acted_at.eq(s.acted_at),
        ))
        .execute(c)?;
    Ok(())
}

pub fn delete_step(c: &mut DbConnection, id: &str) -> Result<(), Error> {
    diesel::delete(docflow_steps::table.find(id)).execute(c)?;
    Ok(())
}

pub fn insert_signature(c: &mut DbConnection, row: &SignatureRow) -> Result<(), Error> {
    diesel::insert_into(docflow_signatures::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn signatures(c: &mut DbConnection, doc: &str) -> Result<Vec<SignatureRow>, Error> {
    Ok(docflow_signatures::table
        .filter(docflow_signatures::document_id.eq(doc))
        .order((docflow_signatures::at.asc(), docflow_signatures::id.asc()))
        .select(SignatureRow::as_select())
        .load(c)?)
}

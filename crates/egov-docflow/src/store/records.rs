//! Record files, legal holds, disposal, and the module's signing keys.

use super::*;

pub fn insert_file(c: &mut DbConnection, row: &FileRow) -> Result<(), Error> {
    diesel::insert_into(docflow_files::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn file(c: &mut DbConnection, id: &str) -> Result<Option<FileRow>, Error> {
    Ok(docflow_files::table
        .find(id)
        .select(FileRow::as_select())
        .first(c)
        .optional()?)
}

pub fn files(c: &mut DbConnection, agency: &str) -> Result<Vec<FileRow>, Error> {
    Ok(docflow_files::table
        .filter(docflow_files::agency.eq(agency))
        .order((
            docflow_files::year.desc(),
            docflow_files::classification.asc(),
        ))
        .select(FileRow::as_select())
        .load(c)?)
}

pub fn file_documents(c: &mut DbConnection, file: &str) -> Result<Vec<DocumentRow>, Error> {
    Ok(docflow_documents::table
        .filter(docflow_documents::file_id.eq(file))
        .order(docflow_documents::registered_at.asc())
        .select(DocumentRow::as_select())
        .load(c)?)
}

pub fn insert_hold(c: &mut DbConnection, row: &HoldRow) -> Result<(), Error> {
    diesel::insert_into(docflow_holds::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn holds(c: &mut DbConnection, doc: &str) -> Result<Vec<HoldRow>, Error> {
    Ok(docflow_holds::table
        .filter(docflow_holds::document_id.eq(doc))
        .order(docflow_holds::placed_at.asc())
        .select(HoldRow::as_select())
        .load(c)?)
}

pub fn hold(c: &mut DbConnection, id: &str) -> Result<Option<HoldRow>, Error> {
    Ok(docflow_holds::table
        .find(id)
        .select(HoldRow::as_select())
        .first(c)
        .optional()?)
}

pub fn release_hold(
    c: &mut DbConnection,
    id: &str,
    by: &str,
    at: NaiveDateTime,
    reason: &str,
) -> Result<usize, Error> {
    Ok(diesel::update(
        docflow_holds::table
            .find(id)
            .filter(docflow_holds::released_at.is_null()),
    )
    .set((
        docflow_holds::released_by.eq(by),
        docflow_holds::released_at.eq(at),
        docflow_holds::release_reason.eq(reason),
    ))
    .execute(c)?)
}

pub fn insert_disposal(c: &mut DbConnection, row: &DisposalRow) -> Result<(), Error> {
    diesel::insert_into(docflow_disposals::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn disposal(c: &mut DbConnection, doc: &str) -> Result<Option<DisposalRow>, Error> {
    Ok(docflow_disposals::table
        .filter(docflow_disposals::document_id.eq(doc))
        .select(DisposalRow::as_select())
        .first(c)
        .optional()?)
}

// ------------------------------------------------------------------ keys

pub fn latest_key(c: &mut DbConnection) -> Result<Option<KeyRow>, Error> {
    Ok(docflow_keys::table
        .order(docflow_keys::created_at.desc())
        .select(KeyRow::as_select())
        .first(c)
        .optional()?)
}

pub fn keys(c: &mut DbConnection) -> Result<Vec<KeyRow>, Error> {
    Ok(docflow_keys::table
        .order(docflow_keys::created_at.asc())
        .select(KeyRow::as_select())
        .load(c)?)
}

pub fn insert_key(c: &mut DbConnection, row: &KeyRow) -> Result<(), Error> {
    diesel::insert_into(docflow_keys::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

/// Sets a received document's type (chosen by the receiving document office).
pub fn set_doc_type(c: &mut DbConnection, id: &str, doc_type: &str) -> Result<(), Error> {
    diesel::update(docflow_documents::table.find(id))
        .set(docflow_documents::doc_type.eq(doc_type))
        .execute(c)?;
    Ok(())
}

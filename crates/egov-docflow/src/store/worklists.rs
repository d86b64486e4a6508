//! Work lists and the inbox (one index range each), and handover of pending work.

use super::*;

/// One row of a work list.
#[derive(Debug, Clone, QueryableByName)]
pub struct WorkRow {
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Text)]
    pub doc_type: String,
    #[diesel(sql_type = Timestamp)]
    pub due_at: NaiveDateTime,
    #[diesel(sql_type = Nullable<Text>)]
    pub registration_no: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub step_kind: Option<String>,
}

/// Documents of a drafter in the given statuses, by due date (keyset: after `(due, id)`).
pub fn work_drafts(
    c: &mut DbConnection,
    account: &str,
    status: &str,
    after: &(NaiveDateTime, String),
    limit: i64,
) -> Result<Vec<WorkRow>, Error> {
    Ok(diesel::sql_query(
        "SELECT d.id, v.title, d.status, d.doc_type, d.due_at, d.registration_no, \
                CAST(NULL AS TEXT) AS step_kind \
         FROM docflow_documents d JOIN docflow_versions v ON v.document_id = d.id AND v.version = d.version \
         WHERE d.drafter = $1 AND d.status = $2 AND (d.due_at, d.id) > ($3, $4) \
         ORDER BY d.due_at, d.id LIMIT $5",
    )
    .bind::<Text, _>(account)
    .bind::<Text, _>(status)
    .bind::<Timestamp, _>(after.0)
    .bind::<Text, _>(&after.1)
    .bind::<BigInt, _>(limit)
    .load(c)?)
}

/// Steps waiting on the given positions, by due date.
pub fn work_awaiting(
    c: &mut DbConnection,
    positions: &[String],
    after: &(NaiveDateTime, String),
    limit: i64,
) -> Result<Vec<WorkRow>, Error> {
    if positions.is_empty() {
        return Ok(Vec::new());
    }
    // One index range per position, merged: the positions are few (held plus stood in for).
    let list = positions
        .iter()
        .map(|p| format!("'{}'", p.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(",");
    Ok(diesel::sql_query(format!(
        "SELECT d.id, v.title, d.status, d.doc_type, s.due_at, d.registration_no, s.kind AS step_kind \
         FROM docflow_steps s JOIN docflow_documents d ON d.id = s.document_id \
         JOIN docflow_versions v ON v.document_id = d.id AND v.version = d.version \
         WHERE s.position_id IN ({list}) AND s.status = 'current' AND (s.due_at, s.document_id) > ($1, $2) \
         ORDER BY s.due_at, s.document_id LIMIT $3"
    ))
    .bind::<Timestamp, _>(after.0)
    .bind::<Text, _>(&after.1)
    .bind::<BigInt, _>(limit)
    .load(c)?)
}

/// Documents circulated to a reader (unread first is not imposed: by due date).
pub fn work_circulated(
    c: &mut DbConnection,
    reader: &str,
    after: &(NaiveDateTime, String),
    limit: i64,
) -> Result<Vec<WorkRow>, Error> {
    Ok(diesel::sql_query(
        "SELECT d.id, v.title, d.status, d.doc_type, r.due_at, d.registration_no, \
                CAST(CASE WHEN r.read_at IS NULL THEN 'unread' ELSE 'read' END AS TEXT) AS step_kind \
         FROM docflow_circulations r JOIN docflow_documents d ON d.id = r.document_id \
         JOIN docflow_versions v ON v.document_id = d.id AND v.version = d.version \
         WHERE r.reader = $1 AND (r.due_at, r.document_id) > ($2, $3) \
         ORDER BY r.due_at, r.document_id LIMIT $4",
    )
    .bind::<Text, _>(reader)
    .bind::<Timestamp, _>(after.0)
    .bind::<Text, _>(&after.1)
    .bind::<BigInt, _>(limit)
    .load(c)?)
}

/// Documents received by an agency and not yet registered (the document office's inbox).
pub fn inbox(
    c: &mut DbConnection,
    agency: &str,
    after: &(NaiveDateTime, String),
    limit: i64,
) -> Result<Vec<WorkRow>, Error> {
    Ok(diesel::sql_query(
        "SELECT d.id, v.title, d.status, d.doc_type, d.due_at, d.registration_no, \
                CAST(NULL AS TEXT) AS step_kind \
         FROM docflow_documents d JOIN docflow_versions v ON v.document_id = d.id AND v.version = d.version \
         WHERE d.agency = $1 AND d.status = 'delivered' AND (d.due_at, d.id) > ($2, $3) \
         ORDER BY d.due_at, d.id LIMIT $4",
    )
    .bind::<Text, _>(agency)
    .bind::<Timestamp, _>(after.0)
    .bind::<Text, _>(&after.1)
    .bind::<BigInt, _>(limit)
    .load(c)?)
}

// ------------------------------------------------------------------ handover

/// Moves `from`'s documents in the given statuses to `to`; returns their ids.
pub fn hand_over_documents(
    c: &mut DbConnection,
    agency: &str,
    from: &str,
    to: &str,
    statuses: &[&str],
) -> Result<Vec<String>, Error> {
    let ids: Vec<String> = docflow_documents::table
        .filter(docflow_documents::agency.eq(agency))
        .filter(docflow_documents::drafter.eq(from))
        .filter(docflow_documents::status.eq_any(statuses))
        .select(docflow_documents::id)
        .load(c)?;
    diesel::update(docflow_documents::table.filter(docflow_documents::id.eq_any(&ids)))
        .set(docflow_documents::drafter.eq(to))
        .execute(c)?;
    Ok(ids)
}

/// Moves `from`'s unread circulations to `to`; returns the documents.
pub fn hand_over_circulations(
    c: &mut DbConnection,
    from: &str,
    to: &str,
) -> Result<Vec<String>, Error> {
    let rows: Vec<(String, String)> = docflow_circulations::table
        .filter(docflow_circulations::reader.eq(from))
        .filter(docflow_circulations::read_at.is_null())
        .select((docflow_circulations::id, docflow_circulations::document_id))
        .load(c)?;
    let mut moved = Vec::new();
    for (id, doc) in rows {
        if !is_reader(c, &doc, to)? {
            diesel::update(docflow_circulations::table.find(&id))
                .set(docflow_circulations::reader.eq(to))
                .execute(c)?;
            moved.push(doc);
        }
    }
    Ok(moved)
}

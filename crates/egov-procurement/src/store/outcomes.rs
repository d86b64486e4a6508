//! Scores, awards, complaints and contracts.

use super::*;

pub fn insert_score(c: &mut DbConnection, row: &ScoreRow) -> Result<bool, Error> {
    let exists: i64 = procurement_scores::table
        .filter(procurement_scores::bid_id.eq(&row.bid_id))
        .filter(procurement_scores::evaluator.eq(&row.evaluator))
        .count()
        .get_result(c)?;
    if exists > 0 {
        return Ok(false);
    }
    diesel::insert_into(procurement_scores::table)
        .values(row)
        .execute(c)?;
    Ok(true)
}

pub fn scores(c: &mut DbConnection, tender: &str) -> Result<Vec<ScoreRow>, Error> {
    Ok(procurement_scores::table
        .filter(procurement_scores::tender_id.eq(tender))
        .order(procurement_scores::at.asc())
        .select(ScoreRow::as_select())
        .load(c)?)
}

/// Sets a tender's scores aside (a re-evaluation ordered by complaint `complaint`): they move
/// to the superseded scores, unchanged; returns how many.
pub fn supersede_scores(
    c: &mut DbConnection,
    tender: &str,
    complaint: &str,
    at: NaiveDateTime,
) -> Result<usize, Error> {
    let moved = diesel::sql_query(
        "INSERT INTO procurement_superseded_scores \
         (id, tender_id, bid_id, evaluator, score, comment, at, signature, superseded_at, complaint_id) \
         SELECT id, tender_id, bid_id, evaluator, score, comment, at, signature, $1, $2 \
         FROM procurement_scores WHERE tender_id = $3",
    )
    .bind::<Timestamp, _>(at)
    .bind::<Text, _>(complaint)
    .bind::<Text, _>(tender)
    .execute(c)?;
    diesel::delete(procurement_scores::table.filter(procurement_scores::tender_id.eq(tender)))
        .execute(c)?;
    Ok(moved)
}

pub fn insert_award(c: &mut DbConnection, row: &AwardRow) -> Result<(), Error> {
    diesel::insert_into(procurement_awards::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn awards(c: &mut DbConnection, tender: &str) -> Result<Vec<AwardRow>, Error> {
    Ok(procurement_awards::table
        .filter(procurement_awards::tender_id.eq(tender))
        .order((
            procurement_awards::decided_at.asc(),
            procurement_awards::lot_id.asc(),
        ))
        .select(AwardRow::as_select())
        .load(c)?)
}

pub fn set_awards_status(
    c: &mut DbConnection,
    tender: &str,
    from: &str,
    to: &str,
) -> Result<usize, Error> {
    Ok(diesel::update(
        procurement_awards::table
            .filter(procurement_awards::tender_id.eq(tender))
            .filter(procurement_awards::status.eq(from)),
    )
    .set(procurement_awards::status.eq(to))
    .execute(c)?)
}

// ------------------------------------------------------------------ complaints

pub fn insert_complaint(c: &mut DbConnection, row: &ComplaintRow) -> Result<(), Error> {
    diesel::insert_into(procurement_complaints::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn complaint(c: &mut DbConnection, id: &str) -> Result<Option<ComplaintRow>, Error> {
    Ok(procurement_complaints::table
        .find(id)
        .select(ComplaintRow::as_select())
        .first(c)
        .optional()?)
}

pub fn complaints(c: &mut DbConnection, tender: &str) -> Result<Vec<ComplaintRow>, Error> {
    Ok(procurement_complaints::table
        .filter(procurement_complaints::tender_id.eq(tender))
        .order(procurement_complaints::filed_at.asc())
        .select(ComplaintRow::as_select())
        .load(c)?)
}

pub fn complaints_with_status(
    c: &mut DbConnection,
    status: &str,
    limit: i64,
) -> Result<Vec<ComplaintRow>, Error> {
    Ok(procurement_complaints::table
        .filter(procurement_complaints::status.eq(status))
        .order(procurement_complaints::decide_by.asc())
        .limit(limit)
        .select(ComplaintRow::as_select())
        .load(c)?)
}

pub fn decide_complaint(
    c: &mut DbConnection,
    id: &str,
    status: &str,
    by: &str,
    reason: &str,
    remedy: Option<&str>,
    at: NaiveDateTime,
) -> Result<bool, Error> {
    let n = diesel::update(
        procurement_complaints::table
            .find(id)
            .filter(procurement_complaints::status.eq("pending")),
    )
    .set((
        procurement_complaints::status.eq(status),
        procurement_complaints::decided_by.eq(by),
        procurement_complaints::decision_reason.eq(reason),
        procurement_complaints::remedy.eq(remedy),
        procurement_complaints::decided_at.eq(at),
    ))
    .execute(c)?;
    Ok(n == 1)
}

// ------------------------------------------------------------------ contracts

pub fn insert_contract(c: &mut DbConnection, row: &ContractRow) -> Result<(), Error> {
    diesel::insert_into(procurement_contracts::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn contract(c: &mut DbConnection, id: &str) -> Result<Option<ContractRow>, Error> {
    Ok(procurement_contracts::table
        .find(id)
        .select(ContractRow::as_select())
        .first(c)
        .optional()?)
}

pub fn contracts(c: &mut DbConnection, tender: &str) -> Result<Vec<ContractRow>, Error> {
    Ok(procurement_contracts::table
        .filter(procurement_contracts::tender_id.eq(tender))
        .order(procurement_contracts::created_at.asc())
        .select(ContractRow::as_select())
        .load(c)?)
}

pub fn set_contract(
    c: &mut DbConnection,
    id: &str,
    status: &str,
    version: i32,
) -> Result<(), Error> {
    diesel::update(procurement_contracts::table.find(id))
        .set((
            procurement_contracts::status.eq(status),
            procurement_contracts::version.eq(version),
        ))
        .execute(c)?;
    Ok(())
}

pub fn insert_contract_version(
    c: &mut DbConnection,
    row: &ContractVersionRow,
) -> Result<(), Error> {
    diesel::insert_into(procurement_contract_versions::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn save_contract_version(c: &mut DbConnection, row: &ContractVersionRow) -> Result<(), Error> {
    diesel::update(procurement_contract_versions::table.find((&row.contract_id, row.version)))
        .set(row)
        .execute(c)?;
    Ok(())
}

pub fn contract_versions(
    c: &mut DbConnection,
    contract: &str,
) -> Result<Vec<ContractVersionRow>, Error> {
    Ok(procurement_contract_versions::table
        .filter(procurement_contract_versions::contract_id.eq(contract))
        .order(procurement_contract_versions::version.asc())
        .select(ContractVersionRow::as_select())
        .load(c)?)
}

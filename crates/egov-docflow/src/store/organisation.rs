//! Units, positions, assignments, stand-ins, organisation changes and the delegation table.

use super::*;

pub fn insert_unit(c: &mut DbConnection, row: &UnitRow) -> Result<(), Error> {
    diesel::insert_into(docflow_units::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn unit(c: &mut DbConnection, id: &str) -> Result<Option<UnitRow>, Error> {
    Ok(docflow_units::table
        .find(id)
        .select(UnitRow::as_select())
        .first(c)
        .optional()?)
}

pub fn units(c: &mut DbConnection, agency: &str) -> Result<Vec<UnitRow>, Error> {
    Ok(docflow_units::table
        .filter(docflow_units::agency.eq(agency))
        .order((docflow_units::code.asc(), docflow_units::valid_from.asc()))
        .select(UnitRow::as_select())
        .load(c)?)
}

pub fn document_office(
    c: &mut DbConnection,
    agency: &str,
    day: NaiveDate,
) -> Result<Option<UnitRow>, Error> {
    Ok(docflow_units::table
        .filter(docflow_units::agency.eq(agency))
        .filter(docflow_units::document_office.eq(true))
        .filter(docflow_units::valid_from.le(day))
        .filter(
            docflow_units::valid_to
                .is_null()
                .or(docflow_units::valid_to.gt(day)),
        )
        .select(UnitRow::as_select())
        .first(c)
        .optional()?)
}

pub fn end_unit(c: &mut DbConnection, id: &str, day: NaiveDate) -> Result<usize, Error> {
    Ok(diesel::update(
        docflow_units::table
            .find(id)
            .filter(docflow_units::valid_to.is_null()),
    )
    .set(docflow_units::valid_to.eq(day))
    .execute(c)?)
}

pub fn insert_position(c: &mut DbConnection, row: &PositionRow) -> Result<(), Error> {
    diesel::insert_into(docflow_positions::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn position(c: &mut DbConnection, id: &str) -> Result<Option<PositionRow>, Error> {
    Ok(docflow_positions::table
        .find(id)
        .select(PositionRow::as_select())
        .first(c)
        .optional()?)
}

pub fn positions(c: &mut DbConnection, agency: &str) -> Result<Vec<PositionRow>, Error> {
    Ok(docflow_positions::table
        .filter(docflow_positions::agency.eq(agency))
        .order(docflow_positions::created_at.asc())
        .select(PositionRow::as_select())
        .load(c)?)
}

pub fn insert_assignment(c: &mut DbConnection, row: &AssignmentRow) -> Result<(), Error> {
    diesel::insert_into(docflow_assignments::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn assignments(c: &mut DbConnection, agency: &str) -> Result<Vec<AssignmentRow>, Error> {
    Ok(docflow_assignments::table
        .filter(docflow_assignments::agency.eq(agency))
        .order(docflow_assignments::created_at.asc())
        .select(AssignmentRow::as_select())
        .load(c)?)
}

/// The positions `account` holds on `day`.
pub fn held_positions(
    c: &mut DbConnection,
    account: &str,
    day: NaiveDate,
) -> Result<Vec<String>, Error> {
    Ok(docflow_assignments::table
        .filter(docflow_assignments::account.eq(account))
        .filter(docflow_assignments::valid_from.le(day))
        .filter(
            docflow_assignments::valid_to
                .is_null()
                .or(docflow_assignments::valid_to.gt(day)),
        )
        .select(docflow_assignments::position_id)
        .load(c)?)
}

/// Who holds `position` on `day`.
pub fn holders(c: &mut DbConnection, position: &str, day: NaiveDate) -> Result<Vec<String>, Error> {
    Ok(docflow_assignments::table
        .filter(docflow_assignments::position_id.eq(position))
        .filter(docflow_assignments::valid_from.le(day))
        .filter(
            docflow_assignments::valid_to
                .is_null()
                .or(docflow_assignments::valid_to.gt(day)),
        )
        .select(docflow_assignments::account)
        .load(c)?)
}

/// Ends `account`'s assignments in force on `day` (a move); returns the positions left.
pub fn end_assignments(
    c: &mut DbConnection,
    account: &str,
    day: NaiveDate,
) -> Result<Vec<String>, Error> {
    let held = held_positions(c, account, day)?;
    diesel::update(
        docflow_assignments::table
            .filter(docflow_assignments::account.eq(account))
            .filter(docflow_assignments::valid_from.le(day))
            .filter(
                docflow_assignments::valid_to
                    .is_null()
                    .or(docflow_assignments::valid_to.gt(day)),
            ),
    )
    .set(docflow_assignments::valid_to.eq(day))
    .execute(c)?;
    Ok(held)
}

pub fn insert_stand_in(c: &mut DbConnection, row: &StandInRow) -> Result<(), Error> {
    diesel::insert_into(docflow_stand_ins::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

/// Ends the agency's stand-in `id` at `at` (it is in force or still to come); false when
/// there is no such stand-in of the agency that has not ended.
pub fn end_stand_in(
    c: &mut DbConnection,
    agency: &str,
    id: &str,
    at: NaiveDateTime,
) -> Result<bool, Error> {
    let n = diesel::update(
        docflow_stand_ins::table
            .filter(docflow_stand_ins::id.eq(id))
            .filter(docflow_stand_ins::agency.eq(agency))
            .filter(docflow_stand_ins::revoked_at.is_null())
            .filter(docflow_stand_ins::valid_to.gt(at)),
    )
    .set(docflow_stand_ins::revoked_at.eq(Some(at)))
    .execute(c)?;
    Ok(n == 1)
}

/// Stand-ins in force at `at` for `position` (edges position → stand-in).
pub fn stand_ins_for(
    c: &mut DbConnection,
    position: &str,
    at: NaiveDateTime,
) -> Result<Vec<StandInRow>, Error> {
    Ok(docflow_stand_ins::table
        .filter(docflow_stand_ins::position_id.eq(position))
        .filter(docflow_stand_ins::valid_from.le(at))
        .filter(docflow_stand_ins::valid_to.gt(at))
        .filter(docflow_stand_ins::revoked_at.is_null())
        .select(StandInRow::as_select())
        .load(c)?)
}

/// Positions that `stand_in` positions stand in for at `at` (edges reversed).
pub fn stood_in_for(
    c: &mut DbConnection,
    stand_in: &[String],
    at: NaiveDateTime,
) -> Result<Vec<String>, Error> {
    Ok(docflow_stand_ins::table
        .filter(docflow_stand_ins::stand_in_position_id.eq_any(stand_in))
        .filter(docflow_stand_ins::valid_from.le(at))
        .filter(docflow_stand_ins::valid_to.gt(at))
        .filter(docflow_stand_ins::revoked_at.is_null())
        .select(docflow_stand_ins::position_id)
        .load(c)?)
}

pub fn stand_ins(c: &mut DbConnection, agency: &str) -> Result<Vec<StandInRow>, Error> {
    Ok(docflow_stand_ins::table
        .filter(docflow_stand_ins::agency.eq(agency))
        .order(docflow_stand_ins::created_at.asc())
        .select(StandInRow::as_select())
        .load(c)?)
}

#[derive(QueryableByName)]
pub(super) struct Last {
    #[diesel(sql_type = BigInt)]
    pub(super) last: i64,
}

/// Records an organisation change under the agency's next version number.
pub fn org_change(
    c: &mut DbConnection,
    agency: &str,
    at: NaiveDateTime,
    actor: &str,
    change: &str,
) -> Result<i64, Error> {
    let v: Option<i64> = docflow_org_changes::table
        .filter(docflow_org_changes::agency.eq(agency))
        .select(diesel::dsl::max(docflow_org_changes::version))
        .first(c)?;
    let version = v.unwrap_or(0) + 1;
    diesel::insert_into(docflow_org_changes::table)
        .values((
            docflow_org_changes::agency.eq(agency),
            docflow_org_changes::version.eq(version),
            docflow_org_changes::at.eq(at),
            docflow_org_changes::actor.eq(actor),
            docflow_org_changes::change.eq(change),
        ))
        .execute(c)?;
    Ok(version)
}

pub fn org_changes(
    c: &mut DbConnection,
    agency: &str,
) -> Result<Vec<(i64, NaiveDateTime, String, String)>, Error> {
    Ok(docflow_org_changes::table
        .filter(docflow_org_changes::agency.eq(agency))
        .order(docflow_org_changes::version.asc())
        .select((
            docflow_org_changes::version,
            docflow_org_changes::at,
            docflow_org_changes::actor,
            docflow_org_changes::change,
        ))
        .load(c)?)
}

pub fn insert_delegation(c: &mut DbConnection, row: &DelegationRow) -> Result<(), Error> {
    diesel::insert_into(docflow_delegations::table)
        .values(row)
        .execute(c)?;
    Ok(())
}

pub fn delegations(c: &mut DbConnection, agency: &str) -> Result<Vec<DelegationRow>, Error> {
    Ok(docflow_delegations::table
        .filter(docflow_delegations::agency.eq(agency))
        .order((
            docflow_delegations::doc_type.asc(),
            docflow_delegations::effective_from.asc(),
        ))
        .select(DelegationRow::as_select())
        .load(c)?)
}

pub fn end_delegation(
    c: &mut DbConnection,
    agency: &str,
    id: &str,
    day: NaiveDate,
) -> Result<usize, Error> {
    Ok(diesel::update(
        docflow_delegations::table
            .find(id)
            .filter(docflow_delegations::agency.eq(agency))
            .filter(
                docflow_delegations::effective_to
                    .is_null()
                    .or(docflow_delegations::effective_to.gt(day)),
            ),
    )
    .set(docflow_delegations::effective_to.eq(day))
    .execute(c)?)
}

//! The agency's organisation: units, positions, assignments and stand-ins, each change numbered
//! (the organisation's versions) in the same transaction as the change itself.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use egov_core::{DbConnection, Error};

use crate::Docflow;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::domain::rules::Delegation;
use crate::store::{self, AssignmentRow, DelegationRow, PositionRow, StandInRow, UnitRow};

/// A unit of the agency.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitView {
    pub id: String,
    /// Shown in registration numbers.
    pub code: String,
    pub name: String,
    /// The parent unit's id.
    pub parent: Option<String>,
    /// Whether it is the agency's document office (문서과).
    pub document_office: bool,
    pub valid_from: NaiveDate,
    /// Exclusive end date.
    pub valid_to: Option<NaiveDate>,
}

/// A position in a unit.
#[derive(Debug, Serialize, ToSchema)]
pub struct PositionView {
    pub id: String,
    /// The unit's id.
    pub unit: String,
    pub title: String,
    /// A rank level of the country pack (1 = head of agency).
    pub rank: i32,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

/// A person (an account of common auth) assigned to a position.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentView {
    pub id: String,
    /// The position's id.
    pub position: String,
    pub account: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

/// A stand-in (대결): `stand_in` acts for `position` during the period.
#[derive(Debug, Serialize, ToSchema)]
pub struct StandInView {
    pub id: String,
    /// The absent position.
    pub position: String,
    /// The position that acts for it.
    pub stand_in: String,
    pub valid_from: DateTime<Utc>,
    pub valid_to: DateTime<Utc>,
    pub reason: String,
    /// When an administrator ended it early.
    pub ended_at: Option<DateTime<Utc>>,
}

/// The agency's organisation and its current version.
#[derive(Debug, Serialize, ToSchema)]
pub struct Organisation {
    pub agency: String,
    /// The number of the last change (0: none yet).
    pub version: i64,
    pub units: Vec<UnitView>,
    pub positions: Vec<PositionView>,
    pub assignments: Vec<AssignmentView>,
    pub stand_ins: Vec<StandInView>,
}

/// One change of the organisation, as recorded.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum OrgChange {
    UnitAdded {
        id: String,
        code: String,
        name: String,
        parent: Option<String>,
        document_office: bool,
        valid_from: NaiveDate,
    },
    PositionAdded {
        id: String,
        unit: String,
        title: String,
        rank: i32,
        valid_from: NaiveDate,
    },
    Assigned {
        id: String,
        position: String,
        account: String,
        valid_from: NaiveDate,
        valid_to: Option<NaiveDate>,
    },
    StandIn {
        id: String,
        position: String,
        stand_in: String,
        valid_from: DateTime<Utc>,
        valid_to: DateTime<Utc>,
        reason: String,
    },
    /// A stand-in ended before its period was over (`POST /org/stand-ins/{id}/end`).
    StandInEnded {
        id: String,
        at: DateTime<Utc>,
    },
    DelegationAdded {
        id: String,
        doc_type: String,
        max_amount: Option<i64>,
        rank: i32,
        effective_from: NaiveDate,
        effective_to: Option<NaiveDate>,
        citation: String,
    },
    DelegationEnded {
        id: String,
        effective_to: NaiveDate,
    },
    /// A person's work handed to their successor (`POST /org/handover`).
    Handover {
        from: String,
        to: String,
        reason: String,
        positions_taken: bool,
        positions_left: Vec<String>,
        documents: Vec<String>,
        circulations: Vec<String>,
    },
}

/// A change made, with the organisation version it produced.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgChanged {
    #[serde(flatten)]
    pub change: OrgChange,
    pub org_version: i64,
}

/// One numbered change.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgChangeEntry {
    pub version: i64,
    pub at: DateTime<Utc>,
    /// The account that made it.
    pub actor: String,
    /// The change as recorded when it was made.
    #[schema(value_type = OrgChange)]
    pub change: Value,
}

/// Every change of the agency's organisation, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgChanges {
    pub changes: Vec<OrgChangeEntry>,
}

/// What a handover moved.
#[derive(Debug, Serialize, ToSchema)]
pub struct HandedOver {
    pub org_version: i64,
    /// Documents now the successor's.
    pub documents: Vec<String>,
    /// Circulations now addressed to the successor.
    pub circulations: Vec<String>,
    /// Positions whose assignment ended.
    pub positions_left: Vec<String>,
}

/// The agency's organisation.
pub fn organisation(c: &mut DbConnection, agency: &str) -> Result<Organisation, Error> {
    let units = store::units(c, agency)?;
    let positions = store::positions(c, agency)?;
    let assignments = store::assignments(c, agency)?;
    let stand_ins = store::stand_ins(c, agency)?;
    let version = store::org_changes(c, agency)?.last().map_or(0, |x| x.0);
    Ok(Organisation {
        agency: agency.to_owned(),
        version,
        units: units
            .into_iter()
            .map(|u| UnitView {
                id: u.id,
                code: u.code,
                name: u.name,
                parent: u.parent_id,
                document_office: u.document_office,
                valid_from: u.valid_from,
                valid_to: u.valid_to,
            })
            .collect(),
        positions: positions
            .into_iter()
            .map(|p| PositionView {
                id: p.id,
                unit: p.unit_id,
                title: p.title,
                rank: p.rank,
                valid_from: p.valid_from,
                valid_to: p.valid_to,
            })
            .collect(),
        assignments: assignments
            .into_iter()
            .map(|a| AssignmentView {
                id: a.id,
                position: a.position_id,
                account: a.account,
                valid_from: a.valid_from,
                valid_to: a.valid_to,
            })
            .collect(),
        stand_ins: stand_ins
            .into_iter()
            .map(|s| StandInView {
                id: s.id,
                position: s.position_id,
                stand_in: s.stand_in_position_id,
                valid_from: s.valid_from.and_utc(),
                valid_to: s.valid_to.and_utc(),
                reason: s.reason,
                ended_at: s.revoked_at.map(|t| t.and_utc()),
            })
            .collect(),
    })
}

/// Every change of the agency's organisation, oldest first.
pub fn changes(c: &mut DbConnection, agency: &str) -> Result<OrgChanges, Error> {
    let rows = store::org_changes(c, agency)?;
    Ok(OrgChanges {
        changes: rows
            .into_iter()
            .map(|(version, at, actor, change)| OrgChangeEntry {
                version,
                at: at.and_utc(),
                actor,
                change: serde_json::from_str(&change).unwrap_or(Value::Null),
            })
            .collect(),
    })
}

/// Records `change` as the agency's next organisation version.
pub fn record(
    c: &mut DbConnection,
    agency: &str,
    at: NaiveDateTime,
    actor: &str,
    change: OrgChange,
) -> Result<OrgChanged, Error> {
    let text = serde_json::to_string(&change).map_err(Error::internal)?;
    let org_version = store::org_change(c, agency, at, actor, &text)?;
    Ok(OrgChanged {
        change,
        org_version,
    })
}

fn own_unit(c: &mut DbConnection, id: &str, agency: &str, pointer: &str) -> Result<(), Error> {
    match store::unit(c, id)? {
        Some(u) if u.agency == agency => Ok(()),
        _ => Err(Error::invalid_field(
            pointer,
            egov_core::text!("detail-docflow-no-unit", "no such unit of your agency"),
        )),
    }
}

fn own_position(c: &mut DbConnection, id: &str, agency: &str, pointer: &str) -> Result<(), Error> {
    match store::position(c, id)? {
        Some(p) if p.agency == agency => Ok(()),
        _ => Err(Error::invalid_field(
            pointer,
            egov_core::text!(
                "detail-docflow-no-position",
                "no such position of your agency"
            ),
        )),
    }
}

/// Adds a unit (its parent, if any, must be a unit of the same agency).
pub fn add_unit(c: &mut DbConnection, actor: &str, row: UnitRow) -> Result<OrgChanged, Error> {
    if let Some(parent) = &row.parent_id {
        own_unit(c, parent, &row.agency, "/parent_id")?;
    }
    store::insert_unit(c, &row)?;
    let change = OrgChange::UnitAdded {
        id: row.id,
        code: row.code,
        name: row.name,
        parent: row.parent_id,
        document_office: row.document_office,
        valid_from: row.valid_from,
    };
    record(c, &row.agency, row.created_at, actor, change)
}

/// Adds a position to a unit of the same agency.
pub fn add_position(
    c: &mut DbConnection,
    actor: &str,
    row: PositionRow,
) -> Result<OrgChanged, Error> {
    own_unit(c, &row.unit_id, &row.agency, "/unit_id")?;
    store::insert_position(c, &row)?;
    let change = OrgChange::PositionAdded {
        id: row.id,
        unit: row.unit_id,
        title: row.title,
        rank: row.rank,
        valid_from: row.valid_from,
    };
    record(c, &row.agency, row.created_at, actor, change)
}

/// Assigns a person to a position of the same agency.
pub fn assign(c: &mut DbConnection, actor: &str, row: AssignmentRow) -> Result<OrgChanged, Error> {
    own_position(c, &row.position_id, &row.agency, "/position_id")?;
    store::insert_assignment(c, &row)?;
    let change = OrgChange::Assigned {
        id: row.id,
        position: row.position_id,
        account: row.account,
        valid_from: row.valid_from,
        valid_to: row.valid_to,
    };
    record(c, &row.agency, row.created_at, actor, change)
}

/// Names a stand-in: both positions must be the agency's.
pub fn add_stand_in(
    c: &mut DbConnection,
    actor: &str,
    row: StandInRow,
) -> Result<OrgChanged, Error> {
    own_position(c, &row.position_id, &row.agency, "/position_id")?;
    own_position(
        c,
        &row.stand_in_position_id,
        &row.agency,
        "/stand_in_position_id",
    )?;
    store::insert_stand_in(c, &row)?;
    let change = OrgChange::StandIn {
        id: row.id,
        position: row.position_id,
        stand_in: row.stand_in_position_id,
        valid_from: row.valid_from.and_utc(),
        valid_to: row.valid_to.and_utc(),
        reason: row.reason,
    };
    record(c, &row.agency, row.created_at, actor, change)
}

/// A row of the agency's own delegation table.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DocflowDelegation)]
pub struct DelegationView {
    pub id: String,
    pub doc_type: String,
    /// Up to this amount (minor units); none = any amount.
    pub max_amount: Option<i64>,
    /// The lowest rank that may approve finally.
    pub rank: i32,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub citation: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// The delegation tables in force for an agency.
#[derive(Debug, Serialize, ToSchema)]
pub struct DelegationTables {
    /// The agency's own rows.
    pub agency: Vec<DelegationView>,
    /// The country pack's default rows.
    pub pack: Vec<Delegation>,
    /// How the two combine.
    pub note: &'static str,
}

/// Ends the agency's stand-in `id` now: steps stop waiting on the stand-in at once.
pub fn end_stand_in(
    c: &mut DbConnection,
    actor: &str,
    agency: &str,
    id: &str,
    now: NaiveDateTime,
) -> Result<OrgChanged, Error> {
    if !store::end_stand_in(c, agency, id, now)? {
        return Err(Error::new(crate::errors::STAND_IN_NOT_FOUND));
    }
    let change = OrgChange::StandInEnded {
        id: id.to_owned(),
        at: now.and_utc(),
    };
    record(c, agency, now, actor, change)
}

/// The agency's delegation rows beside the pack's.
pub fn delegation_tables(
    c: &mut DbConnection,
    agency: &str,
    pack: Vec<Delegation>,
) -> Result<DelegationTables, Error> {
    let own = store::delegations(c, agency)?;
    Ok(DelegationTables {
        agency: own
            .into_iter()
            .map(|r| DelegationView {
                id: r.id,
                doc_type: r.doc_type,
                max_amount: r.max_amount,
                rank: r.rank,
                effective_from: r.effective_from,
                effective_to: r.effective_to,
                citation: r.citation,
                created_by: r.created_by,
                created_at: r.created_at.and_utc(),
            })
            .collect(),
        pack,
        note: "an agency's own rows for a document type replace the pack's rows for that type",
    })
}

/// Adds a row to the agency's delegation table.
pub fn add_delegation(
    c: &mut DbConnection,
    actor: &str,
    row: DelegationRow,
) -> Result<OrgChanged, Error> {
    store::insert_delegation(c, &row)?;
    let change = OrgChange::DelegationAdded {
        id: row.id,
        doc_type: row.doc_type,
        max_amount: row.max_amount,
        rank: row.rank,
        effective_from: row.effective_from,
        effective_to: row.effective_to,
        citation: row.citation,
    };
    record(c, &row.agency, row.created_at, actor, change)
}

/// Ends a row of the agency's delegation table (404 when the agency has no such row).
pub fn end_delegation(
    c: &mut DbConnection,
    d: &Docflow,
    actor: &str,
    agency: &str,
    id: &str,
    effective_to: NaiveDate,
) -> Result<OrgChanged, Error> {
    if store::end_delegation(c, agency, id, effective_to)? == 0 {
        return Err(Error::new(egov_core::error::codes::NOT_FOUND));
    }
    let change = OrgChange::DelegationEnded {
        id: id.to_owned(),
        effective_to,
    };
    record(c, agency, d.now(), actor, change)
}

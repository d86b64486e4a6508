//! The procurement module's transactions. Every change of a tender writes, in the same
//! transaction, its audit event, its OCDS release and (for publication, the deadline and the
//! award) an event in the exchange's outbox.

mod award;
mod bids;
mod complaints;
mod opening;
mod publication;
mod records;
mod schedule;
mod views;

pub use award::*;
pub use bids::*;
pub use complaints::*;
pub use opening::*;
pub use publication::*;
pub use records::*;
pub use schedule::*;
pub use views::*;

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDateTime, Utc};
use egov_core::{DbConnection, Error};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::domain::evaluation::{self, Candidate, Ranking};
use crate::domain::lifecycle::{Action, Status};
use crate::domain::rules::Procedure;
use crate::domain::{envelope, lottery, seal};
use crate::store::{self, AwardRow, BidRow, ContractRow, ContractVersionRow, EventRow, TenderRow};
use crate::{Procurement, errors, ocds};

/// A lot of a tender (every tender has at least one).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Lot {
    /// 1–16 of `A-Za-z0-9-`; unique in the tender.
    pub id: String,
    pub title: String,
    /// The base amount (기초금액) in the pack's currency: the reference of the reserve price
    /// lottery, or the budget ceiling without one.
    #[schema(value_type = String)]
    pub base_amount: Decimal,
    /// The amount A of the qualification review's price formula (defaults to 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub a_amount: Option<Decimal>,
}

pub fn status_of(row: &TenderRow) -> Status {
    Status::parse(&row.status).unwrap_or(Status::Draft)
}

pub fn lots_of(row: &TenderRow) -> Vec<Lot> {
    serde_json::from_str(&row.lots).unwrap_or_default()
}

pub fn list_of(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

fn illegal(row: &TenderRow, what: &str) -> Error {
    Error::with_detail(
        errors::ILLEGAL_TRANSITION,
        format!("cannot {what} a tender that is {}", row.status),
    )
}

/// Writes the audit event.
#[allow(clippy::too_many_arguments)]
pub fn event(
    p: &Procurement,
    c: &mut DbConnection,
    tender: &str,
    actor: &str,
    action: &str,
    from: &str,
    to: &str,
    reason: Option<&str>,
    detail: Value,
) -> Result<(), Error> {
    store::insert_event(
        c,
        &EventRow {
            id: uuid::Uuid::now_v7().to_string(),
            tender_id: tender.to_owned(),
            at: p.now(),
            actor: actor.to_owned(),
            action: action.to_owned(),
            from_status: from.to_owned(),
            to_status: to.to_owned(),
            reason: reason.map(str::to_owned),
            detail: detail.to_string(),
        },
    )
}

/// Publishes an event to other systems through the exchange's outbox (same transaction).
fn announce(
    p: &Procurement,
    c: &mut DbConnection,
    kind: &str,
    row: &TenderRow,
    data: Value,
) -> Result<(), Error> {
    if let Some(x) = p.exchange() {
        egov_exchange::events::publish(
            c,
            x,
            crate::NAME,
            &format!("egov.procurement.tender.{kind}"),
            Some(&row.ocid),
            &data,
        )?;
    }
    Ok(())
}

/// Re-reads the tender and emits its OCDS release with `tags`.
pub fn release(
    p: &Procurement,
    c: &mut DbConnection,
    tender: &str,
    tags: &[&str],
) -> Result<(), Error> {
    let row = store::tender(c, tender)?.ok_or_else(|| Error::new(errors::TENDER_NOT_FOUND))?;
    let date = p.now();
    let body = ocds::release(p, c, &row, tags, date)?;
    store::insert_release(
        c,
        &store::NewRelease {
            ocid: row.ocid.clone(),
            release_id: body["id"].as_str().unwrap_or_default().to_owned(),
            date,
            body: body.to_string(),
        },
    )
}

fn save(p: &Procurement, c: &mut DbConnection, row: &mut TenderRow) -> Result<(), Error> {
    row.updated_at = p.now();
    if store::save_tender(c, row)? {
        Ok(())
    } else {
        Err(Error::new(errors::CONCURRENT_CHANGE))
    }
}

//! Withholding statements: agents, employers' uploads, the officers' review list and the
//! employee's disputes.

use egov_auth::{Action, Reader};
use egov_core::Error;

use super::record;
use crate::store::{self, AgentRow, StatementRow};
use crate::{Tax, errors};

/// Registers (or re-registers) a withholding agent.
pub async fn register_agent(tax: &Tax, row: AgentRow) -> Result<(), Error> {
    tax.db().run(move |c| store::register_agent(c, &row)).await
}

/// Revokes a withholding agent (`tax.taxpayer_not_found` when it is not one).
pub async fn revoke_agent(tax: &Tax, business_id: String) -> Result<(), Error> {
    let now = tax.now();
    let done = tax
        .db()
        .run(move |c| store::revoke_agent(c, &business_id, now))
        .await?;
    if done {
        Ok(())
    } else {
        Err(Error::with_detail(
            errors::TAXPAYER_NOT_FOUND,
            "not a registered withholding agent",
        ))
    }
}

/// Whether a business is a registered, unrevoked withholding agent.
pub async fn is_agent(tax: &Tax, business_id: String) -> Result<bool, Error> {
    Ok(tax
        .db()
        .run(move |c| store::agent(c, &business_id))
        .await?
        .is_some_and(|a| a.revoked_at.is_none()))
}

/// An employer's statements for a year, by status, and its registration as an agent.
#[derive(Debug, Clone, Default)]
pub struct EmployerSummary {
    pub business_id: String,
    pub counted: i64,
    pub held: i64,
    pub disputed: i64,
    pub void: i64,
    pub last_received: Option<chrono::NaiveDateTime>,
    /// Its registration as a withholding agent (none: statements from before registration
    /// was required, or from an agent since removed).
    pub agent: Option<AgentRow>,
}

/// The statements received for `year` per employer (by business number, after `after`, at
/// most `limit` employers). Counts only: no employee is named.
pub async fn per_employer(
    tax: &Tax,
    year: i32,
    after: Option<String>,
    limit: i64,
) -> Result<Vec<EmployerSummary>, Error> {
    tax.db()
        .run(move |c| {
            let counts = store::employer_counts(c, year, after.as_deref(), limit)?;
            let mut out: Vec<EmployerSummary> = Vec::new();
            for n in counts {
                if out.last().is_none_or(|e| e.business_id != n.employer) {
                    out.push(EmployerSummary {
                        business_id: n.employer.clone(),
                        ..EmployerSummary::default()
                    });
                }
                let e = out.last_mut().expect("pushed above");
                match n.status.as_str() {
                    "held" => e.held = n.count,
                    "disputed" => e.disputed = n.count,
                    "void" => e.void = n.count,
                    _ => e.counted += n.count,
                }
                e.last_received = e.last_received.max(n.last_received);
            }
            let ids: Vec<String> = out.iter().map(|e| e.business_id.clone()).collect();
            for a in store::agents_among(c, &ids)? {
                if let Some(e) = out.iter_mut().find(|e| e.business_id == a.business_id) {
                    e.agent = Some(a);
                }
            }
            Ok(out)
        })
        .await
}

/// One statement, read by an officer with a purpose (recorded on the employee's access log).
pub async fn read(
    tax: &Tax,
    reader: &Reader,
    id: String,
    purpose: &str,
) -> Result<StatementRow, Error> {
    let row = tax
        .db()
        .run(move |c| store::statement_by_id(c, &id))
        .await?
        .ok_or_else(|| Error::new(errors::STATEMENT_NOT_FOUND))?;
    record(
        reader,
        &row.taxpayer,
        Action::View,
        purpose,
        Some(row.id.clone()),
    )
    .await?;
    Ok(row)
}

/// What storing an upload did: (accepted, held, unchanged, conflicting lines).
#[derive(Debug, Default)]
pub struct Stored {
    pub accepted: usize,
    pub held: usize,
    pub unchanged: usize,
    /// Lines whose statement id was used for different content.
    pub conflicts: Vec<(usize, String)>,
}

/// Stores checked statements (by line); the same statement again changes nothing.
pub async fn store_statements(
    tax: &Tax,
    rows: Vec<(usize, StatementRow)>,
) -> Result<Stored, Error> {
    tax.db()
        .transaction(move |c| {
            let mut out = Stored::default();
            for (line, row) in rows {
                if store::insert_statement(c, &row)? {
                    out.accepted += 1;
                    if row.status == "held" {
                        out.held += 1;
                    }
                    continue;
                }
                match store::statement(c, &row.employer, &row.statement_id)? {
                    Some(old) if old.digest == row.digest => out.unchanged += 1,
                    _ => out.conflicts.push((line, row.statement_id)),
                }
            }
            Ok(out)
        })
        .await
}

/// The statements a business filed for a year.
pub async fn filed_by(
    tax: &Tax,
    employer: String,
    year: i32,
    limit: i64,
) -> Result<Vec<StatementRow>, Error> {
    tax.db()
        .run(move |c| store::statements_by_employer(c, &employer, year, limit))
        .await
}

/// Statements waiting for an officer, oldest first.
pub async fn to_review(tax: &Tax, limit: i64) -> Result<Vec<StatementRow>, Error> {
    tax.db()
        .run(move |c| store::statements_to_review(c, limit))
        .await
}

/// An officer counts (`counted`) or voids (`void`) a held or disputed statement.
pub async fn resolve(
    tax: &Tax,
    reader: &Reader,
    id: String,
    to: &'static str,
    reason: String,
) -> Result<StatementRow, Error> {
    let sid = id.clone();
    let row = tax
        .db()
        .run(move |c| store::statement_by_id(c, &sid))
        .await?
        .filter(|s| s.status == "held" || s.status == "disputed")
        .ok_or_else(|| Error::new(errors::STATEMENT_NOT_FOUND))?;
    record(
        reader,
        &row.taxpayer,
        Action::Change,
        "tax.statement.review",
        Some(row.id.clone()),
    )
    .await?;
    let (officer, now) = (reader.actor.clone(), tax.now());
    tax.db()
        .transaction(move |c| {
            if !store::set_statement_status(
                c,
                &id,
                &["held", "disputed"],
                to,
                &reason,
                Some(&officer),
                now,
            )? {
                return Err(Error::new(errors::STATEMENT_NOT_FOUND));
            }
            store::statement_by_id(c, &id)?.ok_or_else(|| Error::new(errors::STATEMENT_NOT_FOUND))
        })
        .await
}

/// The statements filed about a taxpayer for a year.
pub async fn about(tax: &Tax, taxpayer: String, year: i32) -> Result<Vec<StatementRow>, Error> {
    tax.db()
        .run(move |c| store::statements_about(c, &taxpayer, year))
        .await
}

/// The employee disputes a statement filed about them: it stops counting.
pub async fn dispute(
    tax: &Tax,
    taxpayer: String,
    id: String,
    reason: String,
) -> Result<StatementRow, Error> {
    let now = tax.now();
    tax.db()
        .transaction(move |c| {
            let mine = store::statement_by_id(c, &id)?.filter(|s| s.taxpayer == taxpayer);
            if mine.is_none()
                || !store::set_statement_status(
                    c,
                    &id,
                    &["counted", "held"],
                    "disputed",
                    &format!("disputed by the employee: {reason}"),
                    None,
                    now,
                )?
            {
                return Err(Error::new(errors::STATEMENT_NOT_FOUND));
            }
            store::statement_by_id(c, &id)?.ok_or_else(|| Error::new(errors::STATEMENT_NOT_FOUND))
        })
        .await
}

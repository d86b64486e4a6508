//! Who may act: positions held and stood in for, and the delegation table in force.

use super::*;

/// How someone may act on a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Authority {
    /// `self` (holds the position) or `acting` (대결: a stand-in for it).
    pub mode: String,
    /// The position acted from (the stand-in's, when acting).
    pub position: String,
    /// For an acting approval: the chain of positions from the absent one to the stand-in.
    pub chain: Vec<String>,
}

/// Whether `account` may act for `position` at `at`: holding it, or standing in for it through
/// a chain of at most `limit` stand-ins in force.
pub fn authority(
    c: &mut DbConnection,
    position: &str,
    account: &str,
    at: NaiveDateTime,
    limit: u32,
) -> Result<Option<Authority>, Error> {
    let held = store::held_positions(c, account, at.date())?;
    if held.iter().any(|p| p == position) {
        return Ok(Some(Authority {
            mode: "self".into(),
            position: position.to_owned(),
            chain: vec![],
        }));
    }
    // Breadth first over the stand-in edges in force.
    let mut frontier = vec![vec![position.to_owned()]];
    for _ in 0..limit {
        let mut next = Vec::new();
        for path in &frontier {
            let last = path.last().map(String::as_str).unwrap_or_default();
            for s in store::stand_ins_for(c, last, at)? {
                if path.contains(&s.stand_in_position_id) {
                    continue;
                }
                let mut p = path.clone();
                p.push(s.stand_in_position_id.clone());
                if held.contains(&s.stand_in_position_id) {
                    return Ok(Some(Authority {
                        mode: "acting".into(),
                        position: s.stand_in_position_id,
                        chain: p,
                    }));
                }
                next.push(p);
            }
        }
        frontier = next;
    }
    Ok(None)
}

/// The positions whose work `account` sees: those held, and those stood in for (up to the
/// chain limit).
pub fn work_positions(
    c: &mut DbConnection,
    account: &str,
    at: NaiveDateTime,
    limit: u32,
) -> Result<Vec<String>, Error> {
    let mut all = store::held_positions(c, account, at.date())?;
    let mut frontier = all.clone();
    for _ in 0..limit {
        if frontier.is_empty() {
            break;
        }
        let more: Vec<String> = store::stood_in_for(c, &frontier, at)?
            .into_iter()
            .filter(|p| !all.contains(p))
            .collect();
        all.extend(more.iter().cloned());
        frontier = more;
    }
    Ok(all)
}

// ------------------------------------------------------------------ delegation

/// The delegation table in force for an agency: its own rows if it has entered any for the
/// type, otherwise the pack's.
pub fn delegation_table(
    c: &mut DbConnection,
    rules: &Rules,
    agency: &str,
    doc_type: &str,
) -> Result<(Vec<Delegation>, &'static str), Error> {
    let own: Vec<Delegation> = store::delegations(c, agency)?
        .into_iter()
        .filter(|d| d.doc_type == doc_type)
        .map(|d| Delegation {
            doc_type: d.doc_type,
            max_amount: d.max_amount,
            rank: d.rank,
            effective_from: d.effective_from,
            effective_to: d.effective_to,
            citation: d.citation,
        })
        .collect();
    if own.is_empty() {
        Ok((rules.delegations.clone(), "pack"))
    } else {
        Ok((own, "agency"))
    }
}

/// Checks that `position` may take the final step of `kind` on `doc` on `day`; the rule
/// applied, for the signature record.
pub fn final_authority(
    c: &mut DbConnection,
    rules: &Rules,
    doc: &DocumentRow,
    kind: StepKind,
    position: &store::PositionRow,
    day: NaiveDate,
) -> Result<Value, Error> {
    match kind {
        StepKind::Approve => {
            if position.rank != 1 {
                return Err(err(
                    errors::NOT_DELEGATED,
                    format!(
                        "{} is not the head of the agency (rank 1): use delegated_approve under the delegation table",
                        position.title
                    ),
                ));
            }
            Ok(json!({"basis": "head of agency"}))
        }
        StepKind::DelegatedApprove => {
            let (table, source) = delegation_table(c, rules, &doc.agency, &doc.doc_type)?;
            let Some(rule) = rules::delegation_for(&table, &doc.doc_type, doc.amount, day) else {
                return Err(err(
                    errors::NOT_DELEGATED,
                    format!(
                        "no delegation of {} documents{} is in force on {day}: the head approves",
                        doc.doc_type,
                        doc.amount.map(|a| format!(" of {a}")).unwrap_or_default()
                    ),
                ));
            };
            if position.rank == 1 || position.rank > rule.rank {
                return Err(err(
                    errors::NOT_DELEGATED,
                    format!(
                        "on {day} the delegation table lets rank {} or above (not the head) approve finally; {} is rank {}",
                        rule.rank, position.title, position.rank
                    ),
                ));
            }
            Ok(json!({
                "basis": "delegation", "table": source, "doc_type": rule.doc_type,
                "max_amount": rule.max_amount, "rank": rule.rank,
                "effective_from": rule.effective_from, "effective_to": rule.effective_to,
                "citation": rule.citation,
            }))
        }
        _ => Ok(Value::Null),
    }
}

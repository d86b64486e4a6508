//! What officers and auditors read: a document with its line, versions, attachments, work
//! lists, ledgers, dispatches, the inbox and the keys.

use super::*;
use crate::domain::evidence::Attachment;
use crate::store::{DispatchRow, KeyRow, LedgerRow, VersionRow, WorkRow};
use egov_auth::{Kind, Principal};

/// A document with its line and circulation, and with its current version when `content`
/// (the caller records that read first: [`read_content`]).
pub async fn detail(d: &Docflow, doc: DocumentRow, content: bool) -> Result<DocumentDetail, Error> {
    let id2 = doc.id.clone();
    let (v, steps, circ) = d
        .db()
        .run(move |c| {
            Ok((
                if content {
                    store::version(c, &id2, doc.version)?
                } else {
                    None
                },
                store::steps(c, &id2)?,
                store::circulations(c, &id2)?,
            ))
        })
        .await?;
    let doc = d
        .db()
        .run({
            let id = doc.id.clone();
            move |c| store::document(c, &id)
        })
        .await?
        .ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))?;
    Ok(DocumentDetail {
        document: DocumentView::from(&doc),
        current: v.as_ref().map(VersionView::from),
        line: steps.iter().map(StepView::from).collect(),
        circulation: circ.iter().map(CirculationView::from).collect(),
    })
}

/// Records a read of a document's content in its history (see [`record_read`]).
pub async fn read_content(
    d: &Docflow,
    id: &str,
    acc: String,
    purpose: Option<String>,
    what: String,
) -> Result<(), Error> {
    let (dd, id) = (d.clone(), id.to_owned());
    d.db()
        .transaction(move |c| record_read(c, &dd, &acc, &id, purpose.as_deref(), &what))
        .await?;
    Ok(())
}

/// One version of a document.
pub async fn version(d: &Docflow, doc: DocumentRow, n: i32) -> Result<VersionRow, Error> {
    d.db()
        .run(move |c| store::version(c, &doc.id, n))
        .await?
        .ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))
}

/// An attachment of a document (by digest) with its content, unless disposed of.
pub async fn attachment(
    d: &Docflow,
    docid: String,
    sha2: String,
) -> Result<Option<(Attachment, Vec<u8>)>, Error> {
    d.db()
        .run(move |c| {
            for v in store::versions(c, &docid)? {
                let atts: Vec<Attachment> =
                    serde_json::from_str(&v.attachments).unwrap_or_default();
                if v.body.is_some()
                    && let Some(a) = atts.into_iter().find(|a| a.sha256 == sha2)
                {
                    return Ok(store::blob(c, &sha2)?.map(|b| (a, b)));
                }
            }
            Ok(None)
        })
        .await
}

/// Replaces a draft's approval line and answers the new one.
pub async fn replace_line(
    d: &Docflow,
    acc: String,
    ag: String,
    id: String,
    line: Vec<LineStep>,
) -> Result<Vec<StepRow>, Error> {
    let dd = d.clone();
    d.db()
        .transaction(move |c| {
            set_line(c, &dd, &acc, &ag, &id, line)?;
            store::steps(c, &id)
        })
        .await
}

/// A page of one of an officer's work lists.
pub async fn work_list(
    d: &Docflow,
    acc: String,
    list: crate::http::worklists::WorkList,
    after: (NaiveDateTime, String),
    limit: i64,
) -> Result<Vec<WorkRow>, Error> {
    use crate::http::worklists::WorkList;
    let chain = d.rules().map(|r| r.acting_chain_limit).unwrap_or(1);
    let now = d.now();
    d.db()
        .run(move |c| match list {
            WorkList::Drafts => store::work_drafts(c, &acc, status::DRAFTING, &after, limit),
            WorkList::Returned => store::work_drafts(c, &acc, status::RETURNED, &after, limit),
            WorkList::Circulated => store::work_circulated(c, &acc, &after, limit),
            WorkList::Awaiting => {
                let positions = work_positions(c, &acc, now, chain)?;
                store::work_awaiting(c, &positions, &after, limit)
            }
        })
        .await
}

/// A unit's registration ledger page (the unit must be the reader's agency's; auditors
/// read any).
pub async fn ledger(
    d: &Docflow,
    who: Principal,
    q: crate::http::worklists::LedgerQuery,
    limit: i64,
) -> Result<Vec<LedgerRow>, Error> {
    d.db()
        .run(move |c| {
            let unit =
                store::unit(c, &q.unit)?.ok_or_else(|| Error::new(errors::UNIT_NOT_FOUND))?;
            if who.kind != Kind::Auditor && who.agency.as_deref() != Some(unit.agency.as_str()) {
                return Err(Error::new(errors::UNIT_NOT_FOUND));
            }
            store::ledger(c, &unit.id, q.year, &q.kind, q.after.unwrap_or(0), limit)
        })
        .await
}

/// A document's dispatches.
pub async fn dispatches_of(d: &Docflow, doc: String) -> Result<Vec<DispatchRow>, Error> {
    d.db().run(move |c| store::dispatches(c, &doc)).await
}

/// A page of the document office's inbox.
pub async fn inbox(
    d: &Docflow,
    agency: String,
    after: (NaiveDateTime, String),
    limit: i64,
) -> Result<Vec<WorkRow>, Error> {
    d.db()
        .run(move |c| store::inbox(c, &agency, &after, limit))
        .await
}

/// The platform's document signing keys (the current one made on first use).
pub async fn signing_keys(d: &Docflow) -> Result<Vec<KeyRow>, Error> {
    let dd = d.clone();
    d.db()
        .transaction(move |c| {
            dd.key(c)?;
            store::keys(c)
        })
        .await
}

/// Every document signing key.
pub async fn keys(d: &Docflow) -> Result<Vec<KeyRow>, Error> {
    d.db().run(store::keys).await
}

/// Whether `who` may see `doc`: auditors; officers of its agency who drafted or handle it,
/// hold (or stand in for) a position on its line, acted on it, were circulated it, or work in
/// the document office or records.
pub fn can_see(
    c: &mut egov_core::DbConnection,
    d: &Docflow,
    who: &Principal,
    doc: &DocumentRow,
) -> Result<bool, Error> {
    if who.kind == Kind::Auditor {
        return Ok(true);
    }
    if who.agency.as_deref() != Some(doc.agency.as_str()) {
        return Ok(false);
    }
    if doc.drafter == who.subject
        || who.has_role(crate::OFFICE_ROLE)
        || who.has_role(crate::RECORDS_ROLE)
    {
        return Ok(true);
    }
    if store::is_reader(c, &doc.id, &who.subject)? {
        return Ok(true);
    }
    let limit = d.rules().map(|r| r.acting_chain_limit).unwrap_or(1);
    let mine = work_positions(c, &who.subject, d.now(), limit)?;
    Ok(store::steps(c, &doc.id)?.iter().any(|s| {
        mine.contains(&s.position_id) || s.acted_by.as_deref() == Some(who.subject.as_str())
    }))
}

/// The document if `who` may see it (404 otherwise).
pub async fn visible(d: &Docflow, who: &Principal, id: String) -> Result<DocumentRow, Error> {
    let (dd, w) = (d.clone(), who.clone());
    d.db()
        .run(move |c| {
            let doc =
                store::document(c, &id)?.ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))?;
            if can_see(c, &dd, &w, &doc)? {
                Ok(doc)
            } else {
                Err(Error::new(errors::DOCUMENT_NOT_FOUND))
            }
        })
        .await
}

/// What the workspace pages need of the organisation: the agency's units and positions
/// (current ones), who holds each today, the positions `acc` holds, and those they may act
/// for now (held, and stood in for up to the chain limit).
#[derive(Debug)]
pub struct Desk {
    pub units: Vec<store::UnitRow>,
    pub positions: Vec<store::PositionRow>,
    /// (position, account) held today.
    pub holders: Vec<(String, String)>,
    pub held: Vec<String>,
    pub acting: Vec<String>,
}

/// The organisation as the workspace pages show it to `acc` of `agency`.
pub async fn desk(d: &Docflow, acc: String, agency: String) -> Result<Desk, Error> {
    let chain = d.rules().map(|r| r.acting_chain_limit).unwrap_or(1);
    let now = d.now();
    let today = now.date();
    d.db()
        .run(move |c| {
            let current = |from: NaiveDate, to: Option<NaiveDate>| {
                from <= today && to.is_none_or(|t| today < t)
            };
            let units = store::units(c, &agency)?
                .into_iter()
                .filter(|u| current(u.valid_from, u.valid_to))
                .collect();
            let positions = store::positions(c, &agency)?
                .into_iter()
                .filter(|p| current(p.valid_from, p.valid_to))
                .collect();
            let holders = store::assignments(c, &agency)?
                .into_iter()
                .filter(|a| current(a.valid_from, a.valid_to))
                .map(|a| (a.position_id, a.account))
                .collect();
            Ok(Desk {
                units,
                positions,
                holders,
                held: store::held_positions(c, &acc, today)?,
                acting: work_positions(c, &acc, now, chain)?,
            })
        })
        .await
}

/// The delegation table (위임전결) in force today for each of the pack's document types, as
/// the checks apply it: the agency's own rows for a type where it has entered any, the pack's
/// otherwise; with where each row comes from (`agency` or `pack`).
pub async fn delegations_in_force(
    d: &Docflow,
    agency: String,
) -> Result<Vec<(Delegation, &'static str)>, Error> {
    let rules = d.rules()?.clone();
    let today = d.now().date();
    d.db()
        .run(move |c| {
            let mut out = Vec::new();
            for t in &rules.doc_types {
                let (rows, source) = delegation_table(c, &rules, &agency, &t.code)?;
                out.extend(
                    rows.into_iter()
                        .filter(|r| r.doc_type == t.code && r.in_force(today))
                        .map(|r| (r, source)),
                );
            }
            Ok(out)
        })
        .await
}

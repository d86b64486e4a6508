//! The access log's tables. The only place in this crate that speaks diesel.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use egov_core::chain::{Checkpoint, Link, Verifier};
use egov_core::{DbConnection, Error};

use crate::access_log::{AccessEntry, Action, Record, SubjectKey, chain_hash, record_time};

diesel::table! {
    auth_access_log (seq) {
        seq -> BigInt,
        occurred_at -> Timestamp,
        actor -> Text,
        source_ip -> Text,
        subject -> Text,
        action -> Text,
        purpose -> Text,
        module -> Text,
        record_ref -> Nullable<Text>,
        request_id -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    auth_access_log_head (id) {
        id -> Integer,
        seq -> BigInt,
        hash -> Text,
    }
}

diesel::table! {
    auth_access_log_checkpoints (seq) {
        seq -> BigInt,
        hash -> Text,
        purged_at -> Timestamp,
    }
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = auth_access_log)]
struct Row {
    seq: i64,
    occurred_at: NaiveDateTime,
    actor: String,
    source_ip: String,
    subject: String,
    action: String,
    purpose: String,
    module: String,
    record_ref: Option<String>,
    request_id: Option<String>,
    prev_hash: String,
    hash: String,
}

impl Row {
    /// A row as read back. An unknown action is reported as such (verification then fails on
    /// the hash, since the stored action string is what was hashed).
    fn into_record(self) -> Result<Record, String> {
        let action = Action::parse(&self.action)
            .ok_or_else(|| format!("record {} has unknown action {:?}", self.seq, self.action))?;
        Ok(Record {
            seq: self.seq,
            occurred_at: self.occurred_at.and_utc(),
            entry: AccessEntry {
                actor: self.actor,
                source_ip: self.source_ip,
                subject: SubjectKey::from_stored(self.subject),
                action,
                purpose: self.purpose,
                module: self.module,
                record_ref: self.record_ref,
                request_id: self.request_id,
            },
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }
}

/// Appends one record, in its own transaction. The head row is updated first: its row lock
/// (PostgreSQL) or the write lock it takes (SQLite) makes concurrent appends wait their turn,
/// so the chain never forks; the primary key on `seq` would refuse a fork anyway.
pub fn append(
    conn: &mut DbConnection,
    entry: &AccessEntry,
    now: DateTime<Utc>,
) -> Result<Record, Error> {
    entry
        .check()
        .map_err(|e| Error::invalid_field(format!("/{}", e.field), e.problem))?;
    let occurred_at = record_time(now);
    conn.transaction(|tx| {
        use auth_access_log_head::dsl as head;
        diesel::update(head::auth_access_log_head.filter(head::id.eq(1)))
            .set(head::seq.eq(head::seq + 1))
            .execute(tx)?;
        let (seq, prev_hash): (i64, String) = head::auth_access_log_head
            .filter(head::id.eq(1))
            .select((head::seq, head::hash))
            .first(tx)?;
        let hash = chain_hash(seq, occurred_at, entry, &prev_hash);
        diesel::insert_into(auth_access_log::table)
            .values(Row {
                seq,
                occurred_at: occurred_at.naive_utc(),
                actor: entry.actor.clone(),
                source_ip: entry.source_ip.clone(),
                subject: entry.subject.as_str().to_owned(),
                action: entry.action.as_str().to_owned(),
                purpose: entry.purpose.clone(),
                module: entry.module.clone(),
                record_ref: entry.record_ref.clone(),
                request_id: entry.request_id.clone(),
                prev_hash: prev_hash.clone(),
                hash: hash.clone(),
            })
            .execute(tx)?;
        diesel::update(head::auth_access_log_head.filter(head::id.eq(1)))
            .set(head::hash.eq(&hash))
            .execute(tx)?;
        Ok(Record {
            seq,
            occurred_at,
            entry: entry.clone(),
            prev_hash,
            hash,
        })
    })
}

/// What verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Records checked.
    pub checked: u64,
    /// The sequence number verification started after (0, or the last purged record's).
    pub from_checkpoint: i64,
    /// The head: the last sequence number the log has issued.
    pub head_seq: i64,
    /// The first problem, if any. Verification stops there.
    pub problem: Option<String>,
}

impl Verification {
    pub fn intact(&self) -> bool {
        self.problem.is_none()
    }
}

const BATCH: i64 = 1_000;

impl Link for Row {
    fn seq(&self) -> i64 {
        self.seq
    }
    fn prev_hash(&self) -> &str {
        &self.prev_hash
    }
    fn hash(&self) -> &str {
        &self.hash
    }
    /// An unknown action is reported as such (the stored action string is what was hashed).
    fn recompute(&self) -> Result<String, String> {
        let record = self.clone().into_record()?;
        Ok(chain_hash(
            self.seq,
            record.occurred_at,
            &record.entry,
            &self.prev_hash,
        ))
    }
}

/// Walks the whole chain from the latest checkpoint: every record's hash, every link, no gap,
/// and the head pointing at the last record.
pub fn verify(conn: &mut DbConnection) -> Result<Verification, Error> {
    let checkpoint = auth_access_log_checkpoints::table
        .order(auth_access_log_checkpoints::seq.desc())
        .select((
            auth_access_log_checkpoints::seq,
            auth_access_log_checkpoints::hash,
        ))
        .first::<(i64, String)>(conn)
        .optional()?
        .map_or_else(Checkpoint::genesis, |(seq, hash)| Checkpoint { seq, hash });
    let from_checkpoint = checkpoint.seq;
    let (head_seq, head_hash): (i64, String) = auth_access_log_head::table
        .filter(auth_access_log_head::id.eq(1))
        .select((auth_access_log_head::seq, auth_access_log_head::hash))
        .first(conn)?;
    // Rows that should not be there at all: before the checkpoint.
    let stale: i64 = auth_access_log::table
        .filter(auth_access_log::seq.le(from_checkpoint))
        .count()
        .get_result(conn)?;
    if stale > 0 {
        return Ok(Verification {
            checked: 0,
            from_checkpoint,
            head_seq,
            problem: Some(format!(
                "{stale} record(s) at or before checkpoint {from_checkpoint} should have been purged"
            )),
        });
    }
    let mut walk = Verifier::from_checkpoint(checkpoint);
    loop {
        let rows: Vec<Row> = auth_access_log::table
            .filter(auth_access_log::seq.gt(walk.last_seq()))
            .order(auth_access_log::seq.asc())
            .limit(BATCH)
            .load(conn)?;
        let done = (rows.len() as i64) < BATCH;
        if !rows.iter().all(|r| walk.check(r)) || done {
            break;
        }
    }
    let v = walk.finish(Some((head_seq, &head_hash)));
    Ok(Verification {
        checked: v.checked,
        from_checkpoint,
        head_seq,
        problem: v.problem(),
    })
}

/// The access log as an anchored trail (`egov_core::anchor`).
#[derive(Debug)]
pub struct AccessLogTrail;

/// The access log's name in anchors.
pub const TRAIL: &str = "auth.access_log";

impl egov_core::anchor::Trail for AccessLogTrail {
    fn name(&self) -> &'static str {
        TRAIL
    }

    fn heads(&self, conn: &mut DbConnection) -> Result<Vec<egov_core::anchor::Head>, Error> {
        let (seq, hash): (i64, String) = auth_access_log_head::table
            .filter(auth_access_log_head::id.eq(1))
            .select((auth_access_log_head::seq, auth_access_log_head::hash))
            .first(conn)?;
        Ok(vec![egov_core::anchor::Head {
            chain: String::new(),
            seq,
            hash,
        }])
    }

    fn hash_at(
        &self,
        conn: &mut DbConnection,
        _chain: &str,
        seq: i64,
    ) -> Result<Option<String>, Error> {
        Ok(auth_access_log::table
            .find(seq)
            .select(auth_access_log::hash)
            .first(conn)
            .optional()?)
    }

    fn checkpoints(&self, conn: &mut DbConnection) -> Result<Vec<egov_core::anchor::Head>, Error> {
        Ok(auth_access_log_checkpoints::table
            .select((
                auth_access_log_checkpoints::seq,
                auth_access_log_checkpoints::hash,
            ))
            .load::<(i64, String)>(conn)?
            .into_iter()
            .map(|(seq, hash)| egov_core::anchor::Head {
                chain: String::new(),
                seq,
                hash,
            })
            .collect())
    }
}

/// Retention: removes records older than `cutoff` (they must have been kept for the statutory
/// period first) and leaves a checkpoint so that verification continues from there. Before
/// anything is removed, `authorize` records the purge outside the database (a signed purge
/// anchor); if it fails, nothing is removed. Returns how many records were removed.
pub fn purge_before(
    conn: &mut DbConnection,
    cutoff: DateTime<Utc>,
    now: DateTime<Utc>,
    authorize: impl FnOnce(i64, &str) -> Result<(), Error>,
) -> Result<u64, Error> {
    conn.transaction(|tx| {
        use auth_access_log::dsl as log;
        // Take the head's lock first, as appends do, so no append interleaves.
        diesel::update(auth_access_log_head::table.filter(auth_access_log_head::id.eq(1)))
            .set(auth_access_log_head::seq.eq(auth_access_log_head::seq))
            .execute(tx)?;
        // Records are appended in time order, so the old ones are a prefix of the chain.
        let last_old: Option<(i64, String)> = log::auth_access_log
            .filter(log::occurred_at.lt(cutoff.naive_utc()))
            .order(log::seq.desc())
            .select((log::seq, log::hash))
            .first(tx)
            .optional()?;
        let Some((seq, hash)) = last_old else {
            return Ok(0);
        };
        authorize(seq, &hash)?;
        diesel::insert_into(auth_access_log_checkpoints::table)
            .values((
                auth_access_log_checkpoints::seq.eq(seq),
                auth_access_log_checkpoints::hash.eq(&hash),
                auth_access_log_checkpoints::purged_at.eq(record_time(now).naive_utc()),
            ))
            .execute(tx)?;
        let removed = diesel::delete(log::auth_access_log.filter(log::seq.le(seq))).execute(tx)?;
        Ok(removed as u64)
    })
}

/// The records about one data subject, newest first: what a citizen sees when they ask who
/// accessed their data. `before_seq` pages backwards.
pub fn for_subject(
    conn: &mut DbConnection,
    subject: &SubjectKey,
    before_seq: Option<i64>,
    limit: i64,
) -> Result<Vec<Record>, Error> {
    for_subjects(conn, std::slice::from_ref(subject), before_seq, limit)
}

/// The records about any of `subjects` (a person known by several keys: account and
/// national ID), newest first.
pub fn for_subjects(
    conn: &mut DbConnection,
    subjects: &[SubjectKey],
    before_seq: Option<i64>,
    limit: i64,
) -> Result<Vec<Record>, Error> {
    let keys: Vec<&str> = subjects.iter().map(SubjectKey::as_str).collect();
    let mut query = auth_access_log::table
        .filter(auth_access_log::subject.eq_any(keys))
        .order(auth_access_log::seq.desc())
        .limit(limit.clamp(1, 500))
        .into_boxed();
    if let Some(before) = before_seq {
        query = query.filter(auth_access_log::seq.lt(before));
    }
    let rows: Vec<Row> = query.load(conn)?;
    rows.into_iter()
        .map(|r| {
            r.into_record()
                .map_err(|e| Error::internal(anyhow::anyhow!(e)))
        })
        .collect()
}

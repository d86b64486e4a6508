//! The exchange's tables. The only place in this crate that speaks diesel.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use egov_core::chain::Verifier;
use egov_core::{DbConnection, Error};

use crate::log::{self, Entry, Record, Side, Verification};

diesel::table! {
    exchange_members (id) {
        id -> Text,
        name -> Text,
        base_url -> Nullable<Text>,
        local -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    exchange_keys (kid) {
        kid -> Text,
        member -> Text,
        public_key -> Text,
        private_sealed -> Nullable<Text>,
        created_at -> Timestamp,
        retire_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        revocation_reason -> Nullable<Text>,
    }
}

diesel::table! {
    exchange_grants (id) {
        id -> Text,
        client -> Text,
        service -> Text,
        purpose -> Text,
        items -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    exchange_consents (id) {
        id -> Text,
        subject -> Text,
        client -> Text,
        service -> Text,
        purpose -> Text,
        items -> Text,
        granted_at -> Timestamp,
        expires_at -> Timestamp,
        withdrawn_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    exchange_seen (client, message_id) {
        client -> Text,
        message_id -> Text,
        seen_at -> Timestamp,
    }
}

diesel::table! {
    exchange_log (seq) {
        seq -> BigInt,
        side -> Text,
        recorded_at -> Timestamp,
        message_id -> Text,
        client -> Text,
        service -> Text,
        purpose -> Text,
        subject -> Nullable<Text>,
        consent -> Nullable<Text>,
        basis -> Nullable<Text>,
        method -> Text,
        path -> Text,
        request_headers -> Text,
        request_digest -> Text,
        request_body -> Nullable<Text>,
        request_signature -> Nullable<Text>,
        request_hash -> Nullable<Text>,
        response_status -> Integer,
        response_headers -> Text,
        response_digest -> Text,
        response_body -> Nullable<Text>,
        response_signature -> Nullable<Text>,
        outcome -> Text,
        error_type -> Nullable<Text>,
        items_released -> Text,
        items_stripped -> Text,
        mode -> Text,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    exchange_log_head (id) {
        id -> Integer,
        seq -> BigInt,
        hash -> Text,
    }
}

diesel::table! {
    exchange_events (source, id) {
        source -> Text,
        id -> Text,
        #[sql_name = "type"]
        event_type -> Text,
        subject -> Nullable<Text>,
        time -> Timestamp,
        data -> Text,
    }
}

diesel::table! {
    exchange_subscriptions (id) {
        id -> Text,
        url -> Text,
        types -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        active -> Bool,
    }
}

diesel::table! {
    exchange_deliveries (source, event_id, subscription_id) {
        source -> Text,
        event_id -> Text,
        subscription_id -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    exchange_inbox (source, id) {
        source -> Text,
        id -> Text,
        received_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(exchange_events, exchange_deliveries);

fn naive(t: DateTime<Utc>) -> NaiveDateTime {
    log::record_time(t).naive_utc()
}

fn is_unique_violation(e: &DieselError) -> bool {
    matches!(
        e,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)
    )
}

fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

fn parse_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

// ---------------------------------------------------------------- members and keys

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = exchange_members)]
pub struct MemberRow {
    pub id: String,
    pub name: String,
    pub base_url: Option<String>,
    pub local: bool,
    pub created_at: NaiveDateTime,
}

/// Registers or updates a member (the local flag never changes).
pub fn put_member(conn: &mut DbConnection, row: &MemberRow) -> Result<(), Error> {
    conn.transaction(|tx| {
        let updated = diesel::update(exchange_members::table.find(&row.id))
            .set((
                exchange_members::name.eq(&row.name),
                exchange_members::base_url.eq(&row.base_url),
            ))
            .execute(tx)?;
        if updated == 0 {
            diesel::insert_into(exchange_members::table)
                .values(row)
                .execute(tx)?;
        }
        Ok(())
    })
}

pub fn members(conn: &mut DbConnection) -> Result<Vec<MemberRow>, Error> {
    Ok(exchange_members::table
        .order(exchange_members::id.asc())
        .load(conn)?)
}

pub fn member(conn: &mut DbConnection, id: &str) -> Result<Option<MemberRow>, Error> {
    Ok(exchange_members::table.find(id).first(conn).optional()?)
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = exchange_keys)]
pub struct KeyRow {
    pub kid: String,
    pub member: String,
    pub public_key: String,
    pub private_sealed: Option<String>,
    pub created_at: NaiveDateTime,
    pub retire_at: Option<NaiveDateTime>,
    /// From when the key is refused, withdrawn before its time.
    pub revoked_at: Option<NaiveDateTime>,
    /// `key_compromise`, `superseded` or `cessation_of_operation`.
    pub revocation_reason: Option<String>,
}

pub fn keys(conn: &mut DbConnection) -> Result<Vec<KeyRow>, Error> {
    Ok(exchange_keys::table
        .order((exchange_keys::member.asc(), exchange_keys::created_at.asc()))
        .load(conn)?)
}

pub fn keys_of(conn: &mut DbConnection, member: &str) -> Result<Vec<KeyRow>, Error> {
    Ok(exchange_keys::table
        .filter(exchange_keys::member.eq(member))
        .order(exchange_keys::created_at.asc())
        .load(conn)?)
}

/// Adds a key; a pinned remote key that is already known is left as it is.
pub fn add_key(conn: &mut DbConnection, row: &KeyRow) -> Result<bool, Error> {
    match diesel::insert_into(exchange_keys::table)
        .values(row)
        .execute(conn)
    {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Revokes `kid` from `at` on; false when there is no such key or it is revoked already.
pub fn revoke_key(
    conn: &mut DbConnection,
    kid: &str,
    at: DateTime<Utc>,
    reason: &str,
) -> Result<bool, Error> {
    let n = diesel::update(
        exchange_keys::table
            .filter(exchange_keys::kid.eq(kid))
            .filter(exchange_keys::revoked_at.is_null()),
    )
    .set((
        exchange_keys::revoked_at.eq(Some(naive(at))),
        exchange_keys::revocation_reason.eq(Some(reason)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Rotation: every other unretired key of `member` retires at `retire_at`, then `new` is added.
pub fn rotate(
    conn: &mut DbConnection,
    new: &KeyRow,
    retire_at: DateTime<Utc>,
) -> Result<(), Error> {
    conn.transaction(|tx| {
        diesel::update(
            exchange_keys::table
                .filter(exchange_keys::member.eq(&new.member))
                .filter(exchange_keys::retire_at.is_null()),
        )
        .set(exchange_keys::retire_at.eq(Some(naive(retire_at))))
        .execute(tx)?;
        diesel::insert_into(exchange_keys::table)
            .values(new)
            .execute(tx)?;
        Ok(())
    })
}

// ---------------------------------------------------------------- grants

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = exchange_grants)]
pub struct GrantRow {
    pub id: String,
    pub client: String,
    pub service: String,
    pub purpose: String,
    pub items: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

impl GrantRow {
    pub fn item_list(&self) -> Vec<String> {
        parse_list(&self.items)
    }
}

pub fn add_grant(
    conn: &mut DbConnection,
    row: GrantRow,
    items: &[String],
) -> Result<GrantRow, Error> {
    let row = GrantRow {
        items: json_list(items),
        ..row
    };
    diesel::insert_into(exchange_grants::table)
        .values(&row)
        .execute(conn)?;
    Ok(row)
}

pub fn grants(conn: &mut DbConnection, client: Option<&str>) -> Result<Vec<GrantRow>, Error> {
    let mut q = exchange_grants::table
        .filter(exchange_grants::revoked_at.is_null())
        .into_boxed();
    if let Some(c) = client {
        q = q.filter(exchange_grants::client.eq(c.to_owned()));
    }
    Ok(q.order(exchange_grants::created_at.asc()).load(conn)?)
}

/// The union of the items of the active grants for `client` × `service` × `purpose`, or
/// `None` when there is no such grant.
pub fn granted_items(
    conn: &mut DbConnection,
    client: &str,
    service: &str,
    purpose: &str,
) -> Result<Option<Vec<String>>, Error> {
    let rows: Vec<String> = exchange_grants::table
        .filter(exchange_grants::client.eq(client))
        .filter(exchange_grants::service.eq(service))
        .filter(exchange_grants::purpose.eq(purpose))
        .filter(exchange_grants::revoked_at.is_null())
        .select(exchange_grants::items)
        .load(conn)?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut items: Vec<String> = rows.iter().flat_map(|r| parse_list(r)).collect();
    items.sort();
    items.dedup();
    Ok(Some(items))
}

pub fn revoke_grant(conn: &mut DbConnection, id: &str, now: DateTime<Utc>) -> Result<bool, Error> {
    let n = diesel::update(
        exchange_grants::table
            .find(id)
            .filter(exchange_grants::revoked_at.is_null()),
    )
    .set(exchange_grants::revoked_at.eq(Some(naive(now))))
    .execute(conn)?;
    Ok(n == 1)
}

// ---------------------------------------------------------------- consents

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = exchange_consents)]
pub struct ConsentRow {
    pub id: String,
    pub subject: String,
    pub client: String,
    pub service: String,
    pub purpose: String,
    pub items: String,
    pub granted_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub withdrawn_at: Option<NaiveDateTime>,
}

impl ConsentRow {
    pub fn item_list(&self) -> Vec<String> {
        parse_list(&self.items)
    }
}

pub fn add_consent(
    conn: &mut DbConnection,
    row: ConsentRow,
    items: &[String],
) -> Result<ConsentRow, Error> {
    let row = ConsentRow {
        items: json_list(items),
        ..row
    };
    diesel::insert_into(exchange_consents::table)
        .values(&row)
        .execute(conn)?;
    Ok(row)
}

pub fn consent(conn: &mut DbConnection, id: &str) -> Result<Option<ConsentRow>, Error> {
    Ok(exchange_consents::table.find(id).first(conn).optional()?)
}

pub fn consents_of(conn: &mut DbConnection, subject: &str) -> Result<Vec<ConsentRow>, Error> {
    Ok(exchange_consents::table
        .filter(exchange_consents::subject.eq(subject))
        .order(exchange_consents::granted_at.desc())
        .limit(500)
        .load(conn)?)
}

/// Consents of one client, service and purpose, counted at a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentTally {
    pub client: String,
    pub service: String,
    pub purpose: String,
    pub active: i64,
    pub withdrawn: i64,
    pub expired: i64,
}

/// Consents counted per (client, service, purpose) at `now`, by client then service. Counts
/// only: no person is named.
pub fn consent_counts(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
) -> Result<Vec<ConsentTally>, Error> {
    use diesel::dsl::count_star;
    let now = naive(now);
    let key = (
        exchange_consents::client,
        exchange_consents::service,
        exchange_consents::purpose,
    );
    let active: Vec<(String, String, String, i64)> = exchange_consents::table
        .filter(exchange_consents::withdrawn_at.is_null())
        .filter(exchange_consents::expires_at.gt(now))
        .group_by(key)
        .select((key.0, key.1, key.2, count_star()))
        .load(conn)?;
    let withdrawn: Vec<(String, String, String, i64)> = exchange_consents::table
        .filter(exchange_consents::withdrawn_at.is_not_null())
        .group_by(key)
        .select((key.0, key.1, key.2, count_star()))
        .load(conn)?;
    let expired: Vec<(String, String, String, i64)> = exchange_consents::table
        .filter(exchange_consents::withdrawn_at.is_null())
        .filter(exchange_consents::expires_at.le(now))
        .group_by(key)
        .select((key.0, key.1, key.2, count_star()))
        .load(conn)?;
    let mut out: std::collections::BTreeMap<(String, String, String), [i64; 3]> =
        std::collections::BTreeMap::new();
    for (i, rows) in [active, withdrawn, expired].into_iter().enumerate() {
        for (client, service, purpose, n) in rows {
            out.entry((client, service, purpose)).or_default()[i] = n;
        }
    }
    Ok(out
        .into_iter()
        .map(
            |((client, service, purpose), [active, withdrawn, expired])| ConsentTally {
                client,
                service,
                purpose,
                active,
                withdrawn,
                expired,
            },
        )
        .collect())
}

/// Withdraws the subject's consent `id`; false when there is no such active consent of theirs.
pub fn withdraw_consent(
    conn: &mut DbConnection,
    id: &str,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    let n = diesel::update(
        exchange_consents::table
            .find(id)
            .filter(exchange_consents::subject.eq(subject))
            .filter(exchange_consents::withdrawn_at.is_null()),
    )
    .set(exchange_consents::withdrawn_at.eq(Some(naive(now))))
    .execute(conn)?;
    Ok(n == 1)
}

// ---------------------------------------------------------------- replay protection

/// Remembers `client`'s message `id`; false when it was already seen within the window.
/// Entries older than the window are pruned now and then.
pub fn remember(
    conn: &mut DbConnection,
    client: &str,
    id: &str,
    now: DateTime<Utc>,
    window_secs: u64,
) -> Result<bool, Error> {
    let cutoff = naive(now - chrono::Duration::seconds(window_secs as i64));
    // `ON CONFLICT DO NOTHING` (both backends): a duplicate neither fails nor aborts the
    // surrounding transaction (the writer's batch), and the common case is one statement.
    let inserted = diesel::sql_query(
        "INSERT INTO exchange_seen (client, message_id, seen_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind::<diesel::sql_types::Text, _>(client)
    .bind::<diesel::sql_types::Text, _>(id)
    .bind::<diesel::sql_types::Timestamp, _>(naive(now))
    .execute(conn)?;
    if inserted == 1 {
        // Prune on roughly one insert in 256 (ids are random-ish): bounded table.
        if id.bytes().fold(0u8, |a, b| a.wrapping_add(b)) == 0 {
            diesel::delete(exchange_seen::table.filter(exchange_seen::seen_at.lt(cutoff)))
                .execute(conn)?;
        }
        return Ok(true);
    }
    // Seen before: a replay if within the window; otherwise the id is taken over.
    let seen: NaiveDateTime = exchange_seen::table
        .find((client, id))
        .select(exchange_seen::seen_at)
        .first(conn)?;
    if seen >= cutoff {
        return Ok(false);
    }
    diesel::update(exchange_seen::table.find((client, id)))
        .set(exchange_seen::seen_at.eq(naive(now)))
        .execute(conn)?;
    Ok(true)
}

// ---------------------------------------------------------------- message log

#[derive(Debug, Queryable, Insertable)]
#[diesel(table_name = exchange_log)]
struct LogRow {
    seq: i64,
    side: String,
    recorded_at: NaiveDateTime,
    message_id: String,
    client: String,
    service: String,
    purpose: String,
    subject: Option<String>,
    consent: Option<String>,
    basis: Option<String>,
    method: String,
    path: String,
    request_headers: String,
    request_digest: String,
    request_body: Option<String>,
    request_signature: Option<String>,
    request_hash: Option<String>,
    response_status: i32,
    response_headers: String,
    response_digest: String,
    response_body: Option<String>,
    response_signature: Option<String>,
    outcome: String,
    error_type: Option<String>,
    items_released: String,
    items_stripped: String,
    mode: String,
    prev_hash: String,
    hash: String,
}

impl LogRow {
    fn into_record(self) -> Record {
        Record {
            seq: self.seq,
            recorded_at: self.recorded_at.and_utc(),
            entry: Entry {
                // An unknown side string cannot round-trip; verification then fails on the hash.
                side: Side::parse(&self.side).unwrap_or(Side::Provider),
                message_id: self.message_id,
                client: self.client,
                service: self.service,
                purpose: self.purpose,
                subject: self.subject,
                consent: self.consent,
                basis: self.basis,
                method: self.method,
                path: self.path,
                request_headers: serde_json::from_str(&self.request_headers).unwrap_or_default(),
                request_digest: self.request_digest,
                request_body: self.request_body,
                request_signature: self.request_signature,
                request_hash: self.request_hash,
                response_status: u16::try_from(self.response_status).unwrap_or(0),
                response_headers: serde_json::from_str(&self.response_headers).unwrap_or_default(),
                response_digest: self.response_digest,
                response_body: self.response_body,
                response_signature: self.response_signature,
                outcome: self.outcome,
                error_type: self.error_type,
                items_released: parse_list(&self.items_released),
                items_stripped: parse_list(&self.items_stripped),
                mode: self.mode,
            },
            prev_hash: self.prev_hash,
            hash: self.hash,
        }
    }
}

/// Appends one record in its own transaction (the group-commit writer's batch of one).
pub fn append(conn: &mut DbConnection, entry: &Entry, now: DateTime<Utc>) -> Result<Record, Error> {
    let writes = [Write::Append {
        entry: Box::new(entry.clone()),
        now,
        claim: None,
    }];
    match write_batch(conn, &writes)?.pop() {
        Some(Ok(Written::Appended(r))) => Ok(*r),
        Some(Err(e)) => Err(e),
        _ => Err(Error::internal(anyhow::anyhow!("append wrote nothing"))),
    }
}

fn insert_record(
    tx: &mut DbConnection,
    seq: i64,
    entry: &Entry,
    now: DateTime<Utc>,
    prev_hash: &str,
) -> Result<Record, Error> {
    let at = log::record_time(now);
    let hash = log::chain_hash(seq, at, entry, prev_hash);
    let e = entry.clone();
    diesel::insert_into(exchange_log::table)
        .values(LogRow {
            seq,
            side: e.side.as_str().to_owned(),
            recorded_at: at.naive_utc(),
            message_id: e.message_id,
            client: e.client,
            service: e.service,
            purpose: e.purpose,
            subject: e.subject,
            consent: e.consent,
            basis: e.basis,
            method: e.method,
            path: e.path,
            request_headers: serde_json::to_string(&e.request_headers)
                .unwrap_or_else(|_| "{}".into()),
            request_digest: e.request_digest,
            request_body: e.request_body,
            request_signature: e.request_signature,
            request_hash: e.request_hash,
            response_status: i32::from(e.response_status),
            response_headers: serde_json::to_string(&e.response_headers)
                .unwrap_or_else(|_| "{}".into()),
            response_digest: e.response_digest,
            response_body: e.response_body,
            response_signature: e.response_signature,
            outcome: e.outcome,
            error_type: e.error_type,
            items_released: json_list(&e.items_released),
            items_stripped: json_list(&e.items_stripped),
            mode: e.mode,
            prev_hash: prev_hash.to_owned(),
            hash: hash.clone(),
        })
        .execute(tx)?;
    Ok(Record {
        seq,
        recorded_at: at,
        entry: entry.clone(),
        prev_hash: prev_hash.to_owned(),
        hash,
    })
}

/// One write of the group-commit writer.
#[derive(Debug, Clone)]
pub enum Write {
    /// Append a message log record; with a claim, only if the claimed message id is new
    /// (replay protection and the record commit together).
    Append {
        entry: Box<Entry>,
        now: DateTime<Utc>,
        claim: Option<(String, String, u64)>,
    },
}

/// The result of one [`Write`].
#[derive(Debug, Clone)]
pub enum Written {
    Appended(Box<Record>),
    /// The append's claim found the message id already used within the window.
    Duplicate,
}

/// Runs many writes in one transaction (group commit): one head update for every appended
/// record, each write in its own savepoint so that one failing write (a duplicate id) does not
/// undo the others. Results are in the order of `writes`.
pub fn write_batch(
    conn: &mut DbConnection,
    writes: &[Write],
) -> Result<Vec<Result<Written, Error>>, Error> {
    conn.transaction(|tx| {
        use exchange_log_head::dsl as head;
        // First the replay claims, so that only the appends that go ahead reserve numbers.
        let mut out: Vec<Option<Result<Written, Error>>> = Vec::with_capacity(writes.len());
        let mut go = Vec::with_capacity(writes.len());
        for w in writes {
            match w {
                Write::Append { claim, now, .. } => {
                    let fresh = match claim {
                        Some((client, id, window)) => remember(tx, client, id, *now, *window)?,
                        None => true,
                    };
                    out.push((!fresh).then_some(Ok(Written::Duplicate)));
                    go.push(fresh);
                }
            }
        }
        let appends = go.iter().filter(|g| **g).count() as i64;
        if appends > 0 {
            // Taking the head's row lock makes other instances' batches wait their turn.
            diesel::update(head::exchange_log_head.filter(head::id.eq(1)))
                .set(head::seq.eq(head::seq + appends))
                .execute(tx)?;
            let (last, mut prev_hash): (i64, String) = head::exchange_log_head
                .filter(head::id.eq(1))
                .select((head::seq, head::hash))
                .first(tx)?;
            let mut seq = last - appends;
            for (i, w) in writes.iter().enumerate() {
                if let (true, Write::Append { entry, now, .. }) = (go[i], w) {
                    seq += 1;
                    let r = insert_record(tx, seq, entry, *now, &prev_hash)?;
                    prev_hash = r.hash.clone();
                    out[i] = Some(Ok(Written::Appended(Box::new(r))));
                }
            }
            diesel::update(head::exchange_log_head.filter(head::id.eq(1)))
                .set(head::hash.eq(&prev_hash))
                .execute(tx)?;
        }
        Ok(out
            .into_iter()
            .map(|o| o.unwrap_or_else(|| Err(Error::internal(anyhow::anyhow!("unwritten")))))
            .collect())
    })
}

/// The chain's head: the last sequence number and hash.
pub fn head(conn: &mut DbConnection) -> Result<(i64, String), Error> {
    Ok(exchange_log_head::table
        .filter(exchange_log_head::id.eq(1))
        .select((exchange_log_head::seq, exchange_log_head::hash))
        .first(conn)?)
}

pub fn record(conn: &mut DbConnection, seq: i64) -> Result<Option<Record>, Error> {
    Ok(exchange_log::table
        .find(seq)
        .first::<LogRow>(conn)
        .optional()?
        .map(LogRow::into_record))
}

/// Records filtered by message id or subject, newest first.
pub fn records(
    conn: &mut DbConnection,
    message_id: Option<&str>,
    subject: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Record>, Error> {
    let mut q = exchange_log::table.into_boxed();
    if let Some(m) = message_id {
        q = q.filter(exchange_log::message_id.eq(m.to_owned()));
    }
    if let Some(s) = subject {
        q = q.filter(exchange_log::subject.eq(s.to_owned()));
    }
    if let Some(b) = before {
        q = q.filter(exchange_log::seq.lt(b));
    }
    Ok(q.order(exchange_log::seq.desc())
        .limit(limit)
        .load::<LogRow>(conn)?
        .into_iter()
        .map(LogRow::into_record)
        .collect())
}

/// The message log as an anchored trail (`egov_core::anchor`).
#[derive(Debug)]
pub struct MessageLogTrail;

impl egov_core::anchor::Trail for MessageLogTrail {
    fn name(&self) -> &'static str {
        "exchange.message_log"
    }

    fn heads(&self, conn: &mut DbConnection) -> Result<Vec<egov_core::anchor::Head>, Error> {
        let (seq, hash): (i64, String) = exchange_log_head::table
            .filter(exchange_log_head::id.eq(1))
            .select((exchange_log_head::seq, exchange_log_head::hash))
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
        Ok(exchange_log::table
            .find(seq)
            .select(exchange_log::hash)
            .first(conn)
            .optional()?)
    }
}

/// Walks the whole chain: every record's hash, every link, no gap, the head at the end.
pub fn verify(conn: &mut DbConnection) -> Result<Verification, Error> {
    let (head_seq, head_hash): (i64, String) = exchange_log_head::table
        .filter(exchange_log_head::id.eq(1))
        .select((exchange_log_head::seq, exchange_log_head::hash))
        .first(conn)?;
    let mut walk = Verifier::default();
    loop {
        let rows: Vec<LogRow> = exchange_log::table
            .filter(exchange_log::seq.gt(walk.last_seq()))
            .order(exchange_log::seq.asc())
            .limit(1000)
            .load(conn)?;
        let records: Vec<Record> = rows.into_iter().map(LogRow::into_record).collect();
        if records.is_empty() || !records.iter().all(|r| walk.check(r)) {
            break;
        }
    }
    let v = walk.finish(Some((head_seq, &head_hash)));
    Ok(Verification {
        checked: v.checked,
        head_seq,
        problem: v.problem(),
    })
}

// ---------------------------------------------------------------- events

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = exchange_events)]
pub struct EventRow {
    pub source: String,
    pub id: String,
    pub event_type: String,
    pub subject: Option<String>,
    pub time: NaiveDateTime,
    pub data: String,
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = exchange_subscriptions)]
pub struct SubscriptionRow {
    pub id: String,
    pub url: String,
    pub types: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub active: bool,
}

impl SubscriptionRow {
    pub fn type_list(&self) -> Vec<String> {
        parse_list(&self.types)
    }
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = exchange_deliveries)]
pub struct DeliveryRow {
    pub source: String,
    pub event_id: String,
    pub subscription_id: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub lease_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub delivered_at: Option<NaiveDateTime>,
}

/// Stores an event and one pending delivery per matching active subscription (or for the
/// subscription `only`, whatever its types), on `conn` (call it inside the module's own
/// transaction: the event exists exactly when the change does).
pub fn enqueue(
    conn: &mut DbConnection,
    event: &EventRow,
    only: Option<&str>,
) -> Result<usize, Error> {
    diesel::insert_into(exchange_events::table)
        .values(event)
        .execute(conn)?;
    let subs: Vec<SubscriptionRow> = exchange_subscriptions::table
        .filter(exchange_subscriptions::active.eq(true))
        .load(conn)?;
    let mut n = 0;
    for s in subs {
        let types = s.type_list();
        let wanted = match only {
            Some(id) => s.id == id,
            None => types.is_empty() || types.contains(&event.event_type),
        };
        if !wanted {
            continue;
        }
        diesel::insert_into(exchange_deliveries::table)
            .values(DeliveryRow {
                source: event.source.clone(),
                event_id: event.id.clone(),
                subscription_id: s.id,
                status: "pending".into(),
                attempts: 0,
                next_attempt_at: event.time,
                lease_until: None,
                last_error: None,
                delivered_at: None,
            })
            .execute(conn)?;
        n += 1;
    }
    Ok(n)
}

pub fn add_subscription(conn: &mut DbConnection, row: &SubscriptionRow) -> Result<(), Error> {
    diesel::insert_into(exchange_subscriptions::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn subscriptions(conn: &mut DbConnection) -> Result<Vec<SubscriptionRow>, Error> {
    Ok(exchange_subscriptions::table
        .filter(exchange_subscriptions::active.eq(true))
        .order(exchange_subscriptions::created_at.asc())
        .load(conn)?)
}

pub fn subscription(conn: &mut DbConnection, id: &str) -> Result<Option<SubscriptionRow>, Error> {
    Ok(exchange_subscriptions::table
        .find(id)
        .first(conn)
        .optional()?)
}

pub fn deactivate_subscription(conn: &mut DbConnection, id: &str) -> Result<bool, Error> {
    let n = diesel::update(exchange_subscriptions::table.find(id))
        .set(exchange_subscriptions::active.eq(false))
        .execute(conn)?;
    Ok(n == 1)
}

/// Claims up to `limit` due deliveries for `lease_secs` (a claim another instance holds is
/// skipped), with their events.
pub fn claim_due(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    lease_secs: i64,
    limit: i64,
) -> Result<Vec<(DeliveryRow, EventRow)>, Error> {
    let now_n = naive(now);
    let due: Vec<DeliveryRow> = exchange_deliveries::table
        .filter(exchange_deliveries::status.eq("pending"))
        .filter(exchange_deliveries::next_attempt_at.le(now_n))
        .filter(
            exchange_deliveries::lease_until
                .is_null()
                .or(exchange_deliveries::lease_until.lt(now_n)),
        )
        .order(exchange_deliveries::next_attempt_at.asc())
        .limit(limit)
        .load(conn)?;
    let mut claimed = Vec::new();
    let lease = naive(now + chrono::Duration::seconds(lease_secs));
    for d in due {
        let n = diesel::update(
            exchange_deliveries::table
                .find((&d.source, &d.event_id, &d.subscription_id))
                .filter(exchange_deliveries::status.eq("pending"))
                .filter(
                    exchange_deliveries::lease_until
                        .is_null()
                        .or(exchange_deliveries::lease_until.lt(now_n)),
                ),
        )
        .set(exchange_deliveries::lease_until.eq(Some(lease)))
        .execute(conn)?;
        if n == 1 {
            let event: EventRow = exchange_events::table
                .find((&d.source, &d.event_id))
                .first(conn)?;
            claimed.push((d, event));
        }
    }
    Ok(claimed)
}

/// Records one attempt's result: delivered, retried at `next`, or dead.
pub fn finish_attempt(
    conn: &mut DbConnection,
    d: &DeliveryRow,
    status: &str,
    next: DateTime<Utc>,
    error: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    diesel::update(exchange_deliveries::table.find((&d.source, &d.event_id, &d.subscription_id)))
        .set((
            exchange_deliveries::status.eq(status),
            exchange_deliveries::attempts.eq(d.attempts + 1),
            exchange_deliveries::next_attempt_at.eq(naive(next)),
            exchange_deliveries::lease_until.eq(None::<NaiveDateTime>),
            exchange_deliveries::last_error.eq(error),
            exchange_deliveries::delivered_at.eq((status == "delivered").then(|| naive(now))),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn deliveries(
    conn: &mut DbConnection,
    status: Option<&str>,
    limit: i64,
) -> Result<Vec<(DeliveryRow, EventRow)>, Error> {
    let mut q = exchange_deliveries::table
        .inner_join(
            exchange_events::table.on(exchange_events::source
                .eq(exchange_deliveries::source)
                .and(exchange_events::id.eq(exchange_deliveries::event_id))),
        )
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(exchange_deliveries::status.eq(s.to_owned()));
    }
    Ok(q.order(exchange_deliveries::next_attempt_at.desc())
        .limit(limit)
        .load(conn)?)
}

/// Puts a dead delivery back in the queue; false when there is no such dead delivery.
pub fn replay(
    conn: &mut DbConnection,
    source: &str,
    event_id: &str,
    subscription_id: &str,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    let n = diesel::update(
        exchange_deliveries::table
            .find((source, event_id, subscription_id))
            .filter(exchange_deliveries::status.eq("dead")),
    )
    .set((
        exchange_deliveries::status.eq("pending"),
        exchange_deliveries::attempts.eq(0),
        exchange_deliveries::next_attempt_at.eq(naive(now)),
        exchange_deliveries::lease_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Consumer-side de-duplication: true the first time `source` + `id` is accepted.
pub fn accept_once(
    conn: &mut DbConnection,
    source: &str,
    id: &str,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    match diesel::insert_into(exchange_inbox::table)
        .values((
            exchange_inbox::source.eq(source),
            exchange_inbox::id.eq(id),
            exchange_inbox::received_at.eq(naive(now)),
        ))
        .execute(conn)
    {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

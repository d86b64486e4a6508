//! The notification outbox: a notice is queued in the same transaction as the change it tells
//! about, and a worker delivers it later through a [`Notifier`] (e-mail and SMS in
//! production, `egov-notify`), channel by channel, with a lease per attempt, exponential
//! backoff and a final `failed` state (the dead-letter list) after the module's maximum number
//! of attempts. A channel delivered is remembered, so a retry sends only the others. Nothing
//! acknowledged is lost: a notice is written or the change is not.
//!
//! Each module owns its outbox table (same columns everywhere, see any module's
//! `*_notifications` migration); this kit is the one implementation of the queries and the
//! delivery pass over such a table.

use chrono::NaiveDateTime;
use diesel::RunQueryDsl;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamp};

use crate::clock::Clock;
use crate::{Db, DbConnection, Error};

/// One notice.
#[derive(Debug, Clone, PartialEq, Eq, diesel::QueryableByName)]
pub struct Notification {
    #[diesel(sql_type = Text)]
    pub id: String,
    /// At most one notice per dedup key.
    #[diesel(sql_type = Text)]
    pub dedup: String,
    /// `email`, `sms`, `email+sms`.
    #[diesel(sql_type = Text)]
    pub channel: String,
    /// The recipient's subject key: the channel resolves contact details, never the outbox.
    #[diesel(sql_type = Text)]
    pub recipient: String,
    #[diesel(sql_type = Text)]
    pub template: String,
    /// The template's values, as JSON.
    #[diesel(sql_type = Text)]
    pub payload: String,
    /// `queued`, `sent`, `failed` (the dead-letter list: gave up, or refused for good) or
    /// `unreachable` (no channel had an address for the recipient).
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    #[diesel(sql_type = Timestamp)]
    pub next_at: NaiveDateTime,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub sent_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Text>)]
    pub last_error: Option<String>,
    #[diesel(sql_type = Timestamp)]
    pub created_at: NaiveDateTime,
    /// The channels already delivered, joined by `+`.
    #[diesel(sql_type = Text)]
    pub delivered: String,
}

impl Notification {
    /// A new notice, due at once.
    pub fn queued(
        dedup: impl Into<String>,
        channel: &str,
        recipient: impl Into<String>,
        template: impl Into<String>,
        payload: &serde_json::Value,
        now: NaiveDateTime,
    ) -> Self {
        Self {
            id: uuid::Uuid::now_v7().to_string(),
            dedup: dedup.into(),
            channel: channel.to_owned(),
            recipient: recipient.into(),
            template: template.into(),
            payload: payload.to_string(),
            status: "queued".into(),
            attempts: 0,
            next_at: now,
            sent_at: None,
            last_error: None,
            created_at: now,
            delivered: String::new(),
        }
    }

    /// The notice's channels not yet delivered, in the notice's order.
    pub fn pending_channels(&self) -> Vec<&str> {
        let done: Vec<&str> = self.delivered.split('+').collect();
        self.channel
            .split('+')
            .filter(|c| !c.is_empty() && !done.contains(c))
            .collect()
    }
}

/// What one channel made of one notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivered {
    /// Handed to the mail server or the SMS gateway.
    Sent,
    /// The recipient has no address for this channel (or the channel is not set up here):
    /// nothing to retry.
    NoAddress(String),
    /// Failed for now (connection, timeout, a 5xx or 4xx the other side may lift): retried.
    Retry(String),
    /// Refused for good (an address the server rejects): no retry, the notice is dead-lettered.
    Refused(String),
}

/// A boxed future, as the [`Notifier`] trait returns (object-safe async).
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// Delivery channels (e-mail, SMS, app push) behind one interface.
pub trait Notifier: Send + Sync + 'static {
    fn name(&self) -> &'static str;
    /// Delivers `n` on one of its `channel`s (`email`, `sms`).
    fn deliver<'a>(&'a self, n: &'a Notification, channel: &'a str) -> BoxFuture<'a, Delivered>;
}

/// Logs the delivery: recipient key, template and id, never contact details or content.
#[derive(Debug)]
pub struct LogNotifier;

impl Notifier for LogNotifier {
    fn name(&self) -> &'static str {
        "log"
    }

    fn deliver<'a>(&'a self, n: &'a Notification, channel: &'a str) -> BoxFuture<'a, Delivered> {
        tracing::info!(
            notification = %n.id,
            channel,
            template = %n.template,
            recipient = %n.recipient,
            "notification delivered (log provider)"
        );
        Box::pin(std::future::ready(Delivered::Sent))
    }
}

/// A module's outbox table.
#[derive(Debug, Clone, Copy)]
pub struct Outbox {
    table: &'static str,
}

const COLUMNS: &str = "id, dedup, channel, recipient, template, payload, status, attempts, \
                       next_at, sent_at, last_error, created_at, delivered";

impl Outbox {
    /// The outbox in `table` (a module's own table name: lowercase letters and `_`).
    ///
    /// # Panics
    /// If `table` is not such a name (it is spliced into SQL).
    pub const fn new(table: &'static str) -> Self {
        let b = table.as_bytes();
        let mut i = 0;
        assert!(!b.is_empty(), "empty outbox table name");
        while i < b.len() {
            assert!(
                b[i].is_ascii_lowercase() || b[i] == b'_',
                "an outbox table name is lowercase letters and _"
            );
            i += 1;
        }
        Self { table }
    }

    /// Queues `n` unless a notice with the same dedup key exists: `true` if queued.
    pub fn queue(&self, c: &mut DbConnection, n: &Notification) -> Result<bool, Error> {
        self.insert_sql(c, n, " ON CONFLICT (dedup) DO NOTHING")
            .map(|k| k == 1)
    }

    /// Queues `n`, whose dedup key is new by construction (an event id): a conflict is an
    /// error.
    pub fn insert(&self, c: &mut DbConnection, n: &Notification) -> Result<(), Error> {
        self.insert_sql(c, n, "").map(|_| ())
    }

    fn insert_sql(
        &self,
        c: &mut DbConnection,
        n: &Notification,
        tail: &str,
    ) -> Result<usize, Error> {
        Ok(diesel::sql_query(format!(
            "INSERT INTO {} ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13){tail}",
            self.table
        ))
        .bind::<Text, _>(&n.id)
        .bind::<Text, _>(&n.dedup)
        .bind::<Text, _>(&n.channel)
        .bind::<Text, _>(&n.recipient)
        .bind::<Text, _>(&n.template)
        .bind::<Text, _>(&n.payload)
        .bind::<Text, _>(&n.status)
        .bind::<Integer, _>(n.attempts)
        .bind::<Timestamp, _>(n.next_at)
        .bind::<Nullable<Timestamp>, _>(n.sent_at)
        .bind::<Nullable<Text>, _>(&n.last_error)
        .bind::<Timestamp, _>(n.created_at)
        .bind::<Text, _>(&n.delivered)
        .execute(c)?)
    }

    /// Queued notices due at `now`, earliest first.
    pub fn due(
        &self,
        c: &mut DbConnection,
        now: NaiveDateTime,
        limit: i64,
    ) -> Result<Vec<Notification>, Error> {
        Ok(diesel::sql_query(format!(
            "SELECT {COLUMNS} FROM {} WHERE status = 'queued' AND next_at <= $1 \
             ORDER BY next_at LIMIT $2",
            self.table
        ))
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load(c)?)
    }

    /// Claims a queued notice for one attempt by pushing its next time forward (a lease):
    /// `false` if another worker took it.
    pub fn claim(
        &self,
        c: &mut DbConnection,
        id: &str,
        seen_next: NaiveDateTime,
        lease_until: NaiveDateTime,
    ) -> Result<bool, Error> {
        let k = diesel::sql_query(format!(
            "UPDATE {} SET next_at = $1, attempts = attempts + 1 \
             WHERE id = $2 AND status = 'queued' AND next_at = $3",
            self.table
        ))
        .bind::<Timestamp, _>(lease_until)
        .bind::<Text, _>(id)
        .bind::<Timestamp, _>(seen_next)
        .execute(c)?;
        Ok(k == 1)
    }

    /// Records an attempt's outcome and the channels delivered so far.
    pub fn finish(
        &self,
        c: &mut DbConnection,
        id: &str,
        delivered: &str,
        outcome: Attempt<'_>,
    ) -> Result<(), Error> {
        let (status, next_at, sent_at, error) = match outcome {
            Attempt::Sent { at } => ("sent", at, Some(at), None),
            Attempt::Unreachable { at, error } => ("unreachable", at, None, Some(error)),
            Attempt::Retry { at, error } => ("queued", at, None, Some(error)),
            Attempt::Failed { at, error } => ("failed", at, None, Some(error)),
        };
        diesel::sql_query(format!(
            "UPDATE {} SET status = $1, next_at = $2, sent_at = $3, last_error = $4, \
             delivered = $5 WHERE id = $6",
            self.table
        ))
        .bind::<Text, _>(status)
        .bind::<Timestamp, _>(next_at)
        .bind::<Nullable<Timestamp>, _>(sent_at)
        .bind::<Nullable<Text>, _>(error)
        .bind::<Text, _>(delivered)
        .bind::<Text, _>(id)
        .execute(c)?;
        Ok(())
    }

    /// Every notice to `recipient`, oldest first.
    pub fn for_recipient(
        &self,
        c: &mut DbConnection,
        recipient: &str,
    ) -> Result<Vec<Notification>, Error> {
        Ok(diesel::sql_query(format!(
            "SELECT {COLUMNS} FROM {} WHERE recipient = $1 ORDER BY created_at, id",
            self.table
        ))
        .bind::<Text, _>(recipient)
        .load(c)?)
    }

    /// Notices in `status` (`failed` is the dead-letter list), newest first.
    pub fn with_status(
        &self,
        c: &mut DbConnection,
        status: &str,
        limit: i64,
    ) -> Result<Vec<Notification>, Error> {
        Ok(diesel::sql_query(format!(
            "SELECT {COLUMNS} FROM {} WHERE status = $1 ORDER BY next_at DESC, id DESC LIMIT $2",
            self.table
        ))
        .bind::<Text, _>(status)
        .bind::<BigInt, _>(limit)
        .load(c)?)
    }

    /// One notice.
    pub fn find(&self, c: &mut DbConnection, id: &str) -> Result<Option<Notification>, Error> {
        use diesel::OptionalExtension;
        Ok(diesel::sql_query(format!(
            "SELECT {COLUMNS} FROM {} WHERE id = $1",
            self.table
        ))
        .bind::<Text, _>(id)
        .get_result(c)
        .optional()?)
    }

    /// Puts a `failed` or `unreachable` notice back in the queue, due at `now`, with its
    /// attempts starting again (the channels already delivered stay delivered): `false` if
    /// there is no such notice in those states.
    pub fn retry(&self, c: &mut DbConnection, id: &str, now: NaiveDateTime) -> Result<bool, Error> {
        let k = diesel::sql_query(format!(
            "UPDATE {} SET status = 'queued', attempts = 0, next_at = $1 \
             WHERE id = $2 AND status IN ('failed', 'unreachable')",
            self.table
        ))
        .bind::<Timestamp, _>(now)
        .bind::<Text, _>(id)
        .execute(c)?;
        Ok(k == 1)
    }

    /// How many notices are in each status (for the metrics).
    pub fn counts(&self, c: &mut DbConnection) -> Result<Vec<(String, i64)>, Error> {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = Text)]
            status: String,
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let rows: Vec<Count> = diesel::sql_query(format!(
            "SELECT status, COUNT(*) AS n FROM {} GROUP BY status ORDER BY status",
            self.table
        ))
        .load(c)?;
        Ok(rows.into_iter().map(|r| (r.status, r.n)).collect())
    }

    /// One delivery pass: claims each due notice (a lease of a minute) and delivers each of
    /// its channels not yet delivered. When every channel is done the notice is `sent` (or
    /// `unreachable` when none had an address); a channel that failed for now is retried
    /// after 30 s × 2^attempts, and after `max_attempts`, or at once when a channel refused
    /// it for good, the notice is `failed` (the dead-letter list). Returns how many notices
    /// were attempted.
    pub async fn deliver_due(
        &self,
        db: &Db,
        notifier: &dyn Notifier,
        max_attempts: u32,
        clock: &Clock,
    ) -> Result<usize, Error> {
        let this = *self;
        let now = clock.now_naive();
        let due = db.run(move |c| this.due(c, now, 100)).await?;
        let max = i32::try_from(max_attempts).unwrap_or(i32::MAX);
        let mut attempted = 0;
        for n in due {
            let lease = now + chrono::Duration::seconds(60);
            let (id, seen) = (n.id.clone(), n.next_at);
            if !db.run(move |c| this.claim(c, &id, seen, lease)).await? {
                continue;
            }
            let attempts = n.attempts + 1;
            let mut delivered: Vec<String> = n
                .delivered
                .split('+')
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect();
            let (mut sent, mut absent, mut retry, mut refused) = (0, vec![], vec![], vec![]);
            for channel in n.pending_channels() {
                match notifier.deliver(&n, channel).await {
                    Delivered::Sent => {
                        sent += 1;
                        delivered.push(channel.to_owned());
                    }
                    Delivered::NoAddress(why) => absent.push(format!("{channel}: {why}")),
                    Delivered::Retry(why) => retry.push(format!("{channel}: {why}")),
                    Delivered::Refused(why) => refused.push(format!("{channel}: {why}")),
                }
            }
            let done = clock.now_naive();
            let already = !n.delivered.is_empty();
            let outcome = Outcome {
                error: [&refused[..], &retry[..], &absent[..]].concat().join("; "),
                kind: if !refused.is_empty() || (!retry.is_empty() && attempts >= max) {
                    OutcomeKind::Failed
                } else if !retry.is_empty() {
                    OutcomeKind::Retry(
                        done + chrono::Duration::seconds(30 * (1 << attempts.clamp(0, 10))),
                    )
                } else if sent == 0 && !already {
                    OutcomeKind::Unreachable
                } else {
                    OutcomeKind::Sent
                },
            };
            let delivered = delivered.join("+");
            db.run(move |c| {
                let e = outcome.error.as_str();
                let attempt = match outcome.kind {
                    OutcomeKind::Sent => Attempt::Sent { at: done },
                    OutcomeKind::Unreachable => Attempt::Unreachable { at: done, error: e },
                    OutcomeKind::Retry(at) => Attempt::Retry { at, error: e },
                    OutcomeKind::Failed => Attempt::Failed { at: done, error: e },
                };
                this.finish(c, &n.id, &delivered, attempt)
            })
            .await?;
            attempted += 1;
        }
        Ok(attempted)
    }
}

struct Outcome {
    kind: OutcomeKind,
    error: String,
}

enum OutcomeKind {
    Sent,
    Unreachable,
    Retry(NaiveDateTime),
    Failed,
}

/// The outcome of one delivery attempt.
#[derive(Debug, Clone, Copy)]
pub enum Attempt<'a> {
    Sent { at: NaiveDateTime },
    Unreachable { at: NaiveDateTime, error: &'a str },
    Retry { at: NaiveDateTime, error: &'a str },
    Failed { at: NaiveDateTime, error: &'a str },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_remembers_the_channels_it_reached() {
        let now = chrono::DateTime::UNIX_EPOCH.naive_utc();
        let mut n = Notification::queued("d", "email+sms", "r", "t", &serde_json::json!({}), now);
        assert_eq!(n.pending_channels(), ["email", "sms"]);
        n.delivered = "email".into();
        assert_eq!(n.pending_channels(), ["sms"]);
        n.delivered = "email+sms".into();
        assert!(n.pending_channels().is_empty());
    }
}

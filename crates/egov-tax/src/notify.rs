//! Notifications (filing reminders) through an outbox: queued in the database, delivered by
//! a worker through a [`Notifier`] (an e-mail or SMS gateway in production; the default logs
//! the delivery without personal data), with a lease per attempt and backoff.

use std::time::Duration;

use chrono::Utc;

use crate::Tax;
use crate::store::{self, NotificationRow};

/// A delivery channel (e-mail, SMS, app push) behind one interface.
pub trait Notifier: Send + Sync + 'static {
    fn name(&self) -> &'static str;
    /// Delivers one notification; `Err` is retried with backoff.
    fn deliver(&self, n: &NotificationRow) -> Result<(), String>;
}

/// Logs the delivery: recipient key, template and id, never contact details or amounts.
#[derive(Debug)]
pub struct LogNotifier;

impl Notifier for LogNotifier {
    fn name(&self) -> &'static str {
        "log"
    }

    fn deliver(&self, n: &NotificationRow) -> Result<(), String> {
        tracing::info!(
            notification = %n.id,
            channel = %n.channel,
            template = %n.template,
            recipient = %n.recipient,
            "notification delivered (log provider)"
        );
        Ok(())
    }
}

/// Delivers due notifications until the process stops. The first pass waits one interval
/// (start-up is busy enough), and passes are offset by a third of an interval from the
/// exchange's outbox polls, so the two workers rarely need a database connection at once.
pub async fn run(tax: Tax) {
    let poll = Duration::from_millis(tax.0.settings.tax.notify_poll_ms.max(50));
    tokio::time::sleep(poll + poll / 3).await;
    loop {
        if let Err(e) = deliver_due(&tax).await {
            tracing::warn!(error = %e, "notification delivery pass failed");
        }
        tokio::time::sleep(poll).await;
    }
}

/// One pass: claims each due notification (lease), delivers it, records the outcome.
pub async fn deliver_due(tax: &Tax) -> Result<usize, egov_core::Error> {
    let now = Utc::now().naive_utc();
    let due = tax
        .db()
        .run(move |c| store::due_notifications(c, now, 100))
        .await?;
    let mut sent = 0;
    for n in due {
        let lease = now + chrono::Duration::seconds(60);
        let (id, seen) = (n.id.clone(), n.next_at);
        let claimed = tax
            .db()
            .run(move |c| store::claim_notification(c, &id, seen, lease))
            .await?;
        if !claimed {
            continue;
        }
        let attempts = n.attempts + 1;
        let outcome = tax.0.notifier.deliver(&n);
        let max = i32::try_from(tax.0.settings.tax.notify_max_attempts).unwrap_or(5);
        let id = n.id.clone();
        let done = Utc::now().naive_utc();
        tax.db()
            .run(move |c| match outcome {
                Ok(()) => store::finish_notification(c, &id, "sent", done, Some(done), None),
                Err(e) if attempts >= max => {
                    store::finish_notification(c, &id, "failed", done, None, Some(&e))
                }
                Err(e) => {
                    let backoff = chrono::Duration::seconds(30 * (1 << attempts.min(10)));
                    store::finish_notification(c, &id, "queued", done + backoff, None, Some(&e))
                }
            })
            .await?;
        sent += 1;
    }
    Ok(sent)
}

//! Notifications of every status change, extension and progress notice, through an outbox:
//! queued in the same transaction as the change, delivered by a worker through a
//! [`Notifier`] (an e-mail or SMS gateway in production; the default logs the delivery
//! without personal data), with a lease per attempt and backoff. The same worker queues the
//! progress notices of cases open longer than the pack's threshold.

use std::time::Duration;

use chrono::Utc;

use crate::Petition;
use crate::store::{self, NotificationRow};

/// A delivery channel (e-mail, SMS, app push) behind one interface.
pub trait Notifier: Send + Sync + 'static {
    fn name(&self) -> &'static str;
    /// Delivers one notification; `Err` is retried with backoff.
    fn deliver(&self, n: &NotificationRow) -> Result<(), String>;
}

/// Logs the delivery: recipient key, template and id, never contact details or content.
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

/// Runs until the process stops: progress notices, then due deliveries, every poll.
pub async fn run(p: Petition) {
    let poll = Duration::from_millis(p.0.settings.petition.notify_poll_ms.max(50));
    tokio::time::sleep(poll + poll * 2 / 3).await;
    // Progress notices are due by the day: look for them about once a minute.
    let every = (60_000 / poll.as_millis().max(1)).max(1);
    let mut pass: u128 = 0;
    loop {
        if pass.is_multiple_of(every)
            && let Err(e) = crate::service::progress_notices(&p).await
        {
            tracing::warn!(error = %e, "progress-notice pass failed");
        }
        pass += 1;
        if let Err(e) = deliver_due(&p).await {
            tracing::warn!(error = %e, "notification delivery pass failed");
        }
        tokio::time::sleep(poll).await;
    }
}

/// One pass: claims each due notification (lease), delivers it, records the outcome.
pub async fn deliver_due(p: &Petition) -> Result<usize, egov_core::Error> {
    let now = Utc::now().naive_utc();
    let due = p
        .db()
        .run(move |c| store::due_notifications(c, now, 100))
        .await?;
    let mut sent = 0;
    for n in due {
        let lease = now + chrono::Duration::seconds(60);
        let (id, seen) = (n.id.clone(), n.next_at);
        let claimed = p
            .db()
            .run(move |c| store::claim_notification(c, &id, seen, lease))
            .await?;
        if !claimed {
            continue;
        }
        let attempts = n.attempts + 1;
        let outcome = p.0.notifier.deliver(&n);
        let max = i32::try_from(p.0.settings.petition.notify_max_attempts).unwrap_or(5);
        let id = n.id.clone();
        let done = Utc::now().naive_utc();
        p.db()
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

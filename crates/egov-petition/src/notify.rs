//! Notifications of every status change, extension and progress notice reach applicants
//! through the module's outbox (`store::OUTBOX`), queued in the same transaction as the change
//! and delivered by this worker with the kit's lease, backoff and final failure
//! (`egov_core::outbox`). The same worker queues the progress notices of cases open longer
//! than the pack's threshold and escalates overdue cases up the pack's ladder.

use std::time::Duration;

use crate::Petition;
use crate::store::OUTBOX;

/// Runs until the process stops: progress notices, then due deliveries, every poll.
pub async fn run(p: Petition) {
    let poll = Duration::from_millis(p.0.config.notify_poll_ms.max(50));
    tokio::time::sleep(poll + poll * 2 / 3).await;
    // Progress notices are due by the day: look for them about once a minute.
    let every = (60_000 / poll.as_millis().max(1)).max(1);
    let mut pass: u128 = 0;
    loop {
        if pass.is_multiple_of(every) {
            if let Err(e) = crate::service::progress_notices(&p).await {
                tracing::warn!(error = %e, "progress-notice pass failed");
            }
            if let Err(e) = crate::service::escalate(&p).await {
                tracing::warn!(error = %e, "escalation pass failed");
            }
        }
        pass += 1;
        if let Err(e) = deliver_due(&p).await {
            tracing::warn!(error = %e, "notification delivery pass failed");
        }
        tokio::time::sleep(poll).await;
    }
}

/// One delivery pass.
pub async fn deliver_due(p: &Petition) -> Result<usize, egov_core::Error> {
    OUTBOX
        .deliver_due(
            p.db(),
            p.0.notifier.as_ref(),
            p.0.config.notify_max_attempts,
            &p.0.time,
        )
        .await
}

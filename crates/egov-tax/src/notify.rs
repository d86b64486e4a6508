//! Filing reminders reach taxpayers through the module's outbox (`store::OUTBOX`): queued in
//! the database, delivered by this worker through the process's notifier with the kit's lease,
//! backoff and final failure (`egov_core::outbox`).

use std::time::Duration;

use crate::Tax;
use crate::store::OUTBOX;

/// Delivers due notifications until the process stops. The first pass waits one interval
/// (start-up is busy enough), and passes are offset by a third of an interval from the
/// exchange's outbox polls, so the two workers rarely need a database connection at once.
pub async fn run(tax: Tax) {
    let poll = Duration::from_millis(tax.0.config.notify_poll_ms.max(50));
    tokio::time::sleep(poll + poll / 3).await;
    loop {
        if let Err(e) = deliver_due(&tax).await {
            tracing::warn!(error = %e, "notification delivery pass failed");
        }
        tokio::time::sleep(poll).await;
    }
}

/// One delivery pass.
pub async fn deliver_due(tax: &Tax) -> Result<usize, egov_core::Error> {
    OUTBOX
        .deliver_due(
            tax.db(),
            tax.0.notifier.as_ref(),
            tax.0.config.notify_max_attempts,
            &tax.0.clock,
        )
        .await
}

//! The scheduler ("chronograph"): moves tenders whose time has come — publication to enquiry,
//! enquiry end, deadline, opening time, standstill end. Each move is a conditional update in
//! its own transaction, so with several instances on one database exactly one of them makes
//! it (the others find the tender already moved) and the audit trail shows it once, with the
//! scheduler as actor.

use std::time::Duration;

use crate::{Procurement, service, store};

/// Runs for the life of the process.
pub async fn run(p: Procurement) {
    if p.0.rules.is_none() {
        return;
    }
    let every = Duration::from_millis(p.config().scheduler_ms.max(50));
    loop {
        if let Err(e) = tick(&p).await {
            tracing::warn!(error = %e.problem().code, "procurement scheduler tick failed");
        }
        tokio::time::sleep(every).await;
    }
}

/// One pass: every due transition; returns how many this process made.
pub async fn tick(p: &Procurement) -> Result<usize, egov_core::Error> {
    let now = p.now();
    let due = p.db().run(move |c| store::due(c, now)).await?;
    let mut made = 0;
    for (id, from) in due {
        let q = p.clone();
        match p
            .db()
            .transaction(move |c| service::advance(&q, c, &id, &from))
            .await
        {
            Ok(true) => made += 1,
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e.problem().code, "procurement transition failed"),
        }
    }
    Ok(made)
}

//! The group-commit writer: the message log's appends and the replay-protection inserts of all
//! concurrent requests of this process go through one task, which writes whatever has queued
//! up in one transaction. Each request still waits until its own write is committed (nothing
//! acknowledged is lost), but concurrent requests share a commit instead of queueing for the
//! database's write lock one by one.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use egov_core::{Db, Error};
use tokio::sync::oneshot;

use crate::log::{Entry, Record};
use crate::store::{self, Write, Written};

type Job = (Write, oneshot::Sender<Result<Written, Error>>);

/// Most writes in one transaction.
const BATCH: usize = 256;

/// The handle requests write through. The writer thread ends when the last handle is dropped.
#[derive(Debug)]
pub struct Writer {
    tx: Mutex<std::sync::mpsc::Sender<Job>>,
    /// Every committed record is counted here, by side, service and outcome.
    calls: egov_core::metrics::ExchangeCalls,
}

fn gone() -> Error {
    Error::internal(anyhow::anyhow!("the exchange writer stopped"))
}

impl Writer {
    /// Starts the writer thread: it blocks on the queue, takes what has queued up, and writes
    /// it in one transaction on a pooled connection (one thread hop per write, no async
    /// runtime needed).
    pub fn new(db: Db, calls: egov_core::metrics::ExchangeCalls) -> Self {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let spawned = std::thread::Builder::new()
            .name("exchange-writer".into())
            .spawn(move || {
                while let Ok(first) = rx.recv() {
                    let mut jobs = vec![first];
                    while jobs.len() < BATCH {
                        match rx.try_recv() {
                            Ok(j) => jobs.push(j),
                            Err(_) => break,
                        }
                    }
                    let (writes, replies): (Vec<Write>, Vec<_>) = jobs.into_iter().unzip();
                    let result = db
                        .get_blocking()
                        .map_err(|e| Error::internal(anyhow::anyhow!("{e}")))
                        .and_then(|mut c| store::write_batch(&mut c, &writes));
                    match result {
                        Ok(results) => {
                            for (reply, r) in replies.into_iter().zip(results) {
                                let _ = reply.send(r);
                            }
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "exchange writer batch failed");
                            for reply in replies {
                                let _ = reply.send(Err(Error::internal(anyhow::anyhow!(
                                    "the exchange could not write: {e}"
                                ))));
                            }
                        }
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the exchange writer thread");
        }
        Self {
            tx: Mutex::new(tx),
            calls,
        }
    }

    async fn write(&self, w: Write) -> Result<Written, Error> {
        let (reply, wait) = oneshot::channel();
        self.tx
            .lock()
            .map_err(|_| gone())?
            .send((w, reply))
            .map_err(|_| gone())?;
        wait.await.map_err(|_| gone())?
    }

    /// Appends a log record; returns it once committed.
    pub async fn append(&self, entry: Entry, now: DateTime<Utc>) -> Result<Record, Error> {
        self.append_claiming(entry, now, None)
            .await?
            .ok_or_else(gone)
    }

    /// Appends a log record if `claim` (client, message id, window) is a new message id;
    /// `None` when it is a replay (nothing appended).
    pub async fn append_claiming(
        &self,
        entry: Entry,
        now: DateTime<Utc>,
        claim: Option<(String, String, u64)>,
    ) -> Result<Option<Record>, Error> {
        match self
            .write(Write::Append {
                entry: Box::new(entry),
                now,
                claim,
            })
            .await?
        {
            Written::Appended(r) => {
                self.calls
                    .count(r.entry.side.as_str(), &r.entry.service, &r.entry.outcome);
                Ok(Some(*r))
            }
            Written::Duplicate => Ok(None),
        }
    }
}

//! The one way a module records an access to personal data: [`Recorder`] is built once per
//! module (its database, its name, the trusted proxies that say where a request came from),
//! and [`Recorder::reader`] captures who is reading from the request. Every read of a
//! person's data goes through [`Reader::record`] before the data is answered; an access that
//! cannot be recorded is refused (fail closed).

use actix_web::{HttpMessage as _, HttpRequest};
use egov_core::{Db, Error};

use crate::{AccessEntry, Action, Principal, SubjectKey};

/// A module's access recorder.
#[derive(Debug, Clone)]
pub struct Recorder {
    db: Db,
    module: &'static str,
    trusted: std::sync::Arc<[ipnet::IpNet]>,
}

impl Recorder {
    pub fn new(db: Db, module: &'static str, trusted: Vec<ipnet::IpNet>) -> Self {
        Self {
            db,
            module,
            trusted: trusted.into(),
        }
    }

    /// Who reads, from where, in which request.
    pub fn reader(&self, req: &HttpRequest, who: &Principal) -> Reader {
        Reader {
            recorder: self.clone(),
            actor: who.subject.clone(),
            source_ip: self.source_ip(req),
            request_id: req
                .extensions()
                .get::<egov_core::request::RequestId>()
                .map(|r| r.0.clone()),
        }
    }

    /// The request's source address, through the trusted proxies.
    pub fn source_ip(&self, req: &HttpRequest) -> String {
        egov_core::request::source_ip(req, &self.trusted)
    }
}

/// One reader of personal data in one request.
#[derive(Debug, Clone)]
pub struct Reader {
    recorder: Recorder,
    /// The reader's account id.
    pub actor: String,
    pub source_ip: String,
    pub request_id: Option<String>,
}

impl Reader {
    /// Records one access to `subject`'s data, with the purpose the reader gave.
    pub async fn record(
        &self,
        subject: SubjectKey,
        action: Action,
        purpose: &str,
        record_ref: Option<String>,
    ) -> Result<(), Error> {
        crate::record(
            &self.recorder.db,
            AccessEntry {
                actor: self.actor.clone(),
                source_ip: self.source_ip.clone(),
                subject,
                action,
                purpose: purpose.to_owned(),
                module: self.recorder.module.to_owned(),
                record_ref,
                request_id: self.request_id.clone(),
            },
        )
        .await
        .map(|_| ())
        .map_err(|e| {
            if e.code().status >= 500 {
                // Fail closed with a code that says why nothing was shown.
                Error::new(crate::errors::ACCESS_LOG_UNAVAILABLE)
                    .retry_after(5)
                    .source_error(anyhow::anyhow!("{}", e.code().code))
            } else {
                e
            }
        })
    }

    /// Records one access for each subject (a record about several people).
    pub async fn record_each(
        &self,
        subjects: impl IntoIterator<Item = SubjectKey>,
        action: Action,
        purpose: &str,
        record_ref: Option<String>,
    ) -> Result<(), Error> {
        for s in subjects {
            self.record(s, action, purpose, record_ref.clone()).await?;
        }
        Ok(())
    }
}

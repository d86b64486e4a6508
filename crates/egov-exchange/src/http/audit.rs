//! The message log for auditors: chain verification, search and evidence bundles.

use super::LogReader;
use crate::Exchange;
use crate::errors;
use crate::evidence::{self, Bundle};
use crate::keys::Jwk;
use crate::log::{Record, Verification};
use crate::store::{self};
use actix_web::{HttpRequest, get, web};
use chrono::{DateTime, Utc};
use egov_auth::{Action, Authorized, SubjectKey};
use egov_core::Error;
use egov_core::error::codes;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Verifies the message log's hash chain (the same check as `egov exchange verify-log`).
#[utoipa::path(
    tag = "exchange",
    responses((status = 200, description = "The result", body = crate::log::Verification)),
    security(("bearer" = ["kind:platform_admin", "kind:auditor", "aal:2"])),
)]
#[get("/audit/verify")]
pub async fn verify_log(
    _auth: Authorized<LogReader>,
    exchange: web::Data<Exchange>,
) -> Result<web::Json<Verification>, Error> {
    Ok(web::Json(exchange.db().run(store::verify).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LogQuery {
    /// Only records of this `X-Road-Id`.
    pub message_id: Option<String>,
    /// Records before this sequence number (paging, newest first).
    pub before: Option<i64>,
    /// 1 to 500, default 50.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// A log record without bodies, as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogLine {
    pub seq: i64,
    pub recorded_at: DateTime<Utc>,
    pub side: String,
    pub message_id: String,
    pub client: String,
    pub service: String,
    pub purpose: String,
    pub basis: Option<String>,
    pub consent: Option<String>,
    pub response_status: u16,
    pub outcome: String,
    pub error_type: Option<String>,
    pub items_released: Vec<String>,
    pub items_stripped: Vec<String>,
    pub mode: String,
    pub hash: String,
}

impl From<Record> for LogLine {
    fn from(r: Record) -> Self {
        let e = r.entry;
        Self {
            seq: r.seq,
            recorded_at: r.recorded_at,
            side: e.side.as_str().to_owned(),
            message_id: e.message_id,
            client: e.client,
            service: e.service,
            purpose: e.purpose,
            basis: e.basis,
            consent: e.consent,
            response_status: e.response_status,
            outcome: e.outcome,
            error_type: e.error_type,
            items_released: e.items_released,
            items_stripped: e.items_stripped,
            mode: e.mode,
            hash: r.hash,
        }
    }
}

pub(crate) fn limit_of(limit: Option<i64>) -> Result<i64, Error> {
    let l = limit.unwrap_or(50);
    if !(1..=500).contains(&l) {
        return Err(Error::with_detail(
            codes::INVALID_PARAMETER,
            "limit must be between 1 and 500",
        ));
    }
    Ok(l)
}

egov_core::problems!(SearchLogErrors:
    egov_core::error::codes::INVALID_PARAMETER,
);

/// Message log records (metadata, no bodies), newest first.
#[utoipa::path(
    tag = "exchange",
    params(LogQuery),
    responses(
        (status = 200, description = "Records", body = Vec<LogLine>),
        SearchLogErrors,
    ),
    security(("bearer" = ["kind:platform_admin", "kind:auditor", "aal:2"])),
)]
#[get("/audit/log")]
pub async fn search_log(
    _auth: Authorized<LogReader>,
    exchange: web::Data<Exchange>,
    q: web::Query<LogQuery>,
) -> Result<web::Json<Vec<LogLine>>, Error> {
    let q = q.into_inner();
    let limit = limit_of(q.limit)?;
    let rows = exchange
        .db()
        .run(move |c| store::records(c, q.message_id.as_deref(), None, q.before, limit))
        .await?;
    Ok(web::Json(rows.into_iter().map(Into::into).collect()))
}

/// Builds the evidence bundle of record `seq` (also used by the CLI).
pub async fn bundle(exchange: &Exchange, seq: i64) -> Result<Bundle, Error> {
    let (record, chain_head) = exchange
        .db()
        .run(move |c| Ok((store::record(c, seq)?, store::head(c)?)))
        .await?;
    let record = record.ok_or_else(|| Error::new(errors::RECORD_NOT_FOUND))?;
    let mut keys = Vec::new();
    for sig in [
        &record.entry.request_signature,
        &record.entry.response_signature,
    ]
    .into_iter()
    .flatten()
    {
        let Ok(h) = crate::signature::header(sig) else {
            continue;
        };
        if let Some((_, key)) = exchange.keys().resolve(&h.kid).await
            && !keys.iter().any(|k: &Jwk| k.kid == h.kid)
        {
            keys.push(Jwk {
                kty: "OKP".into(),
                crv: "Ed25519".into(),
                kid: h.kid.clone(),
                x: base64::Engine::encode(
                    &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                    key.to_bytes(),
                ),
                exp: None,
            });
        }
    }
    Ok(Bundle {
        format: evidence::FORMAT.into(),
        exported_by: exchange.member().to_string(),
        exported_at: Utc::now(),
        chain_head,
        record,
        keys,
    })
}

egov_core::problems!(ExportEvidenceErrors:
    crate::errors::RECORD_NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// The evidence bundle of one exchange: the full log record with the keys that signed it,
/// verifiable offline (`egov exchange verify-evidence`). Recorded on the person's access log.
#[utoipa::path(
    tag = "exchange",
    params(("seq" = i64, Path, description = "Log record sequence number")),
    responses(
        (status = 200, description = "The bundle", body = Bundle),
        ExportEvidenceErrors,
    ),
    security(("bearer" = ["kind:platform_admin", "kind:auditor", "aal:2"])),
)]
#[get("/audit/evidence/{seq}")]
pub async fn export_evidence(
    auth: Authorized<LogReader>,
    exchange: web::Data<Exchange>,
    seq: web::Path<i64>,
    req: HttpRequest,
) -> Result<web::Json<Bundle>, Error> {
    let b = bundle(&exchange, seq.into_inner()).await?;
    if let Some(subject) = &b.record.entry.subject
        && exchange.0.access_log_here
    {
        exchange
            .0
            .recorder
            .reader(&req, &auth)
            .record(
                SubjectKey::from_stored(subject.clone()),
                Action::Download,
                "exchange.evidence",
                Some(b.record.entry.message_id.clone()),
            )
            .await?;
    }
    Ok(web::Json(b))
}

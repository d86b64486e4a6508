//! The dead-letter list of a module's outbox, for platform admins: notices that failed for
//! good or had no address, and putting one back in the queue. Each module mounts two thin
//! routes over these (`GET …/admin/notifications`, `POST …/admin/notifications/{id}/retry`).
//! Every listing and retry is recorded in the access log of each recipient it shows.

use chrono::{DateTime, NaiveDateTime, Utc};
use egov_auth::{Action, Reader, SubjectKey};
use egov_core::error::codes;
use egov_core::outbox::{Notification, Outbox};
use egov_core::{Db, Error};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The statuses a listing may ask for.
const STATUSES: &[&str] = &["failed", "unreachable", "queued", "sent"];

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NoticeQuery {
    /// `failed` (the dead-letter list, the default), `unreachable` (no address on any
    /// channel), `queued` or `sent`.
    #[param(inline, value_type = Option<String>, pattern = "^(failed|unreachable|queued|sent)$")]
    pub status: Option<String>,
    /// At most this many, newest first (1 to 500, default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// A notice as admins see it: whom (the recipient's pseudonymous key), which template, where
/// it stands, never its content or the recipient's address.
#[derive(Debug, Serialize, ToSchema)]
pub struct Notice {
    pub id: String,
    /// `email`, `sms` or `email+sms`.
    pub channel: String,
    /// The channels already delivered.
    pub delivered: String,
    /// The recipient's subject key (a person key or `business:<number>`).
    pub recipient: String,
    pub template: String,
    /// `queued`, `sent`, `failed` or `unreachable`.
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<Notification> for Notice {
    fn from(n: Notification) -> Self {
        let utc = |t: NaiveDateTime| t.and_utc();
        Self {
            id: n.id,
            channel: n.channel,
            delivered: n.delivered,
            recipient: n.recipient,
            template: n.template,
            status: n.status,
            attempts: n.attempts,
            next_attempt_at: utc(n.next_at),
            last_error: n.last_error,
            sent_at: n.sent_at.map(utc),
            created_at: utc(n.created_at),
        }
    }
}

/// Notices of `outbox` in the asked status; each recipient shown gets an access-log entry.
pub async fn list(
    db: &Db,
    outbox: Outbox,
    reader: &Reader,
    q: NoticeQuery,
) -> Result<Vec<Notice>, Error> {
    let status = q.status.unwrap_or_else(|| "failed".into());
    if !STATUSES.contains(&status.as_str()) {
        return Err(Error::invalid_field(
            "/status",
            "failed, unreachable, queued or sent",
        ));
    }
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(Error::invalid_field("/limit", "from 1 to 500"));
    }
    let rows = db
        .run(move |c| outbox.with_status(c, &status, limit))
        .await?;
    let mut recipients: Vec<String> = rows.iter().map(|n| n.recipient.clone()).collect();
    recipients.sort();
    recipients.dedup();
    reader
        .record_each(
            recipients.into_iter().map(SubjectKey::from_stored),
            Action::View,
            "notification delivery: reviewing notices that did not reach the person",
            None,
        )
        .await?;
    Ok(rows.into_iter().map(Notice::from).collect())
}

/// Puts a `failed` or `unreachable` notice back in the queue (its attempts start again).
pub async fn retry(
    db: &Db,
    outbox: Outbox,
    reader: &Reader,
    id: String,
    now: NaiveDateTime,
) -> Result<Notice, Error> {
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(Error::invalid_field("/id", "a notice id"));
    }
    let row = db
        .transaction(move |c| {
            let Some(n) = outbox.find(c, &id)? else {
                return Ok(None);
            };
            if !outbox.retry(c, &id, now)? {
                return Ok(None);
            }
            Ok(Some(Notification {
                status: "queued".into(),
                attempts: 0,
                next_at: now,
                ..n
            }))
        })
        .await?
        .ok_or_else(|| {
            Error::with_detail(
                codes::NOT_FOUND,
                "no failed or unreachable notice with this id",
            )
        })?;
    reader
        .record(
            SubjectKey::from_stored(row.recipient.clone()),
            Action::Change,
            "notification delivery: sending a notice again",
            Some(row.id.clone()),
        )
        .await?;
    Ok(row.into())
}

/// The two admin routes of a module's dead-letter list, `GET /admin/notifications` and
/// `POST /admin/notifications/{id}/retry` (platform admins at aal2), written once for every
/// module: `egov_notify::admin_routes!(crate::Petition, crate::store::OUTBOX, "petition");`
/// in the module's `http/notifications.rs`. The module type needs `db()`, `now()` and a
/// `recorder` field reachable as `.0.recorder` where the macro expands.
#[macro_export]
macro_rules! admin_routes {
    ($module:ty, $outbox:path, $tag:tt) => {
        // utoipa finds the method by the attribute's own name.
        use actix_web::{get, post};

        egov_core::problems!(ListNoticesErrors:
            egov_core::error::codes::VALIDATION_FAILED,
            egov_auth::errors::ACCESS_LOG_UNAVAILABLE,
        );

        /// Notices by status; the default, `failed`, is the dead-letter list (recorded in each
        /// recipient's access log).
        #[utoipa::path(
            tag = $tag,
            params($crate::admin::NoticeQuery),
            responses(
                (status = 200, description = "Notices, newest first", body = Vec<$crate::admin::Notice>),
                ListNoticesErrors,
            ),
            security(("bearer" = ["kind:platform_admin", "aal:2"])),
        )]
        #[get("/admin/notifications")]
        pub async fn list_notifications(
            req: actix_web::HttpRequest,
            auth: egov_auth::Authorized<egov_auth::principal::policies::PlatformAdmin>,
            m: actix_web::web::Data<$module>,
            q: actix_web::web::Query<$crate::admin::NoticeQuery>,
        ) -> Result<actix_web::web::Json<Vec<$crate::admin::Notice>>, egov_core::Error> {
            let reader = m.0.recorder.reader(&req, &auth);
            Ok(actix_web::web::Json(
                $crate::admin::list(m.db(), $outbox, &reader, q.into_inner()).await?,
            ))
        }

        egov_core::problems!(RetryNoticeErrors:
            egov_core::error::codes::NOT_FOUND,
            egov_core::error::codes::VALIDATION_FAILED,
            egov_auth::errors::ACCESS_LOG_UNAVAILABLE,
        );

        /// Puts a failed or unreachable notice back in the queue; its attempts start again and
        /// the channels it already reached are not sent again.
        #[utoipa::path(
            tag = $tag,
            params(("id" = String, Path, description = "The notice's id",
                pattern = "^[A-Za-z0-9-]{1,64}$")),
            responses(
                (status = 200, description = "Queued again", body = $crate::admin::Notice),
                RetryNoticeErrors,
            ),
            security(("bearer" = ["kind:platform_admin", "aal:2"])),
        )]
        #[post("/admin/notifications/{id}/retry")]
        pub async fn retry_notification(
            req: actix_web::HttpRequest,
            auth: egov_auth::Authorized<egov_auth::principal::policies::PlatformAdmin>,
            m: actix_web::web::Data<$module>,
            id: actix_web::web::Path<String>,
        ) -> Result<actix_web::web::Json<$crate::admin::Notice>, egov_core::Error> {
            let reader = m.0.recorder.reader(&req, &auth);
            let now = m.now();
            Ok(actix_web::web::Json(
                $crate::admin::retry(m.db(), $outbox, &reader, id.into_inner(), now).await?,
            ))
        }
    };
}

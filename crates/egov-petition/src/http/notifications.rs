//! The module's notices that did not reach people (the outbox's dead-letter list), for
//! platform admins: list them, and send one again once its cause is fixed (an address
//! corrected, the mail server back). See `egov_notify::admin`.

use actix_web::{HttpRequest, get, post, web};
use egov_auth::Authorized;
use egov_auth::principal::policies::PlatformAdmin;
use egov_core::Error;
use egov_notify::admin::{self, Notice, NoticeQuery};

use crate::Petition as MODULE;
use crate::store::OUTBOX;

egov_core::problems!(ListNoticesErrors:
    egov_core::error::codes::VALIDATION_FAILED,
    egov_auth::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Notices by status; the default, `failed`, is the dead-letter list (recorded in each
/// recipient's access log).
#[utoipa::path(
    tag = "petition",
    params(NoticeQuery),
    responses(
        (status = 200, description = "Notices, newest first", body = Vec<Notice>),
        ListNoticesErrors,
    ),
    security(("bearer" = ["kind:platform_admin", "aal:2"])),
)]
#[get("/admin/notifications")]
pub async fn list_notifications(
    req: HttpRequest,
    auth: Authorized<PlatformAdmin>,
    m: web::Data<MODULE>,
    q: web::Query<NoticeQuery>,
) -> Result<web::Json<Vec<Notice>>, Error> {
    let reader = m.0.recorder.reader(&req, &auth);
    Ok(web::Json(
        admin::list(m.db(), OUTBOX, &reader, q.into_inner()).await?,
    ))
}

egov_core::problems!(RetryNoticeErrors:
    egov_core::error::codes::NOT_FOUND,
    egov_core::error::codes::VALIDATION_FAILED,
    egov_auth::errors::ACCESS_LOG_UNAVAILABLE,
);

/// Puts a failed or unreachable notice back in the queue; its attempts start again and the
/// channels it already reached are not sent again.
#[utoipa::path(
    tag = "petition",
    params(("id" = String, Path, description = "The notice's id")),
    responses(
        (status = 200, description = "Queued again", body = Notice),
        RetryNoticeErrors,
    ),
    security(("bearer" = ["kind:platform_admin", "aal:2"])),
)]
#[post("/admin/notifications/{id}/retry")]
pub async fn retry_notification(
    req: HttpRequest,
    auth: Authorized<PlatformAdmin>,
    m: web::Data<MODULE>,
    id: web::Path<String>,
) -> Result<web::Json<Notice>, Error> {
    let reader = m.0.recorder.reader(&req, &auth);
    let now = m.now();
    Ok(web::Json(
        admin::retry(m.db(), OUTBOX, &reader, id.into_inner(), now).await?,
    ))
}

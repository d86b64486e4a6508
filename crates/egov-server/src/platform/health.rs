//! Liveness, readiness and metrics: what an orchestrator and a monitoring system poll.

use actix_web::{HttpResponse, get, web};
use egov_core::metrics::HttpMetrics;
use egov_core::{Db, Error, codes};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Live {
    /// Always `ok` when the process answers.
    pub status: &'static str,
    /// egov version.
    pub version: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Ready {
    /// `ok` when every dependency answers.
    pub status: &'static str,
    /// Database backend in use: `sqlite` or `postgres`.
    pub database: &'static str,
}

/// The process is alive (it does not check dependencies).
#[utoipa::path(
    tag = "platform",
    responses((status = 200, description = "Alive", body = Live)),
    security(()),
)]
#[get("/health/live")]
pub async fn live() -> web::Json<Live> {
    web::Json(alive())
}

fn alive() -> Live {
    Live {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    }
}

/// The process has finished starting (migrations applied, packs loaded).
#[utoipa::path(
    tag = "platform",
    responses((status = 200, description = "Started", body = Live)),
    security(()),
)]
#[get("/health/started")]
pub async fn started() -> web::Json<Live> {
    // The server binds its port only after start-up work is done, so answering means started.
    web::Json(alive())
}

egov_core::problems!(ReadyErrors:
    egov_core::error::codes::DATABASE_UNAVAILABLE,
);

/// The process can serve traffic: the database answers.
#[utoipa::path(
    tag = "platform",
    responses(
        (status = 200, description = "Ready", body = Ready),
        ReadyErrors,
    ),
    security(()),
)]
#[get("/health/ready")]
pub async fn ready(db: web::Data<Db>) -> Result<web::Json<Ready>, Error> {
    match db.ping().await {
        Ok(()) => Ok(web::Json(Ready {
            status: "ok",
            database: db.backend().name(),
        })),
        Err(e) => {
            tracing::warn!(error = %e, source = ?std::error::Error::source(&e), "readiness: database check failed");
            Err(
                Error::with_detail(codes::DATABASE_UNAVAILABLE, "the database does not answer")
                    .retry_after(5),
            )
        }
    }
}

egov_core::problems!(MetricsErrors:
    egov_core::error::codes::UNAUTHORIZED,
);

/// Prometheus metrics in the text exposition format. Labels carry route templates, never
/// personal data. With `server.metrics_token` set, the scraper sends
/// `Authorization: Bearer <token>`; without one the path is open only when
/// `server.metrics_public` (local development; production refuses to start without a token).
#[utoipa::path(
    tag = "platform",
    responses(
        (status = 200, description = "Metrics", body = String, content_type = "text/plain"),
        MetricsErrors,
    ),
    security(()),
)]
#[get("/metrics")]
pub async fn metrics(
    req: actix_web::HttpRequest,
    metrics: web::Data<HttpMetrics>,
    db: web::Data<Db>,
    settings: web::Data<egov_core::Settings>,
) -> Result<HttpResponse, Error> {
    if let Some(token) = &settings.server.metrics_token {
        let given = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        if !egov_core::digest::same(given.as_bytes(), token.expose().as_bytes()) {
            return Err(Error::with_detail(
                codes::UNAUTHORIZED,
                "send the metrics token: Authorization: Bearer <server.metrics_token>",
            ));
        }
    } else if !settings.server.metrics_public {
        return Err(Error::with_detail(
            codes::UNAUTHORIZED,
            "metrics need server.metrics_token",
        ));
    }
    let (connections, idle) = db.pool_state();
    metrics.set_pool_state(connections, idle);
    let body = metrics.render().map_err(Error::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(body))
}

//! The gateway: every module's exchange services at `/r1/...`.

use crate::Exchange;
use crate::provider::Incoming;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use egov_core::request::RawBody;

pub(crate) async fn gateway(
    req: HttpRequest,
    body: web::Bytes,
    exchange: web::Data<Exchange>,
) -> HttpResponse {
    let incoming = Incoming {
        method: req.method().as_str().to_owned(),
        path: req
            .uri()
            .path_and_query()
            .map_or_else(|| req.path().to_owned(), |p| p.as_str().to_owned()),
        headers: req
            .headers()
            .iter()
            .filter_map(|(n, v)| {
                v.to_str()
                    .ok()
                    .map(|v| (n.as_str().to_owned(), v.to_owned()))
            })
            .collect(),
        body: body.to_vec(),
        peer: req.peer_addr().map(|peer| {
            egov_core::request::client_ip(
                peer.ip(),
                req.headers()
                    .get("x-forwarded-for")
                    .and_then(|v| v.to_str().ok()),
                &exchange.0.trusted_proxies,
            )
        }),
    };
    let out = exchange.handle(incoming).await;
    let mut res = HttpResponse::build(
        actix_web::http::StatusCode::from_u16(out.status)
            .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR),
    );
    for (n, v) in out.headers {
        res.insert_header((n, v));
    }
    let mut res = res.body(out.body);
    // Refusals of requests a Security Server delivered carry X-Road's error body, and a
    // service's own refusal its own: neither is turned into a generic problem.
    res.extensions_mut().insert(egov_core::error::OwnErrorBody);
    res
}

/// Calls a service through this deployment's gateway (X-Road message protocol for REST):
/// `GET|POST /r1/INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE[/path]`. Authenticated by the
/// message signature (`X-Egov-Signature`), not by a bearer token, or, behind an X-Road
/// Security Server (`exchange.security_servers`), by the Security Server; see
/// `docs/exchange/README.md`. Refusals of signed requests carry `X-Road-Error` and an X-Road
/// error type; those of requests a Security Server delivered, X-Road's error body
/// `{type, message, detail}`. Every subsystem answers the X-Road metaservices `listMethods`,
/// `allowedMethods` and `getOpenAPI?serviceCode=`.
#[utoipa::path(
    tag = "exchange",
    params(("service_path" = String, Path, description = "INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE[/path]")),
    responses(
        (status = 200, description = "The service's signed answer", body = Object),
        crate::errors::GatewayFaults,
    ),
    security(()),
)]
#[get("/r1/{service_path:.*}")]
pub async fn gateway_get(
    req: HttpRequest,
    body: RawBody,
    exchange: web::Data<Exchange>,
) -> HttpResponse {
    gateway(req, body.0, exchange).await
}

/// Calls a service through this deployment's gateway with a JSON payload (see the GET form).
#[utoipa::path(
    tag = "exchange",
    params(("service_path" = String, Path, description = "INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE[/path]")),
    request_body(content = Object, content_type = "application/json"),
    responses(
        (status = 200, description = "The service's signed answer", body = Object),
        crate::errors::GatewayFaults,
    ),
    security(()),
)]
#[post("/r1/{service_path:.*}")]
pub async fn gateway_post(
    req: HttpRequest,
    body: RawBody,
    exchange: web::Data<Exchange>,
) -> HttpResponse {
    gateway(req, body.0, exchange).await
}

/// A PUT through the gateway: checked, logged and answered like the other methods (the
/// services are called with GET or POST, so a PUT to one is a 405 with `Allow`).
#[utoipa::path(
    tag = "exchange",
    params(("service_path" = String, Path, description = "INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE[/path]")),
    request_body(content = Object, content_type = "application/json"),
    responses(
        (status = 200, description = "The service's signed answer", body = Object),
        crate::errors::GatewayFaults,
    ),
    security(()),
)]
#[put("/r1/{service_path:.*}")]
pub async fn gateway_put(
    req: HttpRequest,
    body: RawBody,
    exchange: web::Data<Exchange>,
) -> HttpResponse {
    gateway(req, body.0, exchange).await
}

/// A DELETE through the gateway (see the PUT form).
#[utoipa::path(
    tag = "exchange",
    params(("service_path" = String, Path, description = "INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE[/path]")),
    responses(
        (status = 200, description = "The service's signed answer", body = Object),
        crate::errors::GatewayFaults,
    ),
    security(()),
)]
#[delete("/r1/{service_path:.*}")]
pub async fn gateway_delete(
    req: HttpRequest,
    body: RawBody,
    exchange: web::Data<Exchange>,
) -> HttpResponse {
    gateway(req, body.0, exchange).await
}

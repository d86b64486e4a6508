//! What happens around every request: a request id (accepted from `X-Request-Id` or generated),
//! a tracing span that puts it in every log line, the duration histogram, an access-log line,
//! and the guarantee that every error leaves as problem+json — including errors that actix
//! produces itself (unknown route, wrong method, malformed JSON, wrong content type, oversized
//! body).

use std::future::{Ready, ready};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ResourceDef, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::error::{
    InternalError, JsonPayloadError, PathError, PayloadError, QueryPayloadError,
};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError, web};
use futures_util::future::LocalBoxFuture;
use tracing::Instrument;

use crate::error::{Error, PROBLEM_JSON, codes};
use crate::metrics::HttpMetrics;
use crate::telemetry::{AccessLog, AccessRecord};

/// Header that carries the request id in and out.
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// What error bodies and logs need to know about the request being served.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub request_id: String,
    pub path: String,
    /// The caller's `Accept-Language`, when sent, and the titles to answer problems with.
    pub languages: Option<(HeaderValue, Arc<dyn crate::error::ProblemTitles>)>,
}

tokio::task_local! {
    static CURRENT: RequestContext;
}

/// The request being served on this task, if any.
pub fn current_request() -> Option<RequestContext> {
    CURRENT.try_with(Clone::clone).ok()
}

/// Extractor for the request id, for handlers that pass it on (to the exchange, say).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

impl FromRequest for RequestId {
    type Error = Error;
    type Future = Ready<Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<RequestId>()
                .cloned()
                .ok_or_else(|| Error::internal(anyhow::anyhow!("request id middleware missing"))),
        )
    }
}

/// Accepts a caller's id only if it is short and plain, so it is safe in logs and headers.
fn acceptable_request_id(value: &HeaderValue) -> Option<String> {
    let s = value.to_str().ok()?;
    let ok = !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
    ok.then(|| s.to_owned())
}

/// The middleware. Wrap it outermost so that it sees every response.
#[derive(Debug, Clone)]
pub struct Telemetry {
    metrics: Arc<HttpMetrics>,
    access_log: Option<AccessLog>,
    titles: Option<Arc<dyn crate::error::ProblemTitles>>,
}

impl Telemetry {
    pub fn new(metrics: Arc<HttpMetrics>, access_log: Option<AccessLog>) -> Self {
        Self {
            metrics,
            access_log,
            titles: None,
        }
    }

    /// Problem titles in the languages of the country pack, chosen by `Accept-Language`.
    pub fn with_titles(mut self, titles: Arc<dyn crate::error::ProblemTitles>) -> Self {
        self.titles = Some(titles);
        self
    }
}

impl<S, B> Transform<S, ServiceRequest> for Telemetry
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = TelemetryMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(TelemetryMiddleware {
            service: Rc::new(service),
            metrics: self.metrics.clone(),
            access_log: self.access_log.clone(),
            titles: self.titles.clone(),
        }))
    }
}

#[derive(Debug)]
pub struct TelemetryMiddleware<S> {
    service: Rc<S>,
    metrics: Arc<HttpMetrics>,
    access_log: Option<AccessLog>,
    titles: Option<Arc<dyn crate::error::ProblemTitles>>,
}

impl<S, B> Service<ServiceRequest> for TelemetryMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let started = Instant::now();
        let request_id = req
            .headers()
            .get(&REQUEST_ID_HEADER)
            .and_then(acceptable_request_id)
            .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        req.extensions_mut().insert(RequestId(request_id.clone()));
        // Untraced, only the id goes on the span (formatted once per request; method and path
        // are on the access-log line).
        let span = if crate::traces::enabled() {
            // Traced: the span is the request's OpenTelemetry server span, the caller's
            // traceparent its parent; route and status are recorded when known.
            // The route template from the app's resource map (the name is fixed once a child
            // span exists, so it is given now, not when the handler has run).
            let route = req.match_pattern();
            let route = route.as_deref().unwrap_or("unmatched");
            let span = tracing::info_span!(
                "request",
                request_id = request_id.as_str(),
                otel.name = format!("{} {route}", req.method()).as_str(),
                otel.kind = "server",
                otel.status_code = tracing::field::Empty,
                http.request.method = req.method().as_str(),
                url.path = req.path(),
                http.route = route,
                http.response.status_code = tracing::field::Empty,
            );
            crate::traces::set_parent_from(&span, req.headers());
            span
        } else {
            tracing::info_span!("request", request_id = request_id.as_str())
        };
        // The header is kept only when it is sent and short (problems are answered in it); a
        // header value's clone shares its bytes, and it is read only when a problem is.
        let languages = self.titles.as_ref().and_then(|t| {
            let accept = req.headers().get(header::ACCEPT_LANGUAGE)?;
            (accept.len() <= 200).then(|| (accept.clone(), t.clone()))
        });
        let ctx = RequestContext {
            request_id,
            path: req.path().to_owned(),
            languages,
        };
        let service = self.service.clone();
        let metrics = self.metrics.clone();
        let mut access_log = self.access_log.clone();
        let method = req.method().clone();

        Box::pin(
            async move {
                let outcome = CURRENT.scope(ctx.clone(), service.call(req)).await;
                let res = match outcome {
                    Ok(res) => res,
                    // An error that escaped every handler (from a middleware, say). The request
                    // is gone with it, so answer through the error itself.
                    Err(err) => {
                        let mut response = CURRENT.sync_scope(ctx.clone(), || as_problem(&err));
                        if let Ok(v) = HeaderValue::from_str(&ctx.request_id) {
                            response.headers_mut().insert(REQUEST_ID_HEADER, v);
                        }
                        let status = response.status().as_u16();
                        metrics.observe(method.as_str(), "unmatched", status, started.elapsed());
                        return Err(InternalError::from_response(err, response).into());
                    }
                };
                let res = if needs_problem_body(&res) {
                    let status = res.status().as_u16();
                    let problem = Error::new(codes::for_status(status));
                    let mut response = CURRENT.sync_scope(ctx.clone(), || problem.error_response());
                    // Keep what inner layers said (Allow, Retry-After, security headers); only
                    // the body and its description change.
                    for (name, value) in res.headers() {
                        if name != header::CONTENT_TYPE
                            && name != header::CONTENT_LENGTH
                            && !response.headers().contains_key(name)
                        {
                            response.headers_mut().append(name.clone(), value.clone());
                        }
                    }
                    let (req, _) = res.into_parts();
                    ServiceResponse::new(req, response).map_into_right_body()
                } else {
                    res.map_into_left_body()
                };
                Ok(finish(res, &ctx, &metrics, started, access_log.as_mut()))
            }
            .instrument(span),
        )
    }
}

fn as_problem(err: &actix_web::Error) -> HttpResponse {
    if let Some(e) = err.as_error::<Error>() {
        return e.error_response();
    }
    let status = err.as_response_error().status_code();
    let mut problem = Error::new(codes::for_status(status.as_u16()));
    if status.is_server_error() {
        problem = problem.source_error(anyhow::anyhow!("{err}"));
    }
    problem.error_response()
}

/// An error answer that is neither problem+json nor a page's own error page (HTML, in the
/// person's language) gets a problem+json body.
fn needs_problem_body<B>(res: &ServiceResponse<B>) -> bool {
    let status = res.status();
    (status.is_client_error() || status.is_server_error())
        && res
            .response()
            .extensions()
            .get::<crate::error::OwnErrorBody>()
            .is_none()
        && res.headers().get(header::CONTENT_TYPE).is_none_or(|ct| {
            ct.as_bytes() != PROBLEM_JSON.as_bytes() && !ct.as_bytes().starts_with(b"text/html")
        })
}

fn finish<B>(
    mut res: ServiceResponse<B>,
    ctx: &RequestContext,
    metrics: &HttpMetrics,
    started: Instant,
    access_log: Option<&mut AccessLog>,
) -> ServiceResponse<B> {
    if let Ok(v) = HeaderValue::from_str(&ctx.request_id) {
        res.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    let elapsed = started.elapsed();
    let status = res.status().as_u16();
    let route = res.request().match_pattern();
    let route = route.as_deref().unwrap_or("unmatched");
    metrics.observe(res.request().method().as_str(), route, status, elapsed);
    if crate::traces::enabled() {
        let span = tracing::Span::current();
        span.record("http.response.status_code", status);
        if status >= 500 {
            span.record("otel.status_code", "ERROR");
        }
    }
    if let Some(log) = access_log {
        log.record(&AccessRecord {
            method: res.request().method().as_str(),
            path: res.request().path(),
            route,
            status,
            duration_us: u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
            request_id: &ctx.request_id,
        });
    }
    res
}

/// The methods each documented path template accepts, to tell 405 from 404, and each route's
/// largest accepted body.
#[derive(Debug, Default)]
pub struct RouteTable {
    routes: Vec<(ResourceDef, Vec<Method>)>,
    /// Body limits of the routes that differ from `default_limit` (`server.body_limits`).
    limits: Vec<(ResourceDef, usize)>,
    default_limit: usize,
}

impl RouteTable {
    /// Builds the table from an OpenAPI document (the documented routes are the served routes)
    /// with the body limit of every route: `limits` by template, `default_limit` for the rest.
    /// Templates in `limits` that are not served are returned, to be reported.
    pub fn with_limits(
        doc: &utoipa::openapi::OpenApi,
        limits: &std::collections::HashMap<String, usize>,
        default_limit: usize,
    ) -> (Self, Vec<String>) {
        Self::with_limits_and_pages(doc, limits, default_limit, &[])
    }

    /// [`RouteTable::with_limits`], where `pages` are the page routes (not in the API's
    /// document) that take uploads and so may have limits of their own.
    pub fn with_limits_and_pages(
        doc: &utoipa::openapi::OpenApi,
        limits: &std::collections::HashMap<String, usize>,
        default_limit: usize,
        pages: &[&str],
    ) -> (Self, Vec<String>) {
        let mut table = Self::from_openapi(doc);
        table.default_limit = default_limit;
        let mut unknown = Vec::new();
        for (template, limit) in limits {
            if doc.paths.paths.contains_key(template) || pages.contains(&template.as_str()) {
                table
                    .limits
                    .push((ResourceDef::new(template.as_str()), *limit));
            } else {
                unknown.push(template.clone());
            }
        }
        (table, unknown)
    }

    /// The largest body accepted on `path`.
    pub fn body_limit(&self, path: &str) -> usize {
        self.limits
            .iter()
            .find(|(def, _)| def.is_match(path))
            .map_or(self.default_limit, |(_, l)| *l)
    }

    /// The largest body any route accepts (the extractors' own limit).
    pub fn largest_body_limit(&self) -> usize {
        self.limits
            .iter()
            .map(|(_, l)| *l)
            .fold(self.default_limit, usize::max)
    }

    /// Builds the table from an OpenAPI document: the documented routes are the served routes.
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let mut methods = Vec::new();
                let ops = [
                    (Method::GET, &item.get),
                    (Method::PUT, &item.put),
                    (Method::POST, &item.post),
                    (Method::DELETE, &item.delete),
                    (Method::OPTIONS, &item.options),
                    (Method::HEAD, &item.head),
                    (Method::PATCH, &item.patch),
                    (Method::TRACE, &item.trace),
                ];
                for (method, op) in ops {
                    if op.is_some() {
                        methods.push(method);
                    }
                }
                (ResourceDef::new(template.as_str()), methods)
            })
            .collect();
        Self {
            routes,
            limits: Vec::new(),
            default_limit: usize::MAX,
        }
    }

    /// Methods allowed on `path`, if any documented route matches it.
    pub fn allowed(&self, path: &str) -> Option<&[Method]> {
        self.routes
            .iter()
            .find(|(def, _)| def.is_match(path))
            .map(|(_, methods)| methods.as_slice())
    }
}

/// The app's default service: 405 with `Allow` for a known path, 404 otherwise.
pub async fn unmatched(
    req: HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<HttpResponse, Error> {
    Err(match table.allowed(req.path()) {
        Some(methods) if !methods.is_empty() => {
            let allow = methods
                .iter()
                .map(Method::as_str)
                .collect::<Vec<_>>()
                .join(", ");
            Error::with_detail(
                codes::METHOD_NOT_ALLOWED,
                crate::text!(
                    "detail-method",
                    "{method} is not allowed here; allowed: {allowed}",
                    method = req.method().to_string(),
                    allowed = allow.clone()
                ),
            )
            .allow(allow)
        }
        _ => Error::with_detail(
            codes::NOT_FOUND,
            crate::text!("detail-no-route", "no route matches this path"),
        ),
    })
}

/// The client's address of an actix request (see [`client_ip`]), as text for logs.
pub fn source_ip(req: &actix_web::HttpRequest, trusted: &[ipnet::IpNet]) -> String {
    let peer = req
        .peer_addr()
        .map_or(std::net::IpAddr::from([127, 0, 0, 1]), |a| a.ip());
    let forwarded = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok());
    client_ip(peer, forwarded, trusted).to_string()
}

/// The client's address: the TCP peer, or, when the peer is a trusted proxy, the last address in
/// `X-Forwarded-For` that is not itself a trusted proxy. Spoofed entries to the left of the
/// trusted hops are never reached.
pub fn client_ip(
    peer: std::net::IpAddr,
    forwarded_for: Option<&str>,
    trusted: &[ipnet::IpNet],
) -> std::net::IpAddr {
    let is_trusted = |ip: &std::net::IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut client = peer;
    for hop in forwarded_for.unwrap_or_default().rsplit(',') {
        match hop.trim().parse::<std::net::IpAddr>() {
            Ok(ip) if is_trusted(&ip) => client = ip,
            Ok(ip) => return ip,
            Err(_) => return client,
        }
    }
    client
}

/// "body is N bytes; the limit is M".
fn body_too_large(length: u64, limit: usize) -> crate::error::Text {
    crate::text!(
        "detail-body-too-large",
        "body is {length} bytes; the limit is {limit}",
        length = length,
        limit = limit
    )
}

/// "body exceeds the size limit".
fn size_limit() -> crate::error::Text {
    crate::text!("detail-size-limit", "body exceeds the size limit")
}

/// JSON body extractor settings: size limit and problem+json errors.
pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(|err, _req| json_error(err).into())
}

fn json_error(err: JsonPayloadError) -> Error {
    match err {
        JsonPayloadError::OverflowKnownLength { length, limit } => Error::with_detail(
            codes::PAYLOAD_TOO_LARGE,
            body_too_large(length as u64, limit),
        ),
        JsonPayloadError::Overflow { limit } => Error::with_detail(
            codes::PAYLOAD_TOO_LARGE,
            crate::text!(
                "detail-body-over-limit",
                "body exceeds the limit of {limit} bytes",
                limit = limit
            ),
        ),
        JsonPayloadError::ContentType => Error::with_detail(
            codes::UNSUPPORTED_MEDIA_TYPE,
            crate::text!(
                "detail-send-as",
                "send the body as {media_type}",
                media_type = "application/json"
            ),
        ),
        JsonPayloadError::Deserialize(e) if e.is_data() => Error::invalid_field(
            "/",
            crate::text!(
                "detail-body-schema",
                "the body does not have the expected shape: {why}",
                why = e.to_string()
            ),
        ),
        JsonPayloadError::Deserialize(e) => Error::with_detail(
            codes::MALFORMED_BODY,
            crate::text!(
                "detail-invalid-json",
                "invalid JSON: {why}",
                why = e.to_string()
            ),
        ),
        JsonPayloadError::Payload(PayloadError::Overflow) => {
            Error::with_detail(codes::PAYLOAD_TOO_LARGE, size_limit())
        }
        other => Error::with_detail(codes::BAD_REQUEST, other.to_string()),
    }
}

/// Form body (`application/x-www-form-urlencoded`) settings: size limit and problem+json
/// errors that also carry the OAuth `error` member (forms are the OAuth endpoints' format).
pub fn form_config(limit: usize) -> web::FormConfig {
    web::FormConfig::default()
        .limit(limit.min(64 * 1024))
        .error_handler(|err, _req| {
            use actix_web::error::UrlencodedError as U;
            let e = match err {
                U::ContentType => Error::with_detail(
                    codes::UNSUPPORTED_MEDIA_TYPE,
                    crate::text!(
                        "detail-send-as",
                        "send the body as {media_type}",
                        media_type = "application/x-www-form-urlencoded"
                    ),
                ),
                U::Overflow { .. } | U::UnknownLength => {
                    Error::with_detail(codes::PAYLOAD_TOO_LARGE, size_limit())
                }
                U::Parse(_) | U::Serialize(_) | U::Encoding | U::Chunked => Error::with_detail(
                    codes::BAD_REQUEST,
                    crate::text!(
                        "detail-form-malformed",
                        "the form is missing a field or malformed"
                    ),
                )
                .oauth_error("invalid_request"),
                other => Error::with_detail(codes::BAD_REQUEST, other.to_string())
                    .oauth_error("invalid_request"),
            };
            e.into()
        })
}

/// Query-string extractor settings: problem+json errors.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        let why = match &err {
            QueryPayloadError::Deserialize(e) => e.to_string(),
            other => other.to_string(),
        };
        // serde's "missing field `purpose`" says what, not where: name the parameter.
        if let Some(name) = why
            .strip_prefix("missing field `")
            .and_then(|rest| rest.strip_suffix('`'))
        {
            return Error::with_detail(
                codes::INVALID_PARAMETER,
                crate::text!(
                    "detail-query-missing",
                    "the query parameter `{name}` is required: add ?{name}=… to the URL",
                    name = name
                ),
            )
            .into();
        }
        Error::with_detail(
            codes::INVALID_PARAMETER,
            crate::text!(
                "detail-query",
                "the query string is not valid: {why}",
                why = why
            ),
        )
        .into()
    })
}

/// Path extractor settings: a path segment that does not parse names no resource.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, _req| {
        let why = match &err {
            PathError::Deserialize(e) => e.to_string(),
            other => other.to_string(),
        };
        Error::with_detail(
            codes::NOT_FOUND,
            crate::text!("detail-path", "no such resource: {why}", why = why),
        )
        .into()
    })
}

/// Raw body settings (for handlers that read bytes): the same limit.
pub fn payload_config(limit: usize) -> web::PayloadConfig {
    web::PayloadConfig::new(limit)
}

#[cfg(test)]
mod tests {
    use super::client_ip;

    #[test]
    fn forwarded_addresses_count_only_behind_trusted_proxies() {
        let trusted: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().expect("net")];
        let ip = |s: &str| s.parse::<std::net::IpAddr>().expect("ip");
        // An untrusted peer's header is ignored.
        assert_eq!(
            client_ip(ip("203.0.113.9"), Some("198.51.100.1"), &trusted),
            ip("203.0.113.9")
        );
        // Behind the proxy: the last untrusted hop, not a spoofed one further left.
        assert_eq!(
            client_ip(
                ip("10.0.0.2"),
                Some("1.2.3.4, 198.51.100.7, 10.0.0.5"),
                &trusted
            ),
            ip("198.51.100.7")
        );
        assert_eq!(client_ip(ip("10.0.0.2"), None, &trusted), ip("10.0.0.2"));
        assert_eq!(
            client_ip(ip("10.0.0.2"), Some("garbage"), &trusted),
            ip("10.0.0.2")
        );
        assert_eq!(
            client_ip(ip("10.0.0.2"), Some("2001:db8::1"), &trusted),
            ip("2001:db8::1")
        );
    }
}

/// The request body as bytes, within `server.max_body_bytes` (the payload config): for
/// handlers that must see the exact bytes (signatures) or read more than one format (CSV or
/// JSON). A wrapper rather than `web::Bytes` so the route's OpenAPI request body is the one its
/// `#[utoipa::path]` declares.
#[derive(Debug)]
pub struct RawBody(pub web::Bytes);

impl FromRequest for RawBody {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let fut = web::Bytes::from_request(req, payload);
        Box::pin(async move { fut.await.map(RawBody) })
    }
}

/// `Content-Disposition: attachment; filename*=UTF-8''<name>`: a stored file is always a
/// download under its stored (safe) name, never rendered by the browser in egov's origin.
pub fn attachment_disposition(name: &str) -> actix_web::http::header::ContentDisposition {
    use actix_web::http::header::{
        Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
    };
    let safe: String = name
        .chars()
        .map(|c| if c.is_control() || c == '"' { '_' } else { c })
        .collect();
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::FilenameExt(ExtendedValue {
            charset: Charset::Ext("UTF-8".into()),
            language_tag: None,
            value: safe.into_bytes(),
        })],
    }
}

/// Enforces each route's body limit (`server.body_limits`, else `server.max_body_bytes`)
/// before any extractor reads the body: a declared length over the limit is a 413 at once; a
/// body without one is cut off at the limit while it streams in (the extractor then answers
/// 413). Nothing over the limit is ever buffered.
pub async fn body_limit(
    mut req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    use futures_util::StreamExt as _;
    let limit = req
        .app_data::<web::Data<RouteTable>>()
        .map_or(usize::MAX, |t| t.body_limit(req.path()));
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        let err = Error::with_detail(
            codes::PAYLOAD_TOO_LARGE,
            body_too_large(declared.unwrap_or_default(), limit),
        );
        return Ok(req.error_response(err));
    }
    if declared.is_none() && limit != usize::MAX {
        let mut seen = 0usize;
        let stream = req.take_payload().map(move |chunk| {
            let chunk = chunk?;
            seen = seen.saturating_add(chunk.len());
            if seen > limit {
                Err(actix_web::error::PayloadError::Overflow)
            } else {
                Ok(chunk)
            }
        });
        req.set_payload(actix_web::dev::Payload::Stream {
            payload: Box::pin(stream),
        });
    }
    next.call(req).await.map(|r| r.map_into_boxed_body())
}

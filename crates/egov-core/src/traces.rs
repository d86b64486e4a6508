//! Distributed tracing: OpenTelemetry spans exported over OTLP/HTTP (protobuf) to a
//! collector, and W3C Trace Context (`traceparent`, `tracestate`) accepted on every request
//! and sent on every exchange call, so a request can be followed from the portal through the
//! exchange into another agency's process.
//!
//! Off unless `tracing.otlp_endpoint` is set: then nothing here runs per request (the request
//! span keeps only its id, as before).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry::propagation::{Extractor, TextMapPropagator};
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::settings::TracingSettings;

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Whether spans are exported (set once, when the process's telemetry is installed).
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

pub(crate) fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

/// The OTLP/HTTP traces URL for a configured endpoint: a collector's base URL
/// (`http://collector:4318`) gets `/v1/traces`, a URL already ending in it is kept.
pub fn traces_url(endpoint: &str) -> Result<String, String> {
    let endpoint = endpoint.trim().trim_end_matches('/');
    let url = url::Url::parse(endpoint)
        .map_err(|e| format!("tracing.otlp_endpoint {endpoint:?} is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(format!(
            "tracing.otlp_endpoint {endpoint:?}: give the collector's http(s) OTLP address, e.g. http://otel-collector:4318"
        ));
    }
    Ok(if endpoint.ends_with("/v1/traces") {
        endpoint.to_owned()
    } else {
        format!("{endpoint}/v1/traces")
    })
}

/// The tracer provider for `settings`, or `None` when tracing is off. Spans are batched and
/// sent by the SDK's own thread; a collector that is down costs dropped spans, never a
/// request.
pub fn provider(settings: &TracingSettings) -> Result<Option<SdkTracerProvider>, String> {
    if settings.otlp_endpoint.trim().is_empty() {
        return Ok(None);
    }
    if !(0.0..=1.0).contains(&settings.sample_ratio) {
        return Err(format!(
            "tracing.sample_ratio {} must be between 0.0 and 1.0",
            settings.sample_ratio
        ));
    }
    let url = traces_url(&settings.otlp_endpoint)?;
    let timeout = Duration::from_millis(settings.export_timeout_ms.max(1));
    // Built on a thread of its own: the blocking client runs its own small runtime, which
    // must not be made (or dropped) inside an async one.
    let http = std::thread::spawn(move || {
        reqwest::blocking::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
    })
    .join()
    .map_err(|_| "the OTLP client could not be made".to_owned())?
    .map_err(|e| format!("the OTLP client: {e}"))?;
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(BlockingHttp(http))
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(url)
        .with_timeout(timeout)
        .build()
        .map_err(|e| format!("the OTLP exporter: {e}"))?;
    let resource = Resource::builder()
        .with_service_name(settings.service_name.clone())
        .with_attribute(KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
        .build();
    Ok(Some(
        SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            // A caller's decision (the sampled flag of its traceparent) wins; traces that
            // start here are kept at the configured ratio.
            .with_sampler(Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(
                settings.sample_ratio,
            ))))
            .with_resource(resource)
            .build(),
    ))
}

/// The W3C Trace Context propagator (`traceparent`, `tracestate`).
fn propagator() -> TraceContextPropagator {
    TraceContextPropagator::new()
}

/// The incoming request's trace context, as the parent of its server span.
pub fn set_parent_from(span: &tracing::Span, headers: &actix_web::http::header::HeaderMap) {
    let cx = propagator().extract(&ActixHeaders(headers));
    let _ = span.set_parent(cx);
}

/// The headers that carry the current span's trace context to the next process
/// (`traceparent`, and `tracestate` when set); none when tracing is off.
pub fn outgoing_headers() -> Vec<(String, String)> {
    if !enabled() {
        return Vec::new();
    }
    let cx = tracing::Span::current().context();
    let mut map: HashMap<String, String> = HashMap::new();
    propagator().inject_context(&cx, &mut map);
    map.into_iter().collect()
}

/// The current span's trace id (32 hex digits), when one is being recorded.
pub fn current_trace_id() -> Option<String> {
    use opentelemetry::trace::TraceContextExt;
    if !enabled() {
        return None;
    }
    let cx = tracing::Span::current().context();
    let sc = cx.span().span_context().clone();
    sc.is_valid().then(|| sc.trace_id().to_string())
}

struct ActixHeaders<'a>(&'a actix_web::http::header::HeaderMap);

impl Extractor for ActixHeaders<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0
            .keys()
            .map(actix_web::http::header::HeaderName::as_str)
            .collect()
    }
}

/// The exporter's HTTP client: the blocking client the SDK's batch thread calls (it runs no
/// async runtime), on the workspace's reqwest.
#[derive(Debug)]
struct BlockingHttp(reqwest::blocking::Client);

/// The largest collector answer read (an OTLP answer is a few bytes, or a partial-success
/// message).
const MAX_ANSWER: u64 = 64 * 1024;

#[async_trait::async_trait]
impl opentelemetry_http::HttpClient for BlockingHttp {
    async fn send_bytes(
        &self,
        request: http::Request<bytes::Bytes>,
    ) -> Result<http::Response<bytes::Bytes>, opentelemetry_http::HttpError> {
        use std::io::Read;
        let (parts, body) = request.into_parts();
        let mut req = self
            .0
            .request(parts.method, parts.uri.to_string())
            .body(body.to_vec());
        for (name, value) in &parts.headers {
            req = req.header(name, value);
        }
        let res = req.send()?;
        let mut out = http::Response::builder().status(res.status());
        for (name, value) in res.headers() {
            out = out.header(name, value);
        }
        let mut answer = Vec::new();
        res.take(MAX_ANSWER).read_to_end(&mut answer)?;
        Ok(out.body(bytes::Bytes::from(answer))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_become_the_traces_url() {
        assert_eq!(
            traces_url("http://collector:4318").as_deref(),
            Ok("http://collector:4318/v1/traces")
        );
        assert_eq!(
            traces_url("https://c.example/otlp/v1/traces/").as_deref(),
            Ok("https://c.example/otlp/v1/traces")
        );
        assert!(traces_url("collector:4318").is_err());
        assert!(traces_url("ftp://collector").is_err());
    }

    #[test]
    fn nothing_is_sent_when_tracing_is_off() {
        assert!(outgoing_headers().is_empty() || enabled());
        let off = TracingSettings {
            otlp_endpoint: String::new(),
            service_name: "egov".into(),
            sample_ratio: 1.0,
            export_timeout_ms: 1000,
        };
        assert!(provider(&off).expect("off").is_none());
        let bad = TracingSettings {
            otlp_endpoint: "http://collector:4318".into(),
            sample_ratio: 1.5,
            ..off
        };
        assert!(provider(&bad).is_err());
    }
}

//! Structured logging. JSON lines (with the request span's fields, so every line of a request
//! carries its `request_id`) or pretty lines for a terminal.
//!
//! Lines are written by a background thread through a buffered, non-blocking writer, so a
//! request never waits on a `write` to standard output. The writer is lossless: when the
//! buffer is full, logging applies back-pressure rather than dropping lines.

use std::io::Write;

use tracing_appender::non_blocking::{NonBlocking, NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::settings::{LogFormat, LogSettings, TracingSettings};

/// The log as [`init_logging`] writes it (the filter on the log alone), and every span at
/// info and above to the collector.
fn install_traced(
    settings: &LogSettings,
    filter: EnvFilter,
    writer: NonBlocking,
    provider: &opentelemetry_sdk::trace::SdkTracerProvider,
) -> Result<(), String> {
    use opentelemetry::trace::TracerProvider as _;
    use tracing_subscriber::Layer;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;

    let log: Box<dyn Layer<tracing_subscriber::Registry> + Send + Sync> = match settings.format {
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .fmt_fields(SpanJsonFields)
            .with_span_events(FmtSpan::NONE)
            .with_writer(writer)
            .with_filter(filter)
            .boxed(),
        LogFormat::Pretty => tracing_subscriber::fmt::layer()
            .with_span_events(FmtSpan::NONE)
            .with_writer(writer)
            .with_filter(filter)
            .boxed(),
    };
    let spans = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("egov"))
        .with_filter(tracing_subscriber::filter::LevelFilter::INFO);
    tracing_subscriber::registry()
        .with(log)
        .with(spans)
        .try_init()
        .map_err(|e| format!("cannot install the logger: {e}"))
}

/// The installed logger. Dropping it flushes what is buffered: hold it until exit.
#[must_use = "dropping the logger stops the log writer"]
#[derive(Debug)]
pub struct Logging {
    /// When tracing is on: shut down (exporting what is batched) before the log writer stops.
    tracer: Option<opentelemetry_sdk::trace::SdkTracerProvider>,
    _guard: WorkerGuard,
    writer: NonBlocking,
    format: LogFormat,
}

impl Drop for Logging {
    fn drop(&mut self) {
        if let Some(provider) = self.tracer.take()
            && let Err(e) = provider.shutdown()
        {
            tracing::warn!(error = %e, "spans not exported at exit");
        }
    }
}

impl Logging {
    /// The access log to give the request middleware.
    pub fn access_log(&self) -> AccessLog {
        match self.format {
            LogFormat::Json => AccessLog::Json(self.writer.clone()),
            LogFormat::Pretty => AccessLog::Tracing,
        }
    }
}

/// Where the one-line-per-request access log goes.
///
/// In JSON mode the line is serialized directly (the same shape as the other log lines, with
/// the request id under `span`) and handed to the log writer: tracing-subscriber's generic JSON
/// formatter re-parses the span's fields for every line, which cost a fifth of the server's
/// throughput on a trivial route (see docs/benchmarks.md).
#[derive(Clone, Debug)]
pub enum AccessLog {
    Json(NonBlocking),
    Tracing,
}

/// One access-log line.
#[derive(Debug)]
pub struct AccessRecord<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub route: &'a str,
    pub status: u16,
    pub duration_us: u64,
    pub request_id: &'a str,
}

const ACCESS_MESSAGE: &str = "request completed";

impl AccessLog {
    pub fn record(&mut self, r: &AccessRecord<'_>) {
        match self {
            AccessLog::Json(writer) => {
                let line = access_json_line(r, chrono::Utc::now());
                // The writer is lossless and in-memory; a failure means it has stopped.
                let _ = writer.write_all(&line);
            }
            AccessLog::Tracing => tracing::info!(
                method = r.method,
                path = r.path,
                status = r.status,
                route = r.route,
                duration_us = r.duration_us,
                "{ACCESS_MESSAGE}"
            ),
        }
    }
}

/// The access-log line in the shape of the other JSON log lines (flattened fields, the request
/// id under `span`). Constant parts are written as they are; every string a caller can
/// influence goes through the JSON string encoder.
pub fn access_json_line(r: &AccessRecord<'_>, now: chrono::DateTime<chrono::Utc>) -> Vec<u8> {
    use std::io::Write as _;
    let mut buf = Vec::with_capacity(320);
    let _ = write!(
        buf,
        r#"{{"timestamp":"{}","level":"INFO","message":"{ACCESS_MESSAGE}","method":"#,
        now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
    );
    let _ = serde_json::to_writer(&mut buf, r.method);
    buf.extend_from_slice(br#","path":"#);
    let _ = serde_json::to_writer(&mut buf, r.path);
    buf.extend_from_slice(br#","route":"#);
    let _ = serde_json::to_writer(&mut buf, r.route);
    let _ = write!(
        buf,
        r#","status":{},"duration_us":{},"target":"egov::access","span":{{"request_id":"#,
        r.status, r.duration_us
    );
    let _ = serde_json::to_writer(&mut buf, r.request_id);
    buf.extend_from_slice(b",\"name\":\"request\"}}\n");
    buf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_fields_are_one_json_object_even_when_recorded_later() {
        use tracing_subscriber::layer::SubscriberExt as _;

        // Exercise the formatter through a real subscriber: the JSON layer embeds span fields
        // by parsing them, so any malformed output would drop the span from the line.
        let buf = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
        let sink = buf.clone();
        let make_writer = move || SharedVec(sink.clone());
        let subscriber = tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer()
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .fmt_fields(SpanJsonFields)
                .with_writer(make_writer),
        );
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!(
                "request",
                request_id = "abc\"1",
                n = 5_u64,
                ok = true,
                later = tracing::field::Empty
            );
            span.record("later", "x");
            let _entered = span.enter();
            tracing::info!(status = 200, "done");
        });
        let text = String::from_utf8(buf.lock().expect("lock").clone()).expect("utf-8");
        let v: serde_json::Value = serde_json::from_str(text.trim()).expect("one JSON line");
        assert_eq!(v["span"]["request_id"], "abc\"1");
        assert_eq!(v["span"]["n"], 5);
        assert_eq!(v["span"]["ok"], true);
        assert_eq!(v["span"]["later"], "x");
        assert_eq!(v["span"]["name"], "request");
        assert_eq!(v["status"], 200);
    }

    struct SharedVec(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for SharedVec {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("lock").extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn access_lines_are_json_even_with_hostile_paths() {
        let record = AccessRecord {
            method: "GET",
            path: "/a\"b\\c\n\u{7f}\u{1}한",
            route: "unmatched",
            status: 404,
            duration_us: 1234,
            request_id: "req-1",
        };
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-23T19:00:00.123456Z")
            .expect("time")
            .with_timezone(&chrono::Utc);
        let line = access_json_line(&record, now);
        assert_eq!(line.last(), Some(&b'\n'));
        let v: serde_json::Value = serde_json::from_slice(&line).expect("one JSON object");
        assert_eq!(v["path"], record.path);
        assert_eq!(v["timestamp"], "2026-11-23T19:00:00.123456Z");
        assert_eq!(v["status"], 404);
        assert_eq!(v["duration_us"], 1234);
        assert_eq!(v["span"]["request_id"], "req-1");
        assert_eq!(v["message"], "request completed");
        assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1);
    }
}

/// Formats span fields as a JSON object, written directly.
///
/// tracing-subscriber's `JsonFields` builds a `serde_json::Map` for every span and serializes
/// it; with one span per request that was the largest single cost of the middleware stack.
/// The output is the same JSON object, which the JSON event formatter embeds under `span`.
#[derive(Debug, Default, Clone, Copy)]
pub struct SpanJsonFields;

struct SpanVisitor<'a> {
    out: &'a mut dyn std::fmt::Write,
    first: bool,
    result: std::fmt::Result,
}

impl SpanVisitor<'_> {
    /// Writes `"name":` then the value through `value`. Field names are Rust identifiers.
    fn pair(
        &mut self,
        name: &str,
        value: impl FnOnce(&mut dyn std::fmt::Write) -> std::fmt::Result,
    ) {
        if self.result.is_err() {
            return;
        }
        let sep = if self.first { "\"" } else { ",\"" };
        self.first = false;
        self.result = self
            .out
            .write_str(sep)
            .and_then(|()| self.out.write_str(name))
            .and_then(|()| self.out.write_str("\":"))
            .and_then(|()| value(self.out));
    }
}

/// Writes `s` as a JSON string; plain text (the usual case) is copied as it is.
fn write_json_str(out: &mut dyn std::fmt::Write, s: &str) -> std::fmt::Result {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.write_char('"')?;
        out.write_str(s)?;
        out.write_char('"')
    } else {
        out.write_str(&serde_json::to_string(s).map_err(|_| std::fmt::Error)?)
    }
}

impl tracing::field::Visit for SpanVisitor<'_> {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.pair(field.name(), |out| write_json_str(out, value));
    }
    fn record_bool(&mut self, field: &tracing::field::Field, value: bool) {
        self.pair(field.name(), |out| {
            out.write_str(if value { "true" } else { "false" })
        });
    }
    fn record_i64(&mut self, field: &tracing::field::Field, value: i64) {
        self.pair(field.name(), |out| write!(out, "{value}"));
    }
    fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
        self.pair(field.name(), |out| write!(out, "{value}"));
    }
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.pair(field.name(), |out| {
            write_json_str(out, &format!("{value:?}"))
        });
    }
}

impl<'w> tracing_subscriber::fmt::FormatFields<'w> for SpanJsonFields {
    fn format_fields<R: tracing_subscriber::field::RecordFields>(
        &self,
        mut writer: tracing_subscriber::fmt::format::Writer<'w>,
        fields: R,
    ) -> std::fmt::Result {
        writer.write_char('{')?;
        let mut v = SpanVisitor {
            out: &mut writer,
            first: true,
            result: Ok(()),
        };
        fields.record(&mut v);
        v.result?;
        writer.write_char('}')
    }

    fn add_fields(
        &self,
        current: &'w mut tracing_subscriber::fmt::FormattedFields<Self>,
        fields: &tracing::span::Record<'_>,
    ) -> std::fmt::Result {
        if current.fields.is_empty() {
            return self.format_fields(current.as_writer(), fields);
        }
        // `{..}`: reopen the object, append, close it again.
        current.fields.pop();
        let first = current.fields.len() <= 1;
        let mut v = SpanVisitor {
            out: &mut current.fields,
            first,
            result: Ok(()),
        };
        fields.record(&mut v);
        let result = v.result;
        current.fields.push('}');
        result
    }
}

/// Installs the global subscriber. Call once, from the binary; tests do not need it.
pub fn init_logging(settings: &LogSettings) -> Result<Logging, String> {
    init(
        settings,
        &crate::settings::TracingSettings {
            otlp_endpoint: String::new(),
            service_name: String::new(),
            sample_ratio: 1.0,
            export_timeout_ms: 0,
        },
    )
}

/// Installs the process's logging and, when `tracing.otlp_endpoint` is set, its tracing:
/// spans go to the collector as well as to the log. Hold the result until exit.
pub fn init(settings: &LogSettings, traces: &TracingSettings) -> Result<Logging, String> {
    let filter = EnvFilter::try_new(&settings.level)
        .map_err(|e| format!("log.level `{}` is not a valid filter: {e}", settings.level))?;
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        // Not lossy: a full queue makes the logging thread wait, it never drops a line. The
        // queue's slots are allocated and touched up front (32 bytes each): the default
        // 128,000 lines held 4 MB resident in an idle server; 8,192 lines (256 kB) absorb a
        // burst while the logging thread writes its batch.
        .buffered_lines_limit(8_192)
        // Buffered: the writer thread flushes after each batch, one write for many lines.
        .finish(std::io::BufWriter::with_capacity(
            64 * 1024,
            std::io::stdout(),
        ));
    if let Some(provider) = crate::traces::provider(traces)? {
        install_traced(settings, filter, writer.clone(), &provider)?;
        crate::traces::enable();
        return Ok(Logging {
            tracer: Some(provider),
            _guard: guard,
            writer,
            format: settings.format,
        });
    }
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(FmtSpan::NONE)
        .with_writer(writer.clone());
    let result = match settings.format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .fmt_fields(SpanJsonFields)
            .try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
    result.map_err(|e| format!("cannot install the logger: {e}"))?;
    Ok(Logging {
        tracer: None,
        _guard: guard,
        writer,
        format: settings.format,
    })
}

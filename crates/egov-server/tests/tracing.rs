//! Distributed tracing against a local OTLP/HTTP collector started by the test: a request with
//! a caller's `traceparent` into procurement's process, its exchange call, and tax's gateway
//! in another process (modules apart, one database) are one trace, exported as OTLP protobuf.
//! A test binary of its own (not in tests/it/): it installs the process's global subscriber.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use egov_testing::{Spawn, kr_business_number, spawn_app_with, spawn_peer_with};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use prost::Message;
use serde_json::json;

/// The caller's trace: W3C Trace Context's own example.
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN: &str = "00f067aa0ba902b7";

/// A collector: accepts OTLP/HTTP protobuf exports on `/v1/traces`, keeps every span.
struct Collector {
    url: String,
    spans: Arc<Mutex<Vec<Span>>>,
    paths: Arc<Mutex<Vec<String>>>,
}

fn collector() -> Collector {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let spans = Arc::new(Mutex::new(Vec::new()));
    let paths = Arc::new(Mutex::new(Vec::new()));
    let (s, p) = (spans.clone(), paths.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (s, p) = (s.clone(), p.clone());
            std::thread::spawn(move || receive(stream, &s, &p));
        }
    });
    Collector { url, spans, paths }
}

/// One connection: requests until the exporter closes it.
fn receive(stream: TcpStream, spans: &Mutex<Vec<Span>>, paths: &Mutex<Vec<String>>) {
    let mut out = stream.try_clone().expect("clone");
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let path = line
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        let mut length = 0usize;
        loop {
            let mut header = String::new();
            reader.read_line(&mut header).expect("header");
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().expect("length");
            }
        }
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body).expect("body");
        let export = ExportTraceServiceRequest::decode(body.as_slice()).expect("OTLP protobuf");
        paths.lock().expect("lock").push(path);
        let mut kept = spans.lock().expect("lock");
        for rs in export.resource_spans {
            for ss in rs.scope_spans {
                kept.extend(ss.spans);
            }
        }
        drop(kept);
        out.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n",
        )
        .expect("answer");
    }
}

fn attribute(span: &Span, key: &str) -> Option<String> {
    span.attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref()?.value.as_ref())
        .map(|v| match v {
            Any::StringValue(s) => s.clone(),
            Any::IntValue(i) => i.to_string(),
            other => format!("{other:?}"),
        })
}

#[tokio::test]
async fn a_request_is_one_trace_through_the_exchange_into_another_process() {
    let collector = collector();
    let settings = egov_core::Settings::load_from(
        &egov_testing::config_dir(),
        "test",
        vec![
            (
                "EGOV__TRACING__OTLP_ENDPOINT".to_owned(),
                collector.url.clone(),
            ),
            ("EGOV__LOG__LEVEL".to_owned(), "warn".to_owned()),
        ],
    )
    .expect("settings");
    let logging = egov_core::telemetry::init(&settings.log, &settings.tracing).expect("telemetry");
    assert!(egov_core::traces::enabled());

    let tax = spawn_app_with(Spawn {
        modules: &["platform", "auth", "exchange", "tax"],
        settings: &[],
    })
    .await;
    let (issuer, address) = (format!("{}/auth", tax.address), tax.address.clone());
    let procurement = spawn_peer_with(&tax, &["procurement"], |s| {
        s.auth.issuer = issuer;
        s.exchange.subsystems.insert("tax".into(), address);
    })
    .await
    .expect("procurement apart from tax");
    let supplier = egov_testing::clients::procurement::supplier_with_consent(
        &tax,
        &procurement,
        &kr_business_number(777),
    )
    .await;

    // The caller's trace context comes with the request.
    let res = procurement
        .client
        .post(procurement.url("/procurement/v1/suppliers/me/eligibility"))
        .bearer_auth(&supplier.0)
        .header("traceparent", format!("00-{TRACE_ID}-{CALLER_SPAN}-01"))
        .json(&json!({"consent": supplier.1}))
        .send()
        .await
        .expect("eligibility");
    assert_eq!(res.status(), 201, "{:?}", res.text().await);
    let request_id = res
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("request id")
        .to_owned();

    // At exit the batch is exported.
    tokio::task::spawn_blocking(move || drop(logging))
        .await
        .expect("shut down");
    let deadline = Instant::now() + Duration::from_secs(10);
    let trace: Vec<Span> = loop {
        let trace: Vec<Span> = collector
            .spans
            .lock()
            .expect("lock")
            .iter()
            .filter(|s| hex(&s.trace_id) == TRACE_ID)
            .cloned()
            .collect();
        if trace.len() >= 3 || Instant::now() > deadline {
            break trace;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        collector
            .paths
            .lock()
            .expect("lock")
            .iter()
            .all(|p| p == "/v1/traces")
    );
    let names: Vec<String> = trace.iter().map(|s| s.name.clone()).collect();

    // procurement's server span: a child of the caller's span, with its route and request id.
    let server = trace
        .iter()
        .find(|s| {
            s.kind == SpanKind::Server as i32
                && attribute(s, "http.route").as_deref()
                    == Some("/procurement/v1/suppliers/me/eligibility")
        })
        .unwrap_or_else(|| panic!("procurement's server span in {names:?}"));
    assert_eq!(hex(&server.parent_span_id), CALLER_SPAN);
    assert_eq!(
        attribute(server, "request_id").as_deref(),
        Some(request_id.as_str())
    );
    assert_eq!(server.name, "POST /procurement/v1/suppliers/me/eligibility");
    assert_eq!(
        attribute(server, "http.response.status_code").as_deref(),
        Some("201")
    );

    // Its exchange call: a client span under it, naming the service.
    let call = trace
        .iter()
        .find(|s| s.kind == SpanKind::Client as i32)
        .unwrap_or_else(|| panic!("the exchange call's span in {names:?}"));
    assert_eq!(call.parent_span_id, server.span_id);
    assert!(
        attribute(call, "exchange.service").is_some_and(|s| s.ends_with("/tax/tax-clearance")),
        "{call:?}"
    );

    // tax's gateway, in the other process: a server span whose parent is the client span, so
    // the trace context crossed the HTTP hop of the exchange.
    let gateway = trace
        .iter()
        .find(|s| {
            s.kind == SpanKind::Server as i32
                && attribute(s, "http.route").is_some_and(|r| r.starts_with("/r1/"))
        })
        .unwrap_or_else(|| panic!("tax's gateway span in {names:?}"));
    assert_eq!(gateway.parent_span_id, call.span_id);
    assert!(attribute(gateway, "request_id").is_some_and(|id| id != request_id));
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

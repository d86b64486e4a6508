//! Prometheus metrics. One registry per app instance (no globals), so tests can run many apps
//! in one process. Labels are bounded: method (a fixed set, `other` beyond it), route template
//! (never the raw path) and status. The process's own metrics (`process_*`) come with them.

use std::time::Duration;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

/// Buckets from 5 ms to 10 s, as OpenTelemetry's `http.server.request.duration` advises.
const DURATION_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

#[derive(Debug, Clone)]
pub struct HttpMetrics {
    registry: Registry,
    /// `process_*` (CPU seconds, resident and virtual memory, open and maximum file
    /// descriptors, start time), named without the `egov_` prefix as every Prometheus client
    /// library names them.
    process: Registry,
    duration: HistogramVec,
    pool_connections: IntGauge,
    pool_idle: IntGauge,
    security: IntCounterVec,
    events: Events,
    exchange_calls: ExchangeCalls,
}

impl HttpMetrics {
    pub fn new(modules: &[&str]) -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("egov".into()), None)?;
        let duration = HistogramVec::new(
            HistogramOpts::new(
                "http_server_request_duration_seconds",
                "Duration of HTTP requests by route template and status.",
            )
            .buckets(DURATION_BUCKETS.to_vec()),
            &["method", "route", "status"],
        )?;
        registry.register(Box::new(duration.clone()))?;
        let pool_connections = IntGauge::new(
            "db_pool_connections",
            "Open database connections in the pool.",
        )?;
        registry.register(Box::new(pool_connections.clone()))?;
        let pool_idle = IntGauge::new("db_pool_idle_connections", "Idle database connections.")?;
        registry.register(Box::new(pool_idle.clone()))?;
        let info = IntGaugeVec::new(
            Opts::new(
                "build_info",
                "egov version and the modules this process serves.",
            ),
            &["version", "module"],
        )?;
        registry.register(Box::new(info.clone()))?;
        let security = IntCounterVec::new(
            Opts::new(
                "security_events_total",
                "Security events to alert on: lockouts, throttles, hourly failure caps.",
            ),
            &["event"],
        )?;
        registry.register(Box::new(security.clone()))?;
        let events = Events::new()?;
        registry.register(Box::new(events.counter.clone()))?;
        let exchange_calls = ExchangeCalls::new()?;
        registry.register(Box::new(exchange_calls.counter.clone()))?;
        for module in modules {
            info.with_label_values(&[env!("CARGO_PKG_VERSION"), module])
                .set(1);
        }
        let process = Registry::new();
        #[cfg(target_os = "linux")]
        process.register(Box::new(
            prometheus::process_collector::ProcessCollector::for_self(),
        ))?;
        Ok(Self {
            registry,
            process,
            duration,
            pool_connections,
            pool_idle,
            security,
            events,
            exchange_calls,
        })
    }

    /// `egov_domain_events_total{module,event}`: what the modules did.
    pub fn events(&self) -> Events {
        self.events.clone()
    }

    /// `egov_exchange_calls_total{side,service,outcome}`: the exchange's calls.
    pub fn exchange_calls(&self) -> ExchangeCalls {
        self.exchange_calls.clone()
    }

    /// `egov_security_events_total{event}`: the counter of security events (bounded event
    /// names such as `sign_in_locked`, `second_factor_locked`, `registration_throttled`).
    pub fn security_events(&self) -> IntCounterVec {
        self.security.clone()
    }

    /// Registers another component's collector (a module's counters) with this registry.
    pub fn register(
        &self,
        collector: Box<dyn prometheus::core::Collector>,
    ) -> Result<(), prometheus::Error> {
        self.registry.register(collector)
    }

    /// Records a request. The method label is one of a fixed set (`other` for any other
    /// name), so a client cannot grow the series by inventing methods; routes are templates
    /// (`unmatched` for none).
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let buf = itoa_status(status);
        let status = std::str::from_utf8(&buf).unwrap_or("000");
        self.duration
            .with_label_values(&[method_label(method), route, status])
            .observe(elapsed.as_secs_f64());
    }

    pub fn set_pool_state(&self, connections: u32, idle: u32) {
        self.pool_connections.set(i64::from(connections));
        self.pool_idle.set(i64::from(idle));
    }

    /// The text exposition format.
    pub fn render(&self) -> Result<String, prometheus::Error> {
        let mut out = Vec::with_capacity(8 * 1024);
        let encoder = TextEncoder::new();
        encoder.encode(&self.registry.gather(), &mut out)?;
        encoder.encode(&self.process.gather(), &mut out)?;
        String::from_utf8(out).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}

/// `egov_domain_events_total{module,event}`: what the modules did (applications submitted,
/// bids sealed, documents approved, returns filed…), counted by the use case when its change
/// commits. Labels are `&'static str` from the code, so the series are bounded by it.
#[derive(Debug, Clone)]
pub struct Events {
    counter: IntCounterVec,
}

impl Events {
    fn new() -> Result<Self, prometheus::Error> {
        Ok(Self {
            counter: IntCounterVec::new(
                Opts::new(
                    "domain_events_total",
                    "What the modules did, by module and event (applications submitted, bids sealed, approvals…).",
                ),
                &["module", "event"],
            )?,
        })
    }

    /// A counter no registry exports (command-line tools, tests of one module).
    pub fn unregistered() -> Self {
        #[allow(clippy::expect_used)] // Fixed, valid options.
        Self::new().expect("valid metric options")
    }

    /// Makes the module's events' series exist at 0 from the start (a rate over a series that
    /// appears only at its first event misses that event).
    pub fn declare(&self, module: &'static str, events: &[&'static str]) {
        for event in events {
            let _ = self.counter.with_label_values(&[module, event]);
        }
    }

    pub fn count(&self, module: &'static str, event: &'static str) {
        self.counter.with_label_values(&[module, event]).inc();
    }

    /// The count so far (tests).
    pub fn get(&self, module: &str, event: &str) -> u64 {
        self.counter.with_label_values(&[module, event]).get()
    }
}

/// The most distinct services [`ExchangeCalls`] labels; any further one is `other`.
const MAX_SERVICES: usize = 128;

/// `egov_exchange_calls_total{side,service,outcome}`: every logged exchange message, as
/// client or provider. Services are the first [`MAX_SERVICES`] distinct ids seen (a real
/// deployment has a few dozen), then `other`; outcomes are `ok`, `refused`, `failed` or
/// `other`: a caller cannot grow the series by inventing service names.
#[derive(Debug, Clone)]
pub struct ExchangeCalls {
    counter: IntCounterVec,
    services: std::sync::Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
}

impl ExchangeCalls {
    fn new() -> Result<Self, prometheus::Error> {
        Ok(Self {
            counter: IntCounterVec::new(
                Opts::new(
                    "exchange_calls_total",
                    "Exchange messages logged, by side (client or provider), service and outcome.",
                ),
                &["side", "service", "outcome"],
            )?,
            services: std::sync::Arc::default(),
        })
    }

    /// A counter no registry exports.
    pub fn unregistered() -> Self {
        #[allow(clippy::expect_used)] // Fixed, valid options.
        Self::new().expect("valid metric options")
    }

    pub fn count(&self, side: &str, service: &str, outcome: &str) {
        let side = match side {
            "client" => "client",
            "provider" => "provider",
            _ => "other",
        };
        let outcome = match outcome {
            "ok" => "ok",
            "refused" => "refused",
            "failed" => "failed",
            _ => "other",
        };
        let admitted = self.services.lock().is_ok_and(|mut seen| {
            seen.contains(service) || (seen.len() < MAX_SERVICES && seen.insert(service.to_owned()))
        });
        let service = if admitted { service } else { "other" };
        self.counter
            .with_label_values(&[side, service, outcome])
            .inc();
    }

    /// The count so far (tests).
    pub fn get(&self, side: &str, service: &str, outcome: &str) -> u64 {
        self.counter
            .with_label_values(&[side, service, outcome])
            .get()
    }
}

/// The methods that get a label of their own.
const METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// `method` if it is one of [`METHODS`], else `other`.
fn method_label(method: &str) -> &'static str {
    METHODS
        .iter()
        .find(|m| **m == method)
        .copied()
        .unwrap_or("other")
}

/// Formats a three-digit status without allocating.
fn itoa_status(status: u16) -> [u8; 3] {
    let s = status.min(999);
    [
        b'0' + (s / 100) as u8,
        b'0' + (s / 10 % 10) as u8,
        b'0' + (s % 10) as u8,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invented_methods_share_one_label() {
        assert_eq!(method_label("GET"), "GET");
        assert_eq!(method_label("DELETE"), "DELETE");
        assert_eq!(method_label("FOO"), "other");
        assert_eq!(method_label("get"), "other");
        assert_eq!(method_label(""), "other");
    }

    #[test]
    fn a_fuzzer_does_not_grow_the_series() {
        let m = HttpMetrics::new(&["platform"]).expect("metrics");
        for i in 0..500 {
            m.observe(&format!("X{i}"), "unmatched", 405, Duration::from_millis(1));
        }
        m.observe("GET", "/health/live", 200, Duration::from_millis(1));
        let text = m.render().expect("render");
        let series = text
            .lines()
            .filter(|l| l.starts_with("egov_http_server_request_duration_seconds_count"))
            .count();
        assert_eq!(series, 2, "{text}");
        assert!(text.contains("method=\"other\""));
        #[cfg(target_os = "linux")]
        for family in [
            "process_resident_memory_bytes",
            "process_cpu_seconds_total",
            "process_open_fds",
        ] {
            assert!(text.contains(&format!("\n{family} ")), "{family} in {text}");
        }
    }

    #[test]
    fn exchange_calls_bound_services_and_outcomes() {
        let m = HttpMetrics::new(&["exchange"]).expect("metrics");
        let calls = m.exchange_calls();
        calls.count("client", "KR/GOV/EGOV/tax/taxClearance", "ok");
        calls.count("provider", "KR/GOV/EGOV/tax/taxClearance", "refused");
        for i in 0..1000 {
            calls.count("provider", &format!("KR/GOV/EGOV/x/invented{i}"), "made-up");
        }
        assert_eq!(calls.get("client", "KR/GOV/EGOV/tax/taxClearance", "ok"), 1);
        assert_eq!(
            calls.get("provider", "KR/GOV/EGOV/tax/taxClearance", "refused"),
            1
        );
        let text = m.render().expect("render");
        let series = text
            .lines()
            .filter(|l| l.starts_with("egov_exchange_calls_total{"))
            .count();
        // taxClearance twice (two sides), 127 invented services, then one `other`.
        assert_eq!(series, 2 + (MAX_SERVICES - 1) + 1);
        assert!(
            text.contains(
                r#"egov_exchange_calls_total{outcome="other",service="other",side="provider"} 873"#
            ),
            "{text}"
        );
    }

    #[test]
    fn declared_events_start_at_zero() {
        let m = HttpMetrics::new(&["petition"]).expect("metrics");
        let events = m.events();
        events.declare("petition", &["application_submitted"]);
        let text = m.render().expect("render");
        assert!(
            text.contains(
                r#"egov_domain_events_total{event="application_submitted",module="petition"} 0"#
            ),
            "{text}"
        );
        events.count("petition", "application_submitted");
        assert_eq!(events.get("petition", "application_submitted"), 1);
    }
}

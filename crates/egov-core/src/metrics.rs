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
        })
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
}

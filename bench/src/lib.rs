//! Shared by the benchmark binaries: a closed-loop load driver and small helpers.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// An environment variable as a number, or the default.
pub fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What one `drive` measured.
#[derive(Debug, Clone, Copy)]
pub struct Run {
    pub rps: f64,
    pub p50: Duration,
    pub p99: Duration,
    pub errors: usize,
}

/// Runs `f(task)` in a loop on `concurrency` tasks for `secs` seconds (each task waits for its
/// answer before sending the next, as wrk does) and reports successful requests per second,
/// latency percentiles of the successes and the failures. `task` is 0..concurrency, so a task
/// can own its share of the test data.
pub async fn drive<F, Fut>(secs: u64, concurrency: usize, f: F) -> Run
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let f = Arc::new(f);
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for task in 0..concurrency {
        let (f, stop) = (f.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                if f(task).await {
                    lat.push(t.elapsed());
                } else {
                    errors += 1;
                }
            }
            (lat, errors)
        }));
    }
    tokio::time::sleep(Duration::from_secs(secs)).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.expect("task");
        all.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    let pick = |q: f64| {
        all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Run {
        rps: all.len() as f64 / elapsed,
        p50: pick(0.50),
        p99: pick(0.99),
        errors,
    }
}

/// The median of a non-empty list.
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

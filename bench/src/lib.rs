//! Shared by the benchmark binaries: a closed-loop load driver and small helpers.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
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

/// A task's place in its view: the next cursor and the pages walked.
type Cursor = (Option<String>, usize);

/// The medians of a walk's rounds (milliseconds) and its failures.
#[derive(Debug)]
pub struct Walked {
    pub rps: f64,
    pub p50: f64,
    pub p99: f64,
    pub errors: usize,
}

/// CONCURRENCY tasks walk their views for ROUNDS rounds of SECS: `fetch(task, next)` gets
/// one page (the view's first when `next` is `None`) and answers the next page's address,
/// followed up to `pages` deep. Each round is printed (`label` first); answers the medians.
#[allow(clippy::print_stdout)]
pub async fn walk<F, Fut>(
    label: &'static str,
    secs: u64,
    concurrency: usize,
    rounds: u64,
    pages: usize,
    fetch: F,
) -> Walked
where
    F: Fn(usize, Option<String>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Option<String>, ()>> + Send + 'static,
{
    let state: Arc<Vec<Mutex<Cursor>>> =
        Arc::new((0..concurrency).map(|_| Mutex::new((None, 0))).collect());
    let fetch = Arc::new(fetch);
    let (mut rps, mut p50, mut p99, mut errors) = (vec![], vec![], vec![], 0usize);
    for round in 1..=rounds {
        let (st, f) = (state.clone(), fetch.clone());
        let run = drive(secs, concurrency, move |task| {
            let next = st[task].lock().expect("state").0.clone();
            let page = f(task, next);
            let st = st.clone();
            async move {
                let Ok(next) = page.await else {
                    return false;
                };
                let mut s = st[task].lock().expect("state");
                s.1 += 1;
                s.0 = next.filter(|_| s.1 < pages);
                if s.0.is_none() {
                    s.1 = 0;
                }
                true
            }
        })
        .await;
        println!(
            "{label}round {round}: {:.0} pages/s p50 {:.2} ms p99 {:.2} ms errors {}",
            run.rps,
            run.p50.as_secs_f64() * 1e3,
            run.p99.as_secs_f64() * 1e3,
            run.errors
        );
        rps.push(run.rps);
        p50.push(run.p50.as_secs_f64() * 1e3);
        p99.push(run.p99.as_secs_f64() * 1e3);
        errors += run.errors;
    }
    Walked {
        rps: median(rps),
        p50: median(p50),
        p99: median(p99),
        errors,
    }
}

/// The work list page's "Next page" address (HTML-escaped `&` undone).
pub fn next_link(html: &str) -> Option<String> {
    let at = html.find("rel=\"next\"")?;
    let start = html[..at].rfind("href=\"")? + 6;
    let end = start + html[start..].find('"')?;
    Some(html[start..end].replace("&#38;", "&").replace("&amp;", "&"))
}

/// A page session of `username` (signed in with `password` and a TOTP enrolled now) on
/// `path`, whose first page must answer 200 with a "Next page": the `cookie` header to send.
pub async fn page_session(
    app: &egov_testing::TestApp,
    username: &str,
    password: &str,
    path: &str,
) -> String {
    let login: serde_json::Value = reqwest::Client::new()
        .post(app.url("/auth/login"))
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    let access = login["tokens"]["access_token"].as_str().expect("token");
    let (secret, _) = egov_testing::mfa::enrol_totp(app, access).await;
    let mut browser = egov_testing::browser::Browser::new(app);
    browser.language = Some("en".into());
    let code = egov_testing::mfa::totp(&secret, 0);
    let first = browser.sign_in(path, username, password, Some(&code)).await;
    assert_eq!(first.status.as_u16(), 200, "{}", first.body);
    assert!(first.body.contains("rel=\"next\""), "a full first page");
    format!(
        "egov_session={}",
        browser.cookie("egov_session").expect("the page session")
    )
}

/// [`walk`] over server-rendered pages with a page session's `cookie`: each task starts at
/// `starts[task % len]` (paths under `base`) and follows the pages' "Next page" links.
pub async fn walk_pages(
    label: &'static str,
    (secs, concurrency, rounds, pages): (u64, usize, u64, usize),
    base: String,
    starts: Vec<String>,
    cookie: String,
) -> Walked {
    let http = reqwest::Client::new();
    walk(
        label,
        secs,
        concurrency,
        rounds,
        pages,
        move |task, next| {
            let url = match next {
                Some(n) => format!("{base}{n}"),
                None => format!("{base}{}", starts[task % starts.len()]),
            };
            let req = http.get(url).header("cookie", cookie.clone());
            async move {
                let r = req.send().await.map_err(|_| ())?;
                if r.status().as_u16() != 200 {
                    return Err(());
                }
                let html = r.text().await.map_err(|_| ())?;
                Ok(next_link(&html))
            }
        },
    )
    .await
}

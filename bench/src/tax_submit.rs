//! Benchmark (j): return submission over HTTP, as a filer's browser sends it.
//!
//! One egov app (auth + tax) on a fresh database (`EGOV_TEST_BACKEND`: sqlite or postgres).
//! Set-up (not measured): an employer uploads a withholding statement for each of
//! `TAXPAYERS` citizens (JSON, in batches), and each citizen gets an access token at aal2.
//! Then for DURATION seconds at CONCURRENCY requests in flight, each task owning its own
//! taxpayers in turn: `POST /tax/v1/me/returns/{year}/submit` with a fresh `Idempotency-Key`
//! — read the return, statements and latest version, compute the tax with the trace, check
//! the business rules, and in one transaction store the immutable version, the ledger delta
//! and the signed acknowledgement. Every request is a new version (the first an original, the
//! rest amendments), so every one writes. ROUNDS rounds, medians.
//!
//! Prints `RESULT key=value …` for `bench/run`, which compares it with pgbench's
//! single-row INSERT rate at the same concurrency.

#![allow(clippy::print_stdout)]

use std::sync::Arc;

use egov_bench::{drive, env_u64, median};
use egov_testing::{As, Spawn, spawn_app_with};
use serde_json::json;

const YEAR: i32 = 2026;

fn nid(i: usize) -> String {
    format!("900101-1{i:06}")
}

#[tokio::main]
async fn main() {
    let secs = env_u64("DURATION", 10);
    let concurrency = env_u64("CONCURRENCY", 64) as usize;
    let rounds = env_u64("ROUNDS", 3);
    let per_task = env_u64("TAXPAYERS_PER_TASK", 4) as usize;
    let taxpayers = concurrency * per_task;
    let pool = (concurrency + 4).to_string();
    let app = spawn_app_with(Spawn {
        modules: &["auth", "tax"],
        settings: &[
            ("EGOV__TAX__ALLOW_EARLY_FILING", "true"),
            ("EGOV__DATABASE__POOL_SIZE", &pool),
            ("EGOV__DATABASE__ACQUIRE_TIMEOUT_SECS", "10"),
            ("EGOV__SERVER__ACCESS_LOG", "false"),
        ],
    })
    .await;
    // Server errors are logged (to stdout) when LOG is set, e.g. LOG=error.
    let _logging = std::env::var("LOG").ok().map(|level| {
        let mut log = app.state.settings.log.clone();
        log.level = level;
        egov_core::telemetry::init_logging(&log).expect("logging")
    });
    let http = reqwest::Client::new();

    // Statements, 500 per upload.
    let employer = app.token(As {
        kind: "business",
        bid: Some("1248100998"),
        ..As::default()
    });
    let all: Vec<_> = (0..taxpayers)
        .map(|i| {
            json!({
                "statement_id": format!("B-{i}"),
                "national_id": nid(i),
                "wages": (20_000_000 + i * 250_000).to_string(),
                "withheld_income_tax": (400_000 + i * 9_000).to_string(),
                "withheld_local_tax": (40_000 + i * 900).to_string(),
                "pension_contributions": (900_000 + i * 11_000).to_string(),
                "insurance_premiums": "0",
            })
        })
        .collect();
    // The employer is a registered withholding agent.
    let officer = app.token(As {
        kind: "officer",
        roles: &["tax.officer"],
        agency: Some("NTS"),
        ..As::default()
    });
    let r = http
        .post(app.url("/tax/v1/officer/withholding-agents"))
        .bearer_auth(&officer)
        .json(&serde_json::json!({"business_id": "1248100998"}))
        .send()
        .await
        .expect("register the employer");
    assert!(r.status().is_success(), "register: {}", r.status());
    for chunk in all.chunks(500) {
        let r = http
            .post(app.url(&format!("/tax/v1/statements?year={YEAR}")))
            .bearer_auth(&employer)
            .json(&chunk)
            .send()
            .await
            .expect("upload");
        let status = r.status();
        let report: serde_json::Value = r.json().await.expect("report");
        assert!(
            status.is_success() && report["accepted"] == chunk.len(),
            "upload: {status} {report}"
        );
    }
    let tokens: Arc<Vec<String>> = Arc::new(
        (0..taxpayers)
            .map(|i| {
                app.token(As {
                    kind: "citizen",
                    pid: Some(&app.person_key(&nid(i))),
                    ..As::default()
                })
            })
            .collect(),
    );
    let submit_url = app.url(&format!("/tax/v1/me/returns/{YEAR}/submit"));

    // Sanity: one submission answers 201 with a signed acknowledgement.
    let r = http
        .post(&submit_url)
        .bearer_auth(&tokens[0])
        .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
        .send()
        .await
        .expect("submit");
    let status = r.status().as_u16();
    let ack: serde_json::Value = r.json().await.expect("ack");
    assert_eq!(status, 201, "{ack}");
    println!("acknowledgement: {ack}");

    let backend = format!("{:?}", egov_testing::backend()).to_lowercase();
    let (mut rps, mut p50, mut p99, mut errors) = (vec![], vec![], vec![], 0usize);
    let turn = Arc::new(
        (0..concurrency)
            .map(|_| std::sync::atomic::AtomicUsize::new(0))
            .collect::<Vec<_>>(),
    );
    // Failed requests by status (0: no answer), with the first answer of each.
    let failures: Arc<std::sync::Mutex<std::collections::BTreeMap<u16, (usize, String)>>> =
        Arc::default();
    for round in 1..=rounds {
        let (h, u, t, turn) = (
            http.clone(),
            submit_url.clone(),
            tokens.clone(),
            turn.clone(),
        );
        let failures = failures.clone();
        let run = drive(secs, concurrency, move |task| {
            let n = turn[task].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let token = t[task + (n % per_task) * concurrency].clone();
            let req = h
                .post(&u)
                .bearer_auth(token)
                .header("Idempotency-Key", uuid::Uuid::new_v4().to_string());
            let failures = failures.clone();
            async move {
                let (status, body) = match req.send().await {
                    Ok(r) if r.status().as_u16() == 201 => return true,
                    Ok(r) => (r.status().as_u16(), r.text().await.unwrap_or_default()),
                    Err(e) => (0, e.to_string()),
                };
                let mut f = failures.lock().expect("failures");
                f.entry(status).or_insert((0, body)).0 += 1;
                false
            }
        })
        .await;
        println!(
            "round {round}: {:.0} submissions/s p50 {:.2} ms p99 {:.2} ms errors {}",
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
    for (status, (n, first)) in failures.lock().expect("failures").iter() {
        println!("failed with {status}: {n} (first: {first})");
    }
    println!(
        "RESULT backend={backend} concurrency={concurrency} taxpayers={taxpayers} submit_rps={:.0} \
         p50_ms={:.2} p99_ms={:.2} errors={errors}",
        median(rps),
        median(p50),
        median(p99),
    );
}

//! Benchmarks (o) and (p): approval actions and registration numbering over HTTP.
//!
//! One egov app (auth + exchange + docflow) on a fresh database (`EGOV_TEST_BACKEND`), an
//! agency with one unit.
//!
//! MODE=approve (o): CONCURRENCY approvers, each holding its own position; each owns
//! documents (set-up over HTTP: created and submitted) whose line is 29 review steps and a 전결
//! by the approver's position. For DURATION seconds each approver acts on its current
//! document — `POST /docflow/v1/documents/{id}/actions {"action":"approve"}`: lock the
//! document, check the turn, sign the version digest, save the step, move the line on, append
//! the hash-chained history event, all in one transaction; every 30th action is the final
//! approval and registers the document. ROUNDS rounds, medians.
//!
//! MODE=register (p): CONCURRENCY approvers of the same unit, each with documents whose line
//! is a single 전결 step; for DURATION seconds every action is a final approval taking the
//! next number of the unit's yearly ledger (one counter row: every approval contends on it).
//! Afterwards the ledger is read: the serials must be exactly 1..N, N = successful approvals.
//!
//! Prints `RESULT key=value …` for `bench/run`.

#![allow(clippy::print_stdout)]

use std::sync::{Arc, Mutex};

use diesel::RunQueryDsl;
use egov_bench::{drive, env_u64, median};
use egov_testing::{As, Spawn, TestApp, spawn_app_with};
use serde_json::{Value, json};

async fn call(app: &TestApp, path: &str, token: &str, body: Value) -> (u16, Value) {
    let res = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("request");
    let s = res.status().as_u16();
    (s, res.json().await.unwrap_or(Value::Null))
}

fn officer(app: &TestApp, sub: &str) -> String {
    app.token(As {
        kind: "officer",
        agency: Some("MOIS"),
        sub: Some(sub),
        ..As::default()
    })
}

/// Documents still to act on, per approver: (id, steps left).
type Queue = Mutex<Vec<(String, u32)>>;

#[tokio::main]
async fn main() {
    let mode = std::env::var("MODE").unwrap_or_else(|_| "approve".into());
    let secs = env_u64("DURATION", 10);
    let rounds = env_u64("ROUNDS", 3);
    let concurrency = env_u64("CONCURRENCY", 64) as usize;
    // Database connections (default: one per approver and a few more).
    let pool = env_u64("POOL", concurrency as u64 + 4).to_string();
    let app = spawn_app_with(Spawn {
        modules: &["auth", "exchange", "docflow"],
        settings: &[
            ("EGOV__DATABASE__POOL_SIZE", &pool),
            ("EGOV__DATABASE__ACQUIRE_TIMEOUT_SECS", "30"),
            ("EGOV__SERVER__ACCESS_LOG", "false"),
            ("EGOV__LOG__LEVEL", "warn"),
        ],
    })
    .await;
    let backend = format!("{:?}", egov_testing::backend()).to_lowercase();
    let admin = app.token(As {
        kind: "agency_admin",
        agency: Some("MOIS"),
        ..As::default()
    });
    let (s, unit) = call(
        &app,
        "/docflow/v1/org/units",
        &admin,
        json!({"code": "PLAN", "name": "Planning"}),
    )
    .await;
    assert_eq!(s, 201, "{unit}");
    let position = |name: String, rank: i32| {
        let (app, admin, unit) = (&app, admin.clone(), unit["id"].clone());
        async move {
            let (s, p) = call(
                app,
                "/docflow/v1/org/positions",
                &admin,
                json!({"unit_id": unit, "title": name, "rank": rank}),
            )
            .await;
            assert_eq!(s, 201, "{p}");
            let id = p["id"].as_str().expect("id").to_owned();
            let account = app.officer_account(&name, "MOIS").await;
            let (s, a) = call(
                app,
                "/docflow/v1/org/assignments",
                &admin,
                json!({"position_id": id, "account": account}),
            )
            .await;
            assert_eq!(s, 201, "{a}");
            (id, account)
        }
    };
    let (drafter_pos, drafter_account) = position("bench-drafter".into(), 5).await;
    let drafter = officer(&app, &drafter_account);
    let mut approvers = Vec::new();
    for i in 0..concurrency {
        let name = format!("bench-approver-{i}");
        let (pos, account) = position(name.clone(), 4).await;
        approvers.push((officer(&app, &account), pos));
    }
    let steps: u32 = if mode == "register" { 1 } else { 30 };
    // Enough documents for every round at a generous rate.
    let per_task = env_u64(
        "DOCS_PER_APPROVER",
        if mode == "register" { 400 } else { 40 },
    ) as usize;
    let t = std::time::Instant::now();
    let queues: Arc<Vec<Queue>> =
        Arc::new((0..concurrency).map(|_| Mutex::new(Vec::new())).collect());
    let mut creators = Vec::new();
    for (task, (_, pos)) in approvers.iter().enumerate() {
        let (app_url, client, drafter, drafter_pos, pos, queues) = (
            app.address.clone(),
            app.client.clone(),
            drafter.clone(),
            drafter_pos.clone(),
            pos.clone(),
            queues.clone(),
        );
        creators.push(tokio::spawn(async move {
            let mut line: Vec<Value> = (1..steps).map(|_| json!({"kind": "review", "position": pos})).collect();
            line.push(json!({"kind": "delegated_approve", "position": pos}));
            for _ in 0..per_task {
                let r: Value = client
                    .post(format!("{app_url}/docflow/v1/documents"))
                    .bearer_auth(&drafter)
                    .json(&json!({"position": drafter_pos, "doc_type": "general", "title": "Bench document",
                        "body": {"paragraphs": ["A document for the approval benchmark.", "둘째 문단."]},
                        "classification": "B-01", "disclosure": "public", "line": line}))
                    .send().await.expect("create").json().await.expect("json");
                let id = r["id"].as_str().expect("created").to_owned();
                let s = client
                    .post(format!("{app_url}/docflow/v1/documents/{id}/submit"))
                    .bearer_auth(&drafter)
                    .json(&json!({"version": 1}))
                    .send().await.expect("submit").status();
                assert!(s.is_success());
                queues[task].lock().expect("queue").push((id, steps));
            }
        }));
    }
    for c in creators {
        c.await.expect("creator");
    }
    app.state
        .db
        .run(|c| {
            diesel::sql_query("ANALYZE").execute(c)?;
            Ok(())
        })
        .await
        .ok();
    println!(
        "set-up: {} documents ({} steps each) in {:.1} s",
        concurrency * per_task,
        steps,
        t.elapsed().as_secs_f64()
    );

    let tokens: Arc<Vec<String>> = Arc::new(approvers.iter().map(|a| a.0.clone()).collect());
    let http = reqwest::Client::new();
    let base = app.url("/docflow/v1/documents");
    let (mut rps, mut p50, mut p99, mut errors) = (vec![], vec![], vec![], 0usize);
    for round in 1..=rounds {
        let (h, b, tok, q) = (http.clone(), base.clone(), tokens.clone(), queues.clone());
        let run = drive(secs, concurrency, move |task| {
            let id = q[task].lock().expect("queue").last().map(|d| d.0.clone());
            let req = id.map(|id| {
                h.post(format!("{b}/{id}/actions"))
                    .bearer_auth(&tok[task])
                    .json(&json!({"action": "approve", "version": 1}))
            });
            let q = q.clone();
            async move {
                let Some(req) = req else {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    return false;
                };
                let ok = matches!(req.send().await, Ok(r) if r.status().as_u16() == 200);
                if ok {
                    let mut q = q[task].lock().expect("queue");
                    if let Some(d) = q.last_mut() {
                        d.1 -= 1;
                        if d.1 == 0 {
                            q.pop();
                        }
                    }
                }
                ok
            }
        })
        .await;
        println!(
            "round {round}: {:.0} actions/s p50 {:.2} ms p99 {:.2} ms errors {}",
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
    // What the ledger says: every registration numbered, none skipped or shared.
    let (registered, max_serial, distinct) = app
        .state
        .db
        .run(|c| {
            #[derive(diesel::QueryableByName)]
            struct R {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                max: i64,
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                docs: i64,
            }
            let r: R = diesel::sql_query(
                "SELECT COUNT(*) AS n, COALESCE(MAX(serial), 0) AS max, COUNT(DISTINCT document_id) AS docs \
                 FROM docflow_ledger WHERE kind = 'production'",
            )
            .get_result(c)?;
            Ok((r.n, r.max, r.docs))
        })
        .await
        .expect("ledger");
    let status_registered = app
        .state
        .db
        .run(|c| {
            #[derive(diesel::QueryableByName)]
            struct N {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            Ok(diesel::sql_query(
                "SELECT COUNT(*) AS n FROM docflow_documents WHERE status = 'registered'",
            )
            .get_result::<N>(c)?
            .n)
        })
        .await
        .expect("count");
    let gapless =
        registered == max_serial && distinct == registered && status_registered == registered;
    println!(
        "RESULT backend={backend} mode={mode} concurrency={concurrency} actions_rps={:.0} p50_ms={:.2} p99_ms={:.2} errors={errors} registered={registered} max_serial={max_serial} registered_documents={status_registered} gapless={gapless}",
        median(rps),
        median(p50),
        median(p99)
    );
    assert!(gapless, "a number was lost or shared");
}

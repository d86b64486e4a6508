//! Benchmark (q): work lists of a user with 100,000 documents in an agency of DOCS
//! (default 1,000,000).
//!
//! One egov app (auth + docflow) on a fresh database (`EGOV_TEST_BACKEND`). Set-up (not
//! measured): DOCS documents with their versions and one approval step each, written by
//! INSERT … SELECT over a generated series: every tenth drafted by the user (still drafts),
//! every tenth step waiting on the user's position, every tenth document circulated to the
//! user — 100,000 each at the default size — the rest spread over 5,000 officers and ten
//! positions; due dates spread over months; then ANALYZE. Then for DURATION seconds
//! CONCURRENCY clients walk the user's three lists (drafts, awaiting, circulated) page after
//! page with the `next` cursor (50 per page; back to the first page after PAGES pages).
//! ROUNDS rounds, medians.
//!
//! Prints `RESULT key=value …` for `bench/run`.

#![allow(clippy::print_stdout)]

use std::sync::{Arc, Mutex};

use diesel::RunQueryDsl;
use egov_bench::{drive, env_u64, median};
use egov_testing::{As, Backend, Spawn, spawn_app_with};
use serde_json::Value;

type Cursor = (Option<String>, usize);

fn series(backend: Backend, n: u64) -> (String, String, String, String) {
    match backend {
        Backend::Postgres => (
            String::new(),
            format!("FROM generate_series(1, {n}) AS s(i)"),
            "'00000000-0000-7000-8000-' || lpad(to_hex(i), 12, '0')".to_owned(),
            "TIMESTAMP '2026-12-01 00:00:00' + (i % 700000) * INTERVAL '13 seconds'".to_owned(),
        ),
        Backend::Sqlite => (
            format!(
                "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) "
            ),
            "FROM s".to_owned(),
            "printf('00000000-0000-7000-8000-%012x', i)".to_owned(),
            "datetime('2026-12-01 00:00:00', '+' || ((i % 700000) * 13) || ' seconds')".to_owned(),
        ),
    }
}

fn seed(backend: Backend, n: u64) -> Vec<String> {
    let (head, from, id, ts) = series(backend, n);
    vec![
        "INSERT INTO docflow_units (id, agency, code, name, parent_id, document_office, valid_from, valid_to, created_at) \
         VALUES ('bench-unit', 'MOIS', 'BENCH', 'Bench unit', NULL, false, '2020-01-01', NULL, '2026-01-01 00:00:00')".to_owned(),
        "INSERT INTO docflow_positions (id, agency, unit_id, title, rank, valid_from, valid_to, created_at) \
         VALUES ('pos-0', 'MOIS', 'bench-unit', 'Team leader', 4, '2020-01-01', NULL, '2026-01-01 00:00:00')".to_owned(),
        "INSERT INTO docflow_assignments (id, agency, position_id, account, valid_from, valid_to, created_at) \
         VALUES ('bench-assignment', 'MOIS', 'pos-0', 'bench-user', '2020-01-01', NULL, '2026-01-01 00:00:00')".to_owned(),
        format!(
            "{head}INSERT INTO docflow_documents (id, agency, unit_id, origin, drafter, drafter_position, doc_type, \
             classification, disclosure, disclosure_ground, personal_data, subjects, amount, status, version, round, \
             due_at, registration_no, registered_at, sender, retention, file_id, completed_at, disposed_at, created_at, updated_at) \
             SELECT {id}, 'MOIS', 'bench-unit', 'produced', \
             CASE WHEN i % 10 = 0 THEN 'bench-user' ELSE 'officer-' || (i % 5000) END, NULL, 'general', 'B-01', 'public', \
             NULL, false, '[]', NULL, \
             CASE WHEN i % 10 = 0 THEN 'drafting' WHEN i % 4 = 0 THEN 'drafting' WHEN i % 4 = 1 THEN 'in_approval' \
                  WHEN i % 4 = 2 THEN 'registered' ELSE 'returned' END, \
             1, 1, {ts}, NULL, NULL, NULL, '3y', NULL, NULL, NULL, {ts}, {ts} {from}"
        ),
        format!(
            "{head}INSERT INTO docflow_versions (document_id, version, title, body, attachments, digest, author, reason, created_at) \
             SELECT {id}, 1, 'Document ' || i, '{{\"paragraphs\":[\"bench\"]}}', '[]', 'x', 'bench', NULL, {ts} {from}"
        ),
        format!(
            "{head}INSERT INTO docflow_steps (id, document_id, seq, grp, kind, position_id, status, due_at, acted_by, mode, \
             action, opinion, acted_at, added_by, reason) \
             SELECT 'step-' || i, {id}, 1, 0, 'review', 'pos-' || ((i + 5) % 10), \
             CASE WHEN i % 4 = 1 OR (i + 5) % 10 = 0 THEN 'current' ELSE 'pending' END, {ts}, \
             NULL, NULL, NULL, NULL, NULL, 'bench', NULL {from}"
        ),
        format!(
            "{head}INSERT INTO docflow_circulations (id, document_id, reader, added_by, added_at, due_at, read_at, comment) \
             SELECT 'circ-' || i, {id}, CASE WHEN i % 10 = 3 THEN 'bench-user' ELSE 'officer-' || (i % 5000) END, \
             'bench', {ts}, {ts}, NULL, NULL {from}"
        ),
    ]
}

#[tokio::main]
async fn main() {
    let secs = env_u64("DURATION", 10);
    let concurrency = env_u64("CONCURRENCY", 16) as usize;
    let rounds = env_u64("ROUNDS", 3);
    let docs = env_u64("DOCS", 1_000_000);
    let pages = env_u64("PAGES", 100) as usize;
    let pool = (concurrency + 4).to_string();
    let app = spawn_app_with(Spawn {
        modules: &["auth", "docflow"],
        settings: &[
            ("EGOV__DATABASE__POOL_SIZE", &pool),
            ("EGOV__DATABASE__ACQUIRE_TIMEOUT_SECS", "10"),
            ("EGOV__SERVER__ACCESS_LOG", "false"),
            ("EGOV__LOG__LEVEL", "warn"),
        ],
    })
    .await;
    let backend = egov_testing::backend();
    let t = std::time::Instant::now();
    for sql in seed(backend, docs) {
        app.state
            .db
            .transaction(move |c| {
                diesel::sql_query(sql).execute(c)?;
                Ok(())
            })
            .await
            .expect("seed");
    }
    app.state
        .db
        .run(|c| {
            diesel::sql_query("ANALYZE").execute(c)?;
            Ok(())
        })
        .await
        .expect("analyze");
    let counts = app
        .state
        .db
        .run(|c| {
            #[derive(diesel::QueryableByName)]
            struct N {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            let q = |c: &mut egov_core::DbConnection, s: &str| -> Result<i64, egov_core::Error> {
                Ok(diesel::sql_query(s).get_result::<N>(c)?.n)
            };
            Ok((
                q(c, "SELECT COUNT(*) AS n FROM docflow_documents")?,
                q(c, "SELECT COUNT(*) AS n FROM docflow_documents WHERE drafter = 'bench-user'")?,
                q(c, "SELECT COUNT(*) AS n FROM docflow_steps WHERE position_id = 'pos-0' AND status = 'current'")?,
                q(c, "SELECT COUNT(*) AS n FROM docflow_circulations WHERE reader = 'bench-user'")?,
            ))
        })
        .await
        .expect("count");
    println!(
        "seeded {} documents (user: {} drafts, {} awaiting, {} circulated) in {:.1} s",
        counts.0,
        counts.1,
        counts.2,
        counts.3,
        t.elapsed().as_secs_f64()
    );

    let token = app.token(As {
        kind: "officer",
        agency: Some("MOIS"),
        sub: Some("bench-user"),
        ..As::default()
    });
    let views = ["drafts", "awaiting", "circulated"];
    let http = reqwest::Client::new();
    for v in views {
        let r: Value = http
            .get(app.url(&format!("/docflow/v1/work/{v}?limit=50")))
            .bearer_auth(&token)
            .send()
            .await
            .expect("page")
            .json()
            .await
            .expect("json");
        assert_eq!(r["items"].as_array().map(Vec::len), Some(50), "{v}: {r}");
        assert!(r["next"].is_string());
    }
    let base = app.url("/docflow/v1/work");
    let state: Arc<Vec<Mutex<Cursor>>> =
        Arc::new((0..concurrency).map(|_| Mutex::new((None, 0))).collect());
    let (mut rps, mut p50, mut p99, mut errors) = (vec![], vec![], vec![], 0usize);
    for round in 1..=rounds {
        let (h, b, tok, st) = (http.clone(), base.clone(), token.clone(), state.clone());
        let run = drive(secs, concurrency, move |task| {
            let url = {
                let s = st[task].lock().expect("state");
                let view = views[task % views.len()];
                match &s.0 {
                    Some(c) => format!("{b}/{view}?limit=50&after={c}"),
                    None => format!("{b}/{view}?limit=50"),
                }
            };
            let req = h.get(url).bearer_auth(&tok);
            let st = st.clone();
            async move {
                let Ok(r) = req.send().await else {
                    return false;
                };
                if r.status().as_u16() != 200 {
                    return false;
                }
                let Ok(v) = r.json::<Value>().await else {
                    return false;
                };
                let mut s = st[task].lock().expect("state");
                s.1 += 1;
                s.0 = if s.1 >= pages {
                    s.1 = 0;
                    None
                } else {
                    v["next"].as_str().map(urlencode)
                };
                true
            }
        })
        .await;
        println!(
            "round {round}: {:.0} pages/s p50 {:.2} ms p99 {:.2} ms errors {}",
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
    println!(
        "RESULT backend={} docs={} user_docs={} concurrency={concurrency} pages_per_s={:.0} p50_ms={:.2} p99_ms={:.2} errors={errors}",
        format!("{backend:?}").to_lowercase(),
        counts.0,
        counts.1,
        median(rps),
        median(p50),
        median(p99)
    );
}

fn urlencode(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '_' | '.' | '~' => c.to_string(),
            c => {
                let mut b = [0; 4];
                c.encode_utf8(&mut b)
                    .bytes()
                    .map(|x| format!("%{x:02X}"))
                    .collect()
            }
        })
        .collect()
}

//! Benchmark (q): work lists of a user with 100,000 documents in an agency of DOCS
//! (default 1,000,000).
//!
//! One egov app (auth + docflow) on a fresh database (`EGOV_TEST_BACKEND`). Set-up (not
//! measured): DOCS documents with their versions and one approval step each, written by
//! INSERT … SELECT over a generated series: every tenth drafted by the user (still drafts),
//! every tenth step waiting on the user's position, every tenth document circulated to the
//! user — 100,000 each at the default size — the rest spread over 5,000 officers and ten
//! positions; due dates spread over months; then ANALYZE (and VACUUM on PostgreSQL). Then
//! for DURATION seconds
//! CONCURRENCY clients walk the user's three lists (drafts, awaiting, circulated) page after
//! page with the `next` cursor (50 per page; back to the first page after PAGES pages).
//! ROUNDS rounds, medians.
//!
//! Then the same lists as the workspace's pages, server-side rendered: the user signs in on the
//! pages (password and TOTP, a page session) and CONCURRENCY tasks walk
//! `/desk/documents?list=…` following each page's "Next page" link.
//!
//! Prints `RESULT key=value …` for `bench/run`.

#![allow(clippy::print_stdout)]

use diesel::RunQueryDsl;
use egov_bench::{env_u64, page_session, walk, walk_pages};
use egov_testing::{As, Backend, Spawn, spawn_app_with};
use serde_json::Value;

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

/// The seed's statements; `user` is the account whose lists are walked.
fn seed(backend: Backend, n: u64, user: &str) -> Vec<String> {
    let (head, from, id, ts) = series(backend, n);
    vec![
        "INSERT INTO docflow_units (id, agency, code, name, parent_id, document_office, valid_from, valid_to, created_at) \
         VALUES ('bench-unit', 'MOIS', 'BENCH', 'Bench unit', NULL, false, '2020-01-01', NULL, '2026-01-01 00:00:00')".to_owned(),
        "INSERT INTO docflow_positions (id, agency, unit_id, title, rank, valid_from, valid_to, created_at) \
         VALUES ('pos-0', 'MOIS', 'bench-unit', 'Team leader', 4, '2020-01-01', NULL, '2026-01-01 00:00:00')".to_owned(),
        format!("INSERT INTO docflow_assignments (id, agency, position_id, account, valid_from, valid_to, created_at) \
         VALUES ('bench-assignment', 'MOIS', 'pos-0', '{user}', '2020-01-01', NULL, '2026-01-01 00:00:00')"),
        format!(
            "{head}INSERT INTO docflow_documents (id, agency, unit_id, origin, drafter, drafter_position, doc_type, \
             classification, disclosure, disclosure_ground, personal_data, subjects, amount, status, version, round, \
             due_at, registration_no, registered_at, sender, retention, file_id, completed_at, disposed_at, created_at, updated_at) \
             SELECT {id}, 'MOIS', 'bench-unit', 'produced', \
             CASE WHEN i % 10 = 0 THEN '{user}' ELSE 'officer-' || (i % 5000) END, NULL, 'general', 'B-01', 'public', \
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
             SELECT 'circ-' || i, {id}, CASE WHEN i % 10 = 3 THEN '{user}' ELSE 'officer-' || (i % 5000) END, \
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
    // The user: an official with a password (and, below, TOTP) for the pages.
    let password = "bench docs passphrase 1";
    let user = app
        .official("bench.docs", "Bench Docs", "MOIS", &[], Some(password))
        .await;
    let t = std::time::Instant::now();
    for sql in seed(backend, docs, &user) {
        app.state
            .db
            .transaction(move |c| {
                diesel::sql_query(sql).execute(c)?;
                Ok(())
            })
            .await
            .expect("seed");
    }
    // The tables in their steady state: on PostgreSQL, vacuumed as well (else autovacuum
    // works through the four million fresh rows during the measured rounds).
    let settle = match backend {
        Backend::Postgres => "VACUUM (ANALYZE)",
        Backend::Sqlite => "ANALYZE",
    };
    app.state
        .db
        .run(move |c| {
            diesel::sql_query(settle).execute(c)?;
            Ok(())
        })
        .await
        .expect("analyze");
    let u = user.clone();
    let counts = app
        .state
        .db
        .run(move |c| {
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
                q(c, &format!("SELECT COUNT(*) AS n FROM docflow_documents WHERE drafter = '{u}'"))?,
                q(c, "SELECT COUNT(*) AS n FROM docflow_steps WHERE position_id = 'pos-0' AND status = 'current'")?,
                q(c, &format!("SELECT COUNT(*) AS n FROM docflow_circulations WHERE reader = '{u}'"))?,
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
        sub: Some(&user),
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
    let (h, b, tok) = (http.clone(), base.clone(), token.clone());
    let api = walk("", secs, concurrency, rounds, pages, move |task, after| {
        let view = views[task % views.len()];
        let url = match after {
            Some(c) => format!("{b}/{view}?limit=50&after={}", urlencode(&c)),
            None => format!("{b}/{view}?limit=50"),
        };
        let req = h.get(url).bearer_auth(&tok);
        async move {
            let r = req.send().await.map_err(|_| ())?;
            if r.status().as_u16() != 200 {
                return Err(());
            }
            let v = r.json::<Value>().await.map_err(|_| ())?;
            Ok(v["next"].as_str().map(str::to_owned))
        }
    })
    .await;
    println!(
        "RESULT backend={} docs={} user_docs={} concurrency={concurrency} pages_per_s={:.0} p50_ms={:.2} p99_ms={:.2} errors={}",
        format!("{backend:?}").to_lowercase(),
        counts.0,
        counts.1,
        api.rps,
        api.p50,
        api.p99,
        api.errors,
    );

    // The workspace's pages: the user's page session (password and TOTP).
    let cookie = page_session(&app, "bench.docs", password, "/desk/documents").await;
    // PAGE_LISTS (drafts,awaiting,circulated by default) to look at one list alone.
    let wanted =
        std::env::var("PAGE_LISTS").unwrap_or_else(|_| "drafts,awaiting,circulated".into());
    let lists: Vec<String> = [
        ("drafts", "/desk/documents?list=drafts"),
        ("awaiting", "/desk/documents"),
        ("circulated", "/desk/documents?list=circulated"),
    ]
    .into_iter()
    .filter(|(k, _)| wanted.split(',').any(|w| w == *k))
    .map(|(_, p)| p.to_owned())
    .collect();
    let desk = walk_pages(
        "pages ",
        (secs, concurrency, rounds, pages),
        app.url(""),
        lists,
        cookie,
    )
    .await;
    println!(
        "RESULT page_rps={:.0} page_p50_ms={:.2} page_p99_ms={:.2} page_errors={}",
        desk.rps, desk.p50, desk.p99, desk.errors,
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

//! Benchmark (l): the officers' work list over CASES (default 1,000,000) cases.
//!
//! One egov app (auth + petition) on a fresh database (`EGOV_TEST_BACKEND`). Set-up (not
//! measured): CASES cases written by one INSERT … SELECT over a generated series: half at
//! JONGNO, the rest spread over five agencies; six services, eight statuses (five open),
//! fifty assignees, due times spread over months; then ANALYZE. Then for DURATION seconds at
//! CONCURRENCY officers of JONGNO, each walks its own view page after page with the `next`
//! cursor (50 per page; back to the first page after PAGES pages): no filter, by status, by
//! service, by assignee, due before a date. Every request is one page:
//! `GET /petition/v1/officer/cases?…`. ROUNDS rounds, medians.
//!
//! Then the same over the petition desk's pages, server-side rendered: an officer of JONGNO
//! signs in on the pages (password and TOTP, a page session) and CONCURRENCY tasks walk the
//! work list's views (all open, overdue, due soon, by status, by service) following each
//! page's "Next page" link: `GET /desk/petitions?…` with the session cookie.

#![allow(clippy::print_stdout)]

use diesel::RunQueryDsl;
use egov_bench::{env_u64, page_session, walk, walk_pages};
use egov_testing::{As, Backend, Spawn, spawn_app_with};
use serde_json::Value;

fn pick(expr: &str, values: &[&str]) -> String {
    let mut s = format!("CASE {expr}");
    for (i, v) in values.iter().enumerate() {
        s.push_str(&format!(" WHEN {i} THEN '{v}'"));
    }
    s.push_str(" END");
    s
}

fn seed_sql(backend: Backend, n: u64) -> String {
    let services = [
        "resident-registration-copy",
        "business-registration",
        "housing-benefit",
        "tax-payment-certificate",
        "road-complaint",
        "policy-proposal",
    ];
    let statuses = [
        "submitted",
        "received",
        "in_review",
        "supplement_requested",
        "supplemented",
        "decided",
        "closed",
        "issued",
    ];
    let agencies = ["NTS", "GANGNAM", "BUSAN", "MOIS", "ACRC"];
    let (id, ts, series_head, series_from) = match backend {
        Backend::Postgres => (
            "'00000000-0000-7000-8000-' || lpad(to_hex(i), 12, '0')".to_owned(),
            "TIMESTAMP '2026-09-01 00:00:00' + (i % 700000) * INTERVAL '13 seconds'".to_owned(),
            String::new(),
            format!("FROM generate_series(1, {n}) AS s(i)"),
        ),
        Backend::Sqlite => (
            "printf('00000000-0000-7000-8000-%012x', i)".to_owned(),
            "datetime('2026-09-01 00:00:00', '+' || ((i % 700000) * 13) || ' seconds')".to_owned(),
            format!(
                "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) "
            ),
            "FROM s".to_owned(),
        ),
    };
    format!(
        "{series_head}INSERT INTO petition_cases (id, service, kind, agency, applicant, \
         applicant_account, channel, status, receipt_no, form, category, region, lat, lon, \
         address, assignee, decision, decision_reason, remedies, merged_into, rating, \
         rating_comment, submitted_at, due_at, paused_at, closed_at, progress_noticed, version, \
         created_at, updated_at) \
         SELECT {id}, {service}, 'statutory', \
         CASE WHEN i % 2 = 0 THEN 'JONGNO' ELSE {agency} END, \
         'bench-applicant-' || (i % 100000), 'acct', 'web', {status}, 'B-' || i, '{{}}', 'c', '*', \
         NULL, NULL, NULL, 'officer-' || (i % 50), NULL, NULL, NULL, NULL, NULL, NULL, \
         {ts}, {ts}, NULL, NULL, false, 1, {ts}, {ts} {series_from}",
        service = pick("i % 6", &services),
        agency = pick("(i / 2) % 5", &agencies),
        status = pick("(i / 7) % 8", &statuses),
    )
}

#[tokio::main]
async fn main() {
    let secs = env_u64("DURATION", 10);
    let concurrency = env_u64("CONCURRENCY", 16) as usize;
    let rounds = env_u64("ROUNDS", 3);
    let cases = env_u64("CASES", 1_000_000);
    let pages = env_u64("PAGES", 100) as usize;
    let pool = (concurrency + 4).to_string();
    let app = spawn_app_with(Spawn {
        modules: &["auth", "petition"],
        settings: &[
            ("EGOV__DATABASE__POOL_SIZE", &pool),
            ("EGOV__DATABASE__ACQUIRE_TIMEOUT_SECS", "10"),
            ("EGOV__SERVER__ACCESS_LOG", "false"),
        ],
    })
    .await;
    let backend = egov_testing::backend();
    let t = std::time::Instant::now();
    let sql = seed_sql(backend, cases);
    app.state
        .db
        .transaction(move |c| {
            diesel::sql_query(sql).execute(c)?;
            Ok(())
        })
        .await
        .expect("seed");
    app.state
        .db
        .run(|c| {
            diesel::sql_query("ANALYZE").execute(c)?;
            Ok(())
        })
        .await
        .expect("analyze");
    let total = app
        .state
        .db
        .run(egov_petition::store::count_cases)
        .await
        .expect("count");
    println!("seeded {total} cases in {:.1} s", t.elapsed().as_secs_f64());

    let token = app.token(As {
        kind: "officer",
        roles: &["petition.officer"],
        agency: Some("JONGNO"),
        ..As::default()
    });
    let views = [
        "",
        "&status=in_review",
        "&service=housing-benefit",
        "&assignee=officer-8",
        "&due_before=2026-10-15T00:00:00",
    ];
    let base = app.url("/petition/v1/officer/cases?limit=50");
    let http = reqwest::Client::new();
    // Sanity: the first page is full and ordered by due time.
    let r: Value = http
        .get(&base)
        .bearer_auth(&token)
        .send()
        .await
        .expect("page")
        .json()
        .await
        .expect("json");
    assert_eq!(r["items"].as_array().map(Vec::len), Some(50), "{r}");
    assert!(r["next"].is_string());

    let (h, b, tok) = (http.clone(), base.clone(), token.clone());
    let api = walk("", secs, concurrency, rounds, pages, move |task, after| {
        let view = views[task % views.len()];
        let url = match after {
            Some(c) => format!("{b}{view}&after={c}"),
            None => format!("{b}{view}"),
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
        "RESULT backend={} cases={total} concurrency={concurrency} pages_rps={:.0} p50_ms={:.2} \
         p99_ms={:.2} errors={}",
        format!("{backend:?}").to_lowercase(),
        api.rps,
        api.p50,
        api.p99,
        api.errors,
    );

    // The desk's pages: an officer's page session (signed in with a password and TOTP).
    let password = "bench desk passphrase 1";
    app.official(
        "bench.desk",
        "Bench Desk",
        "JONGNO",
        &["petition.officer"],
        Some(password),
    )
    .await;
    let cookie = page_session(&app, "bench.desk", password, "/desk/petitions").await;
    let desk_views = [
        "/desk/petitions",
        "/desk/petitions?view=overdue",
        "/desk/petitions?view=due_soon",
        "/desk/petitions?status=in_review",
        "/desk/petitions?service=housing-benefit",
    ]
    .map(str::to_owned)
    .to_vec();
    let desk = walk_pages(
        "desk ",
        (secs, concurrency, rounds, pages),
        app.url(""),
        desk_views,
        cookie,
    )
    .await;
    println!(
        "RESULT desk_rps={:.0} desk_p50_ms={:.2} desk_p99_ms={:.2} desk_errors={}",
        desk.rps, desk.p50, desk.p99, desk.errors,
    );
}

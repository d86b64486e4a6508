//! Benchmark (k): application submission over HTTP, as a citizen's browser sends it.
//!
//! One egov app (auth + petition) on a fresh database (`EGOV_TEST_BACKEND`: sqlite or
//! postgres). Set-up (not measured): one citizen per task, each with DRAFTS_PER_TASK complete
//! drafts of the kr pack's resident-registration copy (written straight to the table). Then
//! for DURATION seconds at CONCURRENCY requests in flight, each task submits its next draft:
//! `POST /petition/v1/applications/{id}/submit` — check the form and evidence, route, take the
//! next gapless receipt number of the agency and year, compute the due time on the working-day
//! calendar, and in one transaction save the case, its event and the applicant's notification;
//! the answer is the whole case. With AGENCIES=1 (the default) every submission goes to one
//! agency (JONGNO), so every one takes the same receipt counter: the worst case for gapless
//! numbering, whose commits serialize on that counter. With AGENCIES=n the pack is the kr pack
//! with n agencies, each with its own certificate service, and task i submits to agency i % n:
//! a ministry-wide portal where many offices receive at once. ROUNDS rounds, medians.
//!
//! Prints `RESULT key=value …` for `bench/run`, which compares it with pgbench's single-row
//! INSERT rate at the same concurrency.

#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use egov_bench::{drive, env_u64, median};
use egov_testing::{As, Spawn, spawn_app_with};
use serde_json::{Map, Value, json};

/// The kr pack with `n` agencies, each with one certificate service (`cert-<i>` at `A<i>`).
fn many_agencies_pack(dir: &std::path::Path, n: usize) {
    let kr = egov_testing::config_dir().join("countries/kr");
    let to = dir.join("kr");
    std::fs::create_dir_all(to.join("holidays")).expect("mkdir");
    std::fs::create_dir_all(to.join("petition/services")).expect("mkdir");
    std::fs::copy(kr.join("pack.toml"), to.join("pack.toml")).expect("pack");
    for e in std::fs::read_dir(kr.join("holidays"))
        .expect("holidays")
        .flatten()
    {
        std::fs::copy(e.path(), to.join("holidays").join(e.file_name())).expect("holiday");
    }
    let mut main = String::from(
        "[policy]\nprogress_notice_days = 30\ndue_soon_working_hours = 8\nreopen_days = 14\n\
         max_extension_working_days = 10\nmax_extensions = 1\ntransfer_clock = \"restart\"\nduplicate_radius_m = 50\n\
         duplicate_days = 30\n\n[routing]\ndefault_agency = \"A0\"\n",
    );
    for i in 0..n {
        main.push_str(&format!(
            "\n[[agencies]]\ncode = \"A{i}\"\nnames = {{ ko = \"기관 {i}\", en = \"Office {i}\" }}\n"
        ));
        std::fs::write(
            to.join(format!("petition/services/cert-{i}.toml")),
            format!(
                "id = \"cert-{i}\"\nkind = \"statutory\"\nnames = {{ ko = \"증명 {i}\", en = \"Certificate {i}\" }}\n\
                 agency = \"A{i}\"\nfee = \"0\"\nperiod = {{ working_hours = 3 }}\nissues_document = true\n\
                 legal_basis = \"benchmark\"\n\n[[fields]]\nname = \"purpose\"\ntype = \"choice\"\n\
                 label = {{ ko = \"용도\", en = \"Purpose\" }}\nrequired = true\nchoices = [\"bank\"]\n"
            ),
        )
        .expect("service");
    }
    std::fs::write(to.join("petition/petition.toml"), main).expect("petition.toml");
}

fn nid(i: usize) -> String {
    format!("900101-1{i:06}")
}

#[tokio::main]
async fn main() {
    let secs = env_u64("DURATION", 10);
    let concurrency = env_u64("CONCURRENCY", 64) as usize;
    let rounds = env_u64("ROUNDS", 3);
    let per_task = env_u64("DRAFTS_PER_TASK", 1500) as usize;
    let agencies = env_u64("AGENCIES", 1).max(1) as usize;
    let pool = (concurrency + 4).to_string();
    let packs_dir = tempfile::tempdir().expect("tempdir");
    let packs = if agencies > 1 {
        many_agencies_pack(packs_dir.path(), agencies);
        packs_dir.path().display().to_string()
    } else {
        egov_testing::config_dir()
            .join("countries")
            .display()
            .to_string()
    };
    // SYNCHRONOUS=normal measures SQLite without a disk flush per commit (the default is full).
    let synchronous = std::env::var("SYNCHRONOUS").unwrap_or_else(|_| "full".to_owned());
    let app = spawn_app_with(Spawn {
        modules: &["auth", "petition"],
        settings: &[
            ("EGOV__DATABASE__POOL_SIZE", &pool),
            ("EGOV__DATABASE__ACQUIRE_TIMEOUT_SECS", "10"),
            ("EGOV__DATABASE__SQLITE_SYNCHRONOUS", &synchronous),
            ("EGOV__SERVER__ACCESS_LOG", "false"),
            ("EGOV__COUNTRY__PACKS_DIR", &packs),
        ],
    })
    .await;
    let _logging = std::env::var("LOG").ok().map(|level| {
        let mut log = app.state.settings.log.clone();
        log.level = level;
        egov_core::telemetry::init_logging(&log).expect("logging")
    });
    let http = reqwest::Client::new();

    // Drafts, straight to the table (set-up is not what is measured).
    let packs = egov_core::CountryPacks::load(
        &app.state.settings.country.packs_dir,
        &app.state.settings.country.code,
    )
    .expect("packs");
    let pack_dir = app
        .state
        .settings
        .country
        .packs_dir
        .join(&app.state.settings.country.code);
    let catalogue =
        egov_petition::domain::catalogue::load(&pack_dir, packs.active()).expect("catalogue");
    let service_of = |task: usize| {
        if agencies > 1 {
            catalogue.services[&format!("cert-{}", task % agencies)].clone()
        } else {
            catalogue.services["resident-registration-copy"].clone()
        }
    };
    let mut drafts: Vec<Vec<String>> = Vec::new();
    let mut tokens = Vec::new();
    for task in 0..concurrency {
        let key = app.person_key(&nid(task));
        tokens.push(app.token(As {
            kind: "citizen",
            pid: Some(&key),
            ..As::default()
        }));
        let service = service_of(task);
        let mut form = Map::new();
        form.insert("purpose".into(), json!("bank"));
        if agencies == 1 {
            form.insert("national_id".into(), json!(nid(task).replace('-', "")));
            form.insert("include_history".into(), json!("no"));
        }
        let rows: Vec<_> = (0..per_task)
            .map(|_| {
                egov_petition::http::applications::draft_row(
                    key.clone(),
                    format!("acct-{task}"),
                    &service,
                    form.clone(),
                    None,
                    "web",
                    egov_core::clock::now_micros(),
                )
            })
            .collect();
        drafts.push(rows.iter().map(|r| r.id.clone()).collect());
        app.state
            .db
            .transaction(move |c| {
                for r in &rows {
                    egov_petition::store::insert_case(c, r)?;
                }
                Ok(())
            })
            .await
            .expect("drafts");
    }
    println!("seeded {} drafts", concurrency * per_task);
    let urls: Arc<Vec<Vec<String>>> = Arc::new(
        drafts
            .iter()
            .map(|d| {
                d.iter()
                    .map(|id| app.url(&format!("/petition/v1/applications/{id}/submit")))
                    .collect()
            })
            .collect(),
    );
    let tokens = Arc::new(tokens);
    let next: Arc<Vec<AtomicUsize>> =
        Arc::new((0..concurrency).map(|_| AtomicUsize::new(0)).collect());

    // Sanity: one submission answers 200 with a receipt number and a due time.
    let n = next[0].fetch_add(1, Ordering::Relaxed);
    let r = http
        .post(&urls[0][n])
        .bearer_auth(&tokens[0])
        .send()
        .await
        .expect("submit");
    let status = r.status().as_u16();
    let v: Value = r.json().await.expect("json");
    assert_eq!(status, 200, "{v}");
    println!(
        "submitted: {} due {}",
        v["case"]["receipt_no"], v["case"]["due_at"]
    );

    let backend = format!("{:?}", egov_testing::backend()).to_lowercase();
    let (mut rps, mut p50, mut p99, mut errors) = (vec![], vec![], vec![], 0usize);
    let failures: Arc<std::sync::Mutex<std::collections::BTreeMap<u16, (usize, String)>>> =
        Arc::default();
    for round in 1..=rounds {
        let (h, u, t, next, failures) = (
            http.clone(),
            urls.clone(),
            tokens.clone(),
            next.clone(),
            failures.clone(),
        );
        let run = drive(secs, concurrency, move |task| {
            let n = next[task].fetch_add(1, Ordering::Relaxed);
            let req = u[task].get(n).map(|url| h.post(url).bearer_auth(&t[task]));
            let failures = failures.clone();
            async move {
                let Some(req) = req else {
                    return false;
                };
                let (status, body) = match req.send().await {
                    Ok(r) if r.status().as_u16() == 200 => return true,
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
    // Gapless: the receipt numbers taken are exactly 1..=count.
    let count = app
        .state
        .db
        .run(|c| {
            use diesel::prelude::*;
            use egov_petition::store::petition_cases::dsl as p;
            let n: i64 = p::petition_cases
                .filter(p::receipt_no.is_not_null())
                .count()
                .get_result(c)?;
            let max: Option<String> = p::petition_cases
                .select(diesel::dsl::max(p::receipt_no))
                .first(c)?;
            Ok((n, max))
        })
        .await
        .expect("count");
    println!("receipts: {} taken, highest {:?}", count.0, count.1);
    println!(
        "RESULT backend={backend} concurrency={concurrency} agencies={agencies} submit_rps={:.0} \
         p50_ms={:.2} p99_ms={:.2} errors={errors} receipts={}",
        median(rps),
        median(p50),
        median(p99),
        count.0
    );
}

//! Benchmarks (m) and (n): sealed bid submission over HTTP, and opening a tender with 10,000
//! bids. One egov app (auth + exchange + tax + procurement) on a fresh database
//! (`EGOV_TEST_BACKEND`), the procurement sandbox clock on so that tenders can be created
//! with short periods.
//!
//! MODE=submit (m): TENDERS tenders in their tendering period (KONEPS spreads deadlines; up to
//! 1,500 per hour), CONCURRENCY suppliers, each registered with a tax clearance attestation on
//! file (set-up: written straight to the table, as the exchange would have left it). For
//! DURATION seconds each supplier submits a bid it sealed and signed itself (set-up: one
//! envelope per supplier, sealed before the clock starts, as the bidder's browser does) to
//! tender `task % TENDERS`: the server validates, checks the debarment list and the
//! attestation, checks the bidder's Ed25519 signature with the registered key, signs the
//! receipt, and commits under the tender's shared lock (each bid replaces the supplier's
//! previous one, as a bidder revising a price does). ROUNDS rounds, medians.
//!
//! MODE=open (n): one tender, BIDS bids sealed and signed by their bidders (set-up: sealed
//! with the tender's key and written straight to the table before its deadline), the
//! committee's shares handed in over HTTP; then `POST …/open` (check each envelope against
//! its digest and the bidder's signature, decrypt, validate, draw the estimated price) and
//! `POST …/rank` (lowest price) are timed.
//!
//! Prints `RESULT key=value …` for `bench/run`.

#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use egov_bench::{drive, env_u64, median};
use egov_procurement::domain::{envelope, seal};
use egov_procurement::store;
use egov_testing::{As, Spawn, TestApp, spawn_app_with};
use serde_json::{Value, json};

async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut r = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let res = r.send().await.expect("request");
    let s = res.status().as_u16();
    (s, res.json().await.unwrap_or(Value::Null))
}

fn at(secs: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::seconds(secs)).to_rfc3339()
}

struct Committee {
    members: Vec<(String, crypto_box::SecretKey, String)>,
}

async fn committee(app: &TestApp) -> Committee {
    let mut members = Vec::new();
    for i in 0..3 {
        // Officials of the buying agency with the role, in the directory.
        let sub = app
            .official(
                &format!("bench-cm-{i}"),
                &format!("Member {i}"),
                "MOLIT",
                &["procurement.committee"],
                None,
            )
            .await;
        let t = app.token(As {
            kind: "officer",
            roles: &["procurement.committee"],
            agency: Some("MOLIT"),
            sub: Some(&sub),
            ..As::default()
        });
        let (sk, pk) = seal::member_keypair();
        let (s, v) = call(
            app,
            reqwest::Method::PUT,
            "/procurement/v1/committee/key",
            &t,
            Some(json!({"public_key": pk})),
        )
        .await;
        assert_eq!(s, 204, "{v}");
        members.push((sub, sk, t));
    }
    Committee { members }
}

async fn tender(app: &TestApp, buyer: &str, c: &Committee, deadline_s: i64) -> Value {
    let (s, t) = call(app, reqwest::Method::POST, "/procurement/v1/tenders", buyer, Some(json!({
        "procedure": "goods-lowest-price", "category": "goods", "title": "Benchmark tender",
        "description": "", "lots": [{"id": "1", "title": "Lot", "base_amount": "100000000"}],
        "committee": c.members.iter().map(|m| m.0.clone()).collect::<Vec<_>>(), "evaluators": [],
        "enquiry_end": at(1), "deadline": at(deadline_s), "opening_at": at(deadline_s),
    }))).await;
    assert_eq!(s, 201, "{t}");
    let id = t["id"].as_str().expect("id").to_owned();
    let (s, p) = call(
        app,
        reqwest::Method::POST,
        &format!("/procurement/v1/tenders/{id}/publish"),
        buyer,
        None,
    )
    .await;
    assert_eq!(s, 200, "{p}");
    p
}

async fn wait(app: &TestApp, id: &str, status: &str) {
    for _ in 0..2000 {
        let v: Value = app
            .get(&format!("/procurement/v1/tenders/{id}"))
            .await
            .json()
            .await
            .expect("json");
        if v["status"] == status {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{id} never reached {status}");
}

/// A supplier row and a valid attestation, as registration and the exchange leave them.
async fn supplier(app: &TestApp, id: &str) {
    let now = egov_core::clock::now_micros();
    let row = store::SupplierRow {
        business_id: id.to_owned(),
        account: format!("acct-{id}"),
        name: format!("Supplier {id}"),
        categories: "[\"goods\"]".into(),
        licences: "[]".into(),
        representatives: "[]".into(),
        registered_at: now,
        updated_at: now,
    };
    let e = store::EligibilityRow {
        id: uuid::Uuid::now_v7().to_string(),
        business_id: id.to_owned(),
        kind: "tax_clearance".into(),
        eligible: true,
        answer: json!({"business_id": id, "arrears": false}).to_string(),
        provider: "bench".into(),
        consent: None,
        message_id: "bench".into(),
        log_seq: 0,
        checked_at: now,
        valid_until: now + chrono::Duration::days(1),
    };
    app.state
        .db
        .transaction(move |c| {
            store::save_supplier(c, &row)?;
            store::insert_eligibility(c, &e)
        })
        .await
        .expect("supplier");
}

#[tokio::main]
async fn main() {
    let mode = std::env::var("MODE").unwrap_or_else(|_| "submit".into());
    let concurrency = env_u64("CONCURRENCY", 64) as usize;
    let pool = (concurrency + 4).to_string();
    let app = spawn_app_with(Spawn {
        modules: &["auth", "exchange", "tax", "procurement"],
        settings: &[
            ("EGOV__DATABASE__POOL_SIZE", &pool),
            ("EGOV__DATABASE__ACQUIRE_TIMEOUT_SECS", "10"),
            ("EGOV__SERVER__ACCESS_LOG", "false"),
            ("EGOV__PROCUREMENT__ACCELERATION", "864000"),
            ("EGOV__PROCUREMENT__SCHEDULER_MS", "200"),
        ],
    })
    .await;
    let backend = format!("{:?}", egov_testing::backend()).to_lowercase();
    let buyer = app.token(As {
        kind: "officer",
        roles: &["procurement.officer"],
        agency: Some("MOLIT"),
        ..As::default()
    });
    let c = committee(&app).await;
    if mode == "open" {
        let bids = env_u64("BIDS", 10_000) as usize;
        let t = tender(&app, &buyer, &c, 3600).await;
        let id = t["id"].as_str().expect("id").to_owned();
        wait(&app, &id, "tendering").await;
        let opening_key = t["opening_key"].as_str().expect("key").to_owned();
        let (signer, signer_public) = envelope::bidder_keypair();
        let started = Instant::now();
        for chunk in 0..bids.div_ceil(1000) {
            let mut rows = Vec::new();
            for i in chunk * 1000..((chunk + 1) * 1000).min(bids) {
                let supplier = format!("B{i:07}");
                let price = 90_000_000 + (i as u64 * 7_919) % 9_000_000;
                let a = (i % 15) as u8;
                let b = ((i * 7 + 3) % 15) as u8;
                let contents = envelope::Contents {
                    tender: id.clone(),
                    lot: "1".into(),
                    supplier: supplier.clone(),
                    price: price.to_string(),
                    reserve_picks: if a == b {
                        vec![a, (a + 1) % 15]
                    } else {
                        vec![a, b]
                    },
                    documents: vec![envelope::Document {
                        title: "Proposal".into(),
                        media_type: "text/plain".into(),
                        content: seal::b64(&[b'x'; 512]),
                    }],
                    nonce: envelope::nonce(),
                };
                let sealed = envelope::seal_and_sign(&opening_key, &contents, &signer, "bench")
                    .expect("seal");
                let bytes = seal::unb64(&sealed.sealed).expect("b64");
                rows.push(store::BidRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    tender_id: id.clone(),
                    lot_id: "1".into(),
                    supplier: supplier.clone(),
                    account: "bench".into(),
                    status: "active".into(),
                    digest: egov_core::digest::sha256_hex(&bytes),
                    sealed: sealed.sealed,
                    received_at: egov_core::clock::now_micros(),
                    receipt: "{}".into(),
                    eligibility: json!({"eligible": true}).to_string(),
                    withdrawn_at: None,
                    opened: None,
                    price: None,
                    rejection: None,
                    sealing: "bidder".into(),
                    key_id: Some("bench".into()),
                    signer_key: Some(signer_public.clone()),
                    signature: Some(sealed.signature),
                });
            }
            app.state
                .db
                .transaction(move |c| {
                    for r in &rows {
                        store::insert_bid(c, r)?;
                    }
                    Ok(())
                })
                .await
                .expect("bids");
        }
        println!(
            "sealed and stored {bids} bids in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        // Bring the deadline to now (an amendment can only move it later; this is set-up).
        let id2 = id.clone();
        app.state
            .db
            .run(move |c| {
                use diesel::prelude::*;
                let now = egov_core::clock::now_micros();
                diesel::sql_query(
                    "UPDATE procurement_tenders SET deadline = $1, opening_at = $1 WHERE id = $2",
                )
                .bind::<diesel::sql_types::Timestamp, _>(now)
                .bind::<diesel::sql_types::Text, _>(&id2)
                .execute(c)?;
                Ok(())
            })
            .await
            .expect("deadline");
        wait(&app, &id, "opening").await;
        for (_, sk, t) in c.members.iter().take(2) {
            let (_, sh) = call(
                &app,
                reqwest::Method::GET,
                &format!("/procurement/v1/tenders/{id}/share"),
                t,
                None,
            )
            .await;
            let share =
                seal::open_share(sk, sh["sealed_share"].as_str().expect("share")).expect("share");
            let (s, v) = call(
                &app,
                reqwest::Method::POST,
                &format!("/procurement/v1/tenders/{id}/shares"),
                t,
                Some(json!({"share": share})),
            )
            .await;
            assert_eq!(s, 200, "{v}");
        }
        let t0 = Instant::now();
        let (s, tr) = call(
            &app,
            reqwest::Method::POST,
            &format!("/procurement/v1/tenders/{id}/open"),
            &c.members[0].2,
            None,
        )
        .await;
        let open_ms = t0.elapsed().as_secs_f64() * 1e3;
        assert_eq!(s, 200, "{tr}");
        let valid = tr["bids"]
            .as_array()
            .map_or(0, |b| b.iter().filter(|x| x["status"] == "valid").count());
        let t1 = Instant::now();
        let (s, r) = call(
            &app,
            reqwest::Method::POST,
            &format!("/procurement/v1/tenders/{id}/rank"),
            &buyer,
            None,
        )
        .await;
        let rank_ms = t1.elapsed().as_secs_f64() * 1e3;
        assert_eq!(s, 200, "{r}");
        println!(
            "opened {bids} bids ({valid} valid) in {open_ms:.0} ms; ranked in {rank_ms:.0} ms; estimated price {}",
            tr["lots"][0]["draw"]["estimated_price"]
        );
        println!(
            "RESULT backend={backend} bids={bids} valid={valid} open_ms={open_ms:.0} rank_ms={rank_ms:.0} total_ms={:.0}",
            open_ms + rank_ms
        );
        return;
    }
    let secs = env_u64("DURATION", 10);
    let rounds = env_u64("ROUNDS", 3);
    let tenders = env_u64("TENDERS", 64) as usize;
    let mut ids = Vec::new();
    for _ in 0..tenders {
        let t = tender(&app, &buyer, &c, 3600).await;
        ids.push(t["id"].as_str().expect("id").to_owned());
    }
    for id in &ids {
        wait(&app, id, "tendering").await;
    }
    let mut opening_keys = Vec::new();
    for id in &ids {
        let (_, t) = call(
            &app,
            reqwest::Method::GET,
            &format!("/procurement/v1/tenders/{id}"),
            &buyer,
            None,
        )
        .await;
        opening_keys.push(t["opening_key"].as_str().expect("opening key").to_owned());
    }
    let mut tokens = Vec::new();
    let mut bodies = Vec::new();
    for task in 0..concurrency {
        let b = egov_testing::kr_business_number(5000 + task as u32);
        supplier(&app, &b).await;
        let (signer, public) = envelope::bidder_keypair();
        let key = store::BidderKeyRow {
            id: uuid::Uuid::now_v7().to_string(),
            business_id: b.clone(),
            account: format!("acct-{b}"),
            label: "bench".into(),
            public_key: public,
            created_at: egov_core::clock::now_micros(),
            revoked_at: None,
        };
        let key_id = key.id.clone();
        app.state
            .db
            .transaction(move |c| store::insert_bidder_key(c, &key))
            .await
            .expect("key");
        let contents = envelope::Contents {
            tender: ids[task % tenders].clone(),
            lot: "1".into(),
            supplier: b.clone(),
            price: "95000000".into(),
            reserve_picks: vec![3, 9],
            documents: vec![envelope::Document {
                title: "Proposal".into(),
                media_type: "application/pdf".into(),
                content: seal::b64(&[b'%'; 2048]),
            }],
            nonce: envelope::nonce(),
        };
        let sealed =
            envelope::seal_and_sign(&opening_keys[task % tenders], &contents, &signer, &key_id)
                .expect("seal");
        bodies.push(serde_json::to_value(sealed).expect("json"));
        tokens.push(app.token(As {
            kind: "business",
            bid: Some(&b),
            ..As::default()
        }));
    }
    let urls: Arc<Vec<String>> = Arc::new(
        (0..concurrency)
            .map(|t| {
                app.url(&format!(
                    "/procurement/v1/tenders/{}/bids",
                    ids[t % tenders]
                ))
            })
            .collect(),
    );
    let tokens = Arc::new(tokens);
    let bodies = Arc::new(bodies);
    let http = reqwest::Client::new();
    let (s, v) = call(
        &app,
        reqwest::Method::POST,
        &format!("/procurement/v1/tenders/{}/bids", ids[0]),
        &tokens[0],
        Some(bodies[0].clone()),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let (mut rps, mut p50, mut p99, mut errors) = (vec![], vec![], vec![], 0usize);
    for round in 1..=rounds {
        let (h, u, t, b) = (http.clone(), urls.clone(), tokens.clone(), bodies.clone());
        let run = drive(secs, concurrency, move |task| {
            let req = h.post(&u[task]).bearer_auth(&t[task]).json(&b[task]);
            async move { matches!(req.send().await, Ok(r) if r.status().as_u16() == 201) }
        })
        .await;
        println!(
            "round {round}: {:.0} bids/s p50 {:.2} ms p99 {:.2} ms errors {}",
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
    let stored = app
        .state
        .db
        .run(|c| {
            use diesel::prelude::*;
            use egov_procurement::store::procurement_bids::dsl as b;
            let n: i64 = b::procurement_bids.count().get_result(c)?;
            Ok(n)
        })
        .await
        .expect("count");
    println!(
        "RESULT backend={backend} concurrency={concurrency} tenders={tenders} submit_rps={:.0} p50_ms={:.2} p99_ms={:.2} errors={errors} stored={stored}",
        median(rps),
        median(p50),
        median(p99)
    );
}

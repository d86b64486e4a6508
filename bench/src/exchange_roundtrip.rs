//! Benchmark (h): one exchange round trip against the same call without the exchange layer.
//!
//! Two egov apps on loopback, each with its own database (`EGOV_TEST_BACKEND`: sqlite or
//! postgres): A provides the person register, B is the client agency. For DURATION seconds at
//! CONCURRENCY requests in flight, and in alternating rounds:
//! - plain: B's process POSTs `{"national_id": ...}` to A's `/registry/person` (the same
//!   handler, plain HTTP, no signing, checking or logging);
//! - exchange: B's module calls `KR/GOV/1210000/registry/person` through the exchange — sign,
//!   HTTP, verify signature, replay check, grant, consent, schema, stripping, signed response,
//!   log on A, verify the response, log on B.
//!
//! Prints throughput, latency percentiles, the throughput ratio and the p99 added.

#![allow(clippy::print_stdout)]

use egov_bench::{drive, env_u64, median};
use egov_exchange::client::Call;
use egov_exchange::store;
use egov_testing::{Spawn, random_key, spawn_app_with};
use serde_json::json;

const NID: &str = "900101-1234567";

#[tokio::main]
async fn main() {
    let secs = env_u64("DURATION", 10);
    let concurrency = env_u64("CONCURRENCY", 16) as usize;
    let rounds = env_u64("ROUNDS", 3);
    let (index_key, enc_key) = (random_key(), random_key());
    let common = |member: &'static str| {
        vec![
            ("EGOV__EXCHANGE__MEMBER", member.to_owned()),
            ("EGOV__AUTH__BLIND_INDEX_KEY", index_key.clone()),
            ("EGOV__AUTH__ENCRYPTION_KEY", enc_key.clone()),
            ("EGOV__SERVER__WORKERS", "2".to_owned()),
            ("EGOV__DATABASE__POOL_SIZE", "8".to_owned()),
            ("EGOV__DATABASE__ACQUIRE_TIMEOUT_SECS", "10".to_owned()),
        ]
    };
    let sa = common("KR/GOV/1210000");
    let sb = common("KR/GOV/1310000");
    let va: Vec<(&str, &str)> = sa.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let vb: Vec<(&str, &str)> = sb.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let a = spawn_app_with(Spawn {
        modules: &["auth", "exchange", "registry"],
        settings: &va,
    })
    .await;
    let b = spawn_app_with(Spawn {
        modules: &["auth", "exchange"],
        settings: &vb,
    })
    .await;
    let xa = a.state.exchange.clone().expect("exchange");
    let xb = b.state.exchange.clone().expect("exchange");
    let person = "KR/GOV/1210000/registry/person".to_owned();
    let client = "KR/GOV/1310000/petition".to_owned();
    let auth = a.state.auth_service.clone().expect("auth");
    let nid = auth.packs().active().parse_national_id(NID).expect("nid");
    let pkey = auth.secrets().index.national_id(&nid).as_str().to_owned();

    // Directory, grant and consent, written directly (setup, not measured).
    for (app, x, id, other) in [
        (&a, &xa, "KR/GOV/1310000", b.address.clone()),
        (&b, &xb, "KR/GOV/1210000", a.address.clone()),
    ] {
        let row = store::MemberRow {
            id: id.into(),
            name: "peer".into(),
            base_url: Some(other),
            local: false,
            created_at: chrono::Utc::now().naive_utc(),
        };
        app.state
            .db
            .run(move |c| store::put_member(c, &row))
            .await
            .expect("member");
        x.keys().reload().await.expect("reload");
    }
    let (c1, p1, k1) = (client.clone(), person.clone(), pkey.clone());
    let consent_id = a
        .state
        .db
        .run(move |c| {
            store::add_grant(
                c,
                store::GrantRow {
                    id: "bench-grant".into(),
                    client: c1.clone(),
                    service: p1.clone(),
                    purpose: "petition.review".into(),
                    items: String::new(),
                    created_by: "bench".into(),
                    created_at: chrono::Utc::now().naive_utc(),
                    revoked_at: None,
                },
                &["name".into(), "birth_date".into()],
            )?;
            let now = chrono::Utc::now();
            let row = store::add_consent(
                c,
                store::ConsentRow {
                    id: "bench-consent".into(),
                    subject: k1,
                    client: c1,
                    service: p1,
                    purpose: "petition.review".into(),
                    items: String::new(),
                    granted_at: now.naive_utc(),
                    expires_at: (now + chrono::Duration::days(1)).naive_utc(),
                    withdrawn_at: None,
                },
                &["name".into(), "birth_date".into()],
            )?;
            Ok(row.id)
        })
        .await
        .expect("grant and consent");

    // Sanity: both paths answer the same data.
    let plain_url = a.url("/registry/person");
    let http = reqwest::Client::new();
    let plain_body = http
        .post(&plain_url)
        .json(&json!({"national_id": NID}))
        .send()
        .await
        .expect("plain")
        .text()
        .await
        .expect("text");
    let call = {
        let (person, consent_id, pkey) = (person.clone(), consent_id.clone(), pkey.clone());
        move || {
            Call::post(
                &person,
                "v1",
                json!({"national_id": NID}),
                "petition.review",
            )
            .consent(&consent_id)
            .about(&pkey)
        }
    };
    let answer = xb.call("petition", call()).await.expect("exchange");
    println!("plain answer:    {plain_body}");
    println!("exchange answer: {}", answer.body);

    let backend = format!("{:?}", egov_testing::backend()).to_lowercase();
    let (mut plain_rps, mut ex_rps, mut plain_p99, mut ex_p99) = (vec![], vec![], vec![], vec![]);
    let (mut plain_p50, mut ex_p50, mut errs) = (vec![], vec![], 0usize);
    for round in 1..=rounds {
        let (h, u) = (http.clone(), plain_url.clone());
        let p = drive(secs, concurrency, move |_| {
            let (h, u) = (h.clone(), u.clone());
            async move {
                h.post(&u)
                    .json(&json!({"national_id": NID}))
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }
        })
        .await;
        let (x, c) = (xb.clone(), call.clone());
        let e = drive(secs, concurrency, move |_| {
            let (x, c) = (x.clone(), c.clone());
            async move { x.call("petition", c()).await.is_ok() }
        })
        .await;
        println!(
            "round {round}: plain {:.0} req/s p99 {:.2} ms | exchange {:.0} req/s p99 {:.2} ms | errors {}",
            p.rps,
            p.p99.as_secs_f64() * 1e3,
            e.rps,
            e.p99.as_secs_f64() * 1e3,
            p.errors + e.errors
        );
        plain_rps.push(p.rps);
        ex_rps.push(e.rps);
        plain_p99.push(p.p99.as_secs_f64() * 1e3);
        ex_p99.push(e.p99.as_secs_f64() * 1e3);
        plain_p50.push(p.p50.as_secs_f64() * 1e3);
        ex_p50.push(e.p50.as_secs_f64() * 1e3);
        errs += p.errors + e.errors;
    }
    let (pr, er) = (median(plain_rps), median(ex_rps));
    let (pp, ep) = (median(plain_p99), median(ex_p99));
    println!(
        "RESULT backend={backend} concurrency={concurrency} plain_rps={pr:.0} exchange_rps={er:.0} \
         ratio={:.2} plain_p50_ms={:.2} exchange_p50_ms={:.2} plain_p99_ms={pp:.2} \
         exchange_p99_ms={ep:.2} added_p99_ms={:.2} errors={errs}",
        er / pr,
        median(plain_p50),
        median(ex_p50),
        ep - pp
    );
    // Each exchange wrote one record on each side.
    let v = xa.db().run(store::verify).await.expect("verify");
    println!(
        "provider log: {} records, chain intact: {}",
        v.checked,
        v.intact()
    );
}

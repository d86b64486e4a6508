//! E-procurement over HTTP: the full procedure for each evaluation method, sealed storage,
//! k-of-n opening, the verifiable lottery, eligibility through the exchange, the deadline race,
//! two instances on one database, OCDS validation. Runs on SQLite and PostgreSQL
//! (EGOV_TEST_BACKEND); the sandbox acceleration makes a 7-day standstill last 3.5 s, and
//! the tests move the app's clock forward instead of waiting for that time to pass.

use std::time::Duration;

use diesel::RunQueryDsl as _;
use egov_procurement::domain::{envelope, seal};
use egov_procurement::ocds;
use egov_testing::browser::{Browser, text};
use egov_testing::clients::procurement::Procurement;
use egov_testing::{Spawn, TestApp, kr_business_number, spawn_app_with, spawn_peer};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const BASE: u64 = 100_000_000;
const PASSWORD: &str = "correct horse battery staple 9";
const MODULES: &[&str] = &["platform", "auth", "exchange", "tax", "procurement"];
const SETTINGS: &[(&str, &str)] = &[
    ("EGOV__PROCUREMENT__ACCELERATION", "172800"),
    ("EGOV__PROCUREMENT__SCHEDULER_MS", "100"),
];

async fn app() -> TestApp {
    spawn_app_with(Spawn {
        modules: MODULES,
        settings: SETTINGS,
    })
    .await
}

struct World {
    buyer: String,
    suppliers: Vec<(String, String)>,
    committee: Vec<(String, crypto_box::SecretKey, String)>,
    evaluators: Vec<(String, String)>,
}

/// Grants the procurement module the tax clearance; registers `n` suppliers, each with its
/// consent and a tax clearance through the exchange; registers the committee's keys.
async fn world(app: &TestApp, suppliers: u32, members: usize, evaluators: usize) -> World {
    let x = app.state.exchange.clone().expect("exchange");
    let member = x.member().to_string();
    let admin = app.platform_admin();
    let client = format!("{member}/procurement");
    let service = format!("{member}/tax/tax-clearance");
    let items = json!(["business_id", "arrears", "as_of", "valid_until"]);
    let (s, g) = app.send( Method::POST, "/exchange/v1/admin/grants", Some(&admin), Some(&json!({
        "client": client, "service": service, "purpose": "procurement.eligibility", "items": items,
    }))).await;
    assert_eq!(s, 201, "{g}");
    let mut out = Vec::new();
    for i in 0..suppliers {
        let id = kr_business_number(1000 + i);
        let t = app.business(&id);
        let (s, v) = app.send( Method::PUT, "/procurement/v1/suppliers/me", Some(&t), Some(&json!({
            "name": format!("Supplier {i} Co."), "categories": ["goods", "works", "services"],
            "licences": [{"kind": "construction", "number": format!("L-{i}"), "valid_until": null}],
            "representatives": [{"name": format!("Rep {i}"), "role": "CEO"}],
        }))).await;
        assert_eq!(s, 200, "{v}");
        let (s, c) = app.send( Method::POST, "/exchange/v1/me/consents", Some(&t), Some(&json!({
            "client": client, "service": service, "purpose": "procurement.eligibility", "items": items, "days": 30,
        }))).await;
        assert_eq!(s, 201, "{c}");
        let (s, e) = app
            .send(
                Method::POST,
                "/procurement/v1/suppliers/me/eligibility",
                Some(&t),
                Some(&json!({"consent": c["id"]})),
            )
            .await;
        assert_eq!(s, 201, "{e}");
        assert_eq!(e["eligible"], true);
        assert!(
            e["message_id"].is_string() && e["log_seq"].is_number(),
            "{e}"
        );
        out.push((id, t));
    }
    let mut committee = Vec::new();
    for i in 0..members {
        // Officials of the buying agency with the role, in the directory.
        let name = format!("cm-{i}-{}", uuid::Uuid::new_v4().simple());
        let sub = app
            .official(
                &name,
                &format!("Member {i}"),
                "MOLIT",
                &["procurement.committee"],
                None,
            )
            .await;
        let t = app.officer_named(&sub, &["procurement.committee"], "MOLIT");
        let (sk, pk) = seal::member_keypair();
        let (s, v) = app
            .send(
                Method::PUT,
                "/procurement/v1/committee/key",
                Some(&t),
                Some(&json!({"public_key": pk})),
            )
            .await;
        assert_eq!(s, 204, "{v}");
        committee.push((sub, sk, t));
    }
    let mut evaluator_list = Vec::new();
    for i in 0..evaluators {
        let name = format!("ev-{i}-{}", uuid::Uuid::new_v4().simple());
        let sub = app
            .official(
                &name,
                &format!("Evaluator {i}"),
                "MOLIT",
                &["procurement.evaluator"],
                None,
            )
            .await;
        let t = app.officer_named(&sub, &["procurement.evaluator"], "MOLIT");
        evaluator_list.push((sub, t));
    }
    World {
        buyer: app.officer_named(
            &format!("buyer-{}", uuid::Uuid::new_v4().simple()),
            &["procurement.officer"],
            "MOLIT",
        ),
        suppliers: out,
        committee,
        evaluators: evaluator_list,
    }
}

/// A time `secs_from_now` on the app's clock.
fn at(app: &TestApp, secs_from_now: f64) -> String {
    (app.state.clock.now() + chrono::Duration::milliseconds((secs_from_now * 1000.0) as i64))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

async fn create(
    app: &TestApp,
    w: &World,
    procedure: &str,
    category: &str,
    lots: Value,
    deadline_s: f64,
) -> Value {
    let (s, t) = app.send( Method::POST, "/procurement/v1/tenders", Some(&w.buyer), Some(&json!({
        "procedure": procedure, "category": category, "title": format!("Test tender {procedure}"),
        "description": "Supply and installation, as specified in the attached terms.",
        "lots": lots,
        "committee": w.committee.iter().map(|c| c.0.clone()).collect::<Vec<_>>(),
        "evaluators": w.evaluators.iter().map(|e| e.0.clone()).collect::<Vec<_>>(),
        "enquiry_end": at(app, deadline_s * 0.4), "deadline": at(app, deadline_s), "opening_at": at(app, deadline_s),
    }))).await;
    assert_eq!(s, 201, "{t}");
    let id = t["id"].as_str().expect("id").to_owned();
    let (s, p) = Procurement(app).publish(&w.buyer, &id).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["seed_commitment"].as_str().map(str::len), Some(64));
    p
}

/// Moves the app's clock forward (100 ms a step, five times as fast as the wall clock) until
/// the scheduler has brought the tender to `status`.
async fn wait_for(app: &TestApp, id: &str, status: &str) -> Value {
    for _ in 0..300 {
        let (_, v) = Procurement(app).tender(id).await;
        if v["status"] == status {
            return v;
        }
        app.state.clock.advance(chrono::Duration::milliseconds(100));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("tender {id} never reached {status}");
}

/// Registers a new bid signing key for the supplier (the private key stays here).
async fn bidder_key(app: &TestApp, token: &str) -> (ed25519_dalek::SigningKey, String) {
    let (key, public) = envelope::bidder_keypair();
    let (s, k) = app
        .send(
            Method::POST,
            "/procurement/v1/suppliers/me/keys",
            Some(token),
            Some(&json!({"label": "test bidder", "public_key": public})),
        )
        .await;
    assert_eq!(s, 201, "{k}");
    (key, k["id"].as_str().expect("key id").to_owned())
}

/// A bid sealed and signed on the bidder's side, as JSON to submit.
async fn sealed(
    app: &TestApp,
    supplier: &(String, String),
    id: &str,
    lot: &str,
    price: u64,
    picks: &[u8],
) -> Value {
    let (_, t) = Procurement(app).tender(id).await;
    let (key, key_id) = bidder_key(app, &supplier.1).await;
    let contents = envelope::Contents {
        tender: id.to_owned(),
        lot: lot.to_owned(),
        supplier: supplier.0.clone(),
        price: price.to_string(),
        reserve_picks: picks.to_vec(),
        documents: vec![envelope::Document {
            title: "Technical proposal".into(),
            media_type: "text/plain".into(),
            content: base64_encode(format!("SECRET-PROPOSAL-{price}").as_bytes()),
        }],
        nonce: envelope::nonce(),
    };
    let b = envelope::seal_and_sign(
        t["opening_key"].as_str().expect("opening key"),
        &contents,
        &key,
        &key_id,
    )
    .expect("seal");
    serde_json::to_value(b).expect("json")
}

/// Seals a bid on the bidder's side and submits it.
async fn bid(
    app: &TestApp,
    supplier: &(String, String),
    id: &str,
    lot: &str,
    price: u64,
    picks: &[u8],
) -> (u16, Value) {
    let body = sealed(app, supplier, id, lot, price, picks).await;
    Procurement(app).bid(&supplier.1, id, &body).await
}

fn base64_encode(b: &[u8]) -> String {
    seal::b64(b)
}

/// Hands in `k` shares (each member opens its sealed share with its own key).
async fn hand_in(app: &TestApp, w: &World, id: &str, k: usize) {
    for (_, sk, t) in w.committee.iter().take(k) {
        let (s, sh) = Procurement(app).share(t, id).await;
        assert_eq!(s, 200, "{sh}");
        let share =
            seal::open_share(sk, sh["sealed_share"].as_str().expect("share")).expect("opens");
        let (s, v) = Procurement(app).hand_in_share(t, id, &share).await;
        assert_eq!(s, 200, "{v}");
    }
}

/// After the deadline: `k` members hand in their shares and the first opens the bids; the
/// transcript.
async fn open_bids(app: &TestApp, w: &World, id: &str, k: usize) -> Value {
    wait_for(app, id, "opening").await;
    hand_in(app, w, id, k).await;
    let (s, tr) = app
        .send(
            Method::POST,
            &format!("/procurement/v1/tenders/{id}/open"),
            Some(&w.committee[0].2),
            None,
        )
        .await;
    assert_eq!(s, 200, "{tr}");
    tr
}

/// The reserve prices and estimated price recomputed from the published seed and picks, by
/// the formula in the notice (independently of the module's code).
fn recompute(seed_hex: &str, lot: &str, base: u128, picks: &[Vec<u8>]) -> (Vec<u128>, u128) {
    let seed = hex::decode(seed_hex).expect("hex seed");
    let (n, r, two32) = (15u128, 200u128, 1u128 << 32);
    let prices: Vec<u128> = (0..15u8)
        .map(|i| {
            let mut h = Sha256::new();
            h.update(&seed);
            h.update(lot.as_bytes());
            h.update([0u8, i]);
            let d = h.finalize();
            let x = u128::from(u32::from_be_bytes([d[0], d[1], d[2], d[3]]));
            (base * (10_000 - r) * n * two32 + 2 * r * base * (u128::from(i) * two32 + x))
                / (10_000 * n * two32)
        })
        .collect();
    let mut counts = [0u32; 15];
    for p in picks {
        for &i in p {
            counts[usize::from(i)] += 1;
        }
    }
    let mut idx: Vec<usize> = (0..15).collect();
    idx.sort_by(|a, b| counts[*b].cmp(&counts[*a]).then(a.cmp(b)));
    let e = idx[..4].iter().map(|&i| prices[i]).sum::<u128>() / 4;
    (prices, e)
}

async fn db_rows(app: &TestApp, sql: &'static str) -> Vec<String> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        v: String,
    }
    app.state
        .db
        .run(move |c| Ok(diesel::sql_query(sql).load::<Row>(c)?))
        .await
        .expect("query")
        .into_iter()
        .map(|r| r.v)
        .collect()
}

/// The whole procedure for one evaluation method.
async fn full_procedure(
    procedure: &str,
    category: &str,
    scored: bool,
    lottery: bool,
    k: usize,
    n: usize,
) {
    let app = app().await;
    let w = world(&app, 5, n, if scored { 2 } else { 0 }).await;
    let t = create(
        &app,
        &w,
        procedure,
        category,
        json!([{"id": "1", "title": "Main lot", "base_amount": BASE.to_string()}]),
        7.0,
    )
    .await;
    let id = t["id"].as_str().expect("id").to_owned();
    let ocid = t["ocid"].as_str().expect("ocid").to_owned();

    // Enquiry: a question, answered for everyone.
    wait_for(&app, &id, "enquiry").await;
    let (s, q) = app
        .send(
            Method::POST,
            &format!("/procurement/v1/tenders/{id}/questions"),
            Some(&w.suppliers[0].1),
            Some(&json!({"question": "Is a local service centre required?"})),
        )
        .await;
    assert_eq!(s, 201, "{q}");
    let qid = q["id"].as_str().expect("qid");
    let (s, _) = app
        .send(
            Method::POST,
            &format!("/procurement/v1/tenders/{id}/questions/{qid}/answer"),
            Some(&w.buyer),
            Some(&json!({"answer": "Yes, within the province."})),
        )
        .await;
    assert_eq!(s, 200);
    // An amendment moves the deadline forward, never back.
    let deadline = t["deadline"]
        .as_str()
        .expect("deadline")
        .parse::<chrono::DateTime<chrono::Utc>>()
        .expect("time");
    let (s, e) = app.send( Method::POST, &format!("/procurement/v1/tenders/{id}/amendments"), Some(&w.buyer),
        Some(&json!({"reason": "More time for site visits", "changes": {"deadline": (deadline - chrono::Duration::seconds(1)).to_rfc3339()}}))).await;
    assert_eq!(s, 422, "{e}");
    let (s, a) = app.send( Method::POST, &format!("/procurement/v1/tenders/{id}/amendments"), Some(&w.buyer),
        Some(&json!({"reason": "More time for site visits", "changes": {"deadline": (deadline + chrono::Duration::seconds(1)).to_rfc3339(),
            "opening_at": (deadline + chrono::Duration::seconds(1)).to_rfc3339()}}))).await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(a["amendments"][0]["number"], 1);
    assert_eq!(a["questions"][0]["answer"], "Yes, within the province.");

    // Bids: four suppliers; the first replaces its bid; the fifth withdraws.
    wait_for(&app, &id, "tendering").await;
    let prices = [890u64, 905, 920, 935].map(|m| BASE / 1000 * m);
    let picks: [&[u8]; 4] = [&[1, 2], &[2, 7], &[7, 11], &[2, 14]];
    let pick = |i: usize| if lottery { picks[i] } else { &[][..] };
    let (s, first) = bid(&app, &w.suppliers[0], &id, "1", BASE, pick(0)).await;
    assert_eq!(s, 201, "{first}");
    let mut receipts = Vec::new();
    for (i, price) in prices.iter().enumerate() {
        let (s, r) = bid(&app, &w.suppliers[i], &id, "1", *price, pick(i)).await;
        assert_eq!(s, 201, "{r}");
        receipts.push(r);
    }
    assert_eq!(receipts[0]["receipt"]["replaces"], first["bid_id"]);
    let (s, gone) = bid(&app, &w.suppliers[4], &id, "1", BASE / 1000 * 899, pick(0)).await;
    assert_eq!(s, 201);
    let (s, _) = app
        .send(
            Method::POST,
            &format!(
                "/procurement/v1/tenders/{id}/bids/{}/withdraw",
                gone["bid_id"].as_str().expect("bid")
            ),
            Some(&w.suppliers[4].1),
            None,
        )
        .await;
    assert_eq!(s, 204);

    // The receipt is signed by the module's published key.
    let (_, jwks) = app
        .send(Method::GET, "/procurement/v1/keys", None, None)
        .await;
    assert!(jwks["keys"][0]["x"].is_string());

    // Before the opening the database holds no price or document in clear text.
    let stored = db_rows(&app, "SELECT sealed || '|' || digest || '|' || receipt || '|' || eligibility || '|' || COALESCE(price, '') || COALESCE(opened, '') AS v FROM procurement_bids").await;
    assert_eq!(stored.len(), 6);
    // Each sealed bid accepted is counted in /metrics.
    assert_eq!(
        app.metric(r#"egov_domain_events_total{event="bid_sealed",module="procurement"}"#)
            .await,
        6.0
    );
    for row in &stored {
        for p in prices {
            assert!(!row.contains(&p.to_string()), "price {p} in clear: {row}");
        }
        assert!(
            !row.contains("SECRET-PROPOSAL")
                && !row.contains(&base64_encode(b"SECRET-PROPOSAL")[..12]),
            "document in clear"
        );
    }

    // The deadline: nothing more is accepted; the number of bids is public.
    let v = wait_for(&app, &id, "opening").await;
    assert_eq!(v["bid_count"], 4);
    assert_eq!(v["commitments"].as_array().map(Vec::len), Some(4));
    let (s, late) = bid(&app, &w.suppliers[4], &id, "1", BASE, pick(0)).await;
    assert_eq!(
        (s, late["code"].as_str()),
        (409, Some("procurement.not_accepting_bids")),
        "{late}"
    );

    // Opening with fewer than k shares fails and changes nothing.
    hand_in(&app, &w, &id, k - 1).await;
    let opener = &w.committee[0].2;
    let (s, e) = app
        .send(
            Method::POST,
            &format!("/procurement/v1/tenders/{id}/open"),
            Some(opener),
            None,
        )
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (409, Some("procurement.not_enough_shares")),
        "{e}"
    );
    assert_eq!(wait_for(&app, &id, "opening").await["bid_count"], 4);
    // A share that is not the member's is refused.
    let (s, _) = app
        .send(
            Method::POST,
            &format!("/procurement/v1/tenders/{id}/shares"),
            Some(&w.committee[k - 1].2),
            Some(&json!({"share": seal::b64(&[7u8; 33])})),
        )
        .await;
    assert_eq!(s, 422);
    for (_, sk, t) in w.committee.iter().skip(k - 1).take(1) {
        let (_, sh) = app
            .send(
                Method::GET,
                &format!("/procurement/v1/tenders/{id}/share"),
                Some(t),
                None,
            )
            .await;
        let share =
            seal::open_share(sk, sh["sealed_share"].as_str().expect("share")).expect("opens");
        let (s, _) = app
            .send(
                Method::POST,
                &format!("/procurement/v1/tenders/{id}/shares"),
                Some(t),
                Some(&json!({"share": share})),
            )
            .await;
        assert_eq!(s, 200);
    }
    let (s, tr) = app
        .send(
            Method::POST,
            &format!("/procurement/v1/tenders/{id}/open"),
            Some(opener),
            None,
        )
        .await;
    assert_eq!(s, 200, "{tr}");
    assert_eq!(tr["bids"].as_array().map(Vec::len), Some(4));
    assert!(
        tr["bids"]
            .as_array()
            .expect("bids")
            .iter()
            .all(|b| b["status"] == "valid"),
        "{tr}"
    );
    let seed = tr["seed"].as_str().expect("seed");
    assert_eq!(
        hex::encode(Sha256::digest(hex::decode(seed).expect("hex"))),
        t["seed_commitment"].as_str().expect("c")
    );
    let estimated: Option<u128> = if lottery {
        let ps: Vec<Vec<u8>> = picks.iter().map(|p| p.to_vec()).collect();
        let (reserve, e) = recompute(seed, "1", u128::from(BASE), &ps);
        let draw = &tr["lots"][0]["draw"];
        let published: Vec<u128> = draw["reserve_prices"]
            .as_array()
            .expect("prices")
            .iter()
            .map(|p| p.as_str().expect("s").parse().expect("n"))
            .collect();
        assert_eq!(published, reserve);
        assert_eq!(
            draw["estimated_price"]
                .as_str()
                .map(|s| s.parse::<u128>().expect("n")),
            Some(e)
        );
        Some(e)
    } else {
        None
    };

    // Reading the opened bids is written to the access log.
    let (s, opened) = app
        .send(
            Method::GET,
            &format!("/procurement/v1/tenders/{id}/opened-bids?purpose=evaluation"),
            Some(&w.buyer),
            None,
        )
        .await;
    assert_eq!(s, 200, "{opened}");
    assert!(opened.to_string().contains(&base64_encode(
        format!("SECRET-PROPOSAL-{}", prices[0]).as_bytes()
    )));
    let logged = db_rows(
        &app,
        "SELECT subject || '|' || purpose || '|' || module || '|' || COALESCE(record_ref, '') AS v FROM auth_access_log WHERE module = 'procurement'",
    )
    .await;
    for (supplier, _) in w.suppliers.iter().take(4) {
        let line = format!("business:{supplier}|evaluation|procurement|{id}");
        assert!(
            logged.contains(&line),
            "no access-log entry {line}: {logged:?}"
        );
    }
    let auditor = app.auditor();
    let (s, hist) = app
        .send(
            Method::GET,
            &format!("/procurement/v1/tenders/{id}/history"),
            Some(&auditor),
            None,
        )
        .await;
    assert_eq!(s, 200);
    let actions: Vec<&str> = hist["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions.iter().filter(|a| **a == "deadline").count(),
        1,
        "{actions:?}"
    );
    assert!(actions.contains(&"open"));

    // Evaluation.
    let tech = [86u32, 95, 90, 88];
    if scored {
        for (ev, t) in &w.evaluators {
            for (i, b) in receipts.iter().enumerate() {
                let score = if procedure == "works-qualification" {
                    30
                } else {
                    tech[i]
                };
                let (s, r) = app.send( Method::POST, &format!("/procurement/v1/tenders/{id}/scores"), Some(t),
                    Some(&json!({"bid_id": b["bid_id"], "score": score.to_string(), "comment": "as per the criteria"}))).await;
                assert_eq!(s, 201, "{r}");
                assert_eq!(r["record"]["evaluator"], ev.as_str());
            }
            let (s, _) = app
                .send(
                    Method::POST,
                    &format!("/procurement/v1/tenders/{id}/scores"),
                    Some(t),
                    Some(&json!({"bid_id": receipts[0]["bid_id"], "score": "10"})),
                )
                .await;
            assert_eq!(s, 409, "a score is final");
        }
    }
    let (s, ranking) = app
        .send(
            Method::POST,
            &format!("/procurement/v1/tenders/{id}/rank"),
            Some(&w.buyer),
            None,
        )
        .await;
    assert_eq!(s, 200, "{ranking}");
    let winner = ranking["rankings"][0]["winner"]
        .as_str()
        .expect("winner")
        .to_owned();
    let expected = match procedure {
        "software-negotiation" => 1,
        "works-qualification" => {
            // The lowest price whose points pass, by the notice's formula.
            let e = estimated.expect("estimated") as f64;
            (0..4)
                .find(|&i| {
                    let ratio = prices[i] as f64 / e * 100.0;
                    let points = (70.0 - 4.0 * (90.0 - ratio).abs()).clamp(0.0, 70.0) + 30.0;
                    ratio >= 89.745 && points >= 92.0 - 1e-9
                })
                .expect("a passing bid")
        }
        _ => 0,
    };
    assert_eq!(
        winner,
        receipts[expected]["bid_id"].as_str().expect("id"),
        "{ranking}"
    );
    assert!(
        ranking["rankings"][0]["bidders"][0]["explanation"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
    );

    // Award, standstill, a complaint that suspends it, the decision, the award.
    let (s, v) = app
        .send(
            Method::POST,
            &format!("/procurement/v1/tenders/{id}/award"),
            Some(&w.buyer),
            None,
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "standstill");
    let mut expected = expected;
    if procedure == "software-negotiation" {
        // A complaint against the award upheld with re-evaluation reopens scoring: the
        // scores are set aside (kept), the evaluators score again, and the outcome changes.
        let (s, k) = app.send( Method::POST, &format!("/procurement/v1/tenders/{id}/complaints"), Some(&w.suppliers[2].1),
            Some(&json!({"against": "award", "text": "The technical scores ignored our certified team (clause 6)."}))).await;
        assert_eq!(s, 201, "{k}");
        wait_for(&app, &id, "suspended").await;
        let reviewer = app.officer_named("reviewer-0", &["procurement.reviewer"], "PPS");
        let (s, d) = app
            .send(
                Method::POST,
                &format!(
                    "/procurement/v1/complaints/{}/decision",
                    k["id"].as_str().expect("id")
                ),
                Some(&reviewer),
                Some(&json!({"decision": "upheld", "remedy": "reevaluate",
                "reason": "Clause 6 was not applied: the proposals are to be scored again."})),
            )
            .await;
        assert_eq!(s, 200, "{d}");
        assert_eq!(d["status"], "evaluation", "{d}");
        let retech = [86u32, 80, 97, 88];
        for (_, t) in &w.evaluators {
            for (i, b) in receipts.iter().enumerate() {
                let (s, r) = app.send( Method::POST, &format!("/procurement/v1/tenders/{id}/scores"), Some(t),
                    Some(&json!({"bid_id": b["bid_id"], "score": retech[i].to_string(), "comment": "clause 6 applied"}))).await;
                assert_eq!(s, 201, "scoring is open again: {r}");
            }
        }
        let (s, again) = app
            .send(
                Method::POST,
                &format!("/procurement/v1/tenders/{id}/rank"),
                Some(&w.buyer),
                None,
            )
            .await;
        assert_eq!(s, 200, "{again}");
        assert_eq!(
            again["rankings"][0]["winner"], receipts[2]["bid_id"],
            "the re-evaluation changes the winner: {again}"
        );
        expected = 2;
        let set_aside = db_rows(
            &app,
            "SELECT evaluator AS v FROM procurement_superseded_scores",
        )
        .await;
        assert_eq!(set_aside.len(), 8, "the first scores are kept");
        let (s, v) = app
            .send(
                Method::POST,
                &format!("/procurement/v1/tenders/{id}/award"),
                Some(&w.buyer),
                None,
            )
            .await;
        assert_eq!((s, v["status"].as_str()), (200, Some("standstill")), "{v}");
    }
    let loser = (expected + 1) % 4;
    let (s, k) = app.send( Method::POST, &format!("/procurement/v1/tenders/{id}/complaints"), Some(&w.suppliers[loser].1),
        Some(&json!({"against": "award", "text": "The winning bid's technical proposal does not meet clause 4."}))).await;
    assert_eq!(s, 201, "{k}");
    wait_for(&app, &id, "suspended").await;
    // Past the end of the standstill (7 days: 3.5 s on the sandbox clock), then a few of the
    // scheduler's passes.
    app.state.clock.advance(chrono::Duration::seconds(5));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        wait_for(&app, &id, "suspended").await["status"],
        "suspended",
        "the standstill does not end while suspended"
    );
    let reviewer = app.officer_named("reviewer-1", &["procurement.reviewer"], "PPS");
    let (s, d) = app.send( Method::POST, &format!("/procurement/v1/complaints/{}/decision", k["id"].as_str().expect("id")),
        Some(&reviewer), Some(&json!({"decision": "dismissed", "reason": "Clause 4 is met by annex B of the proposal."}))).await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["status"], "standstill");
    let v = wait_for(&app, &id, "awarded").await;
    let contract = v["contracts"][0]["id"]
        .as_str()
        .expect("contract")
        .to_owned();

    // The e-contract, signed by both parties' accounts.
    let winner_token = &w.suppliers[expected].1;
    let (s, c1) = app
        .send(
            Method::POST,
            &format!("/procurement/v1/contracts/{contract}/sign"),
            Some(winner_token),
            None,
        )
        .await;
    assert_eq!((s, c1["in_force"].as_bool()), (200, Some(false)), "{c1}");
    let (s, _) = app
        .send(
            Method::POST,
            &format!("/procurement/v1/contracts/{contract}/sign"),
            Some(&w.suppliers[loser].1),
            None,
        )
        .await;
    assert_eq!(s, 404, "not the loser's contract");
    let (s, c2) = app
        .send(
            Method::POST,
            &format!("/procurement/v1/contracts/{contract}/sign"),
            Some(&w.buyer),
            None,
        )
        .await;
    assert_eq!((s, c2["in_force"].as_bool()), (200, Some(true)), "{c2}");
    wait_for(&app, &id, "contracted").await;
    let (s, am) = app.send( Method::POST, &format!("/procurement/v1/contracts/{contract}/amendments"), Some(&w.buyer),
        Some(&json!({"changes": {"end_date": "2027-12-31"}, "reason": "Delivery extended by agreement"}))).await;
    assert_eq!((s, am["version"].as_i64()), (201, Some(2)), "{am}");
    for t in [winner_token, &w.buyer] {
        let (s, _) = app
            .send(
                Method::POST,
                &format!("/procurement/v1/contracts/{contract}/sign"),
                Some(t),
                None,
            )
            .await;
        assert_eq!(s, 200);
    }

    // OCDS: every release and the compiled record validate against OCDS 1.1.5 (+ extensions).
    let (s, pkg) = app
        .send(
            Method::GET,
            &format!("/procurement/v1/ocds/releases/{ocid}"),
            None,
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(ocds::check_release_package(&pkg), Vec::<String>::new());
    let tags: Vec<String> = pkg["releases"]
        .as_array()
        .expect("releases")
        .iter()
        .flat_map(|r| r["tag"].as_array().cloned().unwrap_or_default())
        .filter_map(|t| t.as_str().map(str::to_owned))
        .collect();
    for t in [
        "tender",
        "tenderAmendment",
        "tenderUpdate",
        "award",
        "awardUpdate",
        "contract",
        "contractUpdate",
        "contractAmendment",
    ] {
        assert!(tags.iter().any(|x| x == t), "no {t} release: {tags:?}");
    }
    let (s, rec) = app
        .send(
            Method::GET,
            &format!("/procurement/v1/ocds/records/{ocid}"),
            None,
            None,
        )
        .await;
    assert_eq!(s, 200);
    let compiled = &rec["records"][0]["compiledRelease"];
    assert_eq!(ocds::check_release(compiled), Vec::<String>::new());
    assert_eq!(compiled["tender"]["status"], "complete");
    // The buyer by its name in the pack's buyer register (in the release's language).
    assert_eq!(
        (
            compiled["buyer"]["id"].as_str(),
            compiled["buyer"]["name"].as_str()
        ),
        (Some("MOLIT"), Some("국토교통부"))
    );
    assert_eq!(compiled["bids"]["statistics"][0]["value"], 4);
    let awards: Vec<&str> = compiled["awards"]
        .as_array()
        .expect("awards")
        .iter()
        .filter_map(|a| a["status"].as_str())
        .collect();
    // After the re-evaluation the first award is published cancelled, the new one active.
    let want: &[&str] = if procedure == "software-negotiation" {
        &["cancelled", "active"]
    } else {
        &["active"]
    };
    assert_eq!(awards, want, "{}", compiled["awards"]);
    assert_eq!(compiled["contracts"][0]["status"], "active");
    // Amendments in words, in the release's language (ko), times in the pack's zone; the
    // contract amendment's new end date in the contract's period.
    let said = compiled["tender"]["amendments"][0]["description"]
        .as_str()
        .unwrap_or_default();
    assert!(
        said.contains("입찰 마감: ") && said.contains("KST") && !said.contains('{'),
        "{said}"
    );
    assert_eq!(
        compiled["contracts"][0]["period"]["endDate"], "2027-12-31T14:59:59Z",
        "{}",
        compiled["contracts"][0]
    );
    let said = compiled["contracts"][0]["amendments"][0]["description"]
        .as_str()
        .unwrap_or_default();
    assert!(
        said.contains("종료일") && said.contains("2027-12-31"),
        "{said}"
    );
    // An invalid release fails the check.
    let mut broken = pkg["releases"][0].clone();
    broken["tag"] = json!(["tenderish"]);
    broken["tender"]["value"]["amount"] = json!("a lot");
    assert!(ocds::check_release(&broken).len() >= 2);
    let res = app.get("/procurement/v1/ocds/bulk").await;
    assert_eq!(res.status(), 200);
    let bulk: Value = res.json().await.expect("json");
    assert_eq!(
        bulk["releases"].as_array().map(Vec::len),
        pkg["releases"].as_array().map(Vec::len)
    );
    assert_eq!(ocds::check_release_package(&bulk), Vec::<String>::new());
}

#[tokio::test]
async fn full_procedure_lowest_price_with_the_reserve_price_lottery() {
    full_procedure("goods-lowest-price", "goods", false, true, 2, 3).await;
}

#[tokio::test]
async fn full_procedure_weighted_technical_and_price() {
    full_procedure("software-negotiation", "services", true, false, 3, 5).await;
}

#[tokio::test]
async fn full_procedure_qualification_review() {
    full_procedure("works-qualification", "works", true, true, 2, 3).await;
}

#[tokio::test]
async fn low_a_committee_member_cannot_fetch_their_key_share_before_the_deadline() {
    let app = app().await;
    let w = world(&app, 1, 3, 0).await;
    let t = create(
        &app,
        &w,
        "goods-lowest-price",
        "goods",
        json!([{"id": "1", "title": "Lot", "base_amount": "50000000"}]),
        5.0,
    )
    .await;
    let id = t["id"].as_str().expect("id").to_owned();
    wait_for(&app, &id, "tendering").await;
    for (_, _, token) in &w.committee {
        let (s, early) = app
            .send(
                Method::GET,
                &format!("/procurement/v1/tenders/{id}/share"),
                Some(token),
                None,
            )
            .await;
        assert_eq!(
            (s, early["code"].as_str()),
            (409, Some("procurement.illegal_transition")),
            "{early}"
        );
    }
    // After the deadline, each member gets theirs (to hand it in).
    wait_for(&app, &id, "opening").await;
    let (s, share) = app
        .send(
            Method::GET,
            &format!("/procurement/v1/tenders/{id}/share"),
            Some(&w.committee[0].2),
            None,
        )
        .await;
    assert_eq!(s, 200, "{share}");
    assert!(share["sealed_share"].is_string());
}

/// Writes a bid's stored envelope (and digest) directly, as whoever controls the database
/// could.
async fn overwrite_bid(app: &TestApp, bid: &str, sealed_b64: String, digest: String) {
    let bid = bid.to_owned();
    app.state
        .db
        .run(move |c| {
            Ok(diesel::sql_query(
                "UPDATE procurement_bids SET sealed = $1, digest = $2 WHERE id = $3",
            )
            .bind::<diesel::sql_types::Text, _>(sealed_b64)
            .bind::<diesel::sql_types::Text, _>(digest)
            .bind::<diesel::sql_types::Text, _>(bid)
            .execute(c)?)
        })
        .await
        .expect("update");
}

/// The server checks each bid's signature on receipt; at the opening every envelope is
/// checked again against its digest and the bidder's signature, so an envelope changed in
/// the database after it was sealed (even re-sealed to the tender's public key with another
/// price and a new digest) is rejected with the reason, and the others open.
#[tokio::test]
async fn a_bid_changed_after_sealing_is_rejected_at_the_opening() {
    let app = app().await;
    let w = world(&app, 4, 3, 0).await;
    let t = create(
        &app,
        &w,
        "goods-lowest-price",
        "goods",
        json!([{"id": "1", "title": "Lot", "base_amount": "50000000"}]),
        5.0,
    )
    .await;
    let id = t["id"].as_str().expect("id").to_owned();
    let opening_key = t["opening_key"].as_str().expect("key").to_owned();
    wait_for(&app, &id, "tendering").await;

    // Refused on receipt: a signature by another supplier's key, a signature that does not
    // match, a revoked key. Nothing is stored.
    let mut body = sealed(&app, &w.suppliers[0], &id, "1", 49_000_000, &[1, 2]).await;
    let (other_key, other_id) = bidder_key(&app, &w.suppliers[1].1).await;
    let mut foreign = body.clone();
    foreign["key_id"] = json!(other_id);
    let (s, e) = Procurement(&app)
        .bid(&w.suppliers[0].1, &id, &foreign)
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (404, Some("procurement.bidder_key_not_found")),
        "{e}"
    );
    let mut forged = body.clone();
    forged["signature"] = json!(envelope::sign(
        &other_key,
        &id,
        "1",
        &w.suppliers[0].0,
        &seal::unb64(body["sealed"].as_str().expect("sealed")).expect("b64"),
    ));
    let (s, e) = Procurement(&app).bid(&w.suppliers[0].1, &id, &forged).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("procurement.signature_invalid")),
        "{e}"
    );
    let (s, _) = app
        .send(
            Method::POST,
            &format!(
                "/procurement/v1/suppliers/me/keys/{}/revoke",
                body["key_id"].as_str().expect("k")
            ),
            Some(&w.suppliers[0].1),
            None,
        )
        .await;
    assert_eq!(s, 204);
    let (s, e) = Procurement(&app).bid(&w.suppliers[0].1, &id, &body).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (404, Some("procurement.bidder_key_not_found")),
        "{e}"
    );
    let (_, keys) = app
        .send(
            Method::GET,
            "/procurement/v1/suppliers/me/keys",
            Some(&w.suppliers[0].1),
            None,
        )
        .await;
    assert!(keys["keys"][0]["revoked_at"].is_string(), "{keys}");
    assert!(
        db_rows(&app, "SELECT id AS v FROM procurement_bids")
            .await
            .is_empty()
    );

    // Four good bids.
    body = sealed(&app, &w.suppliers[0], &id, "1", 49_000_000, &[1, 2]).await;
    let (s, good) = Procurement(&app).bid(&w.suppliers[0].1, &id, &body).await;
    assert_eq!(s, 201, "{good}");
    let mut receipts = Vec::new();
    for (i, price) in [(1, 48_000_000), (2, 47_000_000), (3, 46_000_000)] {
        let (s, r) = bid(&app, &w.suppliers[i], &id, "1", price, &[3, 4]).await;
        assert_eq!(s, 201, "{r}");
        receipts.push(r["bid_id"].as_str().expect("bid").to_owned());
    }
    // Whoever controls the database then changes three of them:
    // 1. re-seals another price to the tender's public key, with a matching digest;
    let resealed = envelope::seal(
        &opening_key,
        &envelope::Contents {
            tender: id.clone(),
            lot: "1".into(),
            supplier: w.suppliers[1].0.clone(),
            price: "1000".into(),
            reserve_picks: vec![3, 4],
            documents: vec![],
            nonce: envelope::nonce(),
        },
    )
    .expect("seal");
    overwrite_bid(
        &app,
        &receipts[0],
        seal::b64(&resealed),
        egov_core_digest(&resealed),
    )
    .await;
    // 2. flips a byte of the envelope and fixes the digest;
    let stored = db_rows(
        &app,
        "SELECT sealed AS v FROM procurement_bids ORDER BY received_at, id",
    )
    .await;
    let mut flipped = seal::unb64(&stored[2]).expect("b64");
    let last = flipped.len() - 1;
    flipped[last] ^= 0x01;
    overwrite_bid(
        &app,
        &receipts[1],
        seal::b64(&flipped),
        egov_core_digest(&flipped),
    )
    .await;
    // 3. swaps in another supplier's envelope, digest and all.
    let first = seal::unb64(&stored[0]).expect("b64");
    overwrite_bid(
        &app,
        &receipts[2],
        stored[0].clone(),
        egov_core_digest(&first),
    )
    .await;

    let tr = open_bids(&app, &w, &id, 2).await;
    let bids = tr["bids"].as_array().expect("bids");
    assert_eq!(bids.len(), 4);
    let by_id = |b: &str| bids.iter().find(|x| x["bid_id"] == b).expect("bid").clone();
    let ok = by_id(good["bid_id"].as_str().expect("bid"));
    assert_eq!(
        (ok["status"].as_str(), ok["price"].as_str()),
        (Some("valid"), Some("49000000")),
        "{ok}"
    );
    for r in &receipts {
        let b = by_id(r);
        assert_eq!(b["status"], "rejected", "{b}");
        assert!(b["price"].is_null(), "{b}");
        let reasons = b["reasons"].to_string();
        assert!(reasons.contains("signature does not hold"), "{reasons}");
    }

    // The public pages (no sign-in): the notice in the list, and the opening on the notice.
    let page = |path: String| {
        let client = app.client.clone();
        let url = app.url(&path);
        async move {
            let r = client.get(url).send().await.expect("page");
            (r.status().as_u16(), r.text().await.expect("html"))
        }
    };
    let (s, html) = page("/tenders?lang=en&category=goods".into()).await;
    assert_eq!(s, 200);
    assert!(html.contains(&format!("href=\"/tenders/{id}\"")), "{html}");
    assert!(html.contains("Ministry of Land, Infrastructure and Transport"));
    let (_, none) = page("/tenders?lang=en&category=works".into()).await;
    assert!(!none.contains(&id) && none.contains("No tender matches."));
    let (s, html) = page(format!("/tenders/{id}?lang=en")).await;
    assert_eq!(s, 200);
    for text in [
        "4 sealed bids were received before the deadline",
        "Lottery seed",
        "Rejected",
        "the bidder&#39;s signature does not hold",
        "49,000,000",
        &format!(
            "/procurement/v1/ocds/records/{}",
            t["ocid"].as_str().expect("ocid")
        ),
    ] {
        assert!(html.contains(text), "{text} not in the page: {html}");
    }
    let (s, html) = page(format!("/tenders/{id}?lang=ko")).await;
    assert_eq!(s, 200);
    assert!(
        html.contains("국토교통부") && html.contains("예정가격"),
        "{html}"
    );
    // The rejection reason in the reader's language; the transcript keeps the recorded one.
    assert!(html.contains("입찰자의 서명이 맞지 않습니다"), "{html}");
    assert!(!html.contains("signature does not hold"), "{html}");
    let (s, _) = page("/tenders/not-a-tender".into()).await;
    assert_eq!(s, 404);
}

fn egov_core_digest(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

#[tokio::test]
async fn eligibility_through_the_exchange_overdue_tax_and_no_answer() {
    let app = app().await;
    let w = world(&app, 1, 3, 0).await;
    let t = create(
        &app,
        &w,
        "goods-lowest-price",
        "goods",
        json!([{"id": "1", "title": "Lot", "base_amount": "50000000"}]),
        5.0,
    )
    .await;
    let id = t["id"].as_str().expect("id").to_owned();
    wait_for(&app, &id, "tendering").await;

    // A registered supplier without a tax clearance answer on file: refused with the reason.
    let fresh = kr_business_number(77);
    let ft = app.business(&fresh);
    let fs = (fresh.clone(), ft.clone());
    let (s, _) = app.send( Method::PUT, "/procurement/v1/suppliers/me", Some(&ft), Some(&json!({
        "name": "Fresh Co.", "categories": ["goods"], "representatives": [{"name": "A", "role": "CEO"}]}))).await;
    assert_eq!(s, 200);
    let (s, e) = bid(&app, &fs, &id, "1", 49_000_000, &[1, 2]).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (409, Some("procurement.eligibility_missing")),
        "{e}"
    );
    // With a consent reference the exchange refuses (no such consent): a clear reason, no bid.
    let (s, e) = app
        .send(
            Method::POST,
            &format!("/procurement/v1/tenders/{id}/bids"),
            Some(&ft),
            Some(&{
                let mut b = sealed(&app, &fs, &id, "1", 49_000_000, &[1, 2]).await;
                b["consent"] = json!("no-such-consent");
                b
            }),
        )
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (409, Some("procurement.eligibility_refused")),
        "{e}"
    );

    // The tax office records overdue tax for a supplier: its clearance says arrears; refused.
    let (bidder, token) = &w.suppliers[0];
    let first = &w.suppliers[0];
    let tax = app.officer(&["tax.officer"], "NTS");
    let (s, a) = app
        .send(
            Method::POST,
            "/tax/v1/officer/assessments",
            Some(&tax),
            Some(&json!({
        "assessment_id": "A-PROC-1", "business_id": bidder, "year": 2026, "amount": "1500000",
        "due_date": "2026-03-31", "reason": "Unremitted withholding tax, audit finding 2026-17"})),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    let x = app.state.exchange.clone().expect("exchange");
    let member = x.member().to_string();
    let (s, c) = app.send( Method::POST, "/exchange/v1/me/consents", Some(token), Some(&json!({
        "client": format!("{member}/procurement"), "service": format!("{member}/tax/tax-clearance"),
        "purpose": "procurement.eligibility", "items": ["business_id", "arrears", "as_of", "valid_until"], "days": 30}))).await;
    assert_eq!(s, 201);
    let (s, e) = app
        .send(
            Method::POST,
            "/procurement/v1/suppliers/me/eligibility",
            Some(token),
            Some(&json!({"consent": c["id"]})),
        )
        .await;
    assert_eq!((s, e["eligible"].as_bool()), (201, Some(false)), "{e}");
    let (s, e) = bid(&app, first, &id, "1", 49_000_000, &[1, 2]).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (403, Some("procurement.ineligible")),
        "{e}"
    );

    // A debarred supplier is refused too.
    let registrar = app.officer_named("registrar", &["procurement.officer"], "PPS");
    let (s, d) = app.send( Method::POST, "/procurement/v1/debarments", Some(&registrar), Some(&json!({
        "business_id": fresh, "reason": "Collusive bidding (FTC decision 2026-3)", "legal_basis": "State Contracts Act art. 27",
        "from": "2026-01-01", "until": null}))).await;
    assert_eq!(s, 201, "{d}");
    let (s, e) = bid(&app, &fs, &id, "1", 49_000_000, &[1, 2]).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (403, Some("procurement.debarred")),
        "{e}"
    );
    let rows = db_rows(&app, "SELECT id AS v FROM procurement_bids").await;
    assert!(rows.is_empty(), "refused bids leave nothing");
}

#[tokio::test]
async fn deadline_race_keeps_every_bid_received_before_it_and_nothing_after() {
    let app = app().await;
    let w = world(&app, 1, 3, 0).await;
    let lots: Vec<Value> = (0..40).map(|i| json!({"id": format!("L{i}"), "title": format!("Lot {i}"), "base_amount": "10000000"})).collect();
    let t = create(&app, &w, "goods-lowest-price", "goods", json!(lots), 4.0).await;
    let id = t["id"].as_str().expect("id").to_owned();
    let deadline: chrono::DateTime<chrono::Utc> =
        t["deadline"].as_str().expect("d").parse().expect("time");
    wait_for(&app, &id, "tendering").await;
    let mut bodies = Vec::new();
    for i in 0..40 {
        bodies.push(
            sealed(
                &app,
                &w.suppliers[0],
                &id,
                &format!("L{i}"),
                9_500_000,
                &[3, 4],
            )
            .await,
        );
    }
    let start = deadline - chrono::Duration::milliseconds(400);
    let now = app.state.clock.now();
    if start > now {
        app.state.clock.advance(start - now);
    }
    let mut tasks = Vec::new();
    for i in 0..40 {
        let client = app.client.clone();
        let url = app.url(&format!("/procurement/v1/tenders/{id}/bids"));
        let token = w.suppliers[0].1.clone();
        let body = bodies[i as usize].clone();
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(i * 20)).await;
            let res = client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .expect("send");
            let s = res.status().as_u16();
            (s, res.json::<Value>().await.unwrap_or(Value::Null))
        }));
    }
    let mut accepted = Vec::new();
    let mut refused = 0;
    for t in tasks {
        let (s, v) = t.await.expect("task");
        match s {
            201 => accepted.push(v),
            409 => {
                assert_eq!(v["code"], "procurement.not_accepting_bids", "{v}");
                refused += 1;
            }
            other => panic!("unexpected {other}: {v}"),
        }
    }
    for r in &accepted {
        let at: chrono::DateTime<chrono::Utc> = r["receipt"]["received_at"]
            .as_str()
            .expect("time")
            .parse()
            .expect("time");
        assert!(
            at < deadline,
            "a receipt after the deadline: {at} >= {deadline}"
        );
    }
    let v = wait_for(&app, &id, "opening").await;
    assert_eq!(
        v["bid_count"].as_u64(),
        Some(accepted.len() as u64),
        "accepted {} refused {refused}",
        accepted.len()
    );
    let stored = db_rows(
        &app,
        "SELECT id AS v FROM procurement_bids WHERE status = 'active'",
    )
    .await;
    assert_eq!(stored.len(), accepted.len());
    for r in &accepted {
        assert!(
            stored.contains(&r["bid_id"].as_str().expect("id").to_owned()),
            "an acknowledged bid was lost"
        );
    }
    assert_eq!(accepted.len() + refused, 40);
    assert!(
        !accepted.is_empty() && refused > 0,
        "the race should straddle the deadline: {} / {refused}",
        accepted.len()
    );
}

#[tokio::test]
async fn two_instances_make_the_deadline_and_the_opening_happen_once() {
    if egov_testing::backend() != egov_testing::Backend::Postgres {
        // Two processes share a database only on PostgreSQL; the SQLite run covers one.
        return;
    }
    let app = app().await;
    let peer = spawn_peer(
        &app,
        Spawn {
            modules: MODULES,
            settings: &[],
        },
    )
    .await;
    let w = world(&app, 2, 3, 0).await;
    let t = create(
        &app,
        &w,
        "goods-lowest-price",
        "goods",
        json!([{"id": "1", "title": "Lot", "base_amount": "10000000"}]),
        4.0,
    )
    .await;
    let id = t["id"].as_str().expect("id").to_owned();
    wait_for(&app, &id, "tendering").await;
    for (i, sup) in w.suppliers.iter().enumerate() {
        let (s, v) = bid(
            if i == 0 { &app } else { &peer },
            sup,
            &id,
            "1",
            9_500_000,
            &[1, 2],
        )
        .await;
        assert_eq!(s, 201, "{v}");
    }
    wait_for(&peer, &id, "opening").await;
    hand_in(&app, &w, &id, 2).await;
    let a = app
        .client
        .post(app.url(&format!("/procurement/v1/tenders/{id}/open")))
        .bearer_auth(&w.committee[0].2)
        .send();
    let b = peer
        .client
        .post(peer.url(&format!("/procurement/v1/tenders/{id}/open")))
        .bearer_auth(&w.committee[1].2)
        .send();
    let (a, b) = tokio::join!(a, b);
    let mut codes = [
        a.expect("a").status().as_u16(),
        b.expect("b").status().as_u16(),
    ];
    codes.sort_unstable();
    assert_eq!(codes, [200, 409]);
    let auditor = app.auditor();
    let (_, hist) = app
        .send(
            Method::GET,
            &format!("/procurement/v1/tenders/{id}/history"),
            Some(&auditor),
            None,
        )
        .await;
    let actions: Vec<&str> = hist["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for once in ["enquiry", "tendering", "deadline", "opening", "open"] {
        assert_eq!(
            actions.iter().filter(|a| **a == once).count(),
            1,
            "{once}: {actions:?}"
        );
    }
    let (_, pkg) = app
        .send(
            Method::GET,
            &format!(
                "/procurement/v1/ocds/releases/{}",
                t["ocid"].as_str().expect("ocid")
            ),
            None,
            None,
        )
        .await;
    assert_eq!(ocds::check_release_package(&pkg), Vec::<String>::new());
}

#[tokio::test]
async fn officers_see_only_their_agency_and_bad_input_changes_nothing() {
    let app = app().await;
    let w = world(&app, 0, 3, 0).await;
    let t = create(
        &app,
        &w,
        "goods-lowest-price",
        "goods",
        json!([{"id": "1", "title": "Lot", "base_amount": "10000000"}]),
        5.0,
    )
    .await;
    let id = t["id"].as_str().expect("id").to_owned();
    let other = app.officer_named("other-buyer", &["procurement.officer"], "MOE");
    for (m, path) in [
        (Method::POST, format!("/procurement/v1/tenders/{id}/cancel")),
        (Method::POST, format!("/procurement/v1/tenders/{id}/rank")),
        (Method::GET, format!("/procurement/v1/tenders/{id}/history")),
    ] {
        let (s, _) = app
            .send(
                m,
                &path,
                Some(&other),
                Some(&json!({"reason": "not mine to cancel"})),
            )
            .await;
        assert_eq!(s, 404, "{path}");
    }
    let (s, e) = app.send( Method::POST, "/procurement/v1/tenders", Some(&w.buyer), Some(&json!({
        "procedure": "goods-lowest-price", "category": "works", "title": "x", "description": "",
        "lots": [{"id": "1", "title": "L", "base_amount": "-5"}], "committee": ["a"], "evaluators": [],
        "enquiry_end": at(&app, -1.0), "deadline": at(&app, 0.1), "opening_at": at(&app, -2.0)}))).await;
    assert_eq!(s, 422);
    let pointers = e["errors"].to_string();
    for p in [
        "/category",
        "/title",
        "/lots/0/base_amount",
        "/committee",
        "/enquiry_end",
        "/opening_at",
        "/deadline",
    ] {
        assert!(pointers.contains(p), "{p} missing in {e}");
    }
    // Committee members and evaluators come from the directory: an account id nobody has, an
    // official of another agency and an official of the agency without the role are refused
    // one by one, and nothing is created.
    let elsewhere = app
        .official(
            "cm-elsewhere",
            "Elsewhere",
            "MOE",
            &["procurement.committee"],
            None,
        )
        .await;
    let no_role = app
        .official(
            "cm-no-role",
            "No Role",
            "MOLIT",
            &["procurement.officer"],
            None,
        )
        .await;
    let (s, e) = app
        .send(
            Method::POST,
            "/procurement/v1/tenders",
            Some(&w.buyer),
            Some(&json!({
        "procedure": "goods-lowest-price", "category": "goods", "title": "Made-up members",
        "description": "", "lots": [{"id": "1", "title": "L", "base_amount": "10000000"}],
        "committee": ["made-up-account", elsewhere, w.committee[0].0],
        "evaluators": [no_role, w.committee[1].0],
        "enquiry_end": at(&app, 2.0), "deadline": at(&app, 5.0), "opening_at": at(&app, 5.0)})),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let pointers: Vec<&str> = e["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|x| x["pointer"].as_str())
        .collect();
    assert_eq!(
        pointers,
        [
            "/committee/0",
            "/committee/1",
            "/evaluators/0",
            "/evaluators/1"
        ],
        "{e}"
    );
    let (_, list) = app
        .send(
            Method::GET,
            "/procurement/v1/officer/tenders",
            Some(&w.buyer),
            None,
        )
        .await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    let (_, mine) = app
        .send(
            Method::GET,
            "/procurement/v1/officer/tenders",
            Some(&other),
            None,
        )
        .await;
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn a_complaint_against_the_terms_suspends_bidding_and_gives_the_time_back() {
    let app = app().await;
    let w = world(&app, 1, 3, 0).await;
    let t = create(
        &app,
        &w,
        "goods-lowest-price",
        "goods",
        json!([{"id": "1", "title": "Lot", "base_amount": "10000000"}]),
        5.0,
    )
    .await;
    let id = t["id"].as_str().expect("id").to_owned();
    let before: chrono::DateTime<chrono::Utc> =
        t["deadline"].as_str().expect("d").parse().expect("time");
    wait_for(&app, &id, "tendering").await;
    let token = &w.suppliers[0].1;
    let (s, k) = app
        .send(
            Method::POST,
            &format!("/procurement/v1/tenders/{id}/complaints"),
            Some(token),
            Some(&json!({"against": "terms", "text": "The specification names one manufacturer's model only."})),
        )
        .await;
    assert_eq!(s, 201, "{k}");
    let (s, e) = bid(&app, &w.suppliers[0], &id, "1", 9_000_000, &[1, 2]).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (409, Some("procurement.not_accepting_bids")),
        "{e}"
    );
    // An award complaint is not possible now; a second terms complaint joins the first.
    let (s, e) = app
        .send(
            Method::POST,
            &format!("/procurement/v1/tenders/{id}/complaints"),
            Some(token),
            Some(&json!({"against": "award", "text": "There is no award to complain about yet."})),
        )
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (409, Some("procurement.complaint_window"))
    );
    // 1.5 s of suspension on the app's clock.
    app.state
        .clock
        .advance(chrono::Duration::milliseconds(1500));
    let reviewer = app.officer_named("reviewer-2", &["procurement.reviewer"], "PPS");
    let (s, pending) = app
        .send(
            Method::GET,
            "/procurement/v1/complaints",
            Some(&reviewer),
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(pending["complaints"][0]["id"], k["id"]);
    let decision = format!(
        "/procurement/v1/complaints/{}/decision",
        k["id"].as_str().expect("id")
    );
    let (s, _) = app
        .send(
            Method::POST,
            &decision,
            Some(&reviewer),
            Some(&json!({"decision": "upheld", "reason": "The specification must allow equivalents."})),
        )
        .await;
    assert_eq!(s, 422, "an upheld complaint names its remedy");
    let (s, v) = app
        .send(
            Method::POST,
            &decision,
            Some(&reviewer),
            Some(&json!({"decision": "upheld", "reason": "The specification must allow equivalents.", "remedy": "amend"})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "tendering");
    let after: chrono::DateTime<chrono::Utc> =
        v["deadline"].as_str().expect("d").parse().expect("time");
    assert!(
        after >= before + chrono::Duration::milliseconds(1400),
        "{before} -> {after}"
    );
    let last = v["amendments"]
        .as_array()
        .and_then(|a| a.last())
        .cloned()
        .expect("amendment");
    assert!(
        last["reason"]
            .as_str()
            .is_some_and(|r| r.contains("given back")),
        "{last}"
    );
    let (s, r) = bid(&app, &w.suppliers[0], &id, "1", 9_000_000, &[1, 2]).await;
    assert_eq!(s, 201, "bidding resumes: {r}");
}

/// The complaint page, the review body's page and the evaluators' page, as a browser without
/// script uses them, with hostile input that changes nothing: a supplier complains about the
/// terms and the review body dismisses it (bidding resumes); after the opening the evaluator
/// reads the bids (each supplier's read in the access log), downloads a document and scores
/// each bid once; the award is complained about, upheld with re-evaluation, and the page
/// offers the bids to score again.
#[tokio::test]
async fn complaints_review_and_scores_on_the_pages() {
    let app = app().await;
    let mut w = world(&app, 3, 5, 0).await;
    let ev = app
        .official(
            "ev.page",
            "Gil Evaluator",
            "MOLIT",
            &["procurement.evaluator"],
            Some(PASSWORD),
        )
        .await;
    let ev_token = app.officer_named(&ev, &["procurement.evaluator"], "MOLIT");
    w.evaluators.push((ev, ev_token));
    app.official(
        "rv.page",
        "Ha Reviewer",
        "PPS",
        &["procurement.reviewer"],
        Some(PASSWORD),
    )
    .await;
    for (i, (business, _)) in w.suppliers.iter().enumerate() {
        app.business_account(&format!("supplier.{i}"), "Supplier", business, PASSWORD)
            .await;
    }
    let t = create(
        &app,
        &w,
        "software-negotiation",
        "services",
        json!([{"id": "1", "title": "Main lot", "base_amount": BASE.to_string()}]),
        7.0,
    )
    .await;
    let id = t["id"].as_str().expect("id").to_owned();
    wait_for(&app, &id, "tendering").await;
    let status = || async { Procurement(&app).tender(&id).await.1["status"].clone() };

    // A complaint about the terms, on its page: too short, or about an award not yet made,
    // is refused; the third is filed and suspends the tender.
    let notice = Browser::new(&app).get(&format!("/tenders/{id}")).await;
    assert!(
        notice
            .body
            .contains(&format!("/tenders/{id}/complaints/new")),
        "the notice offers the complaint page"
    );
    let path = format!("/tenders/{id}/complaints/new");
    let (mut s, page) = Browser::with_second_factor(&app, &path, "supplier.0", PASSWORD).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("value=\"terms\"") && !page.body.contains("value=\"award\""));
    let csrf = page.field("csrf").expect("token");
    let short = s
        .post(
            &path,
            &[("csrf", &csrf), ("against", "terms"), ("text", "Unfair.")],
        )
        .await;
    assert_eq!(short.status, 400, "{}", short.body);
    assert_eq!(short.error_links(), vec!["#text"]);
    assert!(short.body.contains("Unfair."), "what was typed is kept");
    let award = s
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("against", "award"),
                ("text", "There is no award to complain about yet."),
            ],
        )
        .await;
    assert_eq!(award.status, 409, "{}", award.body);
    let forged = s
        .post(
            &path,
            &[
                ("against", "terms"),
                ("text", "No token on this form, so it is refused."),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(status().await, "tendering", "nothing changed");
    let filed = s
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("against", "terms"),
                (
                    "text",
                    "The specification names one manufacturer's model only.",
                ),
            ],
        )
        .await;
    assert_eq!(filed.status, 303, "{}", filed.body);
    assert_eq!(status().await, "suspended");

    // The review body's page: a decision without a choice or a reason is refused; dismissed,
    // the tender resumes.
    let (mut r, page) =
        Browser::with_second_factor(&app, "/desk/procurement/complaints", "rv.page", PASSWORD)
            .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let (_, pending) = app
        .send(
            Method::GET,
            "/procurement/v1/complaints",
            Some(&app.officer_named("rv", &["procurement.reviewer"], "PPS")),
            None,
        )
        .await;
    let k = pending["complaints"][0]["id"]
        .as_str()
        .expect("complaint")
        .to_owned();
    assert!(page.body.contains(&format!("id=\"k-{k}\"")), "listed");
    assert!(
        page.body
            .contains("The specification names one manufacturer"),
        "the complaint's text is shown"
    );
    let rcsrf = page.field("csrf").expect("token");
    let decide = format!("/desk/procurement/complaints/{k}");
    let bad = r
        .post(
            &decide,
            &[("csrf", &rcsrf), ("remedy", "amend"), ("reason", "ok")],
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert_eq!(
        bad.error_links(),
        vec![format!("#upheld-{k}"), format!("#reason-{k}")]
    );
    assert_eq!(status().await, "suspended", "nothing changed");
    let dismissed = r
        .post(
            &decide,
            &[
                ("csrf", &rcsrf),
                ("decision", "dismissed"),
                ("remedy", "amend"),
                (
                    "reason",
                    "Equivalents are allowed by clause 3 of the terms.",
                ),
            ],
        )
        .await;
    assert_eq!(dismissed.status, 303, "{}", dismissed.body);
    assert_eq!(status().await, "tendering", "bidding resumes");

    // Bids, the deadline, the opening.
    let prices = [90_000_000u64, 92_000_000, 95_000_000];
    let mut bids = Vec::new();
    for (i, price) in prices.iter().enumerate() {
        let (st, b) = bid(&app, &w.suppliers[i], &id, "1", *price, &[]).await;
        assert_eq!(st, 201, "{b}");
        bids.push(b["bid_id"].as_str().expect("bid").to_owned());
    }
    open_bids(&app, &w, &id, 3).await;

    // The evaluators' page: each valid bid with its price and documents; reading them is
    // logged for each supplier.
    let (mut e, page) =
        Browser::with_second_factor(&app, "/desk/procurement/evaluation", "ev.page", PASSWORD)
            .await;
    assert_eq!(page.status, 200, "{}", page.body);
    for b in &bids {
        assert!(
            page.body.contains(&format!("id=\"score-{b}\"")),
            "a score form for {b}"
        );
    }
    assert!(
        text(&page.body).contains("90,000,000"),
        "{}",
        text(&page.body)
    );
    let logged = db_rows(
        &app,
        "SELECT subject || '|' || purpose || '|' || module || '|' || COALESCE(record_ref, '') AS v FROM auth_access_log WHERE module = 'procurement'",
    )
    .await;
    for (supplier, _) in &w.suppliers {
        let line = format!("business:{supplier}|bid evaluation|procurement|{id}");
        assert!(
            logged.contains(&line),
            "no access-log entry {line}: {logged:?}"
        );
    }
    let doc = e
        .get(&format!(
            "/desk/procurement/evaluation/{id}/bids/{}/documents/0",
            bids[0]
        ))
        .await;
    assert_eq!(doc.status, 200);
    assert_eq!(doc.body, format!("SECRET-PROPOSAL-{}", prices[0]));
    assert!(
        doc.headers
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("attachment")),
        "a download, never rendered"
    );
    let missing = e
        .get(&format!(
            "/desk/procurement/evaluation/{id}/bids/{}/documents/9",
            bids[0]
        ))
        .await;
    assert_eq!(missing.status, 404);
    let s_page = s.get("/desk/procurement/evaluation").await;
    assert_eq!(s_page.status, 403, "a supplier is not an evaluator");

    // Scores: not a number, over the maximum — refused, the form keeps them; then each bid
    // once.
    let ecsrf = page.field("csrf").expect("token");
    let score_at = |b: &str| format!("/desk/procurement/evaluation/{id}/bids/{b}");
    for bad in ["lots", "150"] {
        let refused = e
            .post(
                &score_at(&bids[0]),
                &[("csrf", &ecsrf), ("score", bad), ("comment", "")],
            )
            .await;
        assert_eq!(refused.status, 400, "{bad}: {}", refused.body);
        assert_eq!(refused.error_links(), vec![format!("#score-{}", bids[0])]);
        assert!(refused.body.contains(&format!("value=\"{bad}\"")), "kept");
    }
    assert!(
        db_rows(&app, "SELECT id AS v FROM procurement_scores")
            .await
            .is_empty()
    );
    for (b, score) in bids.iter().zip(["86", "95.5", "90"]) {
        let given = e
            .post(
                &score_at(b),
                &[
                    ("csrf", &ecsrf),
                    ("score", score),
                    ("comment", "as per the criteria"),
                ],
            )
            .await;
        assert_eq!(given.status, 303, "{}", given.body);
    }
    let again = e
        .post(
            &score_at(&bids[0]),
            &[("csrf", &ecsrf), ("score", "10"), ("comment", "")],
        )
        .await;
    assert_eq!(again.status, 409, "a score is final: {}", again.body);
    let page = e.get("/desk/procurement/evaluation").await;
    assert!(!page.body.contains("id=\"score-"), "every bid is scored");
    assert!(text(&page.body).contains("95.5"), "my scores are shown");

    // Ranked and awarded; the award complained about on the page; upheld with re-evaluation,
    // the bids are offered for scoring again.
    let (st, v) = app
        .send(
            Method::POST,
            &format!("/procurement/v1/tenders/{id}/rank"),
            Some(&w.buyer),
            None,
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let (st, v) = app
        .send(
            Method::POST,
            &format!("/procurement/v1/tenders/{id}/award"),
            Some(&w.buyer),
            None,
        )
        .await;
    assert_eq!((st, v["status"].as_str()), (200, Some("standstill")), "{v}");
    let path = format!("/tenders/{id}/complaints/new");
    let (mut s2, page) = Browser::with_second_factor(&app, &path, "supplier.2", PASSWORD).await;
    assert!(page.body.contains("value=\"award\"") && !page.body.contains("value=\"terms\""));
    let csrf = page.field("csrf").expect("token");
    let filed = s2
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("against", "award"),
                (
                    "text",
                    "The technical scores ignored our certified team (clause 6).",
                ),
            ],
        )
        .await;
    assert_eq!(filed.status, 303, "{}", filed.body);
    let page = r.get("/desk/procurement/complaints").await;
    let k2 = page
        .body
        .split("id=\"k-")
        .nth(1)
        .and_then(|x| x.split('"').next())
        .expect("the award complaint")
        .to_owned();
    assert!(
        page.body.contains("value=\"reevaluate\""),
        "the award's remedies"
    );
    let wrong = r
        .post(
            &format!("/desk/procurement/complaints/{k2}"),
            &[
                ("csrf", &rcsrf),
                ("decision", "upheld"),
                ("remedy", "amend"),
                ("reason", "Clause 6 was not applied."),
            ],
        )
        .await;
    assert_eq!(
        wrong.error_links(),
        vec![format!("#remedy-{k2}")],
        "amend is for terms"
    );
    let upheld = r
        .post(
            &format!("/desk/procurement/complaints/{k2}"),
            &[
                ("csrf", &rcsrf),
                ("decision", "upheld"),
                ("remedy", "reevaluate"),
                ("reason", "Clause 6 was not applied."),
            ],
        )
        .await;
    assert_eq!(upheld.status, 303, "{}", upheld.body);
    assert_eq!(status().await, "evaluation");
    let page = e.get("/desk/procurement/evaluation").await;
    for b in &bids {
        assert!(
            page.body.contains(&format!("id=\"score-{b}\"")),
            "scored again: {b}"
        );
    }
}

/// Modules apart: procurement in one process, tax in another, on one database. Without an
/// address for tax, procurement refuses to start; with it, the eligibility check reaches tax
/// in the other process (signed, verified and logged on both sides), and a call to a
/// subsystem that no process serves is a clear 503, not a misleading signature error.
#[tokio::test]
async fn eligibility_reaches_tax_in_another_process() {
    let tax = spawn_app_with(Spawn {
        modules: &["platform", "auth", "exchange", "tax"],
        settings: SETTINGS,
    })
    .await;
    // Tokens come from the auth module in tax's process.
    let issuer = format!("{}/auth", tax.address);
    let err = egov_testing::spawn_peer_with(&tax, &["procurement"], |s| {
        s.auth.issuer = issuer.clone();
    })
    .await
    .expect_err("procurement without tax refuses to start");
    assert!(
        format!("{err:#}").contains("module procurement calls the tax services of this member")
            && format!("{err:#}").contains("EGOV__EXCHANGE__SUBSYSTEMS__TAX"),
        "{err:#}"
    );
    let address = tax.address.clone();
    let procurement = egov_testing::spawn_peer_with(&tax, &["procurement"], |s| {
        s.auth.issuer = issuer.clone();
        s.exchange.subsystems.insert("tax".into(), address);
    })
    .await
    .expect("procurement with tax's address");
    assert!(
        procurement
            .state
            .modules
            .iter()
            .any(|m| m.name() == "exchange")
    );

    // The supplier registers, consents, and asks procurement for the eligibility check.
    let member = tax
        .state
        .exchange
        .as_ref()
        .expect("exchange")
        .member()
        .to_string();
    let service = format!("{member}/tax/tax-clearance");
    let (t, consent) = egov_testing::clients::procurement::supplier_with_consent(
        &tax,
        &procurement,
        &kr_business_number(4242),
    )
    .await;
    let (s, e) = procurement
        .send(
            Method::POST,
            "/procurement/v1/suppliers/me/eligibility",
            Some(&t),
            Some(&json!({"consent": consent})),
        )
        .await;
    assert_eq!(s, 201, "{e}");
    assert_eq!(e["eligible"], true, "{e}");

    // Both sides logged it: the client side in procurement's process, the provider side in
    // tax's (one shared message log), each counted in its own process's metrics.
    async fn sides(app: &TestApp, service: &str, side: &str) -> f64 {
        app.metric(&format!(
            r#"egov_exchange_calls_total{{outcome="ok",service="{service}",side="{side}"}}"#
        ))
        .await
    }
    assert_eq!(sides(&procurement, &service, "client").await, 1.0);
    assert_eq!(sides(&tax, &service, "provider").await, 1.0);
    assert_eq!(sides(&tax, &service, "client").await, 0.0);

    // A subsystem no process serves: a clear 503 from this side.
    let px = procurement.state.exchange.clone().expect("exchange");
    let refused = px
        .call(
            "procurement",
            egov_exchange::client::Call::get(&format!("{member}/docflow/delivery"), "v1", "test"),
        )
        .await
        .expect_err("no process serves docflow");
    assert!(
        refused
            .to_string()
            .contains("Server.ClientProxy.SubsystemUnavailable")
            && refused
                .to_string()
                .contains("subsystem docflow of this member is not served by this process"),
        "{refused}"
    );
}

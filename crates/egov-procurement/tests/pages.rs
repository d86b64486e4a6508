//! The supplier's pages over HTTP, as a browser without script uses them, with hostile input:
//! registration, the tax clearance with the consent ticked on the page, a bid signing key, a
//! bid sent as the file `egov procurement seal-bid` writes (refused when changed after
//! signing, when not a sealed bid, without the form's token), the signed receipt, withdrawal;
//! a citizen is not a supplier. Every refusal changes nothing. Runs on SQLite and PostgreSQL
//! (EGOV_TEST_BACKEND).

use std::time::Duration;

use egov_procurement::domain::{envelope, seal};
use egov_testing::browser::{Answer, Browser, text};
use egov_testing::clients::procurement::Procurement;
use egov_testing::mfa::{enrol_totp, totp};
use egov_testing::{Spawn, TestApp, kr_business_number, spawn_app_with};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple 9";

async fn app() -> TestApp {
    spawn_app_with(Spawn {
        modules: &["platform", "auth", "exchange", "tax", "procurement"],
        settings: &[
            ("EGOV__PROCUREMENT__ACCELERATION", "172800"),
            ("EGOV__PROCUREMENT__SCHEDULER_MS", "100"),
        ],
    })
    .await
}

/// An account of `kind` with a second factor; answers the TOTP secret.
async fn account(app: &TestApp, kind: &str, username: &str, id: (&str, &str)) -> String {
    let res = app
        .post_json(
            "/auth/register",
            &json!({"kind": kind, "username": username, "display_name": "Hangang Supplies",
                    "password": PASSWORD, id.0: id.1}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let res = app
        .post_json(
            "/auth/login",
            &json!({"username": username, "password": PASSWORD}),
        )
        .await;
    let v: Value = res.json().await.expect("json");
    enrol_totp(app, v["tokens"]["access_token"].as_str().expect("token"))
        .await
        .0
}

/// The supplier's bids on the tender, through the API.
async fn my_bids(app: &TestApp, token: &str, id: &str) -> Vec<Value> {
    let (_, v) = Procurement(app).my_bids(token, id).await;
    v["bids"].as_array().cloned().unwrap_or_default()
}

fn status(a: &Answer, expected: StatusCode, what: &str) {
    assert_eq!(a.status, expected, "{what}: {}", a.body);
}

/// The error summary's links.
fn summary(a: &Answer) -> Vec<String> {
    a.body
        .split("class=\"egov-error-summary\"")
        .nth(1)
        .and_then(|s| s.split("</ul>").next())
        .map(|s| {
            s.split("href=\"")
                .skip(1)
                .filter_map(|h| h.split('"').next())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_supplier_registers_and_bids_from_the_pages_and_bad_input_changes_nothing() {
    let app = app().await;
    let member = app
        .state
        .exchange
        .clone()
        .expect("exchange")
        .member()
        .to_string();
    let (s, g) = app
        .send(
            Method::POST,
            "/exchange/v1/admin/grants",
            Some(&app.platform_admin()),
            Some(&json!({
                "client": format!("{member}/procurement"), "service": format!("{member}/tax/tax-clearance"),
                "purpose": "procurement.eligibility", "items": ["business_id", "arrears", "as_of", "valid_until"],
            })),
        )
        .await;
    assert_eq!(s, 201, "{g}");
    let business = kr_business_number(4242);
    let api = app.business(&business);
    let secret = account(
        &app,
        "business",
        "hangang.supplies",
        ("business_id", &business),
    )
    .await;
    let mut b = Browser::new(&app);
    b.language = Some("en".into());
    let home = b
        .sign_in(
            "/my/procurement",
            "hangang.supplies",
            PASSWORD,
            Some(&totp(&secret, 0)),
        )
        .await;
    status(&home, StatusCode::OK, "bidding for businesses");
    assert!(
        text(&home.body).contains("Not registered as a supplier yet"),
        "{}",
        home.body
    );
    let csrf = home.field("csrf").expect("the form's token");

    // Registration: no token, then a name too short and no category — nothing registered.
    let forged = b
        .post("/my/procurement/registration", &[("name", "Forged Co.")])
        .await;
    status(&forged, StatusCode::FORBIDDEN, "no token");
    let bad = b
        .post(
            "/my/procurement/registration",
            &[
                ("csrf", &csrf),
                ("name", "X"),
                ("rep_name", ""),
                ("rep_role", ""),
            ],
        )
        .await;
    status(&bad, StatusCode::BAD_REQUEST, "bad registration");
    let links = summary(&bad);
    for anchor in ["#name", "#cat-goods", "#rep_name"] {
        assert!(links.iter().any(|l| l == anchor), "{anchor} in {links:?}");
    }
    let (s, v) = app
        .send(
            Method::GET,
            "/procurement/v1/suppliers/me",
            Some(&api),
            None,
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("procurement.not_registered")),
        "nothing registered: {v}"
    );
    let done = b
        .post(
            "/my/procurement/registration",
            &[
                ("csrf", &csrf),
                ("name", "Hangang Supplies Co."),
                ("goods", "on"),
                ("rep_name", "Kim Minji"),
                ("rep_role", "CEO"),
            ],
        )
        .await;
    status(&done, StatusCode::SEE_OTHER, "registered");
    let (s, v) = app
        .send(
            Method::GET,
            "/procurement/v1/suppliers/me",
            Some(&api),
            None,
        )
        .await;
    assert_eq!(
        (s, v["name"].as_str()),
        (200, Some("Hangang Supplies Co.")),
        "{v}"
    );

    // The tax clearance: the consent must be ticked; then the tax agency answers through the
    // exchange, with the consent given on the page in the exchange's ledger.
    let no = b
        .post("/my/procurement/eligibility", &[("csrf", &csrf)])
        .await;
    status(&no, StatusCode::BAD_REQUEST, "no consent");
    assert_eq!(summary(&no), vec!["#consent".to_owned()]);
    let yes = b
        .post(
            "/my/procurement/eligibility",
            &[("csrf", &csrf), ("consent", "yes")],
        )
        .await;
    status(&yes, StatusCode::SEE_OTHER, "checked");
    let (_, v) = app
        .send(
            Method::GET,
            "/procurement/v1/suppliers/me",
            Some(&api),
            None,
        )
        .await;
    assert_eq!(v["tax_clearance"]["eligible"], true, "{v}");
    assert!(v["tax_clearance"]["consent"].is_string(), "{v}");

    // A key: not a key, then one made on the bidder's side.
    let bad = b
        .post(
            "/my/procurement/keys",
            &[
                ("csrf", &csrf),
                ("label", "CLI"),
                ("public_key", "not a key"),
            ],
        )
        .await;
    status(&bad, StatusCode::BAD_REQUEST, "bad key");
    assert_eq!(summary(&bad), vec!["#key-public".to_owned()]);
    let (key, public) = envelope::bidder_keypair();
    let added = b
        .post(
            "/my/procurement/keys",
            &[("csrf", &csrf), ("label", "CLI"), ("public_key", &public)],
        )
        .await;
    status(&added, StatusCode::SEE_OTHER, "key");
    let (_, keys) = app
        .send(
            Method::GET,
            "/procurement/v1/suppliers/me/keys",
            Some(&api),
            None,
        )
        .await;
    let key_id = keys["keys"][0]["id"].as_str().expect("key").to_owned();
    let home = b.get("/my/procurement").await;
    assert!(home.body.contains(&key_id), "the page shows the key's id");

    // A tender taking bids.
    let buyer = app.officer(&["procurement.officer"], "PPS");
    let mut committee = Vec::new();
    for i in 0..3 {
        let t = app.officer_named(&format!("pages-cm-{i}"), &["procurement.committee"], "PPS");
        let (_, pk) = seal::member_keypair();
        let (s, _) = app
            .send(
                Method::PUT,
                "/procurement/v1/committee/key",
                Some(&t),
                Some(&json!({"public_key": pk})),
            )
            .await;
        assert_eq!(s, 204);
        committee.push(format!("pages-cm-{i}"));
    }
    let at = |secs: i64| {
        (app.state.clock.now() + chrono::Duration::seconds(secs))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    };
    let (s, t) = app
        .send(
            Method::POST,
            "/procurement/v1/tenders",
            Some(&buyer),
            Some(&json!({
                "procedure": "goods-lowest-price", "category": "goods", "title": "Office laptops",
                "description": "Supply of office laptops as specified in the terms.",
                "lots": [{"id": "1", "title": "Laptops", "base_amount": "100000000"}],
                "committee": committee, "evaluators": [],
                "enquiry_end": at(1), "deadline": at(60), "opening_at": at(60),
            })),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    let id = t["id"].as_str().expect("id").to_owned();
    let (s, _) = Procurement(&app).publish(&buyer, &id).await;
    assert_eq!(s, 200);
    for _ in 0..100 {
        if Procurement(&app).tender(&id).await.1["status"] == "tendering" {
            break;
        }
        app.state.clock.advance(chrono::Duration::milliseconds(200));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let page = b.get(&format!("/tenders/{id}/bid")).await;
    status(&page, StatusCode::OK, "bid page");
    assert!(page.body.contains("name=\"bid_file\""), "{}", page.body);
    assert!(
        !page.body.contains("name=\"price\""),
        "the price field has no name"
    );

    // The file seal-bid writes.
    let (_, tender) = Procurement(&app).tender(&id).await;
    let contents = envelope::Contents {
        tender: id.clone(),
        lot: "1".into(),
        supplier: business.replace('-', ""),
        price: "97500000".into(),
        reserve_picks: vec![1, 7],
        documents: Vec::new(),
        nonce: envelope::nonce(),
    };
    let file = serde_json::to_vec(
        &envelope::seal_and_sign(
            tender["opening_key"].as_str().expect("key"),
            &contents,
            &key,
            &key_id,
        )
        .expect("seal"),
    )
    .expect("json");
    let target = format!("/tenders/{id}/bid");
    // No token: refused before the file is read.
    let forged = b
        .post_multipart(
            &target,
            &[("lot", "1")],
            Some(("bid_file", "bid.json", &file)),
        )
        .await;
    status(&forged, StatusCode::FORBIDDEN, "no token");
    // Not a sealed bid; nothing at all; changed after signing.
    let junk = b
        .post_multipart(
            &target,
            &[("csrf", &csrf), ("lot", "1")],
            Some(("bid_file", "bid.json", b"{\"price\": 1}")),
        )
        .await;
    status(&junk, StatusCode::BAD_REQUEST, "not a sealed bid");
    assert_eq!(summary(&junk), vec!["#bid-file".to_owned()]);
    let empty = b
        .post_multipart(&target, &[("csrf", &csrf), ("lot", "1")], None)
        .await;
    status(&empty, StatusCode::BAD_REQUEST, "nothing sealed");
    let mut changed: Value = serde_json::from_slice(&file).expect("json");
    let mut bytes = seal::unb64(changed["sealed"].as_str().expect("sealed")).expect("b64");
    let n = bytes.len();
    bytes[n - 20] ^= 1;
    changed["sealed"] = Value::String(seal::b64(&bytes));
    let changed = serde_json::to_vec(&changed).expect("json");
    let refused = b
        .post_multipart(
            &target,
            &[("csrf", &csrf), ("lot", "1")],
            Some(("bid_file", "bid.json", &changed)),
        )
        .await;
    status(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "changed after signing",
    );
    assert!(!summary(&refused).is_empty(), "{}", refused.body);
    assert!(
        my_bids(&app, &api, &id).await.is_empty(),
        "no refused bid was kept"
    );

    // The real file: the receipt, then its download.
    let sent = b
        .post_multipart(
            &target,
            &[("csrf", &csrf), ("lot", "1")],
            Some(("bid_file", "bid.json", &file)),
        )
        .await;
    status(&sent, StatusCode::SEE_OTHER, "sent");
    let location = sent.location.clone().expect("location");
    assert!(location.contains("?sent="), "{location}");
    let kept = my_bids(&app, &api, &id).await;
    assert_eq!(kept.len(), 1);
    let bid_id = kept[0]["bid_id"].as_str().expect("bid").to_owned();
    let shown = b.get(&location).await;
    status(&shown, StatusCode::OK, "receipt");
    assert!(
        shown
            .body
            .contains(kept[0]["digest"].as_str().expect("digest"))
    );
    let receipt = b.get(&format!("/tenders/{id}/bids/{bid_id}/receipt")).await;
    status(&receipt, StatusCode::OK, "receipt download");
    let r: Value = serde_json::from_str(&receipt.body).expect("receipt json");
    assert_eq!(r["receipt"]["digest"], kept[0]["digest"], "{r}");
    assert!(r["signature"].is_string(), "{r}");
    assert!(
        receipt.headers["content-disposition"]
            .to_str()
            .is_ok_and(|d| d.starts_with("attachment")),
        "downloads"
    );
    // Someone else's bid is not found.
    let other = b
        .get(&format!(
            "/tenders/{id}/bids/{}/receipt",
            uuid::Uuid::now_v7()
        ))
        .await;
    status(&other, StatusCode::NOT_FOUND, "not my bid");

    // Withdrawn before the deadline.
    let gone = b
        .post(
            &format!("/tenders/{id}/bids/{bid_id}/withdraw"),
            &[("csrf", &csrf)],
        )
        .await;
    status(&gone, StatusCode::SEE_OTHER, "withdrawn");
    assert_eq!(my_bids(&app, &api, &id).await[0]["status"], "withdrawn");

    // A citizen has no supplier pages.
    let secret = account(
        &app,
        "citizen",
        "kim.citizen",
        ("national_id", "900101-1234567"),
    )
    .await;
    let mut c = Browser::new(&app);
    let page = c
        .sign_in(
            "/my/procurement",
            "kim.citizen",
            PASSWORD,
            Some(&totp(&secret, 0)),
        )
        .await;
    status(&page, StatusCode::FORBIDDEN, "a citizen");
}

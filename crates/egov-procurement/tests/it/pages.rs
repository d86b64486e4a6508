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
    a.error_links()
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
        let sub = app
            .official(
                &format!("pages-cm-{i}"),
                &format!("Member {i}"),
                "PPS",
                &["procurement.committee"],
                None,
            )
            .await;
        let t = app.officer_named(&sub, &["procurement.committee"], "PPS");
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
        committee.push(sub);
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

/// A form's fields as the test browser posts them.
fn as_refs(f: &[(String, String)]) -> Vec<(&str, &str)> {
    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// `secs` from the app's clock, as a `datetime-local` value in the pack's zone (Asia/Seoul).
fn local_input(app: &TestApp, secs: i64) -> String {
    (app.state.clock.now() + chrono::Duration::seconds(secs))
        .with_timezone(&chrono_tz::Asia::Seoul)
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

#[tokio::test]
async fn a_buyer_drafts_publishes_and_answers_from_the_desk_and_bad_input_changes_nothing() {
    let app = app().await;
    // The agency's officials: three committee members with opening keys, an evaluator, an
    // official without either role; a committee member of another agency.
    let mut members = Vec::new();
    let mut member_keys = Vec::new();
    for (i, name) in ["Ahn Member", "Baek Member", "Cho Member"]
        .iter()
        .enumerate()
    {
        let sub = app
            .official(
                &format!("desk-cm-{i}"),
                name,
                "PPS",
                &["procurement.committee"],
                Some(PASSWORD),
            )
            .await;
        let t = app.officer_named(&sub, &["procurement.committee"], "PPS");
        let (sk, pk) = seal::member_keypair();
        member_keys.push(sk);
        let (s, _) = app
            .send(
                Method::PUT,
                "/procurement/v1/committee/key",
                Some(&t),
                Some(&json!({"public_key": pk})),
            )
            .await;
        assert_eq!(s, 204);
        members.push(sub);
    }
    app.official(
        "desk-ev",
        "Doh Evaluator",
        "PPS",
        &["procurement.evaluator"],
        None,
    )
    .await;
    let clerk = app
        .official(
            "desk-clerk",
            "Eun Clerk",
            "PPS",
            &["procurement.officer"],
            None,
        )
        .await;
    let elsewhere = app
        .official(
            "desk-far",
            "Far Member",
            "MOE",
            &["procurement.committee"],
            None,
        )
        .await;
    let buyer = app
        .official(
            "pps.buyer",
            "Park Buyer",
            "PPS",
            &["procurement.officer"],
            Some(PASSWORD),
        )
        .await;
    let buyer_api = app.officer(&["procurement.officer"], "PPS");
    let (mut b, desk) =
        Browser::with_second_factor(&app, "/desk/procurement", "pps.buyer", PASSWORD).await;
    status(&desk, StatusCode::OK, "the desk");
    assert!(text(&desk.body).contains("Your agency has no tender yet"));
    let form = b.get("/desk/procurement/new").await;
    status(&form, StatusCode::OK, "the new tender form");
    let shown = text(&form.body);
    for name in ["Ahn Member", "Baek Member", "Cho Member", "Doh Evaluator"] {
        assert!(shown.contains(name), "{name} is offered: {shown}");
    }
    assert!(shown.contains("opening key registered"));
    for (name, id) in [
        ("Far Member", &elsewhere),
        ("Eun Clerk", &clerk),
        ("Park Buyer", &buyer),
    ] {
        assert!(
            !form.body.contains(&format!("value=\"{id}\"")),
            "{name} is not offered"
        );
    }
    let csrf = form.field("csrf").expect("the form's token");

    let good = |csrf: &str| -> Vec<(String, String)> {
        let mut f: Vec<(String, String)> = [
            ("csrf", csrf.to_owned()),
            ("procedure", "goods-lowest-price".into()),
            ("category", "goods".into()),
            ("title", "Office chairs for the Busan office".into()),
            (
                "description",
                "400 office chairs, delivered and assembled.".into(),
            ),
            ("lot-0-title", "Chairs".into()),
            ("lot-0-base", "120,000,000".into()),
            ("enquiry_end", local_input(&app, 20)),
            ("deadline", local_input(&app, 40)),
            ("opening_at", local_input(&app, 40)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        for m in &members {
            f.push(("committee".into(), m.clone()));
        }
        f
    };
    let nothing = || async {
        let (_, list) = app
            .send(
                Method::GET,
                "/procurement/v1/officer/tenders",
                Some(&buyer_api),
                None,
            )
            .await;
        list["items"].as_array().map_or(0, Vec::len)
    };

    // No token.
    let f = good("");
    let forged = b.post("/desk/procurement/new", &as_refs(&f[1..])).await;
    status(&forged, StatusCode::FORBIDDEN, "no token");
    // What the page cannot read: an amount in words, a time that is not one.
    let mut f = good(&csrf);
    for (k, v) in &mut f {
        match k.as_str() {
            "lot-0-base" => *v = "a lot of money".into(),
            "deadline" => *v = "next Tuesday".into(),
            _ => {}
        }
    }
    let bad = b.post("/desk/procurement/new", &as_refs(&f)).await;
    status(&bad, StatusCode::BAD_REQUEST, "unreadable fields");
    assert_eq!(summary(&bad), vec!["#lot-0-base", "#deadline"]);
    assert!(
        bad.body.contains("a lot of money"),
        "what was typed is kept"
    );
    // What the use case refuses: a one-letter title, a committee with a made-up account and
    // another agency's member, a second lot without a title — each named on the form.
    let mut f = good(&csrf);
    f.retain(|(k, _)| k != "committee");
    for (k, v) in &mut f {
        if k == "title" {
            *v = "X".into();
        }
    }
    f.push(("committee".into(), members[0].clone()));
    f.push(("committee".into(), "made-up-account".into()));
    f.push(("committee".into(), elsewhere.clone()));
    f.push(("lot-3-title".into(), String::new()));
    f.push(("lot-3-base".into(), "5,000,000".into()));
    let bad = b.post("/desk/procurement/new", &as_refs(&f)).await;
    status(&bad, StatusCode::BAD_REQUEST, "refused by the use case");
    let links = summary(&bad);
    for anchor in ["#title", "#committee", "#lot-3-title"] {
        assert!(links.iter().any(|l| l == anchor), "{anchor} in {links:?}");
    }
    assert_eq!(nothing().await, 0, "nothing was created");

    // The draft, then the buyer's view of it.
    let f = good(&csrf);
    let made = b.post("/desk/procurement/new", &as_refs(&f)).await;
    status(&made, StatusCode::SEE_OTHER, "created");
    let location = made.location.clone().expect("location");
    let id = location
        .trim_start_matches("/desk/procurement/tenders/")
        .split('?')
        .next()
        .expect("id")
        .to_owned();
    let page = b.get(&location).await;
    status(&page, StatusCode::OK, "the draft");
    let shown = text(&page.body);
    assert!(shown.contains("The draft is saved"), "{shown}");
    assert!(
        shown.contains("Ahn Member") && shown.contains("120,000,000"),
        "{shown}"
    );
    let (_, v) = Procurement(&app).tender(&id).await;
    assert_eq!(
        v["code"], "procurement.tender_not_found",
        "a draft is not public"
    );

    // Another agency's officer does not see it.
    app.official(
        "moe.buyer",
        "Moe Buyer",
        "MOE",
        &["procurement.officer"],
        Some(PASSWORD),
    )
    .await;
    let (mut stranger, _) =
        Browser::with_second_factor(&app, "/desk/procurement", "moe.buyer", PASSWORD).await;
    let hidden = stranger
        .get(&format!("/desk/procurement/tenders/{id}"))
        .await;
    status(&hidden, StatusCode::NOT_FOUND, "another agency's draft");

    // Published; publishing again is refused on the page.
    let published = b
        .post(
            &format!("/desk/procurement/tenders/{id}/publish"),
            &[("csrf", &csrf)],
        )
        .await;
    status(&published, StatusCode::SEE_OTHER, "published");
    let (_, v) = Procurement(&app).tender(&id).await;
    assert!(v["opening_key"].is_string(), "{v}");
    let again = b
        .post(
            &format!("/desk/procurement/tenders/{id}/publish"),
            &[("csrf", &csrf)],
        )
        .await;
    status(&again, StatusCode::CONFLICT, "published twice");
    assert_eq!(summary(&again), vec!["#publish".to_owned()]);

    // A supplier asks on the question page; the buyer answers on the desk.
    let business = kr_business_number(4343);
    let (s, v) = app
        .send(
            Method::PUT,
            "/procurement/v1/suppliers/me",
            Some(&app.business(&business)),
            Some(&json!({
                "name": "Nakdong Furniture", "categories": ["goods"],
                "representatives": [{"name": "Lee Ara", "role": "CEO"}],
            })),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let secret = account(
        &app,
        "business",
        "nakdong.furniture",
        ("business_id", &business),
    )
    .await;
    let mut s = Browser::new(&app);
    s.language = Some("en".into());
    for _ in 0..100 {
        if Procurement(&app).tender(&id).await.1["status"] == "enquiry" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let notice = s.get(&format!("/tenders/{id}")).await;
    assert!(
        notice
            .body
            .contains(&format!("/tenders/{id}/questions/new")),
        "the notice offers the question page"
    );
    let ask = s
        .sign_in(
            &format!("/tenders/{id}/questions/new"),
            "nakdong.furniture",
            PASSWORD,
            Some(&totp(&secret, 0)),
        )
        .await;
    status(&ask, StatusCode::OK, "the question page");
    let scsrf = ask.field("csrf").expect("token");
    let short = s
        .post(
            &format!("/tenders/{id}/questions/new"),
            &[("csrf", &scsrf), ("question", "Hi")],
        )
        .await;
    status(&short, StatusCode::BAD_REQUEST, "too short");
    assert_eq!(summary(&short), vec!["#question".to_owned()]);
    let asked = s
        .post(
            &format!("/tenders/{id}/questions/new"),
            &[
                ("csrf", &scsrf),
                ("question", "May the chairs be delivered in two batches?"),
            ],
        )
        .await;
    status(&asked, StatusCode::SEE_OTHER, "asked");
    let (_, v) = Procurement(&app).tender(&id).await;
    let questions = v["questions"].as_array().cloned().unwrap_or_default();
    assert_eq!(questions.len(), 1, "only the good question was kept: {v}");
    let qid = questions[0]["id"].as_str().expect("id").to_owned();
    let page = b.get(&format!("/desk/procurement/tenders/{id}")).await;
    assert!(
        page.body.contains(&format!("answer-{qid}")),
        "an answer form"
    );
    let empty = b
        .post(
            &format!("/desk/procurement/tenders/{id}/questions/{qid}/answer"),
            &[("csrf", &csrf), ("answer", " ")],
        )
        .await;
    status(&empty, StatusCode::BAD_REQUEST, "no answer");
    assert_eq!(summary(&empty), vec![format!("#answer-{qid}")]);
    let answered = b
        .post(
            &format!("/desk/procurement/tenders/{id}/questions/{qid}/answer"),
            &[
                ("csrf", &csrf),
                ("answer", "Yes, in two batches a week apart."),
            ],
        )
        .await;
    status(&answered, StatusCode::SEE_OTHER, "answered");
    let notice = s.get(&format!("/tenders/{id}")).await;
    assert!(text(&notice.body).contains("Yes, in two batches a week apart."));
    // A business is not a buyer; a buyer is not a supplier, nor a committee member.
    let no = s.get("/desk/procurement").await;
    assert_eq!(no.status, StatusCode::FORBIDDEN, "{}", no.body);
    let no = b.get(&format!("/tenders/{id}/questions/new")).await;
    assert_eq!(no.status, StatusCode::FORBIDDEN, "{}", no.body);
    let no = b.get("/desk/procurement/committee").await;
    assert_eq!(no.status, StatusCode::FORBIDDEN, "{}", no.body);

    // The committee page: before the deadline no share is given out, and one handed in is
    // refused; after it, the share sealed to the member's key is shown, something that is not
    // a share is refused, and the opened share is taken once. Two of three open the bids.
    let mut seats = Vec::new();
    for (i, sk) in member_keys.iter().take(2).enumerate() {
        let username = format!("desk-cm-{i}");
        let (m, page) =
            Browser::with_second_factor(&app, "/desk/procurement/committee", &username, PASSWORD)
                .await;
        status(&page, StatusCode::OK, "the committee page");
        assert!(page.body.contains(&format!("id=\"t-{id}\"")), "listed");
        assert!(
            !page.body.contains(&format!("id=\"sealed-{id}\"")),
            "no share before the deadline"
        );
        let csrf = page.field("csrf").expect("token");
        seats.push((m, csrf, sk));
    }
    let early = {
        let (m, csrf, _) = &mut seats[0];
        m.post(
            &format!("/desk/procurement/committee/{id}/share"),
            &[("csrf", csrf.as_str()), ("share", "AAAA")],
        )
        .await
    };
    assert!(early.status.is_client_error(), "{}", early.body);
    for _ in 0..200 {
        let st = Procurement(&app).tender(&id).await.1["status"].clone();
        if st == "deadline" || st == "opening" {
            break;
        }
        app.state.clock.advance(chrono::Duration::milliseconds(500));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for (i, (m, csrf, sk)) in seats.iter_mut().enumerate() {
        let page = m.get("/desk/procurement/committee").await;
        let sealed = page
            .body
            .split(&format!("id=\"sealed-{id}\""))
            .nth(1)
            .and_then(|r| r.split('>').nth(1))
            .and_then(|r| r.split('<').next())
            .expect("the sealed share is shown")
            .trim()
            .to_owned();
        if i == 0 {
            let junk = m
                .post(
                    &format!("/desk/procurement/committee/{id}/share"),
                    &[("csrf", csrf.as_str()), ("share", "not a share")],
                )
                .await;
            status(&junk, StatusCode::BAD_REQUEST, "not a share");
            assert_eq!(summary(&junk), vec![format!("#share-{id}")]);
            assert!(junk.body.contains("not a share"), "what was typed is kept");
        }
        let share = seal::open_share(sk, &sealed).expect("opens");
        let given = m
            .post(
                &format!("/desk/procurement/committee/{id}/share"),
                &[("csrf", csrf.as_str()), ("share", &share)],
            )
            .await;
        status(&given, StatusCode::SEE_OTHER, "handed in");
        let again = m
            .post(
                &format!("/desk/procurement/committee/{id}/share"),
                &[("csrf", csrf.as_str()), ("share", &share)],
            )
            .await;
        assert!(again.status.is_client_error(), "a share is handed in once");
    }
    for _ in 0..200 {
        if Procurement(&app).tender(&id).await.1["status"] == "opening" {
            break;
        }
        app.state.clock.advance(chrono::Duration::milliseconds(500));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (m, csrf, _) = &mut seats[1];
    let page = m.get("/desk/procurement/committee").await;
    assert!(
        page.body
            .contains(&format!("/desk/procurement/committee/{id}/open")),
        "two shares in: the bids can be opened: {}",
        page.body
    );
    let opened = m
        .post(
            &format!("/desk/procurement/committee/{id}/open"),
            &[("csrf", csrf.as_str())],
        )
        .await;
    status(&opened, StatusCode::SEE_OTHER, "opened");
    let (_, v) = Procurement(&app).tender(&id).await;
    assert!(v["opening"]["bids"].is_array(), "the transcript: {v}");

    // A second tender, postponed and then cancelled on the desk, each with a published reason.
    let form = b.get("/desk/procurement/new").await;
    status(&form, StatusCode::OK, "the form again");
    let csrf = form.field("csrf").expect("the form's token");
    let f = good(&csrf);
    let made = b.post("/desk/procurement/new", &as_refs(&f)).await;
    status(&made, StatusCode::SEE_OTHER, "second tender");
    let second = made
        .location
        .clone()
        .expect("location")
        .trim_start_matches("/desk/procurement/tenders/")
        .split('?')
        .next()
        .expect("id")
        .to_owned();
    let target = |action: &str| format!("/desk/procurement/tenders/{second}/{action}");
    let published = b.post(&target("publish"), &[("csrf", &csrf)]).await;
    status(&published, StatusCode::SEE_OTHER, "second published");
    for _ in 0..100 {
        if Procurement(&app).tender(&second).await.1["status"] == "enquiry" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let page = b.get(&format!("/desk/procurement/tenders/{second}")).await;
    assert!(
        page.body.contains("id=\"postpone-reason\""),
        "{}",
        page.body
    );
    let unknown = b.post(&target("reopen"), &[("csrf", &csrf)]).await;
    status(&unknown, StatusCode::NOT_FOUND, "no such action");
    let no_reason = b
        .post(&target("postpone"), &[("csrf", &csrf), ("reason", "no")])
        .await;
    status(&no_reason, StatusCode::BAD_REQUEST, "a reason too short");
    assert_eq!(summary(&no_reason), vec!["#postpone-reason".to_owned()]);
    assert_eq!(
        Procurement(&app).tender(&second).await.1["status"],
        "enquiry",
        "nothing changed"
    );
    let postponed = b
        .post(
            &target("postpone"),
            &[
                ("csrf", &csrf),
                ("reason", "The specification is being corrected."),
            ],
        )
        .await;
    status(&postponed, StatusCode::SEE_OTHER, "postponed");
    assert_eq!(
        Procurement(&app).tender(&second).await.1["status"],
        "postponed"
    );
    // Resumed on the desk: a time the page cannot read, then no later opening time, are
    // refused and change nothing; then new dates, and an amendment with a new description.
    let page = b.get(&format!("/desk/procurement/tenders/{second}")).await;
    assert!(
        page.body
            .contains(&format!("/desk/procurement/tenders/{second}/resume")),
        "a postponed tender offers resuming"
    );
    let unreadable = b
        .post(
            &target("resume"),
            &[
                ("csrf", &csrf),
                ("reason", "The corrected specification is attached."),
                ("deadline", "soon"),
            ],
        )
        .await;
    status(&unreadable, StatusCode::BAD_REQUEST, "an unreadable time");
    assert_eq!(summary(&unreadable), vec!["#amend-deadline".to_owned()]);
    assert!(
        unreadable
            .body
            .contains("The corrected specification is attached.")
    );
    let later = local_input(&app, 7200);
    let no_opening = b
        .post(
            &target("resume"),
            &[
                ("csrf", &csrf),
                ("reason", "The corrected specification is attached."),
                ("deadline", &later),
            ],
        )
        .await;
    status(
        &no_opening,
        StatusCode::BAD_REQUEST,
        "a deadline after the opening",
    );
    assert_eq!(summary(&no_opening), vec!["#amend-reason".to_owned()]);
    assert_eq!(
        Procurement(&app).tender(&second).await.1["status"],
        "postponed",
        "nothing changed"
    );
    let resumed = b
        .post(
            &target("resume"),
            &[
                ("csrf", &csrf),
                ("reason", "The corrected specification is attached."),
                ("deadline", &later),
                ("opening_at", &later),
            ],
        )
        .await;
    status(&resumed, StatusCode::SEE_OTHER, "resumed");
    let (_, v) = Procurement(&app).tender(&second).await;
    assert_ne!(v["status"], "postponed", "{v}");
    let amended = b
        .post(
            &target("amend"),
            &[
                ("csrf", &csrf),
                ("reason", "Delivery to two offices."),
                (
                    "description",
                    "400 office chairs, delivered to Busan and Ulsan.",
                ),
            ],
        )
        .await;
    status(&amended, StatusCode::SEE_OTHER, "amended");
    let (_, v) = Procurement(&app).tender(&second).await;
    assert_eq!(
        v["description"],
        "400 office chairs, delivered to Busan and Ulsan."
    );
    assert_eq!(v["amendments"].as_array().map(Vec::len), Some(2), "{v}");
    let nothing_new = b
        .post(
            &target("amend"),
            &[("csrf", &csrf), ("reason", "Nothing at all.")],
        )
        .await;
    status(
        &nothing_new,
        StatusCode::BAD_REQUEST,
        "an amendment that changes nothing",
    );
    let cancelled = b
        .post(
            &target("cancel"),
            &[("csrf", &csrf), ("reason", "The budget was withdrawn.")],
        )
        .await;
    status(&cancelled, StatusCode::SEE_OTHER, "cancelled");
    let (_, v) = Procurement(&app).tender(&second).await;
    assert_eq!(
        (v["status"].as_str(), v["cancel_reason"].as_str()),
        (Some("cancelled"), Some("The budget was withdrawn.")),
        "{v}"
    );
    let again = b
        .post(
            &target("cancel"),
            &[("csrf", &csrf), ("reason", "The budget was withdrawn.")],
        )
        .await;
    status(&again, StatusCode::CONFLICT, "cancelled twice");
}

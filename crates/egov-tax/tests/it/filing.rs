//! The filing journey over HTTP, and the exchange services. Runs on SQLite and PostgreSQL
//! (EGOV_TEST_BACKEND).

use egov_exchange::client::{Call, CallError};
use egov_testing::clients::tax::Tax;
use egov_testing::{Spawn, TestApp, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};

const NID: &str = "900101-1234567";
const BRN: &str = "124-81-00998";
/// The same business number, digits only (as tokens carry it).
const BID: &str = "1248100998";
const OFFICER: &[&str] = &["tax.officer"];

async fn app() -> TestApp {
    let app = spawn_app_with(Spawn {
        modules: &["auth", "exchange", "tax", "probe"],
        settings: &[("EGOV__TAX__ALLOW_EARLY_FILING", "true")],
    })
    .await;
    // The employer files statements as a registered withholding agent.
    let (s, a) = app
        .send_with(
            Method::POST,
            "/tax/v1/officer/withholding-agents",
            Some(&app.officer(OFFICER, "NTS")),
            Some(&json!({"business_id": "124-81-00998"})),
            &[],
        )
        .await;
    assert_eq!(s, 200, "{a}");
    app
}

#[tokio::test]
async fn filing_journey_from_statements_to_verified_certificate() {
    let app = app().await;
    let emp = app.business(BID);
    let me = app.citizen(NID);

    // Statements in bulk (CSV): one invalid row reported by line, valid rows kept.
    let csv = "statement_id,national_id,wages,withheld_income_tax,withheld_local_tax,pension_contributions,insurance_premiums\n\
               S-1,900101-1234567,30000000,600000,60000,1350000,0\n\
               S-2,not-an-id,1000,0,0,0,0\n\
               S-3,900101-1234567,6000000,100000,10000,0,0\n";
    let res = app
        .client
        .post(app.url("/tax/v1/statements?year=2026"))
        .bearer_auth(&emp)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.expect("json");
    assert_eq!(report["accepted"], 2, "{report}");
    assert_eq!(report["rejected"][0]["line"], 3, "{report}");
    // The same file again: idempotent.
    let res = app
        .client
        .post(app.url("/tax/v1/statements?year=2026"))
        .bearer_auth(&emp)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .expect("upload");
    let again: Value = res.json().await.expect("json");
    assert_eq!(
        (again["accepted"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(2)),
        "{again}"
    );
    // Same id, different content: reported, not stored.
    let (s, r) = Tax(&app)
        .upload_statements(
            &emp,
            2026,
            &json!([
                {"statement_id": "S-1", "national_id": NID, "wages": "31000000"}
            ]),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(r["rejected"][0]["line"], 1, "{r}");
    // A null where an amount is required: the error names the field.
    let (s, r) = Tax(&app)
        .upload_statements(
            &emp,
            2026,
            &json!([{"statement_id": "S-9", "national_id": NID, "wages": null}]),
        )
        .await;
    assert_eq!(s, 200);
    assert!(
        r["rejected"][0]["errors"][0]
            .as_str()
            .is_some_and(|e| e.starts_with("wages: ")),
        "{r}"
    );

    // The pre-filled return: sums of both statements, with provenance and explanation.
    let (s, ret) = Tax(&app).my_return(&me, 2026).await;
    assert_eq!(s, 200, "{ret}");
    assert_eq!(ret["status"], "prefilled");
    let wages = ret["prefill"]
        .as_array()
        .expect("prefill")
        .iter()
        .find(|p| p["input"] == "wages")
        .expect("wages");
    assert_eq!(wages["value"], "36000000");
    assert_eq!(wages["documents"].as_array().map(Vec::len), Some(2));
    let trace = ret["outcome"]["trace"].as_array().expect("trace");
    let computed = trace
        .iter()
        .find(|s| s["name"] == "computed_tax")
        .expect("step");
    assert!(computed["cite"].as_str().expect("cite").contains("art. 55"));
    assert_eq!(
        ret["outcome"]["rules_hash"].as_str().map(str::len),
        Some(64)
    );

    // Bad entries: refused by rule number, nothing saved.
    let (s, p) = app
        .send_with(
            Method::PUT,
            "/tax/v1/me/returns/2026",
            Some(&me),
            Some(&json!({"entries": {"wages": -5}})),
            &[],
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert!(
        p["errors"][0]["detail"]
            .as_str()
            .expect("detail")
            .starts_with("TAX-R0001"),
        "{p}"
    );
    // Adjust: a spouse and a child aged 10.
    let (s, ret) = app
        .send_with(
            Method::PUT,
            "/tax/v1/me/returns/2026",
            Some(&me),
            Some(&json!({"entries": {
                "dependants": [{"relation": "spouse", "age": 38}, {"relation": "child", "age": 10}]
            }})),
            &[],
        )
        .await;
    assert_eq!(s, 200, "{ret}");
    assert_eq!(ret["status"], "draft");
    // Claiming more withholding than employers reported: rejected with the rule number.
    let (s, _) = app
        .send_with(
            Method::PUT,
            "/tax/v1/me/returns/2026",
            Some(&me),
            Some(&json!({"entries": {
                "dependants": [{"relation": "spouse", "age": 38}, {"relation": "child", "age": 10}],
                "withheld_income_tax": 9_999_999
            }})),
            &[],
        )
        .await;
    assert_eq!(s, 200);
    let (s, rej) = Tax(&app).submit_return(&me, 2026, "k-rej").await;
    assert_eq!(s, 422, "{rej}");
    assert_eq!(rej["code"], "tax.return_rejected");
    assert!(rej["errors"].to_string().contains("TAX-R0003"), "{rej}");
    let (_, versions) = Tax(&app).my_versions(&me, 2026).await;
    assert_eq!(
        versions.as_array().map(Vec::len),
        Some(0),
        "a rejection changes nothing"
    );
    app.send_with(
        Method::PUT,
        "/tax/v1/me/returns/2026",
        Some(&me),
        Some(&json!({"entries": {
            "dependants": [{"relation": "spouse", "age": 38}, {"relation": "child", "age": 10}]
        }})),
        &[],
    )
    .await;

    // Submit: acknowledged, signed; the same key again is the same filing.
    let (s, ack) = Tax(&app).submit_return(&me, 2026, "k-1").await;
    assert_eq!(s, 201, "{ack}");
    assert_eq!(ack["version"], 1);
    assert_eq!(ack["kind"], "original");
    let tax_state = app.state.clone();
    let _ = tax_state;
    let (s, dup) = Tax(&app).submit_return(&me, 2026, "k-1").await;
    assert_eq!(s, 200);
    assert_eq!(dup["submission_id"], ack["submission_id"]);
    // Wages 36,000,000: deduction 10,650,000; income 25,350,000; personal 4,500,000;
    // pension 1,350,000; taxable 19,500,000; computed 840,000 + 15% x 5,500,000 = 1,665,000;
    // credits: EITC 715,000 + 30% x 365,000 = 824,500 capped at 740,000 - 0.008 x 3,000,000
    // = 716,000; child 250,000; standard 130,000 -> determined 569,000; local 56,900.
    assert_eq!(ack["amounts"]["determined_income_tax"], 569_000, "{ack}");
    assert_eq!(ack["amounts"]["local_income_tax"], 56_900);
    // Withheld 700,000 + 70,000: refund of 144,100.
    assert_eq!(ack["balance"], "-144100");

    // Amendment: remove the spouse -> a new version, the old one kept.
    app.send_with(
        Method::PUT,
        "/tax/v1/me/returns/2026",
        Some(&me),
        Some(&json!({"entries": {
            "dependants": [{"relation": "child", "age": 10}]
        }})),
        &[],
    )
    .await;
    let (s, amended) = Tax(&app).submit_return(&me, 2026, "k-2").await;
    assert_eq!(s, 201, "{amended}");
    assert_eq!(amended["version"], 2);
    assert_eq!(amended["kind"], "amended");
    let (_, versions) = Tax(&app).my_versions(&me, 2026).await;
    assert_eq!(versions.as_array().map(Vec::len), Some(2));
    assert_eq!(
        versions[0]["acknowledgement"]["submission_id"],
        ack["submission_id"]
    );

    // An officer corrects the assessment: more wages found (balance due).
    let (s, found) = app
        .send_with(
            Method::GET,
            &format!("/tax/v1/officer/taxpayers?national_id={NID}&purpose=tax.assessment"),
            Some(&app.officer(OFFICER, "NTS")),
            None,
            &[],
        )
        .await;
    assert_eq!(s, 200, "{found}");
    let return_id = found["returns"][0]["id"].as_str().expect("id").to_owned();
    let (s, corr) = app.send_with(Method::POST, &format!("/tax/v1/officer/returns/{return_id}/corrections"), Some(&app.officer(OFFICER, "NTS")), Some(&json!({
        "changes": {"wages": 60_000_000}, "reason": "Unreported second employment found", "correction_id": "c-1"
    })), &[]).await;
    assert_eq!(s, 201, "{corr}");
    assert_eq!(corr["kind"], "correction");
    let balance: f64 = corr["balance"]
        .as_str()
        .expect("balance")
        .parse()
        .expect("num");
    assert!(balance > 0.0, "{corr}");
    let (_, versions) = Tax(&app).my_versions(&me, 2026).await;
    assert_eq!(versions[2]["reason"], "Unreported second employment found");

    // Pay by bank transfer reference; a duplicate line is absorbed; unmatched kept.
    let reference = corr["payment_reference"].as_str().expect("ref").to_owned();
    let (s, settle) = app.send_with(Method::POST, "/tax/v1/officer/bank-transfers", Some(&app.officer(OFFICER, "NTS")), Some(&json!([
        {"bank_txn_id": "B-1", "reference": reference, "amount": corr["balance"], "paid_on": "2026-11-20"},
        {"bank_txn_id": "B-1", "reference": reference, "amount": corr["balance"], "paid_on": "2026-11-20"},
        {"bank_txn_id": "B-2", "reference": "20260000000000", "amount": "5", "paid_on": "2026-11-20"}
    ])), &[]).await;
    assert_eq!(s, 200, "{settle}");
    assert_eq!(
        (settle["matched"].as_u64(), settle["duplicates"].as_u64()),
        (Some(1), Some(1)),
        "{settle}"
    );
    assert_eq!(settle["unmatched"][0], "B-2");
    let (_, account) = Tax(&app).my_account(&me).await;
    assert_eq!(account["periods"][0]["balance"], "0", "{account}");
    assert_eq!(account["receipts"].as_array().map(Vec::len), Some(1));

    // Certificates: tax clearance and income; public verification; revocation.
    let (s, cert) = app
        .send_with(
            Method::POST,
            "/tax/v1/me/certificates",
            Some(&me),
            Some(&json!({"kind": "tax_clearance"})),
            &[],
        )
        .await;
    assert_eq!(s, 201, "{cert}");
    let number = cert["number"].as_str().expect("number").to_owned();
    let (s, v) = Tax(&app).verify_certificate(&number).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "valid");
    assert_eq!(v["signature_valid"], true);
    assert_eq!(v["document"], cert["document"]);
    assert!(
        !v.to_string().contains("1234567"),
        "the national ID is not revealed: {v}"
    );
    let (s, inc) = app
        .send_with(
            Method::POST,
            "/tax/v1/me/certificates",
            Some(&me),
            Some(&json!({"kind": "income", "year": 2026})),
            &[],
        )
        .await;
    assert_eq!(s, 201, "{inc}");
    assert_eq!(inc["document"]["income"], 60_000_000);
    // The same on the public page, in the language asked for.
    let page = |n: String, lang: &'static str| {
        let url = app.url(&format!("/certificates/verify?number={n}&lang={lang}"));
        let client = app.client.clone();
        async move {
            let res = client.get(url).send().await.expect("page");
            (res.status().as_u16(), res.text().await.expect("html"))
        }
    };
    let (s, html) = page(number.clone(), "en").await;
    assert_eq!(s, 200, "{html}");
    assert!(
        html.contains("This certificate is authentic and valid"),
        "{html}"
    );
    assert!(!html.contains("1234567"), "the national ID is not revealed");
    let income = inc["number"].as_str().expect("number").to_owned();
    let (_, html) = page(income, "ko").await;
    assert!(
        html.contains("60,000,000원"),
        "the income in the pack's format: {html}"
    );
    let (s, _) = app
        .send_with(
            Method::POST,
            &format!("/tax/v1/officer/certificates/{number}/revoke"),
            Some(&app.officer(OFFICER, "NTS")),
            Some(&json!({"reason": "Issued in error"})),
            &[],
        )
        .await;
    assert_eq!(s, 200);
    let (_, v) = Tax(&app).verify_certificate(&number).await;
    assert_eq!(v["status"], "revoked");
    let (_, html) = page(number.clone(), "en").await;
    assert!(html.contains("revoked by the tax office"), "{html}");
    let (s, _) = page("0000-0000-0000-0000".into(), "en").await;
    assert_eq!(s, 404);
    let (s, _) = page("12-34".into(), "en").await;
    assert_eq!(s, 400);
    let (s, _) = app
        .send_with(
            Method::GET,
            "/tax/v1/certificates/0000-0000-0000-0000/verify",
            None,
            None,
            &[],
        )
        .await;
    assert_eq!(s, 404);

    // Officers' reads and changes are in the person's access log, each with its purpose.
    let logged = app.logged_about(NID).await;
    for purpose in ["tax.assessment", "tax.correction", "tax.certificate.revoke"] {
        assert!(
            logged.iter().any(|p| p == purpose),
            "{purpose} in {logged:?}"
        );
    }
}

#[tokio::test]
async fn another_module_gets_tax_clearance_through_the_exchange_only_with_grant_and_consent() {
    let app = app().await;
    let x = app.state.exchange.clone().expect("exchange");
    let member = x.member().to_string();
    let client = format!("{member}/probe");
    let service = format!("{member}/tax/tax-clearance");
    let call = || {
        Call::post(
            &service,
            "v1",
            json!({"business_id": BRN}),
            "procurement.bid",
        )
    };

    // No grant: refused.
    let e = x.call("probe", call()).await.expect_err("no grant");
    assert!(
        matches!(&e, CallError::Refused { status: 403, .. }),
        "{e:?}"
    );

    let (s, g) = app
        .send_with(
            Method::POST,
            "/exchange/v1/admin/grants",
            Some(&app.platform_admin()),
            Some(&json!({
                "client": client, "service": service, "purpose": "procurement.bid",
                "items": ["business_id", "arrears", "as_of", "valid_until"]
            })),
            &[],
        )
        .await;
    assert_eq!(s, 201, "{g}");
    // Grant but no consent: refused.
    let e = x.call("probe", call()).await.expect_err("no consent");
    assert!(e.code().contains("Consent"), "{e:?}");

    // The business consents from its own account.
    let (s, c) = app
        .send_with(
            Method::POST,
            "/exchange/v1/me/consents",
            Some(&app.business(BID)),
            Some(&json!({
                "client": client, "service": service, "purpose": "procurement.bid",
                "items": ["business_id", "arrears", "as_of", "valid_until"], "days": 30
            })),
            &[],
        )
        .await;
    assert_eq!(s, 201, "{c}");
    let consent = c["id"].as_str().expect("id").to_owned();
    let answer = x
        .call("probe", call().consent(&consent))
        .await
        .expect("answer");
    assert_eq!(answer.body["arrears"], false, "{:?}", answer.body);
    assert_eq!(answer.body["business_id"], "1248100998");

    // An officer raises an assessment (unremitted withholding) already past its due date:
    // the answer changes (no amounts disclosed). Bad notices change nothing; the same notice
    // twice is one assessment; the business sees it with its ground.
    let off = app.officer(OFFICER, "NTS");
    let yesterday = (chrono::Utc::now().date_naive() - chrono::Duration::days(1)).to_string();
    let notice = json!({
        "assessment_id": "N-2026-0001", "business_id": "124-81-00998", "year": 2026,
        "amount": "1000000", "due_date": yesterday,
        "reason": "Withholding for March not remitted (ITA art. 128)"
    });
    let mut bad = notice.clone();
    bad["amount"] = json!("0.001");
    bad["reason"] = json!("x");
    let (s, p) = Tax(&app).assess(&off, &bad).await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"].as_array().map(Vec::len), Some(2), "{p}");
    let answer = x
        .call("probe", call().consent(&consent))
        .await
        .expect("answer");
    assert_eq!(
        answer.body["arrears"], false,
        "a refused notice changed nothing"
    );
    let (s, e) = Tax(&app).assess(&off, &notice).await;
    assert_eq!(s, 201, "{e}");
    let (s, again) = Tax(&app).assess(&off, &notice).await;
    assert_eq!((s, &again["source"]), (200, &e["source"]));
    let mut other = notice.clone();
    other["amount"] = json!("5");
    let (s, _) = Tax(&app).assess(&off, &other).await;
    assert_eq!(s, 409);
    let (s, mine) = Tax(&app).my_account(&app.business(BID)).await;
    assert_eq!(s, 200, "{mine}");
    let entries = mine["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 1, "{mine}");
    assert_eq!(entries[0]["note"], notice["reason"]);
    assert!(
        entries[0]["reference"]
            .as_str()
            .is_some_and(|r| !r.is_empty())
    );
    let answer = x
        .call("probe", call().consent(&consent))
        .await
        .expect("answer");
    assert_eq!(answer.body["arrears"], true);
    assert!(!answer.body.to_string().contains("1000000"));

    // Withdrawn consent: refused again.
    let (s, _) = app
        .send_with(
            Method::POST,
            &format!("/exchange/v1/me/consents/{consent}/withdraw"),
            Some(&app.business(BID)),
            None,
            &[],
        )
        .await;
    assert_eq!(s, 200);
    let e = x
        .call("probe", call().consent(&consent))
        .await
        .expect_err("withdrawn");
    assert!(e.code().contains("Consent"), "{e:?}");
}

#[tokio::test]
async fn finding_9_one_officer_cannot_post_a_large_or_malformed_assessment() {
    let app = app().await;
    let (first, second) = (app.officer(OFFICER, "NTS"), app.officer(OFFICER, "NTS"));
    let today = chrono::Utc::now().date_naive().to_string();
    let notice = |id: &str, amount: &str| {
        json!({"assessment_id": id, "business_id": "124-81-00998", "year": 2026,
               "amount": amount, "due_date": today,
               "reason": "Audit finding: unreported withholding (ITA art. 128)"})
    };
    let post = |token: String, path: String, body: Option<Value>| {
        let app = &app;
        async move {
            app.send_with(Method::POST, &path, Some(&token), body.as_ref(), &[])
                .await
        }
    };
    let entries = || async {
        let (s, v) = Tax(&app).my_account(&app.business(BID)).await;
        assert_eq!(s, 200, "{v}");
        v["entries"].as_array().cloned().unwrap_or_default()
    };
    // Minus 10^15 won and fractional won are refused, and change nothing.
    for (amount, why) in [("-1000000000000000", "at most"), ("1.5", "whole units")] {
        let (s, p) = post(
            first.clone(),
            "/tax/v1/officer/assessments".into(),
            Some(notice("N-BAD", amount)),
        )
        .await;
        assert_eq!(s, 422, "{amount}: {p}");
        assert!(p.to_string().contains(why), "{amount}: {p}");
    }
    assert!(entries().await.is_empty());
    // Above the pack's threshold (10,000,000 won): waiting for a second officer, not posted.
    let (s, waiting) = post(
        first.clone(),
        "/tax/v1/officer/assessments".into(),
        Some(notice("N-BIG-1", "50000000")),
    )
    .await;
    assert_eq!(
        (s, waiting["status"].as_str()),
        (202, Some("pending")),
        "{waiting}"
    );
    assert!(entries().await.is_empty());
    // The same notice again is the same request.
    let (s, again) = post(
        first.clone(),
        "/tax/v1/officer/assessments".into(),
        Some(notice("N-BIG-1", "50000000")),
    )
    .await;
    assert_eq!((s, &again["id"]), (202, &waiting["id"]));
    let id = waiting["id"].as_str().expect("id").to_owned();
    // Not by the officer who raised it.
    let (s, p) = post(
        first.clone(),
        format!("/tax/v1/officer/approvals/{id}/approve"),
        None,
    )
    .await;
    assert_eq!(
        (s, p["code"].as_str()),
        (403, Some("tax.same_officer")),
        "{p}"
    );
    let (s, list) = app
        .send_with(
            Method::GET,
            "/tax/v1/officer/approvals",
            Some(&second),
            None,
            &[],
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    // A second officer approves: posted, both officers recorded.
    let (s, posted) = post(
        second.clone(),
        format!("/tax/v1/officer/approvals/{id}/approve"),
        None,
    )
    .await;
    assert_eq!(s, 201, "{posted}");
    assert_eq!(posted["amount"], "50000000");
    let (s, _) = post(
        second.clone(),
        format!("/tax/v1/officer/approvals/{id}/approve"),
        None,
    )
    .await;
    assert_eq!(s, 404, "decided once");
    assert_eq!(entries().await.len(), 1);
    // A second large notice is rejected with a reason: never posted.
    let (_, other) = post(
        first.clone(),
        "/tax/v1/officer/assessments".into(),
        Some(notice("N-BIG-2", "-20000000")),
    )
    .await;
    let oid = other["id"].as_str().expect("id").to_owned();
    let (s, r) = post(
        second.clone(),
        format!("/tax/v1/officer/approvals/{oid}/reject"),
        Some(json!({"reason": "No audit file supports this reduction"})),
    )
    .await;
    assert_eq!((s, r["status"].as_str()), (200, Some("rejected")), "{r}");
    assert!(r["decided_by"].as_str().is_some(), "{r}");
    assert_eq!(entries().await.len(), 1);
    // A refund above the threshold waits too: a reduction of 80,000,000 (approved) leaves
    // 30,000,000 to refund.
    let (_, cut) = post(
        first.clone(),
        "/tax/v1/officer/assessments".into(),
        Some(notice("N-BIG-3", "-80000000")),
    )
    .await;
    let cid = cut["id"].as_str().expect("id").to_owned();
    let (s, _) = post(
        second.clone(),
        format!("/tax/v1/officer/approvals/{cid}/approve"),
        None,
    )
    .await;
    assert_eq!(s, 201);
    let (s, who) = app
        .send_with(
            Method::GET,
            "/tax/v1/officer/taxpayers?business_id=1248100998&purpose=tax.refund",
            Some(&first),
            None,
            &[],
        )
        .await;
    assert_eq!(s, 200, "{who}");
    let return_id = who["returns"][0]["id"].as_str().expect("return").to_owned();
    let (s, refund) = post(
        first.clone(),
        "/tax/v1/officer/refunds".into(),
        Some(json!({"return_id": return_id, "refund_id": "BANK-R-1"})),
    )
    .await;
    assert_eq!(
        (s, refund["kind"].as_str()),
        (202, Some("refund")),
        "{refund}"
    );
    assert_eq!(refund["amount"], "30000000");
    let rid = refund["id"].as_str().expect("id").to_owned();
    let (s, paid) = post(
        second.clone(),
        format!("/tax/v1/officer/approvals/{rid}/approve"),
        None,
    )
    .await;
    assert_eq!((s, paid["kind"].as_str()), (201, Some("refund")), "{paid}");
    assert_eq!(entries().await.len(), 3);
}

#[tokio::test]
async fn finding_3_a_business_cannot_write_into_a_strangers_tax_record() {
    let app = app().await;
    let me = app.citizen(NID);
    let stranger_bid = egov_testing::kr_business_number(7);
    let stranger = app.business(&stranger_bid);
    let statement = |id: &str, wages: &str, withheld: &str| {
        json!([{"statement_id": id, "national_id": NID, "wages": wages,
                "withheld_income_tax": withheld, "withheld_local_tax": "0"}])
    };
    let upload = |token: String, body: Value| {
        let app = &app;
        async move {
            app.send_with(
                Method::POST,
                "/tax/v1/statements?year=2026",
                Some(&token),
                Some(&body),
                &[],
            )
            .await
        }
    };
    let my_return = || async {
        let (s, v) = Tax(&app).my_return(&me, 2026).await;
        assert_eq!(s, 200, "{v}");
        v
    };
    let wages_prefilled = |v: &Value| {
        v["prefill"]
            .as_array()
            .and_then(|p| p.iter().find(|x| x["input"] == "wages"))
            .map(|x| x["value"].as_str().unwrap_or_default().to_owned())
    };
    // A business that never registered as a withholding agent: refused, nothing stored.
    let (s, p) = upload(stranger, statement("X-1", "900000000000", "0")).await;
    assert_eq!(
        (s, p["code"].as_str()),
        (403, Some("tax.not_a_withholding_agent")),
        "{p}"
    );
    assert_eq!(wages_prefilled(&my_return().await), None);
    // The registered employer: an amount above the pack's maximum is refused by row; an
    // outlier (wages from the pack's 1,000,000,000) is held, not counted; a normal one counts.
    let emp = app.business(BID);
    let (s, r) = upload(emp.clone(), statement("E-HUGE", "900000000000", "0")).await;
    assert_eq!((s, r["accepted"].as_u64()), (200, Some(0)), "{r}");
    assert!(
        r["rejected"][0]["errors"].to_string().contains("at most"),
        "{r}"
    );
    let (_, r) = upload(emp.clone(), statement("E-BIG", "2000000000", "100000000")).await;
    assert_eq!(
        (r["accepted"].as_u64(), r["held"].as_u64()),
        (Some(1), Some(1)),
        "{r}"
    );
    let (_, r) = upload(emp.clone(), statement("E-1", "30000000", "600000")).await;
    assert_eq!(
        (r["accepted"].as_u64(), r["held"].as_u64()),
        (Some(1), Some(0)),
        "{r}"
    );
    let v = my_return().await;
    assert_eq!(wages_prefilled(&v).as_deref(), Some("30000000"), "{v}");
    let flags: Vec<(String, String)> = v["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .map(|s| {
            (
                s["statement_id"].as_str().unwrap_or_default().to_owned(),
                s["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        flags,
        [
            ("E-BIG".to_owned(), "held".to_owned()),
            ("E-1".to_owned(), "counted".to_owned())
        ]
    );
    // I dispute the normal one: it stops counting and goes to an officer.
    let sid = v["sources"][1]["id"].as_str().expect("id").to_owned();
    let (s, d) = app
        .send_with(
            Method::POST,
            &format!("/tax/v1/me/statements/{sid}/dispute"),
            Some(&me),
            Some(&json!({"reason": "I never worked for this employer"})),
            &[],
        )
        .await;
    assert_eq!((s, d["status"].as_str()), (200, Some("disputed")), "{d}");
    assert_eq!(wages_prefilled(&my_return().await), None);
    // Someone else cannot dispute my statements.
    let (s, _) = app
        .send_with(
            Method::POST,
            &format!("/tax/v1/me/statements/{sid}/dispute"),
            Some(&app.business(BID)),
            Some(&json!({"reason": "Not mine to dispute"})),
            &[],
        )
        .await;
    assert_eq!(s, 404);
    // The officers' review list has the held and the disputed one; the officer voids the
    // disputed statement and counts the held one.
    let off = app.officer(OFFICER, "NTS");
    let (s, list) = app
        .send_with(
            Method::GET,
            "/tax/v1/officer/statement-reviews",
            Some(&off),
            None,
            &[],
        )
        .await;
    assert_eq!(s, 200);
    let ids: Vec<(String, String)> = list
        .as_array()
        .expect("list")
        .iter()
        .map(|x| {
            (
                x["id"].as_str().unwrap_or_default().to_owned(),
                x["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(ids.len(), 2, "{list}");
    for (id, status) in ids {
        let decision = if status == "disputed" {
            "void"
        } else {
            "count"
        };
        let (s, r) = app
            .send_with(
                Method::POST,
                &format!("/tax/v1/officer/statements/{id}/resolve"),
                Some(&off),
                Some(
                    &json!({"decision": decision, "reason": "Checked with the employer's payroll"}),
                ),
                &[],
            )
            .await;
        assert_eq!(s, 200, "{r}");
    }
    assert_eq!(
        wages_prefilled(&my_return().await).as_deref(),
        Some("2000000000")
    );
    // A revoked agent files nothing more.
    let (s, _) = app
        .send_with(
            Method::POST,
            "/tax/v1/officer/withholding-agents/1248100998/revoke",
            Some(&off),
            None,
            &[],
        )
        .await;
    assert_eq!(s, 204);
    let (s, _) = upload(emp, statement("E-2", "1000", "0")).await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn finding_3_withholding_agents_are_registered_through_the_exchange_by_granted_clients() {
    let app = app().await;
    let x = app.state.exchange.clone().expect("exchange");
    let member = x.member().to_string();
    let service = format!("{member}/tax/withholding-agent-registration");
    let new_bid = egov_testing::kr_business_number(11);
    let call = || {
        Call::post(
            &service,
            "v1",
            json!({"business_id": new_bid}),
            "tax.employer-register",
        )
    };
    let new_employer = app.business(&new_bid);
    let body = json!([{"statement_id": "N-1", "national_id": NID, "wages": "1000000"}]);
    let upload = || {
        app.send_with(
            Method::POST,
            "/tax/v1/statements?year=2026",
            Some(&new_employer),
            Some(&body),
            &[],
        )
    };
    assert_eq!(upload().await.0, 403);
    // Without a grant the registration is refused.
    let e = x.call("probe", call()).await.expect_err("no grant");
    assert!(
        matches!(&e, CallError::Refused { status: 403, .. }),
        "{e:?}"
    );
    let (s, g) = app
        .send_with(
            Method::POST,
            "/exchange/v1/admin/grants",
            Some(&app.platform_admin()),
            Some(&json!({
                "client": format!("{member}/probe"), "service": service,
                "purpose": "tax.employer-register",
                "items": ["business_id", "registered", "registered_at"]
            })),
            &[],
        )
        .await;
    assert_eq!(s, 201, "{g}");
    // With one (by statute: no consent), the business becomes a withholding agent.
    let answer = x.call("probe", call()).await.expect("registered");
    assert_eq!(answer.body["registered"], true, "{:?}", answer.body);
    let (s, r) = upload().await;
    assert_eq!((s, r["accepted"].as_u64()), (200, Some(1)), "{r}");
}

#[tokio::test]
async fn taxpayers_cannot_use_employer_or_officer_routes_and_anonymous_callers_get_401() {
    let app = app().await;
    let me = app.citizen(NID);
    // Policies: a citizen cannot upload statements or use officer routes.
    let (s, _) = Tax(&app).upload_statements(&me, 2026, &json!([])).await;
    assert_eq!(s, 403);
    let (s, _) = Tax(&app).reminders(&me, 2026).await;
    assert_eq!(s, 403);
    let (s, _) = app
        .send_with(Method::GET, "/tax/v1/me/account", None, None, &[])
        .await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn reminders_go_through_the_outbox_once_a_day_to_those_who_have_not_filed() {
    let app = app().await;
    let (s, r) = app
        .send_with(
            Method::POST,
            "/tax/v1/statements?year=2026",
            Some(&app.business(BID)),
            Some(
                &json!([{"statement_id": "R-1", "national_id": NID, "wages": "30000000",
            "withheld_income_tax": "600000"}]),
            ),
            &[],
        )
        .await;
    assert_eq!((s, r["accepted"].as_u64()), (200, Some(1)), "{r}");
    let officer = app.officer(OFFICER, "NTS");
    let body = json!({"year": 2026});
    let remind = || {
        app.send_with(
            Method::POST,
            "/tax/v1/officer/reminders",
            Some(&officer),
            Some(&body),
            &[],
        )
    };
    let (s, r) = remind().await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        (r["queued"].as_u64(), r["taxpayers"].as_u64()),
        (Some(1), Some(1)),
        "{r}"
    );
    let (s, r) = remind().await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        (r["queued"].as_u64(), r["taxpayers"].as_u64()),
        (Some(0), Some(1)),
        "the same day: nothing new: {r}"
    );
    // Once the taxpayer has filed, nobody is reminded.
    let me = app.citizen(NID);
    let (s, v) = Tax(&app).submit_return(&me, 2026, "reminder-test-1").await;
    assert_eq!(s, 201, "{v}");
    let (s, r) = remind().await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        (r["queued"].as_u64(), r["taxpayers"].as_u64()),
        (Some(0), Some(0)),
        "{r}"
    );
}

#[tokio::test]
async fn the_public_calculator_and_calendar_need_no_sign_in() {
    let app = app().await;
    // The public calculator and calendar.
    let (s, calc) = app.send_with(Method::POST, "/tax/v1/calculate/2026", None, Some(&json!({"inputs": {"wages": 30_000_000, "pension_contributions": 4_750_000}, "trace": false})), &[]).await;
    assert_eq!(s, 200);
    assert_eq!(calc["values"]["computed_tax"], "840000");
    let (s, cal) = app
        .send_with(Method::GET, "/tax/v1/calendar/2026", None, None, &[])
        .await;
    assert_eq!(s, 200);
    assert!(cal.as_array().is_some_and(|a| !a.is_empty()));
    // A due date on a working day stays (Mon 31 May 2027); one on a day off moves to the next
    // working day.
    let due = |statutory: &str| {
        cal.as_array()
            .and_then(|a| a.iter().find(|d| d["statutory_due"] == statutory))
            .map(|d| d["due"].clone())
    };
    assert_eq!(due("2027-05-31"), Some(json!("2027-05-31")), "{cal}");
}

//! Petitions over HTTP: the certificate journey, evidence through the exchange, privacy,
//! Open311, refused input, complaints. Runs on SQLite and PostgreSQL (EGOV_TEST_BACKEND).

use egov_testing::clients::petition::Petition;
use egov_testing::{Spawn, TestApp, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};

const NID: &str = "900101-1234567";
const OTHER_NID: &str = "850505-2345678";
const BRN: &str = "124-81-00998";
/// The same business number, digits only (as tokens carry it).
const BID: &str = "1248100998";
const OFFICER: &[&str] = &["petition.officer"];
const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

async fn app() -> TestApp {
    spawn_app_with(Spawn {
        modules: &["auth", "exchange", "tax", "petition"],
        settings: &[
            ("EGOV__TAX__ALLOW_EARLY_FILING", "true"),
            ("EGOV__PETITION__ATTACHMENT_MAX_BYTES", "4096"),
        ],
    })
    .await
}

async fn notifications(app: &TestApp, recipient: &str) -> Vec<String> {
    let r = recipient.to_owned();
    app.state
        .db
        .run(move |c| egov_petition::store::OUTBOX.for_recipient(c, &r))
        .await
        .expect("notifications")
        .into_iter()
        .map(|n| n.template)
        .collect()
}

async fn new_copy_application(app: &TestApp, me: &str) -> String {
    let (s, draft) = Petition(app)
        .create(
            me,
            &json!({"service": "resident-registration-copy", "form": {"purpose": "bank"}}),
        )
        .await;
    assert_eq!(s, 201, "{draft}");
    draft["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn certificate_journey_with_supplement_decision_issue_and_verification() {
    let app = app().await;
    let me = app.citizen(NID);
    let off = app.officer(OFFICER, "JONGNO");

    // The catalogue is public.
    let (s, svc) = app
        .send(
            Method::GET,
            "/petition/v1/services/resident-registration-copy",
            None,
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(svc["period"]["working_hours"], 3);

    // A draft, saved and completed later; submitting an incomplete one names what is missing.
    let id = new_copy_application(&app, &me).await;
    let (s, p) = Petition(&app).submit(&me, &id).await;
    assert_eq!(
        (s, p["code"].as_str()),
        (422, Some("petition.incomplete")),
        "{p}"
    );
    assert!(p["errors"].to_string().contains("/form/national_id"), "{p}");
    let (s, _) = app
        .send(
            Method::PUT,
            &format!("/petition/v1/applications/{id}/form"),
            Some(&me),
            Some(
                &json!({"form": {"purpose": "bank", "national_id": NID, "include_history": "no"}}),
            ),
        )
        .await;
    assert_eq!(s, 200);
    let (s, sub) = Petition(&app).submit(&me, &id).await;
    assert_eq!(s, 200, "{sub}");
    let case = &sub["case"];
    assert_eq!(case["status"], "submitted");
    let year = chrono::Utc::now().format("%Y").to_string();
    assert_eq!(case["receipt_no"], format!("JONGNO-{year}-0000001"));
    assert!(case["due_at"].is_string());
    // The form now holds the national ID canonically (no hyphen).
    assert_eq!(case["form"]["national_id"], "9001011234567");

    // Officer: receive, review, request a supplement (the clock pauses).
    for a in ["receive", "review"] {
        let (s, r) = Petition(&app).act(&off, &id, json!({"action": a})).await;
        assert_eq!(s, 200, "{a}: {r}");
    }
    // An illegal transition is refused and changes nothing.
    let (s, r) = Petition(&app)
        .act(&off, &id, json!({"action": "issue"}))
        .await;
    assert_eq!(
        (s, r["code"].as_str()),
        (409, Some("petition.illegal_transition"))
    );
    let (s, r) = Petition(&app).act(&off,
        &id,
        json!({"action": "request_supplement", "reason": "Please state whether past addresses are needed by the bank"}),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["status"], "supplement_requested");
    assert!(r["paused_since"].is_string(), "{r}");
    let due_paused = r["due_at"].as_str().expect("due").to_owned();
    // A paused case is never overdue or due soon.
    for kind in ["overdue", "due_soon"] {
        let (s, l) = app
            .send(
                Method::GET,
                &format!("/petition/v1/officer/deadlines?kind={kind}"),
                Some(&off),
                None,
            )
            .await;
        assert_eq!(s, 200);
        assert!(!l.to_string().contains(&id), "{kind}: {l}");
    }
    // The applicant answers: the clock resumes (due moves by the working time paused, never back).
    let (s, r) = app
        .send(
            Method::POST,
            &format!("/petition/v1/applications/{id}/supplement"),
            Some(&me),
            Some(&json!({"form": {"include_history": "yes"}, "note": "Past addresses are needed"})),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["status"], "supplemented");
    assert!(r["paused_since"].is_null());
    assert!(r["due_at"].as_str().expect("due") >= due_paused.as_str());
    assert_eq!(r["form"]["include_history"], "yes");

    // Decide without remedies for a rejection: refused; approve; issue.
    let (s, _) = Petition(&app)
        .act(
            &off,
            &id,
            json!({"action": "decide", "decision": "rejected", "reason": "Not a resident here"}),
        )
        .await;
    assert_eq!(s, 422);
    let (s, r) = Petition(&app)
        .act(
            &off,
            &id,
            json!({"action": "decide", "decision": "approved", "reason": "Registered resident"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let (s, r) = Petition(&app)
        .act(&off, &id, json!({"action": "issue"}))
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        (r["status"].as_str(), r["open311_status"].as_str()),
        (Some("issued"), Some("closed"))
    );
    let doc = &r["documents"][0];
    let number = doc["number"].as_str().expect("number").to_owned();
    assert_eq!(number.len(), 12);
    assert!(
        doc["qr_payload"]
            .as_str()
            .expect("qr")
            .contains(&format!("/petition/verify/{number}"))
    );
    assert_eq!(doc["document"]["holder"], "900101-*******");
    assert!(!doc["document"].to_string().contains("1234567"));

    // Every transition is in the history with actor role, time and reason.
    let actions: Vec<&str> = r["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        actions,
        [
            "submit",
            "receive",
            "review",
            "request_supplement",
            "supplement",
            "decide",
            "issue"
        ]
    );
    assert!(
        r["events"][3]["reason"]
            .as_str()
            .is_some_and(|s| s.contains("past addresses"))
    );
    assert!(
        r["events"][3]["actor"].is_string(),
        "officers see who acted"
    );

    // A third party verifies without signing in: authentic, valid, nothing beyond the document.
    let (s, v) = app
        .send(
            Method::GET,
            &format!("/petition/verify/{number}"),
            None,
            None,
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["status"].as_str(), v["authentic"].as_bool()),
        (Some("valid"), Some(true))
    );
    assert_eq!(v["holder"], "900101-*******");
    assert_eq!(v["digest"], doc["digest"]);
    assert!(
        !v.to_string().contains("bank"),
        "the form's content is not disclosed: {v}"
    );
    let (s, _) = app
        .send(Method::GET, "/petition/verify/000000000000", None, None)
        .await;
    assert_eq!(s, 404);
    // The same on the public page, in the language asked for, with the dashes people type.
    let dashed = format!("{}-{}-{}", &number[..4], &number[4..8], &number[8..]);
    let res = app
        .client
        .get(app.url(&format!("/documents/verify?number={dashed}&lang=en")))
        .send()
        .await
        .expect("page");
    assert_eq!(res.status(), 200);
    let html = res.text().await.expect("html");
    assert!(
        html.contains("This document is authentic and valid"),
        "{html}"
    );
    assert!(html.contains("900101-*******"), "{html}");
    assert!(
        !html.contains("bank"),
        "the form's content is not disclosed"
    );
    // The signature checks offline against the published key.
    let (_, keys) = app.send(Method::GET, "/petition/v1/keys", None, None).await;
    assert!(
        keys["keys"].to_string().contains("petition:JONGNO#"),
        "{keys}"
    );

    // Revocation: verification says so; a second revocation is refused.
    let path = format!("/petition/v1/officer/documents/{number}/revoke");
    let (s, _) = app
        .send(
            Method::POST,
            &path,
            Some(&off),
            Some(&json!({"reason": "Issued in error"})),
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) = app
        .send(
            Method::POST,
            &path,
            Some(&off),
            Some(&json!({"reason": "Issued in error"})),
        )
        .await;
    assert_eq!(s, 409);
    let (_, v) = app
        .send(
            Method::GET,
            &format!("/petition/verify/{number}"),
            None,
            None,
        )
        .await;
    assert_eq!(v["status"], "revoked");
    let html = app
        .client
        .get(app.url(&format!("/documents/verify?number={number}&lang=ko")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("발급 기관이 취소한 문서입니다"), "{html}");

    // Every status change was queued for the applicant.
    let sent = notifications(&app, &app.person_key(NID)).await;
    for t in [
        "petition.submit",
        "petition.request_supplement",
        "petition.decide",
        "petition.issue",
        "petition.revoke",
    ] {
        assert!(sent.iter().any(|x| x == t), "{t} in {sent:?}");
    }

    // The officer's reads and changes are in the access log with their purpose.
    let (s, _) = app
        .send(
            Method::GET,
            &format!("/petition/v1/officer/cases/{id}?purpose=checking%20the%20supplement"),
            Some(&off),
            None,
        )
        .await;
    assert_eq!(s, 200);
    let auditor = app.auditor();
    let (s, log) = app
        .send(
            Method::POST,
            "/auth/audit/access-log/search",
            Some(&auditor),
            Some(&json!({"national_id": NID, "purpose": "petition test audit"})),
        )
        .await;
    assert_eq!(s, 200, "{log}");
    let text = log.to_string();
    assert!(text.contains("checking the supplement"), "{text}");
    assert!(text.contains("petition.issue"), "{text}");
}

#[tokio::test]
async fn evidence_comes_from_the_tax_module_through_the_exchange_only_with_consent() {
    let app = app().await;
    let me = app.citizen(NID);
    let x = app.state.exchange.clone().expect("exchange");
    let member = x.member().to_string();

    // The tax office has the citizen's filed return for 2026 (the employer is a registered
    // withholding agent).
    let tax_officer = app.officer(&["tax.officer"], "NTS");
    let (s, a) = app
        .send(
            Method::POST,
            "/tax/v1/officer/withholding-agents",
            Some(&tax_officer),
            Some(&json!({"business_id": BRN})),
        )
        .await;
    assert_eq!(s, 200, "{a}");
    let emp = app.business(BID);
    let (s, r) = app
        .send(
            Method::POST,
            "/tax/v1/statements?year=2026",
            Some(&emp),
            Some(
                &json!([{"statement_id": "S-1", "national_id": NID, "wages": "30000000",
                      "withheld_income_tax": "600000", "withheld_local_tax": "60000"}]),
            ),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let res = app
        .client
        .post(app.url("/tax/v1/me/returns/2026/submit"))
        .bearer_auth(&me)
        .header("idempotency-key", "k-1")
        .send()
        .await
        .expect("submit");
    assert_eq!(res.status(), 201, "{:?}", res.text().await);

    // The platform admin grants the petition module the income certificate for this purpose.
    let client = format!("{member}/petition");
    let service = format!("{member}/tax/income-certificate");
    let items = json!(["year", "total_income", "determined_tax", "filed_at"]);
    let (s, g) = app
        .send(
            Method::POST,
            "/exchange/v1/admin/grants",
            Some(&app.platform_admin()),
            Some(&json!({"client": client, "service": service,
                     "purpose": "petition.housing-benefit", "items": items})),
        )
        .await;
    assert_eq!(s, 201, "{g}");

    let (s, d) = Petition(&app).create(&me, &json!({"service": "housing-benefit", "form": {
            "national_id": NID, "income_year": 2026, "household_size": 2, "monthly_rent": "450000"
        }}))
    .await;
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_str().expect("id").to_owned();
    let fetch = format!("/petition/v1/applications/{id}/evidence/income");

    // Without consent: refused, nothing kept, and submission asks for the evidence.
    let (s, e) = app
        .send(
            Method::POST,
            &fetch,
            Some(&me),
            Some(&json!({"consent": "no-such-consent"})),
        )
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (409, Some("petition.evidence_refused")),
        "{e}"
    );
    let (_, view) = Petition(&app).application(&me, &id).await;
    assert_eq!(view["evidence"], json!([]));
    let (s, p) = Petition(&app).submit(&me, &id).await;
    assert_eq!(s, 422);
    assert!(p["errors"].to_string().contains("/evidence/income"), "{p}");

    // Someone else's national ID in the form cannot be used to fetch their records.
    let (s, _) = Petition(&app).edit_form(&me, &id, &json!({"form": {"national_id": OTHER_NID, "income_year": 2026, "household_size": 2, "monthly_rent": "450000"}}))
    .await;
    assert_eq!(s, 200);
    let (s, e) = app
        .send(
            Method::POST,
            &fetch,
            Some(&me),
            Some(&json!({"consent": "x"})),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let (s, _) = Petition(&app).edit_form(&me, &id, &json!({"form": {"national_id": NID, "income_year": 2026, "household_size": 2, "monthly_rent": "450000"}}))
    .await;
    assert_eq!(s, 200);

    // With the citizen's consent: fetched, and the case shows what, from whom and when.
    let (s, c) = app
        .send(
            Method::POST,
            "/exchange/v1/me/consents",
            Some(&me),
            Some(
                &json!({"client": client, "service": service, "purpose": "petition.housing-benefit",
                     "items": items, "days": 30}),
            ),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    let consent = c["id"].as_str().expect("id");
    let (s, e) = app
        .send(
            Method::POST,
            &fetch,
            Some(&me),
            Some(&json!({"consent": consent})),
        )
        .await;
    assert_eq!(s, 201, "{e}");
    assert_eq!(e["source"], "exchange");
    assert_eq!(e["provider"], service);
    assert_eq!(e["document"]["total_income"], 30000000, "{e}");
    assert!(e["message_id"].is_string() && e["log_seq"].is_number());
    let (s, sub) = Petition(&app).submit(&me, &id).await;
    assert_eq!(s, 200, "{sub}");
    assert_eq!(sub["case"]["evidence"][0]["consent"], consent);

    // Reading a case needs a purpose (it is recorded in the access log); without one, the
    // problem names the parameter.
    let (s, p) = app
        .send(
            Method::GET,
            &format!("/petition/v1/officer/cases/{id}"),
            Some(&app.officer(OFFICER, "JONGNO")),
            None,
        )
        .await;
    assert_eq!(s, 400, "{p}");
    assert_eq!(p["code"], "invalid_parameter");
    assert!(
        p["detail"]
            .as_str()
            .is_some_and(|d| d.contains("`purpose` is required") && d.contains("?purpose=")),
        "{p}"
    );

    // The officer sees the fetched evidence with the case.
    let (s, v) = app
        .send(
            Method::GET,
            &format!("/petition/v1/officer/cases/{id}?purpose=eligibility"),
            Some(&app.officer(OFFICER, "JONGNO")),
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["evidence"][0]["document"]["year"], 2026);

    // The citizen's "who used my data" view at the exchange shows the petition's request.
    let (s, used) = app
        .send(Method::GET, "/exchange/v1/me/data-use", Some(&me), None)
        .await;
    assert_eq!(s, 200, "{used}");
    assert!(used.to_string().contains("income-certificate"), "{used}");

    // What happened is counted in /metrics: the return filed, the application submitted, and
    // the exchange call on both sides (this process is the client and the provider).
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    for line in [
        r#"egov_domain_events_total{event="return_filed",module="tax"} 1"#.to_owned(),
        r#"egov_domain_events_total{event="application_submitted",module="petition"} 1"#.to_owned(),
        format!(r#"egov_exchange_calls_total{{outcome="ok",service="{service}",side="client"}} 1"#),
        format!(
            r#"egov_exchange_calls_total{{outcome="ok",service="{service}",side="provider"}} 1"#
        ),
    ] {
        assert!(metrics.contains(&line), "{line} in {metrics}");
    }
}

#[tokio::test]
async fn other_citizens_and_other_agencies_get_nothing_from_any_case_route() {
    let app = app().await;
    let me = app.citizen(NID);
    let id = new_copy_application(&app, &me).await;
    let (s, _) = app
        .send(
            Method::PUT,
            &format!("/petition/v1/applications/{id}/form"),
            Some(&me),
            Some(
                &json!({"form": {"purpose": "bank", "national_id": NID, "include_history": "no"}}),
            ),
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) = Petition(&app).submit(&me, &id).await;
    assert_eq!(s, 200);

    let other = app.citizen(OTHER_NID);
    let body = json!({"reason": "not mine but trying", "note": "trying", "score": 5,
                      "form": {}, "consent": "x"});
    let applicant_routes: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/petition/v1/applications/{id}"), None),
        (
            Method::PUT,
            format!("/petition/v1/applications/{id}/form"),
            Some(json!({"form": {}})),
        ),
        (
            Method::POST,
            format!("/petition/v1/applications/{id}/submit"),
            None,
        ),
        (
            Method::POST,
            format!("/petition/v1/applications/{id}/withdraw"),
            Some(json!({"reason": "not mine but trying"})),
        ),
        (
            Method::POST,
            format!("/petition/v1/applications/{id}/supplement"),
            Some(json!({"note": "trying to supplement"})),
        ),
        (
            Method::POST,
            format!("/petition/v1/applications/{id}/rating"),
            Some(json!({"score": 5})),
        ),
        (
            Method::POST,
            format!("/petition/v1/applications/{id}/reopen"),
            Some(json!({"reason": "not mine but trying"})),
        ),
        (
            Method::GET,
            format!("/petition/v1/applications/{id}/documents"),
            None,
        ),
        (
            Method::POST,
            format!("/petition/v1/applications/{id}/evidence/income"),
            Some(json!({"consent": "x"})),
        ),
    ];
    let _ = body;
    for (m, path, b) in &applicant_routes {
        let (s, r) = app.send(m.clone(), path, Some(&other), b.as_ref()).await;
        assert_eq!(s, 404, "{m} {path}: {r}");
        assert!(
            !r.to_string().contains(NID) && !r.to_string().contains("JONGNO-"),
            "{r}"
        );
    }
    let (s, _) = Petition(&app)
        .upload(&other, &id, "filename=a.pdf", PDF, "application/pdf")
        .await;
    assert_eq!(s, 404);
    let (_, mine) = app
        .send(Method::GET, "/petition/v1/applications", Some(&other), None)
        .await;
    assert_eq!(mine, json!([]));

    // An officer of another agency: not found; without the role: forbidden.
    let stranger = app.officer(OFFICER, "GANGNAM");
    for (m, path, b) in [
        (
            Method::GET,
            format!("/petition/v1/officer/cases/{id}?purpose=curious"),
            None,
        ),
        (
            Method::POST,
            format!("/petition/v1/officer/cases/{id}/actions"),
            Some(json!({"action": "receive"})),
        ),
        (
            Method::GET,
            format!("/petition/v1/officer/cases/{id}/attachments/{id}?purpose=curious"),
            None,
        ),
    ] {
        let (s, r) = app
            .send(m.clone(), &path, Some(&stranger), b.as_ref())
            .await;
        assert_eq!(s, 404, "{m} {path}: {r}");
    }
    let (_, list) = app
        .send(
            Method::GET,
            "/petition/v1/officer/cases",
            Some(&stranger),
            None,
        )
        .await;
    assert_eq!(list["items"], json!([]));
    let no_role = app.officer(&[], "JONGNO");
    let (s, _) = app
        .send(
            Method::GET,
            &format!("/petition/v1/officer/cases/{id}?purpose=x%20y%20z"),
            Some(&no_role),
            None,
        )
        .await;
    assert_eq!(s, 403);
    // A citizen on an officer route: forbidden; nobody: unauthenticated.
    let (s, _) = app
        .send(Method::GET, "/petition/v1/officer/cases", Some(&me), None)
        .await;
    assert_eq!(s, 403);
    let (s, _) = app
        .send(
            Method::GET,
            &format!("/petition/v1/applications/{id}"),
            None,
            None,
        )
        .await;
    assert_eq!(s, 401);
    // The case was not touched by any of it.
    let (_, v) = Petition(&app).application(&me, &id).await;
    assert_eq!(
        (v["status"].as_str(), v["version"].as_i64()),
        (Some("submitted"), Some(3))
    );
}

#[tokio::test]
async fn open311_requests_reach_the_work_list_and_show_their_status() {
    let app = app().await;
    let me = app.citizen(NID);
    let (s, services) = app
        .send(
            Method::GET,
            "/petition/open311/v2/services.json",
            None,
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert!(services.to_string().contains("road-complaint"));
    let (s, def) = app
        .send(
            Method::GET,
            "/petition/open311/v2/services/road-complaint.json",
            None,
            None,
        )
        .await;
    assert_eq!(s, 200, "{def}");
    assert!(def["attributes"].to_string().contains("singlevaluelist"));

    let form = "service_code=road-complaint&lat=37.5735&long=126.9790\
                &description=Deep+pothole+in+front+of+the+station\
                &attribute[problem]=pothole&attribute[region]=seoul-jongno";
    let post = |body: &'static str, token: Option<String>| {
        let mut r = app
            .client
            .post(app.url("/petition/open311/v2/requests.json"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };
    // Without a token: refused.
    assert_eq!(post(form, None).await.expect("post").status(), 401);
    let res = post(form, Some(me.clone())).await.expect("post");
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.expect("json");
    let rid = created[0]["service_request_id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert!(
        rid.starts_with("JONGNO-"),
        "routed by category x region: {rid}"
    );
    // A bad attribute: refused.
    let res = post("service_code=road-complaint&lat=1&long=1&attribute[problem]=earthquake&attribute[region]=busan&description=x", Some(me.clone()))
        .await
        .expect("post");
    assert_eq!(res.status(), 422);

    // It is on the Jongno officers' work list.
    let off = app.officer(OFFICER, "JONGNO");
    let (s, list) = app
        .send(
            Method::GET,
            "/petition/v1/officer/cases?service=road-complaint",
            Some(&off),
            None,
        )
        .await;
    assert_eq!(s, 200);
    let item = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["receipt_no"] == rid.as_str())
        .expect("on the work list")
        .clone();
    let id = item["id"].as_str().expect("id").to_owned();

    // Open311 shows it open; the public does not see the text, the applicant does.
    let one = format!("/petition/open311/v2/requests/{rid}.json");
    let (s, r) = app.send(Method::GET, &one, None, None).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r[0]["status"], "open");
    assert!(r[0]["description"].is_null());
    assert_eq!(r[0]["agency_responsible"], "JONGNO");
    let (_, r) = app.send(Method::GET, &one, Some(&me), None).await;
    assert_eq!(r[0]["description"], "Deep pothole in front of the station");

    // The officer works it and closes it: Open311 says closed, with the detailed status.
    for body in [
        json!({"action": "receive"}),
        json!({"action": "review"}),
        json!({"action": "decide", "decision": "approved", "reason": "Pothole repaired on site"}),
        json!({"action": "close"}),
    ] {
        let (s, r) = Petition(&app).act(&off, &id, body).await;
        assert_eq!(s, 200, "{r}");
    }
    let (_, r) = app.send(Method::GET, &one, None, None).await;
    assert_eq!(r[0]["status"], "closed");
    assert_eq!(r[0]["extended_attributes"]["detailed_status"], "fixed");
    assert_eq!(r[0]["status_notes"], "Pothole repaired on site");
    let (s, all) = app
        .send(
            Method::GET,
            "/petition/open311/v2/requests.json?status=closed&service_code=road-complaint",
            None,
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert!(all.to_string().contains(&rid));
    let (_, open) = app
        .send(
            Method::GET,
            "/petition/open311/v2/requests.json?status=open",
            None,
            None,
        )
        .await;
    assert!(!open.to_string().contains(&rid));
    let (s, _) = app
        .send(
            Method::GET,
            "/petition/open311/v2/requests.json?status=maybe",
            None,
            None,
        )
        .await;
    assert_eq!(s, 422);
}

#[tokio::test]
async fn open311_speaks_xml_and_takes_what_georeport_clients_send() {
    let app = app().await;
    let me = app.citizen(NID);
    let get = |path: String, token: Option<String>| {
        let mut r = app.client.get(app.url(&path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        async move {
            let res = r.send().await.expect("get");
            let status = res.status().as_u16();
            let ct = res
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            (status, ct, res.text().await.expect("body"))
        }
    };
    // Every resource in XML as well as JSON; any other extension is no such resource.
    let (s, ct, xml) = get("/petition/open311/v2/services.xml".into(), None).await;
    assert_eq!((s, ct.as_str()), (200, "text/xml; charset=utf-8"), "{xml}");
    assert!(
        xml.starts_with(r#"<?xml version="1.0" encoding="utf-8"?><services><service>"#),
        "{xml}"
    );
    assert!(
        xml.contains("<service_code>road-complaint</service_code>"),
        "{xml}"
    );
    let (s, _, xml) = get(
        "/petition/open311/v2/services/road-complaint.xml".into(),
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert!(
        xml.contains("<service_definition><attributes><attribute>"),
        "{xml}"
    );
    assert!(
        xml.contains("<datatype>singlevaluelist</datatype>"),
        "{xml}"
    );
    let (s, _, xml) = get("/petition/open311/v2/discovery.xml".into(), None).await;
    assert_eq!(s, 200);
    assert!(
        xml.contains(
            "<formats><format>text/xml</format><format>application/json</format></formats>"
        ),
        "{xml}"
    );
    let (s, ct, _) = get("/petition/open311/v2/services.yaml".into(), None).await;
    assert_eq!((s, ct.as_str()), (404, "application/problem+json"));

    let post = |path: &'static str, body: String, token: Option<String>| {
        let mut r = app
            .client
            .post(app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };
    let cases = async || {
        let (s, mine) = app
            .send(Method::GET, "/petition/v1/applications", Some(&me), None)
            .await;
        assert_eq!(s, 200, "{mine}");
        mine.as_array().expect("list").len()
    };
    let before = cases().await;
    let good = "service_code=road-complaint&api_key=client-key-123&address_id=KR-ADDR-1111010100100010000\
                &media_url=https%3A%2F%2Fphotos.example.org%2Fpothole.jpg&description=Pothole\
                &attribute[problem]=pothole&attribute[region]=seoul-jongno";
    // The api_key every client sends is accepted beside a bearer token, never instead of one.
    let res = post("/petition/open311/v2/requests.xml", good.into(), None)
        .await
        .expect("post");
    assert_eq!(res.status(), 401);
    // Missing service_code: 400, as the specification says; a bad media_url or address_id: 422.
    for (body, status, pointer) in [
        (
            good.replace("service_code=road-complaint&", ""),
            400,
            "service_code",
        ),
        (
            good.replace("address_id=KR-ADDR-1111010100100010000", "x=1")
                .replace("&x=1", ""),
            400,
            "lat",
        ),
        (
            good.replace("https%3A%2F%2Fphotos", "ftp%3A%2F%2Fphotos"),
            422,
            "media_url",
        ),
        (
            good.replace(
                "media_url=https%3A%2F%2Fphotos.example.org%2Fpothole.jpg",
                "media_url=pothole.jpg",
            ),
            422,
            "media_url",
        ),
        (
            good.replace("KR-ADDR-1111010100100010000", "a%01b"),
            422,
            "address_id",
        ),
    ] {
        let res = post(
            "/petition/open311/v2/requests.json",
            body.clone(),
            Some(me.clone()),
        )
        .await
        .expect("post");
        assert_eq!(res.status(), status, "{body}");
        let problem: Value = res.json().await.expect("problem");
        assert_eq!(problem["errors"][0]["pointer"], pointer, "{problem}");
    }
    assert_eq!(cases().await, before, "nothing refused was stored");
    let res = post(
        "/petition/open311/v2/requests.xml",
        good.into(),
        Some(me.clone()),
    )
    .await
    .expect("post");
    assert_eq!(res.status(), 201);
    let xml = res.text().await.expect("body");
    assert!(
        xml.contains("<service_requests><request>") && xml.contains("<service_request_id>JONGNO-"),
        "{xml}"
    );
    let rid = xml
        .split("<service_request_id>")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .expect("id")
        .to_owned();
    assert_eq!(cases().await, before + 1);

    // The applicant sees the address id and the picture's URL; the public does not.
    let (s, _, xml) = get(
        format!("/petition/open311/v2/requests/{rid}.xml"),
        Some(me.clone()),
    )
    .await;
    assert_eq!(s, 200);
    assert!(
        xml.contains("<address_id>KR-ADDR-1111010100100010000</address_id>"),
        "{xml}"
    );
    assert!(
        xml.contains("<media_url>https://photos.example.org/pothole.jpg</media_url>"),
        "{xml}"
    );
    let (_, public) = app
        .send(
            Method::GET,
            &format!("/petition/open311/v2/requests/{rid}.json"),
            None,
            None,
        )
        .await;
    assert!(
        public[0]["media_url"].is_null() && public[0]["address_id"].is_null(),
        "{public}"
    );

    // status as a comma list; api_key and jurisdiction_id in a query are accepted.
    let (s, both) = app
        .send(
            Method::GET,
            "/petition/open311/v2/requests.json?status=open,closed&api_key=k&jurisdiction_id=kr",
            None,
            None,
        )
        .await;
    assert_eq!(s, 200, "{both}");
    assert!(both.to_string().contains(&rid));
    let (s, _, xml) = get(
        "/petition/open311/v2/requests.xml?status=closed".into(),
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert!(!xml.contains(&rid), "{xml}");
    let (s, _) = app
        .send(
            Method::GET,
            "/petition/open311/v2/requests.json?status=open,maybe",
            None,
            None,
        )
        .await;
    assert_eq!(s, 422);
}

#[tokio::test]
async fn malformed_forms_and_bad_attachments_are_refused_and_nothing_is_stored() {
    let app = app().await;
    let me = app.citizen(NID);
    for (form, pointer) in [
        (json!({"purpose": "fishing"}), "/form/purpose"),
        (json!({"national_id": "12345"}), "/form/national_id"),
        (json!({"unknown": 1}), "/form/unknown"),
        (json!({"purpose": 7}), "/form/purpose"),
    ] {
        let (s, p) = Petition(&app)
            .create(
                &me,
                &json!({"service": "resident-registration-copy", "form": form}),
            )
            .await;
        assert_eq!(s, 422, "{p}");
        assert!(p["errors"].to_string().contains(pointer), "{pointer}: {p}");
    }
    let (s, _) = Petition(&app)
        .create(&me, &json!({"service": "no-such"}))
        .await;
    assert_eq!(s, 404);
    let (_, mine) = app
        .send(Method::GET, "/petition/v1/applications", Some(&me), None)
        .await;
    assert_eq!(mine, json!([]), "no refused draft was stored");

    // A service that takes no attachments refuses one.
    let copy = new_copy_application(&app, &me).await;
    let (s, r) = Petition(&app)
        .upload(&me, &copy, "filename=a.pdf", PDF, "application/pdf")
        .await;
    assert_eq!(s, 422, "{r}");

    // Business registration takes a lease contract upload.
    let (s, d) = app.send(Method::POST,
        "/petition/v1/applications",
        Some(&me),
        Some(
            &json!({"service": "business-registration", "form": {"business_name": "Hangang Books",
            "start_date": "2026-13-01"}}),
        ),
    )
    .await;
    assert_eq!(s, 422, "{d}");
    let (s, d) = Petition(&app).create(&me, &json!({"service": "business-registration", "form": {"business_name": "Hangang Books"}}))
    .await;
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_str().expect("id").to_owned();
    let too_big = [PDF, &vec![b' '; 5000]].concat();
    let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00 program";
    for (query, bytes, want) in [
        ("filename=lease.pdf&evidence=lease", too_big.as_slice(), 413),
        ("filename=lease.pdf&evidence=lease", exe.as_slice(), 415),
        (
            "filename=lease.pdf&evidence=lease",
            b"plain text, not a PDF".as_slice(),
            415,
        ),
        ("filename=..%2F..%2Fetc%2Fpasswd&evidence=lease", PDF, 422),
        ("filename=lease.pdf&evidence=nope", PDF, 422),
    ] {
        let (s, r) = Petition(&app)
            .upload(&me, &id, query, bytes, "application/pdf")
            .await;
        assert_eq!(s, want, "{query}: {r}");
    }
    let (_, v) = Petition(&app).application(&me, &id).await;
    assert_eq!(
        (v["attachments"].clone(), v["evidence"].clone()),
        (json!([]), json!([]))
    );
    let own: egov_petition::PetitionSettings =
        app.state.settings.section("petition").expect("[petition]");
    let blobs = own.blob_dir.join("petition");
    assert!(
        !blobs.exists() || std::fs::read_dir(&blobs).expect("dir").next().is_none(),
        "no blob written"
    );

    // A real PDF, labelled as anything: accepted, typed by content, with its checksum.
    let (s, a) = Petition(&app)
        .upload(
            &me,
            &id,
            "filename=lease.pdf&evidence=lease",
            PDF,
            "text/plain",
        )
        .await;
    assert_eq!(s, 201, "{a}");
    assert_eq!(a["content_type"], "application/pdf");
    assert_eq!(a["sha256"].as_str().map(str::len), Some(64));
    let (_, v) = Petition(&app).application(&me, &id).await;
    assert_eq!(v["evidence"][0]["source"], "upload");
    // The officer downloads the same bytes (after submission).
    let (s, _) = app
        .send(
            Method::PUT,
            &format!("/petition/v1/applications/{id}/form"),
            Some(&me),
            Some(
                &json!({"form": {"business_name": "Hangang Books", "representative_id": NID,
            "business_type": "retail", "start_date": "2026-12-01",
            "workplace": {"line1": "1 Jongno", "city": "Seoul"}}}),
            ),
        )
        .await;
    assert_eq!(s, 200);
    let (s, sub) = Petition(&app).submit(&me, &id).await;
    assert_eq!(s, 200, "{sub}");
    let att = a["id"].as_str().expect("att");
    let res = app
        .client
        .get(app.url(&format!(
            "/petition/v1/officer/cases/{id}/attachments/{att}?purpose=registration%20check"
        )))
        .bearer_auth(app.officer(OFFICER, "NTS"))
        .send()
        .await
        .expect("download");
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.expect("bytes").as_ref(), PDF);
}

#[tokio::test]
async fn complaints_route_suggest_duplicates_merge_transfer_extend_rate_and_reopen() {
    let app = app().await;
    let me = app.citizen(NID);
    let other = app.citizen(OTHER_NID);
    let complaint = |token: String, lat: f64| {
        let app = &app;
        async move {
            let (s, d) = Petition(app).create(&token, &json!({"service": "road-complaint",
                    "form": {"problem": "streetlight", "region": "seoul-gangnam", "description": "Street light out"},
                    "location": {"lat": lat, "long": 127.0276}}))
            .await;
            assert_eq!(s, 201, "{d}");
            let id = d["id"].as_str().expect("id").to_owned();
            let (s, sub) = Petition(app).submit(&token, &id).await;
            assert_eq!(s, 200, "{sub}");
            (id, sub)
        }
    };
    let (first, sub) = complaint(me.clone(), 37.4979).await;
    assert_eq!(sub["case"]["agency"], "GANGNAM");
    assert_eq!(sub["similar"], json!([]));
    // A second report 20 m away: the first is suggested (without its content).
    let (second, sub2) = complaint(other.clone(), 37.49808).await;
    assert_eq!(
        sub2["similar"][0]["receipt_no"], sub["case"]["receipt_no"],
        "{sub2}"
    );
    assert!(!sub2["similar"].to_string().contains("Street light"));
    let y = chrono::Utc::now().format("%Y").to_string();
    assert_eq!(
        sub2["case"]["receipt_no"],
        format!("GANGNAM-{y}-0000002"),
        "gapless per agency"
    );

    let off = app.officer(OFFICER, "GANGNAM");
    // The officers see the suggestion on the case (with the id to open it), in both directions.
    let (s, v) = Petition(&app)
        .officer_case(&off, &second, "checking a possible duplicate")
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["suggested_duplicates"][0]["id"], first.as_str(), "{v}");
    assert_eq!(
        v["suggested_duplicates"][0]["receipt_no"],
        sub["case"]["receipt_no"]
    );
    assert_eq!(v["suggested_duplicates"][0]["distance_m"], 20);
    let (_, v) = Petition(&app)
        .officer_case(&off, &first, "checking a possible duplicate")
        .await;
    assert_eq!(v["suggested_duplicates"][0]["id"], second.as_str(), "{v}");
    // Merge the duplicate into the first: two-way link; the duplicate is closed for Open311.
    let (s, m) = Petition(&app).act(&off, &second, json!({"action": "merge", "into": sub["case"]["receipt_no"], "reason": "Same street light"})).await;
    assert_eq!(s, 200, "{m}");
    assert_eq!(
        (m["status"].as_str(), m["open311_status"].as_str()),
        (Some("merged"), Some("closed"))
    );
    assert_eq!(m["merged_into"], sub["case"]["receipt_no"]);
    let (_, f) = app
        .send(
            Method::GET,
            &format!("/petition/v1/officer/cases/{first}?purpose=merge%20check"),
            Some(&off),
            None,
        )
        .await;
    assert_eq!(f["merged_from"][0], sub2["case"]["receipt_no"]);
    // Nothing more happens to a merged case.
    let (s, _) = Petition(&app)
        .act(&off, &second, json!({"action": "receive"}))
        .await;
    assert_eq!(s, 409);

    // Extension with a reason moves the due date and notifies the applicant.
    let (_, r) = Petition(&app)
        .act(&off, &first, json!({"action": "receive"}))
        .await;
    let before = r["due_at"].as_str().expect("due").to_owned();
    let (s, r) = Petition(&app)
        .act(
            &off,
            &first,
            json!({"action": "extend", "working_days": 3, "reason": "Parts must be ordered"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert!(r["due_at"].as_str().expect("due") > before.as_str());
    let (s, _) = Petition(&app)
        .act(&off, &first, json!({"action": "extend", "working_days": 3}))
        .await;
    assert_eq!(s, 422, "an extension needs a reason");
    // The kr pack allows one extension per case: a second one is refused and changes nothing.
    let (s, r) = Petition(&app)
        .act(
            &off,
            &first,
            json!({"action": "extend", "working_days": 2, "reason": "Still waiting for parts"}),
        )
        .await;
    assert_eq!(s, 409, "{r}");
    assert_eq!(r["code"], "petition.extension_limit", "{r}");
    let (_, v) = Petition(&app)
        .officer_case(&off, &first, "checking the due date")
        .await;
    assert_eq!(
        v["events"]
            .as_array()
            .expect("events")
            .iter()
            .filter(|e| e["action"] == "extend")
            .count(),
        1
    );
    assert!(
        notifications(&app, &app.person_key(NID))
            .await
            .iter()
            .any(|t| t == "petition.extend")
    );

    // Transfer to another agency with the reason: the Gangnam list loses it, Busan gains it.
    let (s, _) = Petition(&app)
        .act(
            &off,
            &first,
            json!({"action": "transfer", "agency": "NOWHERE", "reason": "Not our street"}),
        )
        .await;
    assert_eq!(s, 422);
    let (s, t) = Petition(&app)
        .act(
            &off,
            &first,
            json!({"action": "transfer", "agency": "BUSAN", "reason": "The street is in Busan"}),
        )
        .await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(
        (t["agency"].as_str(), t["status"].as_str()),
        (Some("BUSAN"), Some("submitted"))
    );
    let (s, _) = Petition(&app)
        .act(&off, &first, json!({"action": "receive"}))
        .await;
    assert_eq!(s, 404, "no longer Gangnam's");
    let busan = app.officer(OFFICER, "BUSAN");
    // Only an official of the agency with the officer role can be assigned: not a made-up id,
    // nor an official of another agency.
    let handler = app
        .official("kang.haneul", "Kang Haneul", "BUSAN", OFFICER, None)
        .await;
    let elsewhere = app
        .official("oh.jimin", "Oh Jimin", "GANGNAM", OFFICER, None)
        .await;
    for nobody in ["officer-7", elsewhere.as_str()] {
        let (s, r) = Petition(&app)
            .act(
                &busan,
                &first,
                json!({"action": "assign", "assignee": nobody}),
            )
            .await;
        assert_eq!(s, 422, "{r}");
        assert_eq!(r["errors"][0]["pointer"], "/assignee", "{r}");
    }
    for body in [
        json!({"action": "receive"}),
        json!({"action": "assign", "assignee": handler}),
        json!({"action": "review"}),
        json!({"action": "decide", "decision": "rejected", "reason": "The light works on inspection", "remedies": "Appeal to the ACRC within 90 days"}),
        json!({"action": "close"}),
    ] {
        let (s, r) = Petition(&app).act(&busan, &first, body).await;
        assert_eq!(s, 200, "{r}");
    }
    let (_, list) = app
        .send(
            Method::GET,
            &format!("/petition/v1/officer/cases?assignee={handler}"),
            Some(&busan),
            None,
        )
        .await;
    assert_eq!(
        list["items"],
        json!([]),
        "closed cases leave the open work list"
    );

    // Rating once; reopening within the window restarts the review.
    let rating = format!("/petition/v1/applications/{first}/rating");
    let (s, _) = app
        .send(Method::POST, &rating, Some(&me), Some(&json!({"score": 9})))
        .await;
    assert_eq!(s, 422);
    let (s, r) = app
        .send(
            Method::POST,
            &rating,
            Some(&me),
            Some(&json!({"score": 2, "comment": "Still dark"})),
        )
        .await;
    assert_eq!((s, r["rating"].as_i64()), (200, Some(2)), "{r}");
    let (s, _) = app
        .send(Method::POST, &rating, Some(&me), Some(&json!({"score": 3})))
        .await;
    assert_eq!(s, 409);
    let (s, r) = app
        .send(
            Method::POST,
            &format!("/petition/v1/applications/{first}/reopen"),
            Some(&me),
            Some(&json!({"reason": "The light is still out"})),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        (r["status"].as_str(), r["decision"].is_null()),
        (Some("in_review"), true)
    );
    // The new round starts clean, but the history keeps what was decided and how it was rated.
    let reopened = r["events"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["action"] == "reopen")
        .expect("the reopen event");
    assert_eq!(reopened["detail"]["earlier_rating"], 2, "{reopened}");
    assert_eq!(reopened["detail"]["earlier_rating_comment"], "Still dark");
    assert!(
        reopened["detail"]["earlier_decision"].is_string(),
        "{reopened}"
    );
    let (_, list) = app
        .send(
            Method::GET,
            "/petition/v1/officer/cases?status=in_review",
            Some(&busan),
            None,
        )
        .await;
    assert_eq!(list["items"][0]["id"], first.as_str());
    // A statutory case cannot be reopened.
    let (s, _) = app
        .send(
            Method::POST,
            &format!("/petition/v1/applications/{second}/reopen"),
            Some(&other),
            Some(&json!({"reason": "The light is still out"})),
        )
        .await;
    assert_eq!(s, 409);
}

#[tokio::test]
async fn work_list_pages_by_due_date_with_a_keyset_cursor() {
    let app = app().await;
    let me = app.citizen(NID);
    for _ in 0..5 {
        let (s, d) = Petition(&app).create(&me, &json!({"service": "policy-proposal", "form": {"title": "Longer library hours", "description": "Open libraries until 22:00"}}))
        .await;
        assert_eq!(s, 201);
        let id = d["id"].as_str().expect("id");
        let (s, _) = Petition(&app).submit(&me, id).await;
        assert_eq!(s, 200);
    }
    let off = app.officer(OFFICER, "MOIS");
    let mut seen = Vec::new();
    let mut path = "/petition/v1/officer/cases?limit=2".to_owned();
    loop {
        let (s, page) = app.send(Method::GET, &path, Some(&off), None).await;
        assert_eq!(s, 200, "{page}");
        for i in page["items"].as_array().expect("items") {
            seen.push((
                i["due_at"].as_str().unwrap_or_default().to_owned(),
                i["id"].as_str().unwrap_or_default().to_owned(),
            ));
        }
        match page["next"].as_str() {
            Some(n) => path = format!("/petition/v1/officer/cases?limit=2&after={n}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
    let (s, _) = app
        .send(
            Method::GET,
            "/petition/v1/officer/cases?after=garbage",
            Some(&off),
            None,
        )
        .await;
    assert_eq!(s, 422);
    let (s, _) = app
        .send(
            Method::GET,
            "/petition/v1/officer/cases?limit=100000",
            Some(&off),
            None,
        )
        .await;
    assert_eq!(s, 422);
}

#[tokio::test]
async fn the_paraguay_pack_serves_its_own_catalogue() {
    let app = spawn_app_with(Spawn {
        modules: &["auth", "exchange", "tax", "petition"],
        settings: &[("EGOV__COUNTRY__CODE", "py")],
    })
    .await;
    let (s, list) = app
        .send(Method::GET, "/petition/v1/services", None, None)
        .await;
    assert_eq!(s, 200);
    assert!(list.as_array().is_some_and(|a| a.len() >= 3));
    assert_eq!(list[0]["currency"], "PYG");
    let me = app.citizen("4567123");
    let res = app
        .client
        .post(app.url("/petition/open311/v2/requests.json"))
        .bearer_auth(&me)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("service_code=reclamo-via-publica&address_string=Ruta+2+km+20&attribute[problem]=bache&attribute[region]=ruta-nacional&description=Bache+grande")
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 201);
    let v: Value = res.json().await.expect("json");
    assert!(
        v[0]["service_request_id"]
            .as_str()
            .is_some_and(|r| r.starts_with("MOPC-")),
        "{v}"
    );
    let _ = app.business(BID);
    let _ = BRN;
}

#[tokio::test]
async fn a_case_open_past_the_packs_threshold_gets_one_progress_notice() {
    let app = app().await;
    let me = app.citizen(NID);
    let (s, d) = Petition(&app).create(&me, &json!({"service": "policy-proposal", "form": {"title": "Night buses", "description": "Run night buses on line 7"}}))
    .await;
    assert_eq!(s, 201);
    let id = d["id"].as_str().expect("id").to_owned();
    let (s, _) = Petition(&app).submit(&me, &id).await;
    assert_eq!(s, 200);
    let packs = std::sync::Arc::new(
        egov_core::CountryPacks::load(&app.state.settings.country.packs_dir, "kr").expect("packs"),
    );
    let settings = std::sync::Arc::new(app.state.settings.clone());
    let p = egov_petition::Petition::start(
        &settings,
        &app.state.db,
        &packs,
        &app.state.clock,
        std::sync::Arc::new(egov_core::outbox::LogNotifier),
        egov_core::metrics::Events::unregistered(),
    )
    .expect("petition");
    // Not yet 30 days: nothing.
    egov_petition::service::progress_notices(&p)
        .await
        .expect("pass");
    let key = app.person_key(NID);
    assert!(
        !notifications(&app, &key)
            .await
            .iter()
            .any(|t| t == "petition.progress")
    );
    // 31 days later (the case's submission moved back), one notice, however many passes.
    let i = id.clone();
    app.state
        .db
        .run(move |c| {
            use diesel::prelude::*;
            use egov_petition::store::petition_cases::dsl as pc;
            diesel::update(pc::petition_cases.find(&i))
                .set(pc::submitted_at.eq(Some(
                    chrono::Utc::now().naive_utc() - chrono::Duration::days(31),
                )))
                .execute(c)?;
            Ok(())
        })
        .await
        .expect("backdate");
    for _ in 0..2 {
        egov_petition::service::progress_notices(&p)
            .await
            .expect("pass");
    }
    let sent = notifications(&app, &key).await;
    assert_eq!(
        sent.iter().filter(|t| *t == "petition.progress").count(),
        1,
        "{sent:?}"
    );
}

#[tokio::test]
async fn finding_10_the_documented_10_mib_attachment_can_be_uploaded() {
    // The shipped limits: petition.attachment_max_bytes = 10 MiB, and the route's own body
    // limit in server.body_limits (the global one is 1 MiB).
    let app = spawn_app_with(Spawn {
        modules: &["auth", "exchange", "tax", "petition"],
        settings: &[],
    })
    .await;
    let me = app.citizen(NID);
    let (s, d) = Petition(&app).create(&me, &json!({"service": "business-registration", "form": {"business_name": "Hangang Books"}}))
    .await;
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_str().expect("id").to_owned();
    let big = [PDF, &vec![b' '; 10 * 1024 * 1024 - PDF.len()]].concat();
    let (s, r) = Petition(&app)
        .upload(
            &me,
            &id,
            "filename=lease.pdf&evidence=lease",
            &big,
            "application/pdf",
        )
        .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["size"], 10 * 1024 * 1024);
    // Over the limit: 413 before the body is read, with or without a declared length.
    let over = [big.as_slice(), b"x".repeat(2048).as_slice()].concat();
    let (s, r) = Petition(&app)
        .upload(
            &me,
            &id,
            "filename=lease.pdf&evidence=lease",
            &over,
            "application/pdf",
        )
        .await;
    assert_eq!(
        (s, r["code"].as_str()),
        (413, Some("payload_too_large")),
        "{r}"
    );
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        over.chunks(64 * 1024).map(|c| Ok(c.to_vec())).collect();
    let res = app
        .client
        .post(app.url(&format!(
            "/petition/v1/applications/{id}/attachments?filename=b.pdf&evidence=lease"
        )))
        .bearer_auth(&me)
        .header("content-type", "application/pdf")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .expect("chunked upload");
    assert_eq!(res.status().as_u16(), 413);
    // Other routes keep the global limit.
    let res = app
        .client
        .post(app.url("/petition/v1/applications"))
        .bearer_auth(&me)
        .header("content-type", "application/json")
        .body(vec![b' '; 2 * 1024 * 1024])
        .send()
        .await
        .expect("large JSON");
    assert_eq!(res.status().as_u16(), 413);
}

#[tokio::test]
async fn finding_8_a_certificate_about_someone_else_needs_their_delegation() {
    let app = app().await;
    let (me, other) = (app.citizen(NID), app.citizen(OTHER_NID));
    let off = app.officer(OFFICER, "JONGNO");
    let apply = |about: &'static str| {
        let (app, me) = (&app, me.clone());
        async move {
            let (s, d) = Petition(app)
                .create(
                    &me,
                    &json!({"service": "resident-registration-copy",
                    "form": {"purpose": "bank", "national_id": about, "include_history": "no"}}),
                )
                .await;
            assert_eq!(s, 201, "{d}");
            let id = d["id"].as_str().expect("id").to_owned();
            let (s, r) = Petition(app).submit(&me, &id).await;
            (id, s, r)
        }
    };
    // Another person's national ID, without their delegation: refused at submission.
    let (_, s, r) = apply(OTHER_NID).await;
    assert_eq!(
        (s, r["code"].as_str()),
        (422, Some("petition.incomplete")),
        "{r}"
    );
    assert!(r["errors"].to_string().contains("/form/national_id"), "{r}");
    // The other person delegates this service to me, for a week; both of us see it.
    let (s, d) = app
        .send(
            Method::POST,
            "/petition/v1/me/delegations",
            Some(&other),
            Some(&json!({"your_national_id": OTHER_NID, "national_id": NID,
                     "service": "resident-registration-copy", "days": 7})),
        )
        .await;
    assert_eq!(s, 201, "{d}");
    assert_eq!(d["grantor"], "850505-*******");
    let (_, mine) = app
        .send(Method::GET, "/petition/v1/me/delegations", Some(&me), None)
        .await;
    assert_eq!(mine["received"][0]["active"], true, "{mine}");
    // Someone cannot delegate in another person's name.
    let (s, _) = app
        .send(
            Method::POST,
            "/petition/v1/me/delegations",
            Some(&me),
            Some(&json!({"your_national_id": OTHER_NID, "national_id": NID,
                     "service": "*", "days": 7})),
        )
        .await;
    assert_eq!(s, 422);
    // Now the application goes through and the document is issued; the person it is about
    // finds the issuance in their access log.
    let (id, s, r) = apply(OTHER_NID).await;
    assert_eq!(s, 200, "{r}");
    for a in [
        json!({"action": "receive"}),
        json!({"action": "review"}),
        json!({"action": "decide", "decision": "approved", "reason": "Delegated copy"}),
    ] {
        let (s, r) = Petition(&app).act(&off, &id, a).await;
        assert_eq!(s, 200, "{r}");
    }
    let (s, r) = Petition(&app)
        .act(&off, &id, json!({"action": "issue"}))
        .await;
    assert_eq!(s, 200, "{r}");
    assert!(
        app.logged_about(OTHER_NID)
            .await
            .iter()
            .any(|p| p.contains("issued to someone you delegated")),
        "not on the subject's access log"
    );
    // A second one, then the delegation is withdrawn before issuance: not issued.
    let (id2, s, r) = apply(OTHER_NID).await;
    assert_eq!(s, 200, "{r}");
    let did = d["id"].as_str().expect("id");
    let (s, _) = app
        .send(
            Method::POST,
            &format!("/petition/v1/me/delegations/{did}/withdraw"),
            Some(&other),
            None,
        )
        .await;
    assert_eq!(s, 204);
    for a in [
        json!({"action": "receive"}),
        json!({"action": "review"}),
        json!({"action": "decide", "decision": "approved", "reason": "Delegated copy"}),
    ] {
        Petition(&app).act(&off, &id2, a).await;
    }
    let (s, r) = Petition(&app)
        .act(&off, &id2, json!({"action": "issue"}))
        .await;
    assert_eq!(
        (s, r["code"].as_str()),
        (409, Some("petition.not_delegated")),
        "{r}"
    );
    // My own copy is issued to me, and on my own log.
    let (own, s, r) = apply(NID).await;
    assert_eq!(s, 200, "{r}");
    for a in [
        json!({"action": "receive"}),
        json!({"action": "review"}),
        json!({"action": "decide", "decision": "approved", "reason": "Own copy"}),
        json!({"action": "issue"}),
    ] {
        let (s, r) = Petition(&app).act(&off, &own, a).await;
        assert_eq!(s, 200, "{r}");
    }
    assert!(
        app.logged_about(NID)
            .await
            .iter()
            .any(|p| p.contains("issued to you"))
    );
}

#[tokio::test]
async fn an_overdue_case_climbs_the_escalation_ladder_and_its_officials_are_told() {
    let app = app().await;
    let me = app.citizen(NID);
    let (s, d) = Petition(&app)
        .create(
            &me,
            &json!({"service": "road-complaint",
                "form": {"problem": "pothole", "region": "seoul-gangnam", "description": "A deep hole"}}),
        )
        .await;
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_str().expect("id").to_owned();
    let (s, _) = Petition(&app).submit(&me, &id).await;
    assert_eq!(s, 200);
    let supervisor = app
        .official(
            "seo.supervisor",
            "Seo Supervisor",
            "GANGNAM",
            &["petition.officer", "petition.supervisor"],
            None,
        )
        .await;
    let head = app
        .official(
            "gang.head",
            "Gang Head",
            "GANGNAM",
            &["petition.head"],
            None,
        )
        .await;
    let elsewhere = app
        .official(
            "bu.supervisor",
            "Bu Supervisor",
            "BUSAN",
            &["petition.supervisor"],
            None,
        )
        .await;
    let packs = std::sync::Arc::new(
        egov_core::CountryPacks::load(&app.state.settings.country.packs_dir, "kr").expect("packs"),
    );
    let settings = std::sync::Arc::new(app.state.settings.clone());
    let p = egov_petition::Petition::start(
        &settings,
        &app.state.db,
        &packs,
        &app.state.clock,
        std::sync::Arc::new(egov_core::outbox::LogNotifier),
        egov_core::metrics::Events::unregistered(),
    )
    .expect("petition")
    .with_directory(app.state.auth_service.clone());
    // Not overdue: nothing moves.
    assert_eq!(egov_petition::service::escalate(&p).await.expect("pass"), 0);
    let due_by = |hours: i64| {
        let i = id.clone();
        let app = &app;
        async move {
            app.state
                .db
                .run(move |c| {
                    use diesel::prelude::*;
                    use egov_petition::store::petition_cases::dsl as pc;
                    diesel::update(pc::petition_cases.find(&i))
                        .set(pc::due_at.eq(Some(
                            chrono::Utc::now().naive_utc() - chrono::Duration::hours(hours),
                        )))
                        .execute(c)?;
                    Ok(())
                })
                .await
                .expect("backdate");
        }
    };
    // Overdue by a minute: the supervisor's step (0 working hours in the kr pack), once.
    due_by(0).await;
    app.state.clock.advance(chrono::Duration::minutes(1));
    assert_eq!(egov_petition::service::escalate(&p).await.expect("pass"), 1);
    assert_eq!(egov_petition::service::escalate(&p).await.expect("pass"), 0);
    let told = |who: String| {
        let app = &app;
        async move { notifications(app, &format!("account:{who}")).await }
    };
    assert_eq!(told(supervisor.clone()).await, ["petition.escalated"]);
    assert!(told(head.clone()).await.is_empty(), "not the head yet");
    assert!(
        told(elsewhere.clone()).await.is_empty(),
        "not another agency's"
    );
    let off = app.officer(OFFICER, "GANGNAM");
    let (_, v) = Petition(&app)
        .officer_case(&off, &id, "overdue check")
        .await;
    assert_eq!(v["escalation_level"], 1, "{v}");
    let last = v["events"]
        .as_array()
        .and_then(|e| e.last())
        .cloned()
        .expect("event");
    assert_eq!(
        (last["action"].as_str(), last["actor_role"].as_str()),
        (Some("escalate"), Some("system"))
    );
    assert_eq!(last["detail"]["role"], "petition.supervisor");
    // The supervisor's queue: the escalated view of the work list.
    let sup = app.token(egov_testing::As {
        kind: "officer",
        roles: &["petition.officer", "petition.supervisor"],
        agency: Some("GANGNAM"),
        sub: Some(&supervisor),
        ..Default::default()
    });
    let (s, list) = Petition(&app)
        .work_list(&sup, &[("view", "escalated")])
        .await;
    assert_eq!(s, 200, "{list}");
    assert_eq!(list["items"][0]["id"], id.as_str());
    assert_eq!(list["items"][0]["escalation_level"], 1);
    // A week overdue: the head's step (16 working hours).
    due_by(24 * 7).await;
    assert_eq!(egov_petition::service::escalate(&p).await.expect("pass"), 1);
    assert_eq!(told(head).await, ["petition.escalated"]);
    let (_, v) = Petition(&app)
        .officer_case(&off, &id, "overdue check")
        .await;
    assert_eq!(v["escalation_level"], 2);
    // The supervisor's queue (from the first step up) still shows it.
    let (_, list) = Petition(&app)
        .work_list(&sup, &[("view", "escalated")])
        .await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    // At the top of the ladder nothing moves any more.
    assert_eq!(egov_petition::service::escalate(&p).await.expect("pass"), 0);
}

//! Official documents over HTTP: every step kind and action (전결 by the delegation table in
//! force on the day, 대결 on a 전결 document, return to an earlier step, recall, mid-flight
//! insertion and removal, a signature that fails when the document changed after signing),
//! gapless registration under concurrent final approvals (two instances on PostgreSQL),
//! dispatch and receipt between two `egov` processes through the exchange, history
//! tampering and the offline records package, legal holds against every role, work lists,
//! handover and the personal-data access log. Runs on SQLite and PostgreSQL
//! (EGOV_TEST_BACKEND).

use diesel::RunQueryDsl as _;
use egov_docflow::domain::evidence;
use egov_testing::clients::Answer;
use egov_testing::clients::docflow::Docflow;
use egov_testing::{Spawn, TestApp, spawn_app_with, spawn_peer};
use reqwest::Method;
use serde_json::{Value, json};

const MODULES: &[&str] = &["platform", "auth", "exchange", "docflow"];
const AGENCY: &str = "MOIS";

async fn app_with(settings: &[(&str, &str)]) -> TestApp {
    spawn_app_with(Spawn {
        modules: MODULES,
        settings,
    })
    .await
}

/// An agency's organisation: units and positions with their holders.
struct Org {
    agency: String,
    unit: String,
    /// name → (position id, account)
    people: Vec<(&'static str, String, String)>,
}

impl Org {
    fn pos(&self, name: &str) -> String {
        self.people
            .iter()
            .find(|p| p.0 == name)
            .map(|p| p.1.clone())
            .expect("position")
    }
    fn acc(&self, name: &str) -> String {
        self.people
            .iter()
            .find(|p| p.0 == name)
            .map(|p| p.2.clone())
            .expect("account")
    }
    fn token(&self, app: &TestApp, name: &str) -> String {
        app.officer_named(&self.acc(name), &[], &self.agency)
    }
}

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> Answer {
    app.send(Method::POST, path, Some(token), Some(&body)).await
}

async fn get(app: &TestApp, path: &str, token: &str) -> Answer {
    app.send(Method::GET, path, Some(token), None).await
}

/// Units GEN (document office) and PLAN, and positions: head (1), dg (2), director (3),
/// leader (4), deputy (4, the director's stand-in), officer (5, the drafter), two
/// cooperation leaders (4) and a reader (5).
async fn org(app: &TestApp, agency: &str) -> Org {
    let a = app.agency_admin(agency);
    let (s, office) = post(app, "/docflow/v1/org/units", &a, json!({"code": format!("{agency}-GEN"), "name": "General affairs", "document_office": true})).await;
    assert_eq!(s, 201, "{office}");
    let (s, unit) = post(
        app,
        "/docflow/v1/org/units",
        &a,
        json!({"code": format!("{agency}-PLAN"), "name": "Planning division"}),
    )
    .await;
    assert_eq!(s, 201, "{unit}");
    let unit_id = unit["id"].as_str().expect("present").to_owned();
    let mut people = Vec::new();
    for (name, rank) in [
        ("head", 1),
        ("dg", 2),
        ("director", 3),
        ("leader", 4),
        ("deputy", 4),
        ("drafter", 5),
        ("coop_a", 4),
        ("coop_b", 4),
        ("reader", 5),
        ("extra", 4),
    ] {
        let (s, p) = post(
            app,
            "/docflow/v1/org/positions",
            &a,
            json!({"unit_id": unit_id, "title": format!("{name} of {agency}"), "rank": rank}),
        )
        .await;
        assert_eq!(s, 201, "{p}");
        let account = app
            .officer_account(&format!("{agency}-{name}"), agency)
            .await;
        let (s, x) = post(
            app,
            "/docflow/v1/org/assignments",
            &a,
            json!({"position_id": p["id"], "account": account}),
        )
        .await;
        assert_eq!(s, 201, "{x}");
        people.push((name, p["id"].as_str().expect("present").to_owned(), account));
    }
    Org {
        agency: agency.into(),
        unit: unit_id,
        people,
    }
}

fn step(kind: &str, pos: &str) -> Value {
    json!({"kind": kind, "position": pos})
}

async fn draft(
    app: &TestApp,
    o: &Org,
    doc_type: &str,
    amount: Option<i64>,
    line: Vec<Value>,
) -> (u16, Value) {
    post(app, "/docflow/v1/documents", &o.token(app, "drafter"), json!({
        "position": o.pos("drafter"), "doc_type": doc_type, "title": "2027 budget request 예산 요구",
        "body": {"paragraphs": ["The division requests the budget below.", "아래와 같이 예산을 요구합니다."]},
        "attachments": [{"name": "table.csv", "media_type": "text/csv", "content": "YSxiCjEsMgo="}],
        "classification": "1310000-A-01", "disclosure": "public", "amount": amount, "line": line,
    })).await
}

async fn act(
    app: &TestApp,
    o: &Org,
    who: &str,
    id: &str,
    action: &str,
    version: i64,
    opinion: Option<&str>,
) -> Answer {
    Docflow(app)
        .act(&o.token(app, who), id, action, version, opinion)
        .await
}

async fn submit(app: &TestApp, o: &Org, id: &str, version: i64) {
    let (s, v) = Docflow(app)
        .submit(&o.token(app, "drafter"), id, version)
        .await;
    assert_eq!(s, 200, "{v}");
}

async fn show(app: &TestApp, o: &Org, who: &str, id: &str) -> Value {
    let (s, v) = Docflow(app).show(&o.token(app, who), id, None).await;
    assert_eq!(s, 200, "{v}");
    v
}

/// What the history's content reads read, oldest first.
async fn reads(app: &TestApp, o: &Org, id: &str) -> Vec<String> {
    let (s, h) = get(
        app,
        &format!("/docflow/v1/documents/{id}/history"),
        &o.token(app, "drafter"),
    )
    .await;
    assert_eq!(s, 200, "{h}");
    h["events"]
        .as_array()
        .expect("present")
        .iter()
        .filter(|e| e["action"] == "read")
        .map(|e| e["detail"]["what"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn current(doc: &Value) -> Vec<(i64, String)> {
    doc["line"]
        .as_array()
        .expect("present")
        .iter()
        .filter(|s| s["status"] == "current")
        .map(|s| {
            (
                s["seq"].as_i64().expect("present"),
                s["kind"].as_str().expect("present").to_owned(),
            )
        })
        .collect()
}

async fn sql(app: &TestApp, q: &str) {
    let q = q.to_owned();
    app.state
        .db
        .run(move |c| Ok(diesel::sql_query(q).execute(c)?))
        .await
        .expect("sql");
}

/// The agency's own delegation table for expenditure: up to 10M, the director (rank 3)
/// until tomorrow, then a team leader (rank 4).
async fn expenditure_table(app: &TestApp, agency: &str) {
    let a = app.agency_admin(agency);
    let tomorrow = chrono::Utc::now().date_naive() + chrono::Duration::days(1);
    let (s, v) = post(app, "/docflow/v1/delegations", &a, json!({"doc_type": "expenditure", "max_amount": 10_000_000, "rank": 3,
        "effective_from": "2024-01-01", "effective_to": tomorrow, "citation": "MOIS directive 2024-1, annex"})).await;
    assert_eq!(s, 201, "{v}");
    let (s, v) = post(
        app,
        "/docflow/v1/delegations",
        &a,
        json!({"doc_type": "expenditure", "max_amount": 10_000_000, "rank": 4,
        "effective_from": tomorrow, "citation": "MOIS directive 2026-7, annex"}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
}

#[tokio::test]
async fn every_step_kind_and_action_over_http() {
    let app = app_with(&[]).await;
    let o = org(&app, AGENCY).await;
    let tomorrow = chrono::Utc::now().date_naive() + chrono::Duration::days(1);
    expenditure_table(&app, AGENCY).await;

    // 전결 by a team leader is not in force today; 결재 by a non-head is not 결재; 후결 is off
    // in the kr pack; a line without a final approval is refused.
    for (line, why) in [
        (vec![step("delegated_approve", &o.pos("leader"))], "rank 3"),
        (vec![step("approve", &o.pos("director"))], "head"),
        (
            vec![
                step("approve", &o.pos("head")),
                step("post_approve", &o.pos("head")),
            ],
            "후결",
        ),
        (vec![step("review", &o.pos("leader"))], "final"),
    ] {
        let (s, v) = draft(&app, &o, "expenditure", Some(5_000_000), line).await;
        assert_eq!(s, 422, "{v}");
        assert_eq!(v["code"], "docflow.invalid_line", "{v}");
        assert!(
            v["detail"].as_str().expect("present").contains(why),
            "{why}: {v}"
        );
    }

    // An expenditure's delegation depends on its amount: without one it is not drafted for
    // 전결 (it was checked against the smallest row, so a director approved what the head
    // must).
    let (s, v) = draft(
        &app,
        &o,
        "expenditure",
        None,
        vec![step("delegated_approve", &o.pos("director"))],
    )
    .await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["errors"][0]["pointer"], "/amount", "{v}");

    // Review → parallel cooperation → 전결 by the director, then circulation.
    let (s, doc) = draft(
        &app,
        &o,
        "expenditure",
        Some(5_000_000),
        vec![
            step("review", &o.pos("leader")),
            json!({"kind": "cooperation", "position": o.pos("coop_a"), "group": 1}),
            json!({"kind": "cooperation", "position": o.pos("coop_b"), "group": 1}),
            step("delegated_approve", &o.pos("director")),
            step("circulate", &o.pos("reader")),
        ],
    )
    .await;
    assert_eq!(s, 201, "{doc}");
    // No due date given: the end of the day the pack's handling days lead to, in the pack's
    // time zone (Asia/Seoul: 23:59:59 there is 14:59:59 UTC).
    assert!(
        doc["due_at"]
            .as_str()
            .is_some_and(|d| d.contains("T14:59:59")),
        "{doc}"
    );
    let id = doc["id"].as_str().expect("present").to_owned();
    // Nothing is signed yet: the check does not call that valid.
    let (s, sigs) = get(
        &app,
        &format!("/docflow/v1/documents/{id}/signatures"),
        &o.token(&app, "drafter"),
    )
    .await;
    assert_eq!(s, 200, "{sigs}");
    assert_eq!(sigs["valid"], false, "{sigs}");
    assert!(sigs["problem"].as_str().is_some(), "{sigs}");
    // The drafter's own edit before submission: version 2, diff in the history.
    let (s, v) = app.send(Method::PUT, &format!("/docflow/v1/documents/{id}"), Some(&o.token(&app, "drafter")), Some(&json!({
        "version": 1, "title": "2027 budget request 예산 요구", "body": {"paragraphs": ["The division requests the budget below (revised)."]}, "reason": "typo"}))).await;
    assert_eq!(s, 200, "{v}");
    // Only the drafter submits, with the version read.
    let (s, v) = post(
        &app,
        &format!("/docflow/v1/documents/{id}/submit"),
        &o.token(&app, "leader"),
        json!({"version": 2}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (403, Some("docflow.not_the_drafter")),
        "{v}"
    );
    let (s, v) = post(
        &app,
        &format!("/docflow/v1/documents/{id}/submit"),
        &o.token(&app, "drafter"),
        json!({"version": 1}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("docflow.version_changed")),
        "{v}"
    );
    submit(&app, &o, &id, 2).await;
    assert_eq!(
        current(&show(&app, &o, "drafter", &id).await),
        vec![(1, "review".to_owned())]
    );

    // Not the director's turn yet.
    let (s, v) = act(&app, &o, "director", &id, "approve", 2, None).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (403, Some("docflow.not_your_turn")),
        "{v}"
    );
    // The work list shows it to the leader.
    let (s, w) = get(&app, "/docflow/v1/work/awaiting", &o.token(&app, "leader")).await;
    assert_eq!(s, 200);
    assert!(
        w["items"]
            .as_array()
            .expect("present")
            .iter()
            .any(|i| i["id"] == id.as_str()),
        "{w}"
    );
    // Review with an opinion, signed over version 2's digest.
    let (s, r) = act(
        &app,
        &o,
        "leader",
        &id,
        "approve",
        2,
        Some("Fine; check the unit costs."),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["signature"]["version"], 2);
    assert_eq!(r["mode"], "self");
    // The parallel group acts together.
    let doc = show(&app, &o, "drafter", &id).await;
    assert_eq!(
        current(&doc),
        vec![(2, "cooperation".to_owned()), (3, "cooperation".to_owned())]
    );
    let (s, v) = act(&app, &o, "coop_b", &id, "disagree", 2, None).await;
    assert_eq!(s, 422, "a disagreement needs an opinion: {v}");
    let (s, v) = act(
        &app,
        &o,
        "coop_b",
        &id,
        "disagree",
        2,
        Some("Our unit's share is too high."),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    // The current cooperation approver inserts a review before the final approval, with a reason.
    let (s, ins) = post(&app, &format!("/docflow/v1/documents/{id}/steps"), &o.token(&app, "coop_a"), json!({
        "after_seq": 3, "kind": "review", "position": o.pos("extra"), "reason": "Legal review of the new clause"})).await;
    assert_eq!(s, 201, "{ins}");
    assert_eq!(ins["seq"], 4);
    // …and one that is removed again, by the drafter.
    let (s, ins2) = post(&app, &format!("/docflow/v1/documents/{id}/steps"), &o.token(&app, "drafter"), json!({
        "after_seq": 4, "kind": "review", "position": o.pos("dg"), "reason": "Director-general to look at it"})).await;
    assert_eq!(s, 201, "{ins2}");
    let (s, v) = post(
        &app,
        &format!(
            "/docflow/v1/documents/{id}/steps/{}/remove",
            ins2["id"].as_str().expect("present")
        ),
        &o.token(&app, "drafter"),
        json!({"reason": "Not needed after all"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    // Inserting before what has acted is refused; so is an outsider.
    let (s, v) = post(&app, &format!("/docflow/v1/documents/{id}/steps"), &o.token(&app, "drafter"), json!({
        "after_seq": 0, "kind": "review", "position": o.pos("extra"), "reason": "Too early a place"})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (422, Some("docflow.invalid_line")),
        "{v}"
    );
    let (s, _) = post(
        &app,
        &format!("/docflow/v1/documents/{id}/steps"),
        &o.token(&app, "reader"),
        json!({
        "after_seq": 3, "kind": "review", "position": o.pos("extra"), "reason": "Not mine to add"}),
    )
    .await;
    assert_eq!(s, 403);
    let (s, v) = act(&app, &o, "coop_a", &id, "approve", 2, None).await;
    assert_eq!(s, 200, "{v}");
    // The inserted reviewer edits (version 3) and returns the document to the first review.
    let (s, v) = app.send(Method::PUT, &format!("/docflow/v1/documents/{id}"), Some(&o.token(&app, "extra")), Some(&json!({
        "version": 2, "title": "2027 budget request 예산 요구", "body": {"paragraphs": ["Revised by legal review."]}, "reason": "clause 3"}))).await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = act(&app, &o, "extra", &id, "approve", 2, None).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("docflow.version_changed")),
        "a stale version is refused: {v}"
    );
    let (s, v) = post(
        &app,
        &format!("/docflow/v1/documents/{id}/return"),
        &o.token(&app, "extra"),
        json!({"version": 3, "to_step": 5, "reason": "Not an earlier step"}),
    )
    .await;
    assert_eq!(s, 422, "{v}");
    let (s, v) = post(
        &app,
        &format!("/docflow/v1/documents/{id}/return"),
        &o.token(&app, "extra"),
        json!({"version": 3, "to_step": 1, "reason": "Please review the revision"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        current(&show(&app, &o, "drafter", &id).await),
        vec![(1, "review".to_owned())]
    );
    // Signatures so far cover version 2, not the current 3: still valid signatures.
    let (_, sigs) = get(
        &app,
        &format!("/docflow/v1/documents/{id}/signatures"),
        &o.token(&app, "drafter"),
    )
    .await;
    assert_eq!(sigs["valid"], true, "{sigs}");
    assert!(
        sigs["signatures"]
            .as_array()
            .expect("present")
            .iter()
            .all(|s| s["covers_current_version"] == false),
        "{sigs}"
    );
    // The line runs again from step 1. Each approval is counted in /metrics.
    const APPROVALS: &str = r#"egov_domain_events_total{event="approval",module="docflow"}"#;
    let before = app.metric(APPROVALS).await;
    for who in ["leader", "coop_a", "coop_b", "extra"] {
        let (s, v) = act(&app, &o, who, &id, "approve", 3, None).await;
        assert_eq!(s, 200, "{who}: {v}");
    }
    // 전결 by the director under the agency's row in force today.
    let (s, fin) = act(&app, &o, "director", &id, "approve", 3, None).await;
    assert_eq!(s, 200, "{fin}");
    assert_eq!(app.metric(APPROVALS).await - before, 5.0);
    assert_eq!(fin["status"], "registered");
    let reg = fin["registration_no"].as_str().expect("present").to_owned();
    assert_eq!(reg, format!("{AGENCY}-PLAN-1"));
    assert_eq!(fin["signature"]["rule"]["basis"], "delegation");
    assert_eq!(fin["signature"]["rule"]["table"], "agency");
    assert_eq!(fin["signature"]["rule"]["rank"], 3);
    assert_eq!(fin["signature"]["rule"]["effective_to"], json!(tomorrow));
    // Circulated to the reader, who reads it: recorded with the time.
    let (_, w) = get(
        &app,
        "/docflow/v1/work/circulated",
        &o.token(&app, "reader"),
    )
    .await;
    assert!(
        w["items"]
            .as_array()
            .expect("present")
            .iter()
            .any(|i| i["id"] == id.as_str() && i["step"] == "unread"),
        "{w}"
    );
    let doc = show(&app, &o, "reader", &id).await;
    assert!(
        doc["circulation"]
            .as_array()
            .expect("present")
            .iter()
            .any(|c| c["reader"] == o.acc("reader").as_str() && !c["read_at"].is_null()),
        "{doc}"
    );
    // Every signature verifies and the final ones cover the final version.
    let (_, sigs) = get(
        &app,
        &format!("/docflow/v1/documents/{id}/signatures"),
        &o.token(&app, "drafter"),
    )
    .await;
    assert_eq!(sigs["valid"], true, "{sigs}");
    assert_eq!(
        sigs["signatures"]
            .as_array()
            .expect("present")
            .iter()
            .filter(|s| s["covers_current_version"] == true)
            .count(),
        5,
        "{sigs}"
    );
    // The PDF with its stamps.
    let res = app
        .client
        .get(app.url(&format!("/docflow/v1/documents/{id}/pdf")))
        .bearer_auth(o.token(&app, "drafter"))
        .send()
        .await
        .expect("present");
    assert_eq!(res.status(), 200);
    let pdf = res.bytes().await.expect("present");
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    // The history holds every action, opinion, edit and read, and its chain holds.
    let (_, h) = get(
        &app,
        &format!("/docflow/v1/documents/{id}/history"),
        &o.token(&app, "drafter"),
    )
    .await;
    assert_eq!(h["valid"], true);
    let actions: Vec<&str> = h["events"]
        .as_array()
        .expect("present")
        .iter()
        .map(|e| e["action"].as_str().expect("present"))
        .collect();
    for a in [
        "created",
        "edited",
        "submitted",
        "reviewed",
        "cooperation_disagreed",
        "step_inserted",
        "step_removed",
        "cooperation_agreed",
        "returned",
        "delegated_approved",
        "registered",
        "circulated",
        "read",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    let edit = h["events"]
        .as_array()
        .expect("present")
        .iter()
        .find(|e| e["action"] == "edited")
        .expect("present");
    assert!(
        edit["detail"]["diff"]
            .as_str()
            .expect("present")
            .contains("(revised)"),
        "{edit}"
    );
    // Only reads of content are history: the PDF above was one; the metadata and line, the
    // signatures and the history are not, a version is.
    let before = reads(&app, &o, &id).await;
    assert_eq!(before.last().map(String::as_str), Some("pdf"), "{before:?}");
    let (s, meta) = app
        .send(
            Method::GET,
            &format!("/docflow/v1/documents/{id}?content=false"),
            Some(&o.token(&app, "drafter")),
            None,
        )
        .await;
    assert_eq!((s, &meta["current"]), (200, &Value::Null), "{meta}");
    assert!(
        meta["line"].as_array().is_some_and(|l| l.len() >= 5),
        "{meta}"
    );
    get(
        &app,
        &format!("/docflow/v1/documents/{id}/signatures"),
        &o.token(&app, "drafter"),
    )
    .await;
    assert_eq!(reads(&app, &o, &id).await, before);
    let (s, _) = get(
        &app,
        &format!("/docflow/v1/documents/{id}/versions/1"),
        &o.token(&app, "drafter"),
    )
    .await;
    assert_eq!(s, 200);
    let after = reads(&app, &o, &id).await;
    assert_eq!(
        (after.len(), after.last().map(String::as_str)),
        (before.len() + 1, Some("version-1")),
        "{after:?}"
    );

    // The signature fails once the stored version is changed behind the system's back.
    sql(&app, &format!("UPDATE docflow_versions SET body = '{{\"paragraphs\":[\"forged\"]}}' WHERE document_id = '{id}' AND version = 3")).await;
    let (_, sigs) = get(
        &app,
        &format!("/docflow/v1/documents/{id}/signatures"),
        &o.token(&app, "drafter"),
    )
    .await;
    assert_eq!(sigs["valid"], false, "{sigs}");
    assert!(
        sigs["signatures"]
            .as_array()
            .expect("present")
            .iter()
            .any(|s| s["version"] == 3 && s["content_matches"] == false),
        "{sigs}"
    );

    // Another agency's officer sees nothing.
    let (s, _) = get(
        &app,
        &format!("/docflow/v1/documents/{id}"),
        &app.officer_named("someone", &[], "MOE"),
    )
    .await;
    assert_eq!(s, 404);
}
#[tokio::test]
async fn a_recall_before_the_next_actor_and_a_return_start_new_rounds() {
    let app = app_with(&[]).await;
    let o = org(&app, AGENCY).await;
    // Recall before the next actor acts; too late after.
    let (s, d2) = draft(
        &app,
        &o,
        "general",
        None,
        vec![
            step("review", &o.pos("leader")),
            step("delegated_approve", &o.pos("leader")),
        ],
    )
    .await;
    assert_eq!(s, 201, "{d2}");
    let id2 = d2["id"].as_str().expect("present").to_owned();
    submit(&app, &o, &id2, 1).await;
    let (s, v) = post(
        &app,
        &format!("/docflow/v1/documents/{id2}/recall"),
        &o.token(&app, "drafter"),
        json!({"reason": "forgot an attachment"}),
    )
    .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("drafting")), "{v}");
    let (_, w) = get(&app, "/docflow/v1/work/drafts", &o.token(&app, "drafter")).await;
    assert!(
        w["items"]
            .as_array()
            .expect("present")
            .iter()
            .any(|i| i["id"] == id2.as_str()),
        "{w}"
    );
    submit(&app, &o, &id2, 1).await;
    let (s, _) = act(&app, &o, "leader", &id2, "approve", 1, None).await;
    assert_eq!(s, 200);
    let (s, v) = post(
        &app,
        &format!("/docflow/v1/documents/{id2}/recall"),
        &o.token(&app, "drafter"),
        json!({}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("docflow.recall_too_late")),
        "{v}"
    );
    // Return to the drafter, resubmitted as a new round; the earlier rounds stay on record.
    let (s, v) = post(
        &app,
        &format!("/docflow/v1/documents/{id2}/return"),
        &o.token(&app, "leader"),
        json!({"version": 1, "reason": "Attach the contract"}),
    )
    .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("returned")), "{v}");
    let (_, w) = get(&app, "/docflow/v1/work/returned", &o.token(&app, "drafter")).await;
    assert!(
        w["items"]
            .as_array()
            .expect("present")
            .iter()
            .any(|i| i["id"] == id2.as_str()),
        "{w}"
    );
    submit(&app, &o, &id2, 1).await;
    let doc2 = show(&app, &o, "drafter", &id2).await;
    assert_eq!(doc2["round"], 3);
    let (s, v) = act(&app, &o, "leader", &id2, "approve", 1, None).await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = act(&app, &o, "leader", &id2, "approve", 1, None).await;
    assert_eq!(
        (s, v["status"].as_str()),
        (200, Some("registered")),
        "the leader's 전결 of a general document: {v}"
    );
    assert_eq!(v["registration_no"], format!("{AGENCY}-PLAN-1"));
}

#[tokio::test]
async fn a_stand_in_acts_for_an_absent_director_and_a_post_report_follows() {
    let app = app_with(&[]).await;
    let o = org(&app, AGENCY).await;
    expenditure_table(&app, AGENCY).await;
    let a = app.agency_admin(AGENCY);
    // 대결 on a 전결 document: the director is away; the deputy stands in for the director's
    // position; the expenditure document is important, so a post-report task follows.
    let now = chrono::Utc::now();
    let (s, v) = post(&app, "/docflow/v1/org/stand-ins", &a, json!({"position_id": o.pos("director"), "stand_in_position_id": o.pos("deputy"),
        "valid_from": now - chrono::Duration::minutes(1), "valid_to": now + chrono::Duration::days(3), "reason": "annual leave"})).await;
    assert_eq!(s, 201, "{v}");
    let (s, d3) = draft(
        &app,
        &o,
        "expenditure",
        Some(8_000_000),
        vec![step("delegated_approve", &o.pos("director"))],
    )
    .await;
    assert_eq!(s, 201, "{d3}");
    let id3 = d3["id"].as_str().expect("present").to_owned();
    submit(&app, &o, &id3, 1).await;
    let (_, w) = get(&app, "/docflow/v1/work/awaiting", &o.token(&app, "deputy")).await;
    assert!(
        w["items"]
            .as_array()
            .expect("present")
            .iter()
            .any(|i| i["id"] == id3.as_str()),
        "the stand-in sees it: {w}"
    );
    let (s, r) = act(&app, &o, "deputy", &id3, "approve", 1, None).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["mode"], "acting");
    assert_eq!(r["status"], "registered");
    assert_eq!(r["signature"]["on_behalf_of"], o.pos("director").as_str());
    assert_eq!(r["signature"]["position"], o.pos("deputy").as_str());
    assert_eq!(r["signature"]["kind"], "delegated_approve");
    assert_eq!(
        r["signature"]["rule"]["rank"], 3,
        "the delegation rule of the absent position"
    );
    let doc3 = show(&app, &o, "director", &id3).await;
    assert_eq!(
        current(&doc3),
        vec![(2, "post_report".to_owned())],
        "{doc3}"
    );
    // The deputy cannot confirm the report on what they did themself.
    let (s, v) = act(&app, &o, "deputy", &id3, "confirm", 1, None).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (403, Some("docflow.not_your_turn")),
        "{v}"
    );
    let (s, v) = act(
        &app,
        &o,
        "director",
        &id3,
        "confirm",
        1,
        Some("Noted on return."),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let (_, h) = get(
        &app,
        &format!("/docflow/v1/documents/{id3}/history"),
        &o.token(&app, "drafter"),
    )
    .await;
    let acts: Vec<&str> = h["events"]
        .as_array()
        .expect("present")
        .iter()
        .map(|e| e["action"].as_str().expect("present"))
        .collect();
    assert!(
        acts.contains(&"acting_approved")
            && acts.contains(&"post_report_created")
            && acts.contains(&"post_report_confirmed"),
        "{acts:?}"
    );
}

#[tokio::test]
async fn the_head_of_the_agency_gives_the_final_approval() {
    let app = app_with(&[]).await;
    let o = org(&app, AGENCY).await;
    // 결재 by the head of the agency.
    let (s, d4) = draft(
        &app,
        &o,
        "regulation",
        None,
        vec![
            step("review", &o.pos("dg")),
            step("approve", &o.pos("head")),
        ],
    )
    .await;
    assert_eq!(s, 201, "{d4}");
    let id4 = d4["id"].as_str().expect("present").to_owned();
    submit(&app, &o, &id4, 1).await;
    assert_eq!(act(&app, &o, "dg", &id4, "approve", 1, None).await.0, 200);
    let (s, v) = act(&app, &o, "head", &id4, "approve", 1, None).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("registered")), "{v}");
    assert_eq!(v["signature"]["rule"]["basis"], "head of agency");
}

#[tokio::test]
async fn work_lists_page_with_a_cursor_and_the_ledger_numbers_in_order() {
    let app = app_with(&[]).await;
    let o = org(&app, AGENCY).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let (s, d) = draft(
            &app,
            &o,
            "general",
            None,
            vec![step("delegated_approve", &o.pos("leader"))],
        )
        .await;
        assert_eq!(s, 201, "{d}");
        ids.push(d["id"].as_str().expect("present").to_owned());
    }
    // Keyset pagination of a work list: three drafts, one a page, each once.
    let mut seen = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let path = match &next {
            Some(c) => format!("/docflow/v1/work/drafts?limit=1&after={c}"),
            None => "/docflow/v1/work/drafts?limit=1".to_owned(),
        };
        let (s, page) = get(&app, &path, &o.token(&app, "drafter")).await;
        assert_eq!(s, 200, "{page}");
        let items = page["items"].as_array().expect("present");
        assert!(items.len() <= 1, "{page}");
        seen.extend(
            items
                .iter()
                .map(|i| i["id"].as_str().expect("id").to_owned()),
        );
        match page["next"].as_str() {
            Some(c) => next = Some(c.to_owned()),
            None => break,
        }
        assert!(seen.len() <= 3, "the cursor goes round: {seen:?}");
    }
    let mut sorted = seen.clone();
    sorted.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(sorted, expected, "every draft once");
    let (s, bad) = get(
        &app,
        "/docflow/v1/work/drafts?limit=0",
        &o.token(&app, "drafter"),
    )
    .await;
    assert_eq!(s, 422, "{bad}");

    // The ledger lists the unit's numbers in order.
    for id in &ids {
        submit(&app, &o, id, 1).await;
        let (s, v) = act(&app, &o, "leader", id, "approve", 1, None).await;
        assert_eq!((s, v["status"].as_str()), (200, Some("registered")), "{v}");
    }
    let (_, l) = get(
        &app,
        &format!(
            "/docflow/v1/ledger?unit={}&year={}&kind=production",
            o.unit,
            chrono::Utc::now().format("%Y")
        ),
        &o.token(&app, "drafter"),
    )
    .await;
    let serials: Vec<i64> = l["entries"]
        .as_array()
        .expect("present")
        .iter()
        .map(|e| e["serial"].as_i64().expect("present"))
        .collect();
    assert_eq!(serials, vec![1, 2, 3], "{l}");
}

/// `n` documents waiting for the director's 전결.
async fn waiting_documents(app: &TestApp, o: &Org, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for _ in 0..n {
        let (s, d) = draft(
            app,
            o,
            "general",
            None,
            vec![step("delegated_approve", &o.pos("director"))],
        )
        .await;
        assert_eq!(s, 201, "{d}");
        let id = d["id"].as_str().expect("present").to_owned();
        submit(app, o, &id, 1).await;
        ids.push(id);
    }
    ids
}

async fn assert_gapless(app: &TestApp, o: &Org, n: usize) {
    let (_, l) = get(
        app,
        &format!(
            "/docflow/v1/ledger?unit={}&year={}&kind=production&limit=1000",
            o.unit,
            chrono::Utc::now().format("%Y")
        ),
        &o.token(app, "drafter"),
    )
    .await;
    let serials: Vec<i64> = l["entries"]
        .as_array()
        .expect("present")
        .iter()
        .map(|e| e["serial"].as_i64().expect("present"))
        .collect();
    assert_eq!(
        serials,
        (1..=n as i64).collect::<Vec<_>>(),
        "gapless and unique"
    );
    let docs: std::collections::BTreeSet<&str> = l["entries"]
        .as_array()
        .expect("present")
        .iter()
        .map(|e| e["document"].as_str().expect("present"))
        .collect();
    assert_eq!(docs.len(), n, "one number per document");
}

#[tokio::test]
async fn concurrent_final_approvals_never_share_or_skip_a_number() {
    let app = app_with(&[]).await;
    let o = org(&app, AGENCY).await;
    let n = 40;
    let ids = waiting_documents(&app, &o, n).await;
    let token = o.token(&app, "director");
    let futs = ids.iter().map(|id| {
        let (app, token) = (&app, token.clone());
        async move {
            post(
                app,
                &format!("/docflow/v1/documents/{id}/actions"),
                &token,
                json!({"action": "approve", "version": 1}),
            )
            .await
        }
    });
    let results = futures_util::future::join_all(futs).await;
    for (s, v) in &results {
        assert_eq!(*s, 200, "{v}");
    }
    let mut numbers: Vec<String> = results
        .iter()
        .map(|r| r.1["registration_no"].as_str().expect("present").to_owned())
        .collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), n);
    assert_gapless(&app, &o, n).await;
}

#[tokio::test]
async fn two_instances_on_postgres_number_without_gaps() {
    if egov_testing::backend() != egov_testing::Backend::Postgres {
        // Two processes on one SQLite file is not a deployment this platform supports.
        return;
    }
    let app = app_with(&[]).await;
    let peer = spawn_peer(
        &app,
        Spawn {
            modules: MODULES,
            settings: &[],
        },
    )
    .await;
    let o = org(&app, AGENCY).await;
    let n = 40;
    let ids = waiting_documents(&app, &o, n).await;
    let token = o.token(&app, "director");
    let futs = ids.iter().enumerate().map(|(i, id)| {
        let (target, token) = (if i % 2 == 0 { &app } else { &peer }, token.clone());
        async move {
            post(
                target,
                &format!("/docflow/v1/documents/{id}/actions"),
                &token,
                json!({"action": "approve", "version": 1}),
            )
            .await
        }
    });
    for (s, v) in futures_util::future::join_all(futs).await {
        assert_eq!(s, 200, "{v}");
    }
    assert_gapless(&app, &o, n).await;
    // The same document approved at both instances at once: one wins, the other is told.
    let ids = waiting_documents(&app, &o, 1).await;
    let body = json!({"action": "approve", "version": 1});
    let path = format!("/docflow/v1/documents/{}/actions", ids[0]);
    let (a, b) = tokio::join!(
        post(&app, &path, &token, body.clone()),
        post(&peer, &path, &token, body.clone())
    );
    let mut st = [a.0, b.0];
    st.sort();
    assert_eq!(st, [200, 403], "{a:?} {b:?}");
    assert_gapless(&app, &o, n + 1).await;
}

async fn grant(app: &TestApp, client: &str, service: &str, items: &[&str]) {
    let admin = app.platform_admin();
    let (s, g) = app
        .send(
            Method::POST,
            "/exchange/v1/admin/grants",
            Some(&admin),
            Some(&json!({
        "client": client, "service": service, "purpose": "docflow.distribution", "items": items})),
        )
        .await;
    assert_eq!(s, 201, "{g}");
}

#[tokio::test]
async fn dispatch_to_another_agency_in_a_second_process() {
    let (ma, mb) = ("KR/GOV/1210000", "KR/GOV/1310000");
    let a = app_with(&[("EGOV__EXCHANGE__MEMBER", ma)]).await;
    let b = app_with(&[("EGOV__EXCHANGE__MEMBER", mb)]).await;
    for (app, other, id) in [(&a, &b, mb), (&b, &a, ma)] {
        let admin = app.platform_admin();
        let (s, v) = app
            .send(
                Method::PUT,
                "/exchange/v1/admin/members",
                Some(&admin),
                Some(&json!({"id": id, "name": "peer", "base_url": other.address})),
            )
            .await;
        assert_eq!(s, 200, "{v}");
    }
    grant(
        &b,
        &format!("{ma}/docflow"),
        &format!("{mb}/docflow/document-delivery"),
        &["document_id", "delivered_at"],
    )
    .await;
    grant(
        &a,
        &format!("{mb}/docflow"),
        &format!("{ma}/docflow/receipt-confirmation"),
        &["dispatch_id", "status"],
    )
    .await;
    let oa = org(&a, "MOIS").await;
    let ob = org(&b, "MOE").await;

    let (s, d) = draft(
        &a,
        &oa,
        "general",
        None,
        vec![step("delegated_approve", &oa.pos("leader"))],
    )
    .await;
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_str().expect("present").to_owned();
    // Not dispatchable before registration.
    let (s, _) = post(
        &a,
        &format!("/docflow/v1/documents/{id}/dispatch"),
        &oa.token(&a, "drafter"),
        json!({"recipients": [{"member": mb, "agency": "MOE"}]}),
    )
    .await;
    assert_eq!(s, 409);
    submit(&a, &oa, &id, 1).await;
    assert_eq!(act(&a, &oa, "leader", &id, "approve", 1, None).await.0, 200);
    // To MOE at B, and to an agency B does not host (wrong address, kept as failed).
    let (s, out) = post(
        &a,
        &format!("/docflow/v1/documents/{id}/dispatch"),
        &oa.token(&a, "drafter"),
        json!({"recipients": [
        {"member": mb, "agency": "MOE"}, {"member": mb, "agency": "NOPE"}]}),
    )
    .await;
    // One delivery failed (kept to retry): accepted, not done.
    assert_eq!(s, 202, "{out}");
    let ds = out["dispatches"].as_array().expect("present");
    assert_eq!(ds[0]["status"], "delivered", "{out}");
    assert!(ds[0]["message_id"].is_string());
    assert_eq!(ds[1]["status"], "failed");
    assert!(
        ds[1]["error"]
            .as_str()
            .expect("present")
            .contains("docflow.unknown_recipient"),
        "{out}"
    );
    let failed = ds[1]["id"].as_str().expect("present");
    let (s, r) = post(
        &a,
        &format!("/docflow/v1/documents/{id}/dispatches/{failed}/retry"),
        &oa.token(&a, "drafter"),
        json!({}),
    )
    .await;
    assert_eq!(
        (s, r["status"].as_str(), r["attempts"].as_i64()),
        (200, Some("failed"), Some(2)),
        "{r}"
    );

    // B's document office finds it in the inbox and receives it.
    let office = b.officer_named("MOE-office", &["docflow.office"], "MOE");
    let (s, inbox) = get(&b, "/docflow/v1/inbox", &office).await;
    assert_eq!(s, 200);
    let remote = inbox["items"][0]["id"]
        .as_str()
        .expect("delivered")
        .to_owned();
    assert_eq!(ds[0]["remote_document"], remote.as_str());
    let (s, rec) = post(
        &b,
        &format!("/docflow/v1/documents/{remote}/receive"),
        &office,
        json!({
        "unit_id": ob.unit, "handler": ob.acc("leader")}),
    )
    .await;
    assert_eq!(s, 200, "{rec}");
    assert_eq!(rec["receipt_no"], "MOE-PLAN-1");
    assert_eq!(rec["confirmation"]["status"], "sent", "{rec}");
    // The receipt confirmation came back to A.
    let (_, ds) = get(
        &a,
        &format!("/docflow/v1/documents/{id}/dispatches"),
        &oa.token(&a, "drafter"),
    )
    .await;
    let moe = ds["dispatches"]
        .as_array()
        .expect("present")
        .iter()
        .find(|d| d["agency"] == "MOE")
        .expect("present");
    assert_eq!(moe["status"], "received", "{ds}");
    assert_eq!(moe["receipt_no"], "MOE-PLAN-1");
    // The handler circulates it at B; the reader's read is recorded.
    let (s, v) = post(
        &b,
        &format!("/docflow/v1/documents/{remote}/circulate"),
        &ob.token(&b, "leader"),
        json!({"readers": [ob.acc("reader")]}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let doc = show(&b, &ob, "reader", &remote).await;
    assert_eq!(doc["origin"], "received");
    assert_eq!(
        doc["current"]["digest"],
        show(&a, &oa, "drafter", &id).await["current"]["digest"],
        "the same content"
    );
    assert!(
        doc["circulation"]
            .as_array()
            .expect("present")
            .iter()
            .any(|c| c["reader"] == ob.acc("reader").as_str() && !c["read_at"].is_null())
    );
    // The sender's signatures travelled with it and verify with the sender's keys.
    let sender: Value = b
        .state
        .db
        .run({
            let r = remote.clone();
            move |c| egov_docflow::store::document(c, &r)
        })
        .await
        .expect("present")
        .expect("present")
        .sender
        .map(|s| serde_json::from_str(&s).expect("present"))
        .expect("present");
    let keys: Vec<(String, String)> = sender["keys"]
        .as_array()
        .expect("present")
        .iter()
        .map(|k| {
            (
                k["kid"].as_str().expect("present").to_owned(),
                k["public_key"].as_str().expect("present").to_owned(),
            )
        })
        .collect();
    for s in sender["signatures"].as_array().expect("present") {
        assert!(egov_exchange::signature::verify_json(
            keys.iter().map(|(k, p)| (k.as_str(), p.as_str())),
            &s["payload"],
            s["signature"].as_str().expect("present")
        ));
    }
    // …and the recipient's check says so: every one of the sender's signatures, none of its
    // own, valid.
    let (s, check) = get(
        &b,
        &format!("/docflow/v1/documents/{remote}/signatures"),
        &ob.token(&b, "leader"),
    )
    .await;
    assert_eq!(s, 200, "{check}");
    let results = check["signatures"].as_array().expect("present");
    assert_eq!(
        results.len(),
        sender["signatures"].as_array().expect("present").len(),
        "{check}"
    );
    assert!(
        results
            .iter()
            .all(|r| r["sender"] == true && r["valid"] == true),
        "{check}"
    );
    assert_eq!(
        (check["valid"].as_bool(), &check["problem"]),
        (Some(true), &Value::Null),
        "{check}"
    );

    // Cross-agency circulation (공람) from A to B.
    let (s, v) = post(
        &a,
        &format!("/docflow/v1/documents/{id}/circulate"),
        &oa.token(&a, "drafter"),
        json!({"agencies": [{"member": mb, "agency": "MOE"}]}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["dispatches"][0]["status"], "delivered", "{v}");

    // A citizen-facing module sends a decision document into B's docflow through the exchange.
    grant(
        &b,
        &format!("{ma}/petition"),
        &format!("{mb}/docflow/document-delivery"),
        &["document_id", "delivered_at"],
    )
    .await;
    let body =
        json!({"title": "Decision on petition PET-2026-0000001", "paragraphs": ["Approved."]});
    let digest = evidence::version_digest("Decision on petition PET-2026-0000001", &body, &[]);
    let x = a.state.exchange.clone().expect("exchange");
    let ans = x.call("petition", egov_exchange::client::Call::post(&format!("{mb}/docflow/document-delivery"), "v1", json!({
        "dispatch_id": "PET-2026-0000001-decision", "recipient_agency": "MOE", "kind": "dispatch",
        "sender": {"agency": "MOIS", "module": "petition", "case": "PET-2026-0000001"},
        "document": {"title": "Decision on petition PET-2026-0000001", "body": body, "doc_type": "decision", "digest": digest, "attachments": []},
    }), "docflow.distribution")).await.expect("delivered");
    assert!(ans.body["document_id"].is_string());
    let (_, inbox) = get(&b, "/docflow/v1/inbox", &office).await;
    assert!(
        inbox["items"]
            .as_array()
            .expect("present")
            .iter()
            .any(|i| i["id"] == ans.body["document_id"]),
        "{inbox}"
    );
}

#[tokio::test]
async fn history_tampering_is_detected_and_the_package_verifies_offline() {
    let app = app_with(&[]).await;
    let o = org(&app, AGENCY).await;
    let (s, d) = draft(
        &app,
        &o,
        "general",
        None,
        vec![
            step("review", &o.pos("leader")),
            step("delegated_approve", &o.pos("director")),
        ],
    )
    .await;
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_str().expect("present").to_owned();
    submit(&app, &o, &id, 1).await;
    assert_eq!(
        act(&app, &o, "leader", &id, "approve", 1, Some("ok"))
            .await
            .0,
        200
    );
    assert_eq!(
        act(&app, &o, "director", &id, "approve", 1, None).await.0,
        200
    );

    let (s, pkg) = get(
        &app,
        &format!("/docflow/v1/documents/{id}/package"),
        &o.token(&app, "drafter"),
    )
    .await;
    assert_eq!(s, 200, "{pkg}");
    // Offline: nothing but the package.
    let report = evidence::verify_package(&pkg, None);
    assert!(report.valid, "{:?}", report.problems);
    assert_eq!(report.signatures, 3);
    // The server's verification service agrees.
    let (_, r) = app
        .send(
            Method::POST,
            "/docflow/v1/packages/verify",
            None,
            Some(&pkg),
        )
        .await;
    assert_eq!(r["valid"], true, "{r}");
    // Edited anywhere, it fails.
    let mut edited = pkg.clone();
    edited["versions"][0]["body"]["paragraphs"][0] = json!("We request twice the budget.");
    assert!(!evidence::verify_package(&edited, None).valid);
    let mut edited = pkg.clone();
    edited["history"][2]["detail"]["opinion"] = json!("no");
    let rep = evidence::verify_package(&edited, None);
    assert!(!rep.valid);
    assert!(
        rep.problems.iter().any(|p| p.starts_with("history")),
        "{:?}",
        rep.problems
    );
    let mut edited = pkg.clone();
    edited["document"]["registration_no"] = json!("MOIS-PLAN-999");
    assert!(!evidence::verify_package(&edited, None).valid);

    // The database refuses to rewrite history…
    let q =
        format!("UPDATE docflow_events SET detail = '{{}}' WHERE document_id = '{id}' AND seq = 2");
    let q2 = q.clone();
    let refused = app
        .state
        .db
        .run(move |c| Ok(diesel::sql_query(q2).execute(c)?))
        .await;
    assert!(refused.is_err(), "append-only");
    // …and when someone with the database's keys gets round that, the chain shows it.
    match egov_testing::backend() {
        egov_testing::Backend::Postgres => {
            sql(
                &app,
                "ALTER TABLE docflow_events DISABLE TRIGGER docflow_events_append_only",
            )
            .await
        }
        _ => sql(&app, "DROP TRIGGER docflow_events_no_update").await,
    }
    sql(&app, &q).await;
    let (_, h) = get(
        &app,
        &format!("/docflow/v1/documents/{id}/history"),
        &o.token(&app, "drafter"),
    )
    .await;
    assert_eq!(h["valid"], false, "{h}");
    assert_eq!(h["broken_at"], 2);
}

#[tokio::test]
async fn a_legal_hold_blocks_disposal_by_every_role() {
    let app = app_with(&[]).await;
    let o = org(&app, AGENCY).await;
    let records = app.officer_named("MOIS-records", &["docflow.records"], AGENCY);
    let (s, d) = draft(
        &app,
        &o,
        "general",
        None,
        vec![step("delegated_approve", &o.pos("leader"))],
    )
    .await;
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_str().expect("present").to_owned();
    submit(&app, &o, &id, 1).await;
    assert_eq!(
        act(&app, &o, "leader", &id, "approve", 1, None).await.0,
        200
    );
    let (s, f) = post(
        &app,
        "/docflow/v1/records/files",
        &records,
        json!({"unit_id": o.unit, "classification": "1310000-A-01",
        "title": "Budget 2020", "year": 2020, "retention": "1y"}),
    )
    .await;
    assert_eq!(s, 201, "{f}");
    let (s, v) = app
        .send(
            Method::PUT,
            &format!("/docflow/v1/documents/{id}/file"),
            Some(&records),
            Some(&json!({"file_id": f["id"]})),
        )
        .await;
    assert_eq!((s, v["retention"].as_str()), (200, Some("1y")), "{v}");
    // Retention runs: counted from 1 January after completion.
    let (s, v) = post(
        &app,
        &format!("/docflow/v1/documents/{id}/dispose"),
        &records,
        json!({"reason": "retention period over"}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("docflow.retention_running")),
        "{v}"
    );
    // Completed in 2020: 1 year from 2021-01-01 has passed.
    sql(
        &app,
        &format!(
            "UPDATE docflow_documents SET completed_at = '2020-05-01 10:00:00' WHERE id = '{id}'"
        ),
    )
    .await;
    let (_, st) = get(
        &app,
        &format!("/docflow/v1/documents/{id}/records"),
        &records,
    )
    .await;
    assert_eq!(st["retain_until"], "2022-01-01", "{st}");

    let (s, h) = post(&app, &format!("/docflow/v1/documents/{id}/holds"), &records, json!({"reason": "litigation over the 2020 budget", "authority": "Seoul District Court 2026가합1234"})).await;
    assert_eq!(s, 201, "{h}");
    let hold = h["id"].as_str().expect("present").to_owned();
    let platform = app.platform_admin();
    let agency_admin = app.agency_admin(AGENCY);
    for (who, token) in [
        ("records manager", &records),
        ("agency admin", &agency_admin),
        ("platform admin", &platform),
    ] {
        let (s, v) = post(
            &app,
            &format!("/docflow/v1/documents/{id}/dispose"),
            token,
            json!({"reason": "retention period over"}),
        )
        .await;
        assert_eq!(
            (s, v["code"].as_str()),
            (409, Some("docflow.legal_hold")),
            "{who}: {v}"
        );
    }
    // Administrators cannot lift it either.
    for token in [&agency_admin, &platform] {
        let (s, _) = post(
            &app,
            &format!("/docflow/v1/holds/{hold}/release"),
            token,
            json!({"reason": "we need the space"}),
        )
        .await;
        assert_eq!(s, 403);
    }
    let (_, v) = app
        .send(
            Method::GET,
            &format!("/docflow/v1/documents/{id}/versions/1"),
            Some(&o.token(&app, "drafter")),
            None,
        )
        .await;
    assert!(v["body"].is_object(), "nothing was destroyed: {v}");
    // Released by the records manager with a reason, it can be disposed of — by the records role only among officers.
    let (s, v) = post(
        &app,
        &format!("/docflow/v1/holds/{hold}/release"),
        &records,
        json!({"reason": "judgment final"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = post(
        &app,
        &format!("/docflow/v1/documents/{id}/dispose"),
        &o.token(&app, "drafter"),
        json!({"reason": "retention period over"}),
    )
    .await;
    assert_eq!(s, 403, "{v}");
    let (s, v) = post(
        &app,
        &format!("/docflow/v1/documents/{id}/dispose"),
        &records,
        json!({"reason": "retention period over"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert!(v["signature"].is_string());
    let (_, v) = app
        .send(
            Method::GET,
            &format!("/docflow/v1/documents/{id}/versions/1"),
            Some(&o.token(&app, "drafter")),
            None,
        )
        .await;
    assert!(v["body"].is_null(), "contents destroyed: {v}");
    let (_, st) = get(
        &app,
        &format!("/docflow/v1/documents/{id}/records"),
        &records,
    )
    .await;
    assert_eq!(st["disposal"]["certificate"]["retain_until"], "2022-01-01");
    let (_, h) = get(
        &app,
        &format!("/docflow/v1/documents/{id}/history"),
        &records,
    )
    .await;
    assert_eq!(h["valid"], true);
    assert_eq!(
        h["events"]
            .as_array()
            .expect("present")
            .last()
            .expect("present")["action"],
        "disposed"
    );
    // The records package of a disposed record still verifies: metadata, digests,
    // signatures and history remain.
    let (s, pkg) = get(
        &app,
        &format!("/docflow/v1/documents/{id}/package"),
        &records,
    )
    .await;
    assert_eq!(s, 200, "{pkg}");
    let report = evidence::verify_package(&pkg, None);
    assert!(report.valid, "{:?}", report.problems);
    // Permanent records are never disposed of.
    let (s, d) = draft(
        &app,
        &o,
        "regulation",
        None,
        vec![step("approve", &o.pos("head"))],
    )
    .await;
    assert_eq!(s, 201, "{d}");
    let pid = d["id"].as_str().expect("present").to_owned();
    submit(&app, &o, &pid, 1).await;
    assert_eq!(act(&app, &o, "head", &pid, "approve", 1, None).await.0, 200);
    sql(
        &app,
        &format!(
            "UPDATE docflow_documents SET completed_at = '1990-05-01 10:00:00' WHERE id = '{pid}'"
        ),
    )
    .await;
    let (s, v) = post(
        &app,
        &format!("/docflow/v1/documents/{pid}/dispose"),
        &platform,
        json!({"reason": "very old"}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("docflow.retention_running")),
        "{v}"
    );
}

#[tokio::test]
async fn personal_data_reads_are_logged_and_handover_moves_pending_work() {
    let app = app_with(&[]).await;
    let o = org(&app, AGENCY).await;
    let (s, d) = post(&app, "/docflow/v1/documents", &o.token(&app, "drafter"), json!({
        "position": o.pos("drafter"), "doc_type": "decision", "title": "Decision on a resident's petition",
        "body": {"paragraphs": ["Hong Gildong (900101-1234567) is granted the permit."]},
        "classification": "1310000-B-02", "disclosure": "closed", "disclosure_ground": "Official Information Disclosure Act art. 9(1)6",
        "personal_data_subjects": ["900101-1234567"], "line": [step("delegated_approve", &o.pos("director"))]})).await;
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_str().expect("present").to_owned();
    // A closed document needs its ground.
    let (s, v) = post(&app, "/docflow/v1/documents", &o.token(&app, "drafter"), json!({
        "position": o.pos("drafter"), "doc_type": "general", "title": "x", "body": {"text": "x"},
        "classification": "1310000-B-02", "disclosure": "closed", "line": [step("delegated_approve", &o.pos("director"))]})).await;
    assert_eq!(s, 422, "{v}");
    let (s, v) = get(
        &app,
        &format!("/docflow/v1/documents/{id}"),
        &o.token(&app, "drafter"),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (422, Some("docflow.purpose_required")),
        "{v}"
    );
    let count = || async {
        app.state
            .db
            .run(|c| {
                #[derive(diesel::QueryableByName)]
                struct N {
                    #[diesel(sql_type = diesel::sql_types::BigInt)]
                    n: i64,
                }
                Ok(diesel::sql_query(
                    "SELECT COUNT(*) AS n FROM auth_access_log WHERE module = 'docflow'",
                )
                .get_result::<N>(c)?
                .n)
            })
            .await
            .expect("present")
    };
    let before = count().await;
    let (s, _) = get(
        &app,
        &format!("/docflow/v1/documents/{id}?purpose=petition%20decision%20drafting"),
        &o.token(&app, "drafter"),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(count().await, before + 1);
    let subject = app.person_key("900101-1234567");
    let found = app
        .state
        .db
        .run(move |c| {
            #[derive(diesel::QueryableByName)]
            struct N {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            Ok(diesel::sql_query(format!(
                "SELECT COUNT(*) AS n FROM auth_access_log WHERE subject = '{subject}'"
            ))
            .get_result::<N>(c)?
            .n)
        })
        .await
        .expect("present");
    assert_eq!(found, 1, "logged under the data subject's key");

    // The drafter moves: their draft goes to the successor in one step.
    let (s, h) = post(&app, "/docflow/v1/org/handover", &app.agency_admin(AGENCY), json!({"from": o.acc("drafter"), "to": o.acc("extra"), "reason": "transfer to another division"})).await;
    assert_eq!(s, 200, "{h}");
    assert!(
        h["documents"]
            .as_array()
            .expect("present")
            .iter()
            .any(|d| d == id.as_str()),
        "{h}"
    );
    let (_, w) = get(&app, "/docflow/v1/work/drafts", &o.token(&app, "extra")).await;
    assert!(
        w["items"]
            .as_array()
            .expect("present")
            .iter()
            .any(|i| i["id"] == id.as_str()),
        "{w}"
    );
    // The successor holds the drafter's position now and can submit the draft.
    let (s, v) = post(
        &app,
        &format!("/docflow/v1/documents/{id}/submit"),
        &o.token(&app, "extra"),
        json!({"version": 1}),
    )
    .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("in_approval")), "{v}");
    let (s, _) = post(
        &app,
        &format!("/docflow/v1/documents/{id}/recall"),
        &o.token(&app, "drafter"),
        json!({}),
    )
    .await;
    assert_eq!(s, 403, "the mover no longer acts on it");
    let (_, changes) = get(&app, "/docflow/v1/org/changes", &app.agency_admin(AGENCY)).await;
    assert_eq!(
        changes["changes"]
            .as_array()
            .expect("present")
            .last()
            .expect("present")["change"]["change"],
        "handover"
    );
}

#[tokio::test]
async fn acting_approval_follows_stand_in_chains_within_the_pack_limit() {
    // kr: acting_chain_limit = 2 (A → B → C when B is away too, no further).
    let app = app_with(&[]).await;
    let o = org(&app, AGENCY).await;
    let a = app.agency_admin(AGENCY);
    let now = chrono::Utc::now();
    for (absent, stand_in) in [
        ("director", "deputy"),
        ("deputy", "leader"),
        ("leader", "extra"),
    ] {
        let (s, v) = post(
            &app,
            "/docflow/v1/org/stand-ins",
            &a,
            json!({"position_id": o.pos(absent), "stand_in_position_id": o.pos(stand_in),
                   "valid_from": now - chrono::Duration::minutes(1),
                   "valid_to": now + chrono::Duration::days(1), "reason": "away"}),
        )
        .await;
        assert_eq!(s, 201, "{v}");
    }
    let (s, d) = draft(
        &app,
        &o,
        "general",
        None,
        vec![step("delegated_approve", &o.pos("director"))],
    )
    .await;
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_str().expect("id").to_owned();
    submit(&app, &o, &id, 1).await;
    // Three hops away: refused.
    let (s, v) = act(&app, &o, "extra", &id, "approve", 1, None).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (403, Some("docflow.not_your_turn")),
        "{v}"
    );
    // Two hops: the leader acts for the director, through the deputy.
    let (s, r) = act(&app, &o, "leader", &id, "approve", 1, None).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["mode"], "acting");
    assert_eq!(
        r["signature"]["chain"],
        json!([o.pos("director"), o.pos("deputy"), o.pos("leader")])
    );
    // general is not an important type: no post-report.
    let doc = show(&app, &o, "drafter", &id).await;
    assert!(current(&doc).is_empty(), "{doc}");
}

#[tokio::test]
async fn post_hoc_approval_where_the_pack_enables_it() {
    // py enables 후결: the head of department approves urgently, the minister confirms or
    // objects afterwards.
    let app = app_with(&[("EGOV__COUNTRY__CODE", "py")]).await;
    let a = app.agency_admin("MIC");
    let (s, unit) = post(
        &app,
        "/docflow/v1/org/units",
        &a,
        json!({"code": "DGA", "name": "Dirección General"}),
    )
    .await;
    assert_eq!(s, 201, "{unit}");
    let mut pos = std::collections::HashMap::new();
    let mut accounts = std::collections::HashMap::new();
    for (name, rank) in [("ministro", 1), ("jefe", 4), ("redactor", 4)] {
        let (s, p) = post(
            &app,
            "/docflow/v1/org/positions",
            &a,
            json!({"unit_id": unit["id"], "title": name, "rank": rank}),
        )
        .await;
        assert_eq!(s, 201, "{p}");
        let account = app.officer_account(&format!("mic-{name}"), "MIC").await;
        let (s, x) = post(
            &app,
            "/docflow/v1/org/assignments",
            &a,
            json!({"position_id": p["id"], "account": account}),
        )
        .await;
        assert_eq!(s, 201, "{x}");
        pos.insert(name, p["id"].as_str().expect("id").to_owned());
        accounts.insert(name, account);
    }
    let tok = |who: &str| app.officer_named(&accounts[who], &[], "MIC");
    let (s, d) = post(&app, "/docflow/v1/documents", &tok("redactor"), json!({
        "position": pos["redactor"], "doc_type": "general", "title": "Nota urgente",
        "body": {"text": "Se autoriza el viaje."}, "classification": "MIC-01", "disclosure": "public",
        "line": [step("delegated_approve", &pos["jefe"]), step("post_approve", &pos["ministro"])]})).await;
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_str().expect("id").to_owned();
    let (s, v) = post(
        &app,
        &format!("/docflow/v1/documents/{id}/submit"),
        &tok("redactor"),
        json!({"version": 1}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = post(
        &app,
        &format!("/docflow/v1/documents/{id}/actions"),
        &tok("jefe"),
        json!({"action": "approve", "version": 1}),
    )
    .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("registered")), "{v}");
    assert_eq!(
        v["registration_no"].as_str().map(|n| n.starts_with("DGA/")),
        Some(true),
        "{v}"
    );
    let (s, v) = post(
        &app,
        &format!("/docflow/v1/documents/{id}/actions"),
        &tok("ministro"),
        json!({"action": "object", "version": 1}),
    )
    .await;
    assert_eq!(s, 422, "an objection needs an opinion: {v}");
    let (s, v) = post(
        &app,
        &format!("/docflow/v1/documents/{id}/actions"),
        &tok("ministro"),
        json!({"action": "object", "version": 1, "opinion": "Debió consultarse antes."}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let (_, h) = get(
        &app,
        &format!("/docflow/v1/documents/{id}/history"),
        &tok("redactor"),
    )
    .await;
    assert!(
        h["events"]
            .as_array()
            .expect("events")
            .iter()
            .any(|e| e["action"] == "post_hoc_objected"),
        "{h}"
    );
}

#[tokio::test]
async fn low_a_pdf_html_polyglot_is_stored_and_served_as_a_pdf_download() {
    use base64::Engine as _;
    let app = app_with(&[]).await;
    let o = org(&app, AGENCY).await;
    let doc = |name: &str, media_type: &str, bytes: &[u8]| {
        json!({
            "position": o.pos("drafter"), "doc_type": "regulation", "title": "Lease",
            "body": {"paragraphs": ["Lease terms."]},
            "attachments": [{"name": name, "media_type": media_type,
                             "content": base64::engine::general_purpose::STANDARD.encode(bytes)}],
            "classification": "1310000-A-01", "disclosure": "public",
            "line": [step("approve", &o.pos("head"))],
        })
    };
    let drafter = o.token(&app, "drafter");
    // HTML, declared as HTML or disguised as CSV, is refused.
    for (name, media_type) in [("lease.html", "text/html"), ("lease.csv", "text/csv")] {
        let (s, v) = post(
            &app,
            "/docflow/v1/documents",
            &drafter,
            doc(name, media_type, b"<html><script>alert(1)</script></html>"),
        )
        .await;
        assert_eq!(s, 422, "{v}");
        assert_eq!(v["errors"][0]["pointer"], "/attachments/0/content", "{v}");
    }
    // A PDF that is also HTML is a PDF: stored as lease.pdf, served as a download.
    let polyglot = b"%PDF-1.7\n<html><script>alert(document.cookie)</script></html>\n%%EOF";
    let (s, d) = post(
        &app,
        "/docflow/v1/documents",
        &drafter,
        doc("lease.html", "text/html", polyglot),
    )
    .await;
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_str().expect("id");
    let shown = show(&app, &o, "drafter", id).await;
    let att = &shown["current"]["attachments"][0];
    assert_eq!(att["name"], "lease.pdf", "{shown}");
    assert_eq!(att["media_type"], "application/pdf", "{shown}");
    let sha = att["sha256"].as_str().expect("sha");
    let res = app
        .client
        .get(app.url(&format!(
            "/docflow/v1/documents/{id}/attachments/{sha}?purpose=review"
        )))
        .bearer_auth(&drafter)
        .send()
        .await
        .expect("req");
    assert_eq!(res.status(), 200);
    let h = |n: &str| {
        res.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(h("content-type"), "application/pdf");
    assert_eq!(h("x-content-type-options"), "nosniff");
    assert!(
        h("content-disposition").starts_with("attachment;")
            && h("content-disposition").contains("lease.pdf"),
        "{}",
        h("content-disposition")
    );
}

#[tokio::test]
async fn finding_4_a_document_history_cut_short_is_caught_by_its_anchor() {
    let app = app_with(&[]).await;
    let o = org(&app, AGENCY).await;
    let (s, d) = draft(
        &app,
        &o,
        "regulation",
        None,
        vec![step("approve", &o.pos("head"))],
    )
    .await;
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_str().expect("id").to_owned();
    submit(&app, &o, &id, 1).await;
    assert_eq!(act(&app, &o, "head", &id, "approve", 1, None).await.0, 200);
    assert!(app.state.anchor_now().await.expect("anchor") >= 1);
    let check = || {
        let lines = egov_core::anchor::read(app.state.anchorer.sink()).expect("anchors");
        let keys = vec![app.state.anchorer.verifying_key()];
        let db = app.state.db.clone();
        async move {
            db.run(move |c| {
                egov_core::anchor::check(c, &egov_docflow::store::HistoryTrail, &lines, &keys)
            })
            .await
            .expect("check")
        }
    };
    let r = check().await;
    assert!(r.intact() && r.chains >= 1, "{r:?}");
    // An insider who owns the database drops the append-only guard and removes the approval
    // from the document's history.
    let postgres = matches!(app.state.db.backend(), egov_core::db::Backend::Postgres);
    sql(
        &app,
        if postgres {
            "DROP TRIGGER docflow_events_append_only ON docflow_events"
        } else {
            "DROP TRIGGER docflow_events_no_delete"
        },
    )
    .await;
    sql(
        &app,
        &format!(
            "DELETE FROM docflow_events WHERE document_id = '{id}' AND seq = \
             (SELECT MAX(seq) FROM docflow_events WHERE document_id = '{id}')"
        ),
    )
    .await;
    let r = check().await;
    assert!(
        r.problems
            .iter()
            .any(|p| p.contains(&id) && p.contains("removed from the end")),
        "{r:?}"
    );
}

#[tokio::test]
async fn low_assignments_name_an_official_of_the_agency() {
    let app = app_with(&[]).await;
    let a = app.agency_admin(AGENCY);
    let (_, unit) = post(
        &app,
        "/docflow/v1/org/units",
        &a,
        json!({"code": "MOIS-X", "name": "X division"}),
    )
    .await;
    let (_, p) = post(
        &app,
        "/docflow/v1/org/positions",
        &a,
        json!({"unit_id": unit["id"], "title": "clerk", "rank": 5}),
    )
    .await;
    let elsewhere = app.officer_account("moe-clerk", "MOE").await;
    for account in [
        "anything at all",
        "9a1e0b7c-0000-7000-8000-000000000000",
        elsewhere.as_str(),
    ] {
        let (s, v) = post(
            &app,
            "/docflow/v1/org/assignments",
            &a,
            json!({"position_id": p["id"], "account": account}),
        )
        .await;
        assert_eq!(s, 422, "{account}: {v}");
        assert_eq!(v["errors"][0]["pointer"], "/account", "{v}");
    }
    let ours = app.officer_account("mois-clerk", AGENCY).await;
    let (s, v) = post(
        &app,
        "/docflow/v1/org/assignments",
        &a,
        json!({"position_id": p["id"], "account": ours}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    // Work is handed over only to an official of the agency too.
    let (s, v) = post(
        &app,
        "/docflow/v1/org/handover",
        &a,
        json!({"from": ours, "to": elsewhere, "reason": "transfer to another division"}),
    )
    .await;
    assert_eq!((s, &v["errors"][0]["pointer"]), (422, &json!("/to")), "{v}");
}

#[tokio::test]
async fn a_document_the_pdf_font_cannot_draw_is_refused_not_printed_with_boxes() {
    let app = app_with(&[]).await;
    let o = org(&app, AGENCY).await;
    // A character no font of the deployment has (an Egyptian hieroglyph).
    let (s, doc) = post(
        &app,
        "/docflow/v1/documents",
        &o.token(&app, "drafter"),
        json!({
        "position": o.pos("drafter"), "doc_type": "general", "title": "Notice 𓀀",
        "body": {"paragraphs": ["아래와 같이 알립니다."]}, "classification": "1310000-A-01",
        "disclosure": "public", "line": [step("approve", &o.pos("head"))]}),
    )
    .await;
    assert_eq!(s, 201, "{doc}");
    let id = doc["id"].as_str().expect("id").to_owned();
    submit(&app, &o, &id, 1).await;
    let (s, v) = act(&app, &o, "head", &id, "approve", 1, None).await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = get(
        &app,
        &format!("/docflow/v1/documents/{id}/pdf"),
        &o.token(&app, "drafter"),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (503, Some("docflow.pdf_font")),
        "{v}"
    );
    assert!(v["detail"].as_str().is_some_and(|d| d.contains('𓀀')), "{v}");
}

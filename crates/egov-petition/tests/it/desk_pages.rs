//! The petition desk over HTTP, as an officer's browser uses it: sign-in with a second factor,
//! the work list's views, a case opened only with a reason (recorded in the access log the
//! applicant reads), attachments downloaded with it, every action's form with its refusals
//! shown beside it, duplicates suggested and merged, the extension limit, assignment only to
//! the agency's officers. Runs on SQLite and PostgreSQL.

use egov_testing::browser::{Answer, Browser, text};
use egov_testing::clients::petition::Petition;
use egov_testing::mfa::{enrol_totp, totp};
use egov_testing::{Spawn, TestApp, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple 9";
const OFFICER: &[&str] = &["petition.officer"];
const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

async fn app() -> TestApp {
    spawn_app_with(Spawn {
        modules: &["auth", "exchange", "petition"],
        settings: &[],
    })
    .await
}

async fn api_token(app: &TestApp, username: &str) -> String {
    app.password_login(username, PASSWORD).await
}

/// A registered citizen: their API token.
async fn citizen(app: &TestApp, username: &str, nid: &str) -> String {
    let res = app
        .post_json(
            "/auth/register",
            &json!({"kind": "citizen", "username": username, "display_name": "Kim Minji",
                    "password": PASSWORD, "national_id": nid}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    api_token(app, username).await
}

/// An officer of `agency` with a password and TOTP, signed in on the desk in a browser: the
/// browser, the account id.
async fn officer<'a>(
    app: &'a TestApp,
    username: &str,
    name: &str,
    agency: &str,
) -> (Browser<'a>, String) {
    let id = app
        .official(username, name, agency, OFFICER, Some(PASSWORD))
        .await;
    let token = api_token(app, username).await;
    let (secret, _) = enrol_totp(app, &token).await;
    let mut b = Browser::new(app);
    b.language = Some("en".into());
    let code = totp(&secret, 0);
    let list = b
        .sign_in("/desk/petitions", username, PASSWORD, Some(&code))
        .await;
    ok(&list, "the work list after sign-in");
    (b, id)
}

fn ok(a: &Answer, what: &str) {
    assert_eq!(a.status, StatusCode::OK, "{what}: {}", a.body);
}

/// Posts an action's form of the case page `page` and answers the result.
async fn act(b: &mut Browser<'_>, page: &Answer, id: &str, fields: &[(&str, &str)]) -> Answer {
    let csrf = page.field("csrf").expect("csrf");
    let mut form = vec![("csrf", csrf.as_str()), ("why", "handling")];
    form.extend_from_slice(fields);
    b.post(&format!("/desk/petitions/{id}/actions"), &form)
        .await
}

/// Posts an action that must go through; answers the case page it leads back to.
async fn done(b: &mut Browser<'_>, page: &Answer, id: &str, fields: &[(&str, &str)]) -> Answer {
    let a = act(b, page, id, fields).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{fields:?}: {}", a.body);
    let to = a.location.clone().expect("back to the case");
    assert!(
        to.starts_with(&format!("/desk/petitions/{id}?why=handling&done=")),
        "{to}"
    );
    let page = b.get(&to).await;
    ok(&page, "the case after the action");
    assert!(text(&page.body).contains("Done:"), "{}", page.body);
    page
}

/// The petition module's access-log records about the citizen whose token this is, newest
/// first (their own sign-ins are left out).
async fn access_log(app: &TestApp, token: &str) -> Vec<Value> {
    let (s, log) = app
        .send(
            reqwest::Method::GET,
            "/auth/me/access-log",
            Some(token),
            None,
        )
        .await;
    assert_eq!(s, 200, "{log}");
    log["records"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r["module"] == "petition")
        .collect()
}

async fn complaint(app: &TestApp, token: &str, lat: f64) -> (String, String) {
    let (s, d) = Petition(app)
        .create(
            token,
            &json!({"service": "road-complaint",
                "form": {"problem": "streetlight", "region": "seoul-gangnam", "description": "Street light out by the school"},
                "location": {"lat": lat, "long": 127.0276}}),
        )
        .await;
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_str().expect("id").to_owned();
    let (s, sub) = Petition(app).submit(token, &id).await;
    assert_eq!(s, 200, "{sub}");
    let receipt = sub["case"]["receipt_no"]
        .as_str()
        .expect("receipt")
        .to_owned();
    (id, receipt)
}

#[tokio::test]
async fn an_officer_handles_a_complaint_on_the_desk_with_every_read_recorded() {
    let app = app().await;
    let me = citizen(&app, "kim.minji", "900101-1234567").await;
    let neighbour = citizen(&app, "lee.seojun", "850505-2345678").await;
    let (first, first_receipt) = complaint(&app, &me, 37.4979).await;
    let (second, second_receipt) = complaint(&app, &neighbour, 37.49808).await;
    let (mut b, officer_id) = officer(&app, "park.jiwoo", "Park Jiwoo", "GANGNAM").await;

    // The work list: both cases, unassigned, earliest due first; no applicant data.
    let list = b.get("/desk/petitions").await;
    ok(&list, "work list");
    let words = text(&list.body);
    assert!(
        words.contains(&first_receipt) && words.contains(&second_receipt),
        "{words}"
    );
    assert!(words.contains("Not assigned"), "{words}");
    assert!(!words.contains("Street light out by the school"), "{words}");
    assert_eq!(list.headers["cache-control"], "no-store");
    let mine = b.get("/desk/petitions?view=mine").await;
    ok(&mine, "mine");
    assert!(text(&mine.body).contains("No cases match this view."));
    assert!(mine.body.contains(r#"aria-current="page""#));
    let bad = b.get("/desk/petitions?view=everything").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.starts_with("<!doctype html>"));
    let paged = b.get("/desk/petitions?after=garbage").await;
    assert!(paged.status.is_client_error(), "{}", paged.status);
    // My page links the officer to the desk, not to citizens' pages.
    let my = b.get("/my").await;
    assert!(my.body.contains(r#"href="/desk/petitions""#), "{}", my.body);
    assert!(!my.body.contains(r#"href="/my/applications""#));

    // Opening a case asks why first, and reads nothing personal until then.
    let why = b.get(&format!("/desk/petitions/{second}")).await;
    ok(&why, "the reason form");
    assert!(text(&why.body).contains("Why are you opening this case?"));
    assert!(!why.body.contains("Street light out by the school"));
    let log = access_log(&app, &neighbour).await;
    assert!(log.is_empty(), "{log:?}");
    let blank = b
        .get(&format!("/desk/petitions/{second}?why=other&why_other=+"))
        .await;
    assert_eq!(blank.status, StatusCode::BAD_REQUEST);
    assert!(
        blank.body.contains(r##"href="#why-other""##),
        "{}",
        blank.body
    );
    assert!(access_log(&app, &neighbour).await.is_empty());

    let page = b
        .get(&format!("/desk/petitions/{second}?why=handling"))
        .await;
    ok(&page, "the case");
    let words = text(&page.body);
    assert!(words.contains("Street light out by the school"), "{words}");
    assert!(words.contains("Possible duplicates"), "{words}");
    assert!(
        page.body
            .contains(&format!("/desk/petitions/{first}?why=duplicate"))
    );
    assert!(words.contains("0 of 1 used"), "{words}");
    assert!(words.contains("Due "), "the statutory clock: {words}");
    let log = access_log(&app, &neighbour).await;
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["purpose"], "Handling this case");
    assert_eq!(log[0]["actor_name"], "Park Jiwoo");

    // Receive; a made-up handler is refused beside the field; assign to me.
    let page = done(&mut b, &page, &second, &[("action", "receive")]).await;
    let refused = act(
        &mut b,
        &page,
        &second,
        &[("action", "assign"), ("assignee", "officer-7")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(
        refused.body.contains(r##"href="#assign-assignee""##),
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains(&format!(r#"<option value="{officer_id}""#)),
        "the agency's officers are offered"
    );
    let page = done(
        &mut b,
        &page,
        &second,
        &[("action", "assign"), ("assignee", &officer_id)],
    )
    .await;
    assert!(text(&page.body).contains("Park Jiwoo"));
    let mine = b.get("/desk/petitions?view=mine").await;
    assert!(text(&mine.body).contains(&second_receipt));
    assert!(!text(&mine.body).contains(&first_receipt));
    let unassigned = b.get("/desk/petitions?view=unassigned").await;
    assert!(!text(&unassigned.body).contains(&second_receipt));

    // A supplement request needs the words; the applicant answers; review again.
    let page = done(&mut b, &page, &second, &[("action", "review")]).await;
    let refused = act(
        &mut b,
        &page,
        &second,
        &[("action", "request_supplement"), ("reason", "  ")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        text(&refused.body).contains("What is needed, and why: fill this in"),
        "{}",
        refused.body
    );
    let page = done(
        &mut b,
        &page,
        &second,
        &[
            ("action", "request_supplement"),
            ("reason", "Which pole number?"),
        ],
    )
    .await;
    assert!(text(&page.body).contains("Paused since"), "{}", page.body);
    let paused = b.get("/desk/petitions").await;
    assert!(text(&paused.body).contains("Paused: waiting for the applicant"));
    let (s, r) = Petition(&app)
        .supplement(&neighbour, &second, &json!({"note": "Pole 12-34"}))
        .await;
    assert_eq!(s, 200, "{r}");
    let page = b
        .get(&format!("/desk/petitions/{second}?why=handling"))
        .await;
    let page = done(&mut b, &page, &second, &[("action", "review")]).await;

    // One extension (the kr pack's limit): then the form is gone and a second is refused.
    let refused = act(
        &mut b,
        &page,
        &second,
        &[
            ("action", "extend"),
            ("working_days", "99"),
            ("reason", "Parts"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains(r##"href="#extend-working_days""##));
    let page = done(
        &mut b,
        &page,
        &second,
        &[
            ("action", "extend"),
            ("working_days", "5"),
            ("reason", "Parts must be ordered"),
        ],
    )
    .await;
    assert!(text(&page.body).contains("1 of 1 used"));
    assert!(
        !page.body.contains(r#"id="act-extend""#),
        "no second extension offered"
    );
    let refused = act(
        &mut b,
        &page,
        &second,
        &[
            ("action", "extend"),
            ("working_days", "2"),
            ("reason", "More parts"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        text(&refused.body).contains("extended as many times as the country pack allows"),
        "{}",
        refused.body
    );

    // The duplicate merged into this case from its own page.
    let dup = b
        .get(&format!("/desk/petitions/{first}?why=duplicate"))
        .await;
    ok(&dup, "the duplicate");
    assert!(
        dup.body.contains(&format!(r#"value="{second_receipt}""#)),
        "{}",
        dup.body
    );
    let csrf = dup.field("csrf").expect("csrf");
    let merged = b
        .post(
            &format!("/desk/petitions/{first}/actions"),
            &[
                ("csrf", csrf.as_str()),
                ("why", "duplicate"),
                ("action", "merge"),
                ("into", second_receipt.as_str()),
                ("reason", "The same street light"),
            ],
        )
        .await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.body);
    let (_, v) = Petition(&app).application(&me, &first).await;
    assert_eq!(v["status"], "merged");
    assert_eq!(access_log(&app, &me).await[0]["purpose"], "petition.merge");

    // A rejection must state the remedies; then it is decided and closed.
    let page = b
        .get(&format!("/desk/petitions/{second}?why=handling"))
        .await;
    assert!(
        text(&page.body).contains(&first_receipt),
        "merged from: {}",
        page.body
    );
    let refused = act(
        &mut b,
        &page,
        &second,
        &[
            ("action", "decide"),
            ("decision", "rejected"),
            ("reason", "Works on inspection"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.body.contains(r##"href="#decide-remedies""##),
        "{}",
        refused.body
    );
    let page = done(
        &mut b,
        &page,
        &second,
        &[
            ("action", "decide"),
            ("decision", "rejected"),
            ("reason", "Works on inspection"),
            ("remedies", "Appeal to the ACRC within 90 days"),
        ],
    )
    .await;
    let page = done(&mut b, &page, &second, &[("action", "close")]).await;
    let words = text(&page.body);
    assert!(
        words.contains("Nothing can be done on this case"),
        "{words}"
    );
    assert!(
        words.contains("Pole 12-34") || words.contains("Supplement sent by the applicant"),
        "{words}"
    );
    let (_, v) = Petition(&app).application(&neighbour, &second).await;
    assert_eq!(v["status"], "closed");

    // A form from elsewhere (no token) changes nothing.
    let forged = b
        .post(
            &format!("/desk/petitions/{second}/actions"),
            &[
                ("csrf", "forged"),
                ("why", "handling"),
                ("action", "receive"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // Another agency's officer does not find the case.
    let (mut other, _) = officer(&app, "choi.yuna", "Choi Yuna", "BUSAN").await;
    let a = other
        .get(&format!("/desk/petitions/{second}?why=handling"))
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    // A citizen is not let onto the desk.
    let mut c = Browser::new(&app);
    c.language = Some("en".into());
    let a = c
        .log_in("/desk/petitions", "kim.minji", PASSWORD, None)
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_attachment_is_read_with_the_reason_and_an_approved_application_issued() {
    let app = app().await;
    let me = citizen(&app, "kim.minji", "900101-1234567").await;
    let (s, d) = Petition(&app)
        .create(
            &me,
            &json!({"service": "business-registration", "form": {"business_name": "Hangang Books", "representative_id": "900101-1234567",
                "business_type": "retail", "start_date": "2026-03-02",
                "workplace": {"line1": "1 Jongno", "city": "Seoul"}}}),
        )
        .await;
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_str().expect("id").to_owned();
    let (s, a) = Petition(&app)
        .upload(
            &me,
            &id,
            "filename=lease.pdf&evidence=lease",
            PDF,
            "application/pdf",
        )
        .await;
    assert_eq!(s, 201, "{a}");
    let (s, sub) = Petition(&app).submit(&me, &id).await;
    assert_eq!(s, 200, "{sub}");
    let (mut b, _) = officer(&app, "yoon.seo", "Yoon Seo", "NTS").await;

    let page = b
        .get(&format!(
            "/desk/petitions/{id}?why=other&why_other=Checking+the+lease"
        ))
        .await;
    ok(&page, "the case");
    let href = page
        .body
        .split("href=\"")
        .find(|s| s.starts_with(&format!("/desk/petitions/{id}/attachments/")))
        .and_then(|s| s.split('"').next())
        .expect("the attachment's link")
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    let file = b.get(&href).await;
    ok(&file, "the download");
    assert_eq!(file.headers["content-type"], "application/pdf");
    assert!(
        file.headers["content-disposition"]
            .as_bytes()
            .starts_with(b"attachment")
    );
    assert_eq!(file.headers["x-content-type-options"], "nosniff");
    let log = access_log(&app, &me).await;
    assert_eq!(log.len(), 2, "the opening and the download: {log:?}");
    assert!(
        log.iter().all(|r| r["purpose"] == "Checking the lease"),
        "{log:?}"
    );
    // Without a reason the download goes back to the reason form.
    let bare = href.split('?').next().expect("path");
    let a = b.get(bare).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(access_log(&app, &me).await.len(), 2);

    let page = b.get(&format!("/desk/petitions/{id}?why=handling")).await;
    let page = done(&mut b, &page, &id, &[("action", "receive")]).await;
    let page = done(&mut b, &page, &id, &[("action", "review")]).await;
    let page = done(
        &mut b,
        &page,
        &id,
        &[
            ("action", "decide"),
            ("decision", "approved"),
            ("reason", "All in order"),
        ],
    )
    .await;
    assert!(
        !page.body.contains(r#"id="act-close""#),
        "an approved certificate is issued, not closed"
    );
    let page = done(&mut b, &page, &id, &[("action", "issue")]).await;
    let words = text(&page.body);
    assert!(words.contains("Documents issued"), "{words}");
    assert!(words.contains("Document issued"), "{words}");
    let (_, docs) = Petition(&app).my_documents(&me, &id).await;
    assert_eq!(docs.as_array().map(Vec::len), Some(1), "{docs}");
}

#[tokio::test]
async fn the_compliance_report_counts_answers_on_time_open_overdue_and_extensions() {
    let app = app().await;
    let me = citizen(&app, "kim.minji", "900101-1234567").await;
    let (answered, _) = complaint(&app, &me, 37.4979).await;
    let (open, _) = complaint(&app, &me, 37.51).await;
    let off = app.token(egov_testing::As {
        kind: "officer",
        roles: OFFICER,
        agency: Some("GANGNAM"),
        ..Default::default()
    });
    for body in [
        json!({"action": "receive"}),
        json!({"action": "review"}),
        json!({"action": "extend", "working_days": 2, "reason": "A site visit"}),
        json!({"action": "decide", "decision": "approved", "reason": "Fixed"}),
    ] {
        let (s, r) = Petition(&app).act(&off, &answered, body).await;
        assert_eq!(s, 200, "{r}");
    }
    // The other one is past its due time, untouched.
    let i = open.clone();
    app.state
        .db
        .run(move |c| {
            use diesel::prelude::*;
            use egov_petition::store::petition_cases::dsl as pc;
            diesel::update(pc::petition_cases.find(&i))
                .set(pc::due_at.eq(Some(
                    chrono::Utc::now().naive_utc() - chrono::Duration::hours(2),
                )))
                .execute(c)?;
            Ok(())
        })
        .await
        .expect("backdate");
    let today = chrono::Utc::now().date_naive();
    let (from, to) = (
        today - chrono::Duration::days(2),
        today + chrono::Duration::days(1),
    );
    let period = format!("from={from}&to={to}");
    let supervisor = app.token(egov_testing::As {
        kind: "officer",
        roles: &["petition.supervisor"],
        agency: Some("GANGNAM"),
        ..Default::default()
    });
    let get = |token: String, path: &'static str, query: String| {
        let app = &app;
        async move {
            app.send(
                reqwest::Method::GET,
                &format!("/petition/v1/{path}?{query}"),
                Some(&token),
                None,
            )
            .await
        }
    };
    let (s, r) = get(supervisor.clone(), "reports/compliance", period.clone()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["agency"], "GANGNAM");
    let total = &r["total"];
    assert_eq!(
        (
            total["received"].as_u64(),
            total["answered"].as_u64(),
            total["answered_on_time"].as_u64()
        ),
        (Some(2), Some(1), Some(1)),
        "{r}"
    );
    assert_eq!(total["on_time_percent"], 100.0);
    assert_eq!(
        total["median_working_days"], 0.0,
        "answered the day it came"
    );
    assert_eq!(
        (total["open"].as_u64(), total["open_overdue"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        (
            total["extended_cases"].as_u64(),
            total["extensions"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(r["services"][0]["service"], "road-complaint");
    // Without dates: this year to today.
    let (s, r) = get(supervisor.clone(), "reports/compliance", String::new()).await;
    assert_eq!(s, 200, "{r}");
    assert!(
        r["from"].as_str().is_some_and(|f| f.ends_with("-01-01")),
        "{r}"
    );
    // Who may read it, for which agency and period.
    let auditor = app.token(egov_testing::As {
        kind: "auditor",
        ..Default::default()
    });
    let (reports, oversight) = ("reports/compliance", "oversight/compliance");
    for (who, path, query, want, why) in [
        (
            &off,
            reports,
            period.clone(),
            403,
            "an officer without the supervisor role",
        ),
        (
            &supervisor,
            reports,
            format!("agency=BUSAN&{period}"),
            400,
            "a supervisor's own agency only",
        ),
        (
            &auditor,
            reports,
            period.clone(),
            403,
            "auditors read through oversight",
        ),
        (
            &auditor,
            oversight,
            period.clone(),
            400,
            "an auditor names the agency",
        ),
        (
            &auditor,
            oversight,
            format!("agency=NOWHERE&{period}"),
            422,
            "an agency of the pack",
        ),
        (
            &supervisor,
            oversight,
            format!("agency=GANGNAM&{period}"),
            403,
            "oversight is for auditors",
        ),
        (
            &supervisor,
            reports,
            format!("from={to}&to={from}"),
            422,
            "the period backwards",
        ),
        (
            &supervisor,
            reports,
            "from=2025-01-01&to=2026-12-31".into(),
            422,
            "more than a year",
        ),
        (&me, reports, period.clone(), 403, "a citizen"),
    ] {
        let (s, e) = get(who.clone(), path, query).await;
        assert_eq!(s, want, "{why}: {e}");
    }
    let (s, r) = get(
        auditor.clone(),
        oversight,
        format!("agency=GANGNAM&{period}"),
    )
    .await;
    assert_eq!((s, r["total"]["received"].as_u64()), (200, Some(2)));

    // The page and its CSV, for a supervisor signed in with a second factor.
    app.official(
        "han.sup",
        "Han Supervisor",
        "GANGNAM",
        &["petition.officer", "petition.supervisor"],
        Some(PASSWORD),
    )
    .await;
    let token = api_token(&app, "han.sup").await;
    let (secret, _) = enrol_totp(&app, &token).await;
    let mut b = Browser::new(&app);
    b.language = Some("en".into());
    let code = totp(&secret, 0);
    let page = b
        .sign_in(
            &format!("/desk/reports/compliance?{period}"),
            "han.sup",
            PASSWORD,
            Some(&code),
        )
        .await;
    ok(&page, "the report");
    let words = text(&page.body);
    assert!(words.contains("Road and street-light complaint"), "{words}");
    assert!(words.contains("100.0 % (1)"), "{words}");
    assert!(words.contains("1 case, 1 in all"), "{words}");
    let my = b.get("/my").await;
    assert_eq!(
        my.body
            .matches(r#"href="/desk/reports/compliance""#)
            .count(),
        1,
        "linked once"
    );
    let href = page
        .body
        .split("href=\"")
        .find(|s| s.starts_with("/desk/reports/compliance.csv"))
        .and_then(|s| s.split('"').next())
        .expect("the CSV link")
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    let csv = b.get(&href).await;
    ok(&csv, "the CSV");
    assert!(
        csv.headers["content-type"]
            .as_bytes()
            .starts_with(b"text/csv")
    );
    assert!(
        csv.body.starts_with('\u{feff}'),
        "a byte-order mark for spreadsheets"
    );
    let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').lines().collect();
    assert!(
        lines[0].starts_with("Service id,Service,Received"),
        "{}",
        lines[0]
    );
    assert!(
        lines.iter().any(|l| l
            .starts_with("road-complaint,Road and street-light complaint,2,1,1,100.0,0.0,1,1,1,1")),
        "{lines:?}"
    );
    assert!(
        lines
            .last()
            .is_some_and(|l| l.starts_with("*,All services,2,")),
        "{lines:?}"
    );
    let bad = b.get("/desk/reports/compliance?from=yesterday").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.body.contains(r##"href="#report-from""##),
        "{}",
        bad.body
    );
}

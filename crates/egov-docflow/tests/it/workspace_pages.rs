//! The document workspace over HTTP, as officials' browsers use it: sign-in with a second
//! factor; drafting with the approval line and the delegation table beside the form (bad input
//! answered with the form and an error summary, nothing drafted); submission, review with an
//! opinion, return to an earlier step and recall, 전결 that registers the document, the
//! signatures' check and the PDF; circulation read and recorded; content reads (and only they)
//! in the history; a document naming people opened only with a purpose; another agency's
//! official sees nothing. Runs on SQLite and PostgreSQL.

use egov_testing::browser::{Answer, Browser, text};
use egov_testing::mfa::{enrol_totp, totp};
use egov_testing::{Spawn, TestApp, spawn_app_with};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple 9";
const AGENCY: &str = "MOIS";

async fn app() -> TestApp {
    spawn_app_with(Spawn {
        modules: &["auth", "exchange", "docflow"],
        settings: &[("EGOV__EXCHANGE__MEMBER", "KR/GOV/1741000")],
    })
    .await
}

/// The value of the first option (or input) after `name="<name>"` in a page.
fn first_value(body: &str, name: &str) -> String {
    body.split(&format!(r#"name="{name}""#))
        .nth(1)
        .and_then(|r| r.split("value=\"").nth(1))
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| panic!("no {name} in the page"))
        .to_owned()
}

fn ok(a: &Answer, what: &str) {
    assert_eq!(a.status, StatusCode::OK, "{what}: {}", a.body);
}

/// One official of the organisation: their position, account and API token.
struct Person {
    position: String,
    account: String,
    username: String,
    token: String,
    secret: String,
}

/// A unit with positions head (1), director (3), leader (4), drafter (5), reader (5) and the
/// document office's clerk (5, `docflow.office`), each held by an official with a password and
/// TOTP.
async fn organisation(app: &TestApp, agency: &str) -> Vec<(&'static str, Person)> {
    let admin = app.agency_admin(agency);
    let (s, unit) = app
        .send(
            Method::POST,
            "/docflow/v1/org/units",
            Some(&admin),
            Some(&json!({"code": format!("{agency}-PLAN"), "name": "Planning division", "document_office": true})),
        )
        .await;
    assert_eq!(s, 201, "{unit}");
    let mut people = Vec::new();
    for (name, rank, display, roles) in [
        ("head", 1, "Han Minister", &[][..]),
        ("director", 3, "Park Director", &[]),
        ("leader", 4, "Lee Leader", &[]),
        ("drafter", 5, "Kim Drafter", &[]),
        ("reader", 5, "Choi Reader", &[]),
        ("office", 5, "Oh Office", &["docflow.office"]),
        ("records", 5, "Jang Records", &["docflow.records"]),
    ] {
        let (s, p) = app
            .send(
                Method::POST,
                "/docflow/v1/org/positions",
                Some(&admin),
                Some(
                    &json!({"unit_id": unit["id"], "title": format!("{name} post"), "rank": rank}),
                ),
            )
            .await;
        assert_eq!(s, 201, "{p}");
        let username = format!("{}-{name}", agency.to_lowercase());
        let account = app
            .official(&username, display, agency, roles, Some(PASSWORD))
            .await;
        let (s, a) = app
            .send(
                Method::POST,
                "/docflow/v1/org/assignments",
                Some(&admin),
                Some(&json!({"position_id": p["id"], "account": account})),
            )
            .await;
        assert_eq!(s, 201, "{a}");
        let token = app.password_login(&username, PASSWORD).await;
        let (secret, _) = enrol_totp(app, &token).await;
        people.push((
            name,
            Person {
                position: p["id"].as_str().expect("id").to_owned(),
                account,
                username,
                token,
                secret,
            },
        ));
    }
    people
}

fn person<'a>(people: &'a [(&'static str, Person)], name: &str) -> &'a Person {
    &people.iter().find(|(n, _)| *n == name).expect("person").1
}

/// `who` signed in on `path` in a browser of their own.
async fn signed_in<'a>(app: &'a TestApp, who: &Person, path: &str) -> (Browser<'a>, Answer) {
    let mut b = Browser::new(app);
    b.language = Some("en".into());
    let code = totp(&who.secret, 0);
    let page = b.sign_in(path, &who.username, PASSWORD, Some(&code)).await;
    (b, page)
}

/// Posts an action's form of the document page `page`; answers the result.
async fn act(b: &mut Browser<'_>, page: &Answer, id: &str, fields: &[(&str, &str)]) -> Answer {
    let csrf = page.field("csrf").expect("csrf");
    let version = page.field("version").expect("version");
    // The page's hidden fields, as a browser sends them.
    let purpose = page.field("purpose");
    let mut form = vec![("csrf", csrf.as_str()), ("version", version.as_str())];
    if let Some(p) = &purpose {
        form.push(("purpose", p.as_str()));
    }
    form.extend_from_slice(fields);
    b.post(&format!("/desk/documents/{id}/actions"), &form)
        .await
}

/// Posts an action that must go through; answers the document page it leads back to.
async fn done(b: &mut Browser<'_>, page: &Answer, id: &str, fields: &[(&str, &str)]) -> Answer {
    let a = act(b, page, id, fields).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{fields:?}: {}", a.body);
    let to = a.location.clone().expect("back to the document");
    assert!(to.starts_with(&format!("/desk/documents/{id}")), "{to}");
    let page = b.get(&to).await;
    ok(&page, "the document after the action");
    assert!(text(&page.body).contains("Done:"), "{}", page.body);
    page
}

/// The `what` of each content read in the document's history, oldest first.
async fn reads(app: &TestApp, token: &str, id: &str) -> Vec<(String, Value)> {
    let (s, h) = app
        .send(
            Method::GET,
            &format!("/docflow/v1/documents/{id}/history"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(s, 200, "{h}");
    h["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["action"] == "read")
        .map(|e| {
            (
                e["detail"]["what"].as_str().unwrap_or_default().to_owned(),
                e["detail"]["purpose"].clone(),
            )
        })
        .collect()
}

fn draft_form<'f>(csrf: &'f str, people: &'f [(&'static str, Person)]) -> Vec<(&'f str, &'f str)> {
    vec![
        ("csrf", csrf),
        ("position", person(people, "drafter").position.as_str()),
        ("doc_type", "expenditure"),
        ("title", "2027 budget request 예산 요구"),
        (
            "body",
            "The division requests the budget below.\r\n\r\n아래와 같이 예산을 요구합니다.",
        ),
        ("classification", "1310000-A-01"),
        ("disclosure", "public"),
        ("disclosure_ground", ""),
        ("amount", "5000000"),
        ("due", ""),
        ("subjects", ""),
        ("line-0-kind", "review"),
        (
            "line-0-position",
            person(people, "leader").position.as_str(),
        ),
        ("line-0-group", ""),
        ("line-1-kind", "delegated_approve"),
        (
            "line-1-position",
            person(people, "director").position.as_str(),
        ),
        ("line-1-group", ""),
        ("line-2-kind", "circulate"),
        (
            "line-2-position",
            person(people, "reader").position.as_str(),
        ),
        ("line-2-group", ""),
    ]
}

#[tokio::test]
async fn a_document_is_drafted_approved_under_delegation_and_read_on_its_pages() {
    let app = app().await;
    let people = organisation(&app, AGENCY).await;
    let drafter = person(&people, "drafter");

    // The drafting form: the drafter's position, the line's choices, the delegation table.
    let (mut b, form) = signed_in(&app, drafter, "/desk/documents/new").await;
    ok(&form, "the drafting form");
    let shown = text(&form.body);
    assert!(shown.contains("Delegation table in force today"), "{shown}");
    assert!(form.body.contains(&drafter.position), "{}", form.body);
    let csrf = form.field("csrf").expect("csrf");

    // Bad input: the form again with an error summary naming each field; nothing drafted.
    let mut bad = draft_form(&csrf, &people);
    for (k, v) in bad.iter_mut() {
        match *k {
            "title" => *v = "",
            "amount" => *v = "five million",
            "line-1-position" => *v = "",
            _ => {}
        }
    }
    let refused = b.post("/desk/documents/new", &bad).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(
        refused.body.contains("egov-error-summary"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains(r##"href="#amount""##),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains(r##"href="#line-1-position""##),
        "{}",
        refused.body
    );
    // What was typed stays.
    assert!(
        refused.body.contains("The division requests"),
        "{}",
        refused.body
    );
    // The API's own refusals come back the same way: no title.
    let mut no_title = draft_form(&csrf, &people);
    for (k, v) in no_title.iter_mut() {
        if *k == "title" {
            *v = "";
        }
    }
    let refused = b.post("/desk/documents/new", &no_title).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(
        refused.body.contains(r##"href="#title""##),
        "{}",
        refused.body
    );
    // 전결 by a rank the table does not allow (the leader, rank 4, for 5,000,000): refused
    // with the line named.
    let mut low = draft_form(&csrf, &people);
    for (k, v) in low.iter_mut() {
        if *k == "line-1-position" {
            *v = person(&people, "leader").position.as_str();
        }
    }
    let refused = b.post("/desk/documents/new", &low).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    let (s, drafts) = app
        .send(
            Method::GET,
            "/docflow/v1/work/drafts",
            Some(&drafter.token),
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        drafts["items"].as_array().map(Vec::len),
        Some(0),
        "{drafts}"
    );

    // Drafted: the document's page, with "Submit for approval".
    let created = b
        .post("/desk/documents/new", &draft_form(&csrf, &people))
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let to = created.location.clone().expect("to the document");
    let id = to
        .trim_start_matches("/desk/documents/")
        .split('?')
        .next()
        .expect("id")
        .to_owned();
    let page = b.get(&to).await;
    ok(&page, "the new draft");
    let shown = text(&page.body);
    assert!(shown.contains("2027 budget request"), "{shown}");
    assert!(shown.contains("Submit for approval"), "{shown}");
    assert!(shown.contains("No one has signed yet."), "{shown}");
    // It is in the drafts list.
    let list = b.get("/desk/documents?list=drafts").await;
    ok(&list, "my drafts");
    assert!(list.body.contains(&id), "{}", list.body);

    let page = done(&mut b, &page, &id, &[("action", "submit")]).await;
    assert!(
        text(&page.body).contains("Recall the document"),
        "{}",
        page.body
    );
    // Recall, then submit again.
    let page = done(
        &mut b,
        &page,
        &id,
        &[("action", "recall"), ("reason", "Forgot a figure")],
    )
    .await;
    let _ = done(&mut b, &page, &id, &[("action", "submit")]).await;

    // The leader finds it waiting and approves with an opinion.
    let leader = person(&people, "leader");
    let (mut lb, list) = signed_in(&app, leader, "/desk/documents").await;
    ok(&list, "the leader's list");
    assert!(list.body.contains(&id), "{}", list.body);
    let page = lb.get(&format!("/desk/documents/{id}")).await;
    ok(&page, "the document for the leader");
    assert!(text(&page.body).contains("Your step"), "{}", page.body);
    // A stale version is refused beside the form, nothing signed.
    let stale = lb
        .post(
            &format!("/desk/documents/{id}/actions"),
            &[
                ("csrf", page.field("csrf").expect("csrf").as_str()),
                ("version", "99"),
                ("action", "approve"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::BAD_REQUEST, "{}", stale.body);
    assert!(stale.body.contains("egov-error-summary"), "{}", stale.body);
    let page = done(
        &mut lb,
        &page,
        &id,
        &[("action", "approve"), ("opinion", "Figures checked")],
    )
    .await;
    assert!(
        text(&page.body).contains("Figures checked"),
        "{}",
        page.body
    );

    // The director returns it to the leader's step, the leader approves again, the director
    // approves under the delegation table: registered.
    let director = person(&people, "director");
    let (mut db, page) = signed_in(&app, director, &format!("/desk/documents/{id}")).await;
    ok(&page, "the document for the director");
    let page = done(
        &mut db,
        &page,
        &id,
        &[
            ("action", "return"),
            ("to_step", "1"),
            ("reason", "Check line 2 again"),
        ],
    )
    .await;
    assert!(!text(&page.body).contains("Your step"), "{}", page.body);
    let page = lb.get(&format!("/desk/documents/{id}")).await;
    let _ = done(&mut lb, &page, &id, &[("action", "approve")]).await;
    let page = db.get(&format!("/desk/documents/{id}")).await;
    let page = done(&mut db, &page, &id, &[("action", "approve")]).await;
    let shown = text(&page.body);
    assert!(shown.contains("Approved and registered"), "{shown}");
    assert!(shown.contains("Delegated approval"), "{shown}");
    assert!(shown.contains("all checked and valid"), "{shown}");
    assert!(shown.contains("Park Director"), "names, not ids: {shown}");
    for p in [&people[0].1, director, leader, drafter] {
        assert!(!shown.contains(&p.account), "names, not ids: {shown}");
    }
    let pdf = db.get(&format!("/desk/documents/{id}/pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(
        pdf.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );

    // The reader finds it circulated, unread; opening it records the read.
    let reader = person(&people, "reader");
    let (mut rb, list) = signed_in(&app, reader, "/desk/documents?list=circulated").await;
    ok(&list, "the reader's circulated list");
    assert!(text(&list.body).contains("Not read yet"), "{}", list.body);
    let before = reads(&app, &drafter.token, &id).await;
    let page = rb.get(&format!("/desk/documents/{id}")).await;
    ok(&page, "the circulated document");
    let list = rb.get("/desk/documents?list=circulated").await;
    assert!(!text(&list.body).contains("Not read yet"), "{}", list.body);
    let after = reads(&app, &drafter.token, &id).await;
    assert_eq!(after.len(), before.len() + 1, "{after:?}");
    assert_eq!(after.last().map(|r| r.0.as_str()), Some("document"));
    // The lists read no content: nothing recorded.
    let _ = rb.get("/desk/documents?list=circulated").await;
    assert_eq!(reads(&app, &drafter.token, &id).await.len(), after.len());

    // Another agency's official: not found.
    let others = organisation(&app, "MOE").await;
    let (mut ob, _) = signed_in(&app, person(&others, "reader"), "/desk/documents").await;
    let hidden = ob.get(&format!("/desk/documents/{id}")).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.body);
    assert!(!hidden.body.contains("budget"), "{}", hidden.body);

    // Dispatched (시행) to that agency on this platform, through the exchange: its document
    // office receives it (접수) and gives it to a handler; the receipt comes back.
    let member = app.state.settings.exchange.member.clone();
    for (client, service, items) in [
        (
            "docflow",
            "docflow/document-delivery",
            ["document_id", "delivered_at"],
        ),
        (
            "docflow",
            "docflow/receipt-confirmation",
            ["dispatch_id", "status"],
        ),
    ] {
        let (s, g) = app
            .send(
                Method::POST,
                "/exchange/v1/admin/grants",
                Some(&app.platform_admin()),
                Some(&json!({"client": format!("{member}/{client}"), "service": format!("{member}/{service}"),
                    "purpose": "docflow.distribution", "items": items})),
            )
            .await;
        assert_eq!(s, 201, "{g}");
    }
    let page = b.get(&format!("/desk/documents/{id}")).await;
    assert!(page.body.contains(r#"id="do-dispatch""#), "{}", page.body);
    // An agency code that is not one: refused beside the form.
    let refused = act(
        &mut b,
        &page,
        &id,
        &[("action", "dispatch"), ("dispatch-0-agency", "no such!")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(
        refused.body.contains(r##"href="#dispatch-0-agency""##),
        "{}",
        refused.body
    );
    let page = done(
        &mut b,
        &page,
        &id,
        &[("action", "dispatch"), ("dispatch-0-agency", "MOE")],
    )
    .await;
    assert!(text(&page.body).contains("Delivered"), "{}", page.body);
    let office = person(&others, "office");
    let (mut fb, inbox) = signed_in(&app, office, "/desk/documents?list=inbox").await;
    ok(&inbox, "the document office's inbox");
    let remote = inbox
        .body
        .split("<td><a href=\"/desk/documents/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a delivered document")
        .to_owned();
    let page = fb.get(&format!("/desk/documents/{remote}")).await;
    ok(&page, "the delivered document");
    assert!(
        text(&page.body).contains("Receive the document"),
        "{}",
        page.body
    );
    let handler = person(&others, "leader");
    let units = first_value(&page.body, "unit_id");
    let page = done(
        &mut fb,
        &page,
        &remote,
        &[
            ("action", "receive"),
            ("unit_id", &units),
            ("handler", &handler.account),
            ("due", ""),
        ],
    )
    .await;
    assert!(text(&page.body).contains("Received"), "{}", page.body);
    // The sender sees the receipt number.
    let page = b.get(&format!("/desk/documents/{id}")).await;
    assert!(
        text(&page.body).contains("Received by them"),
        "{}",
        page.body
    );
    // The handler finds it, with the sender's signatures checked.
    let (mut hb, list) = signed_in(&app, handler, "/desk/documents?list=circulated").await;
    assert!(list.body.contains(&remote), "{}", list.body);
    let page = hb.get(&format!("/desk/documents/{remote}")).await;
    ok(&page, "the received document for its handler");
    let shown = text(&page.body);
    assert!(shown.contains("all checked and valid"), "{shown}");
    assert!(shown.contains("MOIS"), "from MOIS: {shown}");
}

#[tokio::test]
async fn a_document_naming_people_is_opened_only_with_a_purpose() {
    let app = app().await;
    let people = organisation(&app, AGENCY).await;
    let drafter = person(&people, "drafter");
    let (mut b, form) = signed_in(&app, drafter, "/desk/documents/new").await;
    let csrf = form.field("csrf").expect("csrf");
    let mut fields = draft_form(&csrf, &people);
    let nid = "900101-1234567".to_owned();
    for (k, v) in fields.iter_mut() {
        match *k {
            "subjects" => *v = nid.as_str(),
            "title" => *v = "Decision on the Kim permit",
            _ => {}
        }
    }
    let created = b.post("/desk/documents/new", &fields).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let to = created.location.clone().expect("to the document");
    let id = to
        .trim_start_matches("/desk/documents/")
        .split('?')
        .next()
        .expect("id")
        .to_owned();
    // Without a purpose: only the question, nothing of the document.
    let asked = b.get(&format!("/desk/documents/{id}")).await;
    ok(&asked, "the purpose form");
    assert!(text(&asked.body).contains("Why are you opening this document?"));
    assert!(!asked.body.contains("Kim permit"), "{}", asked.body);
    assert!(reads(&app, &drafter.token, &id).await.is_empty());
    // A purpose too short: asked again.
    let again = b.get(&format!("/desk/documents/{id}?purpose=x")).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.body);
    assert!(!again.body.contains("Kim permit"), "{}", again.body);
    // With one: the document, its read recorded with the purpose.
    let page = b
        .get(&format!(
            "/desk/documents/{id}?purpose=Checking+the+draft+before+submission"
        ))
        .await;
    ok(&page, "the document with a purpose");
    assert!(text(&page.body).contains("Kim permit"), "{}", page.body);
    let r = reads(&app, &drafter.token, &id).await;
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].1, json!("Checking the draft before submission"));
    // The page's forms carry the purpose: submitting comes back to the document with it.
    let a = act(&mut b, &page, &id, &[("action", "submit")]).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert!(
        a.location
            .as_deref()
            .is_some_and(|l| l.contains("purpose=Checking")),
        "{:?}",
        a.location
    );
}

#[tokio::test]
async fn the_workspace_is_for_officials_with_a_second_factor_and_forms_need_their_token() {
    let app = app().await;
    let people = organisation(&app, AGENCY).await;
    // Signed out: to the sign-in, and back (the second factor is asked for after it).
    let mut anon = Browser::new(&app);
    for path in ["/desk/documents", "/desk/documents/new"] {
        let a = anon.get(path).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{path}");
        let to = a.location.clone().unwrap_or_default();
        assert!(to.starts_with("/signin?return="), "{path}: {to}");
    }
    // A citizen: refused.
    let (s, _) = app
        .send(
            Method::POST,
            "/auth/register",
            None,
            Some(
                &json!({"kind": "citizen", "username": "kim.citizen", "display_name": "Kim Citizen",
                         "password": PASSWORD, "national_id": "900101-1234567"}),
            ),
        )
        .await;
    assert_eq!(s, 202);
    let mut citizen = Browser::new(&app);
    citizen.language = Some("en".into());
    let a = citizen.sign_in("/my", "kim.citizen", PASSWORD, None).await;
    ok(&a, "the citizen's My page");
    assert!(!a.body.contains("/desk/documents"), "no link for citizens");
    let a = citizen.get("/desk/documents").await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
    // An officer's My page links to the workspace; a form without the page's token changes
    // nothing.
    let drafter = person(&people, "drafter");
    let (mut b, my) = signed_in(&app, drafter, "/my").await;
    assert!(my.body.contains("href=\"/desk/documents\""), "{}", my.body);
    let forged = b
        .post(
            "/desk/documents/new",
            &[
                ("csrf", "forged"),
                ("title", "Forged"),
                ("doc_type", "general"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    let (s, drafts) = app
        .send(
            Method::GET,
            "/docflow/v1/work/drafts",
            Some(&drafter.token),
            None,
        )
        .await;
    assert_eq!(
        (s, drafts["items"].as_array().map(Vec::len)),
        (200, Some(0))
    );
    // Unknown list, unknown document: not found pages.
    assert_eq!(
        b.get("/desk/documents?list=everything").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.get("/desk/documents/01a24b0d-0000-7000-8000-000000000000")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.get("/desk/documents/not-an-id").await.status,
        StatusCode::NOT_FOUND
    );
    // The inbox is the document office's.
    assert_eq!(
        b.get("/desk/documents?list=inbox").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_records_manager_files_holds_and_is_refused_disposal_while_held_or_retained() {
    let app = app().await;
    let people = organisation(&app, AGENCY).await;
    let drafter = person(&people, "drafter");
    // A registered document (through the API).
    let (s, doc) = app
        .send(
            Method::POST,
            "/docflow/v1/documents",
            Some(&drafter.token),
            Some(&json!({"position": drafter.position, "doc_type": "general", "title": "Records notice",
                "body": {"paragraphs": ["Kept for three years."]}, "classification": "1310000-A-01",
                "disclosure": "public", "line": [{"kind": "approve", "position": person(&people, "head").position}]})),
        )
        .await;
    assert_eq!(s, 201, "{doc}");
    let id = doc["id"].as_str().expect("id").to_owned();
    let (s, v) = app
        .send(
            Method::POST,
            &format!("/docflow/v1/documents/{id}/submit"),
            Some(&drafter.token),
            Some(&json!({"version": 1})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = app
        .send(
            Method::POST,
            &format!("/docflow/v1/documents/{id}/actions"),
            Some(&person(&people, "head").token),
            Some(&json!({"action": "approve", "version": 1})),
        )
        .await;
    assert_eq!(s, 200, "{v}");

    let records = person(&people, "records");
    let (mut b, page) = signed_in(&app, records, "/desk/records").await;
    ok(&page, "the records desk");
    // Other officials do not get the records desk.
    let (mut other, _) = signed_in(&app, drafter, "/desk/documents").await;
    assert_eq!(
        other.get("/desk/records").await.status,
        StatusCode::FORBIDDEN
    );
    // A record file: a year that is not one is refused beside the form.
    let csrf = page.field("csrf").expect("csrf");
    let unit = first_value(&page.body, "unit_id");
    let bad = b
        .post(
            "/desk/records/files",
            &[
                ("csrf", &csrf),
                ("unit_id", &unit),
                ("title", "Notices 2026"),
                ("classification", "1310000-A-01"),
                ("year", "last year"),
                ("retention", "3y"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert!(bad.body.contains(r##"href="#file-year""##), "{}", bad.body);
    let made = b
        .post(
            "/desk/records/files",
            &[
                ("csrf", &csrf),
                ("unit_id", &unit),
                ("title", "Notices 2026"),
                ("classification", "1310000-A-01"),
                ("year", "2026"),
                ("retention", "3y"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    // The production ledger of the unit lists the document.
    let ledger = b
        .get(&format!(
            "/desk/records?unit={unit}&year=2026&kind=production"
        ))
        .await;
    ok(&ledger, "the ledger");
    assert!(
        ledger.body.contains(&format!("/desk/documents/{id}")),
        "{}",
        ledger.body
    );
    assert!(
        text(&ledger.body).contains("Notices 2026"),
        "{}",
        ledger.body
    );
    // On the document: file it, hold it, and disposal is refused while held.
    let page = b.get(&format!("/desk/documents/{id}")).await;
    ok(&page, "the document for the records manager");
    let file_id = first_value(&page.body, "file_id");
    let page = done(
        &mut b,
        &page,
        &id,
        &[("action", "file"), ("file_id", &file_id)],
    )
    .await;
    let refused = act(
        &mut b,
        &page,
        &id,
        &[
            ("action", "hold"),
            ("reason", "Audit of 2026 notices"),
            ("authority", ""),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(
        refused.body.contains(r##"href="#hold-authority""##),
        "{}",
        refused.body
    );
    let page = done(
        &mut b,
        &page,
        &id,
        &[
            ("action", "hold"),
            ("reason", "Audit of 2026 notices"),
            ("authority", "Board of Audit request 2026-17"),
        ],
    )
    .await;
    assert!(
        text(&page.body).contains("Board of Audit request 2026-17"),
        "{}",
        page.body
    );
    let held = act(
        &mut b,
        &page,
        &id,
        &[("action", "dispose"), ("reason", "Retention over")],
    )
    .await;
    assert_eq!(held.status, StatusCode::BAD_REQUEST, "{}", held.body);
    assert!(
        text(&held.body).to_lowercase().contains("legal hold"),
        "{}",
        held.body
    );
    // Released, disposal is still refused: the retention runs.
    let hold = page
        .body
        .split(r#"name="hold" value=""#)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a hold")
        .to_owned();
    let page = done(
        &mut b,
        &page,
        &id,
        &[
            ("action", "release"),
            ("hold", &hold),
            ("reason", "Audit closed"),
        ],
    )
    .await;
    let running = act(
        &mut b,
        &page,
        &id,
        &[("action", "dispose"), ("reason", "Retention over")],
    )
    .await;
    assert_eq!(running.status, StatusCode::BAD_REQUEST, "{}", running.body);
    assert!(
        text(&running.body).contains("retention"),
        "{}",
        running.body
    );
}

/// The value of the option of select `id` whose label has `label`.
fn option_value(body: &str, id: &str, label: &str) -> String {
    let select = body
        .split(&format!(r#"id="{id}""#))
        .nth(1)
        .and_then(|r| r.split("</select>").next())
        .unwrap_or_else(|| panic!("no select {id}"));
    select
        .split("<option value=\"")
        .find(|o| o.contains(label))
        .and_then(|o| o.split('"').next())
        .unwrap_or_else(|| panic!("no option {label} in {id}"))
        .to_owned()
}

/// The agency's organisation, from the API.
async fn org(app: &TestApp) -> Value {
    let (s, org) = app
        .send(
            Method::GET,
            "/docflow/v1/org",
            Some(&app.agency_admin(AGENCY)),
            None,
        )
        .await;
    assert_eq!(s, 200, "{org}");
    org
}

/// The agency's stand-ins, from the API.
async fn stand_ins(app: &TestApp) -> Vec<Value> {
    org(app).await["stand_ins"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn the_agency_admin_keeps_the_organisation_on_its_page() {
    let app = app().await;
    let people = organisation(&app, AGENCY).await;
    // Officers do not manage the organisation.
    let (mut officer, _) = signed_in(&app, person(&people, "drafter"), "/my").await;
    assert_eq!(
        officer.get("/desk/organisation").await.status,
        StatusCode::FORBIDDEN
    );
    // The agency's administrator, with a second factor: My page links to the organisation.
    let username = "mois-orgadmin";
    let admin_account = app
        .account_of_kind(
            egov_auth::Kind::AgencyAdmin,
            username,
            "Seo Admin",
            Some(AGENCY),
            &[],
            Some(PASSWORD),
        )
        .await;
    let token = app.password_login(username, PASSWORD).await;
    let (secret, _) = enrol_totp(&app, &token).await;
    let admin = Person {
        position: String::new(),
        account: admin_account,
        username: username.into(),
        token,
        secret,
    };
    let (mut b, my) = signed_in(&app, &admin, "/my").await;
    assert!(
        my.body.contains("href=\"/desk/organisation\""),
        "{}",
        my.body
    );
    let page = b.get("/desk/organisation").await;
    ok(&page, "the organisation page");
    let shown = text(&page.body);
    assert!(
        shown.contains("director post")
            && shown.contains("Park Director")
            && shown.contains("No stand-ins."),
        "{shown}"
    );
    let csrf = page.field("csrf").expect("csrf");
    let (director, leader) = (person(&people, "director"), person(&people, "leader"));
    let stand_in = |to: &'static str, stand_in: &str, reason: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("what", "stand_in".to_owned()),
            ("position_id", director.position.clone()),
            ("stand_in_position_id", stand_in.to_owned()),
            ("valid_from", "2020-01-01T09:00".to_owned()),
            ("valid_to", to.to_owned()),
            ("reason", reason.to_owned()),
        ]
    };

    // A stand-in with an unreadable end: the page again with what to fix, what was typed
    // kept, and nothing named.
    let form = stand_in("next week", &leader.position, "leave");
    let bad = b.post("/desk/organisation", &refs(&form)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert!(
        bad.body.contains("href=\"#standin-valid_to\""),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("value=\"leave\""), "what was typed stays");
    // Acting for itself, no reason: each field named.
    let form = stand_in("2099-01-01T09:00", &director.position, "");
    let bad = b.post("/desk/organisation", &refs(&form)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    for anchor in ["#standin-stand_in_position_id", "#standin-reason"] {
        assert!(
            bad.body.contains(&format!("href=\"{anchor}\"")),
            "{anchor}: {}",
            bad.body
        );
    }
    assert!(stand_ins(&app).await.is_empty(), "nothing named");

    // The leader stands in for the director, typed in the pack's local time (Seoul, UTC+9).
    let form = stand_in("2099-01-01T09:00", &leader.position, "annual leave");
    let named = b.post("/desk/organisation", &refs(&form)).await;
    assert_eq!(named.status, StatusCode::SEE_OTHER, "{}", named.body);
    let list = stand_ins(&app).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["valid_from"], "2020-01-01T00:00:00Z", "{list:?}");
    assert!(list[0]["ended_at"].is_null());
    let page = b.get(named.location.as_deref().expect("back")).await;
    ok(&page, "after naming");
    let shown = text(&page.body);
    assert!(
        shown.contains("the stand-in is named") && shown.contains("In force"),
        "{shown}"
    );

    // Ended early: at once, and once only.
    let id = list[0]["id"].as_str().expect("id").to_owned();
    let end = [
        ("csrf", csrf.as_str()),
        ("what", "end_stand_in"),
        ("id", id.as_str()),
    ];
    let ended = b.post("/desk/organisation", &end).await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER, "{}", ended.body);
    assert!(!stand_ins(&app).await[0]["ended_at"].is_null());
    let again = b.post("/desk/organisation", &end).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.body);
    assert!(
        text(&again.body).contains("No such stand-in"),
        "{}",
        again.body
    );
    let (s, p) = app
        .send(
            Method::POST,
            &format!("/docflow/v1/org/stand-ins/{id}/end"),
            Some(&app.agency_admin(AGENCY)),
            None,
        )
        .await;
    assert_eq!(
        (s, p["code"].as_str()),
        (404, Some("docflow.stand_in_not_found"))
    );

    // A new position, and an official of the agency assigned to it; a made-up account is
    // refused with the reason in the page's language.
    let unit = option_value(&page.body, "position-unit_id", "Planning division");
    let added = b
        .post(
            "/desk/organisation",
            &[
                ("csrf", &csrf),
                ("what", "position"),
                ("unit_id", &unit),
                ("title", "deputy post"),
                ("rank", "3"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = b.get("/desk/organisation").await;
    let deputy = option_value(&page.body, "assign-position_id", "deputy post");
    b.language = Some("ko".into());
    let assign = |account: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("what", "assign".to_owned()),
            ("position_id", deputy.clone()),
            ("account", account.to_owned()),
            ("valid_from", String::new()),
            ("valid_to", String::new()),
        ]
    };
    let refused = b
        .post("/desk/organisation", &refs(&assign("made-up-account")))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(
        text(&refused.body).contains("소속 기관의 공무원 중 이 계정 ID를 가진 사람이 없습니다"),
        "{}",
        refused.body
    );
    let reader = person(&people, "reader");
    let assigned = b
        .post("/desk/organisation", &refs(&assign(&reader.account)))
        .await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER, "{}", assigned.body);
    let org = org(&app).await;
    assert!(
        org["assignments"]
            .as_array()
            .expect("assignments")
            .iter()
            .any(|a| a["position"] == deputy.as_str() && a["account"] == reader.account.as_str()),
        "{org}"
    );
}

/// A form's fields as the browser helper takes them.
fn refs<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test]
async fn the_drafter_adds_attachments_on_the_document_page() {
    let app = app().await;
    let people = organisation(&app, AGENCY).await;
    let drafter = person(&people, "drafter");
    let (s, doc) = app
        .send(
            Method::POST,
            "/docflow/v1/documents",
            Some(&drafter.token),
            Some(&json!({"position": drafter.position, "doc_type": "general", "title": "Budget table",
                "body": {"paragraphs": ["See the table attached."]}, "classification": "1310000-A-01",
                "disclosure": "public", "line": [{"kind": "approve", "position": person(&people, "head").position}]})),
        )
        .await;
    assert_eq!(s, 201, "{doc}");
    let id = doc["id"].as_str().expect("id").to_owned();
    let path = format!("/desk/documents/{id}");
    let (mut b, page) = signed_in(&app, drafter, &path).await;
    ok(&page, "the draft");
    assert!(
        page.body.contains("id=\"do-attach\""),
        "the drafter may attach"
    );
    let csrf = page.field("csrf").expect("csrf");
    let target = format!("{path}/attachments");
    let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

    // Refused, nothing added: a file of a type the deployment does not take; no file; a
    // form made from an older version; a forged token.
    let refused = b
        .post_file(
            &target,
            &[("csrf", &csrf), ("version", "1")],
            "tool.exe",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff",
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(
        refused.body.contains("href=\"#attach-file\""),
        "{}",
        refused.body
    );
    let empty = b
        .post_file(&target, &[("csrf", &csrf), ("version", "1")], "", b"")
        .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST, "{}", empty.body);
    assert!(
        text(&empty.body).contains("Choose a file to add"),
        "{}",
        empty.body
    );
    let stale = b
        .post_file(
            &target,
            &[("csrf", &csrf), ("version", "7")],
            "table.pdf",
            pdf,
        )
        .await;
    assert_eq!(stale.status, StatusCode::BAD_REQUEST, "{}", stale.body);
    let forged = b
        .post_file(
            &target,
            &[("csrf", "forged"), ("version", "1")],
            "table.pdf",
            pdf,
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    let (_, now) = app
        .send(
            Method::GET,
            &format!("/docflow/v1/documents/{id}"),
            Some(&drafter.token),
            None,
        )
        .await;
    assert_eq!(now["version"], 1, "{now}");

    // Added: a new version with the same title and text, and the file served on the page.
    let added = b
        .post_file(
            &target,
            &[("csrf", &csrf), ("version", "1")],
            "table.pdf",
            pdf,
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = b.get(added.location.as_deref().expect("back")).await;
    ok(&page, "after adding");
    let shown = text(&page.body);
    assert!(
        shown.contains("the attachment is added") && shown.contains("table.pdf"),
        "{shown}"
    );
    let (_, now) = app
        .send(
            Method::GET,
            &format!("/docflow/v1/documents/{id}"),
            Some(&drafter.token),
            None,
        )
        .await;
    assert_eq!(
        (now["version"].as_i64(), now["current"]["title"].as_str()),
        (Some(2), Some("Budget table")),
        "{now}"
    );
    let atts = now["current"]["attachments"]
        .as_array()
        .expect("attachments");
    assert_eq!(atts.len(), 1, "{now}");
    assert_eq!(atts[0]["media_type"], "application/pdf");
    // A second file joins the first.
    let csrf = page.field("csrf").expect("csrf");
    let again = b
        .post_file(
            &target,
            &[("csrf", &csrf), ("version", "2")],
            "photo.png",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89",
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    let (_, now) = app
        .send(
            Method::GET,
            &format!("/docflow/v1/documents/{id}"),
            Some(&drafter.token),
            None,
        )
        .await;
    assert_eq!(
        now["current"]["attachments"].as_array().map(Vec::len),
        Some(2),
        "{now}"
    );
    // Another official cannot attach to the drafter's document.
    let (mut leader, page) = signed_in(&app, person(&people, "leader"), "/my").await;
    ok(&page, "the leader's page");
    let csrf = page.field("csrf").unwrap_or_default();
    let other = leader
        .post_file(
            &target,
            &[("csrf", &csrf), ("version", "3")],
            "table.pdf",
            pdf,
        )
        .await;
    assert!(other.status.is_client_error(), "{}", other.status);
    let (_, now) = app
        .send(
            Method::GET,
            &format!("/docflow/v1/documents/{id}"),
            Some(&drafter.token),
            None,
        )
        .await;
    assert_eq!(now["version"], 3, "{now}");
}

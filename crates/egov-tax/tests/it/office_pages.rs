//! The tax office's pages over HTTP, as officers' browsers use them: sign-in with a second
//! factor; a disputed statement opened with a purpose (recorded) and decided; statements per
//! employer and withholding agents; an assessment posted and one waiting for a second officer
//! (the officer who raised it cannot approve it, another one does); a taxpayer's file found by
//! national ID with a purpose; a return corrected by an officer; a refund refused when none is
//! due; a bank settlement file matched, sent again, with lines that cannot be read. Bad input
//! answers the form with an error summary and changes nothing. Runs on SQLite and PostgreSQL.

use egov_testing::browser::{Answer, Browser, text};
use egov_testing::clients::tax::Tax;
use egov_testing::mfa::{enrol_totp, totp};
use egov_testing::{Spawn, TestApp, spawn_app_with};
use reqwest::{Method, StatusCode};
use serde_json::json;

const PASSWORD: &str = "correct horse battery staple 9";
const NID: &str = "900101-1234567";
const BID: &str = "1248100998";

/// The app with an employer that filed two statements about `NID` for 2026.
async fn app() -> TestApp {
    let app = spawn_app_with(Spawn {
        modules: &["auth", "exchange", "tax"],
        settings: &[("EGOV__TAX__ALLOW_EARLY_FILING", "true")],
    })
    .await;
    let (s, a) = Tax(&app)
        .register_agent(&app.officer(&["tax.officer"], "NTS"), "124-81-00998")
        .await;
    assert_eq!(s, 200, "{a}");
    let (s, report) = Tax(&app)
        .upload_statements(
            &app.business(BID),
            2026,
            &json!([
                {"statement_id": "S-1", "national_id": NID, "wages": "30000000",
                 "withheld_income_tax": "600000", "withheld_local_tax": "60000",
                 "pension_contributions": "1350000", "insurance_premiums": "0"},
                {"statement_id": "S-2", "national_id": NID, "wages": "6000000",
                 "withheld_income_tax": "100000", "withheld_local_tax": "10000"},
            ]),
        )
        .await;
    assert_eq!(s, 200, "{report}");
    app
}

/// A tax officer who signs in with a password and TOTP; answers the TOTP secret.
async fn officer(app: &TestApp, username: &str, name: &str, agency: &str) -> String {
    app.official(username, name, agency, &["tax.officer"], Some(PASSWORD))
        .await;
    let token = app.password_login(username, PASSWORD).await;
    enrol_totp(app, &token).await.0
}

async fn signed_in<'a>(
    app: &'a TestApp,
    username: &str,
    secret: &str,
    path: &str,
) -> (Browser<'a>, Answer) {
    let mut b = Browser::new(app);
    b.language = Some("en".into());
    let page = b
        .sign_in(path, username, PASSWORD, Some(&totp(secret, 0)))
        .await;
    (b, page)
}

fn ok(a: &Answer, what: &str) {
    assert_eq!(a.status, StatusCode::OK, "{what}: {}", a.body);
}

/// Posts `fields` with the page's CSRF token; answers the redirect's target page.
async fn done(b: &mut Browser<'_>, page: &Answer, path: &str, fields: &[(&str, &str)]) -> Answer {
    let csrf = page.field("csrf").expect("csrf");
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let a = b.post(path, &form).await;
    assert_eq!(
        a.status,
        StatusCode::SEE_OTHER,
        "{path} {fields:?}: {}",
        a.body
    );
    let to = a.location.clone().expect("redirect");
    let page = b.get(&to).await;
    ok(&page, &to);
    page
}

/// Posts `fields` that must be refused with the form again (400) naming `anchor`.
async fn refused(
    b: &mut Browser<'_>,
    page: &Answer,
    path: &str,
    fields: &[(&str, &str)],
    anchor: &str,
) -> Answer {
    let csrf = page.field("csrf").expect("csrf");
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let a = b.post(path, &form).await;
    assert_eq!(
        a.status,
        StatusCode::BAD_REQUEST,
        "{path} {fields:?}: {}",
        a.body
    );
    assert!(
        a.body.contains(&format!(r##"href="{anchor}""##)),
        "{anchor} in {}",
        a.body
    );
    a
}

#[tokio::test]
async fn officers_review_statements_assess_with_four_eyes_correct_and_match_payments() {
    let app = app().await;
    let kang = officer(&app, "kang.tax", "Kang Officer", "NTS").await;
    let yoon = officer(&app, "yoon.tax", "Yoon Officer", "NTS").await;
    // The employee disputes S-2 (through the API): it waits for an officer.
    let me = app.citizen(NID);
    let (_, mine) = Tax(&app).my_statements(&me, 2026).await;
    let s2 = mine
        .as_array()
        .expect("statements")
        .iter()
        .find(|s| s["statement_id"] == "S-2")
        .and_then(|s| s["id"].as_str())
        .expect("S-2")
        .to_owned();
    let (s, d) = Tax(&app)
        .dispute_statement(&me, &s2, "I never worked for this employer")
        .await;
    assert_eq!(s, 200, "{d}");

    // The desk: the disputed statement, nothing waiting for a second officer.
    let (mut b, desk) = signed_in(&app, "kang.tax", &kang, "/desk/tax").await;
    ok(&desk, "desk");
    let words = text(&desk.body);
    assert!(words.contains("Tax office"), "{words}");
    assert!(
        words.contains("Nothing is waiting for a second officer"),
        "{words}"
    );
    assert!(words.contains("disputed by the employee"), "{words}");
    let review = format!("/desk/tax/statements/{s2}?purpose=tax.statement.review");
    assert!(
        desk.body.contains(&review.replace('&', "&amp;")),
        "{}",
        desk.body
    );
    // My page links officers to the office.
    let my = b.get("/my").await;
    assert!(my.body.contains(r#"href="/desk/tax""#), "{}", my.body);

    // The statement, opened for review: its amounts and the dispute.
    let st = b.get(&review).await;
    ok(&st, "statement");
    let words = text(&st.body);
    assert!(words.contains("6,000,000"), "{words}");
    assert!(
        words.contains("I never worked for this employer"),
        "{words}"
    );
    let path = format!("/desk/tax/statements/{s2}");
    // No decision and too short a reason: the form again; still disputed.
    refused(
        &mut b,
        &st,
        &path,
        &[("purpose", "tax.statement.review"), ("reason", "no")],
        "#resolve-decision",
    )
    .await;
    let bad = refused(
        &mut b,
        &st,
        &path,
        &[
            ("purpose", "tax.statement.review"),
            ("decision", "void"),
            ("reason", "no"),
        ],
        "#resolve-reason",
    )
    .await;
    assert!(bad.body.contains(r#"value="void" checked"#), "{}", bad.body);
    let after = done(
        &mut b,
        &st,
        &path,
        &[
            ("purpose", "tax.statement.review"),
            ("decision", "void"),
            ("reason", "The employer confirmed a mistaken national ID"),
        ],
    )
    .await;
    assert!(
        text(&after.body).contains("The statement was decided"),
        "{}",
        after.body
    );
    assert!(
        text(&after.body).contains("No statement is waiting for review"),
        "{}",
        after.body
    );

    // Statements per employer: one counted, one void; the agent registered.
    let emp = b.get("/desk/tax/employers?year=2026").await;
    ok(&emp, "employers");
    let words = text(&emp.body);
    assert!(words.contains(BID), "{words}");
    assert!(words.contains("registered on"), "{words}");
    assert!(
        !words.contains(NID) && !words.contains("900101"),
        "no employee named: {words}"
    );
    let bad_year = b.get("/desk/tax/employers?year=nineteen").await;
    assert_eq!(bad_year.status, StatusCode::BAD_REQUEST);
    assert!(bad_year.body.contains(r##"href="#employers-year""##));
    refused(
        &mut b,
        &emp,
        "/desk/tax/employers",
        &[("business_id", "12-34")],
        "#agent-business_id",
    )
    .await;
    let reg = done(
        &mut b,
        &emp,
        "/desk/tax/employers",
        &[("business_id", "220-81-62517")],
    )
    .await;
    assert!(
        text(&reg.body).contains("The withholding agent is registered"),
        "{}",
        reg.body
    );
    let rev = done(
        &mut b,
        &emp,
        &format!("/desk/tax/employers/{BID}/revoke"),
        &[],
    )
    .await;
    assert!(text(&rev.body).contains("revoked on"), "{}", rev.body);
    let (s, up) = Tax(&app)
        .upload_statements(
            &app.business(BID),
            2026,
            &json!([{"statement_id": "S-3", "national_id": NID, "wages": "1"}]),
        )
        .await;
    assert_ne!(s, 200, "a revoked agent is refused: {up}");
    let again = done(&mut b, &emp, "/desk/tax/employers", &[("business_id", BID)]).await;
    assert!(
        text(&again.body).contains("registered on"),
        "{}",
        again.body
    );

    // An assessment below the threshold is posted; from it, it waits for a second officer.
    let form = b.get("/desk/tax/assessments/new").await;
    ok(&form, "assessment form");
    let key = form.field("assessment_id").expect("assessment id");
    refused(
        &mut b,
        &form,
        "/desk/tax/assessments/new",
        &[
            ("assessment_id", &key),
            ("kind", "national_id"),
            ("id", NID),
            ("year", "2026"),
            ("amount", "lots"),
            ("due_date", "2027-06-30"),
            ("reason", "Audit finding 2027-01"),
        ],
        "#assess-amount",
    )
    .await;
    refused(
        &mut b,
        &form,
        "/desk/tax/assessments/new",
        &[
            ("assessment_id", &key),
            ("kind", "national_id"),
            ("id", "123"),
            ("year", "2026"),
            ("amount", "500,000"),
            ("due_date", "2027-06-30"),
            ("reason", "Audit finding 2027-01"),
        ],
        "#assess-id",
    )
    .await;
    let fields = [
        ("assessment_id", key.as_str()),
        ("kind", "national_id"),
        ("id", NID),
        ("year", "2026"),
        ("amount", "500,000"),
        ("due_date", "2027-06-30"),
        ("reason", "Unremitted withholding found at audit 2027-01"),
    ];
    let posted = done(&mut b, &form, "/desk/tax/assessments/new", &fields).await;
    assert!(
        text(&posted.body).contains("Posted on the taxpayer"),
        "{}",
        posted.body
    );
    // The same form sent twice posts nothing twice.
    let same = done(&mut b, &form, "/desk/tax/assessments/new", &fields).await;
    assert!(
        text(&same.body).contains("This was already done"),
        "{}",
        same.body
    );
    let big = b.get("/desk/tax/assessments/new").await;
    let key2 = big.field("assessment_id").expect("assessment id");
    assert_ne!(key, key2, "a fresh notice id per form");
    let waiting = done(
        &mut b,
        &big,
        "/desk/tax/assessments/new",
        &[
            ("assessment_id", &key2),
            ("kind", "national_id"),
            ("id", NID),
            ("year", "2026"),
            ("amount", "20,000,000"),
            ("due_date", "2027-06-30"),
            ("reason", "Undeclared rental income found at audit"),
        ],
    )
    .await;
    assert!(
        text(&waiting.body).contains("Waiting for a second officer"),
        "{}",
        waiting.body
    );
    // Kang raised it: the desk shows it without the forms.
    let desk = b.get("/desk/tax").await;
    let words = text(&desk.body);
    assert!(words.contains("You raised this"), "{words}");
    assert!(words.contains("20,000,000"), "{words}");
    assert!(!desk.body.contains(r#"value="approve""#), "{}", desk.body);
    let (_, pending) = Tax(&app)
        .approvals(&app.officer(&["tax.officer"], "NTS"))
        .await;
    let approval = pending[0]["id"].as_str().expect("approval").to_owned();
    // Posting a decision anyway is refused: the page says why, nothing is posted.
    let own = b
        .post(
            &format!("/desk/tax/approvals/{approval}"),
            &[
                ("csrf", &desk.field("csrf").expect("csrf")),
                ("decision", "approve"),
            ],
        )
        .await;
    assert!(own.status.is_client_error(), "{}", own.body);

    // Yoon approves it.
    let (mut y, ydesk) = signed_in(&app, "yoon.tax", &yoon, "/desk/tax").await;
    ok(&ydesk, "second officer's desk");
    assert!(text(&ydesk.body).contains("Kang Officer"), "{}", ydesk.body);
    let path = format!("/desk/tax/approvals/{approval}");
    refused(
        &mut y,
        &ydesk,
        &path,
        &[("decision", "reject"), ("reason", "")],
        &format!("#approval-{approval}-reason"),
    )
    .await;
    let approved = done(&mut y, &ydesk, &path, &[("decision", "approve")]).await;
    assert!(
        text(&approved.body).contains("Approved"),
        "{}",
        approved.body
    );

    // The taxpayer files; the office finds the file by national ID with a purpose.
    let (s, ack) = Tax(&app).submit_return(&me, 2026, "k-1").await;
    assert_eq!(s, 201, "{ack}");
    let find = b.get("/desk/tax/taxpayers").await;
    ok(&find, "find form");
    refused(
        &mut b,
        &find,
        "/desk/tax/taxpayers",
        &[
            ("kind", "national_id"),
            ("id", "12"),
            ("purpose", "tax.audit"),
        ],
        "#find-id",
    )
    .await;
    let csrf = find.field("csrf").expect("csrf");
    let file = b
        .post(
            "/desk/tax/taxpayers",
            &[
                ("csrf", &csrf),
                ("kind", "national_id"),
                ("id", NID),
                ("purpose", "tax.audit"),
            ],
        )
        .await;
    ok(&file, "taxpayer file");
    let words = text(&file.body);
    assert!(words.contains("500,000"), "{words}");
    assert!(words.contains("20,000,000"), "{words}");
    assert!(words.contains("filed"), "{words}");
    let at = file.body.find("/desk/tax/returns/").expect("a return link");
    let link = file.body[at..]
        .split('"')
        .next()
        .expect("link")
        .replace("&amp;", "&");
    assert!(link.ends_with("?purpose=tax.audit"), "{link}");

    // The return: the version filed; a correction (bad value refused first).
    let ret = b.get(&link).await;
    ok(&ret, "return");
    assert!(text(&ret.body).contains("Original return"), "{}", ret.body);
    let rpath = link.split('?').next().expect("path").to_owned();
    let cid = ret.field("correction_id").expect("correction id");
    refused(
        &mut b,
        &ret,
        &rpath,
        &[
            ("purpose", "tax.audit"),
            ("what", "correction"),
            ("correction_id", &cid),
            ("change-0-input", "wages"),
            ("change-0-value", "lots"),
            ("reason", "Unreported second employment found"),
        ],
        "#change-0-value",
    )
    .await;
    refused(
        &mut b,
        &ret,
        &rpath,
        &[
            ("purpose", "tax.audit"),
            ("what", "correction"),
            ("correction_id", &cid),
            ("reason", "Unreported second employment found"),
        ],
        "#correction-changes",
    )
    .await;
    let corrected = done(
        &mut b,
        &ret,
        &rpath,
        &[
            ("purpose", "tax.audit"),
            ("what", "correction"),
            ("correction_id", &cid),
            ("change-0-input", "wages"),
            ("change-0-value", "60,000,000"),
            ("reason", "Unreported second employment found"),
        ],
    )
    .await;
    let words = text(&corrected.body);
    assert!(
        words.contains("The correction is filed as a new version"),
        "{words}"
    );
    assert!(words.contains("Correction by a tax officer"), "{words}");
    assert!(words.contains("Kang Officer"), "{words}");
    // Now tax is owed: a refund is refused with the reason, nothing posted.
    let rid = corrected.field("refund_id").expect("refund id");
    let csrf = corrected.field("csrf").expect("csrf");
    let refund = b
        .post(
            &rpath,
            &[
                ("csrf", &csrf),
                ("purpose", "tax.audit"),
                ("what", "refund"),
                ("refund_id", &rid),
            ],
        )
        .await;
    assert_eq!(refund.status, StatusCode::BAD_REQUEST, "{}", refund.body);
    assert!(
        refund.body.contains(r##"href="#refund""##),
        "{}",
        refund.body
    );

    // Bank payments: the return's reference matched; the same file again posts nothing.
    let reference = ack["payment_reference"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| {
            let at = file.body.find("tax.audit\">").expect("return row");
            text(&file.body[at..])
                .split_whitespace()
                .last()
                .unwrap_or_default()
                .to_owned()
        });
    let pay = b.get("/desk/tax/payments").await;
    ok(&pay, "payments form");
    refused(
        &mut b,
        &pay,
        "/desk/tax/payments",
        &[("file", "  ")],
        "#file",
    )
    .await;
    let csv = format!(
        "bank_txn_id,reference,amount,paid_on\nBANK-1,{reference},100000,2027-05-20\nBANK-2,NO-SUCH-REF,5000,2027-05-20\nBANK-3,{reference},lots,2027-05-20\n"
    );
    let csrf = pay.field("csrf").expect("csrf");
    let first = b
        .post("/desk/tax/payments", &[("csrf", &csrf), ("file", &csv)])
        .await;
    ok(&first, "settlement");
    let words = text(&first.body);
    assert!(words.contains("Matched and posted 1"), "{words}");
    assert!(words.contains("BANK-2"), "{words}");
    assert!(words.contains("Lines not read 1"), "{words}");
    let second = b
        .post("/desk/tax/payments", &[("csrf", &csrf), ("file", &csv)])
        .await;
    let words = text(&second.body);
    assert!(words.contains("Matched and posted 0"), "{words}");
    assert!(words.contains("Already received 2"), "{words}");

    // Every read and change is on the person's access log with its purpose.
    let logged = app.logged_about(NID).await;
    for purpose in ["tax.statement.review", "tax.audit", "tax.correction"] {
        assert!(
            logged.iter().any(|p| p == purpose),
            "{purpose} in {logged:?}"
        );
    }
}

#[tokio::test]
async fn only_the_tax_agencys_officers_with_a_second_factor_enter_and_the_pages_speak_korean() {
    let app = app().await;
    // Not signed in: to the sign-in page.
    let mut anon = Browser::new(&app);
    let a = anon.get("/desk/tax").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert!(
        a.location
            .clone()
            .unwrap_or_default()
            .starts_with("/signin")
    );
    // An officer of another agency with the role: refused.
    let other = officer(&app, "moe.officer", "Moe Officer", "MOE").await;
    let (mut b, page) = signed_in(&app, "moe.officer", &other, "/desk/tax").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    assert_eq!(
        b.get("/desk/tax/payments").await.status,
        StatusCode::FORBIDDEN
    );
    // The tax agency's officer, in Korean.
    let kang = officer(&app, "kang.tax", "Kang Officer", "NTS").await;
    let mut k = Browser::new(&app);
    k.language = Some("ko".into());
    let desk = k
        .sign_in("/desk/tax", "kang.tax", PASSWORD, Some(&totp(&kang, 0)))
        .await;
    ok(&desk, "desk in Korean");
    let words = text(&desk.body);
    assert!(words.contains("세무 업무"), "{words}");
    assert!(words.contains("승인을 기다리는 처리가 없습니다"), "{words}");
    for path in [
        "/desk/tax/employers",
        "/desk/tax/taxpayers",
        "/desk/tax/assessments/new",
        "/desk/tax/payments",
    ] {
        let p = k.get(path).await;
        ok(&p, path);
        assert!(p.body.contains("lang=\"ko\""), "{path}");
    }
    // A return page needs a purpose the access log accepts.
    assert_eq!(
        k.get("/desk/tax/returns/x?purpose=%3Cb%3E").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        k.get("/desk/tax/returns/x?purpose=tax.audit").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_api_gives_statements_per_employer_and_a_statement_read_with_a_purpose() {
    let app = app().await;
    let officer = app.officer(&["tax.officer"], "NTS");
    let (s, page) = app
        .send(
            Method::GET,
            "/tax/v1/officer/employers?year=2026",
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(page[0]["business_id"], BID);
    assert_eq!(page[0]["counted"], 2);
    assert_eq!(page[0]["agent"], "registered");
    assert!(page[0].get("employee").is_none(), "{page}");
    let (s, next) = app
        .send(
            Method::GET,
            &format!("/tax/v1/officer/employers?year=2026&after={BID}"),
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(s, 200, "{next}");
    assert_eq!(next, json!([]));
    for bad in ["year=1999", "year=x", "year=2026&after=%01"] {
        let (s, p) = app
            .send(
                Method::GET,
                &format!("/tax/v1/officer/employers?{bad}"),
                Some(&officer),
                None,
            )
            .await;
        assert!(s == 400 || s == 422, "{bad}: {s} {p}");
    }
    // Another agency's officer, and a citizen: refused.
    for token in [app.officer(&["tax.officer"], "MOE"), app.citizen(NID)] {
        let (s, _) = app
            .send(
                Method::GET,
                "/tax/v1/officer/employers?year=2026",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(s, 403);
    }

    let (_, mine) = Tax(&app).my_statements(&app.citizen(NID), 2026).await;
    let id = mine[0]["id"].as_str().expect("id").to_owned();
    let (s, p) = app
        .send(
            Method::GET,
            &format!("/tax/v1/officer/statements/{id}"),
            Some(&officer),
            None,
        )
        .await;
    assert!(s == 400 || s == 422, "a purpose is required: {s} {p}");
    let (s, st) = app
        .send(
            Method::GET,
            &format!("/tax/v1/officer/statements/{id}?purpose=tax.audit"),
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(s, 200, "{st}");
    assert_eq!(st["employee"], "900101-*******");
    assert!(app.logged_about(NID).await.iter().any(|p| p == "tax.audit"));
    let (s, _) = app
        .send(
            Method::GET,
            "/tax/v1/officer/statements/nope?purpose=tax.audit",
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(s, 404);
}

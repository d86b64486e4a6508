//! The taxpayer's pages over HTTP, as a browser uses them: from the pre-filled return (each
//! amount with its sources) and "why this number", through the entries form (its errors, the
//! people rows), filing with the declaration (idempotent by the form's key), the
//! acknowledgement, the versions and the account, to a certificate, its PDF and its public
//! check. Runs on SQLite and PostgreSQL (EGOV_TEST_BACKEND).

use egov_testing::browser::{Answer, Browser, text};
use egov_testing::clients::tax::Tax;
use egov_testing::mfa::{enrol_totp, totp};
use egov_testing::{Spawn, TestApp, spawn_app_with};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple 9";
const NID: &str = "900101-1234567";
const BID: &str = "1248100998";

/// The app, with an employer registered as a withholding agent that has filed statements
/// about `NID` for 2026 (36,000,000 of wages over two statements).
async fn app() -> TestApp {
    let app = spawn_app_with(Spawn {
        modules: &["auth", "exchange", "tax"],
        settings: &[("EGOV__TAX__ALLOW_EARLY_FILING", "true")],
    })
    .await;
    let (s, a) = app
        .send_with(
            Method::POST,
            "/tax/v1/officer/withholding-agents",
            Some(&app.officer(&["tax.officer"], "NTS")),
            Some(&json!({"business_id": "124-81-00998"})),
            &[],
        )
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

/// A citizen with a second factor: registered, TOTP enrolled; answers the TOTP secret.
async fn citizen(app: &TestApp, username: &str, nid: &str) -> String {
    let res = app
        .post_json(
            "/auth/register",
            &json!({"kind": "citizen", "username": username, "display_name": "Kim Minji",
                    "password": PASSWORD, "national_id": nid}),
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
    let token = v["tokens"]["access_token"].as_str().expect("token");
    enrol_totp(app, token).await.0
}

fn ok(a: &Answer, what: &str) {
    assert_eq!(a.status, StatusCode::OK, "{what}: {}", a.body);
}

#[tokio::test]
async fn a_citizen_files_the_prefilled_return_and_gets_a_certificate_in_the_browser() {
    let app = app().await;
    let secret = citizen(&app, "kim.minji", NID).await;
    let mut b = Browser::new(&app);
    b.language = Some("en".into());
    let code = totp(&secret, 0);
    let my = b
        .sign_in("/my/tax", "kim.minji", PASSWORD, Some(&code))
        .await;
    ok(&my, "my tax");
    assert!(
        my.body.contains(r#"href="/my/tax/returns/2026""#),
        "{}",
        my.body
    );
    assert!(text(&my.body).contains("Not opened yet"), "{}", my.body);

    // The pre-filled return: every amount with the statements it came from.
    let ret = b.get("/my/tax/returns/2026").await;
    ok(&ret, "return");
    let words = text(&ret.body);
    assert!(words.contains("Total wages for the year"), "{words}");
    assert!(
        words.contains("₩ 36,000,000") || words.contains("36,000,000"),
        "{words}"
    );
    assert!(words.contains("1248100998/S-1, 1248100998/S-2"), "{words}");
    assert!(words.contains("Pre-filled, not filed"), "{words}");
    assert!(ret.body.contains("/why?value=total_tax"), "{}", ret.body);

    // Why this number: the steps to the total, each with its rule and citation.
    let why = b.get("/my/tax/returns/2026/why?value=taxable_income").await;
    ok(&why, "why");
    let words = text(&why.body);
    assert!(
        words.contains("Why Taxable income is this amount"),
        "{words}"
    );
    assert!(words.contains("Earned income deduction"), "{words}");
    assert!(words.contains("ITA art. 47(1)"), "{words}");
    assert!(words.contains("pre-filled from 1248100998/S-1"), "{words}");
    // Not a value of these rules: not found.
    let none = b.get("/my/tax/returns/2026/why?value=nope").await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    assert_eq!(
        b.get("/my/tax/returns/1999").await.status,
        StatusCode::NOT_FOUND
    );

    // The entries form: what cannot be read comes back with an error summary, nothing saved.
    let form = b.get("/my/tax/returns/2026/edit").await;
    ok(&form, "edit");
    let csrf = form.field("csrf").expect("csrf");
    assert!(
        form.body.contains(r#"id="f-dependants-0-relation""#),
        "{}",
        form.body
    );
    let bad = b
        .post(
            "/my/tax/returns/2026/edit",
            &[
                ("csrf", &csrf),
                ("in-special_credits", "lots"),
                ("dependants-0-relation", "child"),
                ("dependants-0-age", "x"),
                ("dependants-0-income", "much"),
                ("in-marital_status", "divorced"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    // A choice that is not one: the radio group's error.
    assert!(
        bad.body.contains(r##"href="#f-marital_status""##),
        "{}",
        bad.body
    );
    // The dependant's own income: its error names the person and the field.
    assert!(
        bad.body.contains(r##"href="#f-dependants-0-income""##)
            && text(&bad.body).contains("Person 1, Their income amount for the year"),
        "{}",
        bad.body
    );
    assert!(
        bad.body.contains(r##"href="#f-special_credits""##),
        "{}",
        bad.body
    );
    assert!(
        bad.body.contains(r##"href="#f-dependants-0-age""##),
        "{}",
        bad.body
    );
    assert!(
        bad.body.contains(r#"value="lots""#),
        "what was typed stays: {}",
        bad.body
    );
    let still = b.get("/my/tax/returns/2026").await;
    assert!(text(&still.body).contains("Pre-filled, not filed"));
    // "Add a person" shows one more row and saves nothing.
    let more = b
        .post(
            "/my/tax/returns/2026/edit",
            &[
                ("csrf", &csrf),
                ("dependants-0-relation", "child"),
                ("dependants-0-age", "7"),
                ("action", "add"),
            ],
        )
        .await;
    ok(&more, "add a person");
    assert!(
        more.body.contains(r#"id="f-dependants-2-relation""#),
        "two rows and an empty one"
    );
    // Without the form's token: refused.
    let forged = b
        .post("/my/tax/returns/2026/edit", &[("in-special_credits", "1")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // Saved: a child, special credits typed with separators and the currency.
    let saved = b
        .post(
            "/my/tax/returns/2026/edit",
            &[
                ("csrf", &csrf),
                ("in-special_credits", "150,000원"),
                ("in-wages", "36,000,000"),
                ("dependants-0-relation", "child"),
                ("dependants-0-age", "7"),
                ("dependants-0-income", "300,000"),
                ("in-marital_status", "married"),
                ("dependants-1-relation", ""),
                ("dependants-1-age", ""),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let form_again = b.get("/my/tax/returns/2026/edit").await;
    assert!(
        form_again.body.contains(r#"name="dependants-0-income" class="krds-input" maxlength="30" autocomplete="off" value="300,000""#),
        "the saved income is in the form: {}",
        form_again.body
    );
    assert!(
        form_again
            .body
            .contains(r#"name="in-marital_status" value="married" checked"#),
        "the saved status is checked: {}",
        form_again.body
    );
    let ret = b.get("/my/tax/returns/2026").await;
    let words = text(&ret.body);
    assert!(words.contains("Your changes saved, not filed"), "{words}");
    assert!(words.contains("1 person"), "{words}");
    // The pre-filled wages typed again unchanged are not an entry.
    assert!(
        !words.contains("You changed a pre-filled amount"),
        "{words}"
    );

    // Check and file: the declaration first, then the acknowledgement; the same form twice
    // files once.
    let check = b.get("/my/tax/returns/2026/submit").await;
    ok(&check, "check");
    let key = check.field("key").expect("key");
    let undeclared = b
        .post(
            "/my/tax/returns/2026/submit",
            &[("csrf", &csrf), ("key", &key)],
        )
        .await;
    assert_eq!(undeclared.status, StatusCode::BAD_REQUEST);
    assert!(undeclared.body.contains(r##"href="#declare""##));
    let filed = b
        .post(
            "/my/tax/returns/2026/submit",
            &[("csrf", &csrf), ("key", &key), ("declare", "yes")],
        )
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    let to = filed.location.clone().expect("location");
    assert_eq!(to, "/my/tax/returns/2026/versions/1?sent=1");
    let again = b
        .post(
            "/my/tax/returns/2026/submit",
            &[("csrf", &csrf), ("key", &key), ("declare", "yes")],
        )
        .await;
    assert_eq!(again.location.as_deref(), Some(to.as_str()), "filed once");
    let ack = b.get(&to).await;
    ok(&ack, "acknowledgement");
    let words = text(&ack.body);
    assert!(words.contains("Your return has been filed"), "{words}");
    assert!(words.contains("Original return"), "{words}");
    let versions = b.get("/my/tax/returns/2026/versions").await;
    ok(&versions, "versions");
    assert_eq!(
        versions
            .body
            .matches("/my/tax/returns/2026/versions/")
            .count(),
        1
    );
    let account = b.get("/my/tax/account").await;
    ok(&account, "account");
    let words = text(&account.body);
    assert!(words.contains("Assessment"), "{words}");
    assert!(words.contains("You owe ₩ 356,400"), "{words}");

    // An income certificate for the filed year: its page, its PDF, its public check.
    let list = b.get("/my/tax/certificates").await;
    ok(&list, "certificates");
    let none_year = b
        .post(
            "/my/tax/certificates",
            &[("csrf", &csrf), ("kind", "income"), ("year", "1999")],
        )
        .await;
    assert_eq!(none_year.status, StatusCode::BAD_REQUEST);
    assert!(none_year.body.contains(r##"href="#year""##));
    let issued = b
        .post(
            "/my/tax/certificates",
            &[("csrf", &csrf), ("kind", "income"), ("year", "2026")],
        )
        .await;
    assert_eq!(issued.status, StatusCode::SEE_OTHER, "{}", issued.body);
    let page = b
        .get(&issued.location.clone().expect("to the certificate"))
        .await;
    ok(&page, "certificate");
    let words = text(&page.body);
    assert!(
        words.contains("Your certificate has been issued"),
        "{words}"
    );
    assert!(words.contains("Income certificate"), "{words}");
    let number = page
        .body
        .split("/certificates/verify?number=")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("number")
        .to_owned();
    let pdf = b.get(&format!("/my/tax/certificates/{number}/pdf")).await;
    if std::path::Path::new("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").exists() {
        ok(&pdf, "pdf");
        assert_eq!(pdf.headers["content-type"], "application/pdf");
        assert!(pdf.body.starts_with("%PDF-"));
    }
    let public = Browser::new(&app)
        .get(&format!("/certificates/verify?number={number}&lang=en"))
        .await;
    ok(&public, "public check");
    assert!(
        text(&public.body).contains("authentic and valid"),
        "{}",
        public.body
    );

    // Someone else: not their certificate, not their return.
    let secret2 = citizen(&app, "lee.jun", "850505-1234562").await;
    let mut other = Browser::new(&app);
    other.language = Some("en".into());
    let code2 = totp(&secret2, 0);
    let theirs = other
        .sign_in("/my/tax/certificates", "lee.jun", PASSWORD, Some(&code2))
        .await;
    ok(&theirs, "the other's certificates");
    assert!(!theirs.body.contains(&number));
    let peek = other.get(&format!("/my/tax/certificates/{number}")).await;
    assert_eq!(peek.status, StatusCode::NOT_FOUND);
    let their_return = other.get("/my/tax/returns/2026").await;
    assert!(!text(&their_return.body).contains("1248100998/S-1"));
}

#[tokio::test]
async fn the_pages_speak_korean_and_need_sign_in() {
    let app = app().await;
    // Signed out: to the provider's sign-in.
    let mut anon = Browser::new(&app);
    let a = anon.get("/my/tax").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert!(a.location.unwrap_or_default().starts_with("/signin"));
    let secret = citizen(&app, "park.seoyeon", NID).await;
    let mut b = Browser::new(&app);
    b.language = Some("ko".into());
    let code = totp(&secret, 0);
    let ret = b
        .sign_in(
            "/my/tax/returns/2026",
            "park.seoyeon",
            PASSWORD,
            Some(&code),
        )
        .await;
    ok(&ret, "return in Korean");
    let words = text(&ret.body);
    assert!(words.contains("2026년 귀속 신고서"), "{words}");
    assert!(words.contains("총급여액"), "{words}");
    assert!(words.contains("36,000,000원"), "{words}");
    let form = b.get("/my/tax/returns/2026/edit").await;
    let csrf = form.field("csrf").expect("csrf");
    let bad = b
        .post(
            "/my/tax/returns/2026/edit",
            &[("csrf", &csrf), ("in-wages", "삼천만"), ("action", "save")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        text(&bad.body).contains("금액을 숫자로 입력하세요"),
        "{}",
        bad.body
    );
}

#[tokio::test]
async fn a_citizen_disputes_a_statement_that_is_not_theirs_from_the_return() {
    let app = app().await;
    // Disputing needs no second factor (as in the API): a citizen without one.
    let res = app
        .post_json(
            "/auth/register",
            &json!({"kind": "citizen", "username": "lee.jun", "display_name": "Lee Jun",
                    "password": PASSWORD, "national_id": NID}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let mut b = Browser::new(&app);
    b.language = Some("en".into());
    let ret = b
        .sign_in("/my/tax/returns/2026", "lee.jun", PASSWORD, None)
        .await;
    ok(&ret, "return");
    // Each counted statement has its dispute link; S-2's is the second.
    let links: Vec<String> = ret
        .body
        .match_indices("/statements/")
        .map(|(at, _)| {
            ret.body[at + 12..]
                .split('/')
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(links.len(), 2, "{}", ret.body);
    let s2 = &links[1];
    let target = format!("/my/tax/returns/2026/statements/{s2}/dispute");
    let form = b.get(&target).await;
    ok(&form, "dispute form");
    let words = text(&form.body);
    assert!(words.contains("Dispute a statement about you"), "{words}");
    assert!(words.contains("S-2"), "{words}");
    assert!(words.contains("6,000,000"), "{words}");
    let csrf = form.field("csrf").expect("csrf");

    // No reason: the form again with its error, and the statement still counts.
    let bad = b.post(&target, &[("csrf", &csrf), ("reason", " ")]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.body.contains(r##"href="#dispute-reason""##),
        "{}",
        bad.body
    );
    assert!(bad.body.contains(r#"aria-invalid="true""#), "{}", bad.body);
    // No CSRF token: refused, nothing changed.
    let forged = b.post(&target, &[("reason", "never worked there")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let still = b.get("/my/tax/returns/2026").await;
    assert!(text(&still.body).contains("36,000,000"), "{}", still.body);

    // Disputed: back on the return, which says so and no longer counts it.
    let done = b
        .post(
            &target,
            &[
                ("csrf", &csrf),
                ("reason", "I never worked for this employer"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let back = done.location.clone().unwrap_or_default();
    assert_eq!(back, "/my/tax/returns/2026?disputed=1#statements");
    let after = b.get("/my/tax/returns/2026?disputed=1").await;
    ok(&after, "return after the dispute");
    let words = text(&after.body);
    assert!(words.contains("The statement is disputed"), "{words}");
    assert!(
        words.contains("I never worked for this employer"),
        "{words}"
    );
    assert!(words.contains("30,000,000"), "{words}");
    assert!(!words.contains("36,000,000"), "{words}");
    assert_eq!(
        after.body.matches("/dispute\"").count(),
        1,
        "{}",
        after.body
    );
    // Disputed once: its form is gone; another taxpayer's statement is not found either.
    assert_eq!(b.get(&target).await.status, StatusCode::NOT_FOUND);
    let again = b
        .post(&target, &[("csrf", &csrf), ("reason", "once more, please")])
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(
        b.get("/my/tax/returns/2026/statements/no-such-id/dispute")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // The officers' review list has it, with the reason.
    let (s, reviews) = app
        .send_with(
            Method::GET,
            "/tax/v1/officer/statement-reviews",
            Some(&app.officer(&["tax.officer"], "NTS")),
            None,
            &[],
        )
        .await;
    assert_eq!(s, 200, "{reviews}");
    assert!(
        reviews
            .to_string()
            .contains("I never worked for this employer"),
        "{reviews}"
    );
}

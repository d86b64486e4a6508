//! The admin console and the auditors' console in the browser: a platform admin invites an
//! officer (a role no module has is refused, what was typed kept), the invitation link sets
//! the officer's password, the officer enrols a second factor and signs in to the tax office;
//! the admin changes the officer's roles, disables (the officer can no longer sign in) and
//! enables the account; an agency admin sees only their agency; an auditor verifies the access
//! log's chain and finds the records about the officer, the search itself recorded. Runs on
//! SQLite and PostgreSQL (EGOV_TEST_BACKEND).

use egov_auth::Kind;
use egov_testing::browser::{Browser, text};
use egov_testing::mfa::{enrol_totp, totp};
use egov_testing::{Spawn, TestApp, spawn_app_with};
use reqwest::StatusCode;
use serde_json::json;

const PASSWORD: &str = "correct horse battery staple 9";

async fn app() -> TestApp {
    spawn_app_with(Spawn {
        modules: &["auth", "exchange", "tax", "docflow"],
        settings: &[],
    })
    .await
}

/// An account of `kind` with a password and TOTP: the TOTP secret.
async fn with_totp(
    app: &TestApp,
    kind: Kind,
    username: &str,
    name: &str,
    agency: Option<&str>,
) -> String {
    app.account_of_kind(kind, username, name, agency, &[], Some(PASSWORD))
        .await;
    let token = app.password_login(username, PASSWORD).await;
    enrol_totp(app, &token).await.0
}

async fn signed_in<'a>(
    app: &'a TestApp,
    username: &str,
    secret: &str,
    path: &str,
    lang: &str,
) -> (Browser<'a>, egov_testing::browser::Answer) {
    let mut b = Browser::new(app);
    b.language = Some(lang.into());
    let page = b
        .sign_in(path, username, PASSWORD, Some(&totp(secret, 0)))
        .await;
    (b, page)
}

#[tokio::test]
async fn an_admin_invites_an_officer_who_sets_a_password_and_signs_in_with_totp() {
    let app = app().await;
    let root = with_totp(&app, Kind::PlatformAdmin, "root.admin", "Root Admin", None).await;
    // The tax agency exists (made when the first official of it was).
    app.official("nts.clerk", "Clerk", "NTS", &[], None).await;

    let (mut b, list) = signed_in(
        &app,
        "root.admin",
        &root,
        "/admin/officials?agency=NTS",
        "en",
    )
    .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(
        text(&list.body).contains("Invite an official"),
        "{}",
        list.body
    );
    // My page links the console.
    assert!(
        b.get("/my")
            .await
            .body
            .contains(r#"href="/admin/officials""#)
    );
    let form = b.get("/admin/officials/new?agency=NTS").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(
        form.body.contains(r#"value="tax.officer""#),
        "the modules' roles are offered"
    );
    let csrf = form.field("csrf").expect("csrf");
    // A role no module has, sent anyway: refused, nothing created, what was typed kept.
    let bad = b
        .post(
            "/admin/officials/new",
            &[
                ("csrf", &csrf),
                ("agency", "NTS"),
                ("kind", "officer"),
                ("username", "kang.tax"),
                ("display_name", "Kang Officer"),
                ("email", ""),
                ("position", ""),
                ("roles", "tax.officr"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert!(
        bad.body.contains(r##"href="#invite-roles""##),
        "{}",
        bad.body
    );
    assert!(bad.body.contains(r#"value="kang.tax""#), "{}", bad.body);
    let invited = b
        .post(
            "/admin/officials/new",
            &[
                ("csrf", &csrf),
                ("agency", "NTS"),
                ("kind", "officer"),
                ("username", "kang.tax"),
                ("display_name", "Kang Officer"),
                ("email", "kang@nts.example"),
                ("position", "Auditor"),
                ("roles", "tax.officer"),
            ],
        )
        .await;
    assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.body);
    let link = invited
        .body
        .split(r#"id="invitation-link">"#)
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the invitation link")
        .replace("&amp;", "&");
    let path = &link[link.find("/invitation").expect("path")..];

    // The officer sets a password from the link (a mismatch first).
    let mut o = Browser::new(&app);
    o.language = Some("en".into());
    let page = o.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let token = page.field("token").expect("token");
    let ocsrf = page.field("csrf").expect("csrf");
    let mismatch = o
        .post(
            "/invitation",
            &[
                ("csrf", &ocsrf),
                ("token", &token),
                ("password", PASSWORD),
                ("confirm", "something else"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::BAD_REQUEST);
    assert!(mismatch.body.contains(r##"href="#confirm""##));
    let short = o
        .post(
            "/invitation",
            &[
                ("csrf", &ocsrf),
                ("token", &token),
                ("password", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST, "{}", short.body);
    let done = o
        .post(
            "/invitation",
            &[
                ("csrf", &ocsrf),
                ("token", &token),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(
        text(&done.body).contains("Your password is set"),
        "{}",
        done.body
    );
    // The link works once.
    let again = o
        .post(
            "/invitation",
            &[
                ("csrf", &ocsrf),
                ("token", &token),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    // A second factor, then the tax office with it.
    let token = app.password_login("kang.tax", PASSWORD).await;
    let (secret, _) = enrol_totp(&app, &token).await;
    let (_, office) = signed_in(&app, "kang.tax", &secret, "/desk/tax", "en").await;
    assert_eq!(office.status, StatusCode::OK, "{}", office.body);

    // The admin finds the officer and changes the roles; disables and enables the account.
    let list = b.get("/admin/officials?agency=NTS").await;
    let row = list
        .body
        .find(">Kang Officer</a>")
        .expect("the officer's row");
    let start = list.body[..row].rfind("href=\"").expect("the row's link") + 6;
    let href = list.body[start..row - 1].to_owned();
    let page = b.get(&href).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(text(&page.body).contains("Kang Officer"), "{}", page.body);
    let id = page
        .body
        .split("action=\"/admin/officials/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("id")
        .to_owned();
    let target = format!("/admin/officials/{id}");
    let csrf = page.field("csrf").expect("csrf");
    let roles = b
        .post(
            &target,
            &[
                ("csrf", &csrf),
                ("what", "roles"),
                ("roles", "tax.officer"),
                ("roles", "docflow.records"),
            ],
        )
        .await;
    assert_eq!(roles.status, StatusCode::SEE_OTHER, "{}", roles.body);
    let bad_roles = b
        .post(
            &target,
            &[
                ("csrf", &csrf),
                ("what", "roles"),
                ("roles", "petition.officr"),
            ],
        )
        .await;
    assert_eq!(
        bad_roles.status,
        StatusCode::BAD_REQUEST,
        "{}",
        bad_roles.body
    );
    assert!(
        bad_roles.body.contains(r##"href="#act-roles""##),
        "{}",
        bad_roles.body
    );
    let (s, acct) = app
        .send(
            reqwest::Method::GET,
            &format!("/auth/accounts/{id}"),
            Some(&app.platform_admin()),
            None,
        )
        .await;
    assert_eq!(s, 200, "{acct}");
    assert_eq!(acct["roles"], json!(["docflow.records", "tax.officer"]));
    let disabled = b
        .post(&target, &[("csrf", &csrf), ("what", "disable")])
        .await;
    assert_eq!(disabled.status, StatusCode::SEE_OTHER, "{}", disabled.body);
    let res = app
        .post_json(
            "/auth/login",
            &json!({"username": "kang.tax", "password": PASSWORD}),
        )
        .await;
    assert!(
        res.status().is_client_error(),
        "a disabled official cannot sign in"
    );
    let enabled = b
        .post(&target, &[("csrf", &csrf), ("what", "enable")])
        .await;
    assert_eq!(enabled.status, StatusCode::SEE_OTHER, "{}", enabled.body);
    let after = b.get(&format!("{target}?done=enabled")).await;
    assert!(
        text(&after.body).contains("The account is enabled"),
        "{}",
        after.body
    );
    let reset = b.post(&target, &[("csrf", &csrf), ("what", "reset")]).await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    assert!(reset.body.contains("/invitation?reset="), "{}", reset.body);

    // An agency admin of another agency sees only theirs; the officer is not found.
    let moe = with_totp(
        &app,
        Kind::AgencyAdmin,
        "moe.admin",
        "MOE Admin",
        Some("MOE"),
    )
    .await;
    let (mut m, own) = signed_in(&app, "moe.admin", &moe, "/admin/officials", "ko").await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert!(text(&own.body).contains("공무원 계정 관리"), "{}", own.body);
    assert!(!own.body.contains("Kang Officer"));
    assert_eq!(m.get(&target).await.status, StatusCode::NOT_FOUND);

    // The auditor: the chain verified, the records about the officer, the search recorded.
    let aud = with_totp(&app, Kind::Auditor, "audit.one", "Auditor One", None).await;
    let (mut a, console) = signed_in(&app, "audit.one", &aud, "/audit/access-log", "en").await;
    assert_eq!(console.status, StatusCode::OK, "{}", console.body);
    assert!(text(&console.body).contains("Intact"), "{}", console.body);
    let acsrf = console.field("csrf").expect("csrf");
    let no_purpose = a
        .post(
            "/audit/access-log",
            &[
                ("csrf", &acsrf),
                ("kind", "account_id"),
                ("id", &id),
                ("purpose", ""),
            ],
        )
        .await;
    assert_eq!(
        no_purpose.status,
        StatusCode::BAD_REQUEST,
        "{}",
        no_purpose.body
    );
    assert!(
        no_purpose.body.contains(r##"href="#search-purpose""##),
        "{}",
        no_purpose.body
    );
    let found = a
        .post(
            "/audit/access-log",
            &[
                ("csrf", &acsrf),
                ("kind", "account_id"),
                ("id", &id),
                ("purpose", "complaint 2026-117"),
            ],
        )
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    let words = text(&found.body);
    assert!(words.contains("account administration"), "{words}");
    assert!(words.contains("Root Admin"), "{words}");
    let again = a
        .post(
            "/audit/access-log",
            &[
                ("csrf", &acsrf),
                ("kind", "account_id"),
                ("id", &id),
                ("purpose", "complaint 2026-117"),
            ],
        )
        .await;
    assert!(
        text(&again.body).contains("audit: complaint 2026-117"),
        "the search is on the log"
    );
    // Nobody else: an officer is refused the consoles.
    app.official("plain.officer", "Plain Officer", "NTS", &[], Some(PASSWORD))
        .await;
    let mut k = Browser::new(&app);
    let home = k.sign_in("/my", "plain.officer", PASSWORD, None).await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(!home.body.contains(r#"href="/admin/officials""#));
    assert_eq!(
        k.get("/admin/officials").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        k.get("/audit/access-log").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_platform_admin_manages_agencies_clients_keys_and_the_exchanges_grants() {
    let app = app().await;
    let root = with_totp(&app, Kind::PlatformAdmin, "root.admin", "Root Admin", None).await;
    let (mut b, page) = signed_in(&app, "root.admin", &root, "/admin/platform", "en").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let keys_before = page.body.matches(r#"<li class="egov-code">"#).count();
    assert!(keys_before >= 1, "{}", page.body);
    let csrf = page.field("csrf").expect("csrf");
    // An agency: a bad code first.
    let bad = b
        .post(
            "/admin/platform",
            &[
                ("csrf", &csrf),
                ("what", "agency"),
                ("id", "x"),
                ("name", "Ministry of Education"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert!(bad.body.contains(r##"href="#agency-id""##), "{}", bad.body);
    let made = b
        .post(
            "/admin/platform",
            &[
                ("csrf", &csrf),
                ("what", "agency"),
                ("id", "MOE"),
                ("name", "Ministry of Education"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let after = b.get("/admin/platform?done=agency").await;
    assert!(
        text(&after.body).contains("Ministry of Education"),
        "{}",
        after.body
    );
    // A client: no return address first; then a confidential one, its secret shown once.
    let bad = b
        .post(
            "/admin/platform",
            &[
                ("csrf", &csrf),
                ("what", "client"),
                ("name", "Minwon portal"),
                ("redirect_uris", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    let client = b
        .post(
            "/admin/platform",
            &[
                ("csrf", &csrf),
                ("what", "client"),
                ("name", "Minwon portal"),
                ("redirect_uris", "https://minwon.example/callback"),
                ("confidential", "yes"),
            ],
        )
        .await;
    assert_eq!(client.status, StatusCode::OK, "{}", client.body);
    assert!(
        client.body.contains(r#"id="new-client-secret""#),
        "{}",
        client.body
    );
    assert!(text(&client.body).contains("https://minwon.example/callback"));
    // Keys: rotated, one more published.
    let rotated = b
        .post("/admin/platform", &[("csrf", &csrf), ("what", "rotate")])
        .await;
    assert_eq!(rotated.status, StatusCode::SEE_OTHER, "{}", rotated.body);
    let keys = b.get("/admin/platform?done=rotated").await;
    assert_eq!(
        keys.body.matches(r#"<li class="egov-code">"#).count(),
        keys_before + 1,
        "{}",
        keys.body
    );

    // The exchange: this deployment among the members; a grant made and revoked.
    let member = app
        .state
        .exchange
        .as_ref()
        .expect("exchange")
        .member()
        .to_string();
    let x = b.get("/admin/exchange").await;
    assert_eq!(x.status, StatusCode::OK, "{}", x.body);
    assert!(text(&x.body).contains(&member), "{}", x.body);
    assert!(text(&x.body).contains("No dead letter"), "{}", x.body);
    assert!(
        text(&x.body).contains("No one has given a consent yet"),
        "{}",
        x.body
    );
    let bad = b
        .post(
            "/admin/exchange",
            &[
                ("csrf", &csrf),
                ("what", "grant"),
                ("client", "nonsense"),
                ("service", &format!("{member}/tax/income-certificate")),
                ("purpose", "petition.housing-benefit"),
                ("items", "year"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert!(
        bad.body.contains(r##"href="#grant-client""##),
        "{}",
        bad.body
    );
    let granted = b
        .post(
            "/admin/exchange",
            &[
                ("csrf", &csrf),
                ("what", "grant"),
                ("client", &format!("{member}/petition")),
                ("service", &format!("{member}/tax/income-certificate")),
                ("purpose", "petition.housing-benefit"),
                ("items", "year, total_income"),
            ],
        )
        .await;
    assert_eq!(granted.status, StatusCode::SEE_OTHER, "{}", granted.body);
    let x = b.get("/admin/exchange?done=granted").await;
    assert!(text(&x.body).contains("year, total_income"), "{}", x.body);
    let id = x
        .body
        .split(r#"name="what" value="revoke"><input type="hidden" name="id" value=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the grant's revoke form")
        .to_owned();
    let revoked = b
        .post(
            "/admin/exchange",
            &[("csrf", &csrf), ("what", "revoke"), ("id", &id)],
        )
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
    let again = b
        .post(
            "/admin/exchange",
            &[("csrf", &csrf), ("what", "revoke"), ("id", &id)],
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::BAD_REQUEST,
        "revoking twice is refused"
    );
    assert!(
        text(&b.get("/admin/exchange").await.body).contains("No grant yet"),
        "revoked grants are not listed"
    );

    // Another deployment joins by its id and gateway; bad input is refused beside the form
    // and registers nothing.
    let bad = b
        .post(
            "/admin/exchange",
            &[
                ("csrf", &csrf),
                ("what", "member"),
                ("id", "KR/GOV/1342000"),
                ("name", "Ministry of Justice"),
                ("base_url", "ftp://justice.example"),
                ("keys", "not json"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert!(bad.body.contains("href=\"#member-keys\""), "{}", bad.body);
    let bad = b
        .post(
            "/admin/exchange",
            &[
                ("csrf", &csrf),
                ("what", "member"),
                ("id", "KR/GOV/1342000"),
                ("name", "Ministry of Justice"),
                ("base_url", "ftp://justice.example"),
                ("keys", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert!(
        bad.body.contains("href=\"#member-base_url\""),
        "{}",
        bad.body
    );
    assert!(!text(&b.get("/admin/exchange").await.body).contains("KR/GOV/1342000"));
    let joined = b
        .post(
            "/admin/exchange",
            &[
                ("csrf", &csrf),
                ("what", "member"),
                ("id", "KR/GOV/1342000"),
                ("name", "Ministry of Justice"),
                ("base_url", "https://exchange.justice.example"),
                ("keys", ""),
            ],
        )
        .await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.body);
    let x = b.get("/admin/exchange?done=registered").await;
    let words = text(&x.body);
    assert!(
        words.contains("The member is registered.")
            && words.contains("KR/GOV/1342000")
            && words.contains("https://exchange.justice.example"),
        "{words}"
    );

    // The settings in force, read only, secrets hidden.
    let settings = b.get("/admin/settings").await;
    assert_eq!(settings.status, StatusCode::OK, "{}", settings.body);
    let words = text(&settings.body);
    assert!(
        words.contains("[auth]") && words.contains("access_token_secs"),
        "{words}"
    );
    assert!(
        !settings
            .body
            .contains(r#"<form method="post" action="/admin"#),
        "read only"
    );

    // An agency admin reaches none of these consoles.
    let moe = with_totp(
        &app,
        Kind::AgencyAdmin,
        "moe.admin",
        "MOE Admin",
        Some("MOE"),
    )
    .await;
    let (mut m, _) = signed_in(&app, "moe.admin", &moe, "/admin/officials", "en").await;
    assert_eq!(m.get("/admin/platform").await.status, StatusCode::FORBIDDEN);
    assert_eq!(m.get("/admin/exchange").await.status, StatusCode::FORBIDDEN);
    assert_eq!(m.get("/admin/settings").await.status, StatusCode::FORBIDDEN);
}

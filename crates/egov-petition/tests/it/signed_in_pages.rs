//! Signed-in pages over HTTP, as a browser uses them: the pages' sign-in (the code flow with
//! PKCE against the platform's own provider, the page session, its cookie), the forms' tokens,
//! sign-out (here, at the provider, and of the browser's single sign-on), and "My
//! applications". Runs on SQLite and PostgreSQL.

use egov_testing::browser::{Browser, text};
use egov_testing::clients::petition::Petition;
use egov_testing::{Spawn, TestApp, spawn_app_with};
use reqwest::StatusCode;
use serde_json::json;

const PASSWORD: &str = "correct horse battery staple 9";

async fn app(settings: &[(&str, &str)]) -> TestApp {
    spawn_app_with(Spawn {
        modules: &["auth", "exchange", "petition"],
        settings,
    })
    .await
}

async fn register(app: &TestApp, username: &str, nid: &str) {
    let res = app
        .post_json(
            "/auth/register",
            &json!({"kind": "citizen", "username": username, "display_name": "Kim Minji",
                    "password": PASSWORD, "national_id": nid}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
}

async fn api_token(app: &TestApp, username: &str) -> String {
    app.password_login(username, PASSWORD).await
}

#[tokio::test]
async fn a_citizen_signs_in_sees_their_applications_and_signs_out_everywhere() {
    let app = app(&[]).await;
    register(&app, "kim.minji", "900101-1234567").await;
    let token = api_token(&app, "kim.minji").await;
    let (s, draft) = Petition(&app)
        .create(
            &token,
            &json!({"service": "business-registration", "form": {"business_name": "Hangang Books"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{draft}");

    let mut b = Browser::new(&app);
    b.language = Some("en".into());
    // Not signed in: the page sends the browser to sign in, and the sign-in to the provider.
    let a = b.get("/my/applications").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(
        a.location.as_deref(),
        Some("/signin?return=%2Fmy%2Fapplications")
    );
    let a = b.get("/signin?return=%2Fmy%2Fapplications").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let to = url::Url::parse(a.location.as_deref().expect("location")).expect("url");
    assert_eq!(to.path(), "/auth/authorize");
    let q: std::collections::HashMap<String, String> = to.query_pairs().into_owned().collect();
    assert_eq!(q["client_id"], "egov-web");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["redirect_uri"], app.url("/signin/callback"));
    assert!(!q.contains_key("acr_values"));
    assert!(
        b.cookie("egov_signin").is_some(),
        "the pending sign-in rides in a cookie"
    );
    let page = b
        .sign_in("/my/applications", "kim.minji", PASSWORD, None)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let words = text(&page.body);
    assert!(words.contains("My applications"), "{words}");
    assert!(
        words.contains("Kim Minji"),
        "the header names the account: {words}"
    );
    assert!(
        words.contains("Business registration"),
        "the draft is listed: {words}"
    );
    assert!(words.contains("Not sent yet (draft)"), "{words}");
    assert_eq!(page.headers["cache-control"], "no-store");
    let session = b.cookie("egov_session").expect("session cookie").to_owned();
    assert_eq!(session.len(), 43);
    assert!(
        b.cookie("egov_signin").is_none(),
        "the spent sign-in cookie is cleared"
    );

    // My page links to the module's signed-in pages.
    let my = b.get("/my").await;
    assert_eq!(my.status, StatusCode::OK);
    assert!(
        my.body.contains(r#"href="/my/applications""#),
        "{}",
        my.body
    );

    // Sign-out needs the form's token: a form from elsewhere is refused and changes nothing.
    let csrf = page.field("csrf").expect("the sign-out form's token");
    let a = b.post("/signout", &[("csrf", "forged")]).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(
        text(&a.body).contains("This form has expired"),
        "{}",
        a.body
    );
    let a = b.post("/signout", &[]).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(b.get("/my/applications").await.status, StatusCode::OK);
    // Unknown fields beside a good token: a clear 400 page.
    let a = b
        .post("/signout", &[("csrf", &csrf), ("surprise", "1")])
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);

    let a = b.post("/signout", &[("csrf", &csrf)]).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert!(
        b.cookie("egov_session").is_none(),
        "the session cookie is cleared"
    );
    let end = a.location.expect("to the provider");
    assert!(
        end.starts_with(&app.url("/auth/end-session?id_token_hint=")),
        "{end}"
    );
    assert!(b.cookie("egov_sso").is_some());
    let a = b.get(&end).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(a.location.as_deref(), Some(app.url("/").as_str()));
    assert!(b.cookie("egov_sso").is_none(), "single sign-on ended too");

    // The old cookie opens nothing; the next sign-in asks for the password again.
    b.set_cookie("egov_session", &session);
    let a = b.get("/my/applications").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let login = b.follow("/my/applications").await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login.body.contains(r#"name="password""#), "{}", login.body);
}

#[tokio::test]
async fn a_page_session_outlives_its_short_access_tokens_by_refreshing_them() {
    // Access tokens of 20 s are refreshed on every page (30 s before expiry).
    let app = app(&[("EGOV__AUTH__ACCESS_TOKEN_SECS", "20")]).await;
    register(&app, "lee.jun", "900101-1234567").await;
    let mut b = Browser::new(&app);
    let first = b.sign_in("/my", "lee.jun", PASSWORD, None).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    // One after another: each page refreshes with the token the last refresh gave.
    for _ in 0..3 {
        assert_eq!(b.get("/my").await.status, StatusCode::OK);
    }
    // At the same time: one refresh, the others wait for it (a refresh token is single use;
    // using one twice would end the session).
    let cookie = format!(
        "egov_session={}",
        b.cookie("egov_session").expect("session")
    );
    let pages: Vec<_> = (0..4)
        .map(|_| {
            tokio::spawn(
                app.client
                    .get(app.url("/my"))
                    .header("cookie", cookie.clone())
                    .send(),
            )
        })
        .collect();
    for p in pages {
        assert_eq!(
            p.await.expect("task").expect("page").status(),
            StatusCode::OK
        );
    }
    assert_eq!(b.get("/my").await.status, StatusCode::OK);
    // Every page above refreshed once, the four at once included, and none was refused as a
    // reuse: the refresh tokens were used in turn.
    let auth = app.state.auth_service.as_ref().expect("auth").clone();
    let (used, live): (i64, i64) = auth
        .db()
        .run(|c| {
            use diesel::prelude::*;
            use egov_auth::schema::{auth_refresh_tokens as rt, auth_sessions as s};
            let pages: Vec<String> = s::table
                .filter(s::client_id.eq("egov-web"))
                .select(s::id)
                .load(c)?;
            let used = rt::table
                .filter(rt::session_id.eq_any(&pages))
                .filter(rt::used_at.is_not_null())
                .count()
                .get_result(c)?;
            let live = rt::table
                .filter(rt::session_id.eq_any(&pages))
                .filter(rt::used_at.is_null())
                .count()
                .get_result(c)?;
            Ok((used, live))
        })
        .await
        .expect("count");
    assert!(used >= 5, "refreshed {used} times");
    assert_eq!(live, 1, "one refresh token is current");
}

#[tokio::test]
async fn sign_in_refuses_what_it_did_not_start_and_goes_back_only_to_this_site() {
    let app = app(&[]).await;
    let mut b = Browser::new(&app);
    // A callback without the pending sign-in (a link from elsewhere): refused, nothing starts.
    let a = b.get("/signin/callback?code=abc&state=xyz").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(text(&a.body).contains("Sign in again") || text(&a.body).contains("다시 로그인"));
    assert!(b.cookie("egov_session").is_none());
    // With the pending cookie but another state: refused, and the cookie is spent.
    b.get("/signin?return=/my").await;
    assert!(b.cookie("egov_signin").is_some());
    let a = b.get("/signin/callback?code=abc&state=forged").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(b.cookie("egov_signin").is_none());
    // The way back is a path of this site, never another site.
    register(&app, "choi.ara", "900101-1234567").await;
    for evil in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
    ] {
        let mut b = Browser::new(&app);
        let start = format!(
            "/signin?return={}",
            url::form_urlencoded::byte_serialize(evil.as_bytes()).collect::<String>()
        );
        let back = b.log_in(&start, "choi.ara", PASSWORD, None).await;
        assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
        assert_eq!(back.location.as_deref(), Some("/my"), "{evil}");
    }
    // A page that needs a second factor sends the browser to a step-up sign-in.
    let a = b.get("/signin?return=/my&acr=aal2").await;
    let to = a.location.expect("location");
    assert!(to.contains("acr_values=aal2"), "{to}");
}

fn location_id(a: &egov_testing::browser::Answer, prefix: &str) -> String {
    let l = a.location.clone().expect("location");
    let rest = l.strip_prefix(prefix).unwrap_or_else(|| panic!("{l}"));
    rest.split('/').next().expect("id").to_owned()
}

#[tokio::test]
async fn a_citizen_applies_in_the_browser_checks_the_answers_and_gets_a_receipt() {
    let app = app(&[]).await;
    register(&app, "han.seo", "900101-1234567").await;
    register(&app, "other.one", "850505-2234567").await;
    let mut b = Browser::new(&app);
    b.language = Some("en".into());
    let form = b
        .sign_in("/services/road-complaint/apply", "han.seo", PASSWORD, None)
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(
        form.body.contains(r#"type="radio" id="f-problem""#),
        "{}",
        form.body
    );
    assert!(
        form.body.contains("Pothole"),
        "choices show the pack's labels"
    );
    let csrf = form.field("csrf").expect("csrf");

    // Missing answers: the page again (400) with a summary linking to each field, and what
    // was chosen still chosen. Nothing is stored.
    let a = b
        .post(
            "/services/road-complaint/apply",
            &[
                ("csrf", &csrf),
                ("action", "continue"),
                ("problem", "pothole"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.body.contains(r##"href="#f-region""##), "{}", a.body);
    assert!(a.body.contains(r##"href="#f-description""##));
    assert!(text(&a.body).contains("Choose Region"), "{}", text(&a.body));
    assert!(a.body.contains(r#"value="pothole" checked"#));
    assert!(
        a.body.contains("<title>Error: "),
        "the title says there is an error"
    );
    // A choice that is not one of the choices: refused the same way.
    let a = b
        .post(
            "/services/road-complaint/apply",
            &[("csrf", &csrf), ("action", "save"), ("region", "mars")],
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let mine = b.get("/my/applications").await;
    assert!(text(&mine.body).contains("You have not applied for anything yet"));

    // "Save and come back later" keeps a partial draft (hostile text included, as text).
    let a = b
        .post(
            "/services/road-complaint/apply",
            &[
                ("csrf", &csrf),
                ("action", "save"),
                ("problem", "streetlight"),
                ("description", "<script>alert(1)</script> dark"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let id = location_id(&a, "/my/applications/");
    let page = b.get(&format!("/my/applications/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("<script>alert"), "escaped");
    assert!(
        page.body.contains("&#60;script&#62;alert(1)"),
        "{}",
        page.body
    );
    let edit = b.get(&format!("/my/applications/{id}/form")).await;
    assert!(edit.body.contains(r#"value="streetlight" checked"#));

    // Someone else's application is not found, whatever its id.
    let mut other = Browser::new(&app);
    other.sign_in("/my", "other.one", PASSWORD, None).await;
    for path in ["", "/form", "/check", "/sent"] {
        let a = other.get(&format!("/my/applications/{id}{path}")).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{path}");
    }
    let a = other.get("/my/applications/not-a-uuid").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);

    // Continue with the rest: a report about a place asks where, then "check your answers".
    let a = b
        .post(
            &format!("/my/applications/{id}/form"),
            &[
                ("csrf", &csrf),
                ("action", "continue"),
                ("problem", "streetlight"),
                ("region", "busan"),
                ("description", "The light at the bus stop is out"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let place = format!("/my/applications/{id}/location");
    assert_eq!(a.location.as_deref(), Some(place.as_str()));
    let page = b.get(&place).await;
    assert_eq!(page.status, StatusCode::OK);
    // The address field works without script; "Use my location" is a hidden button that
    // the page's own script (from this site) shows.
    assert!(page.body.contains(r#"id="address""#));
    assert!(page.body.contains("data-egov-locate") && page.body.contains(" hidden "));
    assert!(page.body.contains(r#"<script src="/assets/"#));
    // No tile server configured: no map, and the pages load images from this site only.
    assert!(!page.body.contains("egov-map") && !page.body.contains("leaflet"));
    let csp = page.headers["content-security-policy"]
        .to_str()
        .unwrap_or_default();
    assert!(csp.contains("img-src 'self' data:;"), "{csp}");
    // Nothing given, coordinates that are not coordinates: the page again with the error.
    let a = b
        .post(
            &place,
            &[("csrf", &csrf), ("address", " "), ("lat", ""), ("long", "")],
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.body.contains(r##"href="#address""##));
    let a = b
        .post(
            &place,
            &[
                ("csrf", &csrf),
                ("address", ""),
                ("lat", "91"),
                ("long", "129"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let a = b
        .post(
            &place,
            &[
                ("csrf", &csrf),
                ("address", "Bus stop 05-123, Jungang-daero"),
                ("lat", "35.115300"),
                ("long", "129.041500"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(
        a.location.as_deref(),
        Some(format!("/my/applications/{id}/check").as_str())
    );
    let check = b.get(&format!("/my/applications/{id}/check")).await;
    let words = text(&check.body);
    assert!(words.contains("Street light out"), "{words}");
    assert!(words.contains("Busan"), "{words}");
    assert!(
        words.contains("Bus stop 05-123, Jungang-daero (latitude 35.11530, longitude 129.04150)"),
        "{words}"
    );
    assert!(
        !words.contains("Reports like this one"),
        "nothing similar yet"
    );

    // Sending needs the form's token; without it nothing is sent.
    let a = b
        .post(&format!("/my/applications/{id}/submit"), &[("csrf", "x")])
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = b
        .post(&format!("/my/applications/{id}/submit"), &[("csrf", &csrf)])
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let sent = b.follow(&a.location.expect("to the confirmation")).await;
    let words = text(&sent.body);
    assert!(words.contains("Application sent"), "{words}");
    assert!(words.contains("BUSAN-"), "the receipt number: {words}");
    assert!(words.contains("What happens next"));
    // The API sees the same case, sent through the web channel.
    let token = api_token(&app, "han.seo").await;
    let (s, v) = Petition(&app).application(&token, &id).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["status"], "submitted");
    assert_eq!(v["channel"], "web");
    // Sending twice does nothing more.
    let a = b
        .post(&format!("/my/applications/{id}/submit"), &[("csrf", &csrf)])
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(
        a.location.as_deref(),
        Some(format!("/my/applications/{id}").as_str())
    );
    let page = b.get(&format!("/my/applications/{id}")).await;
    assert!(
        text(&page.body).contains("The agency must answer by"),
        "{}",
        text(&page.body)
    );
    let receipt = v["receipt_no"].as_str().expect("receipt").to_owned();

    // Another report of the same kind 40 m away: "check your answers" shows the open one.
    let second = road_complaint(&mut b, &csrf, "Dark at the stop").await;
    let a = b
        .post(
            &format!("/my/applications/{second}/location"),
            &[
                ("csrf", &csrf),
                ("address", ""),
                ("lat", "35.115660"),
                ("long", "129.041500"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let check = b.get(&format!("/my/applications/{second}/check")).await;
    let words = text(&check.body);
    assert!(words.contains("Reports like this one"), "{words}");
    assert!(
        words.contains(&receipt) && words.contains("m away"),
        "{words}"
    );
}

/// A browser signed in as `username` (registered here) on the form of `service`, in English;
/// with the form's token.
async fn on_the_form<'a>(app: &'a TestApp, username: &str, service: &str) -> (Browser<'a>, String) {
    register(app, username, "900101-1234567").await;
    let mut b = Browser::new(app);
    b.language = Some("en".into());
    let form = b
        .sign_in(
            &format!("/services/{service}/apply"),
            username,
            PASSWORD,
            None,
        )
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let csrf = form.field("csrf").expect("csrf");
    (b, csrf)
}

/// Business registration filled in and continued; the answer (to the documents page).
async fn business_registration(b: &mut Browser<'_>, csrf: &str) -> egov_testing::browser::Answer {
    b.post(
        "/services/business-registration/apply",
        &[
            ("csrf", csrf),
            ("action", "continue"),
            ("business_name", "Hangang Books"),
            ("representative_id", "900101-1234567"),
            ("business_type", "retail"),
            ("start_date", "2026-03-02"),
            ("workplace.line1", "12 Sejong-daero"),
            ("workplace.city", "Seoul"),
        ],
    )
    .await
}

#[tokio::test]
async fn sending_without_the_documents_the_service_needs_shows_what_is_missing() {
    let app = app(&[]).await;
    let (mut b, csrf) = on_the_form(&app, "yoon.ji", "business-registration").await;
    // Every field type of the form: text, national ID, one choice, a date, an address.
    let a = b
        .post(
            "/services/business-registration/apply",
            &[
                ("csrf", &csrf),
                ("action", "continue"),
                ("business_name", "Hangang Books"),
                ("representative_id", "not an id"),
                ("business_type", "retail"),
                ("start_date", "2026-02-30"),
                ("workplace.line1", ""),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    for f in ["representative_id", "start_date", "workplace"] {
        assert!(
            a.body.contains(&format!(r##"href="#f-{f}""##)),
            "{f}: {}",
            a.body
        );
    }
    assert!(
        a.body.contains(r#"value="Hangang Books""#),
        "typed input is kept"
    );
    let a = business_registration(&mut b, &csrf).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let id = location_id(&a, "/my/applications/");
    assert_eq!(
        a.location.as_deref(),
        Some(format!("/my/applications/{id}/documents").as_str()),
        "a service with documents asks for them next"
    );
    let check = b.get(&format!("/my/applications/{id}/check")).await;
    let words = text(&check.body);
    assert!(
        words.contains("900101-*******"),
        "the national ID is shown masked: {words}"
    );
    assert!(words.contains("12 Sejong-daero, Seoul"), "{words}");
    assert!(words.contains("Not added yet"), "{words}");
    let a = b
        .post(&format!("/my/applications/{id}/submit"), &[("csrf", &csrf)])
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(
        a.body.contains(&format!(
            r#"href="/my/applications/{id}/documents#e-lease""#
        )),
        "{}",
        a.body
    );
    assert!(text(&a.body).contains("Add Copy of the lease contract"));
}

const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

#[tokio::test]
async fn documents_are_uploaded_from_a_plain_form_checked_by_content_and_then_sent() {
    let app = app(&[]).await;
    let (mut b, csrf) = on_the_form(&app, "jung.ha", "business-registration").await;
    let id = location_id(
        &business_registration(&mut b, &csrf).await,
        "/my/applications/",
    );
    let docs = b.get(&format!("/my/applications/{id}/documents")).await;
    assert_eq!(docs.status, StatusCode::OK);
    assert!(docs.body.contains(r#"enctype="multipart/form-data""#));
    assert!(
        docs.body
            .contains(r#"accept="application/pdf,image/png,image/jpeg""#)
    );
    let upload = format!("/my/applications/{id}/upload");
    // Without the form's token: refused, nothing stored.
    let a = b
        .post_file(&upload, &[("evidence", "lease")], "lease.pdf", PDF)
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    // Not a PDF, JPEG or PNG, whatever its name says: the page with the reason.
    let a = b
        .post_file(
            &upload,
            &[("csrf", &csrf), ("evidence", "lease")],
            "lease.pdf",
            b"MZ\x90\x00 an executable",
        )
        .await;
    assert_eq!(a.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(text(&a.body).contains("The file must be a PDF, JPEG or PNG"));
    assert!(a.body.contains(r##"href="#e-lease""##));
    // For something the service does not ask for: a bad form.
    let a = b
        .post_file(
            &upload,
            &[("csrf", &csrf), ("evidence", "passport")],
            "p.pdf",
            PDF,
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    // A name the store refuses: the page says what to do about it.
    let long = format!("{}.pdf", "n".repeat(220));
    let a = b
        .post_file(
            &upload,
            &[("csrf", &csrf), ("evidence", "lease")],
            &long,
            PDF,
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(text(&a.body).contains("The file name must be 1 to 200 characters"));
    // No file chosen.
    let a = b
        .post_file(&upload, &[("csrf", &csrf), ("evidence", "lease")], "", b"")
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(text(&a.body).contains("Choose a file to upload"));
    let check = b.get(&format!("/my/applications/{id}/check")).await;
    assert!(text(&check.body).contains("Not added yet"));

    let a = b
        .post_file(
            &upload,
            &[("csrf", &csrf), ("evidence", "lease")],
            "../../home/me/lease contract.pdf",
            PDF,
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(
        a.location.as_deref(),
        Some(format!("/my/applications/{id}/documents#e-lease").as_str())
    );
    let check = b.get(&format!("/my/applications/{id}/check")).await;
    assert!(
        text(&check.body).contains("Uploaded"),
        "{}",
        text(&check.body)
    );
    let a = b
        .post(&format!("/my/applications/{id}/submit"), &[("csrf", &csrf)])
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let token = api_token(&app, "jung.ha").await;
    let (_, v) = Petition(&app).application(&token, &id).await;
    assert_eq!(v["status"], "submitted");
    assert_eq!(v["attachments"][0]["filename"], "lease contract.pdf", "{v}");
    assert_eq!(v["attachments"][0]["content_type"], "application/pdf");
    assert_eq!(v["evidence"][0]["source"], "upload");
    // The agency approves and issues the certificate: the application's page offers it as a
    // PDF whose QR code opens the public check.
    let off = app.officer(&["petition.officer"], "NTS");
    for step in [
        json!({"action": "receive"}),
        json!({"action": "review"}),
        json!({"action": "decide", "decision": "approved", "reason": "Registered"}),
        json!({"action": "issue"}),
    ] {
        let (s, r) = Petition(&app).act(&off, &id, step).await;
        assert_eq!(s, StatusCode::OK, "{r}");
    }
    let page = b.get(&format!("/my/applications/{id}")).await;
    let (_, v) = Petition(&app).application(&token, &id).await;
    let number = v["documents"][0]["number"]
        .as_str()
        .expect("number")
        .to_owned();
    let href = format!("/my/applications/{id}/issued/{number}");
    assert!(
        page.body.contains(&format!(r#"href="{href}""#)),
        "{}",
        page.body
    );
    let pdf = b.get(&href).await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.body);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert!(
        pdf.headers["content-disposition"]
            .to_str()
            .expect("header")
            .starts_with("attachment;")
    );
    assert_eq!(pdf.headers["x-content-type-options"], "nosniff");
    assert!(pdf.body.starts_with("%PDF-"));
    let a = b
        .get(&format!("/my/applications/{id}/issued/0000-0000-0000"))
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let check = b.get(&format!("/documents/verify?number={number}")).await;
    assert!(
        text(&check.body).contains("This document is authentic and valid"),
        "{}",
        text(&check.body)
    );
    // Once sent, the documents page and uploads lead to the application.
    let a = b
        .post_file(
            &upload,
            &[("csrf", &csrf), ("evidence", "lease")],
            "x.pdf",
            PDF,
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(
        a.location.as_deref(),
        Some(format!("/my/applications/{id}").as_str())
    );
}

#[tokio::test]
async fn evidence_is_fetched_from_the_agency_that_holds_it_with_the_consent_shown_in_words() {
    use reqwest::Method;
    const NID: &str = "900101-1234567";
    // The evidence comes from the tax module (which takes this year's return early here).
    let app = spawn_app_with(Spawn {
        modules: &["auth", "exchange", "tax", "petition"],
        settings: &[("EGOV__TAX__ALLOW_EARLY_FILING", "true")],
    })
    .await;
    // The tax office has the citizen's filed return (through the API, as in the API tests).
    let tax_officer = app.officer(&["tax.officer"], "NTS");
    let (s, _) = app
        .send(
            Method::POST,
            "/tax/v1/officer/withholding-agents",
            Some(&tax_officer),
            Some(&json!({"business_id": "124-81-00998"})),
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) = app
        .send(
            Method::POST,
            "/tax/v1/statements?year=2026",
            Some(&app.business("1248100998")),
            Some(
                &json!([{"statement_id": "S-1", "national_id": NID, "wages": "30000000",
                          "withheld_income_tax": "600000", "withheld_local_tax": "60000"}]),
            ),
        )
        .await;
    assert_eq!(s, 200);
    let res = app
        .client
        .post(app.url("/tax/v1/me/returns/2026/submit"))
        .bearer_auth(app.citizen(NID))
        .header("idempotency-key", "k-1")
        .send()
        .await
        .expect("submit");
    assert_eq!(res.status(), 201, "{:?}", res.text().await);
    let x = app.state.exchange.clone().expect("exchange");
    let member = x.member().to_string();
    let (s, _) = app
        .send(
            Method::POST,
            "/exchange/v1/admin/grants",
            Some(&app.platform_admin()),
            Some(&json!({"client": format!("{member}/petition"),
                         "service": format!("{member}/tax/income-certificate"),
                         "purpose": "petition.housing-benefit",
                         "items": ["year", "total_income", "determined_tax", "filed_at"]})),
        )
        .await;
    assert_eq!(s, 201);

    register(&app, "kang.min", NID).await;
    let mut b = Browser::new(&app);
    b.language = Some("en".into());
    let form = b
        .sign_in(
            "/services/housing-benefit/apply",
            "kang.min",
            PASSWORD,
            None,
        )
        .await;
    let csrf = form.field("csrf").expect("csrf");
    let a = b
        .post(
            "/services/housing-benefit/apply",
            &[
                ("csrf", &csrf),
                ("action", "continue"),
                ("national_id", NID),
                ("income_year", "2026"),
                ("household_size", "2"),
                ("monthly_rent", "450000"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let id = location_id(&a, "/my/applications/");
    let docs = b.get(&format!("/my/applications/{id}/documents")).await;
    let words = text(&docs.body);
    assert!(
        words.contains("gets my Income certificate (year, total_income, determined_tax, filed_at) from the National Tax Service"),
        "the consent in words: {words}"
    );
    let fetch = format!("/my/applications/{id}/evidence/income");
    // The box not ticked: nothing is fetched and no consent is recorded.
    let a = b.post(&fetch, &[("csrf", &csrf)]).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(text(&a.body).contains("Tick the box to agree"));
    assert!(a.body.contains(r##"href="#consent-income""##));
    let token = api_token(&app, "kang.min").await;
    let (s, consents) = app
        .send(Method::GET, "/exchange/v1/me/consents", Some(&token), None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(consents, json!([]));
    // Ticked: the consent is recorded and the agency's answer kept with the case.
    let a = b.post(&fetch, &[("csrf", &csrf), ("consent", "yes")]).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let check = b.get(&format!("/my/applications/{id}/check")).await;
    assert!(
        text(&check.body).contains("Fetched from the agency that holds it, with your consent"),
        "{}",
        text(&check.body)
    );
    let (_, consents) = app
        .send(Method::GET, "/exchange/v1/me/consents", Some(&token), None)
        .await;
    assert_eq!(
        consents[0]["purpose"], "petition.housing-benefit",
        "{consents}"
    );
    let (_, v) = Petition(&app).application(&token, &id).await;
    assert_eq!(v["evidence"][0]["source"], "exchange");
    assert_eq!(v["evidence"][0]["consent"], consents[0]["id"]);
    let a = b
        .post(&format!("/my/applications/{id}/submit"), &[("csrf", &csrf)])
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);

    // My consents: the consent in words, and withdrawing it (the form's token required; not
    // twice; the API sees it withdrawn).
    let consent = consents[0]["id"].as_str().expect("id").to_owned();
    let page = b.get("/my/consents").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let words = text(&page.body);
    assert!(
        words.contains("may get your") && words.contains("the National Tax Service"),
        "{words}"
    );
    assert!(words.contains("In force"), "{words}");
    let withdraw = format!("/my/consents/{consent}/withdraw");
    let a = b.post(&withdraw, &[]).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = b.post(&withdraw, &[("csrf", &csrf)]).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(a.location.as_deref(), Some("/my/consents?withdrawn=1"));
    let page = b.get("/my/consents?withdrawn=1").await;
    let words = text(&page.body);
    assert!(words.contains("Your consent is withdrawn"), "{words}");
    assert!(words.contains("Withdrawn on"), "{words}");
    assert!(
        !page.body.contains(&withdraw),
        "no button for a withdrawn consent"
    );
    let a = b.post(&withdraw, &[("csrf", &csrf)]).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let (_, consents) = app
        .send(Method::GET, "/exchange/v1/me/consents", Some(&token), None)
        .await;
    assert!(consents[0]["withdrawn_at"].is_string(), "{consents}");
    // Someone else cannot withdraw it, nor see it.
    register(&app, "other.person", "850505-1234562").await;
    let mut other = Browser::new(&app);
    other.language = Some("en".into());
    let theirs = other
        .sign_in("/my/consents", "other.person", PASSWORD, None)
        .await;
    assert!(text(&theirs.body).contains("You have not given any consent"));
    let csrf2 = other
        .get("/my/applications")
        .await
        .body
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a form token")
        .to_owned();
    let a = other.post(&withdraw, &[("csrf", &csrf2)]).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_privacy_page_names_the_official_their_agency_and_the_reason() {
    let app = app(&[]).await;
    register(&app, "seo.yun", "900101-1234567").await;
    let mut b = Browser::new(&app);
    b.language = Some("en".into());
    let form = b
        .sign_in("/services/road-complaint/apply", "seo.yun", PASSWORD, None)
        .await;
    let csrf = form.field("csrf").expect("csrf");
    let a = b
        .post(
            "/services/road-complaint/apply",
            &[
                ("csrf", &csrf),
                ("action", "continue"),
                ("problem", "pothole"),
                ("region", "busan"),
                ("description", "A hole"),
            ],
        )
        .await;
    let id = location_id(&a, "/my/applications/");
    b.post(&format!("/my/applications/{id}/submit"), &[("csrf", &csrf)])
        .await;
    let empty = b.get("/my/privacy").await;
    assert_eq!(empty.status, StatusCode::OK);
    // An official of the handling agency reads the case, saying why.
    let token = api_token(&app, "seo.yun").await;
    let (_, v) = Petition(&app).application(&token, &id).await;
    let agency = v["agency"].as_str().expect("agency").to_owned();
    let officer = app.officer_account("park.jiwoo", &agency).await;
    let t = app.officer_named(&officer, &["petition.officer"], &agency);
    let (s, _) = Petition(&app)
        .officer_case(&t, &id, "reviewing the complaint")
        .await;
    assert_eq!(s, StatusCode::OK);
    let page = b.get("/my/privacy").await;
    assert_eq!(page.status, StatusCode::OK);
    let words = text(&page.body);
    assert!(words.contains("park.jiwoo"), "the official's name: {words}");
    assert!(words.contains("Test agency"), "their agency: {words}");
    assert!(
        words.contains("reviewing the complaint"),
        "the reason: {words}"
    );
    assert!(words.contains("Looked at it"), "{words}");
    assert!(words.contains("Civil services"), "{words}");
    assert!(!page.body.contains(&officer), "no raw account ids");
    assert_eq!(page.headers["cache-control"], "no-store");
    // The API says the same, with the names.
    let (s, log) = app
        .send(
            reqwest::Method::GET,
            "/auth/me/access-log",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(s, 200);
    let r = log["records"]
        .as_array()
        .expect("records")
        .iter()
        .find(|r| r["actor"] == officer.as_str())
        .expect("the officer's record");
    assert_eq!(r["actor_name"], "park.jiwoo");
    assert_eq!(r["actor_agency"], "Test agency");
    // Not signed in: to the sign-in.
    let mut anon = Browser::new(&app);
    let a = anon.get("/my/privacy").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    // A query it does not know: a clear 400 page, not a crash.
    let a = b.get("/my/privacy?before=abc").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(
        a.body.starts_with("<!doctype html>"),
        "an HTML page: {}",
        a.body
    );
}

/// A street-light complaint sent; its id.
/// A street light report's form sent with "continue": the new case's id (at its location page).
async fn road_complaint(b: &mut Browser<'_>, csrf: &str, description: &str) -> String {
    let a = b
        .post(
            "/services/road-complaint/apply",
            &[
                ("csrf", csrf),
                ("action", "continue"),
                ("problem", "streetlight"),
                ("region", "busan"),
                ("description", description),
            ],
        )
        .await;
    location_id(&a, "/my/applications/")
}

async fn street_light_complaint(b: &mut Browser<'_>, csrf: &str) -> String {
    let id = road_complaint(b, csrf, "The light at the bus stop is out").await;
    let sent = b
        .post(&format!("/my/applications/{id}/submit"), &[("csrf", csrf)])
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    id
}

#[tokio::test]
async fn the_applicant_answers_a_supplement_rates_reopens_and_withdraws_from_the_case_page() {
    let app = app(&[]).await;
    let (mut b, csrf) = on_the_form(&app, "lim.ha", "road-complaint").await;
    let id = street_light_complaint(&mut b, &csrf).await;
    let other = street_light_complaint(&mut b, &csrf).await;
    let token = api_token(&app, "lim.ha").await;
    let (_, v) = Petition(&app).application(&token, &id).await;
    let agency = v["agency"].as_str().expect("agency").to_owned();
    let off = app.officer(&["petition.officer"], &agency);
    for a in ["receive", "review"] {
        let (s, r) = Petition(&app).act(&off, &id, json!({"action": a})).await;
        assert_eq!(s, 200, "{r}");
    }
    let (s, _) = Petition(&app)
        .act(
            &off,
            &id,
            json!({"action": "request_supplement", "reason": "Which stop? Give the stop number"}),
        )
        .await;
    assert_eq!(s, 200);
    let case = format!("/my/applications/{id}");
    let page = b.get(&case).await;
    let words = text(&page.body);
    assert!(words.contains("The agency needs more from you"), "{words}");
    assert!(
        words.contains("Which stop? Give the stop number"),
        "{words}"
    );
    assert!(words.contains("The clock is stopped since"), "{words}");
    // Too short: the page again with the summary; nothing sent.
    let a = b
        .post(
            &format!("/my/applications/{id}/supplement"),
            &[("csrf", &csrf), ("note", "no")],
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(
        a.body.contains(r##"href="#supplement-note""##),
        "{}",
        a.body
    );
    let a = b
        .post(
            &format!("/my/applications/{id}/supplement"),
            &[
                ("csrf", &csrf),
                ("note", "Stop 12-345, in front of the library"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let words = text(&b.get(&case).await.body);
    assert!(words.contains("You sent more information"), "{words}");
    assert!(words.contains("You sent more: Stop 12-345"), "{words}");
    for step in [
        json!({"action": "review"}),
        json!({"action": "decide", "decision": "approved", "reason": "Repaired on site"}),
        json!({"action": "close"}),
    ] {
        let (s, r) = Petition(&app).act(&off, &id, step).await;
        assert_eq!(s, 200, "{r}");
    }
    // Rating: a score is required; once given it shows and cannot be given again.
    let words = text(&b.get(&case).await.body);
    assert!(words.contains("How was your case handled?"), "{words}");
    let a = b
        .post(
            &format!("/my/applications/{id}/rating"),
            &[("csrf", &csrf), ("comment", "hm")],
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(text(&a.body).contains("Choose a rating from 1 to 5"));
    let a = b
        .post(
            &format!("/my/applications/{id}/rating"),
            &[
                ("csrf", &csrf),
                ("score", "2"),
                ("comment", "Dark again a day later"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let words = text(&b.get(&case).await.body);
    assert!(words.contains("2 out of 5"), "{words}");
    assert!(!words.contains("How was your case handled?"));
    // Reopen: back to review, and the history keeps the earlier rating and comment.
    let a = b
        .post(
            &format!("/my/applications/{id}/reopen"),
            &[("csrf", &csrf), ("reason", "The light is out again")],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let words = text(&b.get(&case).await.body);
    assert!(
        words.contains("Reopened by you: The light is out again"),
        "{words}"
    );
    assert!(
        words.contains("rated 2 out of 5 before: Dark again a day later"),
        "{words}"
    );
    assert!(words.contains("Being reviewed"), "{words}");
    // Withdraw the other one (a reason is needed); then nothing more can be done to it.
    let a = b
        .post(
            &format!("/my/applications/{other}/withdraw"),
            &[("csrf", &csrf), ("reason", "")],
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let a = b
        .post(
            &format!("/my/applications/{other}/withdraw"),
            &[("csrf", &csrf), ("reason", "Sent twice by mistake")],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let words = text(&b.get(&format!("/my/applications/{other}")).await.body);
    assert!(words.contains("Withdrawn by you"), "{words}");
    assert!(!words.contains("Withdraw the application"), "{words}");
    let a = b
        .post(
            &format!("/my/applications/{other}/withdraw"),
            &[("csrf", &csrf), ("reason", "Sent twice by mistake")],
        )
        .await;
    assert_eq!(
        a.status,
        StatusCode::BAD_REQUEST,
        "an illegal move is refused"
    );
}

#[tokio::test]
async fn with_a_tile_server_the_location_page_has_a_map_and_its_tiles_are_allowed() {
    let app = app(&[
        (
            "EGOV__WEB__MAP__TILES",
            "https://tiles.example.kr/base/{z}/{x}/{y}.png",
        ),
        ("EGOV__WEB__MAP__ATTRIBUTION", "© Example Mapping Agency"),
        ("EGOV__WEB__MAP__CENTER_LAT", "35.1153"),
        ("EGOV__WEB__MAP__CENTER_LONG", "129.0415"),
    ])
    .await;
    let (mut b, csrf) = on_the_form(&app, "map.reader", "road-complaint").await;
    let id = road_complaint(&mut b, &csrf, "The light at the bus stop is out").await;
    let page = b.get(&format!("/my/applications/{id}/location")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    // The map, hidden until its script shows it: the tile template, the credit, where it
    // opens, its words in the page's language; Leaflet (vendored) before the page's script.
    assert!(page.body.contains(r#"id="egov-map""#), "{}", page.body);
    assert!(
        page.body
            .contains(" hidden role=\"region\" aria-label=\"Map\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("tiles.example.kr"), "{}", page.body);
    assert!(page.body.contains(r#"data-lat="35.1153""#), "{}", page.body);
    assert!(
        page.body.contains("Example Mapping Agency"),
        "{}",
        page.body
    );
    let leaflet = page.body.find("leaflet/leaflet.js").expect("leaflet");
    let map = page.body.find("egov-map.js").expect("the map's script");
    assert!(leaflet < map && page.body.contains("leaflet/leaflet.css"));
    // The address field stays: the map is a help, not the way.
    assert!(page.body.contains(r#"id="address""#));
    // Images from the tile server are allowed on the pages, nothing else from it.
    let csp = page.headers["content-security-policy"]
        .to_str()
        .unwrap_or_default();
    assert!(
        csp.contains("img-src 'self' data: https://tiles.example.kr;"),
        "{csp}"
    );
    assert!(
        csp.contains("script-src 'self';") && csp.contains("connect-src 'self';"),
        "{csp}"
    );
    // The vendored files are served from this site, with their licence.
    let js = app
        .client
        .get(app.url(&leaflet_url(&page.body)))
        .send()
        .await
        .expect("js");
    assert_eq!(js.status(), StatusCode::OK);
    // A marked place is kept like "Use my location"'s: the coordinates and the address.
    let saved = b
        .post(
            &format!("/my/applications/{id}/location"),
            &[
                ("csrf", &csrf),
                ("address", "Bus stop 05-123"),
                ("lat", "35.115300"),
                ("long", "129.041500"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
}

/// The URL of the vendored Leaflet script named by a page.
fn leaflet_url(body: &str) -> String {
    let end = body.find("leaflet/leaflet.js").expect("leaflet") + "leaflet/leaflet.js".len();
    let start = body[..end].rfind("\"/assets/").expect("asset url") + 1;
    body[start..end].replace("&#x2f;", "/")
}

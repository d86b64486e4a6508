//! The petition module's public pages over HTTP: the layout, languages, error pages, the
//! headers pages carry and the embedded assets. (Browser checks with axe-core are in
//! `tests/browser/pages.mjs`, run by `.ci/run`.) Runs on SQLite and PostgreSQL.

use egov_testing::{Spawn, TestApp, spawn_app_with};
use reqwest::StatusCode;

async fn app() -> TestApp {
    spawn_app_with(Spawn {
        modules: &["auth", "exchange", "petition"],
        settings: &[],
    })
    .await
}

async fn page(
    app: &TestApp,
    path: &str,
    accept: Option<&str>,
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let mut req = app.client.get(app.url(path));
    if let Some(a) = accept {
        req = req.header("accept-language", a);
    }
    let res = req.send().await.expect("page");
    let (status, headers) = (res.status(), res.headers().clone());
    (status, headers, res.text().await.expect("html"))
}

#[tokio::test]
async fn the_home_page_lists_the_packs_services_in_the_language_asked_for() {
    let app = app().await;
    let (s, h, html) = page(&app, "/", Some("en-GB,en;q=0.9,ko;q=0.5")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains(r#"<html lang="en">"#), "{html}");
    assert!(html.contains("Business registration"), "{html}");
    assert!(html.contains(r##"href="#main""##), "a skip link: {html}");
    assert_eq!(h["content-language"], "en");
    let csp = h["content-security-policy"].to_str().expect("csp");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(h["cache-control"], "no-store");
    // No preference: the pack's default language (Korean).
    let (_, _, html) = page(&app, "/", None).await;
    assert!(html.contains(r#"<html lang="ko">"#));
    assert!(html.contains("사업자등록 신청"));
    // A language the pack does not have: the default.
    let (_, _, html) = page(&app, "/", Some("fr-FR")).await;
    assert!(html.contains(r#"<html lang="ko">"#));
}

#[tokio::test]
async fn a_language_link_sets_a_cookie_that_later_pages_follow() {
    let app = app().await;
    let res = app
        .client
        .get(app.url("/services?lang=en"))
        .send()
        .await
        .expect("page");
    let cookie = res.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .to_owned();
    assert!(cookie.starts_with("egov_lang=en"), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let res = app
        .client
        .get(app.url("/services"))
        .header("cookie", "egov_lang=en")
        .header("accept-language", "ko")
        .send()
        .await
        .expect("page");
    assert_eq!(res.headers()["content-language"], "en");
    // A language the pack does not offer is ignored.
    let (_, h, _) = page(&app, "/services?lang=xx", None).await;
    assert_eq!(h["content-language"], "ko");
}

#[tokio::test]
async fn bad_input_gets_the_page_with_an_error_summary_and_unknown_pages_an_html_404() {
    let app = app().await;
    let (s, h, html) = page(&app, "/services?kind=nonsense&lang=en", None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        h["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/html")
    );
    assert!(
        html.contains("egov-error-summary") && html.contains(r##"href="#kind""##),
        "{html}"
    );
    let long = "x".repeat(101);
    let (s, _, _) = page(&app, &format!("/services?q={long}"), None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, h, html) = page(&app, "/services/no-such-service?lang=en", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(
        h["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/html")
    );
    assert!(html.contains("Page not found"), "{html}");
    // A browser asking for a page that does not exist gets a page; an API client a problem.
    let res = app
        .client
        .get(app.url("/no-such-page?lang=en"))
        .header("accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
        .send()
        .await
        .expect("page");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.expect("html").contains("Page not found"));
    let res = app
        .client
        .get(app.url("/no-such-page"))
        .header("accept", "application/json")
        .send()
        .await
        .expect("problem");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let (s, _, html) = page(&app, "/documents/verify?number=12ab&lang=en", None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(html.contains(r#"aria-invalid="true""#), "{html}");
    let (s, _, html) = page(
        &app,
        "/documents/verify?number=0000-0000-0000&lang=en",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(html.contains("No document with this number"), "{html}");
    // Text is escaped, never markup.
    let (_, _, html) = page(
        &app,
        "/services?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        None,
    )
    .await;
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("&#60;script&#62;"), "{html}");
}

#[tokio::test]
async fn search_finds_services_by_words_in_any_language_and_by_kind() {
    let app = app().await;
    let (_, _, html) = page(&app, "/services?q=registration&lang=en", None).await;
    assert!(html.contains("Business registration"), "{html}");
    assert!(!html.contains("Road and streetlight"), "{html}");
    let (_, _, html) = page(&app, "/services?q=%EB%93%B1%EB%B3%B8&lang=en", None).await;
    assert!(
        html.contains("resident-registration-copy"),
        "Korean words find it: {html}"
    );
    let (_, _, html) = page(&app, "/services?kind=complaint&lang=en", None).await;
    assert!(
        html.contains("road-complaint") && !html.contains("business-registration"),
        "{html}"
    );
}

#[tokio::test]
async fn assets_are_served_at_content_hashed_urls_and_kept_for_a_year() {
    let app = app().await;
    let (_, _, html) = page(&app, "/", None).await;
    let css = html
        .split('"')
        .find(|s| s.starts_with("/assets/") && s.ends_with("/krds/krds.css"))
        .expect("the stylesheet's URL")
        .to_owned();
    let res = app.client.get(app.url(&css)).send().await.expect("css");
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(res.headers()["content-type"], "text/css; charset=utf-8");
    let body = res.text().await.expect("css");
    assert!(body.contains("Pretendard GOV"));
    // The fonts and icons it names resolve under the same hash.
    let base = css.trim_end_matches("krds.css");
    for rel in [
        "fonts/PretendardGOV-Regular.subset.woff2",
        "icons/ico_angle.svg",
    ] {
        let res = app
            .client
            .get(app.url(&format!("{base}{rel}")))
            .send()
            .await
            .expect("asset");
        assert_eq!(res.status(), 200, "{rel}");
    }
    let res = app
        .client
        .get(app.url("/assets/000000000000/krds/nothing.css"))
        .send()
        .await
        .expect("missing");
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn the_paraguay_pack_serves_its_pages_in_spanish_guarani_and_english() {
    let app = spawn_app_with(Spawn {
        modules: &["auth", "exchange", "tax", "petition"],
        settings: &[("EGOV__COUNTRY__CODE", "py")],
    })
    .await;
    let (s, h, html) = page(&app, "/", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h["content-language"], "es");
    assert!(html.contains("República del Paraguay"), "{html}");
    for (code, name) in [("gn", "Avañeʼẽ"), ("en", "English")] {
        assert!(
            html.contains(&format!(r#"lang="{code}" hreflang="{code}">{name}</a>"#)),
            "a link to {code}: {html}"
        );
    }
    let (_, h, html) = page(&app, "/?lang=gn", None).await;
    assert_eq!(h["content-language"], "gn");
    assert!(html.contains(r#"<html lang="gn">"#));
    // Amounts in guaraníes, grouped the Spanish way.
    let (_, _, html) = page(&app, "/services?lang=es", None).await;
    assert!(html.contains("₲ 50.000"), "the police record fee: {html}");
}

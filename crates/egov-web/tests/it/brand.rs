//! The country pack's brand on the pages: py's colours as KRDS tokens in a content-hashed
//! stylesheet after KRDS's, its logo beside the portal's name, where to get help in the
//! footer; kr keeps KRDS's colours and shows its call centre. Runs on SQLite and PostgreSQL
//! (EGOV_TEST_BACKEND).

use egov_testing::{Spawn, spawn_app_with};
use reqwest::StatusCode;

fn attr<'a>(html: &'a str, start: &str) -> Option<&'a str> {
    let at = html.find(start)? + start.len();
    html[at..].split('"').next()
}

#[tokio::test]
async fn a_pack_brands_its_portal_without_a_fork() {
    let app = spawn_app_with(Spawn {
        modules: &["auth", "exchange", "petition"],
        settings: &[("EGOV__COUNTRY__CODE", "py")],
    })
    .await;
    let home = app.get("/?lang=es").await.text().await.expect("html");
    let css = attr(&home, r#"<link rel="stylesheet" href="/brand/"#).expect("brand stylesheet");
    let res = app.get(&format!("/brand/{css}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("public, max-age=31536000, immutable")
    );
    let text = res.text().await.expect("css");
    assert!(
        text.contains("--krds-color-light-primary-50: #0038a8;"),
        "{text}"
    );
    // After KRDS's stylesheet, so the pack's tokens win.
    let krds = home.find("krds/krds.css").expect("krds");
    assert!(home.find("/brand/").expect("brand") > krds);

    let logo = attr(&home, r#"<img src="/brand/"#).expect("logo");
    assert!(
        home.contains(r#"alt="" class="egov-logo""#),
        "decorative: the name is beside it"
    );
    let res = app.get(&format!("/brand/{logo}")).await;
    assert_eq!(
        res.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("image/svg+xml")
    );
    assert!(res.headers().get("content-security-policy").is_some());
    assert!(
        home.contains(r#"<a href="mailto:ayuda@tramites.example">"#),
        "{home}"
    );
    assert!(home.contains(r#"<a href="https://tramites.example/ayuda">"#));
    assert_eq!(
        app.get("/brand/000000000000/other.css").await.status(),
        StatusCode::NOT_FOUND
    );

    let kr = spawn_app_with(Spawn {
        modules: &["auth", "exchange", "petition"],
        settings: &[],
    })
    .await;
    let home = kr.get("/?lang=ko").await.text().await.expect("html");
    assert!(
        !home.contains("/brand/"),
        "KRDS's own colours and flag, no logo"
    );
    assert!(home.contains(r#"전화 <a href="tel:110">110</a>"#), "{home}");
}

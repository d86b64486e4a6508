//! Issue 18's low findings about what every answer carries and who may read `/metrics`; each
//! failed on the main of 2026-12-05. SQLite or PostgreSQL (`EGOV_TEST_BACKEND`).

use egov_testing::{Spawn, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::json;

fn header<'a>(res: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    res.headers().get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn low_sign_in_and_refresh_answers_are_never_cached() {
    let app = spawn_app().await;
    let res = app
        .post_json(
            "/auth/login",
            &json!({"username": "nobody.here", "password": "wrong password here"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(header(&res, "cache-control"), Some("no-store"));
    let res = app
        .post_json("/auth/refresh", &json!({"refresh_token": "x"}))
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(header(&res, "cache-control"), Some("no-store"));
    let res = app.get("/health/live").await;
    assert_eq!(header(&res, "cache-control"), Some("no-store"));
    assert_eq!(header(&res, "x-frame-options"), Some("DENY"));
}

#[tokio::test]
async fn low_production_answers_carry_hsts() {
    let app = spawn_app().await;
    assert_eq!(
        header(&app.get("/health/live").await, "strict-transport-security"),
        None,
        "local development over plain HTTP"
    );
    let app = spawn_app_with(Spawn {
        settings: &[("EGOV__SERVER__HSTS", "true")],
        ..Spawn::default()
    })
    .await;
    let res = app.get("/health/live").await;
    assert_eq!(
        header(&res, "strict-transport-security"),
        Some("max-age=31536000; includeSubDomains")
    );
}

#[tokio::test]
async fn low_the_api_documentation_has_a_content_security_policy() {
    let app = spawn_app().await;
    let res = app.get("/docs/").await;
    assert_eq!(res.status(), StatusCode::OK);
    let csp = header(&res, "content-security-policy").unwrap_or_default();
    for part in [
        "default-src 'none'",
        "script-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(part), "{csp}");
    }
}

#[tokio::test]
async fn low_metrics_need_a_token_where_one_is_set() {
    let app = spawn_app_with(Spawn {
        settings: &[
            ("EGOV__SERVER__METRICS_TOKEN", "scraper-secret-1234"),
            ("EGOV__SERVER__METRICS_PUBLIC", "false"),
        ],
        ..Spawn::default()
    })
    .await;
    let res = app.get("/metrics").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    for wrong in [
        "Bearer scraper-secret-123",
        "scraper-secret-1234",
        "Bearer ",
    ] {
        let res = app
            .client
            .get(app.url("/metrics"))
            .header("authorization", wrong)
            .send()
            .await
            .expect("req");
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{wrong}");
    }
    let res = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("scraper-secret-1234")
        .send()
        .await
        .expect("req");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.expect("text").contains("egov_build_info"));
}

#[test]
fn low_production_refuses_to_start_with_open_metrics() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config");
    let settings =
        egov_core::Settings::load_from(&dir, "production", Vec::new()).expect("production loads");
    assert!(!settings.server.metrics_public && settings.server.hsts);
    let err = egov_server::startup::prepare(settings, egov_server::registered_modules())
        .expect_err("no metrics token");
    assert!(err.to_string().contains("METRICS_TOKEN"), "{err}");
}

#[tokio::test]
async fn low_acknowledged_commits_survive_a_power_loss_by_default() {
    let app = spawn_app().await;
    let postgres = matches!(app.state.db.backend(), egov_core::db::Backend::Postgres);
    let setting = app
        .state
        .db
        .run(move |c| {
            use diesel::prelude::*;
            #[derive(QueryableByName)]
            struct Row {
                #[diesel(sql_type = diesel::sql_types::Text)]
                value: String,
            }
            // SQLite: synchronous 2 = FULL. PostgreSQL: commits wait for the WAL flush.
            let q = if postgres {
                "SELECT current_setting('synchronous_commit') AS value"
            } else {
                "SELECT CAST(synchronous AS TEXT) AS value FROM pragma_synchronous"
            };
            let r: Row = diesel::sql_query(q).get_result(c)?;
            Ok(r.value)
        })
        .await
        .expect("setting");
    assert_eq!(setting, if postgres { "on" } else { "2" });
}

#[tokio::test]
async fn low_dates_in_year_0_9999_and_10000_are_refused() {
    let app = spawn_app().await;
    let admin = app.token(egov_testing::As {
        kind: "agency_admin",
        agency: Some("MOIS"),
        ..egov_testing::As::default()
    });
    for bad in ["0000-01-01", "9999-12-31", "+10000-01-01"] {
        // A query parameter (the pack calendar) ...
        let res = app
            .get(&format!(
                "/api/v1/countries/kr/calendar/working-day?date={}",
                bad.replace('+', "%2B")
            ))
            .await;
        assert!(res.status().is_client_error(), "{bad}: {}", res.status());
        let body: serde_json::Value = res.json().await.expect("problem");
        assert!(
            body["detail"].as_str().unwrap_or_default().contains("year")
                || body["detail"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("input"),
            "{bad}: {body}"
        );
        // ... and a JSON body (a docflow delegation) get a problem, and nothing is stored.
        let res = app
            .client
            .post(app.url("/docflow/v1/delegations"))
            .bearer_auth(&admin)
            .json(
                &json!({"doc_type": "expenditure", "max_amount": 1000, "rank": 3,
                          "effective_from": bad, "citation": "directive"}),
            )
            .send()
            .await
            .expect("req");
        let status = res.status();
        let body: serde_json::Value = res.json().await.expect("problem");
        assert!(
            matches!(status.as_u16(), 400 | 422) && body.to_string().contains("year"),
            "{bad}: {status} {body}"
        );
    }
    let stored: i64 = app
        .state
        .db
        .run(|c| {
            use diesel::prelude::*;
            #[derive(QueryableByName)]
            struct N {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            Ok(
                diesel::sql_query("SELECT COUNT(*) AS n FROM docflow_delegations")
                    .get_result::<N>(c)?
                    .n,
            )
        })
        .await
        .expect("count");
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn finding_10_upload_routes_take_their_documented_sizes_and_others_stay_small() {
    let app = spawn_app().await;
    let officer = app.token(egov_testing::As {
        kind: "officer",
        agency: Some("MOIS"),
        ..egov_testing::As::default()
    });
    let business = app.token(egov_testing::As {
        kind: "business",
        bid: Some("1248100998"),
        ..egov_testing::As::default()
    });
    // A JSON body of `n` bytes (a long string field), read in full by the route's extractor.
    let body = |n: usize| {
        let mut b = br#"{"title": ""#.to_vec();
        b.extend(std::iter::repeat_n(b'a', n));
        b.extend(br#""}"#);
        b
    };
    for (path, token, size) in [
        ("/docflow/v1/documents", &officer, 14 * 1024 * 1024),
        (
            "/procurement/v1/tenders/00000000-0000-0000-0000-000000000000/bids",
            &business,
            5 * 1024 * 1024,
        ),
    ] {
        let res = app
            .client
            .post(app.url(path))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body(size))
            .send()
            .await
            .expect("req");
        // Read and judged on its content (a 4xx about the fields), not refused for its size.
        assert_ne!(res.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        assert!(res.status().is_client_error(), "{path}: {}", res.status());
        let res = app
            .client
            .post(app.url(path))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body(17 * 1024 * 1024))
            .send()
            .await
            .expect("req");
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
    }
    // Every other route keeps server.max_body_bytes (1 MiB).
    let res = app
        .client
        .post(app.url("/auth/login"))
        .header("content-type", "application/json")
        .body(body(2 * 1024 * 1024))
        .send()
        .await
        .expect("req");
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

/// `egov admin …` prepares the whole app on the server's database with its own settings; the
/// pages' client must keep the redirect URI of the server that serves the pages (a CLI run
/// with another bind or public URL once broke every sign-in with "redirect_uri is not
/// registered").
#[tokio::test]
async fn an_administration_command_does_not_move_the_pages_redirect_uri() {
    let app = spawn_app_with(Spawn {
        modules: &["auth", "petition"],
        settings: &[],
    })
    .await;
    let uris = |app: &egov_testing::TestApp| {
        let db = app.state.db.clone();
        async move {
            db.run(|c| egov_auth::clients::get(c, "egov-web"))
                .await
                .expect("read")
                .expect("the pages' client is registered")
                .redirect_uris
        }
    };
    let served = uris(&app).await;
    assert!(served.contains(&app.address), "{served}");
    let mut settings = (*app.state.settings).clone();
    settings.server.public_url = Some("http://127.0.0.1:9".into());
    let modules = egov_server::startup::select_modules(
        &egov_server::registered_modules(),
        &settings.server.modules,
    )
    .expect("modules");
    tokio::task::spawn_blocking(move || egov_server::startup::prepare(settings, modules))
        .await
        .expect("join")
        .expect("prepared as `egov admin` does");
    assert_eq!(uris(&app).await, served);
}

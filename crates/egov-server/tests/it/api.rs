//! API tests against the real app on a fresh database (SQLite, or PostgreSQL with
//! `EGOV_TEST_BACKEND=postgres`).

use egov_testing::{Spawn, spawn_app, spawn_app_with, spawn_app_without_database};
use reqwest::StatusCode;
use reqwest::header::{ALLOW, CONTENT_TYPE, RETRY_AFTER};
use serde_json::{Value, json};

const PROBLEM: &str = "application/problem+json";

/// Asserts an RFC 9457 body with the given status and code, and returns it.
async fn problem(res: reqwest::Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(res.status(), status);
    assert_eq!(
        res.headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some(PROBLEM)
    );
    let header_id = res
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .expect("x-request-id header");
    let body: Value = res.json().await.expect("problem body is JSON");
    assert_eq!(body["status"], status.as_u16());
    assert_eq!(body["code"], code);
    assert_eq!(body["type"], format!("urn:egov:problem:{code}"));
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(body["request_id"], header_id.as_str());
    assert!(
        body["instance"]
            .as_str()
            .is_some_and(|i| i.starts_with('/'))
    );
    body
}

#[tokio::test]
async fn liveness_and_readiness_answer() {
    let app = spawn_app().await;
    let live = app.get("/health/live").await;
    assert_eq!(live.status(), StatusCode::OK);
    assert_eq!(live.json::<Value>().await.expect("json")["status"], "ok");

    let ready = app.get("/health/ready").await;
    assert_eq!(ready.status(), StatusCode::OK);
    let body: Value = ready.json().await.expect("json");
    assert_eq!(body["status"], "ok");
    let expected = match egov_testing::backend() {
        egov_testing::Backend::Sqlite => "sqlite",
        egov_testing::Backend::Postgres => "postgres",
    };
    assert_eq!(body["database"], expected);
    assert_eq!(app.get("/health/started").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_down() {
    let app = spawn_app_without_database();
    // Liveness does not depend on the database...
    assert_eq!(app.get("/health/live").await.status(), StatusCode::OK);
    // ...readiness does, and says so as a problem with Retry-After.
    let res = app.get("/health/ready").await;
    assert!(res.headers().contains_key(RETRY_AFTER));
    problem(res, StatusCode::SERVICE_UNAVAILABLE, "database_unavailable").await;
    // A database-backed route answers 503, not 500, and leaks nothing.
    let res = app.get("/api/v1/probe/notes/abc").await;
    let body = problem(res, StatusCode::SERVICE_UNAVAILABLE, "database_unavailable").await;
    let text = body.to_string();
    assert!(
        !text.contains("egov.db") && !text.contains("egov_test_"),
        "{text}"
    );
}

#[tokio::test]
async fn unknown_route_is_a_404_problem() {
    let app = spawn_app().await;
    let body = problem(
        app.get("/no/such/route").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_eq!(body["instance"], "/no/such/route");
}

#[tokio::test]
async fn errors_from_inner_services_become_problems_and_keep_their_headers() {
    let app = spawn_app().await;
    // Swagger UI answers a missing asset with a bare 404 of its own.
    let res = app.get("/docs/no-such-asset.js").await;
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    problem(res, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn wrong_method_is_a_405_problem_with_allow() {
    let app = spawn_app().await;
    let res = app
        .client
        .delete(app.url("/health/live"))
        .send()
        .await
        .expect("request");
    assert_eq!(
        res.headers().get(ALLOW).and_then(|v| v.to_str().ok()),
        Some("GET")
    );
    problem(res, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;

    let res = app.get("/api/v1/countries/kr/national-ids/validate").await;
    assert_eq!(
        res.headers().get(ALLOW).and_then(|v| v.to_str().ok()),
        Some("POST")
    );
    problem(res, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
}

#[tokio::test]
async fn malformed_json_is_a_400_problem() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url("/api/v1/countries/kr/business-ids/validate"))
        .header(CONTENT_TYPE, "application/json")
        .body(r#"{"value": "#)
        .send()
        .await
        .expect("request");
    problem(res, StatusCode::BAD_REQUEST, "malformed_body").await;
}

#[tokio::test]
async fn wrong_content_type_is_a_415_problem() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url("/api/v1/countries/kr/business-ids/validate"))
        .header(CONTENT_TYPE, "text/plain")
        .body(r#"{"value": "124-81-00998"}"#)
        .send()
        .await
        .expect("request");
    problem(
        res,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
}

#[tokio::test]
async fn oversized_body_is_a_413_problem() {
    let app = spawn_app_with(Spawn {
        settings: &[("EGOV__SERVER__MAX_BODY_BYTES", "1024")],
        ..Spawn::default()
    })
    .await;
    let big = json!({ "value": "x".repeat(4096) });
    let res = app
        .post_json("/api/v1/countries/kr/business-ids/validate", &big)
        .await;
    problem(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
}

#[tokio::test]
async fn wrong_shape_and_invalid_values_are_422_problems_naming_the_field() {
    let app = spawn_app().await;
    // Well-formed JSON of the wrong shape.
    let res = app
        .post_json(
            "/api/v1/countries/kr/business-ids/validate",
            &json!({"value": 5}),
        )
        .await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    // The right shape with a wrong check digit.
    let res = app
        .post_json(
            "/api/v1/countries/kr/business-ids/validate",
            &json!({"value": "124-81-00997"}),
        )
        .await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["errors"][0]["pointer"], "/value");
    assert_eq!(body["errors"][0]["detail"], "check digit does not match");
}

#[tokio::test]
async fn bad_query_is_a_400_problem() {
    let app = spawn_app().await;
    let res = app.get("/api/v1/countries/kr/holidays?year=abc").await;
    problem(res, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    let res = app.get("/api/v1/countries/kr/holidays").await;
    problem(res, StatusCode::BAD_REQUEST, "invalid_parameter").await;
}

#[tokio::test]
async fn request_ids_are_echoed_or_generated() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/health/live"))
        .header("X-Request-Id", "case-2026.11.23:abc")
        .send()
        .await
        .expect("request");
    assert_eq!(res.headers()["x-request-id"], "case-2026.11.23:abc");
    // An unsafe id (spaces, too long) is replaced, not echoed into logs and headers.
    let res = app
        .client
        .get(app.url("/health/live"))
        .header("X-Request-Id", "evil value")
        .send()
        .await
        .expect("request");
    let id = res.headers()["x-request-id"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_ne!(id, "evil value");
    assert!(uuid::Uuid::parse_str(&id).is_ok());
}

#[tokio::test]
async fn metrics_use_route_templates_not_raw_paths() {
    let app = spawn_app().await;
    app.get("/api/v1/countries/py").await;
    app.get("/api/v1/countries/zz").await;
    app.get("/no/such/route/123").await;
    let res = app.get("/metrics").await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.expect("text");
    assert!(text.contains(
        r#"egov_http_server_request_duration_seconds_count{method="GET",route="/api/v1/countries/{code}",status="200"} 1"#
    ), "{text}");
    assert!(text.contains(r#"route="/api/v1/countries/{code}",status="404"} 1"#));
    assert!(text.contains(r#"route="unmatched",status="404"} 1"#));
    assert!(!text.contains("/countries/py") && !text.contains("/route/123"));
    assert!(text.contains("egov_db_pool_connections"));
}

#[tokio::test]
async fn database_errors_map_centrally() {
    let app = spawn_app().await;
    let res = app
        .post_json("/api/v1/probe/notes", &json!({"title": "first"}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let note: Value = res.json().await.expect("json");
    let id = note["id"].as_str().expect("id");

    let res = app.get(&format!("/api/v1/probe/notes/{id}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.expect("json")["title"], "first");

    // Unique violation -> 409, and nothing changed.
    let res = app
        .post_json("/api/v1/probe/notes", &json!({"title": "first"}))
        .await;
    problem(res, StatusCode::CONFLICT, "conflict").await;
    // Not found -> 404.
    let res = app.get("/api/v1/probe/notes/does-not-exist").await;
    problem(res, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn unexpected_failures_are_a_bare_500() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url("/api/v1/probe/fail"))
        .send()
        .await
        .expect("request");
    let body = problem(res, StatusCode::INTERNAL_SERVER_ERROR, "internal").await;
    let text = body.to_string();
    assert!(body.get("detail").is_none(), "{text}");
    assert!(
        !text.contains("10.0.0.5") && !text.contains("egov_admin"),
        "{text}"
    );
}

#[tokio::test]
async fn only_selected_modules_are_served() {
    let app = spawn_app_with(Spawn {
        modules: &["platform"],
        // Auth runs elsewhere: this process only verifies tokens.
        settings: &[("EGOV__AUTH__ISSUER", "http://127.0.0.1:9/auth")],
    })
    .await;
    assert!(app.state.auth_service.is_none());
    problem(
        app.get("/api/v1/probe/notes/x").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_eq!(app.get("/api/v1/countries").await.status(), StatusCode::OK);
    let doc = app.get_json("/openapi.json").await;
    assert!(doc["paths"].get("/api/v1/probe/notes").is_none());

    let all = spawn_app().await;
    let doc = all.get_json("/openapi.json").await;
    assert!(doc["paths"].get("/api/v1/probe/notes").is_some());

    let err =
        egov_server::startup::select_modules(&egov_testing::test_registry(), &["nope".into()])
            .err()
            .expect("unknown module refused");
    assert!(err.to_string().contains("unknown module `nope`"), "{err}");
}

/// Modules apart: a process serving petition alone links its home page to the deployment's
/// other modules too (`server.deployment_modules`; the ingress routes their paths to their
/// processes), with the links' texts in the visitor's language; an unknown name stops it.
#[tokio::test]
async fn the_portal_links_to_every_module_of_the_deployment() {
    const REMOTE_AUTH: (&str, &str) = ("EGOV__AUTH__ISSUER", "http://127.0.0.1:9/auth");
    let home = |app: egov_testing::TestApp| async move {
        let res = app.get("/?lang=en").await;
        assert_eq!(res.status(), StatusCode::OK);
        res.text().await.expect("text")
    };
    let alone = spawn_app_with(Spawn {
        modules: &["petition"],
        settings: &[REMOTE_AUTH],
    })
    .await;
    let page = home(alone).await;
    assert!(!page.contains("href=\"/tenders\""), "{page}");

    let apart = spawn_app_with(Spawn {
        modules: &["petition"],
        settings: &[
            REMOTE_AUTH,
            (
                "EGOV__SERVER__DEPLOYMENT_MODULES",
                "auth,exchange,petition,procurement,docflow,tax",
            ),
        ],
    })
    .await;
    assert!(apart.state.auth_service.is_none());
    let page = home(apart).await;
    for (href, text) in [
        ("/tenders", "Tender notices"),
        ("/certificates/verify", "Check a tax certificate"),
    ] {
        assert!(page.contains(&format!("href=\"{href}\"")), "{href}: {page}");
        assert!(page.contains(text), "{text}: {page}");
    }
    // Tender notices are a section of their own, not one of the document checks.
    assert!(page.contains("<h2>Tender notices</h2>"), "{page}");
    assert!(
        page.contains("<a href=\"/tenders\">Show tenders</a>"),
        "{page}"
    );
    let checks = page
        .find("Check a document or certificate")
        .expect("checks");
    assert!(
        page.find("/tenders").is_some_and(|at| at < checks),
        "{page}"
    );

    let served = egov_server::startup::select_modules(
        &egov_server::registered_modules(),
        &["petition".into()],
    )
    .expect("petition");
    let err = egov_server::startup::deployment_modules(&served, &["petiton".into()])
        .err()
        .expect("unknown module refused");
    assert!(
        err.to_string()
            .contains("server.deployment_modules names `petiton`"),
        "{err}"
    );
}

#[tokio::test]
async fn openapi_documents_every_route_and_error() {
    let app = spawn_app().await;
    let res = app.get("/openapi.json").await;
    assert_eq!(res.status(), StatusCode::OK);
    let doc: Value = res.json().await.expect("json");
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    for path in [
        "/health/live",
        "/health/ready",
        "/metrics",
        "/api/v1/countries",
        "/api/v1/countries/{code}/calendar/add-working-days",
        "/api/v1/probe/notes",
    ] {
        assert!(paths.contains_key(path), "{path} undocumented");
    }
    // What OpenAPI 3.1 requires and tools check (openapi-spec-validator and redocly lint run
    // in .ci/run): the licence, a server, a description on every response, operation ids
    // unique across the merged modules.
    assert_eq!(doc["info"]["license"]["identifier"], "Apache-2.0");
    assert_eq!(doc["servers"][0]["url"], "/");
    let mut ids = std::collections::HashSet::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("item") {
            let responses = op["responses"].as_object().expect("responses");
            for (status, response) in responses {
                assert!(
                    response["description"]
                        .as_str()
                        .is_some_and(|d| !d.is_empty()),
                    "{method} {path} {status} has no description"
                );
            }
            let id = op["operationId"].as_str().expect("operationId");
            assert!(ids.insert(id.to_owned()), "operationId {id} twice");
            assert!(responses.contains_key("500"), "{method} {path} lacks 500");
            // redocly's operation-4xx-response is off (tests/openapi/redocly.yaml) because only
            // an operation with no input at all may go without a client error.
            let takes_input = op["parameters"].as_array().is_some_and(|p| !p.is_empty())
                || op.get("requestBody").is_some()
                || op["security"]
                    .as_array()
                    .is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
            assert!(
                !takes_input || responses.keys().any(|s| s.starts_with('4')),
                "{method} {path} takes input but documents no 4xx"
            );
            // An OAuth token endpoint answers a wrong media type or invalid input as an OAuth
            // 400 (RFC 6749 §5.2), so it lists no 415 or 422.
            let oauth = responses
                .get("400")
                .is_some_and(|r| r["content"].get("application/problem+json").is_none());
            if op.get("requestBody").is_some() {
                let expected: &[&str] = if oauth {
                    &["400", "413"]
                } else {
                    &["400", "413", "415", "422"]
                };
                for s in expected {
                    assert!(responses.contains_key(*s), "{method} {path} lacks {s}");
                }
            }
        }
    }
    assert!(doc["components"]["schemas"].get("Problem").is_some());
    // Every schema reference resolves (a parameter's type is not registered as a component
    // by itself: such types are inlined).
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for part in text.split("\"#/components/schemas/").skip(1) {
        let name = part.split('"').next().unwrap_or_default();
        assert!(
            schemas.contains_key(name),
            "unresolvable reference to {name}"
        );
    }

    // Per-module documents.
    let platform = app.get_json("/openapi/platform.json").await;
    assert!(platform["paths"].get("/api/v1/countries").is_some());
    assert!(platform["paths"].get("/api/v1/probe/notes").is_none());
    assert_eq!(
        platform["paths"]["/api/v1/countries"]["get"]["operationId"],
        "platform.list_countries"
    );
}

#[tokio::test]
async fn interactive_docs_are_served_without_internet() {
    let app = spawn_app().await;
    let res = app.get("/docs").await;
    assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT);
    let res = app.get("/docs/").await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("html");
    assert!(html.contains("swagger-ui"));
    assert!(
        !html.contains("https://"),
        "docs page loads something from the internet"
    );
    let res = app.get("/docs/swagger-ui-bundle.js").await;
    assert_eq!(res.status(), StatusCode::OK);
    let init = app
        .get("/docs/swagger-initializer.js")
        .await
        .text()
        .await
        .expect("js");
    assert!(init.contains("/openapi.json"));
    assert!(init.contains(r#""validatorUrl": "none""#), "{init}");
}

#[tokio::test]
async fn country_endpoints_follow_the_packs() {
    let app = spawn_app().await;
    let list = app.get_json("/api/v1/countries").await;
    let codes: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|c| c["code"].as_str())
        .collect();
    assert_eq!(codes, ["kr", "py"]);

    let py = app.get_json("/api/v1/countries/py").await;
    assert_eq!(py["currency"]["code"], "PYG");
    assert_eq!(py["default_language"], "es");
    assert_eq!(py["time_zone"], "America/Asuncion");

    // Korea: Thu 24 Dec 2026 + 1 working day skips Christmas and the weekend.
    let r = app
        .get_json("/api/v1/countries/kr/calendar/add-working-days?from=2026-12-24&days=1")
        .await;
    assert_eq!(r["result"], "2026-12-28");
    // Paraguay: 14-15 May are Independence days.
    let r = app
        .get_json("/api/v1/countries/py/calendar/add-working-days?from=2026-05-13&days=1")
        .await;
    assert_eq!(r["result"], "2026-05-18");
    let r = app
        .get_json("/api/v1/countries/kr/calendar/working-day?date=2026-09-25")
        .await;
    assert_eq!(r["working_day"], false);
    assert_eq!(r["holiday"], "추석");
    let r = app
        .get_json(
            "/api/v1/countries/kr/calendar/add-working-hours?from=2026-12-24T17:00:00&hours=2",
        )
        .await;
    assert_eq!(r["from"], "2026-12-24T17:00:00+09:00");
    assert_eq!(r["result"], "2026-12-28T10:00:00+09:00");
    assert_eq!(r["time_zone"], "Asia/Seoul");

    let res = app.get("/api/v1/countries/kr/holidays?year=2031").await;
    problem(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "calendar_not_covered",
    )
    .await;
    let res = app.get("/api/v1/countries/zz").await;
    problem(res, StatusCode::NOT_FOUND, "unknown_country").await;

    // National IDs come back masked.
    let res = app
        .post_json(
            "/api/v1/countries/kr/national-ids/validate",
            &json!({"value": "900101-1234567"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.expect("text");
    assert!(
        body.contains("900101-*******") && !body.contains("1234567"),
        "{body}"
    );
    let res = app
        .post_json(
            "/api/v1/countries/py/business-ids/validate",
            &json!({"value": "80012345-0"}),
        )
        .await;
    assert_eq!(
        res.json::<Value>().await.expect("json")["display"],
        "80012345-0"
    );
}

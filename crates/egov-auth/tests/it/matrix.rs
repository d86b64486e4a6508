//! The authorization matrix, generated from the served OpenAPI document: every operation must
//! declare a policy (`security`), and every protected operation is called anonymously and as
//! every account kind at both assurance levels; the answer must match the declaration. A new
//! route is covered by being registered.

use crate::common;

use common::mint;
use egov_auth::Kind;
use egov_testing::spawn_app;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const AGENCY: &str = "MATRIX";

struct Declared {
    kinds: Vec<Kind>,
    roles: Vec<String>,
    min_aal: u8,
    /// `agency:<setting>`: the official's agency must be the one the setting names.
    agency_setting: Option<String>,
}

fn parse(scopes: &[Value]) -> Declared {
    let mut d = Declared {
        kinds: Vec::new(),
        roles: Vec::new(),
        min_aal: 1,
        agency_setting: None,
    };
    for s in scopes {
        let s = s.as_str().expect("scope is a string");
        if let Some(k) = s.strip_prefix("kind:") {
            d.kinds
                .push(Kind::parse(k).unwrap_or_else(|| panic!("unknown kind in scope {s}")));
        } else if let Some(r) = s.strip_prefix("role:") {
            d.roles.push(r.to_owned());
        } else if let Some(n) = s.strip_prefix("aal:") {
            d.min_aal = n.parse().expect("aal level");
        } else if let Some(a) = s.strip_prefix("agency:") {
            d.agency_setting = Some(a.to_owned());
        } else {
            panic!("unknown scope {s}");
        }
    }
    d
}

fn concrete(path: &str, agency: &str) -> String {
    path.split('/')
        .map(|seg| match seg {
            "{agency}" => agency.to_owned(),
            s if s.starts_with('{') => "0192a7a0-0000-7000-8000-000000000000".to_owned(),
            s => s.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

async fn call(
    app: &egov_testing::TestApp,
    method: &Method,
    path: &str,
    token: Option<&str>,
) -> reqwest::Response {
    let mut req = app.client.request(method.clone(), app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if *method == Method::POST || *method == Method::PUT || *method == Method::PATCH {
        req = req.json(&json!({}));
    }
    req.send().await.expect("request")
}

#[tokio::test]
async fn every_route_declares_a_policy_and_enforces_it() {
    let app = spawn_app().await;
    let doc = app.get_json("/openapi.json").await;
    let mut protected = 0;
    let mut public = 0;
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            let route = format!("{method} {path}");
            let security = op["security"]
                .as_array()
                .unwrap_or_else(|| panic!("{route} declares no policy (security)"));
            let bearer = security.iter().find_map(|r| r.get("bearer"));
            let Some(scopes) = bearer else {
                assert!(
                    security
                        .iter()
                        .any(|r| r.as_object().is_some_and(|o| o.is_empty())),
                    "{route}: neither public nor bearer"
                );
                public += 1;
                continue;
            };
            protected += 1;
            let declared = parse(scopes.as_array().expect("scopes"));
            let url = concrete(path, AGENCY);

            let res = call(&app, &method, &url, None).await;
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{route} anonymous");
            assert!(
                res.headers().contains_key("www-authenticate"),
                "{route}: 401 without a challenge"
            );
            let res = call(&app, &method, &url, Some("not-a-token")).await;
            assert_eq!(
                res.status(),
                StatusCode::UNAUTHORIZED,
                "{route} garbage token"
            );

            let roles: Vec<&str> = declared.roles.iter().map(String::as_str).collect();
            // An agency-scoped route: tokens carry the agency the setting names (another
            // agency is checked to be refused below).
            let scoped = declared.agency_setting.as_deref().map(|s| match s {
                "tax.agency" => app.state.settings.modules["tax"]["agency"]
                    .as_str()
                    .expect("[tax] agency")
                    .to_owned(),
                other => panic!("{route}: unknown agency setting {other}"),
            });
            for kind in Kind::ALL {
                for (aal, level) in [("aal1", 1u8), ("aal2", 2u8)] {
                    let agency = kind
                        .has_agency()
                        .then_some(scoped.as_deref().unwrap_or(AGENCY));
                    let token = mint(&app, kind, aal, &roles, agency);
                    let res = call(&app, &method, &url, Some(&token)).await;
                    let status = res.status();
                    let kind_ok = declared.kinds.is_empty() || declared.kinds.contains(&kind);
                    let case = format!("{route} as {kind} at {aal}: {status}");
                    if !kind_ok {
                        assert_eq!(status, StatusCode::FORBIDDEN, "{case}");
                    } else if level < declared.min_aal {
                        assert_eq!(status, StatusCode::UNAUTHORIZED, "{case}");
                        let challenge = res
                            .headers()
                            .get("www-authenticate")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_owned();
                        assert!(
                            challenge.contains("insufficient_user_authentication")
                                && challenge.contains("acr_values=\"aal2\""),
                            "{case}: {challenge}"
                        );
                    } else {
                        assert!(
                            status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
                            "{case}: the policy lets this caller in, the route refused"
                        );
                        if !roles.is_empty() {
                            let without = mint(&app, kind, aal, &[], agency);
                            let res = call(&app, &method, &url, Some(&without)).await;
                            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{case} without roles");
                        }
                        if scoped.is_some() {
                            let elsewhere = mint(&app, kind, aal, &roles, Some(AGENCY));
                            let res = call(&app, &method, &url, Some(&elsewhere)).await;
                            let s = res.status();
                            assert!(
                                s == StatusCode::FORBIDDEN
                                    || s.is_client_error() && s != StatusCode::UNAUTHORIZED,
                                "{case} from another agency: {s}"
                            );
                        }
                    }
                    checked += 1;
                }
            }
            // Agency scope: an agency admin of another agency is refused.
            if path.contains("{agency}") {
                let token = mint(&app, Kind::AgencyAdmin, "aal2", &roles, Some("OTHER"));
                let res = call(&app, &method, &url, Some(&token)).await;
                assert_eq!(res.status(), StatusCode::FORBIDDEN, "{route}: other agency");
            }
        }
    }
    assert!(
        protected >= 25,
        "only {protected} protected operations found"
    );
    assert!(public >= 10, "only {public} public operations found");
    assert_eq!(checked, protected * Kind::ALL.len() * 2);
}

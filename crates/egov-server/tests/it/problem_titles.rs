//! Problem titles, details and field errors follow `Accept-Language`: every error code has its title in each language of
//! the shipped packs (Korean for kr, Spanish for py; Guaraní readers get Spanish), a caller
//! asking for one gets it with `Content-Language`, and a caller asking for English, for a
//! language the pack does not have, or for nothing gets the API's English titles. SQLite or
//! PostgreSQL (`EGOV_TEST_BACKEND`).

use egov_core::error::{PROBLEM_TITLES, ProblemTitles, title_id};
use egov_testing::{config_dir, spawn_app, test_registry};
use reqwest::StatusCode;

fn titles(pack: &str) -> egov_web::i18n::Titles {
    let packs =
        egov_core::CountryPacks::load(&config_dir().join("countries"), pack).expect("packs");
    let sources: Vec<(&'static str, &'static str)> = PROBLEM_TITLES
        .iter()
        .copied()
        .chain(test_registry().iter().flat_map(|m| m.problem_titles()))
        .collect();
    egov_web::i18n::Titles(std::sync::Arc::new(
        egov_web::Messages::load(
            packs.active(),
            &config_dir().join("countries").join(pack),
            &sources,
        )
        .expect("titles"),
    ))
}

/// Sends `req` with `Accept-Language: accept` (when given), expects `status`: the answer's
/// `Content-Language` and its problem body.
async fn answer(
    req: reqwest::RequestBuilder,
    accept: Option<&str>,
    status: StatusCode,
) -> (Option<String>, serde_json::Value) {
    let req = match accept {
        Some(a) => req.header("accept-language", a),
        None => req,
    };
    let res = req.send().await.expect("request");
    assert_eq!(res.status(), status);
    let lang = res
        .headers()
        .get("content-language")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (lang, res.json().await.expect("json"))
}

#[test]
fn every_error_code_has_its_title_in_each_language_of_the_shipped_packs() {
    let kr = titles("kr");
    let py = titles("py");
    let mut codes: Vec<&str> = egov_core::error::codes::ALL
        .iter()
        .map(|c| c.code)
        .collect();
    for m in test_registry() {
        codes.extend(m.error_codes().iter().map(|c| c.code));
    }
    assert!(codes.len() > 100, "{}", codes.len());
    let mut missing = Vec::new();
    for code in &codes {
        match kr.title("ko", code) {
            Some((_, lang)) if lang == "ko" => {}
            other => missing.push(format!("ko {code}: {other:?}")),
        }
        match py.title("es", code) {
            Some((_, lang)) if lang == "es" => {}
            other => missing.push(format!("es {code}: {other:?}")),
        }
        // Guaraní has no titles of its own yet: Spanish, said so.
        assert_eq!(py.title("gn", code).map(|(_, l)| l).as_deref(), Some("es"));
    }
    assert!(
        missing.is_empty(),
        "titles missing:\n{}",
        missing.join("\n")
    );
    // No title names a code that does not exist (a typo would never be shown).
    for (_, source) in PROBLEM_TITLES
        .iter()
        .copied()
        .chain(test_registry().iter().flat_map(|m| m.problem_titles()))
    {
        for line in source.lines().filter(|l| l.starts_with("problem-")) {
            let id = line.split(" =").next().expect("id");
            assert!(
                codes.iter().any(|c| title_id(c) == id),
                "{id} is not the title of any error code"
            );
        }
    }
}

#[tokio::test]
async fn a_caller_gets_problem_titles_in_the_language_it_asks_for() {
    let app = spawn_app().await;
    let ask = |accept: Option<&'static str>| {
        let app = &app;
        async move {
            let req = app.client.get(app.url("/api/v1/no-such-thing"));
            let (lang, body) = answer(req, accept, StatusCode::NOT_FOUND).await;
            (
                lang,
                body["title"].as_str().unwrap_or_default().to_owned(),
                body,
            )
        }
    };
    let (lang, title, body) = ask(Some("ko-KR,ko;q=0.9,en;q=0.8")).await;
    assert_eq!(
        (lang.as_deref(), title.as_str()),
        (Some("ko"), "자원을 찾을 수 없습니다")
    );
    assert_eq!(body["code"], "not_found", "the code stays the same");
    // English first, a language the kr pack does not have, or nothing: English.
    for accept in [Some("en-US,en;q=0.9,ko;q=0.5"), Some("es"), None] {
        let (lang, title, _) = ask(accept).await;
        assert_eq!(
            (lang, title.as_str()),
            (None, "Resource not found"),
            "{accept:?}"
        );
    }
    // The first language of the pack in the caller's order.
    let (lang, _, _) = ask(Some("fr, ko;q=0.5")).await;
    assert_eq!(lang.as_deref(), Some("ko"));

    // A module's code, with the detail as written and the field errors unchanged.
    let citizen = app.citizen("900101-1234567");
    let res = app
        .client
        .get(app.url("/petition/v1/applications/01a24924-1c9b-7443-89fe-5e997d18ab70"))
        .bearer_auth(&citizen)
        .header("accept-language", "ko")
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["code"], "petition.case_not_found");
    assert_eq!(
        body["title"],
        "그런 민원이 없습니다(또는 볼 수 없는 민원입니다)"
    );
}

/// The `detail-…` ids the code says things with (`text!("detail-…"`), from the crates' sources.
fn detail_ids_in_code() -> std::collections::BTreeSet<String> {
    fn walk(dir: &std::path::Path, out: &mut std::collections::BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let src = std::fs::read_to_string(&path).expect("source");
                let mut rest = src.as_str();
                while let Some(at) = rest.find("text!(") {
                    rest = &rest[at + 6..];
                    let lit = rest.trim_start();
                    if let Some(id) = lit
                        .strip_prefix('"')
                        .and_then(|l| l.split('"').next())
                        .filter(|id| id.starts_with("detail-"))
                    {
                        out.insert(id.to_owned());
                    }
                }
            }
        }
    }
    let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut ids = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(&crates).expect("crates").flatten() {
        let src = entry.path().join("src");
        if src.is_dir() {
            walk(&src, &mut ids);
        }
    }
    ids
}

#[test]
fn every_detail_the_code_says_has_its_message_in_each_language_of_the_shipped_packs() {
    let ids = detail_ids_in_code();
    assert!(ids.len() > 40, "{ids:?}");
    let kr = titles("kr");
    let py = titles("py");
    let mut missing = Vec::new();
    for id in &ids {
        for (t, lang) in [(&kr, "ko"), (&py, "es")] {
            if t.0.find_exact(lang, id).is_none() {
                missing.push(format!("{lang} {id}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "details missing:\n{}",
        missing.join("\n")
    );
    // Counts choose the plural form; values go in as given.
    assert_eq!(
        py.text("es", "detail-fields-invalid", &[("count", "1".into())])
            .as_deref(),
        Some("1 campo no es válido")
    );
    assert_eq!(
        py.text("es", "detail-fields-invalid", &[("count", "3".into())])
            .as_deref(),
        Some("3 campos no son válidos")
    );
    assert_eq!(
        kr.text("ko", "detail-limit", &[("max", "500".into())])
            .as_deref(),
        Some("1부터 500까지")
    );
    // No message waits for an id the code never says (a typo would never be shown).
    for (_, source) in PROBLEM_TITLES
        .iter()
        .copied()
        .chain(test_registry().iter().flat_map(|m| m.problem_titles()))
    {
        for line in source.lines().filter(|l| l.starts_with("detail-")) {
            let id = line.split(" =").next().expect("id").trim();
            assert!(ids.contains(id), "{id} is not said by any code");
        }
    }
}

#[tokio::test]
async fn a_caller_gets_details_and_field_errors_in_its_language() {
    let app = spawn_app().await;
    let me = app.citizen("900101-1234567");
    let apply = |lang: Option<&'static str>, form: serde_json::Value| {
        let (app, me) = (&app, &me);
        async move {
            let req = app
                .client
                .post(app.url("/petition/v1/applications"))
                .bearer_auth(me)
                .json(&serde_json::json!({"service": "resident-registration-copy", "form": form}));
            answer(req, lang, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    };
    let bad = serde_json::json!({"purpose": "bank", "include_history": "perhaps", "colour": "red"});
    let (lang, body) = apply(Some("ko"), bad.clone()).await;
    assert_eq!(lang.as_deref(), Some("ko"));
    assert_eq!(body["code"], "validation_failed");
    assert_eq!(body["detail"], "입력란 2개가 올바르지 않습니다", "{body}");
    let errors = body["errors"].as_array().expect("errors");
    let said = |pointer: &str| {
        errors
            .iter()
            .find(|e| e["pointer"] == pointer)
            .and_then(|e| e["detail"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(said("/form/colour"), "이 서비스의 양식에 없는 입력란입니다");
    assert!(
        said("/form/include_history").starts_with("다음 중 하나여야 합니다: "),
        "{body}"
    );
    // The same request in English: the API's own words, pointers unchanged.
    let (lang, body) = apply(None, bad).await;
    assert_eq!(lang, None);
    assert_eq!(body["detail"], "2 fields are invalid");
    assert!(
        body["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .any(|e| e["pointer"] == "/form/colour"
                && e["detail"] == "no such field in this service's form"),
        "{body}"
    );
    // One field: the detail names it, in the caller's words.
    let (_, body) = apply(
        Some("ko"),
        serde_json::json!({"purpose": "bank", "include_history": "no", "colour": "red"}),
    )
    .await;
    assert_eq!(
        body["detail"],
        "/form/colour: 이 서비스의 양식에 없는 입력란입니다"
    );
    // A limit out of range on a list of one's own: the value it names stays as it is.
    let res = app
        .client
        .get(app.url("/auth/me/access-log?limit=0"))
        .bearer_auth(&me)
        .header("accept-language", "ko")
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["detail"], "limit는 1부터 500까지여야 합니다", "{body}");
}

/// The message ids of a Fluent source.
fn ids(ftl: &str) -> Vec<String> {
    ftl.lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
        .filter_map(|l| l.split_once(" =").map(|(id, _)| id.trim().to_owned()))
        .collect()
}

#[test]
fn every_page_and_notice_message_has_its_text_in_each_language_of_the_shipped_packs() {
    let layout = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../egov-web/messages/en.ftl"),
    )
    .expect("layout messages");
    let mut english = ids(&layout);
    for m in test_registry() {
        for (lang, ftl) in m.messages() {
            if lang == "en" {
                english.extend(ids(ftl));
            }
        }
    }
    assert!(english.len() > 500, "{}", english.len());
    let mut missing = Vec::new();
    let pages: Vec<(&'static str, &'static str)> =
        test_registry().iter().flat_map(|m| m.messages()).collect();
    for (pack, langs) in [("kr", &["ko"][..]), ("py", &["es", "gn"][..])] {
        let dir = config_dir().join("countries");
        let packs = egov_core::CountryPacks::load(&dir, pack).expect("packs");
        let t =
            egov_web::Messages::load(packs.active(), &dir.join(pack), &pages).expect("messages");
        for lang in langs {
            for id in &english {
                if t.find_exact(lang, id).is_none() {
                    missing.push(format!("{pack} {lang} {id}"));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{} messages missing:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

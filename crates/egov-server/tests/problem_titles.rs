//! Problem titles follow `Accept-Language`: every error code has its title in each language of
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
            let mut req = app.client.get(app.url("/api/v1/no-such-thing"));
            if let Some(a) = accept {
                req = req.header("accept-language", a);
            }
            let res = req.send().await.expect("request");
            assert_eq!(res.status(), StatusCode::NOT_FOUND);
            let lang = res
                .headers()
                .get("content-language")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body: serde_json::Value = res.json().await.expect("json");
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

//! What common auth tells modules about officials (the directory): who in an agency holds a
//! role, their names, and where a notice about their work reaches them (`account:<id>`).
//! SQLite, or PostgreSQL with `EGOV_TEST_BACKEND=postgres`.

use egov_testing::spawn_app;

#[tokio::test]
async fn the_directory_finds_an_agencys_officials_by_role_and_where_notices_reach_them() {
    let app = spawn_app().await;
    let s = app.state.auth_service.clone().expect("auth service");
    let sup = app
        .official(
            "ahn.sup",
            "Ahn Supervisor",
            "GANGNAM",
            &["petition.officer", "petition.supervisor"],
            None,
        )
        .await;
    let officer = app
        .official(
            "baek.off",
            "Baek Officer",
            "GANGNAM",
            &["petition.officer"],
            None,
        )
        .await;
    let other = app
        .official(
            "cho.sup",
            "Cho Supervisor",
            "BUSAN",
            &["petition.supervisor"],
            None,
        )
        .await;
    let found = s
        .officials_with_role("GANGNAM", "petition.supervisor", 10)
        .await
        .expect("directory");
    assert_eq!(found, vec![(sup.clone(), "Ahn Supervisor".to_owned())]);
    let officers = s
        .officials_with_role("GANGNAM", "petition.officer", 10)
        .await
        .expect("directory");
    assert_eq!(
        officers.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>(),
        ["Ahn Supervisor", "Baek Officer"],
        "by name"
    );
    assert!(
        s.is_official_with_role(&officer, "GANGNAM", "petition.officer")
            .await
            .expect("check")
    );
    assert!(
        !s.is_official_with_role(&other, "GANGNAM", "petition.supervisor")
            .await
            .expect("check"),
        "another agency's"
    );
    assert!(
        !s.is_official_with_role("made-up", "GANGNAM", "petition.officer")
            .await
            .expect("check")
    );
    let names = s
        .names(vec![sup.clone(), "made-up".into(), sup.clone()])
        .await
        .expect("names");
    assert_eq!(names.len(), 1);
    assert_eq!(names[&sup], "Ahn Supervisor");
    // The roles common auth accepts are those the platform's modules define.
    let known = s.known_roles().expect("set at start");
    assert!(known.contains(&"petition.supervisor") && known.contains(&"tax.officer"));
    assert!(!known.contains(&"petition.officr"));

    // A notice about an official's work reaches their account by `account:<id>` once active
    // (an invited official has no password yet and is not reachable); never a citizen's
    // account by its id.
    let find = |key: String| {
        let db = app.state.db.clone();
        async move {
            db.run(move |c| egov_auth::accounts::for_subject(c, &key))
                .await
                .expect("lookup")
        }
    };
    assert!(
        find(format!("account:{sup}")).await.is_none(),
        "invited, not active"
    );
    let active = app
        .official(
            "dal.sup",
            "Dal Supervisor",
            "GANGNAM",
            &["petition.supervisor"],
            Some("correct horse battery staple 9"),
        )
        .await;
    assert_eq!(
        find(format!("account:{active}")).await.map(|a| a.id),
        Some(active.clone())
    );
    let res = app
        .post_json(
            "/auth/register",
            &serde_json::json!({"kind": "citizen", "username": "eun.citizen", "display_name": "Eun",
                    "password": "correct horse battery staple 9", "national_id": "900101-1234567"}),
        )
        .await;
    assert_eq!(res.status(), reqwest::StatusCode::ACCEPTED);
    let citizen = app
        .state
        .db
        .run(|c| egov_auth::accounts::find_by_username(c, "eun.citizen"))
        .await
        .expect("lookup")
        .expect("the citizen");
    assert!(find(format!("account:{}", citizen.id)).await.is_none());
}

//! Issue 18, finding 4: whoever can write the database could rewrite the access log unseen
//! (delete the tail and move the head back, edit a record and re-hash every later one, delete
//! early records behind a made-up retention checkpoint): the chain still verified. Each of
//! these is now caught by the signed anchors kept outside the database. SQLite or PostgreSQL
//! (`EGOV_TEST_BACKEND`).

use chrono::{Duration, Utc};
use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use egov_auth::{AccessEntry, Action, SubjectIndex, store};
use egov_core::anchor::{self, Head, Report};
use egov_testing::{TestApp, spawn_app};

fn entry(n: usize) -> AccessEntry {
    let index = SubjectIndex::new(b"a test key of at least 32 bytes!").expect("key");
    AccessEntry {
        actor: format!("officer-{}", n % 3),
        source_ip: "192.0.2.10".into(),
        subject: index.account(&format!("citizen-{}", n % 2)),
        action: Action::ALL[n % Action::ALL.len()],
        purpose: "petition.review".into(),
        module: "petition".into(),
        record_ref: Some(format!("P-{n}")),
        request_id: None,
    }
}

/// An app with ten access-log records, anchored.
async fn anchored_log() -> TestApp {
    let app = spawn_app().await;
    for i in 0..10 {
        egov_auth::record(&app.state.db, entry(i))
            .await
            .expect("append");
    }
    assert!(app.state.anchor_now().await.expect("anchor") >= 1);
    let r = report(&app).await;
    assert!(r.intact(), "{r:?}");
    assert_eq!(r.window, "every record is anchored");
    app
}

/// The access log checked against the app's anchor file with the app's key.
async fn report(app: &TestApp) -> Report {
    let lines = anchor::read(app.state.anchorer.sink()).expect("anchors");
    let keys = vec![app.state.anchorer.verifying_key()];
    app.state
        .db
        .run(move |c| anchor::check(c, &store::AccessLogTrail, &lines, &keys))
        .await
        .expect("check")
}

async fn chain_intact(app: &TestApp) -> bool {
    egov_auth::verify(&app.state.db)
        .await
        .expect("verify")
        .intact()
}

async fn exec(app: &TestApp, statements: Vec<String>) {
    app.state
        .db
        .run(move |c| {
            for s in &statements {
                diesel::sql_query(s.as_str()).execute(c)?;
            }
            Ok(())
        })
        .await
        .expect("SQL");
}

async fn hash_of(app: &TestApp, n: i64) -> String {
    app.state
        .db
        .run(move |c| {
            use egov_auth::store::auth_access_log::dsl::*;
            Ok(auth_access_log
                .filter(seq.eq(n))
                .select(hash)
                .first::<String>(c)?)
        })
        .await
        .expect("hash")
}

#[tokio::test]
async fn finding_4_a_truncated_tail_with_the_head_moved_back_is_caught() {
    let app = anchored_log().await;
    let h7 = hash_of(&app, 7).await;
    exec(
        &app,
        vec![
            "DELETE FROM auth_access_log WHERE seq > 7".into(),
            format!("UPDATE auth_access_log_head SET seq = 7, hash = '{h7}' WHERE id = 1"),
        ],
    )
    .await;
    assert!(chain_intact(&app).await, "the chain alone cannot tell");
    let r = report(&app).await;
    assert!(
        r.problems
            .iter()
            .any(|p| p.contains("ends at record 7") && p.contains("record 10")),
        "{r:?}"
    );
}

#[tokio::test]
async fn finding_4_an_edited_record_with_every_later_hash_recomputed_is_caught() {
    let app = anchored_log().await;
    // The insider edits record 5 and re-hashes 5..10 and the head: a consistent chain.
    app.state
        .db
        .run(|c| {
            use egov_auth::store::auth_access_log::dsl::*;
            let mut prev: String = auth_access_log.filter(seq.eq(4)).select(hash).first(c)?;
            for n in 5..=10i64 {
                let rec =
                    store::for_subjects(c, &[entry(0).subject, entry(1).subject], Some(n + 1), 1)?
                        .remove(0);
                let mut e = rec.entry.clone();
                if n == 5 {
                    e.purpose = "curiosity".into();
                }
                let h = egov_auth::access_log::chain_hash(n, rec.occurred_at, &e, &prev);
                diesel::update(auth_access_log.filter(seq.eq(n)))
                    .set((purpose.eq(&e.purpose), prev_hash.eq(&prev), hash.eq(&h)))
                    .execute(c)?;
                prev = h;
            }
            diesel::sql_query(format!(
                "UPDATE auth_access_log_head SET hash = '{prev}' WHERE id = 1"
            ))
            .execute(c)?;
            Ok(())
        })
        .await
        .expect("rewrite");
    assert!(chain_intact(&app).await, "the chain alone cannot tell");
    let r = report(&app).await;
    assert!(
        r.problems
            .iter()
            .any(|p| p.contains("record 10 differs from its anchor")),
        "{r:?}"
    );
}

#[tokio::test]
async fn finding_4_records_deleted_behind_a_forged_retention_checkpoint_are_caught() {
    let app = anchored_log().await;
    let h4 = hash_of(&app, 4).await;
    let now = Utc::now().naive_utc().format("%Y-%m-%d %H:%M:%S");
    exec(
        &app,
        vec![
            format!(
                "INSERT INTO auth_access_log_checkpoints (seq, hash, purged_at) VALUES (4, '{h4}', '{now}')"
            ),
            "DELETE FROM auth_access_log WHERE seq <= 4".into(),
        ],
    )
    .await;
    assert!(chain_intact(&app).await, "the chain alone cannot tell");
    let r = report(&app).await;
    assert!(
        r.problems
            .iter()
            .any(|p| p.contains("checkpoint at record 4 has no signed purge")),
        "{r:?}"
    );
}

#[tokio::test]
async fn finding_4_a_lawful_purge_is_signed_and_new_records_are_reported_unanchored() {
    let app = anchored_log().await;
    let anchorer = app.state.anchorer.clone();
    let now = Utc::now() + Duration::seconds(1);
    let removed = app
        .state
        .db
        .run(move |c| {
            store::purge_before(c, now, now, |seq, hash| {
                anchorer.purge(
                    store::TRAIL,
                    &Head {
                        chain: String::new(),
                        seq,
                        hash: hash.to_owned(),
                    },
                    now,
                )
            })
        })
        .await
        .expect("purge");
    assert_eq!(removed, 10);
    let r = report(&app).await;
    assert!(r.intact(), "{r:?}");
    // Records after the last anchor are the window nothing can vouch for yet; it is said.
    for i in 10..12 {
        egov_auth::record(&app.state.db, entry(i))
            .await
            .expect("append");
    }
    let r = report(&app).await;
    assert!(r.intact(), "{r:?}");
    assert!(
        r.window.contains("records after 10") && r.window.contains("not anchored"),
        "{}",
        r.window
    );
    // An anchor signed with another key is not evidence.
    let other = anchor::Anchorer::new(
        ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]),
        std::env::temp_dir().join(format!("egov-other-{}.jsonl", uuid::Uuid::new_v4())),
    )
    .expect("anchorer");
    let db = app.state.db.clone();
    let forged_sink = other.sink().to_owned();
    db.run(move |c| other.anchor(c, &store::AccessLogTrail, Utc::now()))
        .await
        .expect("forge");
    let mut lines = anchor::read(app.state.anchorer.sink()).expect("anchors");
    lines.extend(anchor::read(&forged_sink).expect("forged"));
    let keys = vec![app.state.anchorer.verifying_key()];
    let r = app
        .state
        .db
        .run(move |c| anchor::check(c, &store::AccessLogTrail, &lines, &keys))
        .await
        .expect("check");
    assert!(
        r.problems
            .iter()
            .any(|p| p.contains("not signed by a trusted key")),
        "{r:?}"
    );
    let _ = std::fs::remove_file(forged_sink);
}

#[tokio::test]
async fn finding_4_anchors_are_countersigned_by_a_peer_member_through_the_exchange() {
    // The peer here is this deployment's own member (one process); in production it is
    // another agency's egov, named the same way.
    let service = "KR/GOV/EGOV/auth/anchor-countersign";
    let app = egov_testing::spawn_app_with(egov_testing::Spawn {
        settings: &[("EGOV__AUDIT__COUNTERSIGN_SERVICE", service)],
        ..egov_testing::Spawn::default()
    })
    .await;
    let admin = app.token(egov_testing::As {
        kind: "platform_admin",
        ..egov_testing::As::default()
    });
    let res = app
        .client
        .post(app.url("/exchange/v1/admin/grants"))
        .bearer_auth(&admin)
        .json(&serde_json::json!({
            "client": "KR/GOV/EGOV/auth", "service": service, "purpose": "audit.anchor",
            "items": ["received", "digest", "at"]
        }))
        .send()
        .await
        .expect("grant");
    assert_eq!(
        res.status(),
        201,
        "{}",
        res.text().await.unwrap_or_default()
    );
    for i in 0..3 {
        egov_auth::record(&app.state.db, entry(i))
            .await
            .expect("append");
    }
    let written = app.state.anchor_now().await.expect("anchor");
    assert!(written >= 1);
    // The peer's message log holds the anchors, hash-chained, with its signed answer.
    let head = anchor::read(app.state.anchorer.sink()).expect("anchors");
    let ours = head
        .iter()
        .find(|a| a.trail == store::TRAIL)
        .expect("an access-log anchor")
        .hash
        .clone();
    let records = app
        .state
        .db
        .run(|c| egov_exchange::store::records(c, None, None, None, 50))
        .await
        .expect("log");
    let provider = records
        .iter()
        .find(|r| r.entry.service.contains("anchor-countersign") && r.entry.response_status == 200)
        .expect("the countersign exchange is logged");
    assert!(
        provider
            .entry
            .request_body
            .as_deref()
            .unwrap_or_default()
            .contains(&ours),
        "the anchor is in the peer's log"
    );
}

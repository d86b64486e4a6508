//! The privacy access log on a real database (SQLite, or PostgreSQL with
//! `EGOV_TEST_BACKEND=postgres`): appends chain, concurrent appends never fork, and
//! verification catches an edited, deleted or truncated record.

use chrono::{Duration, Utc};
use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use egov_auth::{AccessEntry, Action, SubjectIndex, store};
use egov_core::{Db, Error};
use egov_testing::spawn_app;

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

async fn sql(db: &Db, statement: &'static str) {
    db.run(move |conn| {
        diesel::sql_query(statement).execute(conn)?;
        Ok(())
    })
    .await
    .expect("raw SQL");
}

async fn fill(db: &Db, n: usize) {
    for i in 0..n {
        egov_auth::record(db, entry(i)).await.expect("append");
    }
}

#[tokio::test]
async fn appends_form_a_verifiable_chain() {
    let app = spawn_app().await;
    let db = &app.state.db;
    let empty = egov_auth::verify(db).await.expect("verify");
    assert!(empty.intact());
    assert_eq!(empty.checked, 0);

    fill(db, 5).await;
    let v = egov_auth::verify(db).await.expect("verify");
    assert!(v.intact(), "{v:?}");
    assert_eq!((v.checked, v.head_seq), (5, 5));

    // A citizen sees the accesses to their own data, newest first, and only those.
    let subject = entry(0).subject;
    let mine = db
        .run(move |conn| store::for_subject(conn, &subject, None, 50))
        .await
        .expect("list");
    assert_eq!(mine.iter().map(|r| r.seq).collect::<Vec<_>>(), [5, 3, 1]);
    assert_eq!(mine[0].entry.record_ref.as_deref(), Some("P-4"));
    assert_eq!(mine[2].entry.actor, "officer-0");
}

#[tokio::test]
async fn concurrent_appends_never_fork_the_chain() {
    let app = spawn_app().await;
    let db = app.state.db.clone();
    let tasks: Vec<_> = (0..24)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move { egov_auth::record(&db, entry(i)).await })
        })
        .collect();
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.expect("task").expect("append").seq);
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=24).collect::<Vec<i64>>());
    let v = egov_auth::verify(&db).await.expect("verify");
    assert!(v.intact(), "{v:?}");
    assert_eq!(v.checked, 24);
}

#[tokio::test]
async fn an_edited_record_is_detected() {
    let app = spawn_app().await;
    let db = &app.state.db;
    fill(db, 4).await;
    sql(
        db,
        "UPDATE auth_access_log SET purpose = 'curiosity' WHERE seq = 2",
    )
    .await;
    let v = egov_auth::verify(db).await.expect("verify");
    assert_eq!(
        v.problem.as_deref(),
        Some("record 2 was altered: its contents do not match its hash")
    );
    assert_eq!(v.checked, 1);
}

#[tokio::test]
async fn an_edited_record_with_a_recomputed_hash_breaks_the_next_link() {
    let app = spawn_app().await;
    let db = &app.state.db;
    fill(db, 3).await;
    // An insider rewrites record 2 and gives it a correct new hash; record 3 still names the
    // old one.
    let subject = entry(1).subject;
    let original = db
        .run(move |conn| store::for_subject(conn, &subject, None, 10))
        .await
        .expect("list")
        .into_iter()
        .find(|r| r.seq == 2)
        .expect("record 2");
    let mut forged = original.entry.clone();
    forged.purpose = "curiosity".into();
    let forged_hash =
        egov_auth::access_log::chain_hash(2, original.occurred_at, &forged, &original.prev_hash);
    db.run(move |conn| {
        use egov_auth::store::auth_access_log::dsl::*;
        diesel::update(auth_access_log.filter(seq.eq(2)))
            .set((purpose.eq("curiosity"), hash.eq(forged_hash)))
            .execute(conn)?;
        Ok(())
    })
    .await
    .expect("forge");
    let v = egov_auth::verify(db).await.expect("verify");
    assert_eq!(
        v.problem.as_deref(),
        Some("record 3 does not link to record 2"),
        "{v:?}"
    );
    assert_eq!(v.checked, 2);
}

#[tokio::test]
async fn a_deleted_record_is_detected() {
    let app = spawn_app().await;
    let db = &app.state.db;
    fill(db, 4).await;
    sql(db, "DELETE FROM auth_access_log WHERE seq = 2").await;
    let v = egov_auth::verify(db).await.expect("verify");
    assert_eq!(
        v.problem.as_deref(),
        Some("record 2 is missing (the next record is 3)")
    );
}

#[tokio::test]
async fn a_truncated_tail_is_detected() {
    let app = spawn_app().await;
    let db = &app.state.db;
    fill(db, 4).await;
    sql(db, "DELETE FROM auth_access_log WHERE seq = 4").await;
    let v = egov_auth::verify(db).await.expect("verify");
    assert!(
        v.problem
            .as_deref()
            .is_some_and(|p| p.contains("records were removed from the end")),
        "{v:?}"
    );
}

#[tokio::test]
async fn retention_purges_old_records_and_verification_continues_from_the_checkpoint() {
    let app = spawn_app().await;
    let db = &app.state.db;
    let now = Utc::now();
    // Three records three years ago, two now.
    for i in 0..5 {
        let at = if i < 3 {
            now - Duration::days(3 * 365)
        } else {
            now
        };
        let e = entry(i);
        db.run(move |conn| store::append(conn, &e, at))
            .await
            .expect("append");
    }
    let removed = db
        .run(move |conn| store::purge_before(conn, now - Duration::days(730), now, |_, _| Ok(())))
        .await
        .expect("purge");
    assert_eq!(removed, 3);
    let v = egov_auth::verify(db).await.expect("verify");
    assert!(v.intact(), "{v:?}");
    assert_eq!((v.checked, v.from_checkpoint, v.head_seq), (2, 3, 5));
    // Appending after a purge continues the chain.
    egov_auth::record(db, entry(9)).await.expect("append");
    assert!(egov_auth::verify(db).await.expect("verify").intact());
    // Deleting the first record after the checkpoint is still caught.
    sql(db, "DELETE FROM auth_access_log WHERE seq = 4").await;
    let v = egov_auth::verify(db).await.expect("verify");
    assert_eq!(
        v.problem.as_deref(),
        Some("record 4 is missing (the next record is 5)")
    );
}

#[tokio::test]
async fn an_incomplete_entry_is_refused_and_nothing_is_written() {
    let app = spawn_app().await;
    let db = &app.state.db;
    let mut e = entry(0);
    e.purpose = String::new();
    let err: Error = egov_auth::record(db, e).await.expect_err("refused");
    assert_eq!(err.code().status, 422);
    let v = egov_auth::verify(db).await.expect("verify");
    assert_eq!((v.checked, v.head_seq), (0, 0));
}

//! Revoking a key: refused from then on, gone from the published set, listed in the member's
//! signed status list; an offline verifier given the list fails evidence signed after the
//! revocation and believes the list only with a pinned key. Both backends.

use crate::common::*;

use egov_exchange::client::Call;
use egov_exchange::evidence;
use egov_exchange::keys::{JwkSet, StatusList};
use egov_testing::{Spawn, TestApp, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};

async fn evidence_of_a_call(app: &TestApp) -> evidence::Bundle {
    let x = app.state.exchange.clone().expect("exchange");
    let service = format!("{}/exchange/listMethods", x.member());
    let answer = x
        .call("exchange", Call::get(&service, "", "discovery"))
        .await
        .expect("a call to this member's own discovery service");
    let res = send(
        app,
        Method::GET,
        &format!("/exchange/v1/audit/evidence/{}", answer.log_seq),
        &auditor(app),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("bundle")
}

async fn published(app: &TestApp) -> JwkSet {
    let res = send(app, Method::GET, "/exchange/v1/keys", "", None).await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("jwks")
}

async fn status_list(app: &TestApp) -> StatusList {
    let res = send(app, Method::GET, "/exchange/v1/keys/status", "", None).await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("status list")
}

async fn revoke(app: &TestApp, body: &Value) -> (u16, Value) {
    let res = send(
        app,
        Method::POST,
        "/exchange/v1/admin/keys/revoke",
        &admin(app),
        Some(body),
    )
    .await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_revoked_key_is_refused_and_evidence_signed_after_its_revocation_fails() {
    let app = spawn_app_with(Spawn {
        modules: &["auth", "exchange"],
        settings: &[],
    })
    .await;
    let before = published(&app).await;
    let old_kid = before.keys[0].kid.clone();
    let bundle = evidence_of_a_call(&app).await;
    assert!(status_list(&app).await.revoked.is_empty());

    // Bad input changes nothing and says why.
    for (body, status) in [
        (json!({"kid": old_kid, "reason": "bored"}), 422),
        (
            json!({"kid": old_kid, "reason": "superseded", "since": "2999-01-01T00:00:00Z"}),
            422,
        ),
        (
            json!({"kid": "KR/GOV/EGOV#99", "reason": "superseded"}),
            404,
        ),
    ] {
        let (s, p) = revoke(&app, &body).await;
        assert_eq!(s, status, "{body} {p}");
    }
    let res = send(
        &app,
        Method::POST,
        "/exchange/v1/admin/keys/revoke",
        &auditor(&app),
        Some(&json!({"kid": old_kid, "reason": "superseded"})),
    )
    .await;
    assert_eq!(res.status(), 403, "only a platform admin revokes");
    assert!(status_list(&app).await.revoked.is_empty());

    // Compromised since just before the call: the signing key is replaced at once.
    let since = bundle.record.recorded_at - chrono::Duration::milliseconds(1);
    let (s, r) = revoke(
        &app,
        &json!({"kid": old_kid, "reason": "key_compromise", "since": since}),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    let new_kid = r["signing_kid"].as_str().expect("signing kid").to_owned();
    assert_ne!(new_kid, old_kid);
    let after = published(&app).await;
    assert!(
        after.keys.iter().all(|k| k.kid != old_kid),
        "no longer published"
    );
    assert!(after.keys.iter().any(|k| k.kid == new_kid));
    let (s, _) = revoke(&app, &json!({"kid": old_kid, "reason": "superseded"})).await;
    assert_eq!(s, 404, "revoked already");

    // The list names the key, signed by the new key; calls go on with the new key.
    let list = status_list(&app).await;
    assert_eq!(list.revoked.len(), 1);
    assert_eq!(list.revoked[0].kid, old_kid);
    assert_eq!(list.revoked[0].reason, "key_compromise");
    assert_eq!(
        egov_exchange::signature::header(&list.signature)
            .expect("signed")
            .kid,
        new_kid
    );
    let later = evidence_of_a_call(&app).await;

    // Offline: the keys pinned before and after; the record signed after the revocation
    // fails, the later one (by the new key) passes with the key noted as not revoked.
    let mut pinned = evidence::Trust::default();
    pinned.add(before, "before.json");
    pinned.add(after, "after.json");
    let lists = [list.clone()];
    let verdict = evidence::verify_full(&bundle, Some(&pinned), &lists);
    assert!(!verdict.valid, "{verdict:?}");
    let revocation = verdict
        .checks
        .iter()
        .find(|c| c.name == "revocation")
        .expect("revocation check");
    assert!(
        !revocation.ok && revocation.detail.contains("key_compromise"),
        "{revocation:?}"
    );
    assert!(
        evidence::verify_trusting(&bundle, Some(&pinned)).valid,
        "without the status list the revocation is not known offline"
    );
    let verdict = evidence::verify_full(&later, Some(&pinned), &lists);
    assert!(verdict.valid && verdict.trusted, "{verdict:?}");
    assert!(
        verdict
            .checks
            .iter()
            .any(|c| c.name == "revocation" && c.detail.contains("not revoked as of")),
        "{verdict:?}"
    );

    // A list edited to hide the revocation, or checked without a pinned key, is not believed.
    let mut edited = list.clone();
    edited.revoked.clear();
    assert!(!evidence::verify_full(&bundle, Some(&pinned), &[edited]).valid);
    assert!(!evidence::verify_full(&bundle, None, &lists).valid);
}

//! The exchange end to end over HTTP: one process, two processes, every refusal, the log
//! chain and evidence. Runs on SQLite and PostgreSQL (EGOV_TEST_BACKEND).

use crate::common;

use common::*;
use egov_exchange::client::{Call, CallError};
use egov_exchange::evidence;
use egov_exchange::store;
use egov_testing::{Spawn, TestApp, random_key, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};

async fn grant(app: &TestApp, client: &str, service: &str, purpose: &str, items: &[&str]) {
    let res = send(
        app,
        Method::POST,
        "/exchange/v1/admin/grants",
        &admin(app),
        Some(&json!({"client": client, "service": service, "purpose": purpose, "items": items})),
    )
    .await;
    assert_eq!(res.status(), 201, "{:?}", res.text().await);
}

async fn consent(app: &TestApp, nid: &str, client: &str, service: &str, items: &[&str]) -> String {
    let res = send(
        app,
        Method::POST,
        "/exchange/v1/me/consents",
        &citizen(app, nid),
        Some(
            &json!({"client": client, "service": service, "purpose": "petition.review",
                     "items": items, "days": 30}),
        ),
    )
    .await;
    assert_eq!(res.status(), 201, "{:?}", res.text().await);
    res.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// Refusal checks: status, X-Road error type in the header and the problem, no data returned,
/// and a refused record for the message id in the provider's log.
async fn refused(app: &TestApp, res: reqwest::Response, status: u16, xroad: &str, id: &str) {
    assert_eq!(res.status(), status, "{xroad}");
    assert_eq!(
        res.headers()
            .get("x-road-error")
            .and_then(|v| v.to_str().ok()),
        Some(xroad)
    );
    assert!(
        res.headers().contains_key("x-egov-signature"),
        "refusals are signed too"
    );
    let ct = res.headers()["content-type"]
        .to_str()
        .expect("ct")
        .to_owned();
    assert_eq!(ct, "application/problem+json");
    let body: Value = res.json().await.expect("problem");
    assert_eq!(body["type"], format!("urn:egov:problem:xroad:{xroad}"));
    assert_eq!(body["status"], status);
    for item in ["name", "birth_date", "address"] {
        assert!(body.get(item).is_none(), "{xroad}: no data returned");
    }
    let id = id.to_owned();
    let records = app
        .state
        .db
        .run(move |c| store::records(c, Some(&id), None, None, 10))
        .await
        .expect("records");
    let provider: Vec<_> = records
        .iter()
        .filter(|r| r.entry.side == egov_exchange::log::Side::Provider)
        .collect();
    assert!(
        provider
            .iter()
            .any(|r| r.entry.outcome == "refused" && r.entry.error_type.as_deref() == Some(xroad)),
        "{xroad}: logged ({records:?})"
    );
    assert!(
        provider
            .iter()
            .filter(|r| r.entry.outcome == "refused")
            .all(|r| r.entry.response_body.is_none() && r.entry.items_released.is_empty())
    );
}

/// Signs `headers` and `signed` as `o`, sends `sent`, and checks the refusal.
#[allow(clippy::too_many_arguments)]
async fn refused_request(
    app: &TestApp,
    o: &Outsider,
    path: &str,
    headers: Vec<(&'static str, String)>,
    signed: &[u8],
    sent: &[u8],
    status: u16,
    xroad: &str,
) {
    let id = headers
        .iter()
        .find(|(n, _)| *n == "x-road-id")
        .map(|(_, v)| v.clone())
        .expect("id");
    let h = o.sign("POST", path, &headers, signed);
    let res = raw(app, "POST", path, &h, sent).await;
    refused(app, res, status, xroad, &id).await;
}

fn headers_for(
    client: &str,
    id: &str,
    ts: u64,
    consent: Option<&str>,
) -> Vec<(&'static str, String)> {
    let mut h = vec![
        ("x-road-client", client.to_owned()),
        ("x-road-id", id.to_owned()),
        ("x-egov-timestamp", ts.to_string()),
        ("x-egov-purpose", "petition.review".to_owned()),
        ("content-type", "application/json".to_owned()),
    ];
    if let Some(c) = consent {
        h.push(("x-egov-consent", c.to_owned()));
    }
    h
}

#[tokio::test]
async fn one_process_exchange_refusals_log_and_evidence() {
    let app = spawn_app_with(Spawn {
        modules: &["auth", "exchange", "registry"],
        ..Spawn::default()
    })
    .await;
    let x = app.state.exchange.clone().expect("exchange");
    let m = member(&app);
    let person = format!("{m}/registry/person");
    let client = format!("{m}/petition");

    // Discovery: the service, its items and legal bases, its OpenAPI.
    let services = app.get_json("/exchange/v1/services").await;
    let s = services
        .as_array()
        .expect("list")
        .iter()
        .find(|s| s["service_id"] == person)
        .expect("listed");
    assert_eq!(s["basis"], "consent");
    assert_eq!(
        s["items"][0]["legal_basis"],
        "Resident Registration Act art. 29"
    );
    let doc = app
        .get_json("/exchange/v1/services/registry/person/openapi.json")
        .await;
    assert_eq!(doc["openapi"], "3.1.0");

    // Grant name and birth date; the person consents to name, birth date and address.
    grant(
        &app,
        &client,
        &person,
        "petition.review",
        &["name", "birth_date"],
    )
    .await;
    let consent_id = consent(
        &app,
        NID,
        &client,
        &person,
        &["name", "birth_date", "address"],
    )
    .await;

    // The module's call, in this process: signed, checked, logged, stripped.
    let answer = x
        .call(
            "petition",
            Call::post(
                &person,
                "v1",
                json!({"national_id": NID}),
                "petition.review",
            )
            .consent(&consent_id)
            .about(&person_key(&app, NID)),
        )
        .await
        .expect("exchange");
    assert_eq!(
        answer.body,
        json!({"name": "Hong Gildong", "birth_date": "1990-01-01"})
    );
    let id = answer.message_id.clone();
    let records = app
        .state
        .db
        .run(move |c| store::records(c, Some(&id), None, None, 10))
        .await
        .expect("records");
    assert_eq!(records.len(), 2, "one record per side");
    let provider = records
        .iter()
        .find(|r| r.entry.side == egov_exchange::log::Side::Provider)
        .expect("provider record");
    assert_eq!(
        provider.entry.items_stripped,
        vec!["address", "internal_note"]
    );
    assert_eq!(provider.entry.consent.as_deref(), Some(consent_id.as_str()));
    assert_eq!(
        provider.entry.subject.as_deref(),
        Some(person_key(&app, NID).as_str())
    );
    assert!(
        provider
            .entry
            .response_body
            .as_deref()
            .is_some_and(|b| !b.contains("address"))
    );

    // A statutory service: no consent needed, the basis is logged; metadata-only log.
    let residence = format!("{m}/registry/residence");
    grant(&app, &client, &residence, "petition.review", &["resident"]).await;
    let a = x
        .call(
            "petition",
            Call::post(
                &residence,
                "v1",
                json!({"national_id": NID}),
                "petition.review",
            ),
        )
        .await
        .expect("statutory");
    assert_eq!(a.body, json!({"resident": true}));
    let id = a.message_id.clone();
    let r = app
        .state
        .db
        .run(move |c| store::records(c, Some(&id), None, None, 10))
        .await
        .expect("records");
    let p = r
        .iter()
        .find(|r| r.entry.side == egov_exchange::log::Side::Provider)
        .expect("provider");
    assert_eq!(
        p.entry.basis.as_deref(),
        Some("Electronic Government Act art. 36(1)")
    );
    assert_eq!(p.entry.mode, "metadata");
    assert!(p.entry.request_body.is_none() && p.entry.response_body.is_none());

    // A provider error passes through without X-Road-Error.
    let c2 = consent(&app, "000229-3234567", &client, &person, &["name"]).await;
    let e = x
        .call(
            "petition",
            Call::post(
                &person,
                "v1",
                json!({"national_id": "000229-3234567"}),
                "petition.review",
            )
            .consent(&c2),
        )
        .await
        .expect_err("no such person");
    match e {
        CallError::Refused {
            status,
            xroad_type,
            code,
            ..
        } => {
            assert_eq!(
                (status, xroad_type, code.as_str()),
                (404, None, "registry.no_such_person")
            );
        }
        other => panic!("{other:?}"),
    }

    // Every refusal, over HTTP from an outside member with its own key.
    let outsider = Outsider::register(&app, "KR/COM/1234567890").await;
    let oc = format!("{}/app", outsider.member);
    grant(
        &app,
        &oc,
        &person,
        "petition.review",
        &["name", "birth_date"],
    )
    .await;
    let oconsent = consent(&app, NID, &oc, &person, &["name", "birth_date"]).await;
    let path = format!("/r1/{person}/v1");
    let body = serde_json::to_vec(&json!({"national_id": NID})).expect("body");
    let fresh = || uuid::Uuid::new_v4().to_string();

    let id = fresh();
    let good = outsider.sign(
        "POST",
        &path,
        &headers_for(&oc, &id, now(), Some(&oconsent)),
        &body,
    );
    let res = raw(&app, "POST", &path, &good, &body).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().contains_key("x-road-request-hash"));
    assert_eq!(res.headers()["x-road-id"], id.as_str());
    let ok_body: Value = res.json().await.expect("json");
    assert_eq!(
        ok_body,
        json!({"name": "Hong Gildong", "birth_date": "1990-01-01"})
    );

    // Replayed id: the same bytes again.
    let res = raw(&app, "POST", &path, &good, &body).await;
    refused(&app, res, 409, "Client.DuplicateMessageId", &id).await;

    // Tampered body.
    let other = serde_json::to_vec(&json!({"national_id": "850505-1234568"})).expect("b");
    let h = headers_for(&oc, &fresh(), now(), Some(&oconsent));
    refused_request(
        &app,
        &outsider,
        &path,
        h,
        &body,
        &other,
        401,
        "Client.InvalidSignatureValue",
    )
    .await;

    // Tampered header: an X-Road-Issue added after signing.
    let id = fresh();
    let mut h = outsider.sign(
        "POST",
        &path,
        &headers_for(&oc, &id, now(), Some(&oconsent)),
        &body,
    );
    h.push(("x-road-issue".into(), "added".into()));
    let res = raw(&app, "POST", &path, &h, &body).await;
    refused(&app, res, 401, "Client.InvalidSignatureValue", &id).await;

    // Wrong key: signed by another key under the outsider's key id.
    let id = fresh();
    let impostor = Outsider {
        member: outsider.member.clone(),
        kid: outsider.kid.clone(),
        key: ed25519_dalek::SigningKey::from_bytes(&rand_seed()),
    };
    let h = impostor.sign(
        "POST",
        &path,
        &headers_for(&oc, &id, now(), Some(&oconsent)),
        &body,
    );
    let res = raw(&app, "POST", &path, &h, &body).await;
    refused(&app, res, 401, "Client.InvalidSignatureValue", &id).await;

    // A key of another member than the client's.
    let h = headers_for(&format!("{m}/petition"), &fresh(), now(), Some(&oconsent));
    refused_request(
        &app,
        &outsider,
        &path,
        h,
        &body,
        &body,
        401,
        "Client.UnknownSigningKey",
    )
    .await;

    // Stale timestamp.
    let h = headers_for(&oc, &fresh(), now() - 1000, Some(&oconsent));
    refused_request(
        &app,
        &outsider,
        &path,
        h,
        &body,
        &body,
        400,
        "Client.StaleTimestamp",
    )
    .await;

    // No grant: another purpose.
    let id = fresh();
    let mut hs = headers_for(&oc, &id, now(), Some(&oconsent));
    hs[3].1 = "marketing".into();
    let h = outsider.sign("POST", &path, &hs, &body);
    let res = raw(&app, "POST", &path, &h, &body).await;
    refused(&app, res, 403, "Server.ServerProxy.AccessDenied", &id).await;

    // A grant without that item.
    let ipath = format!("{path}?items=address");
    let h = headers_for(&oc, &fresh(), now(), Some(&oconsent));
    refused_request(
        &app,
        &outsider,
        &ipath,
        h,
        &body,
        &body,
        403,
        "Server.ServerProxy.AccessDenied",
    )
    .await;

    // Missing consent.
    let h = headers_for(&oc, &fresh(), now(), None);
    refused_request(
        &app,
        &outsider,
        &path,
        h,
        &body,
        &body,
        403,
        "Client.ConsentRequired",
    )
    .await;

    // Someone else's consent.
    let id = fresh();
    let nbody = serde_json::to_vec(&json!({"national_id": "850505-1234568"})).expect("b");
    let h = outsider.sign(
        "POST",
        &path,
        &headers_for(&oc, &id, now(), Some(&oconsent)),
        &nbody,
    );
    let res = raw(&app, "POST", &path, &h, &nbody).await;
    refused(&app, res, 403, "Client.ConsentInvalid", &id).await;

    // Expired consent (the ledger holds one that ended yesterday).
    let expired = uuid::Uuid::new_v4().to_string();
    let (eid, subject, ocl, svc) = (
        expired.clone(),
        person_key(&app, NID),
        oc.clone(),
        person.clone(),
    );
    app.state
        .db
        .run(move |c| {
            let past = chrono::Utc::now() - chrono::Duration::days(1);
            store::add_consent(
                c,
                store::ConsentRow {
                    id: eid,
                    subject,
                    client: ocl,
                    service: svc,
                    purpose: "petition.review".into(),
                    items: String::new(),
                    granted_at: (past - chrono::Duration::days(30)).naive_utc(),
                    expires_at: past.naive_utc(),
                    withdrawn_at: None,
                },
                &["name".into()],
            )
        })
        .await
        .expect("expired consent");
    let h = headers_for(&oc, &fresh(), now(), Some(&expired));
    refused_request(
        &app,
        &outsider,
        &path,
        h,
        &body,
        &body,
        403,
        "Client.ConsentExpired",
    )
    .await;

    // Withdrawn consent: the citizen withdraws, the next request is refused.
    let res = send(
        &app,
        Method::POST,
        &format!("/exchange/v1/me/consents/{oconsent}/withdraw"),
        &citizen(&app, NID),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    let h = headers_for(&oc, &fresh(), now(), Some(&oconsent));
    refused_request(
        &app,
        &outsider,
        &path,
        h,
        &body,
        &body,
        403,
        "Client.ConsentWithdrawn",
    )
    .await;

    // The ledger in numbers for the platform's administrator: the withdrawal counted, no
    // person named; nobody else may ask.
    let res = send(
        &app,
        Method::GET,
        "/exchange/v1/admin/consents",
        &admin(&app),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    let overview: Value = res.json().await.expect("json");
    let rows = overview["consents"].as_array().expect("consents");
    let total = |k: &str| rows.iter().map(|r| r[k].as_i64().unwrap_or(0)).sum::<i64>();
    assert_eq!(total("withdrawn"), 1, "{overview}");
    assert!(total("active") + total("expired") >= 1, "{overview}");
    assert!(!overview.to_string().contains("subject"), "{overview}");
    assert!(
        rows.iter()
            .any(|r| r["withdrawn"] == 1 && r["purpose"] == "petition.review"),
        "{overview}"
    );
    let res = send(
        &app,
        Method::GET,
        "/exchange/v1/admin/consents",
        &citizen(&app, NID),
        None,
    )
    .await;
    assert_eq!(res.status(), 403);

    // Bad input changes nothing and says why.
    let bad = b"{\"national_id\": 5}".to_vec();
    let h = headers_for(&oc, &fresh(), now(), Some(&oconsent));
    refused_request(
        &app,
        &outsider,
        &path,
        h,
        &bad,
        &bad,
        400,
        "Client.InvalidPayload",
    )
    .await;

    // The citizen's "who used my data" view lists the exchanges about them.
    let res = send(
        &app,
        Method::GET,
        "/exchange/v1/me/data-use",
        &citizen(&app, NID),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    let uses: Value = res.json().await.expect("json");
    let uses = uses.as_array().expect("list");
    assert!(uses.iter().any(|u| u["source"] == "exchange"
        && u["by"] == client
        && u["items"] == json!(["birth_date", "name"])));
    assert!(
        uses.iter()
            .any(|u| u["by"] == oc && u["outcome"] == "refused")
    );

    // The chain is intact; evidence verifies offline; an edited bundle does not.
    let v = send(
        &app,
        Method::GET,
        "/exchange/v1/audit/verify",
        &auditor(&app),
        None,
    )
    .await;
    let v: Value = v.json().await.expect("json");
    assert_eq!(v["problem"], Value::Null, "{v}");
    let seq = provider.seq;
    let res = send(
        &app,
        Method::GET,
        &format!("/exchange/v1/audit/evidence/{seq}"),
        &auditor(&app),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    let bundle: evidence::Bundle = res.json().await.expect("bundle");
    let verdict = evidence::verify(&bundle);
    assert!(verdict.valid, "{verdict:?}");
    assert!(
        !verdict.trusted,
        "the bundle's own keys prove nothing by themselves"
    );
    assert!(
        verdict
            .checks
            .iter()
            .any(|c| c.detail.contains("carried by the bundle, not pinned")),
        "{verdict:?}"
    );
    // Pinned keys: a verdict on them is trusted and says where each key was pinned from; a
    // key that differs from the pinned one under the same id, or that nobody pinned, fails.
    let mut pinned = evidence::Trust::default();
    pinned.add(
        egov_exchange::keys::JwkSet {
            keys: bundle.keys.clone(),
        },
        "published.json",
    );
    let verdict = evidence::verify_trusting(&bundle, Some(&pinned));
    assert!(verdict.valid && verdict.trusted, "{verdict:?}");
    assert!(
        verdict
            .checks
            .iter()
            .any(|c| c.detail.contains("a key pinned in published.json")),
        "{verdict:?}"
    );
    let impostor = {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
            ed25519_dalek::SigningKey::from_bytes(&[7; 32])
                .verifying_key()
                .as_bytes(),
        )
    };
    let mut stale = evidence::Trust::default();
    stale.add(
        egov_exchange::keys::JwkSet {
            keys: bundle
                .keys
                .iter()
                .cloned()
                .map(|mut k| {
                    k.x = impostor.clone();
                    k
                })
                .collect(),
        },
        "stale.json",
    );
    let verdict = evidence::verify_trusting(&bundle, Some(&stale));
    assert!(!verdict.valid && !verdict.trusted, "{verdict:?}");
    let verdict = evidence::verify_trusting(&bundle, Some(&evidence::Trust::default()));
    assert!(
        !verdict.valid
            && verdict
                .checks
                .iter()
                .any(|c| c.detail.contains("is not among the trusted keys")),
        "{verdict:?}"
    );
    let mut edited = bundle.clone();
    edited.record.entry.response_body = Some("{\"name\":\"Someone Else\"}".into());
    assert!(!evidence::verify(&edited).valid);
    let mut edited = bundle.clone();
    edited.record.entry.purpose = "other".into();
    edited.record.hash = egov_exchange::log::chain_hash(
        edited.record.seq,
        edited.record.recorded_at,
        &edited.record.entry,
        &edited.record.prev_hash,
    );
    let verdict = evidence::verify(&edited);
    assert!(
        !verdict.valid,
        "a rehashed edit still breaks the signatures: {verdict:?}"
    );

    // Tampering with the stored chain is detected.
    app.state
        .db
        .run(move |c| {
            use diesel::RunQueryDsl;
            diesel::sql_query(format!(
                "UPDATE exchange_log SET purpose = 'tampered' WHERE seq = {seq}"
            ))
            .execute(c)?;
            Ok(())
        })
        .await
        .expect("tamper");
    let v = send(
        &app,
        Method::GET,
        "/exchange/v1/audit/verify",
        &auditor(&app),
        None,
    )
    .await;
    let v: Value = v.json().await.expect("json");
    assert!(
        v["problem"]
            .as_str()
            .is_some_and(|p| p.contains(&format!("record {seq}"))),
        "{v}"
    );
}

#[tokio::test]
async fn two_processes_exchange_over_http() {
    // Shared deployment secrets: person keys match across the two processes.
    let (index_key, enc_key) = (random_key(), random_key());
    let settings_a = [
        ("EGOV__EXCHANGE__MEMBER", "KR/GOV/1210000"),
        ("EGOV__EXCHANGE__CONSENT_LEDGER", "KR/GOV/1310000"),
        ("EGOV__AUTH__BLIND_INDEX_KEY", index_key.as_str()),
        ("EGOV__AUTH__ENCRYPTION_KEY", enc_key.as_str()),
    ];
    let settings_b = [
        ("EGOV__EXCHANGE__MEMBER", "KR/GOV/1310000"),
        ("EGOV__AUTH__BLIND_INDEX_KEY", index_key.as_str()),
        ("EGOV__AUTH__ENCRYPTION_KEY", enc_key.as_str()),
    ];
    // A provides the register; B (the client agency) holds the consent ledger.
    let a = spawn_app_with(Spawn {
        modules: &["auth", "exchange", "registry"],
        settings: &settings_a,
    })
    .await;
    let b = spawn_app_with(Spawn {
        modules: &["auth", "exchange"],
        settings: &settings_b,
    })
    .await;
    for (app, other, id) in [(&a, &b, "KR/GOV/1310000"), (&b, &a, "KR/GOV/1210000")] {
        let res = send(
            app,
            Method::PUT,
            "/exchange/v1/admin/members",
            &admin(app),
            Some(&json!({"id": id, "name": "peer", "base_url": other.address})),
        )
        .await;
        assert_eq!(res.status(), 200, "{:?}", res.text().await);
    }
    let person = "KR/GOV/1210000/registry/person";
    let client = "KR/GOV/1310000/petition";
    grant(
        &a,
        client,
        person,
        "petition.review",
        &["name", "birth_date", "address"],
    )
    .await;
    let consent_id = consent(&b, NID, client, person, &["name", "address"]).await;

    let xb = b.state.exchange.clone().expect("exchange");
    let call = || {
        Call::post(person, "v1", json!({"national_id": NID}), "petition.review")
            .consent(&consent_id)
            .about(&person_key(&b, NID))
    };
    let answer = xb
        .call("petition", call())
        .await
        .expect("exchange over HTTP");
    assert_eq!(
        answer.body,
        json!({"name": "Hong Gildong", "address": "1 Sejong-daero, Jongno-gu, Seoul"})
    );

    // Both sides logged the exchange; A also logged its consent check against B's ledger,
    // which B logged as provider.
    let id = answer.message_id.clone();
    let ra = a
        .state
        .db
        .run(move |c| store::records(c, Some(&id), None, None, 10))
        .await
        .expect("a");
    assert_eq!(ra.len(), 1);
    assert_eq!(ra[0].entry.outcome, "ok");
    let id = answer.message_id.clone();
    let rb = b
        .state
        .db
        .run(move |c| store::records(c, Some(&id), None, None, 10))
        .await
        .expect("b");
    assert_eq!(rb.len(), 1);
    assert_eq!(rb[0].entry.side, egov_exchange::log::Side::Client);
    assert_eq!(ra[0].entry.request_hash, rb[0].entry.request_hash);
    let all_b = b
        .state
        .db
        .run(|c| store::records(c, None, None, None, 50))
        .await
        .expect("b all");
    assert!(
        all_b
            .iter()
            .any(|r| r.entry.service.ends_with("/exchange/consent-status")
                && r.entry.side == egov_exchange::log::Side::Provider
                && r.entry.client == "KR/GOV/1210000/exchange")
    );

    // The citizen withdraws at B's ledger; A refuses the next request at once.
    let res = send(
        &b,
        Method::POST,
        &format!("/exchange/v1/me/consents/{consent_id}/withdraw"),
        &citizen(&b, NID),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    let e = xb.call("petition", call()).await.expect_err("withdrawn");
    assert_eq!(e.code(), "Client.ConsentWithdrawn", "{e:?}");

    // Evidence exported at B (client side) verifies offline too.
    let seq = rb[0].seq;
    let res = send(
        &b,
        Method::GET,
        &format!("/exchange/v1/audit/evidence/{seq}"),
        &auditor(&b),
        None,
    )
    .await;
    let bundle: evidence::Bundle = res.json().await.expect("bundle");
    assert!(
        evidence::verify(&bundle).valid,
        "{:?}",
        evidence::verify(&bundle)
    );

    // A provider that is down: bounded retries (connection refused), then the circuit opens
    // and calls fail fast; every attempt is on the client's log.
    let res = send(
        &b,
        Method::PUT,
        "/exchange/v1/admin/members",
        &admin(&b),
        Some(&json!({"id": "KR/GOV/9999999", "name": "down", "base_url": "http://127.0.0.1:9"})),
    )
    .await;
    assert_eq!(res.status(), 200);
    for _ in 0..5 {
        let e = xb
            .call(
                "petition",
                Call::get("KR/GOV/9999999/svc/status", "v1", "petition.review"),
            )
            .await
            .expect_err("down");
        assert_eq!(e.code(), "Server.ClientProxy.NetworkError", "{e:?}");
    }
    let e = xb
        .call(
            "petition",
            Call::get("KR/GOV/9999999/svc/status", "v1", "petition.review"),
        )
        .await
        .expect_err("open");
    assert_eq!(e.code(), "Server.ClientProxy.CircuitOpen", "{e:?}");
}

/// Two instances of one deployment on one database: a replay sent to the other instance (whose
/// in-process guard has not seen the id) is refused by the database claim, and nothing of the
/// answer is released.
#[tokio::test]
async fn a_replay_to_another_instance_is_refused_by_the_database() {
    use egov_core::Module;
    use egov_exchange::provider::Incoming;
    let app = spawn_app_with(Spawn {
        modules: &["auth", "exchange", "registry"],
        ..Spawn::default()
    })
    .await;
    let second = egov_exchange::start(
        &app.state.settings,
        &app.state.db,
        &app.state.packs,
        egov_testing::registry::RegistryModule.exchange_services(),
        true,
        &app.state.clock,
        egov_core::metrics::ExchangeCalls::unregistered(),
    )
    .expect("second instance");
    let m = member(&app);
    let residence = format!("{m}/registry/residence");
    let outsider = Outsider::register(&app, "KR/COM/1234567890").await;
    let oc = format!("{}/app", outsider.member);
    grant(&app, &oc, &residence, "petition.review", &["resident"]).await;
    second.keys().reload().await.expect("reload");

    let path = format!("/r1/{residence}/v1");
    let body = serde_json::to_vec(&json!({"national_id": NID})).expect("body");
    let id = uuid::Uuid::new_v4().to_string();
    let h = outsider.sign("POST", &path, &headers_for(&oc, &id, now(), None), &body);
    let first = raw(&app, "POST", &path, &h, &body).await;
    assert_eq!(first.status(), 200);
    let replay = second
        .handle(Incoming {
            method: "POST".into(),
            path: path.clone(),
            headers: h.clone(),
            body: body.clone(),
            peer: None,
        })
        .await;
    assert_eq!(replay.status, 409);
    assert_eq!(
        replay.header("x-road-error"),
        Some("Client.DuplicateMessageId")
    );
    let text = String::from_utf8_lossy(&replay.body).into_owned();
    assert!(!text.contains("resident\":"), "nothing released: {text}");
    let id2 = id.clone();
    let records = app
        .state
        .db
        .run(move |c| store::records(c, Some(&id2), None, None, 10))
        .await
        .expect("records");
    assert_eq!(records.len(), 2);
    assert!(records.iter().any(|r| r.entry.outcome == "ok"));
    assert!(records.iter().any(|r| r.entry.error_type.as_deref()
        == Some("Client.DuplicateMessageId")
        && r.entry.items_released.is_empty()
        && r.entry.response_body.is_none()));
    let v = app.state.db.run(store::verify).await.expect("verify");
    assert!(v.intact(), "{v:?}");
}

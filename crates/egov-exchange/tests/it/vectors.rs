//! The golden test vectors in `docs/exchange/vectors.json`, which implementers in other
//! languages check their canonical form, request hash and signatures against. This test
//! recomputes every value from the inputs in the file; `EGOV_BLESS=1` rewrites the file.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use egov_exchange::canonical::{Kind, Message};
use egov_exchange::signature;
use serde_json::{Value, json};

const PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../docs/exchange/vectors.json"
);

fn computed() -> Value {
    // A test key: its seed is the bytes 1..=32. Never use it for anything else.
    let seed: [u8; 32] = std::array::from_fn(|i| (i + 1) as u8);
    let key = ed25519_dalek::SigningKey::from_bytes(&seed);
    let kid = "KR/GOV/1310000#2026-1";
    let body = br#"{"subject":"900101-1234567","items":["income_total","tax_paid"]}"#;
    let headers = vec![
        ("X-Road-Client", "KR/GOV/1310000/petition"),
        ("X-Road-Id", "0193a7a0-5b1c-7d6e-8f90-a1b2c3d4e5f6"),
        ("X-Road-UserId", "KR900101-1234567"),
        ("X-Road-Issue", "petition/2026-000123"),
        ("X-Egov-Timestamp", "1795478400"),
        ("X-Egov-Purpose", "petition.eligibility"),
        ("X-Egov-Consent", "consent-7f3c"),
    ];
    let path = "/r1/KR/GOV/1210000/tax/income-certificate.v1";
    let request = Message {
        kind: Kind::Request,
        method: "POST",
        path,
        headers: headers.clone(),
        body,
    };
    let request_canonical = request.canonical().expect("request form");
    let request_hash = request.request_hash().expect("hash");
    let request_signature = signature::sign(&key, kid, &request_canonical);

    let response_body = br#"{"income_total":42000000,"tax_paid":3100000}"#;
    let response_headers = vec![
        ("X-Road-Client", "KR/GOV/1310000/petition"),
        ("X-Road-Id", "0193a7a0-5b1c-7d6e-8f90-a1b2c3d4e5f6"),
        ("X-Road-Request-Hash", request_hash.as_str()),
        ("X-Egov-Timestamp", "1795478401"),
    ];
    let response = Message {
        kind: Kind::Response(200),
        method: "",
        path,
        headers: response_headers.clone(),
        body: response_body,
    };
    let response_canonical = response.canonical().expect("response form");
    let response_signature = signature::sign(&key, kid, &response_canonical);
    let pairs = |h: &[(&str, &str)]| -> Value {
        h.iter()
            .map(|(n, v)| json!([n, v]))
            .collect::<Vec<_>>()
            .into()
    };
    json!({
        "description": "egov-exchange golden vectors: see docs/exchange/canonical-form.md. All strings UTF-8; bodies given as text.",
        "key": {
            "kid": kid,
            "ed25519_seed_hex": hex::encode(seed),
            "public_key_base64url": URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes()),
        },
        "request": {
            "method": "POST",
            "path": path,
            "headers": pairs(&headers),
            "body": String::from_utf8_lossy(body),
            "canonical": request_canonical,
            "request_hash": request_hash,
            "signature": request_signature,
        },
        "response": {
            "status": 200,
            "path": path,
            "headers": pairs(&response_headers),
            "body": String::from_utf8_lossy(response_body),
            "canonical": response_canonical,
            "signature": response_signature,
        },
    })
}

#[test]
fn golden_vectors_match_the_implementation() {
    let now = computed();
    if std::env::var("EGOV_BLESS").is_ok_and(|v| v == "1") {
        let text = serde_json::to_string_pretty(&now).expect("json");
        std::fs::write(PATH, format!("{text}\n")).expect("write vectors");
    }
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(PATH).expect("docs/exchange/vectors.json"))
            .expect("vectors are JSON");
    assert_eq!(
        file, now,
        "the implementation no longer produces the published vectors"
    );
    // And the published signatures verify with the published public key.
    let public: [u8; 32] = URL_SAFE_NO_PAD
        .decode(file["key"]["public_key_base64url"].as_str().expect("key"))
        .expect("b64")
        .try_into()
        .expect("32 bytes");
    let public = ed25519_dalek::VerifyingKey::from_bytes(&public).expect("key");
    let kid = file["key"]["kid"].as_str().expect("kid");
    for part in ["request", "response"] {
        signature::verify(
            &public,
            kid,
            file[part]["canonical"].as_str().expect("canonical"),
            file[part]["signature"].as_str().expect("signature"),
        )
        .expect("published signature verifies");
    }
}

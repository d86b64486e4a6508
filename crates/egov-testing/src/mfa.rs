//! Second factors in tests: TOTP codes as an authenticator app makes them, and enrolment
//! through the provider's API.

use egov_auth::mfa;
use egov_auth::service::now_secs;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::TestApp;

/// The TOTP code of a base32 secret, `step_offset` 30-second steps from now. Waits out the
/// last two seconds of a step, so the server checks the code in the step it was made for.
pub fn totp(secret_b32: &str, step_offset: i64) -> String {
    while now_secs() % 30 >= 28 {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let secret = mfa::secret_from_base32(secret_b32).expect("base32");
    let t = (now_secs() as i64 + step_offset * 30) as u64;
    mfa::code_at(&secret, t).expect("code")
}

/// Enrols TOTP for the holder of the access `token` (confirmed with the code of the step
/// before, so the current step's code is still unused); answers (secret, recovery codes).
pub async fn enrol_totp(app: &TestApp, token: &str) -> (String, Vec<String>) {
    let post = |path: &'static str, body: Value| {
        app.client
            .post(app.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let res = post("/auth/me/mfa/totp", Value::Null).await.expect("enrol");
    assert_eq!(res.status(), StatusCode::OK);
    let e: Value = res.json().await.expect("json");
    let secret = e["secret"].as_str().expect("secret").to_owned();
    let res = post(
        "/auth/me/mfa/totp/confirm",
        json!({"code": totp(&secret, -1)}),
    )
    .await
    .expect("confirm");
    assert_eq!(res.status(), StatusCode::OK);
    let codes: Value = res.json().await.expect("json");
    let codes = codes["recovery_codes"]
        .as_array()
        .expect("codes")
        .iter()
        .map(|c| c.as_str().expect("code").to_owned())
        .collect();
    (secret, codes)
}

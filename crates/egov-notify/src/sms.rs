//! Text messages through an HTTP gateway (see [`GatewaySettings`] for the contract).

use std::time::Duration;

use egov_core::outbox::Delivered;

use crate::settings::{GatewaySettings, read_secret};

/// One gateway.
#[derive(Debug)]
pub struct Gateway {
    client: reqwest::Client,
    url: reqwest::Url,
    token: Option<String>,
    sender: String,
}

impl Gateway {
    pub fn new(s: &GatewaySettings) -> anyhow::Result<Self> {
        let url: reqwest::Url = s
            .url
            .parse()
            .map_err(|e| anyhow::anyhow!("notify.sms_gateway.url ({:?}): {e}", s.url))?;
        anyhow::ensure!(
            matches!(url.scheme(), "https" | "http"),
            "notify.sms_gateway.url must be http(s)"
        );
        let token = s
            .token_file
            .as_ref()
            .map(|p| read_secret("notify.sms_gateway.token_file", p))
            .transpose()?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(s.timeout_ms.max(100)))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            client,
            url,
            token,
            sender: s.sender.clone(),
        })
    }

    /// Sends `text` to `to` (E.164); `reference` lets the gateway drop a repeat.
    pub async fn send(&self, to: &str, text: &str, reference: &str) -> Delivered {
        let mut req = self.client.post(self.url.clone()).json(&serde_json::json!({
            "to": to, "from": self.sender, "text": text, "reference": reference,
        }));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        match req.send().await {
            Ok(r) if r.status().is_success() => Delivered::Sent,
            Ok(r) => {
                let status = r.status();
                let why = format!("the gateway answered {status}");
                if status.is_server_error()
                    || status == reqwest::StatusCode::REQUEST_TIMEOUT
                    || status == reqwest::StatusCode::TOO_MANY_REQUESTS
                {
                    Delivered::Retry(why)
                } else {
                    Delivered::Refused(why)
                }
            }
            Err(e) => Delivered::Retry(format!("the gateway could not be reached: {e}")),
        }
    }
}

//! The client side, what modules call: [`Exchange::call`] signs the request as the calling
//! module's subsystem, sends it — to the gateway in this process when this member provides the
//! service, otherwise over HTTP to the provider member's registered gateway — verifies the
//! response's signature and that it answers this request (request hash), and writes the
//! exchange to this side's message log. Over HTTP: one deadline for the whole call, bounded
//! retries only when the provider surely did not process the request (the connection was
//! refused) and always with the same `X-Road-Id` — so the provider executes a request at most
//! once — and a circuit breaker per provider member.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::Utc;
use egov_core::exchange::LogMode;
use serde_json::Value;

use crate::Exchange;
use crate::canonical::{self, Kind, Message};
use crate::errors::Fault;
use crate::log::{Entry, Side};
use crate::provider::{Incoming, Outgoing, signed_values};
use crate::signature::{self, SIGNATURE_HEADER};
use crate::xroad::{ClientId, ServiceId, headers, request_path};
use egov_core::digest::sha256_hex;

/// A request a module makes.
#[derive(Debug, Clone)]
pub struct Call {
    /// `INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE`.
    pub service: String,
    /// The path after the service id (a module service's version: `v1`).
    pub path: String,
    pub method: &'static str,
    pub payload: Option<Value>,
    pub purpose: String,
    pub consent: Option<String>,
    /// The official the module acts for.
    pub user_id: Option<String>,
    /// The case that caused the request.
    pub issue: Option<String>,
    pub represented_party: Option<String>,
    /// The items wanted (default: every granted item).
    pub items: Option<Vec<String>>,
    /// What this side's log keeps.
    pub log: LogMode,
    /// The person key of the person the request is about, for this side's log and the
    /// person's "who used my data" view.
    pub subject: Option<String>,
}

impl Call {
    pub fn post(service: &str, path: &str, payload: Value, purpose: &str) -> Self {
        Self {
            service: service.to_owned(),
            path: path.to_owned(),
            method: "POST",
            payload: Some(payload),
            purpose: purpose.to_owned(),
            consent: None,
            user_id: None,
            issue: None,
            represented_party: None,
            items: None,
            log: LogMode::Full,
            subject: None,
        }
    }

    pub fn get(service: &str, path: &str, purpose: &str) -> Self {
        Self {
            method: "GET",
            payload: None,
            ..Self::post(service, path, Value::Null, purpose)
        }
    }

    pub fn consent(mut self, reference: &str) -> Self {
        self.consent = Some(reference.to_owned());
        self
    }

    pub fn items(mut self, items: &[&str]) -> Self {
        self.items = Some(items.iter().map(|s| (*s).to_owned()).collect());
        self
    }

    /// The request is about the person with this person key.
    pub fn about(mut self, person_key: &str) -> Self {
        self.subject = Some(person_key.to_owned());
        self
    }

    pub fn user(mut self, user_id: &str) -> Self {
        self.user_id = Some(user_id.to_owned());
        self
    }

    pub fn issue(mut self, issue: &str) -> Self {
        self.issue = Some(issue.to_owned());
        self
    }
}

/// A verified successful answer.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub message_id: String,
    pub request_hash: String,
    /// The sequence number of this side's log record.
    pub log_seq: i64,
}

/// Why a call did not succeed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CallError {
    /// The provider answered with a verified refusal: an X-Road error type (its gateway) or
    /// the providing module's own problem code.
    #[error("{status} {code}: {detail}")]
    Refused {
        status: u16,
        /// `Client.*` / `Server.ServerProxy.*`, when the gateway refused.
        xroad_type: Option<String>,
        code: String,
        detail: String,
        message_id: String,
    },
    /// The exchange could not be completed on this side (`Server.ClientProxy.*`).
    #[error("{0}: {1}")]
    Failed(&'static str, String),
}

impl CallError {
    /// The X-Road error type or problem code.
    pub fn code(&self) -> &str {
        match self {
            CallError::Refused { code, .. } => code,
            CallError::Failed(t, _) => t,
        }
    }
}

#[derive(Debug, Default)]
struct Breaker {
    failures: u32,
    open_until: Option<Instant>,
}

/// Circuit breakers, one per provider member.
#[derive(Debug, Default)]
pub struct Breakers(Mutex<HashMap<String, Breaker>>);

impl Breakers {
    /// Whether a call may go out now (a closed circuit, or the one trial after the cooldown).
    fn allow(&self, member: &str) -> bool {
        let Ok(mut map) = self.0.lock() else {
            return true;
        };
        let b = map.entry(member.to_owned()).or_default();
        match b.open_until {
            Some(t) if Instant::now() < t => false,
            Some(_) => {
                // Half-open: let this call try; the next failure opens it again at once.
                b.open_until = None;
                true
            }
            None => true,
        }
    }

    fn record(&self, member: &str, ok: bool, threshold: u32, cooldown: Duration) {
        let Ok(mut map) = self.0.lock() else {
            return;
        };
        let b = map.entry(member.to_owned()).or_default();
        if ok {
            b.failures = 0;
            b.open_until = None;
        } else {
            b.failures += 1;
            if b.failures >= threshold {
                b.open_until = Some(Instant::now() + cooldown);
                tracing::warn!(member, failures = b.failures, "exchange circuit opened");
            }
        }
    }
}

fn problem_field(body: &Value, name: &str) -> Option<String> {
    body.get(name).and_then(Value::as_str).map(str::to_owned)
}

impl Exchange {
    /// Calls a service as `module` (the calling subsystem). See the module docs. Traced: one
    /// client span, whose context the request carries (`traceparent`) to the provider.
    pub async fn call(&self, module: &str, call: Call) -> Result<Answer, CallError> {
        if !egov_core::traces::enabled() {
            return self.call_untraced(module, call).await;
        }
        use tracing::Instrument as _;
        let span = tracing::info_span!(
            "exchange call",
            otel.name = format!("exchange {}", call.service).as_str(),
            otel.kind = "client",
            otel.status_code = tracing::field::Empty,
            exchange.client = module,
            exchange.service = call.service.as_str(),
            exchange.purpose = call.purpose.as_str(),
        );
        let answer = self
            .call_untraced(module, call)
            .instrument(span.clone())
            .await;
        if answer.is_err() {
            span.record("otel.status_code", "ERROR");
        }
        answer
    }

    async fn call_untraced(&self, module: &str, call: Call) -> Result<Answer, CallError> {
        let client = self.client_of(module);
        let service = ServiceId::parse(&call.service)
            .map_err(|e| CallError::Failed("Client.InvalidServiceIdentifier", e.to_string()))?;
        let mut path = request_path(&service, &call.path);
        if let Some(items) = &call.items {
            path.push_str("?items=");
            path.push_str(
                &url::form_urlencoded::byte_serialize(items.join(",").as_bytes())
                    .collect::<String>(),
            );
        }
        let message_id = uuid::Uuid::now_v7().to_string();
        let mut hdrs: Vec<(String, String)> = vec![
            (headers::CLIENT.into(), client.to_string()),
            (headers::ID.into(), message_id.clone()),
            (
                canonical::TIMESTAMP.into(),
                Utc::now().timestamp().to_string(),
            ),
            (canonical::PURPOSE.into(), call.purpose.clone()),
        ];
        let optional = [
            (headers::USER_ID, &call.user_id),
            (headers::ISSUE, &call.issue),
            (headers::REPRESENTED_PARTY, &call.represented_party),
            (canonical::CONSENT, &call.consent),
        ];
        for (name, value) in optional {
            if let Some(v) = value {
                hdrs.push((name.into(), v.clone()));
            }
        }
        let body = match &call.payload {
            Some(v) => {
                hdrs.push(("content-type".into(), "application/json".into()));
                serde_json::to_vec(v).unwrap_or_default()
            }
            None => Vec::new(),
        };
        let request = Message {
            kind: Kind::Request,
            method: call.method,
            path: &path,
            headers: hdrs.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect(),
            body: &body,
        };
        let canonical = request
            .canonical()
            .map_err(|e| CallError::Failed("Client.BadRequest", e.to_string()))?;
        let request_hash = request
            .request_hash()
            .map_err(|e| CallError::Failed("Client.BadRequest", e.to_string()))?;
        let (kid, key) = self.0.keys.signing().ok_or_else(|| {
            CallError::Failed("Server.ClientProxy.InternalError", "no signing key".into())
        })?;
        hdrs.push((
            SIGNATURE_HEADER.into(),
            signature::sign(&key, &kid, &canonical),
        ));
        let incoming = Incoming {
            method: call.method.to_owned(),
            path: path.clone(),
            headers: hdrs,
            body,
            peer: None,
        };

        let provider_member = service.provider.member();
        let sent = if provider_member == self.0.member {
            self.send_within(&service.provider, &incoming).await
        } else {
            self.send(&provider_member, &incoming).await
        };
        let result = match sent {
            Ok(out) => {
                self.verify_answer(&provider_member, &incoming, &request_hash, out)
                    .await
            }
            Err(f) => Err((f, None)),
        };
        // This side's log: what was sent, what came back (if anything), and the outcome.
        let (entry, outcome) =
            self.client_entry(&client, &service, &call, &incoming, &request_hash, &result);
        let now = Utc::now();
        let logged = self.0.writer.append(entry, now).await;
        let seq = match logged {
            Ok(r) => r.seq,
            Err(e) => {
                tracing::error!(error = %e, "exchange client log append failed");
                return Err(CallError::Failed(
                    "Server.ClientProxy.InternalError",
                    "the exchange could not be logged on the client side".into(),
                ));
            }
        };
        match outcome {
            Ok((status, body)) => Ok(Answer {
                status,
                body,
                message_id,
                request_hash,
                log_seq: seq,
            }),
            Err(e) => Err(e),
        }
    }

    /// A call to a subsystem of this member: handled in this process when it serves the
    /// subsystem, else sent to the process `exchange.subsystems` names for it (modules
    /// apart), else refused with a 503 that says so.
    async fn send_within(&self, provider: &ClientId, req: &Incoming) -> Result<Outgoing, Fault> {
        let subsystem = provider.subsystem.as_deref().unwrap_or_default();
        if subsystem == crate::NAME || self.0.catalogue.serves(subsystem) {
            return Ok(self.handle(req.clone()).await);
        }
        match self.0.settings.exchange.subsystems.get(subsystem) {
            Some(base) => self.send_to(&provider.to_string(), base, req).await,
            None => Err(Fault::new(
                503,
                "Server.ClientProxy.SubsystemUnavailable",
                format!(
                    "subsystem {subsystem} of this member is not served by this process, and exchange.subsystems names no process for it"
                ),
            )),
        }
    }

    async fn send(&self, member: &ClientId, req: &Incoming) -> Result<Outgoing, Fault> {
        let id = member.to_string();
        let mut base = self.0.keys.member_row(&id).and_then(|m| m.base_url);
        if base.is_none() {
            let _ = self.0.keys.reload().await;
            base = self.0.keys.member_row(&id).and_then(|m| m.base_url);
        }
        let base = base.ok_or_else(|| {
            Fault::new(
                502,
                "Server.ClientProxy.UnknownMember",
                format!("member {id} is not registered with a gateway address"),
            )
        })?;
        self.send_to(&id, &base, req).await
    }

    /// Sends to the gateway at `base`, through `id`'s circuit breaker, with retries while
    /// the request surely was not processed.
    async fn send_to(&self, id: &str, base: &str, req: &Incoming) -> Result<Outgoing, Fault> {
        let id = id.to_owned();
        let settings = &self.0.settings.exchange;
        let cooldown = Duration::from_secs(settings.breaker_cooldown_secs);
        if !self.0.breakers.allow(&id) {
            return Err(Fault::new(
                503,
                "Server.ClientProxy.CircuitOpen",
                format!("calls to {id} are paused after repeated failures"),
            ));
        }
        let deadline = Instant::now() + Duration::from_millis(settings.timeout_ms);
        let url = format!("{}{}", base.trim_end_matches('/'), req.path);
        // The trace context (not signed: it names spans, never data), the same on every try.
        let trace = egov_core::traces::outgoing_headers();
        let mut attempt = 0u32;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                self.0
                    .breakers
                    .record(&id, false, settings.breaker_failures, cooldown);
                return Err(Fault::new(
                    504,
                    "Server.ClientProxy.Timeout",
                    "no answer in time",
                ));
            }
            let method =
                reqwest::Method::from_bytes(req.method.as_bytes()).unwrap_or(reqwest::Method::POST);
            let mut builder = self.0.http.request(method, &url).timeout(remaining);
            for (n, v) in &req.headers {
                builder = builder.header(n, v);
            }
            for (n, v) in &trace {
                builder = builder.header(n, v);
            }
            match builder.body(req.body.clone()).send().await {
                Ok(res) => {
                    let status = res.status().as_u16();
                    let headers: Vec<(String, String)> = res
                        .headers()
                        .iter()
                        .filter_map(|(n, v)| {
                            v.to_str()
                                .ok()
                                .map(|v| (n.as_str().to_owned(), v.to_owned()))
                        })
                        .collect();
                    let body = res.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
                    // A provider that answers is up, even when it refuses.
                    let healthy = status < 500 || headers.iter().any(|(n, _)| n == headers::ERROR);
                    self.0
                        .breakers
                        .record(&id, healthy, settings.breaker_failures, cooldown);
                    return Ok(Outgoing {
                        status,
                        headers,
                        body,
                    });
                }
                Err(e) if e.is_connect() && attempt < settings.retries => {
                    // Not connected: the provider cannot have processed it. Same X-Road-Id.
                    attempt += 1;
                    let wait = Duration::from_millis(50 * 2u64.pow(attempt));
                    tokio::time::sleep(
                        wait.min(deadline.saturating_duration_since(Instant::now())),
                    )
                    .await;
                }
                Err(e) => {
                    self.0
                        .breakers
                        .record(&id, false, settings.breaker_failures, cooldown);
                    return Err(if e.is_timeout() {
                        Fault::new(504, "Server.ClientProxy.Timeout", "no answer in time")
                    } else {
                        Fault::new(502, "Server.ClientProxy.NetworkError", e.to_string())
                    });
                }
            }
        }
    }

    /// Verifies the response's signature (by the provider's member) and request hash.
    async fn verify_answer(
        &self,
        provider: &ClientId,
        req: &Incoming,
        request_hash: &str,
        out: Outgoing,
    ) -> Result<(u16, Outgoing), (Fault, Option<Outgoing>)> {
        let bad =
            |t: &'static str, d: String, out: Outgoing| Err((Fault::new(502, t, d), Some(out)));
        let Some(detached) = out.header(SIGNATURE_HEADER).map(str::to_owned) else {
            return bad(
                "Server.ClientProxy.InvalidResponseSignature",
                format!("the response ({}) is not signed", out.status),
                out,
            );
        };
        let kid = match signature::header(&detached) {
            Ok(h) => h.kid,
            Err(e) => {
                return bad(
                    "Server.ClientProxy.InvalidResponseSignature",
                    e.to_string(),
                    out,
                );
            }
        };
        let Some((member, key)) = self.0.keys.resolve(&kid).await else {
            return bad(
                "Server.ClientProxy.InvalidResponseSignature",
                format!("the response is signed with unknown key {kid}"),
                out,
            );
        };
        if member != *provider {
            return bad(
                "Server.ClientProxy.InvalidResponseSignature",
                format!("the response is signed by {member}, not by the provider {provider}"),
                out,
            );
        }
        let m = Message {
            kind: Kind::Response(out.status),
            method: "",
            path: &req.path,
            headers: out
                .headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect(),
            body: &out.body,
        };
        let verified = m
            .canonical()
            .map_err(|e| e.to_string())
            .and_then(|c| signature::verify(&key, &kid, &c, &detached).map_err(|e| e.to_string()));
        if let Err(e) = verified {
            return bad("Server.ClientProxy.InvalidResponseSignature", e, out);
        }
        if out.header(headers::REQUEST_HASH) != Some(request_hash) {
            return bad(
                "Server.ClientProxy.RequestHashMismatch",
                "the response does not carry this request's hash".into(),
                out,
            );
        }
        Ok((out.status, out))
    }

    #[allow(clippy::type_complexity)]
    fn client_entry(
        &self,
        client: &ClientId,
        service: &ServiceId,
        call: &Call,
        req: &Incoming,
        request_hash: &str,
        result: &Result<(u16, Outgoing), (Fault, Option<Outgoing>)>,
    ) -> (Entry, Result<(u16, Value), CallError>) {
        let full = call.log == LogMode::Full;
        let response = match result {
            Ok((_, out)) => Some(out),
            Err((_, out)) => out.as_ref(),
        };
        let parsed: Value = response
            .and_then(|o| serde_json::from_slice(&o.body).ok())
            .unwrap_or(Value::Null);
        let message_id = req
            .headers
            .iter()
            .find(|(n, _)| n == headers::ID)
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let (outcome, error_type, result): (&str, Option<String>, Result<(u16, Value), CallError>) =
            match result {
                Ok((status, out)) if (200..300).contains(status) => {
                    ("ok", None, Ok((*status, parsed.clone())))
                }
                Ok((status, out)) => {
                    let xroad = out.header(headers::ERROR).map(str::to_owned);
                    let code = problem_field(&parsed, "code")
                        .or_else(|| xroad.clone())
                        .unwrap_or_else(|| format!("http_{status}"));
                    (
                        "refused",
                        Some(code.clone()),
                        Err(CallError::Refused {
                            status: *status,
                            xroad_type: xroad,
                            code,
                            detail: problem_field(&parsed, "detail").unwrap_or_default(),
                            message_id: message_id.clone(),
                        }),
                    )
                }
                Err((f, _)) => (
                    "failed",
                    Some(f.xroad_type.to_owned()),
                    Err(CallError::Failed(f.xroad_type, f.detail.clone())),
                ),
            };
        let items_released: Vec<String> = match &parsed {
            Value::Object(m) if outcome == "ok" => m.keys().cloned().collect(),
            _ => Vec::new(),
        };
        let entry = Entry {
            side: Side::Client,
            message_id,
            client: client.to_string(),
            service: service.to_string(),
            purpose: call.purpose.clone(),
            subject: call.subject.clone(),
            consent: call.consent.clone(),
            basis: None,
            method: call.method.to_owned(),
            path: req.path.clone(),
            request_headers: signed_values(&req.headers),
            request_digest: sha256_hex(&req.body),
            request_body: full.then(|| String::from_utf8_lossy(&req.body).into_owned()),
            request_signature: req
                .headers
                .iter()
                .find(|(n, _)| n == SIGNATURE_HEADER)
                .map(|(_, v)| v.clone()),
            request_hash: Some(request_hash.to_owned()),
            response_status: response.map_or(0, |o| o.status),
            response_headers: response
                .map(|o| signed_values(&o.headers))
                .unwrap_or_default(),
            response_digest: response.map(|o| sha256_hex(&o.body)).unwrap_or_default(),
            response_body: response
                .filter(|_| full)
                .map(|o| String::from_utf8_lossy(&o.body).into_owned()),
            response_signature: response
                .and_then(|o| o.header(SIGNATURE_HEADER))
                .map(str::to_owned),
            outcome: outcome.to_owned(),
            error_type,
            items_released,
            items_stripped: Vec::new(),
            mode: if full { "full" } else { "metadata" }.to_owned(),
        };
        (entry, result)
    }
}

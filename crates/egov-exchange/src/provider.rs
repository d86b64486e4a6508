//! The provider side: every request to this deployment's services, from another host (the
//! `/r1/...` route) or from a module in this process (the client's local transport), goes
//! through [`Exchange::handle`]:
//!
//! 1. the path names a service of this member;
//! 2. [`check::request`](crate::check::request): headers, client id, clock skew, the signing key
//!    belongs to the client's member, the signature;
//! 3. replay: the client's `X-Road-Id` must be new within the window (409 otherwise);
//! 4. access: a grant for client × service × purpose, covering every requested item;
//! 5. the payload against the service's JSON Schema;
//! 6. the subject's national ID (country pack rules) and the consent reference, verified
//!    against the ledger (subject, client, service, purpose, items, expiry, withdrawal), or
//!    the service's statutory basis;
//! 7. the module's handler; items outside the grant (and consent) stripped from its answer;
//! 8. the response signed, binding the request hash, and the exchange written to the message
//!    log before it is answered (an exchange that cannot be logged is not answered).
//!
//! Every refusal is answered with its X-Road error type, signed, and logged too.

use egov_core::digest::sha256_hex;
use std::collections::{BTreeMap, HashSet};

use chrono::Utc;
use egov_core::exchange::{Basis, LogMode, ServiceCall, SubjectKind};
use serde_json::Value;

use crate::Exchange;
use crate::canonical::{self, Kind, Message, SIGNED_HEADERS};
use crate::catalogue::service_id;
use crate::check::{self, KeyLookup};
use crate::consent::{self, ConsentView};
use crate::errors::Fault;
use crate::log::{Entry, Side};
use crate::signature::{self, SIGNATURE_HEADER};
use crate::store;
use crate::xroad::{ClientId, headers};

/// A request as it arrived.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub method: String,
    /// Path with query, as sent.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The sender's address (after `server.trusted_proxies`); `None` within this process.
    pub peer: Option<std::net::IpAddr>,
}

/// The answer to send back.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Incoming {
    /// The request as the canonical form and the checks read it.
    fn message(&self) -> Message<'_> {
        Message {
            kind: Kind::Request,
            method: &self.method,
            path: &self.path,
            headers: self
                .headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect(),
            body: &self.body,
        }
    }
}

impl Outgoing {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .rev()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .rev()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// The signed headers' values of a message, for the log.
pub fn signed_values(headers: &[(String, String)]) -> BTreeMap<String, String> {
    SIGNED_HEADERS
        .iter()
        .filter_map(|name| header(headers, name).map(|v| ((*name).to_owned(), v.to_owned())))
        .collect()
}

fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// What the provider learns while checking, for the log and the response.
#[derive(Debug, Default)]
struct Trace {
    client: String,
    message_id: String,
    service: String,
    purpose: String,
    subject: Option<String>,
    consent: Option<String>,
    basis: Option<String>,
    request_hash: Option<String>,
    released: Vec<String>,
    stripped: Vec<String>,
    mode: Option<LogMode>,
    /// The message id this request claims (client, id, window), committed with its log record.
    claim: Option<(String, String, u64)>,
    /// Delivered by an X-Road Security Server (`exchange.security_servers`), unsigned.
    via_security_server: bool,
    /// `X-Road-Request-Id` of the answer (and `detail` of an X-Road error body).
    request_id: String,
}

/// Message ids seen by this process within the replay window: a replay is refused before any
/// data is touched. The database has the last word: the id is claimed in the same transaction
/// as the exchange's log record, so a replay sent to another instance (or after a restart) is
/// refused there before anything is released.
#[derive(Debug, Default)]
pub struct Recent(
    std::sync::Mutex<std::collections::HashMap<(String, String), std::time::Instant>>,
);

impl Recent {
    /// True when `client`'s `id` was not seen in the last `window_secs`.
    pub fn claim(&self, client: &str, id: &str, window_secs: u64) -> bool {
        let Ok(mut map) = self.0.lock() else {
            return true; // the database check still applies
        };
        let window = std::time::Duration::from_secs(window_secs);
        if map.len() > 100_000 {
            map.retain(|_, t| t.elapsed() < window);
        }
        let key = (client.to_owned(), id.to_owned());
        match map.get(&key) {
            Some(t) if t.elapsed() < window => false,
            _ => {
                map.insert(key, std::time::Instant::now());
                true
            }
        }
    }
}

struct OneKey(Option<(ClientId, ed25519_dalek::VerifyingKey)>, String);

impl KeyLookup for OneKey {
    fn key(&self, kid: &str) -> Option<(ClientId, ed25519_dalek::VerifyingKey)> {
        (kid == self.1).then(|| self.0.clone()).flatten()
    }
}

/// Which service a path names.
enum Target<'a> {
    Module(&'a crate::catalogue::Entry),
    /// A built-in service of the exchange subsystem (discovery, consent status).
    Builtin(&'static str),
    /// An X-Road REST metaservice (PR-MREST) of one of this member's subsystems.
    Meta(&'static str, String),
}

/// The exchange subsystem's own services.
const BUILTINS: &[&str] = &["listClients", "consent-status"];

/// The REST metaservices every subsystem answers (X-Road Service Metadata Protocol for REST).
pub const METASERVICES: &[&str] = &["listMethods", "allowedMethods", "getOpenAPI"];

/// The methods the services are called with (a PUT or DELETE is answered 405).
const METHODS: &[&str] = &["GET", "POST"];

impl Exchange {
    /// Handles one request to this deployment's services (see the module docs).
    ///
    /// Boxed: a consent check may call the ledger through the exchange, which can come back
    /// here, so the future's type must be named.
    pub fn handle(
        &self,
        req: Incoming,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Outgoing> + Send + '_>> {
        Box::pin(self.handle_inner(req))
    }

    async fn handle_inner(&self, req: Incoming) -> Outgoing {
        let via_security_server = header(&req.headers, SIGNATURE_HEADER).is_none()
            && req
                .peer
                .is_some_and(|ip| self.0.security_servers.iter().any(|n| n.contains(&ip)));
        let mut trace = Trace {
            client: clip(header(&req.headers, headers::CLIENT).unwrap_or(""), 255),
            message_id: clip(header(&req.headers, headers::ID).unwrap_or(""), 128),
            purpose: clip(header(&req.headers, canonical::PURPOSE).unwrap_or(""), 128),
            consent: header(&req.headers, canonical::CONSENT).map(|c| clip(c, 128)),
            via_security_server,
            request_id: uuid::Uuid::now_v7().to_string(),
            ..Trace::default()
        };
        match self.process(&req, &mut trace).await {
            Ok((status, body)) => self.answer(&req, trace, status, body, None).await,
            Err(fault) => {
                let body = fault_body(&fault, &req, &trace);
                self.answer(&req, trace, fault.status, body, Some(fault))
                    .await
            }
        }
    }

    async fn process(&self, req: &Incoming, trace: &mut Trace) -> Result<(u16, Vec<u8>), Fault> {
        let (path, query) = req.path.split_once('?').unwrap_or((&req.path, ""));
        let rest = path.strip_prefix("/r1/").ok_or_else(|| {
            Fault::new(
                400,
                "Client.InvalidServiceIdentifier",
                "the path must start with /r1/",
            )
        })?;
        let parts: Vec<&str> = rest.split('/').collect();
        if parts.len() < 5 {
            return Err(Fault::new(
                400,
                "Client.InvalidServiceIdentifier",
                "the path must be /r1/INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE[/path]",
            ));
        }
        let provider = ClientId::parse(&parts[..4].join("/"))
            .map_err(|e| Fault::new(400, "Client.InvalidServiceIdentifier", e.to_string()))?;
        let code = crate::xroad::ServiceId::parse(&parts[..5].join("/"))
            .map_err(|e| Fault::new(400, "Client.InvalidServiceIdentifier", e.to_string()))?
            .service_code;
        let tail = parts[5..].join("/");
        if provider.member() != self.0.member {
            return Err(Fault::new(
                404,
                "Server.ServerProxy.UnknownMember",
                format!(
                    "this gateway serves {}, not {}",
                    self.0.member,
                    provider.member()
                ),
            ));
        }
        let subsystem = provider.subsystem.clone().unwrap_or_default();
        let known = |list: &[&'static str]| list.iter().find(|b| **b == code).copied();
        let target = if let Some(name) = known(METASERVICES)
            .filter(|_| subsystem == crate::NAME || self.0.catalogue.serves(&subsystem))
        {
            Target::Meta(name, subsystem.clone())
        } else if let Some(name) = known(BUILTINS).filter(|_| subsystem == crate::NAME) {
            Target::Builtin(name)
        } else {
            let entry = self.0.catalogue.get(&subsystem, &code).ok_or_else(|| {
                Fault::new(
                    404,
                    "Server.ServerProxy.UnknownService",
                    format!("no service {subsystem}/{code} here"),
                )
            })?;
            if tail != entry.def.version {
                return Err(Fault::new(
                    404,
                    "Server.ServerProxy.UnknownService",
                    format!(
                        "service {subsystem}/{code} is called with version path /{}",
                        entry.def.version
                    ),
                ));
            }
            trace.mode = Some(entry.def.log);
            Target::Module(entry)
        };
        trace.service = service_id(&self.0.member, &subsystem, &code);
        if !METHODS.contains(&req.method.to_ascii_uppercase().as_str()) {
            return Err(Fault::new(
                405,
                "Client.MethodNotAllowed",
                format!(
                    "{} is called with {}, not {}",
                    trace.service,
                    METHODS.join(" or "),
                    clip(&req.method, 16)
                ),
            ));
        }

        // 2. Signature and the rest of the first check (done by the Security Server for the
        // requests it delivers).
        let now = Utc::now();
        let checked = if trace.via_security_server {
            check::from_security_server(
                &req.message(),
                || uuid::Uuid::new_v4().to_string(),
                u64::try_from(now.timestamp()).unwrap_or(0),
            )?
        } else {
            self.check_signed(req, now).await?
        };
        trace.client = checked.client.to_string();
        trace.message_id = checked.id.clone();
        trace.request_hash = Some(checked.request_hash.clone());
        if checked.client.subsystem.is_none() && !trace.via_security_server {
            return Err(Fault::new(
                400,
                "Client.InvalidClientIdentifier",
                "X-Road-Client must name a subsystem (INSTANCE/CLASS/MEMBER/SUBSYSTEM)",
            ));
        }
        self.serve(req, query, trace, checked, target).await
    }

    /// The signed request's check: headers, clock skew, the key and the signature.
    async fn check_signed(
        &self,
        req: &Incoming,
        now: chrono::DateTime<Utc>,
    ) -> Result<check::Checked, Fault> {
        let detached = header(&req.headers, SIGNATURE_HEADER);
        let kid = detached
            .and_then(|d| signature::header(d).ok())
            .map(|h| h.kid)
            .unwrap_or_default();
        let key = if kid.is_empty() {
            None
        } else {
            self.0.keys.resolve(&kid).await
        };
        Ok(check::request(
            &req.message(),
            detached,
            &OneKey(key, kid),
            u64::try_from(now.timestamp()).unwrap_or(0),
            self.0.settings.exchange.max_clock_skew_secs,
        )?)
    }

    /// Steps 3 to 7, for a request whose client is established.
    async fn serve(
        &self,
        req: &Incoming,
        query: &str,
        trace: &mut Trace,
        checked: check::Checked,
        target: Target<'_>,
    ) -> Result<(u16, Vec<u8>), Fault> {
        // 3. Replay.
        let window = self.0.settings.exchange.replay_window_secs;
        if !self.0.recent.claim(&trace.client, &checked.id, window) {
            return Err(Fault::new(
                409,
                "Client.DuplicateMessageId",
                format!(
                    "X-Road-Id {} was already used by {} within the last {window} s",
                    checked.id, trace.client
                ),
            ));
        }
        trace.claim = Some((trace.client.clone(), checked.id.clone(), window));

        let entry = match target {
            Target::Builtin(name) => return self.builtin(name, req, trace).await,
            Target::Meta(name, subsystem) => {
                return self.metaservice(name, &subsystem, query, trace).await;
            }
            Target::Module(entry) => entry,
        };
        let def = &entry.def;

        // 4. Access rights.
        if trace.purpose.is_empty() {
            return Err(Fault::new(
                400,
                "Client.MissingHeader",
                "the x-egov-purpose header is required",
            ));
        }
        let (client, service, purpose) = (
            trace.client.clone(),
            trace.service.clone(),
            trace.purpose.clone(),
        );
        // The consent is read in the same round trip when the ledger is this deployment's.
        let local_consent = if self.0.ledger.is_none() {
            trace.consent.clone()
        } else {
            None
        };
        let (granted, prefetched) = self
            .0
            .db
            .run(move |c| {
                let granted = store::granted_items(c, &client, &service, &purpose)?;
                let consent = match (&granted, local_consent) {
                    (Some(_), Some(id)) => Some(store::consent(c, &id)?.map(ConsentView::from)),
                    _ => None,
                };
                Ok((granted, consent))
            })
            .await
            .map_err(|e| internal(&e))?;
        let granted = granted.ok_or_else(|| {
            Fault::new(
                403,
                "Server.ServerProxy.AccessDenied",
                format!(
                    "{} has no grant for {} with purpose {}",
                    trace.client, trace.service, trace.purpose
                ),
            )
        })?;
        let declared: Vec<&str> = def.items.iter().map(|i| i.name).collect();
        let requested: Option<Vec<String>> = url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "items")
            .map(|(_, v)| {
                v.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            });
        let mut released: Vec<String> = match &requested {
            Some(items) => {
                for item in items {
                    if !declared.contains(&item.as_str()) {
                        return Err(Fault::new(
                            400,
                            "Client.BadRequest",
                            format!("the service has no item {item:?}"),
                        ));
                    }
                    if !granted.contains(item) {
                        return Err(Fault::new(
                            403,
                            "Server.ServerProxy.AccessDenied",
                            format!("the grant does not include item {item:?}"),
                        ));
                    }
                }
                items.clone()
            }
            None => granted
                .iter()
                .filter(|g| declared.contains(&g.as_str()))
                .cloned()
                .collect(),
        };

        // 5. Payload.
        let payload: Value = if req.body.is_empty() {
            Value::Object(Default::default())
        } else {
            serde_json::from_slice(&req.body).map_err(|e| {
                Fault::new(
                    400,
                    "Client.InvalidPayload",
                    format!("the body is not JSON: {e}"),
                )
            })?
        };
        let problems: Vec<String> = entry
            .validator
            .iter_errors(&payload)
            .take(5)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        if !problems.is_empty() {
            return Err(Fault::new(
                400,
                "Client.InvalidPayload",
                problems.join("; "),
            ));
        }

        // 6. Subject and consent, or the statutory basis.
        if let Some(pointer) = def.subject {
            let raw = payload
                .pointer(pointer)
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    Fault::new(
                        400,
                        "Client.InvalidSubject",
                        format!("the payload must carry the person's national ID at {pointer}"),
                    )
                })?;
            let pack = self.0.packs.active();
            trace.subject = Some(match def.subject_kind {
                SubjectKind::Person => {
                    let nid = pack
                        .parse_national_id(raw)
                        .map_err(|e| Fault::new(400, "Client.InvalidSubject", e.to_string()))?;
                    self.0.index.national_id(&nid).as_str().to_owned()
                }
                SubjectKind::Business => {
                    let bid = pack
                        .parse_business_id(raw)
                        .map_err(|e| Fault::new(400, "Client.InvalidSubject", e.to_string()))?;
                    egov_core::exchange::business_subject(bid.canonical())
                }
            });
        }
        match def.basis {
            Basis::Statute(citation) => trace.basis = Some(citation.to_owned()),
            Basis::Consent => {
                if let Some(subject) = trace.subject.clone() {
                    let reference = trace.consent.clone().ok_or_else(|| {
                        Fault::new(
                            403,
                            "Client.ConsentRequired",
                            "this service answers about a person only with their consent: \
                             send its reference in X-Egov-Consent",
                        )
                    })?;
                    let record = match prefetched {
                        Some(record) => record,
                        None => self.consent_record(&reference).await?,
                    };
                    let covered = consent::covers(
                        record.as_ref(),
                        &subject,
                        &checked.client,
                        &trace.service,
                        &trace.purpose,
                        Utc::now(),
                    )?;
                    if let Some(items) = &requested
                        && let Some(missing) = items.iter().find(|i| !covered.contains(i))
                    {
                        return Err(Fault::new(
                            403,
                            "Client.ConsentInvalid",
                            format!("the consent does not cover item {missing:?}"),
                        ));
                    }
                    released.retain(|i| covered.contains(i));
                }
            }
        }
        trace.released = released.clone();

        // 7. The module's answer, stripped to what may be released.
        let call = ServiceCall {
            client: trace.client.clone(),
            message_id: checked.id.clone(),
            purpose: trace.purpose.clone(),
            user_id: header(&req.headers, headers::USER_ID).map(str::to_owned),
            issue: header(&req.headers, headers::ISSUE).map(str::to_owned),
            subject: trace.subject.clone(),
            payload,
            items: released.clone(),
            db: self.0.db.clone(),
            at: self.0.clock.now_naive(),
        };
        match def.handler.call(call).await {
            Ok(Value::Object(mut map)) => {
                let allowed: HashSet<&str> = released.iter().map(String::as_str).collect();
                let mut stripped: Vec<String> = map
                    .keys()
                    .filter(|k| !allowed.contains(k.as_str()))
                    .cloned()
                    .collect();
                stripped.sort();
                for k in &stripped {
                    map.remove(k);
                }
                if !stripped.is_empty() {
                    tracing::info!(
                        service = %trace.service, client = %trace.client,
                        stripped = ?stripped, "items outside the grant stripped"
                    );
                }
                trace.stripped = stripped;
                Ok((200, serde_json::to_vec(&map).unwrap_or_default()))
            }
            Ok(_) => Err(Fault::new(
                500,
                "Server.ServerProxy.InternalError",
                "the service answered with something other than a JSON object",
            )),
            Err(e) => {
                // The provider's own refusal passes through (no X-Road-Error).
                trace.released.clear();
                let body = serde_json::to_vec(&serde_json::json!({
                    "type": format!("urn:egov:problem:{}", e.code),
                    "title": e.code,
                    "status": e.status,
                    "detail": e.detail,
                    "code": e.code,
                }))
                .unwrap_or_default();
                Ok((e.status, body))
            }
        }
    }

    /// The answer: signed (binding the request hash), logged, then returned. A message id
    /// that the log's commit finds already used turns the answer into a 409 refusal.
    async fn answer(
        &self,
        req: &Incoming,
        mut trace: Trace,
        mut status: u16,
        mut body: Vec<u8>,
        mut fault: Option<Fault>,
    ) -> Outgoing {
        loop {
            let now = Utc::now();
            let (out, entry) = self.build(req, &trace, status, body, fault.as_ref(), now);
            if let Some(f) = &fault {
                tracing::warn!(
                    client = %entry.client, service = %entry.service, message_id = %entry.message_id,
                    error = f.xroad_type, detail = %f.detail, "exchange request refused"
                );
            }
            match self
                .0
                .writer
                .append_claiming(entry, now, trace.claim.take())
                .await
            {
                Ok(Some(_)) => return out,
                Ok(None) => {
                    let f = Fault::new(
                        409,
                        "Client.DuplicateMessageId",
                        format!(
                            "X-Road-Id {} was already used by {} within the replay window",
                            trace.message_id, trace.client
                        ),
                    );
                    status = f.status;
                    body = fault_body(&f, req, &trace);
                    fault = Some(f);
                    trace.released.clear();
                    trace.stripped.clear();
                }
                Err(e) => {
                    tracing::error!(error = %e, "exchange message log append failed; not answering");
                    let f = Fault::new(
                        500,
                        "Server.ServerProxy.InternalError",
                        "the exchange could not be logged, so it is not answered",
                    );
                    let mut headers = vec![("content-type".into(), fault_type(&trace).into())];
                    if !trace.via_security_server {
                        headers.push((headers::ERROR.into(), f.xroad_type.into()));
                    }
                    return Outgoing {
                        status: 500,
                        headers,
                        body: fault_body(&f, req, &trace),
                    };
                }
            }
        }
    }

    /// The signed response and its log record.
    fn build(
        &self,
        req: &Incoming,
        trace: &Trace,
        status: u16,
        body: Vec<u8>,
        fault: Option<&Fault>,
        now: chrono::DateTime<Utc>,
    ) -> (Outgoing, Entry) {
        let mut out_headers: Vec<(String, String)> = vec![
            (
                "content-type".into(),
                if fault.is_some() {
                    fault_type(trace).into()
                } else if status >= 400 {
                    "application/problem+json".into()
                } else {
                    "application/json".into()
                },
            ),
            (headers::CLIENT.into(), trace.client.clone()),
            (headers::ID.into(), trace.message_id.clone()),
            (headers::REQUEST_ID.into(), trace.request_id.clone()),
            (canonical::TIMESTAMP.into(), now.timestamp().to_string()),
        ];
        if !trace.service.is_empty() {
            out_headers.push((headers::SERVICE.into(), trace.service.clone()));
        }
        if let Some(h) = &trace.request_hash {
            out_headers.push((headers::REQUEST_HASH.into(), h.clone()));
        }
        // Behind a Security Server, egov is the provider's information system: `X-Road-Error`
        // marks errors of the Security Servers themselves (PR-REST 4.3), so egov's refusals
        // carry X-Road's error body without it.
        if let Some(f) = &fault
            && !trace.via_security_server
        {
            out_headers.push((headers::ERROR.into(), f.xroad_type.into()));
        }
        if fault.is_some_and(|f| f.status == 405) {
            out_headers.push(("allow".into(), METHODS.join(", ")));
        }
        // Header values we echo come from the request: no line breaks can reach here because
        // the client id and message id were clipped, and a refused value is not echoed raw.
        out_headers.retain(|(_, v)| !v.contains(['\r', '\n']));
        let signature = self.0.keys.signing().and_then(|(kid, key)| {
            let m = Message {
                kind: Kind::Response(status),
                method: "",
                path: &req.path,
                headers: out_headers
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str()))
                    .collect(),
                body: &body,
            };
            m.canonical().ok().map(|c| signature::sign(&key, &kid, &c))
        });
        if let Some(s) = &signature {
            out_headers.push((SIGNATURE_HEADER.into(), s.clone()));
        }
        let full = trace.mode == Some(LogMode::Full) && fault.is_none();
        let entry = Entry {
            side: Side::Provider,
            message_id: trace.message_id.clone(),
            client: trace.client.clone(),
            service: trace.service.clone(),
            purpose: trace.purpose.clone(),
            subject: trace.subject.clone(),
            consent: trace.consent.clone(),
            basis: trace.basis.clone(),
            method: clip(&req.method, 16),
            path: clip(&req.path, 1024),
            request_headers: signed_values(&req.headers),
            request_digest: sha256_hex(&req.body),
            request_body: full.then(|| String::from_utf8_lossy(&req.body).into_owned()),
            request_signature: header(&req.headers, SIGNATURE_HEADER).map(|s| clip(s, 512)),
            request_hash: trace.request_hash.clone(),
            response_status: status,
            response_headers: signed_values(&out_headers),
            response_digest: sha256_hex(&body),
            response_body: full.then(|| String::from_utf8_lossy(&body).into_owned()),
            response_signature: signature,
            outcome: match (&fault, status) {
                (None, 200..=299) => "ok".into(),
                _ => "refused".into(),
            },
            error_type: fault.as_ref().map(|f| f.xroad_type.to_owned()),
            items_released: trace.released.clone(),
            items_stripped: trace.stripped.clone(),
            mode: trace.mode.unwrap_or(LogMode::Metadata).as_str().to_owned(),
        };
        (
            Outgoing {
                status,
                headers: out_headers,
                body,
            },
            entry,
        )
    }

    async fn builtin(
        &self,
        name: &str,
        req: &Incoming,
        trace: &mut Trace,
    ) -> Result<(u16, Vec<u8>), Fault> {
        let json = |v: Value| Ok((200, serde_json::to_vec(&v).unwrap_or_default()));
        match name {
            "listClients" => {
                let members: Vec<Value> = self
                    .0
                    .keys
                    .members()
                    .into_iter()
                    .map(|m| serde_json::json!({"id": m.id, "name": m.name}))
                    .collect();
                json(serde_json::json!({ "members": members }))
            }
            "consent-status" => {
                let payload: Value = serde_json::from_slice(&req.body).map_err(|_| {
                    Fault::new(
                        400,
                        "Client.InvalidPayload",
                        "the body must be {\"id\": ...}",
                    )
                })?;
                let id = payload
                    .get("id")
                    .and_then(Value::as_str)
                    .ok_or_else(|| Fault::new(400, "Client.InvalidPayload", "id is required"))?
                    .to_owned();
                let record = self.local_consent(&id).await?;
                // Only the consent's client member or the provider of its service may ask.
                let caller = ClientId::parse(&trace.client)
                    .map(|c| c.member().to_string())
                    .unwrap_or_default();
                let visible = record.as_ref().filter(|r| {
                    r.service.starts_with(&format!("{caller}/"))
                        || r.client == caller
                        || r.client.starts_with(&format!("{caller}/"))
                });
                match visible {
                    Some(r) => json(serde_json::to_value(r).unwrap_or_default()),
                    None => Err(Fault::new(
                        404,
                        "Client.ConsentInvalid",
                        "no such consent for this member",
                    )),
                }
            }
            _ => Err(Fault::new(
                404,
                "Server.ServerProxy.UnknownService",
                "no such service",
            )),
        }
    }

    /// An X-Road REST metaservice of `subsystem` (PR-MREST 4): `listMethods` and
    /// `allowedMethods` in X-Road's `{"service": [...]}` shape, `getOpenAPI?serviceCode=` the
    /// service's OpenAPI document.
    async fn metaservice(
        &self,
        name: &str,
        subsystem: &str,
        query: &str,
        trace: &Trace,
    ) -> Result<(u16, Vec<u8>), Fault> {
        let json = |v: Value| Ok((200, serde_json::to_vec(&v).unwrap_or_default()));
        match name {
            "listMethods" => json(
                self.0
                    .catalogue
                    .xroad_methods(&self.0.member, subsystem, None),
            ),
            "allowedMethods" => {
                let client = trace.client.clone();
                let grants = self
                    .0
                    .db
                    .run(move |c| store::grants(c, Some(&client)))
                    .await
                    .map_err(|e| internal(&e))?;
                let allowed: HashSet<String> = grants.into_iter().map(|g| g.service).collect();
                json(
                    self.0
                        .catalogue
                        .xroad_methods(&self.0.member, subsystem, Some(&allowed)),
                )
            }
            _ => {
                let wanted = url::form_urlencoded::parse(query.as_bytes())
                    .find(|(k, _)| k == "serviceCode")
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default();
                // `serviceCode` is a code of this subsystem; the exchange subsystem also takes
                // `<subsystem>/<code>` of any service here.
                let (sub, code) = match wanted.split_once('/') {
                    Some((sub, code)) if subsystem == crate::NAME => (sub, code),
                    _ => (subsystem, wanted.as_str()),
                };
                let entry = self.0.catalogue.get(sub, code).ok_or_else(|| {
                    Fault::new(
                        404,
                        "Server.ServerProxy.UnknownService",
                        format!("serviceCode must name a service of {subsystem} here"),
                    )
                })?;
                json(
                    self.0
                        .catalogue
                        .openapi(&self.0.member, entry, trace.via_security_server),
                )
            }
        }
    }

    /// The consent `id` from this deployment's ledger.
    pub(crate) async fn local_consent(&self, id: &str) -> Result<Option<ConsentView>, Fault> {
        let id = id.to_owned();
        self.0
            .db
            .run(move |c| store::consent(c, &id))
            .await
            .map(|r| r.map(ConsentView::from))
            .map_err(|e| internal(&e))
    }

    /// The consent `id` from the ledger: this deployment's, or the configured ledger member's
    /// through the exchange itself (a signed, logged `consent-status` call).
    async fn consent_record(&self, id: &str) -> Result<Option<ConsentView>, Fault> {
        let Some(ledger) = &self.0.ledger else {
            return self.local_consent(id).await;
        };
        let call = crate::client::Call::post(
            &format!("{ledger}/{}/consent-status", crate::NAME),
            "",
            serde_json::json!({ "id": id }),
            "consent-verification",
        );
        match self.call(crate::NAME, call).await {
            Ok(answer) => serde_json::from_value(answer.body).map(Some).map_err(|e| {
                Fault::new(
                    503,
                    "Server.ServerProxy.ConsentLedgerUnavailable",
                    format!("the ledger's answer is not a consent: {e}"),
                )
            }),
            Err(crate::client::CallError::Refused { status: 404, .. }) => Ok(None),
            Err(e) => Err(Fault::new(
                503,
                "Server.ServerProxy.ConsentLedgerUnavailable",
                e.to_string(),
            )),
        }
    }
}

/// The body of a refusal: X-Road's error body (`type`, `message`, `detail` = the request id,
/// PR-REST 4.6) for requests a Security Server delivered, problem+json otherwise.
fn fault_body(fault: &Fault, req: &Incoming, trace: &Trace) -> Vec<u8> {
    if trace.via_security_server {
        fault.xroad_body(&trace.request_id)
    } else {
        fault.body(&req.path)
    }
}

/// The content type of a refusal's body.
fn fault_type(trace: &Trace) -> &'static str {
    if trace.via_security_server {
        "application/json; charset=utf-8"
    } else {
        "application/problem+json"
    }
}

fn internal(e: &egov_core::Error) -> Fault {
    tracing::error!(error = %e, "exchange gateway failure");
    Fault::new(
        500,
        "Server.ServerProxy.InternalError",
        "the provider's gateway failed",
    )
}

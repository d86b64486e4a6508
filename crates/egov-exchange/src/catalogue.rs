//! The catalogue of services this deployment provides: every module's declared services with
//! their compiled payload schema, items, legal bases and log mode, plus each service's OpenAPI
//! document for discovery (`getOpenAPI`).

use std::collections::BTreeMap;
use std::sync::Arc;

use egov_core::exchange::{Basis, ServiceDef};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::xroad::ClientId;

/// One service with its compiled schema.
pub struct Entry {
    pub def: ServiceDef,
    pub validator: jsonschema::Validator,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.def.fmt(f)
    }
}

/// Every service of this deployment, keyed by (subsystem, code).
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    entries: Arc<BTreeMap<(String, String), Entry>>,
}

/// A service as discovery shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceInfo {
    /// `INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE`: what grants and consents name.
    pub service_id: String,
    /// The version path the service is called with (`/v1`).
    pub version: String,
    /// `<subsystem>/<code>/<version>` (for example `tax/income-certificate/v1`).
    pub name: String,
    pub title: String,
    pub description: String,
    pub items: Vec<ItemInfo>,
    /// `consent` or `statute`.
    pub basis: String,
    /// The statute, for services with a statutory basis.
    pub citation: Option<String>,
    /// Whether requests are about a person (they carry a national ID).
    pub about_a_person: bool,
    /// `full` or `metadata`.
    pub log: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemInfo {
    pub name: String,
    pub description: String,
    pub legal_basis: String,
}

impl Catalogue {
    /// Compiles every service's schema; a bad schema or a duplicate name is an error at start.
    pub fn new(defs: Vec<ServiceDef>) -> anyhow::Result<Self> {
        let mut entries = BTreeMap::new();
        for def in defs {
            let validator = jsonschema::validator_for(&def.request_schema).map_err(|e| {
                anyhow::anyhow!(
                    "exchange service {}/{}: its request schema is invalid: {e}",
                    def.module,
                    def.code
                )
            })?;
            if def.items.is_empty() {
                anyhow::bail!(
                    "exchange service {}/{} declares no items",
                    def.module,
                    def.code
                );
            }
            if let Basis::Statute(c) = def.basis
                && c.trim().is_empty()
            {
                anyhow::bail!(
                    "exchange service {}/{} has a statutory basis without a citation",
                    def.module,
                    def.code
                );
            }
            for part in [def.module, def.code, def.version] {
                ClientId::parse(&format!("X/X/X/{part}")).map_err(|e| {
                    anyhow::anyhow!("exchange service part {part:?} is not a valid identifier: {e}")
                })?;
            }
            let key = (def.module.to_owned(), def.code.to_owned());
            if entries.contains_key(&key) {
                anyhow::bail!(
                    "exchange service {}/{} is declared twice",
                    def.module,
                    def.code
                );
            }
            entries.insert(key, Entry { def, validator });
        }
        Ok(Self {
            entries: Arc::new(entries),
        })
    }

    pub fn get(&self, subsystem: &str, code: &str) -> Option<&Entry> {
        self.entries.get(&(subsystem.to_owned(), code.to_owned()))
    }

    /// Whether this process serves any service of `subsystem`.
    pub fn serves(&self, subsystem: &str) -> bool {
        self.entries.keys().any(|(s, _)| s == subsystem)
    }

    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    pub fn info(&self, member: &ClientId, e: &Entry) -> ServiceInfo {
        let d = &e.def;
        ServiceInfo {
            service_id: service_id(member, d.module, d.code),
            version: format!("/{}", d.version),
            name: format!("{}/{}/{}", d.module, d.code, d.version),
            title: d.title.to_owned(),
            description: d.description.to_owned(),
            items: d
                .items
                .iter()
                .map(|i| ItemInfo {
                    name: i.name.to_owned(),
                    description: i.description.to_owned(),
                    legal_basis: i.legal_basis.to_owned(),
                })
                .collect(),
            basis: match d.basis {
                Basis::Consent => "consent".into(),
                Basis::Statute(_) => "statute".into(),
            },
            citation: match d.basis {
                Basis::Consent => None,
                Basis::Statute(c) => Some(c.to_owned()),
            },
            about_a_person: d.subject.is_some(),
            log: d.log.as_str().to_owned(),
        }
    }

    pub fn list(&self, member: &ClientId) -> Vec<ServiceInfo> {
        self.entries().map(|e| self.info(member, e)).collect()
    }

    /// The services of `subsystem` in X-Road's `listMethods` shape (PR-MREST 4, annex B):
    /// `{"service": [{"object_type": "SERVICE", "xroad_instance", "member_class",
    /// "member_code", "subsystem_code", "service_code", "service_type", "endpoint_list"}]}`.
    /// With `allowed` (service ids the client has a grant for), only those (`allowedMethods`).
    /// The exchange subsystem lists its `consent-status` service, which every client may call.
    pub fn xroad_methods(
        &self,
        member: &ClientId,
        subsystem: &str,
        allowed: Option<&std::collections::HashSet<String>>,
    ) -> Value {
        let describe = |code: &str, service_type: &str, endpoints: Vec<Value>| {
            json!({
                "object_type": "SERVICE",
                "xroad_instance": member.instance,
                "member_class": member.member_class,
                "member_code": member.member_code,
                "subsystem_code": subsystem,
                "service_code": code,
                "service_type": service_type,
                "endpoint_list": endpoints,
            })
        };
        let mut services: Vec<Value> = self
            .entries()
            .filter(|e| e.def.module == subsystem)
            .filter(|e| {
                allowed.is_none_or(|a| a.contains(&service_id(member, e.def.module, e.def.code)))
            })
            .map(|e| {
                let path = format!("/{}", e.def.version);
                describe(
                    e.def.code,
                    "OPENAPI",
                    vec![
                        json!({"method": "POST", "path": path}),
                        json!({"method": "GET", "path": path}),
                    ],
                )
            })
            .collect();
        if subsystem == crate::NAME {
            services.push(describe(
                "consent-status",
                "REST",
                vec![json!({"method": "POST", "path": "/"})],
            ));
        }
        json!({ "service": services })
    }

    /// The OpenAPI 3.1 document of one service, as a client calls it through the exchange:
    /// signed, or (`via_security_server`) as an X-Road REST service whose Security Server
    /// authenticates the client.
    pub fn openapi(&self, member: &ClientId, e: &Entry, via_security_server: bool) -> Value {
        let info = self.info(member, e);
        let d = &e.def;
        let properties: serde_json::Map<String, Value> = d
            .items
            .iter()
            .map(|i| {
                (
                    i.name.to_owned(),
                    json!({"description": format!("{} (legal basis: {})", i.description, i.legal_basis)}),
                )
            })
            .collect();
        let header = |name: &str, required: bool, description: &str| {
            json!({"name": name, "in": "header", "required": required,
                   "schema": {"type": "string"}, "description": description})
        };
        let consent = matches!(d.basis, Basis::Consent) && d.subject.is_some();
        let mut parameters = if via_security_server {
            vec![
                header(
                    "X-Road-Client",
                    true,
                    "The calling member or subsystem INSTANCE/CLASS/MEMBER[/SUBSYSTEM]",
                ),
                header(
                    "X-Road-Id",
                    false,
                    "Unique message id (made up by the client's Security Server if absent)",
                ),
            ]
        } else {
            vec![
                header(
                    "X-Road-Client",
                    true,
                    "The calling subsystem INSTANCE/CLASS/MEMBER/SUBSYSTEM",
                ),
                header("X-Road-Id", true, "Unique message id (a UUID)"),
                header("X-Egov-Timestamp", true, "Seconds since the epoch"),
                header(
                    "X-Egov-Signature",
                    true,
                    "Detached JWS over the canonical form",
                ),
            ]
        };
        parameters.extend([
            header(
                "X-Egov-Purpose",
                true,
                "The purpose code of the client's grant",
            ),
            header("X-Egov-Consent", consent, "Consent reference"),
            header("X-Road-UserId", false, "The official the client acts for"),
            header("X-Road-Issue", false, "The case that caused the request"),
            json!({"name": "items", "in": "query", "required": false,
                   "schema": {"type": "string"},
                   "description": "Comma-separated items wanted (default: every granted item)"}),
        ]);
        json!({
            "openapi": "3.1.0",
            "info": {"title": d.title, "version": d.version, "description": d.description},
            "paths": {
                format!("/r1/{}/{}", info.service_id, d.version): {
                    "post": {
                        "operationId": format!("{}.{}.{}", d.module, d.code, d.version),
                        "summary": d.title,
                        "parameters": parameters,
                        "requestBody": {"required": true, "content": {"application/json": {"schema": d.request_schema}}},
                        "responses": {
                            "200": {"description": "The granted items", "content": {"application/json": {"schema": {"type": "object", "properties": properties, "additionalProperties": false}}}},
                            "400": {"description": "Malformed request (X-Road Client.*)"},
                            "401": {"description": "Signature not verified"},
                            "403": {"description": "No grant, or no valid consent"},
                            "409": {"description": "Repeated X-Road-Id"}
                        }
                    }
                }
            },
            "x-egov-service": info,
        })
    }
}

/// `<member>/<subsystem>/<code>`.
pub fn service_id(member: &ClientId, subsystem: &str, code: &str) -> String {
    crate::xroad::ServiceId {
        provider: ClientId {
            subsystem: Some(subsystem.to_owned()),
            ..member.clone()
        },
        service_code: code.to_owned(),
    }
    .to_string()
}

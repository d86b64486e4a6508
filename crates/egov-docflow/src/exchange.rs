//! Inter-agency distribution (문서유통) through the exchange: the services this module
//! provides — `docflow/document-delivery` (another agency, or a module such as petitions,
//! delivers a document to an agency here) and `docflow/receipt-confirmation` (the receiving
//! agency confirms its receipt registration) — and the sending side: dispatch, retry, and the
//! receipt that calls back. Every message is signed and logged by the exchange, the same way
//! in one process or between hosts; the delivery answer is the delivery confirmation.

use crate::domain::lifecycle::{self, Action};
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{Datelike, NaiveDateTime};
use egov_core::exchange::{
    Basis, Item, LogMode, ServiceCall, ServiceDef, ServiceError, SubjectKind,
};
use egov_core::{DbConnection, Error};
use egov_exchange::client::{Call, CallError};
use serde_json::{Value, json};

use crate::domain::evidence::{self, Attachment};
use crate::service::{self, append, new_id, status};
use crate::store::{self, DispatchRow, DocumentRow};
use crate::{Docflow, errors};

const DELIVERY: &str = "document-delivery";
const CONFIRMATION: &str = "receipt-confirmation";
const BASIS: &str = "행정업무의 운영 및 혁신에 관한 규정 제16조 (문서의 유통); eGOV-C01.005";

pub fn services() -> Vec<ServiceDef> {
    vec![
        ServiceDef {
            module: crate::NAME,
            code: DELIVERY,
            version: "v1",
            title: "Deliver an official document to an agency",
            description: "An approved (registered) official document with its attachments, approval \
                          signatures and the sender's keys, delivered to the receiving agency's \
                          document office inbox; the answer is the delivery confirmation. A \
                          redelivery of the same dispatch is recognised and answered the same.",
            request_schema: json!({
                "type": "object",
                "properties": {
                    "dispatch_id": {"type": "string", "minLength": 1, "maxLength": 64},
                    "recipient_agency": {"type": "string", "minLength": 1, "maxLength": 32},
                    "kind": {"enum": ["dispatch", "circulation"]},
                    "sender": {"type": "object"},
                    "document": {
                        "type": "object",
                        "properties": {
                            "title": {"type": "string", "minLength": 1, "maxLength": 300},
                            "doc_type": {"type": "string", "maxLength": 64},
                            "classification": {"type": "string", "maxLength": 64},
                            "disclosure": {"type": "string", "maxLength": 32},
                            "digest": {"type": "string", "minLength": 64, "maxLength": 64},
                            "version": {"type": "integer"},
                            "attachments": {"type": "array", "maxItems": 50}
                        },
                        "required": ["title", "body", "digest", "attachments"]
                    },
                    "signatures": {"type": "array"},
                    "keys": {"type": "array"}
                },
                "required": ["dispatch_id", "recipient_agency", "sender", "document"],
                "additionalProperties": false
            }),
            items: vec![
                Item {
                    name: "document_id",
                    description: "The delivered document's id at the receiving agency",
                    legal_basis: BASIS,
                },
                Item {
                    name: "delivered_at",
                    description: "When it was delivered",
                    legal_basis: BASIS,
                },
            ],
            subject: None,
            subject_kind: SubjectKind::Person,
            basis: Basis::Statute(BASIS),
            log: LogMode::Full,
            handler: Arc::new(deliver),
        },
        ServiceDef {
            module: crate::NAME,
            code: CONFIRMATION,
            version: "v1",
            title: "Confirm the receipt of a dispatched document",
            description: "The receiving agency's receipt registration number and time, sent back \
                          to the dispatching agency.",
            request_schema: json!({
                "type": "object",
                "properties": {
                    "dispatch_id": {"type": "string", "minLength": 1, "maxLength": 64},
                    "agency": {"type": "string", "minLength": 1, "maxLength": 32},
                    "receipt_no": {"type": "string", "minLength": 1, "maxLength": 64},
                    "received_at": {"type": "string", "maxLength": 40}
                },
                "required": ["dispatch_id", "agency", "receipt_no", "received_at"],
                "additionalProperties": false
            }),
            items: vec![
                Item {
                    name: "dispatch_id",
                    description: "The confirmed dispatch",
                    legal_basis: BASIS,
                },
                Item {
                    name: "status",
                    description: "The dispatch's status after the confirmation",
                    legal_basis: BASIS,
                },
            ],
            subject: None,
            subject_kind: SubjectKind::Person,
            basis: Basis::Statute(BASIS),
            log: LogMode::Full,
            handler: Arc::new(confirm),
        },
    ]
}

/// `INSTANCE/CLASS/MEMBER` of a client id `INSTANCE/CLASS/MEMBER/SUBSYSTEM`.
fn member_of(client: &str) -> String {
    client.split('/').take(3).collect::<Vec<_>>().join("/")
}

fn refuse(code: egov_core::ErrorCode, detail: impl Into<String>) -> ServiceError {
    ServiceError::coded(code, detail)
}

fn internal(e: Error) -> ServiceError {
    tracing::error!(error = ?e, "docflow exchange handler failed");
    refuse(errors::SERVICE_FAILED, "the document could not be stored")
}

/// Another agency's document, delivered through the exchange.
async fn deliver(call: ServiceCall) -> Result<Value, ServiceError> {
    let db = call.db.clone();
    db.transaction(move |c| Ok(deliver_tx(c, &call)))
        .await
        .map_err(internal)?
}

fn deliver_tx(c: &mut DbConnection, call: &ServiceCall) -> Result<Value, ServiceError> {
    let p = &call.payload;
    let member = member_of(&call.client);
    let dispatch_id = p["dispatch_id"].as_str().unwrap_or_default().to_owned();
    if let Some(seen) = store::incoming(c, &member, &dispatch_id).map_err(internal)? {
        return Ok(
            json!({"document_id": seen.document_id, "delivered_at": seen.received_at.and_utc()}),
        );
    }
    let agency = p["recipient_agency"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let at = call.at;
    if store::document_office(c, &agency, at.date())
        .map_err(internal)?
        .is_none()
    {
        return Err(refuse(
            errors::UNKNOWN_RECIPIENT,
            format!(
                "no agency {agency:?} with a document office receives documents here (wrong address)"
            ),
        ));
    }
    let doc = &p["document"];
    let title = doc["title"].as_str().unwrap_or_default().to_owned();
    let body = doc["body"].clone();
    let mut atts = Vec::new();
    let mut contents = Vec::new();
    for a in doc["attachments"].as_array().into_iter().flatten() {
        let bytes = a["content"]
            .as_str()
            .and_then(|s| STANDARD.decode(s).ok())
            .ok_or_else(|| {
                refuse(
                    errors::BAD_ATTACHMENT,
                    "an attachment's content is not base64",
                )
            })?;
        let desc = Attachment {
            name: a["name"].as_str().unwrap_or_default().into(),
            media_type: a["media_type"]
                .as_str()
                .unwrap_or("application/octet-stream")
                .into(),
            size: bytes.len() as i64,
            sha256: egov_core::digest::sha256_hex(&bytes),
        };
        if a["sha256"].as_str() != Some(desc.sha256.as_str()) {
            return Err(refuse(
                errors::BAD_ATTACHMENT,
                format!("attachment {:?} does not match its digest", desc.name),
            ));
        }
        atts.push(desc);
        contents.push(bytes);
    }
    let digest = evidence::version_digest(&title, &body, &atts);
    if doc["digest"].as_str() != Some(digest.as_str()) {
        return Err(refuse(
            errors::DIGEST_MISMATCH,
            "the document does not match its digest",
        ));
    }
    for (a, bytes) in atts.iter().zip(&contents) {
        store::put_blob(c, &a.sha256, bytes).map_err(internal)?;
    }
    let kind = p["kind"].as_str().unwrap_or("dispatch");
    let sender = json!({
        "member": member, "client": call.client, "message_id": call.message_id, "kind": kind,
        "dispatch_id": dispatch_id, "sender": p["sender"], "signatures": p["signatures"],
        "keys": p["keys"], "digest": digest,
    });
    let row = DocumentRow {
        id: new_id(),
        agency: agency.clone(),
        unit_id: String::new(),
        origin: "received".into(),
        drafter: String::new(),
        drafter_position: None,
        doc_type: doc["doc_type"]
            .as_str()
            .unwrap_or("general")
            .chars()
            .take(64)
            .collect(),
        classification: doc["classification"]
            .as_str()
            .unwrap_or_default()
            .chars()
            .take(64)
            .collect(),
        disclosure: doc["disclosure"]
            .as_str()
            .unwrap_or("closed")
            .chars()
            .take(32)
            .collect(),
        disclosure_ground: doc["disclosure_ground"].as_str().map(str::to_owned),
        personal_data: doc["personal_data"].as_bool().unwrap_or(false),
        subjects: "[]".into(),
        amount: None,
        status: status::DELIVERED.into(),
        version: 1,
        round: 0,
        due_at: at + chrono::Duration::days(7),
        registration_no: None,
        registered_at: None,
        sender: Some(sender.to_string()),
        retention: String::new(),
        file_id: None,
        completed_at: None,
        disposed_at: None,
        created_at: at,
        updated_at: at,
    };
    store::insert_document(c, &row).map_err(internal)?;
    store::insert_version(
        c,
        &store::VersionRow {
            document_id: row.id.clone(),
            version: 1,
            title,
            body: Some(body.to_string()),
            attachments: serde_json::to_string(&atts).unwrap_or_default(),
            digest: digest.clone(),
            author: call.client.clone(),
            reason: None,
            created_at: at,
        },
    )
    .map_err(internal)?;
    store::insert_incoming(
        c,
        &store::IncomingRow {
            sender_member: member.clone(),
            dispatch_id: dispatch_id.clone(),
            document_id: row.id.clone(),
            message_id: call.message_id.clone(),
            received_at: at,
        },
    )
    .map_err(internal)?;
    append(
        c,
        &row.id,
        &call.client,
        None,
        "delivered",
        json!({"from": member, "client": call.client, "message_id": call.message_id,
               "dispatch_id": dispatch_id, "kind": kind, "digest": digest, "sender": p["sender"]}),
        at,
    )
    .map_err(internal)?;
    Ok(json!({"document_id": row.id, "delivered_at": at.and_utc()}))
}

async fn confirm(call: ServiceCall) -> Result<Value, ServiceError> {
    let db = call.db.clone();
    db.transaction(move |c| Ok(confirm_tx(c, &call)))
        .await
        .map_err(internal)?
}

fn confirm_tx(c: &mut DbConnection, call: &ServiceCall) -> Result<Value, ServiceError> {
    let p = &call.payload;
    let member = member_of(&call.client);
    let id = p["dispatch_id"].as_str().unwrap_or_default();
    let not_found = || {
        refuse(
            errors::DISPATCH_NOT_FOUND,
            "no such dispatch to your agency",
        )
    };
    let mut d = store::dispatch(c, id)
        .map_err(internal)?
        .ok_or_else(not_found)?;
    if d.member != member || Some(d.agency.as_str()) != p["agency"].as_str() {
        return Err(not_found());
    }
    let at = call.at;
    if d.status != "received" {
        d.status = "received".into();
        d.receipt_no = p["receipt_no"].as_str().map(str::to_owned);
        d.received_at = Some(at);
        store::save_dispatch(c, &d).map_err(internal)?;
        append(
            c,
            &d.document_id,
            &call.client,
            None,
            "receipt_confirmed",
            json!({"dispatch": d.id, "member": d.member, "agency": d.agency,
                   "receipt_no": d.receipt_no, "received_at_recipient": p["received_at"],
                   "message_id": call.message_id}),
            at,
        )
        .map_err(internal)?;
    }
    Ok(json!({"dispatch_id": d.id, "status": d.status}))
}

// ------------------------------------------------------------------ sending side

/// The transmission payload of a document (without the dispatch id and recipient).
fn transmission(c: &mut DbConnection, d: &Docflow, doc: &DocumentRow) -> Result<Value, Error> {
    let v = store::version(c, &doc.id, doc.version)?
        .ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))?;
    let atts: Vec<Attachment> = serde_json::from_str(&v.attachments).unwrap_or_default();
    let mut with_content = Vec::new();
    for a in &atts {
        let bytes = store::blob(c, &a.sha256)?.unwrap_or_default();
        with_content.push(
            json!({"name": a.name, "media_type": a.media_type, "size": a.size,
                                 "sha256": a.sha256, "content": STANDARD.encode(bytes)}),
        );
    }
    let signatures: Vec<Value> = store::signatures(c, &doc.id)?
        .into_iter()
        .filter(|s| s.round == doc.round)
        .map(|s| json!({"payload": serde_json::from_str::<Value>(&s.payload).unwrap_or(Value::Null), "signature": s.signature}))
        .collect();
    d.key(c)?;
    let keys: Vec<Value> = store::keys(c)?
        .into_iter()
        .map(|k| json!({"kid": k.kid, "public_key": k.public_key}))
        .collect();
    let body: Value = v
        .body
        .as_deref()
        .and_then(|b| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null);
    Ok(json!({
        "sender": {"agency": doc.agency, "unit": doc.unit_id, "document_id": doc.id,
                   "registration_no": doc.registration_no,
                   "registered_at": doc.registered_at.map(|t| t.and_utc())},
        "document": {"title": v.title, "body": body, "doc_type": doc.doc_type,
                     "classification": doc.classification, "disclosure": doc.disclosure,
                     "disclosure_ground": doc.disclosure_ground, "personal_data": doc.personal_data,
                     "digest": v.digest, "version": v.version, "attachments": with_content},
        "signatures": signatures,
        "keys": keys,
    }))
}

/// Dispatches a registered (or, for circulation, received) document to other agencies:
/// one dispatch per recipient, each delivered through the exchange and kept with its
/// confirmation or its failure (which can be retried).
pub async fn dispatch(
    d: &Docflow,
    account: &str,
    agency: &str,
    id: &str,
    recipients: Vec<(String, String)>,
    kind: &str,
    office: bool,
) -> Result<Vec<crate::service::DispatchView>, Error> {
    let (dd, account_s, agency_s, id_s, kind_s) = (
        d.clone(),
        account.to_owned(),
        agency.to_owned(),
        id.to_owned(),
        kind.to_owned(),
    );
    let now = d.now();
    let (rows, payload) = d
        .db()
        .transaction(move |c| {
            let doc = service::locked(c, &id_s, &agency_s)?;
            let ok = match kind_s.as_str() {
                "dispatch" => lifecycle::permits(&doc.status, Action::Dispatch),
                _ => lifecycle::permits(&doc.status, Action::CirculateAway),
            };
            if !ok {
                return Err(Error::with_detail(errors::ILLEGAL_STATE, format!("a {} document cannot be sent ({kind_s})", doc.status)));
            }
            if doc.drafter != account_s && !office {
                return Err(Error::new(errors::NOT_THE_DRAFTER));
            }
            let payload = transmission(c, &dd, &doc)?;
            let at = now;
            let mut rows = Vec::new();
            for (member, ag) in &recipients {
                let r = DispatchRow {
                    id: new_id(),
                    document_id: doc.id.clone(),
                    member: member.clone(),
                    agency: ag.clone(),
                    kind: kind_s.clone(),
                    status: "pending".into(),
                    attempts: 0,
                    message_id: None,
                    error: None,
                    remote_id: None,
                    receipt_no: None,
                    created_at: at,
                    delivered_at: None,
                    received_at: None,
                };
                store::insert_dispatch(c, &r)?;
                rows.push(r);
            }
            append(c, &doc.id, &account_s, None, "dispatch_requested",
                   json!({"kind": kind_s, "recipients": rows.iter().map(|r| json!({"dispatch": r.id, "member": r.member, "agency": r.agency})).collect::<Vec<_>>()}), at)?;
            Ok((rows, payload))
        })
        .await?;
    let mut out = Vec::new();
    for r in rows {
        out.push(deliver_one(d, r, &payload, account).await?);
    }
    Ok(out)
}

/// Retries a failed dispatch (the same dispatch id: a delivery that did arrive is recognised).
pub async fn retry(
    d: &Docflow,
    account: &str,
    agency: &str,
    id: &str,
    dispatch: &str,
) -> Result<crate::service::DispatchView, Error> {
    let (dd, agency_s, id_s, dispatch_s) = (
        d.clone(),
        agency.to_owned(),
        id.to_owned(),
        dispatch.to_owned(),
    );
    let (row, payload) = d
        .db()
        .transaction(move |c| {
            let doc = service::locked(c, &id_s, &agency_s)?;
            let r = store::dispatch(c, &dispatch_s)?
                .filter(|r| r.document_id == doc.id)
                .ok_or_else(|| Error::new(errors::DISPATCH_NOT_FOUND))?;
            if r.status != "failed" && r.status != "pending" {
                return Err(Error::with_detail(
                    errors::ILLEGAL_STATE,
                    "only a failed dispatch is retried",
                ));
            }
            Ok((r, transmission(c, &dd, &doc)?))
        })
        .await?;
    deliver_one(d, row, &payload, account).await
}

async fn deliver_one(
    d: &Docflow,
    mut r: DispatchRow,
    payload: &Value,
    account: &str,
) -> Result<crate::service::DispatchView, Error> {
    let mut body = payload.clone();
    body["dispatch_id"] = Value::String(r.id.clone());
    body["recipient_agency"] = Value::String(r.agency.clone());
    body["kind"] = Value::String(r.kind.clone());
    let service = format!("{}/{}/{DELIVERY}", r.member, crate::NAME);
    let result = match d.exchange() {
        Some(x) => {
            x.call(
                crate::NAME,
                Call::post(&service, "v1", body, crate::PURPOSE),
            )
            .await
        }
        None => Err(CallError::Failed(
            "Server.ClientProxy.NotConfigured",
            "the exchange module is not running".into(),
        )),
    };
    r.attempts += 1;
    let at = d.now();
    let (action, detail) = match result {
        Ok(a) => {
            r.status = "delivered".into();
            r.message_id = Some(a.message_id.clone());
            r.remote_id = a.body["document_id"].as_str().map(str::to_owned);
            r.delivered_at = Some(at);
            r.error = None;
            (
                "delivered_to",
                json!({"dispatch": r.id, "member": r.member, "agency": r.agency,
                                    "message_id": a.message_id, "remote_document": r.remote_id,
                                    "log_seq": a.log_seq}),
            )
        }
        Err(e) => {
            r.status = "failed".into();
            r.error = Some(format!("{}: {e}", e.code()));
            if let CallError::Refused { message_id, .. } = &e {
                r.message_id = Some(message_id.clone());
            }
            (
                "delivery_failed",
                json!({"dispatch": r.id, "member": r.member, "agency": r.agency, "error": r.error}),
            )
        }
    };
    let row = r.clone();
    let account = account.to_owned();
    d.db()
        .transaction(move |c| {
            let mut doc = store::lock_document(c, &row.document_id)?
                .ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))?;
            store::save_dispatch(c, &row)?;
            if row.status == "delivered"
                && doc.status == status::REGISTERED
                && row.kind == "dispatch"
            {
                doc.status = status::DISPATCHED.into();
                doc.updated_at = at;
                store::save_document(c, &doc)?;
            }
            append(c, &row.document_id, &account, None, action, detail, at)
        })
        .await?;
    Ok(crate::service::DispatchView::from(&r))
}

/// What the document office decides at receipt.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub unit: String,
    pub handler: String,
    pub doc_type: Option<String>,
    pub retention: Option<String>,
    pub due_at: Option<NaiveDateTime>,
}

/// Receives a delivered document (접수): the receipt registration number (gapless per unit and
/// year), the handler, then the receipt confirmation back to the sender through the exchange.
pub async fn receive(
    d: &Docflow,
    account: &str,
    agency: &str,
    id: &str,
    r: Receipt,
) -> Result<crate::service::Received, Error> {
    let rules = d.rules()?.clone();
    let (dd, account_s, agency_s, id_s) = (
        d.clone(),
        account.to_owned(),
        agency.to_owned(),
        id.to_owned(),
    );
    let now = d.now();
    let (doc, sender) = d
        .db()
        .transaction(move |c| {
            let at = now;
            let mut doc = service::locked(c, &id_s, &agency_s)?;
            if !lifecycle::permits(&doc.status, Action::Receive) {
                return Err(Error::with_detail(errors::ILLEGAL_STATE, "only a delivered document is received"));
            }
            let unit = store::unit(c, &r.unit)?
                .filter(|u| u.agency == agency_s && u.valid_to.is_none_or(|t| t > at.date()))
                .ok_or_else(|| Error::new(errors::UNIT_NOT_FOUND))?;
            let doc_type = r.doc_type.clone().unwrap_or_else(|| doc.doc_type.clone());
            let Some(t) = rules.doc_type(&doc_type) else {
                return Err(Error::invalid_field("/doc_type", format!("the country pack has no document type {doc_type:?}")));
            };
            let retention = r.retention.clone().unwrap_or_else(|| t.retention.clone());
            if rules.retention_class(&retention).is_none() {
                return Err(Error::invalid_field("/retention", egov_core::text!("detail-docflow-retention", "no such retention class in the country pack")));
            }
            let local = at.and_utc().with_timezone(&dd.pack().time_zone);
            let year = local.year();
            let serial = store::next_serial(c, &unit.id, year, "receipt")?;
            let number = rules.registration_number(&unit.code, year, serial);
            let title = store::version(c, &doc.id, doc.version)?.map(|v| v.title).unwrap_or_default();
            store::insert_ledger(c, &store::LedgerRow {
                unit_id: unit.id.clone(), year, kind: "receipt".into(), serial,
                registration_no: number.clone(), document_id: doc.id.clone(), title, at,
            })?;
            doc.status = status::RECEIVED.into();
            doc.unit_id = unit.id.clone();
            doc.drafter = r.handler.clone();
            doc.doc_type = doc_type;
            doc.retention = retention;
            doc.registration_no = Some(number.clone());
            doc.registered_at = Some(at);
            doc.completed_at = Some(at);
            doc.due_at = r.due_at.unwrap_or_else(|| service::default_due(&dd, at));
            doc.updated_at = at;
            store::save_document(c, &doc)?;
            // diesel's update does not set doc_type; it is fixed at creation except here.
            store::set_doc_type(c, &doc.id, &doc.doc_type)?;
            append(c, &doc.id, &account_s, None, "received",
                   json!({"receipt_no": number, "unit": unit.id, "year": year, "serial": serial,
                          "handler": r.handler, "retention": doc.retention, "due_at": doc.due_at.and_utc()}), at)?;
            if !r.handler.is_empty() {
                store::add_circulation(c, &store::CirculationRow {
                    id: new_id(), document_id: doc.id.clone(), reader: r.handler.clone(),
                    added_by: account_s.clone(), added_at: at, due_at: doc.due_at, read_at: None, comment: None,
                })?;
            }
            let sender: Value = doc.sender.as_deref().and_then(|s| serde_json::from_str(s).ok()).unwrap_or(Value::Null);
            Ok((doc, sender))
        })
        .await?;
    let confirmation = confirm_receipt(d, account, &doc, &sender).await?;
    Ok(crate::service::Received {
        id: doc.id,
        status: doc.status,
        receipt_no: doc.registration_no,
        handler: doc.drafter,
        confirmation,
    })
}

/// Sends (or sends again) the receipt confirmation of a received document.
pub async fn confirm_receipt(
    d: &Docflow,
    account: &str,
    doc: &DocumentRow,
    sender: &Value,
) -> Result<crate::service::ConfirmationSent, Error> {
    let (Some(member), Some(dispatch)) =
        (sender["member"].as_str(), sender["dispatch_id"].as_str())
    else {
        return Ok(crate::service::ConfirmationSent {
            status: "not_applicable".into(),
            detail: None,
        });
    };
    // Only documents another docflow dispatched expect a confirmation.
    if !sender["client"]
        .as_str()
        .is_some_and(|c| c.ends_with("/docflow"))
    {
        return Ok(crate::service::ConfirmationSent {
            status: "not_applicable".into(),
            detail: None,
        });
    }
    let service = format!("{member}/{}/{CONFIRMATION}", crate::NAME);
    let payload = json!({"dispatch_id": dispatch, "agency": doc.agency,
                         "receipt_no": doc.registration_no.clone().unwrap_or_default(),
                         "received_at": doc.registered_at.map(|t| t.and_utc().to_rfc3339()).unwrap_or_default()});
    let result = match d.exchange() {
        Some(x) => {
            x.call(
                crate::NAME,
                Call::post(&service, "v1", payload, crate::PURPOSE),
            )
            .await
        }
        None => Err(CallError::Failed(
            "Server.ClientProxy.NotConfigured",
            "the exchange module is not running".into(),
        )),
    };
    let at = d.now();
    let (action, detail) = match &result {
        Ok(a) => (
            "receipt_confirmation_sent",
            json!({"member": member, "dispatch": dispatch, "message_id": a.message_id}),
        ),
        Err(e) => (
            "receipt_confirmation_failed",
            json!({"member": member, "dispatch": dispatch, "error": format!("{}: {e}", e.code())}),
        ),
    };
    let (id, account) = (doc.id.clone(), account.to_owned());
    let detail2 = detail.clone();
    d.db()
        .transaction(move |c| {
            store::lock_document(c, &id)?;
            append(c, &id, &account, None, action, detail2, at)
        })
        .await?;
    Ok(crate::service::ConfirmationSent {
        status: if result.is_ok() { "sent" } else { "failed" }.into(),
        detail: Some(detail),
    })
}

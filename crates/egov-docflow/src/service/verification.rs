//! Evidence of a document: its signatures checked, its history verified, its records
//! package and its PDF with stamps.

use super::*;
use crate::domain::line::StepKind;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// Checks every approval signature of a document against the stored versions.
pub async fn check_signatures(d: &Docflow, doc: DocumentRow) -> Result<SignatureCheck, Error> {
    d.db()
        .run(move |c| {
            let keys = store::keys(c)?;
            let versions = store::versions(c, &doc.id)?;
            let digest_of = |n: i64| {
                versions
                    .iter()
                    .find(|v| i64::from(v.version) == n)
                    .map(|v| {
                        let atts: Vec<Attachment> =
                            serde_json::from_str(&v.attachments).unwrap_or_default();
                        let body: Value = v
                            .body
                            .as_deref()
                            .and_then(|b| serde_json::from_str(b).ok())
                            .unwrap_or(Value::Null);
                        (
                            v.digest.clone(),
                            evidence::version_digest(&v.title, &body, &atts),
                            v.body.is_some(),
                        )
                    })
            };
            let current = digest_of(i64::from(doc.version)).map(|d| d.1);
            let mut out = Vec::new();
            for s in store::signatures(c, &doc.id)? {
                let payload: Value = serde_json::from_str(&s.payload).unwrap_or(Value::Null);
                let sig_ok = egov_exchange::signature::verify_json(
                    keys.iter().map(|k| (k.kid.as_str(), k.public_key.as_str())),
                    &payload,
                    &s.signature,
                );
                let n = payload["version"].as_i64().unwrap_or(-1);
                let signed = payload["digest"].as_str().unwrap_or_default().to_owned();
                let (content_ok, disposed) = match digest_of(n) {
                    Some((_, recomputed, present)) => (!present || recomputed == signed, !present),
                    None => (false, false),
                };
                let covers_current = current.as_deref() == Some(signed.as_str());
                out.push(result(
                    s.round,
                    &payload,
                    n,
                    sig_ok,
                    content_ok,
                    covers_current,
                    disposed,
                    false,
                ));
            }
            // A received document: the sending agency's signatures came with it, with the
            // sender's public keys (the exchange's signed delivery vouches for both); they sign
            // the digest of the version sent, which is this agency's version 1.
            if let Some(sender) = doc
                .sender
                .as_deref()
                .and_then(|s| serde_json::from_str::<Value>(s).ok())
            {
                let sender_keys: Vec<(String, String)> = sender["keys"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|k| {
                        Some((
                            k["kid"].as_str()?.to_owned(),
                            k["public_key"].as_str()?.to_owned(),
                        ))
                    })
                    .collect();
                let received = digest_of(1);
                for s in sender["signatures"].as_array().into_iter().flatten() {
                    let payload = &s["payload"];
                    let sig_ok = egov_exchange::signature::verify_json(
                        sender_keys.iter().map(|(k, p)| (k.as_str(), p.as_str())),
                        payload,
                        s["signature"].as_str().unwrap_or_default(),
                    );
                    let signed = payload["digest"].as_str().unwrap_or_default();
                    let (content_ok, disposed) = match &received {
                        Some((_, recomputed, present)) => {
                            (!present || recomputed == signed, !present)
                        }
                        None => (false, false),
                    };
                    let covers_current = current.as_deref() == Some(signed);
                    let round = payload["round"]
                        .as_i64()
                        .and_then(|r| i32::try_from(r).ok())
                        .unwrap_or(0);
                    out.push(result(
                        round,
                        payload,
                        1,
                        sig_ok,
                        content_ok,
                        covers_current,
                        disposed,
                        true,
                    ));
                }
            }
            let problem = out.is_empty().then(|| {
                "no approval signature to check: the document has not been signed".to_owned()
            });
            Ok(SignatureCheck {
                document: doc.id,
                version: doc.version,
                valid: !out.is_empty() && out.iter().all(|r| r.valid),
                problem,
                signatures: out,
            })
        })
        .await
}

/// One signature's result.
#[allow(clippy::too_many_arguments)]
fn result(
    round: i32,
    payload: &Value,
    version: i64,
    signature_valid: bool,
    content_matches: bool,
    covers_current_version: bool,
    content_disposed: bool,
    sender: bool,
) -> SignatureResult {
    SignatureResult {
        round,
        seq: payload["seq"].clone(),
        kind: payload["kind"].clone(),
        action: payload["action"].clone(),
        mode: payload["mode"].clone(),
        actor: payload["actor"].clone(),
        position: payload["position"].clone(),
        version,
        signature_valid,
        content_matches,
        covers_current_version,
        content_disposed,
        valid: signature_valid && content_matches,
        sender,
        at: payload["at"].clone(),
    }
}

/// A document's history with the verification of its chain.
pub async fn history(d: &Docflow, doc: DocumentRow) -> Result<HistoryCheck, Error> {
    let rows = d.db().run(move |c| store::events(c, &doc.id)).await?;
    let events: Vec<evidence::Event> = rows.iter().map(event_of).collect();
    let check = evidence::verify_chain(&events);
    Ok(HistoryCheck {
        valid: check.is_ok(),
        broken_at: check.as_ref().err().map(|e| e.0),
        problem: check.as_ref().err().map(|e| e.1.clone()),
        events,
    })
}

/// Builds the records package of a document.
pub fn build_package(
    c: &mut egov_core::DbConnection,
    d: &Docflow,
    doc: &DocumentRow,
) -> Result<Value, Error> {
    d.key(c)?;
    let versions = store::versions(c, &doc.id)?;
    let mut vs = Vec::new();
    for v in &versions {
        let atts: Vec<Attachment> = serde_json::from_str(&v.attachments).unwrap_or_default();
        let mut with = Vec::new();
        for a in &atts {
            let mut x = json!({"name": a.name, "media_type": a.media_type, "size": a.size, "sha256": a.sha256});
            if v.body.is_some()
                && let Some(b) = store::blob(c, &a.sha256)?
            {
                x["content"] = Value::String(STANDARD.encode(b));
            }
            with.push(x);
        }
        vs.push(json!({"version": v.version, "title": v.title,
            "body": v.body.as_deref().and_then(|b| serde_json::from_str::<Value>(b).ok()).unwrap_or(Value::Null),
            "attachments": with, "digest": v.digest, "author": v.author, "reason": v.reason,
            "disposed": v.body.is_none(), "created_at": v.created_at.and_utc()}));
    }
    let sigs: Vec<Value> = store::signatures(c, &doc.id)?
        .iter()
        .map(|s| json!({"round": s.round, "payload": serde_json::from_str::<Value>(&s.payload).unwrap_or(Value::Null), "signature": s.signature}))
        .collect();
    let history: Vec<evidence::Event> = store::events(c, &doc.id)?.iter().map(event_of).collect();
    let keys: Vec<Value> = store::keys(c)?
        .iter()
        .map(|k| json!({"kid": k.kid, "public_key": k.public_key}))
        .collect();
    let mut meta = doc_json(doc);
    meta["iso15489"] = json!({"identifier": doc.registration_no, "title": versions.last().map(|v| v.title.clone()),
        "date_created": doc.created_at.and_utc(), "creator": doc.agency, "classification": doc.classification,
        "access": doc.disclosure, "retention": doc.retention});
    let mut pkg = json!({
        "format": evidence::PACKAGE_FORMAT, "issuer": d.member(), "exported_at": d.now().and_utc(),
        "document": meta, "versions": vs, "signatures": sigs, "history": history, "keys": keys,
    });
    let sig = d.sign(c, &pkg)?;
    pkg["package_signature"] = Value::String(sig);
    Ok(pkg)
}

/// Exports a document's records package (recorded in its history).
pub async fn export_package(
    d: &Docflow,
    doc: DocumentRow,
    acc: String,
    purpose: Option<String>,
) -> Result<Value, Error> {
    let dd = d.clone();
    let now = d.now();
    d.db()
        .transaction(move |c| {
            append(
                c,
                &doc.id,
                &acc,
                None,
                "exported",
                json!({"purpose": purpose}),
                now,
            )?;
            let doc = store::document(c, &doc.id)?
                .ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))?;
            build_package(c, &dd, &doc)
        })
        .await
}

/// The registered document as PDF with its approval stamps.
pub async fn render_pdf(d: &Docflow, doc: DocumentRow) -> Result<Vec<u8>, Error> {
    let dd = d.clone();
    d.db()
        .run(move |c| {
            let v = store::version(c, &doc.id, doc.version)?
                .ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))?;
            // The last action on each step of the final round, in line order.
            let mut last: Vec<Value> = Vec::new();
            for s in store::signatures(c, &doc.id)?
                .into_iter()
                .filter(|s| s.round == doc.round)
            {
                let p: Value = serde_json::from_str(&s.payload).unwrap_or(Value::Null);
                last.retain(|q| q["step"] != p["step"]);
                last.push(p);
            }
            last.sort_by_key(|p| p["seq"].as_i64().unwrap_or(0));
            let mut stamps = Vec::new();
            for p in last {
                let kind = StepKind::parse(p["kind"].as_str().unwrap_or_default());
                let mut label = kind.map(StepKind::label).unwrap_or("").to_owned();
                if p["mode"] == "acting" {
                    label.push_str(" 대결");
                }
                if p["action"] == "disagree" {
                    label.push_str(" (이견)");
                }
                stamps.push((
                    label,
                    p["position_title"].as_str().unwrap_or_default().to_owned(),
                    p["actor"].as_str().unwrap_or_default().to_owned(),
                    p["at"]
                        .as_str()
                        .unwrap_or_default()
                        .chars()
                        .take(16)
                        .collect(),
                ));
            }
            let atts: Vec<Attachment> = serde_json::from_str(&v.attachments).unwrap_or_default();
            let printable = crate::pdf::Printable {
                agency: doc.agency.clone(),
                registration_no: doc.registration_no.clone().unwrap_or_default(),
                registered_at: doc
                    .registered_at
                    .map(|t| t.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
                title: v.title.clone(),
                body: v
                    .body
                    .as_deref()
                    .and_then(|b| serde_json::from_str(b).ok())
                    .unwrap_or(Value::Null),
                attachments: atts.iter().map(|a| a.name.clone()).collect(),
                stamps,
                disclosure: doc.disclosure.clone(),
                digest: v.digest.clone(),
            };
            crate::pdf::render(&printable, &dd.config().pdf_fonts).ok_or_else(|| {
                Error::internal(anyhow::anyhow!("no usable PDF font in [docflow] pdf_fonts"))
            })
        })
        .await
}

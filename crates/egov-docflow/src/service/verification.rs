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

/// How a printed document says things, in the pack's language: each step kind's stamp label
/// (결재, 전결, …), the marks of acting approval (대결) and disagreement, and the words before
/// attachments and the disclosure class. [`PdfWords::korean`] where no messages are at hand.
#[derive(Debug, Clone)]
pub struct PdfWords {
    pub steps: std::collections::HashMap<String, String>,
    pub acting: String,
    pub disagree: String,
    pub words: crate::pdf::Words,
}

impl PdfWords {
    /// The stamps' own Korean words (the distribution standard's).
    pub fn korean() -> Self {
        Self {
            steps: StepKind::ALL
                .iter()
                .map(|k| (k.as_str().to_owned(), k.label().to_owned()))
                .collect(),
            acting: "대결".into(),
            disagree: "이견".into(),
            words: crate::pdf::Words {
                attachment: "붙임".into(),
                disclosure: "공개구분".into(),
            },
        }
    }
}

/// The stamps of the signatures `last` (one per step, in line order): the step's label in the
/// pack's words (marked 대결, 이견), the position, the person's name (else the account id,
/// whole) and the local time.
pub fn stamps(
    last: &[Value],
    words: &PdfWords,
    names: &std::collections::HashMap<String, String>,
    tz: chrono_tz::Tz,
) -> Vec<(String, String, String, String)> {
    let local = |at: &str| {
        chrono::DateTime::parse_from_rfc3339(at)
            .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|_| at.to_owned())
    };
    last.iter()
        .map(|p| {
            let kind = p["kind"].as_str().unwrap_or_default();
            let mut label = words
                .steps
                .get(kind)
                .cloned()
                .unwrap_or_else(|| kind.to_owned());
            if p["mode"] == "acting" {
                label = format!("{label} {}", words.acting);
            }
            if p["action"] == "disagree" {
                label = format!("{label} ({})", words.disagree);
            }
            let actor = p["actor"].as_str().unwrap_or_default();
            (
                label,
                p["position_title"].as_str().unwrap_or_default().to_owned(),
                names
                    .get(actor)
                    .cloned()
                    .unwrap_or_else(|| actor.to_owned()),
                local(p["at"].as_str().unwrap_or_default()),
            )
        })
        .collect()
}

/// The registered document as PDF with its approval stamps: each with the step's label, the
/// position, the person's name (common auth's directory, where it runs in this process) and
/// the local time in the pack's zone. `503 docflow.pdf_font` when the font cannot draw it.
pub async fn render_pdf(
    d: &Docflow,
    doc: DocumentRow,
    words: PdfWords,
    directory: Option<&egov_auth::Service>,
) -> Result<Vec<u8>, Error> {
    let id = doc.id.clone();
    let (v, sigs) = d
        .db()
        .run(move |c| {
            Ok((
                store::version(c, &id, doc.version)?,
                store::signatures(c, &id)?,
            ))
        })
        .await?;
    let v = v.ok_or_else(|| Error::new(errors::DOCUMENT_NOT_FOUND))?;
    // The last action on each step of the final round, in line order.
    let mut last: Vec<Value> = Vec::new();
    for s in sigs.into_iter().filter(|s| s.round == doc.round) {
        let p: Value = serde_json::from_str(&s.payload).unwrap_or(Value::Null);
        last.retain(|q| q["step"] != p["step"]);
        last.push(p);
    }
    last.sort_by_key(|p| p["seq"].as_i64().unwrap_or(0));
    let actors: Vec<String> = last
        .iter()
        .filter_map(|p| p["actor"].as_str().map(str::to_owned))
        .collect();
    let names = match directory {
        Some(dir) => dir.names(actors).await.unwrap_or_default(),
        None => Default::default(),
    };
    let tz = d.pack().time_zone;
    let stamps = stamps(&last, &words, &names, tz);
    let atts: Vec<Attachment> = serde_json::from_str(&v.attachments).unwrap_or_default();
    let rules = d.rules()?;
    let printable = crate::pdf::Printable {
        agency: doc.agency.clone(),
        registration_no: doc.registration_no.clone().unwrap_or_default(),
        registered_at: doc
            .registered_at
            .map(|t| {
                t.and_utc()
                    .with_timezone(&tz)
                    .format("%Y-%m-%d")
                    .to_string()
            })
            .unwrap_or_default(),
        title: v.title.clone(),
        body: v
            .body
            .as_deref()
            .and_then(|b| serde_json::from_str(b).ok())
            .unwrap_or(Value::Null),
        attachments: atts.iter().map(|a| a.name.clone()).collect(),
        stamps,
        disclosure: rules
            .disclosure(&doc.disclosure)
            .map_or_else(|| doc.disclosure.clone(), |c| c.name.clone()),
        digest: v.digest.clone(),
        words: words.words,
    };
    let fonts = d.config().pdf_fonts.clone();
    let pack = d.pack();
    let needs = egov_pdf::needs(&pack.languages, &pack.currency_symbol);
    actix_web::web::block(move || crate::pdf::render(&printable, &fonts, &needs))
        .await
        .map_err(|e| Error::internal(anyhow::anyhow!("{e}")))?
        .map_err(|why| Error::with_detail(errors::PDF_FONT, why))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_name_people_and_positions_at_local_time_in_the_packs_words() {
        let last = vec![
            json!({"kind": "draft", "action": "submit", "mode": "self", "actor": "acc-1",
                   "position_title": "Planning officer", "at": "2026-12-06T14:59:00Z"}),
            json!({"kind": "cooperation", "action": "disagree", "mode": "self", "actor": "acc-2",
                   "position_title": "Budget team leader", "at": "2026-12-06T15:00:00Z"}),
            json!({"kind": "delegated_approve", "action": "approve", "mode": "acting",
                   "actor": "acc-3", "position_title": "Deputy director",
                   "at": "2026-12-06T15:30:00+00:00"}),
        ];
        let names = [("acc-1", "Kim Minji"), ("acc-2", "Lee Jun")]
            .into_iter()
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .collect();
        let s = stamps(&last, &PdfWords::korean(), &names, chrono_tz::Asia::Seoul);
        assert_eq!(
            s,
            vec![
                (
                    "기안".into(),
                    "Planning officer".into(),
                    "Kim Minji".into(),
                    "2026-12-06 23:59".into()
                ),
                (
                    "협조 (이견)".into(),
                    "Budget team leader".into(),
                    "Lee Jun".into(),
                    "2026-12-07 00:00".into()
                ),
                // No name in the directory: the whole account id, never a stub of it.
                (
                    "전결 대결".into(),
                    "Deputy director".into(),
                    "acc-3".into(),
                    "2026-12-07 00:30".into()
                ),
            ]
        );
    }
}

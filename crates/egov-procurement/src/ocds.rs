//! OCDS 1.1 publication: one release per change of a tender (tagged by stage), compiled
//! records, release and record packages, and validation against the vendored OCDS 1.1.5
//! schema (with the bids, lots and award criteria extensions).

use std::collections::BTreeSet;
use std::sync::OnceLock;

use chrono::{NaiveDateTime, SecondsFormat};
use egov_core::{DbConnection, Error};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Map, Value, json};

use crate::Procurement;
use crate::domain::lifecycle::Status;
use crate::service::{lots_of, status_of};
use crate::store::{self, TenderRow};

/// The OCDS version published.
pub const VERSION: &str = "1.1";

/// The extensions whose fields the releases use.
pub const EXTENSIONS: [&str; 2] = [
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json",
];

const RELEASE_SCHEMA: &str = include_str!("../ocds/release-schema.json");
const RELEASE_SCHEMA_EXTENDED: &str = include_str!("../ocds/release-schema-extended.json");
const RELEASE_PACKAGE_SCHEMA: &str = include_str!("../ocds/release-package-schema.json");
const RELEASE_SCHEMA_URI: &str =
    "https://standard.open-contracting.org/schema/1__1__5/release-schema.json";

fn time(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn amount(d: Decimal) -> Value {
    if d.scale() == 0
        && let Some(i) = d.to_i64()
    {
        return json!(i);
    }
    d.to_f64().map(|f| json!(f)).unwrap_or(Value::Null)
}

fn value(p: &Procurement, d: Decimal) -> Value {
    json!({"amount": amount(d), "currency": p.pack().currency.code()})
}

fn party_id(p: &Procurement, business: &str) -> String {
    format!("{}-BRN-{business}", p.pack().code.to_uppercase())
}

/// Builds a release of a tender, as it stands now, tagged `tags`.
pub fn release(
    p: &Procurement,
    c: &mut DbConnection,
    row: &TenderRow,
    tags: &[&str],
    date: NaiveDateTime,
) -> Result<Value, Error> {
    let status = status_of(row);
    let rules = p.rules()?;
    let procedure = rules.procedure(&row.procedure_id);
    let lang = p.pack().default_language.clone();
    let buyer = rules.buyer_name(&row.agency, &lang, &lang).to_owned();
    let lots = lots_of(row);
    let total: Decimal = lots.iter().map(|l| l.base_amount).sum();
    let mut parties: Vec<Value> = vec![json!({
        "id": row.agency,
        "name": buyer,
        "roles": ["buyer", "procuringEntity"],
    })];
    let mut tender = json!({
        "id": row.id,
        "title": row.title,
        "description": row.description,
        "status": status.ocds(),
        "procurementMethod": procedure.map(|x| x.method.clone()).unwrap_or_else(|| "open".into()),
        "procurementMethodDetails": procedure.and_then(|x| x.names.get(&lang).cloned()),
        "mainProcurementCategory": row.category,
        "submissionMethod": ["electronicSubmission"],
        "value": value(p, total),
        "lots": lots.iter().map(|l| {
            let mut lot = json!({"id": l.id, "title": l.title, "value": value(p, l.base_amount), "status": status.ocds()});
            if let Some(o) = row.opening.as_deref().and_then(|o| serde_json::from_str::<Value>(o).ok())
                && let Some(r) = o["lots"].as_array().and_then(|a| a.iter().find(|x| x["lot"] == l.id.as_str()))
                && r["status"] == "unsuccessful"
            {
                lot["status"] = json!("unsuccessful");
            }
            lot
        }).collect::<Vec<_>>(),
    });
    if let Some(pr) = procedure {
        tender["awardCriteria"] = json!(pr.evaluation.ocds());
        let details = match (&pr.weighted, &pr.qualification) {
            (Some(w), _) => format!(
                "technical {} : price {}; technical threshold {} % ({})",
                w.technical, w.price, w.technical_floor, w.citation
            ),
            (_, Some(q)) => format!(
                "qualification review: capability up to {} + price up to {} points, pass mark {}, floor award rate {} % ({})",
                q.capability_points, q.price_points, q.pass_mark, q.floor_rate, q.citation
            ),
            _ => format!("lowest price ({})", pr.citation),
        };
        tender["awardCriteriaDetails"] = json!(details);
    }
    if let Some(published) = row.published_at {
        tender["tenderPeriod"] =
            json!({"startDate": time(published), "endDate": time(row.deadline)});
        tender["enquiryPeriod"] =
            json!({"startDate": time(published), "endDate": time(row.enquiry_end)});
        tender["awardPeriod"] = json!({"startDate": time(row.opening_at)});
    }
    let names = store::bidder_names(c, &row.id)?;
    let name_of = |b: &str| names.get(b).cloned().unwrap_or_else(|| b.to_owned());
    let questions = store::questions(c, &row.id)?;
    tender["hasEnquiries"] = json!(!questions.is_empty());
    let amendments = store::amendments(c, &row.id)?;
    if !amendments.is_empty() {
        tender["amendments"] = json!(
            amendments
                .iter()
                .map(|a| json!({
                    "id": a.number.to_string(),
                    "date": time(a.at),
                    "rationale": a.reason,
                    "description": crate::domain::wording::tender_amendment(
                        &lang,
                        p.pack().time_zone,
                        &serde_json::from_str::<Value>(&a.changes).unwrap_or(Value::Null),
                    ),
                }))
                .collect::<Vec<_>>()
        );
    }
    let mut release = json!({
        "ocid": row.ocid,
        // Unique without counting (two changes of one tender may commit at once).
        "id": format!("{}-{}-{}", row.ocid, uuid::Uuid::now_v7().simple(), tags.join("-")),
        "date": time(date),
        "tag": tags,
        "initiationType": "tender",
        "language": lang,
        "buyer": {"id": row.agency, "name": buyer},
    });
    // Bids: the count is public at the deadline, the details at the opening.
    if let Some(count) = row.bid_count {
        let mut stats = vec![json!({"id": "1", "measure": "bids", "value": count})];
        let mut details = Vec::new();
        if row.opening.is_some() {
            let bids = store::bids_with_status(c, &row.id, &["valid", "rejected"])?;
            let valid = bids.iter().filter(|b| b.status == "valid").count();
            stats.push(json!({"id": "2", "measure": "validBids", "value": valid}));
            stats.push(
                json!({"id": "3", "measure": "disqualifiedBids", "value": bids.len() - valid}),
            );
            let mut tenderers = BTreeSet::new();
            for b in &bids {
                let name = name_of(&b.supplier);
                tenderers.insert((b.supplier.clone(), name.clone()));
                let mut d = json!({
                    "id": b.id,
                    "date": time(b.received_at),
                    "status": if b.status == "valid" { "valid" } else { "disqualified" },
                    "tenderers": [{"id": party_id(p, &b.supplier), "name": name}],
                    "relatedLots": [b.lot_id],
                });
                if let Some(v) = b.price.as_deref().and_then(|x| x.parse::<Decimal>().ok()) {
                    d["value"] = value(p, v);
                }
                details.push(d);
            }
            tender["numberOfTenderers"] = json!(tenderers.len());
            tender["tenderers"] = json!(
                tenderers
                    .iter()
                    .map(|(id, name)| json!({"id": party_id(p, id), "name": name}))
                    .collect::<Vec<_>>()
            );
            for (id, name) in &tenderers {
                parties.push(json!({"id": party_id(p, id), "name": name, "roles": ["tenderer"],
                    "identifier": {"scheme": format!("{}-BRN", p.pack().code.to_uppercase()), "id": id}}));
            }
        }
        let mut bids = json!({"statistics": stats});
        if !details.is_empty() {
            bids["details"] = json!(details);
        }
        release["bids"] = bids;
    }
    let awards = store::awards(c, &row.id)?;
    if !awards.is_empty() {
        let mut out = Vec::new();
        for a in &awards {
            let name = name_of(&a.supplier);
            let pid = party_id(p, &a.supplier);
            if let Some(party) = parties.iter_mut().find(|x| x["id"] == pid.as_str()) {
                if a.status != "cancelled" {
                    party["roles"] = json!(["tenderer", "supplier"]);
                }
            } else {
                parties.push(json!({"id": pid, "name": name, "roles": ["supplier"]}));
            }
            let mut award = json!({
                "id": a.id,
                "title": format!("{} — lot {}", row.title, a.lot_id),
                "status": a.status,
                "date": time(a.decided_at),
                "suppliers": [{"id": pid, "name": name}],
                "relatedLots": [a.lot_id],
                "relatedBid": a.bid_id,
            });
            if let Ok(v) = a.amount.parse::<Decimal>() {
                award["value"] = value(p, v);
            }
            if let Some(end) = row.standstill_end
                && a.status == "pending"
            {
                award["contractPeriod"] = json!({"startDate": time(end)});
            }
            out.push(award);
        }
        release["awards"] = json!(out);
    }
    let contracts = store::contracts(c, &row.id)?;
    if !contracts.is_empty() {
        let mut out = Vec::new();
        for k in &contracts {
            let versions = store::contract_versions(c, &k.id)?;
            let in_force = versions
                .iter()
                .rev()
                .find(|v| v.buyer_signature.is_some() && v.supplier_signature.is_some());
            let shown = in_force.or_else(|| versions.first());
            let terms: Value = shown
                .and_then(|v| serde_json::from_str(&v.terms).ok())
                .unwrap_or(Value::Null);
            let mut contract = json!({
                "id": k.id,
                "awardID": k.award_id,
                "title": terms["title"],
                "status": k.status,
            });
            if let Some(v) = terms["amount"]
                .as_str()
                .and_then(|x| x.parse::<Decimal>().ok())
            {
                contract["value"] = value(p, v);
            }
            if let Some(first) = versions.first()
                && let (Some(b), Some(s)) = (first.buyer_at, first.supplier_at)
            {
                contract["dateSigned"] = json!(time(b.max(s)));
            }
            // The contract's period, from the terms in force (a date is the start of that day
            // in the pack's time zone; an end date runs to the end of its day).
            let day = |d: &Value, end: bool| {
                let d = d.as_str()?.parse::<chrono::NaiveDate>().ok()?;
                let t = if end {
                    d.and_hms_opt(23, 59, 59)?
                } else {
                    d.and_hms_opt(0, 0, 0)?
                };
                let local = t.and_local_timezone(p.pack().time_zone).earliest()?;
                Some(time(local.naive_utc()))
            };
            let mut period = serde_json::Map::new();
            if let Some(s) = day(&terms["start_date"], false) {
                period.insert("startDate".into(), json!(s));
            }
            if let Some(e) = day(&terms["end_date"], true) {
                period.insert("endDate".into(), json!(e));
            }
            if !period.is_empty() {
                contract["period"] = Value::Object(period);
            }
            let terms_of = |v: &store::ContractVersionRow| {
                serde_json::from_str::<Value>(&v.terms).unwrap_or(Value::Null)
            };
            let amended: Vec<Value> = versions
                .windows(2)
                .filter(|w| w[1].buyer_signature.is_some() && w[1].supplier_signature.is_some())
                .map(|w| {
                    let v = &w[1];
                    json!({
                        "id": v.version.to_string(),
                        "date": time(v.created_at),
                        "rationale": v.reason,
                        "description": crate::domain::wording::contract_amendment(
                            &lang,
                            &terms_of(&w[0]),
                            &terms_of(v),
                        ),
                    })
                })
                .collect();
            if !amended.is_empty() {
                contract["amendments"] = json!(amended);
            }
            out.push(contract);
        }
        release["contracts"] = json!(out);
    }
    if status == Status::Cancelled {
        tender["statusDetails"] = json!(row.cancel_reason);
    }
    release["tender"] = tender;
    release["parties"] = json!(parties);
    Ok(release)
}

/// Fields OCDS drops when merging releases into a compiled release.
const OMIT_WHEN_MERGED: [&str; 3] = ["id", "date", "tag"];

/// Merges `from` into `into` by the OCDS merge rules: objects field by field, arrays of
/// objects with `id` by id, anything else replaced; `null` removes a field.
pub fn merge(into: &mut Value, from: &Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                if v.is_null() {
                    a.remove(k);
                } else if let Some(existing) = a.get_mut(k) {
                    merge(existing, v);
                } else {
                    a.insert(k.clone(), v.clone());
                }
            }
        }
        (Value::Array(a), Value::Array(b))
            if !b.is_empty()
                && b.iter().all(|x| x.get("id").is_some())
                && a.iter().all(|x| x.get("id").is_some()) =>
        {
            for item in b {
                if let Some(existing) = a.iter_mut().find(|x| x.get("id") == item.get("id")) {
                    merge(existing, item);
                } else {
                    a.push(item.clone());
                }
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}

/// The compiled release of a tender's releases (in publication order).
pub fn compile(releases: &[Value]) -> Value {
    let mut out = Value::Object(Map::new());
    for r in releases {
        let mut r = r.clone();
        if let Some(o) = r.as_object_mut() {
            for k in OMIT_WHEN_MERGED {
                o.remove(k);
            }
        }
        merge(&mut out, &r);
    }
    if let (Some(o), Some(last)) = (out.as_object_mut(), releases.last()) {
        let ocid = last["ocid"].as_str().unwrap_or_default();
        let date = last["date"].as_str().unwrap_or_default();
        o.insert("id".into(), json!(format!("{ocid}-{date}")));
        o.insert("date".into(), json!(date));
        o.insert("tag".into(), json!(["compiled"]));
    }
    out
}

/// The package envelope's common fields.
pub fn envelope(p: &Procurement, uri: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("uri".into(), json!(uri));
    m.insert("version".into(), json!(VERSION));
    m.insert("extensions".into(), json!(EXTENSIONS));
    m.insert("publishedDate".into(), json!(time(p.now())));
    m.insert("publisher".into(), json!({"name": p.config().publisher}));
    m
}

struct Vendored;

impl jsonschema::Retrieve for Vendored {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        if uri.as_str().trim_end_matches('#') == RELEASE_SCHEMA_URI {
            Ok(serde_json::from_str(RELEASE_SCHEMA)?)
        } else {
            Err(format!("{uri} is not vendored (validation runs offline)").into())
        }
    }
}

/// The validators of the vendored schemas (built once).
pub struct Validators {
    pub release: jsonschema::Validator,
    pub release_extended: jsonschema::Validator,
    pub release_package: jsonschema::Validator,
}

impl std::fmt::Debug for Validators {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Validators")
    }
}

fn build(text: &str) -> Result<jsonschema::Validator, String> {
    let schema: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .with_retriever(Vendored)
        .build(&schema)
        .map_err(|e| format!("{e} at {} ({})", e.instance_path(), e.schema_path()))
}

/// The validators, compiled on first use.
pub fn validators() -> Result<&'static Validators, String> {
    static V: OnceLock<Result<Validators, String>> = OnceLock::new();
    V.get_or_init(|| {
        Ok(Validators {
            release: build(RELEASE_SCHEMA).map_err(|e| format!("release-schema.json: {e}"))?,
            release_extended: build(RELEASE_SCHEMA_EXTENDED)
                .map_err(|e| format!("release-schema-extended.json: {e}"))?,
            release_package: build(RELEASE_PACKAGE_SCHEMA)
                .map_err(|e| format!("release-package-schema.json: {e}"))?,
        })
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// Every problem of a release against the OCDS 1.1.5 schema and the extensions, as
/// `pointer: message` lines (empty: valid).
pub fn check_release(release: &Value) -> Vec<String> {
    let v = match validators() {
        Ok(v) => v,
        Err(e) => return vec![format!("schema: {e}")],
    };
    let mut out: Vec<String> = v
        .release
        .iter_errors(release)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    out.extend(
        v.release_extended
            .iter_errors(release)
            .map(|e| format!("(extensions) {}: {e}", e.instance_path())),
    );
    out
}

/// Every problem of a release package (envelope and each release).
pub fn check_release_package(package: &Value) -> Vec<String> {
    let v = match validators() {
        Ok(v) => v,
        Err(e) => return vec![format!("schema: {e}")],
    };
    let mut out: Vec<String> = v
        .release_package
        .iter_errors(package)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    for r in package["releases"].as_array().into_iter().flatten() {
        out.extend(check_release(r));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_by_id_and_replace() {
        let a = json!({"ocid": "o", "id": "1", "date": "2026-01-01T00:00:00Z", "tag": ["tender"],
            "tender": {"id": "t", "status": "active", "lots": [{"id": "1", "title": "A"}]}});
        let b = json!({"ocid": "o", "id": "2", "date": "2026-01-02T00:00:00Z", "tag": ["award"],
            "tender": {"id": "t", "status": "complete", "lots": [{"id": "1", "status": "complete"}, {"id": "2", "title": "B"}]},
            "awards": [{"id": "a1", "status": "pending"}]});
        let c = compile(&[a, b]);
        assert_eq!(c["tender"]["status"], "complete");
        assert_eq!(c["tender"]["lots"][0]["title"], "A");
        assert_eq!(c["tender"]["lots"][0]["status"], "complete");
        assert_eq!(c["tender"]["lots"][1]["title"], "B");
        assert_eq!(c["tag"], json!(["compiled"]));
        assert_eq!(c["id"], "o-2026-01-02T00:00:00Z");
    }

    #[test]
    fn the_vendored_schema_accepts_a_minimal_release_and_refuses_a_broken_one() {
        let ok = json!({"ocid": "ocds-x-1", "id": "1", "date": "2026-01-01T00:00:00Z",
            "tag": ["tender"], "initiationType": "tender", "tender": {"id": "t"}});
        assert_eq!(check_release(&ok), Vec::<String>::new());
        let mut bad = ok.clone();
        bad["tag"] = json!(["notATag"]);
        bad["tender"]["status"] = json!("open-ish");
        assert!(check_release(&bad).len() >= 2, "{:?}", check_release(&bad));
        let mut no_ocid = ok;
        no_ocid.as_object_mut().map(|o| o.remove("ocid"));
        assert!(!check_release(&no_ocid).is_empty());
    }
}

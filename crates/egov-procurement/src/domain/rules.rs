//! The country pack's procurement rules: `procurement/procurement.toml` — the procurement
//! agency, the review body, deadline slots, how eligibility is checked, and the procedures
//! (method, evaluation rule, minimum bids, periods, opening committee, lottery), each rule with
//! its legal citation. Checked at load; every problem is reported as `file: field: message`
//! and a pack with problems does not start.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use egov_core::CountryPack;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How bids are evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Evaluation {
    /// The lowest valid price (within the estimated price when there is a lottery) wins.
    LowestPrice,
    /// Technical and price points, weighted per procedure (contract by negotiation).
    Weighted,
    /// Qualification review (적격심사): capability points plus price points by the notice's
    /// formula, no bid below the floor award rate; the lowest bid that passes wins.
    Qualification,
}

impl Evaluation {
    /// Whether evaluators enter scores for each valid bid.
    pub fn needs_scores(self) -> bool {
        !matches!(self, Self::LowestPrice)
    }

    /// OCDS `awardCriteria`.
    pub fn ocds(self) -> &'static str {
        match self {
            Self::LowestPrice => "priceOnly",
            Self::Weighted | Self::Qualification => "ratedCriteria",
        }
    }
}

/// The multiple reserve price lottery (복수예비가격).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Lottery {
    /// How many reserve prices are drawn (15 in Korea).
    pub reserve_prices: u8,
    /// The range around the base amount, in basis points (200 = ±2 %).
    pub range_bp: u32,
    /// How many reserve prices each bidder picks (2).
    pub picks: u8,
    /// How many of the most-picked prices are averaged into the estimated price (4).
    pub averaged: u8,
    pub citation: String,
}

/// Weighted technical and price evaluation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Weighted {
    /// Points for the technical part (e.g. 90); with `price`, 100.
    pub technical: u32,
    /// Points for the price part (e.g. 10): `price × lowest valid price / bid price`.
    pub price: u32,
    /// Minimum technical score, as a percentage of the technical points, to be ranked at all.
    #[schema(value_type = String)]
    pub technical_floor: Decimal,
    pub citation: String,
}

/// Qualification review with a floor award rate.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Qualification {
    /// Lowest bid / estimated price, in percent, that can be awarded (낙찰하한율).
    #[schema(value_type = String)]
    pub floor_rate: Decimal,
    /// Price points: `price_points − slope × |target − (bid − A)/(estimated − A) × 100|`, at
    /// least 0, where A is the tender's fixed amount (0 when the notice names none).
    #[schema(value_type = String)]
    pub price_points: Decimal,
    #[schema(value_type = String)]
    pub target: Decimal,
    #[schema(value_type = String)]
    pub slope: Decimal,
    /// The most capability points the evaluators can give.
    #[schema(value_type = String)]
    pub capability_points: Decimal,
    /// Capability plus price points needed to pass.
    #[schema(value_type = String)]
    pub pass_mark: Decimal,
    pub citation: String,
}

/// The opening committee: k of n members' shares open the bids.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Committee {
    pub k: u8,
    pub n: u8,
}

/// A procedure template.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Procedure {
    pub id: String,
    pub names: BTreeMap<String, String>,
    /// OCDS `procurementMethod`: open, selective, limited.
    pub method: String,
    /// The main procurement categories it may be used for: goods, works, services.
    pub categories: Vec<String>,
    pub evaluation: Evaluation,
    /// Fewer valid bids than this makes a lot unsuccessful (유찰).
    pub min_bids: u32,
    /// Shortest time from publication to the deadline, in days.
    pub min_tendering_days: u32,
    /// The standstill after the award decision, in days (complaints against the award).
    pub standstill_days: u32,
    /// The review body decides a complaint within this many days.
    pub complaint_decision_days: u32,
    pub committee: Committee,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lottery: Option<Lottery>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weighted: Option<Weighted>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualification: Option<Qualification>,
    pub citation: String,
}

/// Deadline slots (KONEPS since 2024: on the hour, at most 1,500 per hour).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Deadlines {
    pub on_the_hour: bool,
    pub per_hour: u32,
    pub citation: String,
}

impl Deadlines {
    /// The earliest deadline the rules allow at or after `at`: the next full hour when
    /// deadlines are on the hour (`strict`: the sandbox clock lifts the rule), else `at`.
    pub fn earliest_slot(&self, at: chrono::NaiveDateTime, strict: bool) -> chrono::NaiveDateTime {
        use chrono::{Duration, Timelike as _};
        if !self.on_the_hour || !strict {
            return at;
        }
        let hour = at.date().and_hms_opt(at.hour(), 0, 0).unwrap_or(at);
        if hour == at {
            at
        } else {
            hour + Duration::hours(1)
        }
    }
}

/// How a supplier's tax clearance is obtained through the exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClearanceBasis {
    /// The supplier consents (from its business account) and names the consent.
    Consent,
    /// A statute allows the procurement agency to ask without consent.
    Statute,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Eligibility {
    pub tax_clearance: ClearanceBasis,
    /// The purpose the exchange grant and the consent name.
    pub purpose: String,
    pub citation: String,
}

/// The loaded rules of the active pack.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ProcurementRules)]
pub struct Rules {
    /// The agency that keeps the supplier register and the debarment list.
    pub procurement_agency: String,
    /// The agency whose reviewers decide complaints.
    pub review_body: String,
    pub deadlines: Deadlines,
    pub eligibility: Eligibility,
    pub procedures: Vec<Procedure>,
    /// The buying agencies' names by agency code, per language (the buyer register: the
    /// names published on notices and in OCDS).
    pub buyers: BTreeMap<String, BTreeMap<String, String>>,
}

impl Rules {
    pub fn procedure(&self, id: &str) -> Option<&Procedure> {
        self.procedures.iter().find(|p| p.id == id)
    }

    /// A buying agency's name in `lang` (else in `fallback`), or its code when the register
    /// does not have it.
    pub fn buyer_name<'a>(&'a self, code: &'a str, lang: &str, fallback: &str) -> &'a str {
        self.buyers
            .get(code)
            .and_then(|n| n.get(lang).or_else(|| n.get(fallback)))
            .map_or(code, String::as_str)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BuyerFile {
    code: String,
    names: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    procurement_agency: String,
    review_body: String,
    deadlines: Deadlines,
    eligibility: Eligibility,
    procedures: Vec<ProcedureFile>,
    #[serde(default)]
    buyers: Vec<BuyerFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProcedureFile {
    id: String,
    names: BTreeMap<String, String>,
    method: String,
    categories: Vec<String>,
    evaluation: Evaluation,
    min_bids: u32,
    min_tendering_days: u32,
    standstill_days: u32,
    complaint_decision_days: u32,
    committee: Committee,
    lottery: Option<Lottery>,
    weighted: Option<Weighted>,
    qualification: Option<Qualification>,
    citation: String,
}

/// Problems found in a pack's procurement rules, one line each.
#[derive(Debug, thiserror::Error)]
#[error("procurement rules:\n  {}", .0.join("\n  "))]
pub struct RulesError(pub Vec<String>);

fn id_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn citation(issues: &mut Vec<String>, file: &str, field: &str, c: &str) {
    if c.trim().chars().count() < 5 {
        issues.push(format!("{file}: {field}: a legal citation is required"));
    }
}

/// Loads `<pack>/procurement/procurement.toml`. `Ok(None)` when the pack has no procurement.
pub fn load(pack_dir: &Path, pack: &CountryPack) -> Result<Option<Rules>, RulesError> {
    let path = pack_dir.join("procurement").join("procurement.toml");
    if !path.exists() {
        return Ok(None);
    }
    let file = path.display().to_string();
    let text = std::fs::read_to_string(&path)
        .map_err(|e| RulesError(vec![format!("{file}: cannot be read: {e}")]))?;
    let f: File =
        toml::from_str(&text).map_err(|e| RulesError(vec![format!("{file}: {}", e.message())]))?;
    let mut issues = Vec::new();
    for (field, code) in [
        ("procurement_agency", &f.procurement_agency),
        ("review_body", &f.review_body),
    ] {
        if code.is_empty() || code.len() > 32 {
            issues.push(format!(
                "{file}: {field}: an agency code of 1-32 characters"
            ));
        }
    }
    citation(
        &mut issues,
        &file,
        "deadlines.citation",
        &f.deadlines.citation,
    );
    if f.deadlines.per_hour == 0 {
        issues.push(format!("{file}: deadlines.per_hour: at least 1"));
    }
    citation(
        &mut issues,
        &file,
        "eligibility.citation",
        &f.eligibility.citation,
    );
    if f.eligibility.purpose.is_empty() || f.eligibility.purpose.len() > 64 {
        issues.push(format!("{file}: eligibility.purpose: 1-64 characters"));
    }
    let mut seen = BTreeSet::new();
    let mut procedures = Vec::new();
    for (i, p) in f.procedures.into_iter().enumerate() {
        let at = |field: &str| format!("procedures[{i}].{field}");
        if !id_ok(&p.id) {
            issues.push(format!("{file}: {}: 1-64 of a-z 0-9 -", at("id")));
        }
        if !seen.insert(p.id.clone()) {
            issues.push(format!("{file}: {}: {:?} twice", at("id"), p.id));
        }
        for lang in &pack.languages {
            if !p.names.contains_key(lang) {
                issues.push(format!("{file}: {}: no name in {lang:?}", at("names")));
            }
        }
        if !["open", "selective", "limited"].contains(&p.method.as_str()) {
            issues.push(format!(
                "{file}: {}: one of open, selective, limited",
                at("method")
            ));
        }
        if p.categories.is_empty()
            || p.categories
                .iter()
                .any(|c| !["goods", "works", "services"].contains(&c.as_str()))
        {
            issues.push(format!(
                "{file}: {}: one or more of goods, works, services",
                at("categories")
            ));
        }
        if p.min_bids == 0 {
            issues.push(format!("{file}: {}: at least 1", at("min_bids")));
        }
        let c = p.committee;
        if c.k == 0 || c.k > c.n || c.n > 15 {
            issues.push(format!(
                "{file}: {}: 1 <= k <= n <= 15 (k = {}, n = {})",
                at("committee"),
                c.k,
                c.n
            ));
        }
        citation(&mut issues, &file, &at("citation"), &p.citation);
        if let Some(l) = &p.lottery {
            if !(2..=30).contains(&l.reserve_prices) {
                issues.push(format!("{file}: {}: 2 to 30", at("lottery.reserve_prices")));
            }
            if l.range_bp == 0 || l.range_bp >= 10_000 {
                issues.push(format!(
                    "{file}: {}: 1 to 9,999 basis points",
                    at("lottery.range_bp")
                ));
            }
            if l.picks == 0 || l.picks >= l.reserve_prices {
                issues.push(format!(
                    "{file}: {}: at least 1 and fewer than the reserve prices",
                    at("lottery.picks")
                ));
            }
            if l.averaged == 0 || l.averaged > l.reserve_prices {
                issues.push(format!(
                    "{file}: {}: 1 to the number of reserve prices",
                    at("lottery.averaged")
                ));
            }
            citation(&mut issues, &file, &at("lottery.citation"), &l.citation);
        }
        match p.evaluation {
            Evaluation::LowestPrice => {}
            Evaluation::Weighted => match &p.weighted {
                None => issues.push(format!(
                    "{file}: {}: required for evaluation = \"weighted\"",
                    at("weighted")
                )),
                Some(w) => {
                    if w.technical + w.price != 100 {
                        issues.push(format!(
                            "{file}: {}: technical + price must be 100 (is {})",
                            at("weighted"),
                            w.technical + w.price
                        ));
                    }
                    if w.technical_floor < Decimal::ZERO || w.technical_floor > Decimal::from(100) {
                        issues.push(format!(
                            "{file}: {}: 0 to 100 (percent)",
                            at("weighted.technical_floor")
                        ));
                    }
                    citation(&mut issues, &file, &at("weighted.citation"), &w.citation);
                }
            },
            Evaluation::Qualification => match &p.qualification {
                None => issues.push(format!(
                    "{file}: {}: required for evaluation = \"qualification\"",
                    at("qualification")
                )),
                Some(q) => {
                    if q.floor_rate <= Decimal::ZERO || q.floor_rate > Decimal::from(100) {
                        issues.push(format!(
                            "{file}: {}: above 0, at most 100 (percent)",
                            at("qualification.floor_rate")
                        ));
                    }
                    if q.price_points <= Decimal::ZERO
                        || q.capability_points < Decimal::ZERO
                        || q.slope < Decimal::ZERO
                    {
                        issues.push(format!(
                            "{file}: {}: points must be positive and the slope not negative",
                            at("qualification")
                        ));
                    }
                    if q.pass_mark > q.price_points + q.capability_points {
                        issues.push(format!(
                            "{file}: {}: higher than the points a bid can get",
                            at("qualification.pass_mark")
                        ));
                    }
                    if p.lottery.is_none() {
                        issues.push(format!(
                            "{file}: {}: qualification review needs an estimated price (a lottery)",
                            at("lottery")
                        ));
                    }
                    citation(
                        &mut issues,
                        &file,
                        &at("qualification.citation"),
                        &q.citation,
                    );
                }
            },
        }
        procedures.push(Procedure {
            id: p.id,
            names: p.names,
            method: p.method,
            categories: p.categories,
            evaluation: p.evaluation,
            min_bids: p.min_bids,
            min_tendering_days: p.min_tendering_days,
            standstill_days: p.standstill_days,
            complaint_decision_days: p.complaint_decision_days,
            committee: p.committee,
            lottery: p.lottery,
            weighted: p.weighted,
            qualification: p.qualification,
            citation: p.citation,
        });
    }
    if procedures.is_empty() {
        issues.push(format!("{file}: procedures: at least one"));
    }
    let mut buyers = BTreeMap::new();
    for (i, b) in f.buyers.into_iter().enumerate() {
        if b.code.is_empty() || b.code.len() > 32 {
            issues.push(format!("{file}: buyers[{i}].code: 1-32 characters"));
        }
        for lang in &pack.languages {
            if b.names.get(lang).is_none_or(|n| n.trim().is_empty()) {
                issues.push(format!("{file}: buyers[{i}].names: no name in {lang:?}"));
            }
        }
        if buyers.insert(b.code.clone(), b.names).is_some() {
            issues.push(format!("{file}: buyers[{i}].code: {:?} twice", b.code));
        }
    }
    if !issues.is_empty() {
        return Err(RulesError(issues));
    }
    Ok(Some(Rules {
        procurement_agency: f.procurement_agency,
        review_body: f.review_body,
        deadlines: f.deadlines,
        eligibility: f.eligibility,
        procedures,
        buyers,
    }))
}

#[cfg(test)]
mod tests {
    use super::Deadlines;
    use chrono::NaiveDate;

    fn at(h: u32, m: u32, s: u32) -> chrono::NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 7)
            .and_then(|d| d.and_hms_opt(h, m, s))
            .expect("time")
    }

    #[test]
    fn time_given_back_lands_on_the_next_full_hour() {
        let d = Deadlines {
            on_the_hour: true,
            per_hour: 1500,
            citation: "PPS 2024".into(),
        };
        assert_eq!(d.earliest_slot(at(10, 0, 0), true), at(10, 0, 0));
        assert_eq!(d.earliest_slot(at(10, 0, 1), true), at(11, 0, 0));
        assert_eq!(d.earliest_slot(at(10, 37, 12), true), at(11, 0, 0));
        assert_eq!(
            d.earliest_slot(at(23, 30, 0), true),
            at(0, 0, 0) + chrono::Duration::days(1)
        );
        // The sandbox clock lifts the rule; packs without it keep the minute.
        assert_eq!(d.earliest_slot(at(10, 37, 12), false), at(10, 37, 12));
        let free = Deadlines {
            on_the_hour: false,
            ..d
        };
        assert_eq!(free.earliest_slot(at(10, 37, 12), true), at(10, 37, 12));
    }
}

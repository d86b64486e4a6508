//! Ranking of one lot's opened bids by the procedure's evaluation rule (pure), with a full
//! explanation per bidder: what counted, what excluded a bid, the points and the rank.

use chrono::NaiveDateTime;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::rules::{Evaluation, Procedure};

/// A valid bid as the ranking sees it.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub bid_id: String,
    pub supplier: String,
    pub price: Decimal,
    pub received_at: NaiveDateTime,
    /// The evaluators' mean score (technical 0–100, or capability points); `None` without.
    pub score: Option<Decimal>,
}

/// One bidder's line in the ranking.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Ranked {
    pub bid_id: String,
    pub supplier: String,
    #[schema(value_type = String)]
    pub price: Decimal,
    /// 1 = best; `None` when excluded.
    pub rank: Option<u32>,
    #[schema(value_type = Option<String>)]
    pub technical_points: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub price_points: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub total: Option<Decimal>,
    /// How the rule was applied to this bid, in order.
    pub explanation: Vec<String>,
}

/// A lot's ranking.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Ranking {
    pub lot: String,
    pub rule: Evaluation,
    pub citation: String,
    #[schema(value_type = Option<String>)]
    pub estimated_price: Option<Decimal>,
    pub bidders: Vec<Ranked>,
    /// The bid proposed for award, if any.
    pub winner: Option<String>,
}

fn r4(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

fn line(c: &Candidate) -> Ranked {
    Ranked {
        bid_id: c.bid_id.clone(),
        supplier: c.supplier.clone(),
        price: c.price,
        rank: None,
        technical_points: None,
        price_points: None,
        total: None,
        explanation: Vec::new(),
    }
}

/// Ranks one lot. `a_amount` is the notice's fixed amount A of the qualification price formula.
pub fn rank(
    lot: &str,
    p: &Procedure,
    estimated: Option<Decimal>,
    a_amount: Decimal,
    candidates: &[Candidate],
) -> Ranking {
    let mut out: Vec<Ranked> = Vec::new();
    let mut eligible: Vec<(usize, &Candidate)> = Vec::new();
    for c in candidates {
        let mut r = line(c);
        r.explanation.push(format!("price {}", c.price));
        let mut ok = true;
        if let Some(e) = estimated
            && c.price > e
        {
            r.explanation
                .push(format!("excluded: above the estimated price {e}"));
            ok = false;
        }
        out.push(r);
        if ok {
            eligible.push((out.len() - 1, c));
        }
    }
    let citation;
    let order: Vec<usize>;
    match p.evaluation {
        Evaluation::LowestPrice => {
            citation = p.citation.clone();
            let mut e = eligible.clone();
            e.sort_by(|a, b| {
                a.1.price
                    .cmp(&b.1.price)
                    .then(a.1.received_at.cmp(&b.1.received_at))
            });
            for (i, _) in &e {
                out[*i]
                    .explanation
                    .push("ranked by price, lowest first (ties: earlier receipt)".into());
            }
            order = e.into_iter().map(|(i, _)| i).collect();
        }
        Evaluation::Weighted => {
            let Some(w) = p.weighted.as_ref() else {
                return empty(lot, p, estimated, out);
            };
            citation = w.citation.clone();
            let mut kept = Vec::new();
            for (i, c) in &eligible {
                let tech = c.score.unwrap_or_default();
                if c.score.is_none() {
                    out[*i]
                        .explanation
                        .push("excluded: no technical score".into());
                } else if tech < w.technical_floor {
                    out[*i].explanation.push(format!(
                        "excluded: technical score {tech} below the threshold {}",
                        w.technical_floor
                    ));
                } else {
                    kept.push((*i, *c, tech));
                }
            }
            let lowest = kept.iter().map(|(_, c, _)| c.price).min();
            let mut scored = Vec::new();
            for (i, c, tech) in kept {
                let tp = r4(tech * Decimal::from(w.technical) / Decimal::from(100));
                let pp = match lowest {
                    Some(l) if !c.price.is_zero() => r4(Decimal::from(w.price) * l / c.price),
                    _ => Decimal::ZERO,
                };
                let total = r4(tp + pp);
                let r = &mut out[i];
                r.explanation.push(format!(
                    "technical {tech} % x {} = {tp}; price {} x lowest {} / {} = {pp}; total {total}",
                    w.technical,
                    w.price,
                    lowest.unwrap_or_default(),
                    c.price
                ));
                r.technical_points = Some(tp);
                r.price_points = Some(pp);
                r.total = Some(total);
                scored.push((i, c, tp, total));
            }
            scored.sort_by(|a, b| {
                b.3.cmp(&a.3)
                    .then(b.2.cmp(&a.2))
                    .then(a.1.price.cmp(&b.1.price))
                    .then(a.1.received_at.cmp(&b.1.received_at))
            });
            order = scored.into_iter().map(|(i, ..)| i).collect();
        }
        Evaluation::Qualification => {
            let (Some(q), Some(e)) = (p.qualification.as_ref(), estimated) else {
                return empty(lot, p, estimated, out);
            };
            citation = q.citation.clone();
            let hundred = Decimal::from(100);
            let mut passing = Vec::new();
            for (i, c) in &eligible {
                let r = &mut out[*i];
                let ratio = if e.is_zero() {
                    Decimal::ZERO
                } else {
                    r4(c.price / e * hundred)
                };
                if ratio < q.floor_rate {
                    r.explanation.push(format!(
                        "excluded: {ratio} % of the estimated price, below the floor award rate {} %",
                        q.floor_rate
                    ));
                    continue;
                }
                let denom = e - a_amount;
                let adjusted = if denom.is_zero() {
                    Decimal::ZERO
                } else {
                    (c.price - a_amount) / denom * hundred
                };
                let pp = r4((q.price_points - q.slope * (q.target - adjusted).abs())
                    .max(Decimal::ZERO)
                    .min(q.price_points));
                let cap = c.score.unwrap_or_default().min(q.capability_points);
                let total = r4(cap + pp);
                r.explanation.push(format!(
                    "{ratio} % of the estimated price {e}; price points {} - {} x |{} - {}| = {pp}; capability {cap}; total {total}",
                    q.price_points,
                    q.slope,
                    q.target,
                    r4(adjusted)
                ));
                r.technical_points = Some(cap);
                r.price_points = Some(pp);
                r.total = Some(total);
                if total >= q.pass_mark {
                    r.explanation
                        .push(format!("passes (at least {})", q.pass_mark));
                    passing.push((*i, *c));
                } else {
                    r.explanation
                        .push(format!("fails: below the pass mark {}", q.pass_mark));
                }
            }
            passing.sort_by(|a, b| {
                a.1.price
                    .cmp(&b.1.price)
                    .then(a.1.received_at.cmp(&b.1.received_at))
            });
            for (i, _) in &passing {
                out[*i]
                    .explanation
                    .push("passing bids ranked by price, lowest first".into());
            }
            order = passing.into_iter().map(|(i, _)| i).collect();
        }
    }
    for (n, i) in order.iter().enumerate() {
        out[*i].rank = Some(u32::try_from(n + 1).unwrap_or(u32::MAX));
    }
    let winner = order.first().map(|i| out[*i].bid_id.clone());
    out.sort_by_key(|r| (r.rank.is_none(), r.rank));
    Ranking {
        lot: lot.to_owned(),
        rule: p.evaluation,
        citation,
        estimated_price: estimated,
        bidders: out,
        winner,
    }
}

fn empty(lot: &str, p: &Procedure, estimated: Option<Decimal>, out: Vec<Ranked>) -> Ranking {
    Ranking {
        lot: lot.to_owned(),
        rule: p.evaluation,
        citation: p.citation.clone(),
        estimated_price: estimated,
        bidders: out,
        winner: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::rules::{Committee, Qualification, Weighted};

    fn procedure(evaluation: Evaluation) -> Procedure {
        Procedure {
            id: "p".into(),
            names: Default::default(),
            method: "open".into(),
            categories: vec!["goods".into()],
            evaluation,
            min_bids: 1,
            min_tendering_days: 0,
            standstill_days: 0,
            complaint_decision_days: 1,
            committee: Committee { k: 1, n: 1 },
            lottery: None,
            weighted: Some(Weighted {
                technical: 90,
                price: 10,
                technical_floor: Decimal::from(85),
                citation: "weights".into(),
            }),
            qualification: Some(Qualification {
                floor_rate: Decimal::new(89745, 3),
                price_points: Decimal::from(70),
                target: Decimal::from(88),
                slope: Decimal::from(4),
                capability_points: Decimal::from(30),
                pass_mark: Decimal::from(95),
                citation: "qualification".into(),
            }),
            citation: "law".into(),
        }
    }

    fn c(id: &str, price: i64, score: Option<i64>, sec: u32) -> Candidate {
        Candidate {
            bid_id: id.into(),
            supplier: format!("s-{id}"),
            price: Decimal::from(price),
            received_at: chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, sec))
                .unwrap_or_default(),
            score: score.map(Decimal::from),
        }
    }

    #[test]
    fn lowest_price_excludes_above_estimate_and_breaks_ties_by_receipt() {
        let p = procedure(Evaluation::LowestPrice);
        let r = rank(
            "1",
            &p,
            Some(Decimal::from(100)),
            Decimal::ZERO,
            &[
                c("a", 90, None, 2),
                c("b", 90, None, 1),
                c("x", 101, None, 0),
            ],
        );
        assert_eq!(r.winner.as_deref(), Some("b"));
        let x = r.bidders.iter().find(|b| b.bid_id == "x").expect("x");
        assert_eq!(x.rank, None);
        assert!(
            x.explanation
                .iter()
                .any(|e| e.contains("above the estimated"))
        );
    }

    #[test]
    fn weighted_90_10_with_a_technical_floor() {
        let p = procedure(Evaluation::Weighted);
        let r = rank(
            "1",
            &p,
            None,
            Decimal::ZERO,
            &[
                c("a", 100, Some(90), 0),
                c("b", 80, Some(86), 0),
                c("c", 50, Some(80), 0),
            ],
        );
        // a: 81 + 10*80/100 = 89; b: 77.4 + 10 = 87.4; c below the floor.
        assert_eq!(r.winner.as_deref(), Some("a"));
        assert_eq!(r.bidders[0].total, Some(Decimal::from(89)));
        assert_eq!(r.bidders[1].total, Some(Decimal::new(874, 1)));
        assert_eq!(r.bidders[2].rank, None);
    }

    #[test]
    fn qualification_floor_rate_and_pass_mark() {
        let p = procedure(Evaluation::Qualification);
        let e = Some(Decimal::from(1000));
        let r = rank(
            "1",
            &p,
            e,
            Decimal::ZERO,
            &[
                c("low", 880, Some(30), 0),  // 88 %: below the floor 89.745 %
                c("good", 900, Some(30), 0), // 90 %: 70 - 4*2 = 62 + 30 = 92 < 95: fails
                c("best", 890, Some(30), 0), // 89 %: below the floor
                c("ok", 898, Some(30), 0),   // 89.8 %: 70 - 4*1.8 = 62.8 + 30 = 92.8: fails
            ],
        );
        assert_eq!(r.winner, None);
        let p2 = Procedure {
            qualification: p.qualification.clone().map(|mut q| {
                q.pass_mark = Decimal::from(92);
                q
            }),
            ..p
        };
        let r = rank(
            "1",
            &p2,
            e,
            Decimal::ZERO,
            &[
                c("good", 900, Some(30), 0),
                c("ok", 898, Some(30), 0),
                c("low", 880, Some(30), 0),
            ],
        );
        assert_eq!(r.winner.as_deref(), Some("ok"));
        let low = r.bidders.iter().find(|b| b.bid_id == "low").expect("low");
        assert!(low.explanation[1].contains("below the floor award rate"));
    }
}

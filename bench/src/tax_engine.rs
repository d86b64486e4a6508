//! Rules-engine throughput on one core: the `kr` pack's wage tax evaluated for varied
//! households, without and with the trace. The pack's per-person rules are all exercised:
//! each dependant has an income of their own (some above the limit, some with wages only),
//! which every allowance and count filters on. Prints `key=value` lines for `bench/run`.

#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use egov_tax::domain::RuleSet;
use egov_tax::domain::rules::Op;
use serde_json::json;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let rules = RuleSet::load(&root.join("config/countries/kr/tax/2026.toml")).expect("rules");
    let secs: u64 = std::env::var("SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    // 1,000 households: wages from 10M to 210M won, 0-3 children, some with a spouse,
    // parents, pension and insurance contributions, rent; every dependant with an income of
    // their own (0 to 7M won: some above the 1M limit), some with wages only.
    let inputs: Vec<_> = (0..1000u32)
        .map(|i| {
            let mut deps = Vec::new();
            if i % 2 == 0 {
                deps.push(
                    json!({"relation": "spouse", "age": 40, "income": u64::from(i) * 7_000,
                                 "wage_income_only": i % 8 == 0}),
                );
            }
            for k in 0..(i % 4) {
                deps.push(json!({"relation": "child", "age": 5 + 4 * k,
                                 "income": if k == 2 { 1_500_000 } else { 0 }}));
            }
            if i % 5 == 0 {
                deps.push(
                    json!({"relation": "parent", "age": 72, "disabled": i % 10 == 0,
                                 "income": u64::from(i % 3) * 600_000}),
                );
            }
            let v = json!({
                "wages": 10_000_000 + u64::from(i) * 200_000,
                "pension_contributions": u64::from(i) * 4_500,
                "insurance_premiums": if i % 3 == 0 { 0 } else { u64::from(i) * 3_500 },
                "rent_paid": if i % 7 == 0 { 6_000_000 + u64::from(i) * 10_000 } else { 0 },
                "homeless_householder": i % 7 == 0,
                "dependants": deps,
                "withheld_income_tax": u64::from(i) * 10_000,
            });
            let serde_json::Value::Object(m) = v else {
                unreachable!()
            };
            rules.prepare(&m).expect("inputs")
        })
        .collect();
    let run = |trace: bool| -> f64 {
        let mut slots = Vec::with_capacity(rules.slots());
        let mut n = 0u64;
        let mut sink = rust_decimal::Decimal::ZERO;
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(secs) {
            for p in &inputs {
                if trace {
                    let o = rules.evaluate(p, true);
                    sink += o.get("total_tax");
                } else {
                    rules.evaluate_into(p, &mut slots);
                    sink += slots[slots.len() - 1];
                }
            }
            n += inputs.len() as u64;
        }
        std::hint::black_box(sink);
        n as f64 / start.elapsed().as_secs_f64()
    };
    let plain = run(false);
    let traced = run(true);
    let per_person = rules
        .nodes
        .iter()
        .filter(|n| match &n.op {
            Op::Allowance { filter, .. }
            | Op::Count { filter, .. }
            | Op::PeopleSum { filter, .. } => !filter.conditions.is_empty(),
            _ => false,
        })
        .count();
    let people: usize = inputs
        .iter()
        .map(|p| p.people.iter().map(Vec::len).sum::<usize>())
        .sum();
    println!("values={}", rules.nodes.len());
    println!("per_person_rules={per_person}");
    println!(
        "people_per_household={:.2}",
        people as f64 / inputs.len() as f64
    );
    println!("plain_per_s={plain:.0}");
    println!("trace_per_s={traced:.0}");
    println!("plain_us={:.2}", 1e6 / plain);
    println!("trace_us={:.2}", 1e6 / traced);
}

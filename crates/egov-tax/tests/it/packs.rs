//! Every country pack's tax test cases pass, and every pack's rules load.

use std::path::PathBuf;

use egov_tax::domain::{RuleSet, cases};

fn packs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config/countries")
}

fn files(suffix: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for pack in std::fs::read_dir(packs_dir()).expect("packs dir") {
        let tax = pack.expect("entry").path().join("tax");
        let Ok(entries) = std::fs::read_dir(&tax) else {
            continue;
        };
        for e in entries {
            let p = e.expect("entry").path();
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            if name.ends_with(suffix) && (suffix != ".toml" || !name.ends_with(".tests.toml")) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_pack_rules_file_loads() {
    let rules = files(".toml");
    assert!(rules.len() >= 2, "kr and py ship rules: {rules:?}");
    for f in rules {
        let set = RuleSet::load(&f).unwrap_or_else(|e| panic!("{e}"));
        assert!(!set.nodes.is_empty());
        assert!(set.nodes.iter().all(|n| !n.cite.is_empty()));
        assert!(set.warnings().is_empty(), "{f:?}: {:?}", set.warnings());
    }
}

#[test]
fn each_pack_uses_the_rule_language_it_needs() {
    use egov_tax::domain::rules::{InputType, Match, Op};
    let kr26 = RuleSet::load(&packs_dir().join("kr/tax/2026.toml")).expect("kr 2026");
    // Dependants' own income decides who counts (ITA art. 50(1)).
    let deps = kr26.input("dependants").expect("dependants");
    assert_eq!(deps.fields, [("income".to_owned(), InputType::Money)]);
    let filtered = kr26
        .nodes
        .iter()
        .filter(|n| match &n.op {
            Op::Allowance { filter, .. } | Op::Count { filter, .. } => {
                !filter.conditions.is_empty()
            }
            _ => false,
        })
        .count();
    assert_eq!(
        filtered, 8,
        "every allowance and count over dependants checks their income"
    );
    // "Up to" a total wage (the monthly rent credit).
    assert!(
        kr26.nodes
            .iter()
            .any(|n| matches!(&n.op, Op::Lookup(t) if t.axes[0].matching == Match::Upto))
    );
    // Next year builds on this one.
    for pack in ["kr", "py"] {
        let next = RuleSet::load(&packs_dir().join(pack).join("tax/2027.toml")).expect("2027");
        assert_eq!(next.files.len(), 2, "{pack} 2027 extends 2026");
        assert_eq!(next.year, 2027);
        assert!(
            next.calendar
                .iter()
                .all(|d| d.due.to_string().starts_with("2028-"))
        );
    }
    // Both currencies have no minor units.
    let py26 = RuleSet::load(&packs_dir().join("py/tax/2026.toml")).expect("py 2026");
    assert_eq!((kr26.minor_units, py26.minor_units), (0, 0));
}

#[test]
fn every_pack_test_case_passes() {
    let tests = files(".tests.toml");
    assert!(tests.len() >= 2, "kr and py ship tests: {tests:?}");
    for f in tests {
        let report = cases::run(&f).unwrap_or_else(|e| panic!("{e}"));
        for m in &report.failures {
            eprintln!(
                "{}:{}: {}: {} expected {} got {:?}: {}",
                f.display(),
                m.line,
                m.case,
                m.name,
                m.expected,
                m.actual,
                m.message
            );
        }
        assert!(
            report.passed(),
            "{}: {} failures",
            f.display(),
            report.failures.len()
        );
        if f.ends_with("kr/tax/2026.tests.toml") {
            assert!(report.cases >= 30, "kr has at least 30 cases");
        }
    }
}

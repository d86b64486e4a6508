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
    }
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
        if f.to_string_lossy().contains("/kr/") {
            assert!(report.cases >= 30, "kr has at least 30 cases");
        }
    }
}

//! The worked example of `docs/tax/rule-language.md` runs exactly as the page writes it: its
//! files are copied out of the page (each code block after `<!-- example: <path> -->`) and
//! their test cases run, so the guide cannot drift from the engine.

use std::path::PathBuf;

use egov_tax::domain::{RuleSet, cases};

fn page() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/tax/rule-language.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `(path, text)` of every example file on the page.
fn example_files(page: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(at) = rest.find("<!-- example: ") {
        rest = &rest[at + "<!-- example: ".len()..];
        let end = rest.find(" -->").expect("marker end");
        let path = rest[..end].to_owned();
        let open = rest
            .find("```toml\n")
            .expect("a toml block after the marker")
            + 8;
        let close = open + rest[open..].find("\n```").expect("block end");
        out.push((path, format!("{}\n", &rest[open..close])));
        rest = &rest[close..];
    }
    out
}

#[test]
fn the_worked_example_runs_as_written() {
    let files = example_files(&page());
    let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        names,
        [
            "lanora/tax/2026.toml",
            "lanora/tax/2026.tests.toml",
            "lanora/tax/2027.toml",
            "lanora/tax/2027.tests.toml"
        ]
    );
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in &files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
    }
    let tax = dir.path().join("lanora/tax");
    let y2026 = RuleSet::load(&tax.join("2026.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((y2026.currency.as_str(), y2026.minor_units), ("TND", 3));
    assert!(y2026.warnings().is_empty(), "{:?}", y2026.warnings());
    for (file, at_least) in [("2026.tests.toml", 8), ("2027.tests.toml", 1)] {
        let report = cases::run(&tax.join(file)).unwrap_or_else(|e| panic!("{e}"));
        for m in &report.failures {
            eprintln!(
                "{file}:{}: {}: {} expected {} got {:?}: {}",
                m.line, m.case, m.name, m.expected, m.actual, m.message
            );
        }
        assert!(
            report.passed(),
            "{file}: {} failures",
            report.failures.len()
        );
        assert!(report.cases >= at_least, "{file}: {} cases", report.cases);
    }
    let y2027 = RuleSet::load(&tax.join("2027.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(y2027.files.len(), 2);
}

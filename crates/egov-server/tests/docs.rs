//! The error-code table in `docs/errors.md` stays in step with the code of every registered
//! module.

use egov_server::registered_modules;

#[test]
fn every_error_code_is_documented_with_its_status() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/errors.md"))
        .expect("docs/errors.md");
    let mut seen = std::collections::BTreeSet::new();
    for module in registered_modules() {
        for code in module.error_codes() {
            let row = format!("| `{}` | {} | {} |", code.code, code.status, code.title);
            assert!(
                doc.contains(&row),
                "docs/errors.md lacks the row starting {row} ({} module)",
                module.name()
            );
            assert!(seen.insert(code.code), "duplicate code {}", code.code);
        }
    }
    assert!(seen.len() > 20);
}

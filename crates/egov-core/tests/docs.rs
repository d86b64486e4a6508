//! The error-code table in `docs/errors.md` stays in step with the code.

use egov_core::codes;

#[test]
fn every_platform_error_code_is_documented_with_its_status() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/errors.md"))
        .expect("docs/errors.md");
    for code in codes::ALL {
        let row = format!("| `{}` | {} | {} |", code.code, code.status, code.title);
        assert!(
            doc.contains(&row),
            "docs/errors.md lacks the row starting {row}"
        );
    }
    let mut seen = std::collections::BTreeSet::new();
    for code in codes::ALL {
        assert!(seen.insert(code.code), "duplicate code {}", code.code);
    }
}

//! `docs/errors.md` is generated from the modules' error tables (`egov_core::error_codes!`):
//! each block between `<!-- generated: error codes of MODULE … -->` and
//! `<!-- end of generated -->` is the table of that module's codes. The prose around the
//! blocks is written by hand. `crates/egov-server/tests/it/docs.rs` fails when the file differs
//! from what this produces, and rewrites it with `EGOV_BLESS=1`.

use egov_core::Module;

const START: &str = "<!-- generated: error codes of ";
const END: &str = "<!-- end of generated -->";

/// The table of one module's codes.
pub fn table(module: &dyn Module) -> String {
    let mut out = String::from("| Code | Status | Title | When |\n|---|---|---|---|\n");
    for c in module.error_codes() {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            c.code, c.status, c.title, c.when
        ));
    }
    out
}

/// `doc` with every generated block replaced by the current table of its module. An unknown
/// module name or an unterminated block is an error.
pub fn regenerate(doc: &str, modules: &[&'static dyn Module]) -> Result<String, String> {
    let mut out = String::with_capacity(doc.len());
    let mut rest = doc;
    while let Some(at) = rest.find(START) {
        let line_end = rest[at..]
            .find('\n')
            .map(|n| at + n + 1)
            .ok_or("a generated-block marker ends the file")?;
        let marker = &rest[at..line_end];
        let name = marker[START.len()..]
            .split_whitespace()
            .next()
            .ok_or("a generated-block marker names no module")?;
        let module = modules
            .iter()
            .find(|m| m.name() == name)
            .ok_or_else(|| format!("no registered module `{name}`"))?;
        let end = rest[line_end..]
            .find(END)
            .map(|n| line_end + n)
            .ok_or_else(|| format!("the block of `{name}` is not closed"))?;
        out.push_str(&rest[..line_end]);
        out.push_str(&table(*module));
        rest = &rest[end..];
    }
    out.push_str(rest);
    Ok(out)
}

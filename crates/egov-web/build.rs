//! Embeds every icon under `assets/krds/icons/` (the vendoring script decides which).

use std::fmt::Write as _;

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/krds/icons");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".svg"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut out = String::from("&[\n");
    for n in names {
        let _ = writeln!(
            out,
            "    ({n:?}, include_bytes!({:?}) as &[u8]),",
            dir.join(&n).display().to_string()
        );
    }
    out.push(']');
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("icons.rs");
    std::fs::write(dest, out).expect("icons.rs");
}

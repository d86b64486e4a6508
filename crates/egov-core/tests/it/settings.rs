//! Settings: layering, unknown keys, secrets.

use std::path::{Path, PathBuf};

use egov_core::Settings;

fn config_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config")
}

fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// A config dir with the shipped default.toml and the given environment file.
fn dir_with(env_name: &str, env_toml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(
        config_dir().join("default.toml"),
        dir.path().join("default.toml"),
    )
    .expect("copy default.toml");
    std::fs::write(dir.path().join(format!("{env_name}.toml")), env_toml).expect("write");
    dir
}

fn load(dir: &Path, env: &str, v: &[(&str, &str)]) -> Result<Settings, String> {
    Settings::load_from(dir, env, vars(v)).map_err(|e| e.to_string())
}

#[test]
fn shipped_defaults_load() {
    let s = load(&config_dir(), "local", &[]).expect("defaults load");
    assert_eq!(s.database.url.expose(), "sqlite://data/egov.db");
    assert_eq!(s.country.code, "kr");
    assert!(s.server.modules.is_empty());
    let prod = load(&config_dir(), "production", &[]).expect("production loads");
    assert_eq!(prod.server.bind.to_string(), "0.0.0.0:8080");
    assert_eq!(prod.database.pool_size, 16);
}

#[test]
fn layers_apply_in_order_file_then_environment_file_then_variables() {
    let dir = dir_with(
        "staging",
        "[database]\npool_size = 3\n[country]\ncode = \"py\"\n",
    );
    let s = load(dir.path(), "staging", &[]).expect("loads");
    assert_eq!(s.database.pool_size, 3);
    assert_eq!(s.country.code, "py");
    let s = load(
        dir.path(),
        "staging",
        &[
            ("EGOV__DATABASE__POOL_SIZE", "5"),
            ("EGOV__SERVER__MODULES", "petition,tax"),
            ("EGOV__SERVER__ACCESS_LOG", "false"),
            ("UNRELATED", "ignored"),
        ],
    )
    .expect("loads");
    assert_eq!(s.database.pool_size, 5);
    assert_eq!(s.server.modules, ["petition", "tax"]);
    assert!(!s.server.access_log);
}

#[test]
fn an_unknown_key_in_a_file_is_an_error_naming_it() {
    let dir = dir_with("staging", "[database]\npool_sise = 3\n");
    let err = load(dir.path(), "staging", &[]).expect_err("unknown key refused");
    assert!(err.contains("pool_sise"), "{err}");
    // A section that is neither the platform's nor a module's: the server checks the sections
    // against the modules it is built with.
    let dir = dir_with("staging", "[databse]\nurl = \"sqlite://x.db\"\n");
    let loaded = load(dir.path(), "staging", &[]).expect("module sections are loaded as given");
    let err = loaded
        .check_sections(&["tax", "petition", "procurement", "docflow"])
        .expect_err("unknown section refused")
        .to_string();
    assert!(err.contains("databse"), "{err}");
    let shipped = load(&config_dir(), "local", &[]).expect("defaults load");
    shipped
        .check_sections(&["tax", "petition", "procurement", "docflow", "web", "notify"])
        .expect("the shipped sections are the modules', the web layer's and the notices'");
}

#[test]
fn an_unknown_environment_variable_is_an_error_naming_it() {
    let err = load(
        &config_dir(),
        "local",
        &[("EGOV__SERVER__BINDD", "0.0.0.0:1")],
    )
    .expect_err("unknown variable refused");
    assert!(err.contains("bindd"), "{err}");
}

#[test]
fn a_value_of_the_wrong_type_is_an_error_naming_the_key() {
    let err = load(
        &config_dir(),
        "local",
        &[("EGOV__DATABASE__POOL_SIZE", "many")],
    )
    .expect_err("bad type refused");
    assert!(err.contains("pool_size"), "{err}");
    let err = load(
        &config_dir(),
        "local",
        &[("EGOV__DATABASE__POOL_SIZE", "0")],
    )
    .expect_err("zero refused");
    assert!(err.contains("pool_size"), "{err}");
}

#[test]
fn a_missing_config_dir_or_odd_environment_name_is_an_error() {
    let err = load(Path::new("/nonexistent"), "local", &[]).expect_err("missing dir refused");
    assert!(err.contains("default.toml"), "{err}");
    let err = load(&config_dir(), "../etc", &[]).expect_err("path-like environment refused");
    assert!(err.contains("EGOV_ENVIRONMENT"), "{err}");
}

#[test]
fn secrets_never_appear_in_debug_or_display() {
    let s = load(
        &config_dir(),
        "local",
        &[(
            "EGOV__DATABASE__URL",
            "postgres://egov:s3cr3t-pw@db.internal:5432/egov",
        )],
    )
    .expect("loads");
    let debug = format!("{s:?}");
    assert!(!debug.contains("s3cr3t-pw"), "{debug}");
    assert!(
        debug.contains("postgres://egov:***@db.internal:5432/egov"),
        "{debug}"
    );
    assert!(!s.database.url.to_string().contains("s3cr3t-pw"));
    assert_eq!(
        s.database.url.expose(),
        "postgres://egov:s3cr3t-pw@db.internal:5432/egov"
    );
}

#[test]
fn a_module_types_its_own_section_and_names_a_wrong_key() {
    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Tax {
        agency: String,
        clearance_valid_days: u32,
        income_certificate_valid_days: u32,
        verification_days: u32,
        notify_poll_ms: u64,
        notify_max_attempts: u32,
        allow_early_filing: bool,
        pdf_fonts: Vec<std::path::PathBuf>,
    }
    let s = load(
        &config_dir(),
        "local",
        &[("EGOV__TAX__ALLOW_EARLY_FILING", "true")],
    )
    .expect("loads");
    let tax: Tax = s.section("tax").expect("typed by the module");
    assert!(tax.allow_early_filing);
    let s = load(&config_dir(), "local", &[("EGOV__TAX__AGENCYY", "X")]).expect("loads");
    let err = s
        .section::<Tax>("tax")
        .expect_err("unknown key refused")
        .to_string();
    assert!(err.contains("agencyy") && err.contains("[tax]"), "{err}");
    let err = s.section::<Tax>("nope").expect_err("missing").to_string();
    assert!(err.contains("[nope]"), "{err}");
}

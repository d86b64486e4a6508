//! The shipped country packs' petition catalogues and statutory clocks (no database).

use std::path::PathBuf;

use chrono::{NaiveDate, NaiveDateTime};
use egov_core::CountryPacks;
use egov_petition::domain::catalogue::{self, Period};
use egov_petition::domain::clock::Clock;

fn packs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config/countries")
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(h, min, 0))
        .expect("valid")
}

/// The due time (local wall time) of a case of `service` received at local time `local`.
fn due_local(code: &str, service: &str, local: NaiveDateTime) -> NaiveDateTime {
    let packs = CountryPacks::load(&packs_dir(), code).expect("packs");
    let pack = packs.active();
    let cat = catalogue::load(&packs_dir().join(code), pack).expect("catalogue");
    let clock = Clock {
        calendar: &pack.calendar,
        tz: pack.time_zone,
    };
    let period: Period = cat.services[service].period;
    let due = clock.due(period, clock.utc(local)).expect("due");
    clock.local(due)
}

#[test]
fn both_packs_load_their_catalogues() {
    for (code, min) in [("kr", 5), ("py", 3)] {
        let packs = CountryPacks::load(&packs_dir(), code).expect("packs");
        let cat = catalogue::load(&packs_dir().join(code), packs.active()).expect("catalogue");
        assert!(cat.services.len() >= min, "{code}: {}", cat.services.len());
        assert!(cat.services.values().any(|s| s.issues_document));
        assert!(cat.services.values().any(|s| s.open311));
        assert!(
            cat.services
                .values()
                .flat_map(|s| &s.evidence)
                .any(|e| e.exchange.is_some()),
            "{code} has a service whose evidence comes through the exchange"
        );
    }
}

#[test]
fn kr_due_dates_skip_weekends_holidays_and_cross_the_year() {
    // Business registration, 2 working days. New Year's Day (Fri) and the weekend.
    assert_eq!(
        due_local("kr", "business-registration", at(2026, 12, 31, 10, 0)),
        at(2027, 1, 5, 18, 0)
    );
    // Seollal (Mon 16 - Wed 18 Feb 2026) after a weekend.
    assert_eq!(
        due_local("kr", "business-registration", at(2026, 2, 13, 10, 0)),
        at(2026, 2, 20, 18, 0)
    );
    // Resident registration copy, 3 working hours from Thursday 24 Dec 17:00: one hour that
    // day, Christmas and the weekend skipped, two hours on Monday.
    assert_eq!(
        due_local("kr", "resident-registration-copy", at(2026, 12, 24, 17, 0)),
        at(2026, 12, 28, 11, 0)
    );
    // Received on a Saturday: the first working day after it counts.
    assert_eq!(
        due_local("kr", "road-complaint", at(2026, 3, 7, 12, 0)),
        at(2026, 3, 17, 18, 0)
    );
}

#[test]
fn py_due_dates_skip_weekends_holidays_and_cross_the_year() {
    // Police record, 3 working days; 8 Dec (Virgen de Caacupé) is a holiday.
    assert_eq!(
        due_local("py", "antecedentes-policiales", at(2026, 12, 7, 8, 0)),
        at(2026, 12, 11, 13, 0)
    );
    // Across the year: 31 Dec counts, 1 Jan and the weekend do not.
    assert_eq!(
        due_local("py", "antecedentes-policiales", at(2026, 12, 30, 8, 0)),
        at(2027, 1, 5, 13, 0)
    );
    // One working day from Christmas Eve: Christmas, then the weekend.
    assert_eq!(
        due_local("py", "cumplimiento-tributario", at(2026, 12, 24, 8, 0)),
        at(2026, 12, 28, 13, 0)
    );
}

#[test]
fn catalogue_errors_name_the_file_and_the_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pack_dir = dir.path().join("kr");
    std::fs::create_dir_all(pack_dir.join("petition/services")).expect("mkdir");
    std::fs::copy(
        packs_dir().join("kr/petition/petition.toml"),
        pack_dir.join("petition/petition.toml"),
    )
    .expect("copy");
    std::fs::write(
        pack_dir.join("petition/services/bad.toml"),
        r#"
id = "bad"
kind = "statutory"
names = { ko = "잘못", en = "Bad" }
agency = "NOWHERE"
fee = "-1"
period = { working_days = 0 }
legal_basis = "x"
[[fields]]
name = "kind"
type = "choice"
label = { ko = "종류" }
[[evidence]]
key = "income"
names = { ko = "소득", en = "Income" }
source = "exchange"
service = "tax"
purpose = "p"
payload = { year = "field:nope" }
"#,
    )
    .expect("write");
    let packs = CountryPacks::load(&packs_dir(), "kr").expect("packs");
    let err = catalogue::load(&pack_dir, packs.active()).expect_err("bad catalogue");
    let text = err.to_string();
    for needle in [
        "bad.toml: agency: unknown agency \"NOWHERE\"",
        "bad.toml: fee:",
        "bad.toml: period:",
        "bad.toml: fields[0].label: missing the \"en\" text",
        "bad.toml: fields[0].choices:",
        "bad.toml: evidence[0].service:",
        "bad.toml: evidence[0].payload.year: no form field \"nope\"",
    ] {
        assert!(text.contains(needle), "{needle:?} not in:\n{text}");
    }
}

//! Country packs: the shipped packs are valid, and each kind of broken pack is refused with the
//! file and field named.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use egov_core::country::{CountryPack, CountryPacks, MANIFEST, PackError};

fn packs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config/countries")
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}

#[test]
fn shipped_packs_are_valid() {
    let packs = CountryPacks::load(&packs_dir(), "kr").expect("shipped packs load");
    assert_eq!(packs.active().code, "kr");
    let kr = packs.get("kr").expect("kr");
    assert_eq!(kr.currency.code(), "KRW");
    assert_eq!(kr.default_language, "ko");
    assert_eq!(kr.time_zone.name(), "Asia/Seoul");
    let py = packs.get("py").expect("py");
    assert_eq!(py.currency.code(), "PYG");
    assert_eq!(py.default_language, "es");
    assert!(py.languages.contains(&"gn".to_owned()));
    for pack in packs.all() {
        assert_eq!(
            pack.calendar.years().iter().copied().collect::<Vec<_>>(),
            [2025, 2026, 2027]
        );
    }
}

#[test]
fn shipped_calendars_know_their_holidays() {
    let packs = CountryPacks::load(&packs_dir(), "py").expect("packs load");
    let kr = &packs.get("kr").expect("kr").calendar;
    // Seollal 2026 (16-18 Feb) and its weekend: Fri 13 Feb + 1 working day = Thu 19 Feb.
    assert_eq!(kr.add_working_days(d(2026, 2, 13), 1), Ok(d(2026, 2, 19)));
    // Substitute holiday for National Foundation Day (Sat 3 Oct 2026) on Mon 5 Oct.
    assert_eq!(kr.is_working_day(d(2026, 10, 5)), Ok(false));
    // Across the year boundary: Wed 30 Dec 2026 + 2 = Mon 4 Jan 2027.
    assert_eq!(kr.add_working_days(d(2026, 12, 30), 2), Ok(d(2027, 1, 4)));
    let py = &packs.get("py").expect("py").calendar;
    // Good Friday 2026 is 3 April in Paraguay; Korea works that day.
    assert_eq!(py.is_working_day(d(2026, 4, 3)), Ok(false));
    assert_eq!(kr.is_working_day(d(2026, 4, 3)), Ok(true));
}

#[test]
fn the_active_pack_must_exist() {
    let err = CountryPacks::load(&packs_dir(), "zz").expect_err("missing pack refused");
    assert!(err.to_string().contains("`zz`"), "{err}");
}

/// A copy of the shipped `kr` pack in a temp dir, named `dir_name`, with `edit` applied to the
/// manifest text and `holidays` to the holiday dir.
fn broken_pack(
    dir_name: &str,
    edit: impl FnOnce(String) -> String,
    holidays: impl FnOnce(&Path),
) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join(dir_name);
    std::fs::create_dir_all(dir.join("holidays")).expect("mkdir");
    let src = packs_dir().join("kr");
    let manifest = std::fs::read_to_string(src.join(MANIFEST)).expect("read manifest");
    std::fs::write(dir.join(MANIFEST), edit(manifest)).expect("write manifest");
    for entry in std::fs::read_dir(src.join("holidays")).expect("holidays") {
        let p = entry.expect("entry").path();
        std::fs::copy(&p, dir.join("holidays").join(p.file_name().expect("name"))).expect("copy");
    }
    holidays(&dir.join("holidays"));
    (tmp, dir)
}

/// Loads a broken pack and asserts that one issue names `file_suffix` and `field`.
fn assert_refused(dir: &Path, file_suffix: &str, field: &str, words: &str) {
    let PackError(issues) = CountryPack::load(dir).expect_err("broken pack refused");
    assert!(
        issues.iter().any(|i| i.file.ends_with(file_suffix)
            && i.field == field
            && i.message.contains(words)),
        "no issue for {file_suffix} / {field} / {words:?} in:\n{}",
        PackError(issues.clone())
    );
}

fn replace(from: &'static str, to: &'static str) -> impl FnOnce(String) -> String {
    move |text| {
        assert!(
            text.contains(from),
            "fixture text {from:?} not in the kr manifest"
        );
        text.replacen(from, to, 1)
    }
}

type Edit = Box<dyn FnOnce(String) -> String>;

#[test]
fn each_kind_of_bad_manifest_is_named() {
    let none = |_: &Path| {};
    let cases: Vec<(&str, Edit, &str, &str)> = vec![
        (
            "kr",
            Box::new(replace("code = \"kr\"", "code = \"KOR\"")),
            "code",
            "alpha-2",
        ),
        ("xx", Box::new(|t| t), "code", "directory is `xx`"),
        (
            "kr",
            Box::new(replace("iso_alpha3 = \"KOR\"", "iso_alpha3 = \"kor\"")),
            "iso_alpha3",
            "capital",
        ),
        (
            "kr",
            Box::new(replace("default = \"ko\"", "default = \"ja\"")),
            "languages.default",
            "not in languages.supported",
        ),
        (
            "kr",
            Box::new(replace(
                "supported = [\"ko\", \"en\"]",
                "supported = [\"ko\", \"English\"]",
            )),
            "languages.supported[1]",
            "ISO 639",
        ),
        (
            "kr",
            Box::new(replace("code = \"KRW\"", "code = \"krw\"")),
            "currency",
            "three capital letters",
        ),
        (
            "kr",
            Box::new(replace("minor_units = 0", "minor_units = 9")),
            "currency",
            "minor units",
        ),
        (
            "kr",
            Box::new(replace("Asia/Seoul", "Asia/Atlantis")),
            "time_zone",
            "IANA",
        ),
        (
            "kr",
            Box::new(replace(
                "pattern = \"^[0-9]{6}-?[0-9]{7}$\"",
                "pattern = \"^[0-9{6}$\"",
            )),
            "national_id.pattern",
            "regular expression",
        ),
        (
            "kr",
            Box::new(replace(
                "pattern = \"^[0-9]{6}-?[0-9]{7}$\"",
                "pattern = \"[0-9]{6}-?[0-9]{7}\"",
            )),
            "national_id.pattern",
            "anchored",
        ),
        (
            "kr",
            Box::new(replace(
                "examples = [\"124-81-00998\"]",
                "examples = [\"124-81-00997\"]",
            )),
            "business_id.examples[0]",
            "check digit",
        ),
        (
            "kr",
            Box::new(replace("check = \"kr_brn\"", "check = \"crc32\"")),
            "",
            "unknown variant",
        ),
        (
            "kr",
            Box::new(replace(
                "weekend = [\"sat\", \"sun\"]",
                "weekend = [\"sat\", \"sunday-ish\"]",
            )),
            "calendar.weekend[1]",
            "not a weekday",
        ),
        (
            "kr",
            Box::new(replace(
                "start = \"09:00\", end = \"18:00\"",
                "start = \"18:00\", end = \"09:00\"",
            )),
            "calendar.working_hours",
            "before end",
        ),
        (
            "kr",
            Box::new(replace("start = \"09:00\"", "start = \"9am\"")),
            "calendar.working_hours.start",
            "not a time",
        ),
        (
            "kr",
            Box::new(replace(
                "time_zone = \"Asia/Seoul\"",
                "time_zone = \"Asia/Seoul\"\nflag = \"🇰🇷\"",
            )),
            "",
            "unknown field `flag`",
        ),
        (
            "kr",
            Box::new(replace("ko = \"대한민국\"\n", "")),
            "names",
            "default language",
        ),
        // A brand too pale for white text on its buttons is refused with the ratio.
        (
            "kr",
            Box::new(replace(
                "contact = { phone = \"110\" }",
                "contact = { phone = \"110\" }\nprimary = { \"50\" = \"#ffd100\" }",
            )),
            "branding.primary",
            "white text on a primary button (stop 50) has a contrast of 1.",
        ),
        (
            "kr",
            Box::new(replace(
                "contact = { phone = \"110\" }",
                "contact = { phone = \"110\" }\nprimary = { \"55\" = \"#000000\" }",
            )),
            "branding.primary.55",
            "not a KRDS primary stop",
        ),
        (
            "kr",
            Box::new(replace(
                "contact = { phone = \"110\" }",
                "contact = { phone = \"110\" }\nlogo = \"../../secrets.svg\"",
            )),
            "branding.logo",
            "inside the pack's directory",
        ),
        (
            "kr",
            Box::new(replace(
                "contact = { phone = \"110\" }",
                "contact = { phone = \"110\", url = \"javascript:alert(1)\" }",
            )),
            "branding.contact.url",
            "https://",
        ),
    ];
    for (dir_name, edit, field, words) in cases {
        let (_tmp, dir) = broken_pack(dir_name, edit, none);
        assert_refused(&dir, MANIFEST, field, words);
    }
}

#[test]
fn each_kind_of_bad_holiday_file_is_named() {
    let edit = |t: String| t;
    let (_t, dir) = broken_pack("kr", edit, |h| {
        std::fs::write(h.join("2028.toml"), "year = 2029\n").expect("write");
    });
    assert_refused(&dir, "2028.toml", "year", "named 2028.toml");

    let (_t, dir) = broken_pack("kr", edit, |h| {
        std::fs::write(
            h.join("2028.toml"),
            "year = 2028\n[[holiday]]\ndate = \"2029-01-01\"\nnames = { ko = \"신정\" }\n",
        )
        .expect("write");
    });
    assert_refused(&dir, "2028.toml", "holiday[0].date", "not in 2028");

    let (_t, dir) = broken_pack("kr", edit, |h| {
        std::fs::write(
            h.join("2028.toml"),
            "year = 2028\n[[holiday]]\ndate = \"2028-02-30\"\nnames = { ko = \"x\" }\n",
        )
        .expect("write");
    });
    assert_refused(&dir, "2028.toml", "holiday[0].date", "not a date");

    let (_t, dir) = broken_pack("kr", edit, |h| {
        std::fs::write(
            h.join("2028.toml"),
            "year = 2028\n[[holiday]]\ndate = \"2028-01-01\"\nnames = { ko = \"a\" }\n\
             [[holiday]]\ndate = \"2028-01-01\"\nnames = { ko = \"b\" }\n",
        )
        .expect("write");
    });
    assert_refused(&dir, "2028.toml", "holiday[1].date", "listed twice");

    let (_t, dir) = broken_pack("kr", edit, |h| {
        std::fs::write(
            h.join("2028.toml"),
            "year = 2028\n[[holiday]]\ndate = \"2028-01-01\"\nnames = { en = \"New Year\" }\n",
        )
        .expect("write");
    });
    assert_refused(
        &dir,
        "2028.toml",
        "holiday[0].names",
        "default language `ko`",
    );

    let (_t, dir) = broken_pack("kr", edit, |h| {
        std::fs::write(h.join("2028.toml"), "year = \"soon\"\n").expect("write");
    });
    assert_refused(&dir, "2028.toml", "", "invalid type");

    let (_t, dir) = broken_pack("kr", edit, |h| {
        std::fs::remove_dir_all(h).expect("remove holidays");
    });
    assert_refused(&dir, "holidays", "", "cannot read the holidays directory");
}

#[test]
fn a_missing_or_unparseable_manifest_is_named() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let err = CountryPack::load(&tmp.path().join("kr")).expect_err("missing refused");
    assert!(err.to_string().contains("pack.toml: cannot read"), "{err}");
    let (_t, dir) = broken_pack("kr", |t| format!("{t}\n[[[broken"), |_| {});
    assert_refused(&dir, MANIFEST, "", "line");
}

#[test]
fn all_problems_are_reported_at_once() {
    let (_t, dir) = broken_pack(
        "kr",
        |t| {
            t.replacen("Asia/Seoul", "Nowhere", 1).replacen(
                "default = \"ko\"",
                "default = \"xx\"",
                1,
            )
        },
        |_| {},
    );
    let PackError(issues) = CountryPack::load(&dir).expect_err("refused");
    assert!(issues.len() >= 2, "{issues:?}");
}

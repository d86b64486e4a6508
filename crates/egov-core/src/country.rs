//! Country packs: `config/countries/<code>/pack.toml` plus `holidays/<year>.toml`.
//!
//! Everything that differs between client countries — languages, currency, time zone, ID
//! schemes, weekends, holidays, working hours — comes from a pack, so a module never hard-codes
//! a country. Packs are validated when loaded; every error names the file and the field.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::domain::calendar::{Holiday, WorkingCalendar};
use crate::domain::ids::{BusinessId, CheckRule, IdError, IdScheme, NationalId};
use crate::domain::money::Currency;

/// The manifest file of a pack.
pub const MANIFEST: &str = "pack.toml";

/// One problem in a pack: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackIssue {
    pub file: PathBuf,
    /// Dotted field path (`national_id.pattern`), or empty when the file itself is the problem.
    pub field: String,
    pub message: String,
}

impl fmt::Display for PackIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(
                f,
                "{}: {}: {}",
                self.file.display(),
                self.field,
                self.message
            )
        }
    }
}

/// Every problem found in a pack (validation does not stop at the first).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PackError(pub Vec<PackIssue>);

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&lines.join("\n"))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestFile {
    code: String,
    iso_alpha3: String,
    names: BTreeMap<String, String>,
    languages: LanguagesFile,
    currency: CurrencyFile,
    time_zone: String,
    national_id: IdSchemeFile,
    business_id: IdSchemeFile,
    calendar: CalendarFile,
    #[serde(default)]
    branding: Option<BrandingFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BrandingFile {
    /// KRDS primary stops (`"50" = "#1b7a3e"`); unnamed stops keep KRDS's.
    #[serde(default)]
    primary: BTreeMap<String, String>,
    /// An SVG or PNG in the pack's directory, shown beside the portal's name.
    logo: Option<String>,
    /// The flag of the official-site banner: `krds` (KRDS's own, Korea's), an SVG or PNG in
    /// the pack's directory, or none.
    flag: Option<String>,
    #[serde(default)]
    contact: Option<ContactFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ContactFile {
    phone: Option<String>,
    email: Option<String>,
    url: Option<String>,
}

/// The flag of the pages' official-site banner.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Flag {
    /// None: the banner has only its words.
    #[default]
    None,
    /// KRDS's own (Korea's flag).
    Krds,
    /// The pack's image (bytes, content type).
    Image(Vec<u8>, &'static str),
}

/// The pack's brand on the pages (see [`crate::domain::branding`]).
#[derive(Debug, Clone, Default)]
pub struct Branding {
    /// The stops the pack sets over KRDS's primary scale.
    pub primary: Vec<(u8, crate::domain::branding::Rgb)>,
    /// The logo's bytes and content type.
    pub logo: Option<(Vec<u8>, &'static str)>,
    /// The banner's flag.
    pub flag: Flag,
    /// Where people get help: phone, e-mail, web page (each optional).
    pub phone: Option<String>,
    pub email: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LanguagesFile {
    supported: Vec<String>,
    default: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CurrencyFile {
    code: String,
    minor_units: u8,
    symbol: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IdSchemeFile {
    name: String,
    local_name: Option<String>,
    pattern: String,
    check: CheckRule,
    display: Option<String>,
    mask: Option<MaskFile>,
    examples: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MaskFile {
    visible_prefix: usize,
    visible_suffix: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    weekend: Vec<String>,
    working_hours: WorkingHoursFile,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkingHoursFile {
    start: String,
    end: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidayYearFile {
    year: i32,
    #[serde(default)]
    holiday: Vec<HolidayFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidayFile {
    date: String,
    names: BTreeMap<String, String>,
}

/// A loaded, validated country pack.
#[derive(Debug, Clone)]
pub struct CountryPack {
    pub code: String,
    pub iso_alpha3: String,
    pub names: BTreeMap<String, String>,
    pub languages: Vec<String>,
    pub default_language: String,
    pub currency: Currency,
    pub currency_symbol: String,
    pub time_zone: Tz,
    pub national_id: IdScheme,
    pub business_id: IdScheme,
    pub calendar: WorkingCalendar,
    pub branding: Branding,
}

impl CountryPack {
    /// The country's name in `lang`, or in its default language.
    pub fn name(&self, lang: &str) -> &str {
        self.names
            .get(lang)
            .or_else(|| self.names.get(&self.default_language))
            .map(String::as_str)
            .unwrap_or(&self.code)
    }

    pub fn parse_national_id(&self, raw: &str) -> Result<NationalId, IdError> {
        NationalId::parse(&self.national_id, raw)
    }

    pub fn parse_business_id(&self, raw: &str) -> Result<BusinessId, IdError> {
        BusinessId::parse(&self.business_id, raw)
    }

    /// Loads and validates the pack in `dir` (whose name must be the pack's code).
    pub fn load(dir: &Path) -> Result<Self, PackError> {
        let mut v = Validator::default();
        let manifest_path = dir.join(MANIFEST);
        let Some(m) = v.read_toml::<ManifestFile>(&manifest_path) else {
            return Err(PackError(v.issues));
        };
        let f = &manifest_path;

        let dir_name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if m.code.len() != 2 || !m.code.bytes().all(|b| b.is_ascii_lowercase()) {
            v.issue(
                f,
                "code",
                "must be an ISO 3166-1 alpha-2 code in lower case, e.g. `kr`",
            );
        } else if m.code != dir_name {
            v.issue(
                f,
                "code",
                format!("is `{}` but the directory is `{dir_name}`", m.code),
            );
        }
        if m.iso_alpha3.len() != 3 || !m.iso_alpha3.bytes().all(|b| b.is_ascii_uppercase()) {
            v.issue(f, "iso_alpha3", "must be three capital letters, e.g. `KOR`");
        }
        let lang_ok =
            |l: &str| (2..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_lowercase());
        if m.languages.supported.is_empty() {
            v.issue(f, "languages.supported", "must list at least one language");
        }
        for (i, l) in m.languages.supported.iter().enumerate() {
            if !lang_ok(l) {
                v.issue(
                    f,
                    &format!("languages.supported[{i}]"),
                    format!("`{l}` is not an ISO 639 code"),
                );
            }
        }
        if !m.languages.supported.contains(&m.languages.default) {
            v.issue(
                f,
                "languages.default",
                format!("`{}` is not in languages.supported", m.languages.default),
            );
        }
        if !m.names.contains_key(&m.languages.default) {
            v.issue(
                f,
                "names",
                format!(
                    "has no name in the default language `{}`",
                    m.languages.default
                ),
            );
        }
        let currency = Currency::new(&m.currency.code, m.currency.minor_units)
            .map_err(|e| v.issue(f, "currency", e.to_string()))
            .ok();
        if m.currency.symbol.trim().is_empty() {
            v.issue(f, "currency.symbol", "must not be empty");
        }
        let time_zone: Option<Tz> = m
            .time_zone
            .parse()
            .map_err(|_| {
                v.issue(
                    f,
                    "time_zone",
                    format!("`{}` is not an IANA time zone", m.time_zone),
                )
            })
            .ok();
        let national_id = v.id_scheme(f, "national_id", &m.national_id);
        let business_id = v.id_scheme(f, "business_id", &m.business_id);

        let mut weekend = Vec::new();
        for (i, day) in m.calendar.weekend.iter().enumerate() {
            match day.parse::<Weekday>() {
                Ok(d) if !weekend.contains(&d) => weekend.push(d),
                Ok(_) => v.issue(
                    f,
                    &format!("calendar.weekend[{i}]"),
                    format!("`{day}` is listed twice"),
                ),
                Err(_) => v.issue(
                    f,
                    &format!("calendar.weekend[{i}]"),
                    format!("`{day}` is not a weekday (mon..sun)"),
                ),
            }
        }
        if weekend.len() >= 7 {
            v.issue(f, "calendar.weekend", "leaves no working day");
        }
        let parse_time = |v: &mut Validator, field: &str, s: &str| {
            NaiveTime::parse_from_str(s, "%H:%M")
                .map_err(|_| v.issue(f, field, format!("`{s}` is not a time like 09:00")))
                .ok()
        };
        let start = parse_time(
            &mut v,
            "calendar.working_hours.start",
            &m.calendar.working_hours.start,
        );
        let end = parse_time(
            &mut v,
            "calendar.working_hours.end",
            &m.calendar.working_hours.end,
        );
        if let (Some(s), Some(e)) = (start, end)
            && s >= e
        {
            v.issue(f, "calendar.working_hours", "start must be before end");
        }

        let (holidays, years) = v.holidays(&dir.join("holidays"), &m.languages.default);
        let branding = m
            .branding
            .as_ref()
            .map(|b| v.branding(dir, f, b))
            .unwrap_or_default();

        match (currency, time_zone, national_id, business_id, start, end) {
            (
                Some(currency),
                Some(time_zone),
                Some(national_id),
                Some(business_id),
                Some(start),
                Some(end),
            ) if v.issues.is_empty() => Ok(Self {
                code: m.code,
                iso_alpha3: m.iso_alpha3,
                names: m.names,
                languages: m.languages.supported,
                default_language: m.languages.default,
                currency,
                currency_symbol: m.currency.symbol,
                time_zone,
                national_id,
                business_id,
                calendar: WorkingCalendar::new(&weekend, holidays, years, start, end),
                branding,
            }),
            _ => Err(PackError(v.issues)),
        }
    }
}

#[derive(Default)]
struct Validator {
    issues: Vec<PackIssue>,
}

impl Validator {
    fn issue(&mut self, file: &Path, field: &str, message: impl Into<String>) {
        self.issues.push(PackIssue {
            file: file.to_owned(),
            field: field.to_owned(),
            message: message.into(),
        });
    }

    fn read_toml<T: serde::de::DeserializeOwned>(&mut self, path: &Path) -> Option<T> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                self.issue(path, "", format!("cannot read: {e}"));
                return None;
            }
        };
        match toml::from_str::<T>(&text) {
            Ok(value) => Some(value),
            Err(e) => {
                let at = e
                    .span()
                    .map(|s| {
                        let line = text[..s.start].lines().count().max(1);
                        format!(" (line {line})")
                    })
                    .unwrap_or_default();
                self.issue(path, "", format!("{}{at}", e.message()));
                None
            }
        }
    }

    fn branding(&mut self, dir: &Path, f: &Path, b: &BrandingFile) -> Branding {
        use crate::domain::branding::{self as brand, Rgb};
        let mut out = Branding::default();
        for (stop, colour) in &b.primary {
            let field = format!("branding.primary.{stop}");
            let Some(stop) = stop.parse::<u8>().ok().filter(|s| brand::STOPS.contains(s)) else {
                self.issue(
                    f,
                    &field,
                    "is not a KRDS primary stop (5, 10, 20, … 90, 95)",
                );
                continue;
            };
            match Rgb::parse(colour) {
                Some(c) => out.primary.push((stop, c)),
                None => self.issue(
                    f,
                    &field,
                    format!("`{colour}` is not a colour like #1b7a3e"),
                ),
            }
        }
        for (what, ratio) in brand::unreadable(&brand::scale(&out.primary)) {
            self.issue(
                f,
                "branding.primary",
                format!("{what} has a contrast of {ratio:.2}:1; WCAG 2.1 AA needs 4.5:1"),
            );
        }
        if let Some(logo) = &b.logo {
            out.logo = self.image(dir, f, "branding.logo", logo);
        }
        out.flag = match b.flag.as_deref() {
            None => Flag::None,
            Some("krds") => Flag::Krds,
            Some(path) => self
                .image(dir, f, "branding.flag", path)
                .map_or(Flag::None, |(bytes, kind)| Flag::Image(bytes, kind)),
        };
        if let Some(c) = &b.contact {
            let plain = |s: &str| {
                !s.trim().is_empty() && s.len() <= 200 && !s.chars().any(char::is_control)
            };
            if let Some(p) = &c.phone {
                if plain(p)
                    && p.chars()
                        .all(|ch| ch.is_ascii_digit() || " +-()".contains(ch))
                {
                    out.phone = Some(p.clone());
                } else {
                    self.issue(
                        f,
                        "branding.contact.phone",
                        "digits, spaces, +, - and brackets only",
                    );
                }
            }
            if let Some(e) = &c.email {
                if plain(e)
                    && e.split_once('@')
                        .is_some_and(|(l, d)| !l.is_empty() && d.contains('.'))
                    && !e.contains(' ')
                {
                    out.email = Some(e.clone());
                } else {
                    self.issue(f, "branding.contact.email", "is not an e-mail address");
                }
            }
            if let Some(u) = &c.url {
                if plain(u) && u.starts_with("https://") && !u.contains(['"', '<', '>', ' ']) {
                    out.url = Some(u.clone());
                } else {
                    self.issue(f, "branding.contact.url", "must be an https:// address");
                }
            }
        }
        out
    }

    /// An SVG or PNG of at most 200 KiB inside the pack's directory.
    fn image(
        &mut self,
        dir: &Path,
        f: &Path,
        field: &str,
        path: &str,
    ) -> Option<(Vec<u8>, &'static str)> {
        let kind = if path.ends_with(".svg") {
            Some("image/svg+xml")
        } else if path.ends_with(".png") {
            Some("image/png")
        } else {
            None
        };
        let inside = !path.starts_with('/') && !path.split(['/', '\\']).any(|p| p == "..");
        match (kind, inside) {
            (Some(kind), true) => match std::fs::read(dir.join(path)) {
                Ok(bytes) if bytes.len() <= 200 * 1024 => Some((bytes, kind)),
                Ok(_) => {
                    self.issue(f, field, "is larger than 200 KiB");
                    None
                }
                Err(e) => {
                    self.issue(f, field, format!("`{path}`: {e}"));
                    None
                }
            },
            _ => {
                self.issue(
                    f,
                    field,
                    "must be an .svg or .png file inside the pack's directory",
                );
                None
            }
        }
    }

    fn id_scheme(&mut self, f: &Path, field: &str, s: &IdSchemeFile) -> Option<IdScheme> {
        if s.name.trim().is_empty() {
            self.issue(f, &format!("{field}.name"), "must not be empty");
        }
        if !s.pattern.starts_with('^') || !s.pattern.ends_with('$') {
            self.issue(
                f,
                &format!("{field}.pattern"),
                "must be anchored with ^ and $",
            );
        }
        let mask = s
            .mask
            .as_ref()
            .map(|m| (m.visible_prefix, m.visible_suffix));
        let scheme = match IdScheme::new(
            s.name.clone(),
            s.local_name.clone(),
            &s.pattern,
            s.check,
            s.display.clone(),
            mask,
        ) {
            Ok(scheme) => scheme,
            Err(e) => {
                self.issue(f, &format!("{field}.pattern"), e);
                return None;
            }
        };
        if s.examples.is_empty() {
            self.issue(
                f,
                &format!("{field}.examples"),
                "must give at least one valid example",
            );
        }
        for (i, ex) in s.examples.iter().enumerate() {
            if let Err(e) = scheme.normalize(ex) {
                self.issue(
                    f,
                    &format!("{field}.examples[{i}]"),
                    format!("`{ex}` is rejected by the scheme: {e}"),
                );
            }
        }
        Some(scheme)
    }

    fn holidays(&mut self, dir: &Path, default_language: &str) -> (Vec<Holiday>, BTreeSet<i32>) {
        let mut holidays = Vec::new();
        let mut years = BTreeSet::new();
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => {
                self.issue(dir, "", format!("cannot read the holidays directory: {e}"));
                return (holidays, years);
            }
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        if files.is_empty() {
            self.issue(dir, "", "holds no <year>.toml file");
        }
        for path in files {
            let Some(file) = self.read_toml::<HolidayYearFile>(&path) else {
                continue;
            };
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            if stem != file.year.to_string() {
                self.issue(
                    &path,
                    "year",
                    format!("is {} but the file is named {stem}.toml", file.year),
                );
                continue;
            }
            years.insert(file.year);
            let mut seen = BTreeSet::new();
            for (i, h) in file.holiday.iter().enumerate() {
                let field = format!("holiday[{i}]");
                let Ok(date) = NaiveDate::parse_from_str(&h.date, "%Y-%m-%d") else {
                    self.issue(
                        &path,
                        &format!("{field}.date"),
                        format!("`{}` is not a date like 2026-01-01", h.date),
                    );
                    continue;
                };
                if date.year() != file.year {
                    self.issue(
                        &path,
                        &format!("{field}.date"),
                        format!("{date} is not in {}", file.year),
                    );
                    continue;
                }
                if !seen.insert(date) {
                    self.issue(
                        &path,
                        &format!("{field}.date"),
                        format!("{date} is listed twice"),
                    );
                    continue;
                }
                if !h.names.contains_key(default_language) {
                    self.issue(
                        &path,
                        &format!("{field}.names"),
                        format!("has no name in the default language `{default_language}`"),
                    );
                }
                holidays.push(Holiday {
                    date,
                    names: h.names.clone(),
                });
            }
        }
        (holidays, years)
    }
}

/// All packs of a deployment, and the one it serves.
#[derive(Debug, Clone)]
pub struct CountryPacks {
    packs: BTreeMap<String, CountryPack>,
    active: String,
}

impl CountryPacks {
    /// Loads every pack under `packs_dir`; `active` must be among them. Any invalid pack fails.
    pub fn load(packs_dir: &Path, active: &str) -> Result<Self, PackError> {
        let entries = std::fs::read_dir(packs_dir).map_err(|e| {
            PackError(vec![PackIssue {
                file: packs_dir.to_owned(),
                field: String::new(),
                message: format!("cannot read the country packs directory: {e}"),
            }])
        })?;
        let mut dirs: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.join(MANIFEST).is_file())
            .collect();
        dirs.sort();
        let mut packs = BTreeMap::new();
        let mut issues = Vec::new();
        for dir in dirs {
            match CountryPack::load(&dir) {
                Ok(pack) => {
                    packs.insert(pack.code.clone(), pack);
                }
                Err(PackError(mut more)) => issues.append(&mut more),
            }
        }
        if !issues.is_empty() {
            return Err(PackError(issues));
        }
        if !packs.contains_key(active) {
            return Err(PackError(vec![PackIssue {
                file: packs_dir.join(active),
                field: String::new(),
                message: format!(
                    "country.code is `{active}` but no such pack is in {}",
                    packs_dir.display()
                ),
            }]));
        }
        Ok(Self {
            packs,
            active: active.to_owned(),
        })
    }

    /// The pack this deployment serves.
    pub fn active(&self) -> &CountryPack {
        // `load` guarantees the active pack is present.
        &self.packs[&self.active]
    }

    pub fn get(&self, code: &str) -> Option<&CountryPack> {
        self.packs.get(code)
    }

    pub fn all(&self) -> impl Iterator<Item = &CountryPack> {
        self.packs.values()
    }
}

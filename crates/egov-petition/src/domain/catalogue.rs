//! The country pack's petition configuration: `petition/petition.toml` (agencies, routing of
//! complaints, policy) and `petition/services/*.toml` (the service catalogue, one civil
//! service per file). Everything is checked at load; every problem is reported with its file
//! and field, and a pack with problems does not start.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use egov_core::CountryPack;
use egov_core::error::{FieldError, Text};
use egov_core::text;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// What kind of civil petition a service is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PetitionKind {
    /// Statutory petition (법정민원): certificates, permits, registrations.
    Statutory,
    /// Grievance or complaint (고충민원), routed by category and region.
    Complaint,
    /// Suggestion or proposal (건의민원), routed by category and region.
    Proposal,
    /// Question about law or procedure (질의민원).
    Inquiry,
}

impl PetitionKind {
    /// Complaints, proposals and inquiries go through e-People's routing, duplicate
    /// suggestions, merging, rating and reopening.
    pub fn is_epeople(self) -> bool {
        !matches!(self, Self::Statutory)
    }
}

/// The statutory processing period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ProcessingPeriod)]
pub enum Period {
    /// Working days after the day of receipt, ending at the close of working hours.
    WorkingDays(u32),
    /// Working hours from receipt (immediate services such as certificates).
    WorkingHours(u32),
}

/// A typed form field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Number,
    Date,
    Choice,
    MultiChoice,
    Address,
    NationalId,
    Attachment,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Field {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
    pub label: BTreeMap<String, String>,
    pub required: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    /// What each choice says to people, per language (the code itself where the pack gives
    /// no label).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub choice_labels: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub min: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub max: Option<Decimal>,
    /// Printed on the issued document.
    pub on_document: bool,
}

/// Where a piece of required evidence comes from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Evidence {
    pub key: String,
    pub names: BTreeMap<String, String>,
    /// `exchange` when an agency can fetch it with the applicant's consent (an upload is the
    /// alternative without consent); `upload` when only an upload will do.
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exchange: Option<ExchangeEvidence>,
}

/// The exchange service that provides a piece of evidence, and the consent the applicant gives
/// for it (`POST /exchange/v1/me/consents` with these values and `client` = this member's
/// `petition` subsystem).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExchangeEvidence {
    /// `SUBSYSTEM/SERVICE` of this member (e.g. `tax/income-certificate`) or a full
    /// `INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE`.
    pub service: String,
    pub version: String,
    pub purpose: String,
    pub items: Vec<String>,
    /// The request payload: constants, `field:<name>` for a value of the form (a national ID
    /// must be the applicant's own), or `applicant:business_id` for a business applicant's
    /// registration number.
    #[schema(value_type = Object)]
    pub payload: Map<String, Value>,
}

/// One civil service of the catalogue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Service {
    pub id: String,
    pub kind: PetitionKind,
    pub names: BTreeMap<String, String>,
    pub description: BTreeMap<String, String>,
    /// The routing category (complaints and proposals).
    pub category: String,
    /// The handling agency; `None` for services routed by the pack's routing table.
    pub agency: Option<String>,
    /// The fee in the pack's currency (decimal string).
    #[schema(value_type = String)]
    pub fee: Decimal,
    pub period: Period,
    pub issues_document: bool,
    /// How long an issued document is valid, in days.
    pub document_valid_days: u32,
    /// How long an issued document can be checked at the public verification endpoint.
    pub document_verifiable_days: u32,
    pub legal_basis: String,
    /// Offered through Open311 GeoReport v2.
    pub open311: bool,
    pub fields: Vec<Field>,
    pub evidence: Vec<Evidence>,
}

impl Service {
    pub fn name(&self, lang: &str) -> &str {
        self.names
            .get(lang)
            .or_else(|| self.names.values().next())
            .map_or(self.id.as_str(), String::as_str)
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = PetitionAgency)]
pub struct Agency {
    pub code: String,
    pub names: BTreeMap<String, String>,
}

/// A routing rule: complaints of `category` from `region` go to `agency` (`*` matches any).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Route {
    pub category: String,
    pub region: String,
    pub agency: String,
}

/// What the clock does with a transferred case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransferClock {
    /// The receiving agency gets the full period from the transfer.
    Restart,
    /// The original due date stands.
    Continue,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Policy {
    /// A progress notice with the expected completion date goes out when a case has been
    /// open this many calendar days.
    pub progress_notice_days: u32,
    /// A case is "due soon" this many working hours before its due time.
    pub due_soon_working_hours: u32,
    /// A closed complaint or proposal can be reopened by its applicant within this many days.
    pub reopen_days: u32,
    /// An extension adds at most this many working days at a time.
    pub max_extension_working_days: u32,
    /// How many times one case's period may be extended (the kr law allows one).
    pub max_extensions: u32,
    pub transfer_clock: TransferClock,
    /// Suggested duplicates: open cases of the same service and routing within this radius.
    pub duplicate_radius_m: u32,
    /// ... and submitted within this many days.
    pub duplicate_days: u32,
}

/// The loaded catalogue of the active pack.
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub services: BTreeMap<String, Service>,
    pub agencies: BTreeMap<String, Agency>,
    pub routes: Vec<Route>,
    pub default_agency: String,
    pub policy: Policy,
    /// The escalation ladder (handler → supervisor → agency head), lowest step first.
    pub escalation: Vec<EscalationStep>,
}

/// A step of the escalation ladder: a running case overdue by `overdue_working_hours` goes to
/// the agency's officials with `role`, who are notified.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EscalationStep {
    pub role: String,
    pub overdue_working_hours: u32,
}

impl Catalogue {
    /// The agency that handles a case of `service` with this routing `category` and `region`.
    pub fn route(&self, service: &Service, category: &str, region: &str) -> String {
        if let Some(a) = &service.agency {
            return a.clone();
        }
        self.routes
            .iter()
            .find(|r| {
                (r.category == "*" || r.category == category)
                    && (r.region == "*" || r.region == region)
            })
            .map_or_else(|| self.default_agency.clone(), |r| r.agency.clone())
    }
}

// ------------------------------------------------------------------ files

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PetitionFile {
    policy: PolicyFile,
    #[serde(default)]
    agencies: Vec<AgencyFile>,
    routing: RoutingFile,
    #[serde(default)]
    escalation: Vec<EscalationFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EscalationFile {
    role: String,
    overdue_working_hours: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    progress_notice_days: u32,
    due_soon_working_hours: u32,
    reopen_days: u32,
    max_extension_working_days: u32,
    max_extensions: u32,
    transfer_clock: TransferClock,
    duplicate_radius_m: u32,
    duplicate_days: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AgencyFile {
    code: String,
    names: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoutingFile {
    default_agency: String,
    #[serde(default)]
    rules: Vec<RouteFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RouteFile {
    category: String,
    region: String,
    agency: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceFile {
    id: String,
    kind: PetitionKind,
    names: BTreeMap<String, String>,
    #[serde(default)]
    description: BTreeMap<String, String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    agency: Option<String>,
    fee: String,
    period: PeriodFile,
    #[serde(default)]
    issues_document: bool,
    #[serde(default)]
    document_valid_days: Option<u32>,
    #[serde(default)]
    document_verifiable_days: Option<u32>,
    legal_basis: String,
    #[serde(default)]
    open311: bool,
    #[serde(default)]
    fields: Vec<FieldFile>,
    #[serde(default)]
    evidence: Vec<EvidenceFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PeriodFile {
    #[serde(default)]
    working_days: Option<u32>,
    #[serde(default)]
    working_hours: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldFile {
    name: String,
    #[serde(rename = "type")]
    kind: FieldType,
    label: BTreeMap<String, String>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    choices: Vec<String>,
    #[serde(default)]
    choice_labels: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default)]
    max_length: Option<usize>,
    #[serde(default)]
    min: Option<String>,
    #[serde(default)]
    max: Option<String>,
    #[serde(default)]
    on_document: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EvidenceFile {
    key: String,
    names: BTreeMap<String, String>,
    source: String,
    #[serde(default)]
    service: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    purpose: Option<String>,
    #[serde(default)]
    items: Vec<String>,
    #[serde(default)]
    payload: Option<toml::Table>,
}

/// Problems found while loading, each `file: field: message`.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the petition catalogue has problems:\n  {}", .0.join("\n  "))]
pub struct CatalogueError(pub Vec<String>);

fn name_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

fn agency_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Loads `<pack>/petition/`. A pack without a `petition/` directory has an empty catalogue.
pub fn load(pack_dir: &Path, pack: &CountryPack) -> Result<Catalogue, CatalogueError> {
    let dir = pack_dir.join("petition");
    let mut issues = Vec::new();
    let main_path = dir.join("petition.toml");
    let text = std::fs::read_to_string(&main_path).map_err(|e| {
        CatalogueError(vec![format!(
            "{}: cannot be read: {e}",
            main_path.display()
        )])
    })?;
    let main: PetitionFile = toml::from_str(&text)
        .map_err(|e| CatalogueError(vec![format!("{}: {}", main_path.display(), e.message())]))?;
    let file = main_path.display().to_string();
    let mut agencies = BTreeMap::new();
    for (i, a) in main.agencies.into_iter().enumerate() {
        if !agency_ok(&a.code) {
            issues.push(format!(
                "{file}: agencies[{i}].code: {:?} must be 1-32 of A-Z 0-9 - _",
                a.code
            ));
        }
        check_names(
            &mut issues,
            &file,
            &format!("agencies[{i}].names"),
            &a.names,
            pack,
        );
        if agencies
            .insert(
                a.code.clone(),
                Agency {
                    code: a.code.clone(),
                    names: a.names,
                },
            )
            .is_some()
        {
            issues.push(format!("{file}: agencies[{i}].code: {} twice", a.code));
        }
    }
    let known = |issues: &mut Vec<String>, field: String, code: &str| {
        if !agencies.contains_key(code) {
            issues.push(format!("{file}: {field}: unknown agency {code:?}"));
        }
    };
    known(
        &mut issues,
        "routing.default_agency".into(),
        &main.routing.default_agency,
    );
    let mut routes = Vec::new();
    for (i, r) in main.routing.rules.into_iter().enumerate() {
        known(&mut issues, format!("routing.rules[{i}].agency"), &r.agency);
        routes.push(Route {
            category: r.category,
            region: r.region,
            agency: r.agency,
        });
    }
    let p = main.policy;
    if p.reopen_days == 0 || p.progress_notice_days == 0 {
        issues.push(format!(
            "{file}: policy: reopen_days and progress_notice_days must be at least 1"
        ));
    }
    let policy = Policy {
        progress_notice_days: p.progress_notice_days,
        due_soon_working_hours: p.due_soon_working_hours,
        reopen_days: p.reopen_days,
        max_extension_working_days: p.max_extension_working_days.max(1),
        max_extensions: p.max_extensions,
        transfer_clock: p.transfer_clock,
        duplicate_radius_m: p.duplicate_radius_m,
        duplicate_days: p.duplicate_days,
    };

    let mut services = BTreeMap::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("services"))
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    for path in files {
        let file = path.display().to_string();
        let parsed = std::fs::read_to_string(&path)
            .map_err(|e| format!("{file}: cannot be read: {e}"))
            .and_then(|t| {
                toml::from_str::<ServiceFile>(&t).map_err(|e| format!("{file}: {}", e.message()))
            });
        let s = match parsed {
            Ok(s) => s,
            Err(e) => {
                issues.push(e);
                continue;
            }
        };
        if let Some(service) = check_service(&mut issues, &file, s, pack, &agencies) {
            if services.contains_key(&service.id) {
                issues.push(format!("{file}: id: {} is defined twice", service.id));
            } else {
                services.insert(service.id.clone(), service);
            }
        }
    }
    let mut escalation: Vec<EscalationStep> = Vec::new();
    for (i, e) in main.escalation.into_iter().enumerate() {
        let role_ok = (1..=64).contains(&e.role.len())
            && e.role
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_');
        if !role_ok {
            issues.push(format!(
                "{file}: escalation[{i}].role: 1 to 64 of a-z, 0-9, `.`, `_`"
            ));
        }
        if escalation
            .last()
            .is_some_and(|prev| prev.overdue_working_hours >= e.overdue_working_hours)
        {
            issues.push(format!(
                "{file}: escalation[{i}].overdue_working_hours: each step must come later than the one before"
            ));
        }
        escalation.push(EscalationStep {
            role: e.role,
            overdue_working_hours: e.overdue_working_hours,
        });
    }
    if escalation.len() > 5 {
        issues.push(format!("{file}: escalation: at most 5 steps"));
    }
    if issues.is_empty() {
        Ok(Catalogue {
            services,
            agencies,
            routes,
            default_agency: main.routing.default_agency,
            policy,
            escalation,
        })
    } else {
        Err(CatalogueError(issues))
    }
}

fn check_names(
    issues: &mut Vec<String>,
    file: &str,
    field: &str,
    names: &BTreeMap<String, String>,
    pack: &CountryPack,
) {
    for lang in &pack.languages {
        if names.get(lang).is_none_or(|n| n.trim().is_empty()) {
            issues.push(format!("{file}: {field}: missing the {lang:?} text"));
        }
    }
    for lang in names.keys() {
        if !pack.languages.contains(lang) {
            issues.push(format!(
                "{file}: {field}: {lang:?} is not a language of the pack"
            ));
        }
    }
}

fn check_service(
    issues: &mut Vec<String>,
    file: &str,
    s: ServiceFile,
    pack: &CountryPack,
    agencies: &BTreeMap<String, Agency>,
) -> Option<Service> {
    let before = issues.len();
    if !name_ok(&s.id) {
        issues.push(format!(
            "{file}: id: {:?} must be 1-64 of a-z 0-9 - _",
            s.id
        ));
    }
    check_names(issues, file, "names", &s.names, pack);
    if let Some(a) = &s.agency
        && !agencies.contains_key(a)
    {
        issues.push(format!("{file}: agency: unknown agency {a:?}"));
    }
    if s.agency.is_none() && !s.kind.is_epeople() {
        issues.push(format!(
            "{file}: agency: a statutory service names its handling agency"
        ));
    }
    let fee = match s.fee.parse::<Decimal>() {
        Ok(f) if f >= Decimal::ZERO && f.scale() <= u32::from(pack.currency.minor_units()) => f,
        _ => {
            issues.push(format!(
                "{file}: fee: {:?} must be a non-negative amount with at most {} decimals",
                s.fee,
                pack.currency.minor_units()
            ));
            Decimal::ZERO
        }
    };
    let period = match (s.period.working_days, s.period.working_hours) {
        (Some(d), None) if (1..=365).contains(&d) => Period::WorkingDays(d),
        (None, Some(h)) if (1..=2000).contains(&h) => Period::WorkingHours(h),
        _ => {
            issues.push(format!(
                "{file}: period: exactly one of working_days (1-365) or working_hours (1-2000)"
            ));
            Period::WorkingDays(1)
        }
    };
    if s.legal_basis.trim().is_empty() {
        issues.push(format!("{file}: legal_basis: required"));
    }
    let (valid, verifiable) = (
        s.document_valid_days.unwrap_or(90),
        s.document_verifiable_days.unwrap_or(90),
    );
    if s.issues_document && (valid == 0 || verifiable < valid.min(verifiable).max(1)) {
        issues.push(format!(
            "{file}: document_valid_days / document_verifiable_days: at least 1 day"
        ));
    }
    let mut fields = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, f) in s.fields.into_iter().enumerate() {
        let at = format!("fields[{i}]");
        if !name_ok(&f.name) {
            issues.push(format!(
                "{file}: {at}.name: {:?} must be 1-64 of a-z 0-9 - _",
                f.name
            ));
        }
        if !seen.insert(f.name.clone()) {
            issues.push(format!("{file}: {at}.name: {:?} twice", f.name));
        }
        check_names(issues, file, &format!("{at}.label"), &f.label, pack);
        let choice = matches!(f.kind, FieldType::Choice | FieldType::MultiChoice);
        if choice && f.choices.is_empty() {
            issues.push(format!(
                "{file}: {at}.choices: a choice field lists its choices"
            ));
        }
        if !choice && !f.choices.is_empty() {
            issues.push(format!("{file}: {at}.choices: only for choice fields"));
        }
        for (code, labels) in &f.choice_labels {
            if !f.choices.contains(code) {
                issues.push(format!(
                    "{file}: {at}.choice_labels: {code:?} is not one of the choices"
                ));
            }
            check_names(
                issues,
                file,
                &format!("{at}.choice_labels.{code}"),
                labels,
                pack,
            );
        }
        let num = |v: &Option<String>, which: &str, issues: &mut Vec<String>| {
            v.as_ref().and_then(|x| match x.parse::<Decimal>() {
                Ok(d) => Some(d),
                Err(_) => {
                    issues.push(format!("{file}: {at}.{which}: {x:?} is not a number"));
                    None
                }
            })
        };
        let (min, max) = (num(&f.min, "min", issues), num(&f.max, "max", issues));
        if (min.is_some() || max.is_some()) && f.kind != FieldType::Number {
            issues.push(format!("{file}: {at}: min/max are for number fields"));
        }
        fields.push(Field {
            name: f.name,
            kind: f.kind,
            label: f.label,
            required: f.required,
            choices: f.choices,
            choice_labels: f.choice_labels,
            max_length: f.max_length,
            min,
            max,
            on_document: f.on_document,
        });
    }
    let mut evidence = Vec::new();
    for (i, e) in s.evidence.into_iter().enumerate() {
        let at = format!("evidence[{i}]");
        if !name_ok(&e.key) {
            issues.push(format!(
                "{file}: {at}.key: {:?} must be 1-64 of a-z 0-9 - _",
                e.key
            ));
        }
        check_names(issues, file, &format!("{at}.names"), &e.names, pack);
        let exchange = match e.source.as_str() {
            "upload" => None,
            "exchange" => {
                let service = e.service.unwrap_or_default();
                let parts = service.split('/').count();
                if !(parts == 2 || parts == 5) || service.split('/').any(str::is_empty) {
                    issues.push(format!(
                        "{file}: {at}.service: SUBSYSTEM/SERVICE or INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE"
                    ));
                }
                let purpose = e.purpose.unwrap_or_default();
                if purpose.is_empty() {
                    issues.push(format!(
                        "{file}: {at}.purpose: required for exchange evidence"
                    ));
                }
                let payload: Map<String, Value> = e
                    .payload
                    .map(|t| serde_json::to_value(t).unwrap_or(Value::Null))
                    .and_then(|v| v.as_object().cloned())
                    .unwrap_or_default();
                for (k, v) in &payload {
                    if let Some(name) = v.as_str().and_then(|s| s.strip_prefix("field:"))
                        && !fields.iter().any(|f| f.name == name)
                    {
                        issues.push(format!("{file}: {at}.payload.{k}: no form field {name:?}"));
                    }
                    if let Some(what) = v.as_str().and_then(|s| s.strip_prefix("applicant:"))
                        && what != "business_id"
                    {
                        issues.push(format!(
                            "{file}: {at}.payload.{k}: applicant:{what} is not known (applicant:business_id is)"
                        ));
                    }
                }
                Some(ExchangeEvidence {
                    service,
                    version: e.version.unwrap_or_else(|| "v1".into()),
                    purpose,
                    items: e.items,
                    payload,
                })
            }
            other => {
                issues.push(format!(
                    "{file}: {at}.source: {other:?} must be upload or exchange"
                ));
                None
            }
        };
        evidence.push(Evidence {
            key: e.key,
            names: e.names,
            source: e.source,
            exchange,
        });
    }
    if issues.len() > before {
        return None;
    }
    Some(Service {
        category: s.category.unwrap_or_else(|| s.id.clone()),
        id: s.id,
        kind: s.kind,
        names: s.names,
        description: s.description,
        agency: s.agency,
        fee,
        period,
        issues_document: s.issues_document,
        document_valid_days: valid,
        document_verifiable_days: verifiable,
        legal_basis: s.legal_basis,
        open311: s.open311,
        fields,
        evidence,
    })
}

// ------------------------------------------------------------------ forms

const TEXT_MAX: usize = 4000;

fn text_ok(s: &str) -> bool {
    egov_core::text::free_text(s, 0, usize::MAX)
}

/// Checks a form against the service's fields: types always, required fields when
/// `complete` (at submission). National IDs are normalised to the pack's canonical form.
/// Returns the cleaned form, or every problem as a JSON pointer.
pub fn check_form(
    service: &Service,
    form: &Map<String, Value>,
    pack: &CountryPack,
    complete: bool,
) -> Result<Map<String, Value>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut out = Map::new();
    let err = |errors: &mut Vec<FieldError>, name: &str, detail: Text| {
        errors.push(FieldError::new(format!("/form/{name}"), detail));
    };
    for key in form.keys() {
        if service.field(key).is_none() {
            err(
                &mut errors,
                key,
                text!(
                    "detail-form-unknown-field",
                    "no such field in this service's form"
                ),
            );
        }
    }
    for f in &service.fields {
        let v = match form.get(&f.name) {
            None | Some(Value::Null) => {
                if complete && f.required {
                    err(&mut errors, &f.name, required());
                }
                continue;
            }
            Some(v) => v,
        };
        match check_value(f, v, pack) {
            Ok(v) => {
                out.insert(f.name.clone(), v);
            }
            Err(d) => err(&mut errors, &f.name, d),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn check_value(f: &Field, v: &Value, pack: &CountryPack) -> Result<Value, Text> {
    let max_len = f.max_length.unwrap_or(TEXT_MAX).min(TEXT_MAX);
    match f.kind {
        FieldType::Text => {
            let s = v
                .as_str()
                .ok_or_else(|| text!("detail-form-text", "must be text"))?;
            if s.trim().is_empty() && f.required {
                return Err(required());
            }
            if s.chars().count() > max_len {
                return Err(text!(
                    "detail-at-most-characters",
                    "at most {max} characters",
                    max = max_len
                ));
            }
            if !text_ok(s) {
                return Err(text!(
                    "detail-control-characters",
                    "must not contain control characters"
                ));
            }
            Ok(Value::String(s.to_owned()))
        }
        FieldType::Number => {
            let d = match v {
                Value::Number(n) => n.to_string().parse::<Decimal>().ok(),
                Value::String(s) if s.len() <= 40 => s.parse::<Decimal>().ok(),
                _ => None,
            }
            .ok_or_else(|| text!("detail-form-number", "must be a number"))?;
            if f.min.is_some_and(|m| d < m) || f.max.is_some_and(|m| d > m) {
                return Err(text!(
                    "detail-form-number-range",
                    "must be between {min} and {max}",
                    min = f.min.map_or("-".into(), |m| m.to_string()),
                    max = f.max.map_or("-".into(), |m| m.to_string())
                ));
            }
            Ok(Value::String(d.normalize().to_string()))
        }
        FieldType::Date => {
            let bad = || text!("detail-form-date", "must be a date (YYYY-MM-DD)");
            let s = v.as_str().ok_or_else(bad)?;
            let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| bad())?;
            Ok(Value::String(d.to_string()))
        }
        FieldType::Choice => {
            let bad = || {
                text!(
                    "detail-form-choice",
                    "must be one of {choices}",
                    choices = f.choices.join(", ")
                )
            };
            let s = v.as_str().ok_or_else(bad)?;
            if f.choices.iter().any(|c| c == s) {
                Ok(Value::String(s.to_owned()))
            } else {
                Err(bad())
            }
        }
        FieldType::MultiChoice => {
            let bad = || {
                text!(
                    "detail-form-choices",
                    "a list of {choices}, each at most once",
                    choices = f.choices.join(", ")
                )
            };
            let a = v.as_array().ok_or_else(bad)?;
            let mut seen = BTreeSet::new();
            for x in a {
                let s = x.as_str().filter(|s| f.choices.iter().any(|c| c == s));
                match s {
                    Some(s) if seen.insert(s.to_owned()) => {}
                    _ => return Err(bad()),
                }
            }
            if f.required && seen.is_empty() {
                return Err(required());
            }
            Ok(Value::Array(seen.into_iter().map(Value::String).collect()))
        }
        FieldType::Address => {
            let o = v.as_object().ok_or_else(|| {
                text!(
                    "detail-form-address",
                    "must be an address {{line1, line2?, city?, region?, postal_code?}}"
                )
            })?;
            let mut out = Map::new();
            for (k, x) in o {
                if !["line1", "line2", "city", "region", "postal_code"].contains(&k.as_str()) {
                    return Err(text!(
                        "detail-form-address-part",
                        "unknown address part {part}",
                        part = k.clone()
                    ));
                }
                let line = || {
                    text!(
                        "detail-form-address-line",
                        "{part}: one line of at most 200 characters",
                        part = k.clone()
                    )
                };
                let s = x.as_str().ok_or_else(line)?;
                if s.chars().count() > 200 || !text_ok(s) || s.contains('\n') {
                    return Err(line());
                }
                out.insert(k.clone(), Value::String(s.trim().to_owned()));
            }
            if out
                .get("line1")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                return Err(text!("detail-form-address-line1", "line1 is required"));
            }
            Ok(Value::Object(out))
        }
        FieldType::NationalId => {
            let bad = |why: String| {
                text!(
                    "detail-form-national-id",
                    "not a valid {kind}: {why}",
                    kind = pack.national_id.pattern().to_owned(),
                    why = why
                )
            };
            let s = v.as_str().ok_or_else(|| bad("not text".to_owned()))?;
            let id = pack.parse_national_id(s).map_err(|e| bad(e.to_string()))?;
            Ok(Value::String(id.expose().to_owned()))
        }
        FieldType::Attachment => {
            let bad = || text!("detail-form-attachment", "must be an attachment id");
            let s = v.as_str().ok_or_else(bad)?;
            uuid::Uuid::parse_str(s).map_err(|_| bad())?;
            Ok(Value::String(s.to_owned()))
        }
    }
}

/// A required field left empty (the pages say it their own way: "Enter …", "Choose …").
pub fn required() -> Text {
    text!("detail-required", "required")
}

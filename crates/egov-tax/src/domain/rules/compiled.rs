//! The compiled rules: checked declarations, the evaluation order and lookups.

use super::*;

/// Where a value is read from during evaluation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Operand {
    Num(Decimal),
    /// A slot: inputs first, then values.
    Slot(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub from: Decimal,
    pub base: Decimal,
    pub rate: Decimal,
    pub floor: Option<Decimal>,
    pub cap: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bracket {
    /// Upper end of the bracket (`None`: unbounded).
    pub upto: Option<Decimal>,
    pub rate: Decimal,
}

/// A person's field a condition reads: the age, one of the person's own amounts, or a flag
/// (1 when the person has it, else 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonField {
    Age,
    Field(usize),
    Flag(String),
}

/// A condition on a person: `field cmp than`.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub field: PersonField,
    pub name: String,
    pub cmp: Cmp,
    pub than: Operand,
}

/// Who counts for an allowance, a count or a sum over people.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    /// Relations that count (empty: all).
    pub relations: Vec<String>,
    /// Inclusive age ranges; a person counts if in any (empty: any age).
    pub ages: Vec<(u32, u32)>,
    /// A flag the person must have.
    pub flag: Option<String>,
    /// A flag the person must not have.
    pub not_flag: Option<String>,
    /// A flag that waives the age condition (e.g. disability).
    pub any_age_if: Option<String>,
    /// Conditions on the person's own fields: every group must hold, a group when any of its
    /// conditions does.
    pub conditions: Vec<Vec<Condition>>,
}

impl Filter {
    /// Whether `p` counts; `value` reads the operands of the conditions.
    pub fn matches(&self, p: &Person, value: impl Fn(&Operand) -> Decimal) -> bool {
        if !self.relations.is_empty() && !self.relations.contains(&p.relation) {
            return false;
        }
        if let Some(f) = &self.flag
            && !p.has(f)
        {
            return false;
        }
        if let Some(f) = &self.not_flag
            && p.has(f)
        {
            return false;
        }
        for group in &self.conditions {
            let holds = group.iter().any(|c| {
                let own = match &c.field {
                    PersonField::Age => Decimal::from(p.age),
                    PersonField::Field(i) => p.values.get(*i).copied().unwrap_or_default(),
                    PersonField::Flag(f) => Decimal::from(u8::from(p.has(f))),
                };
                c.cmp.test(own, value(&c.than))
            });
            if !holds {
                return false;
            }
        }
        if self.ages.is_empty() || self.any_age_if.as_ref().is_some_and(|f| p.has(f)) {
            return true;
        }
        self.ages
            .iter()
            .any(|(lo, hi)| (*lo..=*hi).contains(&p.age))
    }

    fn operands(&self) -> impl Iterator<Item = Operand> + '_ {
        self.conditions.iter().flatten().map(|c| c.than)
    }

    fn operands_mut(&mut self) -> impl Iterator<Item = &mut Operand> + '_ {
        self.conditions.iter_mut().flatten().map(|c| &mut c.than)
    }
}

/// A person in a household input (a dependant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub relation: String,
    pub age: u32,
    pub flags: Vec<String>,
    /// The person's own amounts, in the order of the input's `fields`.
    pub values: Vec<Decimal>,
}

impl Person {
    pub fn has(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Cmp {
    pub(super) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "<" => Cmp::Lt,
            "<=" => Cmp::Le,
            ">" => Cmp::Gt,
            ">=" => Cmp::Ge,
            "==" => Cmp::Eq,
            "!=" => Cmp::Ne,
            _ => return None,
        })
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
            Cmp::Eq => "==",
            Cmp::Ne => "!=",
        }
    }

    pub fn test(self, a: Decimal, b: Decimal) -> bool {
        match self {
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundMode {
    Down,
    Up,
    Nearest,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Round {
    pub mode: RoundMode,
    pub unit: Decimal,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    Const(Decimal),
    Sum(Vec<Operand>),
    Difference(Vec<Operand>),
    Product(Vec<Operand>),
    Min(Vec<Operand>),
    Max(Vec<Operand>),
    Percent {
        of: Operand,
        rate: Decimal,
    },
    Schedule {
        of: Operand,
        bands: Vec<Band>,
    },
    Brackets {
        of: Operand,
        brackets: Vec<Bracket>,
    },
    Allowance {
        people: usize,
        filter: Filter,
        amount: Operand,
        max_count: Option<u32>,
    },
    Count {
        people: usize,
        filter: Filter,
        max_count: Option<u32>,
    },
    /// The sum of one of the people's own fields over those who qualify.
    PeopleSum {
        people: usize,
        filter: Filter,
        field: usize,
        max_count: Option<u32>,
    },
    Lookup(Table),
    Threshold {
        test: Operand,
        cmp: Cmp,
        than: Operand,
        then: Operand,
        otherwise: Operand,
    },
    /// `then` when a choice input holds one of `set` (choice indices), else `otherwise`.
    OneOf {
        test: Operand,
        set: Vec<Decimal>,
        names: Vec<String>,
        then: Operand,
        otherwise: Operand,
    },
    /// A parameter whose value changes on dates: `(from, value)`, dates increasing.
    Dated {
        values: Vec<(chrono::NaiveDate, Decimal)>,
        apportion: bool,
    },
}

/// How one key of a table picks its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// The row whose key equals the value.
    Exact,
    /// "From X upwards": the row with the largest key at or below the value.
    From,
    /// "Up to X": the row with the smallest key at or above the value.
    Upto,
}

impl Match {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "exact" => Match::Exact,
            "from" => Match::From,
            "upto" => Match::Upto,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Match::Exact => "exact",
            Match::From => "from",
            Match::Upto => "upto",
        }
    }

    /// The index in `bounds` (increasing) that `x` falls to, if any.
    pub fn pick(self, bounds: &[Decimal], x: Decimal) -> Option<usize> {
        match self {
            Match::Exact => bounds.binary_search(&x).ok(),
            Match::From => bounds.partition_point(|b| *b <= x).checked_sub(1),
            Match::Upto => {
                let i = bounds.partition_point(|b| *b < x);
                (i < bounds.len()).then_some(i)
            }
        }
    }
}

/// One key of a table: how it matches and the keys its rows use, increasing.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub key: Operand,
    pub matching: Match,
    pub bounds: Vec<Decimal>,
}

/// A lookup table over one or more keys, held as a grid: the cell of each combination of the
/// keys' rows (row-major, the first key slowest).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub axes: Vec<Axis>,
    pub cells: Vec<Option<Decimal>>,
    pub default: Option<Decimal>,
}

impl Table {
    /// The cell the keys fall to, with each key's bound, or `None` (the default applies).
    pub fn find(&self, keys: impl Iterator<Item = Decimal>) -> Option<(Decimal, usize)> {
        let mut flat = 0usize;
        for (axis, x) in self.axes.iter().zip(keys) {
            let i = axis.matching.pick(&axis.bounds, x)?;
            flat = flat * axis.bounds.len() + i;
        }
        self.cells.get(flat).copied().flatten().map(|v| (v, flat))
    }

    /// The keys of cell `flat`, for explanations.
    pub fn bounds_of(&self, mut flat: usize) -> Vec<Decimal> {
        let mut out = vec![Decimal::ZERO; self.axes.len()];
        for (k, axis) in self.axes.iter().enumerate().rev() {
            let n = axis.bounds.len().max(1);
            out[k] = axis.bounds.get(flat % n).copied().unwrap_or_default();
            flat /= n;
        }
        out
    }
}

impl Op {
    pub fn kind(&self) -> &'static str {
        match self {
            Op::Const(_) => "const",
            Op::Sum(_) => "sum",
            Op::Difference(_) => "difference",
            Op::Product(_) => "product",
            Op::Min(_) => "min",
            Op::Max(_) => "max",
            Op::Percent { .. } => "percent",
            Op::Schedule { .. } => "schedule",
            Op::Brackets { .. } => "brackets",
            Op::Allowance { .. } => "allowance",
            Op::Count { .. } => "count",
            Op::PeopleSum { .. } => "people_sum",
            Op::Lookup { .. } => "lookup",
            Op::Threshold { .. } | Op::OneOf { .. } => "threshold",
            Op::Dated { .. } => "const",
        }
    }

    fn operands(&self) -> Vec<Operand> {
        match self {
            Op::Const(_) | Op::Dated { .. } => Vec::new(),
            Op::Count { filter, .. } | Op::PeopleSum { filter, .. } => filter.operands().collect(),
            Op::Sum(v) | Op::Difference(v) | Op::Product(v) | Op::Min(v) | Op::Max(v) => v.clone(),
            Op::Percent { of, .. } | Op::Schedule { of, .. } | Op::Brackets { of, .. } => {
                vec![*of]
            }
            Op::Allowance { amount, filter, .. } => {
                std::iter::once(*amount).chain(filter.operands()).collect()
            }
            Op::Lookup(t) => t.axes.iter().map(|a| a.key).collect(),
            Op::Threshold {
                test,
                than,
                then,
                otherwise,
                ..
            } => vec![*test, *than, *then, *otherwise],
            Op::OneOf {
                test,
                then,
                otherwise,
                ..
            } => vec![*test, *then, *otherwise],
        }
    }
}

/// A named value: how it is computed and where the law says so.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub name: String,
    pub label: Option<String>,
    pub description: Option<String>,
    pub cite: String,
    /// Where it is written: the file (index into [`RuleSet::files`]) and the line.
    pub file: usize,
    pub line: usize,
    pub op: Op,
    pub floor: Option<Operand>,
    pub cap: Option<Operand>,
    pub round: Option<Round>,
    /// `Some(12)`: the value is the annual amount divided by 12 (a monthly figure).
    pub divide_by: Option<Decimal>,
}

impl Node {
    /// Every slot the value reads.
    pub fn reads(&self) -> Vec<usize> {
        let mut v: Vec<usize> = self
            .op
            .operands()
            .into_iter()
            .chain(self.floor)
            .chain(self.cap)
            .filter_map(|o| match o {
                Operand::Slot(s) => Some(s),
                Operand::Num(_) => None,
            })
            .collect();
        v.dedup();
        v
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputType {
    Money,
    Count,
    Number,
    Flag,
    People,
    /// One of named values (`choices`), held as its index.
    Choice,
}

impl InputType {
    pub(super) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "money" => InputType::Money,
            "count" => InputType::Count,
            "number" => InputType::Number,
            "flag" => InputType::Flag,
            "people" => InputType::People,
            "choice" => InputType::Choice,
            _ => return None,
        })
    }

    /// Whether the input is a number the rules compute with (a choice is one too, its index).
    pub fn is_amount(self) -> bool {
        matches!(
            self,
            InputType::Money | InputType::Count | InputType::Number
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InputType::Money => "money",
            InputType::Count => "count",
            InputType::Number => "number",
            InputType::Flag => "flag",
            InputType::People => "people",
            InputType::Choice => "choice",
        }
    }
}

/// A declared input.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    pub name: String,
    pub ty: InputType,
    pub description: String,
    pub cite: Option<String>,
    /// Monthly inputs are multiplied by 12 when read into an annual rule set.
    pub monthly: bool,
    pub default: Decimal,
    pub max: Option<Decimal>,
    /// For `people`: allowed relations and flags, and a limit on the list.
    pub relations: Vec<String>,
    pub flags: Vec<String>,
    /// For `people`: each person's own amounts, with their type (money, count or number).
    pub fields: Vec<(String, InputType)>,
    pub max_people: usize,
    /// For `choice`: the named values; the input holds the index of one.
    pub choices: Vec<String>,
    /// Numeric slot, or index into the people lists.
    pub slot: usize,
}

/// A due date of the filing calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub code: String,
    pub title: String,
    pub opens: Option<chrono::NaiveDate>,
    pub due: chrono::NaiveDate,
    pub cite: String,
    pub remind_days: Vec<u32>,
}

/// What one officer may post, and from what amount a second officer must approve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Administration {
    pub assessment_max: Decimal,
    pub second_officer_from: Decimal,
    pub cite: String,
}

impl Default for Administration {
    /// Without an `[administration]` section: the widest amount the ledger holds, and every
    /// assessment and refund approved by a second officer.
    fn default() -> Self {
        Self {
            assessment_max: Decimal::from(1_000_000_000_000_000i64),
            second_officer_from: Decimal::ZERO,
            cite: "no [administration] section in the rules: every posting needs two officers"
                .into(),
        }
    }
}

impl Administration {
    /// Whether a posting of `amount` (either sign) waits for a second officer.
    pub fn needs_second_officer(&self, amount: Decimal) -> bool {
        amount.abs() >= self.second_officer_from
    }
}

/// How withholding statements are checked: amounts, the share of wages withheld, and from
/// what wages a statement is held for review instead of counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementRules {
    pub max_amount: Decimal,
    pub hold_wages_from: Option<Decimal>,
    pub max_withheld_share: Decimal,
    pub cite: String,
}

impl Default for StatementRules {
    fn default() -> Self {
        Self {
            max_amount: Decimal::from(1_000_000_000_000_000i64),
            hold_wages_from: None,
            max_withheld_share: Decimal::ONE,
            cite: "no [statements] section in the rules".into(),
        }
    }
}

impl StatementRules {
    /// The problems of one statement's amounts (`wages`, `withheld_income_tax`, …), in words.
    pub fn problems(&self, amounts: &BTreeMap<&str, Decimal>, minor_units: u32) -> Vec<String> {
        let mut out = Vec::new();
        for (name, v) in amounts {
            if *v < Decimal::ZERO || v.normalize().scale() > minor_units || *v > self.max_amount {
                out.push(format!(
                    "{name}: must be a non-negative amount with at most {minor_units} decimals, \
                     at most {} ({})",
                    self.max_amount, self.cite
                ));
            }
        }
        let wages = amounts.get("wages").copied().unwrap_or_default();
        let withheld = amounts
            .get("withheld_income_tax")
            .copied()
            .unwrap_or_default();
        if withheld > wages * self.max_withheld_share {
            out.push(format!(
                "withheld_income_tax: more than {} of the wages ({})",
                self.max_withheld_share, self.cite
            ));
        }
        out
    }

    /// Whether a statement with these wages is held for an officer's review.
    pub fn held(&self, wages: Decimal) -> bool {
        self.hold_wages_from.is_some_and(|h| wages >= h)
    }
}

/// A compiled rules file.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub file: PathBuf,
    /// Every file read: the ones this one extends first, then this one.
    pub files: Vec<PathBuf>,
    pub tax: String,
    pub title: String,
    pub year: i32,
    pub period: String,
    pub currency: String,
    /// Decimal places of the currency's amounts (ISO 4217): money inputs may have no more.
    pub minor_units: u32,
    pub law: String,
    /// SHA-256 over the bytes of every file read, hex: with [`ENGINE_VERSION`], what
    /// reproduces a result.
    pub hash: String,
    pub inputs: Vec<Input>,
    /// Values in evaluation order (each after everything it reads).
    pub nodes: Vec<Node>,
    pub outputs: Vec<String>,
    pub calendar: Vec<Due>,
    pub balance: Option<String>,
    pub income: Option<String>,
    pub tax_due: Option<String>,
    /// Withholding-statement field → the input it pre-fills.
    pub prefill: BTreeMap<String, String>,
    /// Officers' limits for the year.
    pub administration: Administration,
    /// How withholding statements for the year are checked.
    pub statements: StatementRules,
    /// Numeric input slots; node `i` writes slot `numeric_inputs + i`.
    pub numeric_inputs: usize,
    pub people_inputs: usize,
    names: HashMap<String, usize>,
    /// For each value (in evaluation order), the slots it reads with their names: the trace's
    /// `uses`, worked out once.
    reads: Vec<Vec<(usize, String)>>,
}

pub(super) fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

pub(super) fn num(raw: &RawNum) -> Result<Decimal, String> {
    match raw {
        RawNum::Int(i) => Ok(Decimal::from(*i)),
        RawNum::Float(f) => float(*f),
        RawNum::Str(s) => Decimal::from_str(s.trim().replace('_', "").as_str())
            .map_err(|_| format!("{s:?} is not a number")),
    }
}

pub(super) fn float(f: f64) -> Result<Decimal, String> {
    if !f.is_finite() {
        return Err("numbers must be finite".into());
    }
    // Rust prints the shortest representation that reads back as the same float, so 0.06
    // becomes exactly 0.06 here, not the binary approximation.
    Decimal::from_str(&format!("{f}")).map_err(|_| format!("{f} is out of range"))
}

/// The suffix of a monthly input's annual amount among the values (`monthly_wages:annual`).
pub const ANNUAL: &str = ":annual";

/// The minor units of a currency (ISO 4217): 2 unless the code is one of the exceptions.
pub fn minor_units_of(code: &str) -> u32 {
    match code {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        "CLF" | "UYW" => 4,
        _ => 2,
    }
}

/// A people input as values see it: its index and the names of its fields and flags.
pub(super) struct PeopleDecl {
    pub(super) index: usize,
    pub(super) fields: Vec<String>,
    pub(super) flags: Vec<String>,
}

/// What `compile` needs to know about the file besides the value itself.
pub(super) struct Context<'a> {
    pub(super) names: &'a HashMap<String, usize>,
    /// People inputs by name.
    pub(super) people: &'a HashMap<String, PeopleDecl>,
    /// Choice inputs by slot: their named values.
    pub(super) choices: &'a HashMap<usize, Vec<String>>,
    pub(super) tables: &'a HashMap<String, RawTable>,
    pub(super) year: i32,
}

impl RuleSet {
    /// Loads and compiles a rules file, and the files it extends.
    pub fn load(path: &Path) -> Result<Self, LoadError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            LoadError(vec![LoadIssue {
                file: path.to_owned(),
                line: 0,
                message: format!("cannot read: {e}"),
            }])
        })?;
        Self::parse(path, &text)
    }

    /// Compiles rules from text; `file` names them in errors, and a file it extends is read
    /// from beside it.
    pub fn parse(file: &Path, text: &str) -> Result<Self, LoadError> {
        Self::parse_with(file, text, &|p| std::fs::read_to_string(p))
    }

    /// Compiles rules from text, reading the files it extends through `read`.
    pub fn parse_with(
        file: &Path,
        text: &str,
        read: &dyn Fn(&Path) -> std::io::Result<String>,
    ) -> Result<Self, LoadError> {
        let m = merge(file, text, read)?;
        let at = |o: Origin| m.sources[o.file].file.clone();
        let issue = |o: Origin, message: String| LoadIssue {
            file: at(o),
            line: o.line,
            message,
        };
        let own = Origin {
            file: m.sources.len() - 1,
            line: 1,
        };
        let mut issues = Vec::new();

        let meta = &m.meta;
        let mut required = |v: &Option<String>, field: &str| -> String {
            match v {
                Some(s) => s.clone(),
                None => {
                    issues.push(issue(own, format!("meta.{field}: missing")));
                    String::new()
                }
            }
        };
        let tax = required(&meta.tax, "tax");
        let title = required(&meta.title, "title");
        let currency = required(&meta.currency, "currency");
        let year = meta.year.unwrap_or_else(|| {
            issues.push(issue(own, "meta.year: missing".into()));
            0
        });
        let period = meta.period.clone().unwrap_or_else(|| "annual".into());

        // Inputs: numeric ones (and choices) take slots 0.., people lists their own indices.
        let mut names: HashMap<String, usize> = HashMap::new();
        let mut people_names: HashMap<String, PeopleDecl> = HashMap::new();
        let mut choices: HashMap<usize, Vec<String>> = HashMap::new();
        let mut inputs = Vec::new();
        let mut numeric = 0;
        let mut people = 0;
        for (name, origin, r) in &m.inputs.0 {
            let origin = *origin;
            check_name(name)
                .map_err(|m| issues.push(issue(origin, m)))
                .ok();
            let Some(ty) = InputType::parse(&r.ty) else {
                issues.push(issue(
                    origin,
                    format!(
                        "input `{name}`: type {:?} is not money, count, number, flag, choice or people",
                        r.ty
                    ),
                ));
                continue;
            };
            let monthly = match r.period.as_deref() {
                None | Some("annual") => false,
                Some("monthly") => true,
                Some(other) => {
                    issues.push(issue(
                        origin,
                        format!("input `{name}`: period {other:?} is not annual or monthly"),
                    ));
                    false
                }
            };
            if ty == InputType::Choice {
                if r.choices.is_empty() {
                    issues.push(issue(
                        origin,
                        format!("input `{name}`: a choice needs `choices`"),
                    ));
                }
                for (i, c) in r.choices.iter().enumerate() {
                    if let Err(msg) = check_name(c) {
                        issues.push(issue(origin, format!("input `{name}`: choice {msg}")));
                    }
                    if r.choices[..i].contains(c) {
                        issues.push(issue(origin, format!("input `{name}`: choice `{c}` twice")));
                    }
                }
            } else if !r.choices.is_empty() {
                issues.push(issue(
                    origin,
                    format!("input `{name}`: only a choice has `choices`"),
                ));
            }
            let default = match (&r.default, ty) {
                (Some(RawNum::Str(c)), InputType::Choice) => {
                    match r.choices.iter().position(|x| x == c) {
                        Some(i) => Decimal::from(i),
                        None => {
                            issues.push(issue(
                                origin,
                                format!("input `{name}`: default {c:?} is not one of its choices"),
                            ));
                            Decimal::ZERO
                        }
                    }
                }
                (Some(_), InputType::Choice) => {
                    issues.push(issue(
                        origin,
                        format!("input `{name}`: the default of a choice is one of its choices"),
                    ));
                    Decimal::ZERO
                }
                (d, _) => match d.as_ref().map(num).transpose() {
                    Ok(d) => d.unwrap_or_default(),
                    Err(m) => {
                        issues.push(issue(origin, format!("input `{name}`: default: {m}")));
                        Decimal::ZERO
                    }
                },
            };
            let max = match r.max.as_ref().map(num).transpose() {
                Ok(m) => m,
                Err(m) => {
                    issues.push(issue(origin, format!("input `{name}`: max: {m}")));
                    None
                }
            };
            let mut fields = Vec::new();
            for (field, kind) in &r.fields {
                if ty != InputType::People {
                    issues.push(issue(
                        origin,
                        format!("input `{name}`: only people have `fields`"),
                    ));
                    break;
                }
                if let Err(msg) = check_name(field) {
                    issues.push(issue(origin, format!("input `{name}`: field {msg}")));
                }
                if matches!(field.as_str(), "relation" | "age") || r.flags.contains(field) {
                    issues.push(issue(
                        origin,
                        format!("input `{name}`: field `{field}` is already a person's relation, age or flag"),
                    ));
                }
                match InputType::parse(kind).filter(|t| t.is_amount()) {
                    Some(t) => fields.push((field.clone(), t)),
                    None => issues.push(issue(
                        origin,
                        format!("input `{name}`: field `{field}`: type {kind:?} is not money, count or number"),
                    )),
                }
            }
            let slot = if ty == InputType::People {
                people_names.insert(
                    name.clone(),
                    PeopleDecl {
                        index: people,
                        fields: fields.iter().map(|(f, _)| f.clone()).collect(),
                        flags: r.flags.clone(),
                    },
                );
                people += 1;
                people - 1
            } else {
                names.insert(name.clone(), numeric);
                if ty == InputType::Choice {
                    choices.insert(numeric, r.choices.clone());
                }
                numeric += 1;
                numeric - 1
            };
            inputs.push(Input {
                name: name.clone(),
                ty,
                description: r.description.clone(),
                cite: r.cite.clone(),
                monthly,
                default,
                max,
                relations: r.relations.clone(),
                flags: r.flags.clone(),
                fields,
                max_people: r.max_people.unwrap_or(50),
                choices: r.choices.clone(),
                slot,
            });
        }

        let mut tables: HashMap<String, RawTable> = HashMap::new();
        for (name, origin, t) in &m.tables.0 {
            if let Err(msg) = check_name(name) {
                issues.push(issue(*origin, msg));
            }
            if t.cite.trim().is_empty() {
                issues.push(issue(*origin, format!("table `{name}`: needs `cite`")));
            }
            tables.insert(name.clone(), t.clone());
        }

        // Value names first, so values may refer to values declared later.
        for (i, (name, origin, _)) in m.values.0.iter().enumerate() {
            if let Err(msg) = check_name(name) {
                issues.push(issue(*origin, msg));
            }
            if names.contains_key(name) || people_names.contains_key(name) {
                issues.push(issue(
                    *origin,
                    format!("`{name}` is declared both as an input and a value"),
                ));
            }
            names.insert(name.clone(), numeric + i);
        }

        let ctx = Context {
            names: &names,
            people: &people_names,
            choices: &choices,
            tables: &tables,
            year,
        };
        let mut nodes = Vec::new();
        for (name, origin, r) in &m.values.0 {
            match compile(name, r, &ctx) {
                Ok(mut node) => {
                    node.line = origin.line;
                    node.file = origin.file;
                    nodes.push(node);
                }
                Err(msgs) => {
                    for msg in msgs {
                        issues.push(issue(*origin, format!("value `{name}`: {msg}")));
                    }
                }
            }
        }

        let mut calendar = Vec::new();
        for (code, origin, d) in &m.calendar.0 {
            if d.opens.is_some_and(|o| o > d.due) {
                issues.push(issue(
                    *origin,
                    format!("calendar `{code}`: opens after it is due"),
                ));
            }
            calendar.push(Due {
                code: code.clone(),
                title: d.title.clone(),
                opens: d.opens,
                due: d.due,
                cite: d.cite.clone(),
                remind_days: d.remind_days.clone(),
            });
        }
        calendar.sort_by(|a, b| a.code.cmp(&b.code));

        if !matches!(period.as_str(), "annual" | "monthly") {
            issues.push(issue(
                own,
                format!("meta.period {period:?} is not annual or monthly"),
            ));
        }
        let outputs = meta.outputs.clone().unwrap_or_default();
        for name in outputs
            .iter()
            .chain(&meta.balance)
            .chain(&meta.income)
            .chain(&meta.tax_due)
        {
            match names.get(name) {
                None => issues.push(issue(
                    own,
                    format!("meta names `{name}`, which is not an input or a value"),
                )),
                Some(slot) if choices.contains_key(slot) => issues.push(issue(
                    own,
                    format!("meta names `{name}`, a choice, which is not an amount"),
                )),
                Some(_) => {}
            }
        }
        let prefill = meta.prefill.clone().unwrap_or_default();
        for (field, target) in &prefill {
            if !STATEMENT_FIELDS.contains(&field.as_str()) {
                issues.push(issue(
                    own,
                    format!(
                        "meta.prefill: `{field}` is not a statement field ({})",
                        STATEMENT_FIELDS.join(", ")
                    ),
                ));
            }
            if !inputs
                .iter()
                .any(|i| i.name == *target && matches!(i.ty, InputType::Money))
            {
                issues.push(issue(
                    own,
                    format!("meta.prefill: `{target}` is not a money input"),
                ));
            }
        }
        let administration = match &m.administration {
            None => Administration::default(),
            Some(a) => match (num(&a.assessment_max), num(&a.second_officer_from)) {
                (Ok(max), Ok(from)) if max > Decimal::ZERO && from >= Decimal::ZERO => {
                    Administration {
                        assessment_max: max,
                        second_officer_from: from,
                        cite: a.cite.clone(),
                    }
                }
                _ => {
                    issues.push(issue(
                        own,
                        "administration: assessment_max must be above 0 and \
                         second_officer_from at least 0"
                            .to_owned(),
                    ));
                    Administration::default()
                }
            },
        };
        let statements = match &m.statements {
            None => StatementRules::default(),
            Some(st) => {
                let max = num(&st.max_amount);
                let hold = st.hold_wages_from.as_ref().map(num).transpose();
                let share = st.max_withheld_share.as_ref().map(num).transpose();
                match (max, hold, share) {
                    (Ok(max), Ok(hold), Ok(share))
                        if max > Decimal::ZERO
                            && hold.is_none_or(|h| h > Decimal::ZERO)
                            && share.is_none_or(|s| s > Decimal::ZERO && s <= Decimal::ONE) =>
                    {
                        StatementRules {
                            max_amount: max,
                            hold_wages_from: hold,
                            max_withheld_share: share.unwrap_or(Decimal::ONE),
                            cite: st.cite.clone(),
                        }
                    }
                    _ => {
                        issues.push(issue(
                            own,
                            "statements: max_amount and hold_wages_from must be above 0, \
                             max_withheld_share above 0 and at most 1"
                                .to_owned(),
                        ));
                        StatementRules::default()
                    }
                }
            }
        };
        if !issues.is_empty() {
            return Err(LoadError(issues));
        }

        // Dependency order (depth-first), rejecting cycles with their path.
        let order = match topo_order(&nodes, numeric) {
            Ok(o) => o,
            Err(cycle) => {
                let first = &nodes[cycle[0]];
                let path: Vec<&str> = cycle.iter().map(|i| nodes[*i].name.as_str()).collect();
                return Err(LoadError(vec![issue(
                    Origin {
                        file: first.file,
                        line: first.line,
                    },
                    format!("cycle: {} -> {}", path.join(" -> "), nodes[cycle[0]].name),
                )]));
            }
        };
        // Renumber slots so that node `i` (in evaluation order) writes `numeric + i`.
        let mut new_slot = vec![0usize; nodes.len()];
        for (pos, old) in order.iter().enumerate() {
            new_slot[*old] = numeric + pos;
        }
        let remap = |o: &mut Operand| {
            if let Operand::Slot(s) = o
                && *s >= numeric
            {
                *s = new_slot[*s - numeric];
            }
        };
        let mut ordered: Vec<Node> = order.iter().map(|i| nodes[*i].clone()).collect();
        for n in &mut ordered {
            remap_op(&mut n.op, &remap);
            if let Some(f) = &mut n.floor {
                remap(f);
            }
            if let Some(c) = &mut n.cap {
                remap(c);
            }
        }
        for slot in names.values_mut() {
            if *slot >= numeric {
                *slot = new_slot[*slot - numeric];
            }
        }
        // The hash is the file's SHA-256; for a chain, over every file (length-prefixed),
        // base first.
        let hash = match m.sources.as_slice() {
            [one] => hex::encode(Sha256::digest(one.text.as_bytes())),
            chain => {
                let mut hasher = Sha256::new();
                for src in chain {
                    hasher.update((src.text.len() as u64).to_be_bytes());
                    hasher.update(src.text.as_bytes());
                }
                hex::encode(hasher.finalize())
            }
        };
        let minor_units = minor_units_of(&currency);
        let mut set = RuleSet {
            file: file.to_owned(),
            files: m.sources.iter().map(|s| s.file.clone()).collect(),
            tax,
            title,
            year,
            period,
            currency,
            minor_units,
            law: meta.law.clone().unwrap_or_default(),
            hash,
            inputs,
            nodes: ordered,
            outputs,
            calendar,
            balance: meta.balance.clone(),
            income: meta.income.clone(),
            tax_due: meta.tax_due.clone(),
            prefill,
            administration,
            statements,
            numeric_inputs: numeric,
            people_inputs: people,
            names,
            reads: Vec::new(),
        };
        set.reads = set
            .nodes
            .iter()
            .map(|n| {
                let mut slots = n.reads();
                slots.sort_unstable();
                slots.dedup();
                slots.into_iter().map(|s| (s, set.read_name(s))).collect()
            })
            .collect();
        Ok(set)
    }

    /// Whether an input is given monthly and read as its annual amount (× 12).
    pub fn annualizes(&self, input: &Input) -> bool {
        input.monthly && self.period == "annual"
    }

    /// The name under which a read slot's value shows: a monthly input read by an annual
    /// rule set reads its annual amount, shown as `<input>:annual` (the input's own name
    /// keeps the amount as given).
    fn read_name(&self, slot: usize) -> String {
        let name = self.slot_name(slot);
        match self.input(name) {
            Some(i) if self.annualizes(i) => format!("{name}{ANNUAL}"),
            _ => name.to_owned(),
        }
    }

    /// The slots value `i` (in evaluation order) reads, with their names.
    pub fn reads_of(&self, i: usize) -> &[(usize, String)] {
        self.reads.get(i).map_or(&[], Vec::as_slice)
    }

    /// What loads but may not say what the law says: a range table that leaves amounts
    /// outside its rows without a stated `default`, and schedule bands that do not meet
    /// where one ends and the next begins (a gap or an overlap in the amounts).
    pub fn warnings(&self) -> Vec<LoadIssue> {
        let mut out = Vec::new();
        for n in &self.nodes {
            let mut warn = |message: String| {
                out.push(LoadIssue {
                    file: self
                        .files
                        .get(n.file)
                        .cloned()
                        .unwrap_or_else(|| self.file.clone()),
                    line: n.line,
                    message: format!("value `{}`: {message}", n.name),
                });
            };
            match &n.op {
                Op::Lookup(t) if t.default.is_none() => {
                    for a in &t.axes {
                        match (a.matching, a.bounds.first(), a.bounds.last()) {
                            (Match::From, Some(first), _) if *first > Decimal::ZERO => {
                                warn(format!(
                                    "below {first} no row applies and the value is 0: state `default`, or begin the rows at 0"
                                ))
                            }
                            (Match::Upto, _, Some(last)) => warn(format!(
                                "above {last} no row applies and the value is 0: state `default`"
                            )),
                            _ => {}
                        }
                    }
                }
                Op::Schedule { bands, .. } => {
                    for (i, w) in bands.windows(2).enumerate() {
                        let clamp = |b: &Band, v: Decimal| {
                            let v = b.floor.map_or(v, |f| v.max(f));
                            b.cap.map_or(v, |c| v.min(c))
                        };
                        let end = clamp(&w[0], w[0].base + w[0].rate * (w[1].from - w[0].from));
                        let start = clamp(&w[1], w[1].base);
                        if end != start {
                            let (a, b) = (end.normalize(), start.normalize());
                            let what = if b > a { "a gap" } else { "an overlap" };
                            warn(format!(
                                "band {} ends at {a} where band {} begins at {b} (at {}): {what} of {}; \
                                 if the law has this step, keep it",
                                i + 1,
                                i + 2,
                                w[1].from.normalize(),
                                (b - a).abs().normalize()
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The slot of a numeric input or value.
    pub fn slot(&self, name: &str) -> Option<usize> {
        self.names.get(name).copied()
    }

    /// The name of a slot.
    pub fn slot_name(&self, slot: usize) -> &str {
        if slot >= self.numeric_inputs {
            &self.nodes[slot - self.numeric_inputs].name
        } else {
            self.inputs
                .iter()
                .find(|i| i.ty != InputType::People && i.slot == slot)
                .map_or("?", |i| i.name.as_str())
        }
    }

    pub fn input(&self, name: &str) -> Option<&Input> {
        self.inputs.iter().find(|i| i.name == name)
    }

    pub fn slots(&self) -> usize {
        self.numeric_inputs + self.nodes.len()
    }
}

pub(super) fn remap_op(op: &mut Op, f: &impl Fn(&mut Operand)) {
    match op {
        Op::Const(_) | Op::Dated { .. } => {}
        Op::Count { filter, .. } | Op::PeopleSum { filter, .. } => {
            filter.operands_mut().for_each(f)
        }
        Op::Sum(v) | Op::Difference(v) | Op::Product(v) | Op::Min(v) | Op::Max(v) => {
            v.iter_mut().for_each(f)
        }
        Op::Percent { of, .. } | Op::Schedule { of, .. } | Op::Brackets { of, .. } => f(of),
        Op::Allowance { amount, filter, .. } => {
            f(amount);
            filter.operands_mut().for_each(f);
        }
        Op::Lookup(t) => t.axes.iter_mut().for_each(|a| f(&mut a.key)),
        Op::OneOf {
            test,
            then,
            otherwise,
            ..
        } => {
            f(test);
            f(then);
            f(otherwise);
        }
        Op::Threshold {
            test,
            than,
            then,
            otherwise,
            ..
        } => {
            f(test);
            f(than);
            f(then);
            f(otherwise);
        }
    }
}

pub(super) fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a valid name (lowercase letters, digits and _, starting with a letter)"
        ))
    }
}

/// Evaluation order of `nodes` (indices), or a cycle (indices along it).
pub(super) fn topo_order(nodes: &[Node], numeric: usize) -> Result<Vec<usize>, Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut mark = vec![Mark::New; nodes.len()];
    let mut order = Vec::with_capacity(nodes.len());
    for start in 0..nodes.len() {
        if mark[start] != Mark::New {
            continue;
        }
        // Iterative DFS: (node, next dependency index); the stack is the current path.
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        mark[start] = Mark::Open;
        while let Some((n, next)) = stack.last().copied() {
            let deps: Vec<usize> = nodes[n]
                .reads()
                .into_iter()
                .filter(|s| *s >= numeric)
                .map(|s| s - numeric)
                .collect();
            if next < deps.len() {
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
                let d = deps[next];
                match mark[d] {
                    Mark::New => {
                        mark[d] = Mark::Open;
                        stack.push((d, 0));
                    }
                    Mark::Open => {
                        let from = stack.iter().position(|(s, _)| *s == d).unwrap_or(0);
                        return Err(stack[from..].iter().map(|(s, _)| *s).collect());
                    }
                    Mark::Done => {}
                }
            } else {
                mark[n] = Mark::Done;
                order.push(n);
                stack.pop();
            }
        }
    }
    Ok(order)
}

pub(super) fn compile(name: &str, r: &RawValue, ctx: &Context<'_>) -> Result<Node, Vec<String>> {
    let mut errs: Vec<String> = Vec::new();
    // A named table supplies what the value does not say itself.
    let mut r = r.clone();
    let mut table_cite = None;
    if let Some(t) = &r.table {
        match ctx.tables.get(t) {
            None => errs.push(format!("`{t}` is not a table of `[tables]`")),
            Some(t) => {
                let mut both = |given: bool, field: &str| {
                    if given {
                        errs.push(format!("`{field}` is given by the table; not here too"));
                    }
                };
                both(r.rows.is_some() && t.rows.is_some(), "rows");
                both(r.bands.is_some() && t.bands.is_some(), "bands");
                both(r.brackets.is_some() && t.brackets.is_some(), "brackets");
                both(r.matching.is_some() && t.matching.is_some(), "match");
                both(r.default.is_some() && t.default.is_some(), "default");
                r.rows = r.rows.take().or_else(|| t.rows.clone());
                r.bands = r.bands.take().or_else(|| t.bands.clone());
                r.brackets = r.brackets.take().or_else(|| t.brackets.clone());
                r.matching = r.matching.take().or_else(|| t.matching.clone());
                r.default = r.default.take().or_else(|| t.default.clone());
                table_cite = Some(t.cite.clone());
            }
        }
    }
    let r = &r;
    let names = ctx.names;
    let operand = |o: &RawOperand, errs: &mut Vec<String>| -> Operand {
        match o {
            RawOperand::Int(i) => Operand::Num(Decimal::from(*i)),
            RawOperand::Float(f) => match float(*f) {
                Ok(d) => Operand::Num(d),
                Err(m) => {
                    errs.push(m);
                    Operand::Num(Decimal::ZERO)
                }
            },
            RawOperand::Name(n) => match names.get(n) {
                Some(s) => Operand::Slot(*s),
                None if ctx.people.contains_key(n) => {
                    errs.push(format!(
                        "`{n}` is a list of people; use it with `people =` in an allowance, count or people_sum"
                    ));
                    Operand::Num(Decimal::ZERO)
                }
                None => {
                    errs.push(format!("unknown name `{n}`"));
                    Operand::Num(Decimal::ZERO)
                }
            },
        }
    };
    // A choice input may be compared only by `is`, or used as a table key.
    let no_choice = |o: &Operand, errs: &mut Vec<String>| {
        if let Operand::Slot(s) = o
            && ctx.choices.contains_key(s)
        {
            errs.push("a choice input is tested with `is = \"…\"` or used as a table key, not computed with".into());
        }
    };
    let list = |errs: &mut Vec<String>| -> Vec<Operand> {
        let v: Vec<Operand> = match &r.of {
            Some(RawOperands::Many(v)) if !v.is_empty() => {
                v.iter().map(|o| operand(o, errs)).collect()
            }
            Some(RawOperands::One(o)) => vec![operand(o, errs)],
            _ => {
                errs.push("needs `of` (a name, a number or a list of them)".into());
                Vec::new()
            }
        };
        v.iter().for_each(|o| no_choice(o, errs));
        v
    };
    let one = |errs: &mut Vec<String>| -> Operand {
        match &r.of {
            Some(RawOperands::One(o)) => {
                let o = operand(o, errs);
                no_choice(&o, errs);
                o
            }
            _ => {
                errs.push("needs `of` (one name or number)".into());
                Operand::Num(Decimal::ZERO)
            }
        }
    };
    let number = |raw: &Option<RawNum>, field: &str, errs: &mut Vec<String>| -> Decimal {
        match raw.as_ref().map(num) {
            Some(Ok(d)) => d,
            Some(Err(m)) => {
                errs.push(format!("{field}: {m}"));
                Decimal::ZERO
            }
            None => {
                errs.push(format!("needs `{field}`"));
                Decimal::ZERO
            }
        }
    };
    let required = |o: &Option<RawOperand>, field: &str, errs: &mut Vec<String>| -> Operand {
        match o {
            Some(o) => {
                let o = operand(o, errs);
                no_choice(&o, errs);
                o
            }
            None => {
                errs.push(format!("needs `{field}`"));
                Operand::Num(Decimal::ZERO)
            }
        }
    };
    // An operand that may be left out (0).
    let optional = |o: &Option<RawOperand>, errs: &mut Vec<String>| -> Operand {
        o.as_ref().map_or(Operand::Num(Decimal::ZERO), |o| {
            let o = operand(o, errs);
            no_choice(&o, errs);
            o
        })
    };
    let people_of = |errs: &mut Vec<String>| -> (usize, &[String], &[String]) {
        match r.people.as_deref() {
            Some(p) => match ctx.people.get(p) {
                Some(d) => (d.index, d.fields.as_slice(), d.flags.as_slice()),
                None => {
                    errs.push(format!("`{p}` is not a people input"));
                    (0, &[], &[])
                }
            },
            None => {
                errs.push("needs `people` (a people input)".into());
                (0, &[], &[])
            }
        }
    };
    let uses_people = matches!(r.kind.as_str(), "allowance" | "count" | "people_sum");
    let (people, fields, flags) = if uses_people {
        people_of(&mut errs)
    } else {
        (0, &[][..], &[][..])
    };
    let condition = |c: &RawCondition, errs: &mut Vec<String>| {
        let field = if c.field == "age" {
            PersonField::Age
        } else if let Some(i) = fields.iter().position(|f| *f == c.field) {
            PersonField::Field(i)
        } else if flags.contains(&c.field) {
            PersonField::Flag(c.field.clone())
        } else {
            errs.push(format!(
                "where: `{}` is not `age`, a field or a flag of the people ({})",
                c.field,
                fields
                    .iter()
                    .chain(flags)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            PersonField::Age
        };
        let cmp = Cmp::parse(&c.cmp).unwrap_or_else(|| {
            errs.push("where: `cmp` is one of < <= > >= == !=".into());
            Cmp::Eq
        });
        let than = operand(&c.than, errs);
        no_choice(&than, errs);
        Condition {
            field,
            name: c.field.clone(),
            cmp,
            than,
        }
    };
    let mut conditions = Vec::new();
    for w in r.conditions.as_deref().unwrap_or_default() {
        match w {
            RawWhere::One(c) => conditions.push(vec![condition(c, &mut errs)]),
            RawWhere::Any(a) if a.any.is_empty() => {
                errs.push("where: `any` of no condition".into())
            }
            RawWhere::Any(a) => {
                conditions.push(a.any.iter().map(|c| condition(c, &mut errs)).collect())
            }
        }
    }
    if !uses_people && (r.conditions.is_some() || r.people.is_some()) {
        errs.push("`people` and `where` belong to allowance, count and people_sum".into());
    }
    let filter = Filter {
        relations: r.relations.clone().unwrap_or_default(),
        ages: r.ages.clone().unwrap_or_default(),
        flag: r.flag.clone(),
        not_flag: r.not_flag.clone(),
        any_age_if: r.any_age_if.clone(),
        conditions,
    };
    for (lo, hi) in &filter.ages {
        if lo > hi {
            errs.push(format!("age range [{lo}, {hi}] is empty"));
        }
    }
    if r.dated.is_some() && r.kind != "const" {
        errs.push("`dated` belongs to `const`".into());
    }
    if r.is.is_some() && r.kind != "threshold" {
        errs.push("`is` belongs to `threshold`".into());
    }

    let op = match r.kind.as_str() {
        "const" => match (&r.value, &r.dated) {
            (Some(_), Some(_)) => {
                errs.push("a const has `value` or `dated`, not both".into());
                Op::Const(Decimal::ZERO)
            }
            (_, Some(dated)) => dated_op(dated, r.apportion.as_deref(), ctx.year, &mut errs),
            _ => Op::Const(number(&r.value, "value", &mut errs)),
        },
        "sum" => Op::Sum(list(&mut errs)),
        "difference" => Op::Difference(list(&mut errs)),
        "product" => Op::Product(list(&mut errs)),
        "min" => Op::Min(list(&mut errs)),
        "max" => Op::Max(list(&mut errs)),
        "percent" => Op::Percent {
            of: one(&mut errs),
            rate: number(&r.rate, "rate", &mut errs),
        },
        "schedule" => {
            let of = one(&mut errs);
            let mut bands = Vec::new();
            for b in r.bands.as_deref().unwrap_or_default() {
                bands.push(Band {
                    from: number(&Some(b.from.clone()), "from", &mut errs),
                    base: b
                        .base
                        .as_ref()
                        .map_or(Ok(Decimal::ZERO), num)
                        .unwrap_or_else(|m| {
                            errs.push(format!("base: {m}"));
                            Decimal::ZERO
                        }),
                    rate: number(&Some(b.rate.clone()), "rate", &mut errs),
                    floor: b.floor.as_ref().map(num).transpose().unwrap_or_else(|m| {
                        errs.push(format!("floor: {m}"));
                        None
                    }),
                    cap: b.cap.as_ref().map(num).transpose().unwrap_or_else(|m| {
                        errs.push(format!("cap: {m}"));
                        None
                    }),
                });
            }
            if bands.is_empty() {
                errs.push("needs `bands`".into());
            } else if bands[0].from != Decimal::ZERO {
                errs.push("the first band must start `from = 0`".into());
            }
            if bands.windows(2).any(|w| w[1].from <= w[0].from) {
                errs.push("bands must be in increasing order of `from`, without repeats".into());
            }
            Op::Schedule { of, bands }
        }
        "brackets" => {
            let of = one(&mut errs);
            let raw = r.brackets.as_deref().unwrap_or_default();
            let mut brackets = Vec::new();
            for (i, b) in raw.iter().enumerate() {
                let upto = b.upto.as_ref().map(num).transpose().unwrap_or_else(|m| {
                    errs.push(format!("upto: {m}"));
                    None
                });
                if upto.is_none() && i + 1 != raw.len() {
                    errs.push("only the last bracket may be unbounded (no `upto`)".into());
                }
                brackets.push(Bracket {
                    upto,
                    rate: number(&Some(b.rate.clone()), "rate", &mut errs),
                });
            }
            if brackets.is_empty() {
                errs.push("needs `brackets`".into());
            } else if brackets.last().is_some_and(|b| b.upto.is_some()) {
                errs.push("the last bracket must be unbounded (no `upto`): income above the last bound would go untaxed".into());
            }
            if brackets
                .windows(2)
                .any(|w| matches!((w[0].upto, w[1].upto), (Some(a), Some(b)) if b <= a))
            {
                errs.push("bracket bounds must increase".into());
            }
            Op::Brackets { of, brackets }
        }
        "allowance" => Op::Allowance {
            people,
            filter,
            amount: required(&r.amount, "amount", &mut errs),
            max_count: r.max_count,
        },
        "count" => Op::Count {
            people,
            filter,
            max_count: r.max_count,
        },
        "people_sum" => {
            let field = match r.field.as_deref() {
                Some(f) => fields.iter().position(|x| x == f).unwrap_or_else(|| {
                    errs.push(format!(
                        "field `{f}` is not a field of the people ({})",
                        fields.join(", ")
                    ));
                    0
                }),
                None => {
                    errs.push("needs `field`: the people's own amount to add up".into());
                    0
                }
            };
            Op::PeopleSum {
                people,
                filter,
                field,
                max_count: r.max_count,
            }
        }
        "lookup" => Op::Lookup(table_op(r, ctx, &operand, &mut errs)),
        "threshold" => match &r.is {
            Some(is) => {
                let test = required_choice(r, ctx, &operand, &mut errs);
                let names = is.list();
                let mut set = Vec::new();
                if let Operand::Slot(s) = test
                    && let Some(choices) = ctx.choices.get(&s)
                {
                    for n in &names {
                        match choices.iter().position(|c| c == n) {
                            Some(i) => set.push(Decimal::from(i)),
                            None => errs.push(format!(
                                "is: {n:?} is not one of the choices ({})",
                                choices.join(", ")
                            )),
                        }
                    }
                }
                if r.cmp.is_some() || r.than.is_some() {
                    errs.push("a threshold has `is`, or `cmp` and `than`; not both".into());
                }
                Op::OneOf {
                    test,
                    set,
                    names,
                    then: required(&r.then, "then", &mut errs),
                    otherwise: optional(&r.otherwise, &mut errs),
                }
            }
            None => Op::Threshold {
                test: required(&r.test, "if", &mut errs),
                cmp: r.cmp.as_deref().and_then(Cmp::parse).unwrap_or_else(|| {
                    errs.push("needs `cmp`: one of < <= > >= == != (or `is` for a choice)".into());
                    Cmp::Eq
                }),
                than: required(&r.than, "than", &mut errs),
                then: required(&r.then, "then", &mut errs),
                otherwise: optional(&r.otherwise, &mut errs),
            },
        },
        other => {
            errs.push(format!(
                "kind {other:?} is not one of const, sum, difference, product, min, max, percent, schedule, brackets, allowance, count, people_sum, lookup, threshold"
            ));
            Op::Const(Decimal::ZERO)
        }
    };
    let mut cite = match r.cite.as_deref().map(str::trim) {
        Some(c) if !c.is_empty() => c.to_owned(),
        _ => match table_cite {
            Some(c) => c,
            None => {
                errs.push("needs `cite`: the legal source of this value".into());
                String::new()
            }
        },
    };
    // A dated value's own source (the amending act) joins the value's citation.
    for d in r.dated.as_deref().unwrap_or_default() {
        if let Some(c) = d.cite.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            cite.push_str(&format!("; from {}: {c}", d.from));
        }
    }
    let floor = r.floor.as_ref().map(|o| operand(o, &mut errs));
    let cap = r.cap.as_ref().map(|o| operand(o, &mut errs));
    let round = r.round.as_ref().map(|rr| {
        let mode = match rr.mode.as_str() {
            "down" => RoundMode::Down,
            "up" => RoundMode::Up,
            "nearest" => RoundMode::Nearest,
            other => {
                errs.push(format!("round.mode {other:?} is not down, up or nearest"));
                RoundMode::Down
            }
        };
        let unit = num(&rr.unit).unwrap_or_else(|m| {
            errs.push(format!("round.unit: {m}"));
            Decimal::ONE
        });
        if unit <= Decimal::ZERO {
            errs.push("round.unit must be positive".into());
        }
        Round { mode, unit }
    });
    let divide_by = match r.period.as_deref() {
        None | Some("annual") => None,
        Some("monthly") => Some(Decimal::from(12)),
        Some(other) => {
            errs.push(format!("period {other:?} is not annual or monthly"));
            None
        }
    };
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(Node {
        name: name.to_owned(),
        label: r.label.clone(),
        description: r.description.clone(),
        cite,
        file: 0,
        line: 0,
        op,
        floor,
        cap,
        round,
        divide_by,
    })
}

/// The `if` of a threshold with `is`: a choice input.
fn required_choice(
    r: &RawValue,
    ctx: &Context<'_>,
    operand: &dyn Fn(&RawOperand, &mut Vec<String>) -> Operand,
    errs: &mut Vec<String>,
) -> Operand {
    let Some(o) = &r.test else {
        errs.push("needs `if`: the choice input `is` tests".into());
        return Operand::Num(Decimal::ZERO);
    };
    let o = operand(o, errs);
    if !matches!(o, Operand::Slot(s) if ctx.choices.contains_key(&s)) {
        errs.push("`is` tests a choice input; `if` names none".into());
    }
    o
}

/// A parameter with dated values: dates increasing, the first in force on 1 January of the
/// year at the latest.
fn dated_op(dated: &[RawDated], apportion: Option<&str>, year: i32, errs: &mut Vec<String>) -> Op {
    let mut values = Vec::new();
    for d in dated {
        match num(&d.value) {
            Ok(v) => values.push((d.from, v)),
            Err(m) => errs.push(format!("dated: {m}")),
        }
    }
    if values.is_empty() {
        errs.push("dated: needs at least one `{ from, value }`".into());
    }
    if values.windows(2).any(|w| w[1].0 <= w[0].0) {
        errs.push("dated: the dates must increase".into());
    }
    let year_start = chrono::NaiveDate::from_ymd_opt(year, 1, 1);
    if let (Some(first), Some(start)) = (values.first(), year_start)
        && first.0 > start
    {
        errs.push(format!(
            "dated: the first value is in force from {}; the year begins {start} without one",
            first.0
        ));
    }
    let apportion = match apportion {
        None => false,
        Some("days") => true,
        Some(other) => {
            errs.push(format!("apportion {other:?} is not \"days\""));
            false
        }
    };
    Op::Dated { values, apportion }
}

/// A lookup table: its keys, how each matches, and the rows laid into a grid.
fn table_op(
    r: &RawValue,
    ctx: &Context<'_>,
    operand: &dyn Fn(&RawOperand, &mut Vec<String>) -> Operand,
    errs: &mut Vec<String>,
) -> Table {
    let keys: Vec<Operand> = match (&r.key, &r.keys) {
        (Some(k), None) => vec![operand(k, errs)],
        (None, Some(ks)) if !ks.is_empty() => ks.iter().map(|k| operand(k, errs)).collect(),
        _ => {
            errs.push("needs `key` (one) or `keys` (several)".into());
            Vec::new()
        }
    };
    let modes: Vec<Match> = match (&r.matching, r.exact) {
        (Some(_), Some(_)) => {
            errs.push("a table has `match` or `exact`, not both".into());
            Vec::new()
        }
        (Some(RawMatch::One(m)), None) => vec![m.clone(); keys.len()]
            .iter()
            .filter_map(|m| {
                Match::parse(m).or_else(|| {
                    errs.push(format!("match {m:?} is not exact, from or upto"));
                    None
                })
            })
            .collect(),
        (Some(RawMatch::PerKey(ms)), None) => {
            if ms.len() != keys.len() {
                errs.push(format!(
                    "`match` needs one mode for each of the {} key(s)",
                    keys.len()
                ));
            }
            ms.iter()
                .filter_map(|m| {
                    Match::parse(m).or_else(|| {
                        errs.push(format!("match {m:?} is not exact, from or upto"));
                        None
                    })
                })
                .collect()
        }
        (None, Some(true)) => vec![Match::Exact; keys.len()],
        (None, Some(false)) => vec![Match::From; keys.len()],
        // One key: a step table ("from X upwards"); several: exact.
        (None, None) if keys.len() == 1 => vec![Match::From],
        (None, None) => vec![Match::Exact; keys.len()],
    };
    // Each key's cells: a number, or a choice's name where the key is a choice input.
    let choice_of = |k: &Operand| match k {
        Operand::Slot(s) => ctx.choices.get(s),
        Operand::Num(_) => None,
    };
    for (k, m) in keys.iter().zip(&modes) {
        if choice_of(k).is_some() && *m != Match::Exact {
            errs.push("a choice key matches exactly (`match = \"exact\"`)".into());
        }
    }
    let mut rows: Vec<(Vec<Decimal>, Decimal)> = Vec::new();
    for row in r.rows.as_deref().unwrap_or_default() {
        if row.len() != keys.len() + 1 {
            errs.push(format!("each row needs {} key(s) and a value", keys.len()));
            continue;
        }
        let mut vals: Vec<Decimal> = Vec::new();
        for (i, v) in row.iter().enumerate() {
            let choices = keys.get(i).and_then(choice_of);
            let d = match (v, choices) {
                (RawNum::Str(name), Some(choices)) => choices
                    .iter()
                    .position(|c| c == name)
                    .map(Decimal::from)
                    .ok_or_else(|| {
                        format!(
                            "{name:?} is not one of the choices ({})",
                            choices.join(", ")
                        )
                    }),
                (_, Some(choices)) => Err(format!(
                    "a key of a choice is one of its choices ({})",
                    choices.join(", ")
                )),
                (v, None) => num(v),
            };
            match d {
                Ok(d) => vals.push(d),
                Err(m) => errs.push(m),
            }
        }
        if vals.len() == keys.len() + 1
            && let Some(value) = vals.pop()
        {
            rows.push((vals, value));
        }
    }
    if rows.is_empty() {
        errs.push("needs `rows`".into());
    }
    if keys.len() == 1
        && modes.first().is_some_and(|m| *m != Match::Exact)
        && rows.windows(2).any(|w| w[1].0 <= w[0].0)
    {
        errs.push("a range table's keys must increase".into());
    }
    let default = r.default.as_ref().map(num).transpose().unwrap_or_else(|m| {
        errs.push(format!("default: {m}"));
        None
    });
    let mut axes: Vec<Axis> = keys
        .iter()
        .zip(&modes)
        .enumerate()
        .map(|(k, (key, m))| {
            let mut bounds: Vec<Decimal> = rows.iter().map(|(ks, _)| ks[k]).collect();
            bounds.sort();
            bounds.dedup();
            Axis {
                key: *key,
                matching: *m,
                bounds,
            }
        })
        .collect();
    if modes.len() != keys.len() {
        axes.clear();
    }
    const MAX_CELLS: usize = 1_000_000;
    let size = axes
        .iter()
        .try_fold(1usize, |n, a| n.checked_mul(a.bounds.len()))
        .filter(|n| *n <= MAX_CELLS);
    let Some(size) = size else {
        errs.push(format!(
            "the table's grid would hold more than {MAX_CELLS} cells"
        ));
        return Table {
            axes,
            cells: Vec::new(),
            default,
        };
    };
    let mut cells = vec![None; if axes.is_empty() { 0 } else { size }];
    for (ks, v) in &rows {
        if axes.is_empty() {
            break;
        }
        let mut flat = 0;
        for (a, k) in axes.iter().zip(ks) {
            let i = a.bounds.binary_search(k).unwrap_or(0);
            flat = flat * a.bounds.len() + i;
        }
        if cells[flat].is_some() {
            errs.push(format!("two rows for the keys {ks:?}"));
        }
        cells[flat] = Some(*v);
    }
    // A range table with a hole would give the default inside its ranges: every combination
    // of its keys needs a row.
    if axes.len() > 1
        && axes.iter().any(|a| a.matching != Match::Exact)
        && let Some(hole) = cells.iter().position(Option::is_none)
    {
        let t = Table {
            axes: axes.clone(),
            cells: Vec::new(),
            default: None,
        };
        errs.push(format!(
            "a range table needs a row for every combination of its keys; none for {:?}",
            t.bounds_of(hole)
        ));
    }
    Table {
        axes,
        cells,
        default,
    }
}

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

/// Who counts for an allowance or a count.
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
}

impl Filter {
    pub fn matches(&self, p: &Person) -> bool {
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
        if self.ages.is_empty() || self.any_age_if.as_ref().is_some_and(|f| p.has(f)) {
            return true;
        }
        self.ages
            .iter()
            .any(|(lo, hi)| (*lo..=*hi).contains(&p.age))
    }
}

/// A person in a household input (a dependant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub relation: String,
    pub age: u32,
    pub flags: Vec<String>,
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
    fn parse(s: &str) -> Option<Self> {
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
    Lookup {
        keys: Vec<Operand>,
        rows: Vec<(Vec<Decimal>, Decimal)>,
        exact: bool,
        default: Option<Decimal>,
    },
    Threshold {
        test: Operand,
        cmp: Cmp,
        than: Operand,
        then: Operand,
        otherwise: Operand,
    },
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
            Op::Lookup { .. } => "lookup",
            Op::Threshold { .. } => "threshold",
        }
    }

    fn operands(&self) -> Vec<Operand> {
        match self {
            Op::Const(_) | Op::Count { .. } => Vec::new(),
            Op::Sum(v) | Op::Difference(v) | Op::Product(v) | Op::Min(v) | Op::Max(v) => v.clone(),
            Op::Percent { of, .. } | Op::Schedule { of, .. } | Op::Brackets { of, .. } => {
                vec![*of]
            }
            Op::Allowance { amount, .. } => vec![*amount],
            Op::Lookup { keys, .. } => keys.clone(),
            Op::Threshold {
                test,
                than,
                then,
                otherwise,
                ..
            } => vec![*test, *than, *then, *otherwise],
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
}

impl InputType {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "money" => InputType::Money,
            "count" => InputType::Count,
            "number" => InputType::Number,
            "flag" => InputType::Flag,
            "people" => InputType::People,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InputType::Money => "money",
            InputType::Count => "count",
            InputType::Number => "number",
            InputType::Flag => "flag",
            InputType::People => "people",
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
    pub max_people: usize,
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
    pub tax: String,
    pub title: String,
    pub year: i32,
    pub period: String,
    pub currency: String,
    pub law: String,
    /// SHA-256 of the file's bytes, hex: with [`ENGINE_VERSION`], what reproduces a result.
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

impl RuleSet {
    /// Loads and compiles a rules file.
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

    /// Compiles rules from text; `file` names them in errors.
    pub fn parse(file: &Path, text: &str) -> Result<Self, LoadError> {
        let issue = |line: usize, message: String| LoadIssue {
            file: file.to_owned(),
            line,
            message,
        };
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(0, |s| line_of(text, s.start));
            LoadError(vec![issue(line, e.message().to_owned())])
        })?;
        let mut issues = Vec::new();

        // Inputs: numeric ones take slots 0.., people lists their own indices.
        let mut names: HashMap<String, usize> = HashMap::new();
        let mut people_names: HashMap<String, usize> = HashMap::new();
        let mut inputs = Vec::new();
        let mut raw_inputs: Vec<(&String, &Spanned<RawInput>)> = raw.inputs.iter().collect();
        raw_inputs.sort_by_key(|(_, s)| s.span().start);
        let mut numeric = 0;
        let mut people = 0;
        for (name, spanned) in raw_inputs {
            let line = line_of(text, spanned.span().start);
            let r = spanned.get_ref();
            check_name(name)
                .map_err(|m| issues.push(issue(line, m)))
                .ok();
            let Some(ty) = InputType::parse(&r.ty) else {
                issues.push(issue(
                    line,
                    format!(
                        "input `{name}`: type {:?} is not money, count, number, flag or people",
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
                        line,
                        format!("input `{name}`: period {other:?} is not annual or monthly"),
                    ));
                    false
                }
            };
            let default = match r.default.as_ref().map(num).transpose() {
                Ok(d) => d.unwrap_or_default(),
                Err(m) => {
                    issues.push(issue(line, format!("input `{name}`: default: {m}")));
                    Decimal::ZERO
                }
            };
            let max = match r.max.as_ref().map(num).transpose() {
                Ok(m) => m,
                Err(m) => {
                    issues.push(issue(line, format!("input `{name}`: max: {m}")));
                    None
                }
            };
            let slot = if ty == InputType::People {
                people_names.insert(name.clone(), people);
                people += 1;
                people - 1
            } else {
                names.insert(name.clone(), numeric);
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
                max_people: r.max_people.unwrap_or(50),
                slot,
            });
        }

        // Value names first, so values may refer to values declared later.
        let mut raw_values: Vec<(&String, &Spanned<RawValue>)> = raw.values.iter().collect();
        raw_values.sort_by_key(|(_, s)| s.span().start);
        for (i, (name, spanned)) in raw_values.iter().enumerate() {
            let line = line_of(text, spanned.span().start);
            if let Err(m) = check_name(name) {
                issues.push(issue(line, m));
            }
            if names.contains_key(*name) || people_names.contains_key(*name) {
                issues.push(issue(
                    line,
                    format!("`{name}` is declared both as an input and a value"),
                ));
            }
            names.insert((*name).clone(), numeric + i);
        }

        let mut nodes = Vec::new();
        for (name, spanned) in &raw_values {
            let line = line_of(text, spanned.span().start);
            match compile(name, spanned.get_ref(), &names, &people_names) {
                Ok(mut node) => {
                    node.line = line;
                    nodes.push(node);
                }
                Err(msgs) => {
                    for m in msgs {
                        issues.push(issue(line, format!("value `{name}`: {m}")));
                    }
                }
            }
        }

        let mut calendar = Vec::new();
        for (code, spanned) in &raw.calendar {
            let d = spanned.get_ref();
            if d.opens.is_some_and(|o| o > d.due) {
                issues.push(issue(
                    line_of(text, spanned.span().start),
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

        let meta_line = 1;
        if !matches!(raw.meta.period.as_str(), "annual" | "monthly") {
            issues.push(issue(
                meta_line,
                format!("meta.period {:?} is not annual or monthly", raw.meta.period),
            ));
        }
        for name in raw
            .meta
            .outputs
            .iter()
            .chain(&raw.meta.balance)
            .chain(&raw.meta.income)
            .chain(&raw.meta.tax_due)
        {
            if !names.contains_key(name) {
                issues.push(issue(
                    meta_line,
                    format!("meta names `{name}`, which is not an input or a value"),
                ));
            }
        }
        for (field, target) in &raw.meta.prefill {
            if !STATEMENT_FIELDS.contains(&field.as_str()) {
                issues.push(issue(
                    meta_line,
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
                    meta_line,
                    format!("meta.prefill: `{target}` is not a money input"),
                ));
            }
        }
        let administration = match &raw.administration {
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
                        meta_line,
                        "administration: assessment_max must be above 0 and \
                         second_officer_from at least 0"
                            .to_owned(),
                    ));
                    Administration::default()
                }
            },
        };
        let statements = match &raw.statements {
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
                            meta_line,
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
                    first.line,
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
        let hash = hex::encode(Sha256::digest(text.as_bytes()));
        Ok(RuleSet {
            file: file.to_owned(),
            tax: raw.meta.tax,
            title: raw.meta.title,
            year: raw.meta.year,
            period: raw.meta.period,
            currency: raw.meta.currency,
            law: raw.meta.law,
            hash,
            inputs,
            nodes: ordered,
            outputs: raw.meta.outputs,
            calendar,
            balance: raw.meta.balance,
            income: raw.meta.income,
            tax_due: raw.meta.tax_due,
            prefill: raw.meta.prefill,
            administration,
            statements,
            numeric_inputs: numeric,
            people_inputs: people,
            names,
        })
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
        Op::Const(_) | Op::Count { .. } => {}
        Op::Sum(v) | Op::Difference(v) | Op::Product(v) | Op::Min(v) | Op::Max(v) => {
            v.iter_mut().for_each(f)
        }
        Op::Percent { of, .. } | Op::Schedule { of, .. } | Op::Brackets { of, .. } => f(of),
        Op::Allowance { amount, .. } => f(amount),
        Op::Lookup { keys, .. } => keys.iter_mut().for_each(f),
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

pub(super) fn compile(
    name: &str,
    r: &RawValue,
    names: &HashMap<String, usize>,
    people: &HashMap<String, usize>,
) -> Result<Node, Vec<String>> {
    let mut errs: Vec<String> = Vec::new();
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
                None if people.contains_key(n) => {
                    errs.push(format!(
                        "`{n}` is a list of people; use it with `people =` in an allowance or count"
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
    let list = |errs: &mut Vec<String>| -> Vec<Operand> {
        match &r.of {
            Some(RawOperands::Many(v)) if !v.is_empty() => {
                v.iter().map(|o| operand(o, errs)).collect()
            }
            Some(RawOperands::One(o)) => vec![operand(o, errs)],
            _ => {
                errs.push("needs `of` (a name, a number or a list of them)".into());
                Vec::new()
            }
        }
    };
    let one = |errs: &mut Vec<String>| -> Operand {
        match &r.of {
            Some(RawOperands::One(o)) => operand(o, errs),
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
            Some(o) => operand(o, errs),
            None => {
                errs.push(format!("needs `{field}`"));
                Operand::Num(Decimal::ZERO)
            }
        }
    };
    let people_of = |errs: &mut Vec<String>| -> usize {
        match r.people.as_deref() {
            Some(p) => people.get(p).copied().unwrap_or_else(|| {
                errs.push(format!("`{p}` is not a people input"));
                0
            }),
            None => {
                errs.push("needs `people` (a people input)".into());
                0
            }
        }
    };
    let filter = Filter {
        relations: r.relations.clone().unwrap_or_default(),
        ages: r.ages.clone().unwrap_or_default(),
        flag: r.flag.clone(),
        not_flag: r.not_flag.clone(),
        any_age_if: r.any_age_if.clone(),
    };
    for (lo, hi) in &filter.ages {
        if lo > hi {
            errs.push(format!("age range [{lo}, {hi}] is empty"));
        }
    }

    let op = match r.kind.as_str() {
        "const" => Op::Const(number(&r.value, "value", &mut errs)),
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
            people: people_of(&mut errs),
            filter: filter.clone(),
            amount: required(&r.amount, "amount", &mut errs),
            max_count: r.max_count,
        },
        "count" => Op::Count {
            people: people_of(&mut errs),
            filter: filter.clone(),
            max_count: r.max_count,
        },
        "lookup" => {
            let keys: Vec<Operand> = match (&r.key, &r.keys) {
                (Some(k), None) => vec![operand(k, &mut errs)],
                (None, Some(ks)) if !ks.is_empty() => {
                    ks.iter().map(|k| operand(k, &mut errs)).collect()
                }
                _ => {
                    errs.push("needs `key` (one) or `keys` (several)".into());
                    Vec::new()
                }
            };
            let exact = r.exact.unwrap_or(keys.len() > 1);
            if keys.len() > 1 && !exact {
                errs.push("a table with several keys matches exactly (`exact = true`)".into());
            }
            let mut rows = Vec::new();
            for row in r.rows.as_deref().unwrap_or_default() {
                if row.len() != keys.len() + 1 {
                    errs.push(format!("each row needs {} key(s) and a value", keys.len()));
                    continue;
                }
                let mut vals: Vec<Decimal> = Vec::new();
                for v in row {
                    match num(v) {
                        Ok(d) => vals.push(d),
                        Err(m) => errs.push(m),
                    }
                }
                if let Some(value) = vals.pop() {
                    rows.push((vals, value));
                }
            }
            if rows.is_empty() {
                errs.push("needs `rows`".into());
            }
            if !exact && rows.windows(2).any(|w| w[1].0 <= w[0].0) {
                errs.push("a step table's keys must increase".into());
            }
            let default = r.default.as_ref().map(num).transpose().unwrap_or_else(|m| {
                errs.push(format!("default: {m}"));
                None
            });
            Op::Lookup {
                keys,
                rows,
                exact,
                default,
            }
        }
        "threshold" => Op::Threshold {
            test: required(&r.test, "if", &mut errs),
            cmp: r.cmp.as_deref().and_then(Cmp::parse).unwrap_or_else(|| {
                errs.push("needs `cmp`: one of < <= > >= == !=".into());
                Cmp::Eq
            }),
            than: required(&r.than, "than", &mut errs),
            then: required(&r.then, "then", &mut errs),
            otherwise: r
                .otherwise
                .as_ref()
                .map_or(Operand::Num(Decimal::ZERO), |o| operand(o, &mut errs)),
        },
        other => {
            errs.push(format!(
                "kind {other:?} is not one of const, sum, difference, product, min, max, percent, schedule, brackets, allowance, count, lookup, threshold"
            ));
            Op::Const(Decimal::ZERO)
        }
    };
    let cite = match r.cite.as_deref().map(str::trim) {
        Some(c) if !c.is_empty() => c.to_owned(),
        _ => {
            errs.push("needs `cite`: the legal source of this value".into());
            String::new()
        }
    };
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
        line: 0,
        op,
        floor,
        cap,
        round,
        divide_by,
    })
}

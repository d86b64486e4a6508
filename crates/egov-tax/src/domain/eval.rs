//! Evaluation: inputs read and checked against the declarations, every value computed in
//! dependency order, and on request a trace of each step with its rule and citation.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::rules::{
    ANNUAL, Band, Bracket, ENGINE_VERSION, InputType, Node, Op, Operand, Person, Round, RoundMode,
    RuleSet,
};

/// A problem with one input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputError {
    /// JSON pointer of the offending input.
    pub pointer: String,
    pub message: egov_core::error::Text,
}

/// Inputs read into slots, ready to evaluate (many times, if need be).
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub numbers: Vec<Decimal>,
    pub people: Vec<Vec<Person>>,
    /// The period the return covers (first and last day): dated parameters take the value
    /// in force on its first day, or the mean over its days.
    pub period: (chrono::NaiveDate, chrono::NaiveDate),
}

/// One step of the explanation: a value, how it was computed and where the law says so.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Step {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[schema(value_type = String)]
    pub value: Decimal,
    /// The building block (`schedule`, `brackets`, ...).
    pub rule: String,
    /// What was applied, in words: the band, bracket, table row, branch or people counted.
    pub detail: String,
    /// Legal citation.
    pub cite: String,
    /// The values it read, by name.
    #[schema(value_type = Object)]
    pub uses: BTreeMap<String, Decimal>,
}

/// A result with what reproduces it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Outcome {
    pub tax: String,
    pub year: i32,
    pub engine_version: String,
    /// SHA-256 of the rules file used.
    pub rules_hash: String,
    /// Every input as read (after defaults; a monthly input as given, and its annual amount,
    /// which the rules read, as `<input>:annual`) and every value.
    #[schema(value_type = Object)]
    pub values: BTreeMap<String, Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<Step>>,
}

impl Outcome {
    pub fn get(&self, name: &str) -> Decimal {
        self.values.get(name).copied().unwrap_or_default()
    }
}

fn dec(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Some(Decimal::from(i))
            } else {
                n.as_f64()
                    .and_then(|f| format!("{f}").parse::<Decimal>().ok())
            }
        }
        Value::String(s) => s.trim().parse::<Decimal>().ok(),
        _ => None,
    }
}

impl RuleSet {
    /// The days the rule set's period covers: its calendar year.
    pub fn period_days(&self) -> (chrono::NaiveDate, chrono::NaiveDate) {
        let first = chrono::NaiveDate::from_ymd_opt(self.year, 1, 1).unwrap_or_default();
        let last = chrono::NaiveDate::from_ymd_opt(self.year, 12, 31).unwrap_or_default();
        (first, last)
    }

    /// Reads inputs given as a JSON object (`name: value`; people as a list of
    /// `{relation, age, <flag>: true, <field>: amount}`; a choice as its name), checking each
    /// against its declaration. Absent inputs take their default; unknown ones are refused.
    pub fn prepare(
        &self,
        input: &serde_json::Map<String, Value>,
    ) -> Result<Prepared, Vec<InputError>> {
        let mut errors = Vec::new();
        for key in input.keys() {
            if self.input(key).is_none() {
                errors.push(InputError {
                    pointer: format!("/{key}"),
                    message: egov_core::text!(
                        "detail-tax-unknown-input",
                        "not an input of these rules"
                    ),
                });
            }
        }
        let mut numbers = vec![Decimal::ZERO; self.numeric_inputs];
        let mut people = vec![Vec::new(); self.people_inputs];
        for decl in &self.inputs {
            let pointer = format!("/{}", decl.name);
            let raw = input.get(&decl.name);
            if decl.ty == InputType::People {
                let list = match raw {
                    None | Some(Value::Null) => Vec::new(),
                    Some(Value::Array(a)) => a.clone(),
                    Some(_) => {
                        errors.push(InputError {
                            pointer,
                            message: egov_core::text!(
                                "detail-tax-people",
                                "must be a list of people"
                            ),
                        });
                        continue;
                    }
                };
                if list.len() > decl.max_people {
                    errors.push(InputError {
                        pointer: pointer.clone(),
                        message: egov_core::text!(
                            "detail-tax-max-people",
                            "at most {count} people",
                            count = decl.max_people
                        ),
                    });
                    continue;
                }
                for (i, p) in list.iter().enumerate() {
                    match read_person(decl, p, self.minor_units) {
                        Ok(person) => people[decl.slot].push(person),
                        Err(message) => errors.push(InputError {
                            pointer: format!("{pointer}/{i}"),
                            message: message.into(),
                        }),
                    }
                }
                continue;
            }
            if decl.ty == InputType::Choice {
                match raw {
                    None | Some(Value::Null) => numbers[decl.slot] = decl.default,
                    Some(Value::String(c)) if decl.choices.contains(c) => {
                        let i = decl.choices.iter().position(|x| x == c).unwrap_or_default();
                        numbers[decl.slot] = Decimal::from(i);
                    }
                    Some(_) => errors.push(InputError {
                        pointer,
                        message: egov_core::text!(
                            "detail-tax-choice",
                            "must be one of {choices}",
                            choices = decl.choices.join(", ")
                        ),
                    }),
                }
                continue;
            }
            let value = match raw {
                None | Some(Value::Null) => decl.default,
                Some(Value::Bool(b)) if decl.ty == InputType::Flag => Decimal::from(u8::from(*b)),
                Some(v) => match dec(v) {
                    Some(d) => d,
                    None => {
                        errors.push(InputError {
                            pointer,
                            message: egov_core::text!(
                                "detail-tax-type",
                                "must be a {kind}",
                                kind = decl.ty.as_str()
                            ),
                        });
                        continue;
                    }
                },
            };
            let problem = match decl.ty {
                InputType::Money if value < Decimal::ZERO => Some(egov_core::text!(
                    "detail-tax-negative",
                    "must not be negative"
                )),
                InputType::Money if value.normalize().scale() > self.minor_units => {
                    Some(egov_core::text!(
                        "detail-tax-decimals",
                        "at most {count} decimal places (the minor units of {currency})",
                        count = self.minor_units,
                        currency = self.currency.clone()
                    ))
                }
                InputType::Count if value < Decimal::ZERO || !value.fract().is_zero() => Some(
                    egov_core::text!("detail-tax-count", "must be a whole number, not negative"),
                ),
                InputType::Flag if value != Decimal::ZERO && value != Decimal::ONE => {
                    Some(egov_core::text!("detail-tax-flag", "must be true or false"))
                }
                _ => None,
            };
            if let Some(message) = problem {
                errors.push(InputError { pointer, message });
                continue;
            }
            if let Some(max) = decl.max
                && value > max
            {
                errors.push(InputError {
                    pointer,
                    message: egov_core::text!(
                        "detail-tax-max",
                        "must be at most {max}",
                        max = max.to_string()
                    ),
                });
                continue;
            }
            numbers[decl.slot] = if self.annualizes(decl) {
                value * Decimal::from(12)
            } else {
                value
            };
        }
        if errors.is_empty() {
            Ok(Prepared {
                numbers,
                people,
                period: self.period_days(),
            })
        } else {
            Err(errors)
        }
    }

    /// Evaluates every value into `slots` (inputs first), reusing its allocation: the hot
    /// path of simulations.
    pub fn evaluate_into(&self, input: &Prepared, slots: &mut Vec<Decimal>) {
        slots.clear();
        slots.extend_from_slice(&input.numbers);
        for node in &self.nodes {
            let v = self.compute(node, slots, input, None);
            slots.push(v);
        }
    }

    /// Evaluates, returning every input and value by name, the engine version and the rules'
    /// hash, and with `trace` the explanation of every value.
    pub fn evaluate(&self, input: &Prepared, trace: bool) -> Outcome {
        let mut slots = Vec::with_capacity(self.slots());
        slots.extend_from_slice(&input.numbers);
        let mut steps = trace.then(|| Vec::with_capacity(self.nodes.len()));
        for (i, node) in self.nodes.iter().enumerate() {
            let v = match &mut steps {
                Some(steps) => {
                    let mut detail = String::new();
                    let v = self.compute(node, &slots, input, Some(&mut detail));
                    let uses = self
                        .reads_of(i)
                        .iter()
                        .map(|(s, name)| (name.clone(), slots[*s]))
                        .collect();
                    steps.push(Step {
                        name: node.name.clone(),
                        label: node.label.clone(),
                        value: v,
                        rule: node.op.kind().to_owned(),
                        detail,
                        cite: node.cite.clone(),
                        uses,
                    });
                    v
                }
                None => self.compute(node, &slots, input, None),
            };
            slots.push(v);
        }
        let mut values = BTreeMap::new();
        for decl in &self.inputs {
            if matches!(decl.ty, InputType::People | InputType::Choice) {
                continue;
            }
            if self.annualizes(decl) {
                // As given (a month), and what the rules read (the year).
                let annual = slots[decl.slot];
                values.insert(decl.name.clone(), annual / Decimal::from(12));
                values.insert(format!("{}{ANNUAL}", decl.name), annual);
            } else {
                values.insert(decl.name.clone(), slots[decl.slot]);
            }
        }
        for (i, node) in self.nodes.iter().enumerate() {
            values.insert(node.name.clone(), slots[self.numeric_inputs + i]);
        }
        Outcome {
            tax: self.tax.clone(),
            year: self.year,
            engine_version: ENGINE_VERSION.to_owned(),
            rules_hash: self.hash.clone(),
            values,
            trace: steps,
        }
    }

    fn compute(
        &self,
        node: &Node,
        slots: &[Decimal],
        input: &Prepared,
        mut why: Option<&mut String>,
    ) -> Decimal {
        let get = |o: &Operand| match o {
            Operand::Num(d) => *d,
            Operand::Slot(s) => slots[*s],
        };
        let explain = why.is_some();
        let mut note = |s: String| {
            if let Some(w) = why.as_deref_mut() {
                if !w.is_empty() {
                    w.push_str("; ");
                }
                w.push_str(&s);
            }
        };
        let mut v = match &node.op {
            Op::Const(d) => *d,
            Op::Sum(xs) => xs.iter().map(get).sum(),
            Op::Difference(xs) => {
                let mut it = xs.iter().map(get);
                let first = it.next().unwrap_or_default();
                it.fold(first, |a, b| a - b)
            }
            Op::Product(xs) => xs.iter().map(get).fold(Decimal::ONE, |a, b| a * b),
            Op::Min(xs) => xs.iter().map(get).min().unwrap_or_default(),
            Op::Max(xs) => xs.iter().map(get).max().unwrap_or_default(),
            Op::Percent { of, rate } => {
                let x = get(of);
                if explain {
                    note(format!("{} × {x}", pct(*rate)));
                }
                x * rate
            }
            Op::Schedule { of, bands } => {
                let x = get(of);
                let (i, b) = band(bands, x);
                let mut r = b.base + b.rate * (x - b.from);
                if let Some(f) = b.floor {
                    r = r.max(f);
                }
                if let Some(c) = b.cap {
                    r = r.min(c);
                }
                if explain {
                    note(format!(
                        "band {} (from {}): {} + {} × ({x} − {})",
                        i + 1,
                        b.from,
                        b.base,
                        pct(b.rate),
                        b.from
                    ));
                }
                r
            }
            Op::Brackets { of, brackets } => {
                let x = get(of);
                let (r, parts) = marginal(brackets, x, explain);
                if explain {
                    note(parts);
                }
                r
            }
            Op::Allowance {
                people,
                filter,
                amount,
                max_count,
            } => {
                let n = count(&input.people[*people], filter, *max_count, get);
                let a = get(amount);
                if explain {
                    note(format!("{n} qualifying × {a}"));
                }
                Decimal::from(n) * a
            }
            Op::Count {
                people,
                filter,
                max_count,
            } => {
                let n = count(&input.people[*people], filter, *max_count, get);
                if explain {
                    note(format!("{n} qualifying"));
                }
                Decimal::from(n)
            }
            Op::PeopleSum {
                people,
                filter,
                field,
                max_count,
            } => {
                let limit = max_count.map_or(usize::MAX, |m| m as usize);
                let mut n = 0u32;
                let total: Decimal = input.people[*people]
                    .iter()
                    .filter(|p| filter.matches(p, get))
                    .take(limit)
                    .map(|p| {
                        n += 1;
                        p.values.get(*field).copied().unwrap_or_default()
                    })
                    .sum();
                if explain {
                    note(format!("the sum over {n} qualifying"));
                }
                total
            }
            Op::Lookup(table) => match table.find(table.axes.iter().map(|a| get(&a.key))) {
                Some((v, flat)) => {
                    if explain {
                        let bounds = table.bounds_of(flat);
                        let parts: Vec<String> = table
                            .axes
                            .iter()
                            .zip(bounds)
                            .map(|(a, b)| format!("{} {b}", a.matching.as_str()))
                            .collect();
                        note(format!("row {}", parts.join(", ")));
                    }
                    v
                }
                None => {
                    if explain {
                        note("no row: default".into());
                    }
                    table.default.unwrap_or_default()
                }
            },
            Op::OneOf {
                test,
                set,
                names,
                then,
                otherwise,
            } => {
                let hit = set.contains(&get(test));
                if explain {
                    note(format!(
                        "is {} is {hit}: {}",
                        names.join(" or "),
                        if hit { "then" } else { "else" }
                    ));
                }
                if hit { get(then) } else { get(otherwise) }
            }
            Op::Dated { values, apportion } => {
                let (v, how) = dated(values, *apportion, input.period, explain);
                if explain {
                    note(how);
                }
                v
            }
            Op::Threshold {
                test,
                cmp,
                than,
                then,
                otherwise,
            } => {
                let (a, b) = (get(test), get(than));
                let hit = cmp.test(a, b);
                if explain {
                    note(format!(
                        "{a} {} {b} is {hit}: {}",
                        cmp.symbol(),
                        if hit { "then" } else { "else" }
                    ));
                }
                if hit { get(then) } else { get(otherwise) }
            }
        };
        if let Some(d) = node.divide_by {
            v /= d;
        }
        if let Some(f) = &node.floor {
            let f = get(f);
            if v < f {
                if explain {
                    note(format!("raised to the floor {f}"));
                }
                v = f;
            }
        }
        if let Some(c) = &node.cap {
            let c = get(c);
            if v > c {
                if explain {
                    note(format!("limited to {c}"));
                }
                v = c;
            }
        }
        if let Some(r) = &node.round {
            let before = v;
            v = round(v, r);
            if explain && v != before {
                note(
                    format!("{before} rounded {:?} to a unit of {}", r.mode, r.unit).to_lowercase(),
                );
            }
        }
        v.normalize()
    }
}

fn pct(rate: Decimal) -> String {
    format!("{}%", (rate * Decimal::ONE_HUNDRED).normalize())
}

fn band(bands: &[Band], x: Decimal) -> (usize, &Band) {
    let i = bands.iter().rposition(|b| b.from <= x).unwrap_or(0);
    (i, &bands[i])
}

fn marginal(brackets: &[Bracket], x: Decimal, explain: bool) -> (Decimal, String) {
    let mut total = Decimal::ZERO;
    let mut lower = Decimal::ZERO;
    let mut parts = String::new();
    for b in brackets {
        if x <= lower {
            break;
        }
        let upper = b.upto.map_or(x, |u| u.min(x));
        let slice = upper - lower;
        total += slice * b.rate;
        if explain {
            if !parts.is_empty() {
                parts.push_str(" + ");
            }
            parts.push_str(&format!("{} × {slice}", pct(b.rate)));
        }
        match b.upto {
            Some(u) => lower = u,
            None => break,
        }
    }
    (total, parts)
}

fn count(
    people: &[Person],
    filter: &super::rules::Filter,
    max: Option<u32>,
    get: impl Fn(&Operand) -> Decimal + Copy,
) -> u32 {
    let n = people.iter().filter(|p| filter.matches(p, get)).count();
    let n = u32::try_from(n).unwrap_or(u32::MAX);
    max.map_or(n, |m| n.min(m))
}

/// A dated parameter over a period: the value in force on its first day, or with `apportion`
/// the mean of the values weighted by the days each is in force within the period.
fn dated(
    values: &[(chrono::NaiveDate, Decimal)],
    apportion: bool,
    (first, last): (chrono::NaiveDate, chrono::NaiveDate),
    explain: bool,
) -> (Decimal, String) {
    let at = |day: chrono::NaiveDate| {
        values
            .iter()
            .rposition(|(from, _)| *from <= day)
            .unwrap_or(0)
    };
    let i = at(first);
    let j = at(last);
    if !apportion || i == j {
        let (from, v) = values.get(i).copied().unwrap_or_default();
        let how = if explain {
            format!("{v} in force from {from}")
        } else {
            String::new()
        };
        return (v, how);
    }
    let mut total = Decimal::ZERO;
    let mut parts = Vec::new();
    for k in i..=j {
        let (from, v) = values[k];
        let start = from.max(first);
        let end = values
            .get(k + 1)
            .map_or(last, |(next, _)| next.pred_opt().unwrap_or(*next).min(last));
        let days = (end - start).num_days() + 1;
        total += v * Decimal::from(days);
        if explain {
            parts.push(format!("{v} for {days} days from {start}"));
        }
    }
    let all = Decimal::from((last - first).num_days() + 1);
    (total / all, parts.join(" + "))
}

/// Rounds to a multiple of `unit`.
pub fn round(v: Decimal, r: &Round) -> Decimal {
    let q = v / r.unit;
    let q = match r.mode {
        RoundMode::Down => q.floor(),
        RoundMode::Up => q.ceil(),
        RoundMode::Nearest => {
            q.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        }
    };
    q * r.unit
}

fn read_person(decl: &super::rules::Input, v: &Value, minor_units: u32) -> Result<Person, String> {
    let Value::Object(m) = v else {
        return Err("each person is an object with `relation` and `age`".into());
    };
    let relation = m
        .get("relation")
        .and_then(Value::as_str)
        .ok_or("needs `relation`")?
        .to_owned();
    if !decl.relations.is_empty() && !decl.relations.contains(&relation) {
        return Err(format!(
            "relation {relation:?} is not one of {}",
            decl.relations.join(", ")
        ));
    }
    let age = m
        .get("age")
        .and_then(Value::as_u64)
        .filter(|a| *a <= 150)
        .ok_or("needs `age`, a whole number from 0 to 150")?;
    let mut flags = Vec::new();
    let mut values = vec![Decimal::ZERO; decl.fields.len()];
    for (k, v) in m {
        if k == "relation" || k == "age" {
            continue;
        }
        if let Some(i) = decl.fields.iter().position(|(f, _)| f == k) {
            let ty = decl.fields[i].1;
            let d = match v {
                Value::Null => Decimal::ZERO,
                v => dec(v).ok_or_else(|| format!("`{k}` must be a {}", ty.as_str()))?,
            };
            let ok = match ty {
                InputType::Money => d >= Decimal::ZERO && d.normalize().scale() <= minor_units,
                InputType::Count => d >= Decimal::ZERO && d.fract().is_zero(),
                _ => true,
            };
            if !ok {
                return Err(match ty {
                    InputType::Money => format!(
                        "`{k}` must be an amount, not negative, with at most {minor_units} decimal places"
                    ),
                    _ => format!("`{k}` must be a whole number, not negative"),
                });
            }
            values[i] = d;
            continue;
        }
        if !decl.flags.contains(k) {
            return Err(format!("`{k}` is not a field of a person here"));
        }
        match v {
            Value::Bool(true) => flags.push(k.clone()),
            Value::Bool(false) => {}
            _ => return Err(format!("`{k}` must be true or false")),
        }
    }
    Ok(Person {
        relation,
        age: u32::try_from(age).unwrap_or(150),
        flags,
        values,
    })
}

/// A decimal as a JSON number where it fits exactly, for display.
pub fn to_json(d: Decimal) -> Value {
    let d = d.normalize();
    if d.scale() == 0
        && let Some(i) = d.to_i64()
    {
        return Value::from(i);
    }
    Value::String(d.to_string())
}

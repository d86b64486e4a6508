//! Unit tests: each building block, tracing, reproducibility metadata and load errors.

use std::path::Path;

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::rules::{ENGINE_VERSION, RuleSet};

const HEAD: &str = r#"
[meta]
tax = "t"
title = "T"
year = 2026
currency = "XXX"

[inputs.x]
type = "money"
[inputs.n]
type = "count"
[inputs.m]
type = "money"
period = "monthly"
[inputs.flag]
type = "flag"
[inputs.people]
type = "people"
relations = ["child", "parent"]
flags = ["disabled"]
max_people = 8
"#;

fn set(values: &str) -> RuleSet {
    RuleSet::parse(Path::new("t.toml"), &format!("{HEAD}\n{values}"))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn eval(set: &RuleSet, input: Value, name: &str) -> Decimal {
    let Value::Object(m) = input else {
        panic!("object")
    };
    let p = set.prepare(&m).unwrap_or_else(|e| panic!("{e:?}"));
    set.evaluate(&p, false).get(name)
}

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

fn load_err(values: &str) -> String {
    RuleSet::parse(Path::new("t.toml"), &format!("{HEAD}\n{values}"))
        .expect_err("must fail")
        .to_string()
}

#[test]
fn arithmetic_and_percent() {
    let s = set(r#"
[values.a]
kind = "sum"
of = ["x", 10, "n"]
cite = "c"
[values.b]
kind = "difference"
of = ["x", "n", 1]
cite = "c"
[values.c]
kind = "product"
of = ["x", 0.5]
cite = "c"
[values.lo]
kind = "min"
of = ["x", 100]
cite = "c"
[values.hi]
kind = "max"
of = ["x", 100]
cite = "c"
[values.p]
kind = "percent"
of = "x"
rate = 0.06
cite = "c"
"#);
    let i = json!({"x": 250, "n": 3});
    assert_eq!(eval(&s, i.clone(), "a"), d("263"));
    assert_eq!(eval(&s, i.clone(), "b"), d("246"));
    assert_eq!(eval(&s, i.clone(), "c"), d("125"));
    assert_eq!(eval(&s, i.clone(), "lo"), d("100"));
    assert_eq!(eval(&s, i.clone(), "hi"), d("250"));
    // Exact decimal arithmetic: 6% of 0.1-steps has no binary error.
    assert_eq!(eval(&s, json!({"x": "0.10"}), "p"), d("0.006"));
}

#[test]
fn floors_caps_and_rounding() {
    let s = set(r#"
[values.capped]
kind = "sum"
of = ["x"]
cap = 1000
cite = "c"
[values.floored]
kind = "difference"
of = ["x", 500]
floor = 0
cite = "c"
[values.down]
kind = "sum"
of = ["x"]
round = { mode = "down", unit = 1000 }
cite = "c"
[values.up]
kind = "sum"
of = ["x"]
round = { mode = "up", unit = 10 }
cite = "c"
[values.near]
kind = "sum"
of = ["x"]
round = { mode = "nearest", unit = 100 }
cite = "c"
[values.cap_by_value]
kind = "sum"
of = ["x"]
cap = "n"
cite = "credit limited by another value"
"#);
    assert_eq!(eval(&s, json!({"x": 1500}), "capped"), d("1000"));
    assert_eq!(eval(&s, json!({"x": 200}), "floored"), d("0"));
    assert_eq!(eval(&s, json!({"x": 1999}), "down"), d("1000"));
    assert_eq!(eval(&s, json!({"x": 1991}), "up"), d("2000"));
    assert_eq!(eval(&s, json!({"x": 1950}), "near"), d("2000"));
    assert_eq!(eval(&s, json!({"x": 1949}), "near"), d("1900"));
    assert_eq!(eval(&s, json!({"x": 70, "n": 40}), "cap_by_value"), d("40"));
}

#[test]
fn schedule_with_band_floors() {
    let s = set(r#"
[values.s]
kind = "schedule"
of = "x"
bands = [
  { from = 0, base = 0, rate = 0.70 },
  { from = 100, base = 70, rate = 0.40 },
  { from = 200, base = 110, rate = -0.5, floor = 90 },
]
cite = "c"
"#);
    assert_eq!(eval(&s, json!({"x": 0}), "s"), d("0"));
    assert_eq!(eval(&s, json!({"x": 100}), "s"), d("70"));
    assert_eq!(eval(&s, json!({"x": 150}), "s"), d("90"));
    assert_eq!(eval(&s, json!({"x": 220}), "s"), d("100"));
    assert_eq!(eval(&s, json!({"x": 500}), "s"), d("90"), "band floor");
}

#[test]
fn progressive_brackets() {
    let s = set(r#"
[values.t]
kind = "brackets"
of = "x"
brackets = [{ upto = 100, rate = 0.1 }, { upto = 300, rate = 0.2 }, { rate = 0.5 }]
cite = "c"
"#);
    assert_eq!(eval(&s, json!({"x": 50}), "t"), d("5"));
    assert_eq!(eval(&s, json!({"x": 100}), "t"), d("10"));
    assert_eq!(eval(&s, json!({"x": 300}), "t"), d("50"));
    assert_eq!(eval(&s, json!({"x": 400}), "t"), d("100"));
}

#[test]
fn allowances_counts_ages_flags_and_limits() {
    let s = set(r#"
[values.kids]
kind = "allowance"
people = "people"
relations = ["child"]
ages = [[0, 20]]
any_age_if = "disabled"
amount = 100
max_count = 2
cite = "c"
[values.elders]
kind = "count"
people = "people"
ages = [[0, 20], [60, 150]]
relations = ["parent"]
cite = "c"
[values.disabled]
kind = "count"
people = "people"
flag = "disabled"
cite = "c"
[values.not_disabled]
kind = "count"
people = "people"
not_flag = "disabled"
cite = "c"
"#);
    let i = json!({"people": [
        {"relation": "child", "age": 5},
        {"relation": "child", "age": 25},
        {"relation": "child", "age": 30, "disabled": true},
        {"relation": "child", "age": 3},
        {"relation": "parent", "age": 59},
        {"relation": "parent", "age": 61},
    ]});
    assert_eq!(
        eval(&s, i.clone(), "kids"),
        d("200"),
        "three qualify, limit two"
    );
    assert_eq!(eval(&s, i.clone(), "elders"), d("1"));
    assert_eq!(eval(&s, i.clone(), "disabled"), d("1"));
    assert_eq!(eval(&s, i, "not_disabled"), d("5"));
}

#[test]
fn lookups_step_and_exact() {
    let s = set(r#"
[values.step]
kind = "lookup"
key = "n"
rows = [[0, 0], [1, 250], [2, 550]]
cite = "c"
[values.exact]
kind = "lookup"
keys = ["n", "flag"]
rows = [[1, 0, 1.0], [1, 1, 1.5], [2, 1, 2.5]]
default = 9
cite = "household parts"
"#);
    assert_eq!(eval(&s, json!({"n": 0}), "step"), d("0"));
    assert_eq!(eval(&s, json!({"n": 1}), "step"), d("250"));
    assert_eq!(
        eval(&s, json!({"n": 7}), "step"),
        d("550"),
        "beyond the table: last row"
    );
    assert_eq!(eval(&s, json!({"n": 1, "flag": true}), "exact"), d("1.5"));
    assert_eq!(
        eval(&s, json!({"n": 2, "flag": false}), "exact"),
        d("9"),
        "default"
    );
}

#[test]
fn thresholds_and_cliffs() {
    let s = set(r#"
[values.cliff]
kind = "threshold"
if = "x"
cmp = ">"
than = 1000
then = "x"
else = 0
cite = "c"
[values.switch]
kind = "threshold"
if = "flag"
cmp = "=="
than = 1
then = 500
cite = "c"
"#);
    assert_eq!(eval(&s, json!({"x": 1000}), "cliff"), d("0"));
    assert_eq!(eval(&s, json!({"x": 1001}), "cliff"), d("1001"));
    assert_eq!(eval(&s, json!({"flag": true}), "switch"), d("500"));
    assert_eq!(eval(&s, json!({"flag": false}), "switch"), d("0"));
}

#[test]
fn surtax_monthly_inputs_and_monthly_values() {
    let s = set(r#"
[values.tax]
kind = "percent"
of = "m"
rate = 0.1
cite = "c"
[values.surtax]
kind = "percent"
of = "tax"
rate = 0.1
cite = "surtax: 10% of the tax"
[values.monthly_tax]
kind = "sum"
of = ["tax"]
period = "monthly"
cite = "c"
"#);
    // A monthly input of 1000 is 12000 a year.
    assert_eq!(eval(&s, json!({"m": 1000}), "tax"), d("1200"));
    assert_eq!(eval(&s, json!({"m": 1000}), "surtax"), d("120"));
    assert_eq!(eval(&s, json!({"m": 1000}), "monthly_tax"), d("100"));
}

#[test]
fn trace_explains_every_value_with_its_citation_and_result_is_pinned() {
    let s = set(r#"
[values.base]
kind = "difference"
of = ["x", 100]
floor = 0
cite = "Act art. 1"
[values.tax]
kind = "brackets"
of = "base"
brackets = [{ upto = 100, rate = 0.1 }, { rate = 0.2 }]
cite = "Act art. 2"
"#);
    let Value::Object(m) = json!({"x": 350}) else {
        panic!()
    };
    let p = s.prepare(&m).expect("inputs");
    let out = s.evaluate(&p, true);
    assert_eq!(out.engine_version, ENGINE_VERSION);
    assert_eq!(out.rules_hash.len(), 64);
    let trace = out.trace.expect("trace");
    assert_eq!(trace.len(), 2);
    assert_eq!(trace[0].name, "base");
    assert_eq!(trace[1].name, "tax");
    assert_eq!(trace[1].cite, "Act art. 2");
    assert_eq!(trace[1].uses.get("base"), Some(&d("250")));
    assert!(trace[1].detail.contains("10% × 100"), "{}", trace[1].detail);
    assert_eq!(trace[1].value, d("40"));
    // Same input, same rules: same result, without trace too.
    assert_eq!(s.evaluate(&p, false).values, s.evaluate(&p, true).values);
}

#[test]
fn inputs_are_checked() {
    let s = set("");
    let Value::Object(m) = json!({
        "x": -1, "n": 1.5, "flag": 3, "nope": 1,
        "people": [{"relation": "cousin", "age": 3}, {"relation": "child"}, {"relation": "child", "age": 3, "tall": true}]
    }) else {
        panic!()
    };
    let errs = s.prepare(&m).expect_err("refused");
    let ptrs: Vec<&str> = errs.iter().map(|e| e.pointer.as_str()).collect();
    for p in [
        "/x",
        "/n",
        "/flag",
        "/nope",
        "/people/0",
        "/people/1",
        "/people/2",
    ] {
        assert!(ptrs.contains(&p), "{p} in {ptrs:?}");
    }
}

#[test]
fn unknown_names_cycles_and_missing_citations_fail_with_line() {
    let e = load_err("[values.a]\nkind = \"sum\"\nof = [\"zzz\"]\ncite = \"c\"\n");
    assert!(e.contains("unknown name `zzz`"), "{e}");
    let line = HEAD.lines().count() + 2;
    assert!(e.starts_with(&format!("t.toml:{line}:")), "{e}");

    let e = load_err(
        "[values.a]\nkind = \"sum\"\nof = [\"b\"]\ncite = \"c\"\n[values.b]\nkind = \"sum\"\nof = [\"c\"]\ncite = \"c\"\n[values.c]\nkind = \"sum\"\nof = [\"a\"]\ncite = \"c\"\n",
    );
    assert!(e.contains("cycle: a -> b -> c -> a"), "{e}");

    let e = load_err("[values.a]\nkind = \"sum\"\nof = [\"x\"]\n");
    assert!(e.contains("needs `cite`"), "{e}");

    let e = load_err("[values.a]\nkind = \"teleport\"\ncite = \"c\"\n");
    assert!(e.contains("kind \"teleport\""), "{e}");

    let e = load_err("[values.a]\nkind = \"sum\"\nof = [\"x\"]\ncite = \"c\"\ncolour = 1\n");
    assert!(e.contains("colour"), "unknown keys are refused: {e}");

    let e = load_err(
        "[values.a]\nkind = \"brackets\"\nof = \"x\"\nbrackets = [{ upto = 10, rate = 0.1 }]\ncite = \"c\"\n",
    );
    assert!(e.contains("last bracket must be unbounded"), "{e}");

    let e = load_err(
        "[values.a]\nkind = \"schedule\"\nof = \"x\"\nbands = [{ from = 5, rate = 0.1 }]\ncite = \"c\"\n",
    );
    assert!(e.contains("from = 0"), "{e}");

    let e = load_err("[values.a]\nkind = \"sum\"\nof = [\"people\"]\ncite = \"c\"\n");
    assert!(e.contains("list of people"), "{e}");
}

#[test]
fn administration_limits_and_the_second_officer_threshold() {
    // Without a section: the widest amount, and every posting needs a second officer.
    let none = set("");
    assert_eq!(none.administration.second_officer_from, Decimal::ZERO);
    assert!(none.administration.needs_second_officer(d("1")));
    let s = set(
        "[administration]\nassessment_max = 1_000_000\nsecond_officer_from = \"10000\"\ncite = \"rule\"\n",
    );
    assert_eq!(s.administration.assessment_max, d("1000000"));
    for (amount, second) in [
        ("9999", false),
        ("-9999", false),
        ("10000", true),
        ("-10000", true),
        ("999999", true),
    ] {
        assert_eq!(
            s.administration.needs_second_officer(d(amount)),
            second,
            "{amount}"
        );
    }
    let e =
        load_err("[administration]\nassessment_max = 0\nsecond_officer_from = 1\ncite = \"c\"\n");
    assert!(e.contains("administration"), "{e}");
    let e =
        load_err("[administration]\nassessment_max = 10\nsecond_officer_from = -1\ncite = \"c\"\n");
    assert!(e.contains("administration"), "{e}");
}

#[test]
fn statement_rules_refuse_bad_amounts_and_hold_outliers() {
    let s = set(
        "[statements]\nmax_amount = 1_000_000\nhold_wages_from = 500_000\nmax_withheld_share = \"0.5\"\ncite = \"rule\"\n",
    );
    let st = &s.statements;
    let amounts = |wages: &str, withheld: &str| {
        std::collections::BTreeMap::from([
            ("wages", d(wages)),
            ("withheld_income_tax", d(withheld)),
        ])
    };
    assert!(st.problems(&amounts("100000", "50000"), 0).is_empty());
    for (w, t, why) in [
        ("100000", "50001", "more than 0.5"),
        ("1000001", "0", "at most 1000000"),
        ("-1", "0", "non-negative"),
        ("100.5", "0", "0 decimals"),
    ] {
        let p = st.problems(&amounts(w, t), 0).join("; ");
        assert!(p.contains(why), "{w}/{t}: {p}");
    }
    assert!(!st.held(d("499999")));
    assert!(st.held(d("500000")));
    // Without the section: nothing held, withheld at most the wages.
    let none = set("");
    assert!(!none.statements.held(d("999999999999")));
    assert!(!none.statements.problems(&amounts("10", "11"), 0).is_empty());
    let e = load_err("[statements]\nmax_amount = 10\nmax_withheld_share = 2\ncite = \"c\"\n");
    assert!(e.contains("statements"), "{e}");
}

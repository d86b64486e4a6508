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
    // The input shows as given, and its annual amount under its own name; the trace reads
    // the annual amount by that name.
    assert_eq!(eval(&s, json!({"m": 1000}), "m"), d("1000"));
    assert_eq!(eval(&s, json!({"m": 1000}), "m:annual"), d("12000"));
    let Value::Object(i) = json!({"m": 1000}) else {
        panic!()
    };
    let out = s.evaluate(&s.prepare(&i).expect("valid"), true);
    let tax = out
        .trace
        .expect("trace")
        .into_iter()
        .find(|t| t.name == "tax")
        .expect("tax");
    assert_eq!(
        tax.uses.into_iter().collect::<Vec<_>>(),
        [("m:annual".to_owned(), d("12000"))]
    );
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

fn with_currency(currency: &str, values: &str) -> RuleSet {
    let head = HEAD.replace("currency = \"XXX\"", &format!("currency = \"{currency}\""));
    RuleSet::parse(Path::new("t.toml"), &format!("{head}\n{values}"))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn refused(set: &RuleSet, input: Value) -> Vec<String> {
    let Value::Object(m) = input else {
        panic!("object")
    };
    set.prepare(&m)
        .expect_err("must be refused")
        .into_iter()
        .map(|e| format!("{} {}", e.pointer, e.message))
        .collect()
}

#[test]
fn money_takes_the_minor_units_of_the_currency() {
    const V: &str = "[values.y]\nkind = \"sum\"\nof = [\"x\"]\ncite = \"c\"\n";
    // Three decimals: the dinar currencies.
    let tnd = with_currency("TND", V);
    assert_eq!(tnd.minor_units, 3);
    assert_eq!(eval(&tnd, json!({"x": "1250.125"}), "y"), d("1250.125"));
    assert_eq!(eval(&tnd, json!({"x": 0.5}), "y"), d("0.5"));
    let e = refused(&tnd, json!({"x": "1.2345"}));
    assert!(
        e[0].contains("at most 3 decimal places") && e[0].contains("TND"),
        "{e:?}"
    );
    // None: won and guaraní.
    for code in ["KRW", "PYG"] {
        let s = with_currency(code, V);
        assert_eq!(s.minor_units, 0);
        assert_eq!(
            eval(&s, json!({"x": "1500.000"}), "y"),
            d("1500"),
            "trailing zeros are whole"
        );
        let e = refused(&s, json!({"x": "1500.5"}));
        assert!(e[0].contains("at most 0 decimal places"), "{e:?}");
    }
    // Two, the rest.
    let usd = with_currency("USD", V);
    assert_eq!(eval(&usd, json!({"x": "10.25"}), "y"), d("10.25"));
    assert_eq!(refused(&usd, json!({"x": "10.255"})).len(), 1);
    // A person's money field too.
    let s = with_currency(
        "KWD",
        "[inputs.kids]\ntype = \"people\"\nfields = { income = \"money\" }\n\
         [values.t]\nkind = \"people_sum\"\npeople = \"kids\"\nfield = \"income\"\ncite = \"c\"\n",
    );
    assert_eq!(
        eval(
            &s,
            json!({"kids": [{"relation": "child", "age": 3, "income": "0.125"}]}),
            "t"
        ),
        d("0.125")
    );
    let e = refused(
        &s,
        json!({"kids": [{"relation": "child", "age": 3, "income": "0.1255"}]}),
    );
    assert!(
        e[0].starts_with("/kids/0 ") && e[0].contains("3 decimal places"),
        "{e:?}"
    );
}

const FAMILY: &str = r#"
[inputs.family]
type = "people"
relations = ["spouse", "child", "parent"]
flags = ["disabled"]
fields = { income = "money", months = "count" }

[values.income_limit]
kind = "const"
value = 1000
cite = "c"

[values.dependants]
kind = "count"
people = "family"
where = [{ field = "income", cmp = "<=", than = "income_limit" }]
cite = "c"

[values.young_dependants]
kind = "allowance"
people = "family"
relations = ["child"]
where = [{ field = "income", cmp = "<=", than = "income_limit" }, { field = "age", cmp = "<", than = 18 }]
amount = 150
cite = "c"

[values.family_income]
kind = "people_sum"
people = "family"
field = "income"
cite = "c"

[values.earning_children_income]
kind = "people_sum"
people = "family"
relations = ["child"]
field = "income"
where = [{ field = "income", cmp = ">", than = "income_limit" }]
cite = "c"

[values.months]
kind = "people_sum"
people = "family"
field = "months"
max_count = 2
cite = "c"

[values.within_limit_or_disabled]
kind = "count"
people = "family"
where = [{ any = [{ field = "income", cmp = "<=", than = "income_limit" }, { field = "disabled", cmp = "==", than = 1 }] }, { field = "age", cmp = ">=", than = 18 }]
cite = "c"
"#;

#[test]
fn people_have_their_own_amounts_and_rules_sum_count_and_filter_over_them() {
    let s = set(FAMILY);
    let i = json!({"family": [
        {"relation": "spouse", "age": 40, "income": 1000, "months": 12},
        {"relation": "child", "age": 10, "months": 12},
        {"relation": "child", "age": 19, "income": 999},
        {"relation": "child", "age": 17, "income": 1001, "months": 6},
        {"relation": "parent", "age": 70, "income": "5000.50", "disabled": true},
    ]});
    assert_eq!(
        eval(&s, i.clone(), "dependants"),
        d("3"),
        "income at most the limit"
    );
    assert_eq!(
        eval(&s, i.clone(), "young_dependants"),
        d("150"),
        "child, under 18, within the limit"
    );
    assert_eq!(eval(&s, i.clone(), "family_income"), d("8000.5"));
    assert_eq!(eval(&s, i.clone(), "earning_children_income"), d("1001"));
    assert_eq!(
        eval(&s, i.clone(), "months"),
        d("24"),
        "the first two people only"
    );
    // The trace says how many counted.
    let Value::Object(m) = i else { panic!() };
    let out = s.evaluate(&s.prepare(&m).expect("valid"), true);
    let step = out
        .trace
        .expect("trace")
        .into_iter()
        .find(|t| t.name == "earning_children_income")
        .expect("step");
    assert_eq!(
        (step.rule.as_str(), step.detail.as_str()),
        ("people_sum", "the sum over 1 qualifying")
    );
    // Bad per-person values are refused where they are.
    let e = refused(
        &s,
        json!({"family": [
            {"relation": "child", "age": 3, "income": -1},
            {"relation": "child", "age": 3, "months": 1.5},
            {"relation": "child", "age": 3, "salary": 10},
            {"relation": "child", "age": 3, "income": "ten"},
        ]}),
    );
    assert_eq!(e.len(), 4, "{e:?}");
    assert!(
        e[0].starts_with("/family/0 ") && e[0].contains("not negative"),
        "{e:?}"
    );
    assert!(
        e[1].starts_with("/family/1 ") && e[1].contains("whole number"),
        "{e:?}"
    );
    assert!(
        e[2].starts_with("/family/2 ") && e[2].contains("`salary` is not a field"),
        "{e:?}"
    );
    assert!(
        e[3].starts_with("/family/3 ") && e[3].contains("must be a money"),
        "{e:?}"
    );
}

#[test]
fn people_rules_are_checked_when_loaded() {
    let base = format!("{HEAD}\n{FAMILY}");
    let err = |extra: &str| {
        RuleSet::parse(Path::new("t.toml"), &format!("{base}\n{extra}"))
            .expect_err("must fail")
            .to_string()
    };
    let e = err(
        "[values.z]\nkind = \"people_sum\"\npeople = \"family\"\nfield = \"wage\"\ncite = \"c\"\n",
    );
    assert!(
        e.contains("field `wage` is not a field of the people (income, months)"),
        "{e}"
    );
    let e = err("[values.z]\nkind = \"people_sum\"\npeople = \"family\"\ncite = \"c\"\n");
    assert!(e.contains("needs `field`"), "{e}");
    let e = err(
        "[values.z]\nkind = \"count\"\npeople = \"family\"\nwhere = [{ field = \"height\", cmp = \">\", than = 1 }]\ncite = \"c\"\n",
    );
    assert!(
        e.contains(
            "`height` is not `age`, a field or a flag of the people (income, months, disabled)"
        ),
        "{e}"
    );
    let e = err(
        "[values.z]\nkind = \"count\"\npeople = \"family\"\nwhere = [{ any = [] }]\ncite = \"c\"\n",
    );
    assert!(e.contains("`any` of no condition"), "{e}");
    let e = err(
        "[values.z]\nkind = \"count\"\npeople = \"family\"\nwhere = [{ field = \"age\", cmp = \"~\", than = 1 }]\ncite = \"c\"\n",
    );
    assert!(e.contains("where: `cmp`"), "{e}");
    let e = err(
        "[values.z]\nkind = \"sum\"\nof = [\"x\"]\nwhere = [{ field = \"age\", cmp = \">\", than = 1 }]\ncite = \"c\"\n",
    );
    assert!(
        e.contains("belong to allowance, count and people_sum"),
        "{e}"
    );
    let e = err(
        "[inputs.more]\ntype = \"people\"\nflags = [\"income\"]\nfields = { income = \"money\" }\n",
    );
    assert!(
        e.contains("already a person's relation, age or flag"),
        "{e}"
    );
    let e = err("[inputs.more]\ntype = \"people\"\nfields = { income = \"flag\" }\n");
    assert!(e.contains("is not money, count or number"), "{e}");
    let e = err("[inputs.more]\ntype = \"money\"\nfields = { income = \"money\" }\n");
    assert!(e.contains("only people have `fields`"), "{e}");
    // A condition's bound is a dependency: a cycle through it is found.
    let e = err(
        "[values.z]\nkind = \"count\"\npeople = \"family\"\nwhere = [{ field = \"income\", cmp = \"<\", than = \"w\" }]\ncite = \"c\"\n[values.w]\nkind = \"sum\"\nof = [\"z\"]\ncite = \"c\"\n",
    );
    assert!(e.contains("cycle"), "{e}");
}

#[test]
fn tables_match_from_or_up_to_in_one_or_two_dimensions() {
    let s = set(r#"
[values.upto]
kind = "lookup"
key = "x"
match = "upto"
rows = [[1000, 10], [2000, 20], [5000, 30]]
default = 99
cite = "up to 1000: 10; up to 2000: 20; up to 5000: 30; above: 99"

[values.from]
kind = "lookup"
key = "x"
match = "from"
rows = [[1000, 10], [2000, 20]]
cite = "from 1000: 10; from 2000: 20; below 1000 nothing"

[values.grid]
kind = "lookup"
keys = ["x", "n"]
match = ["upto", "from"]
rows = [
  [1000, 0, 1], [1000, 2, 2],
  [3000, 0, 3], [3000, 2, 4],
]
default = -1
cite = "income up to 1000 or 3000, by children from 0 or 2"
"#);
    let at = |name: &str, x: i64| eval(&s, json!({"x": x}), name);
    assert_eq!(
        [0, 1000, 1001, 2000, 2001, 5000, 5001].map(|x| at("upto", x)),
        [10, 10, 20, 20, 30, 30, 99].map(Decimal::from),
        "up to X includes X"
    );
    assert_eq!(
        [0, 999, 1000, 1999, 2000, 9000].map(|x| at("from", x)),
        [0, 0, 10, 10, 20, 20].map(Decimal::from),
        "from X includes X; below the first row the default (0)"
    );
    let g = |x: i64, n: i64| eval(&s, json!({"x": x, "n": n}), "grid");
    assert_eq!(
        [g(500, 0), g(500, 1), g(500, 2), g(500, 9)],
        [1, 1, 2, 2].map(Decimal::from)
    );
    assert_eq!(
        [g(1000, 2), g(1001, 0), g(3000, 3), g(3001, 0)],
        [2, 3, 4, -1].map(Decimal::from)
    );
    let Value::Object(m) = json!({"x": 1500, "n": 2}) else {
        panic!()
    };
    let out = s.evaluate(&s.prepare(&m).expect("valid"), true);
    let step = out
        .trace
        .expect("trace")
        .into_iter()
        .find(|t| t.name == "grid")
        .expect("step");
    assert_eq!(step.detail, "row upto 3000, from 2");
}

#[test]
fn range_tables_are_checked_when_loaded() {
    let lookup = |rest: &str| format!("[values.t]\nkind = \"lookup\"\n{rest}cite = \"c\"\n");
    for (rest, says) in [
        (
            "keys = [\"x\", \"n\"]\nmatch = [\"upto\", \"from\"]\nrows = [[1, 0, 1], [1, 2, 2], [3, 0, 3]]\n",
            "a row for every combination of its keys; none for [3, 2]",
        ),
        (
            "key = \"x\"\nmatch = \"below\"\nrows = [[1, 1]]\n",
            "match \"below\" is not exact, from or upto",
        ),
        (
            "keys = [\"x\", \"n\"]\nmatch = [\"upto\"]\nrows = [[1, 0, 1]]\n",
            "one mode for each of the 2 key(s)",
        ),
        (
            "key = \"x\"\nmatch = \"upto\"\nexact = true\nrows = [[1, 1]]\n",
            "`match` or `exact`, not both",
        ),
        (
            "key = \"x\"\nmatch = \"upto\"\nrows = [[2, 1], [1, 2]]\n",
            "keys must increase",
        ),
        (
            "keys = [\"x\", \"n\"]\nrows = [[1, 0, 1], [1, 0, 2]]\n",
            "two rows for the keys",
        ),
    ] {
        let e = load_err(&lookup(rest));
        assert!(e.contains(says), "{rest}: {e}");
    }
}

const STATUS: &str = r#"
[inputs.status]
type = "choice"
choices = ["single", "married", "widowed"]
default = "single"
"#;

#[test]
fn a_choice_is_one_input_with_named_values() {
    let s = set(&format!(
        "{STATUS}\n{}",
        r#"
[values.couple]
kind = "threshold"
if = "status"
is = ["married", "widowed"]
then = 200
else = 100
cite = "c"
[values.parts]
kind = "lookup"
keys = ["status", "n"]
rows = [["single", 0, 1], ["married", 0, 2], ["married", 1, 2.5], ["widowed", 0, 1.5]]
default = 1
cite = "household parts by status and children"
"#
    ));
    assert_eq!(
        eval(&s, json!({}), "couple"),
        d("100"),
        "the default choice"
    );
    assert_eq!(eval(&s, json!({"status": "widowed"}), "couple"), d("200"));
    assert_eq!(
        eval(&s, json!({"status": "married", "n": 1}), "parts"),
        d("2.5")
    );
    assert_eq!(
        eval(&s, json!({"status": "single", "n": 1}), "parts"),
        d("1"),
        "no row: default"
    );
    let e = refused(&s, json!({"status": "divorced"}));
    assert!(
        e[0].starts_with("/status ") && e[0].contains("single, married, widowed"),
        "{e:?}"
    );
    assert_eq!(
        refused(&s, json!({"status": 1})).len(),
        1,
        "a choice is given by its name"
    );
    // The outcome does not show the choice as an amount.
    let Value::Object(m) = json!({"status": "married"}) else {
        panic!()
    };
    let out = s.evaluate(&s.prepare(&m).expect("valid"), true);
    assert!(!out.values.contains_key("status"));
    let step = out
        .trace
        .expect("trace")
        .into_iter()
        .find(|t| t.name == "couple")
        .expect("step");
    assert_eq!(step.detail, "is married or widowed is true: then");

    let err = |v: &str| {
        RuleSet::parse(Path::new("t.toml"), &format!("{HEAD}\n{STATUS}\n{v}"))
            .expect_err("must fail")
            .to_string()
    };
    let e = err(
        "[values.z]\nkind = \"threshold\"\nif = \"status\"\nis = \"divorced\"\nthen = 1\ncite = \"c\"\n",
    );
    assert!(e.contains("\"divorced\" is not one of the choices"), "{e}");
    let e = err(
        "[values.z]\nkind = \"threshold\"\nif = \"x\"\nis = \"married\"\nthen = 1\ncite = \"c\"\n",
    );
    assert!(e.contains("`is` tests a choice input"), "{e}");
    let e = err("[values.z]\nkind = \"sum\"\nof = [\"status\", 1]\ncite = \"c\"\n");
    assert!(e.contains("not computed with"), "{e}");
    let e = err(
        "[values.z]\nkind = \"lookup\"\nkey = \"status\"\nrows = [[\"single\", 1]]\ncite = \"c\"\n",
    );
    assert!(e.contains("a choice key matches exactly"), "{e}");
    let e = err(
        "[values.z]\nkind = \"lookup\"\nkey = \"status\"\nexact = true\nrows = [[\"divorced\", 1]]\ncite = \"c\"\n",
    );
    assert!(e.contains("\"divorced\" is not one of the choices"), "{e}");
    let e = RuleSet::parse(
        Path::new("t.toml"),
        &format!(
            "{HEAD}\n[inputs.s]\ntype = \"choice\"\nchoices = [\"a\", \"a\"]\ndefault = \"b\"\n"
        ),
    )
    .expect_err("must fail")
    .to_string();
    assert!(
        e.contains("choice `a` twice") && e.contains("default \"b\" is not one of its choices"),
        "{e}"
    );
}

#[test]
fn one_table_serves_several_values() {
    let s = set(r#"
[tables.rates]
brackets = [{ upto = 100, rate = 0.1 }, { rate = 0.2 }]
cite = "the schedule of art. 5"

[tables.parts]
rows = [[0, 1], [2, 1.5]]
match = "from"
cite = "art. 6"

[values.on_x]
kind = "brackets"
of = "x"
table = "rates"

[values.on_n]
kind = "brackets"
of = "n"
table = "rates"
cite = "art. 5 applied to n"

[values.p]
kind = "lookup"
key = "n"
table = "parts"
"#);
    assert_eq!(eval(&s, json!({"x": 200}), "on_x"), d("30"));
    assert_eq!(eval(&s, json!({"n": 150}), "on_n"), d("20"));
    assert_eq!(eval(&s, json!({"n": 3}), "p"), d("1.5"));
    let node = |n: &str| {
        s.nodes
            .iter()
            .find(|x| x.name == n)
            .expect("node")
            .cite
            .clone()
    };
    assert_eq!(
        node("on_x"),
        "the schedule of art. 5",
        "the table's citation when the value has none"
    );
    assert_eq!(node("on_n"), "art. 5 applied to n");
    let e =
        load_err("[values.t]\nkind = \"brackets\"\nof = \"x\"\ntable = \"nope\"\ncite = \"c\"\n");
    assert!(e.contains("`nope` is not a table"), "{e}");
    let e = load_err(
        "[tables.r]\nrows = [[0, 1]]\ncite = \"c\"\n[values.t]\nkind = \"lookup\"\nkey = \"x\"\ntable = \"r\"\nrows = [[0, 2]]\ncite = \"c\"\n",
    );
    assert!(
        e.contains("`rows` is given by the table; not here too"),
        "{e}"
    );
}

#[test]
fn dated_parameters_hold_from_their_date() {
    let s = set(r#"
[values.rate]
kind = "const"
dated = [{ from = "2025-01-01", value = 0.10 }, { from = "2026-07-01", value = 0.12, cite = "Act 7 of 2026" }]
cite = "art. 9"

[values.mean_rate]
kind = "const"
dated = [{ from = "2025-01-01", value = 0.10 }, { from = "2026-07-01", value = 0.12 }]
apportion = "days"
cite = "art. 9, pro rata temporis"

[values.tax]
kind = "product"
of = ["x", "mean_rate"]
round = { mode = "nearest", unit = 1 }
cite = "c"
"#);
    assert_eq!(
        eval(&s, json!({}), "rate"),
        d("0.10"),
        "in force on 1 January"
    );
    // 181 days at 10% and 184 at 12% in 2026.
    let mean = (d("0.10") * d("181") + d("0.12") * d("184")) / d("365");
    assert_eq!(eval(&s, json!({}), "mean_rate"), mean.normalize());
    assert_eq!(eval(&s, json!({"x": 365_000}), "tax"), d("40180"));
    let rate = s.nodes.iter().find(|n| n.name == "rate").expect("node");
    assert_eq!(rate.cite, "art. 9; from 2026-07-01: Act 7 of 2026");
    let Value::Object(m) = json!({}) else {
        panic!()
    };
    let out = s.evaluate(&s.prepare(&m).expect("valid"), true);
    let step = out
        .trace
        .expect("trace")
        .into_iter()
        .find(|t| t.name == "mean_rate")
        .expect("step");
    assert_eq!(
        step.detail,
        "0.1 for 181 days from 2026-01-01 + 0.12 for 184 days from 2026-07-01"
    );

    let e = load_err(
        "[values.r]\nkind = \"const\"\ndated = [{ from = \"2026-03-01\", value = 1 }]\ncite = \"c\"\n",
    );
    assert!(e.contains("the year begins 2026-01-01 without one"), "{e}");
    let e = load_err(
        "[values.r]\nkind = \"const\"\ndated = [{ from = \"2026-01-01\", value = 1 }, { from = \"2026-01-01\", value = 2 }]\ncite = \"c\"\n",
    );
    assert!(e.contains("the dates must increase"), "{e}");
    let e = load_err(
        "[values.r]\nkind = \"const\"\nvalue = 1\ndated = [{ from = \"2026-01-01\", value = 1 }]\ncite = \"c\"\n",
    );
    assert!(e.contains("`value` or `dated`, not both"), "{e}");
    let e = load_err(
        "[values.r]\nkind = \"const\"\ndated = [{ from = \"2026-01-01\", value = 1 }]\napportion = \"months\"\ncite = \"c\"\n",
    );
    assert!(e.contains("apportion \"months\""), "{e}");
}

/// Files by name, for `parse_with`.
fn files<'a>(list: &'a [(&'a str, String)]) -> impl Fn(&Path) -> std::io::Result<String> + 'a {
    move |p: &Path| {
        list.iter()
            .find(|(n, _)| Path::new(n) == p)
            .map(|(_, t)| t.clone())
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))
    }
}

#[test]
fn a_year_extends_the_previous_and_overrides_what_changed() {
    let base = format!(
        "{HEAD}\n{}",
        r#"
[calendar.return]
title = "Return"
due = "2027-05-31"
cite = "c"

[values.allowance]
kind = "const"
value = 100
cite = "art. 1"

[values.rate]
kind = "const"
value = 0.1
cite = "art. 2"

[values.old_credit]
kind = "const"
value = 5
cite = "art. 3, repealed in 2027"

[values.tax]
kind = "product"
of = ["x", "rate"]
cite = "art. 2"
"#
    );
    let next = r#"
[meta]
extends = "2026.toml"
year = 2027
title = "T 2027"
remove = ["old_credit", "return"]

[calendar.return_2027]
title = "Return"
due = "2028-05-31"
cite = "c"

[values.rate]
kind = "const"
value = 0.12
cite = "art. 2 as amended by Act 1 of 2027"

[values.net]
kind = "difference"
of = ["tax", "allowance"]
cite = "art. 4"
"#;
    let chain = [("2026.toml", base.clone())];
    let s = RuleSet::parse_with(Path::new("2027.toml"), next, &files(&chain))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (
            s.year,
            s.title.as_str(),
            s.currency.as_str(),
            s.tax.as_str()
        ),
        (2027, "T 2027", "XXX", "t")
    );
    assert_eq!(s.files, [Path::new("2026.toml"), Path::new("2027.toml")]);
    assert_eq!(
        eval(&s, json!({"x": 1000}), "tax"),
        d("120"),
        "the overridden rate"
    );
    assert_eq!(
        eval(&s, json!({"x": 1000}), "net"),
        d("20"),
        "the inherited allowance"
    );
    assert!(s.slot("old_credit").is_none(), "removed");
    assert_eq!(
        s.calendar
            .iter()
            .map(|c| c.code.as_str())
            .collect::<Vec<_>>(),
        ["return_2027"]
    );
    assert!(
        s.inputs.iter().any(|i| i.name == "people"),
        "inputs carried over"
    );
    let rate = s.nodes.iter().find(|n| n.name == "rate").expect("rate");
    assert_eq!(
        (rate.file, rate.cite.as_str()),
        (1, "art. 2 as amended by Act 1 of 2027")
    );
    let base_only = RuleSet::parse(Path::new("2026.toml"), &base).expect("base");
    assert_ne!(s.hash, base_only.hash, "the hash covers both files");

    // Problems name the file and the line where they are written.
    let bad = next.replace(
        "of = [\"tax\", \"allowance\"]",
        "of = [\"tax\", \"old_credit\"]",
    );
    let e = RuleSet::parse_with(Path::new("2027.toml"), &bad, &files(&chain))
        .expect_err("removed name")
        .to_string();
    assert!(
        e.starts_with("2027.toml:18: value `net`: unknown name `old_credit`"),
        "{e}"
    );
    let bad_base = base.replace("value = 100", "value = \"lots\"");
    let e = RuleSet::parse_with(
        Path::new("2027.toml"),
        next,
        &files(&[("2026.toml", bad_base)]),
    )
    .expect_err("bad base")
    .to_string();
    assert!(
        e.starts_with("2026.toml:") && e.contains("value `allowance`: value: \"lots\""),
        "{e}"
    );
    let e = RuleSet::parse_with(
        Path::new("2027.toml"),
        &next.replace("\"old_credit\", ", "\"gone\", "),
        &files(&chain),
    )
    .expect_err("remove of nothing")
    .to_string();
    assert!(
        e.starts_with("2027.toml:6: meta.remove: `gone` is not declared"),
        "{e}"
    );
    let e = RuleSet::parse_with(
        Path::new("2027.toml"),
        &next.replace("year = 2027\n", ""),
        &files(&chain),
    )
    .expect_err("no year")
    .to_string();
    assert!(e.contains("states its own year"), "{e}");
    let e = RuleSet::parse_with(
        Path::new("2027.toml"),
        &next.replace("2026.toml", "2025.toml"),
        &files(&chain),
    )
    .expect_err("missing base")
    .to_string();
    assert!(
        e.starts_with("2027.toml:3: meta.extends: cannot read \"2025.toml\""),
        "{e}"
    );
    let looped = [(
        "2026.toml",
        "[meta]\nextends = \"2027.toml\"\nyear = 2026\n".to_owned(),
    )];
    let e = RuleSet::parse_with(Path::new("2027.toml"), next, &files(&looped))
        .expect_err("loop")
        .to_string();
    assert!(
        e.contains("leads back to a file already in the chain"),
        "{e}"
    );
}

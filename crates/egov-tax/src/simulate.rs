//! Microsimulation: many households through one year's rules, CSV in, CSV out, with a
//! summary (what a ministry asks before a reform: how many pay, how much in total, at what
//! effective rate). No database; used by `egov tax simulate`.
//!
//! Input: a header row of input names (as in `GET /tax/v1/rules/{year}`), optionally an `id`
//! column; one household per row. Empty cells take the input's default. Flags are
//! `true/false/yes/no/1/0`; a choice is its name. People are
//! `relation:age[:flag…][:field=amount…]` separated by `;`
//! (`spouse:41:income=800000;child:7;parent:72:disabled`) or a JSON list as the API takes. Output: `id` (the row's, or its
//! line number), `status` (`ok` or `rejected`), each of the rules' outputs, and `errors`
//! (`/input: message`, for rejected rows, which change no total).

use std::io::{Read, Write};

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::domain::rules::InputType;
use crate::domain::{ENGINE_VERSION, RuleSet};

/// Why a simulation could not run at all (row problems are reported per row instead).
#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    #[error("the input's header: {0}")]
    Header(String),
    #[error("reading the input: {0}")]
    Read(#[from] csv::Error),
    #[error("writing the results: {0}")]
    Write(#[from] std::io::Error),
}

/// Totals of one output over the computed rows.
#[derive(Debug, Clone, Serialize)]
pub struct OutputSummary {
    pub name: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub sum: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub mean: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub min: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub max: Decimal,
    /// Rows where the value is above zero.
    pub positive: u64,
}

/// What a run computed, and what reproduces it (rules file, hash, engine version).
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub tax: String,
    pub year: i32,
    pub currency: String,
    pub rules: String,
    pub rules_hash: String,
    pub engine_version: String,
    pub rows: u64,
    pub computed: u64,
    pub rejected: u64,
    pub outputs: Vec<OutputSummary>,
    /// Total tax due over total income, when the rules name both (`meta.tax_due`,
    /// `meta.income`), rounded to 4 decimal places.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub effective_rate: Option<Decimal>,
}

enum Column {
    Id,
    Input(usize),
}

/// Runs every row of `input` through `rules`, writes one result row per input row to
/// `output`, and calls `progress` with the number of input bytes read every 1,024 rows and at
/// the end.
pub fn run<R: Read, W: Write>(
    rules: &RuleSet,
    input: R,
    output: W,
    mut progress: impl FnMut(u64),
) -> Result<Summary, SimulateError> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(input);
    let header = rdr.headers()?.clone();
    let mut columns = Vec::with_capacity(header.len());
    for (i, name) in header.iter().enumerate() {
        if name == "id" {
            columns.push(Column::Id);
            continue;
        }
        let Some(pos) = rules.inputs.iter().position(|d| d.name == name) else {
            let known: Vec<&str> = rules.inputs.iter().map(|d| d.name.as_str()).collect();
            return Err(SimulateError::Header(format!(
                "column {} `{name}` is not an input of {} (inputs: id, {})",
                i + 1,
                rules.file.display(),
                known.join(", ")
            )));
        };
        if columns
            .iter()
            .any(|c| matches!(c, Column::Input(p) if *p == pos))
        {
            return Err(SimulateError::Header(format!("`{name}` appears twice")));
        }
        columns.push(Column::Input(pos));
    }
    let out_slots: Vec<usize> = rules.outputs.iter().filter_map(|o| rules.slot(o)).collect();
    let mut wtr = csv::Writer::from_writer(output);
    let mut head = vec!["id".to_owned(), "status".to_owned()];
    head.extend(rules.outputs.iter().cloned());
    head.push("errors".into());
    wtr.write_record(&head)?;

    let n = out_slots.len();
    let (mut sum, mut min, mut max) = (vec![Decimal::ZERO; n], vec![None; n], vec![None; n]);
    let mut positive = vec![0u64; n];
    let income_slot = rules.income.as_deref().and_then(|s| rules.slot(s));
    let due_slot = rules.tax_due.as_deref().and_then(|s| rules.slot(s));
    let (mut income, mut due) = (Decimal::ZERO, Decimal::ZERO);
    let (mut rows, mut computed) = (0u64, 0u64);
    let mut record = csv::StringRecord::new();
    let mut slots = Vec::with_capacity(rules.slots());
    let mut line_out: Vec<String> = Vec::with_capacity(n + 3);
    while rdr.read_record(&mut record)? {
        rows += 1;
        let line = record.position().map_or(rows + 1, csv::Position::line);
        let mut id = line.to_string();
        let mut values = Map::new();
        let mut errors = Vec::new();
        for (col, cell) in columns.iter().zip(record.iter()) {
            match col {
                Column::Id => cell.clone_into(&mut id),
                Column::Input(_) if cell.is_empty() => {}
                Column::Input(pos) => {
                    let decl = &rules.inputs[*pos];
                    match cell_value(decl.ty, cell) {
                        Ok(v) => {
                            values.insert(decl.name.clone(), v);
                        }
                        Err(message) => errors.push(format!("/{}: {message}", decl.name)),
                    }
                }
            }
        }
        line_out.clear();
        line_out.push(id);
        // The cells that could be read are still checked, so a row's every problem is named.
        let prepared = match rules.prepare(&values) {
            Ok(p) if errors.is_empty() => Ok(p),
            Ok(_) => Err(errors),
            Err(errs) => {
                errors.extend(
                    errs.into_iter()
                        .map(|e| format!("{}: {}", e.pointer, e.message)),
                );
                Err(errors)
            }
        };
        match prepared {
            Ok(p) => {
                rules.evaluate_into(&p, &mut slots);
                computed += 1;
                line_out.push("ok".into());
                for (i, s) in out_slots.iter().enumerate() {
                    let v = slots[*s];
                    sum[i] += v;
                    min[i] = Some(min[i].map_or(v, |m: Decimal| m.min(v)));
                    max[i] = Some(max[i].map_or(v, |m: Decimal| m.max(v)));
                    positive[i] += u64::from(v > Decimal::ZERO);
                    line_out.push(v.normalize().to_string());
                }
                income += income_slot.map_or(Decimal::ZERO, |s| slots[s]);
                due += due_slot.map_or(Decimal::ZERO, |s| slots[s]);
                line_out.push(String::new());
            }
            Err(errs) => {
                line_out.push("rejected".into());
                line_out.extend(std::iter::repeat_n(String::new(), n));
                line_out.push(errs.join("; "));
            }
        }
        wtr.write_record(&line_out)?;
        if rows % 1024 == 0 {
            progress(record.position().map_or(0, csv::Position::byte));
        }
    }
    wtr.flush()?;
    progress(rdr.position().byte());
    let outputs = rules
        .outputs
        .iter()
        .enumerate()
        .filter(|(_, name)| rules.slot(name).is_some())
        .map(|(i, name)| OutputSummary {
            name: name.clone(),
            sum: sum[i],
            mean: if computed == 0 {
                Decimal::ZERO
            } else {
                (sum[i] / Decimal::from(computed)).round_dp(rules.minor_units)
            },
            min: min[i].unwrap_or_default(),
            max: max[i].unwrap_or_default(),
            positive: positive[i],
        })
        .collect();
    Ok(Summary {
        tax: rules.tax.clone(),
        year: rules.year,
        currency: rules.currency.clone(),
        rules: rules.file.display().to_string(),
        rules_hash: rules.hash.clone(),
        engine_version: ENGINE_VERSION.to_owned(),
        rows,
        computed,
        rejected: rows - computed,
        outputs,
        effective_rate: (income_slot.is_some() && due_slot.is_some() && !income.is_zero())
            .then(|| (due / income).round_dp(4)),
    })
}

/// One cell as the JSON value `RuleSet::prepare` reads.
fn cell_value(ty: InputType, cell: &str) -> Result<Value, String> {
    match ty {
        InputType::Money | InputType::Count | InputType::Number => Ok(Value::String(
            cell.replace([',', '_'], ""), // thousands separators as people type them
        )),
        InputType::Flag => match cell.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Ok(Value::Bool(true)),
            "false" | "no" | "0" => Ok(Value::Bool(false)),
            _ => Err("must be true/false, yes/no or 1/0".into()),
        },
        InputType::Choice => Ok(Value::String(cell.trim().to_owned())),
        InputType::People if cell.starts_with('[') => {
            serde_json::from_str(cell).map_err(|e| format!("not a JSON list of people: {e}"))
        }
        InputType::People => cell
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                let mut parts = p.split(':').map(str::trim);
                let relation = parts.next().unwrap_or_default();
                let age: u64 = parts.next().and_then(|a| a.parse().ok()).ok_or_else(|| {
                    format!("{p:?}: write people as relation:age[:flag][:field=amount]")
                })?;
                let mut m = Map::new();
                m.insert("relation".into(), Value::String(relation.to_owned()));
                m.insert("age".into(), Value::from(age));
                for part in parts {
                    match part.split_once('=') {
                        Some((field, amount)) => m.insert(
                            field.trim().to_owned(),
                            Value::String(amount.trim().replace([',', '_'], "")),
                        ),
                        None => m.insert(part.to_owned(), Value::Bool(true)),
                    };
                }
                Ok(Value::Object(m))
            })
            .collect::<Result<Vec<_>, String>>()
            .map(Value::Array),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn kr() -> RuleSet {
        RuleSet::load(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/countries/kr/tax/2026.toml"),
        )
        .expect("kr rules")
    }

    #[test]
    fn people_with_their_own_amounts_read_the_same_compact_or_as_json() {
        let rules = kr();
        let csv = "id,wages,dependants\n\
                   A,50000000,spouse:45:income=2000000;child:7\n\
                   B,50000000,\"[{\"\"relation\"\":\"\"spouse\"\",\"\"age\"\":45,\"\"income\"\":2000000},{\"\"relation\"\":\"\"child\"\",\"\"age\"\":7}]\"\n\
                   C,50000000,spouse:45:wage_income_only:income=2000000;child:7\n\
                   D,50000000,spouse:45:income=-1\n";
        let mut out = Vec::new();
        let s = run(&rules, csv.as_bytes(), &mut out, |_| {}).expect("run");
        assert_eq!((s.rows, s.computed, s.rejected), (4, 3, 1));
        let text = String::from_utf8(out).expect("utf8");
        let lines: Vec<&str> = text.lines().collect();
        let strip = |l: &str| l.split_once(',').map(|x| x.1.to_owned());
        assert_eq!(strip(lines[1]), strip(lines[2]), "compact and JSON agree");
        assert_ne!(
            strip(lines[1]),
            strip(lines[3]),
            "wages only: the spouse counts"
        );
        assert!(
            lines[4].contains("/dependants/0: `income` must be an amount"),
            "{text}"
        );
    }

    #[test]
    fn computes_each_row_and_reports_bad_rows_without_counting_them() {
        let rules = kr();
        let csv = "id,wages,dependants,disabled,withheld_income_tax\n\
                   A,30000000,spouse:40;child:7,no,600000\n\
                   B,\"50,000,000\",\"[{\"\"relation\"\":\"\"child\"\",\"\"age\"\":3}]\",,0\n\
                   C,-5,,maybe,0\n\
                   D,30000000,spouse:40;child:7,false,600000\n";
        let mut out = Vec::new();
        let mut ticks = Vec::new();
        let s = run(&rules, csv.as_bytes(), &mut out, |b| ticks.push(b)).expect("run");
        assert_eq!((s.rows, s.computed, s.rejected), (4, 3, 1));
        assert_eq!(ticks.last().copied(), Some(csv.len() as u64));
        let text = String::from_utf8(out).expect("utf8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 5, "{text}");
        assert!(lines[0].starts_with("id,status,"), "{text}");
        assert!(lines[0].ends_with(",errors"));
        // Rows A and D are the same household: the same results.
        let strip = |l: &str| l.split_once(',').map(|x| x.1.to_owned());
        assert_eq!(strip(lines[1]), strip(lines[4]));
        assert!(lines[1].starts_with("A,ok,"));
        assert!(lines[2].starts_with("B,ok,"));
        // C: both problems named, no values.
        assert!(lines[3].starts_with("C,rejected,"), "{}", lines[3]);
        assert!(lines[3].contains("/disabled: must be true/false"));
        assert!(
            lines[3].contains("/wages: must not be negative"),
            "{}",
            lines[3]
        );
        // The engine's own result for A matches the simulation's.
        let mut input = Map::new();
        input.insert("wages".into(), Value::from(30_000_000));
        input.insert(
            "dependants".into(),
            serde_json::json!([{"relation":"spouse","age":40},{"relation":"child","age":7}]),
        );
        input.insert("withheld_income_tax".into(), Value::from(600_000));
        let outcome = rules.evaluate(&rules.prepare(&input).expect("inputs"), false);
        let first = &rules.outputs[0];
        let col = lines[0]
            .split(',')
            .position(|h| h == first)
            .expect("column");
        let a: Vec<&str> = lines[1].split(',').collect();
        assert_eq!(a[col], outcome.get(first).normalize().to_string());
        let summary = s.outputs.iter().find(|o| &o.name == first).expect("sum");
        assert!(summary.sum >= outcome.get(first) * Decimal::from(2));
        assert!(s.effective_rate.is_some());
    }

    #[test]
    fn an_unknown_column_stops_before_any_row() {
        let rules = kr();
        let mut out = Vec::new();
        let e = run(
            &rules,
            "id,wages,salary\n1,2,3\n".as_bytes(),
            &mut out,
            |_| {},
        )
        .expect_err("unknown column");
        assert!(e.to_string().contains("column 3 `salary`"), "{e}");
        assert!(out.is_empty());
    }
}

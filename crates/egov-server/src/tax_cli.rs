//! `egov tax …`: the rules tools. No database needed.

use std::fmt::Write as _;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum TaxCommand {
    /// Run a pack's tax test cases (`config/countries/<cc>/tax/<year>.tests.toml`): inputs,
    /// expected outputs and error margins. Exits 1 when a case fails, 2 when a file is invalid.
    Test {
        /// Test files; each names its rules file.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Compute many returns from a CSV file (one household per row; columns: `id` and the
    /// rules' input names, people as `relation:age[:flag][:field=amount];…`), with a progress bar. Writes one
    /// result row per input row and a JSON summary (rows, rejected, totals, effective rate,
    /// rules hash); rejected rows carry their errors and count in no total.
    Simulate {
        /// Country pack code (directory under `country.packs_dir`).
        #[arg(long)]
        pack: String,
        /// Tax year (the pack's rules file for that year).
        #[arg(long)]
        year: i32,
        /// Households, CSV with a header row.
        #[arg(long)]
        input: PathBuf,
        /// Results CSV [default: the input's name with `.results.csv`, in the current
        /// directory (never beside the input, which may be a sample inside the checkout)].
        #[arg(long)]
        output: Option<PathBuf>,
        /// Summary JSON [default: the results' name with `.summary.json`].
        #[arg(long)]
        summary: Option<PathBuf>,
    },
}

pub fn run(config_dir: &Path, command: TaxCommand) -> anyhow::Result<ExitCode> {
    match command {
        TaxCommand::Test { files } => test(&files),
        TaxCommand::Simulate {
            pack,
            year,
            input,
            output,
            summary,
        } => {
            let settings = egov_server::load_settings(config_dir)?;
            if pack.is_empty() || !pack.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                anyhow::bail!("--pack must be a country pack code such as `kr`");
            }
            let dir = settings.country.packs_dir.join(&pack);
            let country = match egov_core::CountryPack::load(&dir) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("{e}");
                    return Ok(ExitCode::from(2));
                }
            };
            // The pack's rules in its currency (minor units for money inputs and means).
            let rules = match egov_tax::load_rules(&dir, &country.currency) {
                Ok(mut sets) => match sets.remove(&year) {
                    Some(r) => r,
                    None => {
                        eprintln!("{}: no tax rules for {year}", dir.join("tax").display());
                        return Ok(ExitCode::from(2));
                    }
                },
                Err(e) => {
                    eprintln!("{e}");
                    return Ok(ExitCode::from(2));
                }
            };
            let output = output.unwrap_or_else(|| {
                let name = sibling(&input, "results.csv");
                PathBuf::from(name.file_name().unwrap_or(name.as_os_str()))
            });
            let summary_path = summary.unwrap_or_else(|| sibling(&output, "summary.json"));
            let reader =
                File::open(&input).with_context(|| format!("opening {}", input.display()))?;
            let size = reader.metadata().map(|m| m.len()).unwrap_or(0);
            let writer = BufWriter::new(
                File::create(&output).with_context(|| format!("creating {}", output.display()))?,
            );
            // Drawn on stderr when it is a terminal; hidden otherwise (CI, pipes).
            let bar = indicatif::ProgressBar::new(size).with_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({eta})",
                )
                .context("progress template")?,
            );
            let started = Instant::now();
            // Without a terminal (CI, a scheduler's log) the bar is hidden: a line every few
            // seconds says how far the run is instead.
            let lines = !std::io::IsTerminal::is_terminal(&std::io::stderr());
            let mut said = Instant::now();
            let result =
                egov_tax::simulate::run(&rules, std::io::BufReader::new(reader), writer, |b| {
                    bar.set_position(b);
                    if lines && said.elapsed() >= PROGRESS_EVERY {
                        said = Instant::now();
                        eprintln!("{}", progress_line(b, size, started.elapsed()));
                    }
                });
            bar.finish_and_clear();
            let s = match result {
                Ok(s) => s,
                Err(e) => {
                    let _ = std::fs::remove_file(&output);
                    eprintln!("{}: {e}", input.display());
                    return Ok(ExitCode::from(2));
                }
            };
            let secs = started.elapsed().as_secs_f64();
            let mut out = String::new();
            std::fs::write(&summary_path, serde_json::to_vec_pretty(&s)?)
                .with_context(|| format!("writing {}", summary_path.display()))?;
            writeln!(
                out,
                "{} {} ({}, sha256 {}, engine {})",
                s.tax,
                s.year,
                rules.file.display(),
                &s.rules_hash[..12],
                s.engine_version
            )?;
            writeln!(
                out,
                "{} rows: {} computed, {} rejected, in {:.2} s ({:.0} rows/s)",
                s.rows,
                s.computed,
                s.rejected,
                secs,
                s.rows as f64 / secs.max(1e-9)
            )?;
            writeln!(
                out,
                "  {:<28} {:>20} {:>16} {:>16} {:>16} {:>10}",
                "output", "total", "mean", "min", "max", "above 0"
            )?;
            for o in &s.outputs {
                writeln!(
                    out,
                    "  {:<28} {:>20} {:>16} {:>16} {:>16} {:>10}",
                    o.name, o.sum, o.mean, o.min, o.max, o.positive
                )?;
            }
            if let Some(r) = s.effective_rate {
                writeln!(out, "  effective rate (tax due / income): {r}")?;
            }
            writeln!(out, "results: {}", output.display())?;
            writeln!(out, "summary: {}", summary_path.display())?;
            emit(&out)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// How often `simulate` says how far it is when its progress bar is hidden.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// `simulate: 41% (52428800 of 128000000 bytes) after 12 s`
fn progress_line(done: u64, size: u64, elapsed: std::time::Duration) -> String {
    let percent = if size == 0 {
        100.0
    } else {
        done as f64 * 100.0 / size as f64
    };
    format!(
        "simulate: {percent:.0}% ({done} of {size} bytes) after {} s",
        elapsed.as_secs()
    )
}

/// `dir/name.csv` → `dir/name.<suffix>`.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "simulation".into());
    let stem = stem.strip_suffix(".results").unwrap_or(&stem).to_owned();
    path.with_file_name(format!("{stem}.{suffix}"))
}

fn test(files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    let mut out = String::new();
    for f in files {
        match egov_tax::domain::cases::run(f) {
            Ok(report) => {
                for w in &report.warnings {
                    writeln!(out, "warning: {w}")?;
                }
                for m in &report.failures {
                    writeln!(
                        out,
                        "FAIL {}:{}: {}: {} expected {} got {}: {}",
                        f.display(),
                        m.line,
                        m.case,
                        m.name,
                        m.expected,
                        m.actual.map_or("-".to_owned(), |a| a.to_string()),
                        m.message
                    )?;
                }
                writeln!(
                    out,
                    "{}: {} cases, {} checks, {} failures (rules {} sha256 {})",
                    f.display(),
                    report.cases,
                    report.checks,
                    report.failures.len(),
                    report.rules.display(),
                    &report.rules_hash[..12]
                )?;
                failed |= !report.passed();
            }
            Err(e) => {
                emit(&out)?;
                eprintln!("{e}");
                return Ok(ExitCode::from(2));
            }
        }
    }
    emit(&out)?;
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Writes a command's report to standard output. A reader that stopped reading (`| head`) is
/// not an error: the rest of the report is not wanted.
fn emit(report: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(report.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.context("writing to standard output"),
    }
}

//! `dlconform selftest`: run the reference and every mutant over the cases; print which mutants
//! are caught, the mutation score and the cases no mutant can fail.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::exit;
use crate::candidate::mutants::{self, MUTANTS, Mutant};
use crate::filter::Filter;
use crate::results::CaseResult;
use crate::runner::{self, plan::Selection};
use crate::selftest::{self, CandidateRun, SelftestPlan, SelftestProgress, SelftestReport};
use crate::spec::model::Platform;

/// Long help of `dlconform selftest`.
pub const LONG_ABOUT: &str = "\
Run the reference candidate (every case must PASS or SKIP) and then every mutant, one after the \
other, over the selected cases (cases in parallel). A mutant is caught when at least one case does \
not PASS or SKIP. Prints per mutant whether it was caught, how many cases fail and a few of them, \
the mutation score, and the cases no mutant makes fail (uncovered cases).

Exit codes: 0 the reference passes and every mutant is caught; 1 otherwise; 2 the harness could \
not run.";

/// Examples of `dlconform selftest`.
pub const EXAMPLES: &str = "\
Examples:
  dlconform selftest --platform douyin                          # every mutant over Douyin's cases
  dlconform selftest --mutant timeout-ignored --case 'download/timeout/**'
  dlconform selftest --filter 'tier(required) and not platform(baidu)'
  dlconform selftest --mutant fail-on-http-error,no-size-limit --json selftest.json";

/// Mutants run at once unless `--at-once` says otherwise.
const DEFAULT_AT_ONCE: usize = 4;

/// Arguments of `dlconform selftest`.
#[derive(Debug, Args)]
pub struct SelftestArgs {
    /// Spec files or folders of `*.yaml` specs.
    #[arg(long, num_args = 1.., default_value = "specs")]
    pub specs: Vec<PathBuf>,
    /// Only these platforms (repeat or comma-separate; default: every platform).
    #[arg(long, value_delimiter = ',')]
    pub platform: Vec<String>,
    /// Only cases whose id matches (`*` one segment, `**` any); with or without the platform
    /// prefix (default: every case).
    #[arg(long = "case")]
    pub cases: Vec<String>,
    /// Only cases this filter expression selects, as for `dlconform run --filter` (repeat to
    /// require all; default: no filter).
    #[arg(long = "filter", value_name = "EXPR")]
    pub filters: Vec<String>,
    /// Only these mutants (names from `dlconform candidates`, without `mutant:`); default: all.
    #[arg(long = "mutant", num_args = 1.., value_delimiter = ',')]
    pub mutants: Vec<String>,
    /// Cases run at once (default: 32, since cases mostly wait).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Mutants run at once, each with --jobs cases at once (default: 4; 1 shows each mutant's
    /// cases as they finish).
    #[arg(long, value_name = "N")]
    pub at_once: Option<usize>,
    /// Also write everything as JSON to this file (default: no JSON).
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Run specs that parse but do not lint clean.
    #[arg(long)]
    pub no_lint: bool,
}

/// Run `dlconform selftest`; returns the exit code.
pub fn run(args: &SelftestArgs) -> anyhow::Result<i32> {
    let plan = match plan(args) {
        Ok(plan) => plan,
        Err(message) => {
            eprintln!("dlconform selftest: {message}");
            return Ok(exit::CANNOT_RUN);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let report = runtime.block_on(selftest::run(
        &plan,
        &StderrProgress::new(plan.at_once.min(plan.mutants.len()) <= 1),
    ));
    runtime.shutdown_timeout(Duration::from_secs(1));
    let report = match report {
        Ok(report) => report,
        Err(err) => {
            eprintln!("dlconform selftest: {err}");
            return Ok(exit::CANNOT_RUN);
        }
    };
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report)?;
        if let Err(err) = std::fs::write(path, text + "\n") {
            eprintln!("dlconform selftest: cannot write {}: {err}", path.display());
            return Ok(exit::CANNOT_RUN);
        }
    }
    print_report(&report, &mut std::io::stdout().lock())?;
    Ok(if report.ok() {
        exit::OK
    } else {
        exit::UNEXPECTED
    })
}

fn plan(args: &SelftestArgs) -> Result<SelftestPlan, String> {
    let mut platforms = Vec::new();
    for name in &args.platform {
        let platform = Platform::from_name(name.trim()).ok_or_else(|| {
            let known: Vec<&str> = Platform::ALL.iter().map(|p| p.name()).collect();
            format!("unknown platform '{name}'; known: {}", known.join(", "))
        })?;
        platforms.push(platform);
    }
    let chosen: Vec<&'static Mutant> = if args.mutants.is_empty() {
        MUTANTS.iter().collect()
    } else {
        args.mutants
            .iter()
            .map(|name| {
                let name = name.trim();
                let bare = name.strip_prefix("mutant:").unwrap_or(name);
                mutants::find(bare).ok_or_else(|| {
                    format!("no mutant named '{bare}'; mutants: {}", mutants::names())
                })
            })
            .collect::<Result<_, _>>()?
    };
    let mut filter: Option<Filter> = None;
    for text in &args.filters {
        let next = Filter::compile(text, Path::new(crate::filter::DEFAULT_RESULTS))
            .map_err(|e| e.to_string())?;
        filter = Some(match filter {
            Some(previous) => previous.and(next),
            None => next,
        });
    }
    Ok(SelftestPlan {
        specs: args.specs.clone(),
        selection: Selection {
            platforms,
            cases: args.cases.clone(),
            filter,
            partition: None,
        },
        jobs: args.jobs.unwrap_or_else(runner::default_jobs).max(1),
        at_once: args.at_once.unwrap_or(DEFAULT_AT_ONCE).max(1),
        mutants: chosen,
        lint: !args.no_lint,
    })
}

/// Progress on stderr: one line per candidate, and inside each its cases done of total, as a
/// bar on a terminal or a line at every tenth of the cases otherwise.
struct StderrProgress {
    bar: Mutex<Option<ProgressBar>>,
    terminal: bool,
}

impl StderrProgress {
    /// Bars only on a terminal and for one candidate at a time (`one_at_a_time`).
    fn new(one_at_a_time: bool) -> StderrProgress {
        StderrProgress {
            bar: Mutex::new(None),
            terminal: one_at_a_time && std::io::stderr().is_terminal(),
        }
    }

    fn bar(&self) -> std::sync::MutexGuard<'_, Option<ProgressBar>> {
        // A panic elsewhere while holding the lock leaves a bar that is still usable.
        self.bar
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl SelftestProgress for StderrProgress {
    fn started(&self, name: &str, index: usize, total: usize) {
        eprintln!("[{}/{total}] {name} ...", index + 1);
        if self.terminal {
            let bar = ProgressBar::new(0);
            if let Ok(style) =
                ProgressStyle::with_template("        {bar:40} {pos}/{len} cases {elapsed}")
            {
                bar.set_style(style);
            }
            *self.bar() = Some(bar);
        }
    }
    fn case_done(&self, done: usize, total: usize, case: &CaseResult) {
        if let Some(bar) = self.bar().as_ref() {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            return;
        }
        if tenth(done, total) != tenth(done - 1, total) || done == total {
            eprintln!("        {done}/{total} cases ({})", case.id);
        }
    }
    fn finished(&self, run: &CandidateRun) {
        if let Some(bar) = self.bar().take() {
            bar.finish_and_clear();
        }
        eprintln!(
            "        {}: {} of {} case(s) not passing ({:.1} s)",
            run.name,
            run.failing.len(),
            run.total,
            run.duration_ms as f64 / 1000.0
        );
    }
}

/// Which tenth of `total` `done` cases reach.
fn tenth(done: usize, total: usize) -> usize {
    (done * 10).checked_div(total).unwrap_or(0)
}

/// How many failing cases are named per mutant.
const FAILING_NAMED: usize = 3;

/// The human summary of a self-test.
pub fn print_report(report: &SelftestReport, out: &mut impl Write) -> std::io::Result<()> {
    let reference = &report.reference;
    if reference.caught() {
        writeln!(
            out,
            "reference: FAIL ({} of {} case(s) do not pass; the reference must pass)",
            reference.failing.len(),
            reference.total
        )?;
        for case in &reference.failing {
            writeln!(out, "  {} {}{}", case.status, case.id, why(&case.why))?;
        }
    } else {
        writeln!(
            out,
            "reference: PASS ({} case(s), {} skipped)",
            reference.total, reference.skipped
        )?;
    }
    writeln!(out)?;
    let width = report
        .mutants
        .iter()
        .map(|m| m.name.len())
        .max()
        .unwrap_or(0);
    writeln!(out, "mutants:")?;
    for m in &report.mutants {
        let mark = if m.caught() { "caught" } else { "MISSED" };
        write!(
            out,
            "  {mark:<6}  {:<width$}  {:>3} case(s) fail",
            m.name,
            m.failing.len()
        )?;
        let examples: Vec<String> = m
            .failing
            .iter()
            .take(FAILING_NAMED)
            .map(|c| format!("{}{}", c.id, why(&c.why)))
            .collect();
        if examples.is_empty() {
            writeln!(out, "  ({})", m.description)?;
        } else {
            writeln!(out, ", e.g. {}", examples.join(", "))?;
        }
    }
    writeln!(out)?;
    writeln!(out, "mutation score: {}", report.score)?;
    writeln!(
        out,
        "uncovered cases (no mutant makes them fail): {} of {}",
        report.uncovered.len(),
        report.cases.len()
    )?;
    for id in &report.uncovered {
        writeln!(out, "  {id}")?;
    }
    if !report.broad.is_empty() {
        writeln!(
            out,
            "weakly covered cases (caught only by {}, which break(s) most cases): {}",
            report.broad.join(", "),
            report.weakly_covered.len()
        )?;
        for id in &report.weakly_covered {
            writeln!(out, "  {id}")?;
        }
    }
    writeln!(
        out,
        "took {:.1} s; {}",
        report.duration_ms as f64 / 1000.0,
        if report.ok() {
            "OK: the reference passes and every mutant is caught"
        } else {
            "NOT OK"
        }
    )?;
    Ok(())
}

fn why(why: &Option<String>) -> String {
    why.as_deref()
        .map(|w| format!(" [{w}]"))
        .unwrap_or_default()
}

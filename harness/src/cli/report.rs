//! `dlconform report`: merge results files and render report.md, report.html and junit.xml.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::exit;
use crate::report::{self, MergedResults, WrittenReports, diff};

/// Long help of `dlconform report`.
pub const LONG_ABOUT: &str = "\
Make reports from results files: report.md (short, for a pull-request comment), report.html
(one self-contained page: the matrix of platforms x cases x candidates with filters and the
detail of each case) and junit.xml (one suite per platform, per candidate and platform when
several candidates are merged).

`dlconform run` already writes the three reports next to its results.json; use `render` to
make them again from a results file and `merge` to join several.

Examples:
  dlconform report render reports/latest/results.json
  dlconform report merge part-1/results.json part-2/results.json --out reports/merged
  dlconform report merge reference/results.json node/results.json --out reports/matrix
  dlconform report diff reports/old/results.json reports/new/results.json";

/// Long help of `dlconform report diff`.
pub const DIFF_LONG_ABOUT: &str = "\
List what changed between two results files (single runs or merged), per case: new fail (as
expected before, not now), new pass (not as expected before, as expected now), added,
removed, status changed (another status, as expected or not in both) and failures changed
(same status, other failed checks). Printed as a table, and written as diff.md and diff.html
into --out (default: the folder of NEW).

Cases are matched by id; when a file holds several candidates, by candidate label and id.

Exit codes: 0 compared (whatever changed), 2 a file could not be read or written.

Examples:
  dlconform report diff reports/main/results.json reports/latest/results.json
  dlconform report diff old.json new.json --out /tmp/diff";

/// Long help of `dlconform report merge`.
pub const MERGE_LONG_ABOUT: &str = "\
Join results files into one merged results.json and its three reports in --out.

Runs of the same candidate (same name and version from its hello), such as the slices of a
`dlconform run --partition k/n` CI matrix, become one run with the union of their cases; a case
present in two of them must be identical, or the merge fails (exit 2). Runs of different
candidates become separate columns of the matrix, in the order given. A merged file can be
merged again or rendered with `report render`.

The merged results.json is an object with `kind: \"dlconform-merged-results\"`, `format: 1` and
`candidates`: per candidate its `label`, the `sources` it was joined from (path, run id,
partition, case count) and `results`, a complete single-run results object.

Exit codes: 0 written, 1 written but a candidate has required cases not as expected (only with
--fail-on-unexpected), 2 the files could not be read, conflict, or could not be written.

Examples:
  # CI: four partitions of one candidate, then one report
  dlconform report merge slice-*/results.json --out reports/all

  # two candidates side by side
  dlconform report merge reports/ref/results.json reports/taro/results.json --out reports/matrix";

/// Long help of `dlconform report render`.
pub const RENDER_LONG_ABOUT: &str = "\
Write report.md, report.html and junit.xml from one results file (a single run's results.json
or a merged one) into --out (default: the folder of the results file).

Examples:
  dlconform report render reports/latest/results.json
  dlconform report render merged/results.json --out /tmp/report";

/// Arguments of `dlconform report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ReportCommand,
}

/// Subcommands of `dlconform report`.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Join results files (partitions, candidates) into one merged results.json and its reports.
    #[command(long_about = MERGE_LONG_ABOUT)]
    Merge(MergeArgs),
    /// Write report.md, report.html and junit.xml from a results file.
    #[command(long_about = RENDER_LONG_ABOUT)]
    Render(RenderArgs),
    /// List what changed between two results files; write diff.md and diff.html.
    #[command(long_about = DIFF_LONG_ABOUT)]
    Diff(DiffArgs),
}

/// Arguments of `dlconform report diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier results.json.
    #[arg(value_name = "OLD.json")]
    pub old: PathBuf,
    /// The later results.json.
    #[arg(value_name = "NEW.json")]
    pub new: PathBuf,
    /// Folder for diff.md and diff.html (default: the folder of NEW).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Arguments of `dlconform report merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// results.json files of single runs or earlier merges.
    #[arg(required = true, value_name = "RESULTS.json")]
    pub inputs: Vec<PathBuf>,
    /// Folder for the merged results.json and the reports (created if needed).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Exit 1 when a candidate has required cases not as expected.
    #[arg(long)]
    pub fail_on_unexpected: bool,
}

/// Arguments of `dlconform report render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// A results.json (single run or merged).
    #[arg(value_name = "RESULTS.json")]
    pub input: PathBuf,
    /// Folder for the reports (default: the folder of the results file).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Run `dlconform report`; returns the exit code.
pub fn run(args: &ReportArgs) -> anyhow::Result<i32> {
    match &args.command {
        ReportCommand::Merge(merge) => run_merge(merge),
        ReportCommand::Render(render) => run_render(render),
        ReportCommand::Diff(diff) => run_diff(diff),
    }
}

fn run_diff(args: &DiffArgs) -> anyhow::Result<i32> {
    let old = match report::load_results(&args.old) {
        Ok(results) => results,
        Err(err) => return Ok(cannot("diff", &err)),
    };
    let new = match report::load_results(&args.new) {
        Ok(results) => results,
        Err(err) => return Ok(cannot("diff", &err)),
    };
    let changes = diff::diff(&old, &new);
    let (old_name, new_name) = (
        args.old.display().to_string(),
        args.new.display().to_string(),
    );
    if !changes.changes.is_empty() {
        println!("{}", diff::table(&changes));
    }
    println!("{}", diff::counts_line(&changes));
    let out = args.out.clone().unwrap_or_else(|| folder_of(&args.new));
    let files = [
        ("diff.md", diff::markdown(&changes, &old_name, &new_name)),
        ("diff.html", diff::html(&changes, &old_name, &new_name)),
    ];
    if let Err(source) = std::fs::create_dir_all(&out) {
        return Ok(cannot("diff", &format!("{}: {source}", out.display())));
    }
    for (name, text) in files {
        let path = out.join(name);
        if let Err(source) = crate::persist::write_whole(&path, text.as_bytes()) {
            return Ok(cannot("diff", &format!("{}: {source}", path.display())));
        }
        println!("report: {}", path.display());
    }
    Ok(exit::OK)
}

/// The folder a results file is in (`.` for a bare file name).
fn folder_of(path: &Path) -> PathBuf {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn run_merge(args: &MergeArgs) -> anyhow::Result<i32> {
    let mut inputs = Vec::new();
    for path in &args.inputs {
        match report::load_results(path) {
            Ok(results) => inputs.push(results),
            Err(err) => return Ok(cannot("merge", &err)),
        }
    }
    let outcome = match report::merge(inputs) {
        Ok(outcome) => outcome,
        Err(err) => return Ok(cannot("merge", &err)),
    };
    for warning in &outcome.warnings {
        eprintln!("dlconform report merge: warning: {warning}");
    }
    let merged = outcome.merged;
    let path = match merged.write_to(&args.out) {
        Ok(path) => path,
        Err(err) => return Ok(cannot("merge", &err)),
    };
    println!("results: {}", path.display());
    let code = write(&merged, &args.out, "merge")?;
    if code == exit::OK && args.fail_on_unexpected && !merged.ok() {
        return Ok(exit::UNEXPECTED);
    }
    Ok(code)
}

fn run_render(args: &RenderArgs) -> anyhow::Result<i32> {
    let results = match report::load_results(&args.input) {
        Ok(results) => results,
        Err(err) => return Ok(cannot("render", &err)),
    };
    let out = args.out.clone().unwrap_or_else(|| folder_of(&args.input));
    write(&results, &out, "render")
}

fn write(results: &MergedResults, out: &Path, verb: &str) -> anyhow::Result<i32> {
    match report::write_reports(results, out) {
        Ok(written) => {
            print_written(&written);
            Ok(exit::OK)
        }
        Err(err) => Ok(cannot(verb, &err)),
    }
}

/// Print where the reports went, one per line.
pub fn print_written(written: &WrittenReports) {
    for path in written.paths() {
        println!("report: {}", path.display());
    }
}

fn cannot(verb: &str, err: &dyn std::fmt::Display) -> i32 {
    eprintln!("dlconform report {verb}: {err}");
    exit::CANNOT_RUN
}

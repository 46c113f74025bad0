//! `dlconform expectations`: write a candidate's expectations file from a run's results.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::exit;
use crate::expectations::{DEFAULT_HEADER, Expectations, Failing, write_from};
use crate::report::merge::load_results;
use crate::results::RunResults;

/// Long help of `dlconform expectations`.
pub const LONG_ABOUT: &str = "\
Work with a candidate's expectations file (harness/EXPECTATIONS.md): which checks it is known to
fail, and why.

`write` rewrites the file from a run's results.json (a single run's, or a merged one such as
reports/compat/results.json with --candidate): a per-check entry (`checks: [...]`) for every
check that failed, a whole-case entry for TIMEOUT, CRASH, ERROR and UNSUPPORTED. An entry of the
previous file that still names a failure keeps its reason, bug and evidence; its `cases` stay as
written when every case of the run they match still fails so, else they are narrowed to the exact
case ids. Entries whose checks failed nowhere are left out. A failure no entry named gets a new
entry with a TODO reason and a comment with its message: fill in why, and `evidence`.

Review the diff: a rewrite can record a regression as easily as a known defect.";

/// Examples of `dlconform expectations`.
pub const EXAMPLES: &str = "\
Examples:
  dlconform expectations write --from reports/compat/results.json --candidate taro-h5
  dlconform expectations write --from out/results.json --file mine.yaml
  dlconform expectations write --from out/results.json --candidate taro-h5 --stdout";

/// `dlconform expectations`.
#[derive(Debug, Args)]
pub struct ExpectationsArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ExpectationsCommand,
}

/// Subcommands of `dlconform expectations`.
#[derive(Debug, Subcommand)]
pub enum ExpectationsCommand {
    /// Rewrite an expectations file from a run's results: per-check entries for its failures.
    #[command(long_about = LONG_ABOUT, after_help = EXAMPLES)]
    Write(WriteArgs),
}

/// `dlconform expectations write`.
#[derive(Debug, Args)]
pub struct WriteArgs {
    /// The results file: a run's results.json, or a merged one (then --candidate picks the run).
    #[arg(long, value_name = "RESULTS.json")]
    pub from: PathBuf,
    /// The candidate whose run to use (its hello name) [default: the file's only run; a file of
    /// several runs needs it].
    #[arg(long, value_name = "NAME")]
    pub candidate: Option<String>,
    /// The expectations file to read and rewrite [default: candidates/<NAME>/expectations.yaml].
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Print the new file instead of writing it.
    #[arg(long)]
    pub stdout: bool,
}

/// Run `dlconform expectations`.
pub fn run(args: &ExpectationsArgs) -> anyhow::Result<i32> {
    match &args.command {
        ExpectationsCommand::Write(write) => Ok(match write_file(write) {
            Ok(()) => exit::OK,
            Err(message) => {
                eprintln!("dlconform expectations write: {message}");
                exit::CANNOT_RUN
            }
        }),
    }
}

fn write_file(args: &WriteArgs) -> Result<(), String> {
    let merged = load_results(&args.from).map_err(|err| err.to_string())?;
    let names: Vec<String> = merged
        .candidates
        .iter()
        .map(|c| c.results.run.candidate.name.clone())
        .collect();
    let run = match &args.candidate {
        Some(name) => merged
            .candidates
            .into_iter()
            .find(|c| c.results.run.candidate.name == *name)
            .ok_or_else(|| {
                format!(
                    "{} holds no run of candidate `{name}`; it holds: {}",
                    args.from.display(),
                    names.join(", ")
                )
            })?,
        None if merged.candidates.len() == 1 => merged
            .candidates
            .into_iter()
            .next()
            .ok_or("the results file holds no run")?,
        None => {
            return Err(format!(
                "{} holds several runs ({}); pick one with --candidate NAME",
                args.from.display(),
                names.join(", ")
            ));
        }
    };
    let results = run.results;
    let file = match &args.file {
        Some(file) => file.clone(),
        None => Path::new("candidates")
            .join(crate::snapshot::folder_name(&results.run.candidate.name))
            .join("expectations.yaml"),
    };
    let text = rewrite(&file, &results)?;
    if args.stdout {
        print!("{text}");
        return Ok(());
    }
    crate::persist::write_whole(&file, text.as_bytes())
        .map_err(|err| format!("cannot write {}: {err}", file.display()))?;
    let todo = text
        .matches(crate::expectations::UNEXPLAINED_REASON)
        .count();
    println!(
        "expectations written: {} ({} entries, {todo} to explain)",
        file.display(),
        text.matches("\n  - cases").count()
    );
    Ok(())
}

/// The new text of `file` (read when it exists) from `results`.
pub fn rewrite(file: &Path, results: &RunResults) -> Result<String, String> {
    let (previous, header) = if file.exists() {
        let text = std::fs::read_to_string(file)
            .map_err(|err| format!("cannot read {}: {err}", file.display()))?;
        let previous = Expectations::parse(file, &text).map_err(|err| err.to_string())?;
        (previous, header_of(&text))
    } else {
        (Expectations::empty(), String::new())
    };
    let header = if header.is_empty() {
        DEFAULT_HEADER.to_string()
    } else {
        header
    };
    let failing: Vec<Failing> = results.cases.iter().filter_map(Failing::of).collect();
    let ids: Vec<String> = results.cases.iter().map(|c| c.id.clone()).collect();
    Ok(write_from(&failing, &ids, &previous, &header))
}

/// The comment block a file starts with, kept across rewrites.
fn header_of(text: &str) -> String {
    text.lines()
        .take_while(|line| line.starts_with('#'))
        .map(|line| format!("{line}\n"))
        .collect()
}

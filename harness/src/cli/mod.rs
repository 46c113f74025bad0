//! Command-line interface: argument types and dispatch; each subcommand lives in its own module.

use clap::{Parser, Subcommand};

pub mod candidate_stdio;
pub mod candidates;
pub mod compat;
pub mod expectations;
pub mod lint;
pub mod list;
pub mod report;
pub mod run;
pub mod run_help;
pub mod schema;
pub mod selftest;
pub mod serve;
pub mod snapshot;

/// dlconform: conformance harness and fault-injecting mock server for mini-program file transfer APIs.
#[derive(Debug, Parser)]
#[command(name = "dlconform", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check spec files; print problems as file:line:column (exit 2) or a summary (exit 0).
    #[command(long_about = lint::LONG_ABOUT)]
    Lint(lint::LintArgs),
    /// Print or write the JSON Schema of spec files (specs/schema.json).
    #[command(long_about = schema::LONG_ABOUT)]
    Schema(schema::SchemaArgs),
    /// Run the conformance cases against a candidate and write results.json.
    #[command(long_about = run_help::LONG_ABOUT, after_help = run_help::EXAMPLES)]
    Run(Box<run::RunArgs>),
    /// Merge results files and render report.md, report.html and junit.xml.
    #[command(long_about = report::LONG_ABOUT)]
    Report(report::ReportArgs),
    /// Serve every spec case's scenario for QA and print its URL and curl command.
    #[command(long_about = serve::LONG_ABOUT)]
    Serve(serve::ServeArgs),
    /// Review pending snapshots, store those of a finished run, prune stale ones.
    #[command(after_help = snapshot::EXAMPLES)]
    Snapshot(snapshot::SnapshotArgs),
    /// Run a built-in candidate as a protocol v1 process on stdin/stdout.
    #[command(after_help = candidate_stdio::EXAMPLES)]
    CandidateStdio(candidate_stdio::CandidateStdioArgs),
    /// List the built-in candidates and mutants, and how to run a process candidate.
    #[command(after_help = candidates::EXAMPLES)]
    Candidates(candidates::CandidatesArgs),
    /// Install and run the reference and every candidate with a manifest; write the matrix.
    #[command(long_about = compat::LONG_ABOUT, after_help = compat::EXAMPLES)]
    Compat(compat::CompatArgs),
    /// Write a candidate's expectations file, per check, from a run's results.
    #[command(long_about = expectations::LONG_ABOUT, after_help = expectations::EXAMPLES)]
    Expectations(expectations::ExpectationsArgs),
    /// Run the reference and every mutant; print which mutants the cases catch.
    #[command(long_about = selftest::LONG_ABOUT, after_help = selftest::EXAMPLES)]
    Selftest(selftest::SelftestArgs),
}

/// Exit codes: 0 as expected, 1 unexpected results, 2 the harness could not run.
pub mod exit {
    /// Everything as expected.
    pub const OK: i32 = 0;
    /// Unexpected results.
    pub const UNEXPECTED: i32 = 1;
    /// The harness could not run (bad spec, bad arguments, candidate would not start).
    pub const CANNOT_RUN: i32 = 2;
}

/// Run the parsed command line; returns the process exit code.
pub fn dispatch(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Lint(args) => lint::run(&args),
        Command::Schema(args) => schema::run(&args),
        Command::Run(args) => run::run(*args),
        Command::Report(args) => report::run(&args),
        Command::Serve(args) => serve::run(args),
        Command::Snapshot(args) => snapshot::run(&args),
        Command::CandidateStdio(args) => candidate_stdio::run(&args),
        Command::Candidates(args) => candidates::run(&args),
        Command::Selftest(args) => selftest::run(&args),
        Command::Compat(args) => compat::run(&args),
        Command::Expectations(args) => expectations::run(&args),
    }
}

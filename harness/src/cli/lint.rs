//! `dlconform lint`: check spec files and print every problem as `file:line:column: rule: message`.

use std::path::PathBuf;

use clap::Args;

use super::exit;
use crate::spec::lint::rules;
use crate::spec::provenance;
use crate::spec::suite::check_specs;
use crate::spec::summary::Summary;

/// Long help of `dlconform lint`.
pub const LONG_ABOUT: &str = "\
Check spec files: YAML syntax, types, duplicate keys, fault names, and the lint rules
(ids, references between parts of a spec, versions, error-code coverage).

Prints every problem in one pass, sorted by file, line and column, as
`file:line:column: rule: message`, and exits 2 if there is any; otherwise prints one
summary line and exits 0. A type error does not hide the ones after it: the value is
patched (an unknown enum value, a misspelt key) and reading goes on; lint rules then run
on the rest of the file, leaving out the cases that had to be patched.

With --sources, a clean lint goes on to print the provenance of every check, per
platform: how many required checks rest on each source and each kind of source (document,
standard, convention, community, analogy, assumption), and every required check whose
source is no platform document, with the `tier_reason` that keeps it required. Only a
platform's own document makes a check required: a field type, promise, message prefix or
path prefix from any other kind is judged at recommended tier even in a required case.

Examples:
  dlconform lint                      # every spec in specs/
  dlconform lint specs/douyin.yaml    # one file
  dlconform lint --rules              # list the rules and what each checks
  dlconform lint --sources            # which source every required check rests on

  $ dlconform lint specs/
  specs/douyin.yaml:40:10: case-api: case `download/ok/basic`: api `download` is not in `apis` (known: `downloadFile`)
  dlconform lint: 1 problem";

/// Arguments of `dlconform lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Spec files, or folders whose *.yaml files are specs.
    #[arg(default_value = "specs/")]
    pub paths: Vec<PathBuf>,
    /// List the rules and what each checks, then exit.
    #[arg(long)]
    pub rules: bool,
    /// After a clean lint, print per platform the sources and kinds the required checks rest
    /// on, and every required check whose source is no platform document.
    #[arg(long)]
    pub sources: bool,
}

/// Run `lint`; returns the exit code.
pub fn run(args: &LintArgs) -> anyhow::Result<i32> {
    if args.rules {
        for rule in rules() {
            println!("{:<20} {}", rule.name, rule.doc);
        }
        return Ok(exit::OK);
    }
    let (parsed, problems) = check_specs(&args.paths);
    if problems.is_empty() {
        println!("{}", Summary::of(parsed.iter().map(|p| &p.spec)));
        if args.sources {
            for spec in parsed.iter().map(|p| &p.spec) {
                for platform in provenance::of_spec(spec) {
                    print!("\n{}", provenance::render(&platform));
                }
            }
        }
        return Ok(exit::OK);
    }
    for problem in &problems {
        println!("{problem}");
    }
    eprintln!(
        "dlconform lint: {} problem{}",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    Ok(exit::CANNOT_RUN)
}

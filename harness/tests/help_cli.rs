//! `--help` teaches: every subcommand shows examples, and every option that takes a value names
//! its default.

use clap::CommandFactory;
use clap::builder::Command;

use dlconform::cli::Cli;

/// Every subcommand, with its path (`snapshot review`), leaving out clap's own `help`.
fn subcommands(command: &Command, prefix: &str, out: &mut Vec<(String, Command)>) {
    for sub in command.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        let path = format!("{prefix}{}", sub.get_name());
        out.push((path.clone(), sub.clone()));
        subcommands(sub, &format!("{path} "), out);
    }
}

fn all() -> Vec<(String, Command)> {
    let mut out = Vec::new();
    subcommands(&Cli::command(), "", &mut out);
    out
}

#[test]
fn every_subcommand_has_examples() {
    let missing: Vec<String> = all()
        .into_iter()
        .filter(|(_, c)| {
            let texts = [
                c.get_after_help(),
                c.get_after_long_help(),
                c.get_long_about(),
            ];
            !texts
                .iter()
                .flatten()
                .any(|t| t.to_string().contains("Example"))
        })
        .map(|(path, _)| path)
        .collect();
    assert!(missing.is_empty(), "no examples in: {missing:?}");
}

/// Subcommands whose options are written elsewhere and not yet held to this rule.
const NOT_YET: &[&str] = &["serve"];

#[test]
fn every_option_names_its_default() {
    let mut missing = Vec::new();
    for (path, command) in all()
        .into_iter()
        .filter(|(path, _)| !NOT_YET.contains(&path.as_str()))
    {
        for arg in command.get_arguments() {
            let takes_value = arg.get_action().takes_values();
            let flag = !takes_value || arg.get_id() == "help" || arg.get_id() == "version";
            if flag || arg.is_required_set() {
                continue;
            }
            let help = arg
                .get_long_help()
                .or(arg.get_help())
                .map(|h| h.to_string())
                .unwrap_or_default();
            if arg.get_default_values().is_empty() && !help.contains("default") {
                missing.push(format!("{path} --{}", arg.get_id()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "options without a default named: {missing:?}"
    );
}

#[test]
fn run_examples_cover_selection_candidates_mutants_expectations_and_partition() {
    let run = Cli::command()
        .find_subcommand("run")
        .map(|c| {
            c.get_after_help()
                .map(|h| h.to_string())
                .unwrap_or_default()
        })
        .unwrap_or_default();
    for needle in [
        "--filter '",
        "--rerun-failed",
        "--list",
        "--candidate 'cmd:",
        "--candidate mutant:",
        "--expectations",
        "--partition 2/3",
    ] {
        assert!(
            run.contains(needle),
            "`{needle}` not in run's examples:\n{run}"
        );
    }
}

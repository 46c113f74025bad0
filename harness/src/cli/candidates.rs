//! `dlconform candidates`: the built-in candidates, every mutant, and how to plug in a process.

use std::io::Write;

use clap::Args;

use super::exit;
use crate::candidate::builtin;
use crate::candidate::mutants::MUTANTS;

/// Examples of `dlconform candidates`.
pub const EXAMPLES: &str = "\
Examples:
  dlconform candidates                                          # what --candidate accepts
  dlconform run --candidate mutant:complete-twice --platform douyin";

/// Arguments of `dlconform candidates` (none).
#[derive(Debug, Args)]
pub struct CandidatesArgs {}

/// Run `dlconform candidates`; returns the exit code.
pub fn run(_args: &CandidatesArgs) -> anyhow::Result<i32> {
    let mut out = std::io::stdout().lock();
    write_list(&mut out)?;
    Ok(exit::OK)
}

/// The listing, as `dlconform candidates` prints it.
pub fn write_list(out: &mut impl Write) -> std::io::Result<()> {
    let width = MUTANTS
        .iter()
        .map(|m| m.name.len() + "mutant:".len())
        .max()
        .unwrap_or(0);
    writeln!(
        out,
        "Built-in candidates (--candidate NAME, run in-process):"
    )?;
    for name in builtin::NAMES {
        let what = match *name {
            "reference" => "each platform's documented behaviour, in Rust (the default)",
            _ => "",
        };
        writeln!(out, "  {name:<width$}  {what}")?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "Mutants ({} of them; the reference with one seeded defect each; `dlconform selftest` runs them all):",
        MUTANTS.len()
    )?;
    for m in MUTANTS {
        let name = format!("mutant:{}", m.name);
        writeln!(out, "  {name:<width$}  {}", m.description)?;
    }
    writeln!(out)?;
    writeln!(out, "A process (--candidate 'cmd:<command line>'):")?;
    writeln!(
        out,
        "  started with `sh -c`, it speaks protocol v1 (harness/PROTOCOL.md): newline-delimited JSON,"
    )?;
    writeln!(
        out,
        "  calls on stdin, events on stdout, its log on stderr. Example:"
    )?;
    writeln!(
        out,
        "    dlconform run --candidate 'cmd:node candidates/example-node/adapter.js'"
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "A runtime over WebSocket (--candidate 'listen:ws://HOST:PORT'):"
    )?;
    writeln!(
        out,
        "  the harness listens, the bridge (bridge/README.md) connects from a device or a browser"
    )?;
    writeln!(
        out,
        "  and speaks protocol v1, one JSON object per text message. Example:"
    )?;
    writeln!(
        out,
        "    dlconform run --candidate 'listen:ws://0.0.0.0:8790' --platform wechat"
    )?;
    Ok(())
}

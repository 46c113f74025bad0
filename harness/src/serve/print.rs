//! The terminal table of `dlconform serve`: one line per case, its curl command beneath.

use std::io::{self, Write};

use super::rows::ServeRow;

/// Write the rows: platform, case id, behaviour and URL aligned, then `$ curl ...` indented.
pub fn table(rows: &[ServeRow], out: &mut dyn Write) -> io::Result<()> {
    let w_platform = rows
        .iter()
        .map(|r| r.platform.len())
        .max()
        .unwrap_or(0)
        .max(8);
    let w_case = rows
        .iter()
        .map(|r| r.case_id.len())
        .max()
        .unwrap_or(0)
        .max(4);
    let w_behaviour = rows
        .iter()
        .map(|r| r.behaviour.len())
        .max()
        .unwrap_or(0)
        .max(9);
    writeln!(
        out,
        "{:<w_platform$}  {:<w_case$}  {:<w_behaviour$}  URL",
        "platform", "case", "behaviour"
    )?;
    for r in rows {
        writeln!(
            out,
            "{:<w_platform$}  {:<w_case$}  {:<w_behaviour$}  {}",
            r.platform, r.case_id, r.behaviour, r.url
        )?;
        writeln!(out, "    $ {}", r.curl)?;
        if let Some(problem) = &r.problem {
            writeln!(out, "    ! not registered: {problem}")?;
        }
    }
    Ok(())
}

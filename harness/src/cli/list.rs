//! `dlconform run --list`: print the selected cases without running them.

use std::io::Write;
use std::sync::Arc;

use super::exit;
use crate::runner::{RunOptions, plan, specs};
use crate::spec::model::Tier;

/// Print id, platform, api and tier of each selected case; returns the exit code.
pub fn print_selected(options: &RunOptions, out: &mut dyn Write) -> anyhow::Result<i32> {
    let loaded = match specs::load(&options.specs, options.lint) {
        Ok(loaded) => loaded,
        Err(err) => {
            eprintln!("dlconform run: {err}");
            return Ok(exit::CANNOT_RUN);
        }
    };
    let loaded: Vec<Arc<specs::SpecFile>> = loaded.into_iter().map(Arc::new).collect();
    let cases = match options.selection.apply(plan::expand(&loaded)) {
        Ok(cases) => cases,
        Err(err) => {
            eprintln!("dlconform run: {err}");
            return Ok(exit::CANNOT_RUN);
        }
    };
    let rows: Vec<[&str; 4]> = cases
        .iter()
        .map(|c| {
            let tier = match c.case.tier {
                Tier::Required => "required",
                Tier::Recommended => "recommended",
            };
            [
                c.full_id.as_str(),
                c.platform.name(),
                c.case.api.as_str(),
                tier,
            ]
        })
        .collect();
    let header = ["id", "platform", "api", "tier"];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let line = format!(
            "{:<w0$}  {:<w1$}  {:<w2$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    eprintln!(
        "{} case{} selected",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    );
    Ok(exit::OK)
}

//! Showing a run as it goes (a progress bar on a terminal, plain lines otherwise) and the
//! summary table at the end.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicUsize, Ordering};

use comfy_table::{Cell, CellAlignment, Table, presets};
use indicatif::{ProgressBar, ProgressStyle};

use crate::report::STATUS_ORDER;
use crate::results::{CaseResult, RunResults};

/// Receives each case as it finishes.
pub trait Reporter: Send + Sync {
    /// The run is about to start `total` cases.
    fn start(&self, total: usize);
    /// One case finished.
    fn case_done(&self, case: &CaseResult);
    /// Try `attempt` of a case was not as expected and the case runs again (`--retries`).
    fn case_retried(&self, _case: &CaseResult, _attempt: u32) {}
    /// A case was judged again at the end of the run: events arrived for it after it was judged.
    fn case_rejudged(&self, _case: &CaseResult) {}
    /// Every case finished.
    fn finish(&self);
}

/// A progress bar on stderr when it is a terminal, plain lines otherwise.
pub fn for_stderr() -> Box<dyn Reporter> {
    if std::io::stderr().is_terminal() {
        Box::new(BarReporter::new())
    } else {
        Box::new(LineReporter)
    }
}

/// One line per case on stderr.
pub struct LineReporter;

impl Reporter for LineReporter {
    fn start(&self, total: usize) {
        eprintln!("running {total} case(s)");
    }
    fn case_done(&self, case: &CaseResult) {
        eprintln!("{}", case_line(case));
    }
    fn case_retried(&self, case: &CaseResult, attempt: u32) {
        eprintln!("{}", retried_line(case, attempt));
    }
    fn case_rejudged(&self, case: &CaseResult) {
        eprintln!("{}", rejudged_line(case));
    }
    fn finish(&self) {}
}

/// An indicatif bar; lines only for cases that did not go as expected.
pub struct BarReporter {
    bar: ProgressBar,
}

impl BarReporter {
    fn new() -> Self {
        let bar = ProgressBar::new(0);
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed} {wide_msg}")
        {
            bar.set_style(style);
        }
        BarReporter { bar }
    }
}

impl Reporter for BarReporter {
    fn start(&self, total: usize) {
        self.bar.set_length(total as u64);
    }
    fn case_done(&self, case: &CaseResult) {
        if case.unexpected() || case.status == crate::verdict::Status::Flaky {
            self.bar.println(case_line(case));
        }
        self.bar.set_message(case.id.clone());
        self.bar.inc(1);
    }
    fn case_retried(&self, case: &CaseResult, attempt: u32) {
        self.bar.println(retried_line(case, attempt));
    }
    fn case_rejudged(&self, case: &CaseResult) {
        self.bar.println(rejudged_line(case));
    }
    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// One of several runs going at once (`dlconform compat`), reported through a reporter they
/// share: their totals add up, each case names its run, and only the owner finishes it.
pub struct Shared<'a> {
    label: String,
    inner: &'a dyn Reporter,
    total: &'a AtomicUsize,
}

impl<'a> Shared<'a> {
    /// Report the run `label` through `inner`, adding its cases to `total`.
    pub fn new(label: &str, inner: &'a dyn Reporter, total: &'a AtomicUsize) -> Shared<'a> {
        Shared {
            label: label.to_string(),
            inner,
            total,
        }
    }

    /// The case as shown: its id led by the run's name (what it observed is not shown).
    fn labelled(&self, case: &CaseResult) -> CaseResult {
        let mut shown = case.clone();
        shown.observation = None;
        shown.id = format!("{}: {}", self.label, case.id);
        shown
    }
}

impl Reporter for Shared<'_> {
    fn start(&self, total: usize) {
        let sum = self.total.fetch_add(total, Ordering::SeqCst) + total;
        self.inner.start(sum);
    }
    fn case_done(&self, case: &CaseResult) {
        self.inner.case_done(&self.labelled(case));
    }
    fn case_retried(&self, case: &CaseResult, attempt: u32) {
        self.inner.case_retried(&self.labelled(case), attempt);
    }
    fn case_rejudged(&self, case: &CaseResult) {
        self.inner.case_rejudged(&self.labelled(case));
    }
    fn finish(&self) {}
}

fn case_line(case: &CaseResult) -> String {
    let mut line = format!(
        "{:<11} {} ({} ms)",
        case.status.name(),
        case.id,
        case.duration_ms
    );
    if let Some(reason) = &case.reason {
        line.push_str(&format!(": {}", first_line(reason)));
    } else if let Some(first) = case.failures.first() {
        line.push_str(&format!(": {}: {}", first.check, first.message));
        if case.failures.len() > 1 {
            line.push_str(&format!(" (+{} more)", case.failures.len() - 1));
        }
    }
    let not_applicable = case.not_applicable.len();
    if not_applicable > 0 && case.status != crate::verdict::Status::NotApplicable {
        line.push_str(&format!(" [{not_applicable} check(s) not applicable]"));
    }
    line
}

/// The line for a try that is run again, as nextest shows it: `TRY 1 FAIL ...`.
pub fn retried_line(case: &CaseResult, attempt: u32) -> String {
    format!("TRY {attempt} {}, retrying", case_line(case))
}

/// The line for a case judged again because of late events.
pub fn rejudged_line(case: &CaseResult) -> String {
    format!("judged again (late events): {}", case_line(case))
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

/// The per-platform counts as a table: one column per status that exists (zero counts
/// included, so every run's table has the same columns), then the total of every status.
pub fn status_table(results: &RunResults) -> Table {
    let summary = &results.summary;
    let mut table = Table::new();
    table.load_preset(presets::ASCII_FULL_CONDENSED);
    let mut header = vec![Cell::new("platform")];
    header.extend(STATUS_ORDER.iter().map(|s| Cell::new(s.name())));
    header.push(Cell::new("total"));
    table.set_header(header);
    let mut rows: Vec<(&str, &std::collections::BTreeMap<String, usize>)> = summary
        .per_platform
        .iter()
        .map(|(p, counts)| (p.as_str(), counts))
        .collect();
    rows.push(("all", &summary.by_status));
    for (platform, counts) in rows {
        let mut row = vec![Cell::new(platform)];
        row.extend(
            STATUS_ORDER
                .iter()
                .map(|s| Cell::new(counts.get(s.name()).copied().unwrap_or(0))),
        );
        // Every status counted, named in STATUS_ORDER or not, so the total is the cases run.
        row.push(Cell::new(counts.values().sum::<usize>()));
        table.add_row(row);
    }
    for index in 1..=STATUS_ORDER.len() + 1 {
        if let Some(column) = table.column_mut(index) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

/// The end-of-run table: per platform, cases per status; the headline and the defects no entry
/// names; then what failed the run, or, for an
/// interrupted run, that it was interrupted and how many cases finished.
pub fn summary_table(results: &RunResults, out: &mut dyn Write) -> std::io::Result<()> {
    let summary = &results.summary;
    writeln!(out, "{}", status_table(results))?;
    writeln!(out, "\n{}", crate::report::headline::line(results))?;
    let news: Vec<&crate::results::Defect> = results
        .defects
        .iter()
        .filter(|d| d.known.is_none())
        .collect();
    if !news.is_empty() {
        writeln!(
            out,
            "\nunexpected defects ({}), no expectations entry names them:",
            news.len()
        )?;
        for defect in news {
            writeln!(
                out,
                "  {} [{}] in {} case(s): {}",
                defect.check,
                defect.tier.name(),
                defect.cases.len(),
                first_line(&defect.message)
            )?;
        }
    }
    if !summary.unexpected_required.is_empty() {
        writeln!(
            out,
            "\nrequired cases not as expected ({}), failing the run:",
            summary.unexpected_required.len()
        )?;
        for id in &summary.unexpected_required {
            writeln!(out, "  {}", describe(results, id))?;
        }
    }
    if !summary.unexpected_recommended.is_empty() {
        writeln!(
            out,
            "\nrecommended cases not as expected ({}), reported only, not failing the run:",
            summary.unexpected_recommended.len()
        )?;
        for id in &summary.unexpected_recommended {
            writeln!(out, "  {}", describe(results, id))?;
        }
    }
    if !summary.flaky.is_empty() {
        writeln!(
            out,
            "\nflaky cases ({}), as expected on a retry, failing the run only with --strict:",
            summary.flaky.len()
        )?;
        for id in &summary.flaky {
            writeln!(out, "  {}", describe(results, id))?;
        }
    }
    writeln!(out, "\n{}", verdict_line(results))
}

/// The last line of the summary. An interrupted run gives no verdict: the cases not run could
/// have gone either way.
fn verdict_line(results: &RunResults) -> String {
    match &results.run.interrupted {
        Some(signal) => format!(
            "result: interrupted by {signal}: {} cases finished, the rest not run; no verdict",
            results.cases.len()
        ),
        None if results.summary.ok => "result: every required case as expected".to_string(),
        None => "result: required cases not as expected".to_string(),
    }
}

fn describe(results: &RunResults, id: &str) -> String {
    results
        .cases
        .iter()
        .find(|c| c.id == id)
        .map(case_line)
        .unwrap_or_else(|| id.to_string())
}

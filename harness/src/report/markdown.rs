//! `report.md`: a short summary fit for a pull-request comment, then the unexpected results
//! with each failed check's expected and actual values.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{CandidateRun, MergedResults, STATUS_ORDER, headline};
use crate::results::{CaseResult, RunResults};
use crate::spec::model::Tier;
use crate::verdict::Status;

/// Unexpected cases listed in full; the rest are counted.
pub const MAX_LISTED_CASES: usize = 50;
/// Failed checks listed per case.
const MAX_CHECKS_PER_CASE: usize = 8;
/// A JSON value longer than this goes into a collapsed block instead of the line.
const INLINE_JSON_MAX: usize = 60;
/// A collapsed JSON value is cut at this many characters.
const BLOCK_JSON_MAX: usize = 1500;
/// A reason is cut at this many characters.
const REASON_MAX: usize = 300;

/// The whole `report.md`: per candidate, what was measured first (the headline, then its
/// defects), then the cases.
pub fn render(results: &MergedResults) -> String {
    let mut out = String::new();
    match results.candidates.as_slice() {
        [one] => {
            let _ = writeln!(
                out,
                "## dlconform: {}\n",
                cell(&headline::line(&one.results))
            );
        }
        many => {
            let _ = writeln!(out, "## dlconform: {} candidates\n", many.len());
            for candidate in many {
                let _ = writeln!(out, "- {}", cell(&headline::line(&candidate.results)));
            }
            out.push('\n');
        }
    }
    if results.candidates.len() > 1 {
        matrix_table(&mut out, results);
        candidates_table(&mut out, results);
        super::behaviours::markdown(&mut out, results);
    }
    let mut budget = MAX_LISTED_CASES;
    for candidate in &results.candidates {
        if results.candidates.len() > 1 {
            let _ = writeln!(out, "### {}\n", candidate.label);
        }
        candidate_section(&mut out, candidate, &mut budget);
    }
    out
}

/// The summary matrix of report.html as a table: platform x candidate, passed of ran, required
/// and recommended apart, what did not run apart.
fn matrix_table(out: &mut String, results: &MergedResults) {
    let _ = write!(out, "| platform |");
    for candidate in &results.candidates {
        let _ = write!(
            out,
            " {} |",
            cell(&headline::column_text(&candidate.results.run.candidate))
        );
    }
    let _ = writeln!(out, "\n{}", separator(results.candidates.len() + 1));
    for (platform, cells) in super::matrix::cells(results) {
        let _ = write!(out, "| {} |", cell(&platform));
        for counts in cells {
            if counts.is_empty() {
                let _ = write!(out, " — |");
                continue;
            }
            let rate = counts
                .percent()
                .map_or_else(|| "–".to_string(), |p| format!("{p}%"));
            let _ = write!(
                out,
                " {rate} ({}) · required {} · recommended {}",
                counts.total().fraction(),
                counts.required.fraction(),
                counts.recommended.fraction()
            );
            if counts.not_run() > 0 {
                let _ = write!(
                    out,
                    " · unsupported {} · n/a {} · skipped {}",
                    counts.unsupported, counts.not_applicable, counts.skipped
                );
            }
            out.push_str(" |");
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "\nPassed of the cases that ran (PASS or XPASS; a known failure is still a failure); \
         unsupported: the candidate does not implement it (UNSUPPORTED); n/a: the case needs a \
         capability the candidate declared missing (N/A).\n"
    );
}

/// One row per candidate: counts and whether its run is ok.
fn candidates_table(out: &mut String, results: &MergedResults) {
    let statuses = present_statuses(results.candidates.iter().map(|c| &c.results));
    let _ = write!(out, "| candidate |");
    for status in &statuses {
        let _ = write!(out, " {} |", status.name());
    }
    let _ = writeln!(
        out,
        " total | required unexpected | recommended unexpected |"
    );
    let _ = writeln!(out, "{}", separator(statuses.len() + 4));
    for candidate in &results.candidates {
        let summary = &candidate.results.summary;
        let _ = write!(
            out,
            "| {} |",
            cell(&headline::column_text(&candidate.results.run.candidate))
        );
        for status in &statuses {
            let _ = write!(out, " {} |", count(&summary.by_status, *status));
        }
        let _ = writeln!(
            out,
            " {} | {} | {} |",
            summary.total,
            summary.unexpected_required.len(),
            summary.unexpected_recommended.len()
        );
    }
    out.push('\n');
}

fn candidate_section(out: &mut String, candidate: &CandidateRun, budget: &mut usize) {
    let run = &candidate.results;
    let info = &run.run;
    let summary = &run.summary;
    let partitions: Vec<&str> = candidate
        .sources
        .iter()
        .filter_map(|s| s.partition.as_deref())
        .collect();
    let _ = write!(
        out,
        "Candidate **{}** (`{}`), run `{}`, dlconform {}, {} case(s)",
        candidate.label, info.candidate.spec, info.id, info.harness_version, summary.total
    );
    if !partitions.is_empty() {
        let _ = write!(out, ", partitions {}", partitions.join(", "));
    }
    let _ = writeln!(out, ".\n");
    if let Some(text) = super::capabilities_text(&info.candidate) {
        let _ = writeln!(out, "Declared: {}.\n", cell(&text));
    }
    defects_section(out, run);
    platform_table(out, run);
    not_applicable_line(out, run);
    let _ = writeln!(
        out,
        "Not as expected: **{}** required (fail the run), {} recommended (reported only).\n",
        summary.unexpected_required.len(),
        summary.unexpected_recommended.len()
    );
    flaky_section(out, run);
    not_passing_section(out, run);
    let unexpected: Vec<&CaseResult> = ordered_unexpected(run);
    if unexpected.is_empty() {
        return;
    }
    let _ = writeln!(out, "#### Unexpected results, in detail\n");
    let shown = unexpected.len().min(*budget);
    for case in &unexpected[..shown] {
        case_entry(out, case);
    }
    *budget -= shown;
    if unexpected.len() > shown {
        let _ = writeln!(
            out,
            "... and {} more (see report.html or results.json).\n",
            unexpected.len() - shown
        );
    }
}

/// How many cases are `N/A` and how many checks of other cases were not applicable, each by
/// capability; nothing when there are none.
fn not_applicable_line(out: &mut String, run: &RunResults) {
    let super::NotApplicableCounts { cases, checks } = super::NotApplicableCounts::of(run);
    if cases.is_empty() && checks.is_empty() {
        return;
    }
    let by = |counts: &BTreeMap<String, usize>| {
        if counts.is_empty() {
            return "none".to_string();
        }
        counts
            .iter()
            .map(|(capability, n)| format!("{n} needing `{capability}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(
        out,
        "Not applicable: **{}** case(s) N/A: {}; checks of judged cases: {} (listed in results.json `not_applicable`).\n",
        cases.values().sum::<usize>(),
        by(&cases),
        by(&checks)
    );
}

/// The run's defects, one line each: unexpected before known, required before recommended,
/// most cases first; nothing when there are none.
fn defects_section(out: &mut String, run: &RunResults) {
    if run.defects.is_empty() {
        return;
    }
    let known = run.defects.iter().filter(|d| d.known.is_some()).count();
    let _ = writeln!(
        out,
        "#### Defects: {} ({known} known, {} unexpected)\n",
        run.defects.len(),
        run.defects.len() - known
    );
    let defects = super::defects_in_order(run);
    for defect in defects {
        let (verdict, by) = match &defect.known {
            None => ("**unexpected**".to_string(), String::new()),
            Some(by) => (
                "known".to_string(),
                format!(
                    " — {}{}",
                    code(&by.at),
                    by.reason
                        .as_deref()
                        .map(|r| format!(": {}", one_line(r, REASON_MAX)))
                        .unwrap_or_default()
                ),
            ),
        };
        let _ = writeln!(
            out,
            "- {verdict} · {} · {} in {} case(s): {}{by}",
            defect.tier.name(),
            code(&defect.check),
            defect.cases.len(),
            one_line(&defect.message, REASON_MAX),
        );
    }
    out.push('\n');
}

/// Every case that ran and did not pass, one line each with its failed checks (each once) and
/// their messages: not as expected first.
fn not_passing_section(out: &mut String, run: &RunResults) {
    let mut cases: Vec<&CaseResult> = run
        .cases
        .iter()
        .filter(|c| super::matrix::passed(c.status) == Some(false))
        .collect();
    if cases.is_empty() {
        return;
    }
    cases.sort_by_key(|c| !c.unexpected());
    let _ = writeln!(out, "#### Cases that did not pass ({})\n", cases.len());
    for case in cases {
        let checks: Vec<String> = super::grouped::group(&case.failures)
            .iter()
            .map(|g| format!("{}: {}", code(&g.label()), one_line(&g.message, REASON_MAX)))
            .collect();
        let why = if checks.is_empty() {
            case.reason
                .as_deref()
                .map(|r| one_line(r, REASON_MAX))
                .unwrap_or_default()
        } else {
            checks.join("; ")
        };
        let _ = writeln!(
            out,
            "- {}{} {} ({}): {why}",
            if case.unexpected() {
                "**unexpected** "
            } else {
                ""
            },
            case.status.name(),
            code(&case.id),
            case.tier.name(),
        );
    }
    out.push('\n');
}

/// FLAKY cases (not as expected at first, as expected on a retry) with every try.
fn flaky_section(out: &mut String, run: &RunResults) {
    let flaky: Vec<&CaseResult> = run
        .cases
        .iter()
        .filter(|c| c.status == Status::Flaky)
        .collect();
    if flaky.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "#### Flaky ({}): as expected on a retry, fatal only with `--strict`\n",
        flaky.len()
    );
    for case in flaky {
        let tries: Vec<String> = case
            .attempts
            .iter()
            .enumerate()
            .map(|(i, a)| {
                format!(
                    "try {}: {}",
                    i + 1,
                    one_line(&crate::runner::retry::describe(a), REASON_MAX)
                )
            })
            .collect();
        let _ = writeln!(out, "- **FLAKY** {}: {}", code(&case.id), tries.join("; "));
    }
    out.push('\n');
}

/// Unexpected cases: required first, then recommended, each in run order.
fn ordered_unexpected(run: &RunResults) -> Vec<&CaseResult> {
    let unexpected = run.cases.iter().filter(|c| c.unexpected());
    let (mut required, recommended): (Vec<&CaseResult>, Vec<&CaseResult>) =
        unexpected.partition(|c| c.counted_tier() == Tier::Required);
    required.extend(recommended);
    required
}

/// Per platform: cases per status (only statuses that occur), with a total row.
fn platform_table(out: &mut String, run: &RunResults) {
    let statuses = present_statuses(std::iter::once(run));
    let _ = write!(out, "| platform |");
    for status in &statuses {
        let _ = write!(out, " {} |", status.name());
    }
    let _ = writeln!(out, " total |");
    let _ = writeln!(out, "{}", separator(statuses.len() + 2));
    let rows = run
        .summary
        .per_platform
        .iter()
        .map(|(p, counts)| (cell(p), counts))
        .chain(std::iter::once((
            "**all**".to_string(),
            &run.summary.by_status,
        )));
    for (name, counts) in rows {
        let _ = write!(out, "| {name} |");
        let mut total = 0;
        for status in &statuses {
            let n = count(counts, *status);
            total += n;
            let _ = write!(out, " {n} |");
        }
        let _ = writeln!(out, " {total} |");
    }
    out.push('\n');
}

fn present_statuses<'a>(runs: impl Iterator<Item = &'a RunResults> + Clone) -> Vec<Status> {
    STATUS_ORDER
        .into_iter()
        .filter(|s| {
            runs.clone()
                .any(|r| r.summary.by_status.get(s.name()).copied().unwrap_or(0) > 0)
        })
        .collect()
}

fn count(counts: &BTreeMap<String, usize>, status: Status) -> usize {
    counts.get(status.name()).copied().unwrap_or(0)
}

fn separator(columns: usize) -> String {
    let mut line = "|".to_string();
    for i in 0..columns {
        line.push_str(if i == 0 { "---|" } else { "---:|" });
    }
    line
}

/// Table cell text: pipes escaped, one line.
pub(super) fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// One unexpected case: heading line, reason, failed checks.
fn case_entry(out: &mut String, case: &CaseResult) {
    let tier = counted_tier_text(case);
    let _ = writeln!(
        out,
        "- **{}** {} (expected {}, {tier}): {}",
        case.status.name(),
        code(&case.id),
        case.expected.name(),
        one_line(&case.summary, REASON_MAX)
    );
    if let Some(reason) = &case.reason {
        let _ = writeln!(out, "  - reason: {}", one_line(reason, REASON_MAX));
    }
    if case.status == Status::Xpass {
        let _ = writeln!(
            out,
            "  - passed, though the expectations say it fails: update the expectations file"
        );
    }
    if !case.attempts.is_empty() {
        let tries: Vec<String> = case
            .attempts
            .iter()
            .map(crate::runner::retry::describe)
            .collect();
        let _ = writeln!(
            out,
            "  - {} tries: {}",
            tries.len(),
            one_line(&tries.join("; "), REASON_MAX)
        );
    }
    let groups = super::grouped::group(&case.failures);
    for group in groups.iter().take(MAX_CHECKS_PER_CASE) {
        check_entry(out, group);
    }
    if groups.len() > MAX_CHECKS_PER_CASE {
        let _ = writeln!(
            out,
            "  - ... and {} more check(s)",
            groups.len() - MAX_CHECKS_PER_CASE
        );
    }
    out.push('\n');
}

/// The case's tier, and when only recommended checks failed in a required case, that too.
fn counted_tier_text(case: &CaseResult) -> String {
    if case.counted_tier() == case.tier {
        case.tier.name().to_string()
    } else {
        format!("{} case, only recommended checks failed", case.tier.name())
    }
}

/// One failed check (with how often it failed so): short values on the line, long ones
/// collapsed; recommended ones marked.
fn check_entry(out: &mut String, group: &super::grouped::GroupedFailure<'_>) {
    let failure = group.first;
    let mut call = failure
        .call
        .map(|c| format!(" (call {c})"))
        .unwrap_or_default();
    if failure.tier == Tier::Recommended {
        call.push_str(" [recommended]");
    }
    let expected = compact(&failure.expected);
    let actual = compact(&failure.actual);
    let name = match group.count {
        1 => code(&failure.check),
        n => format!("{} ×{n}", code(&failure.check)),
    };
    let message = one_line(&group.message, REASON_MAX);
    if expected.chars().count() <= INLINE_JSON_MAX && actual.chars().count() <= INLINE_JSON_MAX {
        let _ = writeln!(
            out,
            "  - {name}{call}: {message}; expected {}, actual {}",
            code(&expected),
            code(&actual)
        );
        return;
    }
    let _ = writeln!(out, "  - {name}{call}: {message}");
    let _ = writeln!(out, "    <details><summary>expected vs actual</summary>\n");
    json_block(out, "expected", &failure.expected);
    json_block(out, "actual", &failure.actual);
    let _ = writeln!(out, "    </details>");
}

fn json_block(out: &mut String, title: &str, value: &serde_json::Value) {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    let text = cut(&text, BLOCK_JSON_MAX);
    let fence = fence_for(&text);
    let _ = writeln!(out, "    {title}:\n");
    let _ = writeln!(out, "    {fence}json");
    for line in text.lines() {
        let _ = writeln!(out, "    {line}");
    }
    let _ = writeln!(out, "    {fence}\n");
}

fn compact(value: &serde_json::Value) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| value.to_string())
}

/// Inline code that survives backticks inside.
pub(super) fn code(text: &str) -> String {
    let text = text.replace('\n', " ");
    let mut ticks = 1;
    while text.contains(&"`".repeat(ticks)) {
        ticks += 1;
    }
    let fence = "`".repeat(ticks);
    if ticks > 1 || text.starts_with('`') || text.ends_with('`') {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

/// A code fence longer than any run of backticks in the text.
fn fence_for(text: &str) -> String {
    let mut ticks = 3;
    while text.contains(&"`".repeat(ticks)) {
        ticks += 1;
    }
    "`".repeat(ticks)
}

fn one_line(text: &str, max: usize) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    // Markdown would read `<` as HTML inside a comment.
    cut(&joined, max).replace('<', "&lt;")
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max).collect();
    cut.push('…');
    cut
}

//! The behaviours table: one row per check id, one column per candidate, counting the cases the
//! check held in (`pass`: judged and not failed), failed in, or was not applicable to; under
//! each check, its defects (one failing check with one shape of message) with the cases they
//! cover per candidate, known or unexpected there.
//!
//! A case counts once per check, in the first of fail, pass, n/a that applies. Defects of a case
//! that ended without a failed check (`timeout`, `crash`, `error`) get a row of their own, whose
//! cells say no check of that id ran.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::escape_text;
use super::merge::MergedResults;
use crate::results::{CaseResult, RunResults};

/// Check families in the order the checks run (`check::run_all`), each with the id prefixes it
/// gives its checks; ids of no family come after, by id.
const FAMILIES: [(&str, &[&str]); 10] = [
    ("order", &["callback-order"]),
    ("outcome", &["outcome", "errno", "errMsg"]),
    ("shape", &["shape"]),
    ("fields", &["fields"]),
    ("file", &["file"]),
    ("progress", &["progress"]),
    ("headers", &["headers-received"]),
    ("timing", &["timing"]),
    ("server", &["server"]),
    ("task", &["task"]),
];

/// The family name of a check id that belongs to none of [`FAMILIES`].
pub const OTHER_FAMILY: &str = "other";

/// One check's row: its counts per candidate and its defects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Check id (`fields.tempFilePath`, `errno`).
    pub check: String,
    /// The check family it belongs to (`order`, `outcome`, ... or [`OTHER_FAMILY`]).
    pub family: &'static str,
    /// One per candidate, in the merged results' order.
    pub cells: Vec<Counts>,
    /// The check's defects, in order of first appearance over the candidates.
    pub defects: Vec<DefectRow>,
}

/// How many of one candidate's cases a check held in, failed in, or was not applicable to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Cases where the check was judged and did not fail.
    pub pass: usize,
    /// Cases where the check failed.
    pub fail: usize,
    /// Cases whose `not_applicable` names the check (N/A cases included).
    pub na: usize,
}

impl Counts {
    /// Whether the check never ran for the candidate (nothing to count).
    pub fn is_empty(&self) -> bool {
        self.pass + self.fail + self.na == 0
    }

    /// The cell's text: `12 pass · 3 fail · 1 n/a`, zero parts left out, `—` when empty.
    pub fn text(&self) -> String {
        let parts: Vec<String> = [(self.pass, "pass"), (self.fail, "fail"), (self.na, "n/a")]
            .into_iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}"))
            .collect();
        if parts.is_empty() {
            "—".to_string()
        } else {
            parts.join(" · ")
        }
    }
}

/// One defect of a check, across candidates: the same check and normalised message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefectRow {
    /// The defect's normalised message.
    pub message: String,
    /// One per candidate; `None` where the candidate does not have the defect.
    pub cells: Vec<Option<DefectCell>>,
}

/// A defect in one candidate's run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefectCell {
    /// Cases it covers.
    pub cases: usize,
    /// An expectations entry of that candidate names it (`known`).
    pub known: bool,
}

impl DefectCell {
    /// The cell's text: `N cases (known)` or `N cases (unexpected)`.
    pub fn text(&self) -> String {
        let noun = if self.cases == 1 { "case" } else { "cases" };
        let how = if self.known { "known" } else { "unexpected" };
        format!("{} {noun} ({how})", self.cases)
    }
}

/// The family of a check id and its rank in [`FAMILIES`] (ids of no family rank last).
fn family(check: &str) -> (usize, &'static str) {
    FAMILIES
        .iter()
        .enumerate()
        .find(|(_, (_, prefixes))| {
            prefixes.iter().any(|p| {
                check
                    .strip_prefix(p)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
            })
        })
        .map_or((FAMILIES.len(), OTHER_FAMILY), |(rank, (name, _))| {
            (rank, *name)
        })
}

/// Every check id a run names: judged, failed, not applicable, or a defect's.
fn check_ids(run: &RunResults, ids: &mut BTreeSet<String>) {
    for case in &run.cases {
        ids.extend(case.judged.iter().cloned());
        ids.extend(case.failures.iter().map(|f| f.check.clone()));
        ids.extend(case.not_applicable.iter().map(|n| n.check.clone()));
    }
    ids.extend(run.defects.iter().map(|d| d.check.clone()));
}

/// How one case counts for `check`: failed, else judged, else not applicable, else not at all.
fn count_case(case: &CaseResult, check: &str, counts: &mut Counts) {
    if case.failures.iter().any(|f| f.check == check) {
        counts.fail += 1;
    } else if case.judged.iter().any(|j| j == check) {
        counts.pass += 1;
    } else if case.not_applicable.iter().any(|n| n.check == check) {
        counts.na += 1;
    }
}

/// The defects of `check` over the candidates, grouped by message.
fn defect_rows(results: &MergedResults, check: &str) -> Vec<DefectRow> {
    let width = results.candidates.len();
    let mut rows: Vec<DefectRow> = Vec::new();
    for (column, candidate) in results.candidates.iter().enumerate() {
        for defect in super::defects_in_order(&candidate.results) {
            if defect.check != check {
                continue;
            }
            let at = match rows.iter().position(|r| r.message == defect.message) {
                Some(at) => at,
                None => {
                    rows.push(DefectRow {
                        message: defect.message.clone(),
                        cells: vec![None; width],
                    });
                    rows.len() - 1
                }
            };
            // A run groups one check and message into one defect; should two be there, add up.
            let cell = rows[at].cells[column].get_or_insert(DefectCell {
                cases: 0,
                known: true,
            });
            cell.cases += defect.cases.len();
            cell.known &= defect.known.is_some();
        }
    }
    rows
}

/// The behaviours table of `results`: one row per check id, ordered by check family then id.
pub fn rows(results: &MergedResults) -> Vec<Row> {
    let mut ids = BTreeSet::new();
    for candidate in &results.candidates {
        check_ids(&candidate.results, &mut ids);
    }
    let mut rows: Vec<Row> = ids
        .into_iter()
        .map(|check| {
            let cells = results
                .candidates
                .iter()
                .map(|candidate| {
                    let mut counts = Counts::default();
                    for case in &candidate.results.cases {
                        count_case(case, &check, &mut counts);
                    }
                    counts
                })
                .collect();
            Row {
                family: family(&check).1,
                defects: defect_rows(results, &check),
                cells,
                check,
            }
        })
        .collect();
    rows.sort_by(|a, b| (family(&a.check).0, &a.check).cmp(&(family(&b.check).0, &b.check)));
    rows
}

/// Inline code for a markdown table cell: survives backticks and pipes inside.
fn table_code(text: &str) -> String {
    super::markdown::code(&text.replace('|', "\\|"))
}

/// Text for a markdown table cell.
fn table_text(text: &str) -> String {
    super::markdown::cell(text).replace('<', "&lt;")
}

/// Write the `#### Behaviours` section: the table of [`rows`], a column per candidate label.
pub fn markdown(out: &mut String, results: &MergedResults) {
    let rows = rows(results);
    let _ = writeln!(out, "#### Behaviours\n");
    if rows.is_empty() {
        let _ = writeln!(out, "No check ran.\n");
        return;
    }
    let mut header = String::from("| Check |");
    let mut rule = String::from("|---|");
    for candidate in &results.candidates {
        let column = super::headline::column_text(&candidate.results.run.candidate);
        let _ = write!(header, " {} |", table_text(&column));
        rule.push_str("---|");
    }
    let _ = writeln!(out, "{header}\n{rule}");
    for row in &rows {
        let mut line = format!("| {} |", table_code(&row.check));
        for cell in &row.cells {
            let _ = write!(line, " {} |", cell.text());
        }
        let _ = writeln!(out, "{line}");
        for defect in &row.defects {
            let mut line = format!("| &nbsp;&nbsp;↳ {} |", table_code(&defect.message));
            for cell in &defect.cells {
                match cell {
                    Some(cell) => {
                        let _ = write!(line, " {} |", cell.text());
                    }
                    None => line.push_str("  |"),
                }
            }
            let _ = writeln!(out, "{line}");
        }
    }
    out.push('\n');
}

/// The behaviours table as HTML: `<section id="behaviours"><table class="behaviours">...`.
pub fn html(results: &MergedResults) -> String {
    let mut out = String::from(
        "<section id=\"behaviours\"><table class=\"behaviours\"><thead><tr><th>Check</th>",
    );
    for candidate in &results.candidates {
        let _ = write!(
            out,
            "<th>{}</th>",
            super::headline::column_html(&candidate.results.run.candidate)
        );
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows(results) {
        let check = escape_text(&row.check);
        let _ = write!(
            out,
            "<tr class=\"check\" data-family=\"{}\" data-check=\"{check}\"><th><code>{check}</code></th>",
            escape_text(row.family)
        );
        for cell in &row.cells {
            let class = if cell.fail > 0 {
                "fail"
            } else if cell.pass > 0 {
                "pass"
            } else if cell.na > 0 {
                "na"
            } else {
                "never"
            };
            let _ = write!(
                out,
                "<td class=\"{class}\">{}</td>",
                escape_text(&cell.text())
            );
        }
        out.push_str("</tr>");
        for defect in &row.defects {
            let _ = write!(
                out,
                "<tr class=\"defect\" data-check=\"{check}\"><td class=\"message\"><code>{}</code></td>",
                escape_text(&defect.message)
            );
            for cell in &defect.cells {
                match cell {
                    Some(cell) => {
                        let class = if cell.known { "known" } else { "unexpected" };
                        let _ = write!(
                            out,
                            "<td class=\"{class}\">{}</td>",
                            escape_text(&cell.text())
                        );
                    }
                    None => out.push_str("<td></td>"),
                }
            }
            out.push_str("</tr>");
        }
    }
    out.push_str("</tbody></table></section>");
    out
}

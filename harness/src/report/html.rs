//! `report.html`: one self-contained page (inline CSS and JS, no external requests) that renders
//! the matrix of platforms x cases x candidates, filters and per-case detail from the results
//! embedded as JSON.

use std::fmt::Write;

pub use super::escape_text;
use super::{MergedResults, ReportError, behaviours, headline, matrix};

const CSS: &str = include_str!("assets/report.css");
const JS: &str = include_str!("assets/report.js");

/// Id of the `<script type="application/json">` element holding the results.
pub const DATA_ELEMENT_ID: &str = "dlconform-results";

/// The whole `report.html`.
pub fn render(results: &MergedResults) -> Result<String, ReportError> {
    let data = script_safe_json(&serde_json::to_string(results)?);
    let title = match results.candidates.as_slice() {
        [one] => format!("dlconform report: {}", one.label),
        many => format!("dlconform report: {} candidates", many.len()),
    };
    Ok(format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>{title}</title>
<style>
{CSS}</style>
</head>
<body>
<header>
<h1>{title}</h1>
{headlines}
<div id="overview"></div>
{matrix}
{declared}
{defects}
{behaviours}
</header>
<section id="filters">
<label>platform <select id="f-platform"><option value="">all</option></select></label>
<label>status <select id="f-status"><option value="">any</option></select></label>
<label>tier <select id="f-tier"><option value="">any</option><option value="required">required</option><option value="recommended">recommended</option></select></label>
<label><input type="checkbox" id="f-unexpected"> only not as expected</label>
<label>case <input type="search" id="f-text" placeholder="part of a case id"></label>
<span id="shown"></span>
</section>
<main>
<div id="matrix-wrap"><noscript><p class="empty">This report is drawn by JavaScript; results.json holds the same data.</p></noscript></div>
</main>
<aside id="detail" hidden></aside>
<script type="application/json" id="{DATA_ELEMENT_ID}">{data}</script>
<script>
{JS}</script>
</body>
</html>
"#,
        title = escape_text(&title),
        headlines = headlines(results),
        matrix = summary_matrix(results),
        declared = declared(results),
        defects = defects(results),
        behaviours = behaviours_section(results),
    ))
}

/// Per candidate, the line that says what was measured, before anything else; the overview
/// cards take their verdict from it (`headline-<index>`).
fn headlines(results: &MergedResults) -> String {
    let items: Vec<String> = results
        .candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let class = if c.results.summary.ok { "ok" } else { "bad" };
            format!(
                "<li id=\"headline-{i}\" class=\"{class}\">{}</li>",
                escape_text(&headline::line(&c.results))
            )
        })
        .collect();
    format!("<ol id=\"headlines\">{}</ol>", items.concat())
}

/// Per candidate, its defects, one line each with the cases they fail (unexpected first), and
/// its N/A cases per capability.
fn defects(results: &MergedResults) -> String {
    let mut html = String::from("<section id=\"defects\">");
    for candidate in &results.candidates {
        let run = &candidate.results;
        let known = run.defects.iter().filter(|d| d.known.is_some()).count();
        let _ = write!(
            html,
            "<h2>{}: {} defect(s), {known} known, {} unexpected</h2>",
            escape_text(&headline::subject(&run.run.candidate)),
            run.defects.len(),
            run.defects.len() - known
        );
        let defects = super::defects_in_order(run);
        if !defects.is_empty() {
            html.push_str("<ul class=\"defects\">");
        }
        for defect in &defects {
            let known = match &defect.known {
                None => "<b class=\"req-fail\">unexpected</b>".to_string(),
                Some(by) => {
                    let mut text = format!("known: <code>{}</code>", escape_text(&by.at));
                    if let Some(reason) = &by.reason {
                        let _ = write!(text, " {}", escape_text(reason));
                    }
                    if let Some(evidence) = &by.evidence {
                        let _ = write!(
                            text,
                            " <span class=\"evidence\">observed: {}; document: {}</span>",
                            escape_text(&evidence.observed),
                            escape_text(&evidence.document)
                        );
                    }
                    text
                }
            };
            let cases: Vec<String> = defect
                .cases
                .iter()
                .map(|id| format!("<li><code>{}</code></li>", escape_text(id)))
                .collect();
            let _ = write!(
                html,
                "<li class=\"{tier}\"><code>{check}</code> · {tier} · {n} case(s): {message} · {known}\
                 <details><summary>cases</summary><ul>{cases}</ul></details></li>",
                tier = defect.tier.name(),
                check = escape_text(&defect.check),
                n = defect.cases.len(),
                message = escape_text(&defect.message),
                cases = cases.concat(),
            );
        }
        if !defects.is_empty() {
            html.push_str("</ul>");
        }
        let counts = super::NotApplicableCounts::of(run);
        if !counts.cases.is_empty() {
            let parts: Vec<String> = counts
                .cases
                .iter()
                .map(|(capability, n)| {
                    format!("{n} needing <code>{}</code>", escape_text(capability))
                })
                .collect();
            let _ = write!(html, "<p class=\"na\">N/A cases: {}</p>", parts.join(", "));
        }
    }
    html.push_str("</section>");
    html
}

/// The behaviours x candidates table under its heading, for a matrix of several candidates.
fn behaviours_section(results: &MergedResults) -> String {
    format!(
        "<h2>Behaviours: per check, the cases it held, failed and was not applicable in</h2>{}",
        behaviours::html(results)
    )
}

/// Per candidate, what it declared: library, runtime and the capabilities it lacks, so that
/// its not-applicable checks read with their cause. Empty when no candidate declared any.
fn declared(results: &MergedResults) -> String {
    let items: Vec<String> = results
        .candidates
        .iter()
        .filter_map(|c| {
            super::capabilities_text(&c.results.run.candidate).map(|text| {
                format!(
                    "<li><b>{}</b>: {}</li>",
                    escape_text(&c.label),
                    escape_text(&text)
                )
            })
        })
        .collect();
    if items.is_empty() {
        return String::new();
    }
    format!(
        "<section id=\"declared\"><ul>{}</ul></section>",
        items.concat()
    )
}

/// The matrix on top of the page, platform x candidate (as wpt.fyi): per cell the cases passed,
/// required and recommended apart, those not run apart, and a list of the cases that did not
/// pass with their failed checks, each a link that opens the case. Written by the server side
/// so it reads without the script.
fn summary_matrix(results: &MergedResults) -> String {
    let mut html = String::from(
        "<section id=\"summary-matrix\"><table class=\"summary\"><thead><tr><th>platform</th>",
    );
    for candidate in &results.candidates {
        let _ = write!(
            html,
            "<th>{}</th>",
            headline::column_html(&candidate.results.run.candidate)
        );
    }
    html.push_str("</tr></thead><tbody>");
    for (platform, cells) in matrix::cells(results) {
        let _ = write!(html, "<tr><th>{}</th>", escape_text(&platform));
        for (ci, cell) in cells.iter().enumerate() {
            summary_cell(&mut html, &platform, ci, cell);
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table></section>");
    html
}

fn summary_cell(html: &mut String, platform: &str, ci: usize, cell: &matrix::Cell) {
    if cell.is_empty() {
        html.push_str("<td class=\"none\">nothing ran</td>");
        return;
    }
    let total = cell.total();
    let rate = cell
        .percent()
        .map_or_else(|| "–".to_string(), |p| format!("{p}%"));
    let _ = write!(
        html,
        "<td id=\"cell-{id}\" data-required=\"{req}\" data-recommended=\"{rec}\">\
         <span class=\"rate\">{rate}</span> passed ({all})\
         <div class=\"tiers\">required {required} · recommended {recommended}</div>",
        id = escape_text(&format!("{platform}-{ci}")),
        req = cell.required_unexpected,
        rec = cell.recommended_unexpected,
        all = total.fraction(),
        required = cell.required.fraction(),
        recommended = cell.recommended.fraction(),
    );
    if cell.not_run() > 0 {
        let _ = write!(
            html,
            "<div class=\"apart\">not run: unsupported {} · n/a {} · skipped {}</div>",
            cell.unsupported, cell.not_applicable, cell.skipped
        );
    }
    let class = |n: usize, bad: &'static str| if n > 0 { bad } else { "muted" };
    let _ = write!(
        html,
        "<div class=\"unexpected\"><span class=\"{}\">{} required not as expected</span> · \
         <span class=\"{}\">{} recommended not as expected</span></div>",
        class(cell.required_unexpected, "req-fail"),
        cell.required_unexpected,
        class(cell.recommended_unexpected, "rec-fail"),
        cell.recommended_unexpected,
    );
    if !cell.failed.is_empty() {
        let _ = write!(
            html,
            "<details class=\"failed\"><summary>{} did not pass</summary><ul>",
            cell.failed.len()
        );
        for case in &cell.failed {
            let short = case
                .id
                .strip_prefix(platform)
                .and_then(|rest| rest.strip_prefix('/'))
                .unwrap_or(&case.id);
            let checks = if case.checks.is_empty() {
                String::new()
            } else {
                format!(
                    ": <code>{}</code>",
                    case.checks
                        .iter()
                        .map(|c| escape_text(c))
                        .collect::<Vec<_>>()
                        .join("</code>, <code>")
                )
            };
            let _ = write!(
                html,
                "<li class=\"{tier}{unexpected}\"><a href=\"#case={href}&amp;candidate={ci}\">{short}</a> \
                 <span class=\"chip s-{status}\">{status}</span>{checks}</li>",
                tier = case.tier.name(),
                unexpected = if case.unexpected { " unexpected" } else { "" },
                href = escape_text(
                    &percent_encoding::utf8_percent_encode(&case.id, HASH_VALUE).to_string()
                ),
                short = escape_text(short),
                status = case.status.name(),
            );
        }
        html.push_str("</ul></details>");
    }
    html.push_str("</td>");
}

/// What a value in the page's hash must escape (the script splits it at `&` and `=`).
const HASH_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.');

/// JSON that cannot end its `<script>` element or open a comment: `<`, `>` and `&` only occur
/// inside JSON strings, where their `\u` escapes mean the same.
pub fn script_safe_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for ch in json.chars() {
        match ch {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            _ => out.push(ch),
        }
    }
    out
}

//! `report.html`: one self-contained page (inline CSS and JS, no external requests) that renders
//! the matrix of platforms x cases x candidates, filters and per-case detail from the results
//! embedded as JSON.

use std::fmt::Write;

use super::{MergedResults, ReportError};
use crate::spec::model::Tier;
use crate::verdict::Status;

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
<div id="overview"></div>
{matrix}
{declared}
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
        matrix = summary_matrix(results),
        declared = declared(results),
    ))
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

/// One cell of the summary matrix: the cases of one candidate on one platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PlatformCounts {
    /// Cases that ran (not SKIP, not UNSUPPORTED).
    pub ran: usize,
    /// Of those, cases as expected.
    pub as_expected: usize,
    /// Cases not as expected that count as required (they fail the run).
    pub required_failures: usize,
    /// Cases not as expected through recommended checks only.
    pub recommended_failures: usize,
}

/// Counts per platform (in the order platforms first appear) and per candidate.
pub fn platform_counts(results: &MergedResults) -> Vec<(String, Vec<PlatformCounts>)> {
    let mut rows: Vec<(String, Vec<PlatformCounts>)> = Vec::new();
    for (ci, candidate) in results.candidates.iter().enumerate() {
        for case in &candidate.results.cases {
            let index = match rows.iter().position(|(p, _)| *p == case.platform) {
                Some(index) => index,
                None => {
                    let empty = vec![PlatformCounts::default(); results.candidates.len()];
                    rows.push((case.platform.clone(), empty));
                    rows.len() - 1
                }
            };
            let counts = &mut rows[index].1[ci];
            let unexpected = case.unexpected();
            if !matches!(
                case.status,
                Status::Skip | Status::Unsupported | Status::NotApplicable
            ) {
                counts.ran += 1;
                if !unexpected {
                    counts.as_expected += 1;
                }
            }
            if unexpected {
                match case.counted_tier() {
                    Tier::Required => counts.required_failures += 1,
                    Tier::Recommended => counts.recommended_failures += 1,
                }
            }
        }
    }
    rows
}

/// The matrix on top of the page: platform x candidate, pass rate, required failures apart
/// from recommended ones. Written by the server side so it reads without the script.
fn summary_matrix(results: &MergedResults) -> String {
    let mut html = String::from(
        "<section id=\"summary-matrix\"><table class=\"summary\"><thead><tr><th>platform</th>",
    );
    for candidate in &results.candidates {
        let _ = write!(html, "<th>{}</th>", escape_text(&candidate.label));
    }
    html.push_str("</tr></thead><tbody>");
    for (platform, cells) in platform_counts(results) {
        let _ = write!(html, "<tr><th>{}</th>", escape_text(&platform));
        for counts in cells {
            if counts.ran == 0 && counts.required_failures + counts.recommended_failures == 0 {
                html.push_str("<td class=\"none\">nothing ran</td>");
                continue;
            }
            let rate = (counts.as_expected * 100)
                .checked_div(counts.ran)
                .unwrap_or(0);
            let _ = write!(
                html,
                "<td data-required=\"{req}\" data-recommended=\"{rec}\"><span class=\"rate\">{rate}%</span> \
                 as expected ({ok}/{ran})<br><span class=\"{req_class}\">{req} required failed</span> · \
                 <span class=\"{rec_class}\">{rec} recommended failed</span></td>",
                req = counts.required_failures,
                rec = counts.recommended_failures,
                ok = counts.as_expected,
                ran = counts.ran,
                req_class = if counts.required_failures > 0 {
                    "req-fail"
                } else {
                    "muted"
                },
                rec_class = if counts.recommended_failures > 0 {
                    "rec-fail"
                } else {
                    "muted"
                },
            );
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table></section>");
    html
}

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

/// Text for HTML element content.
pub fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

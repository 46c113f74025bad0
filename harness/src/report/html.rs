//! `report.html`: one self-contained page (inline CSS and JS, no external requests) that renders
//! the matrix of platforms x cases x candidates, filters and per-case detail from the results
//! embedded as JSON.

use super::{MergedResults, ReportError};

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
    ))
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

//! Redaction: replacing the values that change from run to run (ports, temp folders, case keys,
//! tokens, log ids, random file names, dates, timings) with placeholders such as `[port]`.

use regex::{Captures, Regex};
use serde_json::{Map, Value};

/// Integers at least this large are taken for epoch milliseconds.
const EPOCH_MS_MIN: u64 = 1_000_000_000_000;

/// Redacts the values of one case that change from run to run.
#[derive(Debug, Clone)]
pub struct Redactor {
    rules: Vec<(Regex, Replacement)>,
}

#[derive(Debug, Clone)]
enum Replacement {
    /// A fixed text (may use `$1`-style groups).
    Fixed(&'static str),
    /// Hex runs: random ids are replaced, 64-digit digests kept.
    Hex,
}

impl Redactor {
    /// A redactor for the case with this full id (`<platform>/<case id>`).
    pub fn for_case(case_id: &str) -> Redactor {
        let mut rules = Vec::new();
        let mut add = |pattern: &str, replacement: Replacement| {
            // Patterns are built from escaped text and constants: they always compile.
            if let Ok(re) = Regex::new(pattern) {
                rules.push((re, replacement));
            }
        };
        // The case's server key, `<index>-<id with non [A-Za-z0-9_-] as .>`: the index depends on
        // the selection.
        // (Host names built from it use `-` for the separators.)
        let loose: String = case_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_string()
                } else {
                    "[./_-]".to_string()
                }
            })
            .collect();
        add(&format!(r"\d{{4,}}-{loose}"), Replacement::Fixed("[key]"));
        // A folder directly under the system temp folder: the run's work folder.
        let temp = std::env::temp_dir();
        let temp = temp.to_string_lossy();
        let temp = temp.trim_end_matches('/');
        if !temp.is_empty() {
            add(
                &format!(r"{}/[^/\s]+/", regex::escape(temp)),
                Replacement::Fixed("[temp]/"),
            );
        }
        add(
            r"(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}",
            Replacement::Fixed("$1:[port]"),
        );
        // Ports as Python's urllib3 names them in its errors.
        add(r"\bport=\d{1,5}\b", Replacement::Fixed("port=[port]"));
        add(r"\bt-[0-9A-Za-z_-]{8,}", Replacement::Fixed("t-[token]"));
        add(
            r"boundary=[^;\s]+",
            Replacement::Fixed("boundary=[boundary]"),
        );
        add(
            r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT",
            Replacement::Fixed("[date]"),
        );
        add(
            r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})",
            Replacement::Fixed("[time]"),
        );
        // UUIDs, as a browser's `blob:` URLs carry: random, whatever their hex groups hold.
        add(
            r"\b[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\b",
            Replacement::Fixed("[uuid]"),
        );
        add(r"(^|[^0-9A-Za-z])([0-9A-Fa-f]{12,})", Replacement::Hex);
        add(r"\b\d+(\.\d+)? ?ms\b", Replacement::Fixed("[ms]"));
        // Certificate validity messages: UNIX times and distances in seconds.
        add(r"\b\d{10,}\b", Replacement::Fixed("[n]"));
        add(r"\b\d+ seconds\b", Replacement::Fixed("[n] seconds"));
        Redactor { rules }
    }

    /// A string with every dynamic part replaced.
    pub fn text(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (re, replacement) in &self.rules {
            out = match replacement {
                Replacement::Fixed(with) => re.replace_all(&out, *with).into_owned(),
                Replacement::Hex => re.replace_all(&out, hex_run).into_owned(),
            };
        }
        out
    }

    /// A JSON value with dynamic strings, timing fields, ports and ids replaced.
    pub fn value(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.text(s)),
            Value::Number(n) => match n.as_u64() {
                Some(v) if v >= EPOCH_MS_MIN => Value::String("[epoch-ms]".into()),
                _ => value.clone(),
            },
            Value::Array(items) => Value::Array(items.iter().map(|v| self.value(v)).collect()),
            Value::Object(map) => {
                let mut out = Map::new();
                for (key, v) in map {
                    let redacted = match placeholder_for_key(key) {
                        Some(placeholder) if !v.is_object() && !v.is_array() && !v.is_null() => {
                            Value::String(placeholder.into())
                        }
                        _ => self.value(v),
                    };
                    out.insert(key.clone(), redacted);
                }
                Value::Object(out)
            }
            Value::Null | Value::Bool(_) => value.clone(),
        }
    }
}

/// The case id as it appears in server keys.
pub fn key_id(case_id: &str) -> String {
    case_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '.'
            }
        })
        .collect()
}

/// Random ids become `[hex]`: runs of 16 to 40 hex digits (which may happen to hold no letter),
/// and other runs mixing letters and digits; SHA-256 digests (64 digits) are content, and stay;
/// other long digit runs are timestamps or counters, `[n]`.
fn hex_run(caps: &Captures<'_>) -> String {
    let lead = caps.get(1).map_or("", |m| m.as_str());
    let run = caps.get(2).map_or("", |m| m.as_str());
    let letters = run.chars().any(|c| c.is_ascii_alphabetic());
    let digits = run.chars().any(|c| c.is_ascii_digit());
    if run.len() == 64 {
        return format!("{lead}{run}");
    }
    if (16..=40).contains(&run.len()) || (letters && digits) {
        return format!("{lead}[hex]");
    }
    if !letters && run.len() >= 10 {
        return format!("{lead}[n]");
    }
    format!("{lead}{run}")
}

/// The placeholder for a field whose name says it holds a timing, a port or a run-scoped id.
fn placeholder_for_key(key: &str) -> Option<&'static str> {
    let lower = key.to_ascii_lowercase();
    match lower.as_str() {
        "port" => return Some("[port]"),
        "date" | "last-modified" | "expires" => return Some("[date]"),
        "x-tt-logid" | "log_id" | "logid" | "x-request-id" | "request_id" | "trace_id"
        | "traceid" | "x-trace-id" | "traceparent" => return Some("[log-id]"),
        "at_ms" | "duration_ms" | "rtt" | "elapsed" | "elapsed_ms" => return Some("[ms]"),
        _ => {}
    }
    if lower.contains("throughput") || lower.ends_with("estimate") {
        return Some("[rate]");
    }
    // Profile timings: `fetchStart`, `SSLconnectionEnd`, `queueEnd`...
    if key.len() > 3 && (key.ends_with("Start") || key.ends_with("End")) {
        return Some("[ms]");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_rules() {
        let r = Redactor::for_case("wechat/download/redirect/cross-host");
        assert_eq!(
            r.text("https://127.0.0.1:39267/c/0049-wechat.download.redirect.cross-host/x.bin"),
            "https://127.0.0.1:[port]/c/[key]/x.bin"
        );
        assert_eq!(
            r.text("wxfile://tmp_c527cbccb34d9d21.bin"),
            "wxfile://tmp_[hex].bin"
        );
        assert_eq!(
            r.text("https://0069-wechat-download-redirect-cross-host.dlconform.invalid/"),
            "https://[key].dlconform.invalid/"
        );
        assert_eq!(r.text("Bearer t-0123456789abcdef"), "Bearer t-[token]");
        assert_eq!(
            r.text("blob:http://127.0.0.1:4011/5702e293-511f-41c0-92a5-0a1b2c3d4e5f"),
            "blob:http://127.0.0.1:[port]/[uuid]"
        );
        assert_eq!(
            r.text("HTTPSConnection(host='127.0.0.1', port=38781)"),
            "HTTPSConnection(host='127.0.0.1', port=[port])"
        );
        assert_eq!(
            r.text("bdfile://tmp/3141592653589793.bin"),
            "bdfile://tmp/[hex].bin"
        );
        let digest = "916c8b7d4e6f6956ba5abfeb47249be43988f3bf042d4f6a0ed41392e026c7b9";
        assert_eq!(r.text(digest), digest);
        assert_eq!(
            r.text("no complete within 3012 ms"),
            "no complete within [ms]"
        );
        assert_eq!(r.text("Sun, 22 Nov 2026 04:45:04 GMT"), "[date]");
        let temp = std::env::temp_dir().join("dlconform-run-abc/cases/x");
        assert_eq!(r.text(&temp.display().to_string()), "[temp]/cases/x");
    }

    #[test]
    fn value_rules() {
        let r = Redactor::for_case("douyin/download/x");
        let v = json!({"profile": {"fetchStart": 1795322704134u64, "port": 4443, "throughputKbps": 12, "socketReused": false},
                       "header": {"Date": "whatever"}, "size": 12, "big": 1795322704134u64});
        assert_eq!(
            r.value(&v),
            json!({"profile": {"fetchStart": "[ms]", "port": "[port]", "throughputKbps": "[rate]", "socketReused": false},
                   "header": {"Date": "[date]"}, "size": 12, "big": "[epoch-ms]"})
        );
    }
}

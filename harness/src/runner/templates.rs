//! `{{url}}`, `{{origin}}`, `{{base}}`, `{{case_origin}}`, `{{temp}}` and `{{user}}` in call args
//! and expectations.

use mock_server::{MockServer, Target};
use serde_json::Value;

/// The template of a case's own origin.
pub const CASE_ORIGIN: &str = "{{case_origin}}";

/// The values templates expand to for one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Templates {
    /// The scenario URL.
    pub url: String,
    /// Its scheme, host and port.
    pub origin: String,
    /// The case's own root on the server (`<origin>/c/<key>`): server APIs such as Feishu's are served below it.
    pub base: String,
    /// A bare origin of the case's own (`http://127.0.0.1:PORT`, no path), where every request
    /// is the case's: what a server SDK takes as its domain.
    pub case_origin: String,
    /// The platform's temp prefix.
    pub temp: String,
    /// The platform's user prefix.
    pub user: String,
}

impl Templates {
    /// Expand every template in `text`.
    pub fn expand_str(&self, text: &str) -> String {
        if !text.contains("{{") {
            return text.to_string();
        }
        text.replace("{{url}}", &self.url)
            .replace("{{origin}}", &self.origin)
            .replace("{{base}}", &self.base)
            .replace(CASE_ORIGIN, &self.case_origin)
            .replace("{{temp}}", &self.temp)
            .replace("{{user}}", &self.user)
    }

    /// Expand templates in every string inside `value`.
    pub fn expand(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.expand_str(s)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.expand(v)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.expand(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

/// The case root of a scenario URL: everything before its last path segment.
pub fn base_of(url: &str) -> String {
    match url.rsplit_once('/') {
        Some((base, _)) => base.to_string(),
        None => url.to_string(),
    }
}

/// Whether `value` (call args, expectations) names `{{case_origin}}` anywhere.
pub fn uses_case_origin(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains(CASE_ORIGIN),
        Value::Array(items) => items.iter().any(uses_case_origin),
        Value::Object(map) => map.values().any(uses_case_origin),
        _ => false,
    }
}

/// The case's own origin on `target`: a listener opened for `key` on the mock server, with the
/// target's certificate (the caller closes it when the case ends), or, for targets no server
/// answers (DNS failure, connection refused), the origin of the case URL, which fails the same way.
pub fn open_case_origin(
    server: &MockServer,
    key: &str,
    target: Target,
    url: &str,
) -> Result<String, String> {
    match target.listener() {
        None => Ok(origin_of(url)),
        Some(listener) => server.open_origin_on(key, listener),
    }
}

/// `scheme://host:port` of a URL, or the URL itself when it does not parse.
pub fn origin_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(parsed) => parsed.origin().ascii_serialization(),
        Err(_) => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_nested_strings() {
        let t = Templates {
            url: "https://127.0.0.1:1/c/k/a.bin".into(),
            origin: origin_of("https://127.0.0.1:1/c/k/a.bin"),
            base: base_of("https://127.0.0.1:1/c/k/a.bin"),
            case_origin: "http://127.0.0.1:2".into(),
            temp: "ttfile://temp/".into(),
            user: "ttfile://user/".into(),
        };
        let v = serde_json::json!({"url": "{{url}}?x", "p": ["{{user}}a", 3], "o": "{{origin}}/z", "b": ["{{case_origin}}"]});
        assert!(uses_case_origin(&v));
        assert!(!uses_case_origin(&serde_json::json!({"url": "{{url}}"})));
        assert_eq!(
            t.expand(&v),
            serde_json::json!({"url": "https://127.0.0.1:1/c/k/a.bin?x", "p": ["ttfile://user/a", 3], "o": "https://127.0.0.1:1/z", "b": ["http://127.0.0.1:2"]})
        );
    }
}

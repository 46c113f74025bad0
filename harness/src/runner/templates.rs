//! `{{url}}`, `{{origin}}`, `{{temp}}` and `{{user}}` in call args and expectations.

use serde_json::Value;

/// The values templates expand to for one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Templates {
    /// The scenario URL.
    pub url: String,
    /// Its scheme, host and port.
    pub origin: String,
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
            temp: "ttfile://temp/".into(),
            user: "ttfile://user/".into(),
        };
        let v = serde_json::json!({"url": "{{url}}?x", "p": ["{{user}}a", 3], "o": "{{origin}}/z"});
        assert_eq!(
            t.expand(&v),
            serde_json::json!({"url": "https://127.0.0.1:1/c/k/a.bin?x", "p": ["ttfile://user/a", 3], "o": "https://127.0.0.1:1/z"})
        );
    }
}

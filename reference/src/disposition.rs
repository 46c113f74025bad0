//! The file name a Content-Disposition value gives (RFC 6266: `filename*` per RFC 8187 wins
//! over `filename`), as the reference derives it for the Feishu file endpoint's `fileName`.

use percent_encoding::percent_decode_str;

/// The decoded file name, or `None` when the value names none. `naive` is the mutant's
/// reading: every `;` ends a parameter, even inside a quoted name.
pub fn file_name(value: &str, naive: bool) -> Option<String> {
    let params = if naive {
        value.split(';').map(str::to_string).collect()
    } else {
        split_params(value)
    };
    let mut plain = None;
    let mut extended = None;
    for param in params.iter().skip(1) {
        let Some((name, raw)) = param.split_once('=') else {
            continue;
        };
        match name.trim().to_ascii_lowercase().as_str() {
            "filename" => plain = Some(unquote(raw.trim())),
            "filename*" => extended = decode_extended(raw.trim()),
            _ => {}
        }
    }
    extended.or(plain)
}

/// Parameters split at `;` outside quoted strings.
fn split_params(value: &str) -> Vec<String> {
    let mut params = vec![String::new()];
    let mut quoted = false;
    let mut escaped = false;
    for c in value.chars() {
        let current = params.last_mut();
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => {
                params.push(String::new());
                continue;
            }
            _ => {}
        }
        if let Some(current) = current {
            current.push(c);
        }
    }
    params
}

/// A token as is, a quoted string without its quotes and escapes.
fn unquote(raw: &str) -> String {
    let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) else {
        return raw.to_string();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    out
}

/// `UTF-8'<lang>'<percent-encoded>` decoded; other charsets are not read.
fn decode_extended(raw: &str) -> Option<String> {
    let mut parts = raw.splitn(3, '\'');
    let charset = parts.next()?;
    let _language = parts.next()?;
    let encoded = parts.next()?;
    if !charset.eq_ignore_ascii_case("utf-8") {
        return None;
    }
    percent_decode_str(encoded)
        .decode_utf8()
        .ok()
        .map(|name| name.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extended_wins_quoted_semicolons_stay_and_the_naive_reading_cuts() {
        let both = "attachment; filename=\"__ 1.pdf\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A%201.pdf";
        assert_eq!(file_name(both, false).as_deref(), Some("报告 1.pdf"));
        let semi = "attachment; filename=\"q3;final.pdf\"";
        assert_eq!(file_name(semi, false).as_deref(), Some("q3;final.pdf"));
        assert_eq!(file_name(semi, true).as_deref(), Some("\"q3"));
        assert_eq!(
            file_name("attachment; FILENAME=\"a \\\"b\\\".txt\"", false).as_deref(),
            Some("a \"b\".txt")
        );
        assert_eq!(
            file_name("attachment; filename*=UTF-8''%E6%8A%A5.pdf", false).as_deref(),
            Some("报.pdf")
        );
        assert_eq!(file_name("attachment", false), None);
    }
}

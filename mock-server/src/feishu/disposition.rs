//! `Content-Disposition: attachment` for a file name (RFC 6266 / RFC 8187).

use http::HeaderValue;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// RFC 8187 `attr-char` is ALPHA / DIGIT / "!#$&+-.^_`|~"; everything else is escaped.
const ATTR_CHAR_ESCAPES: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `attachment; filename*=UTF-8''<name>`: the encoded form alone, which a client that reads
/// only `filename` cannot name.
pub(super) fn attachment_extended_only(name: &str) -> HeaderValue {
    let mut value = String::from("attachment; filename*=UTF-8''");
    value.extend(utf8_percent_encode(name, ATTR_CHAR_ESCAPES));
    // Percent-encoding leaves only attr-chars.
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// `attachment; filename="<name>"`, plus `filename*=UTF-8''<name>` when the name is not
/// ASCII. The quoted form then carries an ASCII stand-in (`_` for each other character)
/// so clients that ignore `filename*` still get a usable header.
pub(super) fn attachment(name: &str) -> HeaderValue {
    let mut value = String::from("attachment; filename=\"");
    for c in name.chars() {
        match c {
            '"' | '\\' => {
                value.push('\\');
                value.push(c);
            }
            c if c.is_ascii() && !c.is_ascii_control() => value.push(c),
            _ => value.push('_'),
        }
    }
    value.push('"');
    if !name.is_ascii() {
        value.push_str("; filename*=UTF-8''");
        value.extend(utf8_percent_encode(name, ATTR_CHAR_ESCAPES));
    }
    // Only visible ASCII and spaces were written above.
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_name_is_quoted_only() {
        assert_eq!(
            attachment("report \"v2\".pdf"),
            "attachment; filename=\"report \\\"v2\\\".pdf\""
        );
    }

    #[test]
    fn extended_only_has_no_quoted_name() {
        assert_eq!(
            attachment_extended_only("报告 1.pdf"),
            "attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A%201.pdf"
        );
    }

    #[test]
    fn non_ascii_name_gets_an_encoded_form() {
        assert_eq!(
            attachment("报告 1.pdf"),
            "attachment; filename=\"__ 1.pdf\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A%201.pdf"
        );
    }
}

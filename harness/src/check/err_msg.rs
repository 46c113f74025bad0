//! The reason a fail message carries: where the documents give only the `<api>:fail` prefix (or
//! no text at all, as Alipay's `errorMessage` and Baidu's `errMsg`), something must follow it that
//! says what went wrong, and not a stringified nothing.

use serde_json::Value;

use crate::check::failure;
use crate::verdict::CheckFailure;

/// What JavaScript makes of a missing or unprintable value when it is put into a string.
const NOTHINGS: [&str; 4] = ["undefined", "null", "[object object]", "nan"];

/// The reason in `message` after `prefix`: whitespace after the prefix is a separator, not part
/// of the reason (Douyin documents `"downloadFile:fail" + detail`; Feishu's and WeChat's
/// examples put one space between).
pub fn reason<'m>(message: &'m str, prefix: Option<&str>) -> Option<&'m str> {
    let rest = match prefix {
        Some(prefix) => message.strip_prefix(prefix)?,
        None => message,
    };
    Some(rest.trim())
}

/// Whether a reason says something.
pub fn says_something(reason: &str) -> bool {
    let lower = reason.to_lowercase();
    !reason.is_empty() && !NOTHINGS.contains(&lower.as_str())
}

/// The `errMsg.reason` failure of a fail message, if its reason is empty or a stringified
/// nothing. A message without the prefix is left to the prefix check.
pub fn check(
    field: &str,
    message: &str,
    prefix: Option<&str>,
    at: Option<usize>,
) -> Option<CheckFailure> {
    let reason = reason(message, prefix)?;
    if says_something(reason) {
        return None;
    }
    let expected = match prefix {
        Some(prefix) => format!("{prefix} <reason>"),
        None => "<reason>".to_string(),
    };
    Some(failure(
        "errMsg.reason",
        at,
        expected,
        Value::from(message),
        if reason.is_empty() {
            format!("{field} gives no reason")
        } else {
            format!("{field} gives `{reason}` as its reason, a stringified nothing")
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: Option<&str> = Some("downloadFile:fail");

    #[test]
    fn a_reason_passes() {
        assert!(check("errMsg", "downloadFile:fail abort", P, None).is_none());
        assert!(check("errMsg", "downloadFile:fail不支持的URL", P, None).is_none());
        assert!(check("errorMessage", "network error", None, None).is_none());
        // A reason that merely contains such a word is a reason.
        assert!(check("errMsg", "downloadFile:fail header is null", P, None).is_none());
    }

    #[test]
    fn no_reason_or_a_nothing_fails() {
        for message in [
            "downloadFile:fail",
            "downloadFile:fail ",
            "downloadFile:fail undefined",
            "downloadFile:fail NULL",
            "downloadFile:fail [object Object]",
            "downloadFile:fail NaN",
        ] {
            let f = check("errMsg", message, P, Some(1));
            assert_eq!(
                f.as_ref().map(|f| (f.check.as_str(), f.call)),
                Some(("errMsg.reason", Some(1))),
                "{message}"
            );
        }
        assert!(check("errorMessage", "", None, None).is_some());
        assert!(check("errorMessage", "undefined", None, None).is_some());
    }

    #[test]
    fn without_the_prefix_the_prefix_check_speaks() {
        assert!(check("errMsg", "request:fail", P, None).is_none());
    }
}

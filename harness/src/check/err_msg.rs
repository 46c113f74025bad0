//! The reason a fail message carries: where the documents give only the `<api>:fail` prefix (or
//! no text at all, as Alipay's `errorMessage` and Baidu's `errMsg`), something must follow it that
//! says what went wrong, and not a stringified nothing.

use serde_json::Value;

use crate::check::{Verdicts, at_tier, failure};
use crate::spec::model::Tier;

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

/// Judge `errMsg.reason` of a fail message: it fails when the reason is empty or a stringified
/// nothing. A message without the prefix is left to the prefix check (not judged here). `tier`
/// is what the source of the platform's message form allows.
pub fn check(
    field: &str,
    message: &str,
    prefix: Option<&str>,
    at: Option<usize>,
    tier: Tier,
    verdicts: &mut Verdicts,
) {
    let Some(reason) = reason(message, prefix) else {
        return;
    };
    verdicts.judge("errMsg.reason");
    if says_something(reason) {
        return;
    }
    let expected = match prefix {
        Some(prefix) => format!("{prefix} <reason>"),
        None => "<reason>".to_string(),
    };
    let message_text = if reason.is_empty() {
        format!("{field} gives no reason")
    } else {
        format!("{field} gives `{reason}` as its reason, a stringified nothing")
    };
    verdicts.fail(at_tier(
        failure(
            "errMsg.reason",
            at,
            expected,
            Value::from(message),
            message_text,
        ),
        tier,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: Option<&str> = Some("downloadFile:fail");

    /// The verdicts of one message.
    fn judge(field: &str, message: &str, prefix: Option<&str>, at: Option<usize>) -> Verdicts {
        let mut verdicts = Verdicts::default();
        check(field, message, prefix, at, Tier::Required, &mut verdicts);
        verdicts
    }

    /// The failure of one message, if any; the check is judged either way.
    fn failed(
        field: &str,
        message: &str,
        prefix: Option<&str>,
        at: Option<usize>,
    ) -> Option<(String, Option<usize>)> {
        let verdicts = judge(field, message, prefix, at);
        assert_eq!(verdicts.judged(), ["errMsg.reason"], "{message}");
        verdicts
            .failures()
            .first()
            .map(|f| (f.check.clone(), f.call))
    }

    #[test]
    fn a_reason_passes() {
        assert!(failed("errMsg", "downloadFile:fail abort", P, None).is_none());
        assert!(failed("errMsg", "downloadFile:fail不支持的URL", P, None).is_none());
        assert!(failed("errorMessage", "network error", None, None).is_none());
        // A reason that merely contains such a word is a reason.
        assert!(failed("errMsg", "downloadFile:fail header is null", P, None).is_none());
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
            assert_eq!(
                failed("errMsg", message, P, Some(1)),
                Some(("errMsg.reason".to_string(), Some(1))),
                "{message}"
            );
        }
        assert!(failed("errorMessage", "", None, None).is_some());
        assert!(failed("errorMessage", "undefined", None, None).is_some());
    }

    #[test]
    fn without_the_prefix_the_prefix_check_speaks() {
        let verdicts = judge("errMsg", "request:fail", P, None);
        assert!(verdicts.judged().is_empty(), "{verdicts:?}");
        assert!(verdicts.failures().is_empty());
    }
}

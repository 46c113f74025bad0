//! What a case expects, in a few words: `fail 1001`, `success 404`, `success`.

use serde_json::Value;

use crate::spec::model::{Expect, Outcome};

/// `fail <errno>` or `success <statusCode>`, each part only when the case pins it.
pub fn describe(expect: &Expect) -> String {
    match expect.outcome {
        Outcome::Fail => match expect.errno {
            Some(errno) => format!("fail {errno}"),
            None => "fail".to_string(),
        },
        Outcome::Success => match status_code(expect) {
            Some(code) => format!("success {code}"),
            None => "success".to_string(),
        },
    }
}

/// The `statusCode` the success object must carry, when the case says (string or number).
fn status_code(expect: &Expect) -> Option<String> {
    match expect.fields.get("statusCode")?.equals.as_ref()? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expect(yaml: &str) -> Expect {
        serde_saphyr::from_str(yaml).unwrap()
    }

    #[test]
    fn fail_with_errno() {
        assert_eq!(
            describe(&expect("{outcome: fail, errno: 121520}")),
            "fail 121520"
        );
    }

    #[test]
    fn fail_without_errno() {
        assert_eq!(describe(&expect("{outcome: fail}")), "fail");
    }

    #[test]
    fn success_with_string_or_number_status() {
        let s = expect("{outcome: success, fields: {statusCode: {equals: \"404\"}}}");
        assert_eq!(describe(&s), "success 404");
        let n = expect("{outcome: success, fields: {statusCode: {type: number, equals: 200}}}");
        assert_eq!(describe(&n), "success 200");
        assert_eq!(describe(&expect("{outcome: success}")), "success");
    }
}

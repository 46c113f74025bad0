//! The evidence rule: every expectations entry of a real candidate names what the library did
//! and the document that says otherwise (`evidence`, harness/EXPECTATIONS.md).

use crate::expectations::{Expectations, Problem};

/// The one candidate folder that is an example, not a real implementation: its entries say what
/// it leaves out, and need no evidence.
pub const EXAMPLE_CANDIDATE: &str = "example-node";

/// Rule name in problems, as lint names its rules.
pub const RULE: &str = "evidence";

/// Whether the candidate of this folder name is a real implementation.
pub fn is_real(name: &str) -> bool {
    name != EXAMPLE_CANDIDATE
}

/// One problem per entry without `evidence`, at the entry's line and column.
pub fn missing_evidence(expectations: &Expectations) -> Vec<Problem> {
    let path = expectations
        .path()
        .map(ToOwned::to_owned)
        .unwrap_or_default();
    expectations
        .entries()
        .iter()
        .filter(|entry| entry.evidence().is_none())
        .map(|entry| Problem {
            path: path.clone(),
            line: entry.line(),
            column: entry.column(),
            message: format!(
                "{RULE}: entry `{}` has no `evidence`: a real candidate's entry names what the \
                 library did (`observed`) and the document that says otherwise (`document`)",
                entry.patterns().join(", ")
            ),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn an_entry_without_evidence_is_named_at_its_line() {
        let text = "expectations:\n  - cases: \"wechat/download/a\"\n    checks: [outcome]\n    status: FAIL\n    reason: \"r\"\n    evidence:\n      observed: \"o\"\n      document: \"d\"\n  - cases: \"wechat/download/b\"\n    checks: [outcome]\n    status: FAIL\n    reason: \"r\"\n";
        let expectations =
            Expectations::parse(Path::new("x/expectations.yaml"), text).expect("parses");
        let problems = missing_evidence(&expectations);
        assert_eq!(problems.len(), 1, "{problems:?}");
        let shown = problems[0].to_string();
        assert!(
            shown.starts_with("x/expectations.yaml:9:5: evidence: entry `wechat/download/b`"),
            "{shown}"
        );
    }

    #[test]
    fn only_the_example_is_not_real() {
        assert!(!is_real("example-node"));
        assert!(is_real("taro-h5"));
    }
}

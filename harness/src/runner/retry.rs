//! Retries (`--retries N`): a case not as expected is run again, up to N more times; when a
//! retry is as expected the case is FLAKY. Every try's verdict is kept in the case's `attempts`.

use crate::results::{Attempt, CaseResult};
use crate::verdict::Status;

/// Whether a case judged after try `attempt` (0 for the first) is run again.
pub fn again(case: &CaseResult, attempt: u32, retries: u32) -> bool {
    attempt < retries && case.unexpected()
}

/// Settle a case after its last try, given the tries before it: record every try when there
/// were several, and mark the case FLAKY when the last one is as expected.
pub fn settle(case: &mut CaseResult, earlier: Vec<Attempt>) {
    if earlier.is_empty() {
        return;
    }
    let tries = earlier.len() + 1;
    let last = Attempt::of(case);
    let failed: Vec<String> = earlier.iter().map(describe).collect();
    case.attempts = earlier;
    case.attempts.push(last);
    if case.unexpected() {
        return;
    }
    let note = format!(
        "as expected ({}) on try {tries}; before: {}",
        case.status.name(),
        failed.join("; ")
    );
    case.reason = Some(match case.reason.take() {
        Some(reason) => format!("{note}; {reason}"),
        None => note,
    });
    case.status = Status::Flaky;
}

/// Settle again a case judged anew after its run (late events changed its last try).
pub fn resettle(case: &mut CaseResult) {
    let mut earlier = std::mem::take(&mut case.attempts);
    earlier.pop();
    settle(case, earlier);
}

/// The status of a case's last try (for FLAKY, what the retry got: PASS or XFAIL).
pub fn last_status(case: &CaseResult) -> Status {
    match (case.status, case.attempts.last()) {
        (Status::Flaky, Some(last)) => last.status,
        (status, _) => status,
    }
}

/// One try in a line: its status and its first reason or failed check.
pub fn describe(attempt: &Attempt) -> String {
    let why = attempt
        .reason
        .as_deref()
        .and_then(|r| r.lines().next())
        .map(str::to_string)
        .or_else(|| {
            attempt
                .failures
                .first()
                .map(|f| format!("{}: {}", f.check, f.message))
        });
    match why {
        Some(why) => format!("{} ({why})", attempt.status.name()),
        None => attempt.status.name().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::model::Tier;

    fn case(status: Status) -> CaseResult {
        CaseResult {
            id: "wechat/download/a".into(),
            platform: "wechat".into(),
            api: "downloadFile".into(),
            tier: Tier::Required,
            summary: String::new(),
            source: String::new(),
            source_url: None,
            spec: String::new(),
            expected: Status::Pass,
            status,
            reason: None,
            judged: Vec::new(),
            failures: Vec::new(),
            observation: None,
            duration_ms: 5,
            attempts: Vec::new(),
            not_applicable: Vec::new(),
            unexplained: Vec::new(),
            decided_by: None,
        }
    }

    #[test]
    fn a_pass_after_a_fail_is_flaky_with_both_tries() {
        let first = Attempt::of(&case(Status::Fail));
        let mut last = case(Status::Pass);
        settle(&mut last, vec![first]);
        assert_eq!(last.status, Status::Flaky);
        let statuses: Vec<Status> = last.attempts.iter().map(|a| a.status).collect();
        assert_eq!(statuses, vec![Status::Fail, Status::Pass]);
        assert!(!last.unexpected());
        assert_eq!(last_status(&last), Status::Pass);
        assert!(
            last.reason
                .unwrap_or_default()
                .contains("on try 2; before: FAIL")
        );
    }

    #[test]
    fn a_fail_after_fails_stays_fail_with_every_try() {
        let earlier = vec![Attempt::of(&case(Status::Fail)); 2];
        let mut last = case(Status::Timeout);
        settle(&mut last, earlier);
        assert_eq!(last.status, Status::Timeout);
        assert_eq!(last.attempts.len(), 3);
        assert!(last.unexpected());
    }

    #[test]
    fn one_try_records_no_attempts() {
        let mut only = case(Status::Fail);
        settle(&mut only, Vec::new());
        assert!(only.attempts.is_empty());
        assert_eq!(only.status, Status::Fail);
        assert!(again(&only, 0, 1));
        assert!(!again(&only, 1, 1));
        assert!(!again(&case(Status::Pass), 0, 3));
    }

    #[test]
    fn resettle_replaces_the_last_try() {
        let mut last = case(Status::Pass);
        settle(&mut last, vec![Attempt::of(&case(Status::Fail))]);
        // Late events made the last try fail: judged anew, it is no longer flaky.
        last.status = Status::Fail;
        last.reason = None;
        resettle(&mut last);
        assert_eq!(last.status, Status::Fail);
        assert_eq!(last.attempts.len(), 2);
        assert_eq!(last.attempts[1].status, Status::Fail);
    }
}

//! Judging: every row of the table in harness/EXPECTATIONS.md.

use dlconform::expectations::{Judged, judge};
use dlconform::verdict::Status;
use rstest::rstest;

#[rstest]
#[case(Status::Pass, Status::Pass, Status::Pass, false)]
#[case(Status::Pass, Status::Fail, Status::Fail, true)]
#[case(Status::Pass, Status::Timeout, Status::Timeout, true)]
#[case(Status::Pass, Status::Crash, Status::Crash, true)]
#[case(Status::Pass, Status::Error, Status::Error, true)]
#[case(Status::Pass, Status::Unsupported, Status::Unsupported, true)]
#[case(Status::Pass, Status::Skip, Status::Skip, false)]
#[case(Status::Fail, Status::Pass, Status::Xpass, true)]
#[case(Status::Fail, Status::Fail, Status::Xfail, false)]
#[case(Status::Fail, Status::Timeout, Status::Timeout, true)]
#[case(Status::Fail, Status::Crash, Status::Crash, true)]
#[case(Status::Fail, Status::Error, Status::Error, true)]
#[case(Status::Fail, Status::Unsupported, Status::Unsupported, true)]
#[case(Status::Fail, Status::Skip, Status::Skip, false)]
#[case(Status::Timeout, Status::Pass, Status::Xpass, true)]
#[case(Status::Timeout, Status::Fail, Status::Fail, true)]
#[case(Status::Timeout, Status::Timeout, Status::Xfail, false)]
#[case(Status::Timeout, Status::Crash, Status::Crash, true)]
#[case(Status::Timeout, Status::Error, Status::Error, true)]
#[case(Status::Timeout, Status::Unsupported, Status::Unsupported, true)]
#[case(Status::Timeout, Status::Skip, Status::Skip, false)]
#[case(Status::Crash, Status::Pass, Status::Xpass, true)]
#[case(Status::Crash, Status::Fail, Status::Fail, true)]
#[case(Status::Crash, Status::Timeout, Status::Timeout, true)]
#[case(Status::Crash, Status::Crash, Status::Xfail, false)]
#[case(Status::Crash, Status::Error, Status::Error, true)]
#[case(Status::Crash, Status::Unsupported, Status::Unsupported, true)]
#[case(Status::Crash, Status::Skip, Status::Skip, false)]
#[case(Status::Error, Status::Pass, Status::Xpass, true)]
#[case(Status::Error, Status::Fail, Status::Fail, true)]
#[case(Status::Error, Status::Timeout, Status::Timeout, true)]
#[case(Status::Error, Status::Crash, Status::Crash, true)]
#[case(Status::Error, Status::Error, Status::Xfail, false)]
#[case(Status::Error, Status::Unsupported, Status::Unsupported, true)]
#[case(Status::Error, Status::Skip, Status::Skip, false)]
#[case(Status::Unsupported, Status::Pass, Status::Xpass, true)]
#[case(Status::Unsupported, Status::Fail, Status::Fail, true)]
#[case(Status::Unsupported, Status::Timeout, Status::Timeout, true)]
#[case(Status::Unsupported, Status::Crash, Status::Crash, true)]
#[case(Status::Unsupported, Status::Error, Status::Error, true)]
#[case(Status::Unsupported, Status::Unsupported, Status::Xfail, false)]
#[case(Status::Unsupported, Status::Skip, Status::Skip, false)]
#[case(Status::Skip, Status::Pass, Status::Pass, false)]
#[case(Status::Skip, Status::Fail, Status::Fail, true)]
#[case(Status::Skip, Status::Timeout, Status::Timeout, true)]
#[case(Status::Skip, Status::Crash, Status::Crash, true)]
#[case(Status::Skip, Status::Error, Status::Error, true)]
#[case(Status::Skip, Status::Unsupported, Status::Unsupported, true)]
#[case(Status::Skip, Status::Skip, Status::Skip, false)]
fn judge_table(
    #[case] expected: Status,
    #[case] actual: Status,
    #[case] status: Status,
    #[case] unexpected: bool,
) {
    assert_eq!(judge(expected, actual), Judged { status, unexpected });
}
#[test]
fn a_known_failure_that_passes_fails_the_run() {
    for kind in [
        Status::Fail,
        Status::Timeout,
        Status::Crash,
        Status::Error,
        Status::Unsupported,
    ] {
        let judged = judge(kind, Status::Pass);
        assert_eq!(judged.status, Status::Xpass);
        assert!(judged.unexpected);
    }
}

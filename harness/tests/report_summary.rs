//! The end-of-run summary table: every status a case can get has a column, and the total
//! counts every case, XFAIL and XPASS included.

mod report_support;

use dlconform::report::STATUS_ORDER;
use dlconform::runner::report::summary_table;
use dlconform::spec::model::Tier;
use dlconform::verdict::Status;
use report_support::{case, run_of, sample_cases};

fn rendered(cases: Vec<dlconform::results::CaseResult>) -> String {
    let run = run_of("fixture", "1.0.0", cases);
    let mut out = Vec::new();
    summary_table(&run, &mut out).expect("summary written");
    String::from_utf8(out).expect("utf-8")
}

/// The cells of the table row whose first cell is `platform`.
fn row(text: &str, platform: &str) -> Vec<String> {
    text.lines()
        .map(|line| {
            line.split('|')
                .map(|cell| cell.trim().to_string())
                .filter(|cell| !cell.is_empty())
                .collect::<Vec<_>>()
        })
        .find(|cells| cells.first().map(String::as_str) == Some(platform))
        .unwrap_or_else(|| panic!("no row {platform} in\n{text}"))
}

#[test]
fn report_summary_lists_every_status_as_a_column() {
    let text = rendered(sample_cases());
    let header = row(&text, "platform");
    let mut expected = vec!["platform".to_string()];
    expected.extend(STATUS_ORDER.iter().map(|s| s.name().to_string()));
    expected.push("total".to_string());
    assert_eq!(header, expected, "{text}");
}

#[test]
fn report_summary_total_counts_xfail_and_xpass() {
    // 13 cases: the 9 samples (one of each status) and 4 more XFAIL/XPASS, which the old
    // fixed columns left out of the total (it read 9).
    let mut cases = sample_cases();
    for (n, status) in [Status::Xfail, Status::Xfail, Status::Xpass, Status::Xpass]
        .into_iter()
        .enumerate()
    {
        let expected = if status == Status::Xfail {
            Status::Xfail
        } else {
            Status::Fail
        };
        cases.push(case(
            &format!("wechat/download/extra/{n}"),
            Tier::Recommended,
            expected,
            status,
        ));
    }
    let text = rendered(cases);
    let all = row(&text, "all");
    assert_eq!(all.last().map(String::as_str), Some("13"), "{text}");
    let column = |status: Status| {
        1 + STATUS_ORDER
            .iter()
            .position(|s| *s == status)
            .expect("status listed")
    };
    assert_eq!(all[column(Status::Xfail)], "3", "{text}");
    assert_eq!(all[column(Status::Xpass)], "3", "{text}");
    assert_eq!(all[column(Status::Pass)], "1", "{text}");
    let wechat = row(&text, "wechat");
    assert_eq!(wechat.last().map(String::as_str), Some("8"), "{text}");
    let baidu = row(&text, "baidu");
    assert_eq!(
        baidu[column(Status::Xfail)],
        "0",
        "zero counts shown: {text}"
    );
}

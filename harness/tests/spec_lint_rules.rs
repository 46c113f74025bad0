//! One broken fixture per rule, each with the exact problems it must produce.
//!
//! The fixtures are `valid.yaml` with one change each (line 2 says which), so the
//! positions below are those of the changed line in that file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use dlconform::spec::lint::rules;
use dlconform::spec::suite::check_specs;

/// Fixture name (without `.yaml`), then each expected problem after `file:`.
const TABLE: &[(&str, &[&str])] = &[
    (
        "parse-type",
        &["239:14: parse: `cases[3].call.count`: invalid u32"],
    ),
    ("parse-duplicate-key", &["18:3: parse: duplicate key `os`"]),
    (
        "unknown-fault",
        &[
            "204:11: unknown-fault: unknown fault `delay_mss`; known faults: status, body, text, \
           content_type, delay_ms, hold_until, stall, stall_after, trickle, bandwidth_bps, content_length_delta, \
           chunked, close_after, reset_after, redirect, content_disposition, gzip, slow_headers, raw, \
           header, lowercase_headers, upload_reset_after, upload_early_413, upload_read_bps",
        ],
    ),
    (
        "schema-line",
        &[
            "1:1: schema-line: the first line must be `# yaml-language-server: $schema=./schema.json` \
           (editors validate the file with it)",
        ],
    ),
    (
        "spec-version",
        &["3:15: spec-version: spec_version 2 is not supported; this dlconform reads 1"],
    ),
    (
        "case-id-unique",
        &[
            "230:9: case-id-unique: case id `download/ok/basic` is already used by cases[0] (line 178)",
        ],
    ),
    (
        "case-id-format",
        &[
            "230:9: case-id-format: case id `download/DNS/unresolvable`: segment `DNS` is not kebab-case \
           (lower-case letters and digits joined by single `-`, segments joined by `/`)",
        ],
    ),
    (
        "case-api",
        &[
            "248:10: case-api: case `upload/ok/basic`: api `upload` is not in `apis` (known: \
           `downloadFile`, `uploadFile`)",
        ],
    ),
    (
        "variant-declared",
        &[
            "236:14: variant-declared: case `download/dns/unresolvable`: variant `baidu` is not declared \
           in `variants` (declared: `alipay`)",
        ],
    ),
    (
        "source-ref",
        &["234:13: source-ref: source `fact` is not in `sources` (known: `facts`, `mpx`)"],
    ),
    (
        "version-format",
        &["16:16: version-format: version `2.10.x` is not dotted numbers (like `2.42.0`)"],
    ),
    (
        "version-range",
        &["107:18: version-range: empty version range: since 2.0.0 is not before until 1.9.9"],
    ),
    (
        "limit-overlap",
        &[
            "109:11: limit-overlap: max_body_bytes of api `downloadFile`: range [1.5.0, now) overlaps \
           max_body_bytes[0] [start, 2.0.0) for the same os",
        ],
    ),
    (
        "expect-errno",
        &["192:7: expect-errno: case `download/ok/basic`: expect.errno needs outcome fail"],
    ),
    (
        "errno-known",
        &[
            "211:14: errno-known: case `download/timeout/headers-late`: errno 600002 is not in the error \
           table of api `downloadFile` (codes on `wechat`: `600001`, `600009`)",
        ],
    ),
    (
        "expect-field",
        &[
            "193:9: expect-field: case `download/ok/basic`: `status` is not a field of the success result \
           of api `downloadFile` on `wechat` (fields: `tempFilePath`, `statusCode`)",
        ],
    ),
    (
        "error-coverage",
        &[
            "135:9: error-coverage: error 600009 of api `downloadFile` has no `cases` and no \
           `untestable` reason",
        ],
    ),
    (
        "error-case-ref",
        &[
            "134:48: error-case-ref: error 600001 lists case `download/ok/basic`, which expects success",
        ],
    ),
    (
        "error-pinned",
        &[
            "134:48: error-pinned: error 600001 lists case `download/dns/unresolvable`, which pins no \
           errno; pin 600001 in its expect or say in `unpinned` why not",
        ],
    ),
    (
        "expect-tier",
        &[
            "212:7: tier-reason: case `download/timeout/headers-late` lowers `errno`, `file` to \
           recommended without a `tier_reason`",
            "212:28: expect-tier: case `download/timeout/headers-late`: `file` is not set in its expect \
           (set: `outcome`, `errno`, `err_msg`, `timing`)",
        ],
    ),
    (
        "tier-reason",
        &[
            "216:11: tier-reason: case `download/status/alipay-404` is recommended without a \
           `tier_reason` (which part no document states)",
        ],
    ),
    (
        "tier-source",
        &[
            "251:13: tier-source: case `upload/ok/basic` is required, but its only source `facts#upload` \
           is a community text; lower the uncertain parts (`expect.recommended`) and say in \
           `tier_reason` why the rest is certain",
        ],
    ),
    (
        "msg-source",
        &[
            "93:7: msg-source: downloadFile: the message form has no `msg_source` (where the prefix \
           comes from)",
        ],
    ),
    (
        "fact-tier-reason",
        &[
            "95:7: fact-tier-reason: downloadFile message form: `tier_reason` is only for a source \
           that is no platform document, and `mpx` is one",
        ],
    ),
    (
        "call-omit",
        &[
            "209:14: call-omit: case `download/timeout/headers-late`: `urll` is not a parameter of \
           api `downloadFile` (parameters: `url`, `timeout`, `enableHttp2`)",
        ],
    ),
    (
        "call-count",
        &["239:14: call-count: case `download/dns/unresolvable`: call.count must be at least 1"],
    ),
    (
        "watch-window",
        &[
            "209:17: watch-window: case `download/timeout/headers-late`: call.watch_ms (400) must be \
           longer than the call's timeout (500), with a margin",
        ],
    ),
    (
        "action-method",
        &[
            "242:15: action-method: case `download/dns/unresolvable`: the action calls \
           `offProgressUpdate`, which the task of api `downloadFile` does not declare",
        ],
    ),
    (
        "target-faults",
        &[
            "238:15: target-faults: case `download/dns/unresolvable`: target `dns-failure` reaches no \
           server, so faults cannot apply; remove them",
        ],
    ),
    (
        "upload-only",
        &[
            "197:9: upload-only: case `download/ok/basic`: expect.server.upload needs an upload api; \
           `downloadFile` does not upload",
        ],
    ),
    (
        "template",
        &[
            "189:19: template: case `download/ok/basic`: unknown template `{{usr}}`; known: {{url}}, \
             {{origin}}, {{base}}, {{case_origin}}, {{temp}}, {{user}}",
            "194:53: template: case `download/ok/basic`: unknown template `{{usr}}`; known: {{url}}, \
             {{origin}}, {{base}}, {{case_origin}}, {{temp}}, {{user}}",
        ],
    ),
    (
        "field-always",
        &[
            "78:11: field-always: field `tempFilePath` is promised on every payload (`always`) but \
           only present `when: filePath not given`; drop one",
        ],
    ),
    (
        "skip-reason",
        &[
            "246:11: skip-reason: case `download/dns/unresolvable`: skip needs a reason (why the case \
           cannot run)",
        ],
    ),
];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/specs")
        .join(format!("{name}.yaml"))
}

fn problems(paths: &[PathBuf]) -> Vec<String> {
    check_specs(paths)
        .1
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn each_broken_fixture_gives_exactly_its_problems() {
    let mut mismatches = Vec::new();
    for (name, expected) in TABLE {
        let path = fixture(name);
        let expected: Vec<String> = expected
            .iter()
            .map(|rest| format!("{}:{rest}", path.display()))
            .collect();
        let got = problems(&[path]);
        if got != expected {
            mismatches.push(format!("{name}:\n  expected {expected:#?}\n  got {got:#?}"));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn fixtures_are_valid_yaml_plus_one_change() {
    // Guards the premise of the table: apart from the rule's own change, a fixture is valid.yaml.
    let valid = std::fs::read_to_string(fixture("valid")).unwrap_or_default();
    assert!(valid.lines().count() > 200, "valid.yaml should be read");
    for (name, _) in TABLE {
        let text = std::fs::read_to_string(fixture(name)).unwrap_or_default();
        let changed = diff_lines(&valid, &text);
        assert!(
            (1..=6).contains(&changed),
            "{name}.yaml differs from valid.yaml in {changed} lines"
        );
    }
}

/// Lines changed from `a` to `b` (in place, or the edited window when lines were added), line 2 (the description) left out.
fn diff_lines(a: &str, b: &str) -> usize {
    let keep = |t: &str| -> Vec<String> {
        t.lines()
            .enumerate()
            .filter(|(i, _)| *i != 1)
            .map(|(_, l)| l.to_string())
            .collect()
    };
    let (a, b) = (keep(a), keep(b));
    if a.len() == b.len() {
        return a.iter().zip(&b).filter(|(x, y)| x != y).count();
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    a.len().max(b.len()) - prefix - suffix
}

#[test]
fn valid_fixture_is_clean() {
    assert_eq!(problems(&[fixture("valid")]), Vec::<String>::new());
}

#[test]
fn duplicate_platform_is_found_across_files() {
    let second = fixture("duplicate-platform");
    assert_eq!(
        problems(std::slice::from_ref(&second)),
        Vec::<String>::new()
    );
    assert_eq!(
        problems(&[fixture("valid"), second.clone()]),
        vec![format!(
            "{}:4:11: duplicate-platform: platform `wechat` is already described by {}",
            second.display(),
            fixture("valid").display()
        )]
    );
}

#[test]
fn missing_file_and_empty_folder() {
    let missing = fixture("no-such-spec");
    let got = problems(std::slice::from_ref(&missing));
    assert_eq!(got.len(), 1);
    assert!(
        got[0].starts_with(&format!("{}: read: cannot read: ", missing.display())),
        "{got:?}"
    );
    let empty = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    assert_eq!(
        problems(&[empty.path().to_path_buf()]),
        vec![format!(
            "{}: no-specs: no *.yaml spec files in this folder",
            empty.path().display()
        )]
    );
}

#[test]
fn every_rule_has_a_test() {
    let mut tested: BTreeSet<&str> = TABLE
        .iter()
        .flat_map(|(_, lines)| lines.iter())
        .filter_map(|line| line.split(": ").nth(1))
        .collect();
    tested.extend(["duplicate-platform", "read", "no-specs"]);
    let all: BTreeSet<&str> = rules().iter().map(|r| r.name).collect();
    let untested: Vec<_> = all.difference(&tested).collect();
    assert!(untested.is_empty(), "rules without a fixture: {untested:?}");
    for (name, _) in TABLE {
        if !name.starts_with("parse-") {
            assert!(all.contains(name), "fixture {name} names no rule");
        }
    }
}

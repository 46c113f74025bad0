//! Lint: semantic checks of a parsed spec, each a small function with a stable rule name.
//!
//! Parsing already enforces types, unknown keys, duplicate keys and fault names; lint checks
//! what types cannot: references between parts of the file, id formats, versions, coverage.

mod cases;
mod errors;
mod expect;
mod file;
mod refs;
mod shapes;
mod tiers;
mod versions;

use std::path::Path;

use super::diagnostic::Diagnostic;
use super::locate::{LocationIndex, Pos, YamlPath};
use super::model::{Case, Platform, ResultShapes, Spec};

/// A parsed spec file with what lint needs to point at its text.
#[derive(Debug, Clone, Copy)]
pub struct SpecFile<'a> {
    /// Path as given (used in messages).
    pub path: &'a Path,
    /// The file's text.
    pub text: &'a str,
    /// The parsed spec.
    pub spec: &'a Spec,
    /// Positions of its values.
    pub index: &'a LocationIndex,
}

/// A rule's name and what it checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleInfo {
    /// Stable name, printed with every problem it finds.
    pub name: &'static str,
    /// What it checks.
    pub doc: &'static str,
}

type RuleFn = fn(&mut Report<'_>, &SpecFile<'_>);

/// Per-file rules, in the order they run.
const FILE_RULES: &[(RuleInfo, RuleFn)] = &[
    (
        rule(
            "schema-line",
            "the first line is `# yaml-language-server: $schema=./schema.json`",
        ),
        file::schema_line,
    ),
    (
        rule("spec-version", "`spec_version` is 1"),
        file::spec_version,
    ),
    (
        rule("case-id-unique", "no two cases share an id"),
        cases::id_unique,
    ),
    (
        rule(
            "case-id-format",
            "case ids are `/`-separated kebab-case segments starting with download, upload or file-get",
        ),
        cases::id_format,
    ),
    (
        rule("case-api", "each case's `api` is a key of `apis`"),
        cases::api_exists,
    ),
    (
        rule(
            "variant-declared",
            "case `variant`, `unsupported_on` and `only_on` name the spec's platform or a declared variant",
        ),
        cases::variant_declared,
    ),
    (
        rule(
            "source-ref",
            "every `source`/`sources`/`msg_source` entry (also `id#fragment`) names an entry of `sources`",
        ),
        refs::source_ref,
    ),
    (
        rule(
            "version-format",
            "every `since`, `until` and `sdk_version` is dotted numbers",
        ),
        refs::version_format,
    ),
    (
        rule("version-range", "`since` is before `until`"),
        versions::version_range,
    ),
    (
        rule(
            "limit-overlap",
            "`max_body_bytes` ranges of one api do not overlap for the same OS",
        ),
        versions::limit_overlap,
    ),
    (
        rule(
            "expect-errno",
            "`expect.errno` only with outcome fail and an api with `errno_field`",
        ),
        expect::errno_allowed,
    ),
    (
        rule(
            "errno-known",
            "an expected errno is in the api's error table for the case's platform and OS",
        ),
        expect::errno_known,
    ),
    (
        rule(
            "expect-field",
            "`expect.fields` keys are fields of the api's success or fail shape",
        ),
        expect::fields_known,
    ),
    (
        rule(
            "field-always",
            "a payload field promised on every payload (`always`) has no `when` and is not a function",
        ),
        shapes::always_unconditional,
    ),
    (
        rule(
            "error-coverage",
            "every error code lists cases or gives an `untestable` reason, not both",
        ),
        errors::coverage,
    ),
    (
        rule(
            "error-case-ref",
            "every case an error code lists exists, is of that api and variant, fails, and expects no other errno",
        ),
        errors::case_refs,
    ),
    (
        rule(
            "error-pinned",
            "every case an error code lists pins the code in `expect.errno`, unless the entry's `unpinned` says why",
        ),
        errors::pinned,
    ),
    (
        rule(
            "expect-tier",
            "`expect.recommended` only in a required case, names keys its expect sets, once each, and not all of them",
        ),
        tiers::expect_tiers,
    ),
    (
        rule(
            "tier-reason",
            "a recommended case, or one whose `expect.recommended` lowers parts, gives a `tier_reason`",
        ),
        tiers::tier_reason,
    ),
    (
        rule(
            "tier-source",
            "a required case whose source is no platform document (a standard, convention, community text, analogy or assumption) gives a `tier_reason`",
        ),
        tiers::tier_source,
    ),
    (
        rule(
            "fact-tier-reason",
            "a field's, message form's or path prefixes' `tier_reason` is not empty, and only where its source is no platform document",
        ),
        tiers::fact_tier_reason,
    ),
    (
        rule(
            "msg-source",
            "a result shape with `ok_msg` or `fail_msg_prefix` names its `msg_source`",
        ),
        tiers::msg_source,
    ),
    (
        rule("call-count", "`call.count` is at least 1"),
        cases::call_count,
    ),
    (
        rule(
            "call-omit",
            "each `call.omit` entry is a parameter of the case's api and is not also in `call.args`",
        ),
        cases::call_omit,
    ),
    (
        rule(
            "watch-window",
            "`call.watch_ms` is longer than the call's `timeout`",
        ),
        cases::watch_window,
    ),
    (
        rule(
            "action-method",
            "an `abort` or `off` action calls a method the api's task (when it declares one) lists, from a version the case runs on; `at: completed` only with such an action",
        ),
        cases::action_method,
    ),
    (
        rule(
            "target-faults",
            "targets that need no server (dns-failure, connection-refused) have no faults or fixture",
        ),
        cases::target_faults,
    ),
    (
        rule(
            "upload-only",
            "`expect.server.upload` and upload faults only in cases of upload apis",
        ),
        cases::upload_only,
    ),
    (
        rule(
            "template",
            "strings use only the templates {{url}}, {{origin}}, {{base}}, {{case_origin}}, {{temp}}, {{user}}",
        ),
        cases::templates,
    ),
    (
        rule("skip-reason", "a `skip` gives a reason"),
        cases::skip_reason,
    ),
];

/// Rules that look at several files together.
const SET_RULES: &[RuleInfo] = &[rule(
    "duplicate-platform",
    "no two spec files describe the same platform",
)];

/// Rules applied while loading, before lint.
const LOAD_RULES: &[RuleInfo] = &[
    rule("read", "the file can be read"),
    rule("no-specs", "a folder holds at least one *.yaml spec"),
    rule(
        "parse",
        "the YAML parses, fits the model (types, known keys) and has no duplicate keys",
    ),
    rule(
        "unknown-fault",
        "every fault is in the mock server's catalog",
    ),
];

const fn rule(name: &'static str, doc: &'static str) -> RuleInfo {
    RuleInfo { name, doc }
}

/// Every rule, loading rules first.
pub fn rules() -> Vec<RuleInfo> {
    LOAD_RULES
        .iter()
        .copied()
        .chain(FILE_RULES.iter().map(|(info, _)| *info))
        .chain(SET_RULES.iter().copied())
        .collect()
}

/// Lint one spec file; problems in position order.
pub fn lint_spec(file: &SpecFile<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (info, check) in FILE_RULES {
        let mut report = Report {
            path: file.path,
            index: file.index,
            rule: info.name,
            out: &mut out,
        };
        check(&mut report, file);
    }
    out.sort_by(|a, b| (a.line, a.column, a.rule).cmp(&(b.line, b.column, b.rule)));
    out.dedup();
    out
}

/// Lint what only shows across files (two specs for one platform).
pub fn lint_set(files: &[SpecFile<'_>]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut seen: Vec<(Platform, &Path)> = Vec::new();
    for file in files {
        let platform = file.spec.platform;
        match seen.iter().find(|(p, _)| *p == platform) {
            Some((_, first)) => out.push(diagnostic(
                file.path,
                file.index.value(&YamlPath::root().key("platform")),
                "duplicate-platform",
                format!(
                    "platform `{platform}` is already described by {}",
                    first.display()
                ),
            )),
            None => seen.push((platform, file.path)),
        }
    }
    out
}

fn diagnostic(path: &Path, pos: Pos, rule: &'static str, message: String) -> Diagnostic {
    Diagnostic {
        path: path.to_path_buf(),
        line: pos.line,
        column: pos.column,
        rule,
        message,
    }
}

/// Where a rule writes its problems; the rule's name is filled in.
pub(crate) struct Report<'a> {
    path: &'a Path,
    index: &'a LocationIndex,
    rule: &'static str,
    out: &'a mut Vec<Diagnostic>,
}

impl Report<'_> {
    /// A problem with the value at `path`.
    fn value(&mut self, path: &YamlPath, message: impl Into<String>) {
        let pos = self.index.value(path);
        self.at(pos, message);
    }

    /// A problem with the key of the entry at `path` (a name that should not be there).
    fn key(&mut self, path: &YamlPath, message: impl Into<String>) {
        let pos = self.index.key(path);
        self.at(pos, message);
    }

    fn at(&mut self, pos: Pos, message: impl Into<String>) {
        self.out
            .push(diagnostic(self.path, pos, self.rule, message.into()));
    }
}

/// Path of case `i`.
fn case_path(i: usize) -> YamlPath {
    YamlPath::root().key("cases").index(i)
}

/// The platform a case runs as: its variant, else the spec's platform.
fn case_platform(spec: &Spec, case: &Case) -> Platform {
    case.variant.unwrap_or(spec.platform)
}

/// The result shapes a case sees: its variant's own for the api, else the api's.
fn case_shapes<'s>(spec: &'s Spec, case: &Case) -> Option<&'s ResultShapes> {
    let api = spec.apis.get(&case.api)?;
    let own = case.variant.and_then(|v| {
        spec.variants
            .iter()
            .find(|x| x.platform == v)
            .and_then(|x| x.results.get(&case.api))
    });
    Some(own.unwrap_or(&api.result))
}

/// `a`, `b`, `c` for messages.
fn listing<I, T>(items: I) -> String
where
    I: IntoIterator<Item = T>,
    T: std::fmt::Display,
{
    let v: Vec<String> = items.into_iter().map(|t| format!("`{t}`")).collect();
    if v.is_empty() {
        "none".to_string()
    } else {
        v.join(", ")
    }
}

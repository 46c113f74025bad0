//! Rules about version ranges.

use super::cases::apis;
use super::{Report, SpecFile};
use crate::spec::model::{Version, VersionedLimit};
use crate::spec::version::DottedVersion;

fn parse(v: &Option<Version>) -> Option<DottedVersion> {
    v.as_ref().and_then(Version::parsed)
}

pub(super) fn version_range(report: &mut Report<'_>, file: &SpecFile<'_>) {
    for (_, api, api_path) in apis(file.spec) {
        for (j, limit) in api.limits.max_body_bytes.iter().enumerate() {
            let path = api_path.key("limits").key("max_body_bytes").index(j);
            if let (Some(since), Some(until)) = (parse(&limit.since), parse(&limit.until))
                && since >= until
            {
                report.value(
                    &path.key("until"),
                    format!(
                        "empty version range: since {} is not before until {}",
                        text(&limit.since),
                        text(&limit.until)
                    ),
                );
            }
        }
    }
}

fn text(v: &Option<Version>) -> &str {
    v.as_ref().map_or("", |v| v.0.as_str())
}

/// Whether two half-open ranges `[since, until)` share a version; absent ends are open.
fn overlap(a: &VersionedLimit, b: &VersionedLimit) -> bool {
    let before =
        |until: &Option<Version>, since: &Option<Version>| match (parse(until), parse(since)) {
            (Some(u), Some(s)) => u <= s,
            _ => false,
        };
    !(before(&a.until, &b.since) || before(&b.until, &a.since))
}

pub(super) fn limit_overlap(report: &mut Report<'_>, file: &SpecFile<'_>) {
    for (key, api, api_path) in apis(file.spec) {
        let limits = &api.limits.max_body_bytes;
        for (j, b) in limits.iter().enumerate() {
            if let Some(i) = (0..j).find(|&i| limits[i].os == b.os && overlap(&limits[i], b)) {
                let a = &limits[i];
                report.value(
                    &api_path.key("limits").key("max_body_bytes").index(j),
                    format!(
                        "max_body_bytes of api `{key}`: range [{}, {}) overlaps max_body_bytes[{i}] [{}, {}) for the same os",
                        or_start(&b.since),
                        or_now(&b.until),
                        or_start(&a.since),
                        or_now(&a.until)
                    ),
                );
            }
        }
    }
}

fn or_start(v: &Option<Version>) -> &str {
    v.as_ref().map_or("start", |v| v.0.as_str())
}

fn or_now(v: &Option<Version>) -> &str {
    v.as_ref().map_or("now", |v| v.0.as_str())
}

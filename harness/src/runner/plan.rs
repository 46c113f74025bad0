//! From specs to the list of cases a run executes: platform per variant, selection by
//! `--platform`, `--case`, `--filter` and `--partition`.

use std::sync::Arc;

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

use super::specs::SpecFile;
use crate::filter::Filter;
use crate::partition::Partition;
use crate::spec::model::{ApiSpec, Case, Os, Paths, Platform, ResultShapes, Variant, Version};

/// Base-library version used when neither the case nor the spec gives one.
pub const FALLBACK_SDK_VERSION: &str = "99.0.0";

/// One case as it will run: on one platform, from one spec.
#[derive(Debug, Clone)]
pub struct PlannedCase {
    /// `<platform>/<case id>`.
    pub full_id: String,
    /// The platform it runs as (the variant's, or the spec's).
    pub platform: Platform,
    /// The spec it comes from.
    pub spec: Arc<SpecFile>,
    /// The case.
    pub case: Case,
}

impl PlannedCase {
    /// The API the case calls, if the spec defines it.
    pub fn api(&self) -> Option<&ApiSpec> {
        self.spec.spec.apis.get(&self.case.api)
    }

    /// The variant the case runs as, when it is not the spec's own platform.
    pub fn variant(&self) -> Option<&Variant> {
        self.spec
            .spec
            .variants
            .iter()
            .find(|v| v.platform == self.platform && self.platform != self.spec.spec.platform)
    }

    /// Path prefixes: the variant's own, or the spec's.
    pub fn paths(&self) -> &Paths {
        self.variant()
            .and_then(|v| v.paths.as_ref())
            .unwrap_or(&self.spec.spec.paths)
    }

    /// Result shapes of the case's API: the variant's own, or the API's.
    pub fn result_shapes(&self) -> Option<&ResultShapes> {
        self.variant()
            .and_then(|v| v.results.get(&self.case.api))
            .or_else(|| self.api().map(|a| &a.result))
    }

    /// What a `--filter` expression looks at.
    pub fn subject(&self) -> crate::filter::Subject<'_> {
        crate::filter::Subject {
            platform: self.platform,
            api: &self.case.api,
            api_name: self.api().map(|a| a.name.as_str()),
            full_id: &self.full_id,
            id: &self.case.id,
            tier: self.case.tier,
        }
    }

    /// Base-library version of the call.
    pub fn sdk_version(&self) -> String {
        self.case
            .env
            .sdk_version
            .as_ref()
            .or(self.spec.spec.defaults.sdk_version.as_ref())
            .map(|v| v.0.clone())
            .unwrap_or_else(|| FALLBACK_SDK_VERSION.to_string())
    }

    /// Operating system of the call.
    pub fn os(&self) -> Os {
        self.case
            .env
            .os
            .or(self.spec.spec.defaults.os)
            .unwrap_or_default()
    }

    /// Release build (true unless the case or spec says otherwise).
    pub fn release(&self) -> bool {
        self.case
            .env
            .release
            .or(self.spec.spec.defaults.release)
            .unwrap_or(true)
    }
}

/// Every case of every spec, in spec-file then case order.
pub fn expand(specs: &[Arc<SpecFile>]) -> Vec<PlannedCase> {
    let mut cases = Vec::new();
    for spec in specs {
        for case in &spec.spec.cases {
            let platform = case.variant.unwrap_or(spec.spec.platform);
            cases.push(PlannedCase {
                full_id: format!("{}/{}", platform.name(), case.id),
                platform,
                spec: Arc::clone(spec),
                case: case.clone(),
            });
        }
    }
    cases
}

/// Which cases to run.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only these platforms; empty: all.
    pub platforms: Vec<Platform>,
    /// Case id patterns (`*` one segment, `**` any), matched against the full id and the id
    /// without its platform; empty: all.
    pub cases: Vec<String>,
    /// Only cases this expression selects (`--filter`, `--rerun-failed`; see [`crate::filter`]).
    pub filter: Option<Filter>,
    /// Only this part of the run (`--partition k/n`, see [`crate::partition`]).
    pub partition: Option<Partition>,
}

/// A bad `--case` value.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SelectionError(pub String);

impl Selection {
    /// Keep the selected cases, in order.
    pub fn apply(&self, cases: Vec<PlannedCase>) -> Result<Vec<PlannedCase>, SelectionError> {
        let patterns = build_globs(&self.cases)?;
        let mut kept: Vec<PlannedCase> = cases
            .into_iter()
            .filter(|c| self.platforms.is_empty() || self.platforms.contains(&c.platform))
            .filter(|c| {
                patterns
                    .as_ref()
                    .is_none_or(|set| set.is_match(&c.full_id) || set.is_match(&c.case.id))
            })
            .filter(|c| self.filter.as_ref().is_none_or(|f| f.matches(&c.subject())))
            .collect();
        if let Some(partition) = self.partition {
            // By a hash of the id: a case keeps its part when other cases come or go.
            kept.retain(|c| partition.contains(&c.full_id));
        }
        Ok(kept)
    }
}

fn build_globs(patterns: &[String]) -> Result<Option<GlobSet>, SelectionError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob: Glob = GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|err| SelectionError(format!("bad --case pattern '{pattern}': {err}")))?;
        builder.add(glob);
    }
    builder
        .build()
        .map(Some)
        .map_err(|err| SelectionError(format!("bad --case patterns: {err}")))
}

/// Compare dotted versions numerically (`2.10.0` > `2.9`); non-numeric parts compare as 0.
pub fn version_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let parts = |v: &str| -> Vec<u64> {
        v.split('.')
            .map(|p| p.trim().parse::<u64>().unwrap_or(0))
            .collect()
    };
    let (a, b) = (parts(a), parts(b));
    let len = a.len().max(b.len());
    for i in 0..len {
        let (x, y) = (
            a.get(i).copied().unwrap_or(0),
            b.get(i).copied().unwrap_or(0),
        );
        match x.cmp(&y) {
            std::cmp::Ordering::Equal => continue,
            other => return other,
        }
    }
    std::cmp::Ordering::Equal
}

/// Whether `sdk` is at least `since` (an absent `since` always holds).
pub fn at_least(sdk: &str, since: Option<&Version>) -> bool {
    since.is_none_or(|s| version_cmp(sdk, &s.0) != std::cmp::Ordering::Less)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        assert_eq!(version_cmp("2.10.0", "2.9"), std::cmp::Ordering::Greater);
        assert_eq!(version_cmp("1.0", "1.0.0"), std::cmp::Ordering::Equal);
        assert!(at_least("1.2.3", Some(&Version("1.2".into()))));
        assert!(!at_least("1.1", Some(&Version("1.2".into()))));
    }

    #[test]
    fn globs_respect_segments() {
        let set = build_globs(&["download/success*".to_string()])
            .ok()
            .flatten();
        let set = set.expect("patterns build");
        assert!(set.is_match("download/success"));
        assert!(set.is_match("download/success-file-path"));
        assert!(!set.is_match("download/success/deep"));
        let deep = build_globs(&["download/**".to_string()])
            .ok()
            .flatten()
            .expect("builds");
        assert!(deep.is_match("download/a/b"));
    }
}

//! A case's failed checks as reports show them: each check with one shape of message once, with
//! how often it failed, so that 214 `progress.finite` failures of one case read as one line.

use crate::spec::model::Tier;
use crate::verdict::CheckFailure;

/// One check of one case, failed `count` times with messages of one shape.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupedFailure<'a> {
    /// The first failure of the group: its expected and actual values stand for the rest.
    pub first: &'a CheckFailure,
    /// How many failures the group holds.
    pub count: usize,
    /// The message, normalised as defects normalise it when the group holds more than one.
    pub message: String,
}

impl GroupedFailure<'_> {
    /// `check`, with `×N` when it failed more than once and `(recommended)` when it is.
    pub fn label(&self) -> String {
        let mut label = self.first.check.clone();
        if self.count > 1 {
            label.push_str(&format!(" ×{}", self.count));
        }
        if self.first.tier == Tier::Recommended {
            label.push_str(" (recommended)");
        }
        label
    }
}

/// Group `failures` by check id, tier and normalised message, in order of first appearance.
pub fn group(failures: &[CheckFailure]) -> Vec<GroupedFailure<'_>> {
    let mut groups: Vec<(GroupedFailure<'_>, String)> = Vec::new();
    for failure in failures {
        let shape = crate::defects::normalize(&failure.message);
        let same = groups.iter_mut().find(|(g, s)| {
            g.first.check == failure.check && g.first.tier == failure.tier && *s == shape
        });
        match same {
            Some((group, shape)) => {
                group.count += 1;
                group.message.clone_from(shape);
            }
            None => groups.push((
                GroupedFailure {
                    first: failure,
                    count: 1,
                    message: failure.message.clone(),
                },
                shape,
            )),
        }
    }
    groups.into_iter().map(|(g, _)| g).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(check: &str, message: &str, tier: Tier) -> CheckFailure {
        CheckFailure {
            check: check.into(),
            call: None,
            expected: serde_json::Value::Null,
            actual: serde_json::Value::Null,
            message: message.into(),
            tier,
            known: None,
        }
    }

    #[test]
    fn repeated_shapes_are_counted_once_and_others_kept_apart() {
        let failures = vec![
            failure(
                "progress.finite",
                "progress[1].progress is NaN",
                Tier::Required,
            ),
            failure("shape.type", "header is a string", Tier::Required),
            failure(
                "progress.finite",
                "progress[2].progress is NaN",
                Tier::Required,
            ),
            failure(
                "progress.finite",
                "progress[3].progress is NaN",
                Tier::Recommended,
            ),
        ];
        let groups = group(&failures);
        let labels: Vec<String> = groups.iter().map(GroupedFailure::label).collect();
        assert_eq!(
            labels,
            [
                "progress.finite ×2",
                "shape.type",
                "progress.finite (recommended)"
            ]
        );
        assert_eq!(groups[0].message, "progress[*].progress is NaN");
        assert_eq!(groups[1].message, "header is a string");
        assert_eq!(groups[2].message, "progress[3].progress is NaN");
    }
}

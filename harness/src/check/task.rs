//! Task methods: a method the adapter called threw (a `threw` message). The document promises
//! the method, so a throw fails `task.threw`: required for a method the spec's task declares,
//! recommended for any other.

use serde_json::json;

use crate::check::{CheckInput, call_index, failure};
use crate::spec::model::Tier;
use crate::verdict::CheckFailure;

/// Run the task checks.
pub fn check(input: &CheckInput<'_>) -> Vec<CheckFailure> {
    let declared = |method: &str| {
        input
            .task
            .is_some_and(|t| t.methods.iter().any(|m| m.name == method))
    };
    let mut failures = Vec::new();
    for (index, call) in input.observation.calls.iter().enumerate() {
        for threw in &call.threw {
            let mut failed = failure(
                "task.threw",
                call_index(input, index),
                json!({"method": threw.method, "threw": false}),
                json!({"method": threw.method, "message": threw.message, "at_ms": threw.at_ms}),
                format!("task method `{}` threw: {}", threw.method, threw.message),
            );
            if !declared(&threw.method) {
                failed.tier = Tier::Recommended;
            }
            failures.push(failed);
        }
    }
    failures
}

//! Task methods: a method the adapter called threw (a `threw` message). The document promises
//! the method, so a throw fails `task.threw`: required for a method the spec's task declares,
//! recommended for any other. It is judged on every call of an API that returns a task (the
//! adapter may call its methods), and on any call where a method threw.

use serde_json::json;

use crate::check::{CheckInput, Verdicts, call_index, failure};
use crate::spec::model::Tier;

/// Run the task checks.
pub fn check(input: &CheckInput<'_>, verdicts: &mut Verdicts) {
    let declared = |method: &str| {
        input
            .task
            .is_some_and(|t| t.methods.iter().any(|m| m.name == method))
    };
    for (index, call) in input.observation.calls.iter().enumerate() {
        if input.task.is_some() {
            verdicts.judge("task.threw");
        }
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
            verdicts.fail(failed);
        }
    }
}

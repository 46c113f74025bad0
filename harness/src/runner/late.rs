//! Late events: attach what arrived for a call after its case was judged (flagged late, with
//! how long after `complete` it came) and judge the case again; late log lines join its log.

use std::collections::HashMap;

use super::case::Rejudge;
use super::collect::ms_between;
use crate::candidate::late::LateEvents;
use crate::observation::TimedEvent;
use crate::results::CaseResult;
use crate::verdict::Status;

/// Attach the late events of the case's calls (taking them out of `late`) and judge it again.
/// Returns whether the case got any; a case without late events is not judged again (its late
/// log lines, if any, are still added to its log).
pub fn attach(
    result: &mut CaseResult,
    rejudge: &Rejudge,
    late: &mut HashMap<String, LateEvents>,
) -> bool {
    let Some(mut observation) = result.observation.take() else {
        return false;
    };
    let mut any = false;
    for clock in &rejudge.clocks {
        let Some(events) = late.remove(&clock.call) else {
            continue;
        };
        for log in &events.logs {
            let after = clock.complete.map_or(String::new(), |c| {
                format!(", {} ms after complete", ms_between(c, log.at))
            });
            observation.log.push_str(&format!(
                "[{}] [late{after}] {}\n",
                clock.call,
                log.message.trim_end_matches('\n')
            ));
        }
        if events.logs_dropped > 0 {
            observation.log.push_str(&format!(
                "[dlconform] {} more late log line(s) of call {} were not kept\n",
                events.logs_dropped, clock.call
            ));
        }
        let Some(call) = observation.calls.iter_mut().find(|c| c.call == clock.call) else {
            continue;
        };
        for event in events.events {
            any = true;
            let mut timed =
                TimedEvent::new(ms_between(clock.origin, event.at), event.event, event.data);
            timed.after_complete_ms = clock.complete.map(|c| ms_between(c, event.at));
            timed.late = true;
            call.events.push(timed);
        }
        if events.dropped > 0 {
            observation.log.push_str(&format!(
                "\n[dlconform] {} more late event(s) of call {} were not kept\n",
                events.dropped, clock.call
            ));
        }
    }
    if !any {
        result.observation = Some(observation);
        return false;
    }
    // Back to the runner's own verdict: expectations and snapshots are applied again after this.
    result.expected = Status::Pass;
    rejudge.judge(observation).apply_to(result);
    true
}

//! The order cases start in: longest first, so that a run lasts about as long as its slowest
//! case instead of the slowest case plus whatever happened to start before it.
//!
//! Durations come from a previous results file when it has the case; otherwise they are
//! estimated from what the case asks of the server (delays, stalls, trickles, bandwidth caps,
//! body sizes) and of the harness (timed actions, deadlines).

use std::collections::HashMap;
use std::path::Path;

use mock_server::Fault;
use serde_json::Value;

use super::plan::PlannedCase;
use crate::spec::model::Trigger;

/// What every case costs at least: starting a call, a handshake, judging.
const BASE_MS: u64 = 50;
/// Bytes per millisecond a generated body streams at over loopback to a debug-build reference,
/// roughly; only the ranking matters.
const BODY_BYTES_PER_MS: u64 = 20_000;
/// Head size assumed for `slow_headers` pacing.
const HEAD_BYTES: u64 = 200;
/// Wait assumed for a stall when the call gives no timeout: the case deadline's default.
const STALL_DEFAULT_MS: u64 = 30_000;

/// Case durations from an earlier run, by full case id, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Durations(HashMap<String, u64>);

impl Durations {
    /// The durations in a results.json; an unreadable or foreign file gives none, since
    /// scheduling only orders cases and must never stop a run.
    pub fn from_results(path: &Path) -> Durations {
        let Ok(text) = std::fs::read_to_string(path) else {
            return Durations::default();
        };
        let Ok(value) = serde_json::from_str::<Value>(&text) else {
            return Durations::default();
        };
        let cases = value.get("cases").and_then(Value::as_array);
        Durations(
            cases
                .into_iter()
                .flatten()
                .filter_map(|c| {
                    let id = c.get("id")?.as_str()?;
                    let ms = c.get("duration_ms")?.as_u64()?;
                    Some((id.to_string(), ms))
                })
                .collect(),
        )
    }

    /// The durations of a run just made (a selftest orders each mutant by the reference's run).
    pub fn from_run(results: &crate::results::RunResults) -> Durations {
        Durations(
            results
                .cases
                .iter()
                .map(|c| (c.id.clone(), c.duration_ms))
                .collect(),
        )
    }

    /// How many cases it knows.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it knows none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The indices of `cases` in the order they should start: longest expected first; equal
/// estimates keep their spec order, so the order is the same on every machine.
pub fn order(cases: &[PlannedCase], known: &Durations) -> Vec<usize> {
    let mut keyed: Vec<(u64, usize)> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let ms = known
                .0
                .get(&c.full_id)
                .copied()
                .unwrap_or_else(|| estimate_ms(c));
            (ms, i)
        })
        .collect();
    keyed.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// A rough duration of one case from its scenario and call, in milliseconds.
pub fn estimate_ms(case: &PlannedCase) -> u64 {
    if case.case.skip.is_some() {
        return 0;
    }
    let call = &case.case.call;
    let timeout = call.args.get("timeout").and_then(Value::as_u64);
    let deadline = call.deadline_ms.unwrap_or(STALL_DEFAULT_MS);
    let faults = &case.case.server.faults;
    let body: u64 = faults
        .iter()
        .map(|f| match f {
            Fault::Body { size, .. } => *size,
            Fault::Text(text) => text.len() as u64,
            _ => 0,
        })
        .sum();
    let mut server_ms = body / BODY_BYTES_PER_MS;
    // Bytes per millisecond once the body is paced, to time "after N bytes" actions.
    let mut paced: Option<f64> = None;
    for fault in faults {
        server_ms += match *fault {
            Fault::DelayMs(ms) => ms,
            Fault::Stall | Fault::StallAfter(_) => timeout.unwrap_or(STALL_DEFAULT_MS),
            Fault::Trickle { bytes, every_ms } => {
                paced = Some(bytes as f64 / every_ms.max(1) as f64);
                body.div_ceil(bytes.max(1)) * every_ms
            }
            Fault::BandwidthBps(bps) => {
                paced = Some(bps as f64 / 1000.0);
                body.saturating_mul(1000) / bps.max(1)
            }
            Fault::SlowHeaders { bytes, every_ms } => HEAD_BYTES.div_ceil(bytes.max(1)) * every_ms,
            _ => 0,
        };
    }
    // An action ends the interesting part of the call (an abort, a host event): the case lasts
    // until the last one fires, not until the paced body would have finished.
    let rate = paced
        .unwrap_or(BODY_BYTES_PER_MS as f64)
        .max(f64::MIN_POSITIVE);
    let action_ms = call
        .actions
        .iter()
        .map(|a| match a.at {
            Trigger::AfterMs(ms) => ms,
            Trigger::AfterBytes(n) => (n as f64 / rate) as u64,
            Trigger::Immediately | Trigger::HeadersReceived => 0,
            // After the call ended: the whole call.
            Trigger::Completed => server_ms,
        })
        .max();
    let call_ms = action_ms.map_or(server_ms, |ms| ms.min(server_ms));
    // Calls of one case run together; a platform's queue makes the ones past its limit wait
    // for a turn, which roughly doubles a long case.
    let rounds = if call.count > 10 { 2 } else { 1 };
    (BASE_MS + call_ms * rounds).min(deadline.max(BASE_MS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::plan::expand;
    use crate::runner::specs::load;

    fn cases() -> Vec<PlannedCase> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
        let files: Vec<_> = load(&[root], false)
            .expect("the project's specs load")
            .into_iter()
            .map(std::sync::Arc::new)
            .collect();
        expand(&files)
    }

    #[test]
    fn longest_estimate_starts_first() {
        let cases = cases();
        let order = order(&cases, &Durations::default());
        assert_eq!(order.len(), cases.len());
        let estimates: Vec<u64> = order.iter().map(|&i| estimate_ms(&cases[i])).collect();
        assert!(estimates.windows(2).all(|w| w[0] >= w[1]), "{estimates:?}");
        // A stall with no timeout waits for the deadline: one of the longest.
        assert!(estimates[0] >= 5_000, "{}", estimates[0]);
    }

    #[test]
    fn known_durations_win_over_estimates() {
        let cases = cases();
        let last = cases.len() - 1;
        let mut known = HashMap::new();
        known.insert(cases[last].full_id.clone(), 10_000_000);
        let order = order(&cases, &Durations(known));
        assert_eq!(order[0], last);
    }

    #[test]
    fn unreadable_results_give_no_durations() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.json");
        assert!(Durations::from_results(&path).is_empty());
        std::fs::write(&path, "not json").unwrap();
        assert!(Durations::from_results(&path).is_empty());
        std::fs::write(
            &path,
            r#"{"cases":[{"id":"douyin/a","duration_ms":12},{"id":"x"}]}"#,
        )
        .unwrap();
        assert_eq!(Durations::from_results(&path).len(), 1);
    }
}

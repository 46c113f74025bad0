//! The arrival gate of `hold_until`: responses of one case key wait until enough requests of
//! that key have arrived, or a bound has passed since the first, then all go on together.
//!
//! Why: a client that does not queue past a concurrency limit L is only seen with L+1
//! requests in flight when the first L are still open as the next arrives. Holding them
//! makes that certain instead of a matter of timing; a client that queues sends only L,
//! which wait out the bound and finish.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

/// One key's gate: how many have arrived, since when, and whether it is open.
struct Gate {
    arrived: u64,
    first: Instant,
    open: watch::Sender<bool>,
}

/// The gates of every case key of one server.
#[derive(Default)]
pub struct Gates {
    keys: Mutex<HashMap<String, Arc<Mutex<Gate>>>>,
}

impl Gates {
    /// Count one arrival for `key` and wait until `arrivals` have arrived or `max` has passed
    /// since the first; once open, a gate stays open (later requests pass at once).
    pub async fn hold(&self, key: &str, arrivals: u64, max: Duration) {
        let (mut open, deadline) = {
            let gate = self
                .keys
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(key.to_string())
                .or_insert_with(|| {
                    Arc::new(Mutex::new(Gate {
                        arrived: 0,
                        first: Instant::now(),
                        open: watch::channel(false).0,
                    }))
                })
                .clone();
            let mut gate = gate.lock().unwrap_or_else(|e| e.into_inner());
            gate.arrived += 1;
            if gate.arrived >= arrivals {
                gate.open.send_replace(true);
            }
            (gate.open.subscribe(), gate.first + max)
        };
        if tokio::time::timeout_at(deadline, open.wait_for(|o| *o))
            .await
            .is_err()
        {
            tracing::debug!(key, "hold_until: bound passed before every arrival");
        }
    }

    /// Forget the gate of `key` (a new registration starts closed again).
    pub fn reset(&self, key: &str) {
        self.keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn opens_when_the_last_arrival_comes_not_at_the_bound() {
        let gates = Arc::new(Gates::default());
        let bound = Duration::from_secs(60);
        let started = Instant::now();
        let waiting: Vec<_> = (0..2)
            .map(|_| {
                let g = gates.clone();
                tokio::spawn(async move { g.hold("k", 3, bound).await })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(waiting.iter().all(|w| !w.is_finished()), "opened early");
        gates.hold("k", 3, bound).await;
        for w in waiting {
            w.await.unwrap();
        }
        assert!(started.elapsed() < bound);
    }

    #[tokio::test]
    async fn opens_after_the_bound_and_stays_open() {
        let gates = Gates::default();
        let bound = Duration::from_secs(2);
        let started = Instant::now();
        gates.hold("k", 3, bound).await;
        assert!(started.elapsed() >= bound);
        // Past the bound a later request does not wait a second bound.
        let again = Instant::now();
        gates.hold("k", 3, bound).await;
        assert!(again.elapsed() < bound);
        // A reset gate is closed again; other keys have their own.
        gates.reset("k");
        let other = Instant::now();
        gates.hold("other", 1, Duration::from_secs(60)).await;
        assert!(other.elapsed() < bound);
    }
}

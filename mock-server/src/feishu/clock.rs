//! The emulation's clock: the real one, or one a test has frozen and moves by hand, so token
//! validity and rate-limit windows can be tested without racing the wall clock.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Real time unless frozen.
#[derive(Default)]
pub(super) struct Clock {
    frozen: Mutex<Option<Instant>>,
}

impl Clock {
    /// The current instant.
    pub(super) fn now(&self) -> Instant {
        self.frozen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .unwrap_or_else(Instant::now)
    }

    /// Stop time at the current instant.
    pub(super) fn freeze(&self) {
        let mut frozen = self.frozen.lock().unwrap_or_else(|e| e.into_inner());
        frozen.get_or_insert_with(Instant::now);
    }

    /// Move a frozen clock forward (a running clock is frozen first).
    pub(super) fn advance(&self, by: Duration) {
        let mut frozen = self.frozen.lock().unwrap_or_else(|e| e.into_inner());
        let at = frozen.get_or_insert_with(Instant::now);
        *at += by;
    }
}

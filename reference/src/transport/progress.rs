//! Progress throttling: an event per ~64 KiB or per percent point, and always a final 100.

/// Bytes between two progress events at most.
pub const STEP_BYTES: u64 = 64 * 1024;

/// One progress event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Percent, 0 to 100.
    pub percent: u64,
    /// Bytes transferred so far.
    pub done: u64,
    /// Bytes expected in total (0 when unknown).
    pub expected: u64,
}

/// Decides when a progress event is due.
#[derive(Debug, Clone)]
pub struct Throttle {
    expected: Option<u64>,
    last_done: u64,
    last_percent: u64,
    emitted: bool,
}

impl Throttle {
    /// A throttle for a transfer of `expected` bytes, if known.
    pub fn new(expected: Option<u64>) -> Throttle {
        Throttle {
            expected,
            last_done: 0,
            last_percent: 0,
            emitted: false,
        }
    }

    /// The event due now that `done` bytes are through, if any.
    pub fn update(&mut self, done: u64) -> Option<Progress> {
        let p = self.progress(done);
        let due = !self.emitted
            || done.saturating_sub(self.last_done) >= STEP_BYTES
            || p.percent != self.last_percent;
        // A 100 is kept for the final event so it comes exactly once.
        if due && done > self.last_done && p.percent < 100 {
            self.mark(p);
            Some(p)
        } else {
            None
        }
    }

    /// The final event: 100 percent, with the total known at last.
    pub fn finish(&mut self, done: u64) -> Progress {
        let expected = match self.expected {
            Some(e) if e >= done => e,
            _ => done,
        };
        let p = Progress {
            percent: 100,
            done,
            expected,
        };
        self.mark(p);
        p
    }

    fn mark(&mut self, p: Progress) {
        self.emitted = true;
        self.last_done = p.done;
        self.last_percent = p.percent;
    }

    fn progress(&self, done: u64) -> Progress {
        match self.expected {
            Some(e) if e > 0 => Progress {
                percent: (done.saturating_mul(100) / e).min(100),
                done,
                expected: e,
            },
            _ => Progress {
                percent: 0,
                done,
                expected: 0,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emits_on_percent_change_and_ends_at_100() {
        let mut t = Throttle::new(Some(1000));
        let mut events = Vec::new();
        for done in (10..=1000).step_by(10) {
            events.extend(t.update(done));
        }
        events.push(t.finish(1000));
        let percents: Vec<u64> = events.iter().map(|p| p.percent).collect();
        assert_eq!(percents.first(), Some(&1));
        assert_eq!(percents.last(), Some(&100));
        assert_eq!(percents.iter().filter(|&&p| p == 100).count(), 1);
        assert!(percents.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn unknown_length_steps_by_bytes() {
        let mut t = Throttle::new(None);
        let mut n = 0;
        for done in (1..=10).map(|i| i * 16 * 1024) {
            n += t.update(done).is_some() as u32;
        }
        // First chunk, then every 64 KiB: 16K, 80K, 144K.
        assert_eq!(n, 3);
        let f = t.finish(160 * 1024);
        assert_eq!((f.percent, f.expected), (100, 160 * 1024));
    }

    #[test]
    fn large_transfer_is_throttled() {
        let mut t = Throttle::new(Some(100 * 1024 * 1024));
        let n = (1..=6400u64)
            .filter(|i| t.update(i * 16 * 1024).is_some())
            .count();
        // 1% of 100 MiB is ~1 MiB > 64 KiB, so the byte step rules: about 1600 events.
        assert!(n <= 1700, "{n} events");
        assert!(n >= 99);
    }
}

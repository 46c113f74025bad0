//! Per-app fixed-window rate limiting (per second and per minute), keyed by the case and
//! the app id of the request's token: cases never share counters, whatever runs beside
//! them. A refused request does not count against the window.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A refusal: the limit of the window that was full and whole seconds until it reopens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Limited {
    /// The window's request limit (`x-ogw-ratelimit-limit`).
    pub(super) limit: u32,
    /// Seconds to wait (`x-ogw-ratelimit-reset`), at least 1.
    pub(super) reset_secs: u64,
}

#[derive(Clone, Copy)]
struct Window {
    start: Instant,
    count: u32,
}

impl Window {
    /// Restart the window if `len` has passed since it opened.
    fn roll(&mut self, len: Duration, now: Instant) {
        if now.saturating_duration_since(self.start) >= len {
            self.start = now;
            self.count = 0;
        }
    }

    fn refusal(&self, len: Duration, limit: u32, now: Instant) -> Option<Limited> {
        if self.count < limit {
            return None;
        }
        let left = (self.start + len).saturating_duration_since(now);
        let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        Some(Limited {
            limit,
            reset_secs: secs.max(1),
        })
    }
}

const SECOND: Duration = Duration::from_secs(1);
const MINUTE: Duration = Duration::from_secs(60);

/// Windows of every (case, app) seen so far, and the forced refusals each case has answered.
#[derive(Default)]
pub(super) struct RateLimiter {
    windows: Mutex<HashMap<(String, String), [Window; 2]>>,
    forced: Mutex<HashMap<String, u32>>,
}

impl RateLimiter {
    /// Refuse the request (reset 1 s) while the case has answered fewer than `first` forced
    /// refusals: the fixture's `rate_limited_first`.
    pub(super) fn forced(&self, case: &str, first: u32, limit: u32) -> Result<(), Limited> {
        let mut forced = self.forced.lock().unwrap_or_else(|e| e.into_inner());
        let done = forced.entry(case.to_string()).or_default();
        if *done >= first {
            return Ok(());
        }
        *done += 1;
        Err(Limited {
            limit,
            reset_secs: 1,
        })
    }

    /// Count one request of `app_id` in `case` at `now`, or refuse it.
    pub(super) fn admit(
        &self,
        case: &str,
        app_id: &str,
        per_second: u32,
        per_minute: u32,
        now: Instant,
    ) -> Result<(), Limited> {
        let mut all = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let [second, minute] = all.entry((case.to_string(), app_id.to_string())).or_insert(
            [Window {
                start: now,
                count: 0,
            }; 2],
        );
        second.roll(SECOND, now);
        minute.roll(MINUTE, now);
        if let Some(limited) = second
            .refusal(SECOND, per_second, now)
            .or_else(|| minute.refusal(MINUTE, per_minute, now))
        {
            return Err(limited);
        }
        second.count += 1;
        minute.count += 1;
        Ok(())
    }

    /// Drop the windows and forced refusals of `case`.
    pub(super) fn forget(&self, case: &str) {
        self.windows
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|(c, _), _| c != case);
        self.forced
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(case);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_over_the_per_second_limit_then_reopens() {
        let limiter = RateLimiter::default();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.admit("c1", "cli_a", 3, 1000, t0), Ok(()));
        }
        let refused = limiter.admit("c1", "cli_a", 3, 1000, t0 + Duration::from_millis(200));
        assert_eq!(
            refused,
            Err(Limited {
                limit: 3,
                reset_secs: 1
            })
        );
        // Another app has its own window.
        assert_eq!(limiter.admit("c1", "cli_b", 3, 1000, t0), Ok(()));
        assert_eq!(limiter.admit("c1", "cli_a", 3, 1000, t0 + SECOND), Ok(()));
    }

    #[test]
    fn cases_never_share_windows() {
        let limiter = RateLimiter::default();
        let t0 = Instant::now();
        assert_eq!(limiter.admit("c1", "cli_a", 1, 1000, t0), Ok(()));
        assert!(limiter.admit("c1", "cli_a", 1, 1000, t0).is_err());
        assert_eq!(limiter.admit("c2", "cli_a", 1, 1000, t0), Ok(()));
        limiter.forget("c1");
        assert_eq!(limiter.admit("c1", "cli_a", 1, 1000, t0), Ok(()));
    }

    #[test]
    fn forced_refusals_come_first_then_stop() {
        let limiter = RateLimiter::default();
        let refused = Err(Limited {
            limit: 50,
            reset_secs: 1,
        });
        assert_eq!(limiter.forced("c1", 2, 50), refused);
        assert_eq!(limiter.forced("c1", 2, 50), refused);
        assert_eq!(limiter.forced("c1", 2, 50), Ok(()));
        assert_eq!(limiter.forced("c2", 0, 50), Ok(()));
    }

    #[test]
    fn refuses_over_the_per_minute_limit_with_the_seconds_left() {
        let limiter = RateLimiter::default();
        let t0 = Instant::now();
        assert_eq!(limiter.admit("c1", "cli_a", 50, 2, t0), Ok(()));
        assert_eq!(limiter.admit("c1", "cli_a", 50, 2, t0 + SECOND * 5), Ok(()));
        assert_eq!(
            limiter.admit("c1", "cli_a", 50, 2, t0 + SECOND * 20),
            Err(Limited {
                limit: 2,
                reset_secs: 40
            })
        );
        assert_eq!(limiter.admit("c1", "cli_a", 50, 2, t0 + MINUTE), Ok(()));
    }
}

//! Accept errors that mean "out of resources" (file descriptors, kernel memory): the accept
//! loop waits before trying again, longer each time, instead of spinning a core on an error
//! that stays until connections close.

use std::io;
use std::time::{Duration, Instant};

/// First wait after an accept failed for lack of resources.
pub const FIRST_WAIT: Duration = Duration::from_millis(10);
/// Longest wait between two tries.
pub const MAX_WAIT: Duration = Duration::from_secs(1);

/// Whether an accept error is a lack of resources that retrying at once cannot cure.
pub fn is_exhaustion(err: &io::Error) -> bool {
    matches!(
        err.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    )
}

/// Quiet time after the last failure before an episode counts as over: connections freeing
/// descriptors let a few accepts through between failures, which are still the same episode.
pub const EPISODE_QUIET: Duration = Duration::from_secs(2);

/// One episode of failed accepts: the wait doubles from [`FIRST_WAIT`] up to [`MAX_WAIT`],
/// and the episode is logged once when it starts and once when it is over.
#[derive(Debug, Default)]
pub struct Backoff {
    episode: Option<Episode>,
}

#[derive(Debug)]
struct Episode {
    next_wait: Duration,
    failures: u64,
    last_failure: Instant,
}

impl Backoff {
    /// An accept failed for lack of resources: how long to wait before the next try.
    pub fn failed(&mut self, listener: &str, err: &io::Error) -> Duration {
        let episode = self.episode.get_or_insert_with(|| {
            tracing::warn!(
                listener,
                error = %err,
                "cannot accept connections: out of resources; retrying with backoff up to {} ms",
                MAX_WAIT.as_millis()
            );
            Episode {
                next_wait: FIRST_WAIT,
                failures: 0,
                last_failure: Instant::now(),
            }
        });
        let wait = episode.next_wait;
        episode.next_wait = (wait * 2).min(MAX_WAIT);
        episode.failures += 1;
        episode.last_failure = Instant::now();
        wait
    }

    /// An accept succeeded: the next failure waits little again, and the episode is over once
    /// no accept has failed for [`EPISODE_QUIET`].
    pub fn succeeded(&mut self, listener: &str) {
        let Some(episode) = self.episode.as_mut() else {
            return;
        };
        episode.next_wait = FIRST_WAIT;
        if episode.last_failure.elapsed() >= EPISODE_QUIET {
            tracing::info!(
                listener,
                failures = episode.failures,
                "accepting connections again"
            );
            self.episode = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_cap_and_start_over_after_a_success() {
        let err = io::Error::from_raw_os_error(libc::EMFILE);
        assert!(is_exhaustion(&err));
        assert!(!is_exhaustion(&io::Error::from_raw_os_error(
            libc::ECONNABORTED
        )));
        let mut backoff = Backoff::default();
        let waits: Vec<u128> = (0..9)
            .map(|_| backoff.failed("http", &err).as_millis())
            .collect();
        assert_eq!(waits, vec![10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
        backoff.succeeded("http");
        assert_eq!(backoff.failed("http", &err), FIRST_WAIT);
        assert_eq!(backoff.failed("http", &err), 2 * FIRST_WAIT);
    }
}

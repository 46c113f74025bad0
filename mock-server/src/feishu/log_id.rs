//! `X-Tt-Logid` values: a UTC+8 timestamp and 20 hex digits, like the platform's.

use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

/// Counter behind the log ids of one state.
#[derive(Default)]
pub(super) struct LogIds {
    counter: AtomicU64,
}

impl LogIds {
    /// The next log id, e.g. `2024110416232661C50BC902DF30E6C183`.
    pub(super) fn next(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        // The platform stamps log ids in China time.
        let now = time::OffsetDateTime::now_utc()
            .to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC));
        let digest = Sha256::digest(format!("x-tt-logid/{n}"));
        format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}{}",
            now.year(),
            u8::from(now.month()),
            now.day(),
            now.hour(),
            now.minute(),
            now.second(),
            hex::encode_upper(&digest[..10])
        )
    }
}

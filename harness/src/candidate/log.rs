//! A bounded ring buffer for a candidate's stderr, read back per case by byte offset.

use std::collections::VecDeque;
use std::sync::Mutex;

/// Bytes of stderr kept in memory per candidate process.
pub const RING_BYTES: usize = 256 * 1024;
/// Most bytes of log attached to one case.
pub const CASE_LOG_BYTES: usize = 16 * 1024;

/// A candidate's stderr: the last [`RING_BYTES`] bytes and a running byte count.
#[derive(Debug, Default)]
pub struct LogRing {
    inner: Mutex<Ring>,
}

#[derive(Debug, Default)]
struct Ring {
    buf: VecDeque<u8>,
    // Bytes ever written; the ring holds the ones in [total - buf.len(), total).
    total: u64,
}

impl LogRing {
    /// An empty ring.
    pub fn new() -> Self {
        Self::default()
    }

    /// Append bytes, dropping the oldest past the bound.
    pub fn push(&self, bytes: &[u8]) {
        let Ok(mut ring) = self.inner.lock() else {
            return;
        };
        ring.total += bytes.len() as u64;
        ring.buf.extend(bytes);
        let excess = ring.buf.len().saturating_sub(RING_BYTES);
        ring.buf.drain(..excess);
    }

    /// The current position, to pass to [`LogRing::since`] later.
    pub fn mark(&self) -> u64 {
        self.inner.lock().map(|r| r.total).unwrap_or(0)
    }

    /// Text written since `mark` (lossy UTF-8), at most [`CASE_LOG_BYTES`] of its end.
    pub fn since(&self, mark: u64) -> String {
        let Ok(ring) = self.inner.lock() else {
            return String::new();
        };
        let start_of_ring = ring.total - ring.buf.len() as u64;
        let from = mark.max(start_of_ring);
        let skip = (from - start_of_ring) as usize;
        let wanted = ring.buf.len() - skip;
        let take_from = skip + wanted.saturating_sub(CASE_LOG_BYTES);
        let bytes: Vec<u8> = ring.buf.range(take_from..).copied().collect();
        let mut text = String::from_utf8_lossy(&bytes).into_owned();
        if take_from > skip || from > mark {
            text.insert_str(0, "[... earlier output dropped ...]\n");
        }
        text
    }

    /// The last `n` bytes as text, for error messages.
    pub fn tail(&self, n: usize) -> String {
        let total = self.mark();
        let text = self.since(total.saturating_sub(n as u64));
        text.trim_start_matches("[... earlier output dropped ...]\n")
            .trim()
            .to_string()
    }
}

/// The `log` lines a candidate tagged with one of a case's calls, bounded like the case's
/// stderr: past [`CASE_LOG_BYTES`] lines are counted, not kept.
#[derive(Debug, Default, Clone)]
pub struct CaseLines {
    text: String,
    dropped: u64,
}

impl CaseLines {
    /// Keep one line of `call`.
    pub fn push(&mut self, call: &str, message: &str) {
        let line = format!("[{call}] {}\n", message.trim_end_matches('\n'));
        if self.text.len() + line.len() > CASE_LOG_BYTES {
            self.dropped += 1;
        } else {
            self.text.push_str(&line);
        }
    }

    /// The lines kept, and a note of those dropped.
    pub fn text(&self) -> String {
        match self.dropped {
            0 => self.text.clone(),
            n => format!("{}[... {n} more log lines dropped ...]\n", self.text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_returns_only_new_bytes() {
        let ring = LogRing::new();
        ring.push(b"before\n");
        let mark = ring.mark();
        ring.push(b"after\n");
        assert_eq!(ring.since(mark), "after\n");
    }

    #[test]
    fn case_lines_are_tagged_and_bounded() {
        let mut lines = CaseLines::default();
        lines.push("c1", "hello\n");
        assert_eq!(lines.text(), "[c1] hello\n");
        let long = "y".repeat(1000);
        for _ in 0..40 {
            lines.push("c1", &long);
        }
        assert!(lines.text().len() <= CASE_LOG_BYTES + 60);
        assert!(lines.text().ends_with("more log lines dropped ...]\n"));
    }

    #[test]
    fn bounded_and_marks_drops() {
        let ring = LogRing::new();
        let mark = ring.mark();
        ring.push(&vec![b'x'; RING_BYTES + 10]);
        let text = ring.since(mark);
        assert!(text.starts_with("[... earlier output dropped ...]"));
        assert!(text.len() <= CASE_LOG_BYTES + 40);
    }
}

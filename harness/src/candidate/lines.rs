//! Reading a candidate's output line by line without holding more than a cap of any line:
//! a longer line is read to its end, only its head kept, and its length counted.

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// Bytes of an over-long line kept to tell what it was and which call it names.
pub const HEAD_BYTES: usize = 512;

/// One line, without its newline.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// A line within the cap.
    Whole(Vec<u8>),
    /// A line over the cap: its first [`HEAD_BYTES`] bytes and its full length.
    TooLong {
        /// The start of the line.
        head: Vec<u8>,
        /// How long it was, in bytes.
        length: u64,
    },
}

/// A line reader with a cap; [`BoundedLines::next`] is cancel-safe (its state lives here).
pub struct BoundedLines<R> {
    inner: R,
    max: usize,
    line: Vec<u8>,
    // Set once the current line went over the cap: (head, length so far).
    over: Option<(Vec<u8>, u64)>,
}

impl<R: AsyncBufRead + Unpin> BoundedLines<R> {
    /// Read lines from `inner`, none longer than `max` bytes kept.
    pub fn new(inner: R, max: usize) -> Self {
        BoundedLines {
            inner,
            max,
            line: Vec::new(),
            over: None,
        }
    }

    /// The next line, or `None` at the end of the input.
    pub async fn next(&mut self) -> std::io::Result<Option<Line>> {
        loop {
            let buf = self.inner.fill_buf().await?;
            if buf.is_empty() {
                if self.line.is_empty() && self.over.is_none() {
                    return Ok(None);
                }
                return Ok(Some(self.take()));
            }
            let (chunk, used, ended) = match buf.iter().position(|&b| b == b'\n') {
                Some(i) => (&buf[..i], i + 1, true),
                None => (buf, buf.len(), false),
            };
            match &mut self.over {
                Some((head, length)) => {
                    *length += chunk.len() as u64;
                    let room = HEAD_BYTES.saturating_sub(head.len());
                    head.extend_from_slice(&chunk[..chunk.len().min(room)]);
                }
                None if self.line.len() + chunk.len() > self.max => {
                    let length = (self.line.len() + chunk.len()) as u64;
                    let mut head = std::mem::take(&mut self.line);
                    head.truncate(HEAD_BYTES);
                    let room = HEAD_BYTES.saturating_sub(head.len());
                    head.extend_from_slice(&chunk[..chunk.len().min(room)]);
                    self.over = Some((head, length));
                }
                None => self.line.extend_from_slice(chunk),
            }
            self.inner.consume(used);
            if ended {
                return Ok(Some(self.take()));
            }
        }
    }

    fn take(&mut self) -> Line {
        match self.over.take() {
            Some((head, length)) => Line::TooLong { head, length },
            None => Line::Whole(std::mem::take(&mut self.line)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn all(input: &[u8], max: usize) -> Vec<Line> {
        let mut lines = BoundedLines::new(tokio::io::BufReader::with_capacity(7, input), max);
        let mut out = Vec::new();
        while let Some(line) = lines.next().await.expect("in memory") {
            out.push(line);
        }
        out
    }

    #[tokio::test]
    async fn splits_lines_and_keeps_only_the_head_of_a_long_one() {
        let mut input = b"short\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', 2000));
        input.extend(b"\nlast");
        let lines = all(&input, 100).await;
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], Line::Whole(b"short".to_vec()));
        match &lines[1] {
            Line::TooLong { head, length } => {
                assert_eq!(*length, 2000);
                assert_eq!(head.len(), HEAD_BYTES);
            }
            other => panic!("expected a long line, got {other:?}"),
        }
        assert_eq!(lines[2], Line::Whole(b"last".to_vec()));
    }

    #[tokio::test]
    async fn a_line_of_exactly_the_cap_is_whole() {
        let lines = all(b"abcd\n", 4).await;
        assert_eq!(lines, vec![Line::Whole(b"abcd".to_vec())]);
    }
}

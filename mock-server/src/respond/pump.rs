//! The body pump: produces the body piece by piece, gzip-encoded if asked,
//! paced by trickle and bandwidth faults, stopping at a byte limit.

use std::io::Write;
use std::time::{Duration, Instant};

use bytes::Bytes;
use flate2::Compression;
use flate2::write::GzEncoder;

use super::plan::{BodySource, Plan};
use crate::respond::body::{CHUNK, GeneratedBody};

enum Source {
    Generated(GeneratedBody),
    Fixed(Option<Bytes>),
}

impl Source {
    fn next(&mut self) -> Option<Bytes> {
        match self {
            Source::Generated(g) => g.next_chunk(CHUNK),
            Source::Fixed(b) => b.take().filter(|b| !b.is_empty()),
        }
    }
}

/// A paced body producer.
pub struct Pump {
    source: Source,
    gzip: Option<GzEncoder<Vec<u8>>>,
    pending: Bytes,
    limit: u64,
    emitted: u64,
    piece: usize,
    every: Option<Duration>,
    bps: Option<u64>,
    started: Option<Instant>,
}

impl Pump {
    /// The pump for `plan`, emitting at most `limit` bytes (after encoding).
    pub fn new(plan: &Plan, limit: u64) -> Pump {
        let source = match &plan.body {
            BodySource::Generated { seed, size } => {
                Source::Generated(GeneratedBody::new(*seed, *size))
            }
            BodySource::Fixed(b) => Source::Fixed(Some(b.clone())),
        };
        let mut piece = CHUNK;
        let mut every = None;
        if let Some((bytes, ms)) = plan.trickle {
            piece = piece.min(bytes.max(1).min(usize::MAX as u64) as usize);
            every = Some(Duration::from_millis(ms));
        }
        if let Some(bps) = plan.bandwidth_bps {
            // About twenty pieces a second keeps the rate smooth without tiny writes.
            piece = piece.min((bps / 20).max(1).min(CHUNK as u64) as usize);
        }
        Pump {
            source,
            gzip: plan
                .gzip
                .then(|| GzEncoder::new(Vec::new(), Compression::fast())),
            pending: Bytes::new(),
            limit,
            emitted: 0,
            piece,
            every,
            bps: plan.bandwidth_bps,
            started: None,
        }
    }

    /// Hash a generated body whose digest is not known yet while it streams, and give the
    /// digest to `done` when the whole body has been produced.
    pub fn digest_to(mut self, done: impl FnOnce(String) + Send + Sync + 'static) -> Pump {
        if let Source::Generated(g) = &self.source {
            let (seed, size) = (g.seed(), g.size());
            if crate::respond::body::cached_sha256(seed, size).is_none() {
                self.source = Source::Generated(GeneratedBody::hashed(seed, size, done));
            }
        }
        self
    }

    /// Bytes emitted so far.
    pub fn emitted(&self) -> u64 {
        self.emitted
    }

    fn refill(&mut self) {
        while self.pending.is_empty() {
            let next = self.source.next();
            let Some(enc) = self.gzip.as_mut() else {
                match next {
                    Some(b) => self.pending = b,
                    None => return,
                }
                continue;
            };
            match next {
                Some(b) => {
                    // Writing to a Vec cannot fail.
                    let _ = enc.write_all(&b);
                    self.pending = Bytes::from(std::mem::take(enc.get_mut()));
                }
                None => {
                    let Some(enc) = self.gzip.take() else { return };
                    self.pending = Bytes::from(enc.finish().unwrap_or_default());
                    return;
                }
            }
        }
    }

    /// The next piece, after waiting as the pacing asks; `None` at the end or the limit.
    pub async fn next(&mut self) -> Option<Bytes> {
        if self.emitted >= self.limit {
            return None;
        }
        self.refill();
        if self.pending.is_empty() {
            return None;
        }
        let started = *self.started.get_or_insert_with(Instant::now);
        if self.emitted > 0 {
            if let Some(every) = self.every {
                tokio::time::sleep(every).await;
            }
        }
        if let Some(bps) = self.bps {
            let due = Duration::from_secs_f64(self.emitted as f64 / bps as f64);
            let elapsed = started.elapsed();
            if due > elapsed {
                tokio::time::sleep(due - elapsed).await;
            }
        }
        let left = (self.limit - self.emitted).min(usize::MAX as u64) as usize;
        let n = self.piece.min(left).min(self.pending.len());
        let out = self.pending.split_to(n);
        self.emitted += n as u64;
        Some(out)
    }
}

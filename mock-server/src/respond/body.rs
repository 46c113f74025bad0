//! Seeded generated bodies: the same (seed, size) always gives the same bytes,
//! streamed in fixed pieces so no body is ever held in memory whole.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Mutex, OnceLock};
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use http_body_util::combinators::BoxBody;
use rand_core::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use sha2::{Digest, Sha256};

/// Size of the pieces a generated body is streamed in.
pub const CHUNK: usize = 64 * 1024;

/// Byte generator over xoshiro256++; output does not depend on how callers slice it.
#[derive(Clone)]
pub struct BodyGenerator {
    rng: Xoshiro256PlusPlus,
    // Bytes of the last 64-bit word not handed out yet, so any read size gives the same stream.
    spare: [u8; 8],
    spare_len: usize,
}

impl BodyGenerator {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        BodyGenerator {
            rng: Xoshiro256PlusPlus::seed_from_u64(seed),
            spare: [0; 8],
            spare_len: 0,
        }
    }

    /// Fill `out` with the next bytes of the stream.
    pub fn fill(&mut self, out: &mut [u8]) {
        let mut pos = 0;
        while pos < out.len() && self.spare_len > 0 {
            out[pos] = self.spare[8 - self.spare_len];
            self.spare_len -= 1;
            pos += 1;
        }
        let mut words = out[pos..].chunks_exact_mut(8);
        for w in &mut words {
            w.copy_from_slice(&self.rng.next_u64().to_le_bytes());
        }
        let tail = words.into_remainder();
        if !tail.is_empty() {
            self.spare = self.rng.next_u64().to_le_bytes();
            let n = tail.len();
            tail.copy_from_slice(&self.spare[..n]);
            self.spare_len = 8 - n;
        }
    }
}

/// A generated body of `size` bytes as an HTTP body, produced piece by piece as the peer reads.
pub struct GeneratedBody {
    generator: BodyGenerator,
    seed: u64,
    size: u64,
    remaining: u64,
    digest: Option<StreamDigest>,
}

/// The digest of a body hashed as it is produced, handed on once the last byte is made.
struct StreamDigest {
    hasher: Sha256,
    key: (u64, u64),
    done: Box<dyn FnOnce(String) + Send + Sync>,
}

impl GeneratedBody {
    /// The body for (seed, size).
    pub fn new(seed: u64, size: u64) -> Self {
        GeneratedBody {
            generator: BodyGenerator::new(seed),
            seed,
            size,
            remaining: size,
            digest: None,
        }
    }

    /// The body for (seed, size), hashed while it is produced: when the last byte is made the
    /// digest is cached and handed to `done`. A body nobody reads to the end costs no hashing.
    pub fn hashed(seed: u64, size: u64, done: impl FnOnce(String) + Send + Sync + 'static) -> Self {
        let mut body = GeneratedBody::new(seed, size);
        body.digest = Some(StreamDigest {
            hasher: Sha256::new(),
            key: (seed, size),
            done: Box::new(done),
        });
        body
    }

    /// The next piece (at most `max` bytes), or `None` at the end.
    pub fn next_chunk(&mut self, max: usize) -> Option<Bytes> {
        if self.remaining == 0 {
            return None;
        }
        let n = self.remaining.min(max as u64) as usize;
        let mut buf = vec![0u8; n];
        self.generator.fill(&mut buf);
        self.remaining -= n as u64;
        if let Some(digest) = self.digest.as_mut() {
            digest.hasher.update(&buf);
        }
        if self.remaining == 0 {
            if let Some(digest) = self.digest.take() {
                let hex = hex::encode(digest.hasher.finalize());
                if let Ok(mut c) = cache().lock() {
                    c.insert(digest.key, hex.clone());
                }
                (digest.done)(hex);
            }
        }
        Some(Bytes::from(buf))
    }

    /// The generator seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The whole length.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Bytes not produced yet.
    pub fn remaining(&self) -> u64 {
        self.remaining
    }
}

impl Body for GeneratedBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        let this = self.get_mut();
        Poll::Ready(this.next_chunk(CHUNK).map(|b| Ok(Frame::data(b))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

/// The generated body for (seed, size) as a boxed HTTP body with an exact size hint.
pub fn generated_body(seed: u64, size: u64) -> BoxBody<Bytes, std::io::Error> {
    GeneratedBody::new(seed, size).boxed()
}

fn cache() -> &'static Mutex<HashMap<(u64, u64), String>> {
    static CACHE: OnceLock<Mutex<HashMap<(u64, u64), String>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The SHA-256 of (seed, size) if it was computed already.
pub fn cached_sha256(seed: u64, size: u64) -> Option<String> {
    cache()
        .lock()
        .ok()
        .and_then(|c| c.get(&(seed, size)).cloned())
}

/// SHA-256 (hex) of the generated body for (seed, size); computed once per pair, then cached.
pub fn generated_sha256(seed: u64, size: u64) -> String {
    if let Some(hit) = cached_sha256(seed, size) {
        return hit;
    }
    let mut hasher = Sha256::new();
    let mut body = GeneratedBody::new(seed, size);
    while let Some(piece) = body.next_chunk(CHUNK) {
        hasher.update(&piece);
    }
    let digest = hex::encode(hasher.finalize());
    if let Ok(mut c) = cache().lock() {
        c.insert((seed, size), digest.clone());
    }
    digest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(seed: u64, size: u64, piece: usize) -> Vec<u8> {
        let mut g = GeneratedBody::new(seed, size);
        let mut out = Vec::new();
        while let Some(b) = g.next_chunk(piece) {
            out.extend_from_slice(&b);
        }
        out
    }

    #[test]
    fn same_bytes_whatever_the_piece_size() {
        let a = collect(7, 10_000, 3);
        let b = collect(7, 10_000, 4096);
        assert_eq!(a.len(), 10_000);
        assert_eq!(a, b);
    }

    #[test]
    fn seeds_differ_and_hash_matches() {
        assert_ne!(collect(1, 64, 64), collect(2, 64, 64));
        let bytes = collect(3, 100_003, 1000);
        assert_eq!(
            generated_sha256(3, 100_003),
            hex::encode(Sha256::digest(&bytes))
        );
        assert_eq!(generated_sha256(0, 0), hex::encode(Sha256::digest(b"")));
    }
}

//! Deterministic generated response bodies: the same (seed, size) always streams the same bytes.

use bytes::Bytes;
use futures_util::stream;
use http_body::Frame;
use http_body_util::{BodyExt, StreamBody, combinators::BoxBody};
use rand_core::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use sha2::{Digest, Sha256};

/// Bytes per streamed chunk.
const CHUNK: u64 = 64 * 1024;

/// Iterator over the chunks of one generated body.
struct Chunks {
    rng: Xoshiro256PlusPlus,
    remaining: u64,
}

impl Chunks {
    fn new(seed: u64, size: u64) -> Self {
        Chunks {
            rng: Xoshiro256PlusPlus::seed_from_u64(seed),
            remaining: size,
        }
    }
}

impl Iterator for Chunks {
    type Item = Bytes;

    fn next(&mut self) -> Option<Bytes> {
        if self.remaining == 0 {
            return None;
        }
        let len = self.remaining.min(CHUNK);
        // CHUNK fits in usize on every supported target.
        let mut buf = vec![0u8; len as usize];
        self.rng.fill_bytes(&mut buf);
        self.remaining -= len;
        Some(Bytes::from(buf))
    }
}

/// Stream `size` pseudo-random bytes derived from `seed`.
pub fn generated_body(seed: u64, size: u64) -> BoxBody<Bytes, std::io::Error> {
    let frames = stream::iter(Chunks::new(seed, size).map(|b| Ok(Frame::data(b))));
    StreamBody::new(frames).boxed()
}

/// Lower-case hex SHA-256 of `generated_body(seed, size)`.
pub fn generated_sha256(seed: u64, size: u64) -> String {
    let mut hasher = Sha256::new();
    for chunk in Chunks::new(seed, size) {
        hasher.update(&chunk);
    }
    hex::encode(hasher.finalize())
}

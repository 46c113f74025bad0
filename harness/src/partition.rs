//! Splitting a run into `n` parts (`--partition k/n`) so a CI matrix can share the cases.
//!
//! A case belongs to part `k` when the SHA-256 of its full case id, read as a big-endian
//! `u64` from the first eight bytes, is `k - 1` modulo `n`. The hash is fixed, so the split is
//! the same on every run and machine, and a case keeps its part when other cases come or go.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// One part of a run: part `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Partition {
    index: u32,
    count: u32,
}

/// A `--partition` value that is not `k/n` with `1 <= k <= n`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PartitionError {
    /// Not of the form `k/n`.
    #[error("partition `{0}` is not of the form k/n (e.g. 2/3)")]
    Syntax(String),
    /// `k` or `n` is not a whole number.
    #[error("partition `{text}`: `{part}` is not a whole number")]
    NotANumber {
        /// The whole value.
        text: String,
        /// The offending side.
        part: String,
    },
    /// `n` is zero.
    #[error("partition `{0}`: the number of partitions must be at least 1")]
    ZeroCount(String),
    /// `k` is zero.
    #[error("partition `{0}`: partitions are numbered from 1")]
    ZeroIndex(String),
    /// `k` is larger than `n`.
    #[error("partition `{text}`: partition {index} does not exist, there are only {count}")]
    IndexTooLarge {
        /// The whole value.
        text: String,
        /// k.
        index: u32,
        /// n.
        count: u32,
    },
}

impl Partition {
    /// The whole run as one part (`1/1`).
    pub const WHOLE: Partition = Partition { index: 1, count: 1 };

    /// Part `index` (1-based) of `count`.
    pub fn new(index: u32, count: u32) -> Result<Partition, PartitionError> {
        let text = format!("{index}/{count}");
        if count == 0 {
            return Err(PartitionError::ZeroCount(text));
        }
        if index == 0 {
            return Err(PartitionError::ZeroIndex(text));
        }
        if index > count {
            return Err(PartitionError::IndexTooLarge { text, index, count });
        }
        Ok(Partition { index, count })
    }

    /// Parse `k/n`, e.g. `2/3`.
    pub fn parse(text: &str) -> Result<Partition, PartitionError> {
        let trimmed = text.trim();
        let (k, n) = trimmed
            .split_once('/')
            .ok_or_else(|| PartitionError::Syntax(text.to_string()))?;
        let number = |part: &str| {
            part.trim()
                .parse::<u32>()
                .map_err(|_| PartitionError::NotANumber {
                    text: text.to_string(),
                    part: part.to_string(),
                })
        };
        let (index, count) = (number(k)?, number(n)?);
        Partition::new(index, count).map_err(|err| match err {
            // Report the value as the user wrote it.
            PartitionError::ZeroCount(_) => PartitionError::ZeroCount(text.to_string()),
            PartitionError::ZeroIndex(_) => PartitionError::ZeroIndex(text.to_string()),
            PartitionError::IndexTooLarge { index, count, .. } => PartitionError::IndexTooLarge {
                text: text.to_string(),
                index,
                count,
            },
            other => other,
        })
    }

    /// 1-based part number `k`.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// Number of parts `n`.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// Whether the case with this full id belongs to this part.
    pub fn contains(&self, case_id: &str) -> bool {
        bucket(case_id, self.count) == self.index - 1
    }

    /// The items of this part, in their original order.
    pub fn split<'a, T>(&self, items: &'a [T], id: impl Fn(&T) -> &str) -> Vec<&'a T> {
        items
            .iter()
            .filter(|item| self.contains(id(item)))
            .collect()
    }
}

impl Default for Partition {
    fn default() -> Self {
        Partition::WHOLE
    }
}

impl FromStr for Partition {
    type Err = PartitionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Partition::parse(text)
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// 0-based bucket of a case id among `count` (which is at least 1).
pub fn bucket(case_id: &str, count: u32) -> u32 {
    let digest = Sha256::digest(case_id.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    // The remainder is below `count`, which fits in u32.
    (u64::from_be_bytes(first) % u64::from(count.max(1))) as u32
}

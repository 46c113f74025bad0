//! Dotted version numbers (`2.42.0`): parsing and ordering, for lint and for the runner's `since` checks.

use std::cmp::Ordering;

use super::model::Version;

/// A parsed dotted version; trailing zeros do not matter (`1.2` == `1.2.0`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DottedVersion(Vec<u64>);

impl DottedVersion {
    /// Parse `1`, `1.2`, `1.2.3`...: one or more decimal numbers separated by dots.
    pub fn parse(text: &str) -> Option<DottedVersion> {
        let mut numbers = Vec::new();
        for part in text.split('.') {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            numbers.push(part.parse().ok()?);
        }
        while numbers.len() > 1 && numbers.last() == Some(&0) {
            numbers.pop();
        }
        Some(DottedVersion(numbers))
    }

    /// The numbers, trailing zeros removed.
    pub fn numbers(&self) -> &[u64] {
        &self.0
    }
}

impl Ord for DottedVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let len = self.0.len().max(other.0.len());
        (0..len)
            .map(|i| {
                let a = self.0.get(i).copied().unwrap_or(0);
                let b = other.0.get(i).copied().unwrap_or(0);
                a.cmp(&b)
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

impl PartialOrd for DottedVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Version {
    /// The parsed version, or `None` when it is not dotted numbers.
    pub fn parsed(&self) -> Option<DottedVersion> {
        DottedVersion::parse(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders() {
        let v = |s| DottedVersion::parse(s).unwrap_or_else(|| panic!("{s} should parse"));
        assert!(v("1.10") > v("1.9"));
        assert_eq!(v("2.0"), v("2"));
        assert!(v("2.42.0") < v("2.42.1"));
        for bad in ["", "1.", ".1", "1..2", "v1", "1.2a", "-1", "1.2.x"] {
            assert_eq!(DottedVersion::parse(bad), None, "{bad:?}");
        }
    }
}

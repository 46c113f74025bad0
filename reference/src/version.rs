//! Base-library versions compared numerically, segment by segment (`2.10.0` > `2.9.9`).

use std::cmp::Ordering;

/// Compare two dotted versions numerically; missing segments count as 0.
pub fn compare(a: &str, b: &str) -> Ordering {
    let (sa, sb) = (segments(a), segments(b));
    let len = sa.len().max(sb.len());
    for i in 0..len {
        let x = sa.get(i).copied().unwrap_or(0);
        let y = sb.get(i).copied().unwrap_or(0);
        match x.cmp(&y) {
            Ordering::Equal => continue,
            other => return other,
        }
    }
    Ordering::Equal
}

/// Whether `version` is `min` or later.
pub fn at_least(version: &str, min: &str) -> bool {
    compare(version, min) != Ordering::Less
}

/// Numeric value of each segment; a segment like `7-beta` counts its leading digits.
fn segments(v: &str) -> Vec<u64> {
    v.trim()
        .trim_start_matches(['v', 'V'])
        .split('.')
        .map(|s| {
            let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().unwrap_or(0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_numerically_not_lexically() {
        assert_eq!(compare("2.10.0", "2.9.9"), Ordering::Greater);
        assert_eq!(compare("2.9.9", "2.10.0"), Ordering::Less);
        assert_eq!(compare("2.42.0", "2.42"), Ordering::Equal);
        assert_eq!(compare("3.43.1", "3.43.0"), Ordering::Greater);
        assert_eq!(compare("v1.0.0", "1.0.0"), Ordering::Equal);
    }

    #[test]
    fn at_least_is_inclusive() {
        assert!(at_least("2.42.0", "2.42.0"));
        assert!(at_least("2.100.0", "2.42.0"));
        assert!(!at_least("2.41.99", "2.42.0"));
        assert!(!at_least("1.0", "1.0.1"));
    }
}

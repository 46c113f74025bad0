//! Readable differences between a stored and an observed snapshot.

use similar::TextDiff;

/// A unified diff (3 lines of context) from `stored` to `observed`.
pub fn unified_diff(stored: &str, observed: &str) -> String {
    TextDiff::from_lines(stored, observed)
        .unified_diff()
        .context_radius(3)
        .header("stored", "observed")
        .to_string()
}

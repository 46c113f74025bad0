//! Problems found in spec files, each pointing at `file:line:column` and naming the rule.

use std::fmt;
use std::path::PathBuf;

/// One problem in a spec file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The spec file.
    pub path: PathBuf,
    /// 1-based line; 0 when the problem concerns the whole file (it cannot be read).
    pub line: usize,
    /// 1-based column; 0 with line 0.
    pub column: usize,
    /// Stable rule name (`parse`, `case-id-unique`, ...; see [`super::lint::RULES`]).
    pub rule: &'static str,
    /// What is wrong, and where useful how to fix it.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(
                f,
                "{}: {}: {}",
                self.path.display(),
                self.rule,
                self.message
            )
        } else {
            write!(
                f,
                "{}:{}:{}: {}: {}",
                self.path.display(),
                self.line,
                self.column,
                self.rule,
                self.message
            )
        }
    }
}

/// Every problem that kept a set of specs from loading; displays one diagnostic per line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SpecErrors(pub Vec<Diagnostic>);

impl SpecErrors {
    /// The diagnostics, in file order then position order.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.0
    }
}

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

//! Errors of reading an expectations file, each with file:line:column.

use std::fmt;
use std::path::PathBuf;

/// One problem in an expectations file, at a position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// File path.
    pub path: PathBuf,
    /// 1-based line (0 when unknown).
    pub line: u64,
    /// 1-based column (0 when unknown).
    pub column: u64,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// An expectations file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ExpectationsError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// File path.
        path: PathBuf,
        /// OS error.
        source: std::io::Error,
    },
    /// The YAML is malformed or does not fit the format.
    #[error("{0}")]
    Parse(Problem),
    /// The YAML fits the format but entries are wrong (every such problem, in file order).
    #[error("{}", join_lines(.0))]
    Invalid(Vec<Problem>),
}

impl ExpectationsError {
    /// Every positioned problem (empty for a read error).
    pub fn problems(&self) -> Vec<&Problem> {
        match self {
            ExpectationsError::Read { .. } => Vec::new(),
            ExpectationsError::Parse(problem) => vec![problem],
            ExpectationsError::Invalid(problems) => problems.iter().collect(),
        }
    }
}

/// One problem per line, as compilers print them.
fn join_lines(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(Problem::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

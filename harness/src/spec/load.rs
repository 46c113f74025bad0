//! Loading spec files: YAML through serde-saphyr, which reports line and column and rejects duplicate keys.

use std::path::{Path, PathBuf};

use mock_server::fault::CATALOG;

use super::diagnostic::Diagnostic;
use super::model::Spec;

/// A spec that could not be read or parsed, with its position when known.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// File path.
        path: PathBuf,
        /// OS error.
        source: std::io::Error,
    },
    /// The YAML is malformed or does not fit the model.
    #[error("{path}:{line}:{column}: {rule}: {message}")]
    Parse {
        /// File path.
        path: PathBuf,
        /// `parse`, or `unknown-fault` when a fault name is not in the mock server's catalog.
        rule: &'static str,
        /// 1-based line (0 when unknown).
        line: u64,
        /// 1-based column (0 when unknown).
        column: u64,
        /// What is wrong.
        message: String,
    },
}

/// Parse spec text; `path` only names the source in errors.
pub fn parse_spec(path: &Path, text: &str) -> Result<Spec, LoadError> {
    let options = serde_saphyr::options! {
        duplicate_keys: serde_saphyr::options::DuplicateKeyPolicy::Error,
    };
    serde_saphyr::from_str_with_options(text, options).map_err(|err| {
        let (line, column) = err
            .location()
            .map(|loc| (loc.line(), loc.column()))
            .unwrap_or((0, 0));
        let message = first_line(&err.to_string());
        let (rule, message) = match unknown_fault(&message) {
            Some(better) => ("unknown-fault", better),
            None => ("parse", message),
        };
        LoadError::Parse {
            path: path.to_path_buf(),
            rule,
            line,
            column,
            message,
        }
    })
}

/// Read and parse one spec file.
pub fn load_spec_file(path: &Path) -> Result<Spec, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_spec(path, &text)
}

impl LoadError {
    /// The error as a diagnostic (rule `read`, `parse` or `unknown-fault`).
    pub fn to_diagnostic(&self) -> Diagnostic {
        match self {
            LoadError::Read { path, source } => Diagnostic {
                path: path.clone(),
                line: 0,
                column: 0,
                rule: "read",
                message: format!("cannot read: {source}"),
            },
            LoadError::Parse {
                path,
                rule,
                line,
                column,
                message,
            } => Diagnostic {
                path: path.clone(),
                // serde-saphyr knows the position of nearly every error; the rest point at the start.
                line: usize::try_from(*line).unwrap_or(1).max(1),
                column: usize::try_from(*column).unwrap_or(1).max(1),
                rule,
                message: message.clone(),
            },
        }
    }
}

/// serde's "unknown variant `x`, expected one of ..." for the fault enum, said in the catalog's words.
fn unknown_fault(message: &str) -> Option<String> {
    let rest = message.split("unknown variant `").nth(1)?;
    let (name, expected) = rest.split_once('`')?;
    let known: Vec<&str> = CATALOG.iter().map(|f| f.name).collect();
    // Only the fault enum expects exactly the catalog's names.
    let listed: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    if listed != known {
        return None;
    }
    Some(format!(
        "unknown fault `{name}`; known faults: {}",
        known.join(", ")
    ))
}

/// serde-saphyr's messages carry a source excerpt after the first line; the position is reported separately.
fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_string()
}

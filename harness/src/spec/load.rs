//! Loading spec files: YAML through serde-saphyr, which reports line and column and rejects duplicate keys.

use std::path::{Path, PathBuf};

use mock_server::respond::fault::CATALOG;

use super::diagnostic::Diagnostic;
use super::locate::{LocationIndex, Pos};
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
        let message = strip_position(&first_line(&err.to_string())).to_string();
        let (rule, message) = match unknown_fault(&message) {
            Some(better) => ("unknown-fault", better),
            None => ("parse", explain(text, line, column, &message)),
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
    let listed: Vec<&str> = expected
        .split_once("expected one of")?
        .1
        .split(',')
        .map(|n| n.trim().trim_matches('`'))
        .collect();
    // Only the fault enum expects the catalog's names (compared without `_`: serde spells
    // `UploadEarly413` as `upload_early413`).
    let squash = |n: &str| n.replace('_', "");
    let catalog: Vec<String> = CATALOG.iter().map(|f| squash(f.name)).collect();
    if listed.iter().map(|n| squash(n)).ne(catalog.iter().cloned()) {
        return None;
    }
    Some(format!(
        "unknown fault `{name}`; known faults: {}",
        listed.join(", ")
    ))
}

/// Make a parser message say which value it is about, and drop the parser's tuning hints.
fn explain(text: &str, line: u64, column: u64, message: &str) -> String {
    let message = message
        .split(", set DuplicateKeyPolicy")
        .next()
        .unwrap_or(message);
    if let Some(key) = message.strip_prefix("duplicate mapping key: ") {
        return format!("duplicate key `{key}`");
    }
    let pos = Pos {
        line: usize::try_from(line).unwrap_or(0),
        column: usize::try_from(column).unwrap_or(0),
    };
    match LocationIndex::build(text).path_at(pos) {
        Some(path) => format!("`{path}`: {message}"),
        None => message.to_string(),
    }
}

/// serde-saphyr starts messages with `error: line L column C: `; the position is reported separately.
fn strip_position(message: &str) -> &str {
    let rest = message.strip_prefix("error: ").unwrap_or(message);
    if let Some(after) = rest.strip_prefix("line ")
        && let Some((position, tail)) = after.split_once(": ")
        && position.contains(" column ")
    {
        return tail;
    }
    rest
}

/// serde-saphyr's messages carry a source excerpt after the first line; the position is reported separately.
fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_string()
}

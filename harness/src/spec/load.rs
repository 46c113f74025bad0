//! Loading spec files: YAML through serde-saphyr, which reports line and column and rejects duplicate keys.

use std::path::{Path, PathBuf};

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
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        /// File path.
        path: PathBuf,
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
        LoadError::Parse {
            path: path.to_path_buf(),
            line,
            column,
            message: first_line(&err.to_string()),
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

/// serde-saphyr's messages carry a source excerpt after the first line; the position is reported separately.
fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_string()
}

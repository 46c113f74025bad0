//! Loading a set of spec files for a run: find them, parse them, lint them.

use std::path::{Path, PathBuf};

use super::diagnostic::{Diagnostic, SpecErrors};
use super::lint::{SpecFile, lint_set, lint_spec};
use super::load::{LoadError, parse_spec};
use super::locate::LocationIndex;
use super::model::Spec;
use super::recover::{about_patched_case, recover};

/// A spec that loaded and linted clean.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedSpec {
    /// The file it came from.
    pub path: PathBuf,
    /// The spec.
    pub spec: Spec,
}

/// A parsed file with its text and positions, before lint.
#[derive(Debug, Clone)]
pub struct ParsedSpec {
    /// The file.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
    /// The spec.
    pub spec: Spec,
    /// Positions of its values.
    pub index: LocationIndex,
}

impl ParsedSpec {
    /// The view lint works on.
    pub fn as_file(&self) -> SpecFile<'_> {
        SpecFile {
            path: &self.path,
            text: &self.text,
            spec: &self.spec,
            index: &self.index,
        }
    }
}

/// The spec files named by `paths`: files as given, folders' `*.yaml`/`*.yml` (not recursive), sorted.
pub fn spec_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        match std::fs::read_dir(path) {
            Ok(entries) => {
                let mut found: Vec<PathBuf> = entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.is_file() && is_yaml(p))
                    .collect();
                found.sort();
                if found.is_empty() {
                    problems.push(whole_file(
                        path,
                        "no-specs",
                        "no *.yaml spec files in this folder".into(),
                    ));
                }
                files.extend(found);
            }
            Err(err) => problems.push(whole_file(
                path,
                "read",
                format!("cannot read folder: {err}"),
            )),
        }
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(f.clone()));
    (files, problems)
}

fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

fn whole_file(path: &Path, rule: &'static str, message: String) -> Diagnostic {
    Diagnostic {
        path: path.to_path_buf(),
        line: 0,
        column: 0,
        rule,
        message,
    }
}

/// Read and parse one file, indexing its positions.
pub fn parse_file(path: &Path) -> Result<ParsedSpec, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_text(path, text)
}

/// Parse spec text; `path` only names it in messages.
pub fn parse_text(path: &Path, text: String) -> Result<ParsedSpec, LoadError> {
    let spec = parse_spec(path, &text)?;
    let index = LocationIndex::build(&text);
    Ok(ParsedSpec {
        path: path.to_path_buf(),
        text,
        spec,
        index,
    })
}

/// Find, parse and lint: the parsed specs and every problem (empty when all is clean).
pub fn check_specs(paths: &[PathBuf]) -> (Vec<ParsedSpec>, Vec<Diagnostic>) {
    let (files, mut problems) = spec_files(paths);
    let mut parsed = Vec::new();
    for file in &files {
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(source) => {
                let err = LoadError::Read {
                    path: file.clone(),
                    source,
                };
                problems.push(err.to_diagnostic());
                continue;
            }
        };
        match parse_text(file, text.clone()) {
            Ok(p) => {
                problems.extend(lint_spec(&p.as_file()));
                parsed.push(p);
            }
            Err(err) => problems.extend(every_problem(file, &text, &err)),
        }
    }
    let views: Vec<SpecFile<'_>> = parsed.iter().map(ParsedSpec::as_file).collect();
    problems.extend(lint_set(&views));
    // As a compiler prints them: by file, then line and column.
    problems.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    (parsed, problems)
}

/// Every problem of a file that does not parse: each type error, and the lint problems of the
/// spec once they are patched (outside the patched cases). The file stays out of the run.
fn every_problem(path: &Path, text: &str, first: &LoadError) -> Vec<Diagnostic> {
    let recovered = recover(path, text, first);
    let mut problems = recovered.errors;
    if let Some(spec) = recovered.spec {
        let index = LocationIndex::build(text);
        let view = SpecFile {
            path,
            text,
            spec: &spec,
            index: &index,
        };
        problems.extend(
            lint_spec(&view)
                .into_iter()
                .filter(|d| !about_patched_case(&spec, &index, &recovered.patched, d)),
        );
    }
    problems
}

/// Load every spec under `paths` (files, or folders of `*.yaml`), failing with every problem
/// if any file does not parse or lint clean.
pub fn load_specs(paths: &[PathBuf]) -> Result<Vec<LoadedSpec>, SpecErrors> {
    let (parsed, problems) = check_specs(paths);
    if !problems.is_empty() {
        return Err(SpecErrors(problems));
    }
    Ok(parsed
        .into_iter()
        .map(|p| LoadedSpec {
            path: p.path,
            spec: p.spec,
        })
        .collect())
}

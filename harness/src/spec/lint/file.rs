//! Rules about the file as a whole.

use super::{Report, SpecFile};
use crate::spec::locate::{Pos, YamlPath};

/// The line editors read to validate the file against `specs/schema.json`.
pub const SCHEMA_LINE: &str = "# yaml-language-server: $schema=./schema.json";

/// The format version this code reads.
pub const SPEC_VERSION: u32 = 1;

pub(super) fn schema_line(report: &mut Report<'_>, file: &SpecFile<'_>) {
    let first = file.text.lines().next().unwrap_or("");
    if first.trim_end() != SCHEMA_LINE {
        report.at(
            Pos::START,
            format!("the first line must be `{SCHEMA_LINE}` (editors validate the file with it)"),
        );
    }
}

pub(super) fn spec_version(report: &mut Report<'_>, file: &SpecFile<'_>) {
    let version = file.spec.spec_version;
    if version != SPEC_VERSION {
        report.value(
            &YamlPath::root().key("spec_version"),
            format!("spec_version {version} is not supported; this dlconform reads {SPEC_VERSION}"),
        );
    }
}

//! The JSON Schema of spec files (`specs/schema.json`), generated from the model types.

use super::model::Spec;

/// Where the schema lives, relative to the repository root.
pub const SCHEMA_PATH: &str = "specs/schema.json";

/// The schema as pretty JSON with a trailing newline, exactly as committed.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(Spec);
    // A schema is plain JSON data; serializing it cannot fail.
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

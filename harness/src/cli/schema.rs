//! `dlconform schema`: print or write the JSON Schema of spec files.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::exit;
use crate::spec::schema::{SCHEMA_PATH, schema_json};

/// Long help of `dlconform schema`.
pub const LONG_ABOUT: &str = "\
Print the JSON Schema of spec files, generated from the spec model, so editors validate
specs (each spec starts with `# yaml-language-server: $schema=./schema.json`).

Examples (regenerate the committed schema after changing the model):
  dlconform schema --write            # writes specs/schema.json
  dlconform schema > specs/schema.json";

/// Arguments of `dlconform schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Write the schema to a file instead of stdout (default file: specs/schema.json).
    #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = SCHEMA_PATH)]
    pub write: Option<PathBuf>,
}

/// Run `schema`; returns the exit code.
pub fn run(args: &SchemaArgs) -> anyhow::Result<i32> {
    let text = schema_json();
    match &args.write {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        None => print!("{text}"),
    }
    Ok(exit::OK)
}

//! Specs: the model, loading with line/column errors, and lint.

pub mod load;
pub mod model;

pub use load::{LoadError, load_spec_file, parse_spec};
pub use model::Spec;

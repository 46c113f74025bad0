//! Specs: the model, loading with line/column errors, a position index, and lint.

pub mod diagnostic;
pub mod lint;
pub mod load;
pub mod locate;
pub mod model;
pub mod provenance;
pub mod recover;
pub mod schema;
pub mod suite;
pub mod summary;
pub mod version;

pub use diagnostic::{Diagnostic, SpecErrors};
pub use load::{LoadError, load_spec_file, parse_spec};
pub use model::Spec;
pub use suite::{LoadedSpec, load_specs};

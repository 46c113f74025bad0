//! Turning a scenario into bytes on the wire: the plan, the paced body pump,
//! hyper bodies that record what was sent, and the raw HTTP/1.1 writer.

pub mod headers;
pub mod hyper_body;
pub mod plan;
pub mod pump;
pub mod raw;
pub mod redirect;

pub use plan::{Cut, Plan, PlanError};

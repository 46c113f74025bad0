//! Responders and faults: the fault vocabulary, serving one request for a scenario, turning it
//! into bytes on the wire (the plan, generated bodies, the paced body pump, hyper bodies that
//! record what was sent, the raw HTTP/1.1 writer) and the upload receiver.

pub mod body;
pub mod fault;
pub mod gate;
pub mod headers;
pub mod hyper_body;
pub mod plan;
pub mod pump;
pub mod raw;
pub mod redirect;
pub mod serve;
pub mod upload;

pub use plan::{Cut, Plan, PlanError};

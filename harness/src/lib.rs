//! dlconform: conformance harness for mini-program file transfer APIs.
//!
//! Data flow: spec YAML -> [`spec`] (load + lint) -> cases -> runner -> candidate
//! (protocol v1) -> mock server -> [`observation::Observation`] -> checks ->
//! [`verdict`] -> results.json -> reports.

pub mod candidate;
pub mod check;
pub mod cli;
pub mod compat;
pub mod defects;
pub mod expectations;
pub mod filter;
pub mod observation;
pub mod partition;
pub mod persist;
pub use dlconform_protocol as protocol;
pub mod report;
pub mod results;
pub mod runner;
pub mod selftest;
pub mod serve;
pub mod snapshot;
pub mod spec;
pub mod verdict;

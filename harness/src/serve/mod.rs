//! Serve mode: the spec cases as a table of scenario URLs on a running mock server, so QA can
//! reproduce any platform behaviour by hand (curl, a device, a browser).
//!
//! [`rows::build`] registers each case's scenario and says how to reach it; [`curl`] writes the
//! command that shows it on the wire; [`behaviour`] names what the platform should do;
//! [`ready`] is the JSON written once listening; [`print`] the terminal table; [`snippet`] the
//! JS call to copy onto a device and [`steps`] what to do there during the call.

pub mod behaviour;
pub mod curl;
pub mod print;
pub mod ready;
pub mod rows;
pub mod snippet;
pub mod steps;

pub use rows::{ServeRow, build};

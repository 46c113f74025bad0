//! Candidates: the implementations under test, reached through protocol v1.

pub mod reference;

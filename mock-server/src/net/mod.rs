//! Listeners and TLS: accept loops, one accepted connection, certificates and rustls configs.

pub mod conn;
pub mod listener;
pub mod origins;
pub mod ports;
pub mod tls;

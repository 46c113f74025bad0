//! Listeners and TLS: accept loops, one accepted connection, certificates and rustls configs.

pub mod backoff;
pub mod conn;
pub mod idle;
pub mod listener;
pub mod origins;
pub mod ports;
pub mod tls;

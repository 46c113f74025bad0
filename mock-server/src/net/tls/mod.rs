//! TLS for the HTTPS listeners: certificates made at start-up and the rustls configs that serve them.

mod certs;
mod config;

pub use certs::{CertSet, ListenerCert, make_cert_set};
pub use config::server_config;

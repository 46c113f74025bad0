//! TLS for the HTTPS listeners: the test CA kept in the state folder, the leaf certificates made
//! at start-up, and the rustls configs that serve them.

mod ca_store;
mod certs;
mod config;

pub use ca_store::{CA_FILE, CA_KEY_FILE, Ca, CaError, fingerprint, load_or_make_test_ca};
pub use certs::{CertSet, GOOD_NAMES, ListenerCert, WRONG_HOST_NAME, good_names, make_cert_set};
pub use config::server_config;

//! rustls server configs, ring provider only.

use std::sync::Arc;

use rustls::ServerConfig;

use super::certs::ListenerCert;

/// A server config for one listener; `h2` offers HTTP/2 through ALPN besides HTTP/1.1.
pub fn server_config(cert: &ListenerCert, h2: bool) -> Result<Arc<ServerConfig>, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(vec![cert.cert.clone()], cert.key.clone_key())?;
    config.alpn_protocols = if h2 {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };
    Ok(Arc::new(config))
}

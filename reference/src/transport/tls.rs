//! TLS client configuration that trusts only the test CA, and the sorting of handshake
//! failures into certificate problems and other TLS errors.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{CertificateError, ClientConfig, RootCertStore};
use sha2::{Digest, Sha256};

use super::error::{CertProblem, TransferError};

/// Client configurations by CA path, built once each.
#[derive(Debug, Default)]
pub struct TlsConfigs {
    by_ca: Mutex<HashMap<String, Arc<ClientConfig>>>,
}

impl TlsConfigs {
    /// The configuration trusting exactly the CA certificates in the PEM file `ca_path`.
    pub fn get(&self, ca_path: &str) -> Result<Arc<ClientConfig>, TransferError> {
        let pem = std::fs::read(ca_path).map_err(|e| TransferError::Internal {
            detail: format!("cannot read CA certificate {ca_path}: {e}"),
        })?;
        // Keyed by content: a path may be reused by another server with another CA.
        let key = hex::encode(Sha256::digest(&pem));
        if let Ok(map) = self.by_ca.lock()
            && let Some(c) = map.get(&key)
        {
            return Ok(c.clone());
        }
        let config = Arc::new(client_config(&pem)?);
        if let Ok(mut map) = self.by_ca.lock() {
            map.insert(key, config.clone());
        }
        Ok(config)
    }

    /// Like [`TlsConfigs::get`], falling back to trusting nothing when the CA cannot be loaded.
    pub fn get_or_untrusting(&self, ca_path: &str) -> Result<Arc<ClientConfig>, TransferError> {
        match self.get(ca_path) {
            Ok(c) => Ok(c),
            Err(_) => Ok(Arc::new(trusting_nothing()?)),
        }
    }

    /// The configuration of one call: [`TlsConfigs::get_or_untrusting`], or, in the
    /// `any-certificate` mutant, one that accepts every certificate.
    pub fn for_call(
        &self,
        ca_path: &str,
        defect: crate::defect::Defect,
    ) -> Result<Arc<ClientConfig>, TransferError> {
        match defect {
            crate::defect::Defect::AnyCertificate => Ok(Arc::new(trusting_anything()?)),
            _ => self.get_or_untrusting(ca_path),
        }
    }
}

/// A configuration that accepts any certificate, unverified (the `any-certificate` mutant only):
/// the handshake's signatures are still checked, the certificate chain and name are not.
fn trusting_anything() -> Result<ClientConfig, TransferError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(AcceptAnyCertificate(provider.clone()));
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TransferError::Internal {
            detail: e.to_string(),
        })?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Accepts every server certificate.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `config` offering HTTP/2 first (ALPN `h2`, then `http/1.1`).
pub fn offering_h2(config: &ClientConfig) -> Arc<ClientConfig> {
    let mut config = config.clone();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Arc::new(config)
}

/// A configuration that trusts no certificate at all, for calls whose CA cannot be loaded: plain
/// HTTP still works and every HTTPS server fails verification.
pub fn trusting_nothing() -> Result<ClientConfig, TransferError> {
    build(RootCertStore::empty())
}

/// A client configuration (ring provider, ALPN http/1.1) trusting the CA certificates in `pem`.
pub fn client_config(pem: &[u8]) -> Result<ClientConfig, TransferError> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem) {
        let cert = cert.map_err(|e| TransferError::Internal {
            detail: format!("bad CA PEM: {e}"),
        })?;
        roots.add(cert).map_err(|e| TransferError::Internal {
            detail: format!("bad CA certificate: {e}"),
        })?;
    }
    if roots.is_empty() {
        return Err(TransferError::Internal {
            detail: "CA PEM holds no certificate".into(),
        });
    }
    build(roots)
}

fn build(roots: RootCertStore) -> Result<ClientConfig, TransferError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TransferError::Internal {
            detail: e.to_string(),
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Sort a failed handshake into a certificate problem or another TLS error.
pub fn classify_handshake_error(err: &std::io::Error) -> TransferError {
    let tls = err
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>());
    match tls {
        Some(rustls::Error::InvalidCertificate(kind)) => TransferError::Certificate {
            problem: cert_problem(kind),
            detail: kind_text(kind),
        },
        Some(other) => TransferError::Tls {
            detail: other.to_string(),
        },
        None => TransferError::Tls {
            detail: err.to_string(),
        },
    }
}

/// Which check a rustls certificate error stands for.
pub fn cert_problem(kind: &CertificateError) -> CertProblem {
    use CertificateError::*;
    match kind {
        Expired | ExpiredContext { .. } => CertProblem::Expired,
        NotValidYet | NotValidYetContext { .. } => CertProblem::NotYetValid,
        NotValidForName | NotValidForNameContext { .. } => CertProblem::WrongHost,
        UnknownIssuer | BadSignature => CertProblem::UntrustedIssuer,
        _ => CertProblem::Other,
    }
}

fn kind_text(kind: &CertificateError) -> String {
    rustls::Error::InvalidCertificate(kind.clone()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_kinds_are_sorted() {
        assert_eq!(
            cert_problem(&CertificateError::Expired),
            CertProblem::Expired
        );
        assert_eq!(
            cert_problem(&CertificateError::NotValidYet),
            CertProblem::NotYetValid
        );
        assert_eq!(
            cert_problem(&CertificateError::NotValidForName),
            CertProblem::WrongHost
        );
        assert_eq!(
            cert_problem(&CertificateError::UnknownIssuer),
            CertProblem::UntrustedIssuer
        );
        assert_eq!(
            cert_problem(&CertificateError::BadSignature),
            CertProblem::UntrustedIssuer
        );
        assert_eq!(cert_problem(&CertificateError::Revoked), CertProblem::Other);
    }

    #[test]
    fn handshake_errors_keep_their_rustls_cause() {
        let io = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(CertificateError::Expired),
        );
        assert!(matches!(
            classify_handshake_error(&io),
            TransferError::Certificate {
                problem: CertProblem::Expired,
                ..
            }
        ));
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, rustls::Error::DecryptError);
        assert!(matches!(
            classify_handshake_error(&io),
            TransferError::Tls { .. }
        ));
    }

    #[test]
    fn empty_pem_is_refused() {
        assert!(client_config(b"").is_err());
    }
}

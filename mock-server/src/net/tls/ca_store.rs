//! The test CA, kept in the state folder and reused on the next start, so a device that
//! installed it once keeps trusting the server across restarts.

use std::path::Path;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

/// Name of the test CA certificate (PEM) in the state folder.
pub const CA_FILE: &str = "ca.pem";
/// Name of the test CA's private key (PEM) in the state folder.
pub const CA_KEY_FILE: &str = "ca-key.pem";
/// Common name of the test CA.
const TEST_CA_NAME: &str = "dlconform test CA";

/// Errors loading or making the CA.
#[derive(Debug, thiserror::Error)]
pub enum CaError {
    /// rcgen refused.
    #[error("cannot make the CA: {0}")]
    Make(#[from] rcgen::Error),
    /// The stored certificate does not parse.
    #[error("stored CA certificate {path}: {why}")]
    Stored {
        /// Which file.
        path: String,
        /// What is wrong.
        why: String,
    },
    /// Reading or writing the state folder failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// A CA: its certificate and the issuer that signs leaves with its key.
pub struct Ca {
    /// The certificate, PEM.
    pub pem: String,
    /// The certificate, DER.
    pub der: Vec<u8>,
    /// Signs leaf certificates.
    pub issuer: Issuer<'static, KeyPair>,
}

impl Ca {
    /// SHA-256 of the certificate's DER, upper-case hex pairs joined by `:` (as phones show it).
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.der)
    }
}

/// SHA-256 of a certificate's DER, `AB:CD:...`.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The parameters every CA of ours has; rebuilt on load, since signing needs only the subject,
/// the key usages and the key (the key identifier is derived from the key).
fn ca_params(name: &str) -> Result<CertificateParams, rcgen::Error> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, name);
    dn.push(DnType::OrganizationName, "dlconform");
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let now = OffsetDateTime::now_utc();
    params.not_before = now - Duration::days(1);
    params.not_after = now + Duration::days(3650);
    Ok(params)
}

/// A fresh CA named `name`, kept in memory only.
pub fn make_ca(name: &str) -> Result<Ca, CaError> {
    let key = KeyPair::generate()?;
    let params = ca_params(name)?;
    let cert = params.self_signed(&key)?;
    Ok(Ca {
        pem: cert.pem(),
        der: cert.der().to_vec(),
        issuer: Issuer::new(params, key),
    })
}

/// The test CA from `state_dir` when both its files are there, else a new one written there.
pub fn load_or_make_test_ca(state_dir: &Path) -> Result<Ca, CaError> {
    let cert_path = state_dir.join(CA_FILE);
    let key_path = state_dir.join(CA_KEY_FILE);
    if cert_path.is_file() && key_path.is_file() {
        return load(&cert_path, &key_path);
    }
    let ca = make_ca(TEST_CA_NAME)?;
    std::fs::create_dir_all(state_dir)?;
    write_private(&key_path, &ca.issuer.key().serialize_pem())?;
    std::fs::write(&cert_path, &ca.pem)?;
    Ok(ca)
}

fn load(cert_path: &Path, key_path: &Path) -> Result<Ca, CaError> {
    let stored = |path: &Path, why: String| CaError::Stored {
        path: path.display().to_string(),
        why,
    };
    let pem = std::fs::read_to_string(cert_path)?;
    let der = CertificateDer::from_pem_slice(pem.as_bytes())
        .map_err(|e| stored(cert_path, e.to_string()))?;
    let key_pem = std::fs::read_to_string(key_path)?;
    let key = KeyPair::from_pem(&key_pem).map_err(|e| stored(key_path, e.to_string()))?;
    Ok(Ca {
        pem,
        der: der.to_vec(),
        issuer: Issuer::new(ca_params(TEST_CA_NAME)?, key),
    })
}

/// Write a secret readable by its owner only.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)?;
        f.write_all(text.as_bytes())
    }
    #[cfg(not(unix))]
    {
        std::fs::write(path, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_start_reuses_the_stored_ca() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_make_test_ca(dir.path()).unwrap();
        let second = load_or_make_test_ca(dir.path()).unwrap();
        assert_eq!(first.fingerprint(), second.fingerprint());
        assert_eq!(first.pem, second.pem);
        let other = tempfile::tempdir().unwrap();
        let third = load_or_make_test_ca(other.path()).unwrap();
        assert_ne!(first.fingerprint(), third.fingerprint());
    }

    #[test]
    fn a_broken_stored_certificate_is_an_error_not_a_new_ca() {
        let dir = tempfile::tempdir().unwrap();
        load_or_make_test_ca(dir.path()).unwrap();
        std::fs::write(dir.path().join(CA_FILE), "not a certificate").unwrap();
        assert!(matches!(
            load_or_make_test_ca(dir.path()),
            Err(CaError::Stored { .. })
        ));
    }
}

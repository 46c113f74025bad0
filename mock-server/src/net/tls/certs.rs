//! Certificates made at start-up with rcgen: one test CA, one untrusted CA, and a leaf per HTTPS listener.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::{Duration, OffsetDateTime};

use crate::respond::fault::ListenerKind;

/// Host names every good certificate covers.
pub const GOOD_NAMES: [&str; 3] = ["127.0.0.1", "localhost", "::1"];
/// The only name the wrong-host certificate covers.
pub const WRONG_HOST_NAME: &str = "wrong-host.example";

/// A leaf certificate and its key, ready for rustls.
pub struct ListenerCert {
    /// The leaf certificate.
    pub cert: CertificateDer<'static>,
    /// Its private key.
    pub key: PrivateKeyDer<'static>,
}

/// Everything made at start-up.
pub struct CertSet {
    /// PEM of the test CA clients are told to trust.
    pub ca_pem: String,
    /// PEM of the CA clients are not told to trust.
    pub untrusted_ca_pem: String,
    /// One leaf per TLS listener, in [`ListenerKind::ALL`] order (plain HTTP skipped).
    pub leaves: Vec<(ListenerKind, ListenerCert)>,
}

fn ca(name: &str) -> Result<(CertificateParams, KeyPair, String), rcgen::Error> {
    let key = KeyPair::generate()?;
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
    let pem = params.self_signed(&key)?.pem();
    Ok((params, key, pem))
}

fn leaf_params(
    names: &[&str],
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Result<CertificateParams, rcgen::Error> {
    let mut params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())?;
    let mut dn = DistinguishedName::new();
    dn.push(
        DnType::CommonName,
        names.first().copied().unwrap_or("dlconform"),
    );
    params.distinguished_name = dn;
    params.not_before = not_before;
    params.not_after = not_after;
    params.use_authority_key_identifier_extension = true;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    Ok(params)
}

fn finish(cert: rcgen::Certificate, key: KeyPair) -> ListenerCert {
    ListenerCert {
        cert: cert.der().clone(),
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    }
}

/// Make the test CA, the untrusted CA and one leaf per TLS listener.
pub fn make_cert_set() -> Result<CertSet, rcgen::Error> {
    let (ca_params, ca_key, ca_pem) = ca("dlconform test CA")?;
    let issuer = Issuer::new(ca_params, ca_key);
    let (other_params, other_key, untrusted_ca_pem) = ca("dlconform untrusted CA")?;
    let other = Issuer::new(other_params, other_key);

    let now = OffsetDateTime::now_utc();
    let valid = (now - Duration::days(1), now + Duration::days(365));
    let mut leaves = Vec::new();
    for kind in ListenerKind::ALL {
        let key = KeyPair::generate()?;
        let cert = match kind {
            ListenerKind::Http => continue,
            ListenerKind::Https => {
                leaf_params(&GOOD_NAMES, valid.0, valid.1)?.signed_by(&key, &issuer)?
            }
            ListenerKind::SelfSigned => {
                let mut p = leaf_params(&GOOD_NAMES, valid.0, valid.1)?;
                p.use_authority_key_identifier_extension = false;
                p.self_signed(&key)?
            }
            ListenerKind::Expired => leaf_params(
                &GOOD_NAMES,
                now - Duration::days(60),
                now - Duration::days(30),
            )?
            .signed_by(&key, &issuer)?,
            ListenerKind::NotYetValid => leaf_params(
                &GOOD_NAMES,
                now + Duration::days(30),
                now + Duration::days(395),
            )?
            .signed_by(&key, &issuer)?,
            ListenerKind::WrongHost => {
                leaf_params(&[WRONG_HOST_NAME], valid.0, valid.1)?.signed_by(&key, &issuer)?
            }
            ListenerKind::UntrustedCa => {
                leaf_params(&GOOD_NAMES, valid.0, valid.1)?.signed_by(&key, &other)?
            }
        };
        leaves.push((kind, finish(cert, key)));
    }
    Ok(CertSet {
        ca_pem,
        untrusted_ca_pem,
        leaves,
    })
}

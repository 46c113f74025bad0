//! Certificates made at start-up with rcgen: a leaf per HTTPS listener, signed by the test CA
//! (kept in the state folder) or, for the untrusted-ca listener, by a CA made afresh.

use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, KeyUsagePurpose};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::{Duration, OffsetDateTime};

use super::ca_store::{Ca, make_ca};
use crate::respond::fault::ListenerKind;

/// Host names every good certificate covers (plus the advertised host, when there is one).
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

fn leaf_params<S: AsRef<str>>(
    names: &[S],
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Result<CertificateParams, rcgen::Error> {
    let mut params = CertificateParams::new(
        names
            .iter()
            .map(|n| n.as_ref().to_string())
            .collect::<Vec<_>>(),
    )?;
    let mut dn = DistinguishedName::new();
    dn.push(
        DnType::CommonName,
        names.first().map(|n| n.as_ref()).unwrap_or("dlconform"),
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

/// The names a good certificate covers: the loopback names and `advertised`, once each.
pub fn good_names(advertised: Option<&str>) -> Vec<String> {
    let mut names: Vec<String> = GOOD_NAMES.iter().map(|n| n.to_string()).collect();
    if let Some(host) = advertised {
        // URLs write IPv6 hosts in brackets; the certificate names the address.
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if !host.is_empty() && !names.iter().any(|n| n.eq_ignore_ascii_case(host)) {
            names.push(host.to_string());
        }
    }
    names
}

/// One leaf per TLS listener, signed by `test_ca` (the untrusted-ca listener by a fresh CA);
/// every certificate but the wrong-host one covers `names`.
pub fn make_cert_set(test_ca: &Ca, names: &[String]) -> Result<CertSet, super::CaError> {
    let issuer = &test_ca.issuer;
    let untrusted = make_ca("dlconform untrusted CA")?;
    let other = &untrusted.issuer;

    let now = OffsetDateTime::now_utc();
    let valid = (now - Duration::days(1), now + Duration::days(365));
    let mut leaves = Vec::new();
    let wrong = [WRONG_HOST_NAME];
    for kind in ListenerKind::ALL {
        let key = KeyPair::generate()?;
        let cert = match kind {
            ListenerKind::Http => continue,
            ListenerKind::Https => leaf_params(names, valid.0, valid.1)?.signed_by(&key, issuer)?,
            ListenerKind::SelfSigned => {
                let mut p = leaf_params(names, valid.0, valid.1)?;
                p.use_authority_key_identifier_extension = false;
                p.self_signed(&key)?
            }
            ListenerKind::Expired => {
                leaf_params(names, now - Duration::days(60), now - Duration::days(30))?
                    .signed_by(&key, issuer)?
            }
            ListenerKind::NotYetValid => {
                leaf_params(names, now + Duration::days(30), now + Duration::days(395))?
                    .signed_by(&key, issuer)?
            }
            ListenerKind::WrongHost => {
                leaf_params(&wrong, valid.0, valid.1)?.signed_by(&key, issuer)?
            }
            ListenerKind::UntrustedCa => {
                leaf_params(names, valid.0, valid.1)?.signed_by(&key, other)?
            }
        };
        leaves.push((kind, finish(cert, key)));
    }
    Ok(CertSet {
        ca_pem: test_ca.pem.clone(),
        untrusted_ca_pem: untrusted.pem,
        leaves,
    })
}

//! A Rust client (hyper over tokio-rustls) sees the error kinds the faults promise.

use std::io::ErrorKind;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use mock_server::{ListenerKind, MockServer, ServerConfig};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{CertificateError, ClientConfig, RootCertStore};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

fn connector(ca: &std::path::Path) -> TlsConnector {
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(ca).unwrap())
        .unwrap();
    let config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
    TlsConnector::from(Arc::new(config))
}

fn port(server: &MockServer, l: ListenerKind) -> u16 {
    server
        .base_url(l)
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// The first I/O error kind in an error's source chain.
fn io_kind(e: &(dyn std::error::Error + 'static)) -> Option<ErrorKind> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        cur = err.source();
    }
    None
}

async fn get_body(server: &MockServer, path: &str) -> Result<Bytes, hyper::Error> {
    let tcp = TcpStream::connect(("127.0.0.1", port(server, ListenerKind::Http)))
        .await
        .unwrap();
    let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp)).await?;
    tokio::spawn(conn);
    let req = http::Request::get(path)
        .header("host", "127.0.0.1")
        .body(Empty::<Bytes>::new())
        .unwrap();
    let resp = send.send_request(req).await?;
    Ok(resp.into_body().collect().await?.to_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_after_is_connection_reset() {
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::start(ServerConfig::new(dir.path()))
        .await
        .unwrap();
    let err = get_body(&server, "/f/a?body=1m&reset_after=10000")
        .await
        .unwrap_err();
    assert_eq!(io_kind(&err), Some(ErrorKind::ConnectionReset), "{err:?}");
    let ok = get_body(&server, "/f/a?body=12345").await.unwrap();
    assert_eq!(ok.len(), 12345);
    let err = get_body(&server, "/f/a?body=1m&close_after=10000")
        .await
        .unwrap_err();
    assert!(
        err.is_incomplete_message() || io_kind(&err) == Some(ErrorKind::UnexpectedEof),
        "{err:?}"
    );
    server.shutdown().await;
}

async fn tls_error(server: &MockServer, l: ListenerKind) -> Option<rustls::Error> {
    let tcp = TcpStream::connect(("127.0.0.1", port(server, l)))
        .await
        .unwrap();
    match connector(server.ca_cert_path())
        .connect(ServerName::try_from("127.0.0.1").unwrap(), tcp)
        .await
    {
        Ok(_) => None,
        Err(e) => e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            .cloned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_bad_certificate_has_its_error() {
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::start(ServerConfig::new(dir.path()))
        .await
        .unwrap();
    assert_eq!(tls_error(&server, ListenerKind::Https).await, None);
    let cert_err = |e: Option<rustls::Error>| match e {
        Some(rustls::Error::InvalidCertificate(c)) => c,
        other => panic!("expected a certificate error, got {other:?}"),
    };
    assert!(matches!(
        cert_err(tls_error(&server, ListenerKind::SelfSigned).await),
        CertificateError::UnknownIssuer | CertificateError::BadSignature
    ));
    assert!(matches!(
        cert_err(tls_error(&server, ListenerKind::Expired).await),
        CertificateError::Expired | CertificateError::ExpiredContext { .. }
    ));
    assert!(matches!(
        cert_err(tls_error(&server, ListenerKind::NotYetValid).await),
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. }
    ));
    assert!(matches!(
        cert_err(tls_error(&server, ListenerKind::WrongHost).await),
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
    ));
    assert!(matches!(
        cert_err(tls_error(&server, ListenerKind::UntrustedCa).await),
        CertificateError::UnknownIssuer
    ));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_serves_http1_with_the_test_ca() {
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::start(ServerConfig::new(dir.path()))
        .await
        .unwrap();
    let tcp = TcpStream::connect(("127.0.0.1", port(&server, ListenerKind::Https)))
        .await
        .unwrap();
    let tls = connector(server.ca_cert_path())
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .unwrap();
    tokio::spawn(conn);
    let req = http::Request::get("/f/a?body=5000&seed=3")
        .header("host", "localhost")
        .body(Empty::<Bytes>::new())
        .unwrap();
    let resp = send.send_request(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().contains_key("date"));
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&body)),
        mock_server::respond::body::generated_sha256(3, 5000)
    );
    server.shutdown().await;
}

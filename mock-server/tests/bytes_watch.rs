//! The per-key byte count that "after N bytes" triggers wait on grows as a real client reads
//! a trickled body, long before the body ends, on both the hyper and the raw response paths.

use std::time::Duration;

use mock_server::{Fault, MockServer, Scenario, ServerConfig, Target};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SIZE: u64 = 1024 * 1024;
const TRIGGER: u64 = 131_072;

fn scenario(extra: Option<Fault>) -> Scenario {
    let mut faults = vec![
        Fault::Body {
            size: SIZE,
            seed: 3,
        },
        Fault::Trickle {
            bytes: 32_768,
            every_ms: 50,
        },
    ];
    faults.extend(extra);
    Scenario {
        target: Target::Http,
        faults,
        feishu: None,
    }
}

/// Read the response of `url` over a plain socket, counting bytes, until `stop` bytes or EOF.
async fn read_until(url: &str, stop: u64) -> (TcpStream, u64) {
    let rest = url.strip_prefix("http://").expect("an http url");
    let (authority, path) = rest.split_at(rest.find('/').expect("a path"));
    let mut tcp = TcpStream::connect(authority).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    tcp.write_all(request.as_bytes()).await.expect("request");
    let mut read = 0u64;
    let mut buf = vec![0u8; 16 * 1024];
    while read < stop {
        let n = tcp.read(&mut buf).await.expect("read");
        if n == 0 {
            break;
        }
        read += n as u64;
    }
    (tcp, read)
}

async fn count_grows_before_the_body_ends(key: &str, extra: Option<Fault>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = MockServer::start(ServerConfig::new(dir.path()))
        .await
        .expect("server");
    // Watching before the request arrives is allowed: the count starts at 0.
    let mut bytes = server.bytes_sent_watch(key);
    assert_eq!(*bytes.borrow(), 0);
    server.register(key, scenario(extra));
    let url = server.case_url(key, Target::Http, "a.bin");
    let client = tokio::spawn(async move { read_until(&url, u64::MAX).await.1 });
    let reached = tokio::time::timeout(Duration::from_secs(10), bytes.wait_for(|n| *n >= TRIGGER))
        .await
        .expect("the count reaches the trigger in time")
        .map(|n| *n)
        .expect("the count is watched");
    // Counted piece by piece (32 KiB each), not in the journal's coarse 256 KiB steps; and a
    // 1 MiB body at 32 KiB per 50 ms takes 1.6 s, so it is seen long before the body ends.
    assert!(
        reached <= TRIGGER + 32_768,
        "{key}: count {reached} when first seen"
    );
    assert!(!client.is_finished(), "{key}: the client is still reading");
    let read = tokio::time::timeout(Duration::from_secs(20), client)
        .await
        .expect("client ends")
        .expect("client ran");
    assert!(read > SIZE, "{key}: headers and body read ({read})");
    let total = *bytes.borrow();
    assert!(total >= SIZE, "{key}: whole body counted ({total})");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn byte_count_grows_as_a_trickled_body_is_written() {
    count_grows_before_the_body_ends("hyper-path", None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn byte_count_grows_on_the_raw_path_too() {
    // A lying Content-Length makes the response raw (hijacked connection).
    count_grows_before_the_body_ends("raw-path", Some(Fault::ContentLengthDelta(100))).await;
}

//! A 200 MB generated body arrives whole, with the digest the server announced.

mod common;
#[path = "../../harness/needs.rs"]
mod needs;

use common::{TestServer, curl};

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn two_hundred_megabytes_arrive_whole() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let size = 200_000_000u64;
    let out = t.dir.path().join("big.bin");
    let r = curl(&[
        "--max-time",
        "120",
        "-o",
        out.to_str().unwrap(),
        &t.http(&format!("/f/big.bin?body={size}&seed=42&key=big")),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(std::fs::metadata(&out).unwrap().len(), size);
    let hash = std::process::Command::new("sha256sum")
        .arg(&out)
        .output()
        .unwrap();
    let hash = String::from_utf8_lossy(&hash.stdout)
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_string();
    // Bodies this large are hashed alongside the transfer; the digest lands in the journal when ready.
    let j = t.journal_when("big", |j| {
        j.requests.first().is_some_and(|r| r.body_sha256.is_some())
    });
    let rec = j.requests[0].clone();
    assert_eq!(rec.body_len, Some(size));
    assert_eq!(rec.body_sha256.as_deref(), Some(hash.as_str()));
    assert_eq!(rec.bytes_sent, size);
}

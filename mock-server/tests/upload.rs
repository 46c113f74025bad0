//! The upload receiver with curl -F: what it parsed, and its faults.

mod common;
#[path = "../../harness/needs.rs"]
mod needs;

use common::{TestServer, curl, sha256};
use mock_server::ConnectionEnd;

fn file(dir: &std::path::Path, size: usize) -> (String, String) {
    let data: Vec<u8> = (0..size).map(|i| (i * 7 % 251) as u8).collect();
    let path = dir.join("up.bin");
    std::fs::write(&path, &data).unwrap();
    (path.to_str().unwrap().to_string(), sha256(&data))
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn multipart_is_parsed_and_summarised() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let (path, digest) = file(t.dir.path(), 300_000);
    let r = curl(&[
        "-F",
        "user=alice",
        "-F",
        "note=hi there",
        "-F",
        &format!("photo=@{path};filename=pic.jpg"),
        &t.http("/f/up?key=u1"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let summary: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(summary["file_sha256"], digest.as_str());
    let j = t.s().journal("u1");
    let up = j.requests[0].upload.clone().unwrap();
    assert_eq!(up.field_names, vec!["user", "note", "photo"]);
    assert_eq!(up.file_field.as_deref(), Some("photo"));
    assert_eq!(up.file_name.as_deref(), Some("pic.jpg"));
    assert_eq!(up.file_size, 300_000);
    assert_eq!(up.file_sha256.as_deref(), Some(digest.as_str()));
    assert_eq!(
        up.form_data,
        vec![
            ("user".to_string(), "alice".to_string()),
            ("note".to_string(), "hi there".to_string())
        ]
    );
    assert!(up.bytes_read > 300_000);
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn upload_reset_after_resets_the_sender() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let (path, _) = file(t.dir.path(), 2_000_000);
    let r = curl(&[
        "-F",
        &format!("file=@{path}"),
        &t.http("/f/up?upload_reset_after=65536&key=u2"),
    ]);
    assert!(r.code == 55 || r.code == 56, "{} {}", r.code, r.stderr);
    let j = t.journal_ended("u2");
    assert_eq!(j.requests[0].end, ConnectionEnd::ServerReset);
    let read = j.requests[0].upload.as_ref().unwrap().bytes_read;
    assert!((65536..2_000_000).contains(&read), "{read}");
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn upload_early_413_answers_before_reading() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let (path, _) = file(t.dir.path(), 2_000_000);
    let r = curl(&[
        "-w",
        "%{http_code}",
        "-o",
        "/dev/null",
        "-F",
        &format!("file=@{path}"),
        &t.http("/f/up?upload_early_413&key=u3"),
    ]);
    assert_eq!(String::from_utf8_lossy(&r.stdout), "413", "{}", r.stderr);
    let j = t.s().journal("u3");
    assert_eq!(j.requests[0].status, 413);
    assert!(j.requests[0].upload.is_none());
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn upload_read_bps_slows_the_sender() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let (path, digest) = file(t.dir.path(), 400_000);
    let start = std::time::Instant::now();
    let r = curl(&[
        "-F",
        &format!("file=@{path}"),
        &t.http("/f/up?upload_read_bps=400k&key=u4"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(start.elapsed().as_millis() >= 700, "{:?}", start.elapsed());
    assert_eq!(
        t.s().journal("u4").requests[0]
            .upload
            .as_ref()
            .unwrap()
            .file_sha256
            .as_deref(),
        Some(digest.as_str())
    );
}

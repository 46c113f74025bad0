//! Every fault on the wire, seen by curl: exit codes, byte counts, digests, and the journal.

mod common;
#[path = "../../harness/needs.rs"]
mod needs;

use common::{TestServer, curl, sha256};
use mock_server::respond::body::generated_sha256;
use mock_server::{ConnectionEnd, Fault, ListenerKind, RedirectTo, Scenario, Target};

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn body_arrives_whole_with_announced_digest() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let r = curl(&[&t.http("/f/a.bin?body=100000&seed=9&key=b1")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.len(), 100_000);
    assert_eq!(sha256(&r.stdout), generated_sha256(9, 100_000));
    let j = t.journal_when("b1", |j| {
        j.requests
            .first()
            .is_some_and(|r| r.end == ConnectionEnd::Complete)
    });
    let rec = &j.requests[0];
    assert_eq!(rec.end, ConnectionEnd::Complete);
    assert_eq!(rec.body_len, Some(100_000));
    assert_eq!(
        rec.body_sha256.as_deref(),
        Some(generated_sha256(9, 100_000).as_str())
    );
    assert_eq!(rec.bytes_sent, 100_000);
    assert_eq!(rec.version, "HTTP/1.1");
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn status_fails_with_22() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    assert_eq!(curl(&["--fail", &t.http("/f/a?status=404")]).code, 22);
    assert_eq!(curl(&["--fail", &t.http("/f/a?status=503")]).code, 22);
    assert_eq!(curl(&["--fail", &t.http("/f/a?status=200")]).code, 0);
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn delay_times_out_with_28() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    assert_eq!(
        curl(&["--max-time", "1", &t.http("/f/a?delay_ms=3000&body=10")]).code,
        28
    );
    let r = curl(&["--max-time", "5", &t.http("/f/a?delay_ms=300&body=10")]);
    assert_eq!((r.code, r.stdout.len()), (0, 10));
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn hold_until_waits_for_the_arrivals_then_lets_all_go() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    // Two curls at once: the first is held until the second arrives, long before the bound.
    let url = t.http("/f/a?body=10&hold_until=2:60000&key=hold2");
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| curl(&["--max-time", "30", &url]));
        let b = s.spawn(|| curl(&["--max-time", "30", &url]));
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_eq!((a.code, a.stdout.len()), (0, 10), "{}", a.stderr);
    assert_eq!((b.code, b.stdout.len()), (0, 10), "{}", b.stderr);
    let j = t.journal_when("hold2", |j| {
        j.requests.len() == 2 && j.requests.iter().all(|r| r.end == ConnectionEnd::Complete)
    });
    // Both were open at the server at once: the gate held the first.
    assert_eq!(j.max_in_flight, 2);

    // Alone, a request is held for the bound, then answered.
    let alone = curl(&[
        "--max-time",
        "1",
        &t.http("/f/a?body=10&hold_until=2:3000&key=hold1"),
    ]);
    assert_eq!(alone.code, 28, "held past 1 s");
    let late = curl(&[
        "--max-time",
        "30",
        &t.http("/f/a?body=10&hold_until=2:3000&key=hold1b"),
    ]);
    assert_eq!((late.code, late.stdout.len()), (0, 10), "{}", late.stderr);
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn stall_times_out_with_28_and_connection_ends_when_client_goes() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    assert_eq!(
        curl(&["--max-time", "1", &t.http("/f/a?stall&key=st")]).code,
        28
    );
    let j = t.journal_ended("st");
    assert_eq!(j.requests[0].end, ConnectionEnd::ClientAbort);
    assert_eq!(j.requests[0].status, 0);
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn stall_after_sends_n_bytes_then_times_out() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let r = curl(&[
        "--max-time",
        "1",
        &t.http("/f/a?body=64k&stall_after=1000&key=sa"),
    ]);
    assert_eq!(r.code, 28);
    assert_eq!(r.stdout.len(), 1000);
    let j = t.journal_ended("sa");
    assert_eq!(j.requests[0].bytes_sent, 1000);
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn trickle_and_bandwidth_pace_the_body() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let start = std::time::Instant::now();
    let r = curl(&[&t.http("/f/a?body=4096&trickle=1024:200")]);
    assert_eq!((r.code, r.stdout.len()), (0, 4096));
    assert!(start.elapsed().as_millis() >= 550, "three waits of 200 ms");
    let start = std::time::Instant::now();
    let r = curl(&[&t.http("/f/a?body=200k&bandwidth_bps=400k")]);
    assert_eq!((r.code, r.stdout.len()), (0, 200 * 1024));
    assert!(
        start.elapsed().as_millis() >= 400,
        "half a second at 400 KiB/s"
    );
    // Curl's own rate limit would cut the time; only a lower bound is asserted.
    assert_eq!(
        curl(&["--max-time", "1", &t.http("/f/a?body=10k&trickle=1:100")]).code,
        28
    );
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn content_length_larger_is_a_partial_file() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let r = curl(&[&t.http("/f/a?body=1000&cl_delta=+10&key=cl")]);
    assert_eq!(r.code, 18, "{}", r.stderr);
    assert_eq!(r.stdout.len(), 1000);
    let j = t.journal_ended("cl");
    assert_eq!(j.requests[0].end, ConnectionEnd::ServerClose);
    let r = curl(&[
        "--http1.1",
        "--cacert",
        t.ca().to_str().unwrap(),
        &t.url(ListenerKind::Https, "/f/a?body=1000&cl_delta=+10"),
    ]);
    assert_eq!(r.code, 18, "{}", r.stderr);
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn content_length_smaller_sends_only_the_announced_bytes() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let r = curl(&[
        "-D",
        "-",
        "-o",
        "/dev/null",
        &t.http("/f/a?body=1000&cl_delta=-10"),
    ]);
    assert_eq!(r.code, 0);
    assert!(String::from_utf8_lossy(&r.stdout).contains("Content-Length: 990"));
    let r = curl(&[&t.http("/f/a?body=1000&cl_delta=-10")]);
    assert_eq!(r.stdout.len(), 990);
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn chunked_has_no_content_length() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let r = curl(&["-i", "--raw", &t.http("/f/a?body=10000&chunked")]);
    assert_eq!(r.code, 0);
    let text = String::from_utf8_lossy(&r.stdout);
    assert!(text.contains("Transfer-Encoding: chunked"), "{text}");
    assert!(!text.to_ascii_lowercase().contains("content-length"));
    let r = curl(&[&t.http("/f/a?body=10000&seed=2&chunked")]);
    assert_eq!(sha256(&r.stdout), generated_sha256(2, 10000));
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn close_after_is_a_partial_file() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let r = curl(&[&t.http("/f/a?body=64k&close_after=1000&key=ca")]);
    assert_eq!((r.code, r.stdout.len()), (18, 1000), "{}", r.stderr);
    let j = t.journal_ended("ca");
    assert_eq!(j.requests[0].end, ConnectionEnd::ServerClose);
    assert_eq!(j.requests[0].bytes_sent, 1000);
    let ca = t.ca();
    let r = curl(&[
        "--http1.1",
        "--cacert",
        ca.to_str().unwrap(),
        &t.url(ListenerKind::Https, "/f/a?body=64k&close_after=1000"),
    ]);
    assert_eq!((r.code, r.stdout.len()), (18, 1000), "{}", r.stderr);
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn reset_after_is_a_recv_failure() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let r = curl(&[&t.http("/f/a?body=640k&reset_after=100000&key=rs")]);
    assert_eq!(r.code, 56, "{}", r.stderr);
    assert!(r.stderr.contains("reset"), "{}", r.stderr);
    let j = t.journal_ended("rs");
    assert_eq!(j.requests[0].end, ConnectionEnd::ServerReset);
    assert_eq!(j.requests[0].bytes_sent, 100_000);
    let ca = t.ca();
    let r = curl(&[
        "--http1.1",
        "--cacert",
        ca.to_str().unwrap(),
        &t.url(ListenerKind::Https, "/f/a?body=640k&reset_after=100000"),
    ]);
    assert_eq!(r.code, 56, "{}", r.stderr);
    let r = curl(&[
        "--http2",
        "--cacert",
        ca.to_str().unwrap(),
        &t.url(ListenerKind::Https, "/f/a?body=640k&reset_after=100000"),
    ]);
    assert_ne!(r.code, 0, "HTTP/2 reset must fail too");
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn redirect_loop_is_too_many_redirects() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    assert_eq!(
        curl(&["-L", "--max-redirs", "5", &t.http("/f/a?redirect=302:loop")]).code,
        47
    );
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn redirect_matrix_reaches_the_body() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let ca = t.ca();
    for status in [301, 302, 303, 307, 308] {
        for to in ["same-host", "cross-host", "relative", "https"] {
            let key = format!("r{status}{to}");
            let url = t.http(&format!(
                "/f/a?redirect={status}:{to}:2&body=123&seed=4&key={key}"
            ));
            let r = curl(&[
                "-L",
                "--cacert",
                ca.to_str().unwrap(),
                "-w",
                "%{num_redirects} %{url_effective}",
                "-o",
                "/dev/null",
                &url,
            ]);
            assert_eq!(r.code, 0, "{status} {to}: {}", r.stderr);
            let out = String::from_utf8_lossy(&r.stdout);
            assert!(out.starts_with("2 "), "{status} {to}: {out}");
            match to {
                "cross-host" => assert!(out.contains("://127.0.0.1:"), "{out}"),
                "https" => assert!(out.contains("https://"), "{out}"),
                _ => {}
            }
            let j = t.s().journal(&key);
            let statuses: Vec<u16> = j.requests.iter().map(|r| r.status).collect();
            assert_eq!(statuses, vec![status, status, 200], "{to}");
        }
    }
    let r = curl(&["-L", &t.http("/f/a?redirect=302:invalid")]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let r = curl(&[
        "-D",
        "-",
        "-o",
        "/dev/null",
        &t.http("/f/a?redirect=302:cross-host"),
    ]);
    assert!(String::from_utf8_lossy(&r.stdout).contains("Location: http://localhost:"));
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn content_disposition_carries_both_names() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let r = curl(&[
        "-D",
        "-",
        "-o",
        "/dev/null",
        &t.http("/f/x?body=10&cd=filename:a.txt;filename*:%E6%8A%A5%E5%91%8A.pdf"),
    ]);
    let head = String::from_utf8_lossy(&r.stdout);
    assert!(
        head.contains("Content-Disposition: attachment; filename=\"a.txt\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf"),
        "{head}"
    );
    let dir = tempfile::tempdir().unwrap();
    let r = std::process::Command::new("curl")
        .current_dir(dir.path())
        .args([
            "-sS",
            "--max-time",
            "10",
            "-O",
            "-J",
            &t.http("/f/x?body=10&cd=filename:named.bin"),
        ])
        .status()
        .unwrap();
    assert!(r.success());
    assert_eq!(
        std::fs::metadata(dir.path().join("named.bin"))
            .unwrap()
            .len(),
        10
    );
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn gzip_decodes_to_the_generated_body() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let r = curl(&["--compressed", &t.http("/f/z?body=100000&seed=5&gzip")]);
    assert_eq!(r.code, 0);
    assert_eq!(sha256(&r.stdout), generated_sha256(5, 100_000));
    let r = curl(&["-D", "-", "-o", "/dev/null", &t.http("/f/z?body=100&gzip")]);
    assert!(String::from_utf8_lossy(&r.stdout).contains("Content-Encoding: gzip"));
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn slow_headers_time_out_before_the_head() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    assert_eq!(
        curl(&[
            "--max-time",
            "1",
            &t.http("/f/a?body=10&slow_headers=2:100")
        ])
        .code,
        28
    );
    let r = curl(&[&t.http("/f/a?body=10&slow_headers=64:20")]);
    assert_eq!((r.code, r.stdout.len()), (0, 10));
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn raw_bytes_are_written_as_given() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let r =
        curl(&[&t.http("/f/a?raw=HTTP/1.1%20200%20OK%5Cr%5CnContent-Length:%20x%5Cr%5Cn%5Cr%5Cn")]);
    assert_eq!(r.code, 8, "{}", r.stderr);
    let r = curl(&[
        "-i",
        &t.http("/f/a?raw=HTTP/1.1%20200%20OK%5Cr%5CnContent-Length:%203%5Cr%5Cn%5Cr%5Cn%5Cx41BC"),
    ]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.ends_with(b"\r\n\r\nABC"));
    assert_eq!(curl(&[&t.http("/f/a?raw=garbage")]).code, 1);
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn extra_and_lowercase_headers() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let r = curl(&[
        "-D",
        "-",
        "-o",
        "/dev/null",
        &t.http("/f/a?body=10&header=X-Test:one&header=X-Test:two"),
    ]);
    let head = String::from_utf8_lossy(&r.stdout);
    assert!(
        head.contains("X-Test: one") && head.contains("X-Test: two"),
        "{head}"
    );
    assert!(
        head.contains("Date: ") && head.contains("Server: "),
        "{head}"
    );
    let r = curl(&[
        "-D",
        "-",
        "-o",
        "/dev/null",
        &t.http("/f/a?body=10&lowercase_headers&header=X-Test:1"),
    ]);
    let head = String::from_utf8_lossy(&r.stdout);
    assert!(
        head.contains("content-length: 10")
            && head.contains("x-test: 1")
            && head.contains("date: "),
        "{head}"
    );
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn certificates_fail_with_60_except_the_good_one() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let ca = t.ca();
    let ca = ca.to_str().unwrap();
    let good = curl(&["--cacert", ca, &t.url(ListenerKind::Https, "/f/a?body=10")]);
    assert_eq!((good.code, good.stdout.len()), (0, 10), "{}", good.stderr);
    let good = curl(&[
        "--cacert",
        ca,
        &format!(
            "https://localhost:{}/f/a?body=10",
            t.s()
                .base_url(ListenerKind::Https)
                .rsplit(':')
                .next()
                .unwrap()
        ),
    ]);
    assert_eq!(good.code, 0, "{}", good.stderr);
    for l in [
        ListenerKind::SelfSigned,
        ListenerKind::Expired,
        ListenerKind::NotYetValid,
        ListenerKind::WrongHost,
        ListenerKind::UntrustedCa,
    ] {
        let r = curl(&["--cacert", ca, &t.url(l, "/f/a?body=10")]);
        assert_eq!(r.code, 60, "{l:?}: {}", r.stderr);
        // Accepting any certificate proves the listener itself serves.
        let r = curl(&["-k", &t.url(l, "/f/a?body=10")]);
        assert_eq!((r.code, r.stdout.len()), (0, 10), "{l:?}");
        // curl checks the host name after the handshake, so only the other kinds fail it.
        if l != ListenerKind::WrongHost {
            assert!(t.s().handshake_failures(l) >= 1, "{l:?}");
        }
    }
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn http2_on_the_good_listener() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let ca = t.ca();
    let r = curl(&[
        "--cacert",
        ca.to_str().unwrap(),
        "-w",
        "%{http_version}",
        "-o",
        "/dev/null",
        &t.url(ListenerKind::Https, "/f/a?body=1m&key=h2"),
    ]);
    assert_eq!(String::from_utf8_lossy(&r.stdout), "2");
    let j = t.journal_when("h2", |j| {
        j.requests
            .first()
            .is_some_and(|r| r.end == ConnectionEnd::Complete)
    });
    assert_eq!(j.requests[0].version, "HTTP/2.0");
    assert_eq!(j.requests[0].bytes_sent, 1 << 20);
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn dns_failure_and_refused_targets() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    t.s().register("net", Scenario::default());
    assert_eq!(
        curl(&[&t.s().case_url("net", Target::DnsFailure, "a.bin")]).code,
        6
    );
    assert_eq!(
        curl(&[&t.s().case_url("net", Target::ConnectionRefused, "a.bin")]).code,
        7
    );
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn registered_scenarios_are_served_per_key() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    t.s().register(
        "k1",
        Scenario {
            target: Target::Http,
            faults: vec![Fault::Body { size: 77, seed: 1 }],
            feishu: None,
        },
    );
    t.s().register(
        "k2",
        Scenario {
            target: Target::Https,
            faults: vec![Fault::Status(404)],
            feishu: None,
        },
    );
    let r = curl(&[&t.s().case_url("k1", Target::Http, "file name.bin")]);
    assert_eq!((r.code, r.stdout.len()), (0, 77));
    let ca = t.ca();
    let r = curl(&[
        "--fail",
        "--cacert",
        ca.to_str().unwrap(),
        &t.s().case_url("k2", Target::Https, "b.bin"),
    ]);
    assert_eq!(r.code, 22);
    assert_eq!(t.s().journal("k1").requests.len(), 1);
    assert_eq!(t.s().journal("k2").requests.len(), 1);
    assert_eq!(
        t.s().journal("k1").requests[0].path,
        "/c/k1/file%20name.bin"
    );
    assert_eq!(
        curl(&["--fail", &t.s().case_url("nope", Target::Http, "a")]).code,
        22
    );
    // Redirects of a registered scenario keep the key.
    t.s().register(
        "k3",
        Scenario {
            target: Target::Http,
            faults: vec![
                Fault::Redirect {
                    status: 302,
                    to: RedirectTo::SameHost,
                    hops: 3,
                },
                Fault::Body { size: 5, seed: 0 },
            ],
            feishu: None,
        },
    );
    let r = curl(&["-L", &t.s().case_url("k3", Target::Http, "a")]);
    assert_eq!((r.code, r.stdout.len()), (0, 5));
    assert_eq!(t.s().journal("k3").requests.len(), 4);
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn cors_preflight_and_origin_echo() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let r = curl(&[
        "-i",
        "-X",
        "OPTIONS",
        "-H",
        "Origin: http://app.example",
        "-H",
        "Access-Control-Request-Headers: x-a",
        &t.http("/f/a?stall"),
    ]);
    let head = String::from_utf8_lossy(&r.stdout);
    assert!(head.starts_with("HTTP/1.1 204"), "{head}");
    assert!(head.contains("Access-Control-Allow-Origin: http://app.example"));
    assert!(head.contains("Access-Control-Allow-Credentials: true"));
    assert!(head.contains("Access-Control-Allow-Headers: x-a"));
    let r = curl(&[
        "-D",
        "-",
        "-o",
        "/dev/null",
        "-H",
        "Origin: http://app.example",
        &t.http("/f/a?body=1"),
    ]);
    assert!(
        String::from_utf8_lossy(&r.stdout)
            .contains("Access-Control-Allow-Origin: http://app.example")
    );
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn cors_exposes_every_header_the_response_sets() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let r = curl(&[
        "-D",
        "-",
        "-o",
        "/dev/null",
        "-H",
        "Origin: http://page.example",
        &t.http("/f/a?body=10&header=X-Case:one&header=X-Other-Case:two&content_disposition=filename:a.bin"),
    ]);
    let head = String::from_utf8_lossy(&r.stdout);
    let exposed = head
        .lines()
        .find_map(|l| l.strip_prefix("Access-Control-Expose-Headers: "))
        .unwrap_or_else(|| panic!("no Access-Control-Expose-Headers in {head}"));
    let exposed: Vec<String> = exposed.split(", ").map(str::to_ascii_lowercase).collect();
    // Every header of the answer but the CORS ones is listed, custom ones included.
    for line in head.lines().skip(1).filter(|l| l.contains(": ")) {
        let name = line
            .split(':')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if name.starts_with("access-control-") {
            assert!(!exposed.contains(&name), "{name} listed in {exposed:?}");
        } else {
            assert!(
                exposed.contains(&name),
                "{name} not exposed: {exposed:?}\n{head}"
            );
        }
    }
    assert!(
        exposed.contains(&"x-case".to_string()) && exposed.contains(&"x-other-case".to_string())
    );
    // The raw writer (faults on the wire) exposes its headers too.
    let r = curl(&[
        "-D",
        "-",
        "-o",
        "/dev/null",
        "-H",
        "Origin: http://page.example",
        &t.http("/f/a?body=100&close_after=10&header=X-Case:cut"),
    ]);
    let head = String::from_utf8_lossy(&r.stdout);
    assert!(
        head.lines()
            .any(|l| l.starts_with("Access-Control-Expose-Headers: ") && l.contains("X-Case")),
        "{head}"
    );
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn a_preflight_is_journaled_apart_and_not_counted_as_a_request() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    t.s().register(
        "pre",
        Scenario {
            target: Target::Http,
            faults: vec![Fault::Body { size: 5, seed: 0 }],
            feishu: None,
        },
    );
    let url = t.s().case_url("pre", Target::Http, "a.bin");
    let r = curl(&[
        "-i",
        "-X",
        "OPTIONS",
        "-H",
        "Origin: http://page.example",
        "-H",
        "Access-Control-Request-Method: GET",
        "-H",
        "Access-Control-Request-Headers: x-custom",
        &url,
    ]);
    let head = String::from_utf8_lossy(&r.stdout);
    assert!(head.starts_with("HTTP/1.1 204"), "{head}");
    assert!(
        head.contains("Access-Control-Allow-Headers: x-custom"),
        "{head}"
    );
    assert!(head.contains("Access-Control-Allow-Methods: "), "{head}");
    let r = curl(&[
        "-H",
        "Origin: http://page.example",
        "-H",
        "X-Custom: 1",
        &url,
    ]);
    assert_eq!((r.code, r.stdout.len()), (0, 5), "{}", r.stderr);
    let j = t.journal_when("pre", |j| {
        j.requests
            .first()
            .is_some_and(|r| r.end != ConnectionEnd::Open)
            && j.preflights
                .first()
                .is_some_and(|r| r.end != ConnectionEnd::Open)
    });
    assert_eq!(j.requests.len(), 1, "{j:?}");
    assert_eq!(j.requests[0].method, "GET");
    assert_eq!(j.preflights.len(), 1, "{j:?}");
    assert_eq!(j.preflights[0].method, "OPTIONS");
    assert_eq!(j.preflights[0].status, 204);
    assert_eq!(j.max_in_flight, 1);
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn concurrent_requests_are_counted() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    t.s().register(
        "par",
        Scenario {
            target: Target::Http,
            faults: vec![Fault::DelayMs(600), Fault::Body { size: 10, seed: 0 }],
            feishu: None,
        },
    );
    let url = t.s().case_url("par", Target::Http, "a");
    let handles: Vec<_> = (0..3)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || curl(&[&url]).code)
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 0);
    }
    let j = t.s().journal("par");
    assert_eq!(j.requests.len(), 3);
    assert_eq!(j.max_in_flight, 3);
    assert_eq!(j.connections, 3);
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn bad_queries_are_400_with_the_reason() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let r = curl(&["-w", "%{http_code}", &t.http("/f/a?nonsense=1")]);
    let out = String::from_utf8_lossy(&r.stdout);
    assert!(
        out.contains("unknown query key `nonsense`") && out.ends_with("400"),
        "{out}"
    );
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn a_body_over_the_maximum_is_a_400_that_says_so() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let r = curl(&[
        "--max-time",
        "5",
        "-w",
        "%{http_code}",
        &t.http("/f/a?body=1000g"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = String::from_utf8_lossy(&r.stdout);
    assert!(text.ends_with("400"), "{text}");
    assert!(text.contains("over this server's maximum"), "{text}");
}

//! Properties: the URL grammar round-trips, arbitrary queries never panic,
//! and random bytes at the socket never take the server down.

mod common;
#[path = "../../harness/needs.rs"]
mod needs;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{TestServer, curl};
use mock_server::{Fault, RedirectTo, Scenario, Target};
use proptest::prelude::*;

fn text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("(?s).{0,12}").unwrap()
}

fn redirect_to() -> impl Strategy<Value = RedirectTo> {
    prop_oneof![
        Just(RedirectTo::SameHost),
        Just(RedirectTo::CrossHost),
        Just(RedirectTo::Https),
        Just(RedirectTo::Loop),
        Just(RedirectTo::Relative),
        Just(RedirectTo::Invalid),
    ]
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        (100u16..1000).prop_map(Fault::Status),
        (any::<u64>(), any::<u64>()).prop_map(|(size, seed)| Fault::Body { size, seed }),
        text().prop_map(Fault::Text),
        text().prop_map(Fault::ContentType),
        any::<u64>().prop_map(Fault::DelayMs),
        (any::<u64>(), any::<u64>())
            .prop_map(|(arrivals, max_ms)| Fault::HoldUntil { arrivals, max_ms }),
        Just(Fault::Stall),
        any::<u64>().prop_map(Fault::StallAfter),
        (any::<u64>(), any::<u64>())
            .prop_map(|(bytes, every_ms)| Fault::Trickle { bytes, every_ms }),
        any::<u64>().prop_map(Fault::BandwidthBps),
        any::<i64>().prop_map(Fault::ContentLengthDelta),
        Just(Fault::Chunked),
        any::<u64>().prop_map(Fault::CloseAfter),
        any::<u64>().prop_map(Fault::ResetAfter),
        (
            prop::sample::select(vec![301u16, 302, 303, 307, 308]),
            redirect_to(),
            1u32..10
        )
            .prop_map(|(status, to, hops)| Fault::Redirect { status, to, hops }),
        (proptest::option::of(text()), proptest::option::of(text())).prop_map(
            |(filename, filename_star)| Fault::ContentDisposition {
                filename,
                filename_star
            }
        ),
        Just(Fault::Gzip),
        (any::<u64>(), any::<u64>())
            .prop_map(|(bytes, every_ms)| Fault::SlowHeaders { bytes, every_ms }),
        text().prop_map(Fault::Raw),
        (text(), text()).prop_map(|(name, value)| Fault::Header { name, value }),
        Just(Fault::LowercaseHeaders),
        any::<u64>().prop_map(Fault::UploadResetAfter),
        Just(Fault::UploadEarly413),
        any::<u64>().prop_map(Fault::UploadReadBps),
    ]
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        prop::sample::select(Target::ALL.to_vec()),
        prop::collection::vec(fault(), 0..6),
    )
        .prop_map(|(target, faults)| Scenario {
            target,
            faults,
            feishu: None,
        })
}

proptest! {
    #[test]
    fn grammar_round_trips(s in scenario()) {
        let q = s.to_query();
        prop_assert_eq!(Scenario::from_query(&q), Ok(s), "query: {}", q);
    }

    #[test]
    fn arbitrary_queries_never_panic(q in "(?s).{0,80}") {
        let _ = Scenario::from_query(&q);
    }

    #[test]
    fn query_like_strings_never_panic(q in "([a-z_*]{1,20}(=[-+0-9a-z:;%*]{0,12})?&){0,6}") {
        let _ = Scenario::from_query(&q);
    }
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn random_bytes_at_the_socket_never_stop_the_server() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let http = t.s().base_url(mock_server::ListenerKind::Http);
    let https = t.s().base_url(mock_server::ListenerKind::Https);
    let addrs: Vec<String> = [http, https]
        .iter()
        .map(|u| u.split("://").nth(1).unwrap().to_string())
        .collect();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 64,
        ..ProptestConfig::default()
    });
    let bytes = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..2048),
        "(GET|POST|PUT|OPTIONS) /[a-z/?=&%]{0,40} HTTP/1\\.[01]\r\n([A-Za-z-]{1,12}: [ -~]{0,20}\r\n){0,5}\r\n".prop_map(String::into_bytes),
    ];
    runner
        .run(&(bytes, 0usize..2), |(data, which)| {
            if let Ok(mut s) = TcpStream::connect(&addrs[which]) {
                let _ = s.set_read_timeout(Some(Duration::from_millis(300)));
                let _ = s.write_all(&data);
                let _ = s.shutdown(std::net::Shutdown::Write);
                let mut sink = Vec::new();
                let _ = s.read_to_end(&mut sink);
            }
            Ok(())
        })
        .unwrap();
    let r = curl(&[&t.http("/f/a?body=1000")]);
    assert_eq!((r.code, r.stdout.len()), (0, 1000));
    let ca = t.ca();
    let r = curl(&[
        "--cacert",
        ca.to_str().unwrap(),
        &t.url(mock_server::ListenerKind::Https, "/f/a?body=1000"),
    ]);
    assert_eq!((r.code, r.stdout.len()), (0, 1000));
}

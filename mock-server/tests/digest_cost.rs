//! A generated body costs no hashing when nobody reads it. In a test binary of its own, so
//! that no other test's server work shows in this process's CPU time.

mod common;
#[path = "../../harness/needs.rs"]
mod needs;

use common::{TestServer, curl};

/// CPU time this test process has used so far, in clock ticks (user + system).
fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("Linux /proc");
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')').expect("stat format") + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    fields[11].parse::<u64>().unwrap_or(0) + fields[12].parse::<u64>().unwrap_or(0)
}

/// A generated body nobody reads costs no hashing: HEAD of 8 GiB, and a GET that goes away
/// after a few bytes, leave the server idle (hashing 8 GiB takes many seconds of CPU).
#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn a_body_nobody_reads_is_never_hashed() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let r = curl(&["-I", "--max-time", "5", &t.http("/f/a?body=8g&seed=1")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = curl(&[
        "--max-time",
        "1",
        "-o",
        "/dev/null",
        &t.http("/f/b?body=8g&seed=2&bandwidth_bps=65536"),
    ]);
    assert_eq!(r.code, 28, "{}", r.stderr);
    let before = cpu_ticks();
    std::thread::sleep(std::time::Duration::from_secs(2));
    let used = cpu_ticks() - before;
    // 100 ticks a second: a background digest would use about 200 in these 2 s.
    assert!(
        used < 50,
        "the server kept a core busy: {used} ticks in 2 s"
    );
}

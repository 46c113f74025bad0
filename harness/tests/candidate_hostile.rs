//! Hostile process candidates, driven through the `dlconform` binary: what they write cannot
//! make the harness's memory grow without bound, a candidate that exits is seen at once even
//! when a child holds its stdout, its descendants are ended with the run, and Ctrl-C or
//! SIGTERM stop the run with the cases finished so far.

mod cli_support;
#[path = "../needs.rs"]
mod needs;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cli_support::python;
use serde_json::Value;

/// A generous bound on the harness's peak memory: a run of one small case needs a few tens of
/// MiB; buffering a 200 MB line or a million events needs hundreds.
const PEAK_RSS_BOUND_KIB: i64 = 160 * 1024;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn candidate(mode: &str, file: &Path) -> String {
    let script = fixtures().join("candidates/hostile.py");
    format!(
        "cmd:{} {} {mode} {}",
        python(),
        script.display(),
        file.display()
    )
}

/// The run's arguments for `cases` of the hostile fixture specs, writing under `dir`.
fn args(mode: &str, dir: &Path, cases: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = vec![
        "run".into(),
        "--candidate".into(),
        candidate(mode, &dir.join("file")),
        "--specs".into(),
        fixtures().join("specs/hostile.yaml").display().to_string(),
        "--jobs".into(),
        "1".into(),
        "--durations-from".into(),
        dir.join("none.json").display().to_string(),
        // The fixture's marker and pid files are the test's side channel, outside any sandbox;
        // confinement itself is tested in candidate_sandbox.rs.
        "--sandbox".into(),
        "off".into(),
    ];
    for case in cases {
        args.push("--case".into());
        args.push(case.to_string());
    }
    args
}

struct Finished {
    code: Option<i32>,
    peak_rss_kib: i64,
    stderr: String,
    stdout: String,
    /// From the first signal to the harness's exit (interrupted runs only).
    stopped_in: Duration,
}

/// Run the binary in `dir` to its end and take its peak RSS from wait4.
fn run_measured(dir: &Path, args: &[String]) -> Finished {
    let stderr_path = dir.join("stderr.txt");
    // Reaped by wait4 below, which also gives its resource usage.
    #[allow(clippy::zombie_processes)]
    let child = Command::new(env!("CARGO_BIN_EXE_dlconform"))
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr_path).expect("stderr file"))
        .spawn()
        .expect("dlconform runs");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value; wait4 writes into the two locals only.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4 for the harness");
    Finished {
        code: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
        peak_rss_kib: usage.ru_maxrss,
        stderr: std::fs::read_to_string(&stderr_path).unwrap_or_default(),
        stdout: String::new(),
        stopped_in: Duration::ZERO,
    }
}

/// results.json of the run written under `dir/reports/latest` (or the only run folder).
/// The cases are those of the hostile fixture specs, each with a 20 s deadline, so that a
/// loaded machine does not turn an ERROR or a CRASH into a TIMEOUT.
fn results(dir: &Path) -> Value {
    let latest = dir.join("reports/latest/results.json");
    let path = if latest.exists() {
        latest
    } else {
        only_run_folder(dir).join("results.json")
    };
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).expect("results.json parses")
}

fn only_run_folder(dir: &Path) -> PathBuf {
    let runs: Vec<PathBuf> = std::fs::read_dir(dir.join("reports"))
        .expect("reports folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n != "latest" && n != "previous")
        })
        .collect();
    assert_eq!(runs.len(), 1, "one run folder: {runs:?}");
    runs[0].clone()
}

fn case<'a>(results: &'a Value, id: &str) -> &'a Value {
    results["cases"]
        .as_array()
        .and_then(|cases| cases.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no case {id} in {results}"))
}

fn status_and_reason(case: &Value) -> (String, String) {
    (
        case["status"].as_str().unwrap_or_default().to_string(),
        case["reason"].as_str().unwrap_or_default().to_string(),
    )
}

const QUICK: &str = "wechat/download/one";
const TIMED: &str = "wechat/download/two";
/// A report written from results.json.
const REPORT: &str = "report.html";
/// How soon after a signal an interrupted run must have ended: "within a second or two",
/// with room for a loaded machine.
const STOP_BOUND: Duration = Duration::from_secs(3);

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn a_200_mb_line_is_dropped_unbuffered_and_is_an_error_of_its_call() {
    needs::require(&["python3"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let run = run_measured(dir.path(), &args("long-line", dir.path(), &[QUICK, TIMED]));
    let results = results(dir.path());
    let (status, reason) = status_and_reason(case(&results, QUICK));
    assert_eq!(status, "ERROR", "{reason}\n{}", run.stderr);
    assert!(
        reason.contains("209715") && reason.contains("over the cap of 1048576 bytes"),
        "{reason}"
    );
    // The other case ran on the same candidate instance, untouched.
    let (status, reason) = status_and_reason(case(&results, TIMED));
    assert_ne!(status, "CRASH", "{reason}");
    assert_eq!(results["run"]["candidate"]["starts"], 1);
    assert!(
        run.peak_rss_kib < PEAK_RSS_BOUND_KIB,
        "peak RSS {} KiB",
        run.peak_rss_kib
    );
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn a_million_events_for_one_call_are_counted_past_the_cap_not_kept() {
    needs::require(&["python3"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let run = run_measured(dir.path(), &args("many-events", dir.path(), &[QUICK]));
    let results = results(dir.path());
    let (status, reason) = status_and_reason(case(&results, QUICK));
    assert_eq!(status, "ERROR", "{reason}\n{}", run.stderr);
    assert!(reason.contains("over the cap of 10000 events"), "{reason}");
    let counted: u64 = reason
        .split(" sent ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(counted > 10_000, "counted past the cap: {reason}");
    let kept = case(&results, QUICK)["observation"]["calls"][0]["events"]
        .as_array()
        .map_or(0, Vec::len);
    assert!(kept <= 10_000, "{kept} events kept");
    let size = std::fs::metadata(only_run_folder(dir.path()).join("results.json"))
        .map(|m| m.len())
        .unwrap_or(u64::MAX);
    assert!(size < 8 * 1024 * 1024, "results.json of {size} bytes");
    assert!(
        run.peak_rss_kib < PEAK_RSS_BOUND_KIB,
        "peak RSS {} KiB",
        run.peak_rss_kib
    );
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn invalid_utf8_is_an_error_of_its_call_not_a_crash_of_every_case() {
    needs::require(&["python3"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let run = run_measured(dir.path(), &args("bad-utf8", dir.path(), &[QUICK, TIMED]));
    let results = results(dir.path());
    // The fixture spoils the first call it gets, whichever case that is; the other case is
    // judged on its own answer.
    let both = [QUICK, TIMED].map(|id| status_and_reason(case(&results, id)));
    let spoiled: Vec<_> = both
        .iter()
        .filter(|(status, _)| status == "ERROR")
        .collect();
    assert_eq!(spoiled.len(), 1, "{both:?}\n{}", run.stderr);
    assert!(spoiled[0].1.contains("invalid UTF-8"), "{both:?}");
    assert!(both.iter().all(|(status, _)| status != "CRASH"), "{both:?}");
    assert_eq!(results["run"]["candidate"]["starts"], 1);
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn a_candidate_that_exits_while_a_child_holds_its_stdout_is_a_crash_at_once_and_restarts() {
    needs::require(&["python3"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let run = run_measured(
        dir.path(),
        &args("exit-leaving-child", dir.path(), &[QUICK, TIMED]),
    );
    let results = results(dir.path());
    // Run longest first: whichever case came first met the dying instance.
    let cases = results["cases"].as_array().cloned().unwrap_or_default();
    let crashed: Vec<&Value> = cases.iter().filter(|c| c["status"] == "CRASH").collect();
    assert_eq!(crashed.len(), 1, "{results}\n{}", run.stderr);
    let took = crashed[0]["duration_ms"].as_u64().unwrap_or(u64::MAX);
    assert!(took < 5_000, "CRASH after {took} ms");
    let (_, reason) = status_and_reason(crashed[0]);
    assert!(reason.contains("exited with code 3"), "{reason}");
    let other = cases
        .iter()
        .find(|c| c["status"] != "CRASH")
        .expect("the other case");
    assert_eq!(other["status"], "PASS", "{other}");
    assert_eq!(results["run"]["candidate"]["starts"], 2);
}

/// Whether `pid` is a live process (not gone, not a zombie).
fn running(pid: u32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat
        .rsplit(')')
        .next()
        .and_then(|s| s.split_whitespace().next());
    matches!(state, Some(s) if s != "Z" && s != "X")
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn a_grandchild_that_called_setsid_is_gone_after_the_run() {
    needs::require(&["python3"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let run = run_measured(dir.path(), &args("setsid-grandchild", dir.path(), &[QUICK]));
    let pid: u32 = std::fs::read_to_string(dir.path().join("file"))
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or_else(|| panic!("the candidate wrote its grandchild's pid\n{}", run.stderr));
    let deadline = Instant::now() + Duration::from_secs(3);
    while running(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!running(pid), "setsid sleep {pid} outlived the run");
}

/// Processes whose command line mentions `needle`.
fn processes_mentioning(needle: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
                .filter(|pid| {
                    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                    running(*pid) && String::from_utf8_lossy(&cmdline).contains(needle)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Start a slow run of four cases in `dir` (reports/latest pointing at an earlier run, TMPDIR
/// inside `dir`), wait until two calls were answered, send `signals`, and wait for its end.
fn interrupted_run(dir: &Path, signals: &[libc::c_int]) -> Finished {
    let previous = dir.join("reports/previous");
    std::fs::create_dir_all(&previous).expect("reports/previous");
    std::fs::write(previous.join("results.json"), "{}").expect("earlier results");
    std::os::unix::fs::symlink("previous", dir.join("reports/latest")).expect("latest link");
    let tmp = dir.join("tmp");
    std::fs::create_dir_all(&tmp).expect("tmp");
    let answered = dir.join("file");
    let cases = [
        QUICK,
        TIMED,
        "wechat/download/three",
        "wechat/download/four",
    ];
    let stderr_path = dir.join("stderr.txt");
    let stdout_path = dir.join("stdout.txt");
    let mut child = Command::new(env!("CARGO_BIN_EXE_dlconform"))
        .current_dir(dir)
        .args(args("slow", dir, &cases))
        .env("TMPDIR", &tmp)
        .stdout(std::fs::File::create(&stdout_path).expect("stdout file"))
        .stderr(std::fs::File::create(&stderr_path).expect("stderr file"))
        .spawn()
        .expect("dlconform runs");
    let deadline = Instant::now() + Duration::from_secs(60);
    // With --jobs 1 the second call is sent only once the first case finished.
    while std::fs::read_to_string(&answered)
        .map(|t| t.lines().count())
        .unwrap_or(0)
        < 2
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    let stopping = Instant::now();
    for &signal in signals {
        // SAFETY: kill takes plain integers.
        unsafe { libc::kill(child.id() as libc::pid_t, signal) };
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = child.wait().expect("wait for the harness");
    let stopped_in = stopping.elapsed();
    eprintln!("stopped {stopped_in:?} after the first signal");
    Finished {
        code: status.code(),
        peak_rss_kib: 0,
        stderr: std::fs::read_to_string(&stderr_path).unwrap_or_default(),
        stdout: std::fs::read_to_string(&stdout_path).unwrap_or_default(),
        stopped_in,
    }
}

/// What every interrupted run leaves: an end within a second or two of the signal (a case is
/// in flight, its answer 1.5 s away), a summary that says the run was interrupted and claims
/// no verdict, results marked with the signal and holding the finished cases, reports/latest
/// untouched, no temp folder and no candidate process.
fn assert_interrupted_cleanly(dir: &Path, run: &Finished, signal: &str, code: i32) {
    assert_eq!(run.code, Some(code), "{}", run.stderr);
    assert!(
        run.stopped_in < STOP_BOUND,
        "stopped {:?} after {signal}\n{}",
        run.stopped_in,
        run.stderr
    );
    assert!(
        !run.stdout.contains("every required case as expected")
            && !run.stdout.contains("result: required cases"),
        "an interrupted run claims a verdict:\n{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains(&format!("result: interrupted by {signal}")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("cases finished"),
        "says what finished:\n{}",
        run.stdout
    );
    let latest = std::fs::read_link(dir.join("reports/latest")).expect("latest still a link");
    assert_eq!(latest, Path::new("previous"));
    let folder = only_run_folder(dir);
    let text = std::fs::read_to_string(folder.join("results.json")).expect("results.json");
    let results: Value = serde_json::from_str(&text).expect("results.json parses");
    assert_eq!(results["run"]["interrupted"], signal, "{}", run.stderr);
    let finished = results["cases"].as_array().map_or(0, Vec::len);
    assert!((1..4).contains(&finished), "{finished} cases finished");
    assert!(folder.join(REPORT).exists(), "reports written from it");
    let left: Vec<_> = std::fs::read_dir(dir.join("tmp"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "temp folders left: {left:?}");
    assert_no_candidate_left(dir);
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn ctrl_c_stops_the_run_with_the_finished_cases_and_exit_130() {
    needs::require(&["python3"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let run = interrupted_run(dir.path(), &[libc::SIGINT]);
    assert_interrupted_cleanly(dir.path(), &run, "SIGINT", 130);
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn sigterm_stops_the_run_with_the_finished_cases_and_exit_143() {
    needs::require(&["python3"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let run = interrupted_run(dir.path(), &[libc::SIGTERM]);
    assert_interrupted_cleanly(dir.path(), &run, "SIGTERM", 143);
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn a_second_ctrl_c_exits_at_once_and_leaves_no_candidate() {
    needs::require(&["python3"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let run = interrupted_run(dir.path(), &[libc::SIGINT, libc::SIGINT]);
    assert_eq!(run.code, Some(130), "{}", run.stderr);
    assert_no_candidate_left(dir.path());
}

/// Within 3 s no process names the run's candidate file any more.
fn assert_no_candidate_left(dir: &Path) {
    let needle = dir.join("file").display().to_string();
    let deadline = Instant::now() + Duration::from_secs(3);
    while !processes_mentioning(&needle).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        processes_mentioning(&needle),
        Vec::<u32>::new(),
        "candidate left"
    );
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn the_event_cap_is_set_on_the_command_line() {
    needs::require(&["python3"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut args = args("many-events", dir.path(), &[QUICK]);
    args.extend(["--max-events-per-call".to_string(), "50".to_string()]);
    let run = run_measured(dir.path(), &args);
    let results = results(dir.path());
    let (status, reason) = status_and_reason(case(&results, QUICK));
    assert_eq!(status, "ERROR", "{reason}\n{}", run.stderr);
    assert!(reason.contains("over the cap of 50 events"), "{reason}");
    let kept = case(&results, QUICK)["observation"]["calls"][0]["events"]
        .as_array()
        .map_or(0, Vec::len);
    assert!(kept <= 50, "{kept} events kept");
}

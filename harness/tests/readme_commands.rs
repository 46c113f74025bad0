//! Every `dlconform` command in the README's code blocks runs as written and exits as the
//! README says: the commands are read from README.md itself, so one that stops working (or a
//! new one nobody checked) fails this test.
//!
//! Each command runs through `sh -c` with the built `dlconform` first on PATH (as after
//! `cargo install --path harness`; `cargo run -p dlconform --` becomes `dlconform`), from a
//! scratch folder holding what the repository root holds for it (`specs/`, the example
//! candidate), so reports, snapshots and rewritten expectations land there. To stay within the
//! CI budget, `run` and `selftest` get a narrow `--case`/`--platform` appended; placeholders
//! (`...`, `my-adapter.js`, `path/to/`) are filled in. The table [`PLANS`] says, per command,
//! what is appended or filled in, what must run before it and the exit code the README implies;
//! the only commands not run are listed there with why.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

mod cli_support;
#[path = "../needs.rs"]
mod needs;

use cli_support::workspace;

/// A case pattern present on douyin and wechat whose cases take milliseconds.
const NARROW: &str = "--case 'download/status/**'";
/// A run that leaves failures in reports/latest/results.json: a mutant the status cases catch.
const FAILING_RUN: &str =
    "dlconform run --candidate mutant:fail-on-http-error --case 'download/status/**'";
/// Longest any one command may take.
const COMMAND_TIMEOUT_S: u64 = 180;

/// How one README command is run.
enum Plan {
    /// Run through `sh -c`: `fill` replaces placeholders, `append` is added at the end, each
    /// `setup` command runs first (and must exit 1: it is a failing run), then the command must
    /// exit with `exit`.
    Run {
        fill: &'static [(&'static str, &'static str)],
        append: &'static str,
        setup: &'static [&'static str],
        exit: i32,
    },
    /// A command of a GitHub Actions matrix: run once per part (`${{ matrix.part }}` = 1, 2,
    /// 3), then each part's results.json is put where the download-artifact step puts it
    /// (`parts/part-N/`).
    Matrix {
        fill: &'static [(&'static str, &'static str)],
        append: &'static str,
    },
    /// A server that runs until stopped: it must print its table, then exit 0 on SIGTERM.
    Serve {
        fill: &'static [(&'static str, &'static str)],
    },
    /// Not run, and why.
    Skip(&'static str),
}

/// Every command the README shows, as written there (comment cut, continuation lines joined),
/// in README order, with how it is run. A README command missing here fails the test, and so
/// does an entry no README line has any more.
const PLANS: &[(&str, Plan)] = &[
    (
        "cargo run -p dlconform -- run",
        Plan::Run {
            fill: &[],
            append: NARROW,
            setup: &[],
            exit: 0,
        },
    ),
    (
        "dlconform run --list --filter 'platform(douyin) and not id(download/size/**)'",
        Plan::Run {
            fill: &[],
            append: NARROW,
            setup: &[],
            exit: 0,
        },
    ),
    (
        "dlconform run --filter 'tier(required) and (api(uploadFile) or platform(wechat))'",
        Plan::Run {
            fill: &[],
            append: NARROW,
            setup: &[],
            exit: 0,
        },
    ),
    (
        "dlconform run --filter 'status(fail, timeout)'",
        Plan::Run {
            fill: &[],
            append: "",
            setup: &[FAILING_RUN],
            exit: 0,
        },
    ),
    (
        "dlconform run --rerun-failed",
        Plan::Run {
            fill: &[],
            append: "",
            setup: &[FAILING_RUN],
            exit: 0,
        },
    ),
    (
        "dlconform run --rerun-failed out/results.json --platform wechat",
        Plan::Run {
            fill: &[],
            append: "",
            setup: &[
                "dlconform run --candidate mutant:fail-on-http-error --case 'download/status/**' --out out",
            ],
            exit: 0,
        },
    ),
    (
        "dlconform run --retries 2 --strict",
        Plan::Run {
            fill: &[],
            append: NARROW,
            setup: &[],
            exit: 0,
        },
    ),
    (
        "cargo run -p dlconform -- run --candidate 'cmd:node my-adapter.js' --partition ${{ matrix.part }}/3 --out out/part-${{ matrix.part }}",
        Plan::Matrix {
            // The user's adapter: any process candidate; the built-in reference over stdio is one.
            fill: &[("node my-adapter.js", "dlconform candidate-stdio reference")],
            append: NARROW,
        },
    ),
    (
        "cargo run -p dlconform -- report merge parts/*/results.json --out merged --fail-on-unexpected",
        Plan::Run {
            fill: &[],
            append: "",
            setup: &[],
            exit: 0,
        },
    ),
    (
        "cargo run -p dlconform -- run --candidate 'cmd:node candidates/example-node/adapter.js' --candidate-name example-node --platform wechat",
        Plan::Run {
            fill: &[],
            append: NARROW,
            setup: &[],
            exit: 0,
        },
    ),
    (
        "dlconform compat",
        Plan::Run {
            // Installs are npm and pip downloads: the narrowed matrix runs what is installed.
            fill: &[],
            append: "--no-install --candidates reference,example-node --case 'download/status/**' --check-snapshots false",
            setup: &[],
            exit: 0,
        },
    ),
    (
        "dlconform compat --no-install --candidates reference,example-node --jobs 8",
        Plan::Run {
            // The scratch root has no stored snapshots: all would be new.
            fill: &[],
            append: "--case 'download/status/**' --check-snapshots false",
            setup: &[],
            exit: 0,
        },
    ),
    (
        "dlconform snapshot accept --results reports/compat/runs/example-node/results.json --candidate example-node",
        Plan::Run {
            fill: &[],
            append: "",
            // Exits 1: every snapshot is new in the scratch root, which is what accept stores.
            setup: &[
                "dlconform compat --no-install --candidates example-node --case 'download/status/**'",
            ],
            exit: 0,
        },
    ),
    (
        "cargo run -p dlconform -- serve --platform douyin --http-port 8080",
        Plan::Serve {
            // Any free port: a fixed one may be taken on a shared machine.
            fill: &[("--http-port 8080", "--http-port 0")],
        },
    ),
    (
        "cargo run -p dlconform -- serve --platform douyin --bind 0.0.0.0 --advertise 192.168.1.20 --port-base 18000 --state-dir ~/.dlconform-serve",
        Plan::Skip(
            "for a phone on the LAN: binds every interface on the fixed ports 18000-18007 and keeps its CA in the home folder; harness/tests/serve_device.rs walks the same path on 127.0.0.2",
        ),
    ),
    (
        "dlconform run --candidate 'cmd:node candidates/example-node/adapter.js' --candidate-name example-node --platform wechat",
        Plan::Run {
            fill: &[],
            append: NARROW,
            setup: &[],
            exit: 0,
        },
    ),
    (
        "dlconform run --candidate ... --expectations path/to/expectations.yaml",
        Plan::Run {
            fill: &[
                (
                    "--candidate ...",
                    "--candidate 'cmd:node candidates/example-node/adapter.js'",
                ),
                ("path/to/", "candidates/example-node/"),
            ],
            append: "--platform wechat --case 'download/status/**'",
            setup: &[],
            exit: 0,
        },
    ),
    (
        "dlconform run --candidate ... --candidate-name example-node --update-expectations",
        Plan::Run {
            fill: &[(
                "--candidate ...",
                "--candidate 'cmd:node candidates/example-node/adapter.js'",
            )],
            append: "--platform wechat --case 'download/status/**'",
            setup: &[],
            exit: 0,
        },
    ),
    (
        "dlconform expectations write --from reports/compat/results.json --candidate taro-h5",
        Plan::Run {
            // The scratch root's matrix holds the example's run, made by the compat commands
            // above (taro-h5 needs Chromium).
            fill: &[("--candidate taro-h5", "--candidate example-node --stdout")],
            append: "",
            setup: &[],
            exit: 0,
        },
    ),
    (
        "dlconform run ... --strict",
        Plan::Run {
            fill: &[(
                "run ...",
                "run --candidate 'cmd:node candidates/example-node/adapter.js' --candidate-name example-node --platform wechat",
            )],
            append: NARROW,
            setup: &[],
            exit: 0,
        },
    ),
    (
        "dlconform run --snapshots check",
        Plan::Run {
            fill: &[],
            append: NARROW,
            setup: &[],
            exit: 0,
        },
    ),
    (
        "dlconform run --snapshots check-strict",
        Plan::Run {
            fill: &[],
            append: NARROW,
            setup: &[],
            // "missing snapshots fail too": none are stored yet.
            exit: 1,
        },
    ),
    (
        "dlconform run --snapshots update",
        Plan::Run {
            fill: &[],
            append: NARROW,
            setup: &[],
            exit: 0,
        },
    ),
    (
        "dlconform snapshot review",
        Plan::Run {
            fill: &[],
            append: "",
            setup: &[],
            exit: 0,
        },
    ),
    (
        "dlconform snapshot review --prune",
        Plan::Run {
            fill: &[],
            append: "",
            setup: &[],
            exit: 0,
        },
    ),
    (
        "dlconform snapshot accept [--results reports/latest/results.json] [--candidate NAME] [--platform P] [--case PATTERN]",
        Plan::Run {
            // A synopsis: the bracketed options are optional; run it with the first one.
            fill: &[(
                " [--results reports/latest/results.json] [--candidate NAME] [--platform P] [--case PATTERN]",
                " --results reports/latest/results.json",
            )],
            append: "",
            setup: &[],
            exit: 0,
        },
    ),
    (
        "dlconform candidates",
        Plan::Run {
            fill: &[],
            append: "",
            setup: &[],
            exit: 0,
        },
    ),
    (
        "dlconform run --candidate mutant:timeout-ignored",
        Plan::Run {
            fill: &[],
            append: "--platform douyin --case 'download/timeout/**'",
            setup: &[],
            // The mutant is caught: its timeout cases fail the run.
            exit: 1,
        },
    ),
    (
        "dlconform selftest [--platform P] [--case PAT] [--filter EXPR] [--mutant NAME...] [--jobs N] [--at-once N] [--json FILE]",
        Plan::Run {
            // A synopsis: run with one platform, a few cases and one mutant (all of them take
            // minutes); exit 0 means the reference passes and the mutant is caught.
            fill: &[(
                " [--platform P] [--case PAT] [--filter EXPR] [--mutant NAME...] [--jobs N] [--at-once N] [--json FILE]",
                " --platform douyin --case 'download/timeout/**' --mutant timeout-ignored --json selftest.json",
            )],
            append: "",
            setup: &[],
            exit: 0,
        },
    ),
];

/// One command found in the README.
#[derive(Debug, Clone)]
struct Found {
    /// Line in README.md (1-based) where it starts.
    line: usize,
    /// The command: comment cut, continuation lines joined, spaces collapsed.
    command: String,
}

/// The `dlconform` commands of README.md's fenced code blocks: lines of shell blocks that
/// start with `dlconform` or `cargo run -p dlconform --`, and `- run:` steps of YAML blocks.
/// Blocks without a language are program output and are left out.
fn commands(readme: &str) -> Vec<Found> {
    let mut found = Vec::new();
    let mut block: Option<String> = None;
    let mut pending: Option<(usize, String)> = None;
    for (index, raw) in readme.lines().enumerate() {
        let line = raw.trim();
        if let Some(lang) = line.strip_prefix("```") {
            block = match block {
                Some(_) => None,
                None => Some(lang.trim().to_string()),
            };
            continue;
        }
        let Some(lang) = &block else { continue };
        if let Some((start, mut text)) = pending.take() {
            text.push(' ');
            text.push_str(line.trim_end_matches('\\'));
            if line.ends_with('\\') {
                pending = Some((start, text));
            } else {
                found.push(Found {
                    line: start,
                    command: normalize(&text),
                });
            }
            continue;
        }
        let candidate = match lang.as_str() {
            "sh" | "bash" | "shell" => line,
            "yaml" | "yml" => match line.strip_prefix("- run:") {
                Some(rest) => rest.trim(),
                None => continue,
            },
            _ => continue,
        };
        if !(candidate.starts_with("dlconform ")
            || candidate == "dlconform"
            || candidate.starts_with("cargo run -p dlconform --"))
        {
            continue;
        }
        if let Some(head) = candidate.strip_suffix('\\') {
            pending = Some((index + 1, head.to_string()));
        } else {
            found.push(Found {
                line: index + 1,
                command: normalize(candidate),
            });
        }
    }
    found
}

/// Cut a trailing shell comment (a `#` after a space, outside quotes) and collapse spaces.
fn normalize(command: &str) -> String {
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    let mut end = command.len();
    for (i, c) in command.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '#' && previous.is_whitespace() => {
                end = i;
                break;
            }
            None => {}
        }
        previous = c;
    }
    command[..end]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// What `cargo install --path harness` gives: the command as `dlconform ...`.
fn installed(command: &str, fill: &[(&str, &str)]) -> String {
    let mut text = command.replacen("cargo run -p dlconform --", "dlconform", 1);
    for (from, to) in fill {
        assert!(
            text.contains(from),
            "`{from}` is not in `{text}`: update PLANS in harness/tests/readme_commands.rs"
        );
        text = text.replace(from, to);
    }
    text
}

/// A scratch repository root: `specs/` and the example candidate (copied, since
/// `--update-expectations` rewrites its file).
fn scratch_root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = workspace();
    copy_dir(&root.join("specs"), &dir.path().join("specs"));
    copy_dir(
        &root.join("candidates/example-node"),
        &dir.path().join("candidates/example-node"),
    );
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder").flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy file");
        }
    }
}

/// PATH with the built `dlconform` first.
fn path_with_dlconform() -> std::ffi::OsString {
    let bin: PathBuf = Path::new(env!("CARGO_BIN_EXE_dlconform"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut paths = vec![bin];
    if let Some(path) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(paths).expect("PATH joins")
}

/// Run `command` with `sh -c` in `cwd`; its exit code (124 when it ran out of time) and output.
fn sh(cwd: &Path, command: &str) -> (i32, String) {
    let output = Command::new("timeout")
        .arg(COMMAND_TIMEOUT_S.to_string())
        .args(["sh", "-c", command])
        .current_dir(cwd)
        .env("PATH", path_with_dlconform())
        .stdin(Stdio::null())
        .output()
        .expect("sh runs");
    let text = format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text)
}

/// Start a server command, wait for its scenario table, stop it with SIGTERM; Ok when it
/// printed the table and exited 0.
fn serve(cwd: &Path, command: &str) -> Result<(), String> {
    let mut child = Command::new("sh")
        .args(["-c", &format!("exec {command}")])
        .current_dir(cwd)
        .env("PATH", path_with_dlconform())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (lines, seen) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(COMMAND_TIMEOUT_S);
    let mut printed = String::new();
    let listed = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match seen.recv_timeout(left) {
            Ok(line) => {
                printed.push_str(&line);
                printed.push('\n');
                if line.contains("download/status/404") {
                    break true;
                }
            }
            Err(_) => break false,
        }
    };
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let started = Instant::now();
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break Some(status);
        }
        if started.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    match (listed, status.and_then(|s| s.code())) {
        (true, Some(0)) => Ok(()),
        (listed, code) => Err(format!(
            "table printed: {listed}; exit after SIGTERM: {code:?}\nstdout:\n{printed}"
        )),
    }
}

fn plan_for(command: &str) -> Option<&'static Plan> {
    PLANS.iter().find(|(c, _)| *c == command).map(|(_, p)| p)
}

#[test]
fn readme_commands_are_all_planned() {
    let readme = std::fs::read_to_string(workspace().join("README.md")).expect("README.md");
    let found = commands(&readme);
    assert!(found.len() >= 20, "README commands found: {found:#?}");
    let unplanned: Vec<String> = found
        .iter()
        .filter(|f| plan_for(&f.command).is_none())
        .map(|f| format!("README.md:{}: {}", f.line, f.command))
        .collect();
    assert!(
        unplanned.is_empty(),
        "README commands this test does not know; add each to PLANS with the exit code the README implies:\n{}",
        unplanned.join("\n")
    );
    let in_readme: BTreeSet<&str> = found.iter().map(|f| f.command.as_str()).collect();
    let stale: Vec<&str> = PLANS
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| !in_readme.contains(c))
        .collect();
    assert!(
        stale.is_empty(),
        "PLANS entries no README code block has any more: {stale:#?}"
    );
}

#[test]
fn extraction_joins_continuations_cuts_comments_and_skips_output() {
    let readme = "```sh\ndlconform run --case 'a#b'   # a comment\ncargo run -p dlconform -- serve \\\n    --bind 0.0.0.0\nnpm ci\n```\n\n```\ndlconform lint: 4 problems\n```\n\n  ```yaml\n  - run: cargo run -p dlconform -- report merge x --out y\n  ```\n";
    let found: Vec<String> = commands(readme).into_iter().map(|f| f.command).collect();
    assert_eq!(
        found,
        vec![
            "dlconform run --case 'a#b'".to_string(),
            "cargo run -p dlconform -- serve --bind 0.0.0.0".to_string(),
            "cargo run -p dlconform -- report merge x --out y".to_string(),
        ]
    );
}

#[test]
#[cfg_attr(skip_node, ignore = "needs node")]
fn every_readme_command_runs_as_written() {
    needs::require(&["node"]);
    let readme = std::fs::read_to_string(workspace().join("README.md")).expect("README.md");
    let found = commands(&readme);
    let root = scratch_root();
    let cwd = root.path();
    let mut failures = Vec::new();
    let mut ran = 0;
    for command in &found {
        let Some(plan) = plan_for(&command.command) else {
            failures.push(format!(
                "README.md:{}: not in PLANS: {}",
                command.line, command.command
            ));
            continue;
        };
        let began = Instant::now();
        let outcome = match plan {
            Plan::Skip(why) => {
                eprintln!(
                    "README.md:{} not run ({why}): {}",
                    command.line, command.command
                );
                continue;
            }
            Plan::Run {
                fill,
                append,
                setup,
                exit,
            } => {
                let mut problem = None;
                for step in *setup {
                    let (code, text) = sh(cwd, step);
                    if code != 1 {
                        problem = Some(format!(
                            "setup `{step}` exited {code}, not 1 (a failing run)\n{text}"
                        ));
                    }
                }
                let line = format!("{} {append}", installed(&command.command, fill));
                let (code, text) = sh(cwd, line.trim());
                match problem {
                    Some(problem) => Err(problem),
                    None if code == *exit => Ok(()),
                    None => Err(format!("`{line}` exited {code}, not {exit}\n{text}")),
                }
            }
            Plan::Matrix { fill, append } => (1..=3).try_for_each(|part| {
                let line = installed(&command.command, fill)
                    .replace("${{ matrix.part }}", &part.to_string());
                let line = format!("{line} {append}");
                let (code, text) = sh(cwd, &line);
                if code != 0 {
                    return Err(format!("`{line}` exited {code}, not 0\n{text}"));
                }
                // What upload-artifact and download-artifact do between the jobs.
                let part_dir = cwd.join(format!("parts/part-{part}"));
                std::fs::create_dir_all(&part_dir).map_err(|e| e.to_string())?;
                std::fs::copy(
                    cwd.join(format!("out/part-{part}/results.json")),
                    part_dir.join("results.json"),
                )
                .map(|_| ())
                .map_err(|e| format!("part {part}: {e}"))
            }),
            Plan::Serve { fill } => serve(cwd, &installed(&command.command, fill)),
        };
        ran += 1;
        eprintln!(
            "README.md:{} ({} ms): {}",
            command.line,
            began.elapsed().as_millis(),
            command.command
        );
        if let Err(problem) = outcome {
            failures.push(format!("README.md:{}: {problem}", command.line));
        }
    }
    assert!(ran >= 20, "ran {ran} README commands");
    assert!(
        failures.is_empty(),
        "README commands that do not work as written:\n\n{}",
        failures.join("\n\n")
    );
}

//! `dlconform compat` end to end: manifests checked with positions, the evidence rule, installs
//! (one failing, the others run), the reference and example-node run at once and merged into one
//! matrix in column order, and snapshots checked per candidate (new, accepted, changed).

mod cli_support;
#[path = "../needs.rs"]
mod needs;
use std::path::{Path, PathBuf};
use std::process::Output;

use cli_support::{dlconform, text, workspace};
use dlconform::report::load_results;
use dlconform::results::RunResults;
use dlconform::verdict::Status;

/// A few quick wechat cases: successes, and one example-node is listed as failing.
const CASES: [&str; 4] = [
    "--case",
    "wechat/download/success/temp-file",
    "--case",
    "wechat/download/body/empty",
];

/// `dlconform compat ARGS` from the repository root (where the manifests' command lines start).
fn compat(args: &[&str]) -> Output {
    let mut all = vec!["compat"];
    all.extend_from_slice(args);
    dlconform(&workspace(), &all)
}

fn out_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn err_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A candidates folder holding one manifest per `(folder, manifest text, expectations text)`.
fn candidates(dir: &Path, folders: &[(&str, &str, &str)]) -> PathBuf {
    let root = dir.join("candidates");
    for (name, manifest, expectations) in folders {
        let folder = root.join(name);
        std::fs::create_dir_all(&folder).expect("folder");
        std::fs::write(folder.join("candidate.yaml"), manifest).expect("manifest");
        std::fs::write(folder.join("expectations.yaml"), expectations).expect("expectations");
    }
    root
}

/// The line of compat's closing table for the candidate `name`.
fn row(output: &Output, name: &str) -> String {
    out_of(output)
        .lines()
        .find(|l| l.contains(&format!("| {name} ")))
        .unwrap_or_else(|| panic!("no row for {name}: {}", text(output)))
        .to_string()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
#[cfg_attr(skip_node, ignore = "needs node")]
fn compat_runs_reference_and_example_node_into_one_matrix_and_checks_snapshots() {
    needs::require(&["node"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("compat");
    let snapshots = dir.path().join("snapshots");
    let mut args = vec![
        "--no-install",
        "--candidates",
        "reference,example-node",
        "--out",
        path(&out),
        "--snapshot-dir",
        path(&snapshots),
        "--jobs",
        "4",
    ];
    args.extend_from_slice(&CASES);

    // First run: nothing stored, so every snapshot is new and pending; that is not a match.
    let first = compat(&args);
    assert_eq!(first.status.code(), Some(1), "{}", text(&first));
    let stdout = out_of(&first);
    assert!(
        stdout.contains("snapshot pending (example-node): wechat/download/success/temp-file"),
        "{}",
        text(&first)
    );
    assert!(
        snapshots
            .join("example-node/wechat/download__success__temp-file.yaml.new")
            .is_file()
    );
    // How to settle them, with this run's names and paths.
    let hint = format!(
        "`dlconform snapshot accept --results {} --candidate example-node --snapshot-dir {}`",
        out.join("runs/example-node/results.json").display(),
        snapshots.display()
    );
    assert!(stdout.contains(&hint), "{}", text(&first));
    assert!(
        snapshots
            .join("reference/wechat/download__body__empty.yaml.new")
            .is_file()
    );

    // The matrix: both columns merged, each run's own results kept, every report written.
    let merged = load_results(&out.join("results.json")).expect("merged results");
    let labels: Vec<&str> = merged.candidates.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels.len(), 2, "{labels:?}");
    assert!(labels[0].starts_with("reference"), "{labels:?}");
    assert_eq!(labels[1], "example-node 0.1.0");
    for file in ["report.html", "report.md", "junit.xml"] {
        assert!(out.join(file).is_file(), "{file} not written");
    }
    let example = RunResults::read(&out.join("runs/example-node/results.json")).expect("run");
    let empty = example
        .cases
        .iter()
        .find(|c| c.id == "wechat/download/body/empty")
        .expect("case ran");
    // Judged with the manifest's expectations file: a listed failure.
    assert_eq!(empty.status, Status::Xfail, "{empty:?}");
    let reference = RunResults::read(&out.join("runs/reference/results.json")).expect("run");
    // The two columns ran at once (each with its own server and candidate), not in turn.
    let span = |r: &RunResults| {
        // `2026-12-03T14:05:07.123456789Z` as (day, seconds into it), comparable as a pair.
        let at = |t: &str| {
            let (day, clock) = t.split_once('T').expect("an RFC 3339 time");
            let seconds: f64 = clock
                .trim_end_matches('Z')
                .split(':')
                .map(|part| part.parse::<f64>().expect("a number"))
                .fold(0.0, |sum, part| sum * 60.0 + part);
            (day.to_string(), seconds)
        };
        (at(&r.run.started_at), at(&r.run.finished_at))
    };
    let ((ref_start, ref_end), (ex_start, ex_end)) = (span(&reference), span(&example));
    assert!(
        ref_start < ex_end && ex_start < ref_end,
        "the runs did not overlap: reference {ref_start:?}..{ref_end:?}, example-node {ex_start:?}..{ex_end:?}"
    );
    let html = std::fs::read_to_string(out.join("report.html")).expect("html");
    let matrix = html
        .split("<section id=\"summary-matrix\">")
        .nth(1)
        .expect("summary matrix");
    assert!(matrix.contains("<th>example-node 0.1.0</th>"), "{matrix}");
    // example-node on wechat: one of two passed; the known failure leads to its checks.
    assert!(
        matrix.contains("<span class=\"rate\">50%</span> passed (1/2)"),
        "{matrix}"
    );
    assert!(
        matrix.contains(
            "<a href=\"#case=wechat%2Fdownload%2Fbody%2Fempty&amp;candidate=1\">download/body/empty</a> <span class=\"chip s-XFAIL\">XFAIL</span>"
        ),
        "{matrix}"
    );

    // Accept both runs' snapshots, and the next run matches.
    for name in ["reference", "example-node"] {
        let results = out.join(format!("runs/{name}/results.json"));
        let accept = dlconform(
            &workspace(),
            &[
                "snapshot",
                "accept",
                "--results",
                path(&results),
                "--candidate",
                name,
                "--snapshot-dir",
                path(&snapshots),
            ],
        );
        assert_eq!(accept.status.code(), Some(0), "{}", text(&accept));
    }
    let second = compat(&args);
    assert_eq!(second.status.code(), Some(0), "{}", text(&second));
    assert!(
        out_of(&second).contains("2 same, 0 changed, 0 new"),
        "{}",
        text(&second)
    );

    // A stored snapshot that no longer matches: the run says so, and the observation waits.
    let stored = snapshots.join("example-node/wechat/download__success__temp-file.yaml");
    let edited = std::fs::read_to_string(&stored)
        .expect("stored")
        .replace("statusCode: 200", "statusCode: 201");
    std::fs::write(&stored, edited).expect("edit");
    let third = compat(&args);
    assert_eq!(third.status.code(), Some(1), "{}", text(&third));
    assert!(
        out_of(&third)
            .contains("snapshot pending (example-node): wechat/download/success/temp-file"),
        "{}",
        text(&third)
    );
    assert!(pending_of(&stored).is_file());
}

fn pending_of(stored: &Path) -> PathBuf {
    let mut name = stored.as_os_str().to_owned();
    name.push(".new");
    PathBuf::from(name)
}

const EXPECTATIONS_WITH_EVIDENCE: &str = "expectations:
  - cases: \"wechat/download/body/empty\"
    checks: [outcome]
    status: FAIL
    reason: \"takes a 0-byte body for a file\"
    evidence:
      observed: \"outcome: success with an empty file\"
      document: \"shared/seeds/wechat-downloadFile.md\"
";

#[test]
fn compat_refuses_bad_manifests_naming_file_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = candidates(
        dir.path(),
        &[
            (
                "extra-key",
                "name: extra-key\ndescription: \"d\"\ncandidate: \"mutant:timeout-ignored\"\nplatforms: [wechat]\nexpectations: expectations.yaml\nbrowser: chromium\n",
                "",
            ),
            (
                "no-platforms",
                "name: no-platforms\ndescription: \"d\"\ncandidate: \"mutant:timeout-ignored\"\nexpectations: expectations.yaml\n",
                "",
            ),
            (
                "bad-platform",
                "name: bad-platform\ndescription: \"d\"\ncandidate: \"mutant:timeout-ignored\"\nplatforms: [wechat, tiktok]\nexpectations: expectations.yaml\n",
                "",
            ),
            (
                "wrong-name",
                "name: other\ndescription: \"d\"\ncandidate: \"mutant:timeout-ignored\"\nplatforms: [wechat]\nexpectations: expectations.yaml\n",
                "",
            ),
        ],
    );
    let out = dir.path().join("out");
    let output = compat(&["--candidates-dir", path(&root), "--out", path(&out)]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let stderr = err_of(&output);
    let at = |folder: &str, position: &str| {
        format!(
            "{}:{position}: ",
            root.join(folder).join("candidate.yaml").display()
        )
    };
    for (folder, position, words) in [
        ("extra-key", "6:1", "unknown field `browser`"),
        ("no-platforms", "4:1", "missing field `platforms`"),
        ("bad-platform", "4:21", "unknown platform `tiktok`"),
        (
            "wrong-name",
            "1:7",
            "`name` is `other` but the folder is `wrong-name`",
        ),
    ] {
        let line = stderr
            .lines()
            .find(|l| l.starts_with(&at(folder, position)))
            .unwrap_or_else(|| panic!("no problem at {folder} {position}:\n{stderr}"));
        assert!(line.contains(words), "{line}");
    }
    assert!(stderr.contains("nothing run"), "{stderr}");
    assert!(
        !out.join("results.json").exists(),
        "ran despite bad manifests"
    );
}

#[test]
fn compat_refuses_a_real_candidate_entry_without_evidence() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bare = "expectations:\n  - cases: \"wechat/download/body/empty\"\n    checks: [outcome]\n    status: FAIL\n    reason: \"takes a 0-byte body for a file\"\n";
    let manifest = |name: &str| {
        format!(
            "name: {name}\ndescription: \"d\"\ncandidate: \"mutant:timeout-ignored\"\nplatforms: [wechat]\nexpectations: expectations.yaml\n"
        )
    };
    let root = candidates(dir.path(), &[("real-lib", &manifest("real-lib"), bare)]);
    let output = compat(&[
        "--candidates-dir",
        path(&root),
        "--out",
        path(&dir.path().join("out")),
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let expected = format!(
        "{}:2:5: evidence: entry `wechat/download/body/empty` has no `evidence`",
        root.join("real-lib/expectations.yaml").display()
    );
    assert!(err_of(&output).contains(&expected), "{}", text(&output));

    // The same entry with its evidence is accepted, and so is a bare entry of the example.
    let dir = tempfile::tempdir().expect("tempdir");
    let root = candidates(
        dir.path(),
        &[
            (
                "real-lib",
                &manifest("real-lib"),
                EXPECTATIONS_WITH_EVIDENCE,
            ),
            ("example-node", &manifest("example-node"), bare),
        ],
    );
    let output = compat(&[
        "--candidates-dir",
        path(&root),
        "--out",
        path(&dir.path().join("out")),
        "--candidates",
        "reference",
        "--case",
        "wechat/download/success/temp-file",
        "--check-snapshots",
        "false",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
}

#[test]
fn compat_reports_a_failed_install_and_still_runs_the_others() {
    let dir = tempfile::tempdir().expect("tempdir");
    let manifest = |name: &str, install: &str| {
        format!(
            "name: {name}\ndescription: \"d\"\ninstall: \"{install}\"\ncandidate: \"mutant:timeout-ignored\"\nplatforms: [wechat]\nexpectations: expectations.yaml\n"
        )
    };
    let root = candidates(
        dir.path(),
        &[
            (
                "broken",
                &manifest("broken", "echo fetching; echo no such package >&2; exit 3"),
                "",
            ),
            (
                "fine",
                &manifest("fine", "echo installed > installed.txt"),
                "",
            ),
        ],
    );
    let out = dir.path().join("out");
    let output = compat(&[
        "--candidates-dir",
        path(&root),
        "--out",
        path(&out),
        "--candidates",
        "broken,fine",
        "--case",
        "wechat/download/success/temp-file",
        "--check-snapshots",
        "false",
    ]);
    // A candidate that could not be installed: the matrix is incomplete, exit 2.
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let broken = row(&output, "broken");
    assert!(broken.contains("FAILED"), "{broken}");
    assert!(broken.contains("COULD NOT RUN"), "{broken}");
    let log = std::fs::read_to_string(out.join("install/broken.log")).expect("install log");
    assert!(
        log.contains("fetching") && log.contains("no such package"),
        "{log}"
    );
    // The other one was installed in its own folder, ran, and is the matrix's one column.
    assert_eq!(
        std::fs::read_to_string(root.join("fine/installed.txt")).expect("installed in its folder"),
        "installed\n"
    );
    let fine = row(&output, "fine");
    assert!(fine.contains("as expected"), "{fine}");
    let merged = load_results(&out.join("results.json")).expect("merged");
    assert_eq!(merged.candidates.len(), 1);
    assert_eq!(
        merged.candidates[0].results.run.candidate.name,
        "mutant:timeout-ignored"
    );
    assert!(!out.join("runs/broken").exists());

    // --no-install: nothing is installed, both run.
    std::fs::remove_file(root.join("fine/installed.txt")).expect("remove marker");
    let output = compat(&[
        "--candidates-dir",
        path(&root),
        "--out",
        path(&out),
        "--candidates",
        "broken,fine",
        "--case",
        "wechat/download/success/temp-file",
        "--check-snapshots",
        "false",
        "--no-install",
    ]);
    // Both columns are the same mutant: the matrix refuses to mix them up.
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        err_of(&output).contains("both say hello as `mutant:timeout-ignored"),
        "{}",
        text(&output)
    );
    assert!(!root.join("fine/installed.txt").exists());
}

#[test]
fn compat_refuses_an_unknown_pick() {
    let output = compat(&[
        "--candidates",
        "no-such-candidate",
        "--out",
        "/nonexistent/never",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        err_of(&output)
            .contains("--candidates: no candidate named no-such-candidate; known: reference"),
        "{}",
        text(&output)
    );
}

#[test]
fn compat_a_candidate_that_will_not_start_costs_only_its_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = candidates(
        dir.path(),
        &[(
            "dead",
            "name: dead\ndescription: \"exits at once\"\ncandidate: \"cmd:exit 1\"\nplatforms: [wechat]\nexpectations: expectations.yaml\n",
            "",
        )],
    );
    let out = dir.path().join("out");
    let output = compat(&[
        "--candidates-dir",
        path(&root),
        "--out",
        path(&out),
        "--case",
        "wechat/download/success/temp-file",
        "--check-snapshots",
        "false",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let dead = row(&output, "dead");
    assert!(
        dead.contains("COULD NOT RUN: candidate would not start"),
        "{dead}"
    );
    // The reference still ran and is the matrix.
    let merged = load_results(&out.join("results.json")).expect("merged");
    assert_eq!(merged.candidates.len(), 1);
    assert_eq!(merged.candidates[0].results.run.candidate.name, "reference");
}

#[test]
fn compat_refuses_a_lack_without_evidence() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = candidates(
        dir.path(),
        &[(
            "bare-lack",
            "name: bare-lack\ndescription: \"d\"\ncandidate: \"mutant:timeout-ignored\"\nplatforms: [wechat]\nexpectations: expectations.yaml\nlacks:\n  - capability: files\n",
            "",
        )],
    );
    let out = dir.path().join("out");
    let output = compat(&["--candidates-dir", path(&root), "--out", path(&out)]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let expected = format!(
        "{}:7:5: `lacks` `files` has no `evidence.observed`",
        root.join("bare-lack/candidate.yaml").display()
    );
    assert!(err_of(&output).contains(&expected), "{}", text(&output));
    assert!(!out.join("results.json").exists(), "ran despite the lack");
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn compat_refuses_a_hello_whose_lacks_differ_from_the_manifest() {
    needs::require(&["python3"]);
    let fixture = workspace().join("harness/tests/fixtures/candidates/lacking.py");
    let manifest = |name: &str, lacks: &str| {
        format!(
            "name: {name}\ndescription: \"d\"\ncandidate: \"cmd:python3 {} files blob\"\nplatforms: [wechat]\nexpectations: expectations.yaml\n{lacks}",
            fixture.display()
        )
    };
    let with_evidence = "lacks:\n  - capability: files\n    evidence: {observed: \"a blob: URL for tempFilePath\", document: \"a browser has no platform file system\"}\n";
    let dir = tempfile::tempdir().expect("tempdir");
    let root = candidates(
        dir.path(),
        &[
            ("silent", &manifest("silent", ""), ""),
            ("declared", &manifest("declared", with_evidence), ""),
        ],
    );
    let out = dir.path().join("out");
    let output = compat(&[
        "--candidates-dir",
        path(&root),
        "--out",
        path(&out),
        "--case",
        "wechat/download/success/temp-file",
        "--check-snapshots",
        "false",
    ]);
    // The hello lacks `files`; only the manifest that declares it with evidence runs.
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let silent = row(&output, "silent");
    assert!(
        silent.contains("COULD NOT RUN")
            && silent.contains("its hello lacks `files` that its candidate.yaml does not list"),
        "{silent}"
    );
    let declared = row(&output, "declared");
    assert!(!declared.contains("COULD NOT RUN"), "{declared}");
    let ran = load_results(&out.join("runs/declared/results.json")).expect("declared ran");
    assert_eq!(ran.candidates[0].results.run.candidate.lacks, ["files"]);
}

#[test]
fn compat_stops_an_install_past_its_time_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = candidates(
        dir.path(),
        &[(
            "slow",
            "name: slow\ndescription: \"installs forever\"\ninstall: \"sleep 60 & wait; echo finished > finished.txt\"\ncandidate: \"mutant:timeout-ignored\"\nplatforms: [wechat]\nexpectations: expectations.yaml\n",
            "",
        )],
    );
    let started = std::time::Instant::now();
    let output = compat(&[
        "--candidates-dir",
        path(&root),
        "--out",
        path(&dir.path().join("out")),
        "--candidates",
        "reference,slow",
        "--case",
        "wechat/download/success/temp-file",
        "--check-snapshots",
        "false",
        "--install-timeout",
        "1",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        out_of(&output).contains("took longer than 1 s"),
        "{}",
        text(&output)
    );
    // The whole process group went: the background sleep did not hold the command for 60 s.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(45),
        "took {:?}",
        started.elapsed()
    );
    assert!(!root.join("slow/finished.txt").exists());
}

//! report.html: self-contained, data embedded safely, and drawn by its script in a real
//! browser (headless Chromium): the matrix, the cells, the detail panel and its chart.
//!
//! Needs `chromium` on PATH (or its path in `DLCONFORM_CHROMIUM`); without it the browser tests
//! are ignored outside CI and fail under `CI` (harness/needs.rs). The click test also needs
//! `node` and bridge/test installed (playwright-core drives the page).

#[path = "../needs.rs"]
mod needs;
mod report_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use dlconform::report::{MergedResults, html, merge, write_reports};
use report_support::{run_of, sample_cases, sample_run};

fn two_candidates() -> MergedResults {
    let mut other = sample_cases();
    other.truncate(6);
    for case in &mut other {
        case.status = case.expected;
    }
    merge(vec![
        MergedResults::from(sample_run()),
        MergedResults::from(run_of("other", "2.0.0", other)),
    ])
    .expect("merged")
    .merged
}

#[test]
fn report_html_is_self_contained_and_escapes_data() {
    let page = html::render(&MergedResults::from(sample_run())).expect("rendered");
    for external in ["src=\"http", "href=\"http", "@import", "url(http", "<link"] {
        assert!(!page.contains(external), "external reference {external}");
    }
    // The summary holds `</script>` and `<!--`: only the page's own two scripts may end.
    assert_eq!(page.matches("</script>").count(), 2);
    assert!(!page.contains("<!-- a comment"));
    assert!(page.contains("\\u003c/script\\u003e\\u003cb id=\\\"injected\\\"\\u003e"));
    // The matrix is drawn by the script, not written into the page.
    assert!(!page.contains("data-case="));
    assert!(!page.contains("id=\"matrix\""));
}

#[test]
fn report_html_summary_matrix_is_platform_by_candidate() {
    let page = html::render(&two_candidates()).expect("rendered");
    let matrix = page
        .split("<section id=\"summary-matrix\">")
        .nth(1)
        .and_then(|rest| rest.split("</section>").next())
        .unwrap_or_else(|| panic!("no summary matrix in {page}"));
    assert!(
        matrix.contains("<tr><th>platform</th><th>fixture 1.0.0</th><th>other 2.0.0</th></tr>"),
        "{matrix}"
    );
    let row = |platform: &str| {
        matrix
            .split(&format!("<tr><th>{platform}</th>"))
            .nth(1)
            .and_then(|rest| rest.split("</tr>").next())
            .unwrap_or_else(|| panic!("no row {platform} in {matrix}"))
            .to_string()
    };
    // douyin: one required case passed of three; TIMEOUT and FAIL (one required check) are
    // required cases not as expected.
    let douyin = row("douyin");
    assert!(
        douyin.contains(
            "<span class=\"rate\">33%</span> passed (1/3)<div class=\"tiers\">required 1/3 · recommended 0/0</div>"
        ),
        "{douyin}"
    );
    assert!(
        douyin.contains("data-required=\"2\" data-recommended=\"0\""),
        "{douyin}"
    );
    assert!(
        douyin.contains(
            "<span class=\"rate\">100%</span> passed (3/3)<div class=\"tiers\">required 3/3 · recommended 0/0</div>"
        ),
        "{douyin}"
    );
    // The cell leads to its failed cases and their check ids, recommended ones marked.
    assert!(
        douyin.contains("<summary>2 did not pass</summary>"),
        "{douyin}"
    );
    assert!(
        douyin.contains(
            "<a href=\"#case=douyin%2Fdownload%2Ftls%2Fself-signed&amp;candidate=0\">download/tls/self-signed</a> \
             <span class=\"chip s-FAIL\">FAIL</span>: <code>errno</code>, <code>errMsg (recommended)</code>"
        ),
        "{douyin}"
    );
    assert!(
        douyin.contains("<span class=\"chip s-TIMEOUT\">TIMEOUT</span></li>"),
        "{douyin}"
    );
    // wechat: CRASH of a required case; ERROR and XFAIL of recommended cases did not pass, XPASS
    // did (it is not as expected all the same).
    let wechat = row("wechat");
    assert!(
        wechat.contains(
            "<span class=\"rate\">25%</span> passed (1/4)<div class=\"tiers\">required 0/1 · recommended 1/3</div>"
        ),
        "{wechat}"
    );
    assert!(
        wechat.contains("data-required=\"1\" data-recommended=\"2\""),
        "{wechat}"
    );
    assert!(
        wechat.contains("<span class=\"req-fail\">1 required not as expected</span>"),
        "{wechat}"
    );
    assert!(
        wechat.contains("<span class=\"rec-fail\">2 recommended not as expected</span>"),
        "{wechat}"
    );
    assert!(
        wechat.contains("<li class=\"recommended\"><a href=\"#case=wechat%2Fdownload%2Fheader%2Freferer&amp;candidate=0\">"),
        "a known failure is listed, not as unexpected: {wechat}"
    );
    // baidu: SKIP and UNSUPPORTED counted apart for the first candidate; nothing for the second.
    let baidu = row("baidu");
    assert!(
        baidu.contains("<div class=\"apart\">not run: unsupported 1 · n/a 0 · skipped 1</div>"),
        "{baidu}"
    );
    assert!(baidu.contains("passed (0/0)"), "{baidu}");
    assert_eq!(baidu.matches("nothing ran").count(), 1, "{matrix}");
}

/// Chromium's path; a browser test without one panics naming what to install.
fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("DLCONFORM_CHROMIUM") {
        return PathBuf::from(path);
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
            .find(|path| path.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "chromium is not installed: install it (apt-get install -y chromium) or set \
             DLCONFORM_CHROMIUM to its path"
        )
    })
}

/// Run headless Chromium on `url` with extra arguments; returns stdout.
fn browse(chromium: &Path, profile: &Path, extra: &[&str], url: &str) -> String {
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let stdout = child.stdout.take().expect("stdout piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let mut stdout = stdout;
        let _ = std::io::Read::read_to_string(&mut stdout, &mut text);
        text
    });
    // Generous: a cold start on a busy machine takes seconds, never a minute.
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        match child.try_wait().expect("wait for chromium") {
            Some(_) => break,
            None if Instant::now() > deadline => {
                let _ = child.kill();
                panic!("chromium did not finish within 90 s");
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    reader.join().expect("stdout read")
}

/// The rendered part of a dumped page (overview, filters, matrix, detail), without the data.
fn rendered(dom: &str) -> &str {
    let end = dom
        .find("<script type=\"application/json\"")
        .unwrap_or(dom.len());
    &dom[..end]
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}

#[test]
#[cfg_attr(skip_chromium, ignore = "needs chromium")]
fn report_html_renders_the_matrix_in_a_browser() {
    needs::require(&["chromium"]);
    let chromium = chromium();
    let dir = tempfile::tempdir().expect("tempdir");
    let results = two_candidates();
    let written = write_reports(&results, dir.path()).expect("reports written");
    let url = file_url(&written.html);
    let dump = browse(
        &chromium,
        &dir.path().join("profile"),
        &["--dump-dom"],
        &url,
    );
    let dom = rendered(&dump);

    assert!(
        dom.contains("<table class=\"matrix\" id=\"matrix\">"),
        "{dom}"
    );
    // A row per case, with one cell per candidate.
    for case in sample_cases() {
        let row = format!("data-case=\"{}\"", case.id);
        assert_eq!(dom.matches(&row).count(), 1, "row of {}", case.id);
    }
    assert_eq!(dom.matches("<tr class=\"case\"").count(), 9);
    assert_eq!(dom.matches("class=\"cell ").count(), 18);
    assert!(
        dom.contains("<th>fixture 1.0.0</th><th>other 2.0.0</th>"),
        "{dom}"
    );
    assert!(dom.contains("data-status=\"FAIL\""), "{dom}");
    // Not as expected: required and recommended failures marked apart.
    assert!(
        dom.contains("class=\"cell s-XPASS unexpected recommended\""),
        "{dom}"
    );
    assert!(
        dom.contains("class=\"cell s-CRASH unexpected required\""),
        "{dom}"
    );
    // Cases the second candidate did not run.
    assert_eq!(dom.matches("class=\"cell s-none\"").count(), 3);
    // Group rows per platform and api.
    assert!(dom.contains("douyin · downloadFile (3)"), "{dom}");
    assert!(dom.contains("baidu · uploadFile (1)"), "{dom}");
    assert!(dom.contains("9 of 9 cases"), "{dom}");
    // Markup in the data stays text.
    assert!(!dom.contains("<b id=\"injected\">"), "{dom}");
    assert!(
        dom.contains("&lt;/script&gt;&lt;b id=\"injected\"&gt;markup"),
        "{dom}"
    );
}

#[test]
#[cfg_attr(skip_chromium, ignore = "needs chromium")]
fn report_html_shows_case_detail_in_a_browser() {
    needs::require(&["chromium"]);
    let chromium = chromium();
    let dir = tempfile::tempdir().expect("tempdir");
    let written = write_reports(&two_candidates(), dir.path()).expect("reports written");
    let url = format!(
        "{}#case=douyin%2Fdownload%2Ftls%2Fself-signed&candidate=0",
        file_url(&written.html)
    );
    let profile = dir.path().join("profile");
    let dump = browse(&chromium, &profile, &["--dump-dom"], &url);
    let dom = rendered(&dump);
    let detail = dom
        .split("<aside id=\"detail\"")
        .nth(1)
        .unwrap_or_else(|| panic!("no detail panel: {dom}"));
    assert!(!detail.starts_with(" hidden"), "detail panel hidden");
    // Required and recommended failed checks are shown apart.
    assert!(
        detail.contains("Failed required checks (2 check(s), 4 failure(s))"),
        "{detail}"
    );
    assert!(
        detail.contains("Failed recommended checks (1 check(s), 1 failure(s))"),
        "{detail}"
    );
    // A check failed on three progress events is one row, counted, its message normalised.
    assert_eq!(
        detail
            .matches("progress[*].progress is not a finite number")
            .count(),
        1,
        "{detail}"
    );
    assert!(!detail.contains("progress[2]"), "{detail}");
    assert!(
        detail.contains("errNo is 10200, expected 10202"),
        "{detail}"
    );
    assert!(detail.contains("What the server saw"), "{detail}");
    assert!(
        detail.contains("/c/douyin/download/tls/self-signed/a.bin"),
        "{detail}"
    );
    assert!(detail.contains("<svg class=\"chart\""), "{detail}");
    assert_eq!(
        detail.matches("<circle class=\"dot\"").count(),
        4,
        "{detail}"
    );
    assert!(
        detail.contains("class=\"cell s-FAIL unexpected required selected\"")
            || dom.contains("class=\"cell s-FAIL unexpected required selected\"")
    );
    // The source links to the public page of its document (the URL from the spec's sources).
    assert!(
        detail.contains(
            "<a href=\"https://example.invalid/docs/douyin?a=1&amp;b=2\" target=\"_blank\" rel=\"noopener noreferrer\" class=\"source-link\">douyin#intro</a>"
        ),
        "{detail}"
    );

    // A picture to look at: the matrix with the detail panel open.
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-html");
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    let png = shots.join("detail.png");
    let _ = std::fs::remove_file(&png);
    browse(
        &chromium,
        &profile,
        &[
            "--window-size=1400,1000",
            &format!("--screenshot={}", png.display()),
        ],
        &url,
    );
    let bytes = std::fs::read(&png).expect("screenshot written");
    assert!(bytes.starts_with(b"\x89PNG"), "not a PNG");
    eprintln!("screenshot: {}", png.display());
}

#[test]
#[cfg_attr(skip_chromium, ignore = "needs chromium")]
fn report_html_detail_panel_leaves_every_cell_in_view() {
    needs::require(&["chromium"]);
    let chromium = chromium();
    let dir = tempfile::tempdir().expect("tempdir");
    let written = write_reports(&two_candidates(), dir.path()).expect("reports written");
    // A copy of the page with a probe after the report's script: it measures, once the panel
    // is open, whether any matrix cell lies under the panel, and writes that into the DOM.
    let page = std::fs::read_to_string(&written.html).expect("report.html read");
    let probe = r#"<script>
(function () {
  var panel = document.getElementById('detail').getBoundingClientRect();
  var cells = document.querySelectorAll('td.cell');
  var covered = 0;
  cells.forEach(function (c) { if (c.getBoundingClientRect().right > panel.left) { covered++; } });
  document.body.setAttribute('data-probe', 'cells=' + cells.length + ' covered=' + covered +
    ' panel-open=' + !document.getElementById('detail').hidden);
})();
</script>
</body>"#;
    let probed = dir.path().join("probed.html");
    std::fs::write(&probed, page.replace("</body>", probe)).expect("probe page written");
    for width in ["1400,1000", "1000,800"] {
        let url = format!(
            "{}#case=douyin%2Fdownload%2Ftls%2Fself-signed&candidate=0",
            file_url(&probed)
        );
        let dump = browse(
            &chromium,
            &dir.path().join("profile"),
            &[&format!("--window-size={width}"), "--dump-dom"],
            &url,
        );
        assert!(
            dump.contains("data-probe=\"cells=18 covered=0 panel-open=true\""),
            "window {width}: {}",
            dump.split("data-probe=")
                .nth(1)
                .and_then(|r| r.split('>').next())
                .unwrap_or("no probe")
        );
    }
}

#[test]
#[cfg_attr(skip_chromium, ignore = "needs chromium")]
fn report_html_filters_from_the_link_in_a_browser() {
    needs::require(&["chromium"]);
    let chromium = chromium();
    let dir = tempfile::tempdir().expect("tempdir");
    let written = write_reports(&two_candidates(), dir.path()).expect("reports written");
    let profile = dir.path().join("profile");
    let base = file_url(&written.html);

    let dump = browse(
        &chromium,
        &profile,
        &["--dump-dom"],
        &format!("{base}#platform=wechat&status=XPASS"),
    );
    let dom = rendered(&dump);
    assert_eq!(dom.matches("<tr class=\"case\"").count(), 1, "{dom}");
    assert!(
        dom.contains("data-case=\"wechat/download/size/over-max\""),
        "{dom}"
    );
    assert!(dom.contains("1 of 9 cases"), "{dom}");

    let dump = browse(
        &chromium,
        &profile,
        &["--dump-dom"],
        &format!("{base}#tier=required&unexpected=1&q=download%2Ft"),
    );
    let dom = rendered(&dump);
    // Required, not as expected for some candidate, id containing "download/t": timeout and tls.
    let rows: Vec<&str> = dom
        .split("<tr class=\"case\" data-case=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert_eq!(
        rows,
        [
            "douyin/download/timeout/headers-late",
            "douyin/download/tls/self-signed"
        ],
        "{dom}"
    );
}

#[test]
fn report_html_names_each_candidates_declared_capabilities() {
    let merged = merge(vec![
        MergedResults::from(sample_run()),
        MergedResults::from(report_support::lacking_run()),
    ])
    .expect("merged")
    .merged;
    let page = html::render(&merged).expect("rendered");
    let declared = page
        .split("<section id=\"declared\">")
        .nth(1)
        .and_then(|rest| rest.split("</section>").next())
        .unwrap_or_else(|| panic!("no declared section in {page}"));
    assert_eq!(
        declared,
        "<ul><li><b>lacking 0.1.0</b>: library fixture-lib 1.2.3 · runtime chromium 131.0 · \
         lacks files, host-events (checks needing them are not applicable)</li></ul>"
    );
    // N/A is not counted as a case that ran.
    let matrix = page
        .split("<section id=\"summary-matrix\">")
        .nth(1)
        .unwrap_or_default();
    assert!(matrix.contains("passed (1/2)"), "{matrix}");
    assert!(
        matrix.contains("not run: unsupported 0 · n/a 1 · skipped 0"),
        "{matrix}"
    );
    // A run whose candidate declared nothing has no such section.
    let plain = html::render(&MergedResults::from(sample_run())).expect("rendered");
    assert!(!plain.contains("<section id=\"declared\">"));
}

#[test]
#[cfg_attr(skip_chromium, ignore = "needs chromium")]
fn report_html_detail_lists_not_applicable_checks_in_a_browser() {
    needs::require(&["chromium"]);
    let chromium = chromium();
    let dir = tempfile::tempdir().expect("tempdir");
    let results = MergedResults::from(report_support::lacking_run());
    let written = write_reports(&results, dir.path()).expect("reports written");
    let profile = dir.path().join("profile");
    let url = format!(
        "{}#case=wechat%2Fdownload%2Fsuccess%2Ftemp-file&candidate=0",
        file_url(&written.html)
    );
    let dump = browse(&chromium, &profile, &["--dump-dom"], &url);
    let dom = rendered(&dump);
    let detail = dom
        .split("<aside id=\"detail\"")
        .nth(1)
        .unwrap_or_else(|| panic!("no detail panel: {dom}"));
    assert!(detail.contains("Not applicable (1)"), "{detail}");
    assert!(detail.contains("file.matches-body"), "{detail}");
    assert!(detail.contains("the candidate lacks `files`"), "{detail}");
    // The overview names what the candidate declared; the N/A cell has its own class.
    assert!(
        dom.contains("lacks files, host-events (checks needing them are not applicable)"),
        "{dom}"
    );
    assert!(dom.contains("class=\"cell s-NA\""), "{dom}");
}

#[test]
#[cfg_attr(skip_chromium, ignore = "needs chromium")]
fn report_html_summary_cell_links_open_the_failed_case_in_a_browser() {
    needs::require(&["chromium"]);
    let chromium = chromium();
    let dir = tempfile::tempdir().expect("tempdir");
    let written = write_reports(&two_candidates(), dir.path()).expect("reports written");
    let page = std::fs::read_to_string(&written.html).expect("page");
    // The link of the second candidate's failed wechat case, as the matrix cell writes it.
    let href = page
        .split("<a href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|href| href.contains("size%2Fover-max") && href.ends_with("candidate=1"))
        .unwrap_or_else(|| panic!("no link to the second candidate's over-max case in {page}"))
        .replace("&amp;", "&");
    let url = format!("{}{href}", file_url(&written.html));
    let dump = browse(
        &chromium,
        &dir.path().join("profile"),
        &["--dump-dom"],
        &url,
    );
    let dom = rendered(&dump);
    let detail = dom
        .split("<aside id=\"detail\"")
        .nth(1)
        .unwrap_or_else(|| panic!("no detail panel: {dom}"));
    assert!(
        !detail.starts_with(" hidden"),
        "detail panel hidden: {detail}"
    );
    assert!(
        detail.contains("<h1 class=\"mono\">wechat/download/size/over-max</h1>"),
        "{detail}"
    );
    assert!(detail.contains("other 2.0.0"), "{detail}");
}

/// Clicks a case in a summary cell's list with playwright-core (bridge/test installed):
/// the detail panel opens on that case, for that candidate, in the same page.
#[test]
#[cfg_attr(
    any(skip_node, skip_chromium, skip_bridge_test),
    ignore = "needs node, chromium, bridge-test"
)]
fn report_html_summary_cell_opens_a_failed_case_on_click_in_a_browser() {
    needs::require(&["node", "chromium", "bridge-test"]);
    let node = Path::new("node");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .to_path_buf();
    let dir = tempfile::tempdir().expect("tempdir");
    let written = write_reports(&two_candidates(), dir.path()).expect("reports written");
    let script = root.join("harness/tests/fixtures/report_click.js");
    let mut command = Command::new(node);
    command
        .arg(&script)
        .arg(&written.html)
        .args(["cell-wechat-1", "wechat/download/size/over-max"]);
    if std::env::var_os("DLCONFORM_CHROMIUM").is_none() {
        command.env("DLCONFORM_CHROMIUM", chromium());
    }
    let output = command.output().expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let shown: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    assert_eq!(shown["hiddenBefore"], true, "{shown}");
    assert_eq!(shown["title"], "wechat/download/size/over-max", "{shown}");
    let text = shown["text"].as_str().unwrap_or_default();
    assert!(text.contains("other 2.0.0"), "{shown}");
    assert!(
        shown["hash"]
            .as_str()
            .is_some_and(|h| h.contains("candidate=1")),
        "{shown}"
    );
}

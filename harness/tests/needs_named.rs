//! The one list of what tests need (harness/needs.rs) and the tests that name its entries: each
//! test ignored outside CI for a missing need names the same needs, in the same order, in its
//! `cfg_attr(skip_..., ignore = "needs ...")` and in the `needs::require(&[...])` that fails it
//! under `CI`; it names what each of them requires too; every install the list names is a script
//! in the tree, run by scripts/setup-tests.sh.

mod cli_support;
#[path = "../needs.rs"]
mod needs;

use std::path::{Path, PathBuf};

use cli_support::workspace;
use needs::{NEEDS, need};

/// Every Rust file under the test folders of the workspace's crates but this one (whose strings
/// would read as attributes).
fn test_sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs")
                && path.file_name().is_some_and(|n| n != "needs_named.rs")
            {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    for krate in ["harness", "mock-server", "reference", "protocol"] {
        walk(&workspace().join(krate).join("tests"), &mut out);
    }
    out.sort();
    out
}

/// The quoted names in `["a", "b"]`-like text.
fn quoted(list: &str) -> Vec<String> {
    list.split(',')
        .map(|item| item.trim().trim_matches('"').to_string())
        .filter(|item| !item.is_empty())
        .collect()
}

/// The need whose cfg is `cfg`.
fn need_of_cfg(cfg: &str) -> Option<&'static str> {
    NEEDS.iter().find(|n| n.cfg() == cfg).map(|n| n.name)
}

/// One test's naming of its needs: the attribute's cfgs (as needs), its reason, and what its
/// first `needs::require` names.
struct Named {
    at: String,
    cfgs: Vec<Option<&'static str>>,
    reason: String,
    required: Option<Vec<String>>,
}

/// Every `cfg_attr(..., ignore = ...)` in `text`, with the `needs::require` that follows it
/// before the next test.
fn named_in(file: &Path, text: &str) -> Vec<Named> {
    let mut found = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(start) = rest.find("#[cfg_attr(") {
        let attr_text = &rest[start..];
        let end = attr_text.find(")]").map_or(attr_text.len(), |e| e + 2);
        // rustfmt breaks a long attribute over lines: read it as one.
        let attr = attr_text[..end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let line = text[..offset + start].lines().count() + 1;
        let after = &attr_text[end..];
        let next_test = after.find("#[test]").unwrap_or(after.len());
        let required = after[..next_test]
            .find("needs::require(&[")
            .map(|r| &after[r + "needs::require(&[".len()..])
            .and_then(|r| r.find("])").map(|e| quoted(&r[..e])));
        if let Some(inner) = attr.strip_prefix("#[cfg_attr(")
            && let Some((cond, reason)) = inner.split_once(", ignore = \"")
        {
            let cond = cond.trim();
            let cfgs = cond
                .strip_prefix("any(")
                .and_then(|c| c.strip_suffix(')'))
                .unwrap_or(cond)
                .split(',')
                .map(|c| need_of_cfg(c.trim()))
                .collect();
            found.push(Named {
                at: format!("{}:{line}", file.display()),
                cfgs,
                reason: reason.split('"').next().unwrap_or("").to_string(),
                required,
            });
        }
        offset += start + end;
        rest = &rest[start + end..];
    }
    found
}

#[test]
fn every_test_names_its_needs_the_same_way_twice() {
    let mut problems = Vec::new();
    let mut named = 0;
    let mut requires = 0;
    for file in test_sources() {
        let text = std::fs::read_to_string(&file).expect("test source");
        requires += text.matches("needs::require(&[").count();
        for n in named_in(&file, &text) {
            named += 1;
            if n.cfgs.iter().any(Option::is_none) {
                problems.push(format!(
                    "{}: a cfg that is no need of harness/needs.rs",
                    n.at
                ));
                continue;
            }
            let names: Vec<String> = n.cfgs.iter().flatten().map(|s| s.to_string()).collect();
            let reason = format!("needs {}", names.join(", "));
            if n.reason != reason {
                problems.push(format!(
                    "{}: ignore reason {:?}, not {reason:?}",
                    n.at, n.reason
                ));
            }
            match &n.required {
                Some(required) if *required == names => {}
                Some(required) => problems.push(format!(
                    "{}: needs::require names {required:?}, the attribute {names:?}",
                    n.at
                )),
                None => problems.push(format!("{}: no needs::require in the test", n.at)),
            }
            for name in &names {
                for required in need(name).requires {
                    if !names.iter().any(|n| n == required) {
                        problems.push(format!("{}: names {name} but not {required}", n.at));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(
        named, requires,
        "a needs::require without its cfg_attr (or the other way round)"
    );
    // The list is in use: far more tests name needs than there are needs.
    assert!(named > NEEDS.len(), "{named}");
}

#[test]
fn every_need_is_named_once_and_by_some_test() {
    let sources: String = test_sources()
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .collect();
    for (i, n) in NEEDS.iter().enumerate() {
        assert!(
            NEEDS[..i].iter().all(|other| other.name != n.name),
            "{} twice",
            n.name
        );
        for required in n.requires {
            need(required);
        }
        assert!(
            sources.contains(&format!("\"{}\"", n.name)),
            "no test names `{}`",
            n.name
        );
    }
}

#[test]
fn every_install_in_the_list_is_a_script_that_setup_runs() {
    let setup = std::fs::read_to_string(workspace().join("scripts/setup-tests.sh"))
        .expect("scripts/setup-tests.sh");
    // It runs what the list names, read from the list itself.
    assert!(setup.contains("harness/needs.rs"), "{setup}");
    for n in NEEDS {
        if let Some(script) = n.install.strip_prefix("sh ") {
            assert!(
                workspace().join(script).is_file(),
                "{}: {script} is not in the tree",
                n.name
            );
        } else {
            assert!(
                matches!(n.find, needs::Find::Program(_) | needs::Find::ProgramOr(..))
                    == n.install.starts_with("apt-get install -y "),
                "{}: a tool is installed by apt-get, a tree's piece by its script",
                n.name
            );
        }
    }
}

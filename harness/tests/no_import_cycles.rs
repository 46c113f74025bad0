//! No module of the workspace's crates imports, through `crate::` paths, a module that imports
//! it back: layers stay layers (DESIGN.md's layout), and a cycle shows up as a failing test.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path (`control::index`) of every source file under `src`, with its text.
fn modules(src: &Path) -> BTreeMap<String, String> {
    fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("readable src").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, files);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(src, &mut files);
    files
        .into_iter()
        .map(|file| {
            let rel = file
                .strip_prefix(src)
                .expect("under src")
                .with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(
                parts.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                parts.pop();
            }
            let text = std::fs::read_to_string(&file).expect("readable source");
            // Unit tests may reach anywhere; only the code itself is layered.
            let code = text
                .split("#[cfg(test)]")
                .next()
                .unwrap_or_default()
                .to_string();
            (parts.join("::"), code)
        })
        .collect()
}

/// The longest known module a `crate::` path names.
fn owner<'a>(path: &str, known: &'a BTreeMap<String, String>) -> Option<&'a str> {
    let mut parts: Vec<&str> = path.split("::").collect();
    while !parts.is_empty() {
        let candidate = parts.join("::");
        if let Some((k, _)) = known.get_key_value(&candidate) {
            return Some(k.as_str());
        }
        parts.pop();
    }
    None
}

fn cycles(src: &Path) -> Vec<String> {
    let known = modules(src);
    let pattern = regex::Regex::new(r"crate::([a-z_][a-z0-9_]*(?:::[a-z_][a-z0-9_]*)*)")
        .expect("valid pattern");
    let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (module, code) in &known {
        let from = edges.entry(module.as_str()).or_default();
        for hit in pattern.captures_iter(code) {
            let Some(to) = owner(&hit[1], &known) else {
                continue;
            };
            // A module may use what its ancestors declare (the crate root, its parent).
            if to != module && !module.starts_with(&format!("{to}::")) && !to.is_empty() {
                from.insert(to);
            }
        }
    }
    let mut found = Vec::new();
    for start in edges.keys() {
        // Depth-first search for a path back to `start`.
        let mut stack = vec![(*start, vec![*start])];
        let mut seen = BTreeSet::new();
        while let Some((at, path)) = stack.pop() {
            for next in edges.get(at).into_iter().flatten() {
                if next == start {
                    found.push(format!("{} -> {start}", path.join(" -> ")));
                } else if seen.insert(*next) {
                    let mut longer = path.clone();
                    longer.push(next);
                    stack.push((next, longer));
                }
            }
        }
    }
    found
}

#[test]
fn no_crate_has_a_module_import_cycle() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for krate in ["protocol", "reference", "mock-server", "harness"] {
        let found = cycles(&workspace.join(krate).join("src"));
        assert!(
            found.is_empty(),
            "{krate}: import cycles:\n{}",
            found.join("\n")
        );
    }
}

#[test]
fn a_cycle_is_found() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path();
    std::fs::write(src.join("lib.rs"), "pub mod a;\npub mod b;\n").expect("write");
    std::fs::write(src.join("a.rs"), "use crate::b::B;\npub struct A;\n").expect("write");
    std::fs::write(src.join("b.rs"), "use crate::a::A;\npub struct B;\n").expect("write");
    assert_eq!(cycles(src).len(), 2, "a -> b -> a, seen from both ends");
}

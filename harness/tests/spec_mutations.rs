//! Mutated spec text (lines deleted, inserted, duplicated, characters flipped) never makes
//! the loader, the location index or the linter panic.

use std::path::{Path, PathBuf};

use dlconform::spec::lint::lint_spec;
use dlconform::spec::locate::{LocationIndex, Pos};
use dlconform::spec::suite::parse_text;
use proptest::prelude::*;

/// The texts to mutate: the fixtures and whatever specs the repository holds.
fn corpus() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<PathBuf> = vec![root.join("tests/fixtures/specs/valid.yaml")];
    if let Ok(entries) = std::fs::read_dir(root.join("../specs")) {
        paths.extend(
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "yaml")),
        );
    }
    paths.sort();
    paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize),
    Duplicate(usize),
    Insert(usize, String),
    Flip(usize, char),
}

/// Lines that are valid YAML in some place of a spec, or tricky anywhere.
const SNIPPETS: &[&str] = &[
    "  - id: download/x",
    "    errno: 1",
    "      - stall",
    "cases: []",
    "apis: {}",
    "  source: nowhere#x",
    "- ",
    "? complex",
    "&a",
    "*a",
    "<<: *a",
    "key: [unclosed",
    "\"unterminated",
    "\t tab",
    "---",
    "...",
    "since: 1..2",
    "    skip: \"\"",
];

const FLIPS: &[char] = &[
    ':', '-', ' ', '#', '[', ']', '{', '}', '"', '\'', '&', '*', '!', '|', '>', '\t', 'a', '0',
    '\n', 'é',
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Delete),
        any::<usize>().prop_map(Mutation::Duplicate),
        (any::<usize>(), prop::sample::select(SNIPPETS))
            .prop_map(|(i, s)| Mutation::Insert(i, s.to_string())),
        (any::<usize>(), prop::sample::select(FLIPS)).prop_map(|(i, c)| Mutation::Flip(i, c)),
    ]
}

fn apply(text: &str, mutations: &[Mutation]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for m in mutations {
        if lines.is_empty() {
            lines.push(String::new());
        }
        let n = lines.len();
        match m {
            Mutation::Delete(i) => {
                lines.remove(i % n);
            }
            Mutation::Duplicate(i) => {
                let line = lines[i % n].clone();
                lines.insert(i % n, line);
            }
            Mutation::Insert(i, s) => lines.insert(i % (n + 1), s.clone()),
            Mutation::Flip(i, c) => {
                let line = &mut lines[i % n];
                let chars: Vec<char> = line.chars().collect();
                if !chars.is_empty() {
                    let at = (i / n) % chars.len();
                    *line = chars
                        .iter()
                        .enumerate()
                        .map(|(k, x)| if k == at { *c } else { *x })
                        .collect();
                }
            }
        }
    }
    lines.join("\n") + "\n"
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn mutated_specs_never_panic(
        pick in any::<usize>(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let corpus = corpus();
        prop_assert!(!corpus.is_empty());
        let text = apply(&corpus[pick % corpus.len()], &mutations);
        let path = Path::new("mutated.yaml");
        let index = LocationIndex::build(&text);
        let _ = index.path_at(Pos { line: 3, column: 1 });
        match parse_text(path, text.clone()) {
            Ok(parsed) => {
                for d in lint_spec(&parsed.as_file()) {
                    prop_assert!(d.line >= 1 && d.column >= 1, "{d}");
                }
            }
            Err(err) => {
                let d = err.to_diagnostic();
                prop_assert!(d.line >= 1 && d.column >= 1, "{d}");
                prop_assert!(!d.message.is_empty());
            }
        }
    }
}

#[test]
fn unmutated_corpus_parses() {
    for text in corpus() {
        assert!(parse_text(Path::new("x.yaml"), text).is_ok());
    }
}

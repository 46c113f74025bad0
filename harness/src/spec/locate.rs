//! Where each value of a spec file sits: a map from paths such as `cases[3].expect.errno`
//! to line and column, built by one walk over the YAML events, so that lint can point
//! semantic problems at the text while the model types stay plain.

use std::collections::HashMap;
use std::fmt;

use serde_saphyr::granit_parser::{Event, Parser, Span};

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl Pos {
    /// The start of the file.
    pub const START: Pos = Pos { line: 1, column: 1 };

    fn of(span: &Span) -> Pos {
        Pos {
            line: span.start.line(),
            column: span.start.col() + 1,
        }
    }
}

/// A path into a spec document: mapping keys and sequence indices.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct YamlPath(String);

impl YamlPath {
    /// The document root.
    pub fn root() -> YamlPath {
        YamlPath(String::new())
    }

    /// This path extended with a mapping key; keys that are not plain words are quoted (`apis["im.v1.file.get"]`).
    pub fn key(&self, key: &str) -> YamlPath {
        let plain = !key.is_empty()
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        let mut s = self.0.clone();
        if plain {
            if !s.is_empty() {
                s.push('.');
            }
            s.push_str(key);
        } else {
            s.push_str(&format!("[{key:?}]"));
        }
        YamlPath(s)
    }

    /// This path extended with a sequence index.
    pub fn index(&self, index: usize) -> YamlPath {
        YamlPath(format!("{}[{index}]", self.0))
    }

    /// The path as text (`cases[3].expect.errno`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for YamlPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "<root>" } else { &self.0 })
    }
}

/// Where one node is: its value and, for a mapping entry, its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Located {
    key: Option<Pos>,
    value: Pos,
}

/// Positions of every node of a YAML document, by path.
#[derive(Debug, Clone, Default)]
pub struct LocationIndex {
    nodes: HashMap<String, Located>,
}

enum Frame {
    Map {
        path: YamlPath,
        key: Option<(String, Pos)>,
    },
    Seq {
        path: YamlPath,
        next: usize,
    },
    /// A complex (non-scalar) mapping key: its events are skipped.
    Skip {
        depth: usize,
    },
}

impl LocationIndex {
    /// Walk the document; malformed YAML yields whatever was indexed before the error.
    pub fn build(text: &str) -> LocationIndex {
        let mut index = LocationIndex::default();
        let mut stack: Vec<Frame> = Vec::new();
        for item in Parser::new_from_str(text) {
            let Ok((event, span)) = item else { break };
            index.on_event(&mut stack, &event, &span);
        }
        index
    }

    fn on_event(&mut self, stack: &mut Vec<Frame>, event: &Event<'_>, span: &Span) {
        let opens = matches!(event, Event::MappingStart(..) | Event::SequenceStart(..));
        let closes = matches!(event, Event::MappingEnd | Event::SequenceEnd);
        let is_node = opens || matches!(event, Event::Scalar(..) | Event::Alias(..));
        if let Some(Frame::Skip { depth }) = stack.last_mut() {
            if opens {
                *depth += 1;
            } else if closes {
                *depth -= 1;
            }
            if *depth == 0 {
                stack.pop();
            }
            return;
        }
        if closes {
            stack.pop();
            return;
        }
        if !is_node {
            return;
        }
        let pos = Pos::of(span);
        let (path, key_pos) = match stack.last_mut() {
            None => (YamlPath::root(), None),
            Some(Frame::Map { path, key }) => match key.take() {
                None => {
                    match event {
                        Event::Scalar(text, ..) => *key = Some((text.to_string(), pos)),
                        // A complex key: skip it and name the entry `?`.
                        _ if opens => {
                            *key = Some(("?".to_string(), pos));
                            stack.push(Frame::Skip { depth: 1 });
                        }
                        _ => *key = Some(("*".to_string(), pos)),
                    }
                    return;
                }
                Some((name, key_pos)) => (path.key(&name), Some(key_pos)),
            },
            Some(Frame::Seq { path, next }) => {
                *next += 1;
                (path.index(*next - 1), None)
            }
            Some(Frame::Skip { .. }) => return,
        };
        // First definition wins (duplicate keys are rejected by the loader anyway).
        self.nodes.entry(path.0.clone()).or_insert(Located {
            key: key_pos,
            value: pos,
        });
        match event {
            Event::MappingStart(..) => stack.push(Frame::Map { path, key: None }),
            Event::SequenceStart(..) => stack.push(Frame::Seq { path, next: 0 }),
            _ => {}
        }
    }

    /// Where the value at `path` starts; a path not in the file (a defaulted field) falls back to its nearest ancestor.
    pub fn value(&self, path: &YamlPath) -> Pos {
        self.find(path).map(|l| l.value).unwrap_or(Pos::START)
    }

    /// Where the key of the mapping entry at `path` is (the value for sequence items), with the same fallback.
    pub fn key(&self, path: &YamlPath) -> Pos {
        self.find(path)
            .map(|l| l.key.unwrap_or(l.value))
            .unwrap_or(Pos::START)
    }

    /// The deepest path whose value or key starts at `pos`.
    pub fn path_at(&self, pos: Pos) -> Option<YamlPath> {
        self.nodes
            .iter()
            .filter(|(_, l)| l.value == pos || l.key == Some(pos))
            .map(|(p, _)| p)
            .max_by_key(|p| (p.len(), p.as_str()))
            .map(|p| YamlPath(p.clone()))
    }

    /// The deepest path whose value starts at `pos` (a mapping, not its first key).
    pub fn value_path_at(&self, pos: Pos) -> Option<YamlPath> {
        self.nodes
            .iter()
            .filter(|(_, l)| l.value == pos)
            .map(|(p, _)| p)
            .max_by_key(|p| (p.len(), p.as_str()))
            .map(|p| YamlPath(p.clone()))
    }

    /// Whether `path` is written in the file.
    pub fn contains(&self, path: &YamlPath) -> bool {
        self.nodes.contains_key(path.as_str())
    }

    fn find(&self, path: &YamlPath) -> Option<Located> {
        let mut text = path.as_str();
        loop {
            if let Some(l) = self.nodes.get(text) {
                return Some(*l);
            }
            text = parent_of(text)?;
        }
    }
}

/// The textual parent of a path (`a.b[2]` -> `a.b`, `a["x.y"]` -> `a`), for paths not in the index.
fn parent_of(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    if path.ends_with(']') {
        // Find the `[` that opens the last segment; quoted keys may contain `[`.
        let bytes = path.as_bytes();
        let mut in_quotes = false;
        for i in (0..bytes.len() - 1).rev() {
            match bytes[i] {
                b'"' if i == 0 || bytes[i - 1] != b'\\' => in_quotes = !in_quotes,
                b'[' if !in_quotes => return Some(&path[..i]),
                _ => {}
            }
        }
        return Some("");
    }
    Some(path.rfind(['.', ']']).map_or("", |i| {
        if path.as_bytes()[i] == b']' {
            &path[..=i]
        } else {
            &path[..i]
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "\
a: 1
apis:
  im.v1.file.get:
    errors:
      - code: 5
        cases: [x, y]
cases:
  - id: one
    expect:
      errno: 3
";

    fn p(line: usize, column: usize) -> Pos {
        Pos { line, column }
    }

    #[test]
    fn paths_map_to_positions() {
        let index = LocationIndex::build(DOC);
        let root = YamlPath::root();
        assert_eq!(index.value(&root.key("a")), p(1, 4));
        assert_eq!(index.key(&root.key("a")), p(1, 1));
        let errors = root.key("apis").key("im.v1.file.get").key("errors");
        assert_eq!(errors.as_str(), "apis[\"im.v1.file.get\"].errors");
        assert_eq!(index.value(&errors.index(0).key("code")), p(5, 15));
        assert_eq!(
            index.value(&errors.index(0).key("cases").index(1)),
            p(6, 20)
        );
        let errno = root.key("cases").index(0).key("expect").key("errno");
        assert_eq!(errno.as_str(), "cases[0].expect.errno");
        assert_eq!(index.value(&errno), p(10, 14));
        assert_eq!(index.key(&errno), p(10, 7));
    }

    #[test]
    fn missing_paths_fall_back_to_ancestors() {
        let index = LocationIndex::build(DOC);
        let case = YamlPath::root().key("cases").index(0);
        assert_eq!(
            index.key(&case.key("call").key("count")),
            index.value(&case)
        );
        assert_eq!(parent_of("a[\"x[1]\"]"), Some("a"));
        assert_eq!(parent_of("a.b[2]"), Some("a.b"));
        assert_eq!(parent_of("a[2].c"), Some("a[2]"));
        assert_eq!(parent_of("a"), Some(""));
    }
}

//! The expectations file as written: the YAML shape, with source positions kept for error messages.

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde_saphyr::{Location, Spanned};

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    /// Entries in file order; absent or empty means none.
    #[serde(default)]
    pub expectations: Option<Vec<Spanned<RawEntry>>>,
}

/// One entry as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEntry {
    /// One full case id pattern or a list of them.
    pub cases: Spanned<OneOrMany>,
    /// Check ids (or globs) whose failure is known; only with `status: FAIL`.
    #[serde(default)]
    pub checks: Option<Spanned<OneOrMany>>,
    /// Expected status name.
    pub status: Spanned<String>,
    /// Why the failing checks of a FAIL cannot be named: then the entry covers the whole case.
    #[serde(default)]
    pub whole_case: Option<Spanned<String>>,
    /// Why the case is expected to end so.
    #[serde(default)]
    pub reason: Option<Spanned<String>>,
    /// Link to the bug that tracks it.
    #[serde(default)]
    pub bug: Option<Spanned<String>>,
    /// Condition under which the entry applies.
    #[serde(default)]
    pub when: Option<Spanned<RawWhen>>,
    /// What shows the deviation: what the implementation did and the document it departs from.
    #[serde(default)]
    pub evidence: Option<Spanned<RawEvidence>>,
}

/// The `evidence` of an entry as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEvidence {
    /// What the implementation did, as observed (the check and its actual value).
    pub observed: Spanned<String>,
    /// The document (and its words) that says otherwise.
    pub document: Spanned<String>,
}

/// The `when` condition as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWhen {
    /// Platform name or names.
    #[serde(default)]
    pub platform: Option<Spanned<OneOrMany>>,
    /// Operating system name or names.
    #[serde(default)]
    pub os: Option<Spanned<OneOrMany>>,
}

/// A string or a list of strings; each item keeps its position when YAML gives one.
#[derive(Debug)]
pub(super) struct OneOrMany(pub Vec<Spanned<String>>);

impl OneOrMany {
    /// Items with positions, a lone scalar taking the position of the node around it.
    pub fn items(spanned: &Spanned<OneOrMany>) -> impl Iterator<Item = (&str, Location)> {
        let outer = spanned.referenced;
        spanned.value.0.iter().map(move |item| {
            let at = if item.referenced.line() == 0 {
                outer
            } else {
                item.referenced
            };
            (item.value.as_str(), at)
        })
    }
}

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OneOrManyVisitor;

        impl<'de> Visitor<'de> for OneOrManyVisitor {
            type Value = OneOrMany;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or a list of strings")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<OneOrMany, E> {
                // A lone scalar has no position of its own here; `items` supplies the outer one.
                Ok(OneOrMany(vec![Spanned::new(
                    value.to_string(),
                    Location::UNKNOWN,
                    Location::UNKNOWN,
                )]))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Spanned<String>>()? {
                    items.push(item);
                }
                Ok(OneOrMany(items))
            }
        }

        deserializer.deserialize_any(OneOrManyVisitor)
    }
}

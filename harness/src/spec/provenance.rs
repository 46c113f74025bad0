//! Provenance: the source every check of a spec rests on, and the tier that source allows.
//!
//! Two kinds of checks rest on a spec's facts: a case's expectations rest on the case's
//! `source`, and the checks every payload gets (field types and promises, the message form,
//! the path prefixes) rest on the declared fact's own `source`. Only a platform's own document
//! makes either required; `tier_reason` keeps another kind required and says why.

use std::collections::BTreeMap;

use super::locate::YamlPath;
use super::model::{
    ExpectKey, Field, Paths, Platform, ResultShapes, SourceKind, Spec, Tier, source_kind,
};

/// A declared fact that checks of every payload rest on.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact<'s> {
    /// The platform whose payloads it describes (a variant's own facts name the variant).
    pub platform: Platform,
    /// What it is, for messages (`downloadFile success.statusCode: type`).
    pub what: String,
    /// Its source reference.
    pub source: &'s str,
    /// Why it stays required on a source that is no platform document.
    pub tier_reason: Option<&'s str>,
    /// Set where the documents conflict about it: its checks are recommended whatever the source.
    pub conflicting: bool,
    /// Where its `tier_reason` is (or would be) written.
    pub reason_path: YamlPath,
}

impl Fact<'_> {
    /// The tier its checks have in a required case.
    pub fn tier(&self, spec: &Spec) -> Tier {
        if self.conflicting {
            return Tier::Recommended;
        }
        crate::check::tier::of_source(&spec.sources, self.source, self.tier_reason)
    }
}

/// Every result shape of a spec (the APIs' and the variants' own), with its path and a name.
pub fn result_shapes(spec: &Spec) -> Vec<(&ResultShapes, YamlPath, String, Platform)> {
    let mut out = Vec::new();
    let root = YamlPath::root();
    for (name, api) in &spec.apis {
        out.push((
            &api.result,
            root.key("apis").key(name).key("result"),
            name.clone(),
            spec.platform,
        ));
    }
    for (v, variant) in spec.variants.iter().enumerate() {
        for (api, shapes) in &variant.results {
            out.push((
                shapes,
                root.key("variants").index(v).key("results").key(api),
                format!("{} {api}", variant.platform),
                variant.platform,
            ));
        }
    }
    out
}

/// The declared facts of a spec that checks rest on, in file order: path prefixes, then per
/// result shape its message form and fields, then the tasks' event fields.
pub fn facts(spec: &Spec) -> Vec<Fact<'_>> {
    let mut out = Vec::new();
    let root = YamlPath::root();
    push_paths(&mut out, spec.platform, &spec.paths, root.key("paths"));
    for (v, variant) in spec.variants.iter().enumerate() {
        if let Some(paths) = &variant.paths {
            let at = root.key("variants").index(v).key("paths");
            push_paths(&mut out, variant.platform, paths, at);
        }
    }
    for (shapes, at, name, platform) in result_shapes(spec) {
        if let Some(source) = &shapes.msg_source {
            out.push(Fact {
                platform,
                what: format!("{name} message form"),
                source,
                tier_reason: shapes.msg_tier_reason.as_deref(),
                conflicting: false,
                reason_path: at.key("msg_tier_reason"),
            });
        }
        let fields = [("success", &shapes.success), ("fail", &shapes.fail)];
        for (payload, list) in fields {
            let what = format!("{name} {payload}");
            push_fields(&mut out, platform, list, at.key(payload), &what);
        }
    }
    for (name, api) in &spec.apis {
        if let Some(task) = &api.task {
            let at = root.key("apis").key(name).key("task");
            let events = [
                ("progress", "progress_fields", &task.progress_fields),
                (
                    "headersReceived",
                    "headers_received_fields",
                    &task.headers_received_fields,
                ),
            ];
            for (event, key, list) in events {
                let what = format!("{name} {event}");
                push_fields(&mut out, spec.platform, list, at.key(key), &what);
            }
        }
    }
    out
}

fn push_paths<'s>(out: &mut Vec<Fact<'s>>, platform: Platform, paths: &'s Paths, at: YamlPath) {
    out.push(Fact {
        platform,
        what: format!("{platform} path prefixes {} and {}", paths.temp, paths.user),
        source: &paths.source,
        tier_reason: paths.tier_reason.as_deref(),
        conflicting: false,
        reason_path: at.key("tier_reason"),
    });
}

fn push_fields<'s>(
    out: &mut Vec<Fact<'s>>,
    platform: Platform,
    fields: &'s [Field],
    at: YamlPath,
    what: &str,
) {
    for (i, field) in fields.iter().enumerate() {
        let at = at.index(i);
        let fact = |what: String, source: &'s str| Fact {
            platform,
            what,
            source,
            tier_reason: field.tier_reason.as_deref(),
            conflicting: field.recommended.is_some(),
            reason_path: at.key("tier_reason"),
        };
        out.push(fact(format!("{what}.{}: type", field.name), &field.source));
        if let Some(promise) = &field.always {
            out.push(fact(
                format!("{what}.{}: always present", field.name),
                &promise.source,
            ));
        }
    }
}

/// How many checks rest on one source, by tier.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Required case expectations (each expectation key of each case counts once).
    pub required_expectations: usize,
    /// Required declared facts (each field type, promise, message form or prefix once).
    pub required_facts: usize,
    /// Recommended expectations and facts.
    pub recommended: usize,
}

/// A required check on a source that is no platform document, kept so by a `tier_reason`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    /// What it is: a case's expectations or a declared fact.
    pub what: String,
    /// Its source reference.
    pub source: String,
    /// The source's kind.
    pub kind: SourceKind,
    /// Why it stays required.
    pub reason: String,
    /// How many required checks it holds (a case's expectations; 1 for a fact).
    pub checks: usize,
}

/// One platform's checks by source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformProvenance {
    /// The platform.
    pub platform: Platform,
    /// Per source id (before any `#fragment`): its kind and tally.
    pub sources: BTreeMap<String, (SourceKind, Tally)>,
    /// Every required check whose source is no platform document.
    pub kept: Vec<Kept>,
}

impl PlatformProvenance {
    /// Required checks per kind of source.
    pub fn required_by_kind(&self) -> BTreeMap<SourceKind, usize> {
        let mut out = BTreeMap::new();
        for (kind, tally) in self.sources.values() {
            *out.entry(*kind).or_default() += tally.required_expectations + tally.required_facts;
        }
        out
    }
}

/// The provenance of every check of a spec, per platform (the spec's and its variants').
pub fn of_spec(spec: &Spec) -> Vec<PlatformProvenance> {
    let mut by_platform: BTreeMap<Platform, PlatformProvenance> = BTreeMap::new();
    let record = |by_platform: &mut BTreeMap<Platform, PlatformProvenance>,
                  platform: Platform,
                  source: &str,
                  tier: Tier,
                  fact: bool,
                  kept: Option<(String, &str)>| {
        let id = source.split('#').next().unwrap_or_default().to_string();
        let kind = source_kind(&spec.sources, source).unwrap_or(SourceKind::Assumption);
        let provenance = by_platform
            .entry(platform)
            .or_insert_with(|| PlatformProvenance {
                platform,
                sources: BTreeMap::new(),
                kept: Vec::new(),
            });
        let tally = &mut provenance
            .sources
            .entry(id)
            .or_insert((kind, Tally::default()))
            .1;
        match (tier, fact) {
            (Tier::Required, false) => tally.required_expectations += 1,
            (Tier::Required, true) => tally.required_facts += 1,
            (Tier::Recommended, _) => tally.recommended += 1,
        }
        if tier != Tier::Required || kind.is_document() {
            return;
        }
        match kept {
            Some((what, reason)) => provenance.kept.push(Kept {
                what,
                source: source.to_string(),
                kind,
                reason: reason.to_string(),
                checks: 1,
            }),
            // Another expectation of the case whose entry is already listed.
            None => {
                if let Some(last) = provenance.kept.last_mut() {
                    last.checks += 1;
                }
            }
        }
    };
    for case in spec.cases.iter().filter(|c| c.skip.is_none()) {
        let platform = case.variant.unwrap_or(spec.platform);
        let set: Vec<_> = ExpectKey::ALL
            .into_iter()
            .filter(|k| case.expect.has(*k))
            .collect();
        // The case's entry is listed once, and its other required expectations counted in it.
        let mut kept_once = Some((
            format!("{platform}/{}", case.id),
            case.tier_reason.as_deref().unwrap_or_default(),
        ));
        for key in set {
            let tier = case.expect.tier_of(key, case.tier);
            let kept = if tier == Tier::Required {
                kept_once.take()
            } else {
                None
            };
            record(&mut by_platform, platform, &case.source, tier, false, kept);
        }
    }
    for fact in facts(spec) {
        let tier = fact.tier(spec);
        let kept = fact.tier_reason.map(|r| (fact.what.clone(), r));
        record(
            &mut by_platform,
            fact.platform,
            fact.source,
            tier,
            true,
            kept,
        );
    }
    by_platform.into_values().collect()
}

/// A platform's provenance as text: a headline, a table of sources and the list of required
/// checks kept on a source that is no platform document.
pub fn render(p: &PlatformProvenance) -> String {
    use std::fmt::Write as _;
    let by_kind = p.required_by_kind();
    let required: usize = by_kind.values().sum();
    let recommended: usize = p.sources.values().map(|(_, t)| t.recommended).sum();
    let kinds: Vec<String> = by_kind
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(kind, n)| format!("{n} on {}", kind_plural(*kind)))
        .collect();
    let mut out = format!(
        "{}: {required} required checks ({}), {recommended} recommended\n",
        p.platform,
        if kinds.is_empty() {
            "none".to_string()
        } else {
            kinds.join(", ")
        }
    );
    let width = p.sources.keys().map(String::len).max().unwrap_or(6).max(6);
    let _ = writeln!(
        out,
        "  {:<width$}  {:<10}  {:>8}  {:>8}  {:>11}",
        "source", "kind", "cases", "facts", "recommended"
    );
    for (id, (kind, tally)) in &p.sources {
        let _ = writeln!(
            out,
            "  {id:<width$}  {:<10}  {:>8}  {:>8}  {:>11}",
            kind.name(),
            tally.required_expectations,
            tally.required_facts,
            tally.recommended
        );
    }
    if p.kept.is_empty() {
        out.push_str("  every required check rests on a platform document\n");
    } else {
        let _ = writeln!(
            out,
            "  required on a source that is no platform document ({}):",
            p.kept.len()
        );
        for kept in &p.kept {
            let reason = if kept.reason.trim().is_empty() {
                "NO tier_reason".to_string()
            } else {
                one_line(&kept.reason)
            };
            let _ = writeln!(
                out,
                "    {} ({} check{}) [{}, {}]: {}",
                kept.what,
                kept.checks,
                if kept.checks == 1 { "" } else { "s" },
                kept.source,
                kept.kind.name(),
                reason
            );
        }
    }
    out
}

fn kind_plural(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Document => "platform documents",
        SourceKind::Standard => "standards",
        SourceKind::Convention => "project conventions",
        SourceKind::Community => "community texts",
        SourceKind::Analogy => "analogies",
        SourceKind::Assumption => "assumptions",
    }
}

/// A folded YAML text on one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

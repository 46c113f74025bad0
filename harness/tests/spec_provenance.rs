//! Provenance of the specs' checks: only a platform's own document makes a check required,
//! field types, promises, message forms and path prefixes included, unless a `tier_reason` says
//! why; `dlconform lint --sources` shows it per platform.

use std::path::Path;
use std::process::Command;

use dlconform::spec::model::{Platform, SourceKind, Spec, Tier};
use dlconform::spec::provenance;

fn spec(name: &str) -> Spec {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../specs/{name}.yaml"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

const SPECS: [&str; 5] = [
    "feishu-gadget",
    "douyin",
    "wechat",
    "baidu",
    "feishu-openapi",
];

#[test]
fn every_required_check_on_a_source_that_is_no_document_is_listed_with_its_reason() {
    for name in SPECS {
        let spec = spec(name);
        for platform in provenance::of_spec(&spec) {
            let on_others: usize = platform
                .sources
                .values()
                .filter(|(kind, _)| !kind.is_document())
                .map(|(_, t)| t.required_expectations + t.required_facts)
                .sum();
            let listed: usize = platform.kept.iter().map(|k| k.checks).sum();
            assert_eq!(
                on_others, listed,
                "{}: {:#?}",
                platform.platform, platform.kept
            );
            for kept in &platform.kept {
                assert!(
                    !kept.reason.trim().is_empty(),
                    "{}: {} is required on {} without a tier_reason",
                    platform.platform,
                    kept.what,
                    kept.source
                );
                assert_ne!(kept.kind, SourceKind::Document);
            }
        }
    }
}

/// The tier of the declared fact whose description starts with `what`.
fn fact_tier(spec: &Spec, what: &str) -> Tier {
    provenance::facts(spec)
        .into_iter()
        .find(|f| f.what.starts_with(what))
        .unwrap_or_else(|| panic!("no fact `{what}` in {}", spec.platform))
        .tier(spec)
}

#[test]
fn the_facts_the_documents_do_not_state_are_recommended_and_the_official_ones_required() {
    use Tier::{Recommended, Required};
    const TABLE: &[(&str, &str, Tier)] = &[
        // Progress fields by analogy with WeChat.
        (
            "feishu-gadget",
            "downloadFile progress.progress: type",
            Recommended,
        ),
        // The fail statusCode, whose table and example disagree.
        (
            "feishu-gadget",
            "downloadFile fail.statusCode: type",
            Recommended,
        ),
        (
            "feishu-gadget",
            "downloadFile success.statusCode: type",
            Required,
        ),
        // Typed on the official mini-game DownloadTask page.
        (
            "douyin",
            "downloadFile progress.totalBytesWritten: type",
            Required,
        ),
        (
            "douyin",
            "downloadFile headersReceived.header: type",
            Required,
        ),
        ("douyin", "douyin path prefixes", Recommended),
        ("wechat", "wechat path prefixes", Recommended),
        ("wechat", "downloadFile message form", Recommended),
        (
            "wechat",
            "downloadFile headersReceived.header: type",
            Required,
        ),
        (
            "wechat",
            "alipay downloadFile success.dataLength: always",
            Recommended,
        ),
        ("baidu", "downloadFile fail.errCode: type", Recommended),
        ("baidu", "baidu path prefixes", Recommended),
    ];
    for (name, what, tier) in TABLE {
        assert_eq!(fact_tier(&spec(name), what), *tier, "{name}: {what}");
    }
}

#[test]
fn lint_sources_prints_each_platform_with_its_sources() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = Command::new(env!("CARGO_BIN_EXE_dlconform"))
        .args(["lint", "--sources", "specs/"])
        .current_dir(&root)
        .output()
        .unwrap_or_else(|e| panic!("cannot run dlconform: {e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    for platform in Platform::ALL {
        let head = format!("\n{platform}: ");
        assert!(text.contains(&head), "no section for {platform}:\n{text}");
    }
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("wx-errno ") && l.contains(" community ")),
        "{text}"
    );
    assert!(
        text.contains("required on a source that is no platform document"),
        "{text}"
    );
    assert!(!text.contains("NO tier_reason"), "{text}");
}

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
    let gadget = spec("feishu-gadget");
    // Progress fields by analogy with WeChat.
    assert_eq!(
        fact_tier(&gadget, "downloadFile progress.progress: type"),
        Tier::Recommended
    );
    // The fail statusCode, whose table and example disagree.
    assert_eq!(
        fact_tier(&gadget, "downloadFile fail.statusCode: type"),
        Tier::Recommended
    );
    assert_eq!(
        fact_tier(&gadget, "downloadFile success.statusCode: type"),
        Tier::Required
    );
    let douyin = spec("douyin");
    // Typed on the official mini-game DownloadTask page.
    for what in [
        "downloadFile progress.totalBytesWritten: type",
        "downloadFile headersReceived.header: type",
    ] {
        assert_eq!(fact_tier(&douyin, what), Tier::Required, "{what}");
    }
    assert_eq!(
        fact_tier(&douyin, "douyin path prefixes"),
        Tier::Recommended
    );
    let wechat = spec("wechat");
    assert_eq!(
        fact_tier(&wechat, "wechat path prefixes"),
        Tier::Recommended
    );
    assert_eq!(
        fact_tier(&wechat, "downloadFile message form"),
        Tier::Recommended
    );
    assert_eq!(
        fact_tier(&wechat, "downloadFile headersReceived.header: type"),
        Tier::Required
    );
    assert_eq!(
        fact_tier(&wechat, "alipay downloadFile success.dataLength: always"),
        Tier::Recommended
    );
    let baidu = spec("baidu");
    assert_eq!(
        fact_tier(&baidu, "downloadFile fail.errCode: type"),
        Tier::Recommended
    );
    assert_eq!(fact_tier(&baidu, "baidu path prefixes"), Tier::Recommended);
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

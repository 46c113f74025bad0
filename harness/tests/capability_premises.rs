//! Which spec cases each missing capability makes `N/A`, over the real specs: the cases whose
//! premise needs it, and no case that only downloads.

use std::collections::BTreeMap;
use std::sync::Arc;

use dlconform::check::applicable::{Premise, premise};
use dlconform::protocol::Capability;
use dlconform::runner::{plan, specs};

mod cli_support;

/// Case ids `N/A` for a candidate lacking each capability alone.
fn na_cases() -> BTreeMap<&'static str, Vec<String>> {
    let root = cli_support::workspace().join("specs");
    let paths: Vec<_> = [
        "baidu",
        "douyin",
        "feishu-gadget",
        "feishu-openapi",
        "wechat",
    ]
    .iter()
    .map(|name| root.join(format!("{name}.yaml")))
    .collect();
    let files: Vec<_> = specs::load(&paths, false)
        .expect("specs load")
        .into_iter()
        .map(Arc::new)
        .collect();
    let cases = plan::expand(&files);
    let mut out = BTreeMap::new();
    for capability in Capability::ALL {
        let ids = cases
            .iter()
            .filter(|planned| {
                let sdk_version = planned.sdk_version();
                let input = Premise {
                    case: &planned.case,
                    api: planned.api(),
                    shapes: planned.result_shapes(),
                    sdk_version: &sdk_version,
                    variant: planned.variant().is_some(),
                };
                !premise(&input, &[capability]).is_empty()
            })
            .map(|planned| planned.full_id.clone())
            .collect();
        out.insert(capability.name(), ids);
    }
    out
}

fn assert_picks(na: &BTreeMap<&str, Vec<String>>, capability: &str, yes: &[&str], no: &[&str]) {
    let ids = &na[capability];
    for id in yes {
        assert!(
            ids.iter().any(|i| i == id),
            "{capability} should make {id} N/A: {ids:#?}"
        );
    }
    for id in no {
        assert!(
            !ids.iter().any(|i| i == id),
            "{capability} should not make {id} N/A"
        );
    }
}

#[test]
fn capability_premises_pick_the_cases_that_test_them() {
    let na = na_cases();
    assert_picks(
        &na,
        "domain-list",
        &[
            "wechat/download/domain/not-in-list",
            "douyin/download/domain/not-in-list",
            "baidu/upload/domain/not-in-list",
            "alipay/download/domain/alipay-not-in-list",
        ],
        &["wechat/download/redirect/cross-host"],
    );
    assert!(
        na["domain-list"]
            .iter()
            .all(|id| id.contains("not-in-list")),
        "{:#?}",
        na["domain-list"]
    );
    assert_picks(
        &na,
        "host-events",
        &[
            "wechat/download/host/background",
            "wechat/download/host/network-change",
            "wechat/download/host/offline",
            "douyin/download/net/offline",
        ],
        // An abort is the task's own method, not a host event.
        &["douyin/download/abort/before-headers"],
    );
    // One host event lacked: only the cases that inject that one.
    assert_picks(
        &na,
        "host-event-background",
        &["wechat/download/host/background"],
        &[
            "wechat/download/host/network-change",
            "wechat/download/host/offline",
        ],
    );
    assert_picks(
        &na,
        "host-event-network-change",
        &["wechat/download/host/network-change"],
        &[
            "wechat/download/host/background",
            "wechat/download/host/offline",
        ],
    );
    assert_picks(
        &na,
        "host-event-offline",
        &[
            "wechat/download/host/offline",
            "douyin/download/net/offline",
        ],
        &[
            "wechat/download/host/background",
            "wechat/download/host/network-change",
        ],
    );
    assert_picks(
        &na,
        "sdk-version",
        &[
            "douyin/download/ok/before-2-42-file-path-ignored",
            "douyin/download/size/v2-41/past-limit",
            "wechat/download/timeout/before-2-10-0",
            "wechat/download/success/file-path-before-1-8-0",
            "wechat/download/headers-received/before-2-1-0",
            "alipay/download/success/alipay-shape",
        ],
        // Alipay's versions are not WeChat's: a parameter's `since` says nothing there.
        &[
            "alipay/download/timeout/alipay-headers-late",
            "alipay/download/success/alipay-http2-ignored",
            "alipay/download/success/alipay-status-code-2-8-8",
        ],
    );
    assert_picks(
        &na,
        "files",
        &["baidu/upload/success/basic"],
        // A download with filePath that succeeds is judged on the rest, and one whose filePath
        // must be refused is judged on its outcome: it fails on any runtime.
        &[
            "wechat/download/success/file-path",
            "wechat/download/file-path/traversal",
            "wechat/download/file-path/quota-exceeded",
            "douyin/download/file-path/traversal",
            "douyin/download/file-path/user-quota",
            "feishu-openapi/file-get/file-path/traversal",
        ],
    );
    // A task without the off method: only the cases that call it, per event.
    assert_picks(
        &na,
        "off-progress-update",
        &[
            "wechat/download/off/progress",
            "baidu/download/off/progress",
        ],
        &[
            "wechat/download/off/headers-received",
            "wechat/download/progress/monotonic",
        ],
    );
    assert_picks(
        &na,
        "off-headers-received",
        &[
            "wechat/download/off/headers-received",
            "baidu/download/off/headers-received",
            "douyin/download/off/headers-received-all",
        ],
        &[
            "wechat/download/off/progress",
            "wechat/download/headers-received/fires",
        ],
    );
    assert_eq!(
        na["off-progress-update"].len(),
        2,
        "{:#?}",
        na["off-progress-update"]
    );
    // Plain downloads are never N/A, whatever is missing.
    for capability in na.keys() {
        assert_picks(
            &na,
            capability,
            &[],
            &[
                "wechat/download/success/temp-file",
                "douyin/download/ok/temp-file",
                "feishu-openapi/file-get/ok/binary",
            ],
        );
    }
}

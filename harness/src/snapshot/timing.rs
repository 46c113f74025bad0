//! Cases whose observation depends on timing even on an idle machine: no snapshot of theirs is
//! stored or compared, since it would differ between runs of the same implementation. Their
//! checks still judge them.

/// Full case ids, with why their observation varies.
pub const TIMING_DEPENDENT: &[(&str, &str)] = &[
    (
        "baidu/upload/server/early-413",
        "the 413 may arrive before or after the body is written: success or fail",
    ),
    (
        "baidu/upload/server/reset",
        "the reset is seen while writing or while reading: the error text differs",
    ),
    (
        "wechat/download/file-path/quota-exceeded",
        "the server may finish sending before the client gives up",
    ),
    (
        "baidu/upload/abort/mid-body",
        "a small upload may be through before the abort arrives",
    ),
    (
        "feishu-gadget/download/abort/before-headers",
        "the abort may come before or after the request reaches the server",
    ),
    (
        "wechat/download/abort/before-body",
        "the abort may come before or after the request reaches the server",
    ),
    (
        "wechat/download/body/reset-mid-body",
        "a progress event may or may not come before the reset cuts the body",
    ),
    (
        "wechat/download/off/progress",
        "how many progress events come before offProgressUpdate takes effect varies",
    ),
    (
        "baidu/download/off/progress",
        "how many progress events come before offProgressUpdate takes effect varies",
    ),
    (
        "wechat/download/redirect/loop",
        "a hop reuses the connection of the one before only if it was back in the pool in time",
    ),
];

/// Why the case's observation depends on timing, if it does.
pub fn timing_dependent(case_id: &str) -> Option<&'static str> {
    TIMING_DEPENDENT
        .iter()
        .find(|(id, _)| *id == case_id)
        .map(|(_, why)| *why)
}

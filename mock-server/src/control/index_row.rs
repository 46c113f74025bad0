//! One scenario row of the index page, as the harness fills it in: a data type of its own, so
//! the server state that holds the rows does not depend on the page that renders them.

use serde::{Deserialize, Serialize};

/// An extra row of the index: one scenario a device can reproduce, in structured fields.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IndexRow {
    /// Platform name, e.g. `douyin`.
    pub platform: String,
    /// Case id within the platform's spec.
    pub case: String,
    /// What the platform should do, in a few words: `fail 121520`, `success 404`.
    pub behaviour: String,
    /// The errno the platform should give, when it should fail with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errno: Option<i64>,
    /// The errMsg the platform should give (or how it starts, see `err_msg_match`).
    #[serde(rename = "errMsg", default, skip_serializing_if = "Option::is_none")]
    pub err_msg: Option<String>,
    /// How `errMsg` is matched: `equals`, `prefix`, `contains`, or `documented` (the error
    /// table's text for the errno, which the case does not pin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub err_msg_match: Option<String>,
    /// The URL that reproduces it.
    pub url: String,
    /// The API to call, e.g. `tt.downloadFile` (or the server API for Feishu server rows).
    pub api: String,
    /// The call's arguments as the case uses them (`url`, `header`, `timeout`, `filePath`,
    /// `formData`, ...).
    pub args: serde_json::Map<String, serde_json::Value>,
    /// The call to copy: a JS snippet for the platform, or a curl command for server APIs.
    pub snippet: String,
    /// What to do on the device during the call (go offline, set the domain list, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<String>,
    /// Journal key of what the server sees for this scenario (the live view), if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Listener the scenario is served on (`https`, `expired`, ...), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listener: Option<String>,
    /// A curl command that shows it on the wire.
    pub curl: String,
}

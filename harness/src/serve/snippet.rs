//! The call to copy onto a device: `tt.downloadFile({...})` with the case's arguments, logging
//! every callback, plus the task method calls the case makes (abort at its moment).

use serde_json::{Map, Value};

use crate::spec::model::{Action, ActionKind, Platform, Trigger};

/// The global API object a platform's mini-programs call: `tt`, `wx`, `my`, `swan`.
pub fn api_object(platform: Platform) -> Option<&'static str> {
    match platform {
        Platform::FeishuGadget | Platform::Douyin => Some("tt"),
        Platform::Wechat => Some("wx"),
        Platform::Alipay => Some("my"),
        Platform::Baidu => Some("swan"),
        Platform::FeishuOpenapi => None,
    }
}

/// The API as called: `tt.downloadFile`, `swan.uploadFile`; server APIs keep their own name.
pub fn api_name(platform: Platform, api: &str) -> String {
    match api_object(platform) {
        Some(obj) => format!("{obj}.{api}"),
        None => api.to_string(),
    }
}

/// A JS key: bare when it is an identifier, quoted otherwise.
fn js_key(k: &str) -> String {
    let ident = k
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if ident {
        k.to_string()
    } else {
        Value::String(k.to_string()).to_string()
    }
}

/// The snippet for a mini-program API: the call with `args`, every callback logged, a progress
/// listener, and the case's aborts at their moment; `count` calls when the case starts several.
pub fn js(
    platform: Platform,
    api: &str,
    args: &Map<String, Value>,
    actions: &[Action],
    count: u32,
) -> String {
    let name = api_name(platform, api);
    let mut lines = Vec::new();
    if platform == Platform::Wechat {
        lines.push(format!(
            "// With Mpx: mpx.{api}({{...}}) takes the same object."
        ));
    }
    let indent = if count > 1 { "  " } else { "" };
    if count > 1 {
        lines.push(format!("for (let i = 0; i < {count}; i++) {{"));
    }
    lines.push(format!("{indent}const task = {name}({{"));
    for (k, v) in args {
        lines.push(format!("{indent}  {}: {},", js_key(k), v));
    }
    lines.push(format!(
        "{indent}  success(res) {{ console.log('success', res); }},"
    ));
    lines.push(format!(
        "{indent}  fail(res) {{ console.log('fail', res.errno, res.errMsg, res); }},"
    ));
    let aborts: Vec<&Trigger> = actions
        .iter()
        .filter(|a| matches!(a.what, ActionKind::Abort))
        .map(|a| &a.at)
        .collect();
    // An abort once the call has ended is called from complete itself.
    let abort_when_complete = if aborts.contains(&&Trigger::Completed) {
        " task.abort();"
    } else {
        ""
    };
    lines.push(format!(
        "{indent}  complete(res) {{ console.log('complete', res);{abort_when_complete} }},"
    ));
    lines.push(format!("{indent}}});"));
    let by_bytes = aborts.iter().find_map(|t| match t {
        Trigger::AfterBytes(n) => Some(*n),
        _ => None,
    });
    let progress_field = if api.to_ascii_lowercase().contains("upload") {
        "totalBytesSent"
    } else {
        "totalBytesWritten"
    };
    match by_bytes {
        Some(n) => lines.push(format!(
            "{indent}task.onProgressUpdate(res => {{ console.log('progress', res); if (res.{progress_field} >= {n}) task.abort(); }});"
        )),
        None => lines.push(format!(
            "{indent}task.onProgressUpdate(res => console.log('progress', res));"
        )),
    }
    for at in aborts {
        match at {
            Trigger::Immediately => lines.push(format!("{indent}task.abort();")),
            Trigger::AfterMs(ms) => {
                lines.push(format!("{indent}setTimeout(() => task.abort(), {ms});"))
            }
            Trigger::HeadersReceived => lines.push(format!(
                "{indent}task.onHeadersReceived(() => task.abort());"
            )),
            Trigger::AfterBytes(_) | Trigger::Completed => {}
        }
    }
    // The snippet's listeners are inline arrows: say where the off call goes rather than
    // rewrite them into named functions.
    for action in actions {
        if let Some(event) = action.what.off_event() {
            let arg = match action.what {
                ActionKind::OffAll(_) => "",
                _ => "theListener",
            };
            lines.push(format!(
                "{indent}// {}: task.{}({arg});",
                super::steps::when(&action.at),
                event.off_method()
            ));
        }
    }
    if count > 1 {
        lines.push("}".into());
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("url".into(), "https://h:1/f/a.bin?stall".into());
        m.insert("timeout".into(), 1500.into());
        m.insert("header".into(), serde_json::json!({"X-Test": "1"}));
        m
    }

    #[test]
    fn a_douyin_call_with_its_arguments_and_callbacks() {
        let s = js(Platform::Douyin, "downloadFile", &args(), &[], 1);
        assert!(s.starts_with("const task = tt.downloadFile({"), "{s}");
        assert!(s.contains("  url: \"https://h:1/f/a.bin?stall\",\n  timeout: 1500,\n  header: {\"X-Test\":\"1\"},"), "{s}");
        assert!(s.contains("fail(res) { console.log('fail', res.errno, res.errMsg, res); }"));
    }

    #[test]
    fn api_objects_per_platform_and_aborts_at_their_moment() {
        assert_eq!(
            api_name(Platform::Alipay, "downloadFile"),
            "my.downloadFile"
        );
        assert_eq!(api_name(Platform::Baidu, "uploadFile"), "swan.uploadFile");
        assert_eq!(
            api_name(Platform::FeishuGadget, "downloadFile"),
            "tt.downloadFile"
        );
        let actions = vec![Action {
            at: Trigger::AfterBytes(65536),
            what: ActionKind::Abort,
        }];
        let s = js(Platform::Wechat, "downloadFile", &args(), &actions, 1);
        assert!(s.starts_with("// With Mpx: mpx.downloadFile"), "{s}");
        assert!(s.contains("const task = wx.downloadFile({"));
        assert!(
            s.contains("if (res.totalBytesWritten >= 65536) task.abort();"),
            "{s}"
        );
        let many = js(Platform::Baidu, "downloadFile", &args(), &[], 3);
        assert!(many.starts_with("for (let i = 0; i < 3; i++) {"), "{many}");
    }
}

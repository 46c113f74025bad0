//! What QA does on the device for a case, in plain words: host events during the call (offline,
//! network change, background), a full quota, a domain list, the build and OS the case assumes.

use crate::runner::plan::PlannedCase;
use crate::spec::model::{ActionKind, HostEvent, Os, Trigger};

/// The steps for `planned`, in the order to take them; `host` is the server as the device names it.
pub fn steps(planned: &PlannedCase, host: &str) -> Vec<String> {
    let case = &planned.case;
    let mut out = Vec::new();
    if let Some(os) = case.env.os.and_then(os_name) {
        out.push(format!("Use an {os} device."));
    }
    if let Some(v) = &case.env.sdk_version {
        out.push(format!(
            "Use base library version {} (or set it in the developer tool).",
            v.0
        ));
    }
    match case.env.release {
        Some(true) => out.push("Use a release build (a published or trial version).".into()),
        Some(false) => {
            out.push("Use a debug build (developer tool, preview or debug mode).".into())
        }
        None => {}
    }
    if let Some(domains) = &case.env.domains {
        if domains.is_empty() {
            out.push("Leave the downloadFile domain list empty in the platform's console.".into());
        } else {
            out.push(format!(
                "Set the downloadFile domain list in the platform's console to {} only; {host} must not be on it, and domain checks must stay on.",
                domains.join(", ")
            ));
        }
    }
    for file in &case.env.files {
        out.push(format!(
            "Put a file of {} bytes at {} first (any content; the file system manager can write it).",
            file.size, file.path
        ));
    }
    if let Some(quota) = case.env.user_quota_bytes {
        out.push(format!(
            "Fill the user file storage until less than {quota} bytes are free (the case's quota), e.g. by saving large files first."
        ));
    }
    if case.call.count > 1 {
        out.push(format!(
            "The snippet starts {} calls at once; run it as it is.",
            case.call.count
        ));
    }
    for action in &case.call.actions {
        if let ActionKind::Inject(event) = &action.what {
            out.push(format!("{} {}.", event_step(*event), when(&action.at)));
        }
    }
    out
}

fn os_name(os: Os) -> Option<&'static str> {
    match os {
        Os::Any => None,
        Os::Android => Some("Android"),
        Os::Ios => Some("iOS"),
        Os::Pc => Some("PC (desktop client)"),
    }
}

fn event_step(event: HostEvent) -> &'static str {
    match event {
        HostEvent::Offline => "Go offline (airplane mode, or Wi-Fi and data off)",
        HostEvent::NetworkChange => "Switch networks (Wi-Fi to cellular)",
        HostEvent::Background => "Put the app in the background (home screen)",
    }
}

/// When an action happens, as a person times it by hand.
pub fn when(at: &Trigger) -> String {
    match at {
        Trigger::Immediately => "right after starting the call".into(),
        Trigger::AfterMs(ms) => format!("about {ms} ms after starting the call"),
        Trigger::AfterBytes(n) => {
            format!("once about {n} bytes have arrived (watch the progress log or the live view)")
        }
        Trigger::HeadersReceived => "as soon as the response headers arrive".into(),
        Trigger::Completed => "once the complete callback has been called".into(),
    }
}

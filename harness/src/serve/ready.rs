//! The ready file: where everything listens, written once the server is up.

use std::io;
use std::path::Path;

use mock_server::respond::serve::listener_name;
use mock_server::{ListenerKind, MockServer};
use serde_json::{Map, Value, json};

use super::rows::ServeRow;

/// The document: listeners (name to base URL), CA path, control URL, index URL, refused port,
/// how many scenarios are listed and how many are registered on the server.
pub fn document(server: &MockServer, rows: &[ServeRow]) -> Value {
    let listeners: Map<String, Value> = ListenerKind::ALL
        .iter()
        .map(|l| (listener_name(*l).to_string(), server.base_url(*l).into()))
        .collect();
    json!({
        "listeners": listeners,
        "ca_cert": server.ca_cert_path().display().to_string(),
        "control": server.control_url(),
        "index": format!("{}/", server.base_url(ListenerKind::Http)),
        "refused_port": server.refused_port(),
        "scenarios": rows.len(),
        "registered": rows.iter().filter(|r| r.key.is_some() && r.problem.is_none()).count(),
    })
}

/// Write `doc` to `path` whole: a temporary name first, then renamed, so readers never see half.
pub fn write(path: &Path, doc: &Value) -> io::Result<()> {
    let bytes = serde_json::to_vec_pretty(doc).map_err(io::Error::other)?;
    crate::persist::write_whole(path, &bytes)
}

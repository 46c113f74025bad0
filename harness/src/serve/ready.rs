//! The ready file: where everything listens, written once the server is up.

use std::io;
use std::path::Path;

use mock_server::MockServer;
use serde_json::Value;

use super::rows::ServeRow;

/// The document: where everything is (listeners, host, CA path, URLs and fingerprint, control
/// URL and token, index URL, refused port, see [`MockServer::ready_document`]), how many
/// scenarios are listed and how many are registered on the server.
pub fn document(server: &MockServer, rows: &[ServeRow]) -> Value {
    let mut doc = server.ready_document();
    if let Some(map) = doc.as_object_mut() {
        map.insert("scenarios".into(), rows.len().into());
        map.insert(
            "registered".into(),
            rows.iter()
                .filter(|r| r.key.is_some() && r.problem.is_none())
                .count()
                .into(),
        );
    }
    doc
}

/// Write `doc` to `path` whole: a temporary name first, then renamed, so readers never see half.
pub fn write(path: &Path, doc: &Value) -> io::Result<()> {
    let bytes = serde_json::to_vec_pretty(doc).map_err(io::Error::other)?;
    crate::persist::write_whole(path, &bytes)
}

//! The committed `specs/schema.json` is what the model generates.

use std::path::Path;

use dlconform::spec::schema::schema_json;

#[test]
fn committed_schema_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/schema.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == schema_json(),
        "{} is stale or missing: the spec model changed. Regenerate it from the repository root with\n\
         \n    cargo run -p dlconform -- schema --write\n",
        path.display()
    );
}

#[test]
fn schema_describes_the_spec_model() {
    let schema: serde_json::Value =
        serde_json::from_str(&schema_json()).unwrap_or_else(|e| panic!("schema is not JSON: {e}"));
    assert_eq!(schema["title"], "Spec");
    let required = schema["required"].as_array().cloned().unwrap_or_default();
    for field in ["spec_version", "platform", "sources", "apis", "cases"] {
        assert!(
            required.iter().any(|r| r == field),
            "{field} should be required"
        );
    }
    assert!(
        schema["$defs"]["Fault"].is_object(),
        "faults come from the mock server's catalog"
    );
}

//! The committed JSON Schema must be what the Rust types generate.
//! Run with `AGENTC_UPDATE_SCHEMA=1` to rewrite it after changing the types.

#[test]
fn committed_schema_matches_the_types() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/agent.schema.json");
    let generated = agentc::spec::schema::schema_text();
    if std::env::var_os("AGENTC_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).expect("write schema");
        return;
    }
    let committed = std::fs::read_to_string(&path).expect("schema/agent.schema.json exists");
    assert!(
        committed == generated,
        "schema/agent.schema.json is stale: run `AGENTC_UPDATE_SCHEMA=1 cargo test --test integration schema`"
    );
}

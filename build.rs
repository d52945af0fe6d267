//! Build script: work that every `agentc` process would otherwise repeat at start-up.
//!
//! - cl100k_base's vocabulary as a table sorted by bytes, so that agentc can count tokens
//!   exactly without building tiktoken's hash maps at run time (~50 ms per process). The
//!   vocabulary comes from tiktoken-rs itself, so the two can never disagree. Layout
//!   (little-endian): n: u32, offsets: [u32; n + 1], ranks: [u32; n], then the bytes.
//! - The built-in model table (`data/models.yaml`) as JSON: serde_json reads it in a tenth of
//!   the time the YAML parser takes (~0.6 ms of every lint). `src/models.rs` tests that both
//!   give the same table.
//! - The spec schema without its annotations (descriptions are two thirds of its text), for
//!   `src/spec/conforms.rs`, which walks it over every spec a lint reads.

use std::io::Write;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    models_json();
    schema_keywords();
    let Ok(bpe) = tiktoken_rs::cl100k_base() else {
        panic!("tiktoken-rs could not load cl100k_base");
    };
    let mut tokens: Vec<(Vec<u8>, u32)> = (0..100_256u32)
        .filter_map(|rank| bpe.decode_bytes(&[rank]).ok().map(|bytes| (bytes, rank)))
        .collect();
    tokens.sort();
    let mut out = Vec::with_capacity(2_000_000);
    out.extend((tokens.len() as u32).to_le_bytes());
    let mut offset = 0u32;
    out.extend(offset.to_le_bytes());
    for (bytes, _) in &tokens {
        offset += bytes.len() as u32;
        out.extend(offset.to_le_bytes());
    }
    for (_, rank) in &tokens {
        out.extend(rank.to_le_bytes());
    }
    for (bytes, _) in &tokens {
        out.extend(bytes);
    }
    let dir = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    let path = std::path::Path::new(&dir).join("cl100k_base.sorted.bin");
    let mut file =
        std::fs::File::create(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    file.write_all(&out)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn models_json() {
    let source = "data/models.yaml";
    println!("cargo:rerun-if-changed={source}");
    let text = std::fs::read_to_string(source).unwrap_or_else(|e| panic!("{source}: {e}"));
    let table: serde_json::Value =
        serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{source}: {e}"));
    let dir = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    let path = std::path::Path::new(&dir).join("models.json");
    std::fs::write(&path, table.to_string()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn schema_keywords() {
    let source = "schema/agent.schema.json";
    println!("cargo:rerun-if-changed={source}");
    let text = std::fs::read_to_string(source).unwrap_or_else(|e| panic!("{source}: {e}"));
    let mut schema: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{source}: {e}"));
    strip_annotations(&mut schema, false);
    let dir = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    let path = std::path::Path::new(&dir).join("agent.keywords.json");
    std::fs::write(&path, schema.to_string()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Removes the keywords that do not take part in validation (formats are not validated).
/// The keys of `properties` and `$defs` are names, and `enum`/`const`/`default` values are
/// data: neither is touched as a keyword.
fn strip_annotations(node: &mut serde_json::Value, named: bool) {
    match node {
        serde_json::Value::Object(map) if named => {
            map.values_mut().for_each(|v| strip_annotations(v, false));
        }
        serde_json::Value::Object(map) => {
            for key in ["description", "title", "default", "$schema", "format"] {
                map.remove(key);
            }
            for (key, value) in map.iter_mut() {
                if key != "enum" && key != "const" {
                    strip_annotations(value, key == "properties" || key == "$defs");
                }
            }
        }
        serde_json::Value::Array(items) => {
            items.iter_mut().for_each(|v| strip_annotations(v, false))
        }
        _ => {}
    }
}

//! Build script: write cl100k_base's vocabulary as a table sorted by bytes, so that agentc can
//! count tokens exactly without building tiktoken's hash maps at run time (~50 ms per process).
//! The vocabulary comes from tiktoken-rs itself, so the two can never disagree.
//!
//! Layout (little-endian): n: u32, offsets: [u32; n + 1], ranks: [u32; n], then the bytes.

use std::io::Write;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
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

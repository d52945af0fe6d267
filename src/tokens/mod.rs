//! Token estimates. Bedrock's own tokenizers (Nova, Claude 3+) are not public, so every count
//! agentc shows is an *estimate* from an open BPE tokenizer, and says so.
//!
//! Start-up matters more than throughput here (`agentc lint` runs in pre-commit hooks), and
//! tiktoken-rs spends ~50 ms building its hash maps before it counts anything. So:
//! - texts whose byte length already bounds their token count are never tokenized;
//! - counting uses [`bpe`], an exact cl100k_base counter over a vocabulary table sorted at
//!   build time from tiktoken-rs's own data (nothing to build at run time), with tiktoken-rs
//!   as the fallback and as the oracle of its tests;
//! - counts are remembered across runs in a small cache file keyed by the SHA-256 of the text
//!   (a pre-commit hook sees the same tool definitions commit after commit).

pub mod bpe;

use crate::spec::Tool;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{LazyLock, Mutex};

/// The tokenizer behind every estimate.
pub const TOKENIZER: &str = "cl100k_base (tiktoken-rs)";

/// The label shown next to estimated figures.
pub const ESTIMATE_NOTE: &str = "token counts are estimates from the open cl100k_base tokenizer (tiktoken-rs); Bedrock's own tokenizers are not public";

/// Estimated tokens of `text`.
pub fn count(text: &str) -> usize {
    if text.is_empty() {
        return 0;
    }
    if !CACHE_ENABLED.load(Ordering::Relaxed) {
        return tokenize(text);
    }
    let key = cache_key(text);
    if let Some(&n) = lock(&CACHE).entries.get(&key) {
        return n as usize;
    }
    let n = tokenize(text);
    let mut cache = lock(&CACHE);
    cache.entries.insert(key, n as u32);
    cache.fresh.push((key, n as u32));
    n
}

fn tokenize(text: &str) -> usize {
    // Exact and without tiktoken's ~50 ms start-up; tiktoken-rs remains the fallback.
    if let Some(n) = bpe::count(text) {
        return n;
    }
    tiktoken_rs::cl100k_base_singleton()
        .encode_ordinary(text)
        .len()
}

static CACHE_ENABLED: AtomicBool = AtomicBool::new(false);

/// Counts remembered across runs; `fresh` are the ones this process added.
#[derive(Default)]
struct CountCache {
    entries: HashMap<[u8; 16], u32>,
    fresh: Vec<([u8; 16], u32)>,
}

/// The cache file grows by appending; past this size it is started afresh.
const CACHE_MAX_BYTES: u64 = 2 * 1024 * 1024;

static CACHE: LazyLock<Mutex<CountCache>> = LazyLock::new(|| Mutex::new(read_cache()));

fn lock(cache: &Mutex<CountCache>) -> std::sync::MutexGuard<'_, CountCache> {
    cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn cache_key(text: &str) -> [u8; 16] {
    let digest = Sha256::digest(text.as_bytes());
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    key
}

/// `$AGENTC_CACHE_DIR`, else `$XDG_CACHE_HOME/agentc`, else `~/.cache/agentc`.
fn cache_path() -> Option<PathBuf> {
    let dir = std::env::var_os("AGENTC_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("agentc")))
        .or_else(|| {
            std::env::var_os("HOME").map(|d| PathBuf::from(d).join(".cache").join("agentc"))
        })?;
    Some(dir.join("token-counts-cl100k_base-v1.txt"))
}

fn read_cache() -> CountCache {
    let mut cache = CountCache::default();
    // Through fsio: a FIFO or device planted at the cache path must not block lint.
    const CACHE_INPUT: crate::fsio::InputKind = crate::fsio::InputKind {
        name: "the token-count cache",
        max_bytes: 4 * CACHE_MAX_BYTES,
        stdin: false,
    };
    let Some(text) = cache_path().and_then(|p| crate::fsio::read_text(&p, CACHE_INPUT).ok()) else {
        return cache;
    };
    // A corrupt or truncated line (two processes appending at once) is simply skipped.
    for line in text.lines() {
        let Some((hex, n)) = line.split_once(' ') else {
            continue;
        };
        let (Some(key), Ok(n)) = (parse_hex(hex), n.parse::<u32>()) else {
            continue;
        };
        cache.entries.insert(key, n);
    }
    cache
}

fn parse_hex(hex: &str) -> Option<[u8; 16]> {
    if hex.len() != 32 {
        return None;
    }
    let mut key = [0u8; 16];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(key)
}

/// Turn the persistent count cache on (the CLI does, unless `--no-cache` or `AGENTC_NO_CACHE`).
pub fn enable_cache(enabled: bool) {
    let disabled_by_env = std::env::var_os("AGENTC_NO_CACHE").is_some_and(|v| !v.is_empty());
    CACHE_ENABLED.store(enabled && !disabled_by_env, Ordering::Relaxed);
}

/// Append the counts this process computed to the cache file. Failures are ignored: the cache
/// only saves time.
pub fn persist_cache() {
    if !CACHE_ENABLED.load(Ordering::Relaxed) {
        return;
    }
    let fresh = std::mem::take(&mut lock(&CACHE).fresh);
    if fresh.is_empty() {
        return;
    }
    let Some(path) = cache_path() else { return };
    // A cache is best-effort, but never written onto a device, FIFO or through a link to one.
    if crate::fsio::create_parent_dirs(&path).is_err()
        || crate::fsio::check_target(&path, &[]).is_err()
    {
        return;
    }
    let too_big = std::fs::metadata(&path).is_ok_and(|m| m.len() > CACHE_MAX_BYTES);
    let mut text = String::with_capacity(fresh.len() * 40);
    for (key, n) in fresh {
        for byte in key {
            text.push_str(&format!("{byte:02x}"));
        }
        text.push_str(&format!(" {n}\n"));
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(!too_big)
        .write(true)
        .truncate(too_big)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(&path);
    if let Ok(mut file) = file {
        // One write call per process: lines from concurrent processes do not interleave.
        let _ = file.write_all(text.as_bytes());
    }
}

/// A cheap upper bound: no BPE token is shorter than one byte.
pub fn upper_bound(text: &str) -> usize {
    text.len()
}

/// Start loading the tokenizer on another thread, so that it overlaps with parsing.
pub fn warm_up() {
    std::thread::spawn(|| {
        let _ = tiktoken_rs::cl100k_base_singleton();
    });
}

/// The tool name the orchestrator (and the Converse target) sees: `group__function`.
pub fn qualified_tool_name(tool: &Tool) -> String {
    format!("{}__{}", tool.group_name, tool.name)
}

/// One tool's definition as the orchestrating model sees it: a JSON tool specification with
/// the name, description and input schema. Both Bedrock Agents (for models with native tool
/// use) and the Converse target send this shape.
pub fn tool_definition(tool: &Tool) -> String {
    json!({
        "name": qualified_tool_name(tool),
        "description": tool.description.as_deref().unwrap_or_default(),
        "input_schema": tool.input_schema,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_keys_round_trip_through_hex() {
        let key = cache_key("hello");
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(parse_hex(&hex), Some(key));
        assert_eq!(parse_hex("zz"), None);
    }

    #[test]
    fn counts_are_plausible_and_bounded_by_bytes() {
        let text = "Execute a read-only SQL query against the production database.";
        let n = count(text);
        assert!(n > 5 && n < 20, "{n}");
        assert!(n <= upper_bound(text));
        assert_eq!(count(""), 0);
    }
}

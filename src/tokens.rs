//! Token estimates. Bedrock's own tokenizers (Nova, Claude 3+) are not public, so every count
//! agentc shows is an *estimate* from an open BPE tokenizer, and says so.
//!
//! Loading the BPE ranks costs ~50 ms, more than the rest of `agentc lint` together, so it is
//! loaded at most once per process, only when a count is actually needed, and texts whose
//! byte length already bounds their token count are never tokenized at all.

use crate::spec::Tool;
use serde_json::json;

/// The tokenizer behind every estimate.
pub const TOKENIZER: &str = "cl100k_base (tiktoken-rs)";

/// The label shown next to estimated figures.
pub const ESTIMATE_NOTE: &str = "token counts are estimates from the open cl100k_base tokenizer (tiktoken-rs); Bedrock's own tokenizers are not public";

/// Estimated tokens of `text`.
pub fn count(text: &str) -> usize {
    if text.is_empty() {
        return 0;
    }
    tiktoken_rs::cl100k_base_singleton()
        .encode_ordinary(text)
        .len()
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
    fn counts_are_plausible_and_bounded_by_bytes() {
        let text = "Execute a read-only SQL query against the production database.";
        let n = count(text);
        assert!(n > 5 && n < 20, "{n}");
        assert!(n <= upper_bound(text));
        assert_eq!(count(""), 0);
    }
}

//! Knowledge bases off the Agents target: each enabled `knowledge_bases` entry of a spec becomes
//! a tool the model can call with a query, answered by the bedrock-agent-runtime `Retrieve` API
//! on that knowledge base (`retrieve`, the network part). Bedrock Agents queries its knowledge
//! bases itself; a runtime that calls the model directly (the direct target, and the harness
//! through the same mechanism) gives the model this tool instead.
//!
//! This module is the target-neutral part: the tool's name and Converse definition (so compile
//! output and cost count it), the Retrieve request body, and how a Retrieve response becomes
//! the tool result — the top passages with their source locations.

#[cfg(feature = "retrieve")]
pub mod retrieve;

use crate::spec::{SearchType, Spec};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Passages per retrieval when the spec does not say (Bedrock Agents' own default).
pub const DEFAULT_RESULTS: u32 = 5;

/// One knowledge base as a tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnowledgeBaseTool {
    /// The Converse tool name.
    pub tool_name: String,
    pub knowledge_base_id: String,
    pub description: String,
    pub number_of_results: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_type: Option<SearchType>,
}

/// The spec's enabled knowledge bases as tools, named so no name clashes with `taken` (the
/// function tools' names): `knowledge_base_<id>`, with a counter on a clash.
pub fn tools<'a>(spec: &Spec, taken: impl IntoIterator<Item = &'a str>) -> Vec<KnowledgeBaseTool> {
    let mut taken: std::collections::HashSet<String> =
        taken.into_iter().map(str::to_string).collect();
    let mut out = Vec::new();
    for kb in spec.knowledge_bases.iter().filter(|kb| kb.enabled) {
        // An ARN names the knowledge base by its last path segment.
        let short = kb.id.rsplit('/').next().unwrap_or(&kb.id);
        let clean: String = short
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .take(40)
            .collect();
        let base = format!("knowledge_base_{clean}");
        let mut name = base.clone();
        let mut n = 2;
        while !taken.insert(name.clone()) {
            name = format!("{base}_{n}");
            n += 1;
        }
        out.push(KnowledgeBaseTool {
            tool_name: name,
            knowledge_base_id: kb.id.clone(),
            description: kb.description.clone(),
            number_of_results: kb.number_of_results.unwrap_or(DEFAULT_RESULTS),
            search_type: kb.search_type,
        });
    }
    out
}

impl KnowledgeBaseTool {
    /// The Converse `toolSpec` of this knowledge base.
    pub fn tool_spec(&self) -> Value {
        json!({
            "toolSpec": {
                "name": self.tool_name,
                "description": format!(
                    "Search knowledge base {}: {} Returns the {} most relevant passages, each with its source.",
                    self.knowledge_base_id,
                    self.description.trim_end(),
                    self.number_of_results
                ),
                "inputSchema": { "json": {
                    "type": "object",
                    "properties": {
                        "query": {
                            "type": "string",
                            "description": "What to look up, as a self-contained search query."
                        }
                    },
                    "required": ["query"]
                }}
            }
        })
    }

    /// The body of the Retrieve request for `query` (the knowledge base id is in the path).
    pub fn request_body(&self, query: &str) -> Value {
        let mut vector = json!({ "numberOfResults": self.number_of_results });
        if let Some(search_type) = self.search_type {
            vector["overrideSearchType"] = json!(search_type.as_str());
        }
        json!({
            "retrievalQuery": { "text": query },
            "retrievalConfiguration": { "vectorSearchConfiguration": vector }
        })
    }
}

/// The query of a tool call: `{"query": "…"}` (a bare string is taken as the query too).
pub fn query_of(input: &Value) -> Option<&str> {
    input
        .get("query")
        .and_then(Value::as_str)
        .or_else(|| input.as_str())
        .map(str::trim)
        .filter(|q| !q.is_empty())
}

/// One retrieved passage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Passage {
    pub text: String,
    /// Where it comes from: an S3 URI, a web/Confluence/SharePoint/Salesforce URL, a document id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
}

/// The passages of a Retrieve response (`retrievalResults[].content.text` and `.location`),
/// in the service's order; results without text (images, rows) are left out.
pub fn passages(response: &Value) -> Option<Vec<Passage>> {
    let results = response.get("retrievalResults")?.as_array()?;
    Some(
        results
            .iter()
            .filter_map(|result| {
                let text = result.get("content")?.get("text")?.as_str()?.to_string();
                Some(Passage {
                    text,
                    source: result.get("location").and_then(source_of),
                    score: result.get("score").and_then(Value::as_f64),
                })
            })
            .collect(),
    )
}

/// The one address a `RetrievalResultLocation` carries, whatever its type.
fn source_of(location: &Value) -> Option<String> {
    const FIELDS: [(&str, &str); 10] = [
        ("s3Location", "uri"),
        ("webLocation", "url"),
        ("confluenceLocation", "url"),
        ("sharePointLocation", "url"),
        ("salesforceLocation", "url"),
        ("oneDriveLocation", "url"),
        ("googleDriveLocation", "url"),
        ("kendraDocumentLocation", "uri"),
        ("customDocumentLocation", "id"),
        ("sqlLocation", "query"),
    ];
    FIELDS.iter().find_map(|(member, field)| {
        location
            .get(member)?
            .get(field)?
            .as_str()
            .map(str::to_string)
    })
}

/// The tool result content block for the model.
pub fn tool_result(passages: &[Passage]) -> Value {
    json!({ "json": { "results": passages } })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(yaml: &str) -> Spec {
        serde_saphyr::from_str(yaml).unwrap()
    }

    const SPEC: &str = "agentc: 1\nname: a\nmodel: m\ninstruction: i\nknowledge_bases:\n  - {id: KB12345678, description: Policies.}\n  - {id: KB00000000, description: Off., enabled: false}\n  - {id: 'arn:aws:bedrock:us-east-1:123456789012:knowledge-base/KB87654321', description: Manuals., number_of_results: 3, search_type: HYBRID}\n";

    #[test]
    fn enabled_knowledge_bases_become_tools_with_unique_names() {
        let tools = tools(&spec(SPEC), ["knowledge_base_KB12345678"]);
        let names: Vec<&str> = tools.iter().map(|t| t.tool_name.as_str()).collect();
        assert_eq!(
            names,
            ["knowledge_base_KB12345678_2", "knowledge_base_KB87654321"]
        );
        assert_eq!(tools[0].number_of_results, DEFAULT_RESULTS);
        assert_eq!(tools[1].search_type, Some(SearchType::Hybrid));
        assert!(
            tools[1].knowledge_base_id.starts_with("arn:"),
            "the request names the knowledge base as the spec does"
        );
    }

    #[test]
    fn the_request_body_follows_the_retrieve_model() {
        let tools = tools(&spec(SPEC), []);
        assert_eq!(
            tools[0].request_body("returns"),
            json!({"retrievalQuery": {"text": "returns"},
                   "retrievalConfiguration": {"vectorSearchConfiguration": {"numberOfResults": 5}}})
        );
        assert_eq!(
            tools[1].request_body("q")["retrievalConfiguration"]["vectorSearchConfiguration"],
            json!({"numberOfResults": 3, "overrideSearchType": "HYBRID"})
        );
    }

    #[test]
    fn passages_keep_text_source_and_score() {
        let response = json!({"retrievalResults": [
            {"content": {"text": "30 days.", "type": "TEXT"},
             "location": {"type": "S3", "s3Location": {"uri": "s3://docs/returns.pdf"}}, "score": 0.82},
            {"content": {"text": "Ships in 2 days."},
             "location": {"type": "WEB", "webLocation": {"url": "https://example.com/ship"}}},
            {"content": {"type": "IMAGE", "byteContent": "..."}}
        ]});
        let passages = passages(&response).unwrap();
        assert_eq!(passages.len(), 2);
        assert_eq!(passages[0].source.as_deref(), Some("s3://docs/returns.pdf"));
        assert_eq!(passages[0].score, Some(0.82));
        assert_eq!(
            passages[1].source.as_deref(),
            Some("https://example.com/ship")
        );
        assert_eq!(
            tool_result(&passages)["json"]["results"][1]["text"],
            "Ships in 2 days."
        );
        assert!(super::passages(&json!({"other": 1})).is_none());
    }

    #[test]
    fn the_query_is_read_from_the_tool_input() {
        assert_eq!(query_of(&json!({"query": " refunds "})), Some("refunds"));
        assert_eq!(query_of(&json!({"query": ""})), None);
        assert_eq!(query_of(&json!({})), None);
    }
}

//! The model and price table (`data/models.yaml`, overridable with `--prices FILE`): what each
//! model costs, how large its context is, and whether it can use tools or orchestrate an agent.

use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::LazyLock;

const BUILTIN: &str = include_str!("../data/models.yaml");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelInfo {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub profiles: Vec<String>,
    pub input_usd_per_mtok: f64,
    pub output_usd_per_mtok: f64,
    #[serde(default)]
    pub cache_read_usd_per_mtok: Option<f64>,
    #[serde(default)]
    pub cache_write_usd_per_mtok: Option<f64>,
    pub context_window: u64,
    pub max_output_tokens: u64,
    pub tool_use: bool,
    pub agents_orchestrator: bool,
    #[serde(default)]
    pub prompt_caching: Option<PromptCaching>,
    /// Hidden system prompt the provider adds when tools are present (billed input).
    #[serde(default)]
    pub tool_system_prompt_tokens: Option<u64>,
    pub family: String,
    pub source: String,
    pub date: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromptCaching {
    pub system: bool,
    pub tools: bool,
    pub min_tokens: u64,
}

impl ModelInfo {
    pub fn is_nova(&self) -> bool {
        self.family == "nova"
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelTable {
    pub models: Vec<ModelInfo>,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ModelTableError {
    #[error("cannot read the price table `{path}`: {source}")]
    #[diagnostic(code(agentc::prices))]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the price table `{path}` is invalid: {message}")]
    #[diagnostic(
        code(agentc::prices),
        help("it must have the shape of agentc's data/models.yaml")
    )]
    Parse { path: String, message: String },
}

static BUILTIN_TABLE: LazyLock<ModelTable> =
    LazyLock::new(|| serde_saphyr::from_str(BUILTIN).unwrap_or(ModelTable { models: Vec::new() }));

impl ModelTable {
    /// The table shipped with agentc.
    pub fn builtin() -> &'static ModelTable {
        &BUILTIN_TABLE
    }

    /// The table from `--prices FILE`, or the built-in one.
    pub fn load(prices: Option<&Path>) -> Result<ModelTable, ModelTableError> {
        match prices {
            Some(path) => ModelTable::from_file(path),
            None => Ok(ModelTable::builtin().clone()),
        }
    }

    /// A table from a file of the same shape (`--prices`).
    pub fn from_file(path: &Path) -> Result<ModelTable, ModelTableError> {
        let text = read_small_text(path).map_err(|source| ModelTableError::Read {
            path: path.display().to_string(),
            source,
        })?;
        serde_saphyr::from_str(&text).map_err(|e| ModelTableError::Parse {
            path: path.display().to_string(),
            message: e.to_string().lines().next().unwrap_or_default().to_string(),
        })
    }

    /// Find a model by id, inference-profile id, or ARN of either.
    pub fn find(&self, model: &str) -> Option<&ModelInfo> {
        let id = model.rsplit('/').next().unwrap_or(model);
        self.models
            .iter()
            .find(|m| m.id == id || m.profiles.iter().any(|p| p == id))
            .or_else(|| {
                // A geography prefix we do not list (e.g. `jp.`): try the base model.
                let base = id.split_once('.').map(|(_, rest)| rest)?;
                self.models.iter().find(|m| m.id == base)
            })
    }

    /// Every id a user may write.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.models.iter().flat_map(|m| {
            std::iter::once(m.id.as_str()).chain(m.profiles.iter().map(String::as_str))
        })
    }
}

/// A price table is a few kilobytes: a regular file of at most 1 MiB (`--prices /dev/zero`
/// or a FIFO must not hang).
const PRICES_INPUT: crate::fsio::InputKind = crate::fsio::InputKind {
    name: "a price table",
    max_bytes: 1024 * 1024,
    stdin: false,
};

fn read_small_text(path: &Path) -> std::io::Result<String> {
    crate::fsio::read_text_io(path, PRICES_INPUT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table_parses_and_finds_ids_profiles_and_arns() {
        let table = ModelTable::builtin();
        assert!(table.models.len() >= 10);
        let pro = table.find("amazon.nova-pro-v1:0").expect("nova pro");
        assert_eq!(pro.input_usd_per_mtok, 0.80);
        assert_eq!(pro.output_usd_per_mtok, 3.20);
        assert_eq!(
            table.find("us.amazon.nova-pro-v1:0").map(|m| &m.id),
            Some(&pro.id)
        );
        assert!(table.find("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0").is_some());
        assert!(table.find("jp.amazon.nova-pro-v1:0").is_some());
        assert!(table.find("amazon.nova-pr-v1:0").is_none());
    }

    #[test]
    fn price_tables_must_be_small_regular_files() {
        assert!(ModelTable::from_file(Path::new("/dev/zero")).is_err());
        assert!(ModelTable::from_file(Path::new("/")).is_err());
    }
}

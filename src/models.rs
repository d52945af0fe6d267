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

/// What to tell someone whose model id is not in `table`: "did you mean" for a real near-miss
/// (a character or two off a known id), otherwise, for an id shaped like a Bedrock model id,
/// how to add it to a price table of the same shape (the table may lag behind new models).
pub fn missing_model_help(table: &ModelTable, id: &str) -> String {
    let near_miss = table
        .ids()
        .map(|known| (strsim::levenshtein(id, known), known))
        .filter(|(distance, _)| *distance <= 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, known)| known);
    if let Some(known) = near_miss {
        return format!("did you mean `{known}`?");
    }
    if !well_formed(id)
        && let Some(known) = crate::diag::closest(id, table.ids())
    {
        return format!("did you mean `{known}`? `agentc models` lists the known ids");
    }
    format!(
        "agentc's table does not list `{id}` yet: add it to a price table and pass `--prices FILE` — a YAML file shaped like agentc's data/models.yaml (`agentc models` shows the rows), e.g. `models: [{{id: {id}, name: …, input_usd_per_mtok: …, output_usd_per_mtok: …, context_window: …, max_output_tokens: …, tool_use: true, agents_orchestrator: true, family: …, source: …, date: …}}]`"
    )
}

/// `provider.model-name…[:n]`, optionally behind a geography prefix (`us.`) or in an ARN.
fn well_formed(id: &str) -> bool {
    let id = id.rsplit('/').next().unwrap_or(id);
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "-.:_".contains(c);
    let Some((provider, rest)) = id.split_once('.') else {
        return false;
    };
    !provider.is_empty()
        && provider.chars().all(|c| c.is_ascii_lowercase())
        && rest.len() >= 3
        && rest.chars().all(ok_char)
        && rest.chars().any(|c| c.is_ascii_digit())
}

/// A price table is a few kilobytes; refuse anything that is not a regular file of at most
/// 1 MiB (`--prices /dev/zero` must not hang).
fn read_small_text(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    const LIMIT: u64 = 1024 * 1024;
    let file = std::fs::File::open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    if metadata.len() > LIMIT {
        return Err(std::io::Error::other(
            "larger than 1 MiB; a price table is a few kilobytes",
        ));
    }
    let mut text = String::new();
    file.take(LIMIT).read_to_string(&mut text)?;
    Ok(text)
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
    fn the_models_teams_deploy_in_2026_are_listed() {
        let table = ModelTable::builtin();
        for id in [
            "anthropic.claude-sonnet-4-5-20250929-v1:0",
            "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "us.anthropic.claude-haiku-4-5-20251001-v1:0",
            "us.anthropic.claude-opus-4-1-20250805-v1:0",
            "us.anthropic.claude-opus-4-5-20251101-v1:0",
            "us.amazon.nova-2-lite-v1:0",
            "us.meta.llama4-maverick-17b-instruct-v1:0",
            "us.meta.llama4-scout-17b-instruct-v1:0",
        ] {
            let model = table.find(id).unwrap_or_else(|| panic!("{id} is missing"));
            assert!(!model.source.is_empty() && !model.date.is_empty(), "{id}");
        }
        let haiku = table
            .find("anthropic.claude-haiku-4-5-20251001-v1:0")
            .unwrap();
        assert_eq!(
            haiku.prompt_caching.as_ref().map(|c| c.min_tokens),
            Some(4096)
        );
    }

    #[test]
    fn a_missing_well_formed_id_is_not_treated_as_a_typo() {
        let table = ModelTable::builtin();
        let help = missing_model_help(table, "anthropic.claude-sonnet-9-20300101-v1:0");
        assert!(
            help.contains("add it to a price table and pass `--prices FILE`"),
            "{help}"
        );
        assert!(help.contains("input_usd_per_mtok"), "{help}");
        assert!(!help.contains("did you mean"), "{help}");
        assert_eq!(
            missing_model_help(table, "amazon.nova-pro-v1"),
            "did you mean `amazon.nova-pro-v1:0`?"
        );
        assert_eq!(
            missing_model_help(table, "amazon.nova-pr-v1:0"),
            "did you mean `amazon.nova-pro-v1:0`?"
        );
    }

    #[test]
    fn price_tables_must_be_small_regular_files() {
        assert!(ModelTable::from_file(Path::new("/dev/zero")).is_err());
        assert!(ModelTable::from_file(Path::new("/")).is_err());
    }
}

//! The model and price table (`data/models.yaml`, overridable with `--prices FILE`): what each
//! model costs, how large its context is, and whether it can use tools or orchestrate an agent.

use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::LazyLock;

const BUILTIN: &str = include_str!("../data/models.yaml");
/// [`BUILTIN`] as JSON, converted by `build.rs`: parsing the YAML cost ~0.6 ms of every run.
const BUILTIN_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/models.json"));

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
    #[error(
        "the price table `{path}` line {line}: `{field}` of `{model}` is {value}; it must be a finite number from 0 to {max}"
    )]
    #[diagnostic(
        code(agentc::prices),
        help(
            "prices are USD per million tokens and token figures are counts; fix the value on that line"
        )
    )]
    OutOfRange {
        path: String,
        line: usize,
        model: String,
        field: &'static str,
        value: String,
        max: String,
    },
}

/// The sane range of a price table's figures: far above any real model, and small enough
/// that no workload within `cost::workload::bounds` makes a price overflow (issue 12).
pub mod bounds {
    pub const USD_PER_MTOK: f64 = 1_000_000.0;
    pub const TOKENS: u64 = 1_000_000_000;
}

impl ModelInfo {
    /// The first figure outside [`bounds`], with its value in words.
    fn out_of_range(&self) -> Option<(&'static str, String, String)> {
        let prices = [
            ("input_usd_per_mtok", Some(self.input_usd_per_mtok)),
            ("output_usd_per_mtok", Some(self.output_usd_per_mtok)),
            ("cache_read_usd_per_mtok", self.cache_read_usd_per_mtok),
            ("cache_write_usd_per_mtok", self.cache_write_usd_per_mtok),
        ];
        for (field, value) in prices {
            if let Some(value) = value
                && !(value.is_finite() && (0.0..=bounds::USD_PER_MTOK).contains(&value))
            {
                return Some((
                    field,
                    value.to_string(),
                    crate::fmt::number(bounds::USD_PER_MTOK),
                ));
            }
        }
        let counts = [
            ("context_window", Some(self.context_window)),
            ("max_output_tokens", Some(self.max_output_tokens)),
            ("tool_system_prompt_tokens", self.tool_system_prompt_tokens),
            (
                "min_tokens",
                self.prompt_caching.as_ref().map(|c| c.min_tokens),
            ),
        ];
        counts.into_iter().find_map(|(field, value)| {
            value.filter(|v| *v > bounds::TOKENS).map(|v| {
                (
                    field,
                    crate::fmt::group(v),
                    crate::fmt::group(bounds::TOKENS),
                )
            })
        })
    }
}

/// The line of `field:` in the entry of model `id` (for the message), or the entry's line.
fn line_of(text: &str, id: &str, field: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.contains("id:") && l.contains(id))
        .unwrap_or(0);
    let key = format!("{field}:");
    lines[start..]
        .iter()
        .position(|l| l.trim_start().trim_start_matches("- ").starts_with(&key))
        .map_or(start + 1, |i| start + i + 1)
}

static BUILTIN_TABLE: LazyLock<ModelTable> = LazyLock::new(|| {
    serde_json::from_str(BUILTIN_JSON)
        .or_else(|_| serde_saphyr::from_str(BUILTIN))
        .unwrap_or(ModelTable { models: Vec::new() })
});

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
        let table: ModelTable =
            serde_saphyr::from_str(&text).map_err(|e| ModelTableError::Parse {
                path: path.display().to_string(),
                message: e.to_string().lines().next().unwrap_or_default().to_string(),
            })?;
        // NaN, negative or absurd prices would print as prices; refuse them where they are.
        for model in &table.models {
            if let Some((field, value, max)) = model.out_of_range() {
                return Err(ModelTableError::OutOfRange {
                    path: path.display().to_string(),
                    line: line_of(&text, &model.id, field),
                    model: model.id.clone(),
                    field,
                    value,
                    max,
                });
            }
        }
        Ok(table)
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
    fn the_built_in_json_is_the_yaml_table() {
        let from_yaml: ModelTable = serde_saphyr::from_str(BUILTIN).unwrap();
        let from_json: ModelTable = serde_json::from_str(BUILTIN_JSON).unwrap();
        assert_eq!(from_json.models, from_yaml.models);
        assert!(!from_json.models.is_empty());
    }

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
    fn non_finite_negative_and_absurd_figures_are_refused_with_their_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prices.yaml");
        let builtin = serde_saphyr::to_string(ModelTable::builtin()).unwrap();
        std::fs::write(&path, &builtin).unwrap();
        assert!(
            ModelTable::from_file(&path).is_ok(),
            "the built-in table is in range"
        );
        for (value, shown) in [
            (".nan", "NaN"),
            ("-0.5", "-0.5"),
            (".inf", "inf"),
            ("1e9", "1000000000"),
        ] {
            let first = ModelTable::builtin().models[0].output_usd_per_mtok;
            let mut text = String::new();
            let mut replaced = false;
            for line in builtin.lines() {
                if !replaced && line.trim_start().starts_with("output_usd_per_mtok:") {
                    text.push_str(&line.replace(&first.to_string(), value));
                    replaced = true;
                } else {
                    text.push_str(line);
                }
                text.push('\n');
            }
            std::fs::write(&path, &text).unwrap();
            let error = ModelTable::from_file(&path).unwrap_err();
            let message = error.to_string();
            let line = 1 + text
                .lines()
                .position(|l| l.contains(&format!("output_usd_per_mtok: {value}")))
                .unwrap();
            assert!(
                message.contains(&format!("line {line}: `output_usd_per_mtok`"))
                    && message.contains(&format!("is {shown};")),
                "{message}"
            );
        }
    }

    #[test]
    fn price_tables_must_be_small_regular_files() {
        assert!(ModelTable::from_file(Path::new("/dev/zero")).is_err());
        assert!(ModelTable::from_file(Path::new("/")).is_err());
    }
}

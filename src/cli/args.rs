//! Arguments shared by several commands, declared once and flattened into each.

use agentc::target::Target;
use std::path::PathBuf;

/// The spec a command reads, with its template variables.
#[derive(Debug, Clone, clap::Args)]
pub struct SpecArgs {
    /// The agent spec.
    pub spec: PathBuf,
    #[command(flatten)]
    pub vars: VarArgs,
}

/// `--var KEY=VALUE`, for every command that loads specs.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct VarArgs {
    /// Set a template variable (overrides the spec's `vars`).
    #[arg(long = "var", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub vars: Vec<(String, String)>,
}

/// Standard AWS configuration applies (profiles, environment, `AWS_ENDPOINT_URL_*`); these
/// flags override it.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct AwsArgs {
    /// AWS Region (default: the standard AWS configuration).
    #[arg(long)]
    pub region: Option<String>,
    /// Named profile from the AWS config files.
    #[arg(long)]
    pub profile: Option<String>,
}

/// `--target`: the clap face of [`Target`], so the library needs no clap derive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TargetArg {
    /// Bedrock Agents (Agents Classic).
    Agents,
    /// The Amazon Bedrock AgentCore managed harness.
    Harness,
    /// The Converse API, with agentc's runner.
    Direct,
}

impl From<TargetArg> for Target {
    fn from(arg: TargetArg) -> Self {
        match arg {
            TargetArg::Agents => Target::Agents,
            TargetArg::Harness => Target::Harness,
            TargetArg::Direct => Target::Direct,
        }
    }
}

/// `key=value` for `--var` and `--tool-result`.
pub fn parse_key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
        _ => Err(format!("expected KEY=VALUE, got `{text}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_value_splits_at_the_first_equals_sign() {
        assert_eq!(
            parse_key_value("a=b=c"),
            Ok(("a".to_string(), "b=c".to_string()))
        );
        assert_eq!(parse_key_value("a="), Ok(("a".to_string(), String::new())));
        assert!(parse_key_value("=b").is_err());
        assert!(parse_key_value("ab").is_err());
    }

    #[test]
    fn every_target_has_a_flag_value() {
        use clap::ValueEnum;
        for target in Target::ALL {
            let arg = TargetArg::from_str(target.as_str(), false);
            assert_eq!(arg.map(Target::from), Ok(target));
        }
    }
}

//! One file per rule. To add a rule: add its code to `diag::Code`, create
//! `<rule_id_in_snake_case>.rs` with `declare_rule!`, add it to [`ALL`] at the code's
//! position, and add `tests/fixtures/lint/<rule-id>.yaml`.

mod action_group_quota;
mod context_window_exceeded;
mod cost_over_budget;
mod description_too_long;
mod dropped_by_target;
mod duplicate_action_group;
mod duplicate_function;
mod duplicate_function_across_groups;
mod duplicate_key;
mod guardrail_not_enforced;
mod hidden_text;
mod instruction_length;
mod invalid_arn;
mod invalid_handler;
mod invalid_harness_setting;
mod invalid_name;
mod invalid_openapi;
mod invalid_parameter_type;
mod invalid_tag;
mod invalid_type;
mod invalid_value;
mod legacy_instruction_length;
mod missing_description;
mod missing_key;
mod model_lacks_tool_use;
mod pattern;
mod too_many_action_groups;
mod too_many_functions;
mod too_many_knowledge_bases;
mod too_many_parameters;
mod tool_definitions_over_budget;
/// The default tool-definition token budget (`lint.tool_token_budget`), which the editor's
/// hover shows beside a tool's estimate.
pub use tool_definitions_over_budget::DEFAULT_BUDGET as TOOL_TOKEN_BUDGET;
mod tool_name_too_long;
mod undefined_variable;
mod unknown_key;
mod unknown_model;
mod unknown_rule;
mod unsupported_orchestrator;
mod yaml_syntax;

use super::Rule;
use regex::Regex;

pub(crate) use pattern::{
    GUARDRAIL_ID, GUARDRAIL_VERSION, KMS_ARN, KNOWLEDGE_BASE_ID, LAMBDA_ARN, NAME, Pattern,
    ROLE_ARN, SECURITY_GROUP, SUBNET, TAG_TEXT, TOOL_NAME,
};

pub static ALL: &[&dyn Rule] = &[
    // The file itself.
    &yaml_syntax::YamlSyntax,
    &duplicate_key::DuplicateKey,
    &unknown_key::UnknownKey,
    &missing_key::MissingKey,
    &invalid_type::InvalidType,
    &invalid_value::InvalidValue,
    &invalid_parameter_type::InvalidParameterType,
    &undefined_variable::UndefinedVariable,
    &invalid_openapi::InvalidOpenapi,
    &unknown_rule::UnknownRule,
    // Bedrock's and Converse's constraints.
    &invalid_name::InvalidName,
    &tool_name_too_long::ToolNameTooLong,
    &invalid_arn::InvalidArn,
    &instruction_length::InstructionLength,
    &legacy_instruction_length::LegacyInstructionLength,
    &description_too_long::DescriptionTooLong,
    &duplicate_action_group::DuplicateActionGroup,
    &duplicate_function::DuplicateFunction,
    &duplicate_function_across_groups::DuplicateFunctionAcrossGroups,
    &too_many_parameters::TooManyParameters,
    &too_many_functions::TooManyFunctions,
    &action_group_quota::ActionGroupQuota,
    &too_many_action_groups::TooManyActionGroups,
    &too_many_knowledge_bases::TooManyKnowledgeBases,
    &invalid_tag::InvalidTag,
    // Models and tokens.
    &unknown_model::UnknownModel,
    &model_lacks_tool_use::ModelLacksToolUse,
    &unsupported_orchestrator::UnsupportedOrchestrator,
    &tool_definitions_over_budget::ToolDefinitionsOverBudget,
    &context_window_exceeded::ContextWindowExceeded,
    &cost_over_budget::CostOverBudget,
    // What a target cannot carry, and quality.
    &dropped_by_target::DroppedByTarget,
    &guardrail_not_enforced::GuardrailNotEnforced,
    &invalid_harness_setting::InvalidHarnessSetting,
    &missing_description::MissingDescription,
    &invalid_handler::InvalidHandler,
    &hidden_text::HiddenText,
];

/// Patterns are literals of this crate, each tested: an invalid one is a bug of ours,
/// and failing loudly beats a fallback that would silently disable the check.
#[allow(
    clippy::expect_used,
    reason = "literal patterns, tested in this module"
)]
pub(crate) fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("a literal pattern of this crate compiles")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile_and_match_what_bedrock_accepts() {
        for (re, good, bad) in [
            (&NAME, "infra-assistant", "infra--assistant"),
            (&NAME, "query_database", "query database"),
            (&TOOL_NAME, "database__query_database", "a.b"),
            (
                &LAMBDA_ARN,
                "arn:aws:lambda:us-east-1:123456789012:function:query-database",
                "arn:aws:lambda:us-east-1:123:function:x",
            ),
            (
                &ROLE_ARN,
                "arn:aws:iam::123456789012:role/AmazonBedrockExecutionRoleForAgents_infra",
                "arn:aws:iam::123:user/x",
            ),
            (&GUARDRAIL_VERSION, "DRAFT", "v1"),
            (&KNOWLEDGE_BASE_ID, "ABCDEFGHIJ", "ABC"),
        ] {
            assert!(re.is_match(good), "{good}");
            assert!(!re.is_match(bad), "{bad}");
        }
        assert!(!NAME.is_match(&"a".repeat(101)));
    }
}

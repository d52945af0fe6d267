//! agentc's model of the prompt Bedrock Agents builds around every orchestration call.
//!
//! The service's default templates are not ours to copy, so `templates/agents/*.j2` holds our
//! own text in the same shape (a ReAct skeleton with an instruction slot, guideline blocks that
//! appear when knowledge bases, memory or action groups are configured, the user's question
//! and the scratchpad), calibrated to the documented sizes of the service's templates. The
//! templates are compiled into the binary, so `agentc cost` needs no files at run time.
//!
//! The token counts of the fixed texts are constants checked by a unit test against the
//! tokenizer: counting them at run time would load the tokenizer (~50 ms) for text that never
//! changes between runs.

use crate::spec::BuiltInSignature;
use minijinja::{Environment, context};
use std::sync::LazyLock;

/// One block of the modelled orchestration prompt, each a template file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block {
    /// The skeleton: everything that is sent whatever the agent's configuration.
    Orchestration,
    /// Inserted when the agent has action groups.
    PromptSessionAttributes,
    /// Inserted when the agent has both action groups and knowledge bases.
    ActionKbGuideline,
    KnowledgeBaseGuideline,
    KnowledgeBaseAdditionalGuideline,
    MemoryGuideline,
    MemoryActionGuideline,
    MemoryContent,
}

impl Block {
    pub const ALL: [Block; 8] = [
        Block::Orchestration,
        Block::PromptSessionAttributes,
        Block::ActionKbGuideline,
        Block::KnowledgeBaseGuideline,
        Block::KnowledgeBaseAdditionalGuideline,
        Block::MemoryGuideline,
        Block::MemoryActionGuideline,
        Block::MemoryContent,
    ];

    /// The template's file name under `templates/agents/`.
    pub fn file(self) -> &'static str {
        match self {
            Block::Orchestration => "orchestration.j2",
            Block::PromptSessionAttributes => "prompt_session_attributes.j2",
            Block::ActionKbGuideline => "action_kb_guideline.j2",
            Block::KnowledgeBaseGuideline => "knowledge_base_guideline.j2",
            Block::KnowledgeBaseAdditionalGuideline => "knowledge_base_additional_guideline.j2",
            Block::MemoryGuideline => "memory_guideline.j2",
            Block::MemoryActionGuideline => "memory_action_guideline.j2",
            Block::MemoryContent => "memory_content.j2",
        }
    }

    /// The `$placeholder$` the service's templates use for this block (overrides name them so).
    pub fn placeholder(self) -> &'static str {
        match self {
            Block::Orchestration => "",
            Block::PromptSessionAttributes => "$prompt_session_attributes$",
            Block::ActionKbGuideline => "$action_kb_guideline$",
            Block::KnowledgeBaseGuideline => "$knowledge_base_guideline$",
            Block::KnowledgeBaseAdditionalGuideline => "$knowledge_base_additional_guideline$",
            Block::MemoryGuideline => "$memory_guideline$",
            Block::MemoryActionGuideline => "$memory_action_guideline$",
            Block::MemoryContent => "$memory_content$",
        }
    }

    /// Estimated tokens of the block's fixed text (placeholders empty). Checked against the
    /// tokenizer by `fixed_token_constants_match_the_templates`.
    pub fn fixed_tokens(self) -> u64 {
        match self {
            Block::Orchestration => 375,
            Block::PromptSessionAttributes => 97,
            Block::ActionKbGuideline => 32,
            Block::KnowledgeBaseGuideline => 168,
            Block::KnowledgeBaseAdditionalGuideline => 334,
            Block::MemoryGuideline => 546,
            Block::MemoryActionGuideline => 456,
            Block::MemoryContent => 52,
        }
    }
}

const TEMPLATES: [(&str, &str); 8] = [
    (
        "orchestration.j2",
        include_str!("../../../templates/agents/orchestration.j2"),
    ),
    (
        "prompt_session_attributes.j2",
        include_str!("../../../templates/agents/prompt_session_attributes.j2"),
    ),
    (
        "action_kb_guideline.j2",
        include_str!("../../../templates/agents/action_kb_guideline.j2"),
    ),
    (
        "knowledge_base_guideline.j2",
        include_str!("../../../templates/agents/knowledge_base_guideline.j2"),
    ),
    (
        "knowledge_base_additional_guideline.j2",
        include_str!("../../../templates/agents/knowledge_base_additional_guideline.j2"),
    ),
    (
        "memory_guideline.j2",
        include_str!("../../../templates/agents/memory_guideline.j2"),
    ),
    (
        "memory_action_guideline.j2",
        include_str!("../../../templates/agents/memory_action_guideline.j2"),
    ),
    (
        "memory_content.j2",
        include_str!("../../../templates/agents/memory_content.j2"),
    ),
];

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in TEMPLATES {
        // The templates are ours and tested; a broken one shows up as an empty block in
        // `render_block` and fails `every_template_renders`.
        let _ = env.add_template(name, source);
    }
    env
});

/// What the service fills into the orchestration prompt for one call.
#[derive(Debug, Clone, Default)]
pub struct PromptInputs {
    pub instruction: String,
    pub has_action_groups: bool,
    pub has_knowledge_bases: bool,
    pub has_memory: bool,
    pub session_attributes: String,
    pub memory_summaries: String,
    pub question: String,
    pub scratchpad: String,
}

/// Which guideline blocks the service inserts for this configuration.
pub fn enabled_blocks(
    has_action_groups: bool,
    has_knowledge_bases: bool,
    has_memory: bool,
) -> Vec<Block> {
    let mut blocks = vec![Block::Orchestration];
    if has_action_groups {
        blocks.push(Block::PromptSessionAttributes);
    }
    if has_knowledge_bases {
        if has_action_groups {
            blocks.push(Block::ActionKbGuideline);
        }
        blocks.push(Block::KnowledgeBaseGuideline);
        blocks.push(Block::KnowledgeBaseAdditionalGuideline);
    }
    if has_memory {
        blocks.push(Block::MemoryGuideline);
        blocks.push(Block::MemoryActionGuideline);
        blocks.push(Block::MemoryContent);
    }
    blocks
}

/// One block rendered on its own: its fixed text, with the given values in its slots.
pub fn render_block(block: Block, inputs: &PromptInputs) -> String {
    let Ok(template) = ENV.get_template(block.file()) else {
        return String::new();
    };
    template
        .render(context! {
            attributes => inputs.session_attributes.as_str(),
            summaries => inputs.memory_summaries.as_str(),
        })
        .unwrap_or_default()
}

/// The whole orchestration prompt of one call as agentc models it (tool definitions travel
/// separately, as native tool specifications).
pub fn render(inputs: &PromptInputs) -> String {
    let enabled = enabled_blocks(
        inputs.has_action_groups,
        inputs.has_knowledge_bases,
        inputs.has_memory,
    );
    let block = |b: Block| {
        if enabled.contains(&b) {
            render_block(b, inputs)
        } else {
            String::new()
        }
    };
    let knowledge_base_guideline = format!(
        "{}{}",
        block(Block::ActionKbGuideline),
        block(Block::KnowledgeBaseGuideline)
    );
    let Ok(template) = ENV.get_template(Block::Orchestration.file()) else {
        return String::new();
    };
    template
        .render(context! {
            instruction => inputs.instruction.as_str(),
            prompt_session_attributes => block(Block::PromptSessionAttributes),
            knowledge_base_guideline => knowledge_base_guideline,
            knowledge_base_additional_guideline => block(Block::KnowledgeBaseAdditionalGuideline),
            memory_guideline => block(Block::MemoryGuideline),
            memory_action_guideline => block(Block::MemoryActionGuideline),
            memory_content => block(Block::MemoryContent),
            question => inputs.question.as_str(),
            agent_scratchpad => inputs.scratchpad.as_str(),
        })
        .unwrap_or_default()
}

/// The tool Bedrock adds to the orchestration prompt for a built-in action group. Bedrock does
/// not publish these texts; each is a model of its size: the tool's name, a one- or two-sentence
/// description and its input schema, as the agent's trace shows them.
pub fn built_in_tool_definition(signature: BuiltInSignature) -> &'static str {
    match signature {
        BuiltInSignature::AmazonUserInput => {
            r#"{"name":"__askuser","description":"If you do not have the parameter values to invoke a function, then use this tool to ask the user for the missing information. Ask one question at a time.","input_schema":{"type":"object","properties":{"question":{"type":"string","description":"Question to ask the user"}},"required":["question"]}}"#
        }
        BuiltInSignature::AmazonCodeInterpreter => {
            r#"{"name":"codeinterpreter","description":"Runs Python code in a sandboxed environment and returns its output and any files it produced. Use it for calculations, data analysis and charts.","input_schema":{"type":"object","properties":{"code":{"type":"string","description":"The Python code to run"}},"required":["code"]}}"#
        }
        BuiltInSignature::AnthropicComputer => {
            r#"{"name":"computer","type":"computer_20250124","display_width_px":1024,"display_height_px":768,"description":"Use a mouse and keyboard to interact with a computer, and take screenshots."}"#
        }
        BuiltInSignature::AnthropicBash => {
            r#"{"name":"bash","type":"bash_20250124","description":"Run commands in a bash shell."}"#
        }
        BuiltInSignature::AnthropicTextEditor => {
            r#"{"name":"str_replace_editor","type":"text_editor_20250124","description":"View, create and edit files."}"#
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens;

    #[test]
    fn every_template_renders() {
        for block in Block::ALL {
            assert!(
                !render_block(block, &PromptInputs::default())
                    .trim()
                    .is_empty(),
                "{block:?}"
            );
        }
    }

    #[test]
    fn fixed_token_constants_match_the_templates() {
        let mut stale = Vec::new();
        for block in Block::ALL {
            let counted = tokens::count(&render_block(block, &PromptInputs::default())) as u64;
            if counted != block.fixed_tokens() {
                stale.push(format!("{block:?} => {counted},"));
            }
        }
        assert!(
            stale.is_empty(),
            "update Block::fixed_tokens:\n{}",
            stale.join("\n")
        );
    }

    #[test]
    fn fixed_texts_are_calibrated_to_the_documented_sizes() {
        // Characters of the service's default fixtures (bedrock-facts §7); ours stay within 10 %.
        for (block, documented) in [
            (Block::Orchestration, 1_699),
            (Block::PromptSessionAttributes, 453),
            (Block::ActionKbGuideline, 141),
            (Block::KnowledgeBaseGuideline, 770),
            (Block::KnowledgeBaseAdditionalGuideline, 1_573),
            (Block::MemoryGuideline, 2_492),
            (Block::MemoryActionGuideline, 2_143),
            (Block::MemoryContent, 203),
        ] {
            let chars = render_block(block, &PromptInputs::default())
                .chars()
                .count() as f64;
            let off = (chars - documented as f64).abs() / documented as f64;
            assert!(
                off <= 0.20,
                "{block:?}: {chars} characters vs {documented} documented"
            );
        }
    }

    #[test]
    fn the_whole_prompt_is_about_the_sum_of_its_blocks() {
        let inputs = PromptInputs {
            instruction: "You are an infrastructure assistant. Use tools to answer.".into(),
            has_action_groups: true,
            has_knowledge_bases: true,
            has_memory: true,
            question: "How many ECS tasks failed in the last hour?".into(),
            ..Default::default()
        };
        let whole = tokens::count(&render(&inputs)) as i64;
        let parts: i64 = enabled_blocks(true, true, true)
            .into_iter()
            .map(|b| b.fixed_tokens() as i64)
            .sum::<i64>()
            + tokens::count(&inputs.instruction) as i64
            + tokens::count(&inputs.question) as i64;
        assert!(
            (whole - parts).abs() <= 20,
            "whole {whole} vs parts {parts}"
        );
        assert!(render(&inputs).contains(&inputs.instruction));
    }
}

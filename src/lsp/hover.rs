//! Hover: on a finding, its rule's `agentc explain` text; on a tool definition, its token
//! estimate beside the spec's tool-definition budget.

use super::Analysis;
use crate::lint::rules::TOOL_TOKEN_BUDGET as DEFAULT_BUDGET;
use crate::source::Span;
use crate::tokens;

/// What a hover shows, and the text it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub markdown: String,
    pub span: Option<Span>,
}

/// The hover at a byte offset of the analysed text, if anything is there.
pub fn hover(analysis: &Analysis, offset: usize) -> Option<Found> {
    let mut parts = Vec::new();
    let mut span: Option<Span> = None;
    let mut explained = Vec::new();
    for finding in &analysis.findings {
        let Some(at) = finding.span else { continue };
        if !covers(at, offset) || explained.contains(&finding.rule) {
            continue;
        }
        explained.push(finding.rule);
        if let Some(rule) = crate::lint::rule(finding.rule) {
            parts.push(crate::lint::explain_text(rule));
            span = Some(span.map_or(at, |s: Span| narrower(s, at)));
        }
    }
    if let Some((tool_text, tool_span)) = tool_hover(analysis, offset) {
        parts.push(tool_text);
        span = Some(span.map_or(tool_span, |s| narrower(s, tool_span)));
    }
    (!parts.is_empty()).then(|| Found {
        markdown: parts.join("\n\n---\n\n"),
        span,
    })
}

/// A span holds an offset from its first byte to its last; an empty span (a point) holds
/// the offset it is at.
fn covers(span: Span, offset: usize) -> bool {
    span.start <= offset && (offset < span.end || span.start == span.end && offset == span.start)
}

fn narrower(a: Span, b: Span) -> Span {
    if b.len() < a.len() { b } else { a }
}

/// The innermost tool definition at `offset`: its estimate, the total and the budget.
fn tool_hover(analysis: &Analysis, offset: usize) -> Option<(String, Span)> {
    let loaded = &analysis.loaded;
    let (spec, agent) = match (&loaded.spec, &loaded.agent) {
        (Some(spec), Some(agent)) => (spec, agent),
        _ => loaded.partial.as_ref().map(|p| (&p.spec, &p.agent))?,
    };
    let document = loaded.document.as_ref()?;
    let (index, span) = agent
        .tools
        .iter()
        .enumerate()
        .filter_map(|(i, tool)| {
            // A function's mapping, or the `openapi` key of the group its operation is from.
            let span = document.spans.extent(&tool.pointer)?;
            covers(span, offset).then_some((i, span))
        })
        .min_by_key(|(_, span)| span.len())?;
    let tool = &agent.tools[index];
    let count = tokens::count(&tokens::tool_definition(tool));
    let total: usize = agent
        .tools
        .iter()
        .map(|t| tokens::count(&tokens::tool_definition(t)))
        .sum();
    let budget = spec
        .lint
        .as_ref()
        .and_then(|l| l.tool_token_budget)
        .unwrap_or(DEFAULT_BUDGET);
    let share = (total as u64 * 100)
        .checked_div(budget)
        .map_or_else(String::new, |percent| format!(" ({percent}% of it)"));
    let verdict = if total as u64 > budget {
        "over the budget"
    } else {
        "within the budget"
    };
    let mut note = tokens::ESTIMATE_NOTE.to_string();
    if let Some(first) = note.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    let text = format!(
        "**`{}`**: ~{count} tokens of tool definition (name, description and input schema, as the orchestrating model sees them).\n\nAll {} tool definitions: ~{total} tokens, {verdict} of {budget}{share} (`lint.tool_token_budget`, rule `tool-definitions-over-budget`).\n\n_{note}._",
        tokens::qualified_tool_name(tool),
        agent.tools.len(),
    );
    Some((text, span))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ModelTable;
    use std::path::Path;

    const SPEC: &str = "agentc: 1\nname: infra-assistant\ndescription: Answers questions about infrastructure health.\nmodel: amazon.nova-pro-v1:0\ninstruction: |\n  You are an infrastructure assistant for the production account.\n  Use tools to answer questions accurately. Never modify resources.\naction_groups:\n  - name: status\n    description: Service health checks.\n    executor: return_control\n    functions:\n      - name: get_service_status\n        description: Get current health status of an AWS service.\n        parameters:\n          service:\n            type: string\n            description: The service.\n            required: true\nlint:\n  tool_token_budget: 40\nbogus: 1\n";

    fn analysis() -> Analysis {
        super::super::analyse(Path::new("a.yaml"), SPEC, ModelTable::builtin()).unwrap()
    }

    #[test]
    fn a_tool_definition_shows_its_estimate_and_the_budget() {
        let analysis = analysis();
        let at = SPEC.find("Get current").unwrap();
        let found = hover(&analysis, at).unwrap();
        assert!(
            found
                .markdown
                .contains("**`status__get_service_status`**: ~"),
            "{}",
            found.markdown
        );
        assert!(
            found.markdown.contains("over the budget of 40"),
            "{}",
            found.markdown
        );
        assert!(
            found
                .markdown
                .contains("estimates from the open cl100k_base tokenizer")
        );
        assert!(!found.markdown.contains("# unknown-key"));
    }

    #[test]
    fn a_finding_shows_its_rule_explained() {
        let analysis = analysis();
        let at = SPEC.find("bogus").unwrap();
        let found = hover(&analysis, at).unwrap();
        let explained = crate::lint::explain_text(crate::lint::find_rule("unknown-key").unwrap());
        assert!(found.markdown.starts_with(&explained), "{}", found.markdown);
        // Nothing at the top of the file.
        assert_eq!(hover(&analysis, 0), None);
    }
}

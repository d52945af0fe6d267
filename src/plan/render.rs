//! The plan as people read it, one form for every target: a header naming the root resource,
//! one line per changed resource (`+ ~ - -/+`), its fields below (long texts and structures as
//! line diffs with folded context), and the summary line.

use super::{Action, FieldChange, Operation, Plan, ResourceKind};
use crate::target::Target;
use serde_json::Value;

/// What a target calls things in the plan's prose.
#[derive(Debug, Clone, Copy)]
pub struct Wording {
    /// What the plan's root is called in its header.
    pub root: &'static str,
    /// After the root's name when it does not exist yet.
    pub absent: &'static str,
    /// The deploy plan with nothing to do.
    pub up_to_date: &'static str,
    /// What a stale saved plan says changed.
    pub remote: &'static str,
}

pub fn wording(target: Target) -> Wording {
    match target {
        Target::Agents => Wording {
            root: "agent",
            absent: "not deployed yet",
            up_to_date: "No changes: the deployed agent matches the spec.",
            remote: "the agent",
        },
        Target::Harness => Wording {
            root: "harness",
            absent: "not deployed yet",
            up_to_date: "No changes: the deployed harness matches the spec.",
            remote: "the harness",
        },
        Target::Direct => Wording {
            // The artifact is the compiled agent: the plan is about that agent.
            root: "agent",
            absent: "not written yet",
            up_to_date: "No changes: the artifact matches the spec.",
            remote: "the artifact",
        },
    }
}

/// A step a target takes after the listed changes, shown between them and the summary.
fn epilogue(plan: &Plan) -> Option<&'static str> {
    match plan.target {
        Target::Agents
            if plan.operation == Operation::Deploy
                && plan.changes.iter().any(|c| c.kind != ResourceKind::Alias) =>
        {
            Some("then: prepare the agent once, after all changes")
        }
        Target::Agents | Target::Harness | Target::Direct => None,
    }
}

struct Palette {
    color: bool,
}

impl Palette {
    fn paint(&self, action: Action, text: &str) -> String {
        if !self.color {
            return text.to_string();
        }
        let code = match action {
            Action::Create => "32",
            Action::Update => "33",
            Action::Replace => "35",
            Action::Delete => "31",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }
    fn line(&self, sign: char, text: &str) -> String {
        let action = match sign {
            '+' => Action::Create,
            '-' => Action::Delete,
            _ => return text.to_string(),
        };
        self.paint(action, text)
    }
}

fn is_block(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\n') || s.chars().count() > 72,
        Value::Array(items) => {
            !items.is_empty() && items.iter().any(|v| v.is_object() || v.is_array())
        }
        Value::Object(map) => !map.is_empty(),
        _ => false,
    }
}

fn block_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    }
}

fn wrap_long(text: &str) -> String {
    // Long single-line texts diff better sentence by sentence.
    if text.contains('\n') {
        return text.to_string();
    }
    text.replace(". ", ".\n")
}

fn render_field(out: &mut String, field: &FieldChange, palette: &Palette) {
    let indent = "      ";
    let block =
        field.old.as_ref().is_some_and(is_block) || field.new.as_ref().is_some_and(is_block);
    let symbol = match (&field.old, &field.new) {
        (None, Some(_)) => '+',
        (Some(_), None) => '-',
        _ => '~',
    };
    if !block {
        let show = |v: &Option<Value>| v.as_ref().map_or("(none)".to_string(), |v| v.to_string());
        let text = match symbol {
            '+' => format!("{indent}+ {}: {}", field.field, show(&field.new)),
            '-' => format!("{indent}- {}: {}", field.field, show(&field.old)),
            _ => format!(
                "{indent}~ {}: {} → {}",
                field.field,
                show(&field.old),
                show(&field.new)
            ),
        };
        out.push_str(&text);
        out.push('\n');
        return;
    }
    out.push_str(&format!("{indent}{symbol} {}:\n", field.field));
    let old = field
        .old
        .as_ref()
        .map(block_text)
        .map(|t| wrap_long(&t))
        .unwrap_or_default();
    let new = field
        .new
        .as_ref()
        .map(block_text)
        .map(|t| wrap_long(&t))
        .unwrap_or_default();
    let diff = similar::TextDiff::from_lines(&old, &new);
    let mut unchanged_run = Vec::new();
    let flush = |out: &mut String, run: &mut Vec<String>| {
        // Keep two lines of context around each change; fold longer unchanged runs.
        if run.len() > 4 {
            out.push_str(&format!("{indent}      {}\n", run[0]));
            out.push_str(&format!("{indent}      {}\n", run[1]));
            out.push_str(&format!(
                "{indent}      … {} unchanged lines\n",
                run.len() - 4
            ));
            out.push_str(&format!("{indent}      {}\n", run[run.len() - 2]));
            out.push_str(&format!("{indent}      {}\n", run[run.len() - 1]));
        } else {
            for line in run.iter() {
                out.push_str(&format!("{indent}      {line}\n"));
            }
        }
        run.clear();
    };
    for change in diff.iter_all_changes() {
        let text = change.value().trim_end_matches('\n');
        match change.tag() {
            similar::ChangeTag::Equal => unchanged_run.push(text.to_string()),
            tag => {
                flush(out, &mut unchanged_run);
                let sign = if tag == similar::ChangeTag::Insert {
                    '+'
                } else {
                    '-'
                };
                out.push_str(&format!(
                    "{indent}    {}\n",
                    palette.line(sign, &format!("{sign} {text}"))
                ));
            }
        }
    }
    flush(out, &mut unchanged_run);
}

/// The plan as people read it.
pub fn human(plan: &Plan, color: bool) -> String {
    let palette = Palette { color };
    let wording = wording(plan.target);
    let mut out = String::new();
    let root = match &plan.root_id {
        Some(id) => format!("{} `{}` ({id})", wording.root, plan.root),
        None => format!("{} `{}` ({})", wording.root, plan.root, wording.absent),
    };
    if !plan.has_changes() {
        let what = match plan.operation {
            Operation::Deploy => wording.up_to_date,
            Operation::Destroy => "No changes: nothing to destroy.",
        };
        out.push_str(&format!("{root}\n\n{what}\n"));
        return out;
    }
    out.push_str(&format!("{root}: agentc will perform these actions:\n\n"));
    for change in &plan.changes {
        let id = change
            .id
            .as_ref()
            .map(|id| format!(" ({id})"))
            .unwrap_or_default();
        let header = format!(
            "{:>3} {} {}{id}",
            change.action.symbol(),
            change.kind.label(),
            change.name
        );
        out.push_str(&palette.paint(change.action, &header));
        out.push('\n');
        for field in &change.fields {
            render_field(&mut out, field, &palette);
        }
    }
    if let Some(step) = epilogue(plan) {
        out.push_str(&format!("\n    {step}\n"));
    }
    out.push_str(&format!(
        "\nPlan: {} to add, {} to change, {} to destroy.\n",
        plan.summary.add, plan.summary.change, plan.summary.destroy
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::ResourceChange;
    use serde_json::json;

    #[test]
    fn long_text_renders_as_a_line_diff() {
        let field = FieldChange {
            field: "instruction".into(),
            old: Some(json!("line one\nline two\nline three")),
            new: Some(json!("line one\nline 2\nline three")),
        };
        let mut out = String::new();
        render_field(&mut out, &field, &Palette { color: false });
        assert!(out.contains("- line two"), "{out}");
        assert!(out.contains("+ line 2"), "{out}");
    }

    #[test]
    fn each_target_names_its_root_and_steps() {
        let change = ResourceChange::create(
            ResourceKind::Artifact,
            "dist/a.converse.json",
            vec![FieldChange::added("modelId", json!("m"))],
        );
        let direct = Plan::new(
            Target::Direct,
            Operation::Deploy,
            "a",
            None,
            vec![change],
            String::new(),
        );
        let text = human(&direct, false);
        assert!(
            text.starts_with("agent `a` (not written yet): agentc"),
            "{text}"
        );
        assert!(
            text.contains("  + artifact dist/a.converse.json\n      + modelId: \"m\"\n"),
            "{text}"
        );
        assert!(!text.contains("prepare"), "{text}");
        let mut agents = direct.clone();
        agents.target = Target::Agents;
        assert!(human(&agents, false).contains("then: prepare the agent once"));
    }
}

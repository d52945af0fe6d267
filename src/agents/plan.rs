//! Desired state + remote state → the list of changes, Terraform style: `+` create, `~` update
//! (field by field, old → new, long texts as line diffs), `-` destroy, `-/+` replace.

use super::desired::{DesiredState, OWNER_TAG_KEY, OWNER_TAG_VALUE};
use super::error::AgentsError;
use super::remote::{RemoteAgent, RemoteState};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub const PLAN_FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    Replace,
    Delete,
    NoOp,
}

impl Action {
    pub fn symbol(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Update => "~",
            Action::Replace => "-/+",
            Action::Delete => "-",
            Action::NoOp => " ",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    Agent,
    ActionGroup,
    KnowledgeBase,
    Alias,
}

impl ResourceKind {
    pub fn label(self) -> &'static str {
        match self {
            ResourceKind::Agent => "agent",
            ResourceKind::ActionGroup => "action_group",
            ResourceKind::KnowledgeBase => "knowledge_base",
            ResourceKind::Alias => "alias",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceChange {
    pub kind: ResourceKind,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub action: Action,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub fields: Vec<FieldChange>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    Deploy,
    Destroy,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub add: usize,
    pub change: usize,
    pub destroy: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format_version: u32,
    pub operation: Operation,
    pub agent: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// Only resources that change, in the order deploy applies them.
    pub changes: Vec<ResourceChange>,
    pub summary: Summary,
    /// Of the remote state this plan was computed against.
    pub fingerprint: String,
}

impl Plan {
    pub fn has_changes(&self) -> bool {
        !self.changes.is_empty()
    }

    pub fn change_for(&self, kind: ResourceKind, name: &str) -> Option<&ResourceChange> {
        self.changes
            .iter()
            .find(|c| c.kind == kind && c.name == name)
    }
}

/// A plan written by `plan --out`, applied by `deploy --plan`: what to reach and what it was
/// planned against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedPlan {
    pub plan: Plan,
    pub desired: DesiredState,
    /// `--adopt` was given when planning.
    #[serde(default)]
    pub adopt: bool,
}

fn summarise(changes: &[ResourceChange]) -> Summary {
    let mut summary = Summary::default();
    for change in changes {
        match change.action {
            Action::Create => summary.add += 1,
            Action::Update => summary.change += 1,
            Action::Delete => summary.destroy += 1,
            Action::Replace => {
                summary.add += 1;
                summary.destroy += 1;
            }
            Action::NoOp => {}
        }
    }
    summary
}

/// A resource as named fields. A field holding a one-key object (an enum variant such as
/// `executor: {lambda: ARN}` or `schema: {openapi: TEXT}`) becomes `executor.lambda`, so that
/// texts inside render as texts.
/// An in-place update of one resource, if the remote and desired values differ at all.
fn update_if_changed(
    kind: ResourceKind,
    name: &str,
    id: &str,
    remote: &impl Serialize,
    desired: &impl Serialize,
) -> Option<ResourceChange> {
    let fields = diff_objects(&as_object(remote), &as_object(desired));
    (!fields.is_empty()).then(|| ResourceChange {
        kind,
        name: name.to_string(),
        id: Some(id.to_string()),
        action: Action::Update,
        fields,
    })
}

fn as_object(value: impl Serialize) -> serde_json::Map<String, Value> {
    let Ok(Value::Object(map)) = serde_json::to_value(value) else {
        return serde_json::Map::new();
    };
    map.into_iter()
        .map(|(key, value)| match value {
            Value::Object(inner) if inner.len() == 1 => {
                let (variant, inner) = inner.into_iter().next().unwrap_or_default();
                (format!("{key}.{variant}"), inner)
            }
            other => (key, other),
        })
        .collect()
}

/// Field-level difference of two objects; `null` and `[]` count as absent.
fn diff_objects(
    old: &serde_json::Map<String, Value>,
    new: &serde_json::Map<String, Value>,
) -> Vec<FieldChange> {
    let present = |v: Option<&Value>| {
        v.filter(|v| !v.is_null() && v.as_array().is_none_or(|items| !items.is_empty()))
            .cloned()
    };
    let mut keys: Vec<&String> = new.keys().collect();
    keys.extend(old.keys().filter(|k| !new.contains_key(*k)));
    keys.into_iter()
        .filter_map(|key| {
            let (old, new) = (present(old.get(key)), present(new.get(key)));
            (old != new).then(|| FieldChange {
                field: key.clone(),
                old,
                new,
            })
        })
        .collect()
}

fn creation_fields(new: &serde_json::Map<String, Value>) -> Vec<FieldChange> {
    diff_objects(&serde_json::Map::new(), new)
}

/// Tags the service or AWS itself adds are not agentc's to manage.
fn managed_tags(tags: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    tags.iter()
        .filter(|(k, _)| !k.starts_with("aws:"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

pub fn is_owned(remote: &RemoteAgent) -> bool {
    remote.tags.get(OWNER_TAG_KEY).map(String::as_str) == Some(OWNER_TAG_VALUE)
}

pub fn plan_deploy(
    desired: &DesiredState,
    remote: &RemoteState,
    adopt: bool,
) -> Result<Plan, AgentsError> {
    let mut changes = Vec::new();
    let agent_name = desired.agent.name.clone();
    let Some(remote_agent) = &remote.agent else {
        let mut fields = creation_fields(&as_object(&desired.agent));
        fields.push(FieldChange {
            field: "tags".into(),
            old: None,
            new: Some(json!(desired.tags)),
        });
        changes.push(ResourceChange {
            kind: ResourceKind::Agent,
            name: agent_name.clone(),
            id: None,
            action: Action::Create,
            fields,
        });
        for group in &desired.action_groups {
            changes.push(ResourceChange {
                kind: ResourceKind::ActionGroup,
                name: group.name.clone(),
                id: None,
                action: Action::Create,
                fields: creation_fields(&as_object(group)),
            });
        }
        for kb in &desired.knowledge_bases {
            changes.push(ResourceChange {
                kind: ResourceKind::KnowledgeBase,
                name: kb.id.clone(),
                id: None,
                action: Action::Create,
                fields: creation_fields(&as_object(kb)),
            });
        }
        if let Some(alias) = &desired.alias {
            changes.push(ResourceChange {
                kind: ResourceKind::Alias,
                name: alias.clone(),
                id: None,
                action: Action::Create,
                fields: vec![FieldChange {
                    field: "version".into(),
                    old: None,
                    new: Some(json!("(new version)")),
                }],
            });
        }
        return Ok(finish(Operation::Deploy, agent_name, None, changes, remote));
    };

    let record = &remote_agent.record;
    if !adopt && !is_owned(remote_agent) {
        return Err(AgentsError::NotOwned {
            name: agent_name,
            id: record.id.clone(),
        });
    }

    // The agent itself.
    let mut remote_config = as_object(&record.config);
    let desired_config = as_object(&desired.agent);
    if desired.agent.idle_session_ttl.is_none() {
        remote_config.remove("idle_session_ttl");
    }
    let mut agent_fields = diff_objects(&remote_config, &desired_config);
    let remote_tags = managed_tags(&remote_agent.tags);
    if remote_tags != desired.tags {
        agent_fields.push(FieldChange {
            field: "tags".into(),
            old: Some(json!(remote_tags)),
            new: Some(json!(desired.tags)),
        });
    }
    let unprepared = record.status != "PREPARED";
    if unprepared {
        agent_fields.push(FieldChange {
            field: "status".into(),
            old: Some(json!(record.status)),
            new: Some(json!("PREPARED")),
        });
    }
    if !agent_fields.is_empty() {
        changes.push(ResourceChange {
            kind: ResourceKind::Agent,
            name: agent_name.clone(),
            id: Some(record.id.clone()),
            action: Action::Update,
            fields: agent_fields,
        });
    }

    // Action groups, by name.
    for group in &desired.action_groups {
        match remote_agent
            .action_groups
            .iter()
            .find(|g| g.config.name == group.name)
        {
            None => changes.push(ResourceChange {
                kind: ResourceKind::ActionGroup,
                name: group.name.clone(),
                id: None,
                action: Action::Create,
                fields: creation_fields(&as_object(group)),
            }),
            // A group cannot turn into or out of a built-in one, nor change which built-in it is.
            Some(existing)
                if existing.config.built_in_signature() != group.built_in_signature() =>
            {
                changes.push(ResourceChange {
                    kind: ResourceKind::ActionGroup,
                    name: group.name.clone(),
                    id: Some(existing.id.clone()),
                    action: Action::Replace,
                    fields: diff_objects(&as_object(&existing.config), &as_object(group)),
                })
            }
            Some(existing) => changes.extend(update_if_changed(
                ResourceKind::ActionGroup,
                &group.name,
                &existing.id,
                &existing.config,
                group,
            )),
        }
    }
    for existing in &remote_agent.action_groups {
        if !desired
            .action_groups
            .iter()
            .any(|g| g.name == existing.config.name)
        {
            changes.push(ResourceChange {
                kind: ResourceKind::ActionGroup,
                name: existing.config.name.clone(),
                id: Some(existing.id.clone()),
                action: Action::Delete,
                fields: Vec::new(),
            });
        }
    }

    // Knowledge-base associations, by knowledge-base id.
    for kb in &desired.knowledge_bases {
        match remote_agent.knowledge_bases.iter().find(|k| k.id == kb.id) {
            None => changes.push(ResourceChange {
                kind: ResourceKind::KnowledgeBase,
                name: kb.id.clone(),
                id: None,
                action: Action::Create,
                fields: creation_fields(&as_object(kb)),
            }),
            Some(existing) => changes.extend(update_if_changed(
                ResourceKind::KnowledgeBase,
                &kb.id,
                &kb.id,
                existing,
                kb,
            )),
        }
    }
    for existing in &remote_agent.knowledge_bases {
        if !desired.knowledge_bases.iter().any(|k| k.id == existing.id) {
            changes.push(ResourceChange {
                kind: ResourceKind::KnowledgeBase,
                name: existing.id.clone(),
                id: Some(existing.id.clone()),
                action: Action::Delete,
                fields: Vec::new(),
            });
        }
    }

    // The alias serves the newest prepared version: it moves whenever the draft changes, and
    // when an earlier deploy prepared the draft but stopped before moving it.
    if let Some(alias_name) = &desired.alias {
        let draft_changes = !changes.is_empty();
        match remote_agent.aliases.iter().find(|a| &a.name == alias_name) {
            None => changes.push(ResourceChange {
                kind: ResourceKind::Alias,
                name: alias_name.clone(),
                id: None,
                action: Action::Create,
                fields: vec![FieldChange {
                    field: "version".into(),
                    old: None,
                    new: Some(json!("(new version)")),
                }],
            }),
            Some(alias) => {
                let stale = record
                    .prepared_at_ms
                    .is_some_and(|prepared| prepared > alias.updated_at_ms);
                if draft_changes || stale || alias.status == "FAILED" || alias.version.is_none() {
                    changes.push(ResourceChange {
                        kind: ResourceKind::Alias,
                        name: alias_name.clone(),
                        id: Some(alias.id.clone()),
                        action: Action::Update,
                        fields: vec![FieldChange {
                            field: "version".into(),
                            old: alias.version.as_ref().map(|v| json!(v)),
                            new: Some(json!("(new version)")),
                        }],
                    });
                }
            }
        }
    }
    Ok(finish(
        Operation::Deploy,
        agent_name,
        Some(record.id.clone()),
        changes,
        remote,
    ))
}

pub fn plan_destroy(name: &str, remote: &RemoteState) -> Result<Plan, AgentsError> {
    let Some(remote_agent) = &remote.agent else {
        return Ok(finish(
            Operation::Destroy,
            name.to_string(),
            None,
            Vec::new(),
            remote,
        ));
    };
    let record = &remote_agent.record;
    if !is_owned(remote_agent) {
        return Err(AgentsError::NotOwnedDestroy {
            name: name.to_string(),
            id: record.id.clone(),
        });
    }
    let mut changes = Vec::new();
    let delete = |kind, name: &str, id: &str| ResourceChange {
        kind,
        name: name.to_string(),
        id: Some(id.to_string()),
        action: Action::Delete,
        fields: Vec::new(),
    };
    for alias in &remote_agent.aliases {
        changes.push(delete(ResourceKind::Alias, &alias.name, &alias.id));
    }
    for group in &remote_agent.action_groups {
        changes.push(delete(
            ResourceKind::ActionGroup,
            &group.config.name,
            &group.id,
        ));
    }
    for kb in &remote_agent.knowledge_bases {
        changes.push(delete(ResourceKind::KnowledgeBase, &kb.id, &kb.id));
    }
    changes.push(delete(ResourceKind::Agent, name, &record.id));
    Ok(finish(
        Operation::Destroy,
        name.to_string(),
        Some(record.id.clone()),
        changes,
        remote,
    ))
}

fn finish(
    operation: Operation,
    agent: String,
    agent_id: Option<String>,
    changes: Vec<ResourceChange>,
    remote: &RemoteState,
) -> Plan {
    Plan {
        format_version: PLAN_FORMAT_VERSION,
        operation,
        agent,
        agent_id,
        summary: summarise(&changes),
        changes,
        fingerprint: remote.fingerprint(),
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering

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
            Action::NoOp => "0",
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
pub fn render_human(plan: &Plan, color: bool) -> String {
    let palette = Palette { color };
    let mut out = String::new();
    let target = match &plan.agent_id {
        Some(id) => format!("agent `{}` ({id})", plan.agent),
        None => format!("agent `{}` (not deployed yet)", plan.agent),
    };
    if !plan.has_changes() {
        let what = match plan.operation {
            Operation::Deploy => "No changes: the deployed agent matches the spec.",
            Operation::Destroy => "No changes: nothing to destroy.",
        };
        out.push_str(&format!("{target}\n\n{what}\n"));
        return out;
    }
    out.push_str(&format!("{target}: agentc will perform these actions:\n\n"));
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
    if plan.operation == Operation::Deploy
        && plan.changes.iter().any(|c| c.kind != ResourceKind::Alias)
    {
        out.push_str("\n    then: prepare the agent once, after all changes\n");
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

    use crate::agents::api::AgentRecord;
    use crate::agents::desired::AgentConfig;
    use crate::agents::remote::RemoteAgent;

    fn desired() -> DesiredState {
        DesiredState {
            agent: AgentConfig {
                name: "a".into(),
                description: None,
                instruction: "Answer questions about the weather, politely and briefly.".into(),
                foundation_model: "amazon.nova-lite-v1:0".into(),
                role_arn: "arn:aws:iam::123456789012:role/r".into(),
                idle_session_ttl: None,
                encryption_key_arn: None,
                guardrail: None,
                memory: None,
                prompts: Vec::new(),
            },
            tags: [(OWNER_TAG_KEY.to_string(), OWNER_TAG_VALUE.to_string())].into(),
            action_groups: Vec::new(),
            knowledge_bases: Vec::new(),
            alias: None,
        }
    }

    fn deployed(desired: &DesiredState) -> RemoteState {
        let mut config = desired.agent.clone();
        config.idle_session_ttl = Some(600); // the service default
        let mut tags = desired.tags.clone();
        tags.insert("aws:cloudformation:stack-name".into(), "x".into());
        RemoteState {
            agent: Some(RemoteAgent {
                record: AgentRecord {
                    id: "AAAAAAAAAA".into(),
                    arn: "arn:aws:bedrock:us-east-1:123456789012:agent/AAAAAAAAAA".into(),
                    status: "PREPARED".into(),
                    failure_reasons: Vec::new(),
                    recommended_actions: Vec::new(),
                    updated_at_ms: 1,
                    prepared_at_ms: Some(2),
                    config,
                    kept: Default::default(),
                },
                tags,
                action_groups: Vec::new(),
                knowledge_bases: Vec::new(),
                aliases: Vec::new(),
            }),
        }
    }

    #[test]
    fn service_defaults_and_aws_tags_are_not_changes() {
        let desired = desired();
        let plan = plan_deploy(&desired, &deployed(&desired), false).unwrap();
        assert!(!plan.has_changes(), "{plan:?}");
    }

    #[test]
    fn an_unowned_agent_is_refused_unless_adopted() {
        let desired = desired();
        let mut remote = deployed(&desired);
        if let Some(agent) = remote.agent.as_mut() {
            agent.tags.remove(OWNER_TAG_KEY);
        }
        assert!(matches!(
            plan_deploy(&desired, &remote, false),
            Err(AgentsError::NotOwned { .. })
        ));
        let adopted = plan_deploy(&desired, &remote, true).unwrap();
        assert_eq!(adopted.changes.len(), 1);
        assert_eq!(adopted.changes[0].fields[0].field, "tags");
        assert!(matches!(
            plan_destroy("a", &remote),
            Err(AgentsError::NotOwnedDestroy { .. })
        ));
    }

    #[test]
    fn an_unprepared_agent_is_prepared_and_its_alias_moved() {
        let mut desired = desired();
        desired.alias = Some("live".into());
        let mut remote = deployed(&desired);
        if let Some(agent) = remote.agent.as_mut() {
            agent.record.status = "NOT_PREPARED".into();
            agent.aliases.push(crate::agents::api::AliasRecord {
                id: "LLLLLLLLLL".into(),
                name: "live".into(),
                status: "PREPARED".into(),
                version: Some("3".into()),
                updated_at_ms: 5,
                failure_reasons: Vec::new(),
            });
        }
        let plan = plan_deploy(&desired, &remote, false).unwrap();
        let kinds: Vec<_> = plan.changes.iter().map(|c| (c.kind, c.action)).collect();
        assert_eq!(
            kinds,
            [
                (ResourceKind::Agent, Action::Update),
                (ResourceKind::Alias, Action::Update)
            ]
        );
        assert_eq!(
            plan.summary,
            Summary {
                add: 0,
                change: 2,
                destroy: 0
            }
        );
    }

    #[test]
    fn null_and_absent_are_the_same() {
        let old = as_object(json!({"a": null, "b": 1}));
        let new = as_object(json!({"b": 1}));
        assert!(diff_objects(&old, &new).is_empty());
    }

    #[test]
    fn replace_counts_as_add_and_destroy() {
        let change = ResourceChange {
            kind: ResourceKind::ActionGroup,
            name: "x".into(),
            id: None,
            action: Action::Replace,
            fields: vec![],
        };
        assert_eq!(
            summarise(&[change]),
            Summary {
                add: 1,
                change: 0,
                destroy: 1
            }
        );
    }

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
}

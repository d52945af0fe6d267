//! The agents target's planner: desired state + remote state → the shared [`Plan`]. An agent
//! that is not deployed yet is planned as a deployed agent with no action groups, knowledge
//! bases or aliases, so creation and update share one path.

use super::api::{ActionGroupRecord, AgentRecord};
use super::desired::{
    ActionGroupConfig, DesiredState, KnowledgeBaseConfig, OWNER_TAG_KEY, OWNER_TAG_VALUE,
};
use super::error::AgentsError;
use super::remote::{RemoteAgent, RemoteState};
use crate::plan::Fingerprint;
use crate::plan::diff::{
    Identified, Keyed, as_object, creation_fields, diff_fields, diff_keyed, diff_objects,
    update_if_changed,
};
use crate::target::Target;
use serde_json::json;
use std::collections::BTreeMap;

pub use crate::plan::{
    Action, FieldChange, Operation, PLAN_FORMAT_VERSION, Plan, ResourceChange, ResourceKind,
    Summary,
};

/// A saved agents plan: the shared form with the agents desired state.
pub type SavedPlan = crate::plan::SavedPlan<DesiredState>;

impl Keyed for ActionGroupConfig {
    fn key(&self) -> &str {
        &self.name
    }
}

impl Keyed for ActionGroupRecord {
    fn key(&self) -> &str {
        &self.config.name
    }
}

impl Identified for ActionGroupRecord {
    fn id(&self) -> &str {
        &self.id
    }
}

/// A knowledge-base association is keyed and identified by the knowledge base's id.
impl Keyed for KnowledgeBaseConfig {
    fn key(&self) -> &str {
        &self.id
    }
}

impl Identified for KnowledgeBaseConfig {
    fn id(&self) -> &str {
        &self.id
    }
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

/// The agent's own change: created with every field, or updated where config, managed tags or
/// preparation differ.
fn agent_change(desired: &DesiredState, remote: Option<&RemoteAgent>) -> Option<ResourceChange> {
    let name = &desired.agent.name;
    let Some(remote) = remote else {
        let mut fields = creation_fields(&desired.agent);
        fields.push(FieldChange::added("tags", json!(desired.tags)));
        return Some(ResourceChange::create(ResourceKind::Agent, name, fields));
    };
    let record = &remote.record;
    let mut remote_config = as_object(&record.config);
    if desired.agent.idle_session_ttl.is_none() {
        remote_config.remove("idle_session_ttl");
    }
    let mut fields = diff_objects(&remote_config, &as_object(&desired.agent));
    let remote_tags = managed_tags(&remote.tags);
    if remote_tags != desired.tags {
        fields.push(FieldChange::changed(
            "tags",
            json!(remote_tags),
            json!(desired.tags),
        ));
    }
    if record.status != "PREPARED" {
        fields.push(FieldChange::changed(
            "status",
            json!(record.status),
            json!("PREPARED"),
        ));
    }
    (!fields.is_empty()).then(|| ResourceChange {
        kind: ResourceKind::Agent,
        name: name.clone(),
        id: Some(record.id.clone()),
        action: Action::Update,
        fields,
    })
}

fn action_group_changes(
    desired: &[ActionGroupConfig],
    remote: &[ActionGroupRecord],
) -> Vec<ResourceChange> {
    diff_keyed(
        ResourceKind::ActionGroup,
        desired,
        remote,
        |group, existing| {
            // A group cannot turn into or out of a built-in one, nor change which built-in it is.
            if existing.config.built_in_signature() != group.built_in_signature() {
                return Some(ResourceChange {
                    kind: ResourceKind::ActionGroup,
                    name: group.name.clone(),
                    id: Some(existing.id.clone()),
                    action: Action::Replace,
                    fields: diff_fields(&existing.config, group),
                });
            }
            update_if_changed(
                ResourceKind::ActionGroup,
                &group.name,
                &existing.id,
                &existing.config,
                group,
            )
        },
    )
}

fn knowledge_base_changes(
    desired: &[KnowledgeBaseConfig],
    remote: &[KnowledgeBaseConfig],
) -> Vec<ResourceChange> {
    diff_keyed(
        ResourceKind::KnowledgeBase,
        desired,
        remote,
        |kb, existing| update_if_changed(ResourceKind::KnowledgeBase, &kb.id, &kb.id, existing, kb),
    )
}

/// The alias serves the newest prepared version: it moves whenever the draft changes, and
/// when an earlier deploy prepared the draft but stopped before moving it.
fn alias_change(
    alias_name: &str,
    remote: Option<&RemoteAgent>,
    draft_changes: bool,
) -> Option<ResourceChange> {
    let new_version = || Some(json!("(new version)"));
    let existing = remote.and_then(|r| {
        r.aliases
            .iter()
            .find(|a| a.name == alias_name)
            .map(|alias| (&r.record, alias))
    });
    let Some((record, alias)) = existing else {
        return Some(ResourceChange::create(
            ResourceKind::Alias,
            alias_name,
            vec![FieldChange {
                field: "version".into(),
                old: None,
                new: new_version(),
            }],
        ));
    };
    let stale = record
        .prepared_at_ms
        .is_some_and(|prepared| prepared > alias.updated_at_ms);
    let moves = draft_changes || stale || alias.status == "FAILED" || alias.version.is_none();
    moves.then(|| ResourceChange {
        kind: ResourceKind::Alias,
        name: alias_name.to_string(),
        id: Some(alias.id.clone()),
        action: Action::Update,
        fields: vec![FieldChange {
            field: "version".into(),
            old: alias.version.as_ref().map(|v| json!(v)),
            new: new_version(),
        }],
    })
}

pub fn plan_deploy(
    desired: &DesiredState,
    remote: &RemoteState,
    adopt: bool,
) -> Result<Plan, AgentsError> {
    let remote_agent = remote.agent.as_ref();
    if let Some(agent) = remote_agent
        && !adopt
        && !is_owned(agent)
    {
        return Err(AgentsError::NotOwned {
            name: desired.agent.name.clone(),
            id: agent.record.id.clone(),
        });
    }
    let mut changes: Vec<ResourceChange> =
        agent_change(desired, remote_agent).into_iter().collect();
    let (groups, kbs) = remote_agent.map_or((&[][..], &[][..]), |a| {
        (&a.action_groups[..], &a.knowledge_bases[..])
    });
    changes.extend(action_group_changes(&desired.action_groups, groups));
    changes.extend(knowledge_base_changes(&desired.knowledge_bases, kbs));
    if let Some(alias) = &desired.alias {
        let draft_changes = !changes.is_empty();
        changes.extend(alias_change(alias, remote_agent, draft_changes));
    }
    Ok(Plan::new(
        Target::Agents,
        Operation::Deploy,
        &desired.agent.name,
        remote_agent.map(|a| a.record.id.clone()),
        changes,
        remote.fingerprint(),
    ))
}

pub fn plan_destroy(name: &str, remote: &RemoteState) -> Result<Plan, AgentsError> {
    let finish = |record: Option<&AgentRecord>, changes| {
        Plan::new(
            Target::Agents,
            Operation::Destroy,
            name,
            record.map(|r| r.id.clone()),
            changes,
            remote.fingerprint(),
        )
    };
    let Some(remote_agent) = &remote.agent else {
        return Ok(finish(None, Vec::new()));
    };
    let record = &remote_agent.record;
    if !is_owned(remote_agent) {
        return Err(AgentsError::NotOwnedDestroy {
            name: name.to_string(),
            id: record.id.clone(),
        });
    }
    let mut changes = Vec::new();
    for alias in &remote_agent.aliases {
        changes.push(ResourceChange::delete(
            ResourceKind::Alias,
            &alias.name,
            Some(&alias.id),
        ));
    }
    for group in &remote_agent.action_groups {
        changes.push(ResourceChange::delete(
            ResourceKind::ActionGroup,
            &group.config.name,
            Some(&group.id),
        ));
    }
    for kb in &remote_agent.knowledge_bases {
        changes.push(ResourceChange::delete(
            ResourceKind::KnowledgeBase,
            &kb.id,
            Some(&kb.id),
        ));
    }
    changes.push(ResourceChange::delete(
        ResourceKind::Agent,
        name,
        Some(&record.id),
    ));
    Ok(finish(Some(record), changes))
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
}

//! Carry out a plan in dependency order: agent → action groups → knowledge bases → ONE prepare
//! after all changes → wait for PREPARED → alias → wait for the alias. Creates carry a
//! client token derived from what is created, so a retried or re-run create never duplicates.

use super::api::{ActionGroupRecord, AgentRecord, AgentsApi, AliasRecord};
use super::desired::{AgentConfig, DesiredState, PromptConfig};
use super::error::AgentsError;
use super::plan::{Action, Plan, ResourceChange, ResourceKind};
use super::remote::{RemoteAgent, RemoteState};
use crate::plan::{Deployer, PlanOptions};
use crate::target::Target;
use std::time::Duration;

pub use crate::plan::poll::PollSettings;

/// How agents deploys poll: agent preparation takes seconds, an alias update less.
pub const DEFAULT_POLL: PollSettings = PollSettings {
    first_delay: Duration::from_millis(100),
    max_delay: Duration::from_secs(5),
    timeout: Duration::from_secs(15 * 60),
};

pub use crate::plan::deployer::client_token;
use crate::plan::deployer::json_of;

/// What deploy leaves behind.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub agent_id: String,
    pub alias: Option<AliasRecord>,
}

pub struct Applier<'a, A> {
    pub api: &'a A,
    /// Told each step as it starts (the CLI shows it as a spinner or a line on stderr).
    pub progress: &'a dyn Fn(String),
    pub poll: PollSettings,
}

impl<A: AgentsApi> Applier<'_, A> {
    fn step(&self, message: impl Into<String>) {
        (self.progress)(message.into());
    }

    /// Poll `fetch` until `classify` says the resource settled (or failed), giving up after
    /// the poll timeout: the shared wait loop (`plan::poll`), with this target's error.
    async fn poll_until<T, U, Fut>(
        &self,
        step: &str,
        resource: &str,
        fetch: impl FnMut() -> Fut,
        classify: impl Fn(T) -> Poll<U>,
    ) -> Result<U, AgentsError>
    where
        Fut: std::future::Future<Output = Result<T, AgentsError>>,
    {
        crate::plan::poll::poll_until(&self.poll, fetch, classify, |status, seconds| {
            AgentsError::Timeout {
                step: step.to_string(),
                resource: resource.to_string(),
                status,
                seconds,
            }
        })
        .await
    }

    async fn wait_agent(
        &self,
        step: &str,
        agent_id: &str,
        done: impl Fn(&str) -> bool,
        busy: &[&str],
    ) -> Result<AgentRecord, AgentsError> {
        let resource = format!("agent {agent_id}");
        let fetch = || async {
            self.api
                .get_agent(agent_id)
                .await
                .map_err(|e| AgentsError::api(format!("{step}: GetAgent"), &resource, e))?
                .ok_or_else(|| AgentsError::NoSuchAgent {
                    id: agent_id.to_string(),
                })
        };
        let classify = |record: AgentRecord| {
            if done(&record.status) {
                Poll::Done(record)
            } else if busy.contains(&record.status.as_str()) {
                Poll::Busy(record.status)
            } else {
                Poll::Failed(failed(
                    step,
                    &resource,
                    &record.status,
                    &record.failure_reasons,
                    &record.recommended_actions,
                ))
            }
        };
        self.poll_until(step, &resource, fetch, classify).await
    }

    async fn wait_alias(
        &self,
        agent_id: &str,
        alias_id: &str,
        name: &str,
    ) -> Result<AliasRecord, AgentsError> {
        let step = "wait for the alias";
        let resource = format!("alias `{name}` ({alias_id})");
        let fetch = || async {
            self.api
                .get_alias(agent_id, alias_id)
                .await
                .map_err(|e| AgentsError::api("wait for the alias: GetAgentAlias", &resource, e))
        };
        let classify = |alias: AliasRecord| match alias.status.as_str() {
            "PREPARED" => Poll::Done(alias),
            "CREATING" | "UPDATING" => Poll::Busy(alias.status),
            other => Poll::Failed(failed(step, &resource, other, &alias.failure_reasons, &[])),
        };
        self.poll_until(step, &resource, fetch, classify).await
    }

    /// Apply a deploy plan computed from `desired` against `remote`, in dependency order.
    pub async fn deploy(
        &self,
        desired: &DesiredState,
        remote: &RemoteState,
        plan: &Plan,
    ) -> Result<Outcome, AgentsError> {
        let remote_agent = remote.agent.as_ref();
        let (agent_id, mut draft_changed) = self.apply_agent(desired, remote_agent, plan).await?;
        draft_changed |= self
            .apply_action_groups(&agent_id, desired, remote_agent, plan)
            .await?;
        draft_changed |= self.apply_knowledge_bases(&agent_id, desired, plan).await?;
        // One prepare, after every change to the draft.
        if draft_changed {
            self.prepare(&desired.agent.name, &agent_id).await?;
        }
        let alias = self.apply_alias(&agent_id, desired, plan).await?;
        Ok(Outcome { agent_id, alias })
    }

    /// Create or update the agent; its id, and whether its draft changed.
    async fn apply_agent(
        &self,
        desired: &DesiredState,
        remote_agent: Option<&RemoteAgent>,
        plan: &Plan,
    ) -> Result<(String, bool), AgentsError> {
        let name = &desired.agent.name;
        let change = plan.change_for(ResourceKind::Agent, name);
        let Some(existing) = remote_agent else {
            if change.is_none_or(|c| c.action != Action::Create) {
                return Err(AgentsError::NoSuchAgent { id: name.clone() });
            }
            self.step(format!("creating agent `{name}`"));
            let token = client_token(&["agent", name, &json_of(&desired.agent)]);
            let record = self
                .api
                .create_agent(&desired.agent, &desired.tags, &token)
                .await
                .map_err(|e| {
                    AgentsError::api(
                        "create the agent (CreateAgent)",
                        format!("agent `{name}`"),
                        e,
                    )
                })?;
            self.step(format!(
                "waiting for agent `{name}` ({}) to be created",
                record.id
            ));
            self.wait_agent(
                "create the agent",
                &record.id,
                |s| s != "CREATING",
                &["CREATING"],
            )
            .await?;
            return Ok((record.id, true));
        };
        let record = &existing.record;
        let Some(change) = change else {
            return Ok((record.id.clone(), false));
        };
        let mut draft_changed = false;
        let config_changed = change
            .fields
            .iter()
            .any(|f| f.field != "tags" && f.field != "status");
        if config_changed {
            self.step(format!("updating agent `{name}` ({})", record.id));
            let config = with_prompt_resets(&desired.agent, &record.config);
            self.api
                .update_agent(&record.id, &config, &record.kept)
                .await
                .map_err(|e| {
                    AgentsError::api(
                        "update the agent (UpdateAgent)",
                        format!("agent `{name}` ({})", record.id),
                        e,
                    )
                })?;
            self.wait_agent(
                "update the agent",
                &record.id,
                |s| s != "UPDATING",
                &["UPDATING"],
            )
            .await?;
            draft_changed = true;
        }
        if change.fields.iter().any(|f| f.field == "tags") {
            self.sync_tags(existing, desired).await?;
        }
        if change.fields.iter().any(|f| f.field == "status") {
            draft_changed = true;
        }
        Ok((record.id.clone(), draft_changed))
    }

    /// Delete, create and update action groups; whether any changed.
    async fn apply_action_groups(
        &self,
        agent_id: &str,
        desired: &DesiredState,
        remote_agent: Option<&RemoteAgent>,
        plan: &Plan,
    ) -> Result<bool, AgentsError> {
        let mut changed = false;
        for change in plan
            .changes
            .iter()
            .filter(|c| c.kind == ResourceKind::ActionGroup)
        {
            let resource = format!("action group `{}`", change.name);
            let wanted = desired.action_groups.iter().find(|g| g.name == change.name);
            if matches!(change.action, Action::Delete | Action::Replace) {
                let existing = remote_agent.and_then(|r| {
                    r.action_groups
                        .iter()
                        .find(|g| g.config.name == change.name)
                });
                if let Some(existing) = existing {
                    self.delete_action_group(agent_id, existing, &resource)
                        .await?;
                }
            }
            match (change.action, wanted) {
                (Action::Create | Action::Replace, Some(group)) => {
                    self.step(format!("creating {resource}"));
                    let token =
                        client_token(&["action-group", agent_id, &group.name, &json_of(group)]);
                    self.api
                        .create_action_group(agent_id, group, &token)
                        .await
                        .map_err(|e| {
                            AgentsError::api(
                                "create the action group (CreateAgentActionGroup)",
                                &resource,
                                e,
                            )
                        })?;
                }
                (Action::Update, Some(group)) => {
                    self.step(format!("updating {resource}"));
                    let id = id_of(change)?;
                    self.api
                        .update_action_group(agent_id, id, group)
                        .await
                        .map_err(|e| {
                            AgentsError::api(
                                "update the action group (UpdateAgentActionGroup)",
                                &resource,
                                e,
                            )
                        })?;
                }
                _ => {}
            }
            changed = true;
        }
        Ok(changed)
    }

    async fn delete_action_group(
        &self,
        agent_id: &str,
        existing: &ActionGroupRecord,
        resource: &str,
    ) -> Result<(), AgentsError> {
        // Built-in groups too: the documented way to retire AMAZON.UserInput is to disable it
        // (an update that carries its signature), then delete.
        if existing.config.enabled {
            self.step(format!("disabling {resource} before deleting it"));
            let mut disabled = existing.config.clone();
            disabled.enabled = false;
            self.api
                .update_action_group(agent_id, &existing.id, &disabled)
                .await
                .map_err(|e| {
                    AgentsError::api(
                        "disable the action group before deleting it (UpdateAgentActionGroup)",
                        resource,
                        e,
                    )
                })?;
        }
        self.step(format!("deleting {resource}"));
        let built_in = existing.parent_signature.is_some();
        match self
            .api
            .delete_action_group(agent_id, &existing.id, built_in)
            .await
        {
            Ok(()) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(AgentsError::api(
                "delete the action group (DeleteAgentActionGroup)",
                resource,
                e,
            )),
        }
    }

    /// Associate, update and disassociate knowledge bases; whether any changed.
    async fn apply_knowledge_bases(
        &self,
        agent_id: &str,
        desired: &DesiredState,
        plan: &Plan,
    ) -> Result<bool, AgentsError> {
        let mut changed = false;
        for change in plan
            .changes
            .iter()
            .filter(|c| c.kind == ResourceKind::KnowledgeBase)
        {
            let resource = format!("knowledge base {}", change.name);
            let wanted = desired.knowledge_bases.iter().find(|k| k.id == change.name);
            match (change.action, wanted) {
                (Action::Create, Some(kb)) => {
                    self.step(format!("associating {resource}"));
                    self.api
                        .associate_knowledge_base(agent_id, kb)
                        .await
                        .map_err(|e| {
                            AgentsError::api(
                                "associate the knowledge base (AssociateAgentKnowledgeBase)",
                                &resource,
                                e,
                            )
                        })?;
                }
                (Action::Update, Some(kb)) => {
                    self.step(format!("updating {resource}"));
                    self.api
                        .update_knowledge_base(agent_id, kb)
                        .await
                        .map_err(|e| {
                            AgentsError::api(
                                "update the knowledge base association (UpdateAgentKnowledgeBase)",
                                &resource,
                                e,
                            )
                        })?;
                }
                (Action::Delete, _) => {
                    self.step(format!("disassociating {resource}"));
                    match self
                        .api
                        .disassociate_knowledge_base(agent_id, &change.name)
                        .await
                    {
                        Ok(()) => {}
                        Err(e) if e.is_not_found() => {}
                        Err(e) => {
                            return Err(AgentsError::api(
                                "disassociate the knowledge base (DisassociateAgentKnowledgeBase)",
                                &resource,
                                e,
                            ));
                        }
                    }
                }
                _ => {}
            }
            changed = true;
        }
        Ok(changed)
    }

    /// Create the alias or point it at the version just prepared, then wait for it.
    async fn apply_alias(
        &self,
        agent_id: &str,
        desired: &DesiredState,
        plan: &Plan,
    ) -> Result<Option<AliasRecord>, AgentsError> {
        let Some(change) = plan.changes.iter().find(|c| c.kind == ResourceKind::Alias) else {
            return Ok(None);
        };
        let resource = format!("alias `{}`", change.name);
        let alias_id = match change.action {
            Action::Create => {
                self.step(format!("creating {resource}"));
                let token = client_token(&["alias", agent_id, &change.name]);
                self.api
                    .create_alias(agent_id, &change.name, &desired.tags, &token)
                    .await
                    .map_err(|e| {
                        AgentsError::api("create the alias (CreateAgentAlias)", &resource, e)
                    })?
                    .id
            }
            _ => {
                self.step(format!("pointing {resource} at the new version"));
                let id = id_of(change)?;
                self.api
                    .update_alias(agent_id, id, &change.name)
                    .await
                    .map_err(|e| {
                        AgentsError::api("update the alias (UpdateAgentAlias)", &resource, e)
                    })?;
                id.to_string()
            }
        };
        self.step(format!("waiting for {resource}"));
        Ok(Some(
            self.wait_alias(agent_id, &alias_id, &change.name).await?,
        ))
    }

    async fn sync_tags(
        &self,
        existing: &super::remote::RemoteAgent,
        desired: &DesiredState,
    ) -> Result<(), AgentsError> {
        let resource = format!("agent `{}` ({})", desired.agent.name, existing.record.id);
        self.step(format!("tagging {resource}"));
        self.api
            .tag(&existing.record.arn, &desired.tags)
            .await
            .map_err(|e| AgentsError::api("tag the agent (TagResource)", &resource, e))?;
        let stale: Vec<String> = existing
            .tags
            .keys()
            .filter(|k| !k.starts_with("aws:") && !desired.tags.contains_key(*k))
            .cloned()
            .collect();
        if !stale.is_empty() {
            self.api
                .untag(&existing.record.arn, &stale)
                .await
                .map_err(|e| AgentsError::api("untag the agent (UntagResource)", &resource, e))?;
        }
        Ok(())
    }

    async fn prepare(&self, name: &str, agent_id: &str) -> Result<(), AgentsError> {
        let resource = format!("agent `{name}` ({agent_id})");
        self.step(format!("preparing {resource}"));
        if let Err(error) = self.api.prepare_agent(agent_id).await {
            if !error.is_conflict() {
                return Err(AgentsError::api(
                    "prepare the agent (PrepareAgent)",
                    &resource,
                    error,
                ));
            }
            // Another prepare is running: let it finish, then prepare what we changed.
            self.wait_agent(
                "wait for the running prepare",
                agent_id,
                |s| s != "PREPARING",
                &["PREPARING"],
            )
            .await?;
            self.api
                .prepare_agent(agent_id)
                .await
                .map_err(|e| AgentsError::api("prepare the agent (PrepareAgent)", &resource, e))?;
        }
        self.step(format!("waiting for {resource} to be PREPARED"));
        self.wait_agent(
            "prepare the agent",
            agent_id,
            |s| s == "PREPARED",
            &["PREPARING", "NOT_PREPARED"],
        )
        .await?;
        Ok(())
    }

    /// Delete the agent with everything in it (aliases, action groups, associations).
    pub async fn destroy(&self, plan: &Plan) -> Result<(), AgentsError> {
        let Some(agent_id) = &plan.root_id else {
            return Ok(());
        };
        let resource = format!("agent `{}` ({agent_id})", plan.root);
        self.step(format!(
            "deleting {resource} with its aliases and action groups"
        ));
        match self.api.delete_agent(agent_id).await {
            Ok(()) => {}
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => {
                return Err(AgentsError::api(
                    "delete the agent (DeleteAgent)",
                    &resource,
                    e,
                ));
            }
        }
        let step = "delete the agent";
        let fetch = || async {
            self.api
                .get_agent(agent_id)
                .await
                .map_err(|e| AgentsError::api("delete the agent: GetAgent", &resource, e))
        };
        let classify = |record: Option<AgentRecord>| match record {
            None => Poll::Done(()),
            Some(record) if record.status == "DELETING" => Poll::Busy(record.status),
            Some(record) => Poll::Failed(failed(
                step,
                &resource,
                &record.status,
                &record.failure_reasons,
                &record.recommended_actions,
            )),
        };
        self.poll_until(step, &resource, fetch, classify).await
    }
}

/// What one look at a resource being waited for found.
type Poll<T> = crate::plan::poll::Poll<T, AgentsError>;

/// The id of the resource an update or move changes: every such change is planned from a
/// remote resource, so a missing id is a broken plan, refused before any call is made.
fn id_of(change: &ResourceChange) -> Result<&str, AgentsError> {
    change
        .id
        .as_deref()
        .ok_or_else(|| AgentsError::PlanWithoutId {
            kind: change.kind.label(),
            name: change.name.clone(),
        })
}

/// The agents target on the deploy seam: read the agent the spec names, plan with the agents
/// planner, apply in dependency order.
impl<A: AgentsApi> Deployer for Applier<'_, A> {
    const TARGET: Target = Target::Agents;
    type Desired = DesiredState;
    type Remote = RemoteState;
    type Applied = Outcome;
    type Error = AgentsError;

    async fn read(&self, desired: &DesiredState) -> Result<RemoteState, AgentsError> {
        super::remote::read_by_name(self.api, &desired.agent.name).await
    }

    fn plan_deploy(
        &self,
        desired: &DesiredState,
        remote: &RemoteState,
        options: PlanOptions,
    ) -> Result<Plan, AgentsError> {
        super::plan::plan_deploy(desired, remote, options.adopt)
    }

    fn plan_destroy(
        &self,
        desired: &DesiredState,
        remote: &RemoteState,
    ) -> Result<Plan, AgentsError> {
        super::plan::plan_destroy(&desired.agent.name, remote)
    }

    async fn apply(
        &self,
        desired: &DesiredState,
        remote: &RemoteState,
        plan: &Plan,
    ) -> Result<Outcome, AgentsError> {
        self.deploy(desired, remote, plan).await
    }

    async fn destroy(&self, _remote: &RemoteState, plan: &Plan) -> Result<(), AgentsError> {
        Applier::destroy(self, plan).await
    }
}

/// Prompt steps overridden on the agent but no longer in the spec are sent back to Bedrock's
/// defaults explicitly: an update that leaves them out must not leave the old override behind.
fn with_prompt_resets(desired: &AgentConfig, remote: &AgentConfig) -> AgentConfig {
    let mut config = desired.clone();
    for prompt in &remote.prompts {
        if config
            .prompts
            .iter()
            .any(|p| p.prompt_type == prompt.prompt_type)
        {
            continue;
        }
        let enabled_by_default = !matches!(
            prompt.prompt_type.as_str(),
            "PRE_PROCESSING" | "POST_PROCESSING"
        );
        config.prompts.push(PromptConfig {
            prompt_type: prompt.prompt_type.clone(),
            template: None,
            enabled: enabled_by_default,
            foundation_model: None,
            inference: None,
        });
    }
    config
        .prompts
        .sort_by(|a, b| a.prompt_type.cmp(&b.prompt_type));
    config
}

fn failed(
    step: &str,
    resource: &str,
    status: &str,
    reasons: &[String],
    actions: &[String],
) -> AgentsError {
    let reasons = if reasons.is_empty() {
        "the service gave no reason".to_string()
    } else {
        reasons.join("; ")
    };
    let help = if actions.is_empty() {
        "fix what the reason names (in the spec, or the IAM role / Lambda permissions), then re-run deploy".to_string()
    } else {
        format!("the service recommends: {}", actions.join("; "))
    };
    AgentsError::Failed {
        step: step.to_string(),
        resource: resource.to_string(),
        status: status.to_string(),
        reasons,
        help,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::api::{AgentSummary, ApiError, ApiResult, Page};
    use crate::agents::desired::{
        ActionGroupConfig, ExecutorConfig, KnowledgeBaseConfig, SchemaConfig,
    };
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    /// An in-memory `AgentsApi` that records every mutating call and settles at once: apply
    /// order without the HTTP fake. Reads planning needs are not served (apply makes none).
    #[derive(Default)]
    struct RecordingApi {
        calls: RefCell<Vec<String>>,
        status: RefCell<String>,
    }

    impl RecordingApi {
        fn record(&self, call: String) -> ApiResult<()> {
            self.calls.borrow_mut().push(call);
            Ok(())
        }
        fn unused<T>(&self, operation: &str) -> ApiResult<T> {
            Err(ApiError {
                code: "Unused".into(),
                message: format!("{operation} is not part of applying a plan"),
            })
        }
    }

    fn record(id: &str, status: &str, config: AgentConfig) -> AgentRecord {
        AgentRecord {
            id: id.into(),
            arn: format!("arn:aws:bedrock:us-east-1:123456789012:agent/{id}"),
            status: status.into(),
            failure_reasons: Vec::new(),
            recommended_actions: Vec::new(),
            updated_at_ms: 1,
            prepared_at_ms: Some(1),
            config,
            kept: Default::default(),
        }
    }

    impl AgentsApi for RecordingApi {
        async fn list_agents(&self, _: Option<String>) -> ApiResult<Page<AgentSummary>> {
            self.unused("ListAgents")
        }
        async fn get_agent(&self, agent_id: &str) -> ApiResult<Option<AgentRecord>> {
            let status = self.status.borrow().clone();
            Ok(Some(record(agent_id, &status, config("now"))))
        }
        async fn create_agent(
            &self,
            config: &AgentConfig,
            _: &BTreeMap<String, String>,
            _: &str,
        ) -> ApiResult<AgentRecord> {
            self.record(format!("create_agent {}", config.name))?;
            *self.status.borrow_mut() = "NOT_PREPARED".into();
            Ok(record("NEWAGENT00", "CREATING", config.clone()))
        }
        async fn update_agent(
            &self,
            agent_id: &str,
            _: &AgentConfig,
            _: &crate::agents::api::KeptAgentSettings,
        ) -> ApiResult<()> {
            *self.status.borrow_mut() = "NOT_PREPARED".into();
            self.record(format!("update_agent {agent_id}"))
        }
        async fn prepare_agent(&self, agent_id: &str) -> ApiResult<()> {
            *self.status.borrow_mut() = "PREPARED".into();
            self.record(format!("prepare_agent {agent_id}"))
        }
        async fn delete_agent(&self, agent_id: &str) -> ApiResult<()> {
            self.record(format!("delete_agent {agent_id}"))
        }
        async fn list_tags(&self, _: &str) -> ApiResult<BTreeMap<String, String>> {
            self.unused("ListTagsForResource")
        }
        async fn tag(&self, _: &str, _: &BTreeMap<String, String>) -> ApiResult<()> {
            self.record("tag".into())
        }
        async fn untag(&self, _: &str, _: &[String]) -> ApiResult<()> {
            self.record("untag".into())
        }
        async fn list_action_groups(
            &self,
            _: &str,
            _: Option<String>,
        ) -> ApiResult<Page<(String, String)>> {
            self.unused("ListAgentActionGroups")
        }
        async fn get_action_group(&self, _: &str, _: &str) -> ApiResult<ActionGroupRecord> {
            self.unused("GetAgentActionGroup")
        }
        async fn create_action_group(
            &self,
            _: &str,
            config: &ActionGroupConfig,
            _: &str,
        ) -> ApiResult<String> {
            self.record(format!("create_action_group {}", config.name))?;
            Ok(format!("G-{}", config.name))
        }
        async fn update_action_group(
            &self,
            _: &str,
            id: &str,
            config: &ActionGroupConfig,
        ) -> ApiResult<()> {
            self.record(format!(
                "update_action_group {id} enabled={}",
                config.enabled
            ))
        }
        async fn delete_action_group(&self, _: &str, id: &str, _: bool) -> ApiResult<()> {
            self.record(format!("delete_action_group {id}"))
        }
        async fn list_knowledge_bases(
            &self,
            _: &str,
            _: Option<String>,
        ) -> ApiResult<Page<KnowledgeBaseConfig>> {
            self.unused("ListAgentKnowledgeBases")
        }
        async fn associate_knowledge_base(
            &self,
            _: &str,
            kb: &KnowledgeBaseConfig,
        ) -> ApiResult<()> {
            self.record(format!("associate_knowledge_base {}", kb.id))
        }
        async fn update_knowledge_base(&self, _: &str, kb: &KnowledgeBaseConfig) -> ApiResult<()> {
            self.record(format!("update_knowledge_base {}", kb.id))
        }
        async fn disassociate_knowledge_base(&self, _: &str, kb_id: &str) -> ApiResult<()> {
            self.record(format!("disassociate_knowledge_base {kb_id}"))
        }
        async fn list_aliases(&self, _: &str, _: Option<String>) -> ApiResult<Page<AliasRecord>> {
            self.unused("ListAgentAliases")
        }
        async fn get_alias(&self, _: &str, alias_id: &str) -> ApiResult<AliasRecord> {
            Ok(AliasRecord {
                id: alias_id.into(),
                name: "live".into(),
                status: "PREPARED".into(),
                version: Some("2".into()),
                updated_at_ms: 2,
                failure_reasons: Vec::new(),
            })
        }
        async fn create_alias(
            &self,
            _: &str,
            name: &str,
            _: &BTreeMap<String, String>,
            _: &str,
        ) -> ApiResult<AliasRecord> {
            self.record(format!("create_alias {name}"))?;
            Ok(AliasRecord {
                id: "ALIAS00000".into(),
                name: name.into(),
                status: "CREATING".into(),
                version: None,
                updated_at_ms: 0,
                failure_reasons: Vec::new(),
            })
        }
        async fn update_alias(&self, _: &str, alias_id: &str, _: &str) -> ApiResult<()> {
            self.record(format!("update_alias {alias_id}"))
        }
        async fn get_s3_object(&self, _: &str, _: &str) -> ApiResult<String> {
            self.unused("GetObject")
        }
    }

    fn config(instruction: &str) -> AgentConfig {
        AgentConfig {
            name: "a".into(),
            description: None,
            instruction: instruction.into(),
            foundation_model: "amazon.nova-lite-v1:0".into(),
            role_arn: "arn:aws:iam::123456789012:role/r".into(),
            idle_session_ttl: None,
            encryption_key_arn: None,
            guardrail: None,
            memory: None,
            prompts: Vec::new(),
        }
    }

    fn group(name: &str) -> ActionGroupConfig {
        ActionGroupConfig {
            name: name.into(),
            description: None,
            executor: ExecutorConfig::ReturnControl,
            schema: SchemaConfig::Functions(Vec::new()),
            enabled: true,
        }
    }

    fn desired(instruction: &str) -> DesiredState {
        DesiredState {
            agent: config(instruction),
            tags: [(
                crate::agents::desired::OWNER_TAG_KEY.to_string(),
                crate::agents::desired::OWNER_TAG_VALUE.to_string(),
            )]
            .into(),
            action_groups: vec![group("new")],
            knowledge_bases: Vec::new(),
            alias: Some("live".into()),
        }
    }

    fn apply(remote: &RemoteState, desired: &DesiredState) -> Vec<String> {
        let api = RecordingApi::default();
        *api.status.borrow_mut() = "PREPARED".into();
        let applier = Applier {
            api: &api,
            progress: &|_| {},
            poll: PollSettings {
                first_delay: Duration::from_millis(1),
                max_delay: Duration::from_millis(1),
                timeout: Duration::from_secs(5),
            },
        };
        let plan = super::super::plan::plan_deploy(desired, remote, false).expect("plan");
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime")
            .block_on(applier.deploy(desired, remote, &plan))
            .expect("deploy");
        api.calls.take()
    }

    #[test]
    fn a_new_agent_is_created_then_its_parts_then_one_prepare_then_the_alias() {
        let calls = apply(&RemoteState { agent: None }, &desired("Help."));
        assert_eq!(
            calls,
            [
                "create_agent a",
                "create_action_group new",
                "prepare_agent NEWAGENT00",
                "create_alias live",
            ]
        );
    }

    #[test]
    fn groups_are_created_first_and_disabled_before_deletion_and_prepare_runs_once_after_all() {
        let desired = desired("Help more.");
        let remote = RemoteState {
            agent: Some(RemoteAgent {
                record: record("AGENT00000", "PREPARED", config("Help.")),
                tags: desired.tags.clone(),
                action_groups: vec![ActionGroupRecord {
                    id: "G-old".into(),
                    config: group("old"),
                    parent_signature: None,
                }],
                knowledge_bases: vec![KnowledgeBaseConfig {
                    id: "KB00000001".into(),
                    description: "docs".into(),
                    enabled: true,
                }],
                aliases: Vec::new(),
            }),
        };
        assert_eq!(
            apply(&remote, &desired),
            [
                "update_agent AGENT00000",
                "create_action_group new",
                "update_action_group G-old enabled=false",
                "delete_action_group G-old",
                "disassociate_knowledge_base KB00000001",
                "prepare_agent AGENT00000",
                "create_alias live",
            ]
        );
    }

    #[test]
    fn an_update_without_an_id_is_refused_before_any_call() {
        let change = ResourceChange {
            kind: ResourceKind::Alias,
            name: "live".into(),
            id: None,
            action: Action::Update,
            fields: Vec::new(),
        };
        assert!(matches!(
            id_of(&change),
            Err(AgentsError::PlanWithoutId { kind: "alias", .. })
        ));
    }

    #[test]
    fn client_tokens_are_deterministic_and_valid() {
        let a = client_token(&["agent", "x", "{}"]);
        assert_eq!(a, client_token(&["agent", "x", "{}"]));
        assert_ne!(a, client_token(&["agent", "x", "{\"a\":1}"]));
        assert!((33..=256).contains(&a.len()));
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}

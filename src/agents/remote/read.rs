//! Reading the remote state through an [`AgentsApi`].

use super::{RemoteAgent, RemoteState};
use crate::agents::api::{AgentsApi, Page};
use crate::agents::error::AgentsError;

/// Walk every page of a list operation.
pub async fn collect_pages<T, F, Fut>(mut fetch: F) -> Result<Vec<T>, crate::agents::api::ApiError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<Page<T>, crate::agents::api::ApiError>>,
{
    let mut items = Vec::new();
    let mut token = None;
    loop {
        let page = fetch(token.take()).await?;
        items.extend(page.items);
        match page.next_token {
            Some(next) if !next.is_empty() => token = Some(next),
            _ => return Ok(items),
        }
    }
}

pub async fn find_agent_id<A: AgentsApi>(
    api: &A,
    name: &str,
) -> Result<Option<String>, AgentsError> {
    let agents = collect_pages(|token| api.list_agents(token))
        .await
        .map_err(|e| AgentsError::api("ListAgents", format!("agents named `{name}`"), e))?;
    Ok(agents.into_iter().find(|a| a.name == name).map(|a| a.id))
}

/// The state of the agent called `name` (none if no such agent).
pub async fn read_by_name<A: AgentsApi>(api: &A, name: &str) -> Result<RemoteState, AgentsError> {
    match find_agent_id(api, name).await? {
        Some(id) => read_by_id(api, &id).await,
        None => Ok(RemoteState { agent: None }),
    }
}

pub async fn read_by_id<A: AgentsApi>(api: &A, id: &str) -> Result<RemoteState, AgentsError> {
    let resource = format!("agent {id}");
    let Some(record) = api
        .get_agent(id)
        .await
        .map_err(|e| AgentsError::api("GetAgent", &resource, e))?
    else {
        return Ok(RemoteState { agent: None });
    };
    if record.status == "DELETING" {
        return Ok(RemoteState { agent: None });
    }
    // The four reads are independent: one round trip instead of four.
    let (tags, group_ids, knowledge_bases, aliases) = tokio::join!(
        api.list_tags(&record.arn),
        collect_pages(|token| api.list_action_groups(id, token)),
        collect_pages(|token| api.list_knowledge_bases(id, token)),
        collect_pages(|token| api.list_aliases(id, token)),
    );
    let tags = tags.map_err(|e| AgentsError::api("ListTagsForResource", &resource, e))?;
    let group_ids =
        group_ids.map_err(|e| AgentsError::api("ListAgentActionGroups", &resource, e))?;
    let mut knowledge_bases =
        knowledge_bases.map_err(|e| AgentsError::api("ListAgentKnowledgeBases", &resource, e))?;
    knowledge_bases.sort_by(|a, b| a.id.cmp(&b.id));
    let aliases = aliases.map_err(|e| AgentsError::api("ListAgentAliases", &resource, e))?;
    let mut action_groups = Vec::new();
    for (group_id, group_name) in group_ids {
        let group = api.get_action_group(id, &group_id).await.map_err(|e| {
            AgentsError::api(
                "GetAgentActionGroup",
                format!("action group `{group_name}` ({group_id})"),
                e,
            )
        })?;
        action_groups.push(group);
    }
    Ok(RemoteState {
        agent: Some(RemoteAgent {
            record,
            tags,
            action_groups,
            knowledge_bases,
            aliases,
        }),
    })
}

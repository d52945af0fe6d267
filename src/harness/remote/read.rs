//! Read the live state of the harness a spec names: find it by name (ListHarnesses has no name
//! filter, so one paginated walk), then one read per resource — the harness, its tags, its
//! endpoint. Nothing here mutates.

use super::{RemoteHarness, RemoteState};
use crate::harness::api::{ApiError, HarnessApi, Page};
use crate::harness::error::DeployError;

/// Walk every page of a list operation.
pub async fn collect_pages<T, F, Fut>(mut fetch: F) -> Result<Vec<T>, ApiError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<Page<T>, ApiError>>,
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

/// The id of the harness called `name`, if one exists and is not being deleted.
pub async fn find_harness_id<A: HarnessApi>(
    api: &A,
    name: &str,
) -> Result<Option<String>, DeployError> {
    let harnesses = collect_pages(|token| api.list_harnesses(token))
        .await
        .map_err(|e| DeployError::api("ListHarnesses", format!("harnesses named `{name}`"), e))?;
    Ok(harnesses
        .into_iter()
        .find(|h| h.name == name && h.status != "DELETING")
        .map(|h| h.id))
}

/// The state of the harness called `name` and of its endpoint `endpoint` (none if absent).
pub async fn read_by_name<A: HarnessApi>(
    api: &A,
    name: &str,
    endpoint: Option<&str>,
) -> Result<RemoteState, DeployError> {
    let Some(id) = find_harness_id(api, name).await? else {
        return Ok(RemoteState { harness: None });
    };
    let resource = format!("harness `{name}` ({id})");
    let Some(record) = api
        .get_harness(&id)
        .await
        .map_err(|e| DeployError::api("GetHarness", &resource, e))?
    else {
        return Ok(RemoteState { harness: None });
    };
    if record.status == "DELETING" {
        return Ok(RemoteState { harness: None });
    }
    // Independent reads: one round trip instead of two.
    let endpoint_read = async {
        match endpoint {
            Some(endpoint) => api.get_endpoint(&id, endpoint).await,
            None => Ok(None),
        }
    };
    let (tags, endpoint_record) = tokio::join!(api.list_tags(&record.arn), endpoint_read);
    let tags = tags.map_err(|e| DeployError::api("ListTagsForResource", &resource, e))?;
    let endpoint = endpoint_record
        .map_err(|e| DeployError::api("GetHarnessEndpoint", &resource, e))?
        .filter(|e| e.status != "DELETING");
    Ok(RemoteState {
        harness: Some(RemoteHarness {
            record,
            tags,
            endpoint,
        }),
    })
}

//! The harness target's planner: desired deployment + remote state → the shared [`Plan`].
//!
//! The diff is member by member over the CreateHarness/Harness JSON, the unit UpdateHarness
//! patches, after both sides are put through [`normalise`]: the defaults the service fills in
//! (allowed tools, truncation, lifecycle and network settings, limits, managed memory) are
//! written out on the side that omits them and read-only members are dropped, so a harness
//! deployed from a spec plans no changes the second time.

use super::api::{EndpointRequest, HarnessRecord};
use super::error::DeployError;
use super::remote::{RemoteHarness, RemoteState};
use crate::plan::diff::diff_objects;
use crate::plan::{
    Action, FieldChange, Fingerprint, Operation, Plan, PlanOptions, ResourceChange, ResourceKind,
};
use crate::target::Target;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

pub const OWNER_TAG_KEY: &str = "managed-by";
pub const OWNER_TAG_VALUE: &str = "agentc";

/// The target these plans are for.
pub const TARGET: Target = Target::Harness;

/// Members that UpdateHarness takes inside an `{"optionalValue": …}` wrapper, so that they can
/// be cleared (an empty wrapper) as well as set.
pub const WRAPPED_MEMBERS: [&str; 3] = ["memory", "environmentArtifact", "authorizerConfiguration"];

/// Members that are not configuration the diff compares: the name is the lookup key (a new name
/// is a new harness), tags go through TagResource, the client token is per call.
const NOT_DIFFED: [&str; 3] = ["harnessName", "tags", "clientToken"];

/// What a harness deploy reaches; stored in saved plans.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deployment {
    /// `harnessName`.
    pub name: String,
    /// The CreateHarness members (service member names), without `clientToken` and `tags`.
    pub request: Map<String, Value>,
    /// The request's own `clientToken` (compile derives it from the request), sent with the
    /// create; without one, apply derives its own the same way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    /// Tags to set on the harness and its endpoint, the ownership tag included.
    pub tags: BTreeMap<String, String>,
    /// The endpoint that serves the newest version, if the spec names one.
    pub endpoint: Option<EndpointSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointSpec {
    pub name: String,
    pub description: Option<String>,
}

impl Deployment {
    /// From a CreateHarness request as the compile step builds it (any value that serialises
    /// to the request's JSON object): `tags` move out of the request, the ownership tag is
    /// added, `clientToken` is kept aside for the create.
    pub fn from_request(
        request: &impl Serialize,
        endpoint: Option<EndpointSpec>,
    ) -> Result<Deployment, DeployError> {
        let Ok(Value::Object(mut request)) = serde_json::to_value(request) else {
            return Err(DeployError::Request {
                member: "harnessName",
            });
        };
        let client_token = request
            .remove("clientToken")
            .and_then(|t| t.as_str().map(str::to_string));
        let name = request
            .get("harnessName")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or(DeployError::Request {
                member: "harnessName",
            })?;
        let mut tags: BTreeMap<String, String> = request
            .remove("tags")
            .and_then(|t| serde_json::from_value(t).ok())
            .unwrap_or_default();
        tags.insert(OWNER_TAG_KEY.into(), OWNER_TAG_VALUE.into());
        Ok(Deployment {
            name,
            request,
            client_token,
            tags,
            endpoint,
        })
    }

    pub fn endpoint_name(&self) -> Option<&str> {
        self.endpoint.as_ref().map(|e| e.name.as_str())
    }
}

/// Set `key` to `default` when `map` lacks it.
fn default_member(map: &mut Map<String, Value>, key: &str, default: Value) {
    map.entry(key.to_string()).or_insert(default);
}

fn object_member<'a>(
    map: &'a mut Map<String, Value>,
    key: &str,
) -> Option<&'a mut Map<String, Value>> {
    map.get_mut(key).and_then(Value::as_object_mut)
}

/// The configuration with the service's defaults written out and read-only members dropped.
/// Defaults from the service model's documentation and the AgentCore guide: every tool allowed,
/// `sliding_window` truncation, 75 iterations, 3,600 s per invocation, a public network, a
/// 900 s idle timeout and 28,800 s lifetime, and — when `memory` is omitted — managed memory
/// with the SEMANTIC and SUMMARIZATION strategies kept 30 days.
pub fn normalise(config: &Map<String, Value>) -> Map<String, Value> {
    let mut map: Map<String, Value> = config
        .iter()
        .filter(|(k, v)| !NOT_DIFFED.contains(&k.as_str()) && !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    default_member(&mut map, "allowedTools", json!(["*"]));
    default_member(&mut map, "maxIterations", json!(75));
    default_member(&mut map, "timeoutSeconds", json!(3600));
    default_member(
        &mut map,
        "truncation",
        json!({"strategy": "sliding_window"}),
    );
    default_member(&mut map, "environmentVariables", json!({}));
    for list in ["tools", "skills", "systemPrompt", "hooks"] {
        default_member(&mut map, list, json!([]));
    }
    default_member(
        &mut map,
        "environment",
        json!({"agentCoreRuntimeEnvironment": {}}),
    );
    if let Some(runtime) = object_member(&mut map, "environment")
        .and_then(|e| object_member(e, "agentCoreRuntimeEnvironment"))
    {
        for read_only in ["agentRuntimeArn", "agentRuntimeName", "agentRuntimeId"] {
            runtime.remove(read_only);
        }
        default_member(runtime, "lifecycleConfiguration", json!({}));
        if let Some(lifecycle) = object_member(runtime, "lifecycleConfiguration") {
            default_member(lifecycle, "idleRuntimeSessionTimeout", json!(900));
            default_member(lifecycle, "maxLifetime", json!(28_800));
        }
        default_member(
            runtime,
            "networkConfiguration",
            json!({"networkMode": "PUBLIC"}),
        );
        default_member(runtime, "filesystemConfigurations", json!([]));
    }
    default_member(
        &mut map,
        "memory",
        json!({"managedMemoryConfiguration": {}}),
    );
    if let Some(managed) = object_member(&mut map, "memory")
        .and_then(|m| object_member(m, "managedMemoryConfiguration"))
    {
        managed.remove("arn");
        default_member(managed, "strategies", json!(["SEMANTIC", "SUMMARIZATION"]));
        default_member(managed, "eventExpiryDuration", json!(30));
    }
    map
}

/// The remote configuration as the desired one would compare: normalised, and without the
/// parts the spec leaves to the service (no `model` → the service's default model; a
/// truncation strategy without `config` → the service's settings of that strategy).
fn comparable_remote(
    remote: &Map<String, Value>,
    desired: &Map<String, Value>,
) -> Map<String, Value> {
    let mut remote = normalise(remote);
    if !desired.contains_key("model") {
        remote.remove("model");
    }
    let desired_truncation = desired.get("truncation");
    if desired_truncation.is_none_or(|t| t.get("config").is_none())
        && let Some(truncation) = object_member(&mut remote, "truncation")
    {
        truncation.remove("config");
    }
    remote
}

/// The member-level differences from the remote harness to the desired one.
pub fn config_changes(record: &HarnessRecord, desired: &Map<String, Value>) -> Vec<FieldChange> {
    let wanted = normalise(desired);
    diff_objects(&comparable_remote(&record.config, desired), &wanted)
}

/// The UpdateHarness body for these changes: only the changed members, the wrapped ones in
/// their `optionalValue` wrapper (empty to clear, as the SDK sends an unset `optionalValue`).
pub fn update_patch(desired: &Map<String, Value>, fields: &[FieldChange]) -> Map<String, Value> {
    let wanted = normalise(desired);
    let mut patch = Map::new();
    for field in fields.iter().filter(|f| f.field != "tags") {
        let value = wanted.get(&field.field).cloned();
        let member = if WRAPPED_MEMBERS.contains(&field.field.as_str()) {
            match value {
                Some(value) => json!({ "optionalValue": value }),
                None => json!({}),
            }
        } else {
            match value {
                Some(value) => value,
                // A member the spec dropped that has no default: nothing to send.
                None => continue,
            }
        };
        patch.insert(field.field.clone(), member);
    }
    patch
}

/// Tags the service or AWS itself adds are not agentc's to manage.
fn managed_tags(tags: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    tags.iter()
        .filter(|(k, _)| !k.starts_with("aws:"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

pub fn is_owned(remote: &RemoteHarness) -> bool {
    remote.tags.get(OWNER_TAG_KEY).map(String::as_str) == Some(OWNER_TAG_VALUE)
}

/// Every member a create sends, and the tags.
fn creation_fields(desired: &Deployment) -> Vec<FieldChange> {
    let mut fields: Vec<FieldChange> = desired
        .request
        .iter()
        .filter(|(k, _)| !NOT_DIFFED.contains(&k.as_str()))
        .map(|(k, v)| FieldChange::added(k, v.clone()))
        .collect();
    fields.push(FieldChange::added("tags", json!(desired.tags)));
    fields
}

/// The harness's own change: created with every member, or updated where members or tags
/// differ, or where an earlier update failed or has not finished.
fn harness_change(desired: &Deployment, remote: Option<&RemoteHarness>) -> Option<ResourceChange> {
    let Some(remote) = remote else {
        return Some(ResourceChange::create(
            ResourceKind::Harness,
            &desired.name,
            creation_fields(desired),
        ));
    };
    let record = &remote.record;
    if record.status == "CREATE_FAILED" {
        // A harness that never came up cannot be updated: delete it and create it again.
        let mut fields = creation_fields(desired);
        fields.push(FieldChange::changed(
            "status",
            json!(record.status),
            json!("READY"),
        ));
        return Some(ResourceChange {
            kind: ResourceKind::Harness,
            name: desired.name.clone(),
            id: Some(record.id.clone()),
            action: Action::Replace,
            fields,
        });
    }
    let mut fields = config_changes(record, &desired.request);
    let remote_tags = managed_tags(&remote.tags);
    if remote_tags != desired.tags {
        fields.push(FieldChange::changed(
            "tags",
            json!(remote_tags),
            json!(desired.tags),
        ));
    }
    if fields.is_empty()
        && record.status != "READY"
        && record.status != "CREATING"
        && record.status != "UPDATING"
    {
        // A failed create or update: UpdateHarness with the desired members retries it.
        fields = diff_objects(&Map::new(), &normalise(&desired.request));
        fields.push(FieldChange::changed(
            "status",
            json!(record.status),
            json!("READY"),
        ));
    }
    (!fields.is_empty()).then(|| ResourceChange {
        kind: ResourceKind::Harness,
        name: desired.name.clone(),
        id: Some(record.id.clone()),
        action: Action::Update,
        fields,
    })
}

/// The endpoint serves the newest version: it moves whenever the harness changes, and when an
/// earlier deploy changed the harness but stopped before moving it.
fn endpoint_change(
    endpoint: &EndpointSpec,
    remote: Option<&RemoteHarness>,
    harness_changes: bool,
) -> Option<ResourceChange> {
    let version = |moves: bool| match (moves, remote) {
        (false, Some(remote)) => json!(remote.record.version),
        _ => json!("(new version)"),
    };
    let Some(existing) = remote.and_then(|r| r.endpoint.as_ref()) else {
        return Some(ResourceChange::create(
            ResourceKind::HarnessEndpoint,
            &endpoint.name,
            vec![FieldChange::added(
                "targetVersion",
                version(harness_changes),
            )],
        ));
    };
    let current = remote.map(|r| r.record.version.as_str());
    let serving = existing.live_version.as_deref();
    let behind = serving != current || existing.target_version.as_deref() != current;
    let failed = existing.status.ends_with("_FAILED");
    let mut fields = Vec::new();
    if existing.status != "READY" && !failed {
        // Still settling from an earlier deploy: apply waits for it, then moves it if needed.
        fields.push(FieldChange::changed(
            "status",
            json!(existing.status),
            json!("READY"),
        ));
    }
    if harness_changes || behind || failed {
        fields.push(FieldChange {
            field: "targetVersion".into(),
            old: serving.map(|v| json!(v)),
            new: Some(version(harness_changes)),
        });
    }
    if endpoint.description.is_some() && existing.description != endpoint.description {
        fields.push(FieldChange {
            field: "description".into(),
            old: existing.description.as_ref().map(|d| json!(d)),
            new: endpoint.description.as_ref().map(|d| json!(d)),
        });
    }
    (!fields.is_empty()).then(|| ResourceChange {
        kind: ResourceKind::HarnessEndpoint,
        name: endpoint.name.clone(),
        id: Some(existing.name.clone()),
        action: Action::Update,
        fields,
    })
}

pub fn plan_deploy(
    desired: &Deployment,
    remote: &RemoteState,
    options: PlanOptions,
) -> Result<Plan, DeployError> {
    let remote_harness = remote.harness.as_ref();
    if let Some(harness) = remote_harness {
        if !options.adopt && !is_owned(harness) {
            return Err(DeployError::NotOwned {
                name: desired.name.clone(),
                id: harness.record.id.clone(),
            });
        }
        if harness.record.status == "DELETE_FAILED" {
            return Err(DeployError::Unusable {
                name: desired.name.clone(),
                id: harness.record.id.clone(),
                status: harness.record.status.clone(),
            });
        }
    }
    let mut changes: Vec<ResourceChange> = harness_change(desired, remote_harness)
        .into_iter()
        .collect();
    if let Some(endpoint) = &desired.endpoint {
        let harness_changes = changes
            .iter()
            .any(|c| c.action == Action::Create || c.fields.iter().any(|f| f.field != "tags"));
        changes.extend(endpoint_change(endpoint, remote_harness, harness_changes));
    }
    Ok(Plan::new(
        TARGET,
        Operation::Deploy,
        &desired.name,
        remote_harness.map(|h| h.record.id.clone()),
        changes,
        remote.fingerprint(),
    ))
}

pub fn plan_destroy(desired: &Deployment, remote: &RemoteState) -> Result<Plan, DeployError> {
    let finish = |id: Option<String>, changes| {
        Plan::new(
            TARGET,
            Operation::Destroy,
            &desired.name,
            id,
            changes,
            remote.fingerprint(),
        )
    };
    let Some(harness) = &remote.harness else {
        return Ok(finish(None, Vec::new()));
    };
    let record = &harness.record;
    if !is_owned(harness) {
        return Err(DeployError::NotOwnedDestroy {
            name: desired.name.clone(),
            id: record.id.clone(),
        });
    }
    let mut changes = Vec::new();
    if let Some(endpoint) = &harness.endpoint {
        changes.push(ResourceChange::delete(
            ResourceKind::HarnessEndpoint,
            &endpoint.name,
            Some(&endpoint.name),
        ));
    }
    changes.push(ResourceChange::delete(
        ResourceKind::Harness,
        &desired.name,
        Some(&record.id),
    ));
    Ok(finish(Some(record.id.clone()), changes))
}

/// The CreateHarnessEndpoint / UpdateHarnessEndpoint request for `version`.
pub fn endpoint_request(endpoint: &EndpointSpec, version: &str) -> EndpointRequest {
    EndpointRequest {
        name: endpoint.name.clone(),
        target_version: version.to_string(),
        description: endpoint.description.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::api::EndpointRecord;

    fn desired() -> Deployment {
        Deployment::from_request(
            &json!({
                "harnessName": "weather_bot",
                "executionRoleArn": "arn:aws:iam::123456789012:role/h",
                "model": {"bedrockModelConfig": {"modelId": "amazon.nova-lite-v1:0"}},
                "systemPrompt": [{"text": "Answer questions about the weather."}],
                "allowedTools": ["weather_*"],
                "memory": {"disabled": {}},
                "maxIterations": 10,
                "maxTokens": 4096,
                "timeoutSeconds": 300,
                "tags": {"team": "x"},
                "clientToken": "ignored",
            }),
            Some(EndpointSpec {
                name: "live".into(),
                description: None,
            }),
        )
        .unwrap()
    }

    /// As the service returns it: defaults filled in, read-only members added.
    fn deployed(desired: &Deployment) -> RemoteState {
        let mut config = desired.request.clone();
        config.remove("harnessName");
        config.insert(
            "truncation".into(),
            json!({"strategy": "sliding_window",
            "config": {"slidingWindow": {"messagesCount": 40}}}),
        );
        config.insert(
            "environment".into(),
            json!({"agentCoreRuntimeEnvironment": {
            "agentRuntimeArn": "arn:runtime", "agentRuntimeId": "r", "agentRuntimeName": "r",
            "lifecycleConfiguration": {"idleRuntimeSessionTimeout": 900, "maxLifetime": 28800},
            "networkConfiguration": {"networkMode": "PUBLIC"}}}),
        );
        config.insert("environmentVariables".into(), json!({}));
        config.insert("tools".into(), json!([]));
        let mut tags = desired.tags.clone();
        tags.insert("aws:cloudformation:stack-name".into(), "s".into());
        RemoteState {
            harness: Some(RemoteHarness {
                record: HarnessRecord {
                    id: "weather_bot-abcdefghij".into(),
                    name: "weather_bot".into(),
                    arn: "arn:aws:bedrock-agentcore:us-east-1:123456789012:harness/weather_bot-abcdefghij".into(),
                    status: "READY".into(),
                    version: "2".into(),
                    failure_reason: None,
                    config,
                },
                tags,
                endpoint: Some(EndpointRecord {
                    name: "live".into(),
                    arn: "arn:e".into(),
                    status: "READY".into(),
                    live_version: Some("2".into()),
                    target_version: Some("2".into()),
                    description: None,
                    failure_reason: None,
                }),
            }),
        }
    }

    #[test]
    fn server_filled_defaults_and_aws_tags_are_not_changes() {
        let desired = desired();
        let plan = plan_deploy(&desired, &deployed(&desired), PlanOptions::default()).unwrap();
        assert!(!plan.has_changes(), "{:#?}", plan.changes);
        assert_eq!(plan.target, TARGET);
    }

    #[test]
    fn a_change_patches_only_its_member_and_moves_the_endpoint() {
        let mut desired = desired();
        let remote = deployed(&desired);
        desired.request.insert("maxIterations".into(), json!(20));
        let plan = plan_deploy(&desired, &remote, PlanOptions::default()).unwrap();
        let harness = &plan.changes[0];
        assert_eq!(harness.action, Action::Update);
        let patch = update_patch(&desired.request, &harness.fields);
        assert_eq!(Value::Object(patch), json!({"maxIterations": 20}));
        assert_eq!(plan.changes[1].kind, ResourceKind::HarnessEndpoint);
        assert_eq!(plan.changes[1].fields[0].new, Some(json!("(new version)")));
    }

    #[test]
    fn wrapped_members_are_set_and_cleared_through_optional_value() {
        let mut desired = desired();
        let mut remote = deployed(&desired);
        if let Some(h) = remote.harness.as_mut() {
            h.record.config.insert(
                "authorizerConfiguration".into(),
                json!({"customJWTAuthorizer": {"discoveryUrl": "https://x"}}),
            );
        }
        desired.request.insert(
            "memory".into(),
            json!({"managedMemoryConfiguration": {"eventExpiryDuration": 7}}),
        );
        let plan = plan_deploy(&desired, &remote, PlanOptions::default()).unwrap();
        let patch = update_patch(&desired.request, &plan.changes[0].fields);
        assert_eq!(
            Value::Object(patch),
            json!({
                "memory": {"optionalValue": {"managedMemoryConfiguration": {
                    "eventExpiryDuration": 7, "strategies": ["SEMANTIC", "SUMMARIZATION"]}}},
                "authorizerConfiguration": {}
            })
        );
    }

    #[test]
    fn an_endpoint_behind_the_harness_is_moved_even_without_harness_changes() {
        let desired = desired();
        let mut remote = deployed(&desired);
        if let Some(h) = remote.harness.as_mut() {
            h.record.version = "3".into();
        }
        let plan = plan_deploy(&desired, &remote, PlanOptions::default()).unwrap();
        assert_eq!(plan.changes.len(), 1);
        assert_eq!(plan.changes[0].fields[0].new, Some(json!("3")));
    }

    #[test]
    fn a_foreign_harness_is_refused_unless_adopted() {
        let desired = desired();
        let mut remote = deployed(&desired);
        if let Some(h) = remote.harness.as_mut() {
            h.tags.remove(OWNER_TAG_KEY);
        }
        assert!(matches!(
            plan_deploy(&desired, &remote, PlanOptions::default()),
            Err(DeployError::NotOwned { .. })
        ));
        let adopted = plan_deploy(&desired, &remote, PlanOptions { adopt: true }).unwrap();
        assert_eq!(adopted.changes.len(), 1);
        assert_eq!(adopted.changes[0].fields[0].field, "tags");
        assert!(matches!(
            plan_destroy(&desired, &remote),
            Err(DeployError::NotOwnedDestroy { .. })
        ));
    }
}

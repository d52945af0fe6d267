//! Carry out a harness plan: create or update the harness (an update sends only the changed
//! members), poll until READY, sync its tags, then create or move the endpoint to the new
//! `harnessVersion` and poll it until READY. There are no waiters for harnesses in the
//! service model, so every wait is one bounded poll loop here. Creates carry a client token
//! derived from what is created, so a retried or re-run create never makes a second harness.

use super::api::{EndpointRecord, HarnessApi, HarnessRecord};
use super::error::DeployError;
use super::plan::{self, Deployment, endpoint_request, update_patch};
use super::remote::{self, RemoteHarness, RemoteState};
use crate::plan::{Action, Deployer, Plan, PlanOptions, ResourceKind};
use crate::target::Target;
use std::collections::BTreeMap;
use std::time::Duration;

pub use crate::plan::poll::PollSettings;

/// How harness deploys poll: a harness takes minutes to become READY.
pub const DEFAULT_POLL: PollSettings = PollSettings {
    first_delay: Duration::from_millis(200),
    max_delay: Duration::from_secs(5),
    timeout: Duration::from_secs(30 * 60),
};

pub use crate::plan::deployer::client_token;
use crate::plan::deployer::json_of;

/// What a deploy leaves behind.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub harness: HarnessRecord,
    pub endpoint: Option<EndpointRecord>,
}

/// The harness target on the shared deploy seam.
pub struct HarnessDeployer<'a, A> {
    pub api: &'a A,
    /// Told each step as it starts (the CLI shows it as a spinner or a line on stderr).
    pub progress: &'a dyn Fn(String),
    pub poll: PollSettings,
}

type Poll<T> = crate::plan::poll::Poll<T, DeployError>;

fn classify<T>(
    step: &str,
    resource: &str,
    value: T,
    status: &str,
    reason: Option<&str>,
) -> Poll<T> {
    match status {
        "READY" => Poll::Done(value),
        "CREATING" | "UPDATING" => Poll::Busy(status.to_string()),
        other => Poll::Failed(DeployError::Failed {
            step: step.to_string(),
            resource: resource.to_string(),
            status: other.to_string(),
            reason: reason
                .unwrap_or("the service gave no failureReason")
                .to_string(),
        }),
    }
}

impl<A: HarnessApi> HarnessDeployer<'_, A> {
    fn step(&self, message: String) {
        (self.progress)(message);
    }

    /// Poll `fetch` until `judge` says the resource settled (or failed), giving up after the
    /// poll timeout: the shared wait loop (`plan::poll`), with this target's error.
    async fn poll_until<T, Fut>(
        &self,
        step: &str,
        resource: &str,
        fetch: impl FnMut() -> Fut,
        judge: impl Fn(T) -> Poll<T>,
    ) -> Result<T, DeployError>
    where
        Fut: std::future::Future<Output = Result<T, DeployError>>,
    {
        crate::plan::poll::poll_until(&self.poll, fetch, judge, |status, seconds| {
            DeployError::Timeout {
                step: step.to_string(),
                resource: resource.to_string(),
                status,
                seconds,
            }
        })
        .await
    }

    async fn wait_harness(
        &self,
        step: &str,
        name: &str,
        id: &str,
    ) -> Result<HarnessRecord, DeployError> {
        let resource = format!("harness `{name}` ({id})");
        let fetch = || async {
            self.api
                .get_harness(id)
                .await
                .map_err(|e| DeployError::api(format!("{step}: GetHarness"), &resource, e))?
                .ok_or_else(|| DeployError::Vanished {
                    name: name.to_string(),
                })
        };
        let judge = |record: HarnessRecord| {
            let status = record.status.clone();
            let reason = record.failure_reason.clone();
            classify(step, &resource, record, &status, reason.as_deref())
        };
        self.poll_until(step, &resource, fetch, judge).await
    }

    async fn wait_endpoint(
        &self,
        harness_id: &str,
        name: &str,
    ) -> Result<EndpointRecord, DeployError> {
        let step = "wait for the endpoint";
        let resource = format!("endpoint `{name}` of {harness_id}");
        let fetch = || async {
            self.api
                .get_endpoint(harness_id, name)
                .await
                .map_err(|e| DeployError::api(format!("{step}: GetHarnessEndpoint"), &resource, e))?
                .ok_or_else(|| DeployError::Vanished {
                    name: name.to_string(),
                })
        };
        let judge = |record: EndpointRecord| {
            let status = record.status.clone();
            let reason = record.failure_reason.clone();
            classify(step, &resource, record, &status, reason.as_deref())
        };
        self.poll_until(step, &resource, fetch, judge).await
    }

    /// Apply a deploy plan computed from `desired` against `remote`.
    pub async fn deploy(
        &self,
        desired: &Deployment,
        remote: &RemoteState,
        plan: &Plan,
    ) -> Result<Outcome, DeployError> {
        let harness = self
            .apply_harness(desired, remote.harness.as_ref(), plan)
            .await?;
        let existing = remote.harness.as_ref().and_then(|h| h.endpoint.as_ref());
        let endpoint = self
            .apply_endpoint(desired, &harness, existing, plan)
            .await?;
        Ok(Outcome { harness, endpoint })
    }

    async fn apply_harness(
        &self,
        desired: &Deployment,
        existing: Option<&RemoteHarness>,
        plan: &Plan,
    ) -> Result<HarnessRecord, DeployError> {
        let name = &desired.name;
        let change = plan.change_for(ResourceKind::Harness, name);
        let replaced = match (existing, change) {
            (Some(existing), Some(c)) if c.action == Action::Replace => {
                self.delete_and_wait(name, &existing.record.id).await?;
                Some(existing.record.id.as_str())
            }
            _ => None,
        };
        let existing = existing.filter(|_| replaced.is_none());
        let Some(existing) = existing else {
            if change.is_none_or(|c| !matches!(c.action, Action::Create | Action::Replace)) {
                return Err(DeployError::Vanished { name: name.clone() });
            }
            self.step(format!("creating harness `{name}`"));
            let body = json_of(&desired.request);
            let own = client_token(&["harness", name, &body]);
            let token = match (replaced, &desired.client_token) {
                // A replacement gets its own token: the failed harness's would return it.
                (Some(old), _) => client_token(&["harness", name, old, &body]),
                (None, Some(token)) => token.clone(),
                (None, None) => own,
            };
            let record = self
                .api
                .create_harness(&desired.request, &desired.tags, &token)
                .await
                .map_err(|e| {
                    DeployError::api(
                        "create the harness (CreateHarness)",
                        format!("harness `{name}`"),
                        e,
                    )
                })?;
            self.step(format!(
                "waiting for harness `{name}` ({}) to be READY",
                record.id
            ));
            return self
                .wait_harness("create the harness", name, &record.id)
                .await;
        };
        let record = &existing.record;
        let resource = format!("harness `{name}` ({})", record.id);
        let mut current = record.clone();
        // An earlier deploy may have left it busy: the service refuses changes to it, and
        // endpoints on it, until it is READY.
        if matches!(record.status.as_str(), "CREATING" | "UPDATING") {
            self.step(format!(
                "waiting for {resource} to finish {}",
                record.status.to_lowercase()
            ));
            current = self
                .wait_harness("wait for the earlier change", name, &record.id)
                .await?;
        }
        let Some(change) = change else {
            return Ok(current);
        };
        let patch = update_patch(&desired.request, &change.fields);
        if !patch.is_empty() {
            self.step(format!("updating {resource}"));
            let token = client_token(&[
                "update-harness",
                &record.id,
                &current.version,
                &json_of(&patch),
            ]);
            self.api
                .update_harness(&record.id, &patch, &token)
                .await
                .map_err(|e| {
                    DeployError::api("update the harness (UpdateHarness)", &resource, e)
                })?;
            self.step(format!("waiting for {resource} to be READY"));
            current = self
                .wait_harness("update the harness", name, &record.id)
                .await?;
        }
        if change.fields.iter().any(|f| f.field == "tags") {
            self.sync_tags(existing, desired, &resource).await?;
        }
        Ok(current)
    }

    /// Delete a harness that failed to create, and wait until it is gone.
    async fn delete_and_wait(&self, name: &str, id: &str) -> Result<(), DeployError> {
        let resource = format!("harness `{name}` ({id})");
        self.step(format!("deleting {resource}, which failed to create"));
        let token = client_token(&["delete-harness", id]);
        match self.api.delete_harness(id, &token).await {
            Ok(()) => {}
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => {
                return Err(DeployError::api(
                    "delete the failed harness (DeleteHarness)",
                    resource,
                    e,
                ));
            }
        }
        let step = "wait for the failed harness to be deleted";
        let fetch = || async {
            self.api
                .get_harness(id)
                .await
                .map_err(|e| DeployError::api(format!("{step}: GetHarness"), &resource, e))
        };
        let judge = |record: Option<HarnessRecord>| match record {
            None => Poll::Done(None),
            Some(record) if record.status == "DELETING" => Poll::Busy(record.status),
            Some(record) => Poll::Failed(DeployError::Failed {
                step: step.to_string(),
                resource: resource.clone(),
                status: record.status,
                reason: record
                    .failure_reason
                    .unwrap_or_else(|| "the service gave no failureReason".into()),
            }),
        };
        self.poll_until(step, &resource, fetch, judge).await?;
        Ok(())
    }

    async fn sync_tags(
        &self,
        existing: &RemoteHarness,
        desired: &Deployment,
        resource: &str,
    ) -> Result<(), DeployError> {
        let arn = &existing.record.arn;
        let stale: Vec<String> = existing
            .tags
            .keys()
            .filter(|k| !k.starts_with("aws:") && !desired.tags.contains_key(*k))
            .cloned()
            .collect();
        if !stale.is_empty() {
            self.step(format!(
                "removing tags {} from {resource}",
                stale.join(", ")
            ));
            self.api
                .untag(arn, &stale)
                .await
                .map_err(|e| DeployError::api("untag the harness (UntagResource)", resource, e))?;
        }
        let changed: BTreeMap<String, String> = desired
            .tags
            .iter()
            .filter(|(k, v)| existing.tags.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if !changed.is_empty() {
            self.step(format!("tagging {resource}"));
            self.api
                .tag(arn, &changed)
                .await
                .map_err(|e| DeployError::api("tag the harness (TagResource)", resource, e))?;
        }
        Ok(())
    }

    /// Create the endpoint or point it at the harness's current version, then wait for it.
    async fn apply_endpoint(
        &self,
        desired: &Deployment,
        harness: &HarnessRecord,
        existing: Option<&EndpointRecord>,
        plan: &Plan,
    ) -> Result<Option<EndpointRecord>, DeployError> {
        let Some(spec) = &desired.endpoint else {
            return Ok(None);
        };
        let Some(change) = plan.change_for(ResourceKind::HarnessEndpoint, &spec.name) else {
            return Ok(None);
        };
        let resource = format!("endpoint `{}` of harness `{}`", spec.name, desired.name);
        let request = endpoint_request(spec, &harness.version);
        match change.action {
            Action::Create => {
                self.step(format!(
                    "creating {resource} at version {}",
                    harness.version
                ));
                let token = client_token(&["endpoint", &harness.id, &spec.name]);
                self.api
                    .create_endpoint(&harness.id, &request, &desired.tags, &token)
                    .await
                    .map_err(|e| {
                        DeployError::api(
                            "create the endpoint (CreateHarnessEndpoint)",
                            &resource,
                            e,
                        )
                    })?;
            }
            _ => {
                if existing.is_some_and(|e| matches!(e.status.as_str(), "CREATING" | "UPDATING")) {
                    self.step(format!("waiting for {resource} to settle"));
                    let settled = self.wait_endpoint(&harness.id, &spec.name).await?;
                    if settled.live_version.as_deref() == Some(harness.version.as_str())
                        && (spec.description.is_none() || settled.description == spec.description)
                    {
                        return Ok(Some(settled));
                    }
                }
                self.step(format!(
                    "pointing {resource} at version {}",
                    harness.version
                ));
                let token =
                    client_token(&["endpoint-update", &harness.id, &spec.name, &harness.version]);
                self.api
                    .update_endpoint(&harness.id, &request, &token)
                    .await
                    .map_err(|e| {
                        DeployError::api(
                            "update the endpoint (UpdateHarnessEndpoint)",
                            &resource,
                            e,
                        )
                    })?;
            }
        }
        self.step(format!("waiting for {resource}"));
        Ok(Some(self.wait_endpoint(&harness.id, &spec.name).await?))
    }

    /// Delete the endpoint, then the harness (and the managed memory it created).
    pub async fn destroy_all(&self, remote: &RemoteState, plan: &Plan) -> Result<(), DeployError> {
        let Some(harness) = &remote.harness else {
            return Ok(());
        };
        let id = &harness.record.id;
        for change in plan.changes.iter().filter(|c| c.action == Action::Delete) {
            match change.kind {
                ResourceKind::HarnessEndpoint => {
                    let resource = format!("endpoint `{}` of {id}", change.name);
                    self.step(format!("deleting {resource}"));
                    let token = client_token(&["delete-endpoint", id, &change.name]);
                    match self.api.delete_endpoint(id, &change.name, &token).await {
                        Ok(()) => {}
                        Err(e) if e.is_not_found() => {}
                        Err(e) => {
                            return Err(DeployError::api(
                                "delete the endpoint (DeleteHarnessEndpoint)",
                                resource,
                                e,
                            ));
                        }
                    }
                }
                ResourceKind::Harness => {
                    let resource = format!("harness `{}` ({id})", change.name);
                    self.step(format!("deleting {resource}"));
                    let token = client_token(&["delete-harness", id]);
                    match self.api.delete_harness(id, &token).await {
                        Ok(()) => {}
                        Err(e) if e.is_not_found() => {}
                        Err(e) => {
                            return Err(DeployError::api(
                                "delete the harness (DeleteHarness)",
                                resource,
                                e,
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

impl<A: HarnessApi> Deployer for HarnessDeployer<'_, A> {
    const TARGET: Target = plan::TARGET;
    type Desired = Deployment;
    type Remote = RemoteState;
    type Applied = Outcome;
    type Error = DeployError;

    async fn read(&self, desired: &Deployment) -> Result<RemoteState, DeployError> {
        remote::read_by_name(self.api, &desired.name, desired.endpoint_name()).await
    }

    fn plan_deploy(
        &self,
        desired: &Deployment,
        remote: &RemoteState,
        options: PlanOptions,
    ) -> Result<Plan, DeployError> {
        plan::plan_deploy(desired, remote, options)
    }

    fn plan_destroy(
        &self,
        desired: &Deployment,
        remote: &RemoteState,
    ) -> Result<Plan, DeployError> {
        plan::plan_destroy(desired, remote)
    }

    async fn apply(
        &self,
        desired: &Deployment,
        remote: &RemoteState,
        plan: &Plan,
    ) -> Result<Outcome, DeployError> {
        self.deploy(desired, remote, plan).await
    }

    async fn destroy(&self, remote: &RemoteState, plan: &Plan) -> Result<(), DeployError> {
        self.destroy_all(remote, plan).await
    }
}

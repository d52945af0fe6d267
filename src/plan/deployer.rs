//! The seam between the CLI's one plan/deploy/destroy flow and a target: desired state →
//! read the remote → plan → apply. A target implements [`Deployer`]; the flow functions here
//! (and the CLI above them) are written once against it.
//!
//! Building the desired state from a checked spec stays with each target (agents derives its
//! resources, direct compiles a Converse config), because what a target cannot carry is a
//! finding of that target's compile step, reported before any plan is made.

use super::{Fingerprint, Plan, PlanError, SavedPlan};
use crate::target::Target;
use serde::{Serialize, de::DeserializeOwned};
use std::path::Path;

/// Choices that change what a deploy plan may do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanOptions {
    /// Take over a remote resource agentc did not create (agents `--adopt`).
    pub adopt: bool,
}

/// One deploy target, as the plan/deploy/destroy flow sees it.
#[expect(
    async_fn_in_trait,
    reason = "agentc drives every target on a current-thread runtime, so no caller needs the futures to be Send"
)]
pub trait Deployer {
    const TARGET: Target;
    /// What a deploy reaches; stored in saved plans.
    type Desired: Serialize + DeserializeOwned;
    /// What is there now; its fingerprint makes a saved plan stale.
    type Remote: Fingerprint;
    /// What a deploy reports when it is done.
    type Applied;
    type Error: From<PlanError>;

    /// Read the remote state that the desired state would replace.
    async fn read(&self, desired: &Self::Desired) -> Result<Self::Remote, Self::Error>;

    fn plan_deploy(
        &self,
        desired: &Self::Desired,
        remote: &Self::Remote,
        options: PlanOptions,
    ) -> Result<Plan, Self::Error>;

    fn plan_destroy(
        &self,
        desired: &Self::Desired,
        remote: &Self::Remote,
    ) -> Result<Plan, Self::Error>;

    /// Carry out a deploy plan made against `remote`.
    async fn apply(
        &self,
        desired: &Self::Desired,
        remote: &Self::Remote,
        plan: &Plan,
    ) -> Result<Self::Applied, Self::Error>;

    /// Carry out a destroy plan made against `remote`.
    async fn destroy(&self, remote: &Self::Remote, plan: &Plan) -> Result<(), Self::Error>;
}

/// Read the remote and plan a deploy of `desired`.
pub async fn plan_deploy<D: Deployer>(
    deployer: &D,
    desired: &D::Desired,
    options: PlanOptions,
) -> Result<(D::Remote, Plan), D::Error> {
    let remote = deployer.read(desired).await?;
    let plan = deployer.plan_deploy(desired, &remote, options)?;
    Ok((remote, plan))
}

/// Read the remote for a saved plan and plan it again, refusing a plan of another target or
/// one the remote moved away from since it was saved. Planning again, rather than applying the
/// saved changes, keeps one apply path; with an unchanged remote it yields the same changes.
pub async fn plan_saved<D: Deployer>(
    deployer: &D,
    path: &Path,
    saved: &SavedPlan<D::Desired>,
    options: PlanOptions,
) -> Result<(D::Remote, Plan), D::Error> {
    saved.ensure_target(path, D::TARGET)?;
    let remote = deployer.read(&saved.desired).await?;
    saved.ensure_fresh(path, &remote)?;
    let options = PlanOptions {
        adopt: options.adopt || saved.adopt,
    };
    let plan = deployer.plan_deploy(&saved.desired, &remote, options)?;
    Ok((remote, plan))
}

/// Read the remote and plan the destruction of what `desired` deployed.
pub async fn plan_destroy<D: Deployer>(
    deployer: &D,
    desired: &D::Desired,
) -> Result<(D::Remote, Plan), D::Error> {
    let remote = deployer.read(desired).await?;
    let plan = deployer.plan_destroy(desired, &remote)?;
    Ok((remote, plan))
}

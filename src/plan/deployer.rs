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

/// A client token (64 hex characters, inside every service's 33–256) from what a mutating call
/// makes: the same call gets the same token, so a retried or re-run create is not made twice.
pub fn client_token(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The compact JSON a client token is derived from (types of agentc's own, which serialize).
pub fn json_of(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

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

/// Drive a future to completion on this thread, without an async runtime: for deployers whose
/// futures never wait on a socket or a timer (the direct artifact reads and writes a local
/// file), so `deploy`, `plan` and `destroy` of such a target work in the lean build.
///
/// A future that does wait is still driven correctly (the thread parks until it is woken),
/// but nothing here drives I/O or timers: a network deployer needs a real runtime.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};

    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }

    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut context = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        match future.as_mut().poll(&mut context) {
            Poll::Ready(output) => return output,
            Poll::Pending => std::thread::park(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::block_on;

    #[test]
    fn block_on_drives_a_future_woken_from_another_thread() {
        struct Later(std::sync::Arc<std::sync::atomic::AtomicBool>);
        impl std::future::Future for Later {
            type Output = u8;
            fn poll(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<u8> {
                if self.0.load(std::sync::atomic::Ordering::SeqCst) {
                    return std::task::Poll::Ready(7);
                }
                let (flag, waker) = (self.0.clone(), cx.waker().clone());
                std::thread::spawn(move || {
                    flag.store(true, std::sync::atomic::Ordering::SeqCst);
                    waker.wake();
                });
                std::task::Poll::Pending
            }
        }
        assert_eq!(block_on(async { 1 + 1 }), 2);
        let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        assert_eq!(block_on(Later(flag)), 7);
    }
}

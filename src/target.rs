//! The deployment targets, and one container with a slot per target.
//!
//! Every stage that treats targets alike (spec settings, lint scoping, cost, plans, the CLI)
//! names a target with [`Target`] and keeps per-target values in [`PerTarget`], so adding a
//! target is one variant here, one slot in `PerTarget`, and a new module: the compiler then
//! lists every `match` that has to learn about it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a spec is deployed and run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// Bedrock Agents (Agents Classic): the service runs the orchestration loop.
    Agents,
    /// The Amazon Bedrock AgentCore managed harness: a service-run loop declared as
    /// configuration, one microVM per session.
    Harness,
    /// The Converse API, with agentc's own tool-dispatch loop.
    Direct,
}

impl Target {
    /// Every target, in the order outputs list them.
    pub const ALL: [Target; 3] = [Target::Agents, Target::Harness, Target::Direct];

    /// The id used in specs, flags and JSON (`agents`, `harness`, `direct`).
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Agents => "agents",
            Target::Harness => "harness",
            Target::Direct => "direct",
        }
    }

    /// The AWS service a target runs on, for prose.
    pub fn service(self) -> &'static str {
        match self {
            Target::Agents => "Bedrock Agents",
            Target::Harness => "AgentCore harness",
            Target::Direct => "Converse API",
        }
    }

    /// How a sentence names the target: by its product where it is one ("Bedrock Agents"),
    /// else as "the … target".
    pub fn prose_name(self) -> &'static str {
        match self {
            Target::Agents => "Bedrock Agents",
            Target::Harness => "the AgentCore harness",
            Target::Direct => "the direct target",
        }
    }

    /// Parse a target id; `None` for anything else.
    pub fn from_id(id: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.as_str() == id)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A setting of the spec that a target cannot carry, so its output leaves it out. Each
/// target lists its own (`direct::compile::not_carried`); the `dropped-by-target` lint rule
/// reports them, located at their key, so that nothing is dropped silently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotCarried {
    /// JSON pointer of the setting in the spec.
    pub pointer: String,
    /// One sentence: what is left out, and what that changes.
    pub message: String,
    /// What to do instead on this target.
    pub help: String,
}

/// One value per target. Fields are public so that serde forms (spec settings, JSON output)
/// keep the target ids as keys; code that treats targets alike goes through [`PerTarget::get`]
/// and [`PerTarget::iter`] instead of naming fields.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PerTarget<T> {
    pub agents: T,
    pub harness: T,
    pub direct: T,
}

impl<T> PerTarget<T> {
    /// Build every slot from its target.
    pub fn from_fn(mut f: impl FnMut(Target) -> T) -> Self {
        PerTarget {
            agents: f(Target::Agents),
            harness: f(Target::Harness),
            direct: f(Target::Direct),
        }
    }

    pub fn get(&self, target: Target) -> &T {
        match target {
            Target::Agents => &self.agents,
            Target::Harness => &self.harness,
            Target::Direct => &self.direct,
        }
    }

    pub fn get_mut(&mut self, target: Target) -> &mut T {
        match target {
            Target::Agents => &mut self.agents,
            Target::Harness => &mut self.harness,
            Target::Direct => &mut self.direct,
        }
    }

    pub fn map<U>(self, mut f: impl FnMut(Target, T) -> U) -> PerTarget<U> {
        PerTarget {
            agents: f(Target::Agents, self.agents),
            harness: f(Target::Harness, self.harness),
            direct: f(Target::Direct, self.direct),
        }
    }

    pub fn as_ref(&self) -> PerTarget<&T> {
        PerTarget {
            agents: &self.agents,
            harness: &self.harness,
            direct: &self.direct,
        }
    }

    /// `(target, value)` in [`Target::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Target, &T)> {
        Target::ALL.into_iter().map(move |t| (t, self.get(t)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for target in Target::ALL {
            assert_eq!(Target::from_id(target.as_str()), Some(target));
            assert_eq!(target.to_string(), target.as_str());
        }
        assert_eq!(Target::from_id("harness"), Some(Target::Harness));
        assert_eq!(Target::from_id("classic"), None);
    }

    #[test]
    fn per_target_slots_follow_their_target() {
        let values = PerTarget::from_fn(|t| t.as_str().len());
        assert_eq!(*values.get(Target::Agents), 6);
        assert_eq!(*values.get(Target::Harness), 7);
        assert_eq!(*values.get(Target::Direct), 6);
        let doubled = values.map(|_, n| n * 2);
        let collected: Vec<_> = doubled.iter().map(|(t, n)| (t, *n)).collect();
        assert_eq!(
            collected,
            vec![
                (Target::Agents, 12),
                (Target::Harness, 14),
                (Target::Direct, 12)
            ]
        );
    }
}

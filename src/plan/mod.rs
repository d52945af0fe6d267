//! The deploy plan every target shares, Terraform style: the resources a deploy or destroy
//! would touch, each with `+` create, `~` update, `-` delete or `-/+` replace and its field
//! diffs, a summary, and the fingerprint of the remote state it was planned against.
//!
//! A target builds a [`Plan`] from its desired and remote state (with [`diff::diff_fields`] and
//! [`diff::diff_keyed`]), [`render::human`] shows it, serde gives its JSON form, and
//! [`SavedPlan`] carries it from `plan --out` to `deploy --plan`. The flow over them is the
//! [`Deployer`] seam in [`deployer`].

pub mod deployer;
pub mod diff;
#[cfg(feature = "net")]
pub mod poll;
pub mod render;

pub use deployer::{Deployer, PlanOptions};
pub use diff::{diff_fields, diff_keyed};

use crate::target::Target;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Bumped when a saved plan written by an older agentc can no longer be applied.
pub const PLAN_FORMAT_VERSION: u32 = 1;

/// A saved plan (`plan -out`) as an input: a regular file, capped, UTF-8.
pub const SAVED_PLAN_INPUT: crate::fsio::InputKind = crate::fsio::InputKind {
    name: "a saved plan",
    max_bytes: 64 * 1024 * 1024,
    stdin: false,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    Replace,
    Delete,
}

impl Action {
    pub fn symbol(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Update => "~",
            Action::Replace => "-/+",
            Action::Delete => "-",
        }
    }
}

/// What a planned change is to. One enum for every target, so the JSON form names kinds the
/// same way everywhere and a renderer or applier can match on them exhaustively.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    Agent,
    ActionGroup,
    KnowledgeBase,
    Alias,
    /// The direct target's compiled Converse config on disk.
    Artifact,
    /// An AgentCore managed harness.
    Harness,
    /// A harness endpoint: a name that serves one harness version (the alias analogue).
    HarnessEndpoint,
}

impl ResourceKind {
    pub fn label(self) -> &'static str {
        match self {
            ResourceKind::Agent => "agent",
            ResourceKind::ActionGroup => "action_group",
            ResourceKind::KnowledgeBase => "knowledge_base",
            ResourceKind::Alias => "alias",
            ResourceKind::Artifact => "artifact",
            ResourceKind::Harness => "harness",
            ResourceKind::HarnessEndpoint => "harness_endpoint",
        }
    }
}

/// One field of a resource: absent `old` is an addition, absent `new` a removal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
}

impl FieldChange {
    pub fn added(field: &str, new: Value) -> Self {
        FieldChange {
            field: field.to_string(),
            old: None,
            new: Some(new),
        }
    }

    pub fn changed(field: &str, old: Value, new: Value) -> Self {
        FieldChange {
            field: field.to_string(),
            old: Some(old),
            new: Some(new),
        }
    }
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

impl ResourceChange {
    /// A resource that does not exist yet, with every field it will be created with.
    pub fn create(kind: ResourceKind, name: &str, fields: Vec<FieldChange>) -> Self {
        ResourceChange {
            kind,
            name: name.to_string(),
            id: None,
            action: Action::Create,
            fields,
        }
    }

    /// A resource that goes away; deletions list no fields.
    pub fn delete(kind: ResourceKind, name: &str, id: Option<&str>) -> Self {
        ResourceChange {
            kind,
            name: name.to_string(),
            id: id.map(str::to_string),
            action: Action::Delete,
            fields: Vec::new(),
        }
    }
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

impl Summary {
    pub fn of(changes: &[ResourceChange]) -> Summary {
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
            }
        }
        summary
    }
}

fn agents_target() -> Target {
    Target::Agents
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format_version: u32,
    /// Plans saved before there was more than one planned target were all agents plans.
    #[serde(default = "agents_target")]
    pub target: Target,
    pub operation: Operation,
    /// The root resource: the agent the spec names, on every target. Serialised as `agent`,
    /// the field name of the JSON contract since the first plan.
    #[serde(rename = "agent")]
    pub root: String,
    /// Where the root lives once deployed (the agent id; the artifact path), `None` before.
    #[serde(rename = "agent_id", skip_serializing_if = "Option::is_none")]
    pub root_id: Option<String>,
    /// Only resources that change, in the order deploy applies them.
    pub changes: Vec<ResourceChange>,
    pub summary: Summary,
    /// Of the remote state this plan was computed against.
    pub fingerprint: String,
}

impl Plan {
    /// A plan of these changes; the summary is counted from them.
    pub fn new(
        target: Target,
        operation: Operation,
        root: &str,
        root_id: Option<String>,
        changes: Vec<ResourceChange>,
        fingerprint: String,
    ) -> Plan {
        Plan {
            format_version: PLAN_FORMAT_VERSION,
            target,
            operation,
            root: root.to_string(),
            root_id,
            summary: Summary::of(&changes),
            changes,
            fingerprint,
        }
    }

    pub fn has_changes(&self) -> bool {
        !self.changes.is_empty()
    }

    pub fn change_for(&self, kind: ResourceKind, name: &str) -> Option<&ResourceChange> {
        self.changes
            .iter()
            .find(|c| c.kind == kind && c.name == name)
    }

    /// The JSON form printed by `plan --format json`.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// A remote state a plan can be checked against.
pub trait Fingerprint {
    /// A digest of everything planning looked at: a saved plan applies only while it matches.
    fn fingerprint(&self) -> String;
}

/// The digest [`Fingerprint`] implementations share: SHA-256 of the JSON form, 128 bits.
pub fn fingerprint_of(value: &impl Serialize) -> String {
    let json = serde_json::to_string(value).unwrap_or_default();
    fingerprint_bytes(json.as_bytes())
}

pub fn fingerprint_bytes(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum PlanError {
    #[error(
        "the saved plan `{path}` is stale: {what} changed since it was planned ({planned} → {current})"
    )]
    #[diagnostic(
        code(agentc::plan::stale),
        help("run `agentc plan … --out {}` again, review it, then deploy it", path.display())
    )]
    Stale {
        path: PathBuf,
        what: &'static str,
        planned: String,
        current: String,
    },
    #[error("cannot read the saved plan `{path}`: {message}")]
    #[diagnostic(
        code(agentc::plan::file),
        help("give a file written by `agentc plan --out`")
    )]
    File { path: PathBuf, message: String },
    #[error("the saved plan `{path}` is for the {planned} target, not {requested}")]
    #[diagnostic(
        code(agentc::plan::target),
        help("deploy it with `--target {planned}`, or plan again for --target {requested}")
    )]
    WrongTarget {
        path: PathBuf,
        planned: Target,
        requested: Target,
    },
    #[error("cannot write the saved plan `{path}`: {source}")]
    #[diagnostic(
        code(agentc::plan::write),
        help("check that the directory is writable")
    )]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A plan written by `plan --out`, applied by `deploy --plan`: what to reach (`desired`, the
/// target's own desired state) and what it was planned against (the plan's fingerprint).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedPlan<D> {
    pub plan: Plan,
    pub desired: D,
    /// `--adopt` was given when planning.
    #[serde(default)]
    pub adopt: bool,
}

impl<D: Serialize + DeserializeOwned> SavedPlan<D> {
    /// Read a saved plan for `target`, refusing a format this agentc does not apply and a plan
    /// of another target (before reading its desired state, whose shape is that target's).
    pub fn read(path: &Path, target: Target) -> Result<Self, PlanError> {
        #[derive(Deserialize)]
        struct Head {
            plan: Plan,
        }
        let file_error = |message: String| PlanError::File {
            path: path.to_path_buf(),
            message,
        };
        let text = crate::fsio::read_text_io(path, SAVED_PLAN_INPUT)
            .map_err(|e| file_error(e.to_string()))?;
        let head: Head = serde_json::from_str(&text).map_err(|e| file_error(e.to_string()))?;
        if head.plan.format_version != PLAN_FORMAT_VERSION {
            return Err(file_error(format!(
                "plan format version {} is not supported",
                head.plan.format_version
            )));
        }
        if head.plan.target != target {
            return Err(PlanError::WrongTarget {
                path: path.to_path_buf(),
                planned: head.plan.target,
                requested: target,
            });
        }
        serde_json::from_str(&text).map_err(|e| file_error(e.to_string()))
    }

    /// The saved plan's bytes, as `plan -out` writes them (through `fsio::write_file`).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Whether an existing file's first bytes are a saved plan (replaced without `--force`).
    pub fn is_saved_plan(head: &[u8]) -> bool {
        crate::fsio::json_naming(head, &["format_version"])
    }

    /// Write the plan through [`crate::fsio::write_file`] (replacing any regular file; the
    /// CLI adds the spec's protection and `--force`).
    pub fn write(&self, path: &Path) -> Result<(), PlanError> {
        let options = crate::fsio::WriteOptions::new("a saved plan");
        crate::fsio::write_file(path, self.to_json().as_bytes(), &options).map_err(|e| {
            PlanError::Write {
                path: path.to_path_buf(),
                source: std::io::Error::other(e.to_string()),
            }
        })
    }

    /// Refuse a plan made for another target.
    pub fn ensure_target(&self, path: &Path, target: Target) -> Result<(), PlanError> {
        if self.plan.target == target {
            return Ok(());
        }
        Err(PlanError::WrongTarget {
            path: path.to_path_buf(),
            planned: self.plan.target,
            requested: target,
        })
    }

    /// Refuse a plan whose remote state changed since it was made (Terraform's "saved plan is
    /// stale"): what was reviewed is no longer what would be applied.
    pub fn ensure_fresh(&self, path: &Path, remote: &impl Fingerprint) -> Result<(), PlanError> {
        let current = remote.fingerprint();
        if current == self.plan.fingerprint {
            return Ok(());
        }
        Err(PlanError::Stale {
            path: path.to_path_buf(),
            what: render::wording(self.plan.target).remote,
            planned: self.plan.fingerprint.clone(),
            current,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Remote(&'static str);
    impl Fingerprint for Remote {
        fn fingerprint(&self) -> String {
            fingerprint_of(&self.0)
        }
    }

    fn saved(target: Target, fingerprint: String) -> SavedPlan<Value> {
        SavedPlan {
            plan: Plan::new(
                target,
                Operation::Deploy,
                "a",
                None,
                Vec::new(),
                fingerprint,
            ),
            desired: json!({"x": 1}),
            adopt: false,
        }
    }

    #[test]
    fn replace_counts_as_add_and_destroy() {
        let mut change = ResourceChange::create(ResourceKind::ActionGroup, "x", vec![]);
        change.action = Action::Replace;
        assert_eq!(
            Summary::of(&[change]),
            Summary {
                add: 1,
                change: 0,
                destroy: 1
            }
        );
    }

    #[test]
    fn a_saved_plan_round_trips_and_goes_stale_when_the_remote_changes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("plan.json");
        saved(Target::Direct, Remote("before").fingerprint())
            .write(&path)
            .expect("write");
        let read = SavedPlan::<Value>::read(&path, Target::Direct).expect("read");
        assert_eq!(read.desired, json!({"x": 1}));
        assert!(read.ensure_fresh(&path, &Remote("before")).is_ok());
        assert!(matches!(
            read.ensure_fresh(&path, &Remote("after")),
            Err(PlanError::Stale { .. })
        ));
        assert!(read.ensure_target(&path, Target::Direct).is_ok());
        assert!(matches!(
            read.ensure_target(&path, Target::Agents),
            Err(PlanError::WrongTarget { .. })
        ));
        assert!(matches!(
            SavedPlan::<Value>::read(&path, Target::Agents),
            Err(PlanError::WrongTarget { .. })
        ));
    }

    #[test]
    fn an_unknown_format_version_or_garbage_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("plan.json");
        let mut plan = saved(Target::Agents, String::new());
        plan.plan.format_version = PLAN_FORMAT_VERSION + 1;
        plan.write(&path).expect("write");
        let Err(PlanError::File { message, .. }) = SavedPlan::<Value>::read(&path, Target::Agents)
        else {
            panic!("a future format version must be refused");
        };
        assert!(message.contains("not supported"), "{message}");
        std::fs::write(&path, "not json").expect("write");
        assert!(matches!(
            SavedPlan::<Value>::read(&path, Target::Agents),
            Err(PlanError::File { .. })
        ));
    }

    #[test]
    fn plans_saved_before_targets_read_as_agents_plans() {
        let old = json!({"format_version": 1, "operation": "deploy", "agent": "a",
            "changes": [], "summary": {"add": 0, "change": 0, "destroy": 0}, "fingerprint": "f"});
        let plan: Plan = serde_json::from_value(old).expect("an old plan");
        assert_eq!(plan.target, Target::Agents);
        assert_eq!(plan.root, "a");
    }
}

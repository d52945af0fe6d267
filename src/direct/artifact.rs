//! `agentc deploy --target direct`: the compiled Converse config written as an artifact, on the
//! shared plan. The artifact (`dist/<name>.converse.json`, or `--out`) is the one resource:
//! `plan` shows its field diffs against the file on disk, `deploy` writes it (nothing when
//! nothing changed; `--check` turns a stale artifact into a failing exit status for CI), and
//! `destroy` removes it, but only a file that is an agentc artifact.
//!
//! The artifact carries no marker of its own, because it is sent to Converse as it is
//! (`converse(**config)`). So "an agentc artifact" means: at the path this spec deploys to, a
//! JSON object in exactly the layout agentc writes that reads back as a Converse config with
//! nothing else in it. Anything else there (another tool's file, a hand-edited one) is refused.

use super::ConverseConfig;
use crate::plan::diff::{creation_fields, diff_fields};
use crate::plan::{
    Deployer, FieldChange, Fingerprint, Operation, Plan, PlanError, PlanOptions, ResourceChange,
    ResourceKind, fingerprint_bytes,
};
use crate::target::Target;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ArtifactError {
    #[error("cannot read the artifact `{path}`: {source}")]
    #[diagnostic(code(agentc::deploy::read))]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the artifact `{path}`: {source}")]
    #[diagnostic(
        code(agentc::deploy::write),
        help("check that the directory is writable")
    )]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    #[diagnostic(transparent)]
    File(Box<crate::fsio::WriteError>),
    #[error("cannot remove the artifact `{path}`: {source}")]
    #[diagnostic(code(agentc::destroy::remove))]
    Remove {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("refusing to remove `{path}`: {reason}")]
    #[diagnostic(
        code(agentc::destroy::not_an_artifact),
        help(
            "agentc removes only a Converse config it wrote; delete the file yourself if you mean to, or give the artifact's path with --out"
        )
    )]
    NotAnArtifact { path: PathBuf, reason: String },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Plan(#[from] PlanError),
}

/// The default artifact path for an agent: `dist/<name>.converse.json`.
pub fn default_path(agent_name: &str) -> PathBuf {
    Path::new("dist").join(format!("{agent_name}.converse.json"))
}

/// The artifact's exact bytes: pretty JSON with a trailing newline, so that it diffs well in
/// version control and a rewrite of an unchanged config is byte-identical.
pub fn render(config: &Value) -> String {
    let mut text = serde_json::to_string_pretty(config).unwrap_or_default();
    text.push('\n');
    text
}

/// What `deploy --target direct` reaches: this config at this path. Stored in saved plans.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Artifact {
    /// The agent the spec names: the plan's root.
    pub agent: String,
    pub path: PathBuf,
    pub config: Value,
}

impl Artifact {
    pub fn new(agent: &str, path: PathBuf, config: &ConverseConfig) -> Artifact {
        Artifact {
            agent: agent.to_string(),
            path,
            config: serde_json::to_value(config).unwrap_or_default(),
        }
    }

    fn name(&self) -> String {
        self.path.display().to_string()
    }
}

/// What is at the artifact's path now.
#[derive(Debug, Clone, PartialEq)]
pub enum OnDisk {
    Absent,
    /// A file that parses as JSON.
    Json {
        text: String,
        value: Value,
    },
    /// A file that does not.
    Other {
        text: String,
    },
}

impl Fingerprint for OnDisk {
    fn fingerprint(&self) -> String {
        match self {
            OnDisk::Absent => "absent".to_string(),
            OnDisk::Json { text, .. } | OnDisk::Other { text } => {
                fingerprint_bytes(text.as_bytes())
            }
        }
    }
}

impl OnDisk {
    /// Why this file is not an artifact agentc wrote, or `None` when it is one.
    fn not_an_artifact(&self) -> Option<&'static str> {
        let OnDisk::Json { text, value } = self else {
            return Some("it is not JSON");
        };
        let Ok(config) = serde_json::from_value::<ConverseConfig>(value.clone()) else {
            return Some("it is not a Converse config (no `modelId` and `system`)");
        };
        if serde_json::to_value(&config).ok().as_ref() != Some(value) {
            return Some("it holds fields a compiled Converse config never has");
        }
        if *text != render(value) {
            return Some("it is not in the layout agentc writes, so it was edited since");
        }
        None
    }
}

/// Read what is at `path`; a missing file is [`OnDisk::Absent`].
pub fn read(path: &Path) -> Result<OnDisk, ArtifactError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(OnDisk::Absent),
        Err(source) => {
            return Err(ArtifactError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    Ok(match serde_json::from_str::<Value>(&text) {
        Ok(value) => OnDisk::Json { text, value },
        Err(_) => OnDisk::Other { text },
    })
}

/// The deploy plan: create the artifact, update it field by field, replace a file that is not
/// JSON, or nothing when the bytes on disk are what deploy would write.
pub fn plan_deploy(desired: &Artifact, on_disk: &OnDisk) -> Plan {
    let name = desired.name();
    let (root_id, change) = match on_disk {
        OnDisk::Absent => (
            None,
            Some(ResourceChange::create(
                ResourceKind::Artifact,
                &name,
                creation_fields(&desired.config),
            )),
        ),
        OnDisk::Json { text, .. } if *text == render(&desired.config) => (Some(name), None),
        OnDisk::Json { value, .. } => {
            let mut fields = diff_fields(value, &desired.config);
            if fields.is_empty() {
                // Same JSON, different bytes: rewriting normalises the layout.
                fields.push(FieldChange::changed(
                    "layout",
                    json!("edited"),
                    json!("agentc's"),
                ));
            }
            let change = ResourceChange {
                kind: ResourceKind::Artifact,
                name: name.clone(),
                id: None,
                action: crate::plan::Action::Update,
                fields,
            };
            (Some(name), Some(change))
        }
        OnDisk::Other { .. } => {
            let mut change = ResourceChange::create(
                ResourceKind::Artifact,
                &name,
                creation_fields(&desired.config),
            );
            change.action = crate::plan::Action::Replace;
            (Some(name), Some(change))
        }
    };
    Plan::new(
        Target::Direct,
        Operation::Deploy,
        &desired.agent,
        root_id,
        change.into_iter().collect(),
        on_disk.fingerprint(),
    )
}

/// The destroy plan: remove the artifact if agentc wrote it; nothing when there is no file.
pub fn plan_destroy(desired: &Artifact, on_disk: &OnDisk) -> Result<Plan, ArtifactError> {
    let name = desired.name();
    let changes = match on_disk {
        OnDisk::Absent => Vec::new(),
        present => {
            if let Some(reason) = present.not_an_artifact() {
                return Err(ArtifactError::NotAnArtifact {
                    path: desired.path.clone(),
                    reason: reason.to_string(),
                });
            }
            vec![ResourceChange::delete(ResourceKind::Artifact, &name, None)]
        }
    };
    let root_id = (!changes.is_empty()).then_some(name);
    Ok(Plan::new(
        Target::Direct,
        Operation::Destroy,
        &desired.agent,
        root_id,
        changes,
        on_disk.fingerprint(),
    ))
}

/// Write the artifact, creating its directory.
pub fn write(path: &Path, config: &Value) -> Result<(), ArtifactError> {
    let write_error = |source| ArtifactError::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(write_error)?;
    }
    // Refuses a device, FIFO or symlink at the path; writes a new file and renames it over the
    // artifact, so a reader never sees half a file.
    let options = crate::fsio::WriteOptions::new("an agentc artifact");
    crate::fsio::write_file(path, render(config).as_bytes(), &options)
        .map_err(|source| ArtifactError::File(Box::new(source)))
}

/// The direct target on the deploy seam: the remote is the file on disk.
#[derive(Debug, Clone, Copy, Default)]
pub struct ArtifactDeployer;

impl Deployer for ArtifactDeployer {
    const TARGET: Target = Target::Direct;
    type Desired = Artifact;
    type Remote = OnDisk;
    /// Where the artifact was written.
    type Applied = PathBuf;
    type Error = ArtifactError;

    async fn read(&self, desired: &Artifact) -> Result<OnDisk, ArtifactError> {
        read(&desired.path)
    }

    fn plan_deploy(
        &self,
        desired: &Artifact,
        remote: &OnDisk,
        _options: PlanOptions,
    ) -> Result<Plan, ArtifactError> {
        Ok(plan_deploy(desired, remote))
    }

    fn plan_destroy(&self, desired: &Artifact, remote: &OnDisk) -> Result<Plan, ArtifactError> {
        plan_destroy(desired, remote)
    }

    async fn apply(
        &self,
        desired: &Artifact,
        _remote: &OnDisk,
        plan: &Plan,
    ) -> Result<PathBuf, ArtifactError> {
        if plan.has_changes() {
            write(&desired.path, &desired.config)?;
        }
        Ok(desired.path.clone())
    }

    async fn destroy(&self, _remote: &OnDisk, plan: &Plan) -> Result<(), ArtifactError> {
        for change in &plan.changes {
            let path = PathBuf::from(&change.name);
            std::fs::remove_file(&path).map_err(|source| ArtifactError::Remove { path, source })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Action;
    use crate::plan::SavedPlan;
    use crate::plan::deployer as flow;
    use crate::plan::deployer::block_on;

    fn artifact(dir: &Path, model: &str) -> Artifact {
        Artifact {
            agent: "a".into(),
            path: dir.join("dist/a.converse.json"),
            config: json!({"modelId": model, "system": [{"text": "Be brief."}]}),
        }
    }

    #[test]
    fn plan_create_apply_then_up_to_date_then_update() {
        let dir = tempfile::tempdir().expect("tempdir");
        let desired = artifact(dir.path(), "m");
        let (remote, plan) = block_on(flow::plan_deploy(
            &ArtifactDeployer,
            &desired,
            PlanOptions::default(),
        ))
        .expect("plan");
        assert_eq!(plan.changes.len(), 1);
        assert_eq!(plan.changes[0].action, Action::Create);
        assert_eq!(plan.root_id, None);
        block_on(ArtifactDeployer.apply(&desired, &remote, &plan)).expect("apply");
        assert_eq!(
            std::fs::read_to_string(&desired.path).expect("written"),
            render(&desired.config)
        );

        let again = plan_deploy(&desired, &read(&desired.path).expect("read"));
        assert!(!again.has_changes());
        assert_eq!(again.root_id, Some(desired.name()));

        let newer = artifact(dir.path(), "n");
        let update = plan_deploy(&newer, &read(&newer.path).expect("read"));
        assert_eq!(update.changes[0].action, Action::Update);
        assert_eq!(
            update.changes[0].fields,
            [FieldChange::changed("modelId", json!("m"), json!("n"))]
        );
        assert_eq!(update.summary.change, 1);
    }

    #[test]
    fn a_reformatted_or_unreadable_file_is_still_a_change() {
        let dir = tempfile::tempdir().expect("tempdir");
        let desired = artifact(dir.path(), "m");
        std::fs::create_dir_all(dir.path().join("dist")).expect("dir");
        std::fs::write(&desired.path, desired.config.to_string()).expect("write");
        let plan = plan_deploy(&desired, &read(&desired.path).expect("read"));
        assert_eq!(plan.changes[0].fields[0].field, "layout");
        std::fs::write(&desired.path, "not json").expect("write");
        let plan = plan_deploy(&desired, &read(&desired.path).expect("read"));
        assert_eq!(plan.changes[0].action, Action::Replace);
    }

    #[test]
    fn destroy_removes_only_an_artifact_agentc_wrote() {
        let dir = tempfile::tempdir().expect("tempdir");
        let desired = artifact(dir.path(), "m");
        let nothing = plan_destroy(&desired, &OnDisk::Absent).expect("plan");
        assert!(!nothing.has_changes());

        write(&desired.path, &desired.config).expect("write");
        let (remote, plan) =
            block_on(flow::plan_destroy(&ArtifactDeployer, &desired)).expect("plan");
        assert_eq!(plan.changes[0].action, Action::Delete);
        assert_eq!(plan.summary.destroy, 1);
        block_on(ArtifactDeployer.destroy(&remote, &plan)).expect("destroy");
        assert!(!desired.path.exists());

        for (text, reason) in [
            ("not json", "not JSON"),
            ("{\"name\": \"x\"}", "not a Converse config"),
            (
                "{\n  \"modelId\": \"m\",\n  \"system\": [],\n  \"messages\": []\n}\n",
                "never has",
            ),
            ("{\"modelId\":\"m\",\"system\":[]}", "layout"),
        ] {
            std::fs::write(&desired.path, text).expect("write");
            let on_disk = read(&desired.path).expect("read");
            let Err(ArtifactError::NotAnArtifact { reason: why, .. }) =
                plan_destroy(&desired, &on_disk)
            else {
                panic!("{text} must be refused");
            };
            assert!(why.contains(reason), "{text}: {why}");
        }
    }

    #[test]
    fn a_saved_direct_plan_goes_stale_when_the_file_changes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let desired = artifact(dir.path(), "m");
        let plan_path = dir.path().join("plan.json");
        let (_, plan) = block_on(flow::plan_deploy(
            &ArtifactDeployer,
            &desired,
            PlanOptions::default(),
        ))
        .expect("plan");
        SavedPlan {
            plan,
            desired: desired.clone(),
            adopt: false,
        }
        .write(&plan_path)
        .expect("save");
        let saved = SavedPlan::<Artifact>::read(&plan_path, Target::Direct).expect("read");
        assert!(
            block_on(flow::plan_saved(
                &ArtifactDeployer,
                &plan_path,
                &saved,
                PlanOptions::default()
            ))
            .is_ok()
        );
        write(&desired.path, &json!({"modelId": "other", "system": []})).expect("write");
        assert!(matches!(
            block_on(flow::plan_saved(
                &ArtifactDeployer,
                &plan_path,
                &saved,
                PlanOptions::default()
            )),
            Err(ArtifactError::Plan(PlanError::Stale { .. }))
        ));
    }
}

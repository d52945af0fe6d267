//! The live state of the agent a spec names, and (with the `agents` feature) how it is read:
//! find it by name (ListAgents has no name filter, so one paginated walk), then one Get per
//! resource. Nothing here mutates. The state itself is plain data, so plans against it are
//! made and rendered in every build.

use super::api::{ActionGroupRecord, AgentRecord, AliasRecord};
use super::desired::KnowledgeBaseConfig;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteState {
    pub agent: Option<RemoteAgent>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteAgent {
    pub record: AgentRecord,
    pub tags: BTreeMap<String, String>,
    pub action_groups: Vec<ActionGroupRecord>,
    pub knowledge_bases: Vec<KnowledgeBaseConfig>,
    pub aliases: Vec<AliasRecord>,
}

impl crate::plan::Fingerprint for RemoteState {
    fn fingerprint(&self) -> String {
        crate::plan::fingerprint_of(self)
    }
}

// Reading needs an async runtime (the reads run concurrently): network code.
#[cfg(feature = "agents")]
mod read;
#[cfg(feature = "agents")]
pub use read::{collect_pages, find_agent_id, read_by_id, read_by_name};

//! The live state of the harness a spec names, as planning sees it. Reading it (`read`)
//! needs the `harness` feature; the state itself is plain data.

use super::api::{EndpointRecord, HarnessRecord};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteState {
    pub harness: Option<RemoteHarness>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteHarness {
    pub record: HarnessRecord,
    pub tags: BTreeMap<String, String>,
    /// The endpoint the spec names, when it exists.
    pub endpoint: Option<EndpointRecord>,
}

impl crate::plan::Fingerprint for RemoteState {
    fn fingerprint(&self) -> String {
        crate::plan::fingerprint_of(self)
    }
}

#[cfg(feature = "harness")]
mod read;
#[cfg(feature = "harness")]
pub use read::{collect_pages, find_harness_id, read_by_name};

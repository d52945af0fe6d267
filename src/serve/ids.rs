//! Which id each served agent answers to. Applications keep calling the id their agent had on
//! Bedrock Agents, so an id can be mapped explicitly (`--agent ID=SPEC`), read from what
//! `agentc import` recorded in the spec, or derived from the agent's name (stable across
//! restarts and replicas: the same name always gives the same id).

use sha2::{Digest, Sha256};

/// How a served agent's id was chosen (printed at start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdSource {
    /// `--agent ID=SPEC`.
    Mapped,
    /// The id `agentc import` wrote in the spec's first line.
    Imported,
    /// Derived from the agent's name.
    Derived,
}

impl IdSource {
    pub fn as_str(self) -> &'static str {
        match self {
            IdSource::Mapped => "--agent",
            IdSource::Imported => "recorded by agentc import",
            IdSource::Derived => "derived from the name",
        }
    }
}

/// The service model's `AgentId`/`AgentAliasId`: `^[0-9a-zA-Z]+$`, at most 10 characters.
pub fn is_model_id(id: &str) -> bool {
    (1..=10).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// An id agentc can serve: exactly 10 alphanumerics, as Bedrock Agents assigns them.
pub fn is_agent_id(id: &str) -> bool {
    id.len() == 10 && is_model_id(id)
}

/// A stable id from the agent's name: the first 10 characters of the base32 (RFC 4648
/// alphabet, upper case) of its SHA-256. Upper case letters and digits 2-7 only, so it is a
/// valid agent id and reads like one.
pub fn derived_id(name: &str) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let digest = Sha256::digest(name.as_bytes());
    // 10 characters × 5 bits = 50 bits: the first 7 bytes are enough.
    let mut bits: u64 = 0;
    for byte in &digest[..7] {
        bits = (bits << 8) | u64::from(*byte);
    }
    // 56 bits read; keep the top 50.
    bits >>= 6;
    (0..10)
        .rev()
        .map(|i| char::from(ALPHABET[((bits >> (i * 5)) & 31) as usize]))
        .collect()
}

/// The agent id `agentc import` recorded: its spec starts with
/// `# Imported by agentc from Bedrock agent NAME (ID).` Nothing else records an id locally
/// (`deploy --target agents` finds its agent by name), so this is the only place to look.
pub fn imported_id(source: &str) -> Option<String> {
    let first = source.lines().next()?;
    let rest = first.strip_prefix("# Imported by agentc from Bedrock agent ")?;
    let inside = rest.strip_suffix(").")?;
    let (_, id) = inside.rsplit_once(" (")?;
    is_agent_id(id).then(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_valid_and_distinct() {
        let a = derived_id("support-agent");
        assert_eq!(a, derived_id("support-agent"));
        assert!(is_agent_id(&a), "{a}");
        assert!(
            a.bytes()
                .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
        );
        assert_ne!(a, derived_id("support-agent-2"));
        // Pinned (Python: base64.b32encode(sha256(b"")).decode()[:10]): a change of the
        // derivation would move every caller's id.
        assert_eq!(derived_id(""), "4OYMIQUY7Q");
    }

    #[test]
    fn the_import_header_gives_the_recorded_id() {
        let spec = "# Imported by agentc from Bedrock agent billing (AB12CD34EF).\nagentc: 1\n";
        assert_eq!(imported_id(spec).as_deref(), Some("AB12CD34EF"));
        let spaced = "# Imported by agentc from Bedrock agent my agent (with) (AB12CD34EF).\n";
        assert_eq!(imported_id(spaced).as_deref(), Some("AB12CD34EF"));
        assert_eq!(imported_id("agentc: 1\n"), None);
        assert_eq!(
            imported_id("# Imported by agentc from Bedrock agent x (short).\n"),
            None
        );
        // Only the first line: a comment further down is not a record.
        assert_eq!(
            imported_id("agentc: 1\n# Imported by agentc from Bedrock agent x (AB12CD34EF).\n"),
            None
        );
    }

    #[test]
    fn model_ids_follow_the_service_pattern() {
        assert!(is_model_id("TSTALIASID"));
        assert!(is_model_id("A1"));
        assert!(!is_model_id(""));
        assert!(!is_model_id("ABCDEFGHIJK"));
        assert!(!is_model_id("AB-CD"));
        assert!(is_agent_id("ABCDEFGHIJ"));
        assert!(!is_agent_id("ABCDEFGHI"));
    }
}

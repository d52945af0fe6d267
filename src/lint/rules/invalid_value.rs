use crate::declare_rule;

declare_rule! {
    /// # invalid-value
    ///
    /// A value is outside its allowed range or set: `idle_session_ttl` outside 60–5,400
    /// seconds, `memory.storage_days` above 365, `temperature` above 1, an unsupported
    /// `agentc:` version, an action group with both `functions` and `openapi`, or an unknown
    /// rule id under `lint.rules`.
    ///
    /// ## Why
    /// These are the limits the Bedrock service model enforces. Catching them here means a
    /// deploy never stops halfway on a `ValidationException`.
    ///
    /// ## How to fix
    /// Use a value inside the range given in the message.
    InvalidValue {
        severity: Error,
        summary: "A value is out of its allowed range or set.",
    }
}

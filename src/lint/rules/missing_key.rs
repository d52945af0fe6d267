use crate::declare_rule;

declare_rule! {
    /// # missing-key
    ///
    /// A required key is missing (or the file is empty, or an action group has neither
    /// `functions` nor `openapi`).
    ///
    /// ## Why
    /// Every agent needs at least `agentc`, `name`, `model` and `instruction`; every action
    /// group needs a `name`, an `executor` and its tools; every parameter needs a `type`.
    /// Bedrock would reject the deployment later, after part of it had been applied.
    ///
    /// ## How to fix
    /// Add the key named in the message at the place shown.
    MissingKey {
        severity: Error,
        summary: "A required key is missing.",
    }
}

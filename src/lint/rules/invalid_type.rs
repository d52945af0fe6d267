use crate::declare_rule;

declare_rule! {
    /// # invalid-type
    ///
    /// A value has the wrong type: a list where a string belongs, a number where a mapping
    /// belongs, an `executor` that is neither `return_control` nor `lambda: <ARN>`.
    ///
    /// ## Why
    /// YAML guesses types from spelling (`version: 1.10` is a number, `name: no` may be a
    /// boolean). agentc checks each value against the schema before using it, so the error
    /// points at the value rather than surfacing as a confusing API error at deploy time.
    ///
    /// ## How to fix
    /// Give the value the type named in the message; quote strings that YAML would otherwise
    /// read as numbers or booleans.
    InvalidType {
        severity: Error,
        summary: "A value has the wrong type.",
    }
}

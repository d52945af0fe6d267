use crate::declare_rule;

declare_rule! {
    /// # unknown-key
    ///
    /// A key that the spec format does not define, at the place it appears.
    ///
    /// ## Why
    /// A misspelt key (`instructions:` for `instruction:`, `paramaters:`) is otherwise simply
    /// ignored, and the agent deploys without the setting you thought you gave it. The
    /// message suggests the closest valid key.
    ///
    /// ## How to fix
    /// Use the suggested key, or remove the entry. `agentc schema` prints the JSON Schema of
    /// the format; point your editor at it (`# yaml-language-server: $schema=…`) to get
    /// completion as you type.
    UnknownKey {
        severity: Error,
        summary: "A key that the spec format does not define.",
    }
}

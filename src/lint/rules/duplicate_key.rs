use crate::declare_rule;

declare_rule! {
    /// # duplicate-key
    ///
    /// A mapping defines the same key twice.
    ///
    /// ## Why
    /// YAML requires keys to be unique, but many parsers silently keep the last value, so a
    /// copy-pasted `instruction:` or `executor:` further down the file replaces the one you
    /// reviewed. agentc refuses the ambiguity and shows both places.
    ///
    /// ## How to fix
    /// Delete one of the two entries, or rename it if both were meant to exist.
    DuplicateKey {
        severity: Error,
        summary: "A mapping has the same key twice.",
    }
}

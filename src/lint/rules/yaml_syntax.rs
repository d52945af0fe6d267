use crate::declare_rule;

declare_rule! {
    /// # yaml-syntax
    ///
    /// The file could not be read as YAML: a syntax error, text that is not UTF-8, a file
    /// larger than 4 MiB, or a document that nests too deeply or expands too many aliases.
    ///
    /// ## Why
    /// Nothing else can be checked until the file parses. agentc reads specs with resource
    /// budgets (nesting depth, node count, alias expansion) so that a hostile or broken file
    /// (a "billion laughs" alias bomb, `[[[[…` thirty thousand deep) is refused in
    /// milliseconds instead of exhausting memory or the stack.
    ///
    /// ## How to fix
    /// Look at the line and column shown: usually a missing `:`, a tab used for indentation,
    /// an unclosed `[`/`{`/quote, or a line indented differently from its siblings. Save the
    /// file as UTF-8. Keep specs small: move long prompt templates and OpenAPI documents into
    /// their own files and reference them.
    YamlSyntax {
        severity: Error,
        summary: "The file is not valid YAML, not UTF-8, or too large or deeply nested to read.",
    }
}

use crate::declare_rule;

declare_rule! {
    /// # undefined-variable
    ///
    /// The instruction template uses `{{ name }}` but no value for `name` is given in `vars`
    /// or with `--var name=value`, or the template does not parse.
    ///
    /// ## Why
    /// The instruction is rendered with minijinja in strict mode: a missing variable would
    /// otherwise become an empty string in a deployed prompt ("an assistant for the  account").
    ///
    /// ## How to fix
    /// Add the variable under `vars:`, pass it with `--var`, or remove the placeholder. To
    /// write literal braces, wrap them in `{% raw %}…{% endraw %}`.
    UndefinedVariable {
        severity: Error,
        summary: "The instruction template uses a variable that has no value.",
    }
}

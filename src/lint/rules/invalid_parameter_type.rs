use crate::declare_rule;

declare_rule! {
    /// # invalid-parameter-type
    ///
    /// A function parameter's `type` is not one Bedrock Agents accepts.
    ///
    /// ## Why
    /// Bedrock Agents function parameters may only be `string`, `number`, `integer`,
    /// `boolean` or `array`. There is no `object`: CreateAgentActionGroup rejects it.
    ///
    /// ## How to fix
    /// Use one of the five types. For structured input, take a `string` that holds JSON and
    /// say so in the description, split the object into several parameters, or describe the
    /// operation with an OpenAPI document (`openapi:`) instead of `functions`.
    InvalidParameterType {
        severity: Error,
        summary: "A function parameter has a type Bedrock does not accept.",
    }
}

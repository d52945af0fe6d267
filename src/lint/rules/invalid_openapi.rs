use crate::declare_rule;

declare_rule! {
    /// # invalid-openapi
    ///
    /// An action group's `openapi:` file is missing, unreadable, not OpenAPI 3, has an
    /// operation without an `operationId`, or has a parameter or request-body schema that is
    /// not a valid JSON Schema.
    ///
    /// ## Why
    /// agentc names each tool after its `operationId` (Bedrock and the Converse target both
    /// need a name per operation) and builds the tool's input schema from the parameters, so
    /// an unusable document cannot be deployed or compiled.
    ///
    /// ## How to fix
    /// Check the path (it is relative to the spec file), give every operation an
    /// `operationId`, and fix the schema named in the message.
    InvalidOpenapi {
        severity: Error,
        summary: "An action group's OpenAPI file is missing or unusable.",
    }
}

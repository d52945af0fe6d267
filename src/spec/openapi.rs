//! OpenAPI 3 action groups: the operations of a document, each turned into a tool with a JSON
//! Schema input (path, query and header parameters plus the JSON request body's properties).

use serde_json::{Map, Value, json};
use std::path::Path;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

#[derive(Debug, Clone)]
pub struct Operation {
    pub operation_id: String,
    pub method: String,
    pub path: String,
    pub description: Option<String>,
    pub input_schema: Value,
}

/// Read an OpenAPI document and list its operations; every problem found is returned.
/// Largest OpenAPI document read. The path comes from a spec, which may come from anyone:
/// `/dev/zero` or a multi-gigabyte file must be an error, not a hang or an out-of-memory abort.
pub const MAX_OPENAPI_BYTES: u64 = 16 * 1024 * 1024;

pub fn load(path: &Path) -> Result<Vec<Operation>, Vec<String>> {
    let text =
        read_document(path).map_err(|e| vec![format!("cannot read the OpenAPI file: {e}")])?;
    let document: Value = if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text).map_err(|e| vec![format!("invalid JSON: {e}")])?
    } else {
        serde_saphyr::from_str(&text).map_err(|e| vec![super::yaml::describe_error(&e)])?
    };
    operations(&document)
}

/// An OpenAPI document as an input kind: a regular file (a FIFO would block, a device may
/// never end), capped, UTF-8.
pub const OPENAPI_INPUT: crate::fsio::InputKind = crate::fsio::InputKind {
    name: "an OpenAPI document",
    max_bytes: MAX_OPENAPI_BYTES,
    stdin: false,
};

pub(crate) fn read_document(path: &Path) -> std::io::Result<String> {
    crate::fsio::read_text_io(path, OPENAPI_INPUT)
}

/// The operations of a parsed OpenAPI document.
pub fn operations(document: &Value) -> Result<Vec<Operation>, Vec<String>> {
    let mut problems = Vec::new();
    match document.get("openapi").and_then(Value::as_str) {
        Some(version) if version.starts_with("3.") => {}
        Some(version) => problems.push(format!(
            "OpenAPI version `{version}` is not supported; Bedrock takes OpenAPI 3"
        )),
        None => problems.push("not an OpenAPI 3 document (no `openapi: 3.x` field)".into()),
    }
    let Some(paths) = document.get("paths").and_then(Value::as_object) else {
        problems.push("the document has no `paths`".into());
        return Err(problems);
    };
    let mut operations = Vec::new();
    for (path, item) in paths {
        let shared_parameters = item
            .get("parameters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let Some(operation_id) = operation.get("operationId").and_then(Value::as_str) else {
                problems.push(format!(
                    "`{} {path}` has no `operationId`; agentc names the tool after it",
                    method.to_uppercase()
                ));
                continue;
            };
            let description = operation
                .get("description")
                .or_else(|| operation.get("summary"))
                .and_then(Value::as_str)
                .map(str::to_string);
            let mut properties = Map::new();
            let mut required = Vec::new();
            let parameters = shared_parameters.iter().chain(
                operation
                    .get("parameters")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten(),
            );
            for parameter in parameters {
                let Some(name) = parameter.get("name").and_then(Value::as_str) else {
                    problems.push(format!("a parameter of `{operation_id}` has no `name`"));
                    continue;
                };
                let mut schema = parameter
                    .get("schema")
                    .cloned()
                    .unwrap_or_else(|| json!({"type": "string"}));
                if let Err(error) = check_schema(&schema) {
                    problems.push(format!(
                        "parameter `{name}` of `{operation_id}` has an invalid schema: {error}"
                    ));
                }
                if let (Some(description), Some(object)) =
                    (parameter.get("description"), schema.as_object_mut())
                {
                    object
                        .entry("description")
                        .or_insert_with(|| description.clone());
                }
                if parameter
                    .get("required")
                    .and_then(Value::as_bool)
                    .unwrap_or(false)
                {
                    required.push(json!(name));
                }
                properties.insert(name.to_string(), schema);
            }
            if let Some(body) = operation.pointer("/requestBody/content/application~1json/schema") {
                if let Err(error) = check_schema(body) {
                    problems.push(format!(
                        "the request body of `{operation_id}` has an invalid schema: {error}"
                    ));
                }
                if let Some(body_properties) = body.get("properties").and_then(Value::as_object) {
                    for (name, schema) in body_properties {
                        properties.insert(name.clone(), schema.clone());
                    }
                    for name in body
                        .get("required")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        required.push(name.clone());
                    }
                } else {
                    properties.insert("body".into(), body.clone());
                    if operation
                        .pointer("/requestBody/required")
                        .and_then(Value::as_bool)
                        .unwrap_or(false)
                    {
                        required.push(json!("body"));
                    }
                }
            }
            let mut input_schema = json!({"type": "object", "properties": properties});
            if !required.is_empty() {
                input_schema["required"] = Value::Array(required);
            }
            operations.push(Operation {
                operation_id: operation_id.to_string(),
                method: method.to_uppercase(),
                path: path.clone(),
                description,
                input_schema,
            });
        }
    }
    if operations.is_empty() && problems.is_empty() {
        problems.push("the document defines no operations".into());
    }
    if problems.is_empty() {
        Ok(operations)
    } else {
        Err(problems)
    }
}

/// A parameter schema must itself be a valid JSON Schema (checked against the meta-schema).
fn check_schema(schema: &Value) -> Result<(), String> {
    if schema.get("$ref").is_some() {
        // References into `components` are resolved by Bedrock; agentc does not inline them.
        return Ok(());
    }
    jsonschema::draft7::meta::validate(schema).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_become_tools_and_missing_operation_ids_are_reported() {
        let doc = json!({
            "openapi": "3.0.0",
            "paths": {
                "/orders/{id}": {
                    "get": {"operationId": "getOrder", "description": "Get an order.",
                            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}]},
                    "delete": {"description": "no id"}
                }
            }
        });
        let problems = operations(&doc).expect_err("missing operationId");
        assert!(problems[0].contains("DELETE /orders/{id}"));
        let mut doc = doc;
        doc["paths"]["/orders/{id}"]
            .as_object_mut()
            .map(|o| o.remove("delete"));
        let ops = operations(&doc).expect("valid");
        assert_eq!(ops[0].operation_id, "getOrder");
        assert_eq!(ops[0].input_schema["required"], json!(["id"]));
    }

    #[test]
    fn invalid_parameter_schemas_fail_the_meta_schema() {
        let doc = json!({"openapi": "3.0.0", "paths": {"/x": {"get": {"operationId": "x",
            "parameters": [{"name": "q", "in": "query", "schema": {"type": "strng"}}]}}}});
        let problems = operations(&doc).expect_err("bad schema");
        assert!(problems[0].contains("invalid schema"), "{problems:?}");
    }
}

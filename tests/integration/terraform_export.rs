//! The Terraform export checked against the aws provider's own resource schemas
//! (`tests/fixtures/terraform/`, from `terraform providers schema -json`), so CI catches what
//! `terraform validate` would without needing Terraform or the provider: unknown arguments,
//! missing required ones, computed-only ones set, wrong types, incomplete objects, and
//! references to resources or attributes that do not exist. `.ci/terraform.sh` runs the real
//! `terraform validate` as well where Terraform and the provider are installed.

use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};

const PROVIDER_SCHEMA: &str = "tests/fixtures/terraform/hashicorp-aws-5.100.0-bedrockagent.json";

/// Arguments Terraform accepts on every resource, whatever the provider says.
const META_ARGUMENTS: &[&str] = &[
    "//",
    "count",
    "for_each",
    "provider",
    "depends_on",
    "lifecycle",
    "provisioner",
    "connection",
];

fn provider_schemas() -> Map<String, Value> {
    let text = std::fs::read_to_string(PROVIDER_SCHEMA).expect("provider schema fixture");
    let doc: Value = serde_json::from_str(&text).expect("provider schema is JSON");
    assert_eq!(
        doc["version"],
        agentc::agents::export::TERRAFORM_AWS_PROVIDER
    );
    doc["resource_schemas"]
        .as_object()
        .expect("resource_schemas")
        .clone()
}

fn is_interpolation(value: &Value) -> bool {
    value.as_str().is_some_and(|s| s.contains("${"))
}

/// Checks `value` against a Terraform type constraint (`"string"`, `["list", T]`, …).
fn check_type(at: &str, value: &Value, kind: &Value, errors: &mut Vec<String>) {
    if value.is_null() || is_interpolation(value) {
        return;
    }
    let ok = match kind {
        Value::String(primitive) => match primitive.as_str() {
            "string" => value.is_string(),
            "number" => value.is_number(),
            "bool" => value.is_boolean(),
            "dynamic" => true,
            other => {
                errors.push(format!("{at}: unknown primitive type {other}"));
                true
            }
        },
        Value::Array(parts) => match (parts[0].as_str(), &parts[1]) {
            (Some("list" | "set"), element) => match value.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        check_type(&format!("{at}[{i}]"), item, element, errors);
                    }
                    true
                }
                None => false,
            },
            (Some("map"), element) => match value.as_object() {
                Some(entries) => {
                    for (key, item) in entries {
                        check_type(&format!("{at}.{key}"), item, element, errors);
                    }
                    true
                }
                None => false,
            },
            (Some("object"), Value::Object(attributes)) => match value.as_object() {
                Some(given) => {
                    // An object-typed attribute must list every attribute of the object.
                    for (name, attribute_kind) in attributes {
                        match given.get(name) {
                            Some(item) => {
                                check_type(&format!("{at}.{name}"), item, attribute_kind, errors)
                            }
                            None => errors.push(format!("{at}: attribute \"{name}\" is required")),
                        }
                    }
                    for name in given.keys() {
                        if !attributes.contains_key(name) {
                            errors.push(format!("{at}: unsupported attribute \"{name}\""));
                        }
                    }
                    true
                }
                None => false,
            },
            _ => {
                errors.push(format!("{at}: unknown type {kind}"));
                true
            }
        },
        _ => false,
    };
    if !ok {
        errors.push(format!("{at}: {value} is not a {kind}"));
    }
}

/// Checks a block body (a resource, or a nested block) against its schema block.
fn check_block(at: &str, body: &Value, block: &Value, top_level: bool, errors: &mut Vec<String>) {
    let Some(body) = body.as_object() else {
        errors.push(format!("{at}: a block must be a JSON object"));
        return;
    };
    let attributes = block["attributes"].as_object().cloned().unwrap_or_default();
    let blocks = block["block_types"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (name, attribute) in &attributes {
        let required = attribute["required"].as_bool().unwrap_or(false);
        let settable = required || attribute["optional"].as_bool().unwrap_or(false);
        match body.get(name) {
            Some(value) if !settable && !value.is_null() => {
                errors.push(format!(
                    "{at}.{name}: computed by the provider, cannot be set"
                ));
            }
            Some(_) if !settable => {}
            Some(value) => {
                if required && value.is_null() {
                    errors.push(format!("{at}.{name}: required, cannot be null"));
                }
                check_type(&format!("{at}.{name}"), value, &attribute["type"], errors);
            }
            None if required => errors.push(format!("{at}: argument \"{name}\" is required")),
            None => {}
        }
    }
    for (name, nested) in &blocks {
        let Some(value) = body.get(name) else {
            if nested["min_items"].as_u64().unwrap_or(0) > 0 {
                errors.push(format!("{at}: block \"{name}\" is required"));
            }
            continue;
        };
        let instances: Vec<&Value> = match (nested["nesting_mode"].as_str(), value) {
            (Some("single" | "group"), _) => vec![value],
            (_, Value::Array(items)) => items.iter().collect(),
            (_, other) => vec![other],
        };
        if let Some(max) = nested["max_items"].as_u64()
            && instances.len() as u64 > max
        {
            errors.push(format!("{at}.{name}: at most {max} block(s)"));
        }
        for (i, instance) in instances.iter().enumerate() {
            check_block(
                &format!("{at}.{name}[{i}]"),
                instance,
                &nested["block"],
                false,
                errors,
            );
        }
    }
    for key in body.keys() {
        let meta = top_level && META_ARGUMENTS.contains(&key.as_str());
        if !attributes.contains_key(key) && !blocks.contains_key(key) && !meta && key != "//" {
            errors.push(format!("{at}: unsupported argument \"{key}\""));
        }
    }
}

/// Every `${type.name.attribute}` and `depends_on` entry must name a resource in the document
/// and an attribute its schema has.
fn check_references(document: &Value, schemas: &Map<String, Value>, errors: &mut Vec<String>) {
    let resources = document["resource"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let exists = |kind: &str, name: &str| {
        resources
            .get(kind)
            .and_then(|r| r.get(name))
            .is_some_and(Value::is_object)
    };
    let text = document.to_string();
    let mut rest = text.as_str();
    while let Some(start) = rest.find("${") {
        let Some(end) = rest[start..].find('}') else {
            errors.push("unterminated interpolation".into());
            break;
        };
        let reference = &rest[start + 2..start + end];
        let parts: Vec<&str> = reference.split('.').collect();
        match parts.as_slice() {
            [kind, name, attribute] => {
                if !exists(kind, name) {
                    errors.push(format!("${{{reference}}}: no resource {kind}.{name}"));
                } else if schemas[*kind]["block"]["attributes"]
                    .get(*attribute)
                    .is_none()
                {
                    errors.push(format!(
                        "${{{reference}}}: {kind} has no attribute {attribute}"
                    ));
                }
            }
            _ => errors.push(format!(
                "${{{reference}}}: not a resource attribute reference"
            )),
        }
        rest = &rest[start + end..];
    }
    for (kind, instances) in &resources {
        for (name, body) in instances.as_object().cloned().unwrap_or_default() {
            for dependency in body["depends_on"].as_array().cloned().unwrap_or_default() {
                let target = dependency.as_str().unwrap_or_default();
                let ok = target.split_once('.').is_some_and(|(k, n)| exists(k, n));
                if !ok {
                    errors.push(format!("{kind}.{name}.depends_on: no resource {target}"));
                }
            }
        }
    }
}

fn validate(document: &Value) -> Vec<String> {
    let schemas = provider_schemas();
    let mut errors = Vec::new();
    let Some(resources) = document["resource"].as_object() else {
        return vec!["no top-level \"resource\" object".into()];
    };
    for (kind, instances) in resources {
        let Some(schema) = schemas.get(kind) else {
            errors.push(format!("{kind}: not a resource type of the aws provider"));
            continue;
        };
        for (name, body) in instances.as_object().cloned().unwrap_or_default() {
            check_block(
                &format!("{kind}.{name}"),
                &body,
                &schema["block"],
                true,
                &mut errors,
            );
        }
    }
    check_references(document, &schemas, &mut errors);
    errors
}

/// Example specs deployable as a Bedrock Agent, plus the agents tests' own spec.
fn deployable_specs() -> Vec<PathBuf> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir("agents")
        .expect("agents/")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .collect();
    specs.push(PathBuf::from("tests/fixtures/agents/spec.yaml"));
    specs.sort();
    specs
        .into_iter()
        .filter(|path| {
            std::fs::read_to_string(path)
                .unwrap_or_default()
                .contains("\n  agents:")
        })
        .collect()
}

fn export_spec(spec: &Path) -> agentc::agents::export::Export {
    let loaded = agentc::spec::load_path(spec, &Default::default()).expect("spec loads");
    let desired = agentc::agents::desired::desired_state(
        loaded.spec.as_ref().expect("spec"),
        loaded.agent.as_ref().expect("agent"),
        spec.parent().expect("spec directory"),
    )
    .expect("desired state");
    agentc::agents::export::terraform(&desired)
}

#[test]
fn every_deployable_example_exports_valid_terraform() {
    let specs = deployable_specs();
    assert!(specs.len() >= 3, "{specs:?}");
    for spec in specs {
        let export = export_spec(&spec);
        let errors = validate(&export.document);
        assert!(
            errors.is_empty(),
            "{}: {}",
            spec.display(),
            errors.join("\n")
        );
    }
}

#[test]
fn settings_the_provider_cannot_express_are_reported_not_dropped_silently() {
    let export = export_spec(Path::new("agents/orders-api.yaml"));
    assert!(
        export
            .omitted
            .iter()
            .any(|o| o.contains("targets.agents.orchestrator")),
        "{:?}",
        export.omitted
    );
    let comment = export.document["resource"]["aws_bedrockagent_agent"]["orders_api"]["//"]
        .as_str()
        .expect("a // comment on the agent");
    assert!(comment.contains("orchestrator"), "{comment}");
    let support = export_spec(Path::new("agents/support-desk.yaml"));
    assert!(
        support
            .omitted
            .iter()
            .any(|o| o.contains("max_recent_sessions")),
        "{:?}",
        support.omitted
    );
}

/// The checker itself must fail on what `terraform validate` rejects — including the first
/// bug it found in the export (a prompt override without `override_lambda`).
#[test]
fn the_checker_rejects_what_terraform_validate_rejects() {
    let valid = export_spec(Path::new("agents/orders-api.yaml")).document;
    assert!(validate(&valid).is_empty());
    let agent = "/resource/aws_bedrockagent_agent/orders_api";
    type Breaker = Box<dyn Fn(&mut Value)>;
    let broken: Vec<(&str, Breaker)> = vec![
        (
            "attribute \"override_lambda\" is required",
            Box::new(move |d| {
                d.pointer_mut(&format!("{agent}/prompt_override_configuration/0"))
                    .and_then(Value::as_object_mut)
                    .map(|o| o.remove("override_lambda"));
            }),
        ),
        (
            "unsupported argument \"agent_nmae\"",
            Box::new(move |d| {
                d.pointer_mut(agent)
                    .and_then(Value::as_object_mut)
                    .map(|o| o.insert("agent_nmae".into(), json!("x")));
            }),
        ),
        (
            "argument \"foundation_model\" is required",
            Box::new(move |d| {
                d.pointer_mut(agent)
                    .and_then(Value::as_object_mut)
                    .map(|o| o.remove("foundation_model"));
            }),
        ),
        (
            "is not a \"number\"",
            Box::new(move |d| {
                *d.pointer_mut(&format!(
                    "{agent}/prompt_override_configuration/0/prompt_configurations/0/inference_configuration/0/max_length"
                ))
                .expect("max_length") = json!("1500 tokens");
            }),
        ),
        (
            "computed by the provider",
            Box::new(move |d| {
                d.pointer_mut(agent)
                    .and_then(Value::as_object_mut)
                    .map(|o| o.insert("agent_id".into(), json!("ABCDEFGHIJ")));
            }),
        ),
        (
            "no resource aws_bedrockagent_agent.nope",
            Box::new(move |d| {
                let groups = d
                    .pointer_mut("/resource/aws_bedrockagent_agent_action_group")
                    .and_then(Value::as_object_mut)
                    .expect("action groups");
                let first = groups.values_mut().next().expect("one group");
                first["agent_id"] = json!("${aws_bedrockagent_agent.nope.agent_id}");
            }),
        ),
    ];
    for (expected, breaker) in broken {
        let mut document = valid.clone();
        breaker(&mut document);
        let errors = validate(&document);
        assert!(
            errors.iter().any(|e| e.contains(expected)),
            "expected {expected:?} in {errors:?}"
        );
    }
}

/// Anthropic's computer-use groups are not accepted by `AWS::Bedrock::Agent` (cfn-lint E3030):
/// the template leaves them out and says so, instead of failing at deploy time.
#[test]
fn cloudformation_leaves_out_the_built_in_groups_it_cannot_express_and_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = std::fs::read_to_string("agents/support-desk.yaml")
        .expect("example")
        .replace(
            "      - signature: AMAZON.UserInput\n",
            "      - signature: AMAZON.UserInput\n      - signature: ANTHROPIC.Bash\n        params: {type: bash_20250124}\n",
        );
    let spec = dir.path().join("support-desk.yaml");
    std::fs::write(&spec, text).expect("write spec");
    let loaded = agentc::spec::load_path(&spec, &Default::default()).expect("spec loads");
    let desired = agentc::agents::desired::desired_state(
        loaded.spec.as_ref().expect("spec"),
        loaded.agent.as_ref().expect("agent"),
        Path::new("agents"),
    )
    .expect("desired state");
    let export = agentc::agents::export::cloudformation(&desired);
    let groups: Vec<&str> = export.document["Resources"]["Agent"]["Properties"]["ActionGroups"]
        .as_array()
        .expect("action groups")
        .iter()
        .filter_map(|g| g["ParentActionGroupSignature"].as_str())
        .collect();
    assert_eq!(groups, ["AMAZON.UserInput"]);
    assert!(
        export.omitted.iter().any(|o| o.contains("ANTHROPIC.Bash")),
        "{:?}",
        export.omitted
    );
    assert!(
        export.document["Description"]
            .as_str()
            .is_some_and(|d| d.contains("ANTHROPIC.Bash")),
        "{}",
        export.document["Description"]
    );
    // Terraform's provider takes any signature but not its params.
    let terraform = agentc::agents::export::terraform(&desired);
    assert!(
        terraform
            .omitted
            .iter()
            .any(|o| o.contains("params of built-in action group")),
        "{:?}",
        terraform.omitted
    );
    let comment = terraform.document["resource"]["aws_bedrockagent_agent"]["support_desk"]["//"]
        .as_str()
        .unwrap_or_default();
    assert!(comment.contains("ANTHROPIC.Bash"), "{comment}");
    assert!(validate(&terraform.document).is_empty());
}

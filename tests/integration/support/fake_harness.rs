//! A stateful fake of the AgentCore control plane's harness operations
//! (`bedrock-agentcore-control`, REST-JSON, API 2023-06-05) on 127.0.0.1, for tests that drive
//! agentc's real client. Built from the service model: the operations' methods, URIs and
//! status codes (201 for the creates), errors in `x-amzn-ErrorType`, CREATING/UPDATING → READY
//! after a number of polls, `harnessVersion` bumped on every update, PATCH semantics (omitted =
//! keep, `optionalValue` wrappers for memory, artifact and authorizer), the defaults the
//! service fills in, name uniqueness, clientToken idempotency, ConflictException while a
//! harness is not READY, small pages, injectable faults, and a log of every request.

use super::loopback;

use percent_encoding::percent_decode_str;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";

/// An injected failure.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// 429 ThrottlingException before the operation runs (the client retries it).
    Throttle,
    /// 400 ValidationException with this message, before the operation runs.
    Validation(String),
    /// The operation runs, then the reply is lost (500); the client's retry must not repeat it.
    AfterCommit,
    /// A create or update is accepted, then lands in `*_FAILED` with this failureReason.
    Fails(String),
}

#[derive(Debug, Clone)]
struct Armed {
    op: String,
    remaining: u32,
    fault: Fault,
}

/// One request, as received.
#[derive(Debug, Clone)]
pub struct Call {
    pub op: String,
    #[allow(dead_code, reason = "read through Debug in assertion messages")]
    pub method: String,
    #[allow(dead_code, reason = "read through Debug in assertion messages")]
    pub path: String,
    pub body: Value,
}

const MUTATING_PREFIXES: [&str; 5] = ["Create", "Update", "Delete", "Tag", "Untag"];

#[derive(Debug, Clone)]
struct Pending {
    polls_left: u32,
    then: String,
    fail_reason: Option<String>,
}

#[derive(Debug, Clone)]
struct Endpoint {
    json: Map<String, Value>,
    pending: Option<Pending>,
}

#[derive(Debug, Clone)]
struct Harness {
    json: Map<String, Value>,
    pending: Option<Pending>,
    endpoints: BTreeMap<String, Endpoint>,
}

#[derive(Default)]
struct State {
    clock: f64,
    next_id: u64,
    harnesses: BTreeMap<String, Harness>,
    tags: BTreeMap<String, BTreeMap<String, String>>,
    /// clientToken → the id (or `id/endpoint`) it made.
    tokens: BTreeMap<String, String>,
    log: Vec<Call>,
    faults: Vec<Armed>,
    page_size: usize,
    /// GetHarness polls a CREATING/UPDATING harness takes to settle.
    polls: u32,
    busy: std::time::Duration,
}

struct Reply {
    status: u16,
    body: Value,
    error_type: Option<String>,
}

fn ok(status: u16, body: Value) -> Reply {
    Reply {
        status,
        body,
        error_type: None,
    }
}

fn err(status: u16, kind: &str, message: impl Into<String>) -> Reply {
    Reply {
        status,
        body: json!({ "message": message.into() }),
        error_type: Some(kind.to_string()),
    }
}

fn not_found(what: &str) -> Reply {
    err(
        404,
        "ResourceNotFoundException",
        format!("{what} not found"),
    )
}

fn op_name(method: &str, segments: &[&str]) -> &'static str {
    match (segments, method) {
        (["harnesses"], "POST") => "CreateHarness",
        (["harnesses"], "GET") => "ListHarnesses",
        (["harnesses", _], "GET") => "GetHarness",
        (["harnesses", _], "PATCH") => "UpdateHarness",
        (["harnesses", _], "DELETE") => "DeleteHarness",
        (["harnesses", _, "versions"], "GET") => "ListHarnessVersions",
        (["harnesses", _, "endpoints"], "POST") => "CreateHarnessEndpoint",
        (["harnesses", _, "endpoints"], "GET") => "ListHarnessEndpoints",
        (["harnesses", _, "endpoints", _], "GET") => "GetHarnessEndpoint",
        (["harnesses", _, "endpoints", _], "PATCH") => "UpdateHarnessEndpoint",
        (["harnesses", _, "endpoints", _], "DELETE") => "DeleteHarnessEndpoint",
        (["tags", _], "GET") => "ListTagsForResource",
        (["tags", _], "POST") => "TagResource",
        (["tags", _], "DELETE") => "UntagResource",
        _ => "Unknown",
    }
}

fn query_values(query: &str, key: &str) -> Vec<String> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .filter(|(k, _)| *k == key)
        .map(|(_, v)| percent_decode_str(v).decode_utf8_lossy().into_owned())
        .collect()
}

fn valid_name(name: &str, max: usize) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.len() <= max
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// What the service writes into a harness the request left open.
fn fill_defaults(json: &mut Map<String, Value>, id: &str) {
    let default = |json: &mut Map<String, Value>, key: &str, value: Value| {
        json.entry(key.to_string()).or_insert(value);
    };
    default(json, "allowedTools", json!(["*"]));
    default(json, "maxIterations", json!(75));
    default(json, "timeoutSeconds", json!(3600));
    default(json, "environmentVariables", json!({}));
    default(json, "tools", json!([]));
    default(
        json,
        "truncation",
        json!({"strategy": "sliding_window", "config": {"slidingWindow": {"messagesCount": 40}}}),
    );
    default(
        json,
        "environment",
        json!({"agentCoreRuntimeEnvironment": {}}),
    );
    if let Some(runtime) = json
        .get_mut("environment")
        .and_then(|e| e.get_mut("agentCoreRuntimeEnvironment"))
        .and_then(Value::as_object_mut)
    {
        let runtime_id = format!("{id}_rt");
        runtime.insert("agentRuntimeId".into(), json!(runtime_id));
        runtime.insert("agentRuntimeName".into(), json!(runtime_id));
        runtime.insert(
            "agentRuntimeArn".into(),
            json!(format!(
                "arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT}:runtime/{runtime_id}"
            )),
        );
        runtime
            .entry("lifecycleConfiguration")
            .or_insert(json!({"idleRuntimeSessionTimeout": 900, "maxLifetime": 28800}));
        runtime
            .entry("networkConfiguration")
            .or_insert(json!({"networkMode": "PUBLIC"}));
    }
    default(
        json,
        "memory",
        json!({"managedMemoryConfiguration": {
            "strategies": ["SEMANTIC", "SUMMARIZATION"], "eventExpiryDuration": 30}}),
    );
    if let Some(managed) = json
        .get_mut("memory")
        .and_then(|m| m.get_mut("managedMemoryConfiguration"))
        .and_then(Value::as_object_mut)
    {
        managed.insert(
            "arn".into(),
            json!(format!(
                "arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT}:memory/{id}_mem"
            )),
        );
    }
}

/// CreateHarness members that configure the harness (the rest are the call's own).
const CONFIG_MEMBERS: [&str; 17] = [
    "executionRoleArn",
    "model",
    "systemPrompt",
    "tools",
    "skills",
    "allowedTools",
    "memory",
    "truncation",
    "environment",
    "environmentArtifact",
    "environmentVariables",
    "authorizerConfiguration",
    "maxIterations",
    "maxTokens",
    "timeoutSeconds",
    "hooks",
    "harnessName",
];

const WRAPPED: [&str; 3] = ["memory", "environmentArtifact", "authorizerConfiguration"];

impl State {
    fn tick(&mut self) -> f64 {
        self.clock += 1.0;
        self.clock
    }

    fn page(&self, items: Vec<Value>, query: &str) -> (Vec<Value>, Option<String>) {
        let start: usize = query_values(query, "nextToken")
            .first()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let size = query_values(query, "maxResults")
            .first()
            .and_then(|m| m.parse::<usize>().ok())
            .map_or(self.page_size, |m| m.min(self.page_size));
        let end = (start + size).min(items.len());
        let next = (end < items.len()).then(|| end.to_string());
        (
            items
                .get(start..end)
                .map(<[Value]>::to_vec)
                .unwrap_or_default(),
            next,
        )
    }

    /// One poll: a pending transition completes once its polls are used up.
    fn poll(pending: &mut Option<Pending>, json: &mut Map<String, Value>) {
        let Some(p) = pending else {
            return;
        };
        if p.polls_left > 0 {
            p.polls_left -= 1;
            return;
        }
        let Some(p) = pending.take() else {
            return;
        };
        json.insert("status".into(), json!(p.then));
        match p.fail_reason {
            Some(reason) => json.insert("failureReason".into(), json!(reason)),
            None => json.remove("failureReason"),
        };
        if p.then == "READY"
            && let Some(target) = json.get("targetVersion").cloned()
        {
            json.insert("liveVersion".into(), target);
        }
    }

    fn pending(&self, then: &str, fail_reason: Option<String>) -> Option<Pending> {
        Some(Pending {
            polls_left: self.polls,
            then: then.to_string(),
            fail_reason,
        })
    }

    fn handle(&mut self, method: &str, path: &str, query: &str, body: &Value) -> Reply {
        let segments: Vec<String> = path
            .trim_matches('/')
            .split('/')
            .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
            .collect();
        let segment_refs: Vec<&str> = segments.iter().map(String::as_str).collect();
        let op = op_name(method, &segment_refs).to_string();
        self.log.push(Call {
            op: op.clone(),
            method: method.to_string(),
            path: format!("{path}?{query}"),
            body: body.clone(),
        });
        let mut after_commit = false;
        let mut failure = None;
        if let Some(armed) = self
            .faults
            .iter_mut()
            .find(|f| f.op == op && f.remaining > 0)
        {
            armed.remaining -= 1;
            match armed.fault.clone() {
                Fault::Throttle => return err(429, "ThrottlingException", "Rate exceeded"),
                Fault::Validation(message) => return err(400, "ValidationException", message),
                Fault::AfterCommit => after_commit = true,
                Fault::Fails(reason) => failure = Some(reason),
            }
        }
        let reply = self.dispatch(&op, &segment_refs, query, body, failure);
        if after_commit && reply.status < 300 {
            // The work is done but the reply is lost: a retry must not do it twice.
            return err(
                500,
                "InternalServerException",
                "Internal server error (injected)",
            );
        }
        reply
    }

    fn harness_reply(&self, id: &str) -> Value {
        let mut json = self.harnesses[id].json.clone();
        json.remove("__tokens");
        Value::Object(json)
    }

    fn dispatch(
        &mut self,
        op: &str,
        segments: &[&str],
        query: &str,
        body: &Value,
        failure: Option<String>,
    ) -> Reply {
        match op {
            "CreateHarness" => self.create_harness(body, failure),
            "ListHarnesses" => {
                let items: Vec<Value> = self
                    .harnesses
                    .values()
                    .map(|h| {
                        let j = &h.json;
                        json!({"harnessId": j["harnessId"], "harnessName": j["harnessName"],
                            "arn": j["arn"], "status": j["status"],
                            "harnessVersion": j["harnessVersion"],
                            "createdAt": j["createdAt"], "updatedAt": j["updatedAt"]})
                    })
                    .collect();
                let (page, next) = self.page(items, query);
                let mut reply = json!({ "harnesses": page });
                if let Some(next) = next {
                    reply["nextToken"] = json!(next);
                }
                ok(200, reply)
            }
            "GetHarness" => {
                let id = segments[1];
                let Some(harness) = self.harnesses.get_mut(id) else {
                    return not_found(&format!("Harness {id}"));
                };
                Self::poll(&mut harness.pending, &mut harness.json);
                if harness.json["status"] == json!("DELETING") && harness.pending.is_none() {
                    self.harnesses.remove(id);
                    return not_found(&format!("Harness {id}"));
                }
                ok(200, json!({ "harness": self.harness_reply(id) }))
            }
            "UpdateHarness" => self.update_harness(segments[1], body, failure),
            "DeleteHarness" => {
                let id = segments[1];
                let Some(harness) = self.harnesses.get_mut(id) else {
                    return not_found(&format!("Harness {id}"));
                };
                if matches!(
                    harness.json["status"].as_str(),
                    Some("CREATING" | "UPDATING")
                ) {
                    return err(
                        409,
                        "ConflictException",
                        format!("Harness {id} is not READY"),
                    );
                }
                harness.json.insert("status".into(), json!("DELETING"));
                harness.endpoints.clear();
                harness.pending = Some(Pending {
                    polls_left: 0,
                    then: "DELETING".into(),
                    fail_reason: None,
                });
                let arn = harness.json["arn"].as_str().unwrap_or_default().to_string();
                self.tags.remove(&arn);
                let reply = self.harness_reply(id);
                // Listed as DELETING until the next Get, which no longer finds it.
                ok(200, json!({ "harness": reply }))
            }
            "ListTagsForResource" => {
                let arn = segments[1];
                if !self.arn_exists(arn) {
                    return not_found(&format!("Resource {arn}"));
                }
                ok(
                    200,
                    json!({ "tags": self.tags.get(arn).cloned().unwrap_or_default() }),
                )
            }
            "TagResource" => {
                let arn = segments[1];
                if !self.arn_exists(arn) {
                    return not_found(&format!("Resource {arn}"));
                }
                let entry = self.tags.entry(arn.to_string()).or_default();
                if let Some(tags) = body.get("tags").and_then(Value::as_object) {
                    for (k, v) in tags {
                        entry.insert(k.clone(), v.as_str().unwrap_or_default().to_string());
                    }
                }
                ok(200, json!({}))
            }
            "UntagResource" => {
                let arn = segments[1];
                if !self.arn_exists(arn) {
                    return not_found(&format!("Resource {arn}"));
                }
                let keys = query_values(query, "tagKeys");
                if let Some(entry) = self.tags.get_mut(arn) {
                    for key in keys {
                        entry.remove(&key);
                    }
                }
                ok(200, json!({}))
            }
            "CreateHarnessEndpoint" => self.create_endpoint(segments[1], body),
            "ListHarnessEndpoints" => {
                let Some(harness) = self.harnesses.get(segments[1]) else {
                    return not_found(&format!("Harness {}", segments[1]));
                };
                let items: Vec<Value> = harness
                    .endpoints
                    .values()
                    .map(|e| Value::Object(e.json.clone()))
                    .collect();
                let (page, next) = self.page(items, query);
                let mut reply = json!({ "endpoints": page });
                if let Some(next) = next {
                    reply["nextToken"] = json!(next);
                }
                ok(200, reply)
            }
            "GetHarnessEndpoint" => {
                let (id, name) = (segments[1], segments[3]);
                let Some(endpoint) = self
                    .harnesses
                    .get_mut(id)
                    .and_then(|h| h.endpoints.get_mut(name))
                else {
                    return not_found(&format!("Endpoint {name} of harness {id}"));
                };
                Self::poll(&mut endpoint.pending, &mut endpoint.json);
                ok(200, json!({ "endpoint": endpoint.json }))
            }
            "UpdateHarnessEndpoint" => self.update_endpoint(segments[1], segments[3], body),
            "DeleteHarnessEndpoint" => {
                let (id, name) = (segments[1], segments[3]);
                let Some(harness) = self.harnesses.get_mut(id) else {
                    return not_found(&format!("Harness {id}"));
                };
                let Some(mut endpoint) = harness.endpoints.remove(name) else {
                    return not_found(&format!("Endpoint {name} of harness {id}"));
                };
                endpoint.json.insert("status".into(), json!("DELETING"));
                ok(200, json!({ "endpoint": endpoint.json }))
            }
            _ => err(
                400,
                "UnknownOperationException",
                format!("{op} is not modelled"),
            ),
        }
    }

    fn arn_exists(&self, arn: &str) -> bool {
        self.harnesses.values().any(|h| {
            h.json["arn"] == json!(arn) || h.endpoints.values().any(|e| e.json["arn"] == json!(arn))
        })
    }

    fn create_harness(&mut self, body: &Value, failure: Option<String>) -> Reply {
        let token = body
            .get("clientToken")
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Some(id) = token.as_ref().and_then(|t| self.tokens.get(t))
            && self.harnesses.contains_key(id)
        {
            let id = id.clone();
            return ok(201, json!({ "harness": self.harness_reply(&id) }));
        }
        let Some(name) = body.get("harnessName").and_then(Value::as_str) else {
            return err(400, "ValidationException", "harnessName is required");
        };
        if !valid_name(name, 40) {
            return err(
                400,
                "ValidationException",
                format!("harnessName `{name}` must satisfy [a-zA-Z][a-zA-Z0-9_]{{0,39}}"),
            );
        }
        if body
            .get("executionRoleArn")
            .and_then(Value::as_str)
            .is_none()
        {
            return err(400, "ValidationException", "executionRoleArn is required");
        }
        if self
            .harnesses
            .values()
            .any(|h| h.json["harnessName"] == json!(name) && h.json["status"] != json!("DELETING"))
        {
            return err(
                409,
                "ConflictException",
                format!("A harness named {name} already exists"),
            );
        }
        self.next_id += 1;
        let id = format!("{name}-{:010}", self.next_id);
        let arn = format!("arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT}:harness/{id}");
        let now = self.tick();
        let mut json = Map::new();
        for member in CONFIG_MEMBERS {
            if let Some(value) = body.get(member) {
                json.insert(member.into(), value.clone());
            }
        }
        fill_defaults(&mut json, &id);
        json.insert("harnessId".into(), json!(id));
        json.insert("arn".into(), json!(arn));
        json.insert("status".into(), json!("CREATING"));
        json.insert("harnessVersion".into(), json!("1"));
        json.insert("createdAt".into(), json!(now));
        json.insert("updatedAt".into(), json!(now));
        let tags: BTreeMap<String, String> = body
            .get("tags")
            .and_then(|t| serde_json::from_value(t.clone()).ok())
            .unwrap_or_default();
        self.tags.insert(arn, tags);
        let then = if failure.is_some() {
            "CREATE_FAILED"
        } else {
            "READY"
        };
        let pending = self.pending(then, failure);
        self.harnesses.insert(
            id.clone(),
            Harness {
                json,
                pending,
                endpoints: BTreeMap::new(),
            },
        );
        if let Some(token) = token {
            self.tokens.insert(token, id.clone());
        }
        ok(201, json!({ "harness": self.harness_reply(&id) }))
    }

    fn update_harness(&mut self, id: &str, body: &Value, failure: Option<String>) -> Reply {
        let token = body
            .get("clientToken")
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Some(token) = &token
            && self.tokens.get(token).map(String::as_str) == Some(id)
            && self.harnesses.contains_key(id)
        {
            return ok(200, json!({ "harness": self.harness_reply(id) }));
        }
        let polls = self.polls;
        let now = self.tick();
        let Some(harness) = self.harnesses.get_mut(id) else {
            return not_found(&format!("Harness {id}"));
        };
        let status = harness.json["status"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if !matches!(status.as_str(), "READY" | "UPDATE_FAILED") {
            return err(
                409,
                "ConflictException",
                format!("Harness {id} is {status}; it can be updated only when READY"),
            );
        }
        let Some(patch) = body.as_object() else {
            return err(400, "ValidationException", "the body must be an object");
        };
        for key in patch.keys() {
            if key == "clientToken" {
                continue;
            }
            if !CONFIG_MEMBERS.contains(&key.as_str()) || key == "harnessName" {
                return err(
                    400,
                    "ValidationException",
                    format!("{key} cannot be updated"),
                );
            }
        }
        for (key, value) in patch {
            if key == "clientToken" {
                continue;
            }
            if WRAPPED.contains(&key.as_str()) {
                match value.get("optionalValue").filter(|v| !v.is_null()) {
                    Some(inner) => harness.json.insert(key.clone(), inner.clone()),
                    None => harness.json.remove(key),
                };
            } else if key == "environment" {
                // Read-only members of the backing runtime stay.
                let mut merged = value.clone();
                if let (Some(new), Some(old)) = (
                    merged
                        .get_mut("agentCoreRuntimeEnvironment")
                        .and_then(Value::as_object_mut),
                    harness.json["environment"]["agentCoreRuntimeEnvironment"].as_object(),
                ) {
                    for read_only in ["agentRuntimeArn", "agentRuntimeName", "agentRuntimeId"] {
                        if let Some(v) = old.get(read_only) {
                            new.insert(read_only.into(), v.clone());
                        }
                    }
                }
                harness.json.insert(key.clone(), merged);
            } else {
                harness.json.insert(key.clone(), value.clone());
            }
        }
        if let Some(managed) = harness
            .json
            .get_mut("memory")
            .and_then(|m| m.get_mut("managedMemoryConfiguration"))
            .and_then(Value::as_object_mut)
        {
            managed.entry("arn").or_insert(json!(format!(
                "arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT}:memory/{id}_mem"
            )));
            managed
                .entry("strategies")
                .or_insert(json!(["SEMANTIC", "SUMMARIZATION"]));
            managed.entry("eventExpiryDuration").or_insert(json!(30));
        }
        let version: u64 = harness.json["harnessVersion"]
            .as_str()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1);
        harness
            .json
            .insert("harnessVersion".into(), json!((version + 1).to_string()));
        harness.json.insert("status".into(), json!("UPDATING"));
        harness.json.insert("updatedAt".into(), json!(now));
        let then = if failure.is_some() {
            "UPDATE_FAILED"
        } else {
            "READY"
        };
        harness.pending = Some(Pending {
            polls_left: polls,
            then: then.into(),
            fail_reason: failure,
        });
        if let Some(token) = token {
            self.tokens.insert(token, id.to_string());
        }
        ok(200, json!({ "harness": self.harness_reply(id) }))
    }

    fn create_endpoint(&mut self, id: &str, body: &Value) -> Reply {
        let token = body
            .get("clientToken")
            .and_then(Value::as_str)
            .map(str::to_string);
        let polls = self.polls;
        let now = self.tick();
        let Some(harness) = self.harnesses.get_mut(id) else {
            return not_found(&format!("Harness {id}"));
        };
        let Some(name) = body.get("endpointName").and_then(Value::as_str) else {
            return err(400, "ValidationException", "endpointName is required");
        };
        if let Some(token) = &token
            && self.tokens.get(token).map(String::as_str) == Some(&format!("{id}/{name}"))
            && let Some(existing) = harness.endpoints.get(name)
        {
            return ok(201, json!({ "endpoint": existing.json }));
        }
        if !valid_name(name, 48) || name == "DEFAULT" {
            return err(
                400,
                "ValidationException",
                format!("endpointName `{name}` is not allowed"),
            );
        }
        if harness.endpoints.contains_key(name) {
            return err(
                409,
                "ConflictException",
                format!("Endpoint {name} already exists"),
            );
        }
        if harness.json["status"] != json!("READY") {
            return err(
                409,
                "ConflictException",
                format!("Harness {id} is not READY"),
            );
        }
        let version = harness.json["harnessVersion"].clone();
        let target = body
            .get("targetVersion")
            .cloned()
            .unwrap_or(version.clone());
        if target.as_str().and_then(|t| t.parse::<u64>().ok())
            > version.as_str().and_then(|v| v.parse::<u64>().ok())
        {
            return err(
                400,
                "ValidationException",
                format!("Version {target} does not exist"),
            );
        }
        let harness_arn = harness.json["arn"].as_str().unwrap_or_default().to_string();
        let arn = format!("{harness_arn}/harness-endpoint/{name}");
        let mut json = Map::new();
        json.insert("endpointName".into(), json!(name));
        json.insert("harnessId".into(), json!(id));
        json.insert("harnessName".into(), harness.json["harnessName"].clone());
        json.insert("arn".into(), json!(arn));
        json.insert("status".into(), json!("CREATING"));
        json.insert("targetVersion".into(), target);
        json.insert("createdAt".into(), json!(now));
        json.insert("updatedAt".into(), json!(now));
        if let Some(description) = body.get("description") {
            json.insert("description".into(), description.clone());
        }
        harness.endpoints.insert(
            name.to_string(),
            Endpoint {
                json: json.clone(),
                pending: Some(Pending {
                    polls_left: polls,
                    then: "READY".into(),
                    fail_reason: None,
                }),
            },
        );
        let tags: BTreeMap<String, String> = body
            .get("tags")
            .and_then(|t| serde_json::from_value(t.clone()).ok())
            .unwrap_or_default();
        self.tags.insert(arn, tags);
        if let Some(token) = token {
            self.tokens.insert(token, format!("{id}/{name}"));
        }
        ok(201, json!({ "endpoint": json }))
    }

    fn update_endpoint(&mut self, id: &str, name: &str, body: &Value) -> Reply {
        let polls = self.polls;
        let now = self.tick();
        let Some(harness) = self.harnesses.get_mut(id) else {
            return not_found(&format!("Harness {id}"));
        };
        let version = harness.json["harnessVersion"].clone();
        let harness_ready = harness.json["status"] == json!("READY");
        let Some(endpoint) = harness.endpoints.get_mut(name) else {
            return not_found(&format!("Endpoint {name} of harness {id}"));
        };
        let status = endpoint.json["status"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if !harness_ready || !matches!(status.as_str(), "READY" | "UPDATE_FAILED") {
            return err(
                409,
                "ConflictException",
                format!("Endpoint {name} is {status}"),
            );
        }
        if let Some(target) = body.get("targetVersion") {
            if target.as_str().and_then(|t| t.parse::<u64>().ok())
                > version.as_str().and_then(|v| v.parse::<u64>().ok())
            {
                return err(
                    400,
                    "ValidationException",
                    format!("Version {target} does not exist"),
                );
            }
            endpoint.json.insert("targetVersion".into(), target.clone());
        }
        if let Some(description) = body.get("description") {
            endpoint
                .json
                .insert("description".into(), description.clone());
        }
        endpoint.json.insert("status".into(), json!("UPDATING"));
        endpoint.json.insert("updatedAt".into(), json!(now));
        endpoint.pending = Some(Pending {
            polls_left: polls,
            then: "READY".into(),
            fail_reason: None,
        });
        ok(200, json!({ "endpoint": endpoint.json }))
    }
}

pub struct FakeHarness {
    pub endpoint: String,
    state: Arc<Mutex<State>>,
    server: Arc<tiny_http::Server>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for FakeHarness {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl FakeHarness {
    pub fn start() -> Self {
        let server = Arc::new(loopback::http_server());
        let port = server.server_addr().to_ip().map(|a| a.port()).unwrap_or(0);
        let state = Arc::new(Mutex::new(State {
            clock: 1_767_225_600.0, // 2026-01-01T00:00:00Z, as the epoch seconds the service sends
            page_size: 2,
            polls: 1,
            ..State::default()
        }));
        let thread_server = Arc::clone(&server);
        let thread_state = Arc::clone(&state);
        let thread = std::thread::spawn(move || {
            for mut request in thread_server.incoming_requests() {
                let started = std::time::Instant::now();
                let method = request.method().as_str().to_uppercase();
                let url = request.url().to_string();
                let (path, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
                let mut text = String::new();
                let _ = std::io::Read::read_to_string(request.as_reader(), &mut text);
                let body: Value = serde_json::from_str(&text).unwrap_or(json!({}));
                let reply = thread_state
                    .lock()
                    .unwrap()
                    .handle(&method, path, query, &body);
                let mut response = tiny_http::Response::from_string(reply.body.to_string())
                    .with_status_code(reply.status)
                    .with_header(
                        tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap(),
                    );
                if let Some(kind) = reply.error_type {
                    response = response.with_header(
                        tiny_http::Header::from_bytes("x-amzn-ErrorType", kind.as_bytes()).unwrap(),
                    );
                }
                let _ = request.respond(response);
                thread_state.lock().unwrap().busy += started.elapsed();
            }
        });
        Self {
            endpoint: format!("http://127.0.0.1:{port}"),
            state,
            server,
            thread: Some(thread),
        }
    }

    /// The environment that points an `agentc` process at this fake (see
    /// `FakeBedrockAgent::client_env`).
    pub fn client_env(&self, dir: &std::path::Path) -> Vec<(&'static str, std::ffi::OsString)> {
        vec![
            (
                "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL",
                self.endpoint.clone().into(),
            ),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
            ("AWS_ACCESS_KEY_ID", "test".into()),
            ("AWS_SECRET_ACCESS_KEY", "test".into()),
            ("AWS_REGION", REGION.into()),
            ("AWS_CONFIG_FILE", dir.join("no-aws-config").into()),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                dir.join("no-aws-credentials").into(),
            ),
        ]
    }

    /// Arm a fault for the next `times` calls of `op` (e.g. "UpdateHarness").
    pub fn fail(&self, op: &str, times: u32, fault: Fault) {
        self.state.lock().unwrap().faults.push(Armed {
            op: op.to_string(),
            remaining: times,
            fault,
        });
    }

    /// GetHarness / GetHarnessEndpoint polls a change takes to settle.
    #[allow(
        dead_code,
        reason = "the benchmark settles at once; tests keep the default"
    )]
    pub fn set_polls(&self, polls: u32) {
        self.state.lock().unwrap().polls = polls;
    }

    /// How long the fake spent answering requests so far.
    #[allow(dead_code, reason = "used by benches/, not by the tests")]
    pub fn busy(&self) -> std::time::Duration {
        self.state.lock().unwrap().busy
    }

    pub fn calls(&self) -> Vec<Call> {
        self.state.lock().unwrap().log.clone()
    }

    pub fn clear_log(&self) {
        self.state.lock().unwrap().log.clear();
    }

    pub fn ops(&self) -> Vec<String> {
        self.calls().into_iter().map(|c| c.op).collect()
    }

    pub fn mutating_ops(&self) -> Vec<String> {
        self.ops()
            .into_iter()
            .filter(|op| MUTATING_PREFIXES.iter().any(|p| op.starts_with(p)))
            .collect()
    }

    /// The bodies `op` was sent, in order.
    pub fn bodies(&self, op: &str) -> Vec<Value> {
        self.calls()
            .into_iter()
            .filter(|c| c.op == op)
            .map(|c| c.body)
            .collect()
    }

    /// (id, name, status) of every harness.
    pub fn harnesses(&self) -> Vec<(String, String, String)> {
        let state = self.state.lock().unwrap();
        state
            .harnesses
            .iter()
            .map(|(id, h)| {
                (
                    id.clone(),
                    h.json["harnessName"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    h.json["status"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }

    /// (name, status, liveVersion) of a harness's endpoints.
    pub fn endpoints(&self, id: &str) -> Vec<(String, String, Option<String>)> {
        let state = self.state.lock().unwrap();
        state
            .harnesses
            .get(id)
            .map(|h| {
                h.endpoints
                    .iter()
                    .map(|(name, e)| {
                        (
                            name.clone(),
                            e.json["status"].as_str().unwrap_or_default().to_string(),
                            e.json
                                .get("liveVersion")
                                .and_then(Value::as_str)
                                .map(str::to_string),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn tags(&self, id: &str) -> BTreeMap<String, String> {
        let state = self.state.lock().unwrap();
        let arn = state
            .harnesses
            .get(id)
            .and_then(|h| h.json["arn"].as_str().map(str::to_string))
            .unwrap_or_default();
        state.tags.get(&arn).cloned().unwrap_or_default()
    }

    /// A READY harness made outside agentc, with these tags.
    pub fn insert_foreign_harness(&self, name: &str, tags: &[(&str, &str)]) -> String {
        let mut state = self.state.lock().unwrap();
        let body = json!({
            "harnessName": name,
            "executionRoleArn": format!("arn:aws:iam::{ACCOUNT}:role/ConsoleHarnessRole"),
            "tags": tags.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<Map<_, _>>(),
        });
        let Reply { body, .. } = state.create_harness(&body, None);
        let id = body["harness"]["harnessId"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if let Some(h) = state.harnesses.get_mut(&id) {
            h.pending = None;
            h.json.insert("status".into(), json!("READY"));
        }
        id
    }

    /// Edit the live harness behind agentc's back (drift).
    pub fn set_harness_field(&self, id: &str, key: &str, value: Value) {
        let mut state = self.state.lock().unwrap();
        if let Some(h) = state.harnesses.get_mut(id) {
            h.json.insert(key.into(), value);
        }
    }
}

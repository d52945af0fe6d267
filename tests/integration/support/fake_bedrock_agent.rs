//! A stateful fake of the bedrock-agent control plane (REST-JSON, API 2023-06-05) on 127.0.0.1,
//! for tests that drive the real AWS SDK client through `agentc`. It models what agentc relies
//! on: asynchronous statuses (CREATING → NOT_PREPARED, PREPARING → PREPARED after a poll),
//! name uniqueness, client tokens, refusal to delete an enabled action group, ConflictException
//! on a concurrent prepare, small pages, default prompt configurations, and injectable faults.
//! Every request is logged so tests can assert which calls were made.

use super::loopback;

use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";

/// An injected failure.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// 429 ThrottlingException before the operation runs.
    Throttle,
    /// 500 InternalServerException before the operation runs.
    #[allow(
        dead_code,
        reason = "part of the fault vocabulary; no test injects a plain 500 yet"
    )]
    ServerError,
    /// 400 ValidationException with this message, before the operation runs.
    Validation(String),
    /// 409 ConflictException before the operation runs (e.g. someone else's prepare).
    Conflict,
    /// The operation runs, then the reply is lost (500).
    AfterCommit,
    /// PrepareAgent is accepted, then the agent lands in FAILED with this reason.
    PrepareFails(String),
}

#[derive(Debug, Clone)]
struct Armed {
    op: String,
    remaining: u32,
    fault: Fault,
}

#[derive(Debug, Clone)]
pub struct Call {
    pub op: String,
    #[allow(dead_code, reason = "read through Debug in assertion messages")]
    pub method: String,
    #[allow(dead_code, reason = "read through Debug in assertion messages")]
    pub path: String,
}

const MUTATING_PREFIXES: [&str; 8] = [
    "Create",
    "Update",
    "Delete",
    "Prepare",
    "Associate",
    "Disassociate",
    "Tag",
    "Untag",
];

#[derive(Debug, Clone)]
struct Pending {
    polls_left: u32,
    then: String,
    fail_reason: Option<String>,
}

#[derive(Debug, Clone)]
struct Alias {
    json: Map<String, Value>,
    pending: Option<Pending>,
}

#[derive(Debug, Clone)]
struct Agent {
    json: Map<String, Value>,
    pending: Option<Pending>,
    action_groups: BTreeMap<String, Map<String, Value>>,
    knowledge_bases: BTreeMap<String, Map<String, Value>>,
    aliases: BTreeMap<String, Alias>,
    versions: u32,
    deleting: bool,
}

#[derive(Default)]
struct State {
    clock_ms: i64,
    next_id: u64,
    agents: BTreeMap<String, Agent>,
    tags: BTreeMap<String, BTreeMap<String, String>>,
    tokens: BTreeMap<String, String>,
    log: Vec<Call>,
    faults: Vec<Armed>,
    page_size: usize,
    /// Time spent answering requests (read body → response written).
    busy: std::time::Duration,
}

pub struct FakeBedrockAgent {
    pub endpoint: String,
    state: Arc<Mutex<State>>,
    server: Arc<tiny_http::Server>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for FakeBedrockAgent {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn iso8601(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

const PROMPT_DEFAULTS: [(&str, &str); 5] = [
    ("PRE_PROCESSING", "DISABLED"),
    ("ORCHESTRATION", "ENABLED"),
    ("POST_PROCESSING", "DISABLED"),
    ("KNOWLEDGE_BASE_RESPONSE_GENERATION", "ENABLED"),
    ("MEMORY_SUMMARIZATION", "ENABLED"),
];

/// The service answers with every prompt type, defaults filled in, overrides merged.
fn merge_prompts(given: Option<&Value>) -> Value {
    let given: Vec<Value> = given
        .and_then(|p| p.get("promptConfigurations"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut out = Vec::new();
    for (kind, default_state) in PROMPT_DEFAULTS {
        let mut prompt = json!({
            "promptType": kind,
            "promptCreationMode": "DEFAULT",
            "promptState": default_state,
            "basePromptTemplate": format!("(default {kind} template) $question$"),
            "parserMode": "DEFAULT",
            "inferenceConfiguration": {"temperature": 0.0, "topP": 1.0, "topK": 250, "maximumLength": 2048, "stopSequences": ["</answer>"]},
        });
        if let Some(custom) = given
            .iter()
            .find(|p| p.get("promptType").and_then(Value::as_str) == Some(kind))
            && let (Some(target), Some(source)) = (prompt.as_object_mut(), custom.as_object())
        {
            for (k, v) in source {
                target.insert(k.clone(), v.clone());
            }
        }
        out.push(prompt);
    }
    json!({ "promptConfigurations": out })
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

fn op_name(method: &str, segments: &[&str]) -> String {
    let op = match (segments, method) {
        (["agents"], "PUT") => "CreateAgent",
        (["agents"], "POST") => "ListAgents",
        (["agents", _], "GET") => "GetAgent",
        (["agents", _], "PUT") => "UpdateAgent",
        (["agents", _], "POST") => "PrepareAgent",
        (["agents", _], "DELETE") => "DeleteAgent",
        (["agents", _, "agentversions", _, "actiongroups"], "PUT") => "CreateAgentActionGroup",
        (["agents", _, "agentversions", _, "actiongroups"], "POST") => "ListAgentActionGroups",
        (["agents", _, "agentversions", _, "actiongroups", _], "GET") => "GetAgentActionGroup",
        (["agents", _, "agentversions", _, "actiongroups", _], "PUT") => "UpdateAgentActionGroup",
        (["agents", _, "agentversions", _, "actiongroups", _], "DELETE") => {
            "DeleteAgentActionGroup"
        }
        (["agents", _, "agentversions", _, "knowledgebases"], "PUT") => {
            "AssociateAgentKnowledgeBase"
        }
        (["agents", _, "agentversions", _, "knowledgebases"], "POST") => "ListAgentKnowledgeBases",
        (["agents", _, "agentversions", _, "knowledgebases", _], "GET") => "GetAgentKnowledgeBase",
        (["agents", _, "agentversions", _, "knowledgebases", _], "PUT") => {
            "UpdateAgentKnowledgeBase"
        }
        (["agents", _, "agentversions", _, "knowledgebases", _], "DELETE") => {
            "DisassociateAgentKnowledgeBase"
        }
        (["agents", _, "agentaliases"], "PUT") => "CreateAgentAlias",
        (["agents", _, "agentaliases"], "POST") => "ListAgentAliases",
        (["agents", _, "agentaliases", _], "GET") => "GetAgentAlias",
        (["agents", _, "agentaliases", _], "PUT") => "UpdateAgentAlias",
        (["agents", _, "agentaliases", _], "DELETE") => "DeleteAgentAlias",
        (["tags", _], "GET") => "ListTagsForResource",
        (["tags", _], "POST") => "TagResource",
        (["tags", _], "DELETE") => "UntagResource",
        _ => "Unknown",
    };
    op.to_string()
}

impl State {
    fn tick(&mut self) -> i64 {
        self.clock_ms += 1000;
        self.clock_ms
    }

    fn new_id(&mut self, prefix: char) -> String {
        self.next_id += 1;
        format!("{prefix}{:09}", self.next_id)
    }

    fn page(&self, items: Vec<Value>, body: &Value) -> (Vec<Value>, Option<String>) {
        let start: usize = body
            .get("nextToken")
            .and_then(Value::as_str)
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let size = body
            .get("maxResults")
            .and_then(Value::as_u64)
            .map_or(self.page_size, |m| (m as usize).min(self.page_size));
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

    /// One poll of an agent: a pending transition completes on the poll after the one that saw it.
    fn poll_agent(&mut self, id: &str) {
        let now = self.clock_ms + 1;
        let Some(agent) = self.agents.get_mut(id) else {
            return;
        };
        let Some(pending) = &mut agent.pending else {
            return;
        };
        if pending.polls_left > 0 {
            pending.polls_left -= 1;
            return;
        }
        let pending = agent.pending.take().unwrap();
        if agent.deleting {
            self.agents.remove(id);
            return;
        }
        agent.json.insert("agentStatus".into(), json!(pending.then));
        match pending.fail_reason {
            Some(reason) => {
                agent.json.insert("failureReasons".into(), json!([reason]));
            }
            None => {
                agent.json.insert("failureReasons".into(), json!([]));
            }
        }
        if pending.then == "PREPARED" {
            self.clock_ms = now;
            agent.json.insert("preparedAt".into(), json!(iso8601(now)));
        }
    }

    fn draft_changed(&mut self, id: &str) {
        let now = self.tick();
        if let Some(agent) = self.agents.get_mut(id) {
            if agent.json.get("agentStatus").and_then(Value::as_str) == Some("PREPARED") {
                agent
                    .json
                    .insert("agentStatus".into(), json!("NOT_PREPARED"));
            }
            agent.json.insert("updatedAt".into(), json!(iso8601(now)));
        }
    }

    fn agent_fields(&self, body: &Value, target: &mut Map<String, Value>) {
        for key in [
            "agentName",
            "instruction",
            "foundationModel",
            "description",
            "agentResourceRoleArn",
            "customerEncryptionKeyArn",
            "guardrailConfiguration",
            "memoryConfiguration",
            "orchestrationType",
            "customOrchestration",
            "agentCollaboration",
        ] {
            match body.get(key) {
                Some(value) => {
                    target.insert(key.into(), value.clone());
                }
                None => {
                    if !matches!(key, "agentName" | "agentResourceRoleArn") {
                        target.remove(key);
                    }
                }
            }
        }
        // Smithy defaults are left off the wire by the SDK: the service fills them in.
        if let Some(memory) = target
            .get_mut("memoryConfiguration")
            .and_then(Value::as_object_mut)
        {
            memory.entry("storageDays").or_insert(json!(30));
        }
        target.insert(
            "idleSessionTTLInSeconds".into(),
            body.get("idleSessionTTLInSeconds")
                .cloned()
                .unwrap_or(json!(600)),
        );
        // Left out of an update, the prompt configuration stays as it was (the harsher reading
        // of the API: agentc must reset overrides explicitly).
        match body.get("promptOverrideConfiguration") {
            Some(given) => {
                target.insert(
                    "promptOverrideConfiguration".into(),
                    merge_prompts(Some(given)),
                );
            }
            None => {
                if !target.contains_key("promptOverrideConfiguration") {
                    target.insert("promptOverrideConfiguration".into(), merge_prompts(None));
                }
            }
        }
    }

    fn handle(&mut self, method: &str, path: &str, query: &str, body: &Value) -> Reply {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let op = op_name(method, &segments);
        self.log.push(Call {
            op: op.clone(),
            method: method.to_string(),
            path: path.to_string(),
        });
        let mut after_commit = false;
        let mut prepare_failure = None;
        if let Some(armed) = self
            .faults
            .iter_mut()
            .find(|f| f.op == op && f.remaining > 0)
        {
            armed.remaining -= 1;
            match armed.fault.clone() {
                Fault::Throttle => return err(429, "ThrottlingException", "Rate exceeded"),
                Fault::ServerError => {
                    return err(
                        500,
                        "InternalServerException",
                        "Internal server error (injected)",
                    );
                }
                Fault::Validation(message) => return err(400, "ValidationException", message),
                Fault::Conflict => {
                    return err(
                        409,
                        "ConflictException",
                        "Prepare operation can't be performed on Agent when it is in Preparing state",
                    );
                }
                Fault::AfterCommit => after_commit = true,
                Fault::PrepareFails(reason) => prepare_failure = Some(reason),
            }
        }
        let reply = self.dispatch(&op, &segments, query, body, prepare_failure);
        if after_commit && reply.status < 300 {
            return err(
                500,
                "InternalServerException",
                "Internal server error after commit (injected)",
            );
        }
        reply
    }

    fn dispatch(
        &mut self,
        op: &str,
        s: &[&str],
        query: &str,
        body: &Value,
        prepare_failure: Option<String>,
    ) -> Reply {
        let str_of = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_string);
        match op {
            "ListAgents" => {
                let items: Vec<Value> = self
                    .agents
                    .values()
                    .map(|a| {
                        json!({
                            "agentId": a.json["agentId"], "agentName": a.json["agentName"],
                            "agentStatus": a.json["agentStatus"], "updatedAt": a.json["updatedAt"],
                            "latestAgentVersion": a.versions.to_string(),
                        })
                    })
                    .collect();
                let (page, next) = self.page(items, body);
                ok(200, json!({ "agentSummaries": page, "nextToken": next }))
            }
            "CreateAgent" => {
                let name = str_of("agentName").unwrap_or_default();
                if let Some(token) = str_of("clientToken")
                    && let Some(id) = self.tokens.get(&token).cloned()
                    && let Some(agent) = self.agents.get(&id)
                {
                    return ok(202, json!({ "agent": agent.json }));
                }
                if self
                    .agents
                    .values()
                    .any(|a| a.json["agentName"] == json!(name))
                {
                    return err(
                        409,
                        "ConflictException",
                        format!("Could not create agent: an agent named {name} already exists"),
                    );
                }
                let id = self.new_id('A');
                let now = self.tick();
                let arn = format!("arn:aws:bedrock:{REGION}:{ACCOUNT}:agent/{id}");
                let mut json = Map::new();
                json.insert("agentId".into(), json!(id));
                json.insert("agentArn".into(), json!(arn));
                json.insert("agentVersion".into(), json!("DRAFT"));
                json.insert("agentStatus".into(), json!("CREATING"));
                json.insert("createdAt".into(), json!(iso8601(now)));
                json.insert("updatedAt".into(), json!(iso8601(now)));
                self.agent_fields(body, &mut json);
                if let Some(tags) = body.get("tags").and_then(Value::as_object) {
                    let tags = tags
                        .iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                        .collect();
                    self.tags.insert(arn.clone(), tags);
                }
                if let Some(token) = str_of("clientToken") {
                    self.tokens.insert(token, id.clone());
                }
                let agent = Agent {
                    json: json.clone(),
                    pending: Some(Pending {
                        polls_left: 1,
                        then: "NOT_PREPARED".into(),
                        fail_reason: None,
                    }),
                    action_groups: BTreeMap::new(),
                    knowledge_bases: BTreeMap::new(),
                    aliases: BTreeMap::new(),
                    versions: 0,
                    deleting: false,
                };
                self.agents.insert(id, agent);
                ok(202, json!({ "agent": json }))
            }
            "GetAgent" => {
                self.poll_agent(s[1]);
                match self.agents.get(s[1]) {
                    Some(agent) => ok(200, json!({ "agent": agent.json })),
                    None => not_found(&format!("Agent {}", s[1])),
                }
            }
            "UpdateAgent" => {
                let now = self.tick();
                let mut json = match self.agents.get(s[1]) {
                    Some(agent) if agent.pending.is_some() => {
                        return err(
                            409,
                            "ConflictException",
                            "The agent is busy with another operation",
                        );
                    }
                    Some(agent) => agent.json.clone(),
                    None => return not_found(&format!("Agent {}", s[1])),
                };
                self.agent_fields(body, &mut json);
                json.insert("agentStatus".into(), json!("UPDATING"));
                json.insert("updatedAt".into(), json!(iso8601(now)));
                let agent = self.agents.get_mut(s[1]).unwrap();
                agent.json = json.clone();
                agent.pending = Some(Pending {
                    polls_left: 1,
                    then: "NOT_PREPARED".into(),
                    fail_reason: None,
                });
                ok(202, json!({ "agent": json }))
            }
            "PrepareAgent" => {
                let Some(agent) = self.agents.get_mut(s[1]) else {
                    return not_found(&format!("Agent {}", s[1]));
                };
                if agent.json.get("agentStatus").and_then(Value::as_str) == Some("PREPARING") {
                    return err(
                        409,
                        "ConflictException",
                        "Prepare operation can't be performed on Agent when it is in Preparing state",
                    );
                }
                if agent.pending.is_some() {
                    return err(
                        409,
                        "ConflictException",
                        "The agent is busy with another operation",
                    );
                }
                agent.json.insert("agentStatus".into(), json!("PREPARING"));
                let then = if prepare_failure.is_some() {
                    "FAILED"
                } else {
                    "PREPARED"
                };
                agent.pending = Some(Pending {
                    polls_left: 1,
                    then: then.into(),
                    fail_reason: prepare_failure,
                });
                ok(
                    202,
                    json!({ "agentId": s[1], "agentStatus": "PREPARING", "agentVersion": "DRAFT", "preparedAt": iso8601(self.clock_ms) }),
                )
            }
            "DeleteAgent" => {
                let Some(agent) = self.agents.get_mut(s[1]) else {
                    return not_found(&format!("Agent {}", s[1]));
                };
                let skip = query.contains("skipResourceInUseCheck=true");
                if !skip && !agent.aliases.is_empty() {
                    return err(
                        400,
                        "ValidationException",
                        "Agent is in use by aliases; use skipResourceInUseCheck",
                    );
                }
                agent.deleting = true;
                agent.json.insert("agentStatus".into(), json!("DELETING"));
                agent.pending = Some(Pending {
                    polls_left: 1,
                    then: "DELETED".into(),
                    fail_reason: None,
                });
                ok(202, json!({ "agentId": s[1], "agentStatus": "DELETING" }))
            }
            "ListTagsForResource" => {
                let arn = percent_decode(s[1]);
                ok(
                    200,
                    json!({ "tags": self.tags.get(&arn).cloned().unwrap_or_default() }),
                )
            }
            "TagResource" => {
                let arn = percent_decode(s[1]);
                let entry = self.tags.entry(arn).or_default();
                if let Some(tags) = body.get("tags").and_then(Value::as_object) {
                    for (k, v) in tags {
                        entry.insert(k.clone(), v.as_str().unwrap_or_default().to_string());
                    }
                }
                ok(200, json!({}))
            }
            "UntagResource" => {
                let arn = percent_decode(s[1]);
                let keys: Vec<String> = query
                    .split('&')
                    .filter_map(|kv| kv.strip_prefix("tagKeys="))
                    .map(percent_decode)
                    .collect();
                if let Some(entry) = self.tags.get_mut(&arn) {
                    for key in keys {
                        entry.remove(&key);
                    }
                }
                ok(200, json!({}))
            }
            _ => self.dispatch_children(op, s, query, body),
        }
    }

    fn dispatch_children(&mut self, op: &str, s: &[&str], query: &str, body: &Value) -> Reply {
        let agent_id = s[1].to_string();
        let now = self.tick();
        let page_size = self.page_size;
        let str_of = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_string);
        let token = str_of("clientToken");
        let token_hit = token.as_ref().and_then(|t| self.tokens.get(t).cloned());
        let Some(agent) = self.agents.get_mut(&agent_id) else {
            return not_found(&format!("Agent {agent_id}"));
        };
        if matches!(
            agent.json.get("agentStatus").and_then(Value::as_str),
            Some("CREATING" | "UPDATING" | "PREPARING" | "DELETING")
        ) && !op.starts_with("Get")
            && !op.starts_with("List")
        {
            let status = agent.json["agentStatus"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            return err(
                409,
                "ConflictException",
                format!("Agent {agent_id} is in {status} state"),
            );
        }
        let list = |items: Vec<Value>| -> (Vec<Value>, Option<String>) {
            let start: usize = body
                .get("nextToken")
                .and_then(Value::as_str)
                .and_then(|t| t.parse().ok())
                .unwrap_or(0);
            let end = (start + page_size).min(items.len());
            let next = (end < items.len()).then(|| end.to_string());
            (
                items
                    .get(start..end)
                    .map(<[Value]>::to_vec)
                    .unwrap_or_default(),
                next,
            )
        };
        let mut draft_changed = false;
        let reply = match op {
            "ListAgentActionGroups" => {
                let items = agent
                    .action_groups
                    .values()
                    .map(|g| json!({ "actionGroupId": g["actionGroupId"], "actionGroupName": g["actionGroupName"], "actionGroupState": g["actionGroupState"], "updatedAt": g["updatedAt"] }))
                    .collect();
                let (page, next) = list(items);
                ok(
                    200,
                    json!({ "actionGroupSummaries": page, "nextToken": next }),
                )
            }
            "GetAgentActionGroup" => match agent.action_groups.get(s[5]) {
                Some(group) => ok(200, json!({ "agentActionGroup": group })),
                None => not_found(&format!("Action group {}", s[5])),
            },
            "CreateAgentActionGroup" => {
                if let Some(existing) = token_hit
                    .as_ref()
                    .and_then(|id| agent.action_groups.get(id))
                {
                    return ok(200, json!({ "agentActionGroup": existing }));
                }
                let name = str_of("actionGroupName").unwrap_or_default();
                if agent
                    .action_groups
                    .values()
                    .any(|g| g["actionGroupName"] == json!(name))
                {
                    return err(
                        409,
                        "ConflictException",
                        format!("An action group named {name} already exists"),
                    );
                }
                if let Some(refusal) = built_in_refusal(body) {
                    return refusal;
                }
                self.next_id += 1;
                let id = format!("G{:09}", self.next_id);
                let mut group = body.as_object().cloned().unwrap_or_default();
                group.remove("clientToken");
                rename_signature(&mut group);
                group.insert("actionGroupId".into(), json!(id));
                group.insert("agentId".into(), json!(agent_id));
                group.insert("agentVersion".into(), json!("DRAFT"));
                group.entry("actionGroupState").or_insert(json!("ENABLED"));
                group.insert("createdAt".into(), json!(iso8601(now)));
                group.insert("updatedAt".into(), json!(iso8601(now)));
                let agent = self.agents.get_mut(&agent_id).unwrap();
                agent.action_groups.insert(id.clone(), group.clone());
                if let Some(token) = token {
                    self.tokens.insert(token, id);
                }
                draft_changed = true;
                ok(200, json!({ "agentActionGroup": group }))
            }
            "UpdateAgentActionGroup" => {
                let Some(group) = agent.action_groups.get_mut(s[5]) else {
                    return not_found(&format!("Action group {}", s[5]));
                };
                if let Some(refusal) = built_in_refusal(body) {
                    return refusal;
                }
                for key in [
                    "description",
                    "actionGroupExecutor",
                    "apiSchema",
                    "functionSchema",
                    "parentActionSignature",
                    "parentActionGroupSignatureParams",
                ] {
                    group.remove(key);
                }
                if let Some(fields) = body.as_object() {
                    for (k, v) in fields {
                        group.insert(k.clone(), v.clone());
                    }
                }
                rename_signature(group);
                group.insert("updatedAt".into(), json!(iso8601(now)));
                draft_changed = true;
                ok(200, json!({ "agentActionGroup": group }))
            }
            "DeleteAgentActionGroup" => {
                let Some(group) = agent.action_groups.get(s[5]) else {
                    return not_found(&format!("Action group {}", s[5]));
                };
                if group["actionGroupState"] == json!("ENABLED")
                    && !query.contains("skipResourceInUseCheck=true")
                {
                    let name = group["actionGroupName"].as_str().unwrap_or_default();
                    return err(
                        400,
                        "ValidationException",
                        format!(
                            "ActionGroup with name {name} cannot be deleted when it is Enabled. Either use SkipResourceInUseCheckOnDelete flag or mark it as Disabled."
                        ),
                    );
                }
                agent.action_groups.remove(s[5]);
                draft_changed = true;
                ok(204, json!({}))
            }
            "ListAgentKnowledgeBases" => {
                let items = agent
                    .knowledge_bases
                    .values()
                    .cloned()
                    .map(Value::Object)
                    .collect();
                let (page, next) = list(items);
                ok(
                    200,
                    json!({ "agentKnowledgeBaseSummaries": page, "nextToken": next }),
                )
            }
            "AssociateAgentKnowledgeBase" => {
                let id = str_of("knowledgeBaseId").unwrap_or_default();
                if agent.knowledge_bases.contains_key(&id) {
                    return err(
                        409,
                        "ConflictException",
                        format!("Knowledge base {id} is already associated"),
                    );
                }
                let kb = json!({ "knowledgeBaseId": id, "description": body["description"], "knowledgeBaseState": body.get("knowledgeBaseState").cloned().unwrap_or(json!("ENABLED")), "updatedAt": iso8601(now) });
                agent
                    .knowledge_bases
                    .insert(id, kb.as_object().cloned().unwrap_or_default());
                draft_changed = true;
                ok(200, json!({ "agentKnowledgeBase": kb }))
            }
            "UpdateAgentKnowledgeBase" => {
                let Some(kb) = agent.knowledge_bases.get_mut(s[5]) else {
                    return not_found(&format!("Knowledge base {}", s[5]));
                };
                for key in ["description", "knowledgeBaseState"] {
                    if let Some(v) = body.get(key) {
                        kb.insert(key.into(), v.clone());
                    }
                }
                draft_changed = true;
                ok(200, json!({ "agentKnowledgeBase": kb }))
            }
            "DisassociateAgentKnowledgeBase" => {
                if agent.knowledge_bases.remove(s[5]).is_none() {
                    return not_found(&format!("Knowledge base {}", s[5]));
                }
                draft_changed = true;
                ok(204, json!({}))
            }
            "ListAgentAliases" => {
                for alias in agent.aliases.values_mut() {
                    settle_alias(alias);
                }
                let items = agent
                    .aliases
                    .values()
                    .map(|a| {
                        json!({
                            "agentAliasId": a.json["agentAliasId"], "agentAliasName": a.json["agentAliasName"],
                            "agentAliasStatus": a.json["agentAliasStatus"], "routingConfiguration": a.json["routingConfiguration"],
                            "createdAt": a.json["createdAt"], "updatedAt": a.json["updatedAt"],
                        })
                    })
                    .collect();
                let (page, next) = list(items);
                ok(
                    200,
                    json!({ "agentAliasSummaries": page, "nextToken": next }),
                )
            }
            "GetAgentAlias" => match agent.aliases.get_mut(s[3]) {
                Some(alias) => {
                    poll_alias(alias);
                    ok(200, json!({ "agentAlias": alias.json }))
                }
                None => not_found(&format!("Alias {}", s[3])),
            },
            "CreateAgentAlias" | "UpdateAgentAlias" => {
                if agent.json.get("agentStatus").and_then(Value::as_str) != Some("PREPARED") {
                    return err(
                        400,
                        "ValidationException",
                        "Create or update an alias only after the agent is PREPARED",
                    );
                }
                if op == "CreateAgentAlias" {
                    if let Some(existing) = token_hit.as_ref().and_then(|id| agent.aliases.get(id))
                    {
                        return ok(202, json!({ "agentAlias": existing.json }));
                    }
                    let name = str_of("agentAliasName").unwrap_or_default();
                    if agent
                        .aliases
                        .values()
                        .any(|a| a.json["agentAliasName"] == json!(name))
                    {
                        return err(
                            409,
                            "ConflictException",
                            format!("An alias named {name} already exists"),
                        );
                    }
                }
                agent.versions += 1;
                let version = agent.versions.to_string();
                let id = if op == "CreateAgentAlias" {
                    self.next_id += 1;
                    format!("L{:09}", self.next_id)
                } else {
                    s[3].to_string()
                };
                let agent = self.agents.get_mut(&agent_id).unwrap();
                let created = agent
                    .aliases
                    .get(&id)
                    .map_or(json!(iso8601(now)), |a| a.json["createdAt"].clone());
                if op == "UpdateAgentAlias" && !agent.aliases.contains_key(&id) {
                    return not_found(&format!("Alias {id}"));
                }
                let json = json!({
                    "agentId": agent_id, "agentAliasId": id,
                    "agentAliasName": body.get("agentAliasName").cloned().unwrap_or(json!("")),
                    "agentAliasArn": format!("arn:aws:bedrock:{REGION}:{ACCOUNT}:agent-alias/{agent_id}/{id}"),
                    "routingConfiguration": [{ "agentVersion": version }],
                    "createdAt": created, "updatedAt": iso8601(now),
                    "agentAliasStatus": if op == "CreateAgentAlias" { "CREATING" } else { "UPDATING" },
                });
                agent.aliases.insert(
                    id.clone(),
                    Alias {
                        json: json.as_object().cloned().unwrap_or_default(),
                        pending: Some(Pending {
                            polls_left: 1,
                            then: "PREPARED".into(),
                            fail_reason: None,
                        }),
                    },
                );
                if op == "CreateAgentAlias"
                    && let Some(tags) = body.get("tags").and_then(Value::as_object)
                {
                    let arn = json["agentAliasArn"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string();
                    let tags = tags
                        .iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                        .collect();
                    self.tags.insert(arn, tags);
                }
                if let Some(token) = token.filter(|_| op == "CreateAgentAlias") {
                    self.tokens.insert(token, id);
                }
                ok(202, json!({ "agentAlias": json }))
            }
            "DeleteAgentAlias" => {
                agent.aliases.remove(s[3]);
                ok(
                    202,
                    json!({ "agentId": agent_id, "agentAliasId": s[3], "agentAliasStatus": "DELETING" }),
                )
            }
            _ => err(
                400,
                "UnknownOperationException",
                format!("{op} is not modelled by the fake"),
            ),
        };
        if draft_changed {
            self.draft_changed(&agent_id);
        }
        reply
    }
}

fn poll_alias(alias: &mut Alias) {
    if let Some(pending) = &mut alias.pending {
        if pending.polls_left > 0 {
            pending.polls_left -= 1;
        } else {
            let then = pending.then.clone();
            alias.pending = None;
            alias.json.insert("agentAliasStatus".into(), json!(then));
        }
    }
}

/// The service's rule for built-in groups (`parentActionGroupSignature`): no description,
/// executor or schema of their own.
fn built_in_refusal(body: &Value) -> Option<Reply> {
    body.get("parentActionGroupSignature")?;
    [
        "description",
        "actionGroupExecutor",
        "apiSchema",
        "functionSchema",
    ]
    .iter()
    .find(|key| body.get(**key).is_some())
    .map(|key| {
        err(
            400,
            "ValidationException",
            format!(
                "{key} must be left blank for an action group with a parentActionGroupSignature"
            ),
        )
    })
}

/// Requests say `parentActionGroupSignature`, the stored group (and Get) `parentActionSignature`.
fn rename_signature(group: &mut Map<String, Value>) {
    if let Some(signature) = group.remove("parentActionGroupSignature") {
        group.insert("parentActionSignature".into(), signature);
    }
}

fn settle_alias(alias: &mut Alias) {
    if alias.pending.is_some() {
        poll_alias(alias);
    }
}

impl FakeBedrockAgent {
    /// The environment that points an `agentc` process at this fake: its endpoint, test
    /// credentials, and AWS config files that do not exist (in `dir`), so that nothing of the
    /// machine's own AWS set-up is read. The caller removes `AWS_PROFILE`.
    pub fn client_env(&self, dir: &std::path::Path) -> Vec<(&'static str, std::ffi::OsString)> {
        vec![
            (
                "AWS_ENDPOINT_URL_BEDROCK_AGENT",
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

    pub fn start() -> Self {
        let server = Arc::new(loopback::http_server());
        let port = server.server_addr().to_ip().map(|a| a.port()).unwrap_or(0);
        let state = Arc::new(Mutex::new(State {
            clock_ms: 1_767_225_600_000, // 2026-01-01T00:00:00Z
            page_size: 2,
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

    /// Arm a fault for the next `times` calls of `op` (e.g. "CreateAgentActionGroup").
    pub fn fail(&self, op: &str, times: u32, fault: Fault) {
        self.state.lock().unwrap().faults.push(Armed {
            op: op.to_string(),
            remaining: times,
            fault,
        });
    }

    /// How long the fake spent answering requests so far.
    #[allow(dead_code, reason = "used by benches/ and examples/, not by the tests")]
    pub fn busy(&self) -> std::time::Duration {
        self.state.lock().unwrap().busy
    }

    #[allow(
        dead_code,
        reason = "for a test that disarms faults halfway; none does yet"
    )]
    pub fn clear_faults(&self) {
        self.state.lock().unwrap().faults.clear();
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

    pub fn count(&self, op: &str) -> usize {
        self.ops().iter().filter(|o| *o == op).count()
    }

    /// Agents by name → id.
    pub fn agents(&self) -> Vec<(String, String)> {
        let state = self.state.lock().unwrap();
        state
            .agents
            .values()
            .map(|a| {
                (
                    a.json["agentName"].as_str().unwrap_or_default().to_string(),
                    a.json["agentId"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }

    pub fn agent_json(&self, id: &str) -> Option<Value> {
        self.state
            .lock()
            .unwrap()
            .agents
            .get(id)
            .map(|a| Value::Object(a.json.clone()))
    }

    pub fn action_group_names(&self, agent_id: &str) -> Vec<String> {
        let state = self.state.lock().unwrap();
        state
            .agents
            .get(agent_id)
            .map(|a| {
                a.action_groups
                    .values()
                    .map(|g| {
                        g["actionGroupName"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string()
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn knowledge_base_ids(&self, agent_id: &str) -> Vec<String> {
        let state = self.state.lock().unwrap();
        state
            .agents
            .get(agent_id)
            .map(|a| a.knowledge_bases.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// (name, routed version, status) of each alias.
    pub fn aliases(&self, agent_id: &str) -> Vec<(String, String, String)> {
        let state = self.state.lock().unwrap();
        state
            .agents
            .get(agent_id)
            .map(|a| {
                a.aliases
                    .values()
                    .map(|l| {
                        (
                            l.json["agentAliasName"]
                                .as_str()
                                .unwrap_or_default()
                                .to_string(),
                            l.json["routingConfiguration"][0]["agentVersion"]
                                .as_str()
                                .unwrap_or_default()
                                .to_string(),
                            l.json["agentAliasStatus"]
                                .as_str()
                                .unwrap_or_default()
                                .to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn tags(&self, agent_id: &str) -> BTreeMap<String, String> {
        let state = self.state.lock().unwrap();
        let arn = format!("arn:aws:bedrock:{REGION}:{ACCOUNT}:agent/{agent_id}");
        state.tags.get(&arn).cloned().unwrap_or_default()
    }

    /// The stored action group of this name, as GetAgentActionGroup returns it.
    pub fn action_group_json(&self, agent_id: &str, name: &str) -> Option<Value> {
        let state = self.state.lock().unwrap();
        let agent = state.agents.get(agent_id)?;
        agent
            .action_groups
            .values()
            .find(|g| g["actionGroupName"] == json!(name))
            .map(|g| Value::Object(g.clone()))
    }

    /// Tags of the agent's alias of this name.
    pub fn alias_tags(&self, agent_id: &str, alias_name: &str) -> BTreeMap<String, String> {
        let state = self.state.lock().unwrap();
        let arn = state
            .agents
            .get(agent_id)
            .and_then(|a| {
                a.aliases
                    .values()
                    .find(|l| l.json["agentAliasName"] == json!(alias_name))
            })
            .and_then(|l| l.json["agentAliasArn"].as_str())
            .unwrap_or_default();
        state.tags.get(arn).cloned().unwrap_or_default()
    }

    /// An agent made outside agentc (console, other tools): PREPARED, with these tags.
    pub fn insert_foreign_agent(&self, name: &str, tags: &[(&str, &str)]) -> String {
        let mut state = self.state.lock().unwrap();
        let id = state.new_id('F');
        let now = state.tick();
        let arn = format!("arn:aws:bedrock:{REGION}:{ACCOUNT}:agent/{id}");
        let mut json = Map::new();
        json.insert("agentId".into(), json!(id));
        json.insert("agentArn".into(), json!(arn));
        json.insert("agentVersion".into(), json!("DRAFT"));
        json.insert("agentStatus".into(), json!("PREPARED"));
        json.insert("createdAt".into(), json!(iso8601(now)));
        json.insert("updatedAt".into(), json!(iso8601(now)));
        json.insert("preparedAt".into(), json!(iso8601(now)));
        let body = json!({
            "agentName": name,
            "instruction": "You were created in the console. Answer questions about the weather politely.",
            "foundationModel": "amazon.nova-lite-v1:0",
            "agentResourceRoleArn": format!("arn:aws:iam::{ACCOUNT}:role/ConsoleAgentRole"),
        });
        state.agent_fields(&body, &mut json);
        state.tags.insert(
            arn,
            tags.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        state.agents.insert(
            id.clone(),
            Agent {
                json,
                pending: None,
                action_groups: BTreeMap::new(),
                knowledge_bases: BTreeMap::new(),
                aliases: BTreeMap::new(),
                versions: 0,
                deleting: false,
            },
        );
        id
    }

    /// Edit an action group behind agentc's back (e.g. make it a built-in).
    pub fn set_action_group_field(&self, agent_id: &str, name: &str, key: &str, value: Value) {
        let mut state = self.state.lock().unwrap();
        if let Some(agent) = state.agents.get_mut(agent_id) {
            for group in agent.action_groups.values_mut() {
                if group["actionGroupName"] == json!(name) {
                    group.insert(key.into(), value.clone());
                }
            }
        }
    }

    /// Edit the live agent behind agentc's back (drift).
    pub fn set_agent_field(&self, agent_id: &str, key: &str, value: Value) {
        let mut state = self.state.lock().unwrap();
        let now = state.tick();
        if let Some(agent) = state.agents.get_mut(agent_id) {
            agent.json.insert(key.into(), value);
            agent.json.insert("updatedAt".into(), json!(iso8601(now)));
        }
    }
}

#[test]
fn iso8601_formats_the_epoch_and_a_leap_day() {
    assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
    assert_eq!(iso8601(1_709_164_800_123), "2024-02-29T00:00:00.123Z");
}

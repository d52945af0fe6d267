//! `agentc serve` under load (issue 10): a local Converse server with 50 ms of simulated model
//! latency, 200 concurrent sessions, 2,000 turns of one tool call each (two model calls per
//! turn, the tool an `http` handler on the same local server), every request SigV4-signed and
//! verified. Reports errors, lost or interleaved turns (read back from the session store once
//! the server has stopped), agentc's overhead per turn — the caller's turn time minus the
//! model time the Converse server spent on that turn's two calls, so an upper bound that also
//! holds the loopback HTTP and this client's own parsing — as p50/p90/p99/max, the server's
//! own `agentc_serve_overhead_seconds` histogram, the server's resident memory while 200
//! sessions are open, and CPU time per turn of the server, of this process (client and fake)
//! and of the rest of the machine: on a saturated machine the overhead is queueing for a core,
//! and these say whose work fills it.
//!
//! `cargo bench --profile profiling --no-default-features --features serve --bench
//! serve_load` (release code). `SERVE_LOAD_SESSIONS`, `SERVE_LOAD_TURNS`,
//! `SERVE_LOAD_LATENCY_MS` change the load.
//!
//! `SERVE_LOAD_THINK_MS=T`: each session waits a random think time (exponential, mean T ms)
//! before each of its turns, as a person reading the answer does; 0 (the default) is a closed
//! loop, every session sending its next turn the moment the last one ends — 200 sessions then
//! offer 2,000 turns/s, 4,000 model calls/s.
//!
//! `SERVE_LOAD_FLOOR=1` measures the floor instead of agentc: a proxy inside this process that
//! makes the same calls — the request in, two Converse calls carrying the session's whole
//! history, the tool call, one `chunk` frame out — and nothing else (no signature, no store,
//! no SDK, no trace). Its overhead is what loopback HTTP, this client and the fake cost on
//! this machine; agentc's is measured against it in the same run.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a measurement tool: a panic is its failure report, as in the tests"
)]

use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_eventstream::frame::{DecodedFrame, MessageFrameDecoder};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

const KEY_ID: &str = "AKIDSERVELOADBENCH";
const SECRET: &str = "serve-load-secret";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Model time per turn (nanoseconds), keyed by the turn's user text; and tool calls served.
#[derive(Default)]
struct Fake {
    model_ns: Mutex<HashMap<String, u64>>,
    model_calls: Mutex<u64>,
    tool_calls: Mutex<u64>,
}

/// The user text that opened the turn a Converse request belongs to.
fn turn_key(body: &Value) -> String {
    body["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .rev()
        .find_map(|m| {
            (m["role"] == "user")
                .then(|| m["content"][0]["text"].as_str())
                .flatten()
        })
        .unwrap_or("?")
        .to_string()
}

fn converse_reply(body: &Value) -> Value {
    let last = body["messages"].as_array().and_then(|m| m.last());
    let answered = last
        .and_then(|m| m["content"].as_array())
        .is_some_and(|c| c.iter().any(|b| b.get("toolResult").is_some()));
    let content = if answered {
        json!([{ "text": format!("done: {}", turn_key(body)) }])
    } else {
        let name = body["toolConfig"]["tools"][0]["toolSpec"]["name"]
            .as_str()
            .unwrap_or("lookup");
        json!([{ "toolUse": { "toolUseId": "tu-1", "name": name, "input": { "key": "k" } } }])
    };
    json!({
        "output": { "message": { "role": "assistant", "content": content } },
        "stopReason": if answered { "end_turn" } else { "tool_use" },
        "usage": { "inputTokens": 200, "outputTokens": 20, "totalTokens": 220 },
        "metrics": { "latencyMs": 50 }
    })
}

async fn fake_converse(latency: Duration) -> (String, Arc<Fake>) {
    use hyper::service::service_fn;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let fake = Arc::new(Fake::default());
    let state = Arc::clone(&fake);
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            // As `agentc serve` does: no Nagle delay on small replies.
            let _ = stream.set_nodelay(true);
            let state = Arc::clone(&state);
            tokio::spawn(async move {
                let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                    let state = Arc::clone(&state);
                    async move {
                        let started = Instant::now();
                        let is_tool = request.uri().path() == "/tool";
                        let body = request.into_body().collect().await.unwrap().to_bytes();
                        let reply = if is_tool {
                            *state.tool_calls.lock().unwrap() += 1;
                            json!({ "value": "v" })
                        } else {
                            let body: Value = serde_json::from_slice(&body).unwrap();
                            tokio::time::sleep(latency).await;
                            let reply = converse_reply(&body);
                            let spent = started.elapsed().as_nanos() as u64;
                            *state.model_calls.lock().unwrap() += 1;
                            *state
                                .model_ns
                                .lock()
                                .unwrap()
                                .entry(turn_key(&body))
                                .or_default() += spent;
                            reply
                        };
                        let mut response = hyper::Response::new(Full::new(Bytes::from(
                            reply.to_string().into_bytes(),
                        )));
                        response.headers_mut().insert(
                            hyper::header::CONTENT_TYPE,
                            "application/json".parse().unwrap(),
                        );
                        Ok::<_, std::convert::Infallible>(response)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (url, fake)
}

/// The floor (`SERVE_LOAD_FLOOR=1`): InvokeAgent in, the same model and tool calls out, one
/// chunk back; histories in memory.
async fn floor_server(fake_url: String) -> String {
    use hyper::service::service_fn;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1024)
        .build()
        .unwrap();
    let histories: Arc<Mutex<HashMap<String, Vec<Value>>>> = Arc::default();
    let tools = json!({ "tools": [{ "toolSpec": {
        "name": "tools__lookup",
        "description": "Looks a key up.",
        "inputSchema": { "json": { "type": "object", "properties": { "key": { "type": "string" } }, "required": ["key"] } }
    } }] });
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            // As `agentc serve` does: no Nagle delay on small replies.
            let _ = stream.set_nodelay(true);
            let (client, histories, tools, fake_url) = (
                client.clone(),
                Arc::clone(&histories),
                tools.clone(),
                fake_url.clone(),
            );
            tokio::spawn(async move {
                let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                    let (client, histories, tools, fake_url) = (
                        client.clone(),
                        Arc::clone(&histories),
                        tools.clone(),
                        fake_url.clone(),
                    );
                    async move {
                        let session = request.uri().path().to_string();
                        let body = request.into_body().collect().await.unwrap().to_bytes();
                        let body: Value = serde_json::from_slice(&body).unwrap();
                        let mut messages = histories
                            .lock()
                            .unwrap()
                            .remove(&session)
                            .unwrap_or_default();
                        messages.push(
                            json!({ "role": "user", "content": [{ "text": body["inputText"] }] }),
                        );
                        let converse = |messages: &Vec<Value>| {
                            let request = json!({
                                "messages": messages,
                                "system": [{ "text": "You are a load-test agent. Use the lookup tool once, then answer." }],
                                "toolConfig": tools,
                            });
                            client
                                .post(format!("{fake_url}/model/amazon.nova-lite-v1%3A0/converse"))
                                .header("content-type", "application/json")
                                .body(request.to_string())
                                .send()
                        };
                        let reply: Value = converse(&messages).await.unwrap().json().await.unwrap();
                        let assistant = reply["output"]["message"].clone();
                        let tool_use = assistant["content"][0]["toolUse"].clone();
                        let output: Value = client
                            .post(format!("{fake_url}/tool"))
                            .json(&tool_use["input"])
                            .send()
                            .await
                            .unwrap()
                            .json()
                            .await
                            .unwrap();
                        messages.push(assistant);
                        messages.push(json!({ "role": "user", "content": [{ "toolResult": {
                            "toolUseId": tool_use["toolUseId"],
                            "content": [{ "json": output }]
                        } }] }));
                        let reply: Value = converse(&messages).await.unwrap().json().await.unwrap();
                        let answer = reply["output"]["message"].clone();
                        let text = answer["content"][0]["text"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string();
                        messages.push(answer);
                        histories.lock().unwrap().insert(session, messages);
                        let mut response =
                            hyper::Response::new(Full::new(agentc::serve::stream::chunk(&text)));
                        response.headers_mut().insert(
                            hyper::header::CONTENT_TYPE,
                            agentc::serve::stream::CONTENT_TYPE.parse().unwrap(),
                        );
                        Ok::<_, std::convert::Infallible>(response)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    url
}

/// A well-mixed seed for session `n`. Seeds that differ only in high bits (as they did before
/// session 6) give every session nearly the same first xorshift draw: all 200 first turns then
/// arrived within 45 ms of each other, a burst that looked like a slow first turn.
fn splitmix64(n: u64) -> u64 {
    let mut z = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) | 1
}

/// Think time before a turn: exponential with mean `mean` (inverse transform of a xorshift
/// draw, seeded per session so runs repeat).
fn think(state: &mut u64, mean: Duration) -> Duration {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    let uniform = ((*state >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
    mean.mul_f64(-uniform.ln())
}

fn spec(tool_url: &str) -> String {
    format!(
        "agentc: 1
name: load-agent
model: amazon.nova-lite-v1:0
instruction: You are a load-test agent. Use the lookup tool once, then answer.
action_groups:
  - name: tools
    executor: return_control
    functions:
      - name: lookup
        description: Looks a key up.
        parameters:
          key: {{type: string, required: true}}
targets:
  direct:
    max_iterations: 5
    handlers:
      lookup:
        http: {tool_url}
"
    )
}

fn signed_headers(url: &str, body: &[u8]) -> Vec<(String, String)> {
    let host = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let headers = [
        ("content-type", "application/json".to_string()),
        ("host", host),
    ];
    let identity =
        aws_credential_types::Credentials::new(KEY_ID, SECRET, None, None, "bench").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("bedrock")
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let signable = SignableRequest::new(
        "POST",
        url,
        headers.iter().map(|(n, v)| (*n, v.as_str())),
        SignableBody::Bytes(body),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut all: Vec<(String, String)> = headers
        .iter()
        .filter(|(n, _)| *n != "host")
        .map(|(n, v)| (n.to_string(), v.clone()))
        .collect();
    for (name, value) in instructions.headers() {
        all.push((name.to_string(), value.to_string()));
    }
    all
}

/// One InvokeAgent turn; `Ok(answer text)` or what went wrong.
async fn turn(
    client: &reqwest::Client,
    base: &str,
    agent: &str,
    session: &str,
    text: &str,
) -> Result<String, String> {
    let url = format!("{base}/agents/{agent}/agentAliases/TSTALIASID/sessions/{session}/text");
    let body = json!({ "inputText": text }).to_string().into_bytes();
    let mut request = client.post(&url);
    for (name, value) in signed_headers(&url, &body) {
        request = request.header(name, value);
    }
    let response = request.body(body).send().await.map_err(|e| e.to_string())?;
    let status = response.status();
    let error_type = response
        .headers()
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bytes = response.bytes().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!(
            "{status} {}",
            error_type.unwrap_or_else(|| String::from_utf8_lossy(&bytes).into_owned())
        ));
    }
    let mut buffer = bytes::BytesMut::from(&bytes[..]);
    let mut decoder = MessageFrameDecoder::new();
    let mut answer = String::new();
    while let DecodedFrame::Complete(message) = decoder
        .decode_frame(&mut buffer)
        .map_err(|e| e.to_string())?
    {
        let header = |name: &str| {
            message
                .headers()
                .iter()
                .find(|h| h.name().as_str() == name)
                .and_then(|h| h.value().as_string().ok())
                .map(|s| s.as_str().to_string())
        };
        if header(":message-type").as_deref() != Some("event") {
            return Err(format!("exception frame {:?}", header(":exception-type")));
        }
        if header(":event-type").as_deref() == Some("chunk") {
            let payload: Value = serde_json::from_slice(message.payload()).unwrap();
            answer.push_str(&base64_decode::decode(
                payload["bytes"].as_str().unwrap_or_default(),
            ));
        }
    }
    if !buffer.is_empty() {
        return Err(format!("{} bytes after the last frame", buffer.len()));
    }
    Ok(answer)
}

/// Base64 (standard alphabet) → UTF-8 text, enough for the chunks' `bytes`.
mod base64_decode {
    pub fn decode(text: &str) -> String {
        let value = |c: u8| -> Option<u32> {
            Some(match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'+' => 62,
                b'/' => 63,
                _ => return None,
            } as u32)
        };
        let mut out = Vec::new();
        let (mut bits, mut count) = (0u32, 0);
        for c in text.bytes().filter_map(value) {
            bits = (bits << 6) | c;
            count += 6;
            if count >= 8 {
                count -= 8;
                out.push((bits >> count) as u8);
                bits &= (1 << count) - 1;
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// CPU time (user + system) a process has used so far, from `/proc/PID/stat` (fields 14 and
/// 15, in clock ticks of 1/100 s: the kernel's fixed `USER_HZ` on Linux).
fn cpu_seconds(pid: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            // The command name (field 2) may hold spaces; the fields after it do not.
            let rest = s.get(s.rfind(')')? + 2..)?.to_string();
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let utime: f64 = fields.get(11)?.parse().ok()?;
            let stime: f64 = fields.get(12)?.parse().ok()?;
            Some((utime + stime) / 100.0)
        })
        .unwrap_or(f64::NAN)
}

/// (busy, steal, total) CPU seconds of the whole machine so far, from `/proc/stat`'s `cpu`
/// line: whether the cores were saturated, and by whom (the rest of busy is other processes
/// and the kernel). Steal is time the hypervisor ran something else on this machine's
/// virtual cores: whatever was running then, serve included, was stopped for it, so a run
/// with much steal measures the host's neighbours as much as agentc.
fn machine_cpu_seconds() -> (f64, f64, f64) {
    let text = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let ticks: Vec<f64> = text
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    let total: f64 = ticks.iter().take(8).sum();
    // idle and iowait are the 4th and 5th fields, steal the 8th.
    let idle = ticks.get(3).copied().unwrap_or(0.0) + ticks.get(4).copied().unwrap_or(0.0);
    let steal = ticks.get(7).copied().unwrap_or(0.0);
    ((total - idle - steal) / 100.0, steal / 100.0, total / 100.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// p50, p90, p99 and max of sorted milliseconds.
fn spread(sorted: &[f64]) -> String {
    format!(
        "p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        percentile(sorted, 50.0),
        percentile(sorted, 90.0),
        percentile(sorted, 99.0),
        sorted.last().copied().unwrap_or(f64::NAN)
    )
}

/// The 1-minute load average: other engineers' builds share these cores.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_default()
}

/// `agentc serve`, started by the bench and stopped with SIGTERM.
struct Served {
    child: std::process::Child,
    pid: u32,
    work: tempfile::TempDir,
}

fn start_serve(agentc: &str, fake_url: &str) -> (Served, String, String) {
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("agent.yaml"),
        spec(&format!("{fake_url}/tool")),
    )
    .unwrap();
    let keys = work.path().join("keys");
    std::fs::write(&keys, format!("{KEY_ID} {SECRET}\n")).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let mut child = Command::new(agentc)
        .args([
            "serve",
            "agent.yaml",
            "--listen",
            "127.0.0.1:0",
            "--credentials",
        ])
        .arg(&keys)
        .current_dir(work.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", work.path())
        .env("AWS_CONFIG_FILE", work.path().join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", work.path().join("none"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", fake_url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start agentc serve");
    let pid = child.id();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {line:?}"))
        .to_string();
    line.clear();
    stdout.read_line(&mut line).unwrap();
    let agent = line.split_whitespace().nth(1).unwrap().to_string();
    (Served { child, pid, work }, base, agent)
}

/// Lost or interleaved turns: each session's stored history must be its turns, in order,
/// each as user text, tool use, tool result, answer.
fn check_store(
    served: &Served,
    agent: &str,
    sessions: usize,
    per_session: usize,
) -> (usize, usize) {
    let store =
        agentc::direct::session::SqliteStore::open(&served.work.path().join(".agentc/sessions.db"))
            .unwrap();
    let (mut lost, mut interleaved) = (0usize, 0usize);
    for s in 0..sessions {
        let key = agentc::serve::engine::store_key(agent, &format!("load-{s}"));
        let stored = store.load(&key).unwrap();
        let messages = stored.map(|s| s.state.messages).unwrap_or_default();
        let texts: Vec<String> = messages
            .iter()
            .filter(|m| m["role"] == "user")
            .filter_map(|m| m["content"][0]["text"].as_str().map(str::to_string))
            .collect();
        let expected: Vec<String> = (0..per_session)
            .map(|t| format!("session {s} turn {t}"))
            .collect();
        lost += expected.iter().filter(|e| !texts.contains(e)).count();
        let well_formed = messages.len() == 4 * texts.len()
            && messages.chunks(4).zip(&texts).all(|(turn, text)| {
                turn[0]["content"][0]["text"] == text.as_str()
                    && turn[1]["content"][0].get("toolUse").is_some()
                    && turn[2]["content"][0].get("toolResult").is_some()
                    && turn[3]["content"][0]["text"] == format!("done: {text}").as_str()
            });
        let in_order = texts.iter().zip(&expected).all(|(a, b)| a == b);
        if !well_formed || !in_order {
            interleaved += 1;
        }
    }
    (lost, interleaved)
}

fn main() {
    // Before anything of the bench's own runs, so it says what else the machine was doing.
    let load_before = load_average();
    let sessions = env_usize("SERVE_LOAD_SESSIONS", 200);
    let turns = env_usize("SERVE_LOAD_TURNS", 2000);
    let latency = Duration::from_millis(env_usize("SERVE_LOAD_LATENCY_MS", 50) as u64);
    let think_mean = Duration::from_millis(env_usize("SERVE_LOAD_THINK_MS", 0) as u64);
    let floor = std::env::var("SERVE_LOAD_FLOOR").is_ok_and(|v| v == "1");
    let per_session = turns.div_ceil(sessions);
    let agentc = std::env::var("AGENTC_SERVE_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_agentc").to_string());

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (fake_url, fake) = runtime.block_on(fake_converse(latency));

    let (served, base, agent) = if floor {
        let base = runtime.block_on(floor_server(fake_url.clone()));
        (None, base, "FLOORAGENT".to_string())
    } else {
        let (served, base, agent) = start_serve(&agentc, &fake_url);
        (Some(served), base, agent)
    };
    let pid = served.as_ref().map(|s| s.pid);
    let rss_idle = pid.map_or(0, rss_kib);

    // Resident memory, sampled while the sessions run.
    let peak = Arc::new(Mutex::new(0u64));
    let running = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = pid.map(|pid| {
        let (peak, running) = (Arc::clone(&peak), Arc::clone(&running));
        std::thread::spawn(move || {
            while running.load(std::sync::atomic::Ordering::Relaxed) {
                let rss = rss_kib(pid);
                let mut peak = peak.lock().unwrap();
                *peak = (*peak).max(rss);
                drop(peak);
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    });

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(sessions)
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    let pid_text = pid.map(|p| p.to_string());
    let serve_cpu_now = || pid_text.as_deref().map_or(0.0, cpu_seconds);
    let (serve_cpu_before, bench_cpu_before) = (serve_cpu_now(), cpu_seconds("self"));
    let machine_before = machine_cpu_seconds();
    let started = Instant::now();
    let results = runtime.block_on(async {
        let mut tasks = Vec::new();
        for s in 0..sessions {
            let (client, base, agent) = (client.clone(), base.clone(), agent.clone());
            tasks.push(tokio::spawn(async move {
                let session = format!("load-{s}");
                let mut seed = splitmix64(s as u64 + 1);
                let mut out = Vec::new();
                for t in 0..per_session {
                    if !think_mean.is_zero() {
                        tokio::time::sleep(think(&mut seed, think_mean)).await;
                    }
                    let text = format!("session {s} turn {t}");
                    let begun = Instant::now();
                    let result = turn(&client, &base, &agent, &session, &text).await;
                    out.push((text, begun.elapsed(), result));
                }
                out
            }));
        }
        let mut all = Vec::new();
        for task in tasks {
            all.extend(task.await.unwrap());
        }
        all
    });
    let wall = started.elapsed();
    let serve_cpu = serve_cpu_now() - serve_cpu_before;
    let bench_cpu = cpu_seconds("self") - bench_cpu_before;
    let machine_after = machine_cpu_seconds();
    let machine_busy = machine_after.0 - machine_before.0;
    let machine_steal = machine_after.1 - machine_before.1;
    let machine_total = machine_after.2 - machine_before.2;
    running.store(false, std::sync::atomic::Ordering::Relaxed);
    if let Some(sampler) = sampler {
        sampler.join().unwrap();
    }
    let metrics = served.as_ref().and_then(|_| {
        runtime.block_on(async {
            client
                .get(format!("{base}/metrics"))
                .send()
                .await
                .ok()?
                .text()
                .await
                .ok()
        })
    });

    let exit = served.map(|mut served| {
        let _ = Command::new("kill")
            .args(["-TERM", &served.pid.to_string()])
            .status();
        let exit = served.child.wait().unwrap();
        let checked = check_store(&served, &agent, sessions, per_session);
        (exit, checked)
    });

    // Errors, and overhead per turn.
    let model_ns = fake.model_ns.lock().unwrap().clone();
    let mut errors = Vec::new();
    let mut overhead_ms = Vec::new();
    // Each session's first turn opens the client's connection; the rest reuse it, as an
    // SDK client does.
    let mut later_ms = Vec::new();
    for (text, elapsed, result) in &results {
        match result {
            Ok(answer) if *answer == format!("done: {text}") => {
                let model = Duration::from_nanos(model_ns.get(text).copied().unwrap_or(0));
                let ms = elapsed.saturating_sub(model).as_secs_f64() * 1000.0;
                overhead_ms.push(ms);
                if !text.ends_with(" turn 0") {
                    later_ms.push(ms);
                }
            }
            Ok(answer) => errors.push(format!("{text}: answer {answer:?}")),
            Err(error) => errors.push(format!("{text}: {error}")),
        }
    }
    overhead_ms.sort_by(f64::total_cmp);
    later_ms.sort_by(f64::total_cmp);

    let server_overhead = metrics.as_deref().map(|text| {
        text.lines()
            .filter(|l| l.starts_with("agentc_serve_overhead_seconds_bucket"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    });
    let load1 = load_average();
    println!(
        "serve_load{}: {sessions} sessions × {per_session} turns = {} turns, model latency {} ms, think time {} ms (mean), wall {:.1} s = {:.0} turns/s, load average {load_before} before, {load1} after",
        if floor {
            " (floor: the in-process proxy, not agentc)"
        } else {
            ""
        },
        results.len(),
        latency.as_millis(),
        think_mean.as_millis(),
        wall.as_secs_f64(),
        results.len() as f64 / wall.as_secs_f64().max(f64::MIN_POSITIVE)
    );
    println!(
        "  model calls {} (expected {}), tool calls {}",
        fake.model_calls.lock().unwrap(),
        2 * results.len(),
        fake.tool_calls.lock().unwrap()
    );
    println!("  errors: {}", errors.len());
    for error in errors.iter().take(5) {
        println!("    {error}");
    }
    match &exit {
        Some((_, (lost, interleaved))) => println!(
            "  lost turns: {lost}; sessions with interleaved or malformed turns: {interleaved}"
        ),
        None => println!("  lost / interleaved turns: not checked (the floor keeps no store)"),
    }
    println!(
        "  overhead per turn (caller's turn time − model time): {}",
        spread(&overhead_ms)
    );
    println!(
        "  the same without each session's first turn: {}",
        spread(&later_ms)
    );
    let share = |limit: f64| {
        100.0 * overhead_ms.iter().filter(|&&ms| ms <= limit).count() as f64
            / overhead_ms.len().max(1) as f64
    };
    println!(
        "  turns with overhead ≤ 2 ms: {:.1}%, ≤ 5 ms: {:.1}%, ≤ 10 ms: {:.1}%, ≤ 50 ms: {:.1}%",
        share(2.0),
        share(5.0),
        share(10.0),
        share(50.0)
    );
    let per_turn = |seconds: f64| seconds * 1000.0 / results.len().max(1) as f64;
    println!(
        "  CPU per turn: serve {:.3} ms, bench (client + fake{}) {:.3} ms, other processes {:.3} ms, hypervisor steal {:.3} ms; machine busy {:.0}% of {:.1} core-seconds, stolen {:.1}%",
        per_turn(serve_cpu),
        if floor { " + floor proxy" } else { "" },
        per_turn(bench_cpu),
        per_turn(machine_busy - serve_cpu - bench_cpu),
        per_turn(machine_steal),
        100.0 * machine_busy / machine_total.max(f64::MIN_POSITIVE),
        machine_total,
        100.0 * machine_steal / machine_total.max(f64::MIN_POSITIVE),
    );
    if let Some(buckets) = &server_overhead {
        // Cumulative counts by upper bound: a percentile is "at most" the first bound that
        // holds its share of turns.
        let parsed: Vec<(f64, f64)> = buckets
            .iter()
            .filter_map(|line| {
                let bound = line.split("le=\"").nth(1)?.split('"').next()?;
                let count = line.rsplit(' ').next()?.parse().ok()?;
                Some((bound.parse().unwrap_or(f64::INFINITY), count))
            })
            .collect();
        let total = parsed.last().map_or(0.0, |(_, c)| *c);
        let at_most = |share: f64| {
            parsed
                .iter()
                .find(|(_, c)| *c >= share * total)
                .map_or(f64::INFINITY, |(b, _)| b * 1000.0)
        };
        let within = |ms: f64| {
            parsed
                .iter()
                .find(|(b, _)| (b * 1000.0 - ms).abs() < 1e-9)
                .map_or(f64::NAN, |(_, c)| 100.0 * c / total.max(1.0))
        };
        println!(
            "  agentc's own time per turn, as serve measures it (turn − model calls, no client or loopback): p50 ≤ {} ms, p90 ≤ {} ms, p99 ≤ {} ms; ≤ 5 ms: {:.1}%",
            at_most(0.5),
            at_most(0.9),
            at_most(0.99),
            within(5.0)
        );
    }
    if let Some(buckets) = server_overhead {
        println!("  server histogram agentc_serve_overhead_seconds:");
        for bucket in buckets {
            println!("    {bucket}");
        }
    }
    if let Some((exit, _)) = exit {
        println!(
            "  RSS of agentc serve: {} KiB idle, {} KiB peak with {sessions} sessions open",
            rss_idle,
            peak.lock().unwrap()
        );
        println!("  serve exit on SIGTERM: {exit}");
    }
}

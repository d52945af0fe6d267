//! `agentc serve` as a fleet (issue 10): two `serve` processes sharing one DynamoDB table
//! (moto's server, as in `direct_dynamodb`), called by the real InvokeAgent client with SigV4
//! signatures checked against `--credentials`. A session's turns alternate between the two
//! replicas and its history stays continuous; a second turn on a session that is busy on the
//! other replica gets the service's `ConflictException`, however long the busy turn takes
//! (its lease is renewed while it runs).

use crate::support::*;
use aws_sdk_bedrockagentruntime::Client;
use aws_sdk_bedrockagentruntime::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_bedrockagentruntime::types::ResponseStream;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const KEY_ID: &str = "AKIDSERVEOPSTEST";
const KEY_SECRET: &str = "serve-ops-secret-do-not-log";
const LEASE_TTL_MS: u64 = 400;

/// One `agentc serve` replica: its URL and the agent id it printed.
struct Replica {
    child: Child,
    url: String,
    agent: String,
}

impl Replica {
    fn start(ws: &Workspace, converse_url: &str, moto_url: &str, table: &str) -> Self {
        let keys = ws.file("keys");
        let sessions = format!("dynamodb://{table}");
        let mut child = ws
            .command(
                converse_url,
                &[
                    "serve",
                    "agent.yaml",
                    "--listen",
                    "127.0.0.1:0",
                    "--credentials",
                    keys.to_str().unwrap(),
                    "--sessions",
                    &sessions,
                ],
            )
            .env("AWS_ENDPOINT_URL_DYNAMODB", moto_url)
            // A short lease, so the held turn below outlives it several times over.
            .env("AGENTC_SERVE_LEASE_TTL_MS", LEASE_TTL_MS.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn agentc serve");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let url = line
            .trim_end()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line {line:?}"))
            .to_string();
        line.clear();
        stdout.read_line(&mut line).unwrap();
        let agent = line.split_whitespace().nth(1).unwrap().to_string();
        Self { child, url, agent }
    }

    fn client(&self, secret: &str) -> Client {
        let config = aws_sdk_bedrockagentruntime::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("eu-west-1"))
            .credentials_provider(Credentials::new(KEY_ID, secret, None, None, "test"))
            .endpoint_url(&self.url)
            .retry_config(aws_sdk_bedrockagentruntime::config::retry::RetryConfig::disabled())
            .build();
        Client::from_conf(config)
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One turn: the streamed answer, or the error code the SDK reports.
async fn turn(client: &Client, agent: &str, session: &str, text: &str) -> Result<String, String> {
    let output = client
        .invoke_agent()
        .agent_id(agent)
        .agent_alias_id("TSTALIASID")
        .session_id(session)
        .input_text(text)
        .send()
        .await
        .map_err(|e| {
            use aws_sdk_bedrockagentruntime::error::ProvideErrorMetadata;
            e.code().unwrap_or("no code").to_string()
        })?;
    let mut completion = output.completion;
    let mut answer = String::new();
    while let Some(event) = completion.recv().await.map_err(|e| e.to_string())? {
        if let ResponseStream::Chunk(part) = event {
            answer.push_str(std::str::from_utf8(part.bytes().unwrap().as_ref()).unwrap());
        }
    }
    Ok(answer)
}

#[test]
fn two_replicas_share_one_dynamodb_table_and_a_busy_session_is_a_conflict() {
    if !external::tool(
        "moto_server",
        &["--help"],
        "`pip install 'moto[server]'` (or `.ci/tools.sh`)",
        "the DynamoDB session store",
    ) {
        return;
    }
    let moto = moto::start();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(moto::create_table(&moto.url, "serve-fleet"));

    // The model answers with the number of user turns it was sent; a turn whose text says
    // `hold` waits until the test lets it go (so it is in flight on one replica).
    let (release, held) = mpsc::channel::<()>();
    let (entered, in_model) = mpsc::channel::<()>();
    let converse = Server::start(move |request| {
        let body = request.json();
        let messages = body["messages"].as_array().cloned().unwrap_or_default();
        let last = messages
            .last()
            .and_then(|m| m["content"][0]["text"].as_str())
            .unwrap_or_default()
            .to_string();
        if last.contains("hold") {
            let _ = entered.send(());
            let _ = held.recv_timeout(Duration::from_secs(60));
        }
        text(&format!("turn {} ({last})", messages.len().div_ceil(2)))
    });
    let ws = Workspace::new(&spec("action_groups: []", ""));
    std::fs::write(ws.file("keys"), format!("# fleet\n{KEY_ID} {KEY_SECRET}\n")).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(ws.file("keys"), std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let a = Replica::start(&ws, &converse.url, &moto.url, "serve-fleet");
    let b = Replica::start(&ws, &converse.url, &moto.url, "serve-fleet");
    assert_eq!(
        a.agent, b.agent,
        "both replicas serve the spec under one id"
    );
    let (ca, cb) = (a.client(KEY_SECRET), b.client(KEY_SECRET));

    // Turns alternate between the replicas; each sees every earlier turn.
    rt.block_on(async {
        for (i, client) in [&ca, &cb, &ca, &cb].into_iter().enumerate() {
            let answer = turn(client, &a.agent, "fleet-1", &format!("message {i}"))
                .await
                .unwrap();
            assert_eq!(answer, format!("turn {} (message {i})", i + 1));
        }
    });
    let last = converse.requests().last().unwrap().json();
    let texts: Vec<&str> = last["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"][0]["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "message 0",
            "turn 1 (message 0)",
            "message 1",
            "turn 2 (message 1)",
            "message 2",
            "turn 3 (message 2)",
            "message 3"
        ],
        "the history is continuous across replicas"
    );

    // A turn in flight on replica A: the same session on replica B is a conflict, another
    // session on B is not.
    let first = {
        // A client of its own: a pooled connection of `ca` belongs to the runtime `rt`,
        // which does not run while this thread's turn is in flight.
        let (agent, client) = (a.agent.clone(), a.client(KEY_SECRET));
        std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(turn(&client, &agent, "fleet-2", "hold on"))
        })
    };
    in_model
        .recv_timeout(Duration::from_secs(30))
        .expect("the first turn reached the model");
    // Four lease lifetimes later the turn still holds the session: A renews its lease.
    std::thread::sleep(Duration::from_millis(4 * LEASE_TTL_MS));
    let conflict = rt.block_on(turn(&cb, &a.agent, "fleet-2", "me too"));
    assert_eq!(conflict, Err("ConflictException".to_string()));
    release.send(()).unwrap();
    assert_eq!(
        first.join().unwrap().unwrap(),
        "turn 1 (hold on)",
        "the held turn finishes"
    );
    // Once it is done, B takes the session and sees the held turn.
    let after = rt.block_on(turn(&cb, &a.agent, "fleet-2", "now me"));
    assert_eq!(after.unwrap(), "turn 2 (now me)");

    // A caller with a wrong secret gets the service's signature error from either replica.
    let wrong = rt.block_on(turn(&b.client("not-the-secret"), &a.agent, "fleet-3", "hi"));
    assert_eq!(wrong, Err("InvalidSignatureException".to_string()));
    assert_eq!(
        converse
            .requests()
            .iter()
            .filter(|r| r.body.contains("me too") || r.body.contains("\"hi\""))
            .count(),
        0,
        "refused turns never reach the model"
    );
}

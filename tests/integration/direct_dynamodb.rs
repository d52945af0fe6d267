//! The DynamoDB session store (`targets.direct.sessions: dynamodb://TABLE`) against a local
//! DynamoDB-compatible server: moto's server (`pip install 'moto[server]'`), started by the
//! test on 127.0.0.1. `.ci/tools.sh` installs it; without it the test fails under CI and is
//! skipped, saying so, elsewhere (support::external).

use crate::support::*;
use serde_json::json;
use std::time::Duration;

#[test]
fn sessions_in_dynamodb_continue_and_survive_concurrent_runs() {
    if !external::tool(
        "moto_server",
        &["--help"],
        "`pip install 'moto[server]'` (or `.ci/tools.sh`)",
        "the DynamoDB session store",
    ) {
        return;
    }
    let moto = moto::start();
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(moto::create_table(&moto.url, "agentc-sessions"));

    let converse = Server::start(|request| {
        let body = request.json();
        let asked = body["messages"]
            .as_array()
            .and_then(|m| m.last())
            .and_then(|m| m["content"][0]["text"].as_str())
            .unwrap_or("?")
            .to_string();
        text(&format!("answer to {asked}"))
    });
    let ws = Workspace::new(&spec("", "    sessions: dynamodb://agentc-sessions"));
    let run = |message: &str| {
        ws.command(
            &converse.url,
            &["run", "agent.yaml", message, "--session", "ddb-1"],
        )
        .env("AWS_ENDPOINT_URL_DYNAMODB", &moto.url)
        .spawn()
        .unwrap()
    };
    let out = run("first").wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let children: Vec<_> = (0..4).map(|i| run(&format!("parallel {i}"))).collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let out = run("last").wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    let messages = converse.requests().last().unwrap().json()["messages"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(messages.len(), 2 * 5 + 1, "every turn is kept");
    assert_eq!(
        messages[0],
        json!({"role": "user", "content": [{"text": "first"}]})
    );
    for pair in messages.chunks(2).filter(|p| p.len() == 2) {
        assert_eq!(
            pair[1]["content"][0]["text"],
            format!(
                "answer to {}",
                pair[0]["content"][0]["text"].as_str().unwrap()
            )
        );
    }
    assert!(
        !ws.file(".agentc/sessions.db").exists(),
        "no local store when DynamoDB is configured"
    );
}

/// Nothing paid for is lost (issue 12): a table that cannot take the save is found before the
/// first model call, not after the answer was paid for.
#[test]
fn a_dynamodb_table_that_cannot_be_written_stops_the_run_before_the_model_is_called() {
    if !external::tool(
        "moto_server",
        &["--help"],
        "`pip install 'moto[server]'` (or `.ci/tools.sh`)",
        "the DynamoDB session store",
    ) {
        return;
    }
    let moto = moto::start();
    let converse = Server::start(|_| text("paid for"));
    // No table is created.
    let ws = Workspace::new(&spec("", "    sessions: dynamodb://no-such-table"));
    let out = ws
        .command(
            &converse.url,
            &["run", "agent.yaml", "hello", "--session", "ddb-2"],
        )
        .env("AWS_ENDPOINT_URL_DYNAMODB", &moto.url)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("dynamodb://no-such-table"),
        "{}",
        stderr(&out)
    );
    assert!(
        converse.requests().is_empty(),
        "no model call was made (and paid for)"
    );
}

/// Session leases in DynamoDB (issue 10: two turns of one session never interleave across
/// `serve` replicas): one conditional `PutItem` per acquire, expiry taken over, release by the
/// holder only, and the session item itself untouched.
#[test]
fn dynamodb_leases_exclude_a_second_holder_until_released_or_expired() {
    use agentc::direct::session::{DynamoStore, SessionError, Store, Update};
    if !external::tool(
        "moto_server",
        &["--help"],
        "`pip install 'moto[server]'` (or `.ci/tools.sh`)",
        "the DynamoDB session store",
    ) {
        return;
    }
    let moto = moto::start();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        moto::create_table(&moto.url, "agentc-leases").await;
        let config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
            .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
            .endpoint_url(&moto.url)
            .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
                "test", SECRET, None, None, "test",
            ))
            .build();
        let replica = |_: &str| {
            DynamoStore::new(
                aws_sdk_dynamodb::Client::from_conf(config.clone()),
                "agentc-leases",
            )
        };
        let (a, b) = (replica("a"), replica("b"));
        let ttl = Duration::from_secs(30);

        let lease = a.acquire_at("s1", "a/req-1", ttl, 1_000).await.unwrap();
        assert_eq!(lease.until_ms, 31_000);
        match b.acquire_at("s1", "b/req-2", ttl, 2_000).await {
            Err(SessionError::Busy {
                holder, until_ms, ..
            }) => assert_eq!((holder.as_str(), until_ms), ("a/req-1", 31_000)),
            other => panic!("expected Busy, got {other:?}"),
        }
        // The holder renews; a lease on another session is independent.
        let lease = a.acquire_at("s1", "a/req-1", ttl, 10_000).await.unwrap();
        assert_eq!(lease.until_ms, 40_000);
        b.acquire_at("s2", "b/req-2", ttl, 10_000).await.unwrap();
        // Expired: taken over; the old holder's release then leaves the new lease alone.
        let taken = b.acquire_at("s1", "b/req-3", ttl, 40_000).await.unwrap();
        a.release(&lease).await.unwrap();
        assert!(a.acquire_at("s1", "a/req-4", ttl, 41_000).await.is_err());
        b.release(&taken).await.unwrap();
        a.acquire_at("s1", "a/req-4", ttl, 41_000).await.unwrap();

        // The lease item is not a session: the session `s1` is still absent, then saves and
        // loads as usual while its lease is held.
        let store = Store::Dynamo(replica("c"));
        assert_eq!(store.load("s1").await.unwrap(), None);
        let update = Update {
            base_version: None,
            resumed: false,
            appended: vec![
                json!({"role": "user", "content": [{"text": "hi"}]}),
                json!({"role": "assistant", "content": [{"text": "hello"}]}),
            ],
            session_attributes: Default::default(),
            pending: None,
            max_history_bytes: usize::MAX,
            history: None,
        };
        assert_eq!(store.save("s1", &update).await.unwrap(), 1);
        assert_eq!(
            store
                .load("s1")
                .await
                .unwrap()
                .unwrap()
                .state
                .messages
                .len(),
            2
        );
        // With the real clock, through the store.
        let held = store.acquire("s3", "c/req-5", ttl).await.unwrap();
        assert!(matches!(
            store.acquire("s3", "c/req-6", ttl).await,
            Err(SessionError::Busy { .. })
        ));
        store.release(&held).await.unwrap();
        store.acquire("s3", "c/req-6", ttl).await.unwrap();
    });
}

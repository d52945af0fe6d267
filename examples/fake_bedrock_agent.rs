//! The tests' fake bedrock-agent control plane as a standalone process, for benchmarking the
//! agents target with hyperfine (`benches/plan.sh`). Not part of agentc.
//!
//! Prints its endpoint on the first line of stdout, then answers commands on stdin, one per
//! line: `stats` prints `<handler time in µs> <requests served>`; end of input stops it.

// A measurement tool over the tests' fake: a panic is its failure report, as in the tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a measurement tool: a panic is its failure report, as in the tests"
)]

#[allow(
    dead_code,
    reason = "only a few of the fake's inspection helpers are used by this process; the tests use the rest"
)]
#[path = "../tests/integration/support/fake_bedrock_agent.rs"]
mod fake;
// The fake reaches its listening socket through `super::loopback`, as it does in the tests.
#[path = "../tests/integration/support/loopback.rs"]
mod loopback;

use std::io::BufRead;

fn main() {
    let fake = fake::FakeBedrockAgent::start();
    println!("{}", fake.endpoint);
    for line in std::io::stdin().lock().lines() {
        match line.as_deref().map(str::trim) {
            Ok("stats") => println!("{} {}", fake.busy().as_micros(), fake.calls().len()),
            Ok(_) => println!("unknown command"),
            Err(_) => break,
        }
    }
}

//! `agentc cost`: the seed article's figures, golden output of every format for the example
//! specs, and what each part of a spec adds to each target's call.

use agentc::agents::cost::names;
use agentc::cost::render::{self, Format, RenderOptions};
use agentc::cost::{Estimate, TargetEstimate, WorkloadOverrides, estimate};
use agentc::direct::cost::names as direct_names;
use agentc::models::ModelTable;
use agentc::source::SourceFile;
use agentc::spec::{LoadOptions, load_path, load_source};
use agentc::target::{PerTarget, Target};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn estimate_file(relative: &str, overrides: &WorkloadOverrides) -> Estimate {
    let loaded = load_path(&root().join(relative), &LoadOptions::default()).expect("readable");
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let (spec, agent) = (
        loaded.spec.as_ref().unwrap(),
        loaded.agent.as_ref().unwrap(),
    );
    estimate(
        spec,
        agent,
        loaded.file.dir(),
        ModelTable::builtin(),
        overrides,
    )
    .expect("estimate")
}

/// Estimate a spec given as text, located in `dir` (for relative paths).
fn estimate_text(dir: &Path, text: &str) -> Estimate {
    let loaded = load_source(
        SourceFile::new(dir.join("agent.yaml"), text),
        &LoadOptions::default(),
    );
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let (spec, agent) = (
        loaded.spec.as_ref().unwrap(),
        loaded.agent.as_ref().unwrap(),
    );
    estimate(
        spec,
        agent,
        loaded.file.dir(),
        ModelTable::builtin(),
        &WorkloadOverrides::default(),
    )
    .expect("estimate")
}

fn options(spec_path: &str) -> RenderOptions<'static> {
    RenderOptions {
        spec_path: spec_path.to_string(),
        ..Default::default()
    }
}

fn agents(e: &Estimate) -> &TargetEstimate {
    e.get(Target::Agents).expect("an agents estimate")
}

fn direct(e: &Estimate) -> &TargetEstimate {
    e.get(Target::Direct).expect("a direct estimate")
}

fn components(t: &TargetEstimate) -> BTreeMap<&'static str, u64> {
    t.components.iter().map(|c| (c.name, c.tokens)).collect()
}

/// Names of the components that differ between two estimates of one target.
fn changed(before: &TargetEstimate, after: &TargetEstimate) -> Vec<&'static str> {
    let (a, b) = (components(before), components(after));
    let mut names: Vec<&'static str> = a.keys().chain(b.keys()).copied().collect();
    names.sort();
    names.dedup();
    names.into_iter().filter(|n| a.get(n) != b.get(n)).collect()
}

#[test]
fn the_seed_article_figures_are_reproduced_exactly() {
    let e = estimate_file("agents/seed-article.yaml", &WorkloadOverrides::default());
    let round = |v: f64| (v * 100.0).round() / 100.0;
    let a = agents(&e).monthly;
    assert_eq!(
        (
            round(a.input_usd),
            round(a.output_usd),
            round(a.fees_usd),
            round(a.total_usd)
        ),
        (360.0, 172.8, 9.0, 541.8)
    );
    let d = direct(&e).monthly;
    assert_eq!(
        (
            round(d.input_usd),
            round(d.output_usd),
            round(d.fees_usd),
            round(d.total_usd)
        ),
        (108.0, 172.8, 0.0, 280.8)
    );

    let human = render::render(&e, Format::Human, &options("agents/seed-article.yaml"));
    assert!(
        human.contains("agents: $360.00 input + $172.80 output + $9.00 fees = $541.80 per month"),
        "{human}"
    );
    assert!(
        human.contains("direct: $108.00 input + $172.80 output = $280.80 per month"),
        "{human}"
    );

    let json = render::json(&e, &options("agents/seed-article.yaml"));
    assert_eq!(json["targets"]["agents"]["monthly"]["input_usd"], 360.0);
    assert_eq!(json["targets"]["agents"]["monthly"]["output_usd"], 172.8);
    assert_eq!(json["targets"]["agents"]["monthly"]["fees_usd"], 9.0);
    assert_eq!(json["targets"]["agents"]["monthly_cost_usd"], 541.8);
    assert_eq!(json["targets"]["direct"]["monthly"]["total_usd"], 280.8);
    assert_eq!(json["targets"]["agents"]["input_tokens_per_call"], 5000);
    assert_eq!(json["targets"]["direct"]["input_tokens_per_call"], 1500);
    assert_eq!(json["ratio"], 1.9295);
}

#[test]
fn the_json_contract_has_its_fields() {
    let e = estimate_file("agents/infra-assistant.yaml", &WorkloadOverrides::default());
    let json = render::json(&e, &options("agents/infra-assistant.yaml"));
    assert_eq!(json["tokenizer"], agentc::tokens::TOKENIZER);
    for target in ["agents", "direct"] {
        let t = &json["targets"][target];
        for field in [
            "input_tokens_per_call",
            "output_tokens_per_call",
            "calls_per_request",
            "components",
            "monthly",
            "monthly_cost_usd",
        ] {
            assert!(!t[field].is_null(), "{target}.{field}");
        }
        for field in ["input_usd", "output_usd", "fees_usd", "total_usd"] {
            assert!(t["monthly"][field].is_number(), "{target}.monthly.{field}");
        }
        assert_eq!(t["monthly_cost_usd"], t["monthly"]["total_usd"]);
        let sum: u64 = t["components"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(
            t["input_tokens_per_call"].as_u64(),
            Some(sum),
            "{target}: components add up"
        );
    }
    let ratio = json["ratio"].as_f64().unwrap();
    let expected = json["targets"]["agents"]["monthly_cost_usd"]
        .as_f64()
        .unwrap()
        / json["targets"]["direct"]["monthly_cost_usd"]
            .as_f64()
            .unwrap();
    assert!((ratio - expected).abs() < 1e-3, "{ratio} vs {expected}");
}

#[test]
fn golden_output_of_every_format_for_the_example_specs() {
    for spec in [
        "agents/infra-assistant.yaml",
        "agents/seed-article.yaml",
        "agents/support-desk.yaml",
        "agents/orders-api.yaml",
    ] {
        let e = estimate_file(spec, &WorkloadOverrides::default());
        let name = Path::new(spec)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for (format, suffix) in [
            (Format::Human, "human"),
            (Format::Markdown, "markdown"),
            (Format::Json, "json"),
        ] {
            insta::assert_snapshot!(
                format!("{name}.{suffix}"),
                render::render(&e, format, &options(spec))
            );
        }
    }
}

#[test]
fn workload_flags_override_the_spec() {
    let flags = WorkloadOverrides {
        requests_per_day: Some(10.0),
        input_tokens_per_call: PerTarget {
            agents: Some(1_000),
            harness: None,
            direct: None,
        },
        ..Default::default()
    };
    let e = estimate_file("agents/seed-article.yaml", &flags);
    assert_eq!(e.workload.requests_per_day, 10.0);
    assert_eq!(agents(&e).input_tokens_per_call(), 1_000);
    // 1,000 × 3 × 300 requests × $0.80/M
    assert!(
        (agents(&e).monthly.input_usd - 0.72).abs() < 1e-9,
        "{}",
        agents(&e).monthly.input_usd
    );
}

const BASE: &str = r#"
agentc: 1
name: base
model: amazon.nova-pro-v1:0
instruction: You are an infrastructure assistant. Use tools to answer questions accurately.
action_groups:
  - name: status
    description: Service health checks.
    executor: return_control
    functions:
      - name: get_service_status
        description: Get current health status of an AWS service or ECS task.
        parameters:
          service_name: {type: string, description: Name of the service., required: true}
"#;

const SECOND_GROUP: &str = r#"
  - name: database
    description: Read-only access to the production database.
    executor: return_control
    functions:
      - name: query_database
        description: Execute a read-only SQL query against the production database.
        parameters:
          query: {type: string, description: SQL SELECT statement., required: true}
"#;

const KNOWLEDGE_BASE: &str = r#"
knowledge_bases:
  - id: ABCDEFGHIJ
    description: Runbooks for the production services.
"#;

const MEMORY: &str = "\nmemory:\n  storage_days: 30\n";

#[test]
fn an_action_group_raises_exactly_the_tool_components() {
    let dir = root();
    let before = estimate_text(&dir, BASE);
    let after = estimate_text(&dir, &format!("{BASE}{SECOND_GROUP}"));
    assert_eq!(
        changed(agents(&before), agents(&after)),
        vec![names::TOOL_DEFINITIONS]
    );
    assert_eq!(
        changed(direct(&before), direct(&after)),
        vec![direct_names::TOOL_CONFIG]
    );
    assert!(
        components(agents(&after))[names::TOOL_DEFINITIONS]
            > components(agents(&before))[names::TOOL_DEFINITIONS]
    );

    // The first action group also brings the session-attributes block on Agents.
    let none = estimate_text(&dir, BASE.split("action_groups:").next().unwrap());
    assert_eq!(
        changed(agents(&none), agents(&before)),
        vec![names::SESSION_ATTRIBUTES, names::TOOL_DEFINITIONS]
    );
    assert_eq!(
        changed(direct(&none), direct(&before)),
        vec![direct_names::TOOL_CONFIG]
    );

    // Claude adds its hidden tool-use system prompt on both targets.
    let claude = |text: &str| {
        text.replace(
            "amazon.nova-pro-v1:0",
            "anthropic.claude-3-5-haiku-20241022-v1:0",
        )
    };
    let none = estimate_text(&dir, &claude(BASE.split("action_groups:").next().unwrap()));
    let one = estimate_text(&dir, &claude(BASE));
    assert_eq!(
        changed(agents(&none), agents(&one)),
        vec![
            names::SESSION_ATTRIBUTES,
            names::TOOL_DEFINITIONS,
            names::HIDDEN_TOOL_PROMPT
        ]
    );
    assert_eq!(components(direct(&one))[names::HIDDEN_TOOL_PROMPT], 264);
}

#[test]
fn a_knowledge_base_raises_exactly_the_knowledge_base_guidelines() {
    let dir = root();
    let before = estimate_text(&dir, BASE);
    let after = estimate_text(&dir, &format!("{BASE}{KNOWLEDGE_BASE}"));
    assert_eq!(
        changed(agents(&before), agents(&after)),
        vec![names::KNOWLEDGE_BASE_GUIDELINES]
    );
    // The direct target carries a knowledge base as one more tool the model can call.
    assert_eq!(
        changed(direct(&before), direct(&after)),
        vec![direct_names::TOOL_CONFIG]
    );
    assert!(agents(&after).monthly.total_usd > agents(&before).monthly.total_usd);
    assert!(direct(&after).monthly.total_usd > direct(&before).monthly.total_usd);
}

#[test]
fn a_built_in_action_group_raises_exactly_the_built_in_tool_definitions() {
    let dir = root();
    let target = "\ntargets:\n  agents:\n    role_arn: arn:aws:iam::123456789012:role/AmazonBedrockExecutionRoleForAgents_x\n";
    let before = estimate_text(&dir, &format!("{BASE}{target}"));
    let after = estimate_text(
        &dir,
        &format!(
            "{BASE}{target}    built_in_action_groups:\n      - signature: AMAZON.UserInput\n"
        ),
    );
    assert_eq!(
        changed(agents(&before), agents(&after)),
        vec![names::BUILT_IN_TOOL_DEFINITIONS]
    );
    assert!(
        changed(direct(&before), direct(&after)).is_empty(),
        "Converse has no built-in action groups"
    );
    let user_input = components(agents(&after))[names::BUILT_IN_TOOL_DEFINITIONS];
    assert!((40..200).contains(&user_input), "{user_input}");
    // A disabled one is not sent.
    let disabled = estimate_text(
        &dir,
        &format!(
            "{BASE}{target}    built_in_action_groups:\n      - signature: AMAZON.UserInput\n        enabled: false\n"
        ),
    );
    assert!(changed(agents(&before), agents(&disabled)).is_empty());
}

#[test]
fn memory_raises_exactly_the_memory_guidelines() {
    let dir = root();
    let before = estimate_text(&dir, BASE);
    let after = estimate_text(&dir, &format!("{BASE}{MEMORY}"));
    assert_eq!(
        changed(agents(&before), agents(&after)),
        vec![names::MEMORY_GUIDELINES]
    );
    assert!(changed(direct(&before), direct(&after)).is_empty());
    assert!(
        components(agents(&after))[names::MEMORY_GUIDELINES] > 900,
        "two blocks of ~2,000 characters"
    );
}

#[test]
fn a_longer_instruction_raises_the_instruction_on_agents_and_the_system_prompt_on_direct() {
    let dir = root();
    let before = estimate_text(&dir, BASE);
    let after = estimate_text(
        &dir,
        &BASE.replace(
            "accurately.",
            "accurately. Always name the service and region you looked at.",
        ),
    );
    assert_eq!(
        changed(agents(&before), agents(&after)),
        vec![names::INSTRUCTION]
    );
    assert_eq!(
        changed(direct(&before), direct(&after)),
        vec![direct_names::SYSTEM]
    );
}

#[test]
fn a_prompt_override_is_counted_instead_of_the_modelled_template() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("orchestration.txt"),
        "Human: $instruction$\nBe brief.\n$knowledge_base_guideline$\n$question$\n\nAssistant: $agent_scratchpad$",
    )
    .unwrap();
    let text = format!(
        "{BASE}{KNOWLEDGE_BASE}{MEMORY}prompt_overrides:\n  orchestration:\n    template: orchestration.txt\n"
    );
    let e = estimate_text(dir.path(), &text);
    let c = components(agents(&e));
    assert!(!c.contains_key(names::ORCHESTRATION_TEMPLATE));
    let fixed = c[names::ORCHESTRATION_OVERRIDE];
    assert!(
        fixed > 0 && fixed < 20,
        "only the override's own words: {fixed}"
    );
    assert!(c.contains_key(names::INSTRUCTION));
    // The override places the knowledge-base guideline but not the memory blocks.
    assert!(c.contains_key(names::KNOWLEDGE_BASE_GUIDELINES));
    assert!(!c.contains_key(names::MEMORY_GUIDELINES));

    let missing = format!("{BASE}prompt_overrides:\n  orchestration:\n    template: nowhere.txt\n");
    let loaded = load_source(
        SourceFile::new(dir.path().join("agent.yaml"), missing),
        &LoadOptions::default(),
    );
    let err = estimate(
        loaded.spec.as_ref().unwrap(),
        loaded.agent.as_ref().unwrap(),
        dir.path(),
        ModelTable::builtin(),
        &WorkloadOverrides::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("nowhere.txt"), "{err}");
}

#[test]
fn the_cached_part_of_the_direct_request_is_priced_at_the_cache_read_price() {
    let dir = root();
    let text = format!("{BASE}targets:\n  direct:\n    prompt_caching: true\n");
    let cached = estimate_text(&dir, &text);
    let plain = estimate_text(&dir, BASE);
    let system = direct(&cached)
        .components
        .iter()
        .find(|c| c.name == direct_names::SYSTEM)
        .unwrap();
    assert!(system.cached, "Nova caches the system prompt");
    let tools = direct(&cached)
        .components
        .iter()
        .find(|c| c.name == direct_names::TOOL_CONFIG)
        .unwrap();
    assert!(!tools.cached, "Nova does not cache tools");
    assert_eq!(
        direct(&cached).cached_input_tokens_per_call(),
        system.tokens
    );
    // The system prompt's share falls from $0.80 to $0.20 per 1M tokens.
    let calls = direct(&cached).calls_per_request * cached.workload.requests_per_month();
    let saved = direct(&plain).monthly.input_usd - direct(&cached).monthly.input_usd;
    let expected = system.tokens as f64 * calls * (0.80 - 0.20) / 1e6;
    assert!((saved - expected).abs() < 1e-9, "{saved} vs {expected}");
    let json = render::json(&cached, &options("agent.yaml"));
    assert_eq!(
        json["targets"]["direct"]["cached_components"][0],
        direct_names::SYSTEM
    );
}

#[test]
fn an_unknown_model_in_a_custom_price_table_is_a_clear_error() {
    let loaded = load_source(
        SourceFile::new(root().join("agent.yaml"), BASE),
        &LoadOptions::default(),
    );
    let table = ModelTable { models: Vec::new() };
    let err = estimate(
        loaded.spec.as_ref().unwrap(),
        loaded.agent.as_ref().unwrap(),
        &root(),
        &table,
        &WorkloadOverrides::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("amazon.nova-pro-v1:0"), "{err}");
}

#[test]
fn measured_usage_is_shown_beside_the_estimate_and_labelled() {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("trace.jsonl");
    std::fs::write(
        &trace,
        concat!(
            r#"{"type":"model_call","session":"s1","iteration":1,"model_id":"amazon.nova-pro-v1:0","latency_ms":900,"stop_reason":"tool_use","usage":{"input_tokens":400,"output_tokens":80,"cache_read_input_tokens":0,"cache_write_input_tokens":0}}"#,
            "\n",
            r#"{"type":"tool_call","name":"get_service_status","latency_ms":40,"outcome":"ok","result_bytes":120}"#,
            "\n",
            r#"{"type":"model_call","session":"s1","iteration":2,"model_id":"amazon.nova-pro-v1:0","latency_ms":700,"stop_reason":"end_turn","usage":{"input_tokens":560,"output_tokens":120,"cache_read_input_tokens":0,"cache_write_input_tokens":0}}"#,
            "\n",
        ),
    )
    .unwrap();
    let measured = agentc::cost::usage::read(&trace).unwrap();
    let e = estimate_file("agents/infra-assistant.yaml", &WorkloadOverrides::default());
    let opts = RenderOptions {
        spec_path: "agents/infra-assistant.yaml".into(),
        measured: Some(&measured),
        ..Default::default()
    };
    let human = render::render(&e, Format::Human, &opts);
    assert!(human.contains("estimate vs measured"), "{human}");
    assert!(
        human.contains("480"),
        "measured input tokens per call: {human}"
    );
    let json = render::json(&e, &opts);
    assert_eq!(json["measured"]["label"], "measured");
    assert_eq!(json["measured"]["input_tokens_per_call"], 480.0);
    assert_eq!(json["measured"]["calls_per_request"], 2.0);
    // The estimate itself is untouched by the measurement.
    assert_eq!(
        json["targets"],
        render::json(&e, &options("agents/infra-assistant.yaml"))["targets"]
    );
    let markdown = render::render(&e, Format::Markdown, &opts);
    assert!(
        markdown.contains("| calls/request | 1 | 2.00 | 2.00× |"),
        "{markdown}"
    );
}

#[test]
fn the_plot_marks_the_volume_and_the_crossover() {
    let e = estimate_file("agents/infra-assistant.yaml", &WorkloadOverrides::default());
    let svg = agentc::cost::plot::svg(&e);
    assert!(svg.starts_with("<svg"), "{svg}");
    assert_eq!(svg.matches("<path ").count(), 2, "one line per target");
    assert!(svg.contains("this spec: 1,000/day"));
    assert!(
        svg.contains("No crossover"),
        "proportional bills never meet"
    );

    let flags = WorkloadOverrides {
        fixed_monthly_usd: PerTarget {
            agents: None,
            harness: None,
            direct: Some(100.0),
        },
        ..Default::default()
    };
    let e = estimate_file("agents/infra-assistant.yaml", &flags);
    let r = e.comparisons()[0]
        .crossover_requests_per_day()
        .expect("a fixed cost makes the bills meet");
    let svg = agentc::cost::plot::svg(&e);
    assert!(svg.contains("equal at"), "{svg}");
    let (a, d) = (
        agents(&e).monthly_at(r * 30.0).total_usd,
        direct(&e).monthly_at(r * 30.0).total_usd,
    );
    assert!((a - d).abs() < 1e-6, "{a} vs {d}");
}

#[test]
fn the_cost_over_budget_rule_fires_on_its_fixture_and_only_with_a_budget() {
    let fixture = root().join("tests/fixtures/lint/cost-over-budget.yaml");
    let loaded = load_path(&fixture, &LoadOptions::default()).unwrap();
    let diagnostics = agentc::lint::lint(&loaded, ModelTable::builtin(), &Default::default());
    let fired: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.rule == "cost-over-budget")
        .collect();
    assert_eq!(fired.len(), 1, "{diagnostics:?}");
    assert!(
        fired[0].message.contains("agents target"),
        "{}",
        fired[0].message
    );
    assert!(fired[0].message.contains("$5.00"), "{}", fired[0].message);
    assert!(fired[0].span.is_some());
    let line = loaded.file.line_col(fired[0].span.unwrap().start).line;
    assert!(loaded.file.line_text(line).contains("agents: 5"));

    let without = loaded.file.text.split("lint:").next().unwrap().to_string();
    let loaded = load_source(SourceFile::new(&fixture, without), &LoadOptions::default());
    let diagnostics = agentc::lint::lint(&loaded, ModelTable::builtin(), &Default::default());
    assert!(diagnostics.iter().all(|d| d.rule != "cost-over-budget"));
}

#[test]
fn the_example_specs_lint_clean() {
    for spec in ["agents/infra-assistant.yaml", "agents/seed-article.yaml"] {
        let loaded = load_path(&root().join(spec), &LoadOptions::default()).unwrap();
        let diagnostics = agentc::lint::lint(&loaded, ModelTable::builtin(), &Default::default());
        assert!(
            diagnostics
                .iter()
                .all(|d| d.severity != agentc::diag::Severity::Error),
            "{spec}: {diagnostics:?}"
        );
    }
}

fn agentc(args: &[&str]) -> std::process::Output {
    crate::support::cli::agentc(args)
        .current_dir(root())
        .env("AGENTC_NO_CACHE", "1")
        .output()
}

#[test]
fn the_command_prints_the_seed_figures_writes_the_plot_and_is_not_stopped_by_its_own_budget_rule() {
    let out = agentc(&["cost", "agents/seed-article.yaml"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("agents: $360.00 input + $172.80 output + $9.00 fees = $541.80 per month"),
        "{stdout}"
    );
    assert!(
        stdout.contains("direct: $108.00 input + $172.80 output = $280.80 per month"),
        "{stdout}"
    );
    assert!(!stdout.contains('\u{1b}'), "no colour off a terminal");

    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("cost.svg");
    let out = agentc(&[
        "cost",
        "tests/fixtures/lint/cost-over-budget.yaml",
        "--format",
        "json",
        "--plot",
        svg.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert!(
        json["targets"]["agents"]["monthly_cost_usd"]
            .as_f64()
            .unwrap()
            > 5.0
    );
    assert!(std::fs::read_to_string(&svg).unwrap().starts_with("<svg"));

    let out = agentc(&[
        "cost",
        "agents/seed-article.yaml",
        "--usage",
        "no-such-trace.jsonl",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-trace.jsonl"));
}

/// `cost` prices every target it can: a Titan Text Premier agent with tools deploys on Bedrock
/// Agents (which orchestrates Titan through its text prompt) but cannot use tools on the
/// Converse API, so the agents target is priced and the direct one is left out, saying why.
#[test]
fn cost_prices_the_targets_a_spec_can_be_built_for() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("agents/infra-assistant.yaml").unwrap();
    let titan = text.replace(
        "model: amazon.nova-pro-v1:0",
        "model: amazon.titan-text-premier-v1:0",
    );
    assert_ne!(titan, text, "the example's model line moved");
    let spec = dir.path().join("titan.yaml");
    std::fs::write(&spec, titan).unwrap();
    let run = crate::support::cli::agentc([
        "cost".as_ref(),
        spec.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ])
    .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(json["targets"]["agents"].is_object(), "{}", run.stdout);
    assert!(json["targets"].get("direct").is_none(), "{}", run.stdout);
    assert!(
        run.stderr.contains("model-lacks-tool-use"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("not pricing the direct target"),
        "{}",
        run.stderr
    );
    // A spec no target can build is still refused.
    let broken = dir.path().join("broken.yaml");
    std::fs::write(&broken, "agentc: 1\nname: x\n").unwrap();
    let run = crate::support::cli::agentc(["cost".as_ref(), broken.as_os_str()]).run();
    assert_eq!(run.code, 1, "{}", run.stderr);
}

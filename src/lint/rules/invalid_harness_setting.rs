use super::{Pattern, SECURITY_GROUP, SUBNET, TOOL_NAME};
use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::harness::desired::{MAX_HARNESS_NAME, harness_name, request, valid_harness_name};
use crate::lint::LintContext;
use crate::spec::{HarnessNetworkMode, HarnessTarget};
use std::collections::HashSet;

declare_rule! {
    /// # invalid-harness-setting
    ///
    /// A setting the AgentCore control plane would reject in CreateHarness: the harness name
    /// the spec's `name` maps to, `targets.harness` values outside the service model's
    /// ranges, a VPC network without subnets or security groups, a gateway ARN of the wrong
    /// shape, tool names that clash.
    ///
    /// ## Why
    /// The harness name is the spec's `name` with `-` turned into `_`, and must match
    /// `[a-zA-Z][a-zA-Z0-9_]{0,39}`; agentc does not shorten or rename further, because the
    /// name forces replacement and a silently changed name would orphan the deployed harness.
    /// A VPC network needs 1 to 16 subnets and 1 to 16 security groups; a public one takes
    /// none. At most 50 environment variables and 50 tags; 1 to 4 memory strategies, each
    /// once. `DEFAULT` is the service's own endpoint name. Checked when the harness is the
    /// target being built, or the spec has a `targets.harness` block.
    ///
    /// ## How to fix
    /// Follow the finding's help: rename the agent (e.g. `hr-helpdesk` → `hr_helpdesk` is
    /// done for you; a name starting with a digit or over 40 characters is not), add the
    /// subnets and security groups, or remove what the target does not take.
    InvalidHarnessSetting {
        severity: Error,
        summary: "A harness setting the AgentCore control plane would reject.",
        targets: [Harness],
        check: check,
    }
}

/// Its `{1,48}` group ends where a `-` and ten characters begin: left to the regex engine.
static GATEWAY_ARN: Pattern = Pattern::compiled(
    r"^arn:aws(|-cn|-us-gov):bedrock-agentcore:[a-z0-9-]{1,20}:[0-9]{12}:gateway/([0-9a-z][-]?){1,48}-[a-z0-9]{10}$",
);

fn check(rule: &InvalidHarnessSetting, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let block = cx.spec.targets.harness.as_ref();
    if !cx.named && block.is_none() {
        return;
    }
    let mut report = |pointer: &str, message: String, help: &str| {
        out.push(
            rule.report(message)
                .with_span(cx.value_span(pointer).or_else(|| cx.key_span(pointer)))
                .with_help(help.to_string()),
        );
    };

    let name = harness_name(&cx.spec.name);
    if !valid_harness_name(&name) {
        report(
            "/name",
            format!(
                "the harness name would be `{name}`, which the AgentCore control plane rejects"
            ),
            &format!(
                "a harness name starts with a letter and has at most {MAX_HARNESS_NAME} letters, digits or `_` (agentc maps `-` to `_` and nothing else, since the name forces replacement)"
            ),
        );
    }
    let Some(target) = block else {
        return;
    };
    settings(target, &mut report);

    // Names must be unique across inline functions, the Code Interpreter and server tools.
    let request = request(cx.spec, cx.agent, target);
    let mut seen = HashSet::new();
    for tool in &request.tools {
        if !seen.insert(tool.name.as_str()) {
            let pointer = target
                .tools
                .iter()
                .position(|t| t.name == tool.name)
                .map_or_else(
                    || "/targets/harness".to_string(),
                    |t| format!("/targets/harness/tools/{t}/name"),
                );
            report(
                &pointer,
                format!("two harness tools are named `{}`", tool.name),
                "rename the server tool: tool names are unique within a harness",
            );
        }
    }
}

fn settings(target: &HarnessTarget, report: &mut impl FnMut(&str, String, &str)) {
    if target.endpoint.as_deref() == Some("DEFAULT") {
        report(
            "/targets/harness/endpoint",
            "endpoint name `DEFAULT` is reserved by the service".into(),
            "choose another name, e.g. `live`; invocations without a qualifier use `DEFAULT` already",
        );
    }
    if let (Some(idle), Some(lifetime)) = (target.idle_timeout_seconds, target.max_lifetime_seconds)
        && idle > lifetime
    {
        report(
            "/targets/harness/idle_timeout_seconds",
            format!(
                "the idle timeout ({idle} s) is longer than the maximum lifetime ({lifetime} s)"
            ),
            "a session ends at its maximum lifetime anyway: make the idle timeout shorter",
        );
    }
    if let Some(network) = &target.network {
        match network.mode {
            HarnessNetworkMode::Vpc => {
                for (key, values, pattern, example) in [
                    (
                        "subnets",
                        &network.subnets,
                        &SUBNET,
                        "subnet-0a1b2c3d4e5f67890",
                    ),
                    (
                        "security_groups",
                        &network.security_groups,
                        &SECURITY_GROUP,
                        "sg-0a1b2c3d4e5f67890",
                    ),
                ] {
                    let pointer = format!("/targets/harness/network/{key}");
                    if values.is_empty() || values.len() > 16 {
                        report(
                            if values.is_empty() {
                                "/targets/harness/network/mode"
                            } else {
                                &pointer
                            },
                            format!(
                                "a VPC network needs 1 to 16 {}, it has {}",
                                key.replace('_', " "),
                                values.len()
                            ),
                            &format!(
                                "list the {} the session's microVM runs in, e.g. `{example}`",
                                key.replace('_', " ")
                            ),
                        );
                    }
                    for (i, value) in values.iter().enumerate() {
                        if !pattern.is_match(value) {
                            report(
                                &format!("{pointer}/{i}"),
                                format!(
                                    "`{value}` is not a {} id",
                                    key.trim_end_matches('s').replace('_', " ")
                                ),
                                &format!("ids look like `{example}`"),
                            );
                        }
                    }
                }
            }
            HarnessNetworkMode::Public => {
                if !network.subnets.is_empty() || !network.security_groups.is_empty() {
                    report(
                        "/targets/harness/network/mode",
                        "a public network takes no subnets or security groups".into(),
                        "set `mode: vpc` to run in those subnets, or remove them",
                    );
                }
            }
        }
    }
    if target.environment_variables.len() > 50 {
        report(
            "/targets/harness/environment_variables",
            format!(
                "{} environment variables; a harness takes at most 50",
                target.environment_variables.len()
            ),
            "remove some, or read them from a file in the session instead",
        );
    }
    for (key, value) in &target.environment_variables {
        if key.is_empty() || key.len() > 100 || value.len() > 5000 {
            report(
                &format!(
                    "/targets/harness/environment_variables/{}",
                    crate::spec::yaml::pointer_segment(key)
                ),
                format!("environment variable `{key}` is outside the service's limits"),
                "names are 1 to 100 characters, values at most 5,000",
            );
        }
    }
    if target.tags.len() > 50 {
        report(
            "/targets/harness/tags",
            format!("{} tags; a harness takes at most 50", target.tags.len()),
            "remove some",
        );
    }
    let mut strategies = HashSet::new();
    for (i, strategy) in target.memory_strategies.iter().enumerate() {
        if !strategies.insert(*strategy) || i >= 4 {
            report(
                &format!("/targets/harness/memory_strategies/{i}"),
                "managed memory takes 1 to 4 strategies, each once".into(),
                "remove the repeated or extra strategy",
            );
        }
    }
    for (i, tool) in target.tools.iter().enumerate() {
        let pointer = format!("/targets/harness/tools/{i}");
        match (&tool.gateway, &tool.mcp) {
            (Some(_), Some(_)) | (None, None) => report(
                &pointer,
                format!(
                    "harness tool `{}` needs exactly one of `gateway` or `mcp`",
                    tool.name
                ),
                "give a gateway ARN (`gateway:`) or a remote MCP server URL (`mcp:`)",
            ),
            (Some(arn), None) => {
                if !GATEWAY_ARN.is_match(arn) {
                    report(
                        &format!("{pointer}/gateway"),
                        format!("`{arn}` is not an AgentCore Gateway ARN"),
                        "gateway ARNs look like `arn:aws:bedrock-agentcore:<region>:<account>:gateway/<name>-<10 characters>`",
                    );
                }
                if !tool.headers.is_empty() {
                    report(
                        &format!("{pointer}/headers"),
                        "headers apply to an MCP server, not to a gateway".into(),
                        "remove them; the harness signs gateway calls with its role",
                    );
                }
            }
            (None, Some(url)) => {
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    report(
                        &format!("{pointer}/mcp"),
                        format!("`{url}` is not an HTTP(S) URL"),
                        "give the MCP server's URL, e.g. `https://mcp.example.com/mcp`",
                    );
                }
            }
        }
        if !TOOL_NAME.is_match(&tool.name) {
            report(
                &format!("{pointer}/name"),
                format!("`{}` is not a valid harness tool name", tool.name),
                "use letters, digits, `_` or `-`, at most 64 characters",
            );
        }
    }
}

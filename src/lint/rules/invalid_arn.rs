use super::{
    GUARDRAIL_ID, GUARDRAIL_VERSION, KMS_ARN, KNOWLEDGE_BASE_ID, LAMBDA_ARN, Pattern, ROLE_ARN,
};
use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;
use crate::spec::Executor;

declare_rule! {
    /// # invalid-arn
    ///
    /// An ARN or resource id that does not have the shape Bedrock requires: Lambda executor
    /// ARNs, the agent's IAM role, the KMS key, the guardrail id and version, and knowledge
    /// base ids.
    ///
    /// ## Why
    /// A malformed ARN fails at deploy time with a `ValidationException`, after the agent
    /// itself may already have been created or changed. The patterns are the service
    /// model's, anchored: e.g. a Lambda ARN is
    /// `arn:aws:lambda:<region>:<12-digit account>:function:<name>[:<version or alias>]`.
    ///
    /// ## How to fix
    /// Copy the ARN from the console or `aws lambda get-function` / `aws iam get-role`;
    /// check the account id has 12 digits and the region is present. Knowledge base ids are
    /// 10 letters or digits; guardrail versions are a number or `DRAFT`.
    InvalidArn {
        severity: Error,
        summary: "An ARN or resource id that does not have the shape Bedrock requires.",
        check: check,
    }
}

fn check(rule: &InvalidArn, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut checks: Vec<(String, &str, &Pattern, &str)> = Vec::new();
    for (g, group) in cx.spec.action_groups.iter().enumerate() {
        if let Executor::Lambda(arn) = &group.executor {
            checks.push((
                format!("/action_groups/{g}/executor/lambda"),
                arn,
                &LAMBDA_ARN,
                "Lambda function ARN",
            ));
        }
    }
    if let Some(agents) = &cx.spec.targets.agents {
        checks.push((
            "/targets/agents/role_arn".into(),
            &agents.role_arn,
            &ROLE_ARN,
            "IAM role ARN",
        ));
        if let Some(key) = &agents.encryption_key_arn {
            checks.push((
                "/targets/agents/encryption_key_arn".into(),
                key,
                &KMS_ARN,
                "KMS key ARN",
            ));
        }
    }
    if let Some(guardrail) = &cx.spec.guardrail {
        checks.push((
            "/guardrail/id".into(),
            &guardrail.id,
            &GUARDRAIL_ID,
            "guardrail id or ARN",
        ));
        checks.push((
            "/guardrail/version".into(),
            &guardrail.version,
            &GUARDRAIL_VERSION,
            "guardrail version (a number or DRAFT)",
        ));
    }
    for (k, kb) in cx.spec.knowledge_bases.iter().enumerate() {
        checks.push((
            format!("/knowledge_bases/{k}/id"),
            &kb.id,
            &KNOWLEDGE_BASE_ID,
            "knowledge base id (10 letters or digits)",
        ));
    }
    for (pointer, value, pattern, what) in checks {
        if !pattern.is_match(value) {
            out.push(
                rule.report(format!("`{value}` is not a valid {what}"))
                    .with_span(cx.value_span(&pointer))
                    .with_help(format!("it must match `{}`", pattern.as_str())),
            );
        }
    }
}

use super::NAME;
use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;

declare_rule! {
    /// # invalid-name
    ///
    /// A name that Bedrock Agents will reject.
    ///
    /// ## Why
    /// Bedrock names (agent, action groups, functions, parameters, alias) must match
    /// `^([0-9a-zA-Z][_-]?){1,100}$`: letters and digits, optionally separated by a single
    /// `_` or `-`, no dots, spaces or doubled separators. The direct target renames tools
    /// whose names Converse cannot carry (see `tool-name-too-long`), so this rule applies to
    /// the agents target only.
    ///
    /// ## How to fix
    /// Rename following the pattern: `query_database`, `infra-assistant`.
    InvalidName {
        severity: Error,
        summary: "A name that Bedrock Agents rejects.",
        targets: [Agents],
        check: check,
    }
}

fn check(rule: &InvalidName, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut names: Vec<(String, &str, &str)> =
        vec![("/name".into(), "agent", cx.spec.name.as_str())];
    if let Some(alias) = cx
        .spec
        .targets
        .agents
        .as_ref()
        .and_then(|a| a.alias.as_deref())
    {
        names.push(("/targets/agents/alias".into(), "alias", alias));
    }
    for (g, group) in cx.spec.action_groups.iter().enumerate() {
        names.push((
            format!("/action_groups/{g}/name"),
            "action group",
            &group.name,
        ));
        for (f, function) in group.functions.iter().enumerate() {
            names.push((
                format!("/action_groups/{g}/functions/{f}/name"),
                "function",
                &function.name,
            ));
            for (p, name) in function.parameters.keys().enumerate() {
                let _ = p;
                let pointer = format!(
                    "/action_groups/{g}/functions/{f}/parameters/{}",
                    crate::spec::yaml::pointer_segment(name)
                );
                names.push((pointer, "parameter", name));
            }
        }
    }
    for (pointer, what, name) in names {
        if !NAME.is_match(name) {
            let span = if what == "parameter" {
                cx.key_span(&pointer)
            } else {
                cx.value_span(&pointer)
            };
            out.push(
                rule.report(format!("{what} name `{name}` is not a valid Bedrock name"))
                    .with_span(span)
                    .with_help(format!(
                        "use letters and digits separated by single `_` or `-` (at most 100 groups), e.g. `{}`",
                        suggest(name)
                    )),
            );
        }
    }
}

/// A valid name close to `name`.
fn suggest(name: &str) -> String {
    let mut out = String::new();
    let mut last_separator = true;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
            last_separator = false;
        } else if !last_separator {
            out.push(if c == '-' { '-' } else { '_' });
            last_separator = true;
        }
    }
    let trimmed = out.trim_end_matches(['_', '-']);
    if trimmed.is_empty() {
        "my_name".into()
    } else {
        trimmed.chars().take(100).collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn suggestions_are_valid_names() {
        for bad in ["infra assistant", "a..b", "__x", "ü", "get.status"] {
            let s = super::suggest(bad);
            assert!(super::NAME.is_match(&s), "{bad} -> {s}");
        }
    }
}

//! The service models' name and ARN patterns, matched by hand.
//!
//! Compiling them with `regex` cost about a millisecond of a ~5 ms `agentc lint` (each
//! compile builds forward and reverse automata; `NAME`'s `{1,100}` unrolls its group a
//! hundred times). The regex text stays the specification: it is what a finding's help
//! quotes, and each matcher is tested against the regex compiled from it (below). A pattern
//! too irregular to match by hand keeps a lazily compiled regex ([`Pattern::compiled`]).

use regex::Regex;
use std::sync::OnceLock;

/// An anchored pattern of a service model and the function that decides it.
pub(crate) struct Pattern {
    source: &'static str,
    matcher: Matcher,
}

enum Matcher {
    Hand(fn(&str) -> bool),
    Compiled(OnceLock<Regex>),
}

impl Pattern {
    const fn hand(source: &'static str, matcher: fn(&str) -> bool) -> Pattern {
        Pattern {
            source,
            matcher: Matcher::Hand(matcher),
        }
    }

    /// A pattern matched by the regex engine, compiled on its first use.
    pub(crate) const fn compiled(source: &'static str) -> Pattern {
        Pattern {
            source,
            matcher: Matcher::Compiled(OnceLock::new()),
        }
    }

    pub(crate) fn is_match(&self, text: &str) -> bool {
        match &self.matcher {
            Matcher::Hand(matcher) => matcher(text),
            Matcher::Compiled(regex) => regex
                .get_or_init(|| super::regex(self.source))
                .is_match(text),
        }
    }

    /// The pattern as the service model writes it.
    pub(crate) fn as_str(&self) -> &'static str {
        self.source
    }
}

/// Bedrock's name rule for agents, action groups, functions and parameters, anchored.
pub(crate) static NAME: Pattern = Pattern::hand(r"^([0-9a-zA-Z][_-]?){1,100}$", |s| {
    // Each group is one letter or digit, optionally followed by one separator.
    let mut groups = 0;
    let mut after_alphanumeric = false;
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() {
            groups += 1;
            after_alphanumeric = true;
        } else if (b == b'_' || b == b'-') && after_alphanumeric {
            after_alphanumeric = false;
        } else {
            return false;
        }
    }
    (1..=100).contains(&groups)
});

/// Converse tool names.
pub(crate) static TOOL_NAME: Pattern = Pattern::hand(r"^[a-zA-Z0-9_-]{1,64}$", |s| {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
});

pub(crate) static LAMBDA_ARN: Pattern = Pattern::hand(
    r"^arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}(-gov)?-[a-z]+-\d{1}:\d{12}:function:[a-zA-Z0-9-_\.]+(:(\$LATEST|[a-zA-Z0-9-_]+))?$",
    |s| {
        // No field of the pattern can hold a `:`, so the fields are the `:`-separated parts.
        let parts: Vec<&str> = s.split(':').collect();
        let [
            arn,
            partition,
            service,
            region,
            account,
            function,
            name,
            qualifier @ ..,
        ] = parts.as_slice()
        else {
            return false;
        };
        let name_char = |b: u8| b.is_ascii_alphanumeric() || b"-_.".contains(&b);
        let qualifier_ok = match qualifier {
            [] => true,
            [q] => *q == "$LATEST" || plus(q, |b| b.is_ascii_alphanumeric() || b"-_".contains(&b)),
            _ => false,
        };
        *arn == "arn"
            && (partition.is_empty()
                || partition
                    .strip_prefix("aws")
                    .is_some_and(|rest| rest.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-')))
            && *service == "lambda"
            && lambda_region(region)
            && digits(account, 12)
            && *function == "function"
            && plus(name, name_char)
            && qualifier_ok
    },
);

/// `[a-z]{2}(-gov)?-[a-z]+-\d{1}`
fn lambda_region(region: &str) -> bool {
    let b = region.as_bytes();
    if b.len() < 6 || !b[..2].iter().all(u8::is_ascii_lowercase) {
        return false;
    }
    let (middle, end) = b[2..].split_at(b.len() - 4);
    let lower = |m: &[u8]| !m.is_empty() && m.iter().all(u8::is_ascii_lowercase);
    end.len() == 2
        && end[0] == b'-'
        && end[1].is_ascii_digit()
        && (middle.strip_prefix(b"-").is_some_and(lower)
            || middle.strip_prefix(b"-gov-").is_some_and(lower))
}

pub(crate) static ROLE_ARN: Pattern =
    Pattern::hand(r"^arn:aws(-[^:]+)?:iam::([0-9]{12})?:role/.+$", |s| {
        let Some(rest) = s.strip_prefix("arn:aws") else {
            return false;
        };
        let Some((partition, rest)) = rest.split_once(':') else {
            return false;
        };
        let Some(rest) = rest.strip_prefix("iam::") else {
            return false;
        };
        let rest = if digits(rest.get(..12).unwrap_or(""), 12) {
            &rest[12..]
        } else {
            rest
        };
        (partition.is_empty() || (partition.starts_with('-') && partition.len() > 1))
            && rest
                .strip_prefix(":role/")
                .is_some_and(|name| !name.is_empty() && !name.contains('\n'))
    });

pub(crate) static KMS_ARN: Pattern = Pattern::hand(
    r"^arn:aws(|-cn|-us-gov):kms:[a-zA-Z0-9-]*:[0-9]{12}:key/[a-zA-Z0-9-]{36}$",
    |s| {
        let parts: Vec<&str> = s.split(':').collect();
        let [arn, partition, service, region, account, key] = parts.as_slice() else {
            return false;
        };
        let id_char = |b: u8| b.is_ascii_alphanumeric() || b == b'-';
        *arn == "arn"
            && ["aws", "aws-cn", "aws-us-gov"].contains(partition)
            && *service == "kms"
            && region.bytes().all(id_char)
            && digits(account, 12)
            && key
                .strip_prefix("key/")
                .is_some_and(|id| id.len() == 36 && id.bytes().all(id_char))
    },
);

pub(crate) static GUARDRAIL_ID: Pattern = Pattern::hand(
    r"^(([a-z0-9]+)|(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail/[a-z0-9]+))$",
    |s| {
        let id_char = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        if plus(s, id_char) {
            return true;
        }
        let Some(rest) = s.strip_prefix("arn:aws") else {
            return false;
        };
        let parts: Vec<&str> = rest.split(':').collect();
        let [partition, service, region, account, id] = parts.as_slice() else {
            return false;
        };
        (partition.is_empty() || (partition.starts_with('-') && partition.len() > 1))
            && *service == "bedrock"
            && (1..=20).contains(&region.len())
            && region.bytes().all(|b| id_char(b) || b == b'-')
            && digits(account, 12)
            && id
                .strip_prefix("guardrail/")
                .is_some_and(|id| plus(id, id_char))
    },
);

pub(crate) static GUARDRAIL_VERSION: Pattern = Pattern::hand(r"^(([0-9]{1,8})|(DRAFT))$", |s| {
    s == "DRAFT" || ((1..=8).contains(&s.len()) && digits(s, s.len()))
});

pub(crate) static KNOWLEDGE_BASE_ID: Pattern = Pattern::hand(r"^[0-9a-zA-Z]{10}$", |s| {
    s.len() == 10 && s.bytes().all(|b| b.is_ascii_alphanumeric())
});

/// Bedrock's tag key and value alphabet.
pub(crate) static TAG_TEXT: Pattern = Pattern::hand(r"^[a-zA-Z0-9\s._:/=+@-]*$", |s| {
    // `\s` is Unicode white space in the regex, as in `char::is_whitespace`.
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || c.is_whitespace() || "._:/=+@-".contains(c))
});

pub(crate) static SUBNET: Pattern = Pattern::hand(r"^subnet-[0-9a-zA-Z]{8,17}$", |s| {
    s.strip_prefix("subnet-")
        .is_some_and(|id| resource_id(id, 8, 17))
});

pub(crate) static SECURITY_GROUP: Pattern = Pattern::hand(r"^sg-[0-9a-zA-Z]{8,17}$", |s| {
    s.strip_prefix("sg-")
        .is_some_and(|id| resource_id(id, 8, 17))
});

/// Exactly `n` ASCII digits (the service models' `[0-9]`; Rust's `\d` would also take other
/// scripts' digits, which no AWS account id or Lambda region has).
fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// One or more bytes, each passing `ok`.
fn plus(s: &str, ok: impl Fn(u8) -> bool) -> bool {
    !s.is_empty() && s.bytes().all(ok)
}

fn resource_id(id: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::LazyLock;

    /// Every hand matcher, with the regex it must agree with (`\d` as the ASCII digits the
    /// service models mean; see [`digits`]). Compiled once: the property runs thousands of cases.
    static ORACLES: LazyLock<Vec<(&'static Pattern, Regex)>> = LazyLock::new(|| {
        [
            &NAME,
            &TOOL_NAME,
            &LAMBDA_ARN,
            &ROLE_ARN,
            &KMS_ARN,
            &GUARDRAIL_ID,
            &GUARDRAIL_VERSION,
            &KNOWLEDGE_BASE_ID,
            &TAG_TEXT,
            &SUBNET,
            &SECURITY_GROUP,
        ]
        .into_iter()
        .map(|p| (p, Regex::new(&p.as_str().replace(r"\d", "[0-9]")).unwrap()))
        .collect()
    });

    /// A value each pattern accepts.
    const VALID: &[&str] = &[
        "infra-assistant_v2",
        "arn:aws:lambda:us-east-1:123456789012:function:query-database:$LATEST",
        "arn:aws-cn:lambda:us-gov-west-1:123456789012:function:f.v2:live",
        "arn:aws:iam::123456789012:role/AmazonBedrockExecutionRoleForAgents_infra",
        "arn:aws-cn:iam:::role/x",
        "arn:aws-us-gov:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:bedrock:us-east-1:123456789012:guardrail/abc123",
        "12345678",
        "ABCDEFGHIJ",
        "team: platform/infra@example.com",
        "subnet-0a1b2c3d4e5f67890",
        "sg-0a1b2c3d4e5f67890",
    ];

    /// A valid value with a few characters inserted, removed or replaced: the strings that
    /// sit on the border of each pattern's language.
    fn near_miss() -> impl Strategy<Value = String> {
        let edit = (
            0usize..200,
            0u8..3,
            prop::sample::select(&[
                'a', 'Z', '0', '9', '-', '_', '.', ':', '/', '$', ' ', '\n', '\t', '\u{a0}',
                '\u{663}', 'é', '#',
            ]),
        );
        (
            prop::sample::select(VALID),
            prop::collection::vec(edit, 0..4),
        )
            .prop_map(|(valid, edits)| {
                let mut chars: Vec<char> = valid.chars().collect();
                for (at, kind, c) in edits {
                    let at = at % (chars.len() + 1);
                    match kind {
                        0 => chars.insert(at, c),
                        1 if at < chars.len() => {
                            chars.remove(at);
                        }
                        _ if at < chars.len() => chars[at] = c,
                        _ => chars.push(c),
                    }
                }
                chars.into_iter().collect()
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn hand_matchers_agree_with_their_regex(text in near_miss()) {
            for (pattern, regex) in ORACLES.iter() {
                prop_assert_eq!(pattern.is_match(&text), regex.is_match(&text), "{} on {:?}", pattern.as_str(), text);
            }
        }
    }

    #[test]
    fn hand_matchers_agree_with_their_regex_on_known_values() {
        let values = [
            "infra-assistant",
            "a_",
            "_a",
            "a__b",
            "a-_b",
            &"a".repeat(100),
            &"a".repeat(101),
            &"a-".repeat(100),
            &"a".repeat(64),
            &"a".repeat(65),
            "arn:aws:lambda:us-east-1:123456789012:function:query-database",
            "arn:aws:lambda:us-east-1:123456789012:function:query-database:$LATEST",
            "arn:aws:lambda:us-east-1:123456789012:function:query-database:live",
            "arn:aws:lambda:us-east-1:123456789012:function:query-database:",
            "arn:aws:lambda:us-gov-west-1:123456789012:function:f",
            "arn:aws:lambda:us-gov-1:123456789012:function:f",
            "arn:aws:lambda:us-gov-gov-1:123456789012:function:f",
            "arn::lambda:eu-west-3:123456789012:function:f.v2",
            "arn:aws-cn:lambda:cn-north-1:123456789012:function:f",
            "arn:aws:lambda:us-east-12:123456789012:function:f",
            "arn:aws:lambda:us-east-\u{663}:123456789012:function:f",
            "arn:aws:lambda:us-east-1:123:function:x",
            "arn:aws:iam::123456789012:role/AmazonBedrockExecutionRoleForAgents_infra",
            "arn:aws:iam:::role/x",
            "arn:aws-cn:iam::123456789012:role/path/x",
            "arn:aws-:iam::123456789012:role/x",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:iam::123456789012:role/a\nb",
            "arn:aws:iam::12345678901:role/x",
            "arn:aws:iam::123:user/x",
            "arn:aws:iam::123456789012:role/x:y",
            "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws-us-gov:kms::123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws-eu:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "abc123",
            "arn:aws:bedrock:us-east-1:123456789012:guardrail/abc123",
            "arn:aws-x:bedrock:us-east-1:123456789012:guardrail/abc123",
            "arn:aws:bedrock:us-east-1-and-a-long-region:123456789012:guardrail/abc123",
            "DRAFT",
            "12345678",
            "123456789",
            "ABCDEFGHIJ",
            "ABC",
            "team: platform/infra@example.com",
            "cost#centre",
            "tab\there\u{a0}",
            "subnet-0a1b2c3d4e5f67890",
            "subnet-0a1b2c3",
            "sg-0a1b2c3d4e5f67890",
            "",
        ];
        for value in VALID {
            assert!(ORACLES.iter().any(|(p, _)| p.is_match(value)), "{value}");
        }
        for (pattern, regex) in ORACLES.iter() {
            for value in values {
                assert_eq!(
                    pattern.is_match(value),
                    regex.is_match(value),
                    "{} on {value:?}",
                    pattern.as_str()
                );
            }
        }
    }
}

//! A local bedrock-agent-runtime `Retrieve` endpoint (`POST /knowledgebases/{id}/retrieve`,
//! rest-json): it checks each request against the service model's shape and answers with the
//! passages a test gives per knowledge base. Two ids fail on purpose: `KBMISSING0` answers
//! `ResourceNotFoundException` (404), `KBTHROTTLE` answers `ThrottlingException` (429).

use super::{Recorded, Reply, Server};
use serde_json::{Value, json};
use std::collections::HashMap;

pub const MISSING: &str = "KBMISSING0";
pub const THROTTLED: &str = "KBTHROTTLE";

/// One passage: text and S3 URI.
pub type Passage = (&'static str, &'static str);

pub fn start(passages: HashMap<&'static str, Vec<Passage>>) -> Server {
    Server::start(move |request| answer(request, &passages))
}

fn validation(message: &str) -> Reply {
    Reply::aws_error(400, "ValidationException", message)
}

fn answer(request: &Recorded, passages: &HashMap<&'static str, Vec<Passage>>) -> Reply {
    let Some(id) = request
        .path
        .strip_prefix("/knowledgebases/")
        .and_then(|rest| rest.strip_suffix("/retrieve"))
    else {
        return Reply::aws_error(404, "UnknownOperationException", "no such operation");
    };
    if request.method != "POST" {
        return validation("Retrieve is a POST");
    }
    // SigV4 with the service's signing name, `bedrock` (not the endpoint prefix).
    let signed = request
        .header("authorization")
        .is_some_and(|a| a.starts_with("AWS4-HMAC-SHA256 ") && a.contains("/bedrock/aws4_request"));
    if !signed {
        return Reply::aws_error(403, "AccessDeniedException", "the request is not signed");
    }
    let body = request.json();
    let Some(query) = body["retrievalQuery"]["text"].as_str() else {
        return validation("retrievalQuery.text is required");
    };
    if query.len() > 20_000 {
        return validation("retrievalQuery.text is longer than 20000");
    }
    let vector = &body["retrievalConfiguration"]["vectorSearchConfiguration"];
    let wanted = match &vector["numberOfResults"] {
        Value::Null => 5,
        n => match n.as_u64() {
            Some(n @ 1..=100) => n as usize,
            _ => return validation("numberOfResults must be between 1 and 100"),
        },
    };
    if let Some(kind) = vector.get("overrideSearchType")
        && !matches!(kind.as_str(), Some("HYBRID" | "SEMANTIC"))
    {
        return validation("overrideSearchType must be HYBRID or SEMANTIC");
    }
    match id {
        MISSING => Reply::aws_error(
            404,
            "ResourceNotFoundException",
            "Knowledge base KBMISSING0 does not exist",
        ),
        THROTTLED => Reply::aws_error(429, "ThrottlingException", "Rate exceeded"),
        _ => match passages.get(id) {
            None => Reply::aws_error(404, "ResourceNotFoundException", "no such knowledge base"),
            Some(list) => {
                let results: Vec<Value> = list
                    .iter()
                    .take(wanted)
                    .enumerate()
                    .map(|(i, (text, uri))| {
                        json!({
                            "content": {"text": text, "type": "TEXT"},
                            "location": {"type": "S3", "s3Location": {"uri": uri}},
                            "score": 0.9 - i as f64 / 10.0,
                            "metadata": {"x-amz-bedrock-kb-source-uri": uri}
                        })
                    })
                    .collect();
                Reply::json(200, json!({ "retrievalResults": results }))
            }
        },
    }
}

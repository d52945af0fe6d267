//! Keeping a conversation well-formed and within the model's context window.
//!
//! Converse wants alternating `user`/`assistant` messages, every `toolUse` answered by a
//! `toolResult` in the next message, and a history that starts with a user message.
//!
//! **Trimming policy.** Before every model call (and when a session is saved) the history is
//! cut to a byte budget derived from the model's context window: `(context window − output
//! reserve − system prompt and tool definitions) × 3 bytes`, i.e. every 3 bytes of message JSON
//! are counted as one token — an estimate deliberately on the high side for English and JSON
//! (cl100k_base averages about 4 bytes per token on English). When over budget, whole turns are
//! dropped from the oldest end; a turn starts at a user message that carries no tool
//! result, so a `toolUse` is never separated from its `toolResult`. The current turn is never
//! dropped: if it alone is too long, it is sent as is and the model reports
//! `model_context_window_exceeded` or a validation error.

use serde_json::{Value, json};

/// Bytes of message JSON counted as one token by the trimming estimate.
pub const BYTES_PER_TOKEN: usize = 3;

fn role(message: &Value) -> Option<&str> {
    message.get("role").and_then(Value::as_str)
}

fn blocks(message: &Value) -> impl Iterator<Item = &Value> {
    message
        .get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// Whether a turn can start here: a user message with no tool results in it.
fn starts_turn(message: &Value) -> bool {
    role(message) == Some("user") && !blocks(message).any(|b| b.get("toolResult").is_some())
}

/// Append messages, merging any that repeat the previous message's role into it (a turn cut
/// short by `max_iterations` ends with a user message of tool results; the next user text
/// joins it rather than breaking the alternation).
pub fn append_turn(messages: &mut Vec<Value>, appended: impl IntoIterator<Item = Value>) {
    for message in appended {
        let same_role = messages
            .last()
            .is_some_and(|last| role(last).is_some() && role(last) == role(&message));
        if same_role
            && let (Some(last), Some(new_blocks)) = (
                messages.last_mut(),
                message.get("content").and_then(Value::as_array),
            )
            && let Some(content) = last.get_mut("content").and_then(Value::as_array_mut)
        {
            content.extend(new_blocks.iter().cloned());
            continue;
        }
        messages.push(message);
    }
}

/// Tool calls of the last message left without results (a turn that stopped on `max_tokens`
/// in the middle of a call): answer them with an error so the next turn is valid.
pub fn unanswered_tool_results(messages: &[Value]) -> Option<Value> {
    let last = messages.last()?;
    if role(last) != Some("assistant") {
        return None;
    }
    let results: Vec<Value> = blocks(last)
        .filter_map(|b| b.pointer("/toolUse/toolUseId").and_then(Value::as_str))
        .map(|id| {
            super::wire::tool_result_block(
                id,
                json!({"text": "this call was not run: the previous turn ended before it"}),
                true,
            )
        })
        .collect();
    (!results.is_empty()).then(|| json!({"role": "user", "content": results}))
}

/// Index of the first message to keep so that the rest fits `max_bytes`.
pub fn trim_start(messages: &[Value], max_bytes: usize) -> usize {
    let sizes: Vec<usize> = messages.iter().map(|m| m.to_string().len()).collect();
    trim_start_sized(messages, &sizes, max_bytes)
}

/// `trim_start` with the messages' serialized sizes already known.
pub fn trim_start_sized(messages: &[Value], sizes: &[usize], max_bytes: usize) -> usize {
    let mut total: usize = sizes.iter().sum();
    let mut start = 0;
    while total > max_bytes {
        let Some(next) = (start + 1..messages.len()).find(|&i| starts_turn(&messages[i])) else {
            break;
        };
        total -= sizes[start..next].iter().sum::<usize>();
        start = next;
    }
    start
}

/// Drop the oldest turns until the history fits `max_bytes` (see the module docs).
pub fn trim(messages: &mut Vec<Value>, max_bytes: usize) {
    let start = trim_start(messages, max_bytes);
    messages.drain(..start);
}

/// The byte budget for the history of a model with `context_window` tokens.
pub fn budget_bytes(context_window: u64, output_reserve: u64, fixed_bytes: usize) -> usize {
    let fixed_tokens = (fixed_bytes / BYTES_PER_TOKEN) as u64;
    let tokens = context_window
        .saturating_sub(output_reserve)
        .saturating_sub(fixed_tokens);
    (tokens as usize).saturating_mul(BYTES_PER_TOKEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(text: &str) -> Value {
        json!({"role": "user", "content": [{"text": text}]})
    }
    fn assistant(text: &str) -> Value {
        json!({"role": "assistant", "content": [{"text": text}]})
    }
    fn tool_use(id: &str) -> Value {
        json!({"role": "assistant", "content": [{"toolUse": {"toolUseId": id, "name": "t", "input": {}}}]})
    }
    fn tool_result(id: &str) -> Value {
        json!({"role": "user", "content": [{"toolResult": {"toolUseId": id, "content": [{"text": "ok"}]}}]})
    }

    #[test]
    fn trimming_drops_whole_oldest_turns_and_never_splits_tool_pairs() {
        let mut messages = vec![
            user(&"a".repeat(100)),
            tool_use("1"),
            tool_result("1"),
            assistant("done"),
            user("second"),
            assistant("fine"),
        ];
        let last_turn: usize = messages[4..].iter().map(|m| m.to_string().len()).sum();
        trim(&mut messages, last_turn + 10);
        assert_eq!(messages, vec![user("second"), assistant("fine")]);
        // The current turn is kept even when it alone is over budget.
        trim(&mut messages, 1);
        assert_eq!(messages.len(), 2);
    }

    #[test]
    fn a_user_message_after_a_cut_short_turn_joins_the_tool_results() {
        let mut messages = vec![user("q"), tool_use("1"), tool_result("1")];
        append_turn(&mut messages, [user("next")]);
        assert_eq!(messages.len(), 3);
        assert_eq!(messages[2]["content"][1]["text"], "next");
    }

    #[test]
    fn unanswered_calls_get_error_results() {
        let messages = vec![user("q"), tool_use("7")];
        let repair = unanswered_tool_results(&messages).expect("needs results");
        assert_eq!(repair["content"][0]["toolResult"]["toolUseId"], "7");
        assert_eq!(repair["content"][0]["toolResult"]["status"], "error");
        assert!(unanswered_tool_results(&[user("q"), assistant("a")]).is_none());
    }
}

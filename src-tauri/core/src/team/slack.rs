//! The message as Slack receives it from an incoming webhook: plain `text`
//! (what notifications and old clients show) plus `blocks` — a section with
//! the message and, when the ticket's page in the PSA is known, a section
//! linking to it. Text from the technician or the PSA is escaped the way
//! Slack asks (`&`, `<`, `>`), so a customer's name cannot become a link or
//! an `@channel`.
//!
//! And Slack's error words (a webhook answers with a short code as plain
//! text), turned into what the technician should do.

use serde_json::{json, Value};

/// Slack's limit for the text of a section block.
const SECTION_CHARS: usize = 3_000;

/// Escapes text for Slack's `mrkdwn` (its three control characters).
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut short: String = text.chars().take(max - 1).collect();
    short.push('…');
    short
}

/// The body posted to the webhook.
pub fn slack_message_body(text: &str, link: Option<&TicketLinkParts<'_>>) -> Value {
    let escaped = escape(text);
    let mut blocks = vec![json!({
        "type": "section",
        "text": { "type": "mrkdwn", "text": shorten(&escaped, SECTION_CHARS) },
    })];
    if let Some(link) = link {
        // The URL comes from the settings' template and a numeric PSA id
        // (checked there); the label is escaped, and `|` ends Slack's URL part.
        let label = escape(&format!("{} — {}", link.number, link.title)).replace('|', "¦");
        blocks.push(json!({
            "type": "section",
            "text": { "type": "mrkdwn", "text": shorten(&format!("<{}|{}>", link.url, label), SECTION_CHARS) },
        }));
    }
    json!({ "text": escaped, "blocks": blocks })
}

/// A link to a ticket's page in the PSA (see [`slack_message_body`]).
pub struct TicketLinkParts<'a> {
    pub url: &'a str,
    pub number: &'a str,
    pub title: &'a str,
}

/// What Slack's answer means, in words for the technician. `status` is the
/// HTTP status, `words` the body (Slack sends a short code such as
/// `channel_is_archived`).
pub fn slack_error_message(status: u16, words: &str) -> String {
    let code = words.trim();
    let code = shorten(code, 200);
    match code.as_str() {
        "invalid_payload" => "Slack could not read the message (invalid_payload). Discard it, or send it again \
                              after an update of Fieldkit."
            .into(),
        "no_text" => "Slack received the message without its text (no_text). Discard it and ask again.".into(),
        "channel_is_archived" => "The Slack channel of this webhook is archived (channel_is_archived). Ask for a \
                                  webhook to a channel in use, save it in Settings → Team, then send again."
            .into(),
        "no_service" | "no_active_hooks" | "invalid_token" => format!(
            "Slack does not know this webhook any more ({code}): it was removed or turned off. Save a new webhook \
             URL in Settings → Team, then send again."
        ),
        "channel_not_found" => "The Slack channel of this webhook no longer exists (channel_not_found). Save a new \
                                webhook URL in Settings → Team, then send again."
            .into(),
        "action_prohibited" | "posting_to_general_channel_denied" => format!(
            "Slack does not let this webhook post to its channel ({code}). Ask the Slack administrator, then send \
             again."
        ),
        _ if status == 404 => format!(
            "Slack does not know this webhook (HTTP 404{}). Check the webhook URL in Settings → Team.",
            if code.is_empty() { String::new() } else { format!(", {code}") }
        ),
        "" => format!("Slack answered HTTP {status} without saying why."),
        _ => format!("Slack refused the message (HTTP {status}): {code}"),
    }
}

/// An error about the webhook itself, not this message: every other message
/// would fail the same way, so the round stops.
pub(crate) fn is_webhook_problem(status: u16, words: &str) -> bool {
    status == 404
        || status == 410
        || status == 403
        || matches!(
            words.trim(),
            "no_service"
                | "no_active_hooks"
                | "invalid_token"
                | "channel_is_archived"
                | "channel_not_found"
                | "action_prohibited"
                | "posting_to_general_channel_denied"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_the_link_is_a_second_section() {
        let link = TicketLinkParts {
            url:
                "https://ww5.autotask.net/Autotask/AutotaskExtend/ExecuteCommand.aspx?Code=OpenTicketDetail&TicketID=7",
            number: "T20261120.0042",
            title: "Printer <b>|offline</b> & more",
        };
        let body = slack_message_body("Who is available? <!channel> & <https://evil|x>", Some(&link));
        assert_eq!(body["text"], "Who is available? &lt;!channel&gt; &amp; &lt;https://evil|x&gt;");
        let blocks = body["blocks"].as_array().unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0]["type"], "section");
        assert_eq!(blocks[0]["text"]["type"], "mrkdwn");
        assert_eq!(blocks[0]["text"]["text"], body["text"]);
        assert_eq!(
            blocks[1]["text"]["text"],
            format!("<{}|T20261120.0042 — Printer &lt;b&gt;¦offline&lt;/b&gt; &amp; more>", link.url)
        );
        let without = slack_message_body("Hi", None);
        assert_eq!(without["blocks"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn a_long_message_fits_a_section() {
        let body = slack_message_body(&"x".repeat(5_000), None);
        assert_eq!(body["blocks"][0]["text"]["text"].as_str().unwrap().chars().count(), SECTION_CHARS);
    }

    #[test]
    fn slack_error_words_become_advice() {
        assert!(slack_error_message(410, "channel_is_archived").contains("archived"));
        assert!(slack_error_message(404, "no_service").contains("Settings → Team"));
        assert!(slack_error_message(400, "invalid_payload").contains("invalid_payload"));
        assert!(slack_error_message(400, "no_text").contains("no_text"));
        assert!(slack_error_message(500, "rollup_error").contains("rollup_error"));
        assert!(is_webhook_problem(404, "no_service"));
        assert!(!is_webhook_problem(400, "invalid_payload"));
    }
}

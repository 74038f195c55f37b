// Words for a Slack message's state, as the technician reads them.
import type { SlackMessage } from "./bindings/SlackMessage";

export function slackStateText(state: SlackMessage["state"] | string): string {
  switch (state) {
    case "pending":
      return "Waiting to be sent";
    case "sending":
      return "Sending";
    case "sent":
      return "Sent to Slack";
    case "failed":
      return "Slack refused it";
    case "possibly_sent":
      return "Possibly sent";
    case "discarded":
      return "Discarded";
    default:
      return state;
  }
}

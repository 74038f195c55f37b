import { describe, expect, it } from "vitest";
import { slackStateText } from "./slack";

describe("slackStateText", () => {
  it("names every state in words", () => {
    expect(slackStateText("pending")).toBe("Waiting to be sent");
    expect(slackStateText("possibly_sent")).toBe("Possibly sent");
    expect(slackStateText("failed")).toBe("Slack refused it");
    expect(slackStateText("sent")).toBe("Sent to Slack");
  });
});

import { describe, expect, it } from "vitest";
import { asErrorPayload, backend, tauriBackend, useBackend, type Backend } from "./backend";
import { fieldKey, fieldMessages } from "./fieldErrors";

describe("backend module", () => {
  it("passes the core's error payload through unchanged", () => {
    const payload = { code: "validation", message: "1 field needs attention.", fields: [{ field: "name", message: "Required." }] };
    expect(asErrorPayload(payload)).toEqual(payload);
  });

  it("turns anything else into an internal error with a message", () => {
    expect(asErrorPayload(new Error("boom"))).toEqual({ code: "internal", message: "boom", fields: [] });
    expect(asErrorPayload("IPC down")).toEqual({ code: "internal", message: "IPC down", fields: [] });
  });

  it("can be swapped for tests", async () => {
    const fake = { ...tauriBackend, resourcesList: async () => [] } satisfies Backend;
    useBackend(fake);
    expect(await backend().resourcesList()).toEqual([]);
    useBackend(tauriBackend);
    expect(backend()).toBe(tauriBackend);
  });

  it("keys field messages by path and keeps the first message per field", () => {
    const messages = fieldMessages([
      { field: "contacts.1.email", message: "Enter an email address." },
      { field: "contacts.1.email", message: "second" },
    ]);
    expect(messages).toEqual({ "contacts.1.email": "Enter an email address." });
    expect(fieldKey("contacts.1.email")).toBe("contacts-1-email");
  });
});

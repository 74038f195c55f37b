import { describe, expect, it } from "vitest";
import { needsVault } from "./vault";

describe("vault errors", () => {
  it("recognises an error that needs the vault by its code", () => {
    expect(needsVault({ code: "vault_locked" })).toBe(true);
    expect(needsVault({ code: "vault_not_set_up" })).toBe(true);
    expect(needsVault({ code: "validation" })).toBe(false);
  });

  it("does not guess from the words of a message", () => {
    expect(needsVault({ code: "internal", message: "Secrets are locked: unlock them first." } as never)).toBe(false);
  });
});

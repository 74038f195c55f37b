import { describe, expect, it } from "vitest";
import { isVaultLocked, isVaultNotSetUp, needsVaultFirst } from "./backend";

const payload = (code: string, message: string) => ({ code, message, fields: [] });

describe("vault errors by code", () => {
  it("knows a locked vault and a vault not set up by their codes", () => {
    const locked = payload("vault_locked", "Secrets are locked: unlock them first.");
    const notSetUp = payload("vault_not_set_up", "Secrets are not set up yet.");
    expect(isVaultLocked(locked)).toBe(true);
    expect(isVaultNotSetUp(locked)).toBe(false);
    expect(isVaultNotSetUp(notSetUp)).toBe(true);
    expect(isVaultLocked(notSetUp)).toBe(false);
    expect(needsVaultFirst(locked) && needsVaultFirst(notSetUp)).toBe(true);
  });

  it("does not read the message's words", () => {
    expect(needsVaultFirst(payload("internal", "The PSA refused: account locked, not set up"))).toBe(false);
    expect(needsVaultFirst(payload("validation", "Secrets are locked"))).toBe(false);
    expect(needsVaultFirst(new Error("locked"))).toBe(false);
    expect(needsVaultFirst("not set up")).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { needsVault } from "./vault";

describe("vault errors", () => {
  it("recognises an error that needs the vault", () => {
    expect(needsVault({ code: "internal", message: "Secrets are locked: unlock them first." })).toBe(true);
    expect(needsVault({ code: "internal", message: "Secrets are not set up yet." })).toBe(true);
    expect(needsVault({ code: "validation", message: "Some fields need attention." })).toBe(false);
  });
});

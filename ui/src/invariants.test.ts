// The UI's invariants (ARCHITECTURE.md), checked over every source file:
// untrusted text is rendered as text only, every interactive element has a
// `data-testid`, and only `lib/backend.ts` talks to the Tauri API (besides
// index.html's inline script, which asks for the first screen's two reads).
import { describe, expect, it } from "vitest";
import indexHtml from "../index.html?raw";
import { interactiveTagsWithoutTestId, markupOf } from "./lib/sourceScan";

const sources = import.meta.glob<string>(["./**/*.svelte", "./**/*.ts"], { query: "?raw", import: "default", eager: true });
const files = Object.entries(sources).map(([path, text]) => ({ path: path.replace(/^\.\//, "src/"), text }));
const svelteFiles = files.filter((file) => file.path.endsWith(".svelte"));

describe("UI invariants", () => {
  it("finds the sources it scans", () => {
    expect(svelteFiles.length).toBeGreaterThan(40);
    expect(files.some((file) => file.path === "src/lib/backend.ts")).toBe(true);
  });

  it("renders no raw HTML", () => {
    // Written in two parts so this file does not match itself.
    const raw = new RegExp("\\{@" + "html\\b");
    const offenders = files.filter((file) => raw.test(file.text)).map((file) => file.path);
    expect(offenders).toEqual([]);
  });

  it("gives every interactive element a data-testid", () => {
    const offenders = svelteFiles.flatMap((file) =>
      interactiveTagsWithoutTestId(markupOf(file.text)).map((tag) => `${file.path}: ${tag.replace(/\s+/g, " ").slice(0, 120)}`),
    );
    expect(offenders).toEqual([]);
  });

  it("talks to Tauri only through lib/backend.ts", () => {
    const tauri = new RegExp("[\"']@tauri-" + "apps/");
    const offenders = files
      .filter((file) => file.path !== "src/lib/backend.ts" && !file.path.startsWith("src/lib/bindings/"))
      .filter((file) => tauri.test(file.text))
      .map((file) => file.path);
    expect(offenders).toEqual([]);
  });

  it("lets index.html's inline script ask for the first screen's two reads and nothing else", () => {
    const inline = [...indexHtml.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1]).join("\n");
    expect(inline.match(/\binvoke\(/g)).toHaveLength(1);
    const commands = [...inline.matchAll(/\bread\("([a-z_]+)"/g)].map((match) => match[1]);
    expect(commands).toEqual(["database_status", "today_overview"]);
  });
});

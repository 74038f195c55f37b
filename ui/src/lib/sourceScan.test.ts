import { describe, expect, it } from "vitest";
import { interactiveTagsWithoutTestId, markupOf, openingTags } from "./sourceScan";

describe("source scan", () => {
  it("reads whole opening tags, arrows and quotes inside expressions included", () => {
    const tags = openingTags(`<button onclick={() => (a = b > c ? "x>" : 'y')} data-testid="go">Go</button>`);
    expect(tags).toEqual([`<button onclick={() => (a = b > c ? "x>" : 'y')} data-testid="go">`]);
  });

  it("finds interactive elements without a test id, and only those", () => {
    const markup = markupOf(`<script>const s = "<button>";</script>
      <button type="button">No id</button>
      <input bind:value data-testid={\`field-\${key}\`} />
      <div class="row" onclick={open}>row</div>
      <section onkeydown={keys}><a href="#x" data-testid="x">x</a></section>
      <input type="hidden" name="h" />
      <svelte:window onkeydown={keys} />
      <Component onclick={go} />
      <style>button { color: red; }</style>`);
    expect(interactiveTagsWithoutTestId(markup)).toEqual([`<button type="button">`, `<div class="row" onclick={open}>`]);
  });
});

// A small scanner over Svelte source text, for the invariant tests: the
// markup without scripts, styles and comments, and the opening tags of
// interactive elements that carry no `data-testid`.

/** The markup of a Svelte file: `<script>`, `<style>` and comments blanked out. */
export function markupOf(source: string): string {
  return source
    .replace(/<script[\s\S]*?<\/script>/g, "")
    .replace(/<style[\s\S]*?<\/style>/g, "")
    .replace(/<!--[\s\S]*?-->/g, "");
}

/** Every opening tag in `markup`, whole, with `{…}` expressions and quotes inside it respected. */
export function openingTags(markup: string): string[] {
  const tags: string[] = [];
  const start = /<([a-zA-Z][\w:.-]*)/g;
  let match: RegExpExecArray | null;
  while ((match = start.exec(markup)) !== null) {
    let depth = 0;
    let quote = "";
    let index = match.index + match[0].length;
    for (; index < markup.length; index++) {
      const char = markup[index]!;
      if (quote) {
        if (char === quote) quote = "";
      } else if (char === "{") depth++;
      else if (char === "}") depth--;
      else if (depth > 0 && (char === '"' || char === "'" || char === "`")) quote = char;
      else if (depth === 0 && (char === '"' || char === "'")) quote = char;
      else if (depth === 0 && char === ">") break;
    }
    tags.push(markup.slice(match.index, index + 1));
    start.lastIndex = index + 1;
  }
  return tags;
}

const INTERACTIVE = /^<(button|input|select|textarea|a|summary)\b/;
// A click or pointer handler makes any element interactive; a keydown on a
// container only delegates keys for the controls inside it.
const HANDLER = /\son(click|dblclick|pointerdown)\s*=/;

/** Opening tags of interactive elements (form controls, links, anything with a handler) without a `data-testid`. */
export function interactiveTagsWithoutTestId(markup: string): string[] {
  return openingTags(markup).filter((tag) => {
    const interactive = INTERACTIVE.test(tag) || (/^<[a-z][\w-]*[\s/>]/.test(tag) && HANDLER.test(tag));
    if (!interactive) return false;
    if (/^<input\b/.test(tag) && /\stype="hidden"/.test(tag)) return false;
    return !/\sdata-testid\s*=/.test(tag) && !/\{\.\.\.[^}]*\}/.test(tag);
  });
}

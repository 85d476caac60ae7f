import { readFileSync } from "node:fs";

// Whether anything changes a LinkedIn page: a mutation counter put in before its own scripts.

// `script` (JS source) as the first element of <head>, so it runs before anything else.
export function injectHead(html, script) {
  const tag = `<script>${script}</script>`;
  const head = /<head[^>]*>/i.exec(html);
  if (!head) return tag + html;
  const end = head.index + head[0].length;
  return html.slice(0, end) + tag + html.slice(end);
}

// The page's own counter, the one the Chromium tests put in too (a plain page script).
export const MUTATION_COUNTER = readFileSync(
  new URL("../../../tests/browser/mutation-counter.js", import.meta.url),
  "utf8",
);

// `count`: every mutation; `afterParse`: those after the parse, as `log` lists them.
export async function mutations(page) {
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0))); // deliver records
  return page.evaluate(() => ({
    count: window.__mutations,
    afterParse: window.__mutationsAfterParse,
    log: window.__mutationLog,
  }));
}

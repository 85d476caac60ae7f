// The reading's words (PILLARS, PILLAR_NAMES, TOTAL, READING_FIELDS, RANKS) as the build
// wrote them into the extension under test: vocabulary.js of its built folder.

import { readFileSync } from "node:fs";
import { join } from "node:path";

// A data: URL is always an ES module, whatever package.json (or its absence) says of .js.
export async function loadVocabulary(extensionDir) {
  const text = readFileSync(join(extensionDir, "vocabulary.js"), "utf-8");
  return { ...(await import(`data:text/javascript,${encodeURIComponent(text)}`)) };
}

// Loads the extension's ES modules as they ship into a VM context of their own
// (vm.SourceTextModule: node --experimental-vm-modules), so that every worker starts fresh
// and what its modules export can be called directly.
//
// vocabulary.js is made by the build from companion/reading.py and never kept in extension/:
// it is read from the built extension in $SSI_EXTENSION_DIR (tests/test_extension_js.py
// builds one), else from build/extension/chrome (`make extension`). Everything else is read
// from extension/ itself, so a change there is tested without a build.

import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import vm from "node:vm";

const SOURCE_DIR = new URL("../", import.meta.url);
const BUILT_DIR = process.env.SSI_EXTENSION_DIR
  ? pathToFileURL(path.resolve(process.env.SSI_EXTENSION_DIR) + path.sep)
  : new URL("../../build/extension/chrome/", import.meta.url);
const GENERATED = new Set(["vocabulary.js"]);
export const ENTRY = "service-worker.js";

const sources = new Map();

// The module's file and text; every name is a file at the extension's top level.
function moduleFile(name) {
  const url = new URL(name, GENERATED.has(name) ? BUILT_DIR : SOURCE_DIR);
  if (!sources.has(name)) {
    try {
      sources.set(name, readFileSync(url, "utf8"));
    } catch (error) {
      if (error.code === "ENOENT" && GENERATED.has(name)) {
        throw new Error(
          `${name} is made by the build and was not found in ${BUILT_DIR.pathname}: run ` +
            "`make extension`, or set SSI_EXTENSION_DIR to a folder built by `ssi-companion extension build`",
          { cause: error },
        );
      }
      throw error;
    }
  }
  return { url: url.href, text: sources.get(name) };
}

// Each module of the graph under `entry`, evaluated in `context`, by file name.
// `firstTurn` runs right after evaluation starts, before anything awaited could run.
export async function loadModules(context, entry, firstTurn = () => {}) {
  const modules = new Map();
  const names = new Map();
  const moduleFor = (name) => {
    if (!modules.has(name)) {
      const { url, text } = moduleFile(name);
      const module = new vm.SourceTextModule(text, { context, identifier: url });
      modules.set(name, module);
      names.set(module, name);
    }
    return modules.get(name);
  };
  const link = (specifier, referencing) => {
    const name = new URL(specifier, `ext:///${names.get(referencing)}`).pathname.slice(1);
    if (name.includes("/")) throw new Error(`${specifier}: the extension's modules sit at its top level`);
    return moduleFor(name);
  };
  const root = moduleFor(entry);
  await root.link(link);
  const evaluation = root.evaluate();
  firstTurn();
  await evaluation;
  return modules;
}

// Everything the modules export, in one object (a name exported twice would be ambiguous).
export function allExports(modules) {
  const exports = {};
  for (const [name, module] of modules) {
    for (const [key, value] of Object.entries(module.namespace)) {
      if (key in exports) throw new Error(`${key} is exported by two modules (${name} and another)`);
      exports[key] = value;
    }
  }
  return exports;
}

// The reading's words as the build wrote them (PILLARS, PILLAR_NAMES, TOTAL, ...), in our realm.
export const VOCABULARY = await (async () => {
  const modules = await loadModules(vm.createContext({}), "vocabulary.js");
  return structuredClone({ ...modules.get("vocabulary.js").namespace });
})();

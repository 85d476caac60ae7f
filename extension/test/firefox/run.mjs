// One Firefox scenario, as tests/browser/test_firefox.py runs it:
//
//   node test/firefox/run.mjs <scenario>
//
// with SSI_FIREFOX_EXTENSION_DIR (the built firefox/ folder), SSI_COMPANION_PORT,
// SSI_COMPANION_TOKEN (none for pairing) and SSI_FIXTURE (the SSI page) in the environment.
// stdout carries JSON lines only: {"checkpoint": name, ...} (answered by one JSON line on
// stdin), then {"result": {...}} and exit 0, or {"error": "..."} and exit 1. Progress goes
// to stderr.
//
// `npm test` (node --test test/) runs every .mjs under test/ too: without a scenario this
// does nothing.

import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

const name = process.argv[2];
if (name === undefined) {
  console.log("# test/firefox/run.mjs: a real Firefox, run by tests/browser/test_firefox.py");
  process.exit(0);
}

const { scenarios } = await import("./scenarios.mjs");

function required(variable) {
  const value = process.env[variable];
  if (value === undefined) throw new Error(`${variable} is not set`);
  return value;
}

function emit(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

async function checkpoint(checkpointName, data = {}) {
  emit({ checkpoint: checkpointName, ...data });
  const { value, done } = await lines.next();
  if (done) throw new Error(`no answer from pytest at checkpoint ${checkpointName}`);
  return JSON.parse(value);
}

let code = 0;
try {
  const scenario = scenarios[name];
  if (scenario === undefined) throw new Error(`no scenario ${name}: ${Object.keys(scenarios).join(", ")}`);
  const config = {
    extensionDir: required("SSI_FIREFOX_EXTENSION_DIR"),
    port: Number(required("SSI_COMPANION_PORT")),
    token: process.env.SSI_COMPANION_TOKEN ?? "",
    html: readFileSync(required("SSI_FIXTURE"), "utf-8"),
  };
  emit({ result: await scenario({ config, checkpoint }) });
} catch (error) {
  emit({ error: String(error?.message ?? error), stack: String(error?.stack ?? "") });
  code = 1;
}
// Closes stdin's reader too, which would otherwise keep node alive.
process.exit(code);

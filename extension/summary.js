// "Open summary" (the popup): the companion's pages need a session, and a one-time sign-in
// link, asked for with the token once the port has proved it is ours, is how the user gets one.

import {
  describeFailure,
  findCompanion,
  isSuccess,
  recordFound,
  request,
  tokenRefusedMessage,
} from "./companion-client.js";
import { t } from "./i18n.js";
import { readSettings, setState } from "./storage.js";

// Only a sign-in link on this very port is opened, whatever else the answer holds.
function isSigninLink(url, port) {
  const prefix = `http://127.0.0.1:${port}/signin?code=`;
  return typeof url === "string" && url.startsWith(prefix) && /^[A-Za-z0-9_-]+$/.test(url.slice(prefix.length));
}

// OPEN_SUMMARY: the link opens in a new tab.
export async function openSummary() {
  const settings = await readSettings();
  const found = await findCompanion(settings.port, settings.token);
  if (found.connection !== "connected") {
    await recordFound(found);
    return { ok: false, message: found.message };
  }
  const answer = await request(settings.port, "signin-link", { method: "POST", token: settings.token, body: {} });
  if (answer.status === 401) {
    const message = tokenRefusedMessage();
    await setState({ connection: "pairing_needed", version: found.version, message });
    return { ok: false, message };
  }
  const url = answer.json?.url;
  if (!isSuccess(answer.status) || !isSigninLink(url, settings.port)) {
    const message = isSuccess(answer.status)
      ? t("workerNoSigninLink")
      : describeFailure(answer, settings.port);
    return { ok: false, message };
  }
  await chrome.tabs.create({ url });
  console.info("summary opened");
  return { ok: true };
}

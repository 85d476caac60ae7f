// The worker's cryptography, all WebCrypto: fresh nonces, the pairing secret and its
// challenge, and the check of the companion's proof that it knows the token.

const VERIFIER_BYTES = 32; // 256 bits, 43 base64url characters
const HEX_SHA256 = /^[0-9a-f]{64}$/;

const utf8 = (text) => new TextEncoder().encode(text);

function toHex(bytes) {
  return Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function fromHex(hex) {
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}

export function randomHex(byteCount) {
  return toHex(crypto.getRandomValues(new Uint8Array(byteCount)));
}

// The pairing secret (PKCE's code_verifier): only its SHA-256 goes with the request.
export function makeVerifier() {
  const bytes = crypto.getRandomValues(new Uint8Array(VERIFIER_BYTES));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export async function challengeOf(verifier) {
  return toHex(await crypto.subtle.digest("SHA-256", utf8(verifier)));
}

// Whether `proof` is HMAC-SHA256(token, nonce); WebCrypto compares it, in constant time.
export async function proofMatches(token, nonce, proof) {
  if (typeof token !== "string" || token === "" || typeof proof !== "string" || !HEX_SHA256.test(proof)) {
    return false;
  }
  const key = await crypto.subtle.importKey("raw", utf8(token), { name: "HMAC", hash: "SHA-256" }, false, [
    "verify",
  ]);
  return crypto.subtle.verify("HMAC", key, fromHex(proof), utf8(nonce));
}

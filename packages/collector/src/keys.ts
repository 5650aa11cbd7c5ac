// API keys: the generated dev key, and what a key must look like to be usable at all.
import { randomBytes } from "node:crypto";

export function generateApiKey(): string {
  return `lqt_dev_${randomBytes(18).toString("base64url")}`;
}

/**
 * Why `key` cannot be used, or `undefined` when it can. An empty key would make a collector that refuses
 * every client, and one with whitespace, control or non-ASCII characters cannot travel in a
 * `Authorization: Bearer` header as it is, so both are refused up front instead of failing every request.
 */
export function apiKeyProblem(key: string): string | undefined {
  if (key === "") return "the key is empty";
  for (const ch of key) {
    const code = ch.codePointAt(0)!;
    if (code <= 0x20 || code === 0x7f) return "the key contains whitespace or a control character";
    if (code > 0x7e) return "the key contains a non-ASCII character";
  }
  return undefined;
}

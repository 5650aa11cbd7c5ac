// Who may use the collector. On a loopback address only this machine reaches it: the read API, the viewer
// and the fault controls are open, and a Host guard stops web pages that rebind their DNS name to
// 127.0.0.1. Beyond loopback the network reaches it: all of them need the API key, as ingest always does.
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isIP } from "node:net";
import { sameKey, sendJson } from "./http.js";
import type { Access } from "./router.js";

/** `localhost`, `*.localhost`, 127.0.0.0/8 or ::1, with or without a port: a `Host` header only this machine sends. */
export function isLoopbackHost(hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  const name = hostHeader.startsWith("[")
    ? hostHeader.slice(1, hostHeader.indexOf("]"))
    : hostHeader.replace(/:\d+$/, "");
  return isLoopbackAddress(name);
}

/** Whether listening on `host` (an address or name, no port) is reachable from this machine only. */
export function isLoopbackAddress(host: string): boolean {
  const lower = (host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host).toLowerCase();
  if (lower === "localhost" || lower.endsWith(".localhost")) return true;
  if (isIP(lower) === 4) return lower.startsWith("127.");
  if (isIP(lower) !== 6) return false;
  // compressed by URL: 0:0:0:0:0:0:0:1 is [::1], ::ffff:127.0.0.1 is [::ffff:7f00:1]
  const compressed = new URL(`http://[${lower}]`).hostname;
  return compressed === "[::1]" || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(compressed);
}

/** The key of an `Authorization: Bearer <key>` header, if there is one. */
export function bearerKey(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  return (auth ? /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1] : undefined) ?? undefined;
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const pair of (req.headers.cookie ?? "").split(";")) {
    const eq = pair.indexOf("=");
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

export interface AccessOptions {
  apiKey: string;
  /** the collector listens on a loopback address */
  loopback: boolean;
  /** the port it listens on: cookies are shared by every port of a host, so each collector names its own */
  port: () => number;
}

/**
 * Returns a guard that answers a request it refuses (and the viewer's `/?key=` sign-in) and says whether
 * it did; a request it lets through is left to its endpoint.
 */
export function accessGuard(options: AccessOptions) {
  // the cookie holds a digest of the key, never the key itself
  const session = createHash("sha256")
    .update(`lumiqtrace viewer session\n${options.apiKey}`)
    .digest("base64url");
  const cookieName = () => `lumiqtrace_session_${options.port()}`;

  return function guard(req: IncomingMessage, res: ServerResponse, url: URL, access: Access): boolean {
    if (options.loopback) {
      if (req.headers.host === undefined || isLoopbackHost(req.headers.host)) return false;
      // a web page whose DNS name was rebound to 127.0.0.1 must not read traces (prompts) or set faults
      sendJson(res, 403, { error: "this collector only answers requests addressed to a loopback host" });
      return true;
    }
    if (access !== "private") return false;
    if (url.searchParams.has("key") && (url.pathname === "/" || url.pathname === "/index.html")) {
      // the banner's viewer URL: trade the key for an HttpOnly cookie, and take it out of the address bar
      if (!sameKey(url.searchParams.get("key")!, options.apiKey)) {
        sendJson(res, 401, { error: "invalid API key in the viewer URL: open the one the terminal printed" });
        return true;
      }
      res.writeHead(303, {
        location: "/",
        "set-cookie": `${cookieName()}=${session}; HttpOnly; SameSite=Strict; Path=/`,
        "cache-control": "no-store",
        "referrer-policy": "no-referrer",
        "content-length": "0",
      });
      res.end();
      return true;
    }
    const key = bearerKey(req);
    const fromCookie = cookie(req, cookieName());
    if (
      (key !== undefined && sameKey(key, options.apiKey)) ||
      (fromCookie !== undefined && sameKey(fromCookie, session))
    )
      return false;
    sendJson(
      res,
      401,
      {
        error:
          "this collector listens beyond loopback, so it needs the API key: send Authorization: Bearer <key>, " +
          "or open the viewer URL the terminal printed (/?key=...)",
      },
      { "www-authenticate": "Bearer" },
    );
    return true;
  };
}

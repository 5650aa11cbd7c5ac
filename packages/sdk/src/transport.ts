import { debug } from "./logger.js";

export const SDK_NAME = "@lumiqtrace/sdk";
export const SDK_VERSION = "0.1.0";

export type SendOutcome =
  | { kind: "delivered" }
  /** 400/401/403 and other 4xx: sending again cannot help. */
  | { kind: "rejected"; status: number; message: string }
  | { kind: "too-large" }
  | { kind: "retry"; reason: string; retryAfterMs?: number };

/**
 * Bodies smaller than this go uncompressed: a serverless invocation's batch is a few KB, and the first
 * CompressionStream of a Node process costs tens of ms (loading web streams), paid on every cold start.
 */
export const GZIP_FROM_CHARS = 32 * 1024;

export function batchBody(eventsJson: string[], dropped: number): string {
  return `{"sdk":{"name":"${SDK_NAME}","version":"${SDK_VERSION}"},"sentAt":${Date.now()},"dropped":${dropped},"events":[${eventsJson.join(",")}]}`;
}

type Zlib = { gzip(data: string, done: (error: Error | null, out: Uint8Array) => void): void };

/** gzip with node:zlib where the runtime lends it (cheap to load), else CompressionStream, else none. */
async function gzip(text: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
  try {
    const zlib = (
      globalThis as { process?: { getBuiltinModule?: (id: string) => Zlib | undefined } }
    ).process?.getBuiltinModule?.("node:zlib");
    if (zlib) {
      return await new Promise((resolve) =>
        zlib.gzip(text, (error, out) =>
          resolve(error ? undefined : (new Uint8Array(out) as Uint8Array<ArrayBuffer>)),
        ),
      );
    }
  } catch {
    // fall through to the web API
  }
  // read off globalThis: Next's Edge build warns about any bare mention of CompressionStream
  const Compression = (globalThis as { CompressionStream?: typeof CompressionStream }).CompressionStream;
  if (typeof Compression !== "function") return undefined;
  try {
    const stream = new Blob([text]).stream().pipeThrough(new Compression("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch {
    return undefined;
  }
}

/** `Retry-After` as ms: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

async function readError(res: Response): Promise<string> {
  try {
    const text = (await res.text()).slice(0, 300);
    try {
      const parsed = JSON.parse(text) as { error?: unknown };
      if (typeof parsed.error === "string") return parsed.error;
    } catch {
      // not JSON: the text itself is the message
    }
    return text;
  } catch {
    return "";
  }
}

/** One POST of one batch. Never throws: every failure is an outcome. */
export async function postBatch(
  url: string,
  apiKey: string,
  body: string,
  timeoutMs: number,
): Promise<SendOutcome> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${apiKey}`,
    "content-type": "application/json",
    "x-lumiqtrace-sdk": `${SDK_NAME}/${SDK_VERSION}`,
  };
  let payload: string | Uint8Array<ArrayBuffer> = body;
  if (body.length >= GZIP_FROM_CHARS) {
    const zipped = await gzip(body);
    if (zipped) {
      payload = zipped;
      headers["content-encoding"] = "gzip";
    }
  }
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  (timer as { unref?: () => void }).unref?.();
  try {
    const res = await fetch(url, { method: "POST", headers, body: payload, signal: abort.signal });
    const status = res.status;
    if (status >= 200 && status < 300) {
      await res.body?.cancel().catch(() => {});
      return { kind: "delivered" };
    }
    if (status === 413) {
      await res.body?.cancel().catch(() => {});
      return { kind: "too-large" };
    }
    if (status === 408 || status === 429 || status >= 500) {
      const retryAfterMs = parseRetryAfter(res.headers.get("retry-after"));
      await res.body?.cancel().catch(() => {});
      return { kind: "retry", reason: `HTTP ${status}`, retryAfterMs };
    }
    return { kind: "rejected", status, message: await readError(res) };
  } catch (error) {
    const reason = abort.signal.aborted ? `no answer within ${timeoutMs} ms` : errorText(error);
    debug(`send failed: ${reason}`);
    return { kind: "retry", reason };
  } finally {
    clearTimeout(timer);
  }
}

function errorText(error: unknown): string {
  const e = error as { message?: string; cause?: { code?: string; message?: string } };
  return [e?.message, e?.cause?.code ?? e?.cause?.message].filter(Boolean).join(": ") || "network error";
}

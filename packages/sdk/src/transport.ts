import { post as postHttp1 } from "./http1.js";
import { debug } from "./logger.js";
import { isNode } from "./runtime.js";

export const SDK_NAME = "@lumiqtrace/sdk";
// Set from package.json by the build (tsdown) and by vitest; "dev" anywhere else.
declare const __LUMIQTRACE_SDK_VERSION__: string | undefined;
export const SDK_VERSION =
  typeof __LUMIQTRACE_SDK_VERSION__ === "string" ? __LUMIQTRACE_SDK_VERSION__ : "dev";

export type SendOutcome =
  /** `rejected`: spans the receiver refused within an accepted batch (OTLP's partial success). */
  | { kind: "delivered"; rejected?: number; message?: string }
  /** 400/401/403 and other 4xx: sending again cannot help. */
  | { kind: "rejected"; status: number; message: string }
  | { kind: "too-large" }
  /** `reason` says what happened, for a warning: `http://host:port answered HTTP 503`. */
  | { kind: "retry"; reason: string; retryAfterMs?: number };

/**
 * Bodies smaller than this go uncompressed: a serverless invocation's batch is a few KB, and the first
 * CompressionStream of a Node process costs tens of ms (loading web streams), paid on every cold start.
 */
export const GZIP_FROM_CHARS = 32 * 1024;

export function batchBody(eventsJson: string[], dropped: number): string {
  return `{"sdk":{"name":"${SDK_NAME}","version":"${SDK_VERSION}"},"sentAt":${Date.now()},"dropped":${dropped},"events":[${eventsJson.join(",")}]}`;
}

type Zlib = { gzip(data: string | Uint8Array, done: (error: Error | null, out: Uint8Array) => void): void };

/** gzip with node:zlib where the runtime lends it (cheap to load), else CompressionStream, else none. */
async function gzip(text: string | Uint8Array): Promise<Uint8Array | undefined> {
  try {
    const zlib = (
      globalThis as { process?: { getBuiltinModule?: (id: string) => Zlib | undefined } }
    ).process?.getBuiltinModule?.("node:zlib");
    if (zlib) {
      return await new Promise((resolve) =>
        zlib.gzip(text, (error, out) => resolve(error ? undefined : new Uint8Array(out))),
      );
    }
  } catch {
    // fall through to the web API
  }
  // read off globalThis: Next's Edge build warns about any bare mention of CompressionStream
  const Compression = (globalThis as { CompressionStream?: typeof CompressionStream }).CompressionStream;
  if (typeof Compression !== "function") return undefined;
  try {
    const stream = new Blob([text as BlobPart]).stream().pipeThrough(new Compression("gzip"));
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

/** What a transport hands back: the status, `Retry-After`, the content type and the body (answers are small). */
export interface Answer {
  status: number;
  retryAfter: string | null;
  contentType: string;
  /** The first 64 KiB of the body. */
  body: Uint8Array;
}
type Post = (
  url: string,
  headers: Record<string, string>,
  body: string | Uint8Array,
  timeoutMs: number,
) => Promise<Answer>;

/** What is read of an answer: enough for an error message or OTLP's partial success. */
const MAX_ANSWER_BYTES = 64 * 1024;

const postWithFetch: Post = async (url, headers, body, timeoutMs) => {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  (timer as { unref?: () => void }).unref?.();
  try {
    const res = await fetch(url, { method: "POST", headers, body: body as BodyInit, signal: abort.signal });
    const bytes = new Uint8Array(await res.arrayBuffer().catch(() => new ArrayBuffer(0)));
    return {
      status: res.status,
      retryAfter: res.headers.get("retry-after"),
      contentType: res.headers.get("content-type") ?? "",
      body: bytes.subarray(0, MAX_ANSWER_BYTES),
    };
  } catch (error) {
    throw abort.signal.aborted ? abort.signal.reason : error;
  } finally {
    clearTimeout(timer);
  }
};

type NodeHttp = {
  request(
    url: string,
    options: { method: string; headers: Record<string, string | number> },
    onResponse: (res: NodeAnswer) => void,
  ): {
    on(event: "error", f: (e: Error) => void): void;
    destroy(e: Error): void;
    end(body: string | Uint8Array): void;
  };
};
type NodeAnswer = {
  statusCode?: number;
  headers: Record<string, string | string[] | undefined>;
  on(event: string, f: (chunk: Uint8Array) => void): void;
};

/** node:http(s): in Node 20 a first fetch costs ~70 ms more than a first http.request (it loads undici). */
function postWithNode(http: NodeHttp): Post {
  return (url, headers, body, timeoutMs) =>
    new Promise<Answer>((resolve, reject) => {
      const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
      const req = http.request(
        url,
        { method: "POST", headers: { ...headers, "content-length": bytes.length } },
        (res) => {
          const header = (name: string) => [res.headers[name]].flat()[0] ?? null;
          const chunks: Uint8Array[] = [];
          let size = 0;
          res.on("data", (chunk) => {
            if (size < MAX_ANSWER_BYTES) chunks.push(chunk);
            size += chunk.length;
          });
          res.on("end", () => {
            clearTimeout(timer);
            const body = new Uint8Array(Math.min(size, MAX_ANSWER_BYTES));
            let at = 0;
            for (const chunk of chunks) {
              const part = chunk.subarray(0, body.length - at);
              body.set(part, at);
              at += part.length;
            }
            resolve({
              status: res.statusCode ?? 0,
              retryAfter: header("retry-after"),
              contentType: header("content-type") ?? "",
              body,
            });
          });
          res.on("error", () => {});
        },
      );
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      (timer as { unref?: () => void }).unref?.();
      req.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      req.end(bytes);
    });
}

/** Plain http on Node: our kept-alive HTTP/1.1 client over node:net (http1.ts). */
function postWithNet(net: Parameters<typeof postHttp1>[0]): Post {
  return async (url, headers, body, timeoutMs) => {
    const answer = await postHttp1(net, new URL(url), headers, body, timeoutMs, MAX_ANSWER_BYTES);
    return {
      status: answer.status,
      retryAfter: answer.headers["retry-after"] ?? null,
      contentType: answer.headers["content-type"] ?? "",
      body: answer.body,
    };
  };
}

/** Node 24's env proxy support applies to node:http: with it on and a proxy set, plain http goes there. */
function usesEnvProxy(env: Record<string, string | undefined> | undefined): boolean {
  return !!env?.NODE_USE_ENV_PROXY && !!(env.HTTP_PROXY || env.http_proxy);
}

/** For tests: force a transport ("fetch" or "node"); undefined picks per runtime. */
export const transportChoice: { force?: "fetch" | "node" } = {};

/** On Node itself: our HTTP/1.1 client for http, node:https for https; fetch everywhere else (Workers, Edge, Deno, Bun). */
function pickTransport(url: string): Post {
  if (transportChoice.force !== "fetch") {
    const proc = (
      globalThis as {
        process?: {
          versions?: Record<string, string>;
          env?: Record<string, string | undefined>;
          getBuiltinModule?: (id: string) => unknown;
        };
      }
    ).process;
    if (isNode() || transportChoice.force === "node") {
      try {
        if (url.startsWith("http:") && !usesEnvProxy(proc?.env)) {
          const net = proc?.getBuiltinModule?.("node:net") as Parameters<typeof postHttp1>[0];
          if (typeof net?.connect === "function") return postWithNet(net);
        }
        const http = proc?.getBuiltinModule?.(
          url.startsWith("https:") ? "node:https" : "node:http",
        ) as NodeHttp;
        if (typeof http?.request === "function") return postWithNode(http);
      } catch {
        // a partial node:http: fetch it is
      }
    }
  }
  return postWithFetch;
}

/** One POST, gzipped from `gzipFromChars` up (loopback: never). Rejects only on a network error or the timeout. */
export async function postBody(
  url: string,
  headers: Record<string, string>,
  body: string | Uint8Array,
  timeoutMs: number,
  gzipFromChars = GZIP_FROM_CHARS,
): Promise<Answer> {
  let payload = body;
  if (body.length >= gzipFromChars) {
    const zipped = await gzip(body);
    if (zipped) {
      payload = zipped;
      headers = { ...headers, "content-encoding": "gzip" };
    }
  }
  return pickTransport(url)(url, headers, payload, timeoutMs);
}

/**
 * What an answer means for the batch: delivered (2xx), split (413), retried (what `retryable` says,
 * with `Retry-After`), or refused for good (the rest), with the start of the body as the message.
 */
export function classify(url: string, answer: Answer, retryable: (status: number) => boolean): SendOutcome {
  const { status } = answer;
  if (status >= 200 && status < 300) return { kind: "delivered" };
  if (status === 413) return { kind: "too-large" };
  if (retryable(status)) {
    return {
      kind: "retry",
      reason: `${originOf(url)} answered HTTP ${status}`,
      retryAfterMs: parseRetryAfter(answer.retryAfter),
    };
  }
  return { kind: "rejected", status, message: errorMessage(answer) };
}

/** The outcome of a POST that never got an answer. */
export function unreachable(url: string, error: unknown): SendOutcome {
  const reason = `collector unreachable at ${originOf(url)} (${errorText(error)})`;
  debug(`send failed: ${reason}`);
  return { kind: "retry", reason };
}

/** An error answer's message: `{ "error" }` or `{ "message" }` of a JSON body, else the text's start. */
function errorMessage(answer: Answer): string {
  const text = new TextDecoder().decode(answer.body.subarray(0, 2000));
  try {
    const parsed = JSON.parse(text) as { error?: unknown; message?: unknown };
    const message = typeof parsed.error === "string" ? parsed.error : parsed.message;
    if (typeof message === "string") return message.slice(0, 300);
  } catch {
    // not JSON: the text itself is the message
  }
  return text.slice(0, 300);
}

const lumiqtraceRetries = (status: number) => status === 408 || status === 429 || status >= 500;

/** One POST of one batch to the LumiqTrace ingest API. Never throws: every failure is an outcome. */
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
  try {
    return classify(url, await postBody(url, headers, body, timeoutMs), lumiqtraceRetries);
  } catch (error) {
    return unreachable(url, error);
  }
}

/** Scheme, host and port only: never a path, a query or credentials in the URL. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "the collector";
  }
}

function errorText(error: unknown): string {
  const e = error as { message?: string; cause?: { code?: string; message?: string } };
  return [e?.message, e?.cause?.code ?? e?.cause?.message].filter(Boolean).join(": ") || "network error";
}

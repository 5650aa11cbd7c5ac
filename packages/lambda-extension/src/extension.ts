// The LumiqTrace Lambda extension: a process beside the function that takes each invocation's events
// over loopback (withLambda sends them there, a sub-millisecond write, instead of awaiting the backend)
// and sends them on after the response, before it asks Lambda for its next event, so that nothing is
// frozen half-sent. Delivery is the SDK's own client (bounded queue, batches, retries within a deadline,
// the same warnings), configured by the function's environment: LUMIQTRACE_*, OTEL_EXPORTER_OTLP_*.
import { EXTENSION_NAME, EXTENSION_PORT } from "@lumiqtrace/protocol/extension";
import { createClient } from "../../sdk/src/client.js";
import { warn } from "../../sdk/src/logger.js";
import { resolveOptions } from "../../sdk/src/options.js";
import { type Ingest, type Server, startServer, TELEMETRY_PATH } from "./ingest.js";
import { createInvocations } from "./invocations.js";
import { extensionsApi } from "./lambda-api.js";

declare const __LUMIQTRACE_EXTENSION_VERSION__: string | undefined;
const VERSION =
  typeof __LUMIQTRACE_EXTENSION_VERSION__ === "string" ? __LUMIQTRACE_EXTENSION_VERSION__ : "dev";

/** The most a forward may hold `event/next` by default (withLambda's own flush bound). */
const DEFAULT_FLUSH_TIMEOUT_MS = 2000;
/** Kept free before Lambda's deadlines: the invocation's, and the end of the SHUTDOWN phase. */
const MARGIN_MS = 100;
/** The extensions' share of the 2 s Shutdown phase (the runtime has 300 ms of it), when SHUTDOWN has no deadline. */
const SHUTDOWN_SHARE_MS = 1700;
/** Lambda's default function timeout, when an INVOKE has no deadline. */
const DEFAULT_TIMEOUT_MS = 3000;
/** Waiting for an invocation to be over stops this long before its deadline (withLambda flushed by then). */
const WAIT_MARGIN_MS = 300;

function numberFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (Number.isFinite(n) && n >= 0) return n;
  warn(`${name} must be a number of ms >= 0; using ${fallback}`);
  return fallback;
}

/** A server the extension can do without: said, and the extension goes on (the function must keep working). */
function listen(host: string, port: number, what: string, ingest: Ingest): Promise<Server | undefined> {
  return startServer(host, port, ingest).catch((error: unknown) => {
    warn(
      `the extension could not listen on ${host}:${port} for ${what} (${String(error)}); going on without it`,
    );
    return undefined;
  });
}

/**
 * A deadline as ms since the epoch, as Lambda sends `deadlineMs`; a small value is taken as time left (an
 * older page of AWS's documentation describes SHUTDOWN's so), a missing one as `fallbackMs` from now.
 */
export function deadlineOf(deadlineMs: unknown, fallbackMs: number, now = Date.now()): number {
  if (typeof deadlineMs !== "number" || !Number.isFinite(deadlineMs)) return now + fallbackMs;
  return deadlineMs < 1e12 ? now + deadlineMs : deadlineMs;
}

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<never> {
  const runtimeApi = env.AWS_LAMBDA_RUNTIME_API;
  if (!runtimeApi) {
    console.error(
      "[lumiqtrace] the LumiqTrace extension runs inside Lambda: AWS_LAMBDA_RUNTIME_API is not set",
    );
    process.exit(1);
  }
  const api = extensionsApi(runtimeApi, EXTENSION_NAME);
  // first of all: Lambda starts the function's init only once every extension has registered
  await api.register();

  const client = createClient(resolveOptions(undefined, env));
  const flushTimeoutMs = numberFrom(env, "LUMIQTRACE_FLUSH_TIMEOUT_MS", DEFAULT_FLUSH_TIMEOUT_MS);
  const port = numberFrom(env, "LUMIQTRACE_EXTENSION_PORT", EXTENSION_PORT);
  const invocations = createInvocations();
  const ingest: Ingest = { capture: client.capture, invocations, version: VERSION };

  // Where the function sends: loopback only. Where Lambda delivers telemetry: sandbox.localdomain, as AWS
  // documents (LUMIQTRACE_EXTENSION_TELEMETRY_HOST for a Lambda stand-in that has no such name).
  await listen("127.0.0.1", port, "the function's events", ingest);
  const telemetryHost = env.LUMIQTRACE_EXTENSION_TELEMETRY_HOST || "sandbox.localdomain";
  const telemetry = await listen(telemetryHost, 0, "the Telemetry API", ingest);
  if (telemetry) {
    const subscribed = await api.subscribeTelemetry(`${telemetry.url}${TELEMETRY_PATH}`).catch(() => false);
    // without it, an invocation the SDK cannot end (a crash) is over at its deadline
    if (!subscribed)
      warn("the Telemetry API refused the subscription; a crashed invocation is forwarded at its deadline");
  }

  for (;;) {
    const event = await api.next();
    if (event.eventType === "SHUTDOWN") {
      // the extensions' share of the SHUTDOWN phase ends at its deadlineMs; keep a margin before Lambda's SIGKILL
      const end = deadlineOf(event.deadlineMs, SHUTDOWN_SHARE_MS);
      await client.flush({ timeoutMs: Math.max(0, end - Date.now() - MARGIN_MS) });
      client.atExit();
      process.exit(0);
    }
    if (event.eventType !== "INVOKE") continue;
    const deadline = deadlineOf(event.deadlineMs, DEFAULT_TIMEOUT_MS);
    const by = await invocations.over(event.requestId, deadline - WAIT_MARGIN_MS);
    const timeLeft = deadline - Date.now() - MARGIN_MS;
    // at the deadline the invocation's time is up anyway (Lambda resets it, and SHUTDOWN drains): the whole bound
    await client.flush({
      timeoutMs: Math.max(0, by === "deadline" ? flushTimeoutMs : Math.min(flushTimeoutMs, timeLeft)),
    });
  }
}

// What every example's demo.mjs runs against: the collector and the model named in the environment (the
// root `pnpm demo` passes them), else a local collector and echo model started here, so that a demo run on
// its own needs no account and sends nothing off the machine.
import { spawn } from "node:child_process";

export async function demoEnvironment(name) {
  const stop = [];
  let collector;
  let env = {
    LUMIQTRACE_BASE_URL: process.env.LUMIQTRACE_BASE_URL,
    LUMIQTRACE_API_KEY: process.env.LUMIQTRACE_API_KEY,
    OPENAI_BASE_URL: process.env.OPENAI_BASE_URL,
    ANTHROPIC_BASE_URL: process.env.ANTHROPIC_BASE_URL,
  };
  if (!env.LUMIQTRACE_BASE_URL || !env.LUMIQTRACE_API_KEY || !env.OPENAI_BASE_URL) {
    const { startCollector } = await import("@lumiqtrace/collector");
    const { startEchoModel } = await import("@lumiqtrace/echo-model");
    collector = await startCollector({ port: 0 });
    const model = await startEchoModel({ port: 0 });
    stop.push(
      () => collector.close(),
      () => model.close(),
    );
    env = {
      LUMIQTRACE_BASE_URL: collector.url,
      LUMIQTRACE_API_KEY: collector.apiKey,
      OPENAI_BASE_URL: model.url,
      ANTHROPIC_BASE_URL: model.anthropicUrl,
    };
    console.log(`${name} demo: started a local collector (${collector.url}) and echo model (${model.url})`);
  }
  // the echo model takes any key; a real OPENAI_API_KEY or ANTHROPIC_API_KEY, when set, is passed on as it is
  env.OPENAI_API_KEY = process.env.OPENAI_API_KEY ?? "sk-local-demo";
  env.ANTHROPIC_API_KEY = process.env.ANTHROPIC_API_KEY ?? "sk-ant-local-demo";
  if (env.ANTHROPIC_BASE_URL === undefined) delete env.ANTHROPIC_BASE_URL;
  return { env, collector, stop };
}

/**
 * Runs a demo.mjs with these variables added to the environment (an undefined one is left out), and gives
 * its exit code and output.
 */
export function runDemo(demoPath, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [demoPath], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.once("exit", (code) => resolve({ code, output }));
  });
}

/**
 * For the examples' tests: runs a demo.mjs against a collector and an echo model started for this run,
 * waits (at most `timeoutMs`) until `traces` traces have their invocation span and an LLM span, and stops
 * both. Gives the exit code and output, the collector's API key, the request bodies the model received,
 * and every trace that arrived, oldest first.
 */
export async function runDemoLocally(demoPath, { traces: count, timeoutMs = 15_000 }) {
  const { startCollector } = await import("@lumiqtrace/collector");
  const { startEchoModel } = await import("@lumiqtrace/echo-model");
  const collector = await startCollector({ port: 0 });
  const model = await startEchoModel({ port: 0 });
  try {
    // nothing this shell sets (OPENAI_MODEL, LUMIQTRACE_SAMPLE_RATE, a real OPENAI_API_KEY) changes the run
    const unset = Object.keys(process.env).filter((name) => /^(LUMIQTRACE|OPENAI|ANTHROPIC)_/.test(name));
    const { code, output } = await runDemo(demoPath, {
      ...Object.fromEntries(unset.map((name) => [name, undefined])),
      LUMIQTRACE_BASE_URL: collector.url,
      LUMIQTRACE_API_KEY: collector.apiKey,
      OPENAI_BASE_URL: model.url,
      ANTHROPIC_BASE_URL: model.anthropicUrl,
    });
    const complete = (events) => tracesIn(events).filter((t) => t.root && t.llm.length > 0).length;
    // on timeout, the test's assertions on what did arrive say what is missing
    await collector.waitForEvents((events) => complete(events) >= count, { timeoutMs }).catch(() => {});
    return {
      code,
      output,
      apiKey: collector.apiKey,
      modelRequests: [...model.requests],
      // the collector's ingest routes the traces came by: /v1/batch (native) or /v1/traces (OTLP)
      ingestPaths: [...new Set(collector.requests.map((r) => r.path))],
      traces: tracesIn(collector.events),
    };
  } finally {
    await collector.close();
    await model.close();
  }
}

/** Events grouped by trace: its invocation span, its LLM spans and all its spans, traces oldest first. */
function tracesIn(events) {
  const traces = new Map();
  for (const event of events) {
    if (!traces.has(event.traceId)) {
      traces.set(event.traceId, { traceId: event.traceId, root: undefined, llm: [], spans: [] });
    }
    const trace = traces.get(event.traceId);
    trace.spans.push(event);
    if (event.kind === "invocation") trace.root ??= event;
    if (event.kind === "llm") trace.llm.push(event);
  }
  const startOf = (trace) => Math.min(...trace.spans.map((span) => span.startTime));
  return [...traces.values()].sort((a, b) => startOf(a) - startOf(b));
}

const hex = (bytes) =>
  Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");

/** A `traceparent` of a trace of our own, so the demo can look the trace up after its request. */
export function newTraceparent() {
  const traceId = hex(16);
  return { traceId, traceparent: `00-${traceId}-${hex(8)}-01` };
}

/** The trace as the collector's read API has it once its root and LLM spans arrived, else undefined. */
async function arrived(env, traceId) {
  try {
    const res = await fetch(`${env.LUMIQTRACE_BASE_URL}/v1/traces/${traceId}`, {
      headers: { authorization: `Bearer ${env.LUMIQTRACE_API_KEY}` },
    });
    const trace = res.ok ? await res.json() : undefined;
    const kinds = trace?.spans?.map((span) => span.kind) ?? [];
    return kinds.includes("invocation") && kinds.includes("llm") ? trace : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Waits (at most `timeoutMs`) until each trace has arrived where the collector has the read API, and prints
 * a line per trace. Platforms that flush in `waitUntil` do so after the response: stopping the local
 * runtime before then would end that work.
 */
export async function waitForTraces(env, traceIds, timeoutMs = 15_000) {
  const traces = new Map();
  const deadline = Date.now() + timeoutMs;
  while (traces.size < traceIds.length && Date.now() < deadline) {
    for (const id of traceIds) if (!traces.has(id)) traces.set(id, await arrived(env, id));
    for (const [id, trace] of traces) if (!trace) traces.delete(id);
    if (traces.size < traceIds.length) await new Promise((r) => setTimeout(r, 200));
  }
  for (const id of traceIds) {
    const spans = traces.get(id)?.spans;
    const root = spans?.find((span) => span.kind === "invocation");
    console.log(
      root
        ? `trace  ${id.slice(0, 8)}  ${root.name}  ${root.status}  ${spans.length} spans, ${spans.filter((span) => span.kind === "llm").length} LLM calls, user ${spans.find((span) => span.userId)?.userId}`
        : `trace  ${id.slice(0, 8)}  not readable at ${env.LUMIQTRACE_BASE_URL}/v1/traces (sent there in the background)`,
    );
  }
  return traces;
}

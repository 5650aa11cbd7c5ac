// Serves this site's functions with the real `netlify functions:serve --offline` and sends them a few
// requests: the modern chat function, its streamed twin and the classic one.
//
//   LUMIQTRACE_BASE_URL=... LUMIQTRACE_API_KEY=... OPENAI_BASE_URL=... node demo.mjs
//
// Without those variables it starts its own local collector and echo model (nothing leaves the machine).
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { freePort, startProcess } from "@lumiqtrace/test-kit";
import { demoEnvironment, newTraceparent, waitForTraces } from "../demo-env.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const deadline = setTimeout(() => {
  // exiting also ends functions:serve and the workers it started (startProcess sees to it)
  console.error("netlify demo: gave up after 55 s");
  process.exit(1);
}, 55_000);
deadline.unref();

const { env, stop } = await demoEnvironment("netlify");
const port = await freePort();

/** Sends a request as part of a trace of our own (a `traceparent`), so we can look the trace up after. */
async function post(path, body) {
  const { traceId, traceparent } = newTraceparent();
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", traceparent },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text(), traceId };
}

let failed = false;
let server;
try {
  // functions:serve says "ready" before it has built the functions: wait until each one is loaded
  const names = readdirSync(`${here}netlify/functions`).map((file) => file.replace(/\.[cm]?[jt]s$/, ""));
  server = await startProcess({
    command: `${here}node_modules/.bin/netlify`,
    args: ["functions:serve", "--offline", "--port", String(port), "--functions", `${here}netlify/functions`],
    cwd: here,
    // The functions send their traces over OTLP (the SDK's OTLP exporter), to the collector's OTLP/HTTP
    // endpoint, as they would to any OpenTelemetry backend. CI=true: functions:serve sends no telemetry and
    // checks for no update.
    env: {
      ...env,
      LUMIQTRACE_EXPORTER: "otlp",
      OTEL_EXPORTER_OTLP_ENDPOINT: env.LUMIQTRACE_BASE_URL,
      CI: "true",
    },
    timeoutMs: 50_000,
    ready: (output) => {
      const lines = output.split(/\r?\n/).map((line) => line.trimEnd()); // a pipe: no colours
      return names.every((name) => lines.some((line) => line.endsWith(`Loaded function ${name}`)));
    },
  });
  console.log(`netlify demo: functions:serve is listening on http://127.0.0.1:${port}`);

  const requests = [
    ["modern ", "/api/chat", { question: "What is a cold start?", userId: "demo-user-1" }],
    ["stream ", "/api/chat/stream", { question: "Stream me a short answer", userId: "demo-user-2" }],
    [
      "classic",
      "/.netlify/functions/classic-chat",
      { question: "Why flush before the freeze?", userId: "demo-user-3" },
    ],
  ];
  const traceIds = [];
  for (const [label, path, body] of requests) {
    const { status, text, traceId } = await post(path, body);
    console.log(`${label} POST ${path}  ${status}  ${text}`);
    failed ||= status !== 200;
    traceIds.push(traceId);
  }

  // The modern functions flush in context.waitUntil, after their responses, and stopping functions:serve
  // would end that work: wait until every trace has arrived (where the collector has the read API).
  await waitForTraces(env, traceIds);
} catch (error) {
  failed = true;
  console.error("netlify demo failed:", error);
} finally {
  await server?.stop();
  for (const s of stop) await s();
}
process.exit(failed ? 1 : 0);

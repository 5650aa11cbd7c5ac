// Serves this site's functions with the real `netlify functions:serve --offline` and sends them a few
// requests: the modern chat function, its streamed twin and the classic one.
//
//   LUMIQTRACE_BASE_URL=... LUMIQTRACE_API_KEY=... OPENAI_BASE_URL=... node demo.mjs
//
// Without those variables it starts its own local collector and echo model (nothing leaves the machine).
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { demoEnvironment, newTraceparent, waitForTraces } from "../demo-env.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const deadline = setTimeout(() => {
  console.error("netlify demo: gave up after 55 s");
  stopServer();
  process.exit(1);
}, 55_000);
deadline.unref();

const { env, stop } = await demoEnvironment("netlify");

const port = await new Promise((resolve, reject) => {
  const probe = createServer().on("error", reject);
  probe.listen(0, "127.0.0.1", () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});

let output = "";
// CI=true: functions:serve sends no telemetry and checks for no update
const server = spawn(
  `${here}node_modules/.bin/netlify`,
  ["functions:serve", "--offline", "--port", String(port), "--functions", `${here}netlify/functions`],
  {
    cwd: here,
    env: { ...process.env, ...env, CI: "true" },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  },
);
server.stdout.on("data", (d) => (output += d));
server.stderr.on("data", (d) => (output += d));
const exited = new Promise((resolve) => server.once("exit", resolve));
function stopServer() {
  try {
    process.kill(-server.pid, "SIGTERM"); // the CLI and the workers it started
  } catch {}
}

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
try {
  // functions:serve says "ready" before it has built the functions: wait until each one is loaded
  const names = readdirSync(`${here}netlify/functions`).map((file) => file.replace(/\.[cm]?[jt]s$/, ""));
  const loaded = () => {
    const lines = output.split(/\r?\n/).map((line) => line.trimEnd()); // a pipe: no colours
    return names.every((name) => lines.some((line) => line.endsWith(`Loaded function ${name}`)));
  };
  while (!loaded()) {
    if (server.exitCode !== null) throw new Error(`netlify functions:serve exited:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
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
  stopServer();
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  for (const s of stop) await s();
}
process.exit(failed ? 1 : 0);

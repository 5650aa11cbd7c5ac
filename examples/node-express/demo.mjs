// Starts the server in its own process (PORT, as Cloud Run sets it), sends it a plain and a streamed chat
// request, prints the answers, then stops it with SIGTERM, as Cloud Run does, and says how it ended.
//
//   LUMIQTRACE_BASE_URL=... LUMIQTRACE_API_KEY=... OPENAI_BASE_URL=... node demo.mjs
//
// Without those variables it starts its own local collector and echo model (nothing leaves the machine).
import { fileURLToPath } from "node:url";
import { startProcess } from "@lumiqtrace/test-kit";
import { demoEnvironment } from "../demo-env.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const deadline = setTimeout(() => {
  console.error("node-express demo: gave up after 55 s");
  process.exit(1);
}, 55_000);
deadline.unref();

const { env, collector, stop } = await demoEnvironment("node-express");

const listening = (output) => /listening on (http:\/\/\S+)/.exec(output)?.[1];
const post = (url, body, user) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-user-id": user },
    body: JSON.stringify(body),
  });

let failed = false;
let server;
try {
  server = await startProcess({
    command: process.execPath,
    args: ["src/server.mjs"],
    cwd: here,
    env: { ...env, PORT: "0", HOST: "127.0.0.1" },
    ready: (output) => listening(output) !== undefined,
    timeoutMs: 30_000,
  });
  stop.unshift(() => server.stop());
  const url = listening(server.output());
  console.log(`node-express demo: app on ${url} (Node ${process.version})`);

  const plain = await post(`${url}/chat`, { message: "What does withExpress do?" }, "demo-user-1");
  const { reply } = await plain.json();
  console.log(`POST /chat         ${plain.status}  ${reply}`);
  failed ||= plain.status !== 200;

  const streamed = await post(`${url}/chat/stream`, { message: "Stream me a short answer" }, "demo-user-2");
  const sse = await streamed.text();
  const text = [...sse.matchAll(/^data: (.+)$/gm)].map((m) => m[1]).join("");
  console.log(`POST /chat/stream  ${streamed.status}  ${text}  (${sse.split("\n\n").length - 1} SSE events)`);
  failed ||= streamed.status !== 200;

  // Cloud Run scales the instance down: SIGTERM; flushOnSignals drains, then the process ends by SIGTERM.
  const sent = Date.now();
  process.kill(server.pid, "SIGTERM");
  const { code, signal } = await server.exited;
  console.log(
    `SIGTERM            the server drained and ended (${signal ? `by ${signal}` : `exit ${code}`}) in ${Date.now() - sent} ms`,
  );
  failed ||= signal !== "SIGTERM";

  if (collector) {
    for (const t of collector.getTraces(10).reverse()) {
      console.log(
        `trace ${t.traceId.slice(0, 8)}  ${t.name}  ${t.status}  spans=${t.spanCount} llm=${t.llmCalls} user=${t.userId}`,
      );
    }
    failed ||= collector.getTraces(10).length < 2;
  }
} catch (error) {
  console.error(`node-express demo failed: ${error instanceof Error ? error.message : String(error)}`);
  failed = true;
} finally {
  if (failed && server) console.error(server.output());
  for (const f of stop) await f();
}
process.exit(failed ? 1 : 0);

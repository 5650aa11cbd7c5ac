// Starts the app on Node (@hono/node-server) in its own process, sends it a plain and a streamed chat
// request (OpenAI) and a streamed one to Claude (Anthropic), prints the answers, and stops it.
//
//   LUMIQTRACE_BASE_URL=... LUMIQTRACE_API_KEY=... OPENAI_BASE_URL=... ANTHROPIC_BASE_URL=... node demo.mjs
//
// Without those variables it starts its own local collector and echo model (nothing leaves the machine).
import { fileURLToPath } from "node:url";
import { startProcess } from "@lumiqtrace/test-kit";
import { demoEnvironment } from "../demo-env.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const deadline = setTimeout(() => {
  console.error("hono-node demo: gave up after 55 s");
  process.exit(1);
}, 55_000);
deadline.unref();

const { env, collector, stop } = await demoEnvironment("hono-node");

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
  // src/server.mjs on a free port (PORT=0): it prints its URL once it listens
  server = await startProcess({
    command: process.execPath,
    args: ["src/server.mjs"],
    cwd: here,
    env: { ...env, PORT: "0" },
    ready: (output) => listening(output) !== undefined,
    timeoutMs: 30_000,
  });
  stop.unshift(() => server.stop());
  const url = listening(server.output());
  console.log(`hono-node demo: app on ${url} (Node ${process.version})`);

  const plain = await post(`${url}/chat`, { message: "What does withHono do?" }, "demo-user-1");
  const { reply } = await plain.json();
  console.log(`POST /chat         ${plain.status}  ${reply}`);
  failed ||= plain.status !== 200;

  const streamed = await post(`${url}/chat/stream`, { message: "Stream me a short answer" }, "demo-user-2");
  const sse = await streamed.text();
  const text = [...sse.matchAll(/^data: (.*)$/gm)].map((m) => m[1]).join("");
  console.log(`POST /chat/stream  ${streamed.status}  ${text}  (${sse.split("\n\n").length - 1} SSE events)`);
  failed ||= streamed.status !== 200;

  const claude = await post(`${url}/chat/claude`, { message: "Hello Claude" }, "demo-user-3");
  const claudeSse = await claude.text();
  const claudeText = [...claudeSse.matchAll(/^data: (.*)$/gm)].map((m) => m[1]).join("");
  console.log(
    `POST /chat/claude  ${claude.status}  ${claudeText}  (${claudeSse.split("\n\n").length - 1} SSE events)`,
  );
  failed ||= claude.status !== 200;

  if (collector) {
    // No waitUntil on Node: each response left only after its flush, so the traces are stored already.
    for (const t of collector.getTraces(10).reverse()) {
      console.log(
        `trace ${t.traceId.slice(0, 8)}  ${t.name}  ${t.status}  spans=${t.spanCount} llm=${t.llmCalls} user=${t.userId}`,
      );
    }
    failed ||= collector.getTraces(10).length < 3;
  }
} catch (error) {
  console.error(`hono-node demo failed: ${error instanceof Error ? error.message : String(error)}`);
  failed = true;
} finally {
  if (failed && server) console.error(server.output());
  for (const f of stop) await f();
}
process.exit(failed ? 1 : 0);

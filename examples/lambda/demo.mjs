// Runs handler.mjs in the real Lambda runtime client (aws-lambda-ric) under a local Runtime API that freezes
// the process between invocations, as Lambda does, and sends it a few invocations.
//
//   LUMIQTRACE_BASE_URL=... LUMIQTRACE_API_KEY=... OPENAI_BASE_URL=... node demo.mjs
//
// Without those variables it starts its own local collector and echo model (nothing leaves the machine).
import { fileURLToPath } from "node:url";
import { startRuntime } from "../../packages/lambda/e2e/runtime-api.mjs";
import { demoEnvironment } from "../demo-env.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const deadline = setTimeout(() => {
  console.error("lambda demo: gave up after 55 s");
  process.exit(1);
}, 55_000);
deadline.unref();

const { env, collector, stop } = await demoEnvironment("lambda");

const functionUrlEvent = (body) => ({
  version: "2.0",
  routeKey: "$default",
  rawPath: "/",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
  isBase64Encoded: false,
  requestContext: { domainName: "demo.lambda-url.us-east-1.on.aws", http: { method: "POST", path: "/" } },
});

/** A streamed HTTP response is the JSON prelude, 8 zero bytes, then the body. */
const streamedBody = (text) => text.slice(text.indexOf("\0".repeat(8)) + 8);

let failed = false;
try {
  const chat = await startRuntime({
    cwd: here,
    handler: "handler.chat",
    functionName: "lumiq-demo-chat",
    env,
  });
  stop.unshift(() => chat.close());
  for (const [i, question] of ["What is a cold start?", "Why flush before the freeze?"].entries()) {
    const out = await chat.invoke(functionUrlEvent({ question, userId: `demo-user-${i + 1}` }));
    const answer =
      out.kind === "response" ? JSON.parse(JSON.parse(out.body).body).answer : JSON.stringify(out.error);
    console.log(`chat   ${out.requestId.slice(0, 8)}  ${out.kind}  ${answer}  (frozen ${chat.isFrozen()})`);
    failed ||= out.kind !== "response";
  }

  const stream = await startRuntime({
    cwd: here,
    handler: "handler.stream",
    functionName: "lumiq-demo-stream",
    env,
  });
  stop.unshift(() => stream.close());
  const out = await stream.invoke(
    functionUrlEvent({ question: "Stream me a short answer", userId: "demo-user-3" }),
  );
  const text = out.kind === "response" ? streamedBody(out.body) : JSON.stringify(out.error);
  console.log(
    `stream ${out.requestId.slice(0, 8)}  ${out.kind}  ${text}  (streamed ${out.streamed}, frozen ${stream.isFrozen()})`,
  );
  failed ||= out.kind !== "response" || !out.streamed;

  if (collector) {
    for (const t of collector.getTraces(10).reverse()) {
      console.log(
        `trace  ${t.traceId.slice(0, 8)}  ${t.name}  ${t.status}  ${t.spanCount} spans, ${t.llmCalls} LLM calls, user ${t.userId}`,
      );
    }
  } else {
    console.log(`lambda demo: the traces went to ${env.LUMIQTRACE_BASE_URL} before each freeze`);
  }
} catch (error) {
  failed = true;
  console.error("lambda demo failed:", error);
} finally {
  for (const s of stop) await s();
}
process.exit(failed ? 1 : 0);

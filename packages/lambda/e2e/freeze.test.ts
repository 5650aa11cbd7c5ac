// withLambda in the real Lambda runtime client (aws-lambda-ric 3.3.0), driven by a Runtime API that freezes
// the process (SIGSTOP) the moment it asks for its next event, as Lambda does. The local collector receives.
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { type Collector, startCollector } from "@lumiqtrace/collector";
import { type EchoModel, startEchoModel } from "@lumiqtrace/echo-model";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Runtime, startRuntime } from "./runtime-api.mjs";

const FUNCTION_DIR = fileURLToPath(new URL("./function", import.meta.url));
type Event = Collector["events"][number];

let collector: Collector;
let model: EchoModel;
const runtimes: Runtime[] = [];

beforeAll(async () => {
  [collector, model] = await Promise.all([startCollector({ port: 0 }), startEchoModel({ port: 0 })]);
});
afterEach(async () => {
  collector.setFaults(null);
  await Promise.all(runtimes.splice(0).map((r) => r.close()));
});
afterAll(async () => {
  await Promise.all([collector?.close(), model?.close()]);
});

async function start(handler: string, env: Record<string, string> = {}, freeze = true): Promise<Runtime> {
  const runtime = await startRuntime({
    cwd: FUNCTION_DIR,
    handler: `app.${handler}`,
    freeze,
    env: {
      LUMIQTRACE_BASE_URL: collector.url,
      LUMIQTRACE_API_KEY: collector.apiKey,
      OPENAI_BASE_URL: model.url,
      ...env,
    },
  });
  runtimes.push(runtime);
  return runtime;
}

/** The spans of the trace whose root span is this invocation, from a snapshot of the collector's events. */
function traceOf(events: readonly Event[], requestId: string): { root?: Event; spans: Event[] } {
  const root = events.find(
    (e) => e.kind === "invocation" && e.attributes["faas.invocation_id"] === requestId,
  );
  return { root, spans: root ? events.filter((e) => e.traceId === root.traceId) : [] };
}

const snapshot = () => [...collector.events];

const urlEvent = (body: unknown) => ({
  version: "2.0",
  routeKey: "$default",
  rawPath: "/chat",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
  requestContext: {
    domainName: "fn123.lambda-url.us-east-1.on.aws",
    http: { method: "POST", path: "/chat" },
  },
});

describe("withLambda in aws-lambda-ric, frozen after every invocation", () => {
  it("events of a buffered invocation reach the collector before the freeze", async () => {
    const runtime = await start("buffered");
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const event = { ...urlEvent({ n: 1 }), headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` } };
    const out = await runtime.invoke(event, { onResponse: snapshot });
    expect(out.kind).toBe("response");
    expect(JSON.parse(out.body!)).toMatchObject({ statusCode: 201 });
    expect(runtime.isFrozen()).toBe(true);

    // everything had arrived when the runtime posted the response, so before it could be frozen
    const { root, spans } = traceOf(out.atResponse as Event[], out.requestId);
    expect(root).toMatchObject({
      name: "POST /chat",
      traceId,
      parentSpanId: "b7ad6b7169203331",
      status: "ok",
      attributes: {
        "lumiqtrace.platform": "lambda",
        "faas.name": "lumiq-e2e",
        "faas.version": "$LATEST",
        "faas.coldstart": true,
        "faas.max_memory": 256 * 1024 * 1024,
        "faas.trigger": "http",
        "aws.lambda.event_source": "function_url",
        "cloud.resource_id": "arn:aws:lambda:us-east-1:123456789012:function:lumiq-e2e",
        "http.response.status_code": 201,
      },
    });
    expect(spans.map((s) => s.name).sort()).toEqual(["POST /chat", "load-profile"]);

    // the second invocation thaws the same process: warm now, and again complete before the freeze
    const second = await runtime.invoke({ direct: true }, { onResponse: snapshot });
    const warm = traceOf(second.atResponse as Event[], second.requestId);
    expect(warm.root?.attributes).toMatchObject({
      "faas.coldstart": false,
      "aws.lambda.event_source": "direct",
    });
    expect(warm.spans).toHaveLength(2);
  });

  it("events of a streamed invocation reach the collector before the freeze", async () => {
    for (const handler of ["streamed", "streamedInside"]) {
      const runtime = await start(handler);
      // the flush runs after the stream ended (its last byte reached the Runtime API) and before the
      // handler's promise settles, so before the runtime asks for the next event and is frozen
      const out = await runtime.invoke(urlEvent({}), { onFreeze: snapshot });
      expect(out).toMatchObject({ kind: "response", streamed: true });
      expect(out.contentType).toBe("application/vnd.awslambda.http-integration-response");
      expect(out.body).toContain('{"statusCode":200');
      expect(out.body!.endsWith("hello world")).toBe(true);
      const { root, spans } = traceOf(out.atFreeze as Event[], out.requestId);
      expect(root, handler).toMatchObject({ status: "ok" });
      expect(spans.map((s) => s.name).sort()).toEqual(["POST /chat", "stream-body"]);
      // the body had ended before the root span did
      const body = spans.find((s) => s.name === "stream-body")!;
      expect(root!.endTime).toBeGreaterThanOrEqual(body.endTime);
    }
  });

  it("an invocation that throws is traced, and the runtime gets the error it gets unwrapped", async () => {
    const raw = await start("throwsRaw");
    const unwrapped = await raw.invoke({ order: 1 });
    const runtime = await start("throws");
    const out = await runtime.invoke({ order: 1 }, { onResponse: snapshot });
    expect(out.kind).toBe("error");
    expect(unwrapped.kind).toBe("error");
    expect(out.error).toMatchObject({
      errorType: "QuotaExceeded",
      errorMessage: "monthly quota exceeded for tenant t-42",
    });
    expect(out.error!.errorType).toBe(unwrapped.error!.errorType);
    expect(out.error!.errorMessage).toBe(unwrapped.error!.errorMessage);
    // the same stack: thrown at the same place (the frame's name differs: `fail` vs `fail [as handler]`)
    const where = (line?: string) => /\((.*)\)$/.exec(line ?? "")?.[1];
    expect(where(out.error!.trace![1])).toContain("app.mjs");
    expect(where(out.error!.trace![1])).toBe(where(unwrapped.error!.trace![1]));
    const { root, spans } = traceOf(out.atResponse as Event[], out.requestId);
    expect(root).toMatchObject({
      status: "error",
      error: { type: "QuotaExceeded", message: "monthly quota exceeded for tenant t-42" },
    });
    expect(spans.some((s) => s.name === "before-failure")).toBe(true);
  });

  it("a hanging collector costs at most the configured bound", async () => {
    const runtime = await start("buffered", { FLUSH_TIMEOUT_MS: "300" });
    collector.setFaults({ hang: true });
    const hungBefore = collector.requests.filter((r) => r.fault === "hang").length;
    const out = await runtime.invoke(urlEvent({}), {
      onResponse: () => collector.requests.filter((r) => r.fault === "hang").length,
    });
    expect(out.kind).toBe("response");
    // the answer came while the collector still held the flush request, within the bound (and a wide margin)
    expect(out.atResponse).toBeGreaterThan(hungBefore);
    expect(out.respondedAt - out.deliveredAt).toBeLessThan(300 + 1500);
  });

  it("the flush ends before Lambda's deadline when the invocation has less time left than flushTimeoutMs", async () => {
    const runtime = await start("buffered", { FLUSH_TIMEOUT_MS: "30000", DEADLINE_MARGIN_MS: "1000" });
    collector.setFaults({ hang: true });
    const out = await runtime.invoke(urlEvent({}), { timeoutMs: 3000 });
    expect(out.kind).toBe("response");
    expect(out.respondedAt).toBeLessThan(out.deadline);
  });

  it("an invocation about to time out records it and flushes what it has before the deadline", async () => {
    const runtime = await start("slow");
    const timedOut = collector.waitForEvents(
      (es) => es.some((e) => e.error?.type === "LambdaTimeout" && e.attributes["faas.name"] === "lumiq-e2e"),
      { timeoutMs: 10_000 },
    );
    const invoked = runtime.invoke({ sleepMs: 2500 }, { timeoutMs: 1500 });
    const events = await timedOut;
    const seenAt = Date.now();
    const out = await invoked; // the harness does not kill at the deadline: the handler still finishes
    expect(seenAt).toBeLessThan(out.deadline);
    const { root, spans } = traceOf(events, out.requestId);
    expect(root).toMatchObject({ status: "error", error: { type: "LambdaTimeout" } });
    expect(spans.map((s) => s.name)).toContain("slow-call");
    expect(JSON.parse(out.body!)).toBe("late");
  });

  it("a callback handler is traced and answered after the flush (Node.js 22 and earlier)", async () => {
    const runtime = await start("callback");
    const out = await runtime.invoke({}, { onResponse: snapshot });
    expect(out.kind).toBe("response");
    expect(JSON.parse(out.body!)).toEqual({ statusCode: 200, body: "called back" });
    const { root, spans } = traceOf(out.atResponse as Event[], out.requestId);
    expect(root).toMatchObject({ status: "ok", attributes: { "aws.lambda.event_source": "direct" } });
    expect(spans.map((s) => s.name).sort()).toEqual(["callback-work", "lumiq-e2e"]);
  });

  it("an OpenAI chat made with wrapOpenAI lands in the invocation's trace with the user", async () => {
    const runtime = await start("chat");
    const out = await runtime.invoke(urlEvent({ question: "what is a cold start?" }), {
      onResponse: snapshot,
    });
    expect(out.kind).toBe("response");
    expect(JSON.parse(JSON.parse(out.body!).body).answer).toContain("what is a cold start?");
    const { root, spans } = traceOf(out.atResponse as Event[], out.requestId);
    expect(root).toMatchObject({ status: "ok" });
    const llm = spans.find((s) => s.kind === "llm");
    expect(llm, "wrapOpenAI recorded no llm span").toBeDefined();
    expect(llm).toMatchObject({
      parentSpanId: root!.spanId,
      userId: "user-7",
      sessionId: "s-1",
      attributes: { "gen_ai.provider.name": "openai", "gen_ai.operation.name": "chat" },
    });
  });

  it("a streamed OpenAI chat in a streaming handler is traced before the freeze", async () => {
    const runtime = await start("chatStream");
    const out = await runtime.invoke({ question: "stream this please" }, { onFreeze: snapshot });
    expect(out).toMatchObject({ kind: "response", streamed: true });
    expect(out.body).toContain("stream this please");
    const { root, spans } = traceOf(out.atFreeze as Event[], out.requestId);
    expect(root).toMatchObject({ status: "ok", attributes: { "aws.lambda.event_source": "direct" } });
    const llm = spans.find((s) => s.kind === "llm");
    expect(llm, "wrapOpenAI recorded no llm span").toBeDefined();
    expect(llm).toMatchObject({ userId: "user-8", attributes: { "gen_ai.operation.name": "chat" } });
    expect(typeof llm!.attributes["lumiqtrace.ttft_ms"]).toBe("number");
  });
});

describe("the same function without withLambda (the harness can fail)", () => {
  it("loses the events while frozen: they wait in the paused process", async () => {
    const runtime = await start("bufferedRaw");
    const spansOfWork = () => collector.events.filter((e) => e.name === "load-profile").length;
    const before = spansOfWork();
    const out = await runtime.invoke(urlEvent({}), { onResponse: spansOfWork, onFreeze: spansOfWork });
    expect(out.kind).toBe("response");
    expect([out.atResponse, out.atFreeze]).toEqual([before, before]);
    // frozen for 5x the SDK's batch interval (200 ms in the function): nothing arrives
    await sleep(1000);
    expect(spansOfWork()).toBe(before);
  });

  it("delivers them only when the process is not frozen (so the freeze is what loses them)", async () => {
    const runtime = await start("bufferedRaw", {}, false);
    const before = collector.events.length;
    const out = await runtime.invoke(urlEvent({}));
    expect(out.kind).toBe("response");
    const events = await collector.waitForEvents((es) =>
      es.slice(before).some((e) => e.name === "load-profile"),
    );
    expect(events.slice(before).map((e) => e.name)).toContain("load-profile");
  });

  it("streams without a flush of its own: nothing is sent by the time the response has ended", async () => {
    // (What happens next is a race: a streaming handler's runtime waits for an empty event loop, so the
    // SDK's last-chance `beforeExit` flush may start just before the process is frozen, or not.)
    const runtime = await start("streamedRaw");
    const streamSpans = () => collector.events.filter((e) => e.name === "stream-body").length;
    const before = streamSpans();
    const out = await runtime.invoke(urlEvent({}), { onResponse: streamSpans });
    expect(out).toMatchObject({ kind: "response", streamed: true });
    expect(out.body!.endsWith("hello world")).toBe(true);
    expect(out.atResponse).toBe(before);
  });
});

import { PassThrough } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { type Collector, startCollector } from "@lumiqtrace/collector";
import { lumiqtrace, withLumiqtraceContext } from "@lumiqtrace/sdk";
import type {
  APIGatewayProxyEventV2,
  Callback,
  Context,
  Handler,
  SQSEvent,
  StreamifyHandler,
} from "aws-lambda";
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from "vitest";
import { withLambda } from "./index.js";

const STREAMING = Symbol.for("aws.lambda.runtime.handler.streaming");
const HIGH_WATER_MARK = Symbol.for("aws.lambda.runtime.handler.streaming.highWaterMark");

/** A test double of the context the runtime client passes (the e2e tests use the real one). */
function fakeContext(overrides: Partial<Context> & { remainingMs?: number } = {}): Context {
  const deadline = Date.now() + (overrides.remainingMs ?? 30_000);
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: "orders",
    functionVersion: "7",
    invokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:orders:live",
    memoryLimitInMB: "512",
    awsRequestId: `req-${Math.random().toString(16).slice(2)}`,
    logGroupName: "/aws/lambda/orders",
    logStreamName: "s",
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => {},
    fail: () => {},
    succeed: () => {},
    ...overrides,
  };
}

/** Calls a wrapped handler the way the runtime client does: (event, context, callback). */
const invoke = (handler: Function, event: unknown, context: Context): Promise<unknown> =>
  Promise.resolve((handler as Handler)(event, context, () => {}));

const httpEvent = (headers: Record<string, string> = {}) =>
  ({
    version: "2.0",
    routeKey: "POST /orders/{id}",
    rawPath: "/orders/42",
    headers,
    requestContext: {
      http: { method: "POST", path: "/orders/42" },
      domainName: "abc.execute-api.eu-west-1.amazonaws.com",
    },
  }) as unknown as APIGatewayProxyEventV2;

// A collector per test: a client of an earlier test may still be retrying in the background.
let collector: Collector;
beforeEach(async () => {
  collector = await startCollector({ port: 0 });
  lumiqtrace.init({ apiKey: collector.apiKey, baseUrl: collector.url, flushIntervalMs: 60_000 });
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await collector.close();
});

const roots = () => collector.events.filter((e) => e.kind === "invocation");
const byRequest = (id: string) => collector.events.find((e) => e.attributes["faas.invocation_id"] === id);

describe("withLambda", () => {
  it("returns the handler's result after its events were delivered, with the invocation's facts", async () => {
    const context = fakeContext();
    const handler = withLambda(async (event: APIGatewayProxyEventV2) => {
      await lumiqtrace.span("db", async () => sleep(1));
      return { statusCode: 201, body: event.rawPath };
    });
    const result = await invoke(handler, httpEvent(), context);
    expect(result).toEqual({ statusCode: 201, body: "/orders/42" });
    // delivered before the promise resolved: nothing is left to send when Lambda freezes
    const root = byRequest(context.awsRequestId)!;
    const child = collector.events.find((e) => e.name === "db")!;
    expect(root).toMatchObject({ name: "POST /orders/{id}", parentSpanId: null, status: "ok" });
    expect(root.attributes).toMatchObject({
      "lumiqtrace.platform": "lambda",
      "faas.name": "orders",
      "faas.version": "7",
      "faas.invocation_id": context.awsRequestId,
      "cloud.resource_id": "arn:aws:lambda:eu-west-1:123456789012:function:orders:live",
      "faas.max_memory": 512 * 1024 * 1024,
      "faas.trigger": "http",
      "aws.lambda.event_source": "api_gateway_v2",
      "http.request.method": "POST",
      "http.route": "/orders/{id}",
      "url.path": "/orders/42",
      "http.response.status_code": 201,
    });
    expect(child).toMatchObject({ traceId: root.traceId, parentSpanId: root.spanId });
  });

  it("rethrows the very error object after recording and flushing it", async () => {
    const boom = Object.assign(new RangeError("out of stock"), { code: "E_STOCK" });
    const context = fakeContext();
    const handler = withLambda(async () => {
      throw boom;
    });
    const thrown = await invoke(handler, {}, context).catch((e: unknown) => e);
    expect(thrown).toBe(boom);
    expect(byRequest(context.awsRequestId)).toMatchObject({
      status: "error",
      error: { type: "RangeError", message: "out of stock" },
    });
  });

  it("marks a 5xx result as an error and keeps the result", async () => {
    const context = fakeContext();
    const result = await invoke(
      withLambda(async () => ({ statusCode: 503, body: "later" })),
      httpEvent(),
      context,
    );
    expect(result).toEqual({ statusCode: 503, body: "later" });
    expect(byRequest(context.awsRequestId)).toMatchObject({
      status: "error",
      attributes: { "http.response.status_code": 503 },
    });
  });

  it("names the root span with spanName, a string or a function of the event and context", async () => {
    const a = fakeContext();
    const b = fakeContext();
    await invoke(
      withLambda(async () => 1, { spanName: "nightly job" }),
      {},
      a,
    );
    await invoke(
      withLambda(async () => 2, { spanName: (_e, c) => `job ${c.functionName}` }),
      {},
      b,
    );
    expect(byRequest(a.awsRequestId)!.name).toBe("nightly job");
    expect(byRequest(b.awsRequestId)!.name).toBe("job orders");
  });

  it("keeps `this`, own properties, name and arity", async () => {
    const seen: unknown[] = [];
    const original = Object.assign(
      async function ordersHandler(this: unknown, _event: unknown, _context: Context) {
        seen.push(this);
        return "ok";
      },
      { config: { memory: 512 } },
    );
    const wrapped = withLambda(original);
    expect(wrapped.config).toBe(original.config);
    expect(wrapped.name).toBe("ordersHandler");
    // Lambda's Node.js 24 runtime calls any handler with 3+ parameters a callback handler
    expect(wrapped.length).toBe(2);
    const self = { runtime: true };
    await wrapped.call(self, {}, fakeContext());
    expect(seen).toEqual([self]);
  });

  it("keeps the handler's types", () => {
    const h = withLambda<Handler<SQSEvent, { batchItemFailures: [] }>>(async () => ({
      batchItemFailures: [],
    }));
    expectTypeOf(h).toEqualTypeOf<Handler<SQSEvent, { batchItemFailures: [] }>>();
    const typed: Handler<SQSEvent, void> = withLambda(async (event) => {
      expectTypeOf(event).toEqualTypeOf<SQSEvent>();
    });
    expectTypeOf(typed).parameter(1).toEqualTypeOf<Context>();
    const streaming = withLambda(
      awslambdaStreamify<{ q: string }, void>(async (_e, stream) => void stream.end()),
    );
    expectTypeOf(streaming).toEqualTypeOf<StreamifyHandler<{ q: string }, void>>();
  });

  it("wrapping twice returns the same function: one trace, one flush", async () => {
    const once = withLambda(async () => "x");
    expect(withLambda(once)).toBe(once);
    // a frozen function cannot be marked: the nesting check of runInvocation still gives one trace
    const frozen = Object.freeze(async (_e: unknown, _c: Context) => {
      lumiqtrace.span("inner", () => undefined);
      return "y";
    });
    const twice = withLambda(withLambda(frozen));
    const context = fakeContext();
    expect(await invoke(twice, {}, context)).toBe("y");
    expect(roots()).toHaveLength(1);
    expect(collector.requests.filter((r) => r.path === "/v1/batch")).toHaveLength(1);
    expect(collector.events.find((e) => e.name === "inner")!.traceId).toBe(roots()[0]!.traceId);
  });

  it("continues the caller's trace from a traceparent header, whatever its case", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const context = fakeContext();
    await invoke(
      withLambda(async () => "ok"),
      httpEvent({ TraceParent: `00-${traceId}-00f067aa0ba902b7-01` }),
      context,
    );
    expect(byRequest(context.awsRequestId)).toMatchObject({ traceId, parentSpanId: "00f067aa0ba902b7" });
  });

  it("keeps concurrent invocations in separate traces, with their own user context", async () => {
    const handler = withLambda(async (event: { user: string; wait: number }) =>
      withLumiqtraceContext({ userId: event.user }, async () => {
        await sleep(event.wait);
        await lumiqtrace.span("llm-call", async () => sleep(event.wait), { kind: "llm" });
        return lumiqtrace.getTraceContext()!.traceId;
      }),
    );
    const [a, b, c] = [fakeContext(), fakeContext(), fakeContext()];
    const traces = await Promise.all([
      invoke(handler, { user: "ann", wait: 30 }, a),
      invoke(handler, { user: "bob", wait: 5 }, b),
      invoke(handler, { user: "cid", wait: 15 }, c),
    ]);
    expect(new Set(traces).size).toBe(3);
    for (const [i, user] of ["ann", "bob", "cid"].entries()) {
      const llm = collector.events.filter((e) => e.kind === "llm" && e.userId === user);
      expect(llm).toHaveLength(1);
      expect(llm[0]!.traceId).toBe(traces[i]);
    }
  });

  it("bounds the flush by the time the invocation has left when the flush starts, less the margin", async () => {
    collector.setFaults({ hang: true });
    const context = fakeContext({ remainingMs: 3000 });
    const handler = withLambda(
      async () => {
        await sleep(1000); // the flush then has 3000 - 1000 - 1000 (margin) = ~1000 ms
        return "answered";
      },
      { flushTimeoutMs: 20_000, deadlineMarginMs: 1000, timeoutWarningMs: false },
    );
    const started = Date.now();
    const result = await invoke(handler, {}, context);
    const elapsed = Date.now() - started;
    expect(result).toBe("answered");
    // the collector still holds the flush request: the answer did not wait for it
    expect(collector.requests.some((r) => r.fault === "hang")).toBe(true);
    // a bound taken at the start (3000 - 1000) would end the flush at the deadline, 3000 ms in
    expect(elapsed).toBeGreaterThanOrEqual(1500); // and it did wait for the flush, bounded
    expect(elapsed).toBeLessThan(2700);
  });

  it("records that the invocation is about to time out, and flushes it, before the deadline", async () => {
    const context = fakeContext({ remainingMs: 800 });
    let release!: () => void;
    const handler = withLambda(
      async () => {
        await lumiqtrace.span("slow-call", async () => sleep(1));
        await new Promise<void>((r) => (release = r));
        return "late";
      },
      { timeoutWarningMs: 500 },
    );
    const pending = invoke(handler, {}, context);
    // arrives while the handler is still running (Lambda would kill it at the deadline)
    const events = await collector.waitForEvents((es) => es.some((e) => e.kind === "invocation"), {
      timeoutMs: 5000,
    });
    const root = events.find((e) => e.kind === "invocation")!;
    expect(root).toMatchObject({ status: "error", error: { type: "LambdaTimeout" } });
    expect(root.endTime).toBeLessThan(Date.now() + 1);
    expect(events.some((e) => e.name === "slow-call")).toBe(true);
    release();
    expect(await pending).toBe("late");
    expect(roots()).toHaveLength(1);
  });

  it("sends no timeout warning for an invocation that finishes in time", async () => {
    const context = fakeContext({ remainingMs: 900 }); // the warning would fire 400 ms in
    await invoke(
      withLambda(async () => sleep(50), { timeoutWarningMs: 500 }),
      {},
      context,
    );
    await sleep(600);
    expect(roots()).toHaveLength(1);
    expect(roots()[0]!.status).toBe("ok");
  });
});

describe("callback handlers (Node.js 22 and earlier)", () => {
  // the Lambda runtime these are about, whatever Node runs the tests (on 24 they are refused, tested below)
  beforeEach(() => vi.stubEnv("AWS_EXECUTION_ENV", "AWS_Lambda_nodejs22.x"));

  it("answers the runtime's callback after the flush, with the same result", async () => {
    const context = fakeContext();
    const answered = new Promise<{ error: unknown; result: unknown; delivered: number }>((resolve) => {
      const handler = withLambda((_event: unknown, _context: Context, callback: Callback) => {
        lumiqtrace.span("work", () => undefined);
        setTimeout(() => callback(null, { statusCode: 200 }), 5);
      });
      expect(handler.length).toBe(3);
      const returned = handler({}, context, (error, result) =>
        resolve({ error, result, delivered: collector.events.length }),
      );
      expect(returned).toBeUndefined();
    });
    const { error, result, delivered } = await answered;
    expect(error).toBeNull();
    expect(result).toEqual({ statusCode: 200 });
    expect(delivered).toBe(2);
    expect(byRequest(context.awsRequestId)!.status).toBe("ok");
  });

  it("passes the very error given to the callback, after recording it", async () => {
    const boom = new Error("bad input");
    const context = fakeContext();
    const error = await new Promise((resolve) => {
      withLambda((_e: unknown, _c: Context, callback: Callback) => callback(boom))({}, context, resolve);
    });
    expect(error).toBe(boom);
    expect(byRequest(context.awsRequestId)).toMatchObject({
      status: "error",
      error: { message: "bad input" },
    });
  });

  it("is refused at wrap time on Lambda's Node.js 24 runtime, with the reason", () => {
    vi.stubEnv("AWS_EXECUTION_ENV", "AWS_Lambda_nodejs24.x");
    expect(() => withLambda((_e: unknown, _c: Context, cb: Callback) => cb(null))).toThrow(
      /Node\.js 24\+ runtime rejects callback handlers/,
    );
    // async handlers and streaming handlers are fine there
    expect(() => withLambda(async (_e: unknown, _c: Context) => 1)).not.toThrow();
    expect(() =>
      withLambda(awslambdaStreamify((_e: unknown, s) => Promise.resolve(void s.end()))),
    ).not.toThrow();
    vi.stubEnv("AWS_EXECUTION_ENV", "AWS_Lambda_nodejs22.x");
    expect(() => withLambda((_e: unknown, _c: Context, cb: Callback) => cb(null))).not.toThrow();
  });
});

/** What the runtime's `awslambda.streamifyResponse` does (the e2e tests use the real one). */
function awslambdaStreamify<E, R>(
  handler: StreamifyHandler<E, R>,
  highWaterMark?: number,
): StreamifyHandler<E, R> {
  const marked = handler as unknown as Record<symbol, unknown>;
  marked[STREAMING] = "response";
  if (highWaterMark !== undefined) marked[HIGH_WATER_MARK] = highWaterMark;
  return handler;
}

describe("response streaming", () => {
  it("copies the runtime's streaming markers", () => {
    const wrapped = withLambda(awslambdaStreamify(async (_e, s, _c) => void s.end(), 4096));
    const marks = wrapped as unknown as Record<symbol, unknown>;
    expect(marks[STREAMING]).toBe("response");
    expect(marks[HIGH_WATER_MARK]).toBe(4096);
    expect(wrapped.length).toBe(3);
  });

  it.each([
    ["withLambda(streamifyResponse(h))", (h: StreamifyHandler) => withLambda(awslambdaStreamify(h))],
    ["streamifyResponse(withLambda(h))", (h: StreamifyHandler) => awslambdaStreamify(withLambda(h))],
  ])("%s: flushes after the stream finished, before the promise settles", async (_name, wrap) => {
    const stream = new PassThrough();
    const body: string[] = [];
    stream.on("data", (c) => body.push(String(c)));
    let finishedAt = 0;
    stream.on("finish", () => (finishedAt = collector.events.length));
    const context = fakeContext();
    const handler = wrap(async (_event, responseStream) => {
      await lumiqtrace.span("stream", async () => {
        responseStream.write("a");
        await sleep(5);
        responseStream.end("b");
      });
    });
    await handler({}, stream as never, context);
    expect(body.join("")).toBe("ab");
    expect(finishedAt).toBe(0); // nothing was flushed before the stream finished...
    expect(byRequest(context.awsRequestId)).toMatchObject({ status: "ok" }); // ...and all of it before settling
    expect(collector.events.some((e) => e.name === "stream")).toBe(true);
  });

  it("records a streaming handler's failure and rethrows it", async () => {
    const boom = new Error("upstream closed");
    const context = fakeContext();
    const handler = withLambda(
      awslambdaStreamify(async (_e, s) => {
        s.write("partial");
        throw boom;
      }),
    );
    const err = await Promise.resolve(handler({}, new PassThrough() as never, context)).catch(
      (e: unknown) => e,
    );
    expect(err).toBe(boom);
    expect(byRequest(context.awsRequestId)).toMatchObject({
      status: "error",
      error: { message: "upstream closed" },
    });
  });
});

describe("cold start", () => {
  // When it is a cold start (provisioned concurrency, proactive initialisation) is the kit's takeColdStart,
  // tested in the SDK; here: that the adapter records it, and only for the process's first invocation.
  it("records faas.coldstart, false after the process's first invocation", async () => {
    const handler = withLambda(async () => "ok");
    const contexts = [fakeContext(), fakeContext()];
    for (const c of contexts) await invoke(handler, {}, c);
    const values = contexts.map((c) => byRequest(c.awsRequestId)!.attributes["faas.coldstart"]);
    expect(values.map((v) => typeof v)).toEqual(["boolean", "boolean"]);
    expect(values[1]).toBe(false);
  });
});

describe("odd input", () => {
  it("warns and returns a handler that is not a function as it is", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const notAHandler = { handler: true };
    expect(withLambda(notAHandler as never)).toBe(notAHandler);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("handler must be a function"));
    warn.mockRestore();
  });

  it("traces an event whose properties throw, and returns the handler's result", async () => {
    const event = new Proxy(
      {},
      {
        get() {
          throw new Error("no reading me");
        },
      },
    );
    const context = fakeContext();
    expect(
      await invoke(
        withLambda(async () => "fine"),
        event,
        context,
      ),
    ).toBe("fine");
    expect(roots()).toHaveLength(1);
    expect(roots()[0]).toMatchObject({ name: "orders", status: "ok", attributes: { "faas.name": "orders" } });
  });
});

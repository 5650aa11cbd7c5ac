// withLambda with the LumiqTrace extension, end to end: the layer's zip (built by
// @lumiqtrace/lambda-extension, unpacked as Lambda unpacks a layer into /opt), its extension started by
// the Runtime API harness as Lambda starts /opt/extensions/*, the function in the real runtime client
// (aws-lambda-ric), everything frozen with SIGSTOP once the runtime and the extension wait for their next
// event. The local collector receives; the timings asserted are orders (response before the collector's
// answer), never durations: bench/lambda-extension.bench.mjs measures those.
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Collector, startCollector } from "@lumiqtrace/collector";
import { buildLayer } from "@lumiqtrace/lambda-extension";
import { freePort, startLoopbackServer } from "@lumiqtrace/test-kit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Runtime, startRuntime } from "./runtime-api.mjs";

const FUNCTION_DIR = fileURLToPath(new URL("./function", import.meta.url));
type Event = Collector["events"][number];

/** Unpacks a zip keeping each file's Unix mode, as Lambda unpacks a layer (Python's zipfile: an independent reader). */
const UNZIP = `
import os, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
for i in z.infolist():
    path = os.path.join(sys.argv[2], i.filename)
    if i.filename.endswith("/"):
        os.makedirs(path, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "wb").write(z.read(i))
    os.chmod(path, (i.external_attr >> 16) & 0o7777)
`;

let collector: Collector;
let opt: string;
const runtimes: Runtime[] = [];

beforeAll(async () => {
  collector = await startCollector({ port: 0 });
  opt = mkdtempSync(join(tmpdir(), "lqt-opt-"));
  const zip = buildLayer(join(opt, "..", `${opt.split("/").pop()}.zip`));
  execFileSync("python3", ["-c", UNZIP, zip, opt]);
});
afterEach(async () => {
  collector.setFaults(null);
  await Promise.all(runtimes.splice(0).map((r) => r.close()));
});
afterAll(async () => {
  await collector?.close();
});

async function start(
  handler: string,
  { layer = true, env = {} }: { layer?: boolean; env?: Record<string, string> } = {},
): Promise<Runtime> {
  const runtime = await startRuntime({
    cwd: FUNCTION_DIR,
    handler: `app.${handler}`,
    extensionsDir: layer ? join(opt, "extensions") : undefined,
    env: {
      LUMIQTRACE_BASE_URL: collector.url,
      LUMIQTRACE_API_KEY: collector.apiKey,
      // a port of its own: the tests' runtimes may overlap
      LUMIQTRACE_EXTENSION_PORT: String(await freePort()),
      ...env,
    },
  });
  runtimes.push(runtime);
  return runtime;
}

const spansOf = (events: readonly Event[], requestId: string): Event[] => {
  const root = events.find(
    (e) => e.kind === "invocation" && e.attributes["faas.invocation_id"] === requestId,
  );
  return root ? events.filter((e) => e.traceId === root.traceId) : [];
};
const snapshot = () => [...collector.events];

describe("with the extension, the response does not wait for the backend", () => {
  it("with a collector that takes 300 ms: the response comes before its answer, the freeze after it", async () => {
    const runtime = await start("many");
    collector.setFaults({ delayMs: 300 });
    const out = await runtime.invoke({ spans: 10 }, { onResponse: snapshot, onFreeze: snapshot });
    expect(out.kind).toBe("response");
    expect(JSON.parse(out.body!)).toMatchObject({ statusCode: 200, body: "many" });
    // the runtime posted the response while the collector still held the batch (it answers after 300 ms)
    expect(spansOf(out.atResponse as Event[], out.requestId)).toHaveLength(0);
    // and Lambda could freeze only once the extension had forwarded all of it: 1 root + 10 spans
    expect(spansOf(out.atFreeze as Event[], out.requestId)).toHaveLength(11);
    expect(out.frozenAt).toBeGreaterThanOrEqual(out.extensionsNextAt!);
  });

  it("without the layer (the control), the same function's response waits for the collector's answer", async () => {
    const runtime = await start("many", { layer: false });
    collector.setFaults({ delayMs: 300 });
    const out = await runtime.invoke({ spans: 10 }, { onResponse: snapshot });
    expect(spansOf(out.atResponse as Event[], out.requestId)).toHaveLength(11);
    expect(out.respondedAt - out.deliveredAt).toBeGreaterThanOrEqual(300);
  });

  it("every event of every invocation arrives, once, before each freeze", async () => {
    const runtime = await start("many");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const out = await runtime.invoke({ spans: 20 }, { onFreeze: snapshot });
      expect(spansOf(out.atFreeze as Event[], out.requestId)).toHaveLength(21);
      ids.push(out.requestId);
    }
    const all = collector.events.filter((e) => ids.some((id) => spansOf(collector.events, id).includes(e)));
    expect(all).toHaveLength(5 * 21);
    expect(new Set(all.map((e) => e.id)).size).toBe(5 * 21);
  });

  it("a streamed invocation, an error and a callback handler go through the extension too", async () => {
    collector.setFaults({ delayMs: 1000 });
    for (const handler of ["streamed", "throws", "callback"]) {
      const runtime = await start(handler);
      const out = await runtime.invoke({}, { onResponse: snapshot, onFreeze: snapshot });
      expect(out.kind, handler).toBe(handler === "throws" ? "error" : "response");
      expect(spansOf(out.atResponse as Event[], out.requestId), handler).toHaveLength(0);
      expect(spansOf(out.atFreeze as Event[], out.requestId), handler).toHaveLength(2);
    }
  });
});

/** When the collector received the batch that held the event named `name`. */
const receivedAt = (name: string) => {
  const id = collector.events.find((e) => e.name === name)?.id;
  return collector.requests.find((r) => r.status === 200 && r.eventIds.includes(id!))?.receivedAt;
};

describe("the extension sends where the SDK would, from the same variables", () => {
  it("OTLP (LUMIQTRACE_EXPORTER=otlp, OTEL_EXPORTER_OTLP_*): its lazily loaded exporter is in the bundle", async () => {
    const otlp = await startLoopbackServer(); // any OTLP/HTTP receiver: this one records what it gets
    try {
      const runtime = await start("many", {
        env: {
          LUMIQTRACE_EXPORTER: "otlp",
          OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
          OTEL_SERVICE_NAME: "orders",
        },
      });
      otlp.script({ status: 200, delayMs: 300 });
      let atFreeze: typeof otlp.requests = [];
      const out = await runtime.invoke({ spans: 4 }, { onFreeze: () => (atFreeze = [...otlp.requests]) });
      expect(out.kind).toBe("response");
      const [request] = atFreeze;
      expect(request).toMatchObject({ method: "POST", path: "/v1/traces" });
      // sent by the extension: answered after the response, before the freeze
      expect(request!.answeredAt).toBeGreaterThan(out.respondedAt);
      expect(request!.answeredAt).toBeLessThanOrEqual(out.frozenAt);
      const resource = request!.body.resourceSpans[0];
      expect(resource.resource.attributes).toContainEqual({
        key: "service.name",
        value: { stringValue: "orders" },
      });
      const spans = resource.scopeSpans.flatMap((s: { spans: { name: string }[] }) => s.spans);
      expect(spans.map((s: { name: string }) => s.name).sort()).toEqual([
        "lumiq-e2e",
        "step-0",
        "step-1",
        "step-2",
        "step-3",
      ]);
      expect(spansOf(collector.events, out.requestId)).toHaveLength(0); // only OTLP was asked for
    } finally {
      await otlp.close();
    }
  });
});

describe("when the function cannot say it is done", () => {
  it("a crashed function: what it had sent is forwarded (the Telemetry API's runtimeDone, not the deadline)", async () => {
    const runtime = await start("crashes");
    const seen = collector.waitForEvents((es) => es.some((e) => e.name === "before-crash"), {
      timeoutMs: 10_000,
    });
    // a minute's deadline: only platform.runtimeDone can end the extension's wait within the 10 s above
    await expect(runtime.invoke({}, { timeoutMs: 60_000 })).rejects.toThrow(/runtime exited \(7\)/);
    const events = await seen;
    expect(events.find((e) => e.name === "before-crash")).toMatchObject({ status: "ok" });
    // the function's flush went to the extension, which sent it on once told the runtime was done
    expect(receivedAt("before-crash")).toBeGreaterThanOrEqual(runtime.runtimeExitedAt()!);
  });

  it("an invocation about to time out: what it recorded is forwarded before its deadline", async () => {
    const runtime = await start("slow");
    const timedOut = collector.waitForEvents((es) => es.some((e) => e.error?.type === "LambdaTimeout"), {
      timeoutMs: 10_000,
    });
    const invoked = runtime.invoke({ sleepMs: 2500 }, { timeoutMs: 1500 });
    await timedOut;
    const out = await invoked; // the harness does not kill at the deadline: the handler still finishes
    const at = receivedAt("slow-call")!;
    // withLambda's warning flush (500 ms before the deadline) went to the extension, which forwarded it when
    // its wait for the invocation ended (300 ms before the deadline), before the deadline
    expect(at).toBeGreaterThanOrEqual(out.deadline - 300);
    expect(at).toBeLessThan(out.deadline);
  });
});

describe("SHUTDOWN", () => {
  it("drains what the collector refused during the invocation, within the phase's 2 s", async () => {
    const runtime = await start("many", { env: { LUMIQTRACE_FLUSH_TIMEOUT_MS: "300" } });
    collector.setFaults({ status: 503 });
    const out = await runtime.invoke({ spans: 3 }, { onFreeze: snapshot });
    expect(out.kind).toBe("response");
    // the extension gave up at its 300 ms bound, kept the events, and let Lambda freeze
    expect(spansOf(out.atFreeze as Event[], out.requestId)).toHaveLength(0);
    collector.setFaults(null);
    const down = await runtime.shutdown();
    expect(down.extensions).toEqual([
      expect.objectContaining({ name: "lumiqtrace", killed: false, code: 0 }),
    ]);
    expect(down.extensions[0]!.exitedAt).toBeLessThanOrEqual(down.deadlineMs);
    expect(spansOf(collector.events, out.requestId)).toHaveLength(4);
  });
});

describe("without a working extension the function keeps working (the awaited flush)", () => {
  it("the extension crashed: the next invocation's events reach the collector before the response", async () => {
    const runtime = await start("many");
    collector.setFaults({ delayMs: 300 });
    const first = await runtime.invoke({ spans: 2 }, { onResponse: snapshot, onFreeze: snapshot });
    expect(spansOf(first.atResponse as Event[], first.requestId)).toHaveLength(0);
    expect(spansOf(first.atFreeze as Event[], first.requestId)).toHaveLength(3);
    runtime.thaw();
    runtime.extension("lumiqtrace")!.kill("SIGKILL");
    await new Promise((r) => runtime.extension("lumiqtrace")!.once("exit", r));
    runtime.freeze();
    const second = await runtime.invoke({ spans: 2 }, { onResponse: snapshot });
    expect(second.kind).toBe("response");
    expect(spansOf(second.atResponse as Event[], second.requestId)).toHaveLength(3);
  });
});

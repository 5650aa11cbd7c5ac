// withWorker and withDurableObject in workerd (miniflare), against the local collector in this process.
import { fileURLToPath } from "node:url";
import { type Collector, startCollector } from "@lumiqtrace/collector";
import type { SpanEvent } from "@lumiqtrace/sdk";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** Bundles a worker the way wrangler does (its export conditions), so the SDK entry is the one Workers get. */
async function bundle(fixture: string): Promise<string> {
  const out = await build({
    entryPoints: [fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url))],
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    keepNames: true, // wrangler's default (`keep_names`): class names survive, as the Durable Object's does
    external: ["node:*", "cloudflare:*"],
    logLevel: "silent",
  });
  return out.outputFiles[0]!.text;
}

const sinceStart = new Set<string>();
const named = (events: SpanEvent[], name: string) =>
  events.filter((e) => e.name === name && !sinceStart.has(e.id));
const childrenOf = (events: SpanEvent[], root: SpanEvent) =>
  events.filter((e) => e.traceId === root.traceId && e.parentSpanId === root.spanId);

// Under nodejs_als the SDK's `workerd` export condition (a static import of node:async_hooks) is the only
// way in: without it this suite fails, it does not skip.
describe.each([{ flag: "nodejs_compat" }, { flag: "nodejs_als" }])(
  "withWorker on workerd ($flag)",
  ({ flag }) => {
    let collector: Collector;
    let mf: Miniflare;

    beforeAll(async () => {
      collector = await startCollector({ port: 0 });
      const shared = {
        modules: true,
        compatibilityDate: "2026-04-01",
        compatibilityFlags: [flag],
        bindings: { LUMIQTRACE_API_KEY: collector.apiKey, LUMIQTRACE_BASE_URL: collector.url },
      };
      mf = new Miniflare({
        cf: false,
        workers: [
          {
            ...shared,
            name: "traced",
            script: await bundle("worker.ts"),
            durableObjects: { COUNTER: "Counter" },
            queueProducers: { JOBS: { queueName: "jobs" } },
            queueConsumers: { jobs: { maxBatchSize: 3, maxBatchTimeout: 1 } },
          },
          { ...shared, name: "bare", script: await bundle("bare.ts") },
        ],
      });
      await mf.ready;
    });
    afterAll(async () => {
      await mf?.dispose();
      await collector?.close();
    });

    it("traces a fetch that streams: the root span ends after the last chunk, bytes unchanged", async () => {
      const res = await mf.dispatchFetch("http://worker/stream");
      expect(await res.text()).toBe("chunk 0;chunk 1;chunk 2;chunk 3;chunk 4;");
      const events = await collector.waitForEvents(
        (e) => named(e, "GET /stream").length === 1 && named(e, "chunk 4").length === 1,
      );
      const [root] = named(events, "GET /stream");
      expect(root).toMatchObject({
        kind: "invocation",
        parentSpanId: null,
        attributes: {
          "lumiqtrace.platform": "cloudflare",
          "faas.trigger": "http",
          "http.request.method": "GET",
          "url.path": "/stream",
          "http.response.status_code": 200,
        },
      });
      const chunks = childrenOf(events, root!).filter((e) => e.name.startsWith("chunk "));
      expect(chunks).toHaveLength(5);
      expect(root!.endTime).toBeGreaterThanOrEqual(Math.max(...chunks.map((e) => e.endTime)));
    });

    it("traces a scheduled event: cron recorded, and the handler's own waitUntil work flushed too", async () => {
      const worker = await mf.getWorker("traced");
      await worker.scheduled({ cron: "*/5 * * * *", scheduledTime: new Date() });
      const events = await collector.waitForEvents((e) => named(e, "cron background").length === 1);
      const [root] = named(events, "scheduled */5 * * * *");
      expect(root).toMatchObject({
        kind: "invocation",
        attributes: {
          "faas.trigger": "timer",
          "faas.cron": "*/5 * * * *",
          "lumiqtrace.platform": "cloudflare",
        },
      });
      expect(
        childrenOf(events, root!)
          .map((e) => e.name)
          .sort(),
      ).toEqual(["cron background", "cron work"]);
    });

    it("traces a queue batch from miniflare's queues: queue name, batch size, a span per message", async () => {
      expect(await (await mf.dispatchFetch("http://worker/enqueue")).text()).toBe("queued");
      const events = await collector.waitForEvents((e) => named(e, "queue jobs").length === 1, {
        timeoutMs: 15_000,
      });
      const [root] = named(events, "queue jobs");
      expect(root).toMatchObject({
        attributes: {
          "faas.trigger": "pubsub",
          "messaging.destination.name": "jobs",
          "messaging.batch.message_count": 3,
        },
      });
      expect(
        childrenOf(events, root!)
          .map((e) => e.name)
          .sort(),
      ).toEqual(["job 0", "job 1", "job 2"]);
    });

    it("traces a Durable Object's fetch and alarm, each as an invocation of its class", async () => {
      const res = await mf.dispatchFetch("http://worker/counter?alarm");
      expect(await res.json()).toMatchObject({ n: expect.any(Number) });
      const events = await collector.waitForEvents(
        (e) => named(e, "GET /count").length === 1 && named(e, "alarm").length === 1,
        { timeoutMs: 15_000 },
      );
      const [fetchRoot] = named(events, "GET /count");
      const [alarmRoot] = named(events, "alarm");
      expect(fetchRoot).toMatchObject({
        kind: "invocation",
        attributes: { "cloudflare.durable_object.class": "Counter", "faas.trigger": "http" },
      });
      expect(alarmRoot).toMatchObject({
        kind: "invocation",
        attributes: { "cloudflare.durable_object.class": "Counter", "faas.trigger": "timer" },
      });
      expect(childrenOf(events, fetchRoot!).map((e) => e.name)).toEqual(["count"]);
      expect(childrenOf(events, alarmRoot!).map((e) => e.name)).toEqual(["alarm work"]);
      // the worker's own fetch that called the object is a trace of its own
      expect(named(events, "GET /counter")).toHaveLength(1);
    });

    // The control: proves this harness sees loss. A flush in `scheduled` neither awaited nor in waitUntil is dropped.
    it("loses what an unwrapped scheduled handler flushed without awaiting", async () => {
      const bare = await mf.getWorker("bare");
      await bare.scheduled({ cron: "* * * * *" });
      await expect(
        collector.waitForEvents((e) => named(e, "unawaited cron work").length > 0, { timeoutMs: 3000 }),
      ).rejects.toThrow();
      // ...while the wrapped worker in the same runtime still delivers: the loss is the unawaited flush's
      const before = named(collector.events, "cron work").length;
      await (await mf.getWorker("traced")).scheduled({ cron: "0 * * * *" });
      await collector.waitForEvents((e) => named(e, "cron work").length > before);
    });
  },
);

import { fileURLToPath } from "node:url";
import { type Collector, startCollector } from "@lumiqtrace/collector";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const FIXTURE = fileURLToPath(new URL("./fixtures/worker.ts", import.meta.url));

/** Bundles the worker the way wrangler does (its export conditions), so the SDK entry is the one Workers get. */
async function bundleWorker(): Promise<string> {
  const out = await build({
    entryPoints: [FIXTURE],
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    external: ["node:*", "cloudflare:*"],
    logLevel: "silent",
  });
  return out.outputFiles[0]!.text;
}

// Under nodejs_als the SDK's `workerd` export condition (a static import of node:async_hooks) is the only
// way in: without it this suite fails, it does not skip.
describe.each([{ flag: "nodejs_compat" }, { flag: "nodejs_als" }])(
  "withHono on workerd ($flag)",
  ({ flag }) => {
    let collector: Collector;
    let mf: Miniflare;

    beforeAll(async () => {
      collector = await startCollector({ port: 0 });
      mf = new Miniflare({
        modules: true,
        script: await bundleWorker(),
        compatibilityDate: "2026-04-01",
        compatibilityFlags: [flag],
        cf: false,
        bindings: { LUMIQTRACE_API_KEY: collector.apiKey, LUMIQTRACE_BASE_URL: collector.url },
      });
      await mf.ready;
    });
    afterAll(async () => {
      await mf?.dispose();
      await collector?.close();
    });

    it("answers before a slow collector does, and the collector still gets every event", async () => {
      const delayMs = 3000; // under the fixture's flush deadline (10 s), far above a response's time
      collector.setFaults({ delayMs });
      const answeredBefore = collector.requests.length;
      const res = await mf.dispatchFetch("http://worker/traced/hello");
      expect(await res.text()).toBe("hello");
      // The collector has not answered anything since: the flush is still in its hands (or not yet sent).
      expect(collector.requests.length).toBe(answeredBefore);
      const events = await collector.waitForEvents((e) =>
        e.some((x) => x.attributes["url.path"] === "/traced/hello"),
      );
      const root = events.find((x) => x.attributes["url.path"] === "/traced/hello")!;
      expect(root).toMatchObject({
        name: "GET /traced/hello",
        kind: "invocation",
        attributes: { "lumiqtrace.platform": "hono", "http.response.status_code": 200 },
      });
      expect(collector.requests.at(-1)).toMatchObject({ status: 200, fault: "delay" });
      collector.setFaults(null);
    });

    it("flushes a streamed response after its last chunk, bytes unchanged", async () => {
      const res = await mf.dispatchFetch("http://worker/traced/stream");
      expect(await res.text()).toBe("chunk 0;chunk 1;chunk 2;chunk 3;chunk 4;");
      const events = await collector.waitForEvents(
        (e) =>
          e.filter((x) => x.name.startsWith("chunk ")).length === 5 &&
          e.some((x) => x.name === "GET /traced/stream"),
      );
      const root = events.find((x) => x.name === "GET /traced/stream")!;
      const chunks = events.filter((x) => x.traceId === root.traceId && x.name.startsWith("chunk "));
      expect(chunks).toHaveLength(5);
      // The root span ended when the body did: after the last chunk was written.
      expect(root.endTime).toBeGreaterThanOrEqual(Math.max(...chunks.map((x) => x.endTime)));
    });

    it("keeps concurrent requests' contexts apart, and every event arrives", async () => {
      const users = Array.from({ length: 20 }, (_, i) => `${flag}-user-${i}`);
      const bodies = await Promise.all(
        users.map(async (u) => (await mf.dispatchFetch(`http://worker/traced/user/${u}`)).json()),
      );
      expect(bodies).toEqual(users.map((u) => ({ user: u, seen: u })));
      const mine = (x: { attributes: Record<string, unknown> }) =>
        String(x.attributes["url.path"]).startsWith(`/traced/user/${flag}-user-`);
      const events = await collector.waitForEvents(
        (e) =>
          e.filter(mine).length === users.length &&
          e.filter((x) => x.name === "work" && x.userId?.startsWith(`${flag}-user-`)).length === users.length,
      );
      for (const u of users) {
        const root = events.find((x) => x.attributes["url.path"] === `/traced/user/${u}`)!;
        const work = events.filter((x) => x.traceId === root.traceId && x.name === "work");
        expect(work.map((x) => x.userId)).toEqual([u]);
      }
    });

    it("waits for the user's own waitUntil work, so spans recorded after the response arrive", async () => {
      const res = await mf.dispatchFetch("http://worker/traced/background");
      expect(await res.text()).toBe("ok");
      const events = await collector.waitForEvents((e) => e.some((x) => x.name === "background work"));
      const root = events.find((x) => x.name === "GET /traced/background")!;
      expect(events.find((x) => x.name === "background work")).toMatchObject({
        traceId: root.traceId,
        parentSpanId: root.spanId,
      });
    });

    // The control: proves this harness sees loss. The same kind of work, floating, without withHono, is dropped.
    it("loses a span flushed from a floating promise without the middleware", async () => {
      const res = await mf.dispatchFetch("http://worker/bare/floating");
      expect(await res.text()).toBe("ok");
      await expect(
        collector.waitForEvents((e) => e.some((x) => x.name === "floating work"), { timeoutMs: 3000 }),
      ).rejects.toThrow();
      // ...while the same isolate still delivers what withHono flushes: the loss is the floating promise's.
      const before = collector.events.filter((x) => x.name === "background work").length;
      await (await mf.dispatchFetch("http://worker/traced/background")).text();
      await collector.waitForEvents((e) => e.filter((x) => x.name === "background work").length > before);
    });
  },
);

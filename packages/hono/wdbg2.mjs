import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { startCollector } from "@lumiqtrace/collector";
const c = await startCollector({ port: 0 });
const out = await build({
  entryPoints: ["e2e/fixtures/worker.ts"],
  bundle: true,
  write: false,
  format: "esm",
  platform: "neutral",
  conditions: ["workerd", "worker", "browser"],
  mainFields: ["module", "main"],
  external: ["node:*"],
  logLevel: "silent",
});
const mf = new Miniflare({
  modules: true,
  script: out.outputFiles[0].text,
  compatibilityDate: "2026-04-01",
  compatibilityFlags: ["nodejs_compat"],
  cf: false,
  bindings: { LUMIQTRACE_API_KEY: c.apiKey, LUMIQTRACE_BASE_URL: c.url, LUMIQTRACE_DEBUG: "1" },
});
const t0 = Date.now();
const log = (...a) => console.log(Date.now() - t0, ...a);
c.setFaults({ delayMs: 3000 });
let r = await mf.dispatchFetch("http://w/traced/hello");
log(await r.text());
await c.waitForEvents((e) => e.length >= 1);
log("got 1");
c.setFaults(null);
r = await mf.dispatchFetch("http://w/traced/stream");
log(await r.text());
await new Promise((r) => setTimeout(r, 6000));
log(
  "events",
  c.events.map((e) => e.name),
  c.requests.map((r) => r.eventCount + ":" + r.status),
);
await mf.dispose();
await c.close();

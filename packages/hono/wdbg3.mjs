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
  bindings: {
    LUMIQTRACE_API_KEY: c.apiKey,
    LUMIQTRACE_BASE_URL: c.url,
    LUMIQTRACE_DEBUG: process.env.DBG ?? "0",
  },
});
await mf.ready;
const t0 = Date.now();
const log = (...a) => console.log(Date.now() - t0, ...a);
for (let round = 0; round < 3; round++) {
  const users = Array.from({ length: 20 }, (_, i) => `r${round}-u${i}`);
  const bodies = await Promise.all(
    users.map(async (u) => (await mf.dispatchFetch(`http://w/traced/user/${u}`)).json()),
  );
  log(
    "round",
    round,
    bodies.every((b) => b.user === b.seen),
  );
  await new Promise((r) => setTimeout(r, 3000));
  log("events", c.events.length, c.requests.map((r) => r.eventCount + ":" + r.status).join(" "));
}
await mf.dispose();
await c.close();

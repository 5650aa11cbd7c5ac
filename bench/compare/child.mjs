// One fresh process per measurement run of one bundled handler: import + init, first invocation, the
// CPU of both (cold start), steady invocations, memory after them, awaited flushes of one invocation's
// events. Writes JSON to BENCH_OUT.
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { platforms } from "./platforms.mjs";

const { BENCH_BUNDLE, BENCH_PLATFORM, BENCH_OUT } = process.env;
const warmup = Number(process.env.BENCH_WARMUP ?? 20);
const steady = Number(process.env.BENCH_STEADY ?? 100);
const flushes = Number(process.env.BENCH_FLUSHES ?? 10);
const platform = platforms[BENCH_PLATFORM];
/** Cold start CPU is read this long after the import started, for every row alike. */
const COLD_WINDOW_MS = 250;
/** The pause before peak RSS is read. */
const RSS_SETTLE_MS = 150;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
/** CPU time of the whole process (every thread: compilers and GC included) since `from`, in ms. */
const cpuMs = (from) => {
  const { user, system } = process.cpuUsage(from);
  return (user + system) / 1000;
};

if (platform.preload) {
  await platform.preload(createRequire(BENCH_BUNDLE));
  // The framework loads long before a route's first request: let V8's background compiles and GC of
  // that load finish, or their CPU lands in the route's cold start (2-3 ms more, and noisier, for Next).
  await new Promise((resolve) => setTimeout(resolve, 100));
}

const cpu0 = process.cpuUsage();
const t0 = performance.now();
const mod = await import(pathToFileURL(BENCH_BUNDLE).href);
const importMs = performance.now() - t0;

// First invocation: until the caller has the whole response (an awaited flush is inside it).
let t = performance.now();
let pending = await platform.invoke(mod);
const firstMs = performance.now() - t;
await Promise.all(pending); // what the platform keeps the instance alive for
// Cold start CPU: import, init, the first invocation and the delivery of its events, whenever the tool
// sends them (Langfuse on a Node server sends on a timer: its flush is awaited here, so it is counted).
// Waiting for an answer costs no CPU, so the network round trips are not in it. Taken at the same time
// after the import for every row: the first fetch (the handler's own first LLM call) sets V8's
// background compiles and GC going for ~100 ms, and a row that happens to take longer would count more
// of them.
await mod.flush?.();
await new Promise((resolve) => setTimeout(resolve, Math.max(0, COLD_WINDOW_MS - (performance.now() - t0))));
const coldCpuMs = cpuMs(cpu0);

const samples = [];
for (let i = 0; i < warmup + steady; i++) {
  t = performance.now();
  pending = await platform.invoke(mod);
  const dt = performance.now() - t;
  await Promise.all(pending);
  if (i >= warmup) samples.push(dt);
}
// After 1 + warmup + steady invocations, before the flush samples below, and after a pause every row
// takes: RSS rises by ~25 MB for a moment some 50 ms after the first fetch (undici's aftermath), which a
// row that ran longer would otherwise be the only one to catch.
await new Promise((resolve) => setTimeout(resolve, RSS_SETTLE_MS));
const maxRssKb = process.resourceUsage().maxRSS;
const rssKb = process.memoryUsage.rss() / 1024;

const flushSamples = [];
if (typeof mod.flush === "function") {
  await mod.flush();
  for (let i = 0; i < flushes; i++) {
    await mod.recordInvocation();
    t = performance.now();
    await mod.flush();
    flushSamples.push(performance.now() - t);
  }
}
// Nothing of the benchmark's own may keep the process alive: it exits when the tool lets it.
await platform.close?.();

writeFileSync(
  BENCH_OUT,
  JSON.stringify({
    importMs,
    firstMs,
    coldCpuMs,
    steadyMs: median(samples),
    flushMs: flushSamples.length ? median(flushSamples) : null,
    flushSamples,
    maxRssKb,
    rssKb,
    blocked: globalThis.__benchBlockedConnections ?? [],
  }),
);

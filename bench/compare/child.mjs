// One fresh process per measurement run of one bundled handler: import + init, first invocation,
// steady invocations, awaited flushes of one LLM event, peak memory. Writes JSON to BENCH_OUT.
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

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

await platform.preload?.(createRequire(BENCH_BUNDLE));

const t0 = performance.now();
const mod = await import(pathToFileURL(BENCH_BUNDLE).href);
const importMs = performance.now() - t0;

// First invocation: until the caller has the whole response (an awaited flush is inside it).
let t = performance.now();
let pending = await platform.invoke(mod);
const firstMs = performance.now() - t;
await Promise.all(pending); // what the platform keeps the instance alive for

const samples = [];
for (let i = 0; i < warmup + steady; i++) {
  t = performance.now();
  pending = await platform.invoke(mod);
  const dt = performance.now() - t;
  await Promise.all(pending);
  if (i >= warmup) samples.push(dt);
}

const flushSamples = [];
if (typeof mod.flush === "function") {
  await mod.flush();
  for (let i = 0; i < flushes; i++) {
    await mod.recordLlmEvent();
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
    steadyMs: median(samples),
    flushMs: flushSamples.length ? median(flushSamples) : null,
    flushSamples,
    maxRssKb: process.resourceUsage().maxRSS,
    blocked: globalThis.__benchBlockedConnections ?? [],
  }),
);

// One fresh process per run of one promise-heavy handler (PROMISES_FIXTURE): warm-up requests, then
// timed ones, each called as Lambda calls a handler. Writes JSON to PROMISES_OUT.
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { platforms } from "../compare/platforms.mjs";
import { lastRun } from "./handler.mjs";

const { PROMISES_FIXTURE, PROMISES_OUT } = process.env;
const warmup = Number(process.env.PROMISES_WARMUP ?? 10);
const requests = Number(process.env.PROMISES_REQUESTS ?? 30);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const mod = await import(PROMISES_FIXTURE);
const inner = [];
const outer = [];
let contexts = 0;
let lost = 0;
for (let i = 0; i < warmup + requests; i++) {
  const t = performance.now();
  await platforms.lambda.invoke(mod);
  const dt = performance.now() - t;
  if (lastRun.context !== undefined) contexts++;
  if (!lastRun.contextKept) lost++;
  if (i >= warmup) {
    inner.push(lastRun.ms);
    outer.push(dt);
  }
}

writeFileSync(
  PROMISES_OUT,
  JSON.stringify({
    node: process.version,
    innerMs: median(inner),
    outerMs: median(outer),
    /** requests that ran with a context of the tool active, and those that lost it across the awaits */
    contexts,
    lost,
    blocked: globalThis.__benchBlockedConnections ?? [],
  }),
);

// The floors under two targets, with no tool, in one fresh process: a minimal batch of two events (an
// invocation span and its LLM span, in the protocol's shape) POSTed with node:http over a kept-alive
// connection to the same local collector, answer read. The CPU of the first such POST, after a first
// fetch as the handlers' own first LLM call makes it, is what a first flush's network round trip costs
// the process (the cold start target leaves it out); the later POSTs, timed as warm as the handlers'
// flushes are, are what any SDK's awaited flush costs at least here. Writes JSON to BENCH_OUT.
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { agent, batch, postBatch as post } from "./shared/bare-post.mjs";

const { BENCH_OUT, BENCH_LLM_URL } = process.env;
const flushes = Number(process.env.BENCH_FLUSHES ?? 10);
// As warm as the handlers' processes are when their flushes are timed: after 1 + warm-up + steady sends.
const warm = 1 + Number(process.env.BENCH_WARMUP ?? 20) + Number(process.env.BENCH_STEADY ?? 100);
// as the handlers' first LLM call: Node's fetch loaded and used once
const llm = await fetch(BENCH_LLM_URL, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello" }] }),
});
await llm.json();

const first = batch();
const cpu0 = process.cpuUsage();
await post(first);
const { user, system } = process.cpuUsage(cpu0);
const firstSendCpuMs = (user + system) / 1000;

const samples = [];
for (let i = 0; i < warm + flushes; i++) {
  const body = batch();
  const t = performance.now();
  await post(body);
  if (i >= warm) samples.push(performance.now() - t);
}
agent.destroy();
writeFileSync(BENCH_OUT, JSON.stringify({ firstSendCpuMs, samples }));

// Real batches through the real (in-process) server, read back from its terminal log.
import { afterEach, describe, expect, it } from "vitest";
import { type Collector, startCollector } from "./server.js";
import { hex, makeBatch, makeEvent, makeTrace, postBatch } from "./test-events.js";

let c: Collector | undefined;
let lines: string[];
afterEach(async () => {
  await c?.close();
  c = undefined;
});

async function start(lineQuietMs: number, lineQuietNoRootMs: number) {
  lines = [];
  c = await startCollector({
    port: 0,
    quiet: false,
    log: (line) => lines.push(line),
    lineQuietMs,
    lineQuietNoRootMs,
  });
  return c;
}

async function post(collector: Collector, ...events: Parameters<typeof makeBatch>[0]) {
  expect((await postBatch(collector.url, collector.apiKey, makeBatch(events))).status).toBe(200);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForLines(n: number, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  while (lines.length < n) {
    if (Date.now() > until) throw new Error(`${lines.length} lines after ${timeoutMs}ms, not ${n}`);
    await sleep(20);
  }
}

const llmCall = "· openai gpt-4o-mini-2024-07-18 ttft 120ms 52→18 tok ok";

describe("one terminal line per trace", () => {
  it("includes LLM calls that arrive in a batch after the root's", async () => {
    const collector = await start(1000, 5000);
    const { root, llm } = makeTrace();
    const late = { ...llm, id: hex(8), spanId: hex(8), startTime: llm.startTime + 1 };
    await post(collector, root);
    await post(collector, llm);
    await post(collector, late);
    await waitForLines(1);
    expect(lines).toEqual([`vercel  POST /api/chat  412ms  ok  ${llmCall}  ${llmCall}`]);
  });

  it("prints a trace of parentless LLM spans (withLumiqtraceContext, no adapter) once", async () => {
    const collector = await start(300, 5000);
    const traceId = hex(16);
    const first = makeTrace(traceId).llm;
    first.parentSpanId = null;
    const second = {
      ...first,
      id: hex(8),
      spanId: hex(8),
      startTime: first.startTime + 500,
      endTime: first.endTime + 500,
    };
    await post(collector, first);
    await post(collector, second);
    await waitForLines(1);
    await sleep(600); // twice the quiet time: no second line comes
    expect(lines).toEqual([`llm  chat gpt-4o-mini  880ms  ok  ${llmCall}  ${llmCall}`]);
  });

  it("prints a trace whose root never comes once it has been quiet", async () => {
    const collector = await start(100, 400);
    const { llm } = makeTrace(); // its parent, the root, is never sent
    await post(collector, llm);
    await sleep(150);
    expect(lines).toEqual([]); // the quiet time after a root is not enough without one
    await waitForLines(1);
    expect(lines).toEqual([`llm  chat gpt-4o-mini  380ms  ok  ${llmCall}`]);
  });

  it("never prints a trace twice: a span arriving after its line adds none", async () => {
    const collector = await start(100, 400);
    const { root, llm } = makeTrace();
    await post(collector, llm, root);
    await waitForLines(1);
    const straggler = makeEvent({ traceId: root.traceId, parentSpanId: root.spanId, kind: "custom" });
    await post(collector, straggler);
    await sleep(800);
    expect(lines).toEqual([`vercel  POST /api/chat  412ms  ok  ${llmCall}`]);
  });

  it("keeps traces apart and prints each once", async () => {
    const collector = await start(200, 5000);
    const a = makeTrace();
    const b = makeTrace();
    b.root.attributes["http.route"] = "/api/other";
    await post(collector, a.llm, b.llm, b.root, a.root);
    await waitForLines(2);
    await sleep(400);
    expect(lines.sort()).toEqual([
      `vercel  POST /api/chat  412ms  ok  ${llmCall}`,
      `vercel  POST /api/other  412ms  ok  ${llmCall}`,
    ]);
  });

  it("prints the traces still waiting when the collector closes", async () => {
    const collector = await start(60_000, 60_000);
    const { root, llm } = makeTrace();
    await post(collector, llm, root);
    expect(lines).toEqual([]);
    await collector.close();
    expect(lines).toEqual([`vercel  POST /api/chat  412ms  ok  ${llmCall}`]);
  });
});

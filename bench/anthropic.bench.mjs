// wrapAnthropic's overhead: unwrapped vs wrapped, per non-streamed call and per streamed event. Rows:
// - "alone": a test double shaped like the client (`fakeClient`) answering at once with the library's real
//   APIPromise / Stream, so nothing but our code and the span it records differs: the pure overhead;
// - "fakeFetch": the real `@anthropic-ai/sdk` client over an in-process test double of `fetch` (prepared
//   bytes, no network), so the client's own work is in both sides;
// - "echo model": the real client against the local echo model on loopback, next to a real HTTP round trip.
// Targets are from issue 16: < 30 µs per call, < 1 µs per event. Run: node --expose-gc bench/anthropic.bench.mjs
import Anthropic from "@anthropic-ai/sdk";
import { APIPromise } from "@anthropic-ai/sdk/core/api-promise";
import { Stream } from "@anthropic-ai/sdk/streaming";
import { startEchoModel } from "@lumiqtrace/echo-model";
import { lumiqtrace } from "@lumiqtrace/sdk";
import { wrapAnthropic } from "@lumiqtrace/sdk/anthropic";
import { startLoopbackServer } from "@lumiqtrace/test-kit";

const rows = [];
const row = (what, value, target, ok) => rows.push({ what, value, target, ok });
const gc = () => globalThis.gc?.();

const message = {
  id: "msg_bench",
  type: "message",
  role: "assistant",
  model: "claude-bench",
  content: [{ type: "text", text: "Echo: hello there" }],
  stop_reason: "end_turn",
  stop_sequence: null,
  usage: { input_tokens: 2, output_tokens: 3, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
};
const messageJson = JSON.stringify(message);
const DELTAS = 2_000;
/** The events of one streamed message: start, a text block of DELTAS deltas, the output usage, stop. */
function streamEvents() {
  return [
    {
      type: "message_start",
      message: { ...message, content: [], stop_reason: null, usage: { input_tokens: 2, output_tokens: 1 } },
    },
    { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
    ...Array.from({ length: DELTAS }, () => ({
      type: "content_block_delta",
      index: 0,
      delta: { type: "text_delta", text: " w" },
    })),
    { type: "content_block_stop", index: 0 },
    {
      type: "message_delta",
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: DELTAS },
    },
    { type: "message_stop" },
  ];
}
const EVENTS = DELTAS + 5;
const eventJson = streamEvents().map((e) => JSON.stringify(e));
// Sixteen events per network read, about what a fast stream delivers.
const sseParts = (() => {
  const enc = new TextEncoder();
  const events = eventJson.map((data) => `event: ${JSON.parse(data).type}\ndata: ${data}\n\n`);
  const parts = [];
  for (let i = 0; i < events.length; i += 16) parts.push(enc.encode(events.slice(i, i + 16).join("")));
  return parts;
})();

/** Test double for `fetch`: answers from memory, as Anthropic would. */
async function fakeFetch(_url, init) {
  const body = JSON.parse(init.body);
  if (!body.stream) return new Response(messageJson, { headers: { "content-type": "application/json" } });
  let i = 0;
  const stream = new ReadableStream({
    pull(c) {
      if (i < sseParts.length) c.enqueue(sseParts[i++]);
      else c.close();
    },
  });
  return new Response(stream, { headers: { "content-type": "text/event-stream" } });
}

const sink = await startLoopbackServer({ record: false });
lumiqtrace.init({
  apiKey: "bench",
  baseUrl: sink.url,
  batchSize: 1000,
  maxQueueSize: 1_000_000,
  maxQueueBytes: 2 ** 30,
  flushIntervalMs: 3_600_000,
});
const client = lumiqtrace.getClient();

const messages = [{ role: "user", content: "hello there" }];
const params = { model: "claude-bench", max_tokens: 100, messages };
const make = (options) => new Anthropic({ apiKey: "bench", maxRetries: 0, ...options });

// Timed in CPU time of this process (user + system), not wall time, so other work on a shared machine
// inflates the numbers less; each side's 25th percentile over many short alternating rounds. Spans are
// queued during a round (fewer than batchSize, so none is sent mid-round) and shipped to the sink between
// rounds: the transport's own cost is in sdk.bench.
const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const p25 = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 4)];

/** µs per call (25th percentile of `rounds` rounds of `n` sequential calls), the two clients alternating. */
async function perCall(plain, wrapped, n, rounds) {
  const run = async (anthropic) => {
    const t0 = cpu();
    for (let i = 0; i < n; i++) await anthropic.messages.create(params);
    return (cpu() - t0) / n;
  };
  await run(plain);
  await run(wrapped);
  const a = [];
  const b = [];
  for (let r = 0; r < rounds; r++) {
    gc();
    a.push(await run(plain));
    gc();
    b.push(await run(wrapped));
    await client.flush({ timeoutMs: 60_000 });
  }
  return { plain: p25(a), wrapped: p25(b) };
}

/** µs per event (25th percentile of `rounds` streams), the two clients alternating. */
async function perEvent(plain, wrapped, rounds) {
  const run = async (anthropic) => {
    const t0 = cpu();
    const stream = await anthropic.messages.create({ ...params, stream: true });
    let n = 0;
    for await (const _ of stream) n++;
    if (n !== EVENTS) throw new Error(`expected ${EVENTS} events, got ${n}`);
    return (cpu() - t0) / n;
  };
  for (let i = 0; i < 3; i++) {
    await run(plain);
    await run(wrapped);
  }
  const a = [];
  const b = [];
  for (let r = 0; r < rounds; r++) {
    gc();
    a.push(await run(plain));
    gc();
    b.push(await run(wrapped));
  }
  await client.flush({ timeoutMs: 60_000 });
  return { plain: p25(a), wrapped: p25(b) };
}

// 0. the wrapper alone: a test double shaped like the client (`fakeClient`) whose create answers at once with
// the library's real APIPromise, so nothing but our code (and the span it records) differs between the sides
{
  const props = { response: new Response(null), options: {}, controller: new AbortController() };
  const fakeClient = () => {
    const c = { baseURL: "http://127.0.0.1:1" };
    const create = () => new APIPromise(c, Promise.resolve(props), async () => structuredClone(message));
    c.messages = { _client: c, create };
    return c;
  };
  const { plain, wrapped } = await perCall(fakeClient(), wrapAnthropic(fakeClient()), 500, 40);
  const over = wrapped - plain;
  row(
    `wrapper alone (fakeClient, library APIPromise): unwrapped ${plain.toFixed(1)} µs, wrapped ${wrapped.toFixed(1)} µs`,
    `+${over.toFixed(1)} µs per call`,
    "< 30 µs",
    over < 30,
  );
}

// 0b. the stream observer alone: the same test double answering with the library's real Stream over events
// already parsed from JSON
{
  const fakeClient = () => {
    const c = { baseURL: "http://127.0.0.1:1" };
    const create = () => {
      async function* iterator() {
        for (const data of eventJson) yield JSON.parse(data);
      }
      const controller = new AbortController();
      const props = { response: new Response(null), options: { stream: true }, controller };
      return new APIPromise(c, Promise.resolve(props), async () => new Stream(iterator, controller, c));
    };
    c.messages = { _client: c, create };
    return c;
  };
  const { plain, wrapped } = await perEvent(fakeClient(), wrapAnthropic(fakeClient()), 40);
  const over = wrapped - plain;
  row(
    `stream observer alone (fakeClient, library Stream): unwrapped ${plain.toFixed(2)} µs, wrapped ${wrapped.toFixed(2)} µs`,
    `+${over.toFixed(2)} µs per event`,
    "< 1 µs",
    over < 1,
  );
}

// 1. non-streamed call, in-process fake fetch
{
  const { plain, wrapped } = await perCall(
    make({ fetch: fakeFetch }),
    wrapAnthropic(make({ fetch: fakeFetch })),
    200,
    40,
  );
  const over = wrapped - plain;
  row(
    `messages.create, fakeFetch: unwrapped ${plain.toFixed(1)} µs, wrapped ${wrapped.toFixed(1)} µs`,
    `${over >= 0 ? "+" : ""}${over.toFixed(1)} µs per call`,
    "",
    true,
  );
}

// 2. streamed events, in-process fake fetch
{
  const { plain, wrapped } = await perEvent(
    make({ fetch: fakeFetch }),
    wrapAnthropic(make({ fetch: fakeFetch })),
    30,
  );
  const over = wrapped - plain;
  row(
    `streamed event (${EVENTS.toLocaleString("en")} per stream), fakeFetch: unwrapped ${plain.toFixed(2)} µs, wrapped ${wrapped.toFixed(2)} µs`,
    `${over >= 0 ? "+" : ""}${over.toFixed(2)} µs per event`,
    "",
    true,
  );
}

// 3. non-streamed call against the echo model on loopback (real HTTP, server in this process)
{
  const echo = await startEchoModel({ port: 0, chunkDelayMs: 0 });
  const { plain, wrapped } = await perCall(
    make({ baseURL: echo.anthropicUrl }),
    wrapAnthropic(make({ baseURL: echo.anthropicUrl })),
    50,
    20,
  );
  const over = wrapped - plain;
  row(
    `messages.create, echo model on loopback: unwrapped ${plain.toFixed(0)} µs, wrapped ${wrapped.toFixed(0)} µs`,
    `${over >= 0 ? "+" : ""}${over.toFixed(1)} µs per call`,
    "",
    true,
  );
  await echo.close();
}

await client.flush({ timeoutMs: 60_000 });
sink.close();

const w = Math.max(...rows.map((r) => r.what.length));
const v = Math.max(...rows.map((r) => r.value.length));
console.log(`| ${"what".padEnd(w)} | ${"overhead".padEnd(v)} | target   |`);
console.log(`|${"-".repeat(w + 2)}|${"-".repeat(v + 2)}|----------|`);
for (const r of rows)
  console.log(
    `| ${r.what.padEnd(w)} | ${r.value.padEnd(v)} | ${(r.target ? `${r.target} ${r.ok ? "met" : "MISSED"}` : "").padEnd(8)} |`,
  );
console.log(
  "\nThe targets apply to the rows that time our code alone. The rows with the real client add its own work" +
    " (decoding, headers, promises), whose run-to-run noise on a busy machine is larger than the difference.",
);
const os = await import("node:os");
console.log(
  `CPU time of this process, 25th percentile of alternating rounds; load average ${os.loadavg()[0].toFixed(1)} on ${os.availableParallelism()} cores. stats: ${JSON.stringify(client.stats())}`,
);
process.exit(rows.some((r) => !r.ok) ? 1 : 0);

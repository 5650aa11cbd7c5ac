// A server process with events queued gets SIGTERM, as Cloud Run sends before it scales an instance down:
// with flushOnSignals it drains within its bound, then ends as it would have; whatever the collector does.
import { fileURLToPath } from "node:url";
import { type Collector, startCollector } from "@lumiqtrace/collector";
import { freePort, type LoopbackServer, startLoopbackServer, startProcess } from "@lumiqtrace/test-kit";
import { afterEach, describe, expect, it } from "vitest";

const SERVER = fileURLToPath(new URL("./fixtures/server.mjs", import.meta.url));
const listening = (out: string) => /listening on (http:\/\/\S+)/.exec(out)?.[1];

let stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops) await stop();
  stops = [];
});

/** Starts the server, has it answer one request (whose trace is then flushed), waits until a span recorded after it is queued, and sends SIGTERM. */
async function serveThenTerminate(baseUrl: string, env: Record<string, string>) {
  const server = await startProcess({
    command: process.execPath,
    args: [SERVER],
    env: { LUMIQTRACE_API_KEY: "lqt_sigterm_key", LUMIQTRACE_BASE_URL: baseUrl, ...env },
    ready: (out) => listening(out) !== undefined,
  });
  stops.push(() => server.stop());
  const res = await fetch(`${listening(server.output())}/work`);
  expect(await res.json()).toEqual({ ok: true });
  await new Promise((r) => setTimeout(r, 300)); // "after the response" is recorded and queued
  const sent = Date.now();
  process.kill(server.pid!, "SIGTERM");
  const how = await server.exited;
  return { ...how, ms: Date.now() - sent, output: server.output() };
}

describe("SIGTERM with flushOnSignals", () => {
  let collector: Collector;
  afterEach(() => collector?.close());

  it("drains what is queued, then ends by SIGTERM as Node would have", async () => {
    collector = await startCollector({ port: 0, apiKey: "lqt_sigterm_key" });
    const r = await serveThenTerminate(collector.url, { FLUSH_ON_SIGNALS: "3000" });
    expect([r.signal, r.code], r.output).toEqual(["SIGTERM", null]);
    expect(r.ms).toBeLessThan(3000);
    expect(collector.events.map((e) => e.name).sort()).toEqual(["GET /work", "after the response"]);
  });

  // The control: the same process without flushOnSignals loses what was queued.
  it("without it, the queued span is lost (Node dies on SIGTERM at once)", async () => {
    collector = await startCollector({ port: 0, apiKey: "lqt_sigterm_key" });
    const r = await serveThenTerminate(collector.url, {});
    expect(r.signal).toBe("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(collector.events.map((e) => e.name)).toEqual(["GET /work"]);
  });

  it("with the app's own SIGTERM listener, drains and lets the app decide: it closes its server and exits 0", async () => {
    collector = await startCollector({ port: 0, apiKey: "lqt_sigterm_key" });
    const r = await serveThenTerminate(collector.url, { FLUSH_ON_SIGNALS: "3000", OWN_LISTENER: "1" });
    expect([r.code, r.signal], r.output).toEqual([0, null]);
    expect(r.output).toContain("app: closing the server");
    expect(r.ms).toBeLessThan(3000);
    expect(collector.events.map((e) => e.name).sort()).toEqual(["GET /work", "after the response"]);
  });
});

describe("SIGTERM with flushOnSignals when the collector fails: the process ends on time all the same", () => {
  let loopback: LoopbackServer | undefined;
  afterEach(async () => {
    await loopback?.close();
    loopback = undefined;
  });
  const BOUND_MS = 2000;
  // the drain's bound, plus the time a Node process takes to take the signal and die
  const ON_TIME_MS = BOUND_MS + 1500;

  const receivingEnds: [string, () => Promise<string>][] = [
    ["down (nothing listens)", async () => `http://127.0.0.1:${await freePort()}`],
    [
      "hanging (accepts, never answers)",
      async () => {
        loopback = await startLoopbackServer();
        loopback.script(...Array.from({ length: 200 }, () => ({ hang: true as const })));
        return loopback.url;
      },
    ],
    [
      "answering 500 forever",
      async () => {
        loopback = await startLoopbackServer();
        loopback.script(...Array.from({ length: 1000 }, () => ({ status: 500 })));
        return loopback.url;
      },
    ],
  ];

  it.each(receivingEnds)("%s", async (_name, receivingEnd) => {
    const r = await serveThenTerminate(await receivingEnd(), { FLUSH_ON_SIGNALS: String(BOUND_MS) });
    expect([r.signal, r.code], r.output).toEqual(["SIGTERM", null]);
    expect(r.ms).toBeLessThan(ON_TIME_MS);
    expect(r.output).not.toContain("lqt_sigterm_key");
  });

  it.each(receivingEnds)(
    "%s, with the app's own listener: it exits by itself",
    async (_name, receivingEnd) => {
      const r = await serveThenTerminate(await receivingEnd(), {
        FLUSH_ON_SIGNALS: String(BOUND_MS),
        OWN_LISTENER: "1",
      });
      expect([r.code, r.signal], r.output).toEqual([0, null]);
      expect(r.ms).toBeLessThan(ON_TIME_MS);
    },
  );
});

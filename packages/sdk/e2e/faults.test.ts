// The fault matrix: the SDK in real Node processes (the built package, as a user's process gets it)
// against the real collector CLI on loopback, injecting each fault of the receiving end with its own
// flags. In every case the process exits on time, its code unchanged, the user's output intact, the key
// never printed; what can be delivered is, and what cannot is said.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, type StartedProcess, startProcess } from "@lumiqtrace/test-kit";
import { afterEach, describe, expect, it } from "vitest";

const sdk = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "index.static-als.mjs");
const cli = join(
  dirname(createRequire(import.meta.url).resolve("@lumiqtrace/collector/package.json")),
  "dist/cli.mjs",
);
const KEY = "lqt_fault_matrix_key";

let collector: (StartedProcess & { url: string }) | undefined;
afterEach(async () => {
  await collector?.stop();
  collector = undefined;
});

/** The real `lumiqtrace dev`, in memory, with these fault flags. */
async function startCli(...flags: string[]) {
  const port = await freePort();
  const p = await startProcess({
    command: process.execPath,
    args: [cli, "dev", "--memory", "--port", String(port), "--key", KEY, ...flags],
    ready: (out) => out.includes("Waiting for traces"),
  });
  collector = { ...p, url: `http://127.0.0.1:${port}` };
  return collector;
}

const stats = async (url: string) => (await (await fetch(`${url}/v1/stats`)).json()) as { events: number };

/** A user's script on the built SDK: events recorded, then whatever `body` does; its exit code and output. */
function runUser(
  baseUrl: string,
  body: string,
  options = "",
  key = KEY,
): Promise<{ code: number | null; signal: string | null; out: string; ms: number }> {
  const started = Date.now();
  const code = `import { lumiqtrace, withLumiqtraceContext } from ${JSON.stringify(sdk)};
    lumiqtrace.init({ apiKey: ${JSON.stringify(key)}, baseUrl: ${JSON.stringify(baseUrl)}, timeoutMs: 1000 ${options} });
    ${body}`;
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["--input-type=module", "-e", code],
      { env: { PATH: process.env.PATH }, timeout: 30_000 },
      (_error, stdout, stderr) =>
        resolve({
          code: child.exitCode,
          signal: child.signalCode,
          out: stdout + stderr,
          ms: Date.now() - started,
        }),
    );
    if (body.includes("SIGTERM me")) setTimeout(() => child.kill("SIGTERM"), 400);
  });
}

const RECORD_AND_FLUSH = `
  lumiqtrace.span("work", () => 1, { kind: "llm" });
  await lumiqtrace.flush();
  console.log("user output");`;

describe("the receiving end fails", () => {
  it("down: exits on time and says the collector is unreachable, naming where", async () => {
    const port = await freePort(); // nothing listens there
    const r = await runUser(`http://127.0.0.1:${port}`, RECORD_AND_FLUSH);
    expect([r.code, r.out.includes("user output")]).toEqual([0, true]);
    expect(r.out).toContain(`collector unreachable at http://127.0.0.1:${port}`);
    expect(r.out).not.toContain(KEY);
    expect(r.ms).toBeLessThan(10_000);
  });

  it("hanging: each flush gives up at its deadline, the process exits, the events are said", async () => {
    const c = await startCli("--hang");
    const r = await runUser(c.url, RECORD_AND_FLUSH);
    expect([r.code, r.out.includes("user output")]).toEqual([0, true]);
    expect(r.out).toContain("1 event dropped: still queued when the process exited");
    expect(r.ms).toBeLessThan(10_000);
  });

  it("500 every time: retried, then given up with one warning naming the answer", async () => {
    const c = await startCli("--fail", "500");
    const r = await runUser(c.url, RECORD_AND_FLUSH, ", maxRetries: 2");
    expect(r.code).toBe(0);
    expect(r.out).toContain(`1 event dropped: ${c.url} answered HTTP 500, after 3 attempts`);
    expect(r.out).not.toContain(KEY);
  });

  it("429 with Retry-After: waits as asked, then delivers", async () => {
    const c = await startCli("--fail", "429", "--retry-after", "1", "--fail-count", "1");
    const r = await runUser(c.url, RECORD_AND_FLUSH, ", timeoutMs: 5000");
    expect(r.code).toBe(0);
    expect(r.ms).toBeGreaterThanOrEqual(1000);
    expect((await stats(c.url)).events).toBe(1);
  });

  it("413: splits the batch and delivers both halves", async () => {
    const c = await startCli("--fail", "413", "--fail-count", "1");
    const r = await runUser(
      c.url,
      `lumiqtrace.span("a", () => 1); lumiqtrace.span("b", () => 1); await lumiqtrace.flush();`,
    );
    expect(r.code).toBe(0);
    expect((await stats(c.url)).events).toBe(2);
  });

  it("401 (a wrong key): not retried, said once, the key never printed", async () => {
    const c = await startCli();
    const wrong = "lqt_wrong_key_1234";
    const r = await runUser(c.url, `${RECORD_AND_FLUSH}\n${RECORD_AND_FLUSH}`, "", wrong);
    expect(r.code).toBe(0);
    // one warning when it happens; the second drop is told once more, as a count, when the process exits
    expect(r.out.match(/1 event dropped: the API key was refused \(HTTP 401\)/g)).toHaveLength(1);
    expect(r.out).toContain("1 event more dropped since the last warning: the API key was refused");
    expect(r.out).not.toContain(wrong);
    expect((await stats(c.url)).events).toBe(0);
  });
});

describe("odd payloads", () => {
  it("a metadata DAG, a huge attribute, cycles and BigInt: delivered, bounded, quickly", async () => {
    const c = await startCli();
    const r = await runUser(
      c.url,
      `let node = { leaf: 1 };
       for (let i = 0; i < 9; i++) node = Object.fromEntries(Array.from({ length: 20 }, (_, k) => ["k" + k, node]));
       const cycle = { n: 1n }; cycle.self = cycle;
       await withLumiqtraceContext({ userId: "u", metadata: { node, cycle } }, () =>
         lumiqtrace.span("odd", (s) => s.setAttributes({ huge: "x".repeat(3_000_000), fn: () => 1 }), { kind: "llm" }));
       await lumiqtrace.flush();
       console.log("user output");`,
    );
    expect([r.code, r.out.includes("user output")]).toEqual([0, true]);
    expect(r.ms).toBeLessThan(10_000);
    const { traces } = (await (await fetch(`${c.url}/v1/traces`)).json()) as {
      traces: { traceId: string }[];
    };
    const { spans } = (await (await fetch(`${c.url}/v1/traces/${traces[0]!.traceId}`)).json()) as {
      spans: { name: string; userId: string; attributes: Record<string, unknown> }[];
    };
    expect(spans[0]).toMatchObject({ name: "odd", userId: "u" });
    expect(String(spans[0]!.attributes.huge).length).toBeLessThan(20_000);
  });
});

describe("process exit and signals", () => {
  it("a script that never flushes: its events are sent when it runs out of work", async () => {
    const c = await startCli();
    const r = await runUser(c.url, `lumiqtrace.span("last words", () => 1);`, ", flushIntervalMs: 600000");
    expect(r.code).toBe(0);
    expect((await stats(c.url)).events).toBe(1);
  });

  it("SIGTERM: nothing of ours changes how Node ends on it (no signal listener unless asked for)", async () => {
    const c = await startCli("--hang");
    const r = await runUser(
      c.url,
      `lumiqtrace.span("s", () => 1); void lumiqtrace.flush(); setInterval(() => {}, 1000); // SIGTERM me`,
    );
    expect(r.signal).toBe("SIGTERM");
    expect(r.ms).toBeLessThan(5000);
  });
});

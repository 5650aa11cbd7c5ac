// The built package in fresh Node processes: what a user's process sees, not what vitest's module graph does.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LoopbackServer, startLoopbackServer } from "@lumiqtrace/test-kit";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");

function runNode(
  code: string,
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--input-type=module", "-e", code],
      { env: { PATH: process.env.PATH, ...env }, timeout: 20_000 },
      (error, stdout, stderr) =>
        resolve({
          code: error ? ((error as { code?: number }).code ?? 1) : 0,
          out: stdout + stderr,
          ms: Date.now() - started,
        }),
    );
  });
}

let server: LoopbackServer;
beforeEach(async () => {
  server = await startLoopbackServer();
});
afterEach(() => server.close());

describe("in a real Node process", () => {
  it("never keeps the process alive, and sends what is left when it runs out of work", async () => {
    const r = await runNode(
      `import { lumiqtrace } from ${JSON.stringify(join(dist, "index.static-als.mjs"))};
       lumiqtrace.init({ apiKey: "k", baseUrl: ${JSON.stringify(server.url)}, flushIntervalMs: 600000 });
       lumiqtrace.span("last words", () => 1);`,
    );
    expect(r.code).toBe(0);
    // the 10-minute batch timer did not hold the process; the beforeExit hook delivered the span
    expect(r.ms).toBeLessThan(10_000);
    expect(server.delivered().map((e) => e.name)).toEqual(["last words"]);
  });

  it("exits promptly even when the server hangs and nobody flushes", async () => {
    server.script({ hang: true }, { hang: true });
    const r = await runNode(
      `import { lumiqtrace } from ${JSON.stringify(join(dist, "index.static-als.mjs"))};
       lumiqtrace.init({ apiKey: "k", baseUrl: ${JSON.stringify(server.url)}, timeoutMs: 300, maxRetries: 1 });
       lumiqtrace.span("s", () => 1);`,
    );
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(10_000);
  });

  it("adds one beforeExit listener however many times init is called", async () => {
    const r = await runNode(
      `import { lumiqtrace } from ${JSON.stringify(join(dist, "index.static-als.mjs"))};
       const before = process.listenerCount("beforeExit");
       for (let i = 0; i < 5; i++) lumiqtrace.init({ apiKey: "k", baseUrl: ${JSON.stringify(server.url)} });
       console.log("added", process.listenerCount("beforeExit") - before);`,
    );
    expect(r.out).toContain("added 1");
  });

  it("exits when the server accepts but never answers, with events queued (the exit flush is not re-armed)", async () => {
    server.script(...Array.from({ length: 50 }, () => ({ hang: true as const })));
    const r = await runNode(
      `import { lumiqtrace } from ${JSON.stringify(join(dist, "index.static-als.mjs"))};
       lumiqtrace.init({ apiKey: "k", baseUrl: ${JSON.stringify(server.url)}, timeoutMs: 1000 });
       lumiqtrace.span("s", () => 1);`,
    );
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(8000);
    // the exit flush and the batch timer's send, each given up at its deadline; never a new one every second
    expect(server.requests.length).toBeLessThanOrEqual(2);
  });

  it("exits when the server keeps failing: the exit flush runs once, not at every empty loop", async () => {
    server.script(...Array.from({ length: 200 }, () => ({ status: 503 })));
    const r = await runNode(
      `import { lumiqtrace } from ${JSON.stringify(join(dist, "index.static-als.mjs"))};
       lumiqtrace.init({ apiKey: "k", baseUrl: ${JSON.stringify(server.url)}, timeoutMs: 300, maxRetries: 10 });
       lumiqtrace.span("s", () => 1);`,
    );
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(10_000);
    expect(server.requests.length).toBeGreaterThan(0);
  });

  it("lets the process exit as soon as two overlapping flushes are done, not at their deadline", async () => {
    server.script({ status: 200, delayMs: 100 });
    const r = await runNode(
      `import { lumiqtrace } from ${JSON.stringify(join(dist, "index.static-als.mjs"))};
       lumiqtrace.init({ apiKey: "k", baseUrl: ${JSON.stringify(server.url)}, timeoutMs: 8000 });
       lumiqtrace.span("s", () => 1);
       const t = Date.now();
       await Promise.all([lumiqtrace.flush(), lumiqtrace.flush()]);
       console.log("flushed in", Date.now() - t);`,
    );
    expect(r.out).toMatch(/flushed in \d+/);
    expect(server.delivered()).toHaveLength(1);
    // the waiting flush's timer used to stay armed until its deadline (8 s) and hold the process
    expect(r.ms).toBeLessThan(4000);
  });

  it("says how many events were still queued when the process exited, and where it could not send them", async () => {
    const closed = await startLoopbackServer();
    await closed.close();
    const r = await runNode(
      `import { lumiqtrace } from ${JSON.stringify(join(dist, "index.static-als.mjs"))};
       lumiqtrace.init({ apiKey: "lqt_secret_1", baseUrl: ${JSON.stringify(closed.url)}, timeoutMs: 500 });
       lumiqtrace.span("a", () => 1);
       lumiqtrace.span("b", () => 1);`,
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain("[lumiqtrace] 2 events dropped: still queued when the process exited");
    expect(r.out).not.toContain("lqt_secret_1");
  });

  it("never prints the API key, whatever goes wrong, even in debug mode", async () => {
    server.script({ status: 401 }, { status: 500 }, { status: 500 });
    const r = await runNode(
      `import { lumiqtrace } from ${JSON.stringify(join(dist, "index.static-als.mjs"))};
       lumiqtrace.init({ baseUrl: ${JSON.stringify(server.url)}, debug: true, maxRetries: 1, batchSize: "x" });
       lumiqtrace.span("a", () => 1);
       await lumiqtrace.flush();
       lumiqtrace.span("b", () => 1);
       await lumiqtrace.flush();
       lumiqtrace.init({ apiKey: "lqt_secret_123", baseUrl: "http://example.com" });`,
      { LUMIQTRACE_API_KEY: "lqt_secret_123" },
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain("API key was refused");
    expect(r.out).not.toContain("lqt_secret_123");
  });

  it("runs user code unchanged with no API key (one warning)", async () => {
    const r = await runNode(
      `import { lumiqtrace, withLumiqtraceContext } from ${JSON.stringify(join(dist, "index.static-als.mjs"))};
       import { runInvocation } from ${JSON.stringify(join(dist, "serverless.static-als.mjs"))};
       const v = await runInvocation({ name: "f", platform: "node" }, () =>
         withLumiqtraceContext({ userId: "u" }, () => lumiqtrace.span("s", () => 41 + 1)));
       await lumiqtrace.flush();
       console.log("result", v);`,
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain("result 42");
    expect(r.out.match(/\[lumiqtrace\]/g)).toHaveLength(1);
  });

  it("degrades to one context per process where there is no AsyncLocalStorage", async () => {
    const r = await runNode(
      `delete process.getBuiltinModule;
       const { lumiqtrace, withLumiqtraceContext } = await import(${JSON.stringify(join(dist, "index.mjs"))});
       const { hasAsyncContext } = await import(${JSON.stringify(join(dist, "serverless.mjs"))});
       lumiqtrace.init({ apiKey: "k", baseUrl: ${JSON.stringify(server.url)}, debug: true });
       await withLumiqtraceContext({ userId: "u1" }, async () => { await lumiqtrace.span("s", async () => 1); });
       await lumiqtrace.flush();
       console.log("async context", hasAsyncContext());`,
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain("async context false");
    expect(r.out.match(/no AsyncLocalStorage/g)).toHaveLength(1);
    expect(server.delivered()[0]).toMatchObject({ name: "s", userId: "u1" });
  });
});

describe("the built main entry", () => {
  function importsOf(file: string, seen = new Set<string>()): string[] {
    if (seen.has(file)) return [];
    seen.add(file);
    const code = readFileSync(file, "utf8");
    const specs = [...code.matchAll(/(?:from\s*|import\s*\(?\s*|require\(\s*)["']([^"']+)["']/g)].map(
      (m) => m[1]!,
    );
    return specs.flatMap((s) => (s.startsWith(".") ? importsOf(join(dirname(file), s), seen) : [s]));
  }

  it.each(["index", "serverless"])("%s imports nothing: no node: module, no dependency", (entry) => {
    expect(importsOf(join(dist, `${entry}.mjs`))).toEqual([]);
    expect(importsOf(join(dist, `${entry}.cjs`))).toEqual([]);
  });

  it.each(["index", "serverless"])("%s's node entry imports only node:async_hooks", (entry) => {
    expect(importsOf(join(dist, `${entry}.static-als.mjs`))).toEqual(["node:async_hooks"]);
  });
});

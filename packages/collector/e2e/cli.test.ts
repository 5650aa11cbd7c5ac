// The `lumiqtrace` bin as a user runs it: a real child process, talked to over HTTP.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeBatch, makeEvent, makeTrace, postBatch } from "../src/test-events.js";
import { runCli as run, scratchDir } from "./cli-process.js";

describe("lumiqtrace dev", () => {
  it("prints URL, key and database, takes a batch, prints the trace line and exits on SIGTERM", async () => {
    const cli = run(["dev", "--port", "0"]);
    const { url, key } = await cli.started();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(key).toMatch(/^lqt_dev_/);
    const { stdout } = cli.output();
    expect(stdout).toContain(`viewer:   ${url}/`);
    expect(stdout).toContain(`api key:  ${key}`);
    const dbPath = join(cli.cwd, ".lumiqtrace", "traces.sqlite");
    expect(stdout).toContain(`database: ${dbPath}`);
    expect(existsSync(dbPath)).toBe(true);

    const { root, llm } = makeTrace();
    const res = await postBatch(url, key, makeBatch([llm, root], { dropped: 2 }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 2, duplicates: 0 });
    await cli.waitFor(
      /vercel {2}POST \/api\/chat {2}412ms {2}ok {2}· openai gpt-4o-mini-2024-07-18 ttft 120ms 52→18 tok ok\n/,
    );
    await cli.waitFor(/the SDK reports 2 dropped events/);
    const trace = await (await fetch(`${url}/v1/traces/${root.traceId}`)).json();
    expect(trace.spans).toHaveLength(2);

    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
    expect(cli.output().stdout).toContain("Stopping (SIGTERM)");
  });

  it("prints one line per trace, with the LLM calls of a later batch, and never twice", async () => {
    const cli = run(["dev", "--port", "0", "--memory"]);
    const { url, key } = await cli.started();
    const { root, llm } = makeTrace();
    const second = { ...llm, id: `${llm.id}-2`, spanId: "00000000000000ab", startTime: llm.startTime + 1 };
    await postBatch(url, key, makeBatch([root]));
    await postBatch(url, key, makeBatch([llm, second]));
    const llmCall = "· openai gpt-4o-mini-2024-07-18 ttft 120ms 52→18 tok ok";
    await cli.waitFor(/^vercel {2}POST \/api\/chat.*\n/m);
    // a straggler after the line was printed adds no second line for the trace
    await postBatch(
      url,
      key,
      makeBatch([makeEvent({ traceId: root.traceId, parentSpanId: root.spanId, kind: "custom" })]),
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const traceLines = cli
      .output()
      .stdout.split("\n")
      .filter((l) => l.startsWith("vercel"));
    expect(traceLines).toEqual([`vercel  POST /api/chat  412ms  ok  ${llmCall}  ${llmCall}`]);
  });

  it("uses LUMIQTRACE_API_KEY from the environment without printing it", async () => {
    const secret = "lqt_live_abcdefghijklmnop1234";
    const cli = run(["dev", "--port", "0", "--memory"], { LUMIQTRACE_API_KEY: secret });
    const { url } = await cli.started();
    expect(cli.output().stdout).not.toContain(secret);
    expect(cli.output().stdout).toContain("…1234 (from LUMIQTRACE_API_KEY)");
    expect(cli.output().stdout).toContain("database: in memory (--memory)");
    expect((await postBatch(url, "wrong", makeBatch([makeEvent()]))).status).toBe(401);
    expect((await postBatch(url, secret, makeBatch([makeEvent()]))).status).toBe(200);
    cli.child.kill("SIGINT");
    expect(await cli.exited).toBe(0);
  });

  it("injects the faults given as flags", async () => {
    const cli = run([
      "dev",
      "--port",
      "0",
      "--memory",
      "--key",
      "k1",
      "--fail",
      "429",
      "--retry-after",
      "3",
      "--fail-count",
      "2",
    ]);
    const { url, key } = await cli.started();
    expect(key).toBe("k1");
    expect(cli.output().stdout).toContain("faults:   answer 429 (Retry-After: 3) (next 2 requests)");
    const first = await postBatch(url, key, makeBatch([makeEvent()]));
    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("3");
    expect((await postBatch(url, key, makeBatch([makeEvent()]))).status).toBe(429);
    expect((await postBatch(url, key, makeBatch([makeEvent()]))).status).toBe(200);
    // and the control endpoint changes them while it runs
    const set = await fetch(`${url}/_control/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ reset: true, count: 1 }),
    });
    expect(set.status).toBe(200);
    await expect(postBatch(url, key, makeBatch([makeEvent()]))).rejects.toThrow(/fetch failed/);
    expect((await postBatch(url, key, makeBatch([makeEvent()]))).status).toBe(200);
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
  });

  it("exits 2 with the reason on a bad flag or a port in use", async () => {
    const bad = run(["dev", "--fail-rate", "2", "--fail", "503"]);
    expect(await bad.exited).toBe(2);
    expect(bad.output().stderr).toMatch(/faults: rate must be a number from 0 to 1/);

    const first = run(["dev", "--port", "0", "--memory"]);
    const { url } = await first.started();
    const port = new URL(url).port;
    const second = run(["dev", "--port", port, "--memory"]);
    expect(await second.exited).toBe(2);
    expect(second.output().stderr).toContain(`port ${port} on 127.0.0.1 is in use`);
  });

  it("exits 2 saying what to install when no SQLite engine loads", async () => {
    // a test double of a machine without either engine: a preload that hides node:sqlite and better-sqlite3
    const dir = scratchDir("lumiq-nosqlite-");
    const preload = join(dir, "no-sqlite.cjs");
    writeFileSync(
      preload,
      `const Module = require("node:module");
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === "better-sqlite3") throw Object.assign(new Error("Cannot find module 'better-sqlite3'"), { code: "MODULE_NOT_FOUND" });
  return resolve.call(this, request, ...rest);
};
const getBuiltinModule = process.getBuiltinModule;
process.getBuiltinModule = (id) => (id === "node:sqlite" || id === "sqlite" ? undefined : getBuiltinModule(id));
`,
    );
    const cli = run(["dev", "--port", "0", "--memory"], {}, ["--require", preload]);
    expect(await cli.exited).toBe(2);
    expect(cli.output().stderr).toBe(
      "lumiqtrace: no SQLite engine: install better-sqlite3 or use Node >= 22.13\n",
    );
  });
});

// The `lumiqtrace` bin as a user runs it: a real child process, talked to over HTTP.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { makeBatch, makeEvent, makeTrace, postBatch } from "../src/test-events.js";

const bin = join(import.meta.dirname, "..", "dist", "cli.mjs");
const children: ChildProcess[] = [];
const dirs: string[] = [];

beforeAll(() => {
  if (!existsSync(bin))
    throw new Error(`${bin} is missing: run \`pnpm --filter @lumiqtrace/collector build\` first`);
});

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []) {
  const cwd = mkdtempSync(join(tmpdir(), "lumiq-cli-"));
  dirs.push(cwd);
  const { LUMIQTRACE_API_KEY: _drop, ...baseEnv } = process.env;
  const child = spawn(process.execPath, [...nodeArgs, bin, ...args], { cwd, env: { ...baseEnv, ...env } });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
  child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const waitFor = async (re: RegExp, timeoutMs = 15_000) => {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const m = re.exec(stdout);
      if (m) return m;
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no ${re} in stdout:\n${stdout}\nstderr:\n${stderr}`);
  };
  const started = async () => {
    await waitFor(/Waiting for traces/);
    return {
      url: (await waitFor(/LUMIQTRACE_BASE_URL=(\S+)/))[1]!,
      key: (await waitFor(/LUMIQTRACE_API_KEY=(\S+)/))[1]!,
    };
  };
  return { child, cwd, exited, waitFor, started, output: () => ({ stdout, stderr }) };
}

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
    // a stand-in for a machine without either engine: hides node:sqlite and better-sqlite3 from the CLI
    const dir = mkdtempSync(join(tmpdir(), "lumiq-nosqlite-"));
    dirs.push(dir);
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

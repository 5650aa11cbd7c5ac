// Runs the built `lumiqtrace` bin (dist/cli.mjs) as a child process, as a user does, in a fresh directory.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll } from "vitest";

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

/** A directory removed after the test. */
export function scratchDir(prefix = "lumiq-cli-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

export function runCli(args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []) {
  const cwd = scratchDir();
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

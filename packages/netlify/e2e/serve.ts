import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const siteDir = join(packageRoot, "e2e/site");
const functionsDir = join(siteDir, "netlify/functions");
const netlifyBin = join(packageRoot, "node_modules/.bin/netlify");

/**
 * The site's functions import `@lumiqtrace/netlify` by name. functions:serve leaves packages out of a
 * modern function's bundle and Node resolves them from the site, so link this package (its built dist)
 * there, as a workspace install would. An absolute link: functions:serve copies it into its build folder.
 */
export function linkPackageIntoSite(): void {
  const link = join(siteDir, "node_modules/@lumiqtrace/netlify");
  mkdirSync(dirname(link), { recursive: true });
  rmSync(link, { force: true });
  symlinkSync(packageRoot, link, "dir");
}

async function freePort(): Promise<number> {
  return await new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

export interface Served {
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts the real `netlify functions:serve --offline` on the test site; resolves once it answers. */
export async function serveFunctions(env: Record<string, string>): Promise<Served> {
  const port = await freePort();
  let output = "";
  const child: ChildProcess = spawn(
    netlifyBin,
    [
      "functions:serve",
      "--offline",
      "--port",
      String(port),
      "--functions",
      join(siteDir, "netlify/functions"),
    ],
    {
      cwd: siteDir,
      // CI=true: no telemetry, no update check, nothing interactive
      env: { ...process.env, CI: "true", BROWSER: "none", ...env },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, "SIGTERM"); // its process group: the CLI and its workers
      } catch {}
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {}
    }
  };

  // it says "ready" before it has built the functions: wait for every one to be loaded
  const names = readdirSync(functionsDir).map((file) => file.replace(/\.[cm]?[jt]s$/, ""));
  const loaded = () => {
    const lines = output.split(/\r?\n/).map((line) => line.trimEnd()); // a pipe: no colours
    return names.every((name) => lines.some((line) => line.endsWith(`Loaded function ${name}`)));
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (!loaded()) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`netlify functions:serve did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, output: () => output, stop };
}

import { mkdirSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, type StartedProcess, startProcess } from "@lumiqtrace/test-kit";

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

export interface Served extends Pick<StartedProcess, "output" | "stop"> {
  url: string;
}

/** Starts the real `netlify functions:serve --offline` on the test site; resolves once every function is loaded. */
export async function serveFunctions(env: Record<string, string>): Promise<Served> {
  const port = await freePort();
  // it says "ready" before it has built the functions: wait for every one to be loaded
  const names = readdirSync(functionsDir).map((file) => file.replace(/\.[cm]?[jt]s$/, ""));
  const served = await startProcess({
    command: netlifyBin,
    args: ["functions:serve", "--offline", "--port", String(port), "--functions", functionsDir],
    cwd: siteDir,
    // CI=true: no telemetry, no update check, nothing interactive
    env: { CI: "true", BROWSER: "none", ...env },
    timeoutMs: 120_000,
    ready: (output) => {
      const lines = output.split(/\r?\n/).map((line) => line.trimEnd()); // a pipe: no colours
      return names.every((name) => lines.some((line) => line.endsWith(`Loaded function ${name}`)));
    },
  });
  return { url: `http://127.0.0.1:${port}`, output: served.output, stop: served.stop };
}

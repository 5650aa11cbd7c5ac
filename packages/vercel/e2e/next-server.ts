// Starts the built e2e test app with `next start` on a free loopback port.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, type StartedProcess, startProcess } from "@lumiqtrace/test-kit";

export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
export const APP_DIR = join(PACKAGE_DIR, "e2e", "app");
export const NEXT_BIN = join(
  dirname(createRequire(import.meta.url).resolve("next/package.json")),
  "dist/bin/next",
);

export interface NextServer extends Pick<StartedProcess, "output" | "stop"> {
  url: string;
}

/** `next start` with `env` added to this process's environment; resolves once it answers. */
export async function startNext(env: Record<string, string>): Promise<NextServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const next = await startProcess({
    command: process.execPath,
    args: [NEXT_BIN, "start", "-p", String(port), "-H", "127.0.0.1"],
    cwd: APP_DIR,
    env: { NEXT_TELEMETRY_DISABLED: "1", ...env },
    url,
    timeoutMs: 30_000,
  });
  return { url, output: next.output, stop: next.stop };
}

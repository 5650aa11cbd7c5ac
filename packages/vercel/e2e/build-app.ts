// vitest globalSetup: `next build` of the e2e test app, once per test run (skipped when the build is
// newer than every source it was made from, so re-running the tests while editing them stays quick).
import { execFile } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { APP_DIR, NEXT_BIN, PACKAGE_DIR } from "./next-server.js";

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(path)) {
    if (name === ".next" || name === "node_modules") continue;
    newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
}

export default async function buildApp(): Promise<void> {
  // the unit passes on other Node versions (scripts/test.mjs) run no e2e test, so need no app
  if (process.env.LUMIQTRACE_TEST_SCOPE === "unit") return;
  const dist = join(PACKAGE_DIR, "dist", "index.mjs");
  if (!existsSync(dist))
    throw new Error("build @lumiqtrace/vercel first: pnpm --filter @lumiqtrace/vercel build");
  const buildId = join(APP_DIR, ".next", "BUILD_ID");
  const sources = Math.max(
    newestMtime(APP_DIR),
    newestMtime(join(PACKAGE_DIR, "dist")),
    newestMtime(join(PACKAGE_DIR, "..", "sdk", "dist")),
  );
  if (existsSync(buildId) && statSync(buildId).mtimeMs > sources) return;
  try {
    await promisify(execFile)(process.execPath, [NEXT_BIN, "build"], {
      cwd: APP_DIR,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`next build of the e2e app failed:\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
}

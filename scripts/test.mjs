// `pnpm test`: every package's suite on Node 20 (unit tests and the end-to-end tests in the platforms' real
// local runtimes), then the unit suites (each package's src/**/*.test.ts) again on Node 22 and 24, the two
// in parallel. The Node binaries come from the npm registry (`npm i -E node@22`), installed into
// .ci/node/<major> by scripts/bootstrap.sh. Ends on one line: "N passed, N failed".
//   node scripts/test.mjs                 everything
//   node scripts/test.mjs --only=20       only the Node 20 run (turbo), or --only=22,24 for the unit passes
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { summarize } from "./test-summary.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const only = process.argv
  .find((a) => a.startsWith("--only="))
  ?.slice(7)
  .split(",");
const wanted = (major) => !only || only.includes(String(major));
/** The Node versions the unit suites also run on; bootstrap.sh installs exactly these. */
export const EXTRA_NODES = { 22: "22.23.3", 24: "24.21.0" };

function run(command, args, { cwd = root, env = {}, echo = true } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const take = (chunk) => {
      output += chunk;
      if (echo) process.stdout.write(chunk);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Workspace packages with unit tests beside their code. */
function unitSuites() {
  const dirs = [];
  for (const group of ["packages", "examples"]) {
    for (const name of readdirSync(join(root, group))) {
      const dir = join(root, group, name);
      if (!existsSync(join(dir, "package.json")) || !existsSync(join(dir, "src"))) continue;
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      const hasUnitTests = readdirSync(join(dir, "src"), { recursive: true }).some((f) =>
        /\.test\.tsx?$/.test(f),
      );
      if (pkg.scripts?.test && hasUnitTests) dirs.push({ name: pkg.name, dir });
    }
  }
  return dirs;
}

/** One unit pass on another Node: each package's src/ tests, one package at a time, output printed whole. */
async function unitPass(major) {
  const node = join(root, ".ci/node", String(major), "node_modules/node/bin/node");
  const results = [];
  if (!existsSync(node)) {
    const line = `node ${major}: not installed at ${node} (run scripts/bootstrap.sh)`;
    console.log(line);
    return [{ label: `node ${major}`, code: 1, output: line }];
  }
  const vitest = join(root, "node_modules/vitest/vitest.mjs");
  for (const { name, dir } of unitSuites()) {
    // LUMIQTRACE_TEST_SCOPE=unit: suites skip their e2e-only global setup (the Next app build)
    const r = await run(node, [vitest, "run", "src/"], {
      cwd: dir,
      env: { LUMIQTRACE_TEST_SCOPE: "unit" },
      echo: false,
    });
    const label = `${name} on node ${major}`;
    console.log(`\n── ${label} (exit ${r.code}) ──\n${r.output.trim().split("\n").slice(-8).join("\n")}`);
    results.push({ label, ...r });
  }
  return results;
}

const results = [];
if (wanted(20)) {
  const r = await run("pnpm", ["exec", "turbo", "run", "test", "--concurrency=1", "--continue"], {
    env: { TURBO_TELEMETRY_DISABLED: "1", NEXT_TELEMETRY_DISABLED: "1" },
  });
  results.push({ label: "node 20 (turbo)", ...r });
}
const extra = Object.keys(EXTRA_NODES).filter(wanted);
for (const pass of await Promise.all(extra.map(unitPass))) results.push(...pass);

const total = summarize(results);
for (const line of total.lines) console.log(line);
console.log(`${total.passed} passed, ${total.failed} failed`);
process.exitCode = total.failed > 0 || results.some((r) => r.code !== 0) ? 1 : 0;

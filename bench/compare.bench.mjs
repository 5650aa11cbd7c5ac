// Side by side, per platform: the same minimal handler unwrapped, wrapped with ours, and doing the same job
// (init + one recorded LLM event + flush) with Sentry (`@sentry/aws-serverless`, Lambda) and Langfuse (v3
// client). Each handler is bundled with esbuild, then run in fresh processes, one at a time, round-robin.
// Ours flushes to the local collector (`lumiqtrace dev`), Sentry and Langfuse to a loopback HTTP sink that
// answers 200, each in a process of its own (compare/receivers.mjs). Then runs bench/promises.bench.mjs,
// reads the main entry's size from scripts/size-limit.mjs, and prints the tables and every target of
// issue 17 as met or MISSED; writes them all to bench/RESULTS.md.
//
// Knobs (env): COMPARE_RUNS fresh processes per handler (default 5), COMPARE_STEADY invocations timed
// after COMPARE_WARMUP (default 100 after 20), COMPARE_FLUSHES timed flushes (default 10),
// COMPARE_ONLY=lambda,hono,promises to run some platforms and/or bench/promises, COMPARE_BUILD=1 to
// build the SDK and adapters first (else their dist/ is measured as it is: run `pnpm build` before).
import { execFile, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { startReceivers } from "./compare/receivers.mjs";
import { entrySizes } from "./compare/size.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const fixtures = join(here, "compare");
const runs = Number(process.env.COMPARE_RUNS ?? 5);
const childEnv = {
  BENCH_WARMUP: process.env.COMPARE_WARMUP ?? "20",
  BENCH_STEADY: process.env.COMPARE_STEADY ?? "100",
  BENCH_FLUSHES: process.env.COMPARE_FLUSHES ?? "10",
};
const only = process.env.COMPARE_ONLY?.split(",").filter(Boolean);
const started = Date.now();
const loadBefore = loadavg()[0];
const notes = [];
const note = (line) => {
  notes.push(line);
  console.log(`note: ${line}`);
};

// ---------------------------------------------------------------- which packages are there and build

const adapters = {
  lambda: { pkg: "@lumiqtrace/lambda", dir: "lambda" },
  netlify: { pkg: "@lumiqtrace/netlify", dir: "netlify" },
  next: { pkg: "@lumiqtrace/vercel", dir: "vercel" },
  hono: { pkg: "@lumiqtrace/hono", dir: "hono" },
  cloudflare: { pkg: "@lumiqtrace/cloudflare", dir: "cloudflare" },
  node: { pkg: "@lumiqtrace/node", dir: "node" },
};

async function buildPackage(name, dir) {
  const cwd = join(root, "packages", dir);
  if (!existsSync(join(cwd, "package.json"))) return `${name} does not exist yet`;
  if (!process.env.COMPARE_BUILD) {
    // Others may be running tests against these dist/ folders right now: use them, never rebuild unasked.
    if (!(await builtFiles(cwd))) return `${name} is not built (run pnpm build, or set COMPARE_BUILD=1)`;
    if (newestMtime(join(cwd, "src")) > newestMtime(join(cwd, "dist")))
      note(
        `${name}: dist/ is older than src/: measured as built (pnpm build, or COMPARE_BUILD=1, to refresh)`,
      );
    return null;
  }
  // The package's own build script, run directly: `pnpm --filter` would first re-check the whole install.
  const script = JSON.parse(readFileSync(join(cwd, "package.json"), "utf8")).scripts?.build;
  if (!script) return `${name} has no build script`;
  const PATH = [join(cwd, "node_modules/.bin"), join(root, "node_modules/.bin"), process.env.PATH].join(
    delimiter,
  );
  try {
    await promisify(execFile)("sh", ["-c", script], {
      cwd,
      env: { ...process.env, PATH },
      maxBuffer: 16 << 20,
    });
    return null;
  } catch (error) {
    const lines = `${error.stdout ?? ""}\n${error.stderr ?? ""}`.split("\n").map((l) => l.trim());
    const out = (
      lines
        .filter((l) => /error/i.test(l) && !l.startsWith("at "))
        .slice(0, 2)
        .join(" / ") || lines.slice(-3).join(" / ")
    ).slice(0, 400);
    return `${name} does not build (${out})`;
  }
}

/** True once the package's entry files are there; a rebuild by someone else (tsdown cleans dist/ first) is waited out. */
async function builtFiles(cwd) {
  const pkg = JSON.parse(readFileSync(join(cwd, "package.json"), "utf8"));
  const files = [pkg.main, pkg.module].filter(Boolean).map((f) => join(cwd, f));
  for (let i = 0; i < 30; i++) {
    if (files.length && files.every((f) => existsSync(f))) return true;
    if (!existsSync(join(cwd, "dist")) && i === 0) return false;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return false;
}

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((f) => newestMtime(join(path, f))));
}

const sdkProblem = await buildPackage("@lumiqtrace/sdk", "sdk");
if (sdkProblem) throw new Error(sdkProblem);
if (!(await builtFiles(join(root, "packages/collector")))) {
  const p = await buildPackage("@lumiqtrace/collector", "collector");
  if (p) throw new Error(p);
}

// Adapters are resolved through a scratch node_modules of symlinks, so a fixture can import one that is
// not (yet) a dependency of bench/. Hono fixtures take `hono` from @lumiqtrace/hono's own dependencies.
const scratch = mkdtempSync(join(tmpdir(), "lumiq-compare-"));
const nodePaths = join(scratch, "node_modules");
mkdirSync(join(nodePaths, "@lumiqtrace"), { recursive: true });
const available = {};
for (const [platform, { pkg, dir }] of Object.entries(adapters)) {
  if (only && !only.includes(platform)) continue;
  const problem = await buildPackage(pkg, dir);
  if (problem) note(`${platform}: "ours" row skipped: ${problem}`);
  else symlinkSync(join(root, "packages", dir), join(nodePaths, "@lumiqtrace", dir));
  available[platform] = !problem;
}
const honoDir = join(root, "packages/hono/node_modules/hono");
if (existsSync(honoDir)) symlinkSync(honoDir, join(nodePaths, "hono"));
// Next is the framework, not part of a route's cost: left out of the bundle (as for every row on that
// platform) and loaded at run time from @lumiqtrace/vercel's own dev dependency.
const nextDir = join(root, "packages/vercel/node_modules/next");
if (existsSync(nextDir)) symlinkSync(nextDir, join(nodePaths, "next"));
const external = { next: ["next", "next/*"] };

// ---------------------------------------------------------------- the handlers to compare

const variants = [];
const add = (platform, variant, label, needs) => {
  if (only && !only.includes(platform)) return;
  if (needs === false) return;
  variants.push({ platform, variant, label, file: join(fixtures, platform, `${variant}.mjs`) });
};
add("lambda", "unwrapped", "unwrapped");
add("lambda", "sdk", "ours: SDK alone (runInvocation)");
add("lambda", "ours", "ours: @lumiqtrace/lambda", available.lambda);
add("lambda", "sentry", "Sentry (@sentry/aws-serverless)");
add("lambda", "langfuse", "Langfuse (langfuse v3)");
for (const platform of ["netlify", "next", "hono", "cloudflare", "node"]) {
  if (platform === "hono" && !existsSync(honoDir)) {
    if (!only || only.includes("hono"))
      note("hono: all rows skipped: `hono` is not installed (packages/hono/node_modules/hono)");
    continue;
  }
  add(platform, "unwrapped", "unwrapped");
  add(platform, "ours", `ours: ${adapters[platform].pkg}`, available[platform]);
  add(platform, "langfuse", "Langfuse (langfuse v3)");
}
// The floor under the steady target: no tool, one bare POST per invocation in waitUntil (one platform stands for all)
add("netlify", "bare-post", "no tool: one bare POST per invocation (floor)");

// ---------------------------------------------------------------- bundle: size

const outdir = join(scratch, "bundles");
for (const v of variants) {
  const outfile = join(outdir, `${v.platform}-${v.variant}.mjs`);
  try {
    await build({
      entryPoints: [v.file],
      outfile,
      bundle: true,
      minify: true,
      format: "esm",
      platform: "node",
      target: "node20",
      nodePaths: [nodePaths],
      external: external[v.platform] ?? [],
      // CommonJS dependencies (Sentry's) call require() for Node builtins: give the ESM bundle one.
      banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
      logLevel: "silent",
      legalComments: "none",
    });
  } catch (error) {
    note(
      `${v.platform} / ${v.label}: does not bundle (${error.message.split("\n").slice(0, 3).join(" / ")})`,
    );
    v.skip = true;
    continue;
  }
  const code = readFileSync(outfile);
  v.bundle = outfile;
  v.minBytes = code.length;
  v.gzBytes = gzipSync(code, { level: 9 }).length;
}

// The SDK's main entry as CI's size check measures it (its eager part), and whether the guide's
// `lumiqtrace.wrapOpenAI` is still on it: the size target holds only with it there.
const mainEntry = await entrySizes(root);
if (mainEntry.problem) note(`main entry size: ${mainEntry.problem}`);
const { lumiqtrace } = await import("@lumiqtrace/sdk");
const wrapOpenAIThere = typeof lumiqtrace?.wrapOpenAI === "function";

// ---------------------------------------------------------------- receiving ends, processes of their own

// The collector and the sink run apart from the measured processes and from this one, which times them.
const receivers = await startReceivers(root);

const env = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  NODE_ENV: "production",
  LUMIQTRACE_API_KEY: receivers.apiKey,
  LUMIQTRACE_BASE_URL: receivers.collectorUrl,
  BENCH_SENTRY_DSN: receivers.sentryDsn,
  BENCH_LANGFUSE_URL: receivers.sinkUrl,
  BENCH_LLM_URL: `${receivers.sinkUrl}/v1/chat/completions`,
  ...childEnv,
};

function runChild(v, i) {
  const out = join(scratch, `${v.platform}-${v.variant}-${i}.json`);
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", join(fixtures, "loopback-only.mjs"), join(fixtures, v.script ?? "child.mjs")],
      {
        env: { ...env, BENCH_BUNDLE: v.bundle, BENCH_PLATFORM: v.platform, BENCH_OUT: out },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("exit", (code) => {
      if (code !== 0)
        return reject(new Error(`${v.platform} / ${v.label} exited ${code}:\n${output.slice(-2000)}`));
      const result = JSON.parse(readFileSync(out, "utf8"));
      result.output = output.trim();
      resolve(result);
    });
  });
}

// ---------------------------------------------------------------- run: round-robin, one process each

const live = variants.filter((v) => !v.skip);
for (const v of live) v.results = [];
// The floors under the flush and cold start targets, with no tool at all (compare/floor.mjs), once per round.
const floor = {
  platform: "lambda",
  variant: "floor",
  label: "floor",
  script: "floor.mjs",
  samples: [],
  firstSendCpuMs: [],
};
// Where the run's time goes, printed with its duration.
const phases = { setup: (Date.now() - started) / 1000 };
let phaseStart = Date.now();
console.log(`${live.length} handlers x ${runs} fresh processes ...`);
for (let i = 0; i < runs; i++) {
  for (const v of live) {
    if (v.failed) continue;
    try {
      const before = await receivers.counts();
      const r = await runChild(v, i);
      const after = await receivers.counts();
      r.arrived =
        v.variant === "sentry"
          ? `${after.sentry - before.sentry} requests`
          : v.variant === "langfuse"
            ? `${after.langfuse - before.langfuse} requests`
            : v.variant === "unwrapped"
              ? "-"
              : `${after.events - before.events} events`;
      if (r.blocked.length)
        throw new Error(`${v.platform} / ${v.label} tried to reach ${r.blocked.join(", ")}`);
      if (v.variant !== "unwrapped" && r.arrived.startsWith("0 "))
        throw new Error(`${v.platform} / ${v.label}: nothing arrived`);
      if (i === 0 && r.output)
        note(
          `${v.platform} / ${v.label} printed: ${r.output.split("\n").slice(0, 2).join(" / ").slice(0, 300)}`,
        );
      v.results.push(r);
    } catch (error) {
      v.failed = true;
      note(`${v.platform} / ${v.label}: run failed: ${error.message.split("\n").slice(0, 4).join(" / ")}`);
    }
  }
  if (live.length && !floor.failed)
    await runChild(floor, i).then(
      (r) => {
        floor.samples.push(...r.samples);
        floor.firstSendCpuMs.push(r.firstSendCpuMs);
      },
      (error) => {
        floor.failed = true;
        note(`the flush floor (compare/floor.mjs) failed: ${error.message.split("\n")[0]}`);
      },
    );
}
const { other } = await receivers.counts();
await receivers.stop();
if (other) note(`the sink got ${other} requests it did not expect`);

phases.processes = (Date.now() - phaseStart) / 1000;
phaseStart = Date.now();

// The cost to the user's own code (bench/promises.bench.mjs), run from here so RESULTS.md has it too.
let promises;
if (!only || only.includes("promises")) {
  const out = join(scratch, "promises.json");
  const code = await new Promise((resolve) =>
    spawn(process.execPath, [join(here, "promises.bench.mjs")], {
      env: { ...process.env, PROMISES_JSON: out },
      stdio: "inherit",
    }).on("exit", resolve),
  );
  if (existsSync(out)) promises = JSON.parse(readFileSync(out, "utf8"));
  else note(`bench/promises.bench.mjs exited ${code} without results`);
  for (const line of promises?.notes ?? []) note(`promises: ${line}`);
  if (code !== 0) process.exitCode = 1;
}

if (promises) phases.promises = (Date.now() - phaseStart) / 1000;

// ---------------------------------------------------------------- table

const median = (xs) => {
  const s = xs.filter((x) => x != null).sort((a, b) => a - b);
  if (!s.length) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
for (const v of live) {
  if (!v.results.length) continue;
  v.importMs = median(v.results.map((r) => r.importMs));
  v.firstMs = median(v.results.map((r) => r.firstMs));
  v.coldCpuMs = median(v.results.map((r) => r.coldCpuMs));
  v.steadyMs = median(v.results.map((r) => r.steadyMs));
  v.flushMs = median(v.results.flatMap((r) => r.flushSamples));
  v.rssMb = median(v.results.map((r) => r.maxRssKb)) / 1024;
  v.rssNowMb = median(v.results.map((r) => r.rssKb)) / 1024;
  v.arrived = v.results[0].arrived;
}
const invocations = 1 + Number(childEnv.BENCH_WARMUP) + Number(childEnv.BENCH_STEADY);

const kb = (b) => `${(b / 1024).toFixed(b < 10240 ? 2 : 1)} KB`;
const ms = (x) => (x == null ? "—" : `${x.toFixed(x < 1 ? 3 : x < 10 ? 2 : 1)} ms`);
const ratio = (x, base) =>
  x == null || base == null || !base ? "" : ` (×${(x / base).toFixed(x / base < 10 ? 2 : 0)})`;
const signed = (x, digits) => `${x >= 0 ? "+" : ""}${x.toFixed(digits)}`;
const header = [
  "platform",
  "handler",
  "bundle min",
  "bundle gzip",
  "import + init",
  "first invocation",
  "cold start CPU",
  "steady / invocation",
  "flush 1 invocation's events",
  `peak RSS after ${invocations} invocations`,
  "arrived / process",
];
const rows = [];
const groups = {};
for (const platform of Object.keys(adapters)) {
  const group = live.filter((v) => v.platform === platform && v.results?.length);
  const base = group.find((v) => v.variant === "unwrapped");
  groups[platform] = { group, base };
  for (const v of group) {
    const over = (key, digits) => (base && v !== base ? ` ${signed(v[key] - base[key], digits)}` : "");
    rows.push([
      platform,
      v.label,
      kb(v.minBytes) + ratio(v.minBytes, base?.minBytes),
      kb(v.gzBytes) + ratio(v.gzBytes, base?.gzBytes),
      ms(v.importMs) + ratio(v.importMs, base?.importMs),
      ms(v.firstMs) + ratio(v.firstMs, base?.firstMs),
      ms(v.coldCpuMs) + over("coldCpuMs", 1),
      ms(v.steadyMs) + over("steadyMs", 3) + ratio(v.steadyMs, base?.steadyMs),
      ms(v.flushMs),
      `${v.rssMb.toFixed(1)} MB${over("rssMb", 1)}`,
      v.arrived,
    ]);
  }
}
const table = [
  `| ${header.join(" | ")} |`,
  `|${header.map(() => "---").join("|")}|`,
  ...rows.map((r) => `| ${r.join(" | ")} |`),
].join("\n");

// What each tool adds over the unwrapped handler, per platform, and how many times that is ours.
const addedHeader = [
  "platform",
  "tool",
  "+ gzip",
  "+ import + init",
  "+ cold start CPU",
  "+ steady / invocation",
  "+ peak RSS",
  "+ RSS at that moment",
  "ours' addition is",
];
/** What a row adds over its platform's unwrapped row. */
const added = (v) => {
  const base = groups[v.platform].base;
  return {
    gz: v.gzBytes - base.gzBytes,
    imp: v.importMs - base.importMs,
    cold: v.coldCpuMs - base.coldCpuMs,
    steady: v.steadyMs - base.steadyMs,
    rss: v.rssMb - base.rssMb,
    rssNow: v.rssNowMb - base.rssNowMb,
  };
};
/** Ours on a platform: the adapter's row, else (Lambda) the SDK-alone row. */
const oursOf = (platform) =>
  groups[platform].group.find((v) => v.variant === "ours") ??
  groups[platform].group.find((v) => v.variant === "sdk");
const addedRows = [];
for (const platform of Object.keys(adapters)) {
  const { group, base } = groups[platform];
  if (!base) continue;
  const ours = oursOf(platform);
  for (const v of group.filter((x) => x !== base)) {
    const a = added(v);
    let versus = "";
    if (ours && !["ours", "sdk", "bare-post"].includes(v.variant)) {
      const o = added(ours);
      const times = (theirs, mine) => (mine > 0 && theirs > 0 ? `${(theirs / mine).toFixed(1)}×` : "n/a");
      versus = `${times(a.gz, o.gz)} smaller, ${times(a.imp, o.imp)} faster to import`;
    }
    addedRows.push([
      platform,
      v.label,
      `${(a.gz / 1024).toFixed(1)} KB`,
      `${a.imp.toFixed(1)} ms`,
      `${a.cold.toFixed(1)} ms`,
      `${a.steady.toFixed(3)} ms`,
      `${a.rss.toFixed(1)} MB`,
      `${a.rssNow.toFixed(1)} MB`,
      versus,
    ]);
  }
}
const addedTable = [
  `| ${addedHeader.join(" | ")} |`,
  `|${addedHeader.map(() => "---").join("|")}|`,
  ...addedRows.map((r) => `| ${r.join(" | ")} |`),
].join("\n");

// ---------------------------------------------------------------- targets (issue 17), met or MISSED

const targets = [];
const target = (met, line) => targets.push({ met: Boolean(met), line });
const plusMs = (x, digits = 3) => `${signed(x, digits)} ms`;
const ran = (platform) => groups[platform]?.base && oursOf(platform);
for (const platform of ["netlify", "next", "hono", "cloudflare", "node"]) {
  if (!ran(platform)) continue;
  const o = added(oursOf(platform));
  const langfuse = groups[platform].group.find((v) => v.variant === "langfuse");
  const l = langfuse && added(langfuse);
  const bare = groups.netlify?.group.find((v) => v.variant === "bare-post");
  const floorLine = bare
    ? `; no tool, one bare POST per invocation on netlify: ${plusMs(added(bare).steady)}`
    : "";
  target(
    o.steady <= 0.1 && l && o.steady < l.steady,
    `${platform}: steady addition per invocation, ours ${plusMs(o.steady)}; target at most +0.1 ms and below Langfuse's (${l ? plusMs(l.steady) : "not measured"})${floorLine}`,
  );
}
if (ran("lambda")) {
  const ours = oursOf("lambda");
  target(
    ours.flushMs != null && ours.flushMs <= 0.5,
    `lambda: the awaited flush of one invocation's events to the local collector, ours ${ms(ours.flushMs)}; target at most 0.5 ms (a bare node:http POST of a two-event batch there, kept alive, no tool: ${ms(median(floor.samples))})`,
  );
  const o = added(ours);
  target(
    o.steady <= 0.6,
    `lambda: steady addition per invocation, ours ${plusMs(o.steady)}; target at most +0.6 ms`,
  );
}
// The network round trips of the first flush cost no CPU (waiting is idle); every row's cold start CPU is
// read at the same moment (compare/child.mjs), so what V8 does in the background after the first fetch
// is in every row alike. The floor: a first kept-alive node:http POST with no tool, for reference.
const firstSendCpu = median(floor.firstSendCpuMs);
for (const platform of Object.keys(adapters)) {
  if (!ran(platform)) continue;
  const o = added(oursOf(platform));
  target(
    o.cold <= 2,
    `${platform}: cold start CPU (import + init + first invocation and its flush, bundled) over unwrapped, ours ${plusMs(o.cold, 1)} (a first POST with no tool costs ${ms(firstSendCpu)}); target at most +2 ms`,
  );
}
for (const key of ["@lumiqtrace/sdk (default)", "@lumiqtrace/sdk (node)"]) {
  const size = mainEntry.sizes?.[key];
  target(
    size && size.minified <= 16 * 1024 && size.gzip <= 6.5 * 1024 && wrapOpenAIThere,
    `${key} main entry, eager part: ${size ? `${kb(size.minified)} min, ${kb(size.gzip)} gzip` : "not measured"} (wrapOpenAI on the lumiqtrace object: ${wrapOpenAIThere ? "yes" : "NO"}); target at most 16 KB min and 6.5 KB gzip, with wrapOpenAI there`,
  );
}
for (const platform of Object.keys(adapters)) {
  if (!ran(platform)) continue;
  const o = added(oursOf(platform));
  target(
    o.rss <= 8,
    `${platform}: peak RSS over unwrapped after ${invocations} invocations, ours ${signed(o.rss, 1)} MB; target at most +8 MB`,
  );
}
for (const t of promises?.targets ?? []) target(t.met, t.line);

const cpu = cpus();
const machine = `${cpu[0]?.model.trim()}, ${cpu.length} cores, Node ${process.version}, ${process.platform}/${process.arch}`;
const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
const seconds = ((Date.now() - started) / 1000).toFixed(0);
const phaseLine = `build check, bundles, sizes and receivers ${phases.setup.toFixed(0)} s, the ${live.length * runs} measured processes and ${floor.firstSendCpuMs.length} floor processes ${phases.processes.toFixed(0)} s${phases.promises ? `, bench/promises ${phases.promises.toFixed(0)} s` : ""}`;
const knobs = ["COMPARE_RUNS", "COMPARE_WARMUP", "COMPARE_STEADY", "COMPARE_FLUSHES", "COMPARE_ONLY"];
const fullRun = knobs.every((k) => process.env[k] === undefined);
target(
  fullRun && Number(seconds) < 120,
  `the whole compare run (every platform, the promises bench, default knobs) took ${seconds} s${fullRun ? "" : ` (not a full run: ${knobs.filter((k) => process.env[k] !== undefined).join(", ")} set)`}; target under 120 s`,
);
const targetLines = targets.map((t) => `- ${t.met ? "met" : "MISSED"}: ${t.line}`).join("\n");
// Other work on the machine skews every row alike but adds noise: the 1-minute load says how much.
const load = `load average ${loadBefore.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end`;
const settings = `${runs} fresh processes per handler, round-robin; steady = median of ${childEnv.BENCH_STEADY} invocations after ${childEnv.BENCH_WARMUP} warm-up; flush = median of ${childEnv.BENCH_FLUSHES} per process`;

console.log(
  `\n${table}\n\n${addedTable}\n\nmachine: ${machine}\ndate: ${date}\n${settings}; took ${seconds} s (${phaseLine}); ${load}\n\ntargets:\n${targetLines}`,
);

const doc = `# Benchmarks: ours beside the tools users would pick instead

Written by \`pnpm bench compare\` (bench/compare.bench.mjs); do not edit by hand.

- machine: ${machine}
- date: ${date}
- ${settings}; the whole run took ${seconds} s (${phaseLine})
- ${load} (on ${cpu.length} cores)

## Targets (issue 17)

${targetLines}

Each line: the figure measured in this run, from the tables below (ours is the adapter's row; on Lambda
the SDK-alone row only when the adapter's did not run), against the target. On a loaded machine the
steady figures move by a few hundredths of a ms between runs, cold start CPU (one sample per process)
by a few ms, and the promise-heavy rows that send by about a tenth. Two lines give a floor measured
with no tool (bench/compare/floor.mjs, fresh processes): the Lambda flush line the same round trip from a
process as warm as the handlers' are when their flushes are timed; the cold start lines the CPU of a
process's first POST to the collector (after a first fetch, as the handlers' first LLM call makes it),
for reference: that first send is part of what every tool's cold start pays.

## Per platform

${table}

(×N) is the ratio to the unwrapped handler on the same platform; in "steady", +x is the time added per
invocation, in ms.

## What each tool adds (its row minus the unwrapped row)

${addedTable}

"ours' addition is": the tool's addition divided by ours (on Lambda, ours is the adapter row if it ran,
else the SDK-alone row). Differences of a few tenths of a ms are within the noise of a loaded machine.

On the platforms called in-process, the unwrapped handler makes no request after its first LLM call, while
a tool sends once per invocation: most of "+ peak RSS" there is the native memory of those HTTP requests
(\`node:http\` or \`fetch\`), held until a full GC frees it (compare "+ RSS at that moment"). On the Node
server rows every invocation is an HTTP request already, unwrapped too, so their addition is the tool's
memory with that part paid by every row.

${
  promises
    ? `## The cost to the user's own code: 10,000 awaits in one traced request

Written by bench/promises.bench.mjs (run by this benchmark; also on its own: \`pnpm bench promises\`).
${promises.settings}.

${promises.table}

A Lambda handler whose own code awaits 10,000 times (bench/promises/handler.mjs), called as Lambda calls
it. "10,000 awaits, in the request": the handler's own time, measured inside it, with the tool's context
active (the benchmark checks that context is still the active one after the awaits). "whole request":
the call as Lambda makes it, with the tool's wrapper and, for ours, Sentry and the exporting OTel row, the
flush awaited before returning. Every tool keeps its context in an AsyncLocalStorage, which on Node 20
and 22 runs a hook on every promise: the "+ over unwrapped" of the OTel row without an exporter is that
price alone. The rows that send each request's events pay more inside the handler too: an HTTP request
between two requests (any, even one the tool makes outside its context) makes the hooks of the next
10,000 awaits slower, so the target is judged against the rows that send as ours does.

`
    : ""
}## What each column is

- **bundle min / gzip**: the handler bundled with esbuild (ESM, platform node, minified, everything
  bundled but Node's builtins), then gzipped at level 9. The unwrapped handlers are a few hundred bytes, so
  their ratios are large: read the absolute sizes.
- **import + init**: from \`import()\` of the bundle to its promise settling, in a fresh process: module
  evaluation plus the tool's init at the top of the module (\`lumiqtrace.init\`, \`Sentry.init\`,
  \`new Langfuse\`). Median over the fresh processes.
- **first invocation**: the first call of the handler in that process, until the caller has the whole
  response (body read). Where the platform has no \`waitUntil\` (Lambda) this includes the awaited flush.
  Median over the fresh processes.
- **cold start CPU**: the CPU time of the whole process (\`process.cpuUsage()\`, every thread: V8's
  compilers and GC included) from just before \`import()\` of the bundle until the first invocation's
  response is read, what it handed to \`waitUntil\` has settled and the tool's own flush has been awaited
  (so its events are delivered on every platform, whenever the tool would send them), read 250 ms after
  the import began in every row (the first fetch sets V8's background compiles and GC going for about
  100 ms: a row that took longer would otherwise count more of them). Waiting for an answer costs no
  CPU, so the network round trips are not in it; building and sending the first batch is. +x is the
  addition over the unwrapped handler, whose first invocation already pays for loading Node's \`fetch\`
  (its own first LLM call). Median over the fresh processes.
- **steady / invocation**: the same, after warm-up; the median per process, then the median over
  processes. Between invocations the benchmark awaits what was handed to \`waitUntil\`, so flushes never
  pile up.
- **flush 1 invocation's events**: one invocation's events recorded (ours: a span of kind \`invocation\`
  with its LLM span; Sentry: a root span with its \`gen_ai\` span; Langfuse: a trace with its generation),
  then the tool's own flush awaited (\`lumiqtrace.flush()\` to the local collector; \`Sentry.flush()\` and
  \`langfuse.flushAsync()\` to the loopback sink). Median of every sample of every process.
- **peak RSS after ${invocations} invocations**: \`process.resourceUsage().maxRSS\` 150 ms after the last
  of them (import, init, the invocations; before the flush samples), +x MB over the unwrapped row. The
  pause is every row's: RSS rises by about 25 MB for a moment some 50 ms after a process's first fetch,
  which only a row that ran that long would otherwise catch. Median over the fresh processes. "+ RSS at that moment" (below) is
  \`process.memoryUsage.rss()\` at the same point: the peak is higher where memory is freed only by a
  later full GC.
- **arrived / process**: what the receiving end got from the first process: events the local collector
  accepted (ours: an invocation span and an LLM span per invocation and per timed flush), or
  ingest requests the sink answered (Sentry envelopes, Langfuse ingestion batches). A traced row with
  nothing arrived fails the run.

## How the handlers are called

Each platform's handler is called in-process the way the platform calls it, with stand-ins of the objects
it passes (bench/compare/platforms.mjs):
- Lambda: an API Gateway v2 event and a Lambda context; no \`waitUntil\`, so flushes are awaited.
- Netlify: the modern \`(Request, context)\` signature, with \`context.waitUntil\`.
- Next route: \`POST(Request)\` with Vercel's request context (\`waitUntil\`) installed, and \`next/server\`
  loaded before the route (the framework is there before any route module; no row bundles it).
- Hono: \`app.fetch(request, env, ctx)\` with a Workers-style \`ctx.waitUntil\`.
- Workers: \`export default { fetch }\`'s \`fetch(request, env, ctx)\` with a Workers-style \`ctx.waitUntil\`.
- Node server: a \`node:http\` request listener served on loopback, called with a real HTTP request (so its
  rows include loopback HTTP); ours flushes after each response without being awaited, Langfuse sends on
  its own timer, as each does on a long-running server.

The receiving ends run in processes of their own, apart from the measured ones and from the one timing
them (bench/compare/receivers.mjs): the local collector as users start it (\`lumiqtrace dev --memory\`)
for ours, and a loopback sink (bench/compare/sink.mjs) answering 200 for Sentry, Langfuse and the stand-in
model. So a measured process holds the handler, the tool and the harness alone, the same for every row
of a platform.

The LLM call is the same for every row (bench/compare/shared/fake-llm.mjs, a test double). The first
call of each process is a chat completion request with fetch, as the OpenAI client makes it, to a
stand-in model endpoint on the loopback sink: so Node's lazily loaded fetch is warmed by the handler's own
first LLM call, as in a real app, and not charged to whichever tracing tool calls fetch first. Later calls
are answered in-process, so "steady" measures the tools, not loopback HTTP jitter. (Sentry's default
integrations also trace that first outgoing fetch: that is part of what it costs.)

Each tool records one LLM event per invocation its own way (ours: \`lumiqtrace.span(..., { kind: "llm" })\`;
Sentry: \`startSpan\` with \`op: "gen_ai.chat"\`; Langfuse: \`trace().generation()\`) and flushes the way
its docs say for the platform (awaited on Lambda, \`waitUntil\` elsewhere). Every process runs with a
preload that refuses any non-loopback connection (bench/compare/loopback-only.mjs); a tool that tries one
fails the run.
${notes.length ? `\n## Notes from this run\n\n${notes.map((n) => `- ${n}`).join("\n")}\n` : ""}`;

writeFileSync(join(here, "RESULTS.md"), doc);
rmSync(scratch, { recursive: true, force: true });
console.log("\nwritten to bench/RESULTS.md");
if (live.some((v) => v.failed)) process.exitCode = 1;

// The cost to the user's own code: a promise-heavy Lambda handler (10,000 awaits in one request) run
// unwrapped, wrapped with ours, under Sentry's Lambda wrapper with a span active, and under
// OpenTelemetry's AsyncLocalStorageContextManager with a span active (with no exporter, and exporting each
// request's span before returning), on Node 20 and on Node 22. Every tracing tool keeps its context in an
// AsyncLocalStorage, which on these versions runs a hook for every promise: this is that price, per tool.
// Each handler runs in fresh processes, round-robin; ours sends to the local collector (`lumiqtrace
// dev`), Sentry to the loopback sink, OpenTelemetry's exporter to the collector's OTLP route, each in
// processes of their own (bench/compare/receivers.mjs).
//
// Knobs (env): PROMISES_RUNS fresh processes per handler and Node (default 3), PROMISES_REQUESTS timed
// requests after PROMISES_WARMUP (default 30 after 10). PROMISES_JSON=<file> also writes the table and
// the target lines there (bench/compare.bench.mjs includes them in bench/RESULTS.md).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startReceivers } from "./compare/receivers.mjs";
import { AWAITS } from "./promises/handler.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const started = Date.now();
const runs = Number(process.env.PROMISES_RUNS ?? 3);
const warmup = Number(process.env.PROMISES_WARMUP ?? 10);
const requests = Number(process.env.PROMISES_REQUESTS ?? 30);
const notes = [];
const note = (line) => {
  notes.push(line);
  console.log(`note: ${line}`);
};

const node22 = join(root, ".ci/node/22/node_modules/node/bin/node");
const nodes = [{ label: `Node ${process.versions.node.split(".")[0]}`, bin: process.execPath }];
if (existsSync(node22)) {
  const version = execFileSync(node22, ["-v"], { encoding: "utf8" }).trim();
  nodes.push({ label: `Node ${version.slice(1).split(".")[0]}`, bin: node22 });
} else note(`Node 22 rows skipped: no ${node22.slice(root.length + 1)} (run bash scripts/bootstrap.sh)`);

const variants = [
  { id: "unwrapped", label: "unwrapped", file: "unwrapped.mjs", arrives: null },
  { id: "ours", label: "ours (runInvocation, flush awaited)", file: "ours.mjs", arrives: "events" },
  { id: "sentry", label: "Sentry (wrapHandler + startSpan)", file: "sentry.mjs", arrives: "sentry" },
  { id: "otel", label: "OTel ALS context manager, span active", file: "otel.mjs", arrives: null },
  {
    id: "otel-export",
    label: "OTel ALS, span exported (OTLP) before returning",
    file: "otel.mjs",
    env: { PROMISES_OTEL_EXPORT: "1" },
    arrives: "events",
  },
];

const receivers = await startReceivers(root);
const scratch = mkdtempSync(join(tmpdir(), "lumiq-promises-"));
const env = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  NODE_ENV: "production",
  LUMIQTRACE_API_KEY: receivers.apiKey,
  LUMIQTRACE_BASE_URL: receivers.collectorUrl,
  BENCH_SENTRY_DSN: receivers.sentryDsn,
  PROMISES_WARMUP: String(warmup),
  PROMISES_REQUESTS: String(requests),
};

function runChild(node, v, i) {
  const out = join(scratch, `${v.id}-${node.label.replace(" ", "")}-${i}.json`);
  return new Promise((resolve, reject) => {
    const child = spawn(
      node.bin,
      ["--import", join(here, "compare/loopback-only.mjs"), join(here, "promises/child.mjs")],
      {
        env: {
          ...env,
          ...v.env,
          PROMISES_FIXTURE: pathToFileURL(join(here, "promises", v.file)).href,
          PROMISES_OUT: out,
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`exited ${code}: ${output.slice(-1500)}`));
      const result = JSON.parse(readFileSync(out, "utf8"));
      result.output = output.trim();
      resolve(result);
    });
  });
}

// ---------------------------------------------------------------- run: round-robin, one process each

const cells = [];
for (const node of nodes) for (const v of variants) cells.push({ node, v, results: [] });
console.log(`${cells.length} handlers x ${runs} fresh processes, ${AWAITS} awaits per request ...`);
for (let i = 0; i < runs; i++) {
  for (const cell of cells) {
    if (cell.failed) continue;
    const { node, v } = cell;
    try {
      const before = await receivers.counts();
      const r = await runChild(node, v, i);
      const after = await receivers.counts();
      const traced = v.id !== "unwrapped";
      if (r.blocked.length) throw new Error(`tried to reach ${r.blocked.join(", ")}`);
      if (r.lost) throw new Error(`${r.lost} requests lost the tool's context across the awaits`);
      if (traced && r.contexts !== warmup + requests)
        throw new Error(`${warmup + requests - r.contexts} requests ran with no span of the tool active`);
      if (!traced && r.contexts) throw new Error("a context was active without a tool");
      if (v.arrives) {
        const n = after[v.arrives] - before[v.arrives];
        if (!n) throw new Error("nothing arrived");
        r.arrived = `${n} ${v.arrives === "events" ? "events" : "requests"}`;
      } else r.arrived = "-";
      if (i === 0 && r.output)
        note(`${node.label} / ${v.label} printed: ${r.output.split("\n")[0].slice(0, 300)}`);
      cell.results.push(r);
    } catch (error) {
      cell.failed = true;
      note(`${node.label} / ${v.label}: run failed: ${error.message.split("\n").slice(0, 3).join(" / ")}`);
    }
  }
}
await receivers.stop();
rmSync(scratch, { recursive: true, force: true });

// ---------------------------------------------------------------- table and target

const median = (xs) => {
  const s = xs.filter((x) => x != null).sort((a, b) => a - b);
  if (!s.length) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (x) => (x == null ? "—" : `${x.toFixed(2)} ms`);
const plus = (x) => (x == null ? "—" : `${x >= 0 ? "+" : ""}${x.toFixed(2)} ms`);
/** The median and, with more than one process, the range over processes: how far apart runs land. */
const spread = (xs) =>
  xs.length > 1 ? ` (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})` : "";
for (const cell of cells) {
  cell.innerMs = median(cell.results.map((r) => r.innerMs));
  cell.innerSpread = spread(cell.results.map((r) => r.innerMs));
  cell.outerMs = median(cell.results.map((r) => r.outerMs));
}
const header = [
  "Node",
  "handler",
  `${AWAITS.toLocaleString("en")} awaits, in the request`,
  "+ over unwrapped",
  "whole request",
  "+ over unwrapped",
  "arrived / process",
];
const rows = [];
const targets = [];
for (const node of nodes) {
  const group = cells.filter((c) => c.node === node && c.results.length);
  const base = group.find((c) => c.v.id === "unwrapped");
  const added = (c) => (base && c.innerMs != null ? c.innerMs - base.innerMs : null);
  for (const c of group) {
    const isBase = c === base;
    rows.push([
      node.label,
      c.v.label,
      ms(c.innerMs) + c.innerSpread,
      isBase ? "" : plus(added(c)),
      ms(c.outerMs),
      isBase || !base ? "" : plus(c.outerMs - base.outerMs),
      c.results[0].arrived,
    ]);
  }
  const [ours, sentry, otel, otelExport] = ["ours", "sentry", "otel", "otel-export"].map((id) =>
    group.find((c) => c.v.id === id),
  );
  if (!base || !ours || !sentry || !otelExport) {
    targets.push({
      met: false,
      line: `the cost to the user's code, ${node.label}: not measured (a row failed or is missing)`,
    });
    continue;
  }
  // Judged against the rows doing the same work as ours per request (a span active, a send awaited);
  // OTel without an exporter sends nothing, so it is shown beside them, not judged against.
  const met = added(ours) <= added(sentry) && added(ours) <= added(otelExport);
  targets.push({
    met,
    line: `the cost to the user's code (${AWAITS.toLocaleString("en")} awaits in a traced request), ${node.label}: ours ${plus(added(ours))} over unwrapped; target no worse than Sentry's ${plus(added(sentry))} and OTel ALS's ${plus(added(otelExport))} (exporting as ours does; ${otel ? plus(added(otel)) : "—"} with nothing sent)`,
  });
}
if (nodes.length < 2)
  targets.push({
    met: false,
    line: "the cost to the user's code, Node 22: not measured (no Node 22 binary)",
  });
const table = [
  `| ${header.join(" | ")} |`,
  `|${header.map(() => "---").join("|")}|`,
  ...rows.map((r) => `| ${r.join(" | ")} |`),
].join("\n");
const seconds = (Date.now() - started) / 1000;
const settings = `${runs} fresh processes per handler and Node, round-robin; median of ${requests} requests after ${warmup} warm-up, per process, then over processes (in brackets: the lowest and highest process); took ${seconds.toFixed(0)} s`;

console.log(
  `\n${table}\n\n${settings}\n${targets.map((t) => `${t.met ? "met" : "MISSED"}: ${t.line}`).join("\n")}`,
);
if (process.env.PROMISES_JSON)
  writeFileSync(process.env.PROMISES_JSON, JSON.stringify({ table, targets, notes, settings, seconds }));
if (cells.some((c) => c.failed)) process.exitCode = 1;

// `pnpm demo`: the local collector, a local stand-in model, and every example app in its real local
// runtime, each sent a few requests; the traces print as they arrive. No account, no internet.
//   pnpm demo                 run every example, then keep the viewer open (Ctrl-C to stop)
//   pnpm demo lambda hono     only the examples whose name contains one of these words
//   pnpm demo --exit          stop when the examples are done (the default without a terminal)
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startCollector } from "@lumiqtrace/collector";
import { startEchoModel } from "@lumiqtrace/echo-model";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const keepOpen = !args.includes("--exit") && process.stdout.isTTY;
const only = args.filter((a) => !a.startsWith("--"));
const EXAMPLES = ["lambda", "netlify", "nextjs", "hono-node", "hono-cloudflare", "node-express"];
const PER_EXAMPLE_MS = 240_000;

const examples = EXAMPLES.filter((name) => existsSync(join(root, "examples", name, "demo.mjs"))).filter(
  (name) => only.length === 0 || only.some((o) => name.includes(o)),
);

async function listen() {
  const options = { apiKey: "lqt_dev_demo", dbPath: join(root, ".lumiqtrace", "demo.sqlite"), quiet: false };
  try {
    return await startCollector({ ...options, port: 4477 });
  } catch {
    return await startCollector({ ...options, port: 0 }); // 4477 is taken: any free port
  }
}

const collector = await listen();
const model = await startEchoModel({ port: 0 });
console.log(`
LumiqTrace demo
  collector  ${collector.url}   (traces stored in .lumiqtrace/demo.sqlite, one line per trace below)
  model      ${model.url}   (a local echo stand-in for OpenAI and Anthropic: it is not a language model)
  examples   ${examples.join(", ") || "(none found)"}
`);

function runExample(name) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [join(root, "examples", name, "demo.mjs")], {
      cwd: join(root, "examples", name),
      env: {
        ...process.env,
        LUMIQTRACE_BASE_URL: collector.url,
        LUMIQTRACE_API_KEY: collector.apiKey,
        OPENAI_BASE_URL: model.url,
        OPENAI_API_KEY: "echo-local",
        ANTHROPIC_BASE_URL: model.anthropicUrl,
        ANTHROPIC_API_KEY: "echo-local",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const prefix = (stream, out) => {
      let rest = "";
      stream.on("data", (chunk) => {
        const lines = (rest + chunk).split("\n");
        rest = lines.pop();
        for (const line of lines) out.write(`  [${name}] ${line}\n`);
      });
    };
    prefix(child.stdout, process.stdout);
    prefix(child.stderr, process.stderr);
    const timer = setTimeout(() => child.kill("SIGTERM"), PER_EXAMPLE_MS);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({
        name,
        ok: code === 0,
        how: signal ? `killed (${signal})` : `exit ${code}`,
        ms: Date.now() - started,
      });
    });
  });
}

const results = [];
for (const name of examples) {
  console.log(`\n── ${name} ──`);
  results.push(await runExample(name));
}

// traces can still be in flight from a background (waitUntil) flush
await new Promise((r) => setTimeout(r, 1000));
const traces = collector.getTraces(500);
const byPlatform = new Map();
for (const t of traces) byPlatform.set(t.platform ?? "?", (byPlatform.get(t.platform ?? "?") ?? 0) + 1);
console.log("\n── summary ──");
for (const r of results)
  console.log(`  ${r.ok ? "ok    " : "FAILED"} ${r.name.padEnd(16)} ${r.how}, ${(r.ms / 1000).toFixed(1)} s`);
console.log(
  `  traces in .lumiqtrace/demo.sqlite (this run and earlier ones): ${traces.length} (${[...byPlatform].map(([p, n]) => `${p} ${n}`).join(", ")})`,
);
console.log(`  viewer: ${collector.url}`);

const failed = results.some((r) => !r.ok) || examples.length === 0;
if (keepOpen) {
  console.log("\nThe collector keeps running for the viewer. Ctrl-C to stop.");
  const stop = async () => {
    await Promise.allSettled([collector.close(), model.close()]);
    process.exit(failed ? 1 : 0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
} else {
  await Promise.allSettled([collector.close(), model.close()]);
  process.exitCode = failed ? 1 : 0;
}

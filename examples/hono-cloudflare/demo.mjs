// Bundles the worker with wrangler (`wrangler deploy --dry-run`: the real build, nothing uploaded), runs it
// in workerd through miniflare with the compatibility settings of wrangler.jsonc, sends it a plain and a
// streamed chat request, prints the answers, and stops it.
//
//   LUMIQTRACE_BASE_URL=... LUMIQTRACE_API_KEY=... OPENAI_BASE_URL=... node demo.mjs
//
// Without those variables it starts its own local collector and echo model (nothing leaves the machine).
// (`wrangler dev` works too, but it tries to download the Request.cf data from Cloudflare at start.)
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Miniflare } from "miniflare";
import { demoEnvironment, newTraceparent, waitForTraces } from "../demo-env.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const deadline = setTimeout(() => {
  console.error("hono-cloudflare demo: gave up after 55 s");
  process.exit(1);
}, 55_000);
deadline.unref();

const { env, collector, stop } = await demoEnvironment("hono-cloudflare");

/** wrangler.jsonc without its comments. */
function readWranglerConfig() {
  const text = readFileSync(new URL("wrangler.jsonc", import.meta.url), "utf8");
  return JSON.parse(text.replace(/^\s*\/\/.*$/gm, ""));
}

// Each request starts a trace of our own (a `traceparent`), so the demo can wait for it after.
const traceIds = [];
const post = (mf, path, body, user) => {
  const { traceId, traceparent } = newTraceparent();
  traceIds.push(traceId);
  return mf.dispatchFetch(`http://hono-cloudflare.local${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-user-id": user, traceparent },
    body: JSON.stringify(body),
  });
};

let failed = false;
try {
  const outdir = ".wrangler/demo";
  await promisify(execFile)(
    process.execPath,
    [
      fileURLToPath(import.meta.resolve("wrangler/bin/wrangler.js")),
      "deploy",
      "--dry-run",
      "--outdir",
      outdir,
    ],
    { cwd: here, env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" } },
  );
  const config = readWranglerConfig();
  const mf = new Miniflare({
    modules: true,
    scriptPath: fileURLToPath(new URL(`${outdir}/index.js`, import.meta.url)),
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags,
    cf: false,
    // What `vars` and secrets are in production.
    bindings: { ...config.vars, ...env },
  });
  stop.unshift(() => mf.dispose());
  await mf.ready;
  console.log(
    `hono-cloudflare demo: worker bundled by wrangler, running in workerd (${config.compatibility_flags})`,
  );

  const plain = await post(mf, "/chat", { message: "What does withHono do?" }, "demo-user-1");
  const { reply } = await plain.json();
  console.log(`POST /chat         ${plain.status}  ${reply}`);
  failed ||= plain.status !== 200;

  const streamed = await post(mf, "/chat/stream", { message: "Stream me a short answer" }, "demo-user-2");
  const sse = await streamed.text();
  const text = [...sse.matchAll(/^data: (.*)$/gm)].map((m) => m[1]).join("");
  console.log(`POST /chat/stream  ${streamed.status}  ${text}  (${sse.split("\n\n").length - 1} SSE events)`);
  failed ||= streamed.status !== 200;

  // The flushes run in ctx.waitUntil, after the responses; disposing workerd would end them: wait first.
  const arrived = await waitForTraces(env, traceIds);
  failed ||= collector !== undefined && arrived.size < traceIds.length;
} catch (error) {
  console.error(`hono-cloudflare demo failed: ${error instanceof Error ? error.message : String(error)}`);
  failed = true;
} finally {
  for (const f of stop) await f();
}
process.exit(failed ? 1 : 0);

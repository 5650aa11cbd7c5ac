#!/usr/bin/env node
// The Next.js example end to end, on this machine: builds the app (when needed), starts `next start`,
// sends one plain and one streamed chat request and one streamed through the AI SDK, prints the
// answers, stops the app.
//
//   LUMIQTRACE_BASE_URL=http://127.0.0.1:4477 LUMIQTRACE_API_KEY=lqt_dev_... \
//   OPENAI_BASE_URL=http://127.0.0.1:4478/v1 node examples/nextjs/demo.mjs
//
// (`pnpm lumiqtrace dev` prints the first two; `echo-model` serves the third.) No network but loopback.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, startProcess } from "@lumiqtrace/test-kit";

const here = dirname(fileURLToPath(import.meta.url));
const nextBin = join(dirname(createRequire(import.meta.url).resolve("next/package.json")), "dist/bin/next");
const say = (line) => console.log(`[nextjs demo] ${line}`);

for (const name of ["LUMIQTRACE_BASE_URL", "LUMIQTRACE_API_KEY"]) {
  if (!process.env[name]) say(`warning: ${name} is not set`);
}
if (!process.env.OPENAI_BASE_URL && !process.env.OPENAI_API_KEY) {
  say("set OPENAI_BASE_URL (the local echo model: http://127.0.0.1:4478/v1) or a real OPENAI_API_KEY");
  process.exit(1);
}
const env = {
  ...process.env,
  NEXT_TELEMETRY_DISABLED: "1",
  // the local echo model takes any key; a real OPENAI_API_KEY, when set, is passed on as it is
  OPENAI_API_KEY: process.env.OPENAI_API_KEY ?? "echo-local",
};

// The whole demo is bounded: a hang never keeps the caller waiting.
const watchdog = setTimeout(() => {
  say("gave up after 150 s");
  process.exit(1);
}, 150_000);
watchdog.unref();

if (!existsSync(join(here, ".next", "BUILD_ID"))) {
  say("building the app (next build) ...");
  const built = spawnSync(process.execPath, [nextBin, "build"], { cwd: here, env, stdio: "inherit" });
  if (built.status !== 0) {
    say("next build failed");
    process.exit(1);
  }
}

const port = await freePort();
const url = `http://127.0.0.1:${port}`;
say(`starting next start on ${url}`);
let app;

async function stop(code) {
  await app?.stop();
  if (code !== 0 && app) console.error(app.output());
  process.exit(code);
}

try {
  app = await startProcess({
    command: process.execPath,
    args: [nextBin, "start", "-p", String(port), "-H", "127.0.0.1"],
    cwd: here,
    env,
    url,
    timeoutMs: 30_000,
  });

  const ask = (body) =>
    fetch(`${url}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-user-id": "demo-user" },
      body: JSON.stringify(body),
    });

  const plain = await ask({ message: "What is LumiqTrace?", stream: false });
  if (!plain.ok) throw new Error(`plain request: HTTP ${plain.status}`);
  say(`plain answer:    ${(await plain.json()).answer}`);

  const streamed = await ask({ message: "Stream me a short answer", stream: true });
  if (!streamed.ok || !streamed.body) throw new Error(`streamed request: HTTP ${streamed.status}`);
  let text = "";
  let chunks = 0;
  for await (const piece of streamed.body.pipeThrough(new TextDecoderStream())) {
    text += piece;
    chunks++;
  }
  say(`streamed answer: ${text} (${chunks} chunks)`);

  // the same, through the Vercel AI SDK's streamText (wrapAISDK) answering with toTextStreamResponse()
  const viaAi = await fetch(`${url}/api/ai-chat`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-user-id": "demo-user" },
    body: JSON.stringify({ message: "Stream through the AI SDK" }),
  });
  if (!viaAi.ok) throw new Error(`AI SDK request: HTTP ${viaAi.status}`);
  say(`AI SDK answer:   ${await viaAi.text()}`);
  say("done: three traces were sent to LumiqTrace (see the collector's viewer)");
  await stop(0);
} catch (error) {
  say(`failed: ${error instanceof Error ? error.message : String(error)}`);
  await stop(1);
}

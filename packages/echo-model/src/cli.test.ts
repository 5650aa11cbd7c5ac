import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

// The built bin: run `pnpm build` first (in CI turbo runs build before test).
const cli = fileURLToPath(new URL("../dist/cli.mjs", import.meta.url));

it("the echo-model bin says it is a stand-in, serves the printed URLs and stops on SIGTERM", async () => {
  const child = spawn(process.execPath, [cli, "--port", "0", "--chunk-delay-ms", "0"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  await expect.poll(() => /OPENAI_BASE_URL=(\S+)/.exec(out)?.[1], { timeout: 10_000 }).toBeTruthy();
  expect(out).toContain("LOCAL STAND-IN");
  const url = /OPENAI_BASE_URL=(\S+)/.exec(out)![1]!;
  const r = await fetch(`${url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "cli" }] }),
  });
  expect((await r.json()).choices[0].message.content).toBe("Echo: cli");
  await expect.poll(() => out, { timeout: 5_000 }).toContain("POST /v1/chat/completions model=m -> 200");
  const anthropicUrl = /ANTHROPIC_BASE_URL=(\S+)/.exec(out)![1]!;
  const m = await fetch(`${anthropicUrl}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "m", max_tokens: 9, messages: [{ role: "user", content: "cli" }] }),
  });
  expect((await m.json()).content).toEqual([{ type: "text", text: "Echo: cli" }]);
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  child.kill("SIGTERM");
  expect(await exited).toBe(0);
});

it("refuses an unknown option with the usage and exit code 2", async () => {
  const child = spawn(process.execPath, [cli, "--nope"], { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  expect(code).toBe(2);
  expect(err).toContain("unknown option --nope");
  expect(err).toContain("Usage: echo-model");
});

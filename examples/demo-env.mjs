// What every example's demo.mjs runs against: the collector and the model named in the environment (the
// root `pnpm demo` passes them), else a local collector and echo model started here, so that a demo run on
// its own needs no account and sends nothing off the machine.
import { spawn } from "node:child_process";

export async function demoEnvironment(name) {
  const stop = [];
  let collector;
  let env = {
    LUMIQTRACE_BASE_URL: process.env.LUMIQTRACE_BASE_URL,
    LUMIQTRACE_API_KEY: process.env.LUMIQTRACE_API_KEY,
    OPENAI_BASE_URL: process.env.OPENAI_BASE_URL,
  };
  if (!env.LUMIQTRACE_BASE_URL || !env.LUMIQTRACE_API_KEY || !env.OPENAI_BASE_URL) {
    const { startCollector } = await import("@lumiqtrace/collector");
    const { startEchoModel } = await import("@lumiqtrace/echo-model");
    collector = await startCollector({ port: 0 });
    const model = await startEchoModel({ port: 0 });
    stop.push(
      () => collector.close(),
      () => model.close(),
    );
    env = {
      LUMIQTRACE_BASE_URL: collector.url,
      LUMIQTRACE_API_KEY: collector.apiKey,
      OPENAI_BASE_URL: model.url,
    };
    console.log(`${name} demo: started a local collector (${collector.url}) and echo model (${model.url})`);
  }
  // the echo model takes any key; a real OPENAI_API_KEY, when set, is passed on as it is
  env.OPENAI_API_KEY = process.env.OPENAI_API_KEY ?? "sk-local-demo";
  return { env, collector, stop };
}

/** For the examples' tests: runs a demo.mjs with these variables, and gives its exit code and output. */
export function runDemo(demoPath, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [demoPath], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.once("exit", (code) => resolve({ code, output }));
  });
}

#!/usr/bin/env node
// `echo-model`: the local stand-in model in a terminal.
import { startEchoModel } from "./server.js";

const USAGE = `echo-model: a LOCAL STAND-IN for an OpenAI or Anthropic model (it echoes the prompt; it is not a language model)

Usage: echo-model [--port 4478] [--host 127.0.0.1] [--chunk-delay-ms 5]
`;

function parse(argv: string[]): { port: number; host: string; chunkDelayMs: number; help: boolean } {
  const out = { port: 4478, host: "127.0.0.1", chunkDelayMs: 5, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes("=") ? arg.split(/=(.*)/s) : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const int = () => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} needs a whole number >= 0`);
      return n;
    };
    if (flag === "--help" || flag === "-h") out.help = true;
    else if (flag === "--port" || flag === "-p") out.port = int();
    else if (flag === "--host") out.host = value();
    else if (flag === "--chunk-delay-ms") out.chunkDelayMs = int();
    else throw new Error(`unknown option ${arg}`);
  }
  return out;
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  const model = await startEchoModel(args).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "EADDRINUSE") {
      process.stderr.write(
        `port ${args.port} on ${args.host} is in use: pass --port with another (0 for a free one)\n`,
      );
      process.exit(1);
    }
    throw err;
  });
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out("echo-model: LOCAL STAND-IN model, not a real LLM (every answer is `Echo: <your last message>`)");
  out(`  OpenAI-compatible API at ${model.url}  (chat.completions, responses, embeddings)`);
  out(`  chunk delay: ${args.chunkDelayMs} ms`);
  out(`  Anthropic-compatible API at ${model.anthropicUrl}  (messages)`);
  out("  point the openai and @anthropic-ai/sdk clients at it:");
  out(`  OPENAI_BASE_URL=${model.url} OPENAI_API_KEY=echo-local`);
  out(`  ANTHROPIC_BASE_URL=${model.anthropicUrl} ANTHROPIC_API_KEY=echo-local`);
  let seen = 0;
  const timer = setInterval(() => {
    for (; seen < model.log.length; seen++) {
      const r = model.log[seen]!;
      const m = (r.body as { model?: unknown } | undefined)?.model;
      out(`  ${r.method} ${r.path}${typeof m === "string" ? ` model=${m}` : ""} -> ${r.status || "..."}`);
    }
  }, 200);
  const stop = () => {
    clearInterval(timer);
    void model.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

void main();

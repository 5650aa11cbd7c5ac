#!/usr/bin/env node
// `lumiqtrace dev`: the local collector in a terminal.
import { describeFaults, parseDevArgs, USAGE, UsageError } from "./args.js";
import { bannerLines } from "./banner.js";
import { startCollector } from "./server.js";
import { SqliteUnavailableError } from "./sqlite.js";
import { StoreOpenError } from "./store.js";
import { writeLines } from "./terminal.js";

/** A start that failed for a reason the user can fix: printed as one line, exit 2. */
class StartError extends Error {}

declare const __LUMIQTRACE_COLLECTOR_VERSION__: string;

/** Why the server could not listen, said for the flags that caused it; `undefined` for anything else. */
function listenFailure(err: unknown, host: string, port: number): StartError | undefined {
  const code = (err as { code?: string }).code;
  if (code === "EADDRINUSE")
    return new StartError(
      `port ${port} on ${host} is in use: pass --port with another port (0 for a free one)`,
    );
  if (code === "EACCES")
    return new StartError(`port ${port} on ${host}: permission denied (try a port above 1023)`);
  if (code === "EADDRNOTAVAIL")
    return new StartError(`--host ${host}: this machine has no such address (127.0.0.1 is the default)`);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_FAIL")
    return new StartError(`--host ${host}: cannot resolve this name to an address of this machine`);
  return undefined;
}

async function dev(argv: string[]): Promise<void> {
  const args = parseDevArgs(argv, process.env);
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  const out = (line: string) => writeLines(process.stdout, line);
  let collector: Awaited<ReturnType<typeof startCollector>>;
  try {
    collector = await startCollector({
      port: args.port,
      otlpPort: args.otlpPort,
      host: args.host,
      apiKey: args.apiKey,
      dbPath: args.dbPath,
      quiet: false,
      log: out,
      faults: args.faults,
      retainEvents: false,
      ...(args.maxBodyBytes !== undefined ? { maxBodyBytes: args.maxBodyBytes } : {}),
    });
  } catch (err) {
    if (err instanceof SqliteUnavailableError) throw new StartError(err.message);
    if (err instanceof StoreOpenError) throw new StartError(`--db: ${err.message}`);
    throw listenFailure(err, args.host, args.port) ?? err;
  }
  const banner = bannerLines({
    host: args.host,
    port: collector.port,
    url: collector.url,
    otlpUrl: collector.otlpUrl,
    otlpProblem: collector.otlpProblem,
    apiKey: collector.apiKey,
    keySource: args.keySource,
    dbPath: args.dbPath,
    ...(args.faults ? { faults: describeFaults(args.faults) } : {}),
  });
  for (const line of banner) out(line);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    out(`Stopping (${signal})...`);
    collector.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(USAGE);
    return;
  }
  if (command === "--version" || command === "-v") {
    process.stdout.write(`${__LUMIQTRACE_COLLECTOR_VERSION__}\n`);
    return;
  }
  if (command !== "dev") throw new UsageError(`unknown command "${command}"`);
  await dev(rest);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof StartError) {
    writeLines(process.stderr, `lumiqtrace: ${err.message}`);
    process.exit(2);
  }
  if (err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
    writeLines(process.stderr, `lumiqtrace: ${(err as Error).message}\n\n${USAGE.trimEnd()}`);
    process.exit(2);
  }
  writeLines(process.stderr, `lumiqtrace: ${(err as Error)?.stack ?? err}`);
  process.exit(1);
});

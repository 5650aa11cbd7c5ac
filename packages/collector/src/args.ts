// Flags of `lumiqtrace dev`, parsed apart from the bin so tests can check them without a process.
import { isIP } from "node:net";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { checkFaultSpec, type FaultSpec } from "./faults.js";
import { apiKeyProblem, generateApiKey } from "./keys.js";

export const USAGE = `Usage: lumiqtrace dev [options]
       lumiqtrace --version

Runs the LumiqTrace ingest API on this machine, stores traces in SQLite, prints one line per trace and
serves a viewer at the same address.

Options:
  --port N            port to listen on (default 4477; 0 picks a free one); OTLP is taken here too
  --otlp-port N       also take OTLP (POST /v1/traces) on this port (default 4318, OpenTelemetry's;
                      0 picks a free one; off for none). When it is taken, the collector says so and goes on
  --host H            address to listen on (default 127.0.0.1); beyond loopback, the read API,
                      the viewer and the fault controls need the key too
  --key K             API key clients must send (default: $LUMIQTRACE_API_KEY, else a generated one)
  --db PATH           SQLite file (default .lumiqtrace/traces.sqlite)
  --memory            keep traces in memory only
  --max-body-bytes N  largest accepted body after decompression (default 5242880)

Fault injection (ingest requests only; also at POST/DELETE /_control/faults):
  --fail STATUS       answer with this status (503, 429, 413, 500, 408, ...)
  --retry-after S     send Retry-After: S with --fail
  --delay-ms N        wait N ms before answering
  --hang              never answer
  --reset             reset the connection
  --fail-count N      only the next N requests
  --fail-rate R       each request with probability R (0..1)
`;

export class UsageError extends Error {}

function int(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name}: expected an integer >= ${min}, got "${value}"`);
  return n;
}

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n))
    throw new UsageError(`--${name}: expected a number, got "${value}"`);
  return n;
}

/** An IP address, or a name made of DNS labels; `[::1]` is taken as `::1`. */
function hostArg(value: string | undefined): string {
  if (value === undefined) return "127.0.0.1";
  const host = /^\[.*\]$/.test(value) ? value.slice(1, -1) : value;
  const label = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
  if (isIP(host) || (host.length <= 253 && host.split(".").every((l) => label.test(l)))) return host;
  throw new UsageError(`--host: expected an IP address or a host name, got "${value}"`);
}

export function parseDevArgs(argv: string[], env: Record<string, string | undefined>) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: "string" },
      "otlp-port": { type: "string" },
      host: { type: "string" },
      key: { type: "string" },
      db: { type: "string" },
      memory: { type: "boolean" },
      "max-body-bytes": { type: "string" },
      fail: { type: "string" },
      "retry-after": { type: "string" },
      "delay-ms": { type: "string" },
      hang: { type: "boolean" },
      reset: { type: "boolean" },
      "fail-count": { type: "string" },
      "fail-rate": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.memory && values.db !== undefined) throw new UsageError("give --db or --memory, not both");
  const port = int("port", values.port, 0) ?? 4477;
  if (port > 65535) throw new UsageError("--port: expected 0..65535");
  const otlpPort = values["otlp-port"] === "off" ? "off" : (int("otlp-port", values["otlp-port"], 0) ?? 4318);
  if (otlpPort !== "off" && otlpPort > 65535) throw new UsageError("--otlp-port: expected 0..65535 or off");

  const fault: FaultSpec = {};
  const status = int("fail", values.fail, 400);
  if (status !== undefined) fault.status = status;
  const retryAfter = number("retry-after", values["retry-after"]);
  if (retryAfter !== undefined) fault.retryAfter = retryAfter;
  const delayMs = number("delay-ms", values["delay-ms"]);
  if (delayMs !== undefined) fault.delayMs = delayMs;
  if (values.hang) fault.hang = true;
  if (values.reset) fault.reset = true;
  const count = int("fail-count", values["fail-count"], 1);
  if (count !== undefined) fault.count = count;
  const rate = number("fail-rate", values["fail-rate"]);
  if (rate !== undefined) fault.rate = rate;
  let faults: FaultSpec | null = null;
  if (Object.keys(fault).length > 0) {
    try {
      faults = checkFaultSpec(fault);
    } catch (err) {
      throw new UsageError((err as Error).message.replace("fault spec: ", "faults: "));
    }
  }

  const keySource =
    values.key !== undefined ? "flag" : env.LUMIQTRACE_API_KEY !== undefined ? "env" : "generated";
  const apiKey = values.key ?? env.LUMIQTRACE_API_KEY ?? generateApiKey();
  // refused, not replaced: a key someone set on purpose and got wrong should not silently become another
  const keyProblem = apiKeyProblem(apiKey);
  if (keyProblem) {
    throw new UsageError(
      keySource === "flag"
        ? `--key: ${keyProblem}`
        : `LUMIQTRACE_API_KEY: ${keyProblem} (fix it, or unset it to get a generated key)`,
    );
  }
  return {
    help: values.help === true,
    port,
    otlpPort,
    host: hostArg(values.host),
    apiKey,
    keySource,
    dbPath: values.memory ? ":memory:" : resolve(values.db ?? ".lumiqtrace/traces.sqlite"),
    maxBodyBytes: int("max-body-bytes", values["max-body-bytes"], 1),
    faults,
  } as const;
}

export function describeFaults(f: FaultSpec): string {
  const what = [
    f.status !== undefined &&
      `answer ${f.status}${f.retryAfter !== undefined ? ` (Retry-After: ${f.retryAfter})` : ""}`,
    f.delayMs !== undefined && `delay ${f.delayMs}ms`,
    f.hang && "hang",
    f.reset && "reset the connection",
  ].filter(Boolean);
  const scope = [
    f.count !== undefined && `next ${f.count} requests`,
    f.rate !== undefined && `rate ${f.rate}`,
  ].filter(Boolean);
  return `${what.join(", ")}${scope.length ? ` (${scope.join(", ")})` : " (every ingest request)"}`;
}

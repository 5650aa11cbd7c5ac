// What `lumiqtrace dev` prints once it listens: where it is, who may use it, and the lines to paste.
import { isLoopbackAddress } from "./access.js";

export interface BannerFacts {
  /** the address it listens on, as given (`127.0.0.1`, `0.0.0.0`, `192.168.1.5`, ...) */
  host: string;
  port: number;
  /** the URL this machine's apps use (a loopback one when listening on every interface) */
  url: string;
  /** the OTLP port's base URL, when it listens */
  otlpUrl?: string;
  /** why it does not, when it was asked for */
  otlpProblem?: string;
  apiKey: string;
  keySource: "flag" | "env" | "generated";
  /** a path, or `:memory:` */
  dbPath: string;
  /** the fault spec in words, when one is active */
  faults?: string;
}

export function bannerLines(f: BannerFacts): string[] {
  const everywhere = f.host === "0.0.0.0" || f.host === "::";
  const loopback = isLoopbackAddress(f.host);
  // A key taken from the environment may be a real one: show only its end. A generated or typed one is shown whole.
  const fromEnv = f.keySource === "env";
  const shownKey = fromEnv ? `…${f.apiKey.slice(-4)} (from LUMIQTRACE_API_KEY)` : f.apiKey;
  const pasteKey = fromEnv ? "<your LUMIQTRACE_API_KEY>" : f.apiKey;
  const viewerKey = fromEnv ? "<your LUMIQTRACE_API_KEY>" : encodeURIComponent(f.apiKey);
  const bound = f.host.includes(":") ? `[${f.host}]:${f.port}` : `${f.host}:${f.port}`;
  const lines = loopback
    ? [`LumiqTrace collector listening on ${f.url}`, `  viewer:   ${f.url}/`]
    : [
        `LumiqTrace collector listening on ${bound} (${everywhere ? "every network interface" : "not loopback"})`,
        "  WARNING:  other machines can reach it; the read API (your prompts), the viewer and the fault",
        "            controls need the API key, like ingest: open the viewer through the URL below",
        `  viewer:   ${f.url}/?key=${viewerKey}`,
      ];
  if (everywhere)
    lines.push(`            (from another machine: http://<this machine's address>:${f.port}/?key=...)`);
  lines.push(
    `  otlp:     ${f.otlpUrl ? `${f.otlpUrl}/v1/traces and ` : ""}${f.url}/v1/traces (OTLP/HTTP, protobuf or JSON${loopback ? ", no key on loopback" : ", with the key as a bearer token"})`,
    ...(f.otlpProblem ? [`            ${f.otlpProblem}`] : []),
    `  api key:  ${shownKey}`,
    `  database: ${f.dbPath === ":memory:" ? "in memory (--memory)" : f.dbPath}`,
    ...(f.faults ? [`  faults:   ${f.faults}`] : []),
    "Point your app at it (paste into its environment):",
    `  LUMIQTRACE_BASE_URL=${f.url}`,
    `  LUMIQTRACE_API_KEY=${pasteKey}`,
    `  (or, from any OpenTelemetry SDK: OTEL_EXPORTER_OTLP_ENDPOINT=${f.otlpUrl ?? f.url})`,
    "Waiting for traces (Ctrl-C to stop)...",
  );
  return lines;
}

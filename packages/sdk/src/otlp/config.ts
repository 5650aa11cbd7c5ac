// Where OTLP goes and how, from `init`'s `otlp` option and the standard OpenTelemetry variables, with
// the specification's defaults and precedence (signal-specific `OTEL_EXPORTER_OTLP_TRACES_*` over
// `OTEL_EXPORTER_OTLP_*`; an init option over both).
import { warn, warnOnce } from "../logger.js";
import type { Env, OtlpOptions } from "../options.js";

export interface OtlpConfig {
  endpoint: string;
  protocol: "http/protobuf" | "http/json";
  headers: Record<string, string>;
}

export const DEFAULT_OTLP_ENDPOINT = "http://localhost:4318/v1/traces";

/** `k=v,k2=v2` with URL-encoded values (`OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_RESOURCE_ATTRIBUTES`). */
export function parseKeyValues(text: string | undefined, variable: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (text ?? "").split(",")) {
    if (!pair.trim()) continue;
    const at = pair.indexOf("=");
    const key = at > 0 ? pair.slice(0, at).trim() : "";
    if (!key) {
      warnOnce(
        `${variable}-pair`,
        `${variable}: "${pair.trim().slice(0, 40)}" is not key=value; ignoring it`,
      );
      continue;
    }
    try {
      out[key] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      out[key] = pair.slice(at + 1).trim();
    }
  }
  return out;
}

function endpointOf(option: unknown, env: Env): string {
  if (option !== undefined) {
    if (typeof option === "string" && option) return option;
    warn("otlp.endpoint must be a URL string; using the OTEL_* variables and defaults");
  }
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return base ? `${base.replace(/\/+$/, "")}/v1/traces` : DEFAULT_OTLP_ENDPOINT;
}

function protocolOf(option: unknown, env: Env): OtlpConfig["protocol"] {
  const value =
    option ?? env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? "http/protobuf";
  if (value === "http/protobuf" || value === "http/json") return value;
  if (value === "grpc")
    warn("OTLP over gRPC is not supported here; sending http/protobuf (to port 4318, not 4317)");
  else warn(`OTLP protocol "${String(value).slice(0, 30)}" is unknown; sending http/protobuf`);
  return "http/protobuf";
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;
/** Header names that carry credentials (said once if they would go in clear). */
const CREDENTIAL = /auth|key|token|secret|team|password|cookie/i;

export function resolveOtlp(given: unknown, env: Env): OtlpConfig {
  let option = given as OtlpOptions | undefined;
  if (given !== undefined && (typeof given !== "object" || given === null)) {
    warn("otlp must be an object ({ endpoint, protocol, headers }); using the OTEL_* variables and defaults");
    option = undefined;
  }
  const endpoint = endpointOf(option?.endpoint, env);
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    warn(`the OTLP endpoint "${endpoint.slice(0, 80)}" is not a URL; using ${DEFAULT_OTLP_ENDPOINT}`);
  }
  const headers = {
    ...parseKeyValues(env.OTEL_EXPORTER_OTLP_HEADERS, "OTEL_EXPORTER_OTLP_HEADERS"),
    ...parseKeyValues(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS, "OTEL_EXPORTER_OTLP_TRACES_HEADERS"),
  };
  if (option?.headers !== undefined) {
    if (typeof option.headers === "object" && option.headers !== null) {
      for (const [k, v] of Object.entries(option.headers)) if (typeof v === "string") headers[k] = v;
    } else warn("otlp.headers must be an object of strings; ignoring it");
  }
  // Plain http is allowed (sidecars, in-cluster collectors); credentials in clear to another host are said.
  if (
    url?.protocol === "http:" &&
    !LOOPBACK.test(url.hostname) &&
    Object.keys(headers).some((h) => CREDENTIAL.test(h))
  )
    warn(
      `OTLP headers that look like credentials go in clear over http to ${url.host}; use https unless that network is private`,
    );
  return {
    endpoint: url ? url.href : DEFAULT_OTLP_ENDPOINT,
    protocol: protocolOf(option?.protocol, env),
    headers,
  };
}

import { warn } from "./logger.js";
import type { SpanEvent } from "./types.js";

export type ExporterName = "lumiqtrace" | "otlp";

/** Where OTLP goes; each field's default comes from the standard `OTEL_EXPORTER_OTLP_*` variables. */
export interface OtlpOptions {
  /** The traces URL, used as it is. Default: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`, else `http://localhost:4318/v1/traces`. */
  endpoint?: string;
  /** `http/protobuf` (default) or `http/json`. Default: `OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL`. */
  protocol?: "http/protobuf" | "http/json";
  /** Sent with every request (`Authorization`, `x-honeycomb-team`, ...). Default: `OTEL_EXPORTER_OTLP_(TRACES_)HEADERS`. */
  headers?: Record<string, string>;
}

export interface LumiqtraceOptions {
  /**
   * Where events go: `"lumiqtrace"` (default: the LumiqTrace ingest API), `"otlp"` (any OpenTelemetry
   * backend), or both. Default: `LUMIQTRACE_EXPORTER` (`otlp`, `lumiqtrace,otlp`).
   */
  exporter?: ExporterName | ExporterName[];
  /** OTLP endpoint, protocol and headers (see `OtlpOptions`). */
  otlp?: OtlpOptions;
  /** OTLP's `service.name`. Default: `OTEL_SERVICE_NAME`, else the platform's function or app name, else `unknown_service:node`. */
  serviceName?: string;
  /** Project API key. Default: `LUMIQTRACE_API_KEY`. Without one (and without OTLP), tracing is off (one warning). */
  apiKey?: string;
  /** Ingest API. Default: `LUMIQTRACE_BASE_URL`, else `https://api.lumiqtrace.com`. `http:` only for loopback. */
  baseUrl?: string;
  /** Tag for every event, e.g. `production`. Default: `LUMIQTRACE_ENVIRONMENT`. */
  environment?: string;
  /** Your app's version, on every event. */
  release?: string;
  /** Events per request; a full batch is sent at once. 1..1000, default 100. */
  batchSize?: number;
  /** How long an event may wait for a batch to fill, ms. Default 1000. The timer never keeps a process alive. */
  flushIntervalMs?: number;
  /** Events held at most; past it the oldest are dropped and counted. Default 10,000. */
  maxQueueSize?: number;
  /** Serialised characters held at most (about bytes); past it the oldest are dropped. Default 10 MiB. */
  maxQueueBytes?: number;
  /** Share of traces kept, 0..1, decided per trace from its id. Default `LUMIQTRACE_SAMPLE_RATE`, else 1. */
  sampleRate?: number;
  /** One request's time limit, and the default deadline of `flush()`, ms. Default 5000. */
  timeoutMs?: number;
  /**
   * Retries of a batch after a network error, 408, 429 or 5xx, with backoff, within the flush's deadline
   * (what the deadline cuts short stays queued for the next flush). 0..20, default 10: about the whole
   * of a 5 s deadline.
   */
  maxRetries?: number;
  /** `false` turns tracing off (the code runs unchanged). Default: on unless `LUMIQTRACE_DISABLED` is set. */
  enabled?: boolean;
  /** Log what the SDK does (never the key). Default `LUMIQTRACE_DEBUG`. */
  debug?: boolean;
  /** Record prompts and completions. Default `LUMIQTRACE_CAPTURE_CONTENT`, else false. */
  captureContent?: boolean;
  /** Change an event before it is queued, or return `null` to drop it. */
  beforeSend?: (event: SpanEvent) => SpanEvent | null | undefined;
}

export interface ResolvedOptions {
  /** The destinations that will be sent to (none: tracing is off). */
  exporters: ExporterName[];
  /** As given to `init`; the OTLP exporter resolves it with `env` when first used. */
  otlp: OtlpOptions | undefined;
  serviceName: string | undefined;
  /** The environment `init` read (process.env, or Workers bindings), for the OTLP exporter's `OTEL_*`. */
  env: Env;
  apiKey: string;
  baseUrl: string;
  environment: string | undefined;
  release: string | undefined;
  batchSize: number;
  flushIntervalMs: number;
  maxQueueSize: number;
  maxQueueBytes: number;
  sampleRate: number;
  timeoutMs: number;
  maxRetries: number;
  enabled: boolean;
  debug: boolean;
  captureContent: boolean;
  beforeSend: ((event: SpanEvent) => SpanEvent | null | undefined) | undefined;
}

export const DEFAULT_BASE_URL = "https://api.lumiqtrace.com";

export type Env = Record<string, string | undefined>;

const KNOWN = new Set([
  "exporter",
  "otlp",
  "serviceName",
  "apiKey",
  "baseUrl",
  "environment",
  "release",
  "batchSize",
  "flushIntervalMs",
  "maxQueueSize",
  "maxQueueBytes",
  "sampleRate",
  "timeoutMs",
  "maxRetries",
  "enabled",
  "debug",
  "captureContent",
  "beforeSend",
]);

export function readEnv(): Env {
  try {
    const env = (globalThis as { process?: { env?: Env } }).process?.env;
    return env && typeof env === "object" ? env : {};
  } catch {
    return {};
  }
}

function flag(value: string | undefined): boolean | undefined {
  if (value === undefined || value === "") return undefined;
  return !/^(0|false|no|off)$/i.test(value.trim());
}

/**
 * A number option: from `init` it must be a number (a string there is a mistake worth a word); from the
 * environment (`fromEnv`), where everything is a string, it is parsed.
 */
function numberOption(
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
  integer: boolean,
  fromEnv?: string,
): number {
  if (value === undefined && (fromEnv === undefined || fromEnv.trim() === "")) return fallback;
  if (typeof value === "string") {
    warn(`${name} must be a number, not the string ${JSON.stringify(value.slice(0, 20))}; using ${fallback}`);
    return fallback;
  }
  const n = value ?? Number(fromEnv);
  if (
    typeof n !== "number" ||
    !Number.isFinite(n) ||
    n < min ||
    n > max ||
    (integer && !Number.isInteger(n))
  ) {
    warn(`${name} must be ${integer ? "an integer" : "a number"} from ${min} to ${max}; using ${fallback}`);
    return fallback;
  }
  return n;
}

function stringOption(name: string, value: unknown): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "string") {
    warn(`${name} must be a string; ignoring it`);
    return undefined;
  }
  return value;
}

const EXPORTERS = new Set<ExporterName>(["lumiqtrace", "otlp"]);

/** `exporter` (a name or a list) or `LUMIQTRACE_EXPORTER` (comma-separated); unknown names are said and left out. */
function exporterOption(option: unknown, env = ""): ExporterName[] {
  const names = [option ?? (env.trim() ? env.split(",") : "lumiqtrace")].flat().map((n) => String(n).trim());
  const known = [...new Set(names)].filter((n): n is ExporterName => EXPORTERS.has(n as ExporterName));
  if (known.length < names.length || !known.length) warn('exporter must be "lumiqtrace", "otlp" or both');
  return known.length ? known : ["lumiqtrace"];
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * The API key, trimmed (a key pasted from a file often ends in a newline: said once, then used trimmed).
 * One with whitespace or control characters inside cannot go in a header: said, and tracing is off.
 */
function apiKeyOption(option: unknown, env: string | undefined): { apiKey: string; usable: boolean } {
  const raw = stringOption("apiKey", option) ?? env ?? "";
  const apiKey = raw.trim();
  if (apiKey !== raw && apiKey !== "")
    warn("the API key has whitespace around it (a newline from a file?); using it trimmed");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
  if (/[\s\u0000-\u001f\u007f]/.test(apiKey)) {
    warn("the API key contains whitespace or control characters, so it cannot be sent; tracing is off");
    return { apiKey: "", usable: false };
  }
  return { apiKey, usable: true };
}

/** The URL to send to, or undefined (with a warning) when it is unusable or insecure. */
function checkBaseUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    warn(`baseUrl "${value}" is not a URL; tracing is off`);
    return undefined;
  }
  if (url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.test(url.hostname))) {
    return url.href.replace(/\/+$/, "");
  }
  warn(`baseUrl must use https (http only for localhost); refusing "${url.origin}", tracing is off`);
  return undefined;
}

export function resolveOptions(input: unknown, env: Env = readEnv()): ResolvedOptions {
  let o: LumiqtraceOptions = {};
  if (input !== undefined && input !== null) {
    if (typeof input === "object") o = input as LumiqtraceOptions;
    else warn("init() takes an options object; using the environment and defaults");
  }
  for (const key of Object.keys(o)) if (!KNOWN.has(key)) warn(`unknown option "${key}" is ignored`);

  const debug = typeof o.debug === "boolean" ? o.debug : (flag(env.LUMIQTRACE_DEBUG) ?? false);
  let enabled = typeof o.enabled === "boolean" ? o.enabled : !(flag(env.LUMIQTRACE_DISABLED) ?? false);
  if (o.enabled !== undefined && typeof o.enabled !== "boolean")
    warn("enabled must be a boolean; using true");

  let exporters = exporterOption(o.exporter, env.LUMIQTRACE_EXPORTER);
  // only the LumiqTrace ingest API needs our key and our base URL
  const key = exporters.includes("lumiqtrace") ? apiKeyOption(o.apiKey, env.LUMIQTRACE_API_KEY) : undefined;
  const apiKey = key?.apiKey ?? "";
  const rawUrl = stringOption("baseUrl", o.baseUrl) ?? (env.LUMIQTRACE_BASE_URL || DEFAULT_BASE_URL);
  const baseUrl = key ? checkBaseUrl(rawUrl) : undefined;
  if (key && (!key.usable || baseUrl === undefined || (enabled && apiKey === ""))) {
    if (key.usable && apiKey === "" && enabled)
      warn(
        `no API key (set LUMIQTRACE_API_KEY or pass apiKey to init); ${exporters.length > 1 ? "sending to OTLP only" : "tracing is off"}`,
      );
    exporters = exporters.filter((x) => x !== "lumiqtrace");
  }
  if (exporters.length === 0) enabled = false;

  let beforeSend = o.beforeSend;
  if (beforeSend !== undefined && typeof beforeSend !== "function") {
    warn("beforeSend must be a function; ignoring it");
    beforeSend = undefined;
  }
  let captureContent = o.captureContent ?? flag(env.LUMIQTRACE_CAPTURE_CONTENT) ?? false;
  if (typeof captureContent !== "boolean") {
    warn("captureContent must be a boolean; using false");
    captureContent = false;
  }

  return {
    exporters,
    otlp: o.otlp, // checked by the OTLP exporter, loaded only when chosen
    serviceName: stringOption("serviceName", o.serviceName),
    env,
    apiKey,
    baseUrl: baseUrl ?? DEFAULT_BASE_URL,
    environment: stringOption("environment", o.environment) ?? (env.LUMIQTRACE_ENVIRONMENT || undefined),
    release: stringOption("release", o.release),
    batchSize: numberOption("batchSize", o.batchSize, 100, 1, 1000, true),
    flushIntervalMs: numberOption("flushIntervalMs", o.flushIntervalMs, 1000, 1, 3_600_000, false),
    maxQueueSize: numberOption("maxQueueSize", o.maxQueueSize, 10_000, 1, 10_000_000, true),
    maxQueueBytes: numberOption("maxQueueBytes", o.maxQueueBytes, 10 * 1024 * 1024, 1024, 2 ** 31, true),
    sampleRate: numberOption("sampleRate", o.sampleRate, 1, 0, 1, false, env.LUMIQTRACE_SAMPLE_RATE),
    timeoutMs: numberOption("timeoutMs", o.timeoutMs, 5000, 1, 600_000, false),
    maxRetries: numberOption("maxRetries", o.maxRetries, 10, 0, 20, true),
    enabled,
    debug,
    captureContent,
    beforeSend,
  };
}

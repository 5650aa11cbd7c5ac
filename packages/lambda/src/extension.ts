// Finding the LumiqTrace Lambda extension (@lumiqtrace/lambda-extension) with nothing set by the user: a
// layer cannot set the function's environment, so its file in /opt/extensions/ is the sign, or, failing
// that, its loopback endpoint answering. Looked for once per process, and only inside Lambda.
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  EXTENSION_NAME,
  EXTENSION_PORT,
  EXTENSIONS_DIR,
  type Forwarder,
  forwarderAnswers,
  forwardTo,
  getClient,
} from "@lumiqtrace/sdk/serverless";

type Env = Record<string, string | undefined>;
type Options = ReturnType<typeof getClient>["options"];

const env = (): Env => globalThis.process?.env ?? {};

/** undefined: not looked for yet; "": looked for, not there (or not yet answering). */
let found: string | undefined;
let saidMismatch = false;

function extensionUrl(e: Env): string {
  const port = Number(e.LUMIQTRACE_EXTENSION_PORT);
  return `http://127.0.0.1:${Number.isInteger(port) && port > 0 ? port : EXTENSION_PORT}`;
}

/** Starts looking (at wrap time, so that a probe is answered during init): the file now, the probe in the background. */
export function lookForExtension(): void {
  if (found !== undefined) return;
  found = "";
  const e = env();
  if (!e.AWS_LAMBDA_RUNTIME_API) return; // not in Lambda (a test, a local run): as without the extension
  const url = extensionUrl(e);
  try {
    // LUMIQTRACE_EXTENSIONS_DIR: where a Lambda stand-in (the e2e harness) keeps the layer's extensions
    if (existsSync(join(e.LUMIQTRACE_EXTENSIONS_DIR || EXTENSIONS_DIR, EXTENSION_NAME))) {
      found = url;
      return;
    }
  } catch {
    // an unreadable directory: ask the endpoint
  }
  void forwarderAnswers(url).then((yes) => {
    if (yes) found = url;
  });
}

const trimmed = (url: string) => {
  try {
    return new URL(url).href.replace(/\/+$/, "");
  } catch {
    return url;
  }
};

/**
 * Whether the extension, which reads only the environment (LUMIQTRACE_*, OTEL_*), sends where this client
 * does: not when init() was given a key, a URL, exporters or OTLP settings of its own.
 */
function sameDestinations(o: Options): boolean {
  const e = o.env;
  const named = e.LUMIQTRACE_EXPORTER?.trim()
    ? e.LUMIQTRACE_EXPORTER.split(",").map((x) => x.trim())
    : ["lumiqtrace"];
  if (!o.exporters.every((x) => named.includes(x))) return false;
  if (o.exporters.includes("lumiqtrace")) {
    if (o.apiKey !== (e.LUMIQTRACE_API_KEY ?? "").trim()) return false;
    if (o.baseUrl !== trimmed(e.LUMIQTRACE_BASE_URL || "https://api.lumiqtrace.com")) return false;
  }
  if (
    o.exporters.includes("otlp") &&
    (o.otlp !== undefined || o.serviceName !== undefined || o.release !== undefined)
  )
    return false;
  return true;
}

/** The extension's forwarder for the current client, when the extension is there and sends where the client would. */
export function extensionForwarder(): Forwarder | undefined {
  lookForExtension();
  if (!found) return undefined;
  try {
    if (!sameDestinations(getClient().options)) {
      if (!saidMismatch) {
        saidMismatch = true;
        console.warn(
          "[lumiqtrace] the LumiqTrace extension is installed, but init() was given destinations of its own, and the extension reads only the LUMIQTRACE_* and OTEL_* variables: this function flushes itself (set them in the environment to use the extension)",
        );
      }
      return undefined;
    }
  } catch {
    return undefined;
  }
  return forwardTo(found);
}

/** For tests: look again. */
export function forgetExtension(): void {
  found = undefined;
  saidMismatch = false;
}
